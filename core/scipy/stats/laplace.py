"""``glassbox.scipy.stats.laplace``: the Laplace (double exponential) distribution."""
from ... import lax
from ._util import _c, _promote_inexact


def logpdf(x, loc=0, scale=1):
    """``-|x - loc| / scale - log(2 scale)``."""
    x, loc, scale = _promote_inexact("laplace.logpdf", x, loc, scale)
    linear = lax.div(lax.abs(lax.sub(x, loc)), scale)
    return lax.neg(lax.add(linear, lax.log(lax.mul(_c(x, 2), scale))))


def pdf(x, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """CDF: ``exp(z) / 2`` for ``z <= 0``, ``1 - exp(-z) / 2`` above."""
    x, loc, scale = _promote_inexact("laplace.cdf", x, loc, scale)
    half = _c(x, 0.5)
    z = lax.div(lax.sub(x, loc), scale)
    return lax.select(lax.le(z, _c(x, 0)), lax.mul(half, lax.exp(z)),
                      lax.sub(_c(x, 1), lax.mul(half, lax.exp(lax.neg(z)))))


__all__ = ["logpdf", "pdf", "cdf"]
