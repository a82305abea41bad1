"""Provenance: which user line and which transform produced an equation.

``current()`` walks the Python stack to the first frame outside glassbox (the
user's line) and pairs it with the current name stack, e.g.
``("jit(loss)", "jvp")``. Transforms push onto the name stack with
``extend_name_stack``; tracing records a ``SourceInfo`` on every equation.
"""
import contextlib
import os
import sys
from dataclasses import dataclass

_PKG_DIRS = (os.path.dirname(os.path.abspath(__file__)),)
_name_stack = ()
# The standard library and installed packages (contextlib, IPython, pytest) are never "the user".
_THIRD_PARTY = tuple({sys.prefix + "/lib", sys.base_prefix + "/lib"})


def add_library_dir(path):
    """Frames from ``path`` (e.g. glassbox.kernel, glassbox.widgets) count as library frames."""
    global _PKG_DIRS
    _PKG_DIRS = _PKG_DIRS + (os.path.dirname(os.path.abspath(path)),)


@dataclass(frozen=True)
class SourceInfo:
    file: str
    line: int
    function: str
    name_stack: tuple = ()

    def __str__(self):
        return f"{self.file}:{self.line} ({self.function})"

    @property
    def short(self):
        return f"{os.path.basename(self.file)}:{self.line}"


def is_library_frame(filename):
    return filename.startswith(_PKG_DIRS) or filename.startswith("<frozen ")


def is_user_file(filename):
    """Code the user wrote: not glassbox's, not the standard library's or a package's."""
    return not is_library_frame(filename) and not filename.startswith(_THIRD_PARTY)


def user_frame():
    """The innermost frame that belongs to user code, or None."""
    frame = sys._getframe(1)
    while frame is not None:
        if is_user_file(frame.f_code.co_filename):
            return frame
        frame = frame.f_back
    return None


_override = None


def current():
    if _override is not None:
        return _override
    frame = user_frame()
    if frame is None:
        return SourceInfo("<unknown>", 0, "<unknown>", _name_stack)
    return SourceInfo(frame.f_code.co_filename, frame.f_lineno, frame.f_code.co_name, _name_stack)


def user_location():
    """``"file:line"`` of the user's current line, for error messages."""
    info = current()
    return f"{info.file}:{info.line}"


def name_stack():
    return _name_stack


@contextlib.contextmanager
def extend_name_stack(name):
    global _name_stack
    saved = _name_stack
    _name_stack = saved + (name,)
    try:
        yield
    finally:
        _name_stack = saved


@contextlib.contextmanager
def reset_name_stack(stack=()):
    global _name_stack
    saved = _name_stack
    _name_stack = tuple(stack)
    try:
        yield
    finally:
        _name_stack = saved


@contextlib.contextmanager
def override(info, transform):
    """Attribute what is traced in this block to ``info`` (an equation being transformed).

    Used by transposition: backward equations point at the user line of the forward
    equation they came from, with ``transform`` appended to its name stack.
    """
    global _override
    saved = _override
    if info is not None:
        stack = info.name_stack + (transform,)
        _override = SourceInfo(info.file, info.line, info.function, stack)
    try:
        yield
    finally:
        _override = saved
