"""``glassbox.scipy.stats.poisson``: the Poisson distribution, as ``jax.scipy.stats.poisson``."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...api import jit
from ...numpy._util import check_arraylike, promote_dtypes_inexact
from ..special import entr, gammaincc, gammaln, xlogy
from ._util import _c, _promote_inexact


def logpmf(k, mu, loc=0):
    """Log mass ``k log mu - log k! - mu`` at ``k - loc``; ``-inf`` for negative or
    non-integer ``k``."""
    k, mu, loc = _promote_inexact("poisson.logpmf", k, mu, loc)
    x = lax.sub(k, loc)
    log_probs = xlogy(x, mu) - gammaln(x + 1) - mu
    return jnp.where(lax.lt(x, _c(k, 0)) | lax.ne(jnp.round(k), k), -np.inf, log_probs)


def pmf(k, mu, loc=0):
    """Mass: ``exp(logpmf)``."""
    return jnp.exp(logpmf(k, mu, loc))


def cdf(k, mu, loc=0):
    """CDF ``gammaincc(floor(k - loc + 1), mu)``; 0 below ``loc``."""
    k, mu, loc = _promote_inexact("poisson.logpmf", k, mu, loc)
    zero = _c(k, 0)
    x = lax.sub(k, loc)
    return jnp.where(lax.lt(x, zero), zero, gammaincc(jnp.floor(1 + x), mu))


def _entropy_sum(mu, max_k, upper):
    k = jnp.arange(max_k, dtype=mu.dtype)[:, None]
    probs = pmf(k, mu, 0)
    mask = k < jnp.ceil(upper).astype(k.dtype)[None, :]
    return jnp.sum(entr(jnp.where(mask, probs, 0.0)), axis=0)


@jit
def entropy(mu, loc=0):
    """Entropy of the distribution: a direct (masked, fixed-length) sum of ``-p log p``
    for ``mu < 100``, the asymptotic series ``log(2 pi e mu) / 2 - 1 / (12 mu)`` above."""
    check_arraylike("poisson.entropy", mu, loc)
    mu, loc = promote_dtypes_inexact(mu, loc)
    shape = jnp.broadcast_shapes(mu.shape, loc.shape)
    flat = jnp.ravel(mu)
    small = _entropy_sum(flat, 35, flat + 20)
    medium = _entropy_sum(flat, 250, flat + 10 * jnp.sqrt(flat) + 20)
    large = 0.5 * jnp.log(2 * np.pi * np.e * flat) - 1.0 / (12 * flat)
    result = jnp.where(flat == 0, jnp.zeros_like(flat),
                       jnp.where(flat < 10, small, jnp.where(flat < 100, medium, large)))
    return jnp.broadcast_to(jnp.reshape(result, mu.shape), shape)


__all__ = ["logpmf", "pmf", "cdf", "entropy"]
