"""``glassbox.scipy``: the parts of SciPy that ``jax.scipy`` offers, over ``glassbox.lax``
and ``glassbox.numpy`` (``special``: the special functions)."""
from . import special  # noqa: F401
from . import linalg  # noqa: F401
from . import fft, signal  # noqa: F401
from . import sparse  # noqa: F401
from . import stats, optimize, integrate, ndimage, interpolate, cluster, spatial  # noqa: F401
