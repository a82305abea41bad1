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
from . import shape as _shape
from .elementwise import add as _add, conj as _conj, div as _div

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
batch_rules[triangular_solve_p] = _batch_leading(triangular_solve_p)


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


# ---------------------------------------------------------------------------
# eig


def eig(x, *, compute_left_eigenvectors=True, compute_right_eigenvectors=True):
    """Eigendecomposition of general square matrices. Lowers to LAPACK ``?geev``.

    Args:
      x: ``[..., n, n]`` matrices.
      compute_left_eigenvectors, compute_right_eigenvectors: which eigenvectors to return.

    Returns:
      ``[w, vl, vr]`` (the eigenvector entries only if requested): complex eigenvalues
      ``w`` (``[..., n]``, in LAPACK's order) and complex eigenvectors as columns.
      Failed decompositions (including non-finite input) give NaNs.
    """
    return eig_p.bind(x, compute_left_eigenvectors=bool(compute_left_eigenvectors),
                      compute_right_eigenvectors=bool(compute_right_eigenvectors))


eig_p = Primitive("eig", multiple_results=True)


def _eig_abstract_eval(x, *, compute_left_eigenvectors, compute_right_eigenvectors):
    _check_matrix("eig", x, square=True)
    dtype = _complex_dtype(x.dtype)
    vecs = [ShapedArray(x.shape, dtype, x.weak_type)] * (compute_left_eigenvectors
                                                         + compute_right_eigenvectors)
    return [ShapedArray(x.shape[:-1], dtype, x.weak_type)] + vecs


def _eig_lowering(ctx, x, *, compute_left_eigenvectors, compute_right_eigenvectors):
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
