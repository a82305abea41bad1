"""LU factorization with partial pivoting (``?getrf``) and the pivots-to-permutation loop."""
import numpy as np

from .. import bitwise as _bitwise, elementwise as _ew, shape as _shape, slicing as _slicing
from ...core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ...interpreters.ad import Zero, jvp_rules, zero_tangent
from ...interpreters.batching import batch_rules
from ...interpreters.lowering import i64_array, lowering_rules
from ..elementwise import add as _add
from ._lapack import (_I32, _batch_leading, _bcast, _check_matrix, _compare, _eye_t, _ffi_call,
                      _full, _info_ok, _iota, _mm, _nan_where_failed, _select, _target, _tril_t,
                      _triu_t)
from .triangular import triangular_solve

__all__ = ['lu', 'lu_p', 'lu_pivots_to_permutation', 'lu_pivots_to_permutation_p']


# ---------------------------------------------------------------------------
# lu_pivots_to_permutation


def lu_pivots_to_permutation(pivots, permutation_size):
    """The permutation that LU's row swaps (``pivots``) apply to ``range(permutation_size)``.

    Swap ``i`` exchanges rows ``i`` and ``pivots[..., i]``, in order. Lowers to a
    ``stablehlo.while`` loop over the swaps.

    Args:
      pivots: int32 ``[..., k]`` row swaps (0-based), as returned by ``lu``.
      permutation_size: ``m >= k``, the length of the result.

    Returns:
      int32 ``[..., m]``: ``permutation`` such that ``a[..., permutation, :] == l @ u``.
    """
    return lu_pivots_to_permutation_p.bind(pivots, permutation_size=int(permutation_size))


lu_pivots_to_permutation_p = Primitive("lu_pivots_to_permutation")


def _lu_pivots_abstract_eval(pivots, *, permutation_size):
    if pivots.ndim < 1 or pivots.dtype != _I32:
        raise TypeError(f"lu_pivots_to_permutation: pivots must be an int32 array [..., k], got "
                        f"{pivots.str_short()}")
    if permutation_size < pivots.shape[-1]:
        raise ValueError(f"lu_pivots_to_permutation: permutation_size {permutation_size} must be "
                         f">= the number of pivots {pivots.shape[-1]}")
    return ShapedArray(pivots.shape[:-1] + (permutation_size,), _I32, pivots.weak_type)


def _emit_pivots_to_permutation(ctx, pivots, piv_aval, m):
    batch, k = piv_aval.shape[:-1], piv_aval.shape[-1]
    perm_aval = ShapedArray(batch + (m,), _I32)
    piv_aval = piv_aval.strip_weak_type()
    nb = len(batch)
    perm0 = _iota(ctx, perm_aval, nb)
    if k == 0 or m == 0:
        return perm0
    scalar = ShapedArray((), _I32)

    def cond(c, i, perm, piv):
        return _compare(c, i, c.constant(np.int32(k), scalar), "LT", scalar)

    def pick(c, arr, aval, idx, idx_shape):
        # arr[..., idx] with a per-batch idx: one-hot mask, then a sum over the last axis.
        iota = _iota(c, aval, nb)
        idx = _bcast(c, idx, idx_shape, aval, tuple(range(len(idx_shape))))
        hit = _compare(c, iota, idx, "EQ", aval)
        picked = _select(c, hit, arr, _full(c, 0, aval), aval)
        zero = c.constant(np.int32(0), scalar)
        summed = c.op("stablehlo.reduce", [picked, zero], ShapedArray(batch, _I32),
                      attrs={"dimensions": i64_array([nb])},
                      regions=[c.region([scalar, scalar], lambda r, a, b: r.op(
                          "stablehlo.add", [a, b], scalar))])
        return summed, hit

    def body(c, i, perm, piv):
        j, _ = pick(c, piv, piv_aval, i, ())          # pivots[..., i]
        x, at_i = pick(c, perm, perm_aval, i, ())     # perm[..., i]
        y, at_j = pick(c, perm, perm_aval, j, batch)  # perm[..., j]
        xb = _bcast(c, x, batch, perm_aval, tuple(range(nb)))
        yb = _bcast(c, y, batch, perm_aval, tuple(range(nb)))
        perm = _select(c, at_i, yb, _select(c, at_j, xb, perm, perm_aval), perm_aval)
        one = c.constant(np.int32(1), scalar)
        return c.op("stablehlo.add", [i, one], scalar), perm, piv

    avals = [scalar, perm_aval, piv_aval]
    i0 = ctx.constant(np.int32(0), scalar)
    outs = ctx.op("stablehlo.while", [i0, perm0, pivots], avals,
                  regions=[ctx.region(avals, cond), ctx.region(avals, body)])
    return outs[1]


