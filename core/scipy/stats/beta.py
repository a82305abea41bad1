"""``glassbox.scipy.stats.beta``: the beta distribution, as ``jax.scipy.stats.beta``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import betainc, betaln, xlog1py, xlogy
from ._util import _c, _promote_inexact


def logpdf(x, a, b, loc=0, scale=1):
    """Log density; ``-inf`` outside ``[loc, loc + scale]``, ``nan`` when ``a``, ``b``
    or ``scale`` is not positive."""
    x, a, b, loc, scale = _promote_inexact("beta.logpdf", x, a, b, loc, scale)
    one = _c(x, 1)
    y = lax.div(lax.sub(x, loc), scale)
    log_linear = lax.add(xlogy(lax.sub(a, one), y), xlog1py(lax.sub(b, one), lax.neg(y)))
    log_probs = lax.sub(lax.add(lax.neg(betaln(a, b)), log_linear), lax.log(scale))
    outside = lax.gt(x, lax.add(loc, scale)) | lax.lt(x, loc)
    result = jnp.where(outside, -np.inf, log_probs)
    zero = _c(a, 0)
    bad = lax.le(a, zero) | lax.le(b, zero) | lax.le(scale, zero)
    return jnp.where(bad, np.nan, result)


def pdf(x, a, b, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, a, b, loc, scale))


def _unit(x, loc, scale):
    return lax.clamp(_c(x, 0), lax.div(lax.sub(x, loc), scale), _c(x, 1))


def cdf(x, a, b, loc=0, scale=1):
    """CDF: the regularized incomplete beta function at ``(x - loc) / scale`` clipped to [0, 1]."""
    x, a, b, loc, scale = _promote_inexact("beta.cdf", x, a, b, loc, scale)
    return betainc(a, b, _unit(x, loc, scale))


def logcdf(x, a, b, loc=0, scale=1):
    """``log(cdf)``."""
    return lax.log(cdf(x, a, b, loc, scale))


def sf(x, a, b, loc=0, scale=1):
    """Survival function, ``betainc(b, a, 1 - y)``."""
    x, a, b, loc, scale = _promote_inexact("beta.sf", x, a, b, loc, scale)
    return betainc(b, a, 1 - _unit(x, loc, scale))


def logsf(x, a, b, loc=0, scale=1):
    """``log(sf)``."""
    return lax.log(sf(x, a, b, loc, scale))


__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]
