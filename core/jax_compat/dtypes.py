"""``jax._src.dtypes`` (equinox, flax): glassbox's dtypes module, plus ``DType``."""
import numpy as np

from glassbox.dtypes import *  # noqa: F401,F403
from glassbox.dtypes import (ExtendedDType, TypePromotionError, extended, finfo,  # noqa: F401
                             issubdtype, prng_key, supports_inf)

DType = np.dtype   # what JAX annotates dtypes with
