"""``glassbox.numpy.linalg``: NumPy's linear algebra on glassbox arrays (``jnp.linalg``).

The factorizations come from ``glassbox.lax.linalg`` (LAPACK through jaxlib);
everything else is composed from ``jnp`` functions exactly as JAX composes it,
so results match JAX's: ``solve`` is LU + two triangular solves, ``det`` uses
closed forms for 2x2 and 3x3 and LU otherwise, ``pinv``/``matrix_rank``/``lstsq``
use the SVD with JAX's default cut-offs.

All functions take batches of matrices (leading dimensions), promote integer
inputs to floats, and are jitted (one compiled executable per input signature,
as in JAX). Float32 and float64 (with x64) are supported, and complex64/128.
"""
import functools
import math
import operator
from typing import NamedTuple

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..custom_derivatives import custom_jvp
from ..lax import linalg as lax_linalg
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import broadcast_to, canonicalize_axis, check_arraylike, promote_dtypes_inexact

__all__ = ["cholesky", "cond", "cross", "det", "diagonal", "eig", "eigh", "eigvals", "eigvalsh",
           "inv", "lstsq",
           "matmul", "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose",
           "multi_dot", "norm", "outer", "pinv", "qr", "slogdet", "solve", "svd", "svdvals",
           "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot", "vector_norm", "EighResult", "QRResult",
           "SlogdetResult", "SVDResult"]


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SlogdetResult(NamedTuple):
    sign: object
    logabsdet: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


def _inexact_array(fun_name, a):
    check_arraylike(fun_name, a)
    (a,) = promote_dtypes_inexact(jnp.asarray(a))
    return jnp.asarray(a)


def _require_square(fun_name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{fun_name}: argument must be square matrices with shape [..., n, n], "
                         f"got shape {a.shape}")


def _H(x):
    return jnp.conjugate(matrix_transpose(x))


# ---------------------------------------------------------------------------
# Factorizations


@jit
def cholesky(a):
    """Lower Cholesky factor ``L`` (``a = L @ L^H``) of Hermitian positive-definite matrices.

    Matrices that are not positive definite give NaNs (as in JAX; NumPy raises).
    """
    a = _inexact_array("jnp.linalg.cholesky", a)
    _require_square("jnp.linalg.cholesky", a)
    return lax_linalg.cholesky(a)


def qr(a, mode="reduced"):
    """QR decomposition of ``[..., m, n]`` matrices.

    Args:
      mode: ``'reduced'`` (``Q`` is ``[..., m, k]``, ``R`` ``[..., k, n]``, ``k = min(m, n)``),
        ``'complete'`` (``Q`` square), ``'r'`` (``R`` only) or ``'raw'`` (LAPACK's
        reflectors and scale factors).

    Returns:
      ``QRResult(Q, R)``, or ``R`` for ``mode='r'``.
    """
    if mode not in ("reduced", "complete", "r", "raw", "full"):
        raise ValueError(f"jnp.linalg.qr: unsupported mode {mode!r}; use 'reduced', "
                         f"'complete', 'r' or 'raw'")
    return _qr(a, mode)


@functools.partial(jit, static_argnames=("mode",))
def _qr(a, mode):
    a = _inexact_array("jnp.linalg.qr", a)
    if mode == "raw":
        a, taus = lax_linalg.geqrf(a)
        return QRResult(matrix_transpose(a), taus)
    q, r = lax_linalg.qr(a, full_matrices=(mode == "complete"))
    return r if mode == "r" else QRResult(q, r)


def eigh(a, UPLO=None, symmetrize_input=True):
    """Eigenvalues (ascending) and eigenvectors (columns) of Hermitian matrices.

    Args:
      UPLO: ``'L'`` (default) or ``'U'``: the triangle read when ``symmetrize_input``
        is False.
      symmetrize_input: use ``(a + a^H) / 2`` (JAX's default).

    Returns:
      ``EighResult(eigenvalues, eigenvectors)``.
    """
    if UPLO not in (None, "L", "U"):
        raise ValueError(f"jnp.linalg.eigh: UPLO must be None, 'L' or 'U', got {UPLO!r}")
    return _eigh(a, UPLO != "U", bool(symmetrize_input))


@functools.partial(jit, static_argnames=("lower", "symmetrize_input"))
def _eigh(a, lower, symmetrize_input):
    a = _inexact_array("jnp.linalg.eigh", a)
    _require_square("jnp.linalg.eigh", a)
    v, w = lax_linalg.eigh(a, lower=lower, symmetrize_input=symmetrize_input)
    return EighResult(w, v)


def eigvalsh(a, UPLO="L"):
    """Eigenvalues (ascending) of Hermitian matrices."""
    return eigh(a, UPLO).eigenvalues


