"""``glassbox.scipy.stats.multinomial``: the multinomial distribution (counts along the
last axis)."""
import numpy as np

from ... import dtypes, lax
from ... import numpy as jnp
from ...numpy._util import check_arraylike, promote_dtypes
from ..special import gammaln, xlogy
from ._util import _promote_inexact


def logpmf(x, n, p):
    """Log mass of integer counts ``x`` in ``n`` trials with probabilities ``p``;
    ``-inf`` where ``sum(x) != n``."""
    p, = _promote_inexact("multinomial.logpmf", p)
    check_arraylike("multinomial.logpmf", x, n)
    x, n = promote_dtypes(x, n)
    if not dtypes.issubdtype(x.dtype, np.integer):
        raise ValueError(f"x and n must be of integer type; got x.dtype={x.dtype}, n.dtype={n.dtype}")
    x = x.astype(p.dtype)
    n = n.astype(p.dtype)
    logprobs = gammaln(n + 1) + jnp.sum(xlogy(x, p) - gammaln(x + 1), axis=-1)
    return jnp.where(jnp.equal(jnp.sum(x), n), logprobs, -np.inf)


def pmf(x, n, p):
    """Mass: ``exp(logpmf)``."""
    return lax.exp(logpmf(x, n, p))


__all__ = ["logpmf", "pmf"]
