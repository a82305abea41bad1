"""Triangular solves (``?trsm``)."""

from .. import shape as _shape
from ... import dtypes
from ...core import Primitive, abstract_eval_rules, get_aval
from ...interpreters import ad, batching
from ...interpreters.ad import Zero, jvp_rules, transpose_rules, zero_tangent
from ...interpreters.batching import batch_rules
from ...interpreters.lowering import lowering_rules
from ..elementwise import conj as _conj, neg as _neg
from ._lapack import (_LAPACK_PREFIX, _T, _char_attr, _ffi_call, _mm, _target, _tril_t, _triu_t,
                      _weak)

__all__ = ['triangular_solve', 'triangular_solve_p']


# ---------------------------------------------------------------------------
# triangular_solve


def triangular_solve(a, b, left_side=False, lower=False, transpose_a=False, conjugate_a=False,
                     unit_diagonal=False):
    """Solve ``op(a) @ x = b`` (``left_side``) or ``x @ op(a) = b`` for ``x``; ``a`` triangular.

    ``op(a)`` is ``a``, its transpose (``transpose_a``) or conjugate transpose (both
    flags). Lowers to LAPACK ``?trsm`` (``stablehlo.triangular_solve`` for float16/bfloat16).

    Args:
      a: ``[..., m, m]`` triangular matrices; only the triangle named by ``lower`` is read.
      b: ``[..., m, n]`` if ``left_side`` else ``[..., n, m]``; a ``[..., m]`` vector is
        treated as one column (row) and the result has its shape.
      unit_diagonal: assume ones on the diagonal of ``a`` (not read).

    Returns:
      ``x`` with the shape and dtype of ``b``.
    """
    a_aval, b_aval = get_aval(a), get_aval(b)
    conjugate_a = bool(conjugate_a) and dtypes.is_complex(a_aval.dtype)
    vector = b_aval.ndim == a_aval.ndim - 1
    if vector:
        b = _shape.reshape(b, b_aval.shape + (1,) if left_side
                           else b_aval.shape[:-1] + (1, b_aval.shape[-1]))
    out = triangular_solve_p.bind(a, b, left_side=bool(left_side), lower=bool(lower),
                                  transpose_a=bool(transpose_a), conjugate_a=conjugate_a,
                                  unit_diagonal=bool(unit_diagonal))
    return _shape.reshape(out, b_aval.shape) if vector else out


triangular_solve_p = Primitive("triangular_solve")


def _triangular_solve_abstract_eval(a, b, *, left_side, lower, transpose_a, conjugate_a,
                                    unit_diagonal):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"triangular_solve: a must be square matrices [..., m, m], got shape "
                         f"{a.shape}")
    if not dtypes.is_inexact(a.dtype) or a.dtype != b.dtype:
        raise TypeError(f"triangular_solve: a and b must have the same floating or complex "
                        f"dtype, got {a.dtype.name} and {b.dtype.name}")
    common = b.shape[-2] if left_side else b.shape[-1]
    if b.ndim != a.ndim or b.shape[:-2] != a.shape[:-2] or common != a.shape[-1]:
        side = "[..., m, n]" if left_side else "[..., n, m]"
        raise ValueError(f"triangular_solve: incompatible shapes a={a.shape} and b={b.shape} "
                         f"(with left_side={left_side}, b must be {side} with a's batch dims)")
    return b.update(weak_type=_weak(a, b))


def _triangular_solve_lowering(ctx, a, b, *, left_side, lower, transpose_a, conjugate_a,
                               unit_diagonal):
    a_aval, b_aval = ctx.avals_in
    if conjugate_a and not transpose_a:
        a = ctx.op("chlo.conj", [a], a_aval)
        conjugate_a = False
    if a_aval.dtype.name in _LAPACK_PREFIX:
        attrs = {"side": _char_attr("L" if left_side else "R"),
                 "uplo": _char_attr("L" if lower else "U"),
                 "trans_x": _char_attr(("C" if conjugate_a else "T") if transpose_a else "N"),
                 "diag": _char_attr("U" if unit_diagonal else "N")}
        return _ffi_call(ctx, _target("trsm", a_aval.dtype), [a, b], [a_aval, b_aval], [b_aval],
                         attrs, {1: 0})[0]
    transpose = ("ADJOINT" if conjugate_a else "TRANSPOSE") if transpose_a else "NO_TRANSPOSE"
    flag = lambda v: "true" if v else "false"  # noqa: E731
    return ctx.op("stablehlo.triangular_solve", [a, b], b_aval, attrs={
        "left_side": flag(left_side), "lower": flag(lower), "unit_diagonal": flag(unit_diagonal),
        "transpose_a": f"#stablehlo<transpose {transpose}>"})