@jit
def eig(a):
    """Eigenvalues and right eigenvectors of general square matrices (LAPACK ``?geev``).

    Unlike NumPy, the results are always complex (complex64 for 32-bit input), as in JAX.

    Returns:
      ``(w, v)`` with ``a @ v[..., :, i] == w[..., i] * v[..., :, i]``.
    """
    a = _inexact_array("jnp.linalg.eig", a)
    _require_square("jnp.linalg.eig", a)
    w, v = lax_linalg.eig(a, compute_left_eigenvectors=False)
    return w, v


@jit
def eigvals(a):
    """Eigenvalues of general square matrices (always complex, as in JAX)."""
    a = _inexact_array("jnp.linalg.eigvals", a)
    _require_square("jnp.linalg.eigvals", a)
    return lax_linalg.eig(a, compute_left_eigenvectors=False,
                          compute_right_eigenvectors=False)[0]


def svd(a, full_matrices=True, compute_uv=True, hermitian=False):
    """Singular value decomposition ``a = U @ diag(S) @ Vh`` of ``[..., m, n]`` matrices.

    Returns:
      ``SVDResult(U, S, Vh)``, or just ``S`` (descending) if ``compute_uv`` is False.
    """
    return _svd(a, bool(full_matrices), bool(compute_uv), bool(hermitian))


@functools.partial(jit, static_argnames=("full_matrices", "compute_uv", "hermitian"))
def _svd(a, full_matrices, compute_uv, hermitian):
    a = _inexact_array("jnp.linalg.svd", a)
    if a.ndim < 2:
        raise ValueError(f"jnp.linalg.svd: argument must have shape [..., m, n], got {a.shape}")
    if hermitian:
        # Eigenvalues' magnitudes are the singular values (JAX's approach).
        w, v = lax_linalg.eigh(a)
        s = jnp.abs(v)
        if not compute_uv:
            return jnp.flip(jnp.sort(s, axis=-1), axis=-1)
        sign = jnp.sign(v)
        order = jnp.flip(jnp.argsort(s, axis=-1, stable=True), axis=-1)
        s = jnp.take_along_axis(s, order, axis=-1)
        sign = jnp.take_along_axis(sign, order, axis=-1)
        u = jnp.take_along_axis(w, order[..., None, :], axis=-1)
        vh = _H(u * sign[..., None, :].astype(u.dtype))
        return SVDResult(u, s, vh)
    if compute_uv:
        u, s, vh = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=True)
        return SVDResult(u, s, vh)
    return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=False)


def svdvals(x, /):
    """Singular values of ``[..., m, n]`` matrices, descending."""
    return svd(x, compute_uv=False)


# ---------------------------------------------------------------------------
# Solving and inverting


def _broadcast_batch(x, batch, core_shape):
    shape = tuple(batch) + tuple(core_shape)
    return x if x.shape == shape else broadcast_to(x, shape)


def _lu_solve(lu_, perm, b):
    """Solve with an LU factorization: ``b[..., perm, :]``, then L (unit) and U solves."""
    b = jnp.take_along_axis(b, perm[..., :, None], axis=-2)
    x = lax_linalg.triangular_solve(lu_, b, left_side=True, lower=True, unit_diagonal=True)
    return lax_linalg.triangular_solve(lu_, x, left_side=True, lower=False)


@jit
def solve(a, b):
    """Solve ``a @ x = b`` for ``x`` (LU with partial pivoting, as in JAX).

    ``b`` is a batch of vectors if it is 1-D or has one dimension fewer than ``a``
    (NumPy < 2 and JAX semantics), else a batch of ``[..., m, k]`` matrices; batch
    dimensions broadcast.
    """
    check_arraylike("jnp.linalg.solve", a, b)
    a, b = promote_dtypes_inexact(jnp.asarray(a), jnp.asarray(b))
    _require_square("jnp.linalg.solve", a)
    m = a.shape[-1]
    vector = b.ndim == 1 or a.ndim == b.ndim + 1
    core = (m,) if vector else b.shape[-2:]
    if (b.shape[-1] if vector else b.shape[-2]) != m:
        raise ValueError(f"jnp.linalg.solve: a has shape {a.shape} and b has shape {b.shape}; "
                         f"b must be [..., {m}] or [..., {m}, k]")
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:len(b.shape) - len(core)])
    lu_, _, perm = lax_linalg.lu(a)
    lu_ = _broadcast_batch(lu_, batch, (m, m))
    perm = _broadcast_batch(perm, batch, (m,))
    b = _broadcast_batch(b, batch, core)
    if vector:
        return _lu_solve(lu_, perm, b[..., None])[..., 0]
    return _lu_solve(lu_, perm, b)


@jit
def inv(a):
    """Inverse of square matrices: ``solve(a, I)``."""
    check_arraylike("jnp.linalg.inv", a)
    a = jnp.asarray(a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"jnp.linalg.inv: argument must have shape [..., n, n], got {a.shape}")
    (a,) = promote_dtypes_inexact(a)
    eye = jnp.eye(a.shape[-1], dtype=a.dtype)
    return solve(a, lax.broadcast(eye, a.shape[:-2]))


