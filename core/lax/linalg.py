"""``glassbox.lax.linalg``: matrix factorizations, lowered to jaxlib's LAPACK kernels.

Each primitive lowers, as JAX does on CPU, to a ``stablehlo.custom_call`` of a
typed-FFI LAPACK kernel shipped in jaxlib (``lapack_spotrf_ffi``,
``lapack_dgesdd_ffi``...; ``api_version = 4``, attributes in a dictionary
``backend_config``). The kernels work on column-major matrices, so the call
states column-major ``operand_layouts``/``result_layouts`` for the matrix
operands and XLA inserts the transposes. Kernels report failure in an
``info`` output; like JAX, the lowering turns failed batch elements into NaNs.

Leading dimensions are batch dimensions: every primitive here takes
``[..., m, n]`` matrices and the kernels loop over the batch.

The runtime registers the kernels with XLA the first time a module that
mentions ``lapack_`` is compiled (``runtime.register_lapack``).

Primitives: ``cholesky_p``, ``eig_p``, ``triangular_solve_p``, ``lu_p``,
``lu_pivots_to_permutation_p``, ``geqrf_p``, ``householder_product_p``,
``qr_p``, ``eigh_p``, ``svd_p``.
"""
import numpy as np

from .. import dtypes
from ..interpreters import batching
from ..interpreters.batching import batch_rules
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..interpreters.lowering import i64_array, lowering_rules
from ..interpreters import ad
from ..interpreters.ad import Zero, instantiate, jvp_rules, transpose_rules, zero_tangent
from . import bitwise as _bitwise, elementwise as _ew, reductions as _reductions
from .dot import Precision as _Precision, dot_general as _dot_general
from . import shape as _shape, slicing as _slicing
from .elementwise import add as _add, conj as _conj, div as _div, mul as _mul, neg as _neg
from .elementwise import sub as _sub

__all__ = ["cholesky", "cholesky_p", "eig", "eig_p", "triangular_solve", "triangular_solve_p",
           "lu", "lu_p", "lu_pivots_to_permutation", "lu_pivots_to_permutation_p",
           "geqrf", "geqrf_p",
           "householder_product", "householder_product_p", "qr", "qr_p", "eigh", "eigh_p",
           "svd", "svd_p", "symmetrize"]

_LAPACK_PREFIX = {"float32": "s", "float64": "d", "complex64": "c", "complex128": "z"}
_I32 = np.dtype(np.int32)

# ---------------------------------------------------------------------------
# Shared checks


def _check_matrix(name, aval, square=False):
    """Linalg primitives take ``[..., m, n]`` LAPACK-typed matrices; say what is wrong."""
    if aval.ndim < 2:
        raise ValueError(f"{name}: expected an array of matrices with shape [..., m, n], got "
                         f"shape {aval.shape}")
    if square and aval.shape[-1] != aval.shape[-2]:
        raise ValueError(f"{name}: expected square matrices with shape [..., n, n], got shape "
                         f"{aval.shape}")
    if aval.dtype.name not in _LAPACK_PREFIX:
        raise TypeError(f"{name}: LAPACK on CPU supports float32, float64, complex64 and "
                        f"complex128, got {aval.dtype.name} (convert with .astype first)")


def _real_dtype(dtype):
    return np.finfo(dtype).dtype


def _complex_dtype(dtype):
    return np.dtype(np.complex64) if np.finfo(dtype).bits == 32 else np.dtype(np.complex128)


def _target(base, dtype):
    return f"lapack_{_LAPACK_PREFIX[np.dtype(dtype).name]}{base}_ffi"


# ---------------------------------------------------------------------------
# StableHLO emitters used by the lowerings below


def _char_attr(c):
    return f"{ord(c)} : ui8"


def _layout(rank, column_major):
    """Minor-to-major dims: LAPACK matrices are column-major, the rest row-major."""
    if column_major:
        dims = [rank - 2, rank - 1] + list(range(rank - 3, -1, -1))
    else:
        dims = list(range(rank - 1, -1, -1))
    body = ", ".join(map(str, dims))
    return f"dense<[{body}]> : tensor<{rank}xindex>" if dims else "dense<> : tensor<0xindex>"


def _ffi_call(ctx, target, operands, avals_in, avals_out, attrs=None, aliases=None):
    """A typed-FFI ``stablehlo.custom_call``; arrays of the largest rank are column-major."""
    rank = max(a.ndim for a in avals_in)
    config = ", ".join(f"{k} = {v}" for k, v in (attrs or {}).items())
    call_attrs = {
        "api_version": "4 : i32",
        "backend_config": "{" + config + "}",
        "call_target_name": f'"{target}"',
        "operand_layouts": "[" + ", ".join(_layout(a.ndim, a.ndim == rank) for a in avals_in) + "]",
        "result_layouts": "[" + ", ".join(_layout(a.ndim, a.ndim == rank) for a in avals_out) + "]",
    }
    if aliases:
        call_attrs["output_operand_aliases"] = "[" + ", ".join(
            # a single (non-tuple) result is addressed by the empty index path
            f"#stablehlo.output_operand_alias<output_tuple_indices = "
            f"[{out if len(avals_out) > 1 else ''}], operand_index = {arg}, "
            f"operand_tuple_indices = []>" for arg, out in aliases.items()) + "]"
    return ctx.op("stablehlo.custom_call", list(operands), list(avals_out), attrs=call_attrs)


