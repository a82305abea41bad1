"""``jax._src.dtypes`` (equinox, flax): glassbox's dtypes module, whole."""
from glassbox.dtypes import *  # noqa: F401,F403
from glassbox.dtypes import TypePromotionError, extended, issubdtype, prng_key  # noqa: F401
