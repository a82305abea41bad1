"""``glassbox.scipy.stats.gumbel_r``: the right-skewed Gumbel distribution. Every function
gives ``nan`` where ``scale <= 0``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...nn import log1mexp
from ..special import xlogy
from ._util import _c, _promote_inexact


def _ok(scale):
    return lax.gt(scale, _c(scale, 0))


def logpdf(x, loc=0, scale=1):
    """``-(z + exp(-z)) - log(scale)``."""
    x, loc, scale = _promote_inexact("gumbel_r.logpdf", x, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    log_pdf = lax.add(xlogy(-1, scale), lax.neg(lax.add(z, lax.exp(lax.neg(z)))))
    return jnp.where(_ok(scale), log_pdf, np.nan)


def pdf(x, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, loc, scale))


def logcdf(x, loc=0, scale=1):
    """``-exp(-z)``."""
    x, loc, scale = _promote_inexact("gumbel_r.logcdf", x, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    return jnp.where(_ok(scale), lax.neg(lax.exp(lax.neg(z))), np.nan)


def cdf(x, loc=0, scale=1):
    """``exp(logcdf)``."""
    return lax.exp(logcdf(x, loc, scale))


def ppf(p, loc=0, scale=1):
    """Quantile ``loc - scale log(-log p)``; ``nan`` outside (0, 1)."""
    p, loc, scale = _promote_inexact("gumbel_r.ppf", p, loc, scale)
    ok = lax.bitwise_and(lax.gt(p, _c(p, 0)), lax.lt(p, _c(p, 1)))
    quantile = lax.sub(loc, lax.mul(scale, lax.log(xlogy(-1, p))))
    return jnp.where(ok, quantile, np.nan)


def sf(x, loc=0, scale=1):
    """``1 - exp(-exp(-z))``."""
    x, loc, scale = _promote_inexact("gumbel_r.sf", x, loc, scale)
    neg_z = lax.div(lax.sub(loc, x), scale)
    return jnp.where(_ok(scale), lax.sub(_c(x, 1), lax.exp(lax.neg(lax.exp(neg_z)))), np.nan)


def logsf(x, loc=0, scale=1):
    """``log1mexp(exp(-z))``."""
    x, loc, scale = _promote_inexact("gumbel_r.logsf", x, loc, scale)
    neg_z = lax.div(lax.sub(loc, x), scale)
    return jnp.where(_ok(scale), log1mexp(lax.exp(neg_z)), np.nan)


__all__ = ["logpdf", "pdf", "logcdf", "cdf", "ppf", "sf", "logsf"]