def _full(ctx, value, aval):
    scalar = ctx.constant(np.array(value, aval.dtype), ShapedArray((), aval.dtype))
    return _bcast(ctx, scalar, (), aval, ())


def _bcast(ctx, x, shape_in, aval_out, dims):
    if tuple(shape_in) == aval_out.shape and tuple(dims) == tuple(range(len(shape_in))):
        return x
    return ctx.op("stablehlo.broadcast_in_dim", [x], aval_out,
                  attrs={"broadcast_dimensions": i64_array(dims)})


def _iota(ctx, aval, dim):
    return ctx.op("stablehlo.iota", [], aval, attrs={"iota_dimension": f"{dim} : i64"})


def _compare(ctx, x, y, direction, aval_in):
    kind = "FLOAT" if dtypes.is_inexact(aval_in.dtype) else "SIGNED"
    return ctx.op("stablehlo.compare", [x, y], aval_in.update(dtype=np.bool_, weak_type=False),
                  attrs={"comparison_direction": f"#stablehlo<comparison_direction {direction}>",
                         "compare_type": f"#stablehlo<comparison_type {kind}>"})


def _select(ctx, pred, x, y, aval):
    return ctx.op("stablehlo.select", [pred, x, y], aval)


def _nan_where_failed(ctx, ok, batch, x, aval):
    """``x`` with the matrices of failed batch elements (``ok`` false) replaced by NaN."""
    ok = _bcast(ctx, ok, batch, ShapedArray(aval.shape, np.bool_), tuple(range(len(batch))))
    nan = np.nan + 1j * np.nan if dtypes.is_complex(aval.dtype) else np.nan
    return _select(ctx, ok, x, _full(ctx, nan, aval), aval)


def _info_ok(ctx, info, batch, direction="EQ"):
    zero = _full(ctx, 0, ShapedArray(batch, _I32))
    return _compare(ctx, info, zero, direction, ShapedArray(batch, _I32))


def _tri_mask(ctx, shape, k):
    """Bool mask of the last two dims: True where ``col <= row + k`` (NumPy's ``tri``)."""
    m, n = shape[-2:]
    iaval = ShapedArray((m, n), _I32)
    rows = ctx.op("stablehlo.add", [_iota(ctx, iaval, 0), _full(ctx, k, iaval)], iaval)
    mask = _compare(ctx, rows, _iota(ctx, iaval, 1), "GE", iaval)
    nb = len(shape) - 2
    return _bcast(ctx, mask, (m, n), ShapedArray(shape, np.bool_), (nb, nb + 1))


def _tril(ctx, x, aval, k=0):
    return _select(ctx, _tri_mask(ctx, aval.shape, k), x, _full(ctx, 0, aval), aval)


def _triu(ctx, x, aval, k=0):
    return _select(ctx, _tri_mask(ctx, aval.shape, k - 1), _full(ctx, 0, aval), x, aval)


def _slice_last2(ctx, x, aval, rows, cols):
    nb = aval.ndim - 2
    out = aval.update(shape=aval.shape[:nb] + (rows, cols))
    return ctx.op("stablehlo.slice", [x], out,
                  attrs={"start_indices": i64_array([0] * aval.ndim),
                         "limit_indices": i64_array(out.shape),
                         "strides": i64_array([1] * aval.ndim)}), out


def _eye(ctx, aval):
    """Identity matrices (ones where row == col) broadcast over the batch dims."""
    return _select(ctx, _diag_mask(ctx, aval.shape), _full(ctx, 1, aval), _full(ctx, 0, aval),
                   aval)


def _diag_mask(ctx, shape):
    m, n = shape[-2:]
    iaval = ShapedArray((m, n), _I32)
    mask = _compare(ctx, _iota(ctx, iaval, 0), _iota(ctx, iaval, 1), "EQ", iaval)
    nb = len(shape) - 2
    return _bcast(ctx, mask, (m, n), ShapedArray(shape, np.bool_), (nb, nb + 1))


def _weak(*avals):
    return all(a.weak_type for a in avals)


# Batching: every primitive here already maps over leading dimensions, so a vmapped
# axis just moves to the front (unbatched operands are broadcast there).


def _batch_leading(prim):
    def rule(axis_data, args, dims, **params):
        args = [batching.bdim_at_front(x, d, axis_data.size) for x, d in zip(args, dims)]
        out = prim.bind(*args, **params)
        return (out, [0] * len(out)) if prim.multiple_results else (out, 0)
    rule.__name__ = f"_{prim.name}_batch"
    return rule


# ---------------------------------------------------------------------------
# Helpers for the traceable wrappers


def _T(x):
    nd = get_aval(x).ndim
    return _shape.transpose(x, tuple(range(nd - 2)) + (nd - 1, nd - 2))


def _H(x):
    x = _T(x)
    return _conj(x) if dtypes.is_complex(get_aval(x).dtype) else x


