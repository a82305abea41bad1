"""``glassbox.scipy.stats.wrapcauchy``: the wrapped Cauchy distribution on ``[0, 2 pi]``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ._util import _c, _promote_inexact


def logpdf(x, c):
    """Log density; ``-inf`` outside ``[0, 2 pi]``, ``nan`` unless ``0 < c < 1``."""
    x, c = _promote_inexact("wrapcauchy.logpdf", x, c)
    value = jnp.log(1 - c * c) - jnp.log(2 * np.pi) - jnp.log(1 + c * c - 2 * c * jnp.cos(x))
    inside = lax.ge(x, _c(x, 0)) & lax.le(x, _c(x, np.pi * 2))
    return jnp.where(lax.gt(c, _c(c, 0)) & lax.lt(c, _c(c, 1)),
                     jnp.where(inside, value, -np.inf), np.nan)


def pdf(x, c):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, c))


__all__ = ["logpdf", "pdf"]
