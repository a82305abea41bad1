"""Spherical harmonics: ``sph_harm_y``, over the normalized associated Legendre functions
computed by JAX's three recurrences (the diagonal, the first off-diagonal, then each
degree from the two below it)."""
from functools import partial

import numpy as np

from ... import lax
from ... import numpy as jnp
from ...api import jit
from ...errors import ConcretizationTypeError


# --- normalized associated Legendre functions ---------------------------------------------

def _recurrence_coefficients(l_max, dtype):
    """``(d0, d1)``, each ``(l_max + 1, l_max + 1)`` indexed ``[l, m]``: the normalized
    three-term recurrence ``P_l^m = d0 x P_{l-1}^m - d1 P_{l-2}^m`` (zero where unused).
    Computed in ``dtype`` with NumPy: every step is one correctly rounded operation, as
    XLA's."""
    l, m = np.meshgrid(np.arange(l_max + 1, dtype=dtype), np.arange(l_max + 1, dtype=dtype),
                       indexing="ij")
    with np.errstate(divide="ignore", invalid="ignore"):
        c0, c1, c2, c3 = l * l, m * m, dtype(2) * l, (l - dtype(1)) * (l - dtype(1))
        d0 = np.sqrt((dtype(4) * c0 - dtype(1)) / (c0 - c1))
        d1 = np.sqrt(((c2 + dtype(1)) * (c3 - c1)) / ((c2 - dtype(3)) * (c0 - c1)))
    ls, ms = np.arange(l_max + 1)[:, None], np.arange(l_max + 1)[None, :]
    d0 = np.where(ls > ms, d0, dtype(0)).astype(dtype)
    d1 = np.where(ls > ms + 1, d1, dtype(0)).astype(dtype)
    return d0, d1


def _normalized_legendre(l_max, x):
    """The normalized associated Legendre functions ``N_l^m P_l^m(x)`` for
    ``0 <= m <= l <= l_max``: shape ``(l_max + 1, l_max + 1, len(x))`` indexed
    ``[l, m, point]`` (zero for ``m > l``)."""
    dtype = x.dtype.type
    size = l_max + 1
    first = 0.5 / jnp.sqrt(np.pi)                             # P_0^0, weakly typed as JAX's
    # the diagonal P_l^l = first * prod_{k <= l} -sqrt(1 + 1/(2k)) * (1 - x**2) ** (l/2)
    a = jnp.arange(1, size, dtype=dtype)
    f_a = jnp.cumprod(-1 * jnp.sqrt(1.0 + 0.5 / a))
    y = jnp.cumprod(jnp.broadcast_to(jnp.sqrt(1.0 - x * x), (l_max, x.shape[0])), axis=0)
    diagonal = jnp.concatenate([jnp.full((1, x.shape[0]), first, dtype),
                                first * (f_a[:, None] * y)])   # (size, points), [m]
    # the first off-diagonal P_{m+1}^m = sqrt(2m + 3) x P_m^m
    f_b = jnp.sqrt(2.0 * jnp.arange(l_max, dtype=dtype) + 3.0)
    off_diagonal = (f_b[:, None] * x[None, :]) * diagonal[:l_max]
    m = np.arange(size)
    p = jnp.zeros((size, size, x.shape[0]), dtype)
    p = p.at[m, m].set(diagonal)
    p = p.at[m[:l_max] + 1, m[:l_max]].set(off_diagonal)
    if l_max < 2:
        return p
    d0, d1 = _recurrence_coefficients(l_max, dtype)

    def degree(l, p):                                         # every order of degree l
        below = lax.dynamic_index_in_dim(p, l - 1, keepdims=False)
        below2 = lax.dynamic_index_in_dim(p, l - 2, keepdims=False)
        c0 = lax.dynamic_index_in_dim(jnp.asarray(d0), l, keepdims=False)
        c1 = lax.dynamic_index_in_dim(jnp.asarray(d1), l, keepdims=False)
        row = c0[:, None] * (below * x) - c1[:, None] * below2
        row = jnp.where((jnp.arange(size) <= l - 2)[:, None], row,
                        lax.dynamic_index_in_dim(p, l, keepdims=False))
        return lax.dynamic_update_index_in_dim(p, row, l, 0)

    return lax.fori_loop(2, size, degree, p)


# --- spherical harmonics ------------------------------------------------------------------

@partial(jit, static_argnums=(4,))
def _sph_harm(n, m, theta, phi, n_max):
    legendre = _normalized_legendre(n_max, jnp.cos(theta))
    value = legendre.at[n, abs(m), jnp.arange(len(n))].get(mode="clip")
    angle = abs(m) * phi
    harmonic = lax.complex(value * jnp.cos(angle), value * jnp.sin(angle))
    # Y_n^{-m} = (-1)**m conj(Y_n^m)
    return jnp.where(m < 0, (-1.0) ** abs(m) * jnp.conjugate(harmonic), harmonic)


def sph_harm_y(n, m, theta, phi, diff_n=None, n_max=None):
    """The spherical harmonics ``Y_n^m(theta, phi) = N_n^m P_n^m(cos theta) exp(i m phi)``
    (orthonormal on the sphere), as ``scipy.special.sph_harm_y`` and JAX's.

    Args:
      n: the degrees, a 1-D integer array (``n >= 0``; other values are undefined).
      m: the orders (``|m| <= n``; other values are undefined), broadcast with ``n``.
      theta: the polar (colatitude) angles in ``[0, pi]``; a scalar counts as ``[theta]``.
      phi: the azimuthal (longitude) angles in ``[0, 2 pi]``.
      diff_n: unsupported, as in JAX (anything but ``None`` raises
        ``NotImplementedError``).
      n_max: the largest degree, static; defaults to ``max(n)``, which must then be
        concrete (pass ``n_max`` under ``jit``). Degrees above ``n_max`` are clipped to it.

    Returns:
      A complex array of the harmonics (complex64 for float32 angles).

    Example:
      >>> sph_harm_y(jnp.array([2]), jnp.array([1]), 0.7, 0.3)   # [-0.3637-0.1125j]
    """
    if diff_n is not None:
        raise NotImplementedError(
            "The 'diff_n' argument to jax.scipy.special.sph_harm_y is not supported.")
    if jnp.isscalar(theta):
        theta = jnp.array([theta])
    if n_max is None:
        n_max = jnp.max(jnp.asarray(n))
    try:
        n_max = int(n_max)
    except ConcretizationTypeError:
        raise ConcretizationTypeError(
            n_max, "The `n_max` argument of `jnp.scipy.special.sph_harm` must be statically "
            "specified to use `sph_harm` within JAX transformations",
            "Pass n_max=<the largest degree, a Python int>.") from None
    if np.ndim(n) == 0:
        raise TypeError("sph_harm_y: n must be a 1-D array of degrees, got a scalar "
                        f"{n!r} (JAX: len() of unsized object)")
    return _sph_harm(n, m, theta, phi, n_max)
