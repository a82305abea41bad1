"""``glassbox.scipy.stats.uniform``: the uniform distribution on ``[loc, loc + scale]``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ._util import _promote_inexact


def logpdf(x, loc=0, scale=1):
    """``-log(scale)`` inside ``[loc, loc + scale]``, ``-inf`` outside."""
    x, loc, scale = _promote_inexact("uniform.logpdf", x, loc, scale)
    outside = lax.gt(x, lax.add(loc, scale)) | lax.lt(x, loc)
    return jnp.where(outside, -np.inf, lax.neg(lax.log(scale)))


def pdf(x, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, loc, scale))


def cdf(x, loc=0, scale=1):
    """CDF: 0 below ``loc``, 1 above ``loc + scale``, linear between (``nan`` stays ``0``,
    as JAX's ``select`` gives)."""
    x, loc, scale = _promote_inexact("uniform.cdf", x, loc, scale)
    hi = lax.add(loc, scale)
    zero, one = jnp.array(0, x.dtype), jnp.array(1, x.dtype)
    return jnp.select([lax.lt(x, loc), lax.gt(x, hi), lax.ge(x, loc) & lax.le(x, hi)],
                      [zero, one, lax.div(lax.sub(x, loc), scale)])


def ppf(q, loc=0, scale=1):
    """Quantile ``loc + scale * q``; ``nan`` for ``q`` outside [0, 1]."""
    q, loc, scale = _promote_inexact("uniform.ppf", q, loc, scale)
    bad = jnp.isnan(q) | (q < 0) | (q > 1)
    return jnp.where(bad, np.nan, lax.add(loc, lax.mul(scale, q)))


__all__ = ["logpdf", "pdf", "cdf", "ppf"]
