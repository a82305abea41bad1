"""``glassbox.scipy.stats.nbinom``: the negative binomial distribution."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import gammaln, xlogy
from ._util import _c, _promote_inexact


def logpmf(k, n, p, loc=0):
    """Log mass of ``k - loc`` failures before ``n`` successes; ``-inf`` below ``loc``."""
    k, n, p, loc = _promote_inexact("nbinom.logpmf", k, n, p, loc)
    one = _c(k, 1)
    y = lax.sub(k, loc)
    comb = lax.sub(lax.sub(gammaln(lax.add(y, n)), gammaln(n)), gammaln(lax.add(y, one)))
    log_linear = lax.add(xlogy(n, p), xlogy(y, lax.sub(one, p)))
    return jnp.where(lax.lt(k, loc), -np.inf, lax.add(comb, log_linear))


def pmf(k, n, p, loc=0):
    """Mass: ``exp(logpmf)``."""
    return lax.exp(logpmf(k, n, p, loc))


__all__ = ["logpmf", "pmf"]