def symmetrize(x):
    """``(x + x^H) / 2``: the Hermitian part of ``x`` (JAX's ``symmetrize``)."""
    return _div(_add(x, _H(x)), np.array(2, get_aval(x).dtype))   # lax does not promote a 2


# ---------------------------------------------------------------------------
# Traceable helpers for the jvp rules (lax only: this module sits below jnp)


def _mm(a, b):
    """Batched matrix product ``a @ b`` (equal leading dims), at HIGHEST precision as in JAX."""
    nb = get_aval(a).ndim - 2
    batch = tuple(range(nb))
    return _dot_general(a, b, (((nb + 1,), (nb,)), (batch, batch)),
                        precision=_Precision.HIGHEST)


def _tri_keep(shape, k, lower):
    """Bool mask over ``shape``'s last two dims: ``col <= row + k`` (lower) or ``>=`` (upper)."""
    m, n = shape[-2:]
    rows = _add(_shape.broadcasted_iota(_I32, (m, n), 0), np.int32(k))
    cols = _shape.broadcasted_iota(_I32, (m, n), 1)
    mask = _bitwise.ge(rows, cols) if lower else _bitwise.le(rows, cols)
    nd = len(shape)
    return _shape.broadcast_in_dim(mask, tuple(shape), (nd - 2, nd - 1))


def _zeros(aval):
    return _shape.full(aval.shape, 0, aval.dtype)


def _tril_t(x, k=0):
    aval = get_aval(x)
    return _ew.select(_tri_keep(aval.shape, k, True), x, _zeros(aval))


def _triu_t(x, k=0):
    aval = get_aval(x)
    return _ew.select(_tri_keep(aval.shape, k, False), x, _zeros(aval))


def _eye_t(dtype, n, batch=()):
    """``batch + (n, n)`` identity matrices of ``dtype``."""
    eye = _ew.convert_element_type(_bitwise.eq(_shape.broadcasted_iota(_I32, (n, n), 0),
                                               _shape.broadcasted_iota(_I32, (n, n), 1)), dtype)
    nb = len(batch)
    return _shape.broadcast_in_dim(eye, tuple(batch) + (n, n), (nb, nb + 1)) if nb else eye


def _diag_part(x):
    """The diagonals of ``[..., n, n]`` matrices (a strided slice of the flattened matrix)."""
    aval = get_aval(x)
    *batch, n, _ = aval.shape
    flat = _shape.reshape(x, tuple(batch) + (n * n,))
    nb = len(batch)
    return _slicing.slice(flat, (0,) * (nb + 1), tuple(batch) + (n * n,),
                          (1,) * nb + (n + 1,))


def _diag_matrix(s):
    """``[..., n]`` -> ``[..., n, n]`` diagonal matrices (exact zeros elsewhere)."""
    aval = get_aval(s)
    n, nd = aval.shape[-1], aval.ndim
    shape = aval.shape + (n,)
    full = _shape.broadcast_in_dim(s, shape, tuple(range(nd - 1)) + (nd,))
    on_diag = _shape.broadcast_in_dim(
        _bitwise.eq(_shape.broadcasted_iota(_I32, (n, n), 0),
                    _shape.broadcasted_iota(_I32, (n, n), 1)), shape, (nd - 1, nd))
    return _ew.select(on_diag, full, _shape.full(shape, 0, aval.dtype))


def _real_part(x):
    return _ew.real(x) if dtypes.is_complex(get_aval(x).dtype) else x


def _as(x, dtype):
    return x if get_aval(x).dtype == np.dtype(dtype) else _ew.convert_element_type(x, dtype)


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
    """Solve ``a @ x = b`` (``trans`` 0), ``a^T`` (1) or ``a^H`` (2) from ``lu(a)``; ``b`` matrices."""
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
# geqrf and householder_product


def geqrf(x):
    """QR factorization in LAPACK's compact form. Lowers to ``?geqrf``.

    Returns:
      ``(a, taus)``: ``R`` in the upper triangle of ``a``, Householder reflectors below
      it, and their scale factors ``taus`` (``[..., min(m, n)]``).
    """
    a, taus = geqrf_p.bind(x)
    return a, taus


geqrf_p = Primitive("geqrf", multiple_results=True)


def _geqrf_abstract_eval(x):
    _check_matrix("geqrf", x)
    batch, (m, n) = x.shape[:-2], x.shape[-2:]
    return [x, x.update(shape=batch + (min(m, n),))]


def _emit_geqrf(ctx, x, aval):
    batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
    taus = aval.update(shape=batch + (min(m, n),), weak_type=False)
    return _ffi_call(ctx, _target("geqrf", aval.dtype), [x], [aval], [aval, taus], None, {0: 0})


abstract_eval_rules[geqrf_p] = _geqrf_abstract_eval
lowering_rules[geqrf_p] = lambda ctx, x: _emit_geqrf(ctx, x, ctx.avals_in[0])
batch_rules[geqrf_p] = _batch_leading(geqrf_p)


