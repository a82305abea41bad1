"""``qdwh``: the polar decomposition ``x = u h`` by the QR-based dynamically weighted Halley
iteration (Nakatsukasa, Bai and Gygi 2010), composed of ``qr``, ``cholesky`` and
``triangular_solve`` as JAX composes it (``jax._src.tpu.linalg.qdwh``): the weights of
each step are computed in Python ahead of time; early steps (large weights) use a QR of
``[sqrt(c) u; I]``, later ones a Cholesky factor of ``c u^H u + I``, then plain Halley
steps in a ``while_loop`` until ``u`` stops moving, and a final Newton-Schulz step.
"""
import numpy as np

from .. import bitwise as _bitwise, elementwise as _ew, reductions as _reductions
from .. import shape as _shape, slicing as _slicing
from ..dot import dot_general as _dot_general
from .. import scans as _scans  # noqa: F401  (scans first, as lax/__init__ does: loops needs it)
from ..loops import fori_loop, while_loop
from ..transcendental import rsqrt as _rsqrt, sqrt as _sqrt
from ... import dtypes
from ...core import get_aval
from ._lapack import _I32, _real_dtype
from .cholesky import cholesky
from .qr import qr
from .triangular import triangular_solve

__all__ = ["qdwh"]

_CHOLESKY_CUTOFF = 100   # steps with a weight c above this use QR (better conditioned)


def qdwh(x, *, is_hermitian=False, max_iterations=None, eps=None, dynamic_shape=None):
    """Polar decomposition ``x = u @ h`` (``u`` with orthonormal columns, ``h`` Hermitian
    positive semi-definite) by the QR-based dynamically weighted Halley iteration.

    Args:
      x: a full-rank ``[M, N]`` matrix with ``M >= N`` (no batch dims, as in JAX), which
        may be zero-padded from a smaller true shape ``dynamic_shape``.
      is_hermitian: unused (kept for compatibility, as in JAX); must be static.
      max_iterations: stop after this many steps (default 10); must be static.
      eps: convergence tolerance scale (default the dtype's machine epsilon); the result
        satisfies ``|x_k - x_k-1| < |x_k| (4 eps)^(1/3)``.
      dynamic_shape: the unpadded ``(m, n)``, optional.

    Returns:
      ``(u, h, num_iters, is_converged)``: the two factors, the number of iterations
      (int32) and whether the iteration converged within ``max_iterations`` (bool).

    Example:
      >>> u, h, k, ok = qdwh(x)      # x == u @ h, u^H u == I (up to rounding)
    """
    bool(is_hermitian)
    max_iterations = 10 if max_iterations is None else int(max_iterations)
    aval = get_aval(x)
    if aval.ndim != 2:
        raise ValueError(f"qdwh: x must be a single [M, N] matrix (no batch dimensions, as in "
                         f"JAX), got shape {aval.shape}")
    if not dtypes.is_inexact(aval.dtype):
        raise ValueError(f"data type {aval.dtype.type} not inexact")
    big_m, big_n = aval.shape
    if big_m < big_n:
        raise ValueError("The input matrix of shape M x N must have M >= N.")
    if dynamic_shape is not None:
        m, n = dynamic_shape
        x = _mask(x, (m, n))
    else:
        m, n = big_m, big_n
    return _qdwh(x, m, n, max_iterations, eps)


def _mask(x, dims, alternative=None):
    """``x`` with the entries outside the true shape ``dims`` replaced by ``alternative``
    (zeros when None)."""
    aval = get_aval(x)
    mask = None
    for i, d in enumerate(dims):
        if d is not None:
            keep = _bitwise.lt(_shape.broadcasted_iota(_I32, aval.shape, i),
                               _ew.convert_element_type(d, _I32))
            mask = keep if mask is None else _bitwise.bitwise_and(mask, keep)
    if mask is None:
        return x
    other = _shape.full(aval.shape, 0, aval.dtype) if alternative is None else alternative
    return _ew.select(mask, x, other)


def _h(x):
    """Conjugate transpose of a matrix."""
    return _conj(_shape.transpose(x, (1, 0)))


def _conj(x):
    return _ew.conj(x) if dtypes.is_complex(get_aval(x).dtype) else x


def _matmul(a, b):
    return _dot_general(a, b, (((1,), (0,)), ((), ())))


def _eye(n, dtype):
    return _ew.convert_element_type(_bitwise.eq(_shape.broadcasted_iota(_I32, (n, n), 0),
                                                _shape.broadcasted_iota(_I32, (n, n), 1)), dtype)


def _scalar(v, dtype):
    return np.array(v, dtype)


def _use_qr(u, m, n, params):
    """One step through the QR of ``[sqrt(c) u; I]`` (true shape ``m x n`` inside ``u``)."""
    a_minus_e_by_sqrt_c, sqrt_c, e = params
    big_m, big_n = get_aval(u).shape
    dtype = get_aval(u).dtype
    top = _ew.mul(sqrt_c, u)
    eye = _eye(big_n, dtype)
    if m == big_m:
        y = _shape.concatenate([top, eye], 0)
    else:
        padded = _shape.pad(top, np.array(0, dtype), [(0, big_n, 0), (0, 0, 0)])
        y = _slicing.dynamic_update_slice_in_dim(padded, eye, m, 0)
    q, _ = qr(y, full_matrices=False)
    q1 = _mask(_slicing.slice(q, (0, 0), (big_m, big_n)), (m, n))
    q2 = _h(_mask(_slicing.dynamic_slice_in_dim(q, m, big_n, 0), (n, n)))
    return _ew.add(_ew.mul(e, u), _ew.mul(a_minus_e_by_sqrt_c, _matmul(q1, q2)))


