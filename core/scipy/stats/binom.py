"""``glassbox.scipy.stats.binom``: the binomial distribution."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ..special import gammaln, xlog1py, xlogy
from ._util import _c, _promote_inexact


def logpmf(k, n, p, loc=0):
    """Log mass of ``k - loc`` successes in ``n`` trials; ``-inf`` outside ``[loc, loc + n]``."""
    k, n, p, loc = _promote_inexact("binom.logpmf", k, n, p, loc)
    y = lax.sub(k, loc)
    zero = _c(y, 0)
    comb = lax.sub(gammaln(n + 1), lax.add(gammaln(y + 1), gammaln(n - y + 1)))
    log_linear = lax.add(xlogy(y, p), xlog1py(lax.sub(n, y), lax.neg(p)))
    log_probs = lax.add(comb, log_linear)
    certain = (lax.eq(y, zero) & lax.eq(n, zero)) | lax.eq(log_linear, zero)
    log_probs = jnp.where(certain, 0., log_probs)
    return jnp.where(lax.ge(k, loc) & lax.lt(k, loc + n + 1), log_probs, -np.inf)


def pmf(k, n, p, loc=0):
    """Mass: ``exp(logpmf)``."""
    return lax.exp(logpmf(k, n, p, loc))


__all__ = ["logpmf", "pmf"]
