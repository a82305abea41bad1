"""Shared pieces of ``glassbox.lax.linalg``: dtype checks, the typed-FFI LAPACK call, the
StableHLO emitters the lowerings share, the leading-batch-dims batching rule, and small
traceable helpers (triangles, identities, diagonals, batched matrix products) for the
jvp rules. Private to the package."""
import numpy as np

from .. import bitwise as _bitwise, elementwise as _ew, shape as _shape, slicing as _slicing
from ... import dtypes
from ...core import ShapedArray, get_aval
from ...interpreters import batching
from ...interpreters.lowering import i64_array
from ..dot import Precision as _Precision, dot_general as _dot_general
from ..elementwise import add as _add, conj as _conj, div as _div

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


def _check_linalg(name, avals, ranks, accepted=("floating", "complexfloating")):
    """JAX's checks for a linalg primitive: each operand has at least the rank its matrix
    (2) or vector (1) needs, the same number of batch dims, and a dtype in ``accepted``
    (the messages are JAX's). float16/bfloat16 pass here and fail at lowering (no LAPACK
    kernel), as in JAX."""
    kinds = {"floating": dtypes.is_float, "complexfloating": dtypes.is_complex}
    for i, (aval, rank) in enumerate(zip(avals, ranks)):
        if aval.ndim < rank:
            raise TypeError(f"Input {i} to {name} must have rank at least {rank}, but got "
                            f"shape={aval.shape}")
        if not any(kinds[k](aval.dtype) for k in accepted):
            raise TypeError(f"{name} does not accept dtype {aval.dtype.name} at position {i}. "
                            f"Accepted dtypes at position {i} are subtypes of "
                            f"{', '.join(accepted)}.")
    if len({a.ndim - r for a, r in zip(avals, ranks)}) > 1:
        raise TypeError(f"All inputs to {name} must have the same number of batch dimensions, "
                        f"but got {[a.ndim - r for a, r in zip(avals, ranks)]} batch dimensions "
                        f"for the inputs.")


def _is_real(dtype):
    return not dtypes.is_complex(dtype)


def _real_dtype(dtype):
    return np.finfo(dtype).dtype


def _complex_dtype(dtype):
    return np.dtype(np.complex64) if np.finfo(dtype).bits == 32 else np.dtype(np.complex128)


def _target(base, dtype):
    if np.dtype(dtype).name not in _LAPACK_PREFIX:
        raise NotImplementedError(f"Unsupported dtype {np.dtype(dtype).name}: LAPACK's ?{base} on "
                                  f"CPU takes float32, float64, complex64 and complex128")
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
