"""``glassbox.scipy.stats.chi2``: the chi-squared distribution."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import gammainc, gammaincc
from ._util import _c, _promote_inexact


def logpdf(x, df, loc=0, scale=1):
    """Log density with ``df`` degrees of freedom; ``-inf`` below ``loc``."""
    x, df, loc, scale = _promote_inexact("chi2.logpdf", x, df, loc, scale)
    one, two = _c(x, 1), _c(x, 2)
    y = lax.div(lax.sub(x, loc), scale)
    half_df = lax.div(df, two)
    kernel = lax.sub(lax.mul(lax.sub(half_df, one), lax.log(y)), lax.div(y, two))
    normalizer = lax.neg(lax.add(lax.lgamma(half_df), lax.div(lax.mul(lax.log(two), df), two)))
    log_probs = lax.add(lax.sub(normalizer, lax.log(scale)), kernel)
    return jnp.where(lax.lt(x, loc), -np.inf, log_probs)


def pdf(x, df, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, df, loc, scale))


def _half_y(x, loc, scale):
    return lax.clamp(_c(x, 0), lax.div(lax.sub(x, loc), lax.mul(scale, _c(scale, 2))),
                     _c(x, np.inf))


def cdf(x, df, loc=0, scale=1):
    """CDF: ``gammainc(df / 2, y / 2)``."""
    x, df, loc, scale = _promote_inexact("chi2.cdf", x, df, loc, scale)
    return gammainc(lax.div(df, _c(scale, 2)), _half_y(x, loc, scale))


def logcdf(x, df, loc=0, scale=1):
    """``log(cdf)``."""
    return lax.log(cdf(x, df, loc, scale))


def sf(x, df, loc=0, scale=1):
    """Survival function: ``gammaincc(df / 2, y / 2)``."""
    x, df, loc, scale = _promote_inexact("chi2.sf", x, df, loc, scale)
    return gammaincc(lax.div(df, _c(scale, 2)), _half_y(x, loc, scale))


def logsf(x, df, loc=0, scale=1):
    """``log(sf)``."""
    return lax.log(sf(x, df, loc, scale))


__all__ = ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]
