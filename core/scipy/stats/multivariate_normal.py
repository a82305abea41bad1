"""``glassbox.scipy.stats.multivariate_normal``: the multivariate normal density, by a
Cholesky factor of ``cov`` and one triangular solve per point (as JAX)."""
import functools

import numpy as np

from ... import lax
from ... import numpy as jnp
from ...numpy._util import promote_dtypes_inexact


def logpdf(x, mean, cov, allow_singular=None):
    """Log density of ``x`` (``(..., n)``) under mean ``mean`` (``(..., n)``, or a scalar
    for the 1-D case) and covariance ``cov`` (``(..., n, n)``, or a scalar: ``cov * I``)."""
    if allow_singular is not None:
        raise NotImplementedError("allow_singular argument of multivariate_normal.logpdf")
    x, mean, cov = (jnp.asarray(a) for a in promote_dtypes_inexact(x, mean, cov))
    if not mean.shape:
        return (-1/2 * jnp.square(x - mean) / cov
                - 1/2 * (jnp.log(2*np.pi) + jnp.log(cov)))
    n = mean.shape[-1]
    if not np.shape(cov):
        y = x - mean
        return (-1/2 * jnp.einsum('...i,...i->...', y, y) / cov
                - n/2 * (jnp.log(2*np.pi) + jnp.log(cov)))
    if cov.ndim < 2 or cov.shape[-2:] != (n, n):
        raise ValueError("multivariate_normal.logpdf got incompatible shapes")
    L = lax.linalg.cholesky(cov)
    solve = jnp.vectorize(functools.partial(lax.linalg.triangular_solve, lower=True,
                                            transpose_a=True),
                          signature="(n,n),(n)->(n)")
    y = solve(L, x - mean)
    return (-1/2 * jnp.einsum('...i,...i->...', y, y) - n/2 * jnp.log(2*np.pi)
            - jnp.log(jnp.diagonal(L, axis1=-1, axis2=-2)).sum(-1))


def pdf(x, mean, cov):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, mean, cov))


__all__ = ["logpdf", "pdf"]
