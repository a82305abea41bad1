"""``glassbox.scipy.stats.dirichlet``: the Dirichlet distribution. ``x`` holds the
components along axis 0 (all of them, or all but the last, which is then ``1 - sum``)."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ...numpy._util import check_arraylike, promote_dtypes_inexact
from ..special import gammaln, xlogy
from ._util import _c


def _is_simplex(x):
    return jnp.all(x > 0, axis=0) & (abs(jnp.sum(x, axis=0) - 1) < 1E-6)


def logpdf(x, alpha):
    """Log density; ``-inf`` off the simplex (a component not positive, or a sum more
    than 1e-6 from 1)."""
    check_arraylike("dirichlet.logpdf", x, alpha)
    x, alpha = (jnp.asarray(a) for a in promote_dtypes_inexact(x, alpha))
    if alpha.ndim != 1:
        raise ValueError(f"`alpha` must be one-dimensional; got alpha.shape={alpha.shape}")
    if x.ndim == 0 or x.shape[0] not in (alpha.shape[0], alpha.shape[0] - 1):
        raise ValueError("`x` must have either the same number of entries as `alpha` "
                         f"or one entry fewer; got x.shape={x.shape}, alpha.shape={alpha.shape}")
    one = _c(x, 1)
    if x.shape[0] != alpha.shape[0]:
        x = jnp.concatenate([x, lax.sub(one, x.sum(0, keepdims=True))], axis=0)
    normalizer = jnp.sum(gammaln(alpha)) - gammaln(jnp.sum(alpha))
    if x.ndim > 1:
        alpha = lax.broadcast_in_dim(alpha, alpha.shape + (1,) * (x.ndim - 1), (0,))
    log_probs = lax.sub(jnp.sum(xlogy(lax.sub(alpha, one), x), axis=0), normalizer)
    return jnp.where(_is_simplex(x), log_probs, -np.inf)


def pdf(x, alpha):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, alpha))


__all__ = ["logpdf", "pdf"]
