"""``jax._src.checkify`` (flax.nnx): the checkify transform and its ``Error``."""
from glassbox.experimental.checkify import *  # noqa: F401,F403
from glassbox.experimental.checkify import Error, JaxException, checkify, user_checks  # noqa: F401