def _use_cholesky(u, m, n, params):
    """One step through the Cholesky factor of ``c u^H u + I``."""
    a_minus_e, c, e = params
    big_n = get_aval(u).shape[1]
    dtype = get_aval(u).dtype
    eye = _eye(big_n, dtype)
    x = _ew.add(_ew.mul(c, _matmul(_h(u), u)), eye)
    # the padded corner gets the identity, so that the factorization does not fail
    x = _mask(x, (n, n), eye)
    y = cholesky(x, symmetrize_input=False)
    z = _conj(triangular_solve(y, _shape.transpose(u, (1, 0)), left_side=True, lower=True,
                                  conjugate_a=True))
    z = _h(triangular_solve(y, z, left_side=True, lower=True, transpose_a=True,
                            conjugate_a=True))
    return _ew.add(_ew.mul(e, u), _ew.mul(a_minus_e, z))


def _fro_norm(x):
    sq = _ew.mul(x, _ew.conj(x)) if dtypes.is_complex(get_aval(x).dtype) else _ew.mul(x, x)
    sq = _ew.real(sq) if dtypes.is_complex(get_aval(x).dtype) else sq
    return _sqrt(_reductions.reduce_sum(sq, (0, 1)))


def _qdwh(x, m, n, max_iterations, eps):
    dtype = get_aval(x).dtype
    real = _real_dtype(dtype)
    if eps is None:
        eps = float(np.finfo(dtype).eps)
    # alpha >= ||x||_2 from the 1- and inf-norms; u = x / alpha has singular values <= 1.
    abs_x = _ew.abs(x)
    one_norm = _reductions.reduce_max(_reductions.reduce_sum(abs_x, (0,)), (0,))
    inf_norm = _reductions.reduce_max(_reductions.reduce_sum(abs_x, (1,)), (0,))
    alpha_inverse = _ew.mul(_rsqrt(one_norm), _rsqrt(inf_norm))
    alpha_inverse = _ew.select(_bitwise.eq(one_norm, _scalar(0, real)), _scalar(1, real),
                               alpha_inverse)
    u = _ew.mul(x, _ew.convert_element_type(alpha_inverse, dtype))

    # The weights (a, b, c) of every step depend only on eps: computed here, in Python.
    lower = eps
    tol_l = 10.0 * eps / 2.0
    tol_norm = _scalar(np.cbrt(np.array(tol_l, real)), real)
    qr_coefs, chol_coefs = [], []
    k = 0
    while lower + tol_l < 1 and k < max_iterations:
        k += 1
        l2 = lower * lower
        dd = (4 * (1 / l2 - 1) / l2) ** (1 / 3)
        sqd = (1.0 + dd) ** (1 / 2)
        a = sqd + (2 - dd + 2 * (2 - l2) / (l2 * sqd)) ** (1 / 2)
        b = (a - 1) ** 2 / 4
        c = a + b - 1
        lower = lower * (a + b * l2) / (1 + c * l2)
        e = b / c
        if c > _CHOLESKY_CUTOFF:
            qr_coefs.append(((a - e) / c ** (1 / 2), c ** (1 / 2), e))
        else:
            chol_coefs.append((a - e, c, e))

    def iteration(i, state, update_fn, coefs, test_convergence):
        u, _ = state
        if coefs is None:   # as lower -> 1 the weights tend to (3, 1, 3): Halley's method
            params = tuple(_scalar(v, dtype) for v in (3 - 1 / 3, 3, 1 / 3))
        else:
            row = _slicing.dynamic_index_in_dim(coefs, i, 0, keepdims=False)
            params = tuple(_shape.reshape(_slicing.slice(row, (j,), (j + 1,)), ())
                           for j in range(3))
        u_prev = u
        u = update_fn(u, m, n, params)
        not_converged = np.bool_(True)
        if test_convergence:
            not_converged = _bitwise.gt(_fro_norm(_ew.sub(u, u_prev)), tol_norm)
        return u, not_converged

    def iterate(u, coefs, **kwargs):
        if not coefs:
            return u, np.bool_(True)
        table = _ew.convert_element_type(np.array(coefs), dtype)
        return fori_loop(0, len(coefs), lambda i, s: iteration(i, s, coefs=table, **kwargs),
                         (u, np.bool_(True)))

    u, _ = iterate(u, qr_coefs, update_fn=_use_qr, test_convergence=False)
    u, not_converged = iterate(u, chol_coefs, update_fn=_use_cholesky, test_convergence=True)

    def cond_fun(state):
        i, _, not_converged = state
        return _bitwise.bitwise_and(not_converged, _bitwise.lt(i, max_iterations))

    def body_fun(state):
        i, u, not_converged = state
        u, not_converged = iteration(i, (u, not_converged), coefs=None,
                                     update_fn=_use_cholesky, test_convergence=True)
        return _ew.add(i, 1), u, not_converged

    start = len(qr_coefs) + len(chol_coefs)
    num_iters, u, not_converged = while_loop(cond_fun, body_fun, (start, u, not_converged))

    # One Newton-Schulz step for accuracy, then h = u^H x, symmetrized.
    u = _ew.sub(_ew.mul(_scalar(1.5, dtype), u),
                _ew.mul(_scalar(0.5, dtype), _matmul(u, _matmul(_h(u), u))))
    h = _matmul(_h(u), x)
    h = _ew.div(_ew.add(h, _h(h)), _scalar(2, dtype))
    return u, h, num_iters, _bitwise.bitwise_not(not_converged)