@functools.partial(custom_jvp, nondiff_argnums=(1, 2))
@functools.partial(jit, static_argnames=("hermitian",))
def _pinv(a, rcond, hermitian):
    a = _inexact_array("jnp.linalg.pinv", a)
    m, n = a.shape[-2:]
    if m == 0 or n == 0:
        return jnp.zeros(a.shape[:-2] + (n, m), a.dtype)
    a = jnp.conjugate(a)
    if rcond is None:
        rcond = 10.0 * max(m, n) * jnp.array(jnp.finfo(a.dtype).eps)
    rcond = jnp.asarray(rcond)
    u, s, vh = svd(a, full_matrices=False, hermitian=hermitian)
    # Singular values <= rcond * largest are treated as zero (their inverse as 0).
    rcond = lax.expand_dims(rcond[..., None], tuple(range(s.ndim - rcond.ndim - 1)))
    cutoff = rcond * s[..., 0:1]
    s = jnp.where(s > cutoff, s, jnp.inf).astype(u.dtype)
    res = jnp.matmul(matrix_transpose(vh), jnp.divide(matrix_transpose(u), s[..., None]),
                     precision=lax.Precision.HIGHEST)
    return lax.convert_element_type(res, a.dtype)


def pinv(a, rcond=None, hermitian=False):
    """Moore-Penrose pseudo-inverse via the SVD.

    The default ``rcond`` is JAX's, ``10 * max(m, n) * eps`` (NumPy uses 1e-15).
    """
    return _pinv(a, rcond, bool(hermitian))


@_pinv.defjvp
def _pinv_jvp(rcond, hermitian, primals, tangents):
    """Golub and Pereyra (1973): the derivative of the pseudo-inverse, as JAX."""
    (a,), (a_dot,) = primals, tangents
    p = _pinv(a, rcond, hermitian)
    if hermitian:
        a, a_dot = (a + _H(a)) / 2, (a_dot + _H(a_dot)) / 2
    m, n = a.shape[-2:]
    if m >= n:
        s = (p @ _H(p)) @ _H(a_dot)
        t = (_H(a_dot) @ _H(p)) @ p
        p_dot = -(p @ a_dot) @ p + s - (s @ a) @ p + t - (p @ a) @ t
    else:
        s = p @ (_H(p) @ _H(a_dot))
        t = _H(a_dot) @ (_H(p) @ p)
        p_dot = -p @ (a_dot @ p) + s - s @ (a @ p) + t - p @ (a @ t)
    return p, p_dot


def matrix_power(a, n):
    """``a`` raised to the integer power ``n`` (repeated squaring; ``inv`` for ``n < 0``)."""
    try:
        n = operator.index(n)
    except TypeError:
        raise TypeError(f"jnp.linalg.matrix_power: exponent must be an integer, "
                        f"got {n!r}") from None
    return _matrix_power(a, n)


@functools.partial(jit, static_argnames=("n",))
def _matrix_power(a, n):
    check_arraylike("jnp.linalg.matrix_power", a)
    (a,) = promote_dtypes_inexact(jnp.asarray(a))
    if a.ndim < 2:
        raise TypeError(f"jnp.linalg.matrix_power: {a.ndim}-dimensional array given; it must "
                        f"be at least two-dimensional")
    if a.shape[-2] != a.shape[-1]:
        raise TypeError(f"jnp.linalg.matrix_power: the last 2 dimensions must be square, got "
                        f"shape {a.shape}")
    if n == 0:
        return broadcast_to(jnp.eye(a.shape[-2], dtype=a.dtype), a.shape)
    if n < 0:
        a, n = inv(a), -n
    if n == 1:
        return a
    if n == 2:
        return a @ a
    if n == 3:
        return (a @ a) @ a
    z = result = None
    while n > 0:
        z = a if z is None else z @ z
        n, bit = divmod(n, 2)
        if bit:
            result = z if result is None else result @ z
    return result


# ---------------------------------------------------------------------------
# Determinants and rank


def _det_2x2(a):
    return a[..., 0, 0] * a[..., 1, 1] - a[..., 0, 1] * a[..., 1, 0]


def _det_3x3(a):
    return (a[..., 0, 0] * a[..., 1, 1] * a[..., 2, 2] +
            a[..., 0, 1] * a[..., 1, 2] * a[..., 2, 0] +
            a[..., 0, 2] * a[..., 1, 0] * a[..., 2, 1] -
            a[..., 0, 2] * a[..., 1, 1] * a[..., 2, 0] -
            a[..., 0, 0] * a[..., 1, 2] * a[..., 2, 1] -
            a[..., 0, 1] * a[..., 1, 0] * a[..., 2, 2])