def householder_product(a, taus):
    """The orthogonal/unitary matrix with the reflectors in ``a``, ``taus`` (``?orgqr``/``?ungqr``).

    Args:
      a: ``[..., m, n]`` with ``m >= n``, reflectors below the diagonal (as ``geqrf`` leaves them).
      taus: ``[..., k]`` scale factors, ``k <= n``.

    Returns:
      ``[..., m, n]`` matrices with orthonormal columns.
    """
    return householder_product_p.bind(a, taus)


householder_product_p = Primitive("householder_product")


def _householder_product_abstract_eval(a, taus):
    _check_matrix("householder_product", a)
    m, n = a.shape[-2:]
    if m < n:
        raise ValueError(f"householder_product: a must have at least as many rows as columns, "
                         f"got shape {a.shape}")
    if taus.dtype != a.dtype or taus.shape[:-1] != a.shape[:-2] or taus.shape[-1] > n:
        raise ValueError(f"householder_product: taus must be {a.dtype.name}[..., k] with a's "
                         f"batch dims and k <= {n}, got {taus.str_short()}")
    return a.update(weak_type=_weak(a, taus))


def _emit_householder_product(ctx, a, taus, a_aval, taus_aval):
    prefix = "ungqr" if dtypes.is_complex(a_aval.dtype) else "orgqr"
    return _ffi_call(ctx, _target(prefix, a_aval.dtype), [a, taus], [a_aval, taus_aval],
                     [a_aval], None, {0: 0})[0]


abstract_eval_rules[householder_product_p] = _householder_product_abstract_eval
lowering_rules[householder_product_p] = lambda ctx, a, taus: _emit_householder_product(
    ctx, a, taus, *ctx.avals_in)
batch_rules[householder_product_p] = _batch_leading(householder_product_p)


# ---------------------------------------------------------------------------
# qr


def qr(x, *, pivoting=False, full_matrices=True):
    """QR decomposition ``x = Q @ R`` (Householder: ``?geqrf`` then ``?orgqr``/``?ungqr``).

    Args:
      x: ``[..., m, n]`` matrices.
      full_matrices: ``Q`` is ``[..., m, m]`` and ``R`` ``[..., m, n]``; if False,
        ``Q`` is ``[..., m, k]`` and ``R`` ``[..., k, n]`` with ``k = min(m, n)``.

    Returns:
      ``(q, r)``.
    """
    if pivoting:
        raise NotImplementedError("qr: pivoting=True (LAPACK geqp3) is not implemented in "
                                  "glassbox yet")
    q, r = qr_p.bind(x, full_matrices=bool(full_matrices))
    return q, r


qr_p = Primitive("qr", multiple_results=True)


def _qr_abstract_eval(x, *, full_matrices):
    _check_matrix("qr", x)
    batch, (m, n) = x.shape[:-2], x.shape[-2:]
    k = m if full_matrices else min(m, n)
    return [x.update(shape=batch + (m, k)), x.update(shape=batch + (k, n))]


def _qr_lowering(ctx, x, *, full_matrices):
    (aval,) = ctx.avals_in
    q_aval, r_aval = (a.update(weak_type=False) for a in ctx.avals_out)
    aval = aval.update(weak_type=False)
    batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
    if m == 0 or n == 0:
        return [_eye(ctx, q_aval), _full(ctx, 0, r_aval)]
    r, taus = _emit_geqrf(ctx, x, aval)
    taus_aval = aval.update(shape=batch + (min(m, n),))
    if m < n:
        q_in, q_in_aval = _slice_last2(ctx, r, aval, m, m)
    elif full_matrices and m > n:
        q_in_aval = aval.update(shape=batch + (m, m))
        zero = ctx.constant(np.array(0, aval.dtype), ShapedArray((), aval.dtype))
        q_in = ctx.op("stablehlo.pad", [r, zero], q_in_aval, attrs={
            "edge_padding_low": i64_array([0] * aval.ndim),
            "edge_padding_high": i64_array([0] * (aval.ndim - 1) + [m - n]),
            "interior_padding": i64_array([0] * aval.ndim)})
    else:
        q_in, q_in_aval = r, aval
        if not full_matrices and m > n:
            r, _ = _slice_last2(ctx, r, aval, n, n)
    q = _emit_householder_product(ctx, q_in, taus, q_in_aval, taus_aval)
    return [q, _triu(ctx, r, r_aval)]


abstract_eval_rules[qr_p] = _qr_abstract_eval
lowering_rules[qr_p] = _qr_lowering
batch_rules[qr_p] = _batch_leading(qr_p)


def _thin_qr_jvp(q, r, dx):
    """Tangents of ``x = q r`` for ``[..., m, n]`` with ``m >= n`` (J. Townsend's derivation)."""
    dx_rinv = triangular_solve(r, dx)                  # dx @ inv(r)
    qt_dx_rinv = _mm(_H(q), dx_rinv)
    lower = _tril_t(qt_dx_rinv, -1)
    do = _sub(lower, _H(lower))                        # skew-Hermitian
    aval = get_aval(qt_dx_rinv)
    if dtypes.is_complex(aval.dtype):                  # the imaginary diagonal, for complex
        n = get_aval(r).shape[-1]
        imag = _sub(qt_dx_rinv, _as(_ew.real(qt_dx_rinv), aval.dtype))
        do = _add(do, _mul(_eye_t(aval.dtype, n, aval.shape[:-2]), imag))
    dq = _add(_mm(q, _sub(do, qt_dx_rinv)), dx_rinv)
    dr = _mm(_sub(qt_dx_rinv, do), r)
    return dq, dr


