"""Short tracebacks: hide glassbox's own frames, as JAX hides its internals.

An error raised deep inside tracing or lowering has a traceback of twenty
frames in ``glassbox/`` before the one line the user wrote. The shell's
``showtraceback`` is wrapped so that, when a traceback passes through
glassbox, frames from glassbox (and from IPython's magic machinery) are
dropped and a note says how many. The user's own frames always stay.

The full traceback is one command away: ``%tb`` shows the last error
unfiltered, and ``%gb_config traceback=full`` turns filtering off.

An error that stopped a trace (a shape or dtype check under ``jit``, ``make_jaxpr``,
``%%jit``, ``%graph``) or a NaN found by ``debug_nans`` carries the program around it
(``error.glassbox_partial``); the graph of it, failing equation marked, is shown above
the traceback.
"""
import os
import sys
import types

import IPython
from IPython.core.error import UsageError
from IPython.display import display

from glassbox import traceback_util

_IPYTHON_DIR = os.path.dirname(os.path.abspath(IPython.__file__))
NOTE = ("glassbox: {n} internal frame{s} hidden. %tb shows the full traceback; "
        "%gb_config traceback=full shows it always.")


def is_glassbox_frame(filename):
    """A frame of glassbox itself (core, kernel, widgets)."""
    return traceback_util.is_internal_frame(filename)


def _is_machinery(filename):
    """IPython's magic-calling frames: noise once glassbox frames are hidden too."""
    return filename.startswith(_IPYTHON_DIR) or filename.startswith("<decorator-gen")


def _hidden_here(filename):
    return is_glassbox_frame(filename) or _is_machinery(filename)


def filter_traceback(tb):
    """``(filtered tb, frames hidden)``. Keeps the first frame (IPython skips it itself).

    Nothing is hidden unless the traceback passes through glassbox: a plain
    Python error in a cell keeps IPython's usual traceback. The filtering itself
    is the core's (``glassbox.traceback_util``), with IPython's frames hidden too.
    """
    if tb is None:
        return None, 0
    if not any(is_glassbox_frame(n) for n in _filenames(tb.tb_next)):
        return tb, 0
    rest, hidden = traceback_util.filter_traceback(tb.tb_next, hide=_hidden_here)
    if rest is None:
        return tb, 0   # only library frames: hiding them would leave nothing to read
    return types.TracebackType(rest, tb.tb_frame, tb.tb_lasti, tb.tb_lineno), hidden


def _filenames(tb):
    while tb is not None:
        yield tb.tb_frame.f_code.co_filename
        tb = tb.tb_next


def _chain(value):
    """The exception and those it was raised from or during (as the traceback shows them)."""
    seen = []
    while value is not None and value not in seen:
        seen.append(value)
        if value.__cause__ is not None:
            value = value.__cause__
        elif not value.__suppress_context__:
            value = value.__context__
        else:
            value = None
    return seen


class TracebackFilter:
    """Wraps ``shell.showtraceback``; ``settings.traceback`` is "filtered" or "full"."""

    def __init__(self, shell, settings):
        self.shell, self.settings = shell, settings
        self.original = shell.showtraceback
        self.last = None   # (etype, value, tb, [(exception, its unfiltered tb)])

    def install(self):
        self.shell.showtraceback = self.showtraceback
        traceback_util.display_filter_installed = True

    def uninstall(self):
        if self.shell.showtraceback == self.showtraceback:
            self.shell.showtraceback = self.original
            traceback_util.display_filter_installed = False

    def showtraceback(self, exc_tuple=None, filename=None, tb_offset=None,
                      exception_only=False, running_compiled_code=False):
        etype, value, tb = exc_tuple if exc_tuple is not None else sys.exc_info()
        if etype is None:
            return self._show_last_in_full(filename, tb_offset, exception_only)
        if not exception_only:
            show_partial_graph(value)
        if (self.settings.traceback == "full" or exception_only
                or issubclass(etype, (SyntaxError, UsageError))):
            return self.original((etype, value, tb), filename, tb_offset, exception_only,
                                 running_compiled_code)
        filtered, hidden = filter_traceback(tb)
        originals = []
        for exc in _chain(value)[1:]:   # chained exceptions carry their own tracebacks
            sub, n = filter_traceback(exc.__traceback__)
            if n:
                originals.append((exc, exc.__traceback__))
                exc.__traceback__ = sub
                hidden += n
        self.last = (etype, value, tb, originals)
        if hidden:
            _add_note(value, NOTE.format(n=hidden, s="s" if hidden != 1 else ""))
        return self.original((etype, value, filtered), filename, tb_offset, exception_only,
                             running_compiled_code)

    def _show_last_in_full(self, filename, tb_offset, exception_only):
        """``%tb`` (no exception being handled): the last error, with every frame."""
        last = self.last
        if last is None or last[1] is not getattr(sys, "last_value", None):
            return self.original(None, filename, tb_offset, exception_only)
        etype, value, tb, originals = last
        filtered = [(exc, exc.__traceback__) for exc, _ in originals]
        for exc, full in originals:
            exc.__traceback__ = full
        try:
            return self.original((etype, value, tb), filename, tb_offset, exception_only)
        finally:
            for exc, short in filtered:
                exc.__traceback__ = short


def show_partial_graph(value):
    """Above the traceback of a failed trace (or a NaN found by debug_nans): the graph of
    what was traced, the failing equation marked (``error.glassbox_partial``)."""
    partial = next((getattr(e, "glassbox_partial", None) for e in _chain(value)
                    if getattr(e, "glassbox_partial", None) is not None), None)
    if partial is None or getattr(partial, "shown", False):
        return
    partial.shown = True   # %tb, or the same error shown again, draws no second graph
    try:
        from glassbox.widgets.graphview import graph_of_failure
        view = graph_of_failure(partial)
    except Exception as e:   # no graphviz, a layout that failed: the traceback still shows
        print(f"glassbox: the graph of what was traced could not be drawn ({e})")
        return
    display(view)


def _add_note(value, note):
    notes = getattr(value, "__notes__", None) or []
    if hasattr(value, "add_note") and not any(n.startswith("glassbox: ") for n in notes):
        value.add_note(note)
