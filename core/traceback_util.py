"""Tracebacks without glassbox's own frames, as JAX's ``traceback_util`` does.

An error raised while ``jit(grad(f))`` traces ``f`` unwinds through twenty
glassbox frames before the user's line. The user-facing entry points (a jit
call, the functions ``grad``/``vmap``/``jvp``... return, an eager primitive
bind) are *API boundaries*: when an exception leaves the outermost one, its
traceback is rewritten to keep only frames outside glassbox. Nothing runs
unless an exception propagates, so the fast paths cost nothing.

``config.traceback_filtering`` (``jax_traceback_filtering``) picks how:

- ``"auto"`` (default): ``"tracebackhide"`` under IPython, else ``"quiet_remove_frames"``;
- ``"quiet_remove_frames"``: drop the frames and add a note saying so;
- ``"remove_frames"``: drop them and chain the full traceback as ``__cause__``;
- ``"tracebackhide"``: mark them ``__tracebackhide__`` (IPython and pytest hide those);
- ``"off"``: leave every frame.

The notebook kernel reuses ``filter_traceback`` for its own display filter.
"""
import functools
import sys
import types

from . import source_info
from .config import config

NOTE = ("--------------------\nFor simplicity, glassbox has removed its internal frames from "
        "the traceback of the following exception. Set "
        "glassbox.config.update('jax_traceback_filtering', 'off') to include these.")
_UNFILTERED_MESSAGE = ("The stack trace below excludes glassbox-internal frames.\n"
                       "The preceding is the original exception that occurred, unmodified.\n"
                       "\n--------------------")

_boundary_codes = set()   # code objects of the entry points; see ``is_under_boundary``
# Set while the notebook kernel's display filter is installed: it hides the frames itself
# and can show them all again (%tb), so "auto" leaves tracebacks untouched then.
display_filter_installed = False


class UnfilteredStackTrace(Exception):
    """Carries the full traceback (``remove_frames`` mode), chained as ``__cause__``."""


def is_internal_frame(filename):
    """A frame of glassbox itself (core, kernel, widgets): hidden from users."""
    return source_info.is_library_frame(filename)


def filter_traceback(tb, hide=is_internal_frame):
    """``(tb without the frames whose file ``hide`` accepts, how many were dropped)``."""
    entries = []
    while tb is not None:
        entries.append(tb)
        tb = tb.tb_next
    kept = [t for t in entries if not hide(t.tb_frame.f_code.co_filename)]
    return rebuild(kept), len(entries) - len(kept)


def rebuild(entries):
    """A fresh traceback chain through ``entries`` (traceback objects), outermost first."""
    new = None
    for t in reversed(entries):
        new = types.TracebackType(new, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return new


def register_boundary(code):
    """Mark ``code`` (a function's ``__code__``) as an entry point that filters errors.

    Hot entry points (the jit call, ``Primitive.bind``) use an inline
    ``try``/``except`` calling ``filter_exception`` instead of the ``api_boundary``
    wrapper, to avoid an extra call on every dispatch.
    """
    _boundary_codes.add(code)
    return code


def api_boundary(fun):
    """Wrap ``fun`` (a user-facing function) so errors leaving it hide glassbox's frames."""
    @functools.wraps(fun)
    def reraise_with_filtered_traceback(*args, **kwargs):
        __tracebackhide__ = True  # noqa: F841  (read by pytest and IPython)
        try:
            return fun(*args, **kwargs)
        except Exception as err:
            filter_exception(err)
            raise
    return reraise_with_filtered_traceback


register_boundary(api_boundary(lambda: None).__code__)


def filter_exception(err):
    """Rewrite ``err``'s traceback per ``config.traceback_filtering``; call, then ``raise``.

    Only the outermost boundary acts: inner ones leave ``err`` for it.
    """
    mode = _mode()
    tb = err.__traceback__
    if mode == "off" or tb is None or is_under_boundary(tb.tb_frame):
        return
    if mode == "tracebackhide":
        _mark_hidden(tb)
        return
    filtered, hidden = filter_traceback(tb)
    if not hidden:
        return
    err.__traceback__ = filtered
    if mode == "quiet_remove_frames":
        err.add_note(NOTE)
        return
    full = UnfilteredStackTrace(f"{_describe(err)}\n\n{_UNFILTERED_MESSAGE}")
    full.__traceback__ = tb
    full.__cause__, full.__context__ = err.__cause__, err.__context__
    full.__suppress_context__ = err.__suppress_context__
    err.__cause__, err.__context__ = full, None


def is_under_boundary(frame):
    """Whether a caller of ``frame`` (the boundary that caught) is a boundary too."""
    frame = frame.f_back
    while frame is not None:
        if frame.f_code in _boundary_codes:
            return True
        frame = frame.f_back
    return False


def _mode():
    mode = config.traceback_filtering
    if mode == "auto":
        if not _running_under_ipython():
            return "quiet_remove_frames"
        return "off" if display_filter_installed else "tracebackhide"
    return mode


def _running_under_ipython():
    ipython = sys.modules.get("IPython")
    return ipython is not None and ipython.get_ipython() is not None


def _mark_hidden(tb):
    while tb is not None:
        frame = tb.tb_frame
        if is_internal_frame(frame.f_code.co_filename):
            frame.f_locals["__tracebackhide__"] = True
        tb = tb.tb_next


def _describe(err):
    return f"{type(err).__name__}: {err}"