abstract_eval_rules[triangular_solve_p] = _triangular_solve_abstract_eval
lowering_rules[triangular_solve_p] = _triangular_solve_lowering


def _triangular_solve_jvp_a(g_a, ans, a, *, left_side, lower, transpose_a, conjugate_a,
                            unit_diagonal):
    """Tangent from ``a``: ``-op(a)^-1 op(g_a) x`` (left) or ``-x op(g_a) op(a)^-1``, in the
    cheaper order (as JAX)."""
    m, n = get_aval(ans).shape[-2:]
    k = 1 if unit_diagonal else 0
    g_a = _neg(_tril_t(g_a, -k) if lower else _triu_t(g_a, k))
    g_a = _T(g_a) if transpose_a else g_a
    g_a = _conj(g_a) if conjugate_a else g_a

    def a_inverse(rhs):
        return triangular_solve_p.bind(a, rhs, left_side=left_side, lower=lower,
                                       transpose_a=transpose_a, conjugate_a=conjugate_a,
                                       unit_diagonal=unit_diagonal)
    if left_side:
        return a_inverse(_mm(g_a, ans)) if m > n else _mm(a_inverse(g_a), ans)
    return a_inverse(_mm(ans, g_a)) if m < n else _mm(ans, a_inverse(g_a))


def _triangular_solve_jvp(primals, tangents, **params):
    a, b = primals
    g_a, g_b = tangents
    ans = triangular_solve_p.bind(a, b, **params)
    out = zero_tangent(get_aval(ans))
    if type(g_b) is not Zero:
        out = triangular_solve_p.bind(a, g_b, **params)
    if type(g_a) is not Zero:
        out = ad.add_tangents(out, _triangular_solve_jvp_a(g_a, ans, a, **params))
    return ans, out


def _triangular_solve_transpose(ct, a, b, *, left_side, lower, transpose_a, conjugate_a,
                                unit_diagonal):
    """Linear in ``b`` only: solve with ``op(a)`` transposed."""
    if ad.is_undefined(a):
        raise NotImplementedError("transpose rule for 'triangular_solve': the matrix a is not a "
                                  "linear argument (only b is)")
    if type(ct) is Zero:
        return [None, Zero(b.aval)]
    return [None, triangular_solve_p.bind(a, ct, left_side=left_side, lower=lower,
                                          transpose_a=not transpose_a, conjugate_a=conjugate_a,
                                          unit_diagonal=unit_diagonal)]


def _triangular_solve_batch(axis_data, args, dims, *, left_side, **params):
    """An unbatched ``a`` solves every batch member at once: the vmapped axis of ``b``
    joins its columns (rows when ``left_side`` is False), as in JAX."""
    (a, b), (da, db) = args, dims
    if da is None:
        b = batching.moveaxis(b, db, -1 if left_side else -2)
        shape = get_aval(b).shape
        if left_side:
            flat = _shape.reshape(b, shape[:-2] + (shape[-2] * shape[-1],))
            out_dim = len(shape) - 1
        else:
            flat = _shape.reshape(b, shape[:-3] + (shape[-3] * shape[-2], shape[-1]))
            out_dim = len(shape) - 2
        out = triangular_solve_p.bind(a, flat, left_side=left_side, **params)
        return _shape.reshape(out, shape), out_dim
    a = batching.bdim_at_front(a, da, axis_data.size)
    b = batching.bdim_at_front(b, db, axis_data.size)
    return triangular_solve_p.bind(a, b, left_side=left_side, **params), 0


jvp_rules[triangular_solve_p] = _triangular_solve_jvp
transpose_rules[triangular_solve_p] = _triangular_solve_transpose
batch_rules[triangular_solve_p] = _triangular_solve_batch
