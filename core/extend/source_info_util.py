"""``jax.extend.source_info_util``: where equations come from (the user's line and the
name stack of transforms), over glassbox's ``source_info``.

A glassbox name stack is a tuple of names (``("jit(loss)", "jvp")``): transform names
and scope names share it, so ``transform_name_stack`` and ``extend_name_stack`` both
push one name. JAX's ``NameStack`` class and ``user_context`` are not provided.
"""
import os

from ..source_info import (SourceInfo, current, extend_name_stack,  # noqa: F401
                           reset_name_stack)
from .. import source_info as _source_info


def current_name_stack():
    """The name stack now in effect (a tuple of names)."""
    return _source_info.name_stack()


def new_name_stack(name=""):
    """A name stack holding ``name`` (empty for ``""``)."""
    return (name,) if name else ()


def set_name_stack(name_stack):
    """Make ``name_stack`` the name stack within a ``with`` block."""
    return reset_name_stack(name_stack)


transform_name_stack = extend_name_stack


def new_source_info():
    """The source info of the current user line."""
    return current()


def summarize(source_info, num_frames=1):
    """``"file:line (function)"``."""
    del num_frames
    return str(source_info)


def register_exclusion(path):
    """Frames in files under ``path`` are library frames: equations and error messages
    name the first frame outside them (flax registers its own source tree)."""
    _source_info.add_library_dir(os.path.join(path, "_"))

