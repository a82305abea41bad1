"""``glassbox.numpy``: NumPy's API on glassbox arrays (``import glassbox.numpy as jnp``).

Each module lists its public names in ``__all__``; this package re-exports them.
"""
from .ufuncs import *  # noqa: F401,F403
from .creation import *  # noqa: F401,F403
from .manipulation import *  # noqa: F401,F403
from .reductions import *  # noqa: F401,F403
from .products import *  # noqa: F401,F403
from .sorting import *  # noqa: F401,F403
from .dtype_api import *  # noqa: F401,F403
from .calculus import *  # noqa: F401,F403
from .histograms import *  # noqa: F401,F403
from .index_tricks import *  # noqa: F401,F403
from .functional import *  # noqa: F401,F403
from .selection import *  # noqa: F401,F403
from .setops import *  # noqa: F401,F403
from .polynomial import *  # noqa: F401,F403
from .special_math import *  # noqa: F401,F403
from .windows import *  # noqa: F401,F403
from .assembly import *  # noqa: F401,F403
from .printing import *  # noqa: F401,F403
from . import indexing, linalg  # noqa: F401
from . import fft  # noqa: F401,E402  (the submodule jnp.fft)
from ..core import Array as ndarray  # noqa: F401
