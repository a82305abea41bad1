"""Cholesky factorization (``?potrf``), its rank-1 update ``cholesky_update`` and the
symmetric product ``alpha A A^T + beta C`` (both compositions of lax ops, lowered in place
as JAX does on CPU)."""
import numpy as np


from .. import bitwise as _bitwise, elementwise as _ew, shape as _shape, slicing as _slicing
from .._families import lower_fun
from ..dot import Precision as _Precision, dot_general as _dot_general
from ..transcendental import sqrt as _sqrt
from ...core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ...interpreters.ad import Zero, jvp_rules
from ...interpreters.batching import batch_rules
from ...interpreters.lowering import lowering_rules
from ..elementwise import add as _add, div as _div
from ._lapack import (_I32, _T, _batch_leading, _char_attr, _check_linalg, _check_matrix,
                      _eye_t, _ffi_call, _info_ok, _mm, _nan_where_failed, _target, _tril,
                      _tril_t, _weak, symmetrize)
from .triangular import triangular_solve

__all__ = ["cholesky", "cholesky_p", "cholesky_update", "cholesky_update_p", "symmetric_product",
           "symmetric_product_p"]


# ---------------------------------------------------------------------------
# cholesky


def cholesky(x, *, symmetrize_input=True):
    """Cholesky factor ``L`` (lower triangular, ``A = L @ L^H``) of each matrix in ``x``.

    Lowers to LAPACK ``?potrf`` (``lapack_spotrf_ffi``...). Matrices that are not
    positive definite give a matrix of NaNs (as in JAX).

    Args:
      x: ``[..., n, n]`` Hermitian positive-definite matrices (float32/64, complex64/128).
      symmetrize_input: use ``(x + x^H) / 2`` instead of ``x``; if False only the lower
        triangle of ``x`` is read.

    Returns:
      ``[..., n, n]`` lower-triangular factors (zeros above the diagonal).
    """
    if symmetrize_input:
        x = symmetrize(x)
    return cholesky_p.bind(x)


cholesky_p = Primitive("cholesky")


def _cholesky_abstract_eval(x):
    _check_matrix("cholesky", x, square=True)
    return x


def _cholesky_lowering(ctx, x):
    (aval,) = ctx.avals_in
    batch = aval.shape[:-2]
    out, info = _ffi_call(ctx, _target("potrf", aval.dtype), [x], [aval],
                          [aval, ShapedArray(batch, _I32)], {"uplo": _char_attr("L")}, {0: 0})
    out = _nan_where_failed(ctx, _info_ok(ctx, info, batch), batch, out, aval)
    return _tril(ctx, out, aval)


abstract_eval_rules[cholesky_p] = _cholesky_abstract_eval
lowering_rules[cholesky_p] = _cholesky_lowering
batch_rules[cholesky_p] = _batch_leading(cholesky_p)


def _cholesky_jvp(primals, tangents):
    """``L' = L phi(L^-1 A' L^-H)``, ``phi`` the lower triangle with a halved diagonal
    (Murray 2016, arXiv:1602.07527), as JAX."""
    (x,), (sigma_dot,) = primals, tangents
    L = cholesky_p.bind(x)
    if type(sigma_dot) is Zero:
        return L, Zero(sigma_dot.aval)
    aval = get_aval(x)
    n = aval.shape[-1]
    tmp = triangular_solve(L, sigma_dot, left_side=False, transpose_a=True, conjugate_a=True,
                           lower=True)
    inner = _tril_t(triangular_solve(L, tmp, left_side=True, transpose_a=False, lower=True))
    halve = _add(_shape.full((n, n), 1, aval.dtype), _eye_t(aval.dtype, n))
    phi = _div(inner, _shape.broadcast_in_dim(halve, aval.shape, (aval.ndim - 2, aval.ndim - 1)))
    return L, _mm(L, phi)


jvp_rules[cholesky_p] = _cholesky_jvp


# ---------------------------------------------------------------------------
# cholesky_update


def cholesky_update(r_matrix, w_vector):
    """Rank-1 update of a Cholesky factor in ``O(n^2)``: given upper-triangular ``R`` with
    ``A = R^T R``, the upper-triangular factor of ``A + w w^T``.

    A sequence of Givens rotations, one per row (as JAX on CPU: a composition of lax ops,
    unrolled over the rows).

    Args:
      r_matrix: ``[n, n]`` real upper-triangular matrix (no batch dims, as in JAX).
      w_vector: ``[n]`` vector of the same dtype.

    Returns:
      ``[n, n]`` upper-triangular ``R'`` with ``R'^T R' = R^T R + w w^T``.
    """
    return cholesky_update_p.bind(r_matrix, w_vector)


cholesky_update_p = Primitive("cholesky_update")


def _cholesky_update_abstract_eval(r, w):
    _check_linalg("cholesky_update", [r, w], [2, 1], accepted=("floating",))
    for i, (aval, rank) in enumerate(((r, 2), (w, 1))):
        if aval.ndim != rank:
            raise TypeError(f"Input {i} to cholesky_update must have a rank of exactly {rank}, "
                            f"but got shape={aval.shape}")
    if r.dtype != w.dtype:
        raise TypeError(f"lax.cholesky_update requires arguments to have the same dtypes, got "
                        f"{r.dtype.name}, {w.dtype.name}.")
    if r.shape[0] != r.shape[1] or w.shape[0] != r.shape[1]:
        raise ValueError(f"Rank-1 update to Cholesky decomposition takes a square matrix and a "
                         f"vector of the same size as input. Got shapes {r.shape} and {w.shape} "
                         f"instead")
    return r.update(weak_type=_weak(r, w))


