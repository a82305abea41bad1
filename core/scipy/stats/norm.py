"""``glassbox.scipy.stats.norm``: the normal distribution, as ``jax.scipy.stats.norm``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from .. import special
from ._util import _c, _promote_inexact


def logpdf(x, loc=0, scale=1):
    """Log of the normal density: ``-(log(2 pi scale^2) + ((x - loc) / scale)^2 ... ) / 2``,
    computed as JAX does (``(log(2 pi scale^2) + (x - loc)^2 / scale^2) / -2``)."""
    x, loc, scale = _promote_inexact("norm.logpdf", x, loc, scale)
    scale_sq = lax.square(scale)
    log_normalizer = lax.log(lax.mul(_c(x, 2 * np.pi), scale_sq))
    quadratic = lax.div(lax.square(lax.sub(x, loc)), scale_sq)
    return lax.div(lax.add(log_normalizer, quadratic), _c(x, -2))


def pdf(x, loc=0, scale=1):
    """Normal density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """Normal CDF: ``ndtr((x - loc) / scale)``."""
    x, loc, scale = _promote_inexact("norm.cdf", x, loc, scale)
    return special.ndtr(lax.div(lax.sub(x, loc), scale))


def logcdf(x, loc=0, scale=1):
    """Log of the normal CDF: ``log_ndtr((x - loc) / scale)`` (accurate far in the tail)."""
    x, loc, scale = _promote_inexact("norm.logcdf", x, loc, scale)
    return special.log_ndtr(lax.div(lax.sub(x, loc), scale))


def sf(x, loc=0, scale=1):
    """Survival function ``1 - cdf``, computed as ``cdf(-x, -loc, scale)``."""
    x, loc, scale = _promote_inexact("norm.sf", x, loc, scale)
    return cdf(lax.neg(x), lax.neg(loc), scale)


def logsf(x, loc=0, scale=1):
    """Log survival function, ``logcdf(-x, -loc, scale)``."""
    x, loc, scale = _promote_inexact("norm.logsf", x, loc, scale)
    return logcdf(lax.neg(x), lax.neg(loc), scale)


def ppf(q, loc=0, scale=1):
    """Quantile function (inverse CDF): ``ndtri(q) * scale + loc``; the result is
    always floating (JAX converts it to the default float)."""
    return jnp.asarray(special.ndtri(q) * scale + loc, float)


def isf(q, loc=0, scale=1):
    """Inverse survival function: ``ppf(1 - q)``."""
    return ppf(lax.sub(_c(q, 1), q), loc, scale)


__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf"]
