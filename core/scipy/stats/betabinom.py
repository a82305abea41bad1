"""``glassbox.scipy.stats.betabinom``: the beta-binomial distribution."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...api import jit
from ..special import betaln
from ._util import _c, _promote_inexact


@jit
def logpmf(k, n, a, b, loc=0):
    """Log mass at ``floor(k) - loc``; ``-inf`` outside ``[0, n]``, ``nan`` for ``n < 0``
    or non-positive ``a``, ``b``."""
    k, n, a, b, loc = _promote_inexact("betabinom.logpmf", k, n, a, b, loc)
    y = lax.sub(lax.floor(k), loc)
    one, zero = _c(y, 1), _c(y, 0)
    combiln = lax.neg(lax.add(lax.log1p(n), betaln(lax.add(lax.sub(n, y), one), lax.add(y, one))))
    beta_lns = lax.sub(betaln(lax.add(y, a), lax.add(lax.sub(n, y), b)), betaln(a, b))
    log_probs = lax.add(combiln, beta_lns)
    log_probs = jnp.where(lax.eq(y, zero) & lax.eq(n, zero), 0., log_probs)
    outside = lax.lt(y, lax.neg(loc)) | lax.gt(y, n) | lax.le(lax.add(y, a), zero)
    log_probs = jnp.where(outside, -np.inf, log_probs)
    bad = lax.lt(n, zero) | lax.le(a, zero) | lax.le(b, zero)
    return jnp.where(bad, np.nan, log_probs)


def pmf(k, n, a, b, loc=0):
    """Mass: ``exp(logpmf)``."""
    return lax.exp(logpmf(k, n, a, b, loc))


__all__ = ["logpmf", "pmf"]