def _givens(x, y):
    """``(c, s)`` of the rotation that zeroes ``y`` against ``x``, scaled for stability
    (LAPACK's ``drotg``); ``(1, 0)`` when ``y == 0``."""
    dtype = get_aval(x).dtype
    abs_x, abs_y = _ew.abs(x), _ew.abs(y)
    den = _ew.select(_bitwise.gt(abs_x, abs_y), abs_x, abs_y)
    zero_y = _bitwise.eq(y, np.array(0, dtype))
    den = _ew.select(zero_y, np.array(1, dtype), den)   # the y == 0 branch ignores it
    xs, ys = _div(x, den), _div(y, den)
    rh = _div(np.array(1, dtype), _sqrt(_add(_ew.integer_pow(xs, 2), _ew.integer_pow(ys, 2))))
    c = _ew.select(zero_y, np.array(1, dtype), _ew.mul(xs, rh))
    s = _ew.select(zero_y, np.array(0, dtype), _ew.neg(_ew.mul(ys, rh)))
    return c, s


def _cholesky_update_composition(r, z):
    """One Givens rotation per row ``k``: rotate ``(R[k, :], z)`` so that ``z[k]`` becomes 0."""
    n = get_aval(z).shape[0]
    rows = _shape.broadcasted_iota(_I32, (n, n), 0)
    entry = lambda v, k: _shape.reshape(_slicing.slice(v, (k,), (k + 1,)), ())  # noqa: E731
    for k in range(n):
        row = _shape.reshape(_slicing.slice(r, (k, 0), (k + 1, n)), (n,))
        c, s = _givens(entry(row, k), entry(z, k))
        row, z = (_ew.sub(_ew.mul(c, row), _ew.mul(s, z)), _add(_ew.mul(c, z), _ew.mul(s, row)))
        r = _ew.select(_bitwise.eq(rows, np.int32(k)),
                       _shape.broadcast_in_dim(row, (n, n), (1,)), r)
    return r


abstract_eval_rules[cholesky_update_p] = _cholesky_update_abstract_eval
lowering_rules[cholesky_update_p] = lower_fun(_cholesky_update_composition)


# ---------------------------------------------------------------------------
# symmetric_product


def symmetric_product(a_matrix, c_matrix, *, alpha=1., beta=0., symmetrize_output=False):
    """``alpha * A @ A^T + beta * C`` for rectangular ``A`` and symmetric ``C``.

    On CPU a batched matrix product at HIGHEST precision plus a scaled sum (as JAX; GPU
    JAX calls cuBLAS ``syrk``).

    Args:
      a_matrix: ``[..., m, n]`` real matrices.
      c_matrix: ``[..., m, m]`` symmetric matrices of the same dtype.
      alpha, beta: Python scalars.
      symmetrize_output: copy the lower triangle onto the upper one (only the lower
        triangle is guaranteed on every platform).

    Returns:
      ``[..., m, m]`` matrices.
    """
    result = symmetric_product_p.bind(a_matrix, c_matrix, alpha=alpha, beta=beta)
    if symmetrize_output:
        result = _add(_tril_t(result), _T(_tril_t(result, -1)))
    return result


symmetric_product_p = Primitive("symmetric_product")


def _symmetric_product_abstract_eval(a, c, *, alpha, beta):
    _check_linalg("symmetric_product", [a, c], [2, 2], accepted=("floating",))
    if a.dtype != c.dtype:
        raise TypeError(f"lax.symmetric_product requires arguments to have the same dtypes, got "
                        f"{a.dtype.name}, {c.dtype.name}.")
    if a.shape[-2] != c.shape[-1] or c.shape[-2] != c.shape[-1]:
        raise ValueError(f"symmetric_update expects a rectangular matrix of shape (m, n) and a "
                         f"square matrix of shape (n, n). Got shapes {a.shape[-2:]} and "
                         f"{c.shape[-2:]}.")
    if a.shape[:-2] != c.shape[:-2]:
        raise ValueError(f"symmetric_product: a and c must have the same batch dimensions, got "
                         f"shapes {a.shape} and {c.shape}")
    return c.update(weak_type=_weak(a, c))


def _symmetric_product_composition(a, c, *, alpha, beta):
    dtype = get_aval(a).dtype
    nb = get_aval(a).ndim - 2
    batch = tuple(range(nb))
    aat = _dot_general(a, a, (((nb + 1,), (nb + 1,)), (batch, batch)),
                       precision=_Precision.HIGHEST)
    return _add(_ew.mul(np.array(alpha, dtype), aat), _ew.mul(np.array(beta, dtype), c))


abstract_eval_rules[symmetric_product_p] = _symmetric_product_abstract_eval
lowering_rules[symmetric_product_p] = lower_fun(_symmetric_product_composition)
batch_rules[symmetric_product_p] = _batch_leading(symmetric_product_p)