def _slice_cols(x, start, stop):
    aval = get_aval(x)
    return _slicing.slice(x, (0,) * (aval.ndim - 1) + (start,), aval.shape[:-1] + (stop,))


def _slice_rows(x, start, stop):
    aval = get_aval(x)
    return _slicing.slice(x, (0,) * (aval.ndim - 2) + (start, 0),
                          aval.shape[:-2] + (stop, aval.shape[-1]))


def _qr_jvp(primals, tangents, *, full_matrices):
    (x,), (dx,) = primals, tangents
    q, r = qr_p.bind(x, full_matrices=full_matrices)
    if type(dx) is Zero:
        return [q, r], [zero_tangent(get_aval(q)), zero_tangent(get_aval(r))]
    aval = get_aval(x)
    m, n = aval.shape[-2:]
    if m < n:
        # x = q [r1 r2]: the square part is an ordinary QR; r2 = q^H x2.
        dq, dr1 = _thin_qr_jvp(q, _slice_cols(r, 0, m), _slice_cols(dx, 0, m))
        dr2 = _add(_mm(_H(dq), _slice_cols(x, m, n)), _mm(_H(q), _slice_cols(dx, m, n)))
        return [q, r], [dq, _shape.concatenate([dr1, dr2], aval.ndim - 1)]
    q_mn = _slice_cols(q, 0, n) if full_matrices else q
    r_nn = _slice_rows(r, 0, n) if full_matrices else r
    dq_mn, dr_nn = _thin_qr_jvp(q_mn, r_nn, dx)
    if not full_matrices or m == n:
        return [q, r], [dq_mn, dr_nn]
    # The completed columns of q (arXiv:2409.13374, eqs. 32-33), as JAX.
    batch = aval.shape[:-2]
    q_nn, q_pn, q_mp = _slice_rows(q_mn, 0, n), _slice_rows(q_mn, n, m), _slice_cols(q, n, m)
    dq_nn, dq_pn = _slice_rows(dq_mn, 0, n), _slice_rows(dq_mn, n, m)
    lu_, _, perm = lu(_sub(q_nn, _eye_t(aval.dtype, n, batch)))
    z_pn_h = _lu_solve_t(lu_, perm, _H(q_pn), trans=2)
    z_pn = _H(z_pn_h)
    dq_mp = _sub(_mm(dq_mn, z_pn_h), _mm(_add(q_mn, _mm(q_mp, z_pn)),
                                          _H(_sub(dq_pn, _mm(z_pn, dq_nn)))))
    dq = _shape.concatenate([dq_mn, dq_mp], aval.ndim - 1)
    dr = _shape.concatenate([dr_nn, _shape.full(batch + (m - n, n), 0, aval.dtype)],
                            aval.ndim - 2)
    return [q, r], [dq, dr]


jvp_rules[qr_p] = _qr_jvp


# ---------------------------------------------------------------------------
# eigh


def eigh(x, *, lower=True, symmetrize_input=True, sort_eigenvalues=True, subset_by_index=None):
    """Eigendecomposition of Hermitian (real symmetric) matrices. Lowers to ``?syevd``/``?heevd``.

    Args:
      x: ``[..., n, n]`` Hermitian matrices.
      lower: which triangle is read when ``symmetrize_input`` is False.
      symmetrize_input: use ``(x + x^H) / 2``.
      sort_eigenvalues: accepted for compatibility; LAPACK always sorts (ascending).
      subset_by_index: only ``None`` or ``(0, n)`` (all eigenvalues) is supported on CPU.

    Returns:
      ``(v, w)``: eigenvectors as columns ``v[..., :, i]`` and real eigenvalues ``w``
      in ascending order. Failed decompositions give NaNs.
    """
    if symmetrize_input:
        x = symmetrize(x)
    n = get_aval(x).shape[-1] if get_aval(x).ndim else 0
    if subset_by_index is not None and tuple(subset_by_index) != (0, n):
        raise NotImplementedError("eigh: subset_by_index is not supported on CPU (as in JAX)")
    v, w = eigh_p.bind(x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues))
    return v, w


eigh_p = Primitive("eigh", multiple_results=True)


def _eigh_abstract_eval(x, *, lower, sort_eigenvalues):
    _check_matrix("eigh", x, square=True)
    return [x, ShapedArray(x.shape[:-1], _real_dtype(x.dtype), x.weak_type)]


def _eigh_lowering(ctx, x, *, lower, sort_eigenvalues):
    (aval,) = ctx.avals_in
    v_aval, w_aval = ctx.avals_out
    batch = aval.shape[:-2]
    prefix = "heevd" if dtypes.is_complex(aval.dtype) else "syevd"
    v, w, info = _ffi_call(ctx, _target(prefix, aval.dtype), [x], [aval],
                           [v_aval, w_aval, ShapedArray(batch, _I32)],
                           {"uplo": _char_attr("L" if lower else "U"), "mode": _char_attr("V")},
                           {0: 0})
    ok = _info_ok(ctx, info, batch)
    return [_nan_where_failed(ctx, ok, batch, v, v_aval), _nan_where_failed(ctx, ok, batch, w,
                                                                             w_aval)]


