"""``glassbox.scipy.stats.geom``: the geometric distribution (trials to first success)."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import xlog1py
from ._util import _c, _promote_inexact


def logpmf(k, p, loc=0):
    """``(k - 1) log(1 - p) + log p`` at ``k - loc``; ``-inf`` for ``k - loc <= 0``."""
    k, p, loc = _promote_inexact("geom.logpmf", k, p, loc)
    x = lax.sub(k, loc)
    log_probs = xlog1py(lax.sub(x, _c(k, 1)), -p) + lax.log(p)
    return jnp.where(lax.le(x, _c(k, 0)), -np.inf, log_probs)


def pmf(k, p, loc=0):
    """Mass: ``exp(logpmf)``."""
    return jnp.exp(logpmf(k, p, loc))


__all__ = ["logpmf", "pmf"]
