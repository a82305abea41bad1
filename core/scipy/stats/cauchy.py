"""``glassbox.scipy.stats.cauchy``: the Cauchy distribution."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ._util import _c, _promote_inexact


def logpdf(x, loc=0, scale=1):
    """``-log(pi scale) - log1p(z^2)``."""
    x, loc, scale = _promote_inexact("cauchy.logpdf", x, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    return lax.neg(lax.add(lax.log(lax.mul(_c(x, np.pi), scale)), lax.log1p(lax.mul(z, z))))


def pdf(x, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """CDF: ``1/2 + arctan(z) / pi``."""
    x, loc, scale = _promote_inexact("cauchy.cdf", x, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    return lax.add(_c(x, 0.5), lax.mul(lax.div(_c(x, 1.), _c(x, np.pi)), jnp.arctan(z)))


def logcdf(x, loc=0, scale=1):
    """``log(cdf)``."""
    return lax.log(cdf(x, loc, scale))


def sf(x, loc=0, scale=1):
    """Survival function ``cdf(-x, -loc, scale)``."""
    x, loc, scale = _promote_inexact("cauchy.sf", x, loc, scale)
    return cdf(lax.neg(x), lax.neg(loc), scale)


def logsf(x, loc=0, scale=1):
    """``logcdf(-x, -loc, scale)``."""
    x, loc, scale = _promote_inexact("cauchy.logsf", x, loc, scale)
    return logcdf(lax.neg(x), lax.neg(loc), scale)


def ppf(q, loc=0, scale=1):
    """Quantile ``tan(pi q - pi / 2) * scale + loc``."""
    q, loc, scale = _promote_inexact("cauchy.ppf", q, loc, scale)
    unscaled = lax.tan(lax.sub(lax.mul(_c(q, np.pi), q), _c(q, np.pi / 2)))
    return lax.add(lax.mul(unscaled, scale), loc)


def isf(q, loc=0, scale=1):
    """Inverse survival function ``tan(pi / 2 - pi q) * scale + loc``."""
    q, loc, scale = _promote_inexact("cauchy.isf", q, loc, scale)
    unscaled = lax.tan(lax.sub(_c(q, np.pi / 2), lax.mul(_c(q, np.pi), q)))
    return lax.add(lax.mul(unscaled, scale), loc)


__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf"]