def _slogdet_1x1(a):
    det = a[..., 0, 0]
    return jnp.sign(det), jnp.real(jnp.log(jnp.abs(det)))


def _slogdet_2x2(a):
    det = _det_2x2(a)
    return jnp.sign(det), jnp.real(jnp.log(jnp.abs(det)))


def _sign_and_logdet_dots(x, g, sign, ans_dot):
    """(sign, logabsdet) tangents from ``d log det = ans_dot``: the sign moves only for
    complex input (its phase), as in JAX."""
    if dtypes.is_complex(x.dtype):
        sign_dot = (ans_dot - jnp.real(ans_dot).astype(ans_dot.dtype)) * sign
        return sign_dot, jnp.real(ans_dot)
    return jnp.zeros_like(sign), ans_dot


@custom_jvp
def _slogdet_small(a):
    """slogdet of 1x1 and 2x2 matrices by closed forms (no LU), as JAX."""
    return _slogdet_1x1(a) if a.shape[-1] == 1 else _slogdet_2x2(a)


@_slogdet_small.defjvp
def _slogdet_small_jvp(primals, tangents):
    (x,), (g,) = primals, tangents
    sign, ans = _slogdet_small(x)
    if x.shape[-1] == 1:
        ans_dot = g[..., 0, 0] / x[..., 0, 0]
    else:
        x00, x01, x10, x11 = x[..., 0, 0], x[..., 0, 1], x[..., 1, 0], x[..., 1, 1]
        ans_dot = (g[..., 0, 0] * x11 - g[..., 0, 1] * x10 - g[..., 1, 0] * x01
                   + g[..., 1, 1] * x00) / (x00 * x11 - x01 * x10)
    return (sign, ans), _sign_and_logdet_dots(x, g, sign, ans_dot)


@custom_jvp
def _slogdet_lu(a):
    """Sign and log|det| from the LU diagonal and the pivots' parity. A custom jvp
    (``d log|det A| = trace(A^-1 A')``, the sign constant for real input), as in JAX."""
    dtype = a.dtype
    lu_, pivot, _ = lax_linalg.lu(a)
    diag = jnp.diagonal(lu_, axis1=-2, axis2=-1)
    is_zero = jnp.any(diag == jnp.array(0, dtype=dtype), axis=-1)
    iota = lax.expand_dims(jnp.arange(a.shape[-1], dtype=pivot.dtype), tuple(range(pivot.ndim - 1)))
    parity = jnp.count_nonzero(pivot != iota, axis=-1)
    if dtypes.is_complex(dtype):
        sign = jnp.prod(diag / jnp.abs(diag).astype(diag.dtype), axis=-1)
    else:
        sign = jnp.array(1, dtype=dtype)
        parity = parity + jnp.count_nonzero(diag < 0, axis=-1)
    sign = jnp.where(is_zero, jnp.array(0, dtype=dtype),
                     sign * jnp.array(-2 * (parity % 2) + 1, dtype=dtype))
    logdet = jnp.where(is_zero, jnp.array(-jnp.inf, dtype=dtype),
                       jnp.sum(jnp.log(jnp.abs(diag)).astype(dtype), axis=-1))
    return sign, jnp.real(logdet)


@custom_jvp
def _slogdet_qr(a):
    """Sign and log|det| from a QR factorization (each reflector has determinant -1)."""
    if dtypes.is_complex(a.dtype):
        raise NotImplementedError("slogdet method='qr' not implemented for complex inputs")
    n = a.shape[-1]
    a, taus = lax_linalg.geqrf(a)
    diag = jnp.diagonal(a, axis1=-2, axis2=-1)
    log_abs_det = jnp.sum(jnp.log(jnp.abs(diag)), axis=-1)
    sign_diag = jnp.prod(jnp.sign(diag), axis=-1)
    sign_taus = jnp.prod(jnp.where(taus[..., :(n - 1)] != 0, -1, 1), axis=-1)
    return sign_diag * sign_taus.astype(sign_diag.dtype), log_abs_det


def _slogdet_jvp(primals, tangents):
    (x,), (g,) = primals, tangents
    sign, ans = slogdet(x)
    ans_dot = jnp.trace(solve(x, g), axis1=-1, axis2=-2)
    return (sign, ans), _sign_and_logdet_dots(x, g, sign, ans_dot)


_slogdet_lu.defjvp(_slogdet_jvp)
_slogdet_qr.defjvp(_slogdet_jvp)


def slogdet(a, *, method=None):
    """Sign and log of the absolute value of the determinant.

    Args:
      method: ``None``/``'lu'`` (closed forms for 1x1 and 2x2) or ``'qr'``.

    Returns:
      ``SlogdetResult(sign, logabsdet)``; a singular matrix gives ``(0, -inf)``.
    """
    if method not in (None, "lu", "qr"):
        raise ValueError(f"Unknown slogdet method '{method}'. Supported methods are 'lu' "
                         f"(`None`), and 'qr'.")
    return _slogdet(a, method)


