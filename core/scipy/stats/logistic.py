"""``glassbox.scipy.stats.logistic``: the logistic distribution."""
from ... import lax
from ... import numpy as jnp
from ..special import expit, logit
from ._util import _c, _promote_inexact


def logpdf(x, loc=0, scale=1):
    """``-2 logaddexp(z / 2, -z / 2) - log(scale)``, ``z = (x - loc) / scale``."""
    x, loc, scale = _promote_inexact("logistic.logpdf", x, loc, scale)
    z = lax.div(lax.sub(x, loc), scale)
    two = _c(z, 2)
    half = lax.div(z, two)
    return lax.sub(lax.mul(lax.neg(two), jnp.logaddexp(half, lax.neg(half))), lax.log(scale))


def pdf(x, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """CDF: ``expit((x - loc) / scale)``."""
    x, loc, scale = _promote_inexact("logistic.cdf", x, loc, scale)
    return expit(lax.div(lax.sub(x, loc), scale))


def sf(x, loc=0, scale=1):
    """Survival function: ``expit(-(x - loc) / scale)``."""
    x, loc, scale = _promote_inexact("logistic.sf", x, loc, scale)
    return expit(lax.neg(lax.div(lax.sub(x, loc), scale)))


def ppf(x, loc=0, scale=1):
    """Quantile: ``logit(q) * scale + loc``."""
    x, loc, scale = _promote_inexact("logistic.ppf", x, loc, scale)
    return lax.add(lax.mul(logit(x), scale), loc)


def isf(x, loc=0, scale=1):
    """Inverse survival function: ``-logit(q) * scale + loc``."""
    x, loc, scale = _promote_inexact("logistic.isf", x, loc, scale)
    return lax.add(lax.mul(lax.neg(logit(x)), scale), loc)


__all__ = ["logpdf", "pdf", "cdf", "sf", "ppf", "isf"]