abstract_eval_rules[eigh_p] = _eigh_abstract_eval
lowering_rules[eigh_p] = _eigh_lowering
batch_rules[eigh_p] = _batch_leading(eigh_p)


def _eigh_jvp(primals, tangents, *, lower, sort_eigenvalues):
    """Non-degenerate perturbation theory (Giles 2008, sec. 3.1), as JAX: with distinct
    eigenvalues, ``w' = diag(V^H A' V)`` and ``V' = V (F * V^H A' V)``,
    ``F_ij = 1 / (w_j - w_i)`` off the diagonal."""
    (a,), (a_dot,) = primals, tangents
    v, w_real = eigh_p.bind(symmetrize(a), lower=lower, sort_eigenvalues=sort_eigenvalues)
    if type(a_dot) is Zero:
        return [v, w_real], [zero_tangent(get_aval(v)), zero_tangent(get_aval(w_real))]
    aval = get_aval(a)
    n, nd = aval.shape[-1], aval.ndim
    w = _as(w_real, aval.dtype)
    eye = _eye_t(aval.dtype, n, aval.shape[:-2])
    w_row = _shape.broadcast_in_dim(w, aval.shape, tuple(range(nd - 2)) + (nd - 1,))
    w_col = _shape.broadcast_in_dim(w, aval.shape, tuple(range(nd - 1)))
    fmat = _sub(_ew.integer_pow(_sub(_add(eye, w_row), w_col), -1), eye)
    vdag_adot_v = _mm(_mm(_H(v), a_dot), v)
    dv = _mm(v, _mul(fmat, vdag_adot_v))
    dw = _diag_part(_real_part(vdag_adot_v))
    return [v, w_real], [dv, dw]


jvp_rules[eigh_p] = _eigh_jvp


# ---------------------------------------------------------------------------
# svd


def svd(x, *, full_matrices=True, compute_uv=True, subset_by_index=None, algorithm=None):
    """Singular value decomposition ``x = U @ diag(s) @ Vh``. Lowers to ``?gesdd``.

    Args:
      x: ``[..., m, n]`` matrices.
      full_matrices: ``U`` is ``[..., m, m]`` and ``Vh`` ``[..., n, n]``; else
        ``[..., m, k]`` and ``[..., k, n]`` with ``k = min(m, n)``.
      compute_uv: also return ``U`` and ``Vh``.
      subset_by_index, algorithm: only the defaults are supported on CPU.

    Returns:
      ``(u, s, vh)`` if ``compute_uv`` else ``s``; ``s`` is real, descending.
    """
    if subset_by_index is not None:
        m, n = get_aval(x).shape[-2:]
        if tuple(subset_by_index) != (0, min(m, n)):
            raise NotImplementedError("svd: subset_by_index is not supported on CPU (as in JAX)")
    if algorithm not in (None, "default") and getattr(algorithm, "value", None) != "default":
        raise NotImplementedError(f"svd: algorithm={algorithm!r} is not supported; glassbox uses "
                                  f"LAPACK gesdd (the default)")
    result = svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv))
    if compute_uv:
        s, u, vh = result
        return u, s, vh
    return result[0]


svd_p = Primitive("svd", multiple_results=True)


def _svd_shapes(aval, full_matrices):
    batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
    k = min(m, n)
    return batch + (k,), batch + (m, m if full_matrices else k), batch + (
        n if full_matrices else k, n)


def _svd_abstract_eval(x, *, full_matrices, compute_uv):
    _check_matrix("svd", x)
    s, u, vh = _svd_shapes(x, full_matrices)
    out = [ShapedArray(s, _real_dtype(x.dtype), x.weak_type)]
    return out + [x.update(shape=u), x.update(shape=vh)] if compute_uv else out


def _svd_lowering(ctx, x, *, full_matrices, compute_uv):
    (aval,) = ctx.avals_in
    aval = aval.strip_weak_type()
    batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
    s_shape, u_shape, vh_shape = _svd_shapes(aval, full_matrices)
    s_aval = ShapedArray(s_shape, _real_dtype(aval.dtype))
    u_aval, vh_aval = aval.update(shape=u_shape), aval.update(shape=vh_shape)
    if m == 0 or n == 0:
        s = _full(ctx, 0, s_aval)
        return [s, _eye(ctx, u_aval), _eye(ctx, vh_aval)] if compute_uv else [s]
    mode = "N" if not compute_uv else ("A" if full_matrices else "S")
    _, s, u, vh, info = _ffi_call(ctx, _target("gesdd", aval.dtype), [x], [aval],
                                  [aval, s_aval, u_aval, vh_aval, ShapedArray(batch, _I32)],
                                  {"mode": _char_attr(mode)}, {0: 0})
    ok = _info_ok(ctx, info, batch)
    s = _nan_where_failed(ctx, ok, batch, s, s_aval)
    if not compute_uv:
        return [s]
    return [s, _nan_where_failed(ctx, ok, batch, u, u_aval),
            _nan_where_failed(ctx, ok, batch, vh, vh_aval)]


