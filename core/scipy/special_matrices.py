"""The special matrices of ``glassbox.scipy.linalg`` (``toeplitz``, ``hilbert``,
``pascal``, ``block_diag``...), built with ``jnp`` as JAX builds them, with JAX's dtypes."""
import math

import numpy as np

from .. import dtypes, lax
from ..api import jit
from .. import numpy as jnp
from ..numpy._util import check_arraylike


def block_diag(*arrs):
    """The block-diagonal matrix of the given arrays (scalars and 1-D arrays are 1-row blocks)."""
    if not arrs:
        return jnp.zeros((1, 0))
    check_arraylike("jax.scipy.linalg.block_diag", *arrs)
    blocks = [jnp.atleast_2d(a) for a in arrs]
    bad = [i for i, b in enumerate(blocks) if b.ndim > 2]
    if bad:
        raise ValueError(f"Arguments to jax.scipy.linalg.block_diag must have at most 2 "
                         f"dimensions, got {arrs[bad[0]]} at argument {bad[0]}.")
    dtype = jnp.result_type(*blocks)
    cols = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        right = cols - left - b.shape[1]
        rows.append(jnp.pad(b.astype(dtype), ((0, 0), (left, right))))
        left += b.shape[1]
    return jnp.concatenate(rows, axis=0)


def _index_gather(vals, idx):
    return jnp.take(vals, jnp.asarray(idx, np.int32), axis=-1)


@jit
def toeplitz(c, r=None):
    """Toeplitz matrix with first column ``c`` and first row ``r`` (default ``conj(c)``);
    ``r[0]`` is ignored. Leading dimensions are batch dimensions."""
    if r is None:
        check_arraylike("toeplitz", c)
        c = jnp.asarray(c)
        r = jnp.conjugate(c)
    else:
        check_arraylike("toeplitz", c, r)
        c, r = jnp.asarray(c), jnp.asarray(r)
    c, r = jnp.atleast_1d(c), jnp.atleast_1d(r)
    dtype = jnp.result_type(c, r)
    c, r = c.astype(dtype), r.astype(dtype)
    batch = np.broadcast_shapes(c.shape[:-1], r.shape[:-1])
    c = jnp.broadcast_to(c, batch + c.shape[-1:])
    r = jnp.broadcast_to(r, batch + r.shape[-1:])
    nr, nc = c.shape[-1], r.shape[-1]
    vals = jnp.concatenate([jnp.flip(r[..., 1:], axis=-1), c], axis=-1)
    idx = (nc - 1) + np.arange(nr)[:, None] - np.arange(nc)[None, :]
    return _index_gather(vals, idx)


@jit
def hankel(c, r=None):
    """Hankel matrix with first column ``c`` and last row ``r`` (default zeros)."""
    check_arraylike("hankel", c)
    c = jnp.atleast_1d(jnp.asarray(c))
    r = jnp.zeros_like(c) if r is None else jnp.atleast_1d(jnp.asarray(r))
    dtype = jnp.result_type(c, r)
    vals = jnp.concatenate([c.astype(dtype), r[..., 1:].astype(dtype)], axis=-1)
    idx = np.arange(c.shape[-1])[:, None] + np.arange(r.shape[-1])[None, :]
    return _index_gather(vals, idx)


@jit
def circulant(c):
    """Circulant matrix with first column ``c``: ``C[i, j] = c[(i - j) % n]``."""
    check_arraylike("circulant", c)
    c = jnp.atleast_1d(jnp.asarray(c))
    n = c.shape[-1]
    return _index_gather(c, (np.arange(n)[:, None] - np.arange(n)[None, :]) % n)


def hilbert(n):
    """The ``n x n`` Hilbert matrix ``1 / (i + j + 1)``."""
    a = lax.broadcasted_iota(np.float64 if _x64() else np.float32, (n, 1), 0)
    return 1 / (a + a.T + 1)


def _x64():
    return dtypes.canonicalize_dtype(np.float64) == np.float64


def _float():
    return np.dtype(np.float64 if _x64() else np.float32)


@jit
def companion(a):
    """Companion matrix of the polynomial with coefficients ``a`` (highest degree first)."""
    check_arraylike("companion", a)
    a = jnp.asarray(a)
    if a.ndim != 1:
        raise ValueError(f"Incorrect shape for `a`. `a` must be one-dimensional, got {a.shape}")
    if a.size < 2:
        raise ValueError("The length of `a` must be at least 2.")
    first = -a[1:] / (1.0 * a[0])
    n = a.size
    return jnp.concatenate([first[None, :], jnp.eye(n - 2, n - 1, dtype=first.dtype)], axis=0)


def dft(n, scale=None, *, dtype=None):
    """The ``n``-point DFT matrix ``exp(-2 pi i j k / n)``; ``scale`` None, 'sqrtn' or 'n'."""
    if scale not in (None, "sqrtn", "n"):
        raise ValueError(f"scale must be None, 'sqrtn', or 'n'; got {scale!r}")
    dtype = np.dtype(dtype) if dtype is not None else np.dtype(
        np.complex128 if _x64() else np.complex64)
    jk = np.outer(np.arange(n), np.arange(n)) % max(n, 1)
    m = np.exp(-2j * np.pi * jk / max(n, 1))
    if scale == "sqrtn":
        m = m / math.sqrt(n)
    elif scale == "n":
        m = m / n
    return jnp.asarray(m.astype(dtype))


