"""``glassbox.experimental``: JAX's experimental APIs that glassbox has (import each
submodule, e.g. ``from glassbox.experimental import multihost_utils``)."""

from ..lax.callbacks import io_callback  # noqa: F401,E402
from . import checkify  # noqa: F401,E402