def _lu_pivots_lowering(ctx, pivots, *, permutation_size):
    return _emit_pivots_to_permutation(ctx, pivots, ctx.avals_in[0], permutation_size)


abstract_eval_rules[lu_pivots_to_permutation_p] = _lu_pivots_abstract_eval
lowering_rules[lu_pivots_to_permutation_p] = _lu_pivots_lowering
batch_rules[lu_pivots_to_permutation_p] = _batch_leading(lu_pivots_to_permutation_p)
jvp_rules[lu_pivots_to_permutation_p] = lambda primals, tangents, **params: (
    lu_pivots_to_permutation_p.bind(*primals, **params),
    zero_tangent(ShapedArray(get_aval(primals[0]).shape[:-1] + (params["permutation_size"],),
                             _I32)))


# ---------------------------------------------------------------------------
# lu


def lu(x):
    """LU decomposition with partial pivoting: ``x[..., perm, :] = L @ U``.

    Lowers to LAPACK ``?getrf`` plus a loop turning its row swaps into a permutation.

    Args:
      x: ``[..., m, n]`` matrices.

    Returns:
      ``(lu, pivots, permutation)``: ``lu`` holds ``L`` below the diagonal (unit
      diagonal not stored) and ``U`` on and above it; ``pivots`` int32 ``[..., min(m, n)]``
      (0-based row swaps); ``permutation`` int32 ``[..., m]``.
    """
    lu_, pivots, permutation = lu_p.bind(x)
    return lu_, pivots, permutation


lu_p = Primitive("lu", multiple_results=True)


def _lu_abstract_eval(x):
    _check_matrix("lu", x)
    batch, (m, n) = x.shape[:-2], x.shape[-2:]
    return [x, ShapedArray(batch + (min(m, n),), _I32, x.weak_type),
            ShapedArray(batch + (m,), _I32, x.weak_type)]


def _lu_lowering(ctx, x):
    (aval,) = ctx.avals_in
    batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
    piv_aval = ShapedArray(batch + (min(m, n),), _I32)
    lu_, piv, info = _ffi_call(ctx, _target("getrf", aval.dtype), [x], [aval],
                               [aval, piv_aval, ShapedArray(batch, _I32)], None, {0: 0})
    piv = ctx.op("stablehlo.subtract", [piv, _full(ctx, 1, piv_aval)], piv_aval)  # 1-based
    # info > 0 means an exact zero pivot: the factorization is still valid (as in JAX).
    lu_ = _nan_where_failed(ctx, _info_ok(ctx, info, batch, "GE"), batch, lu_, aval)
    return [lu_, piv, _emit_pivots_to_permutation(ctx, piv, piv_aval, m)]


abstract_eval_rules[lu_p] = _lu_abstract_eval
lowering_rules[lu_p] = _lu_lowering
batch_rules[lu_p] = _batch_leading(lu_p)