@functools.partial(jit, static_argnames=("method",))
def _slogdet(a, method):
    a = _inexact_array("jnp.linalg.slogdet", a)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"Argument to slogdet() must have shape [..., n, n], got {a.shape}")
    if method == "qr":
        return SlogdetResult(*_slogdet_qr(a))
    if a.shape[-1] in (1, 2):
        return SlogdetResult(*_slogdet_small(a))
    return SlogdetResult(*_slogdet_lu(a))


def _cofactor_solve(a, b):
    """``(det(a), adj(a) @ b)``, defined for singular ``a`` too (JAX's algorithm): the LU's
    last pivot is replaced so that rank n-1 matrices get their rank-one adjugate, and lower
    ranks get zeros."""
    n = a.shape[-1]
    if n == 1:
        return a[..., 0, 0], b
    lu_, pivots, permutation = lax_linalg.lu(a)
    dtype = a.dtype
    batch = np.broadcast_shapes(lu_.shape[:-2], b.shape[:-2])
    x = broadcast_to(b, batch + b.shape[-2:])
    lu_ = broadcast_to(lu_, batch + lu_.shape[-2:])
    diag = jnp.diagonal(lu_, axis1=-2, axis2=-1)
    iota = lax.expand_dims(jnp.arange(n, dtype=pivots.dtype), tuple(range(pivots.ndim - 1)))
    parity = jnp.count_nonzero(pivots != iota, axis=-1)
    sign = jnp.asarray(-2 * (parity % 2) + 1, dtype=dtype)
    # partial_det[..., -1] is the determinant, partial_det[..., -2] det(u) / u_nn.
    partial_det = jnp.cumprod(diag, axis=-1) * sign[..., None]
    lu_ = lu_.at[..., -1, -1].set(1.0 / partial_det[..., -2])
    permutation = broadcast_to(permutation, batch + (n,))
    d = jnp.ones(x.shape[:-1], x.dtype)
    d = lax_linalg.triangular_solve(lu_, d, left_side=True, lower=False)
    d = jnp.any(jnp.logical_or(jnp.isnan(d), jnp.isinf(d)), axis=-1)
    d = jnp.tile(d[..., None, None], d.ndim * (1,) + x.shape[-2:])
    x = jnp.where(d, jnp.zeros_like(x), x)
    x = jnp.take_along_axis(x, permutation[..., :, None], axis=-2)
    x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True)
    x = jnp.concatenate((x[..., :-1, :] * partial_det[..., -1, None, None], x[..., -1:, :]),
                        axis=-2)
    x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=False)
    x = jnp.where(d, jnp.zeros_like(x), x)
    return partial_det[..., -1], x


@custom_jvp
def _det(a):
    sign, logdet = slogdet(a)
    return sign * jnp.exp(logdet).astype(sign.dtype)


@_det.defjvp
def _det_jvp(primals, tangents):
    (x,), (g,) = primals, tangents
    y, z = _cofactor_solve(x, g)
    return y, jnp.trace(z, axis1=-1, axis2=-2)


@jit
def det(a):
    """Determinant of square matrices (closed forms for 2x2 and 3x3, LU otherwise, as JAX).

    Its derivative is ``trace(adj(a) @ a')`` (JAX's custom jvp), finite for singular ``a``.
    """
    a = _inexact_array("jnp.linalg.det", a)
    _require_square("jnp.linalg.det", a)
    if a.shape[-1] == 2:
        return _det_2x2(a)
    if a.shape[-1] == 3:
        return _det_3x3(a)
    return _det(a)


@jit
def matrix_rank(M, rtol=None, *, tol=None):
    """Number of singular values above ``tol`` (default ``max(s) * max(m, n) * eps``)."""
    M = _inexact_array("jnp.linalg.matrix_rank", M)
    if tol is None:
        tol = rtol
    if M.ndim < 2:
        return jnp.any(M != 0).astype(jnp.int32)
    s = svd(M, full_matrices=False, compute_uv=False)
    if tol is None:
        tol = s.max(-1) * np.max(M.shape[-2:]).astype(s.dtype) * jnp.finfo(s.dtype).eps
    tol = jnp.asarray(tol)
    tol = lax.expand_dims(tol, (tol.ndim,))
    return jnp.sum(s > tol, axis=-1)


