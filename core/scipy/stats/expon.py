"""``glassbox.scipy.stats.expon``: the exponential distribution, as ``jax.scipy.stats.expon``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ._util import _promote_inexact


def logpdf(x, loc=0, scale=1):
    """Log density ``-(x - loc) / scale - log(scale)``; ``-inf`` below ``loc``."""
    x, loc, scale = _promote_inexact("expon.logpdf", x, loc, scale)
    log_probs = lax.neg(lax.add(lax.div(lax.sub(x, loc), scale), lax.log(scale)))
    return jnp.where(lax.lt(x, loc), -np.inf, log_probs)


def pdf(x, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """CDF ``-expm1(-(x - loc) / scale)``; 0 below ``loc``."""
    x, loc, scale = _promote_inexact("expon.cdf", x, loc, scale)
    neg_z = lax.div(lax.sub(loc, x), scale)
    return jnp.where(lax.lt(x, loc), jnp.zeros_like(neg_z), lax.neg(lax.expm1(neg_z)))


def logsf(x, loc=0, scale=1):
    """Log survival function ``-(x - loc) / scale``; 0 below ``loc``."""
    x, loc, scale = _promote_inexact("expon.sf", x, loc, scale)
    neg_z = lax.div(lax.sub(loc, x), scale)
    return jnp.where(lax.lt(x, loc), jnp.zeros_like(neg_z), neg_z)


def sf(x, loc=0, scale=1):
    """Survival function: ``exp(logsf)``."""
    return lax.exp(logsf(x, loc, scale))


def logcdf(x, loc=0, scale=1):
    """``log1p(-sf)``."""
    return lax.log1p(lax.neg(sf(x, loc, scale)))


def ppf(q, loc=0, scale=1):
    """Quantile ``loc - scale * log1p(-q)``; ``nan`` for ``q`` outside [0, 1]."""
    q, loc, scale = _promote_inexact("expon.ppf", q, loc, scale)
    bad = jnp.isnan(q) | (q < 0) | (q > 1)
    return jnp.where(bad, np.nan, lax.sub(loc, lax.mul(scale, lax.log1p(lax.neg(q)))))


__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf"]
