"""``jax._src.traceback_util`` (equinox, flax): hiding a library's frames from tracebacks."""
import os

from glassbox import source_info
from glassbox.traceback_util import api_boundary  # noqa: F401  (flax, equinox)

_exclude_paths = []   # flax edits this list directly


def register_exclusion(path):
    """Frames from files under ``path`` are library frames: hidden like glassbox's own."""
    _exclude_paths.append(path)
    source_info.add_library_dir(os.path.join(path, "_"))


def include_frame(frame):
    """Whether ``frame`` is user code (shown), as JAX's: not glassbox's, not excluded."""
    name = frame.f_code.co_filename
    return not (source_info.is_library_frame(name)
                or any(name.startswith(p) for p in _exclude_paths))
