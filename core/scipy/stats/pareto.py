"""``glassbox.scipy.stats.pareto``: the Pareto distribution with shape ``b``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ._util import _c, _promote_inexact


def logpdf(x, b, loc=0, scale=1):
    """``log(b / scale) - (b + 1) log z``; ``-inf`` below ``loc + scale``."""
    x, b, loc, scale = _promote_inexact("pareto.logpdf", x, b, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    log_probs = lax.neg(lax.add(lax.log(lax.div(scale, b)),
                                lax.mul(lax.add(b, _c(x, 1)), lax.log(z))))
    return jnp.where(lax.lt(x, lax.add(loc, scale)), -np.inf, log_probs)


def pdf(x, b, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, b, loc, scale))


def cdf(x, b, loc=0, scale=1):
    """``1 - z^-b``; 0 below ``loc + scale``."""
    x, b, loc, scale = _promote_inexact("pareto.cdf", x, b, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    value = lax.sub(_c(x, 1), lax.pow(z, lax.neg(b)))
    return jnp.where(lax.lt(x, lax.add(loc, scale)), _c(x, 0), value)


def logcdf(x, b, loc=0, scale=1):
    """``log1p(-z^-b)``; ``-inf`` below ``loc + scale``."""
    x, b, loc, scale = _promote_inexact("pareto.logcdf", x, b, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    value = lax.log1p(lax.neg(lax.pow(z, lax.neg(b))))
    return jnp.where(lax.lt(x, lax.add(loc, scale)), -np.inf, value)


def logsf(x, b, loc=0, scale=1):
    """``-b log z``; 0 below ``loc + scale``."""
    x, b, loc, scale = _promote_inexact("pareto.logsf", x, b, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    value = lax.neg(lax.mul(b, lax.log(z)))
    return jnp.where(lax.lt(x, lax.add(loc, scale)), _c(x, 0), value)


def sf(x, b, loc=0, scale=1):
    """``exp(logsf)``."""
    return lax.exp(logsf(x, b, loc, scale))


def ppf(q, b, loc=0, scale=1):
    """Quantile ``loc + scale (1 - q)^(-1/b)``; ``nan`` outside [0, 1]."""
    q, b, loc, scale = _promote_inexact("pareto.ppf", q, b, loc, scale)
    one = _c(q, 1)
    value = lax.add(loc, lax.mul(scale, lax.pow(lax.sub(one, q), lax.neg(lax.div(one, b)))))
    return jnp.where(jnp.isnan(q) | (q < 0) | (q > 1), np.nan, value)


__all__ = ["logpdf", "pdf", "cdf", "logcdf", "logsf", "sf", "ppf"]