def _lu_jvp(primals, tangents):
    """``L' = L tril(X, -1)``, ``U' = triu(X) U`` with ``X = L^-1 P A' U^-1`` (de Hoog,
    Anderssen and Lukas), as JAX; the row permutation is a one-hot product here."""
    (a,), (a_dot,) = primals, tangents
    lu_, pivots, perm = lu_p.bind(a)
    int_zeros = [zero_tangent(get_aval(pivots)), zero_tangent(get_aval(perm))]
    if type(a_dot) is Zero:
        return [lu_, pivots, perm], [Zero(a_dot.aval)] + int_zeros
    aval = get_aval(a)
    batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
    nb, k, dtype = len(batch), min(m, n), aval.dtype
    no_pad = [(0, 0, 0)] * nb
    l = _slicing.slice(lu_, (0,) * aval.ndim, batch + (m, k))
    l = _shape.pad(_tril_t(l, -1), np.array(0, dtype), no_pad + [(0, 0, 0), (0, m - k, 0)])
    l = _add(l, _eye_t(dtype, m, batch))
    u = _slicing.slice(lu_, (0,) * aval.ndim, batch + (k, n))
    u = _shape.pad(_triu_t(u), np.array(0, dtype), no_pad + [(0, n - k, 0), (0, 0, 0)])
    if n > k:
        u_eye = _shape.pad(_eye_t(dtype, n - k, batch), np.array(0, dtype),
                           no_pad + [(k, 0, 0), (k, 0, 0)])
        u = _add(u, u_eye)
    la = triangular_solve(l, _permute_rows(perm, a_dot), left_side=True, lower=True,
                          unit_diagonal=True)
    lau = triangular_solve(u, la, left_side=False, lower=False)
    lu_dot = _add(_mm(l, _tril_t(lau, -1)), _mm(_triu_t(lau), u))
    return [lu_, pivots, perm], [lu_dot] + int_zeros


jvp_rules[lu_p] = _lu_jvp


# ---------------------------------------------------------------------------
# Solving with an LU factorization (traceable; used by the jvp rules of eig and others)


def _permute_rows(perm, x):
    """``x[..., perm, :]`` for a per-batch permutation, as a one-hot product (linear in ``x``)."""
    aval = get_aval(x)
    m = aval.shape[-2]
    nb = aval.ndim - 2
    shape = aval.shape[:-2] + (m, m)
    rows = _shape.broadcast_in_dim(perm, shape, tuple(range(nb + 1)))
    onehot = _ew.convert_element_type(
        _bitwise.eq(rows, _shape.broadcasted_iota(_I32, shape, nb + 1)), aval.dtype)
    return _mm(onehot, x)


def _unpermute_rows(perm, x):
    """``y`` with ``y[..., perm, :] == x`` (the inverse of ``_permute_rows``)."""
    aval = get_aval(x)
    m = aval.shape[-2]
    nb = aval.ndim - 2
    shape = aval.shape[:-2] + (m, m)
    cols = _shape.broadcast_in_dim(perm, shape, tuple(range(nb)) + (nb + 1,))
    onehot = _ew.convert_element_type(
        _bitwise.eq(cols, _shape.broadcasted_iota(_I32, shape, nb)), aval.dtype)
    return _mm(onehot, x)


def _lu_solve_t(lu_, perm, b, trans=0):
    """Solve ``a @ x = b`` (``trans`` 0), ``a^T x = b`` (1) or ``a^H x = b`` (2) from ``lu(a)``."""
    if trans == 0:
        x = _permute_rows(perm, b)
        x = triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True)
        return triangular_solve(lu_, x, left_side=True, lower=False)
    conj = trans == 2
    x = triangular_solve(lu_, b, left_side=True, lower=False, transpose_a=True, conjugate_a=conj)
    x = triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True,
                         transpose_a=True, conjugate_a=conj)
    return _unpermute_rows(perm, x)


def _solve_t(a, b):
    """``inv(a) @ b`` for square ``a`` and matrices ``b`` with a's batch dims (LU)."""
    lu_, _, perm = lu(a)
    return _lu_solve_t(lu_, perm, b)
