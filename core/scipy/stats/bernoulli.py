"""``glassbox.scipy.stats.bernoulli``: the Bernoulli distribution."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import xlog1py, xlogy
from ._util import _c, _promote_inexact


def logpmf(k, p, loc=0):
    """``k log p + (1 - k) log(1 - p)`` at ``k - loc``; ``-inf`` outside [0, 1]."""
    k, p, loc = _promote_inexact("bernoulli.logpmf", k, p, loc)
    x = lax.sub(k, loc)
    log_probs = xlogy(x, p) + xlog1py(lax.sub(_c(k, 1), x), -p)
    return jnp.where(lax.lt(x, _c(k, 0)) | lax.gt(x, _c(k, 1)), -np.inf, log_probs)


def pmf(k, p, loc=0):
    """Mass: ``exp(logpmf)``."""
    return jnp.exp(logpmf(k, p, loc))


def cdf(k, p):
    """CDF: 0 below 0, ``1 - p`` on [0, 1), 1 from 1; ``nan`` for ``nan`` or ``p`` outside [0, 1]."""
    k, p = _promote_inexact("bernoulli.cdf", k, p)
    zero, one = _c(k, 0), _c(k, 1)
    conds = [jnp.isnan(k) | jnp.isnan(p) | (p < zero) | (p > one),
             lax.lt(k, zero), lax.ge(k, zero) & lax.lt(k, one), lax.ge(k, one)]
    return jnp.select(conds, [jnp.nan, zero, one - p, one])


def ppf(q, p):
    """Quantile: 0 where ``q <= 1 - p``, else 1; ``nan`` for invalid ``q`` or ``p``."""
    q, p = _promote_inexact("bernoulli.ppf", q, p)
    zero, one = _c(q, 0), _c(q, 1)
    bad = jnp.isnan(q) | jnp.isnan(p) | (p < zero) | (p > one) | (q < zero) | (q > one)
    return jnp.where(bad, jnp.nan, jnp.where(lax.le(q, one - p), zero, one))


__all__ = ["logpmf", "pmf", "cdf", "ppf"]