abstract_eval_rules[svd_p] = _svd_abstract_eval
lowering_rules[svd_p] = _svd_lowering
batch_rules[svd_p] = _batch_leading(svd_p)


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv):
    """Tangents of the thin SVD (Townsend 2016; Giles 2008), as JAX; the full-matrices
    case of non-square input has no rule (as in JAX)."""
    (a,), (da,) = primals, tangents
    aval = get_aval(a)
    m, n = aval.shape[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError("Singular value decomposition JVP not implemented for full "
                                  "matrices")
    s, u, vt = svd_p.bind(a, full_matrices=False, compute_uv=True)
    primal = [s, u, vt] if compute_uv else [s]
    if type(da) is Zero:
        return primal, [zero_tangent(get_aval(x)) for x in primal]
    dtype, nd = aval.dtype, aval.ndim
    s_aval = get_aval(s)
    k = s_aval.shape[-1]
    ut, v = _H(u), _H(vt)
    ds_full = _mm(_mm(ut, da), v)
    ds = _diag_part(_real_part(ds_full))
    if not compute_uv:
        return primal, [ds]
    kk = s_aval.shape + (k,)
    s_row = _shape.broadcast_in_dim(s, kk, tuple(range(nd - 2)) + (nd - 1,))   # s_j
    s_col = _shape.broadcast_in_dim(s, kk, tuple(range(nd - 1)))               # s_i
    s_diffs = _mul(_add(s_row, s_col), _sub(s_row, s_col))
    eye = _eye_t(s_aval.dtype, k, s_aval.shape[:-1])
    f = _sub(_div(_shape.full(kk, 1, s_aval.dtype), _add(s_diffs, eye)), eye)
    dss = _mul(_as(s_row, dtype), ds_full)
    sds = _mul(_as(s_col, dtype), ds_full)
    s_zeros = _as(_bitwise.eq(s, _shape.full(s_aval.shape, 0, s_aval.dtype)), s_aval.dtype)
    s_inv = _sub(_div(_shape.full(s_aval.shape, 1, s_aval.dtype), _add(s, s_zeros)), s_zeros)
    dudv_diag = _mul(_mul(_sub(ds_full, _H(ds_full)), np.array(0.5, dtype)),
                     _as(_diag_matrix(s_inv), dtype))
    f_c = _as(f, dtype)
    du = _mm(u, _add(_mul(f_c, _add(dss, _H(dss))), dudv_diag))
    dv = _mm(v, _mul(f_c, _add(sds, _H(sds))))
    if m > n:
        dav = _mm(da, v)
        du = _add(du, _div(_sub(dav, _mm(u, _mm(ut, dav))),
                           _as(_shape.broadcast_in_dim(s, aval.shape[:-2] + (m, k),
                                                       tuple(range(nd - 2)) + (nd - 1,)), dtype)))
    if n > m:
        dahu = _mm(_H(da), u)
        dv = _add(dv, _div(_sub(dahu, _mm(v, _mm(vt, dahu))),
                           _as(_shape.broadcast_in_dim(s, aval.shape[:-2] + (n, k),
                                                       tuple(range(nd - 2)) + (nd - 1,)), dtype)))
    return primal, [ds, du, _H(dv)]


jvp_rules[svd_p] = _svd_jvp


# ---------------------------------------------------------------------------
# eig


def eig(x, *, compute_left_eigenvectors=True, compute_right_eigenvectors=True,
        enable_eigvec_derivs=False, implementation=None, use_magma=None):
    """Eigendecomposition of general square matrices. Lowers to LAPACK ``?geev``.

    Args:
      x: ``[..., n, n]`` matrices.
      compute_left_eigenvectors, compute_right_eigenvectors: which eigenvectors to return.
      enable_eigvec_derivs: allow derivatives of the eigenvectors (valid only for distinct
        eigenvalues, which cannot be checked); eigenvalues are always differentiable.
      implementation, use_magma: accepted for compatibility (CPU has only LAPACK).

    Returns:
      ``[w, vl, vr]`` (the eigenvector entries only if requested): complex eigenvalues
      ``w`` (``[..., n]``, in LAPACK's order) and complex eigenvectors as columns.
      Failed decompositions (including non-finite input) give NaNs.
    """
    return eig_p.bind(x, compute_left_eigenvectors=bool(compute_left_eigenvectors),
                      compute_right_eigenvectors=bool(compute_right_eigenvectors),
                      enable_eigvec_derivs=bool(enable_eigvec_derivs))


eig_p = Primitive("eig", multiple_results=True)


def _eig_abstract_eval(x, *, compute_left_eigenvectors, compute_right_eigenvectors,
                       enable_eigvec_derivs=False):
    _check_matrix("eig", x, square=True)
    dtype = _complex_dtype(x.dtype)
    vecs = [ShapedArray(x.shape, dtype, x.weak_type)] * (compute_left_eigenvectors
                                                         + compute_right_eigenvectors)
    return [ShapedArray(x.shape[:-1], dtype, x.weak_type)] + vecs


def _eig_lowering(ctx, x, *, compute_left_eigenvectors, compute_right_eigenvectors,
                  enable_eigvec_derivs=False):
    (aval,) = ctx.avals_in
    aval = aval.strip_weak_type()
    batch, real = aval.shape[:-2], not dtypes.is_complex(aval.dtype)
    cdtype = _complex_dtype(aval.dtype)
    w_aval = ShapedArray(aval.shape[:-1], cdtype)
    v_aval = ShapedArray(aval.shape, cdtype)
    # Real input: eigenvalues come back as (real parts, imaginary parts).
    vals = [aval.update(shape=aval.shape[:-1])] * 2 if real else [w_aval]
    mode = lambda on: _char_attr("V" if on else "N")  # noqa: E731
    outs = _ffi_call(ctx, _target("geev", aval.dtype), [x], [aval],
                     vals + [v_aval, v_aval, ShapedArray(batch, _I32)],
                     {"compute_left": mode(compute_left_eigenvectors),
                      "compute_right": mode(compute_right_eigenvectors)})
    *w, vl, vr, info = outs
    w = ctx.op("stablehlo.complex", w, w_aval) if real else w[0]
    ok = _info_ok(ctx, info, batch)
    result = [_nan_where_failed(ctx, ok, batch, w, w_aval)]
    for wanted, v in ((compute_left_eigenvectors, vl), (compute_right_eigenvectors, vr)):
        if wanted:
            result.append(_nan_where_failed(ctx, ok, batch, v, v_aval))
    return result


abstract_eval_rules[eig_p] = _eig_abstract_eval
lowering_rules[eig_p] = _eig_lowering
batch_rules[eig_p] = _batch_leading(eig_p)


def _eig_vec_jvp(w, v, da):
    """Tangents of eigenvalues and of eigenvectors normalised as LAPACK's ``geev`` does
    (unit 2-norm, real largest component), by non-degenerate perturbation theory (as JAX)."""
    aval = get_aval(v)
    n, nd = aval.shape[-1], aval.ndim
    eye = _eye_t(aval.dtype, n, aval.shape[:-2])
    w_row = _shape.broadcast_in_dim(w, aval.shape, tuple(range(nd - 2)) + (nd - 1,))
    w_col = _shape.broadcast_in_dim(w, aval.shape, tuple(range(nd - 1)))
    fmat = _sub(_ew.reciprocal(_sub(_add(eye, w_row), w_col)), eye)
    p = _mm(_solve_t(v, da), v)
    dw = _diag_part(p)
    u = _mm(v, _mul(fmat, p))
    k = _reductions.argmax(_ew.abs(v), nd - 2, _I32)
    mask = _as(_bitwise.eq(_shape.broadcasted_iota(_I32, aval.shape, nd - 2),
                           _shape.expand_dims(k, (nd - 2,))), aval.dtype)
    col_sum = lambda x: _reductions.reduce_sum(x, (nd - 2,))  # noqa: E731
    c = _ew.complex(_neg(_ew.real(col_sum(_mul(_conj(v), u)))),
                    _div(_neg(_ew.imag(col_sum(_mul(mask, u)))), _ew.real(col_sum(_mul(mask, v)))))
    return dw, _add(u, _mul(v, _shape.broadcast_in_dim(
        c, aval.shape, tuple(range(nd - 2)) + (nd - 1,))))


def _eig_jvp(primals, tangents, *, compute_left_eigenvectors, compute_right_eigenvectors,
             enable_eigvec_derivs=False):
    (a,), (da,) = primals, tangents
    vectors = compute_left_eigenvectors or compute_right_eigenvectors
    if vectors and not enable_eigvec_derivs:
        raise NotImplementedError(
            "Derivatives of non-symmetric eigenvectors are only valid under assumptions on the "
            "input that JAX cannot check (see the enable_eigvec_derivs argument to "
            "jax.lax.linalg.eig). Pass enable_eigvec_derivs=True to jax.lax.linalg.eig to opt "
            "in. See https://github.com/jax-ml/jax/issues/2748 for discussion.")
    outs = eig_p.bind(a, compute_left_eigenvectors=compute_left_eigenvectors,
                      compute_right_eigenvectors=True, enable_eigvec_derivs=enable_eigvec_derivs)
    w, vr = outs[0], outs[-1]
    primal = [w] + ([outs[1]] if compute_left_eigenvectors else []) + (
        [vr] if compute_right_eigenvectors else [])
    if type(da) is Zero:
        return primal, [zero_tangent(get_aval(x)) for x in primal]
    da = _as(da, get_aval(vr).dtype)
    if not vectors:
        nd = get_aval(vr).ndim
        return primal, [_reductions.reduce_sum(_mul(_solve_t(vr, da), _T(vr)), (nd - 1,))]
    dw, dvr = _eig_vec_jvp(w, vr, da)
    tangent = [dw]
    if compute_left_eigenvectors:
        tangent.append(_eig_vec_jvp(_conj(w), outs[1], _H(da))[1])
    if compute_right_eigenvectors:
        tangent.append(dvr)
    return primal, tangent


jvp_rules[eig_p] = _eig_jvp
