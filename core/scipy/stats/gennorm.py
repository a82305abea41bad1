"""``glassbox.scipy.stats.gennorm``: the generalized normal distribution with shape ``beta``."""
from ... import lax
from ._util import _promote_inexact


def logpdf(x, beta):
    """``log(beta / 2) - lgamma(1 / beta) - |x|^beta``."""
    x, beta = _promote_inexact("gennorm.logpdf", x, beta)
    return lax.log(.5 * beta) - lax.lgamma(1 / beta) - lax.abs(x) ** beta


def cdf(x, beta):
    """``(1 + sign(x) igamma(1 / beta, |x|^beta)) / 2``."""
    x, beta = _promote_inexact("gennorm.cdf", x, beta)
    return .5 * (1 + lax.sign(x) * lax.igamma(1 / beta, lax.abs(x) ** beta))


def pdf(x, beta):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, beta))


__all__ = ["logpdf", "pdf", "cdf"]
