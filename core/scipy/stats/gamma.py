"""``glassbox.scipy.stats.gamma``: the gamma distribution, as ``jax.scipy.stats.gamma``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import gammainc, gammaincc, gammaln, xlogy
from ._util import _c, _promote_inexact


def logpdf(x, a, loc=0, scale=1):
    """Log density with shape ``a``; ``-inf`` below ``loc``."""
    x, a, loc, scale = _promote_inexact("gamma.logpdf", x, a, loc, scale)
    ok = lax.ge(x, loc)
    one = _c(x, 1)
    y = jnp.where(ok, lax.div(lax.sub(x, loc), scale), one)
    log_linear = lax.sub(xlogy(lax.sub(a, one), y), y)
    shape_terms = lax.add(gammaln(a), lax.log(scale))
    return jnp.where(ok, lax.sub(log_linear, shape_terms), -np.inf)


def pdf(x, a, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0, scale=1):
    """CDF: the regularized lower incomplete gamma function."""
    x, a, loc, scale = _promote_inexact("gamma.cdf", x, a, loc, scale)
    return gammainc(a, lax.clamp(_c(x, 0), lax.div(lax.sub(x, loc), scale), _c(x, np.inf)))


def logcdf(x, a, loc=0, scale=1):
    """``log(cdf)``."""
    return lax.log(cdf(x, a, loc, scale))


def sf(x, a, loc=0, scale=1):
    """Survival function: the regularized upper incomplete gamma function (1 below ``loc``)."""
    x, a, loc, scale = _promote_inexact("gamma.sf", x, a, loc, scale)
    y = lax.div(lax.sub(x, loc), scale)
    return jnp.where(lax.lt(y, _c(y, 0)), 1, gammaincc(a, y))


def logsf(x, a, loc=0, scale=1):
    """``log(sf)``."""
    return lax.log(sf(x, a, loc, scale))


__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]