def cond(x, p=None):
    """Condition number of ``x`` in the norm ``p`` (default: 2-norm, via the SVD)."""
    x = _inexact_array("jnp.linalg.cond", x)
    if x.ndim < 2:
        raise ValueError(f"jnp.linalg.cond: argument must be at least 2-D, got shape {x.shape}")
    if p is None or p == 2:
        s = svdvals(x)
        return s[..., 0] / s[..., -1]
    if p == -2:
        s = svdvals(x)
        r = s[..., -1] / s[..., 0]
    else:
        _require_square("jnp.linalg.cond", x)
        r = norm(x, ord=p, axis=(-2, -1)) * norm(inv(x), ord=p, axis=(-2, -1))
    # Singular matrices have infinite condition number (NaNs from inv become inf).
    return jnp.where(jnp.isnan(r) & ~jnp.isnan(x).any(axis=(-2, -1)), jnp.inf, r)


# ---------------------------------------------------------------------------
# Norms


def norm(x, ord=None, axis=None, keepdims=False):
    """Vector or matrix norm (``numpy.linalg.norm``).

    Vector ``ord``: None/2, 1, inf, -inf, 0 (count of nonzeros), or any other number
    ``p`` (``sum(|x|**p)**(1/p)``). Matrix ``ord`` (with a 2-tuple ``axis``): None/'fro',
    'nuc', 1, -1, 2, -2, inf, -inf.
    """
    if isinstance(axis, list):
        axis = tuple(axis)
    return _norm(x, ord, axis, bool(keepdims))


@functools.partial(jit, static_argnames=("ord", "axis", "keepdims"))
def _norm(x, ord, axis, keepdims):
    x = _inexact_array("jnp.linalg.norm", x)
    ndim = x.ndim
    if axis is None:
        if ord is None:  # NumPy accepts any rank here: the 2-norm of the flattened array
            return jnp.sqrt(jnp.sum(jnp.real(x * jnp.conjugate(x)), keepdims=keepdims))
        axis = tuple(range(ndim))
    elif isinstance(axis, tuple):
        axis = tuple(canonicalize_axis(a, ndim, "jnp.linalg.norm") for a in axis)
    else:
        axis = (canonicalize_axis(axis, ndim, "jnp.linalg.norm"),)
    if len(axis) == 1:
        return _vector_norm(x, ord, axis, keepdims)
    if len(axis) == 2:
        return _matrix_norm(x, ord, axis, keepdims)
    raise ValueError(f"jnp.linalg.norm: invalid axis {axis} for an array of dimension {ndim} "
                     f"(give one axis for a vector norm, two for a matrix norm)")


