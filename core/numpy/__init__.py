"""``glassbox.numpy``: NumPy's API on glassbox arrays (``import glassbox.numpy as jnp``)."""
from .ufuncs import add, sin  # noqa: F401