def hadamard(n, dtype=int):
    """Sylvester's ``n x n`` Hadamard matrix (``n`` a power of 2)."""
    if n < 1 or n & (n - 1):
        raise ValueError("n must be a positive power of 2.")
    h = np.array([[1]])
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return jnp.asarray(h, dtype=dtype)


def helmert(n, full=False):
    """The Helmert matrix (orthogonal; without its first row unless ``full``)."""
    h = np.tril(np.ones((n, n)), -1) - np.diag(np.arange(n))
    d = np.arange(n) * np.arange(1, n + 1)
    if n:
        h[0] = 1
        d[0] = n
    h = h / np.sqrt(d)[:, None]
    return jnp.asarray(h if full else h[1:], dtype=_float())


@jit
def leslie(f, s):
    """Leslie matrix: fecundities ``f`` on the first row, survivals ``s`` on the subdiagonal."""
    check_arraylike("leslie", f, s)
    f, s = jnp.asarray(f), jnp.asarray(s)
    if f.ndim != 1 or s.ndim != 1 or f.shape[0] != s.shape[0] + 1:
        raise ValueError(f"Incorrect lengths for f and s: f must be 1-D of length n and s of "
                         f"length n - 1, got shapes {f.shape} and {s.shape}")
    dtype = jnp.result_type(f, s, 1.0)
    n = f.shape[0]
    sub = jnp.concatenate([jnp.diag(s.astype(dtype)), jnp.zeros((n - 1, 1), dtype)], axis=1)
    return jnp.concatenate([f[None, :].astype(dtype), sub], axis=0)


@jit
def fiedler(a):
    """Fiedler matrix ``|a_i - a_j|``."""
    check_arraylike("fiedler", a)
    a = jnp.atleast_1d(jnp.asarray(a))
    return jnp.abs(a[..., :, None] - a[..., None, :])


@jit
def fiedler_companion(a):
    """Fiedler's pentadiagonal companion matrix of the polynomial ``a`` (SciPy's layout)."""
    check_arraylike("fiedler_companion", a)
    a = jnp.asarray(a)
    if a.ndim != 1:
        raise ValueError("Input 'a' must be a 1-D array.")
    if a.size < 2:
        raise ValueError("Input 'a' must have at least 2 elements.")
    a = a / (1.0 * a[0])
    n = a.size - 1
    c = jnp.zeros((n, n), a.dtype)
    c = c.at[np.arange(3, n, 2), np.arange(1, n - 2, 2)].set(1)        # subdiagonals
    c = c.at[np.arange(2, n, 2), np.arange(1, n - 1, 2)].set(-a[3::2])
    c = c.at[np.arange(0, n - 2, 2), np.arange(2, n, 2)].set(1)        # superdiagonals
    c = c.at[np.arange(0, n - 1, 2), np.arange(1, n, 2)].set(-a[2::2])
    c = c.at[0, 0].set(-a[1])
    return c.at[1, 0].set(1) if n > 1 else c


def _binomials(n):
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1):
            out[i, j] = math.comb(i, j)
    return out


def pascal(n, kind=None):
    """Pascal matrix: 'symmetric' (default), 'lower' or 'upper' (binomial coefficients)."""
    kind = "symmetric" if kind is None else kind
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError(f"Expected kind to be one of 'symmetric', 'lower', or 'upper'; "
                         f"got {kind!r}")
    low = _binomials(n)
    out = {"lower": low, "upper": low.T, "symmetric": low @ low.T}[kind]
    return jnp.asarray(out, dtype=_float())


def invpascal(n, kind=None):
    """Inverse of ``pascal(n, kind)`` (exact integers)."""
    kind = "symmetric" if kind is None else kind
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError(f"Expected kind to be one of 'symmetric', 'lower', or 'upper'; "
                         f"got {kind!r}")
    low_inv = _binomials(n) * ((-1.0) ** np.add.outer(np.arange(n), np.arange(n)))
    out = {"lower": low_inv, "upper": low_inv.T, "symmetric": low_inv.T @ low_inv}[kind]
    return jnp.asarray(out, dtype=_float())


def invhilbert(n):
    """Inverse of ``hilbert(n)`` from its closed form (exact integers, then converted)."""
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            s = i + j
            out[i, j] = ((-1) ** s * (s + 1) * math.comb(n + i, n - j - 1)
                         * math.comb(n + j, n - i - 1) * math.comb(s, i) ** 2)
    return jnp.asarray(out, dtype=_float())


def convolution_matrix(a, n, mode="full"):
    """The matrix ``A`` with ``A @ v == jnp.convolve(a, v, mode)`` for length-``n`` ``v``."""
    if n <= 0:
        raise ValueError("n must be a positive integer.")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"mode must be one of ('full', 'valid', 'same'), got {mode!r}")
    check_arraylike("convolution_matrix", a)
    a = jnp.asarray(a)
    if a.ndim != 1:
        raise ValueError("convolution_matrix expects a one-dimensional argument.")
    m = a.shape[0]
    if mode == "full":
        start, rows = 0, m + n - 1
    elif mode == "valid":
        start, rows = min(n, m) - 1, max(m, n) - min(m, n) + 1
    else:
        start, rows = (min(n, m) - 1) // 2, max(m, n)
    r = jnp.zeros(n, a.dtype).at[0].set(a[0])
    c = jnp.concatenate([a, jnp.zeros(n - 1, a.dtype)])
    return toeplitz(c, r)[start:start + rows]
