"""``glassbox.scipy.stats.gumbel_l``: the left-skewed Gumbel distribution. Every function
gives ``nan`` where ``scale <= 0``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import xlog1py, xlogy
from ._util import _c, _promote_inexact


def _z(x, loc, scale):
    return lax.gt(scale, _c(scale, 0)), lax.div(lax.sub(x, loc), scale)


def logpdf(x, loc=0, scale=1):
    """``z - exp(z) - log(scale)``."""
    x, loc, scale = _promote_inexact("gumbel_l.logpdf", x, loc, scale)
    ok, z = _z(x, loc, scale)
    return jnp.where(ok, lax.add(xlogy(-1, scale), lax.sub(z, lax.exp(z))), np.nan)


def pdf(x, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, loc, scale))


def logcdf(x, loc=0, scale=1):
    """``log(-expm1(-exp(z)))``."""
    x, loc, scale = _promote_inexact("gumbel_l.logcdf", x, loc, scale)
    ok, z = _z(x, loc, scale)
    return jnp.where(ok, lax.log(-lax.expm1(lax.neg(lax.exp(z)))), np.nan)


def cdf(x, loc=0, scale=1):
    """``exp(logcdf)``."""
    return lax.exp(logcdf(x, loc, scale))


def logsf(x, loc=0, scale=1):
    """``-exp(z)``."""
    x, loc, scale = _promote_inexact("gumbel_l.logsf", x, loc, scale)
    ok, z = _z(x, loc, scale)
    return jnp.where(ok, lax.neg(lax.exp(z)), np.nan)


def sf(x, loc=0, scale=1):
    """``exp(logsf)``."""
    return jnp.exp(logsf(x, loc, scale))


def ppf(p, loc=0, scale=1):
    """Quantile ``loc + scale log(-log1p(-p))``; ``nan`` outside (0, 1)."""
    p, loc, scale = _promote_inexact("gumbel_l.ppf", p, loc, scale)
    ok = lax.bitwise_and(lax.gt(p, _c(p, 0)), lax.lt(p, _c(p, 1)))
    quantile = lax.add(loc, lax.mul(scale, lax.log(xlog1py(-1, lax.neg(p)))))
    return jnp.where(ok, quantile, np.nan)


__all__ = ["logpdf", "pdf", "logcdf", "cdf", "logsf", "sf", "ppf"]