def _vector_norm(x, ord, axis, keepdims):
    if ord is None or ord == 2:
        return jnp.sqrt(jnp.sum(jnp.real(x * jnp.conjugate(x)), axis=axis, keepdims=keepdims))
    if isinstance(ord, str):
        hint = {"inf": " (use jnp.inf)", "-inf": " (use -jnp.inf)"}.get(ord, "")
        raise ValueError(f"jnp.linalg.norm: invalid order {ord!r} for a vector norm{hint}")
    if ord == np.inf:
        return jnp.max(jnp.abs(x), axis=axis, keepdims=keepdims)
    if ord == -np.inf:
        return jnp.min(jnp.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        real = np.abs(np.zeros((), x.dtype)).dtype
        return jnp.sum(x != 0, dtype=real, axis=axis, keepdims=keepdims)
    if ord == 1:
        return jnp.sum(jnp.abs(x), axis=axis, keepdims=keepdims)
    abs_x = jnp.abs(x)
    p = np.array(ord, abs_x.dtype)
    out = jnp.sum(abs_x ** p, axis=axis, keepdims=keepdims)
    return jnp.power(out, np.array(1.0 / p, abs_x.dtype))


def _matrix_norm(x, ord, axis, keepdims):
    row, col = axis
    if row == col:
        raise ValueError(f"jnp.linalg.norm: duplicate axes {axis} for a matrix norm")
    if ord is None or ord in ("f", "fro"):
        return jnp.sqrt(jnp.sum(jnp.real(x * jnp.conjugate(x)), axis=axis, keepdims=keepdims))
    if ord in (1, -1):
        if not keepdims and col > row:
            col -= 1
        reduce = jnp.max if ord == 1 else jnp.min
        return reduce(jnp.sum(jnp.abs(x), axis=row, keepdims=keepdims), axis=col,
                      keepdims=keepdims)
    if ord in (np.inf, -np.inf):
        if not keepdims and row > col:
            row -= 1
        reduce = jnp.max if ord == np.inf else jnp.min
        return reduce(jnp.sum(jnp.abs(x), axis=col, keepdims=keepdims), axis=row,
                      keepdims=keepdims)
    if ord in ("nuc", 2, -2):
        x = jnp.moveaxis(x, axis, (-2, -1))
        reduce = {2: jnp.max, -2: jnp.min}.get(ord, jnp.sum)
        y = reduce(svd(x, compute_uv=False), axis=-1)
        return jnp.expand_dims(y, axis) if keepdims else y
    raise ValueError(f"jnp.linalg.norm: invalid order {ord!r} for a matrix norm; use None, "
                     f"'fro', 'nuc', 1, -1, 2, -2, inf or -inf")


def vector_norm(x, /, *, axis=None, keepdims=False, ord=2):
    """Array API vector norm: over all elements if ``axis`` is None."""
    check_arraylike("jnp.linalg.vector_norm", x)
    if axis is None:
        result = norm(jnp.ravel(x), ord=ord)
        if keepdims:
            result = lax.expand_dims(result, tuple(range(np.ndim(x) if not hasattr(x, "aval")
                                                         else x.ndim)))
        return result
    return norm(x, axis=axis, keepdims=keepdims, ord=ord)


def matrix_norm(x, /, *, keepdims=False, ord="fro"):
    """Array API matrix norm over the last two axes."""
    check_arraylike("jnp.linalg.matrix_norm", x)
    return norm(x, ord=ord, keepdims=keepdims, axis=(-2, -1))


# ---------------------------------------------------------------------------
# Least squares and products


def lstsq(a, b, rcond=None, *, numpy_resid=False):
    """Least-squares solution of ``a @ x = b`` via the SVD (JAX's algorithm).

    Returns:
      ``(x, residuals, rank, s)``. Residuals are always returned (NumPy returns an
      empty array for rank-deficient or under-determined systems unless
      ``numpy_resid=True`` is passed, which runs outside jit).
    """
    check_arraylike("jnp.linalg.lstsq", a, b)
    if numpy_resid:
        return _lstsq(a, b, rcond, numpy_resid=True)
    return _lstsq_jit(a, b, rcond)


def _lstsq(a, b, rcond, *, numpy_resid=False):
    a, b = promote_dtypes_inexact(jnp.asarray(a), jnp.asarray(b))
    if a.ndim != 2:
        raise TypeError(f"jnp.linalg.lstsq: {a.ndim}-dimensional array given; a must be 2-D")
    if b.ndim not in (1, 2):
        raise TypeError(f"jnp.linalg.lstsq: {b.ndim}-dimensional array given; b must be 1-D "
                        f"or 2-D")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"jnp.linalg.lstsq: leading dimensions must match, got a={a.shape} "
                         f"and b={b.shape}")
    b_ndim = b.ndim
    if b_ndim == 1:
        b = b[:, None]
    m, n = a.shape
    dtype = a.dtype
    if a.size == 0:
        s = jnp.zeros(0, dtype=a.dtype)
        rank = jnp.array(0, dtype=int)
        x = jnp.zeros((n, *b.shape[1:]), dtype=a.dtype)
    else:
        if rcond is None:
            rcond = jnp.finfo(dtype).eps * max(n, m)
        else:
            rcond = jnp.where(rcond < 0, jnp.finfo(dtype).eps, rcond)
        u, s, vt = svd(a, full_matrices=False)
        mask = s >= jnp.array(rcond, dtype=s.dtype) * s[0]
        rank = mask.sum()
        safe_s = jnp.where(mask, s, 1).astype(a.dtype)
        s_inv = jnp.where(mask, 1 / safe_s, 0)[:, None]
        utb = jnp.matmul(jnp.conjugate(u).T, b, precision=lax.Precision.HIGHEST)
        x = jnp.matmul(jnp.conjugate(vt).T, s_inv * utb, precision=lax.Precision.HIGHEST)
    if numpy_resid and (rank < n or m <= n):
        resid = jnp.asarray([])
    else:
        b_estimate = jnp.matmul(a, x, precision=lax.Precision.HIGHEST)
        resid = norm(b - b_estimate, axis=0) ** 2
    if b_ndim == 1:
        x = x.ravel()
    return x, resid, rank, s


_lstsq_jit = jit(functools.partial(_lstsq, numpy_resid=False))


def multi_dot(arrays, *, precision=None):
    """``arrays[0] @ arrays[1] @ ...`` in the cheapest order (NumPy's dynamic program).

    The first array may be 1-D (a row vector) and the last 1-D (a column vector).
    """
    arrays = [jnp.asarray(a) for a in arrays]
    if len(arrays) < 2:
        raise ValueError(f"jnp.linalg.multi_dot: expected at least two arrays, got {len(arrays)}")
    first_1d, last_1d = arrays[0].ndim == 1, arrays[-1].ndim == 1
    if first_1d:
        arrays[0] = arrays[0][None, :]
    if last_1d:
        arrays[-1] = arrays[-1][:, None]
    for i, a in enumerate(arrays):
        if a.ndim != 2:
            raise ValueError(f"jnp.linalg.multi_dot: array {i} must be 2-D (the first and last "
                             f"may be 1-D), got shape {a.shape}")
    dims = [arrays[0].shape[0]] + [a.shape[1] for a in arrays]
    split = _chain_order(dims)

    def product(i, j):
        if i == j:
            return arrays[i]
        k = split[i][j]
        return jnp.matmul(product(i, k), product(k + 1, j), precision=precision)
    out = product(0, len(arrays) - 1)
    if first_1d:
        out = out[0]
    if last_1d:
        out = out[..., 0]
    return out


