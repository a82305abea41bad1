"""``glassbox.scipy.spatial``: ``transform`` (rotations in 3-D)."""
from . import transform  # noqa: F401
