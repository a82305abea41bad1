"""``glassbox.scipy.stats.truncnorm``: the normal distribution truncated to ``[a, b]``
(in standardized units), with the log-mass computed as SciPy and JAX do: by tails on
the side away from the mode, by ``log1p`` in the centre."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...api import jit
from ...nn import logsumexp
from ..special import log_ndtr, ndtr
from . import norm
from ._util import _promote_inexact


def _log_diff(x, y):
    """``log(exp(x) - exp(y))``."""
    return logsumexp(jnp.array([x, y]), b=jnp.array([jnp.ones_like(x), -jnp.ones_like(y)]),
                     axis=0)


def _log_gauss_mass(a, b):
    """``log(ndtr(b) - ndtr(a))``, accurately."""
    a, b = jnp.broadcast_arrays(jnp.array(a), jnp.array(b))
    left = b <= 0
    right = a > 0
    central = ~(left | right)
    a_tail = jnp.where(right, -b, a)
    b_tail = jnp.where(right, -a, b)
    mass_tail = _log_diff(log_ndtr(b_tail), log_ndtr(a_tail))
    mass_central = jnp.log1p(-ndtr(a) - ndtr(-b))
    return jnp.where(central, mass_central, mass_tail)


@jit
def logpdf(x, a, b, loc=0, scale=1):
    """Log density; ``-inf`` outside ``[a, b]``, ``nan`` where ``a >= b``."""
    x, a, b, loc, scale = _promote_inexact("truncnorm.logpdf", x, a, b, loc, scale)
    val = lax.sub(norm.logpdf(x, loc, scale), _log_gauss_mass(a, b))
    z = lax.div(lax.sub(x, loc), scale)
    val = jnp.where((z < a) | (z > b), -np.inf, val)
    return jnp.where(a >= b, np.nan, val)


def pdf(x, a, b, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, a, b, loc, scale))


@jit
def logcdf(x, a, b, loc=0, scale=1):
    """Log CDF (from the survival side where the CDF is near 1)."""
    x, a, b, loc, scale = _promote_inexact("truncnorm.logcdf", x, a, b, loc, scale)
    x, a, b = jnp.broadcast_arrays(x, a, b)
    x = lax.div(lax.sub(x, loc), scale)
    mass = _log_gauss_mass(a, b)
    log_cdf = _log_gauss_mass(a, x) - mass
    log_sf = _log_gauss_mass(x, b) - mass
    log_cdf = jnp.select([x >= b, x <= a, log_cdf > -0.1, x > a],
                         [0, -np.inf, jnp.log1p(-jnp.exp(log_sf)), log_cdf])
    return jnp.where(a >= b, np.nan, log_cdf)


@jit
def cdf(x, a, b, loc=0, scale=1):
    """CDF: ``exp(logcdf)``."""
    return lax.exp(logcdf(x, a, b, loc, scale))


@jit
def logsf(x, a, b, loc=0, scale=1):
    """Log survival function: ``logcdf(-x, -b, -a, -loc, scale)``."""
    x, a, b, loc, scale = _promote_inexact("truncnorm.logsf", x, a, b, loc, scale)
    return logcdf(-x, -b, -a, -loc, scale)


@jit
def sf(x, a, b, loc=0, scale=1):
    """Survival function: ``exp(logsf)``."""
    return lax.exp(logsf(x, a, b, loc, scale))


__all__ = ["logpdf", "pdf", "logcdf", "cdf", "logsf", "sf"]