def _chain_order(dims):
    """The matrix-chain split points minimizing multiplications (textbook O(n^3) DP)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = float("inf")
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def matrix_transpose(x, /):
    """Swap the last two axes (a batch of matrices transposed)."""
    check_arraylike("jnp.linalg.matrix_transpose", x)
    x = jnp.asarray(x)
    if x.ndim < 2:
        raise ValueError(f"jnp.linalg.matrix_transpose: needs at least 2 dimensions, got "
                         f"shape {x.shape}")
    return lax.transpose(x, (*range(x.ndim - 2), x.ndim - 1, x.ndim - 2))


def matmul(x1, x2, /):
    """``jnp.matmul`` (array API spelling)."""
    check_arraylike("jnp.linalg.matmul", x1, x2)
    return jnp.matmul(x1, x2)


def tensordot(x1, x2, /, *, axes=2):
    """``jnp.tensordot`` (array API spelling)."""
    check_arraylike("jnp.linalg.tensordot", x1, x2)
    return jnp.tensordot(x1, x2, axes=axes)


def vecdot(x1, x2, /, *, axis=-1):
    """``jnp.vecdot`` (array API spelling)."""
    return jnp.vecdot(x1, x2, axis=axis)


def outer(x1, x2, /):
    """Outer product of two 1-D arrays."""
    check_arraylike("jnp.linalg.outer", x1, x2)
    x1, x2 = jnp.asarray(x1), jnp.asarray(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise ValueError(f"jnp.linalg.outer: inputs must be 1-D, got shapes {x1.shape} and "
                         f"{x2.shape}")
    return x1[:, None] * x2[None, :]


def cross(x1, x2, /, *, axis=-1):
    """Cross product of 3-vectors along ``axis``."""
    check_arraylike("jnp.linalg.cross", x1, x2)
    x1, x2 = jnp.asarray(x1), jnp.asarray(x2)
    if x1.shape[axis] != 3 or x2.shape[axis] != 3:
        raise ValueError(f"jnp.linalg.cross: both inputs must be 3-vectors along axis {axis}, "
                         f"got shapes {x1.shape} and {x2.shape}")
    return jnp.cross(x1, x2, axis=axis)


def tensorinv(a, ind=2):
    """The inverse of ``a`` as a tensor: ``tensordot(tensorinv(a, ind), a, ind)`` is the
    identity on ``a.shape[:ind]``. The first ``ind`` dimensions' product must equal the
    rest's."""
    check_arraylike("tensorinv", a)
    arr = jnp.asarray(a)
    ind = operator.index(ind)
    if ind <= 0:
        raise ValueError(f"ind must be a positive integer; got ind={ind}")
    contracting, batch = arr.shape[:ind], arr.shape[ind:]
    flat = (math.prod(contracting), math.prod(batch))
    if flat[0] != flat[1]:
        raise ValueError("tensorinv is only possible when the product of the first `ind` "
                         "dimensions equals that of the remaining dimensions. got "
                         f"arr.shape={arr.shape} with ind={ind}.")
    return inv(arr.reshape(flat)).reshape(*batch, *contracting)


def tensorsolve(a, b, axes=None):
    """``x`` with ``tensordot(a, x, x.ndim) == b``: ``a``'s leading dimensions match ``b``,
    its others are ``x``'s (``axes`` of ``a`` are moved to the end first)."""
    check_arraylike("tensorsolve", a, b)
    a, b = jnp.asarray(a), jnp.asarray(b)
    if axes is not None:
        a = jnp.moveaxis(a, axes, len(axes) * (a.ndim - 1,))
    out_shape = a.shape[b.ndim:]
    if a.shape[:b.ndim] != b.shape:
        raise ValueError("After moving axes to end, leading shape of a must match shape of b. "
                         f"got a.shape={a.shape}, b.shape={b.shape}")
    if b.size != math.prod(out_shape):
        raise ValueError("Input arrays must have prod(a.shape[:b.ndim]) == "
                         f"prod(a.shape[b.ndim:]); got a.shape={a.shape}, b.ndim={b.ndim}.")
    return solve(a.reshape(b.size, math.prod(out_shape)), b.ravel()).reshape(out_shape)


def diagonal(x, /, *, offset=0):
    """Diagonals of the last two axes."""
    check_arraylike("jnp.linalg.diagonal", x)
    return jnp.diagonal(x, offset=offset, axis1=-2, axis2=-1)


def trace(x, /, *, offset=0, dtype=None):
    """Traces of the last two axes."""
    check_arraylike("jnp.linalg.trace", x)
    return jnp.trace(x, offset=offset, axis1=-2, axis2=-1, dtype=dtype)

