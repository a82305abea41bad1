"""Slicing and indexing primitives: slice, dynamic_slice, dynamic_update_slice,
gather; the scatter family (scatter, scatter_add/sub/mul/min/max) is in
scatter.py and re-exported here.

One section per primitive: public wrapper with its docstring, ``*_p``, its
shape/dtype rule (every check XLA would make, with a message naming the
argument), its lowering, and its jvp, transpose and batching rules. Start
indices are integers: they get no tangent, and batched start indices turn a
dynamic_slice into a gather (and a dynamic_update_slice into a scatter), as
in JAX.

Out-of-bounds indices follow JAX:

- ``dynamic_slice``/``dynamic_update_slice``: negative start indices count
  from the end; then XLA clamps each start so the whole window fits.
- ``gather``: ``mode`` is a :class:`GatherScatterMode`. ``CLIP`` and
  ``PROMISE_IN_BOUNDS`` lower to a plain ``stablehlo.gather`` (XLA clamps);
  ``FILL_OR_DROP`` lowers to an in-bounds gather plus a mask that puts
  ``fill_value`` in every window that was out of bounds (as JAX's ``_gather_fill``).
  The wrapper's default ``mode=None`` means ``PROMISE_IN_BOUNDS``, as in JAX.
- scatters: ``FILL_OR_DROP`` (the default) drops out-of-bounds windows, which
  ``stablehlo.scatter`` does natively; ``CLIP`` clamps the indices first.
"""
import builtins
import enum
import operator
from typing import NamedTuple

import numpy as np

from .. import dtypes
from ..dtypes import PYTHON_SCALARS
from ..interpreters import ad, batching
from ..core import (Primitive, ShapedArray, abstract_eval_rules, get_aval, impl_rules,
                    sharding_rules)
from ..interpreters.dispatch import apply_primitive
from ..interpreters.lowering import i64_array, lowering_rules
from ..interpreters.tracing import trace_to_jaxpr
from . import bitwise as _bw
from . import typed_shardings
from . import elementwise as _ew
from . import reductions as _red
from . import shape as _shape


def _ints(values, fun_name, arg_name):
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"{fun_name}: {arg_name} must be a sequence of ints, got "
                        f"{values!r} (they must be static: under jit, use dynamic_slice for "
                        f"traced start indices)") from None


def _zero_like(out):
    """The symbolic zero tangent of a primal output (integer outputs: their own aval)."""
    aval = get_aval(out)
    return ad.zero_tangent(aval)


# --- slice -------------------------------------------------------------------

def slice(operand, start_indices, limit_indices, strides=None):  # noqa: A001 (lax's name)
    """``operand[start:limit:stride]`` in every dimension (static bounds).

    Lowers to ``stablehlo.slice``. Example: ``slice(x, (1, 0), (3, 4), (1, 2))``
    is ``x[1:3, 0:4:2]``.
    """
    start = _ints(start_indices, "slice", "start_indices")
    limit = _ints(limit_indices, "slice", "limit_indices")
    strides = None if strides is None else _ints(strides, "slice", "strides")
    if strides is not None and builtins.all(s == 1 for s in strides):
        strides = None
    aval = get_aval(operand)
    if start == (0,) * aval.ndim and limit == aval.shape and strides is None:
        return operand
    return slice_p.bind(operand, start_indices=start, limit_indices=limit, strides=strides)


slice_p = Primitive("slice")


def _slice_abstract_eval(x, *, start_indices, limit_indices, strides):
    n = x.ndim
    if len(start_indices) != n or len(limit_indices) != n:
        raise TypeError(f"slice: start_indices {start_indices} and limit_indices "
                        f"{limit_indices} must have one entry per dimension of the operand "
                        f"(shape {x.shape})")
    if strides is not None and (len(strides) != n or builtins.any(s <= 0 for s in strides)):
        raise TypeError(f"slice: strides must be {n} positive ints, got {strides}")
    for lo, hi, d in zip(start_indices, limit_indices, x.shape):
        if not 0 <= lo <= hi <= d:
            raise TypeError(f"slice: need 0 <= start <= limit <= size in every dimension, got "
                            f"start_indices={start_indices}, limit_indices={limit_indices} for "
                            f"operand shape {x.shape}")
    strides = strides or (1,) * n
    shape = tuple(-(-(hi - lo) // s) for lo, hi, s in zip(start_indices, limit_indices, strides))
    return ShapedArray(shape, x.dtype, x.weak_type)


def _slice_lowering(ctx, x, *, start_indices, limit_indices, strides):
    return ctx.op("stablehlo.slice", [x], attrs={
        "start_indices": i64_array(start_indices), "limit_indices": i64_array(limit_indices),
        "strides": i64_array(strides or (1,) * len(start_indices))})


def _slice_impl(x, *, start_indices, limit_indices, strides):
    # Eagerly, run unit-stride slices as dynamic_slice with the starts as arguments
    # (as JAX does): x[0], x[1], ... then share one compiled executable.
    _slice_abstract_eval(get_aval(x), start_indices=start_indices, limit_indices=limit_indices,
                         strides=strides)   # the checks and messages of slice, not dynamic_slice
    if strides is not None:
        return apply_primitive(slice_p, (x,), dict(start_indices=start_indices,
                                                   limit_indices=limit_indices, strides=strides))
    sizes = tuple(hi - lo for lo, hi in zip(start_indices, limit_indices))
    starts = [np.int32(i) for i in start_indices]
    return apply_primitive(dynamic_slice_p, (x, *starts), {"slice_sizes": sizes})


abstract_eval_rules[slice_p] = _slice_abstract_eval
sharding_rules[slice_p] = typed_shardings.slicing
lowering_rules[slice_p] = _slice_lowering
impl_rules[slice_p] = _slice_impl


def _slice_transpose(ct, x, *, start_indices, limit_indices, strides):
    # The adjoint of taking a (strided) window is padding it back with zeros: edges for
    # the window's position, interior padding for the stride.
    if ad.is_zero(ct):
        return [ad.Zero(x.aval)]
    shape, ct_shape = x.aval.shape, get_aval(ct).shape
    strides = strides or (1,) * len(shape)
    config = []
    for lo, n, size, s in zip(start_indices, ct_shape, shape, strides):
        real_limit = lo + (0 if n == 0 else 1 + (n - 1) * s)
        config.append((lo, size - real_limit, s - 1))
    return [_shape.pad(ct, np.zeros((), x.aval.dtype)[()], config)]


def _slice_batch(axis_data, args, dims, *, start_indices, limit_indices, strides):
    b = dims[0]
    start, limit = list(start_indices), list(limit_indices)
    start.insert(b, 0)
    limit.insert(b, axis_data.size)
    if strides is not None:
        strides = strides[:b] + (1,) + strides[b:]
    return slice_p.bind(args[0], start_indices=tuple(start), limit_indices=tuple(limit),
                        strides=strides), b


ad.deflinear(slice_p, _slice_transpose)
batching.batch_rules[slice_p] = _slice_batch


def slice_in_dim(operand, start_index, limit_index, stride=1, axis=0):
    """``slice`` along one ``axis``; ``None`` and negative bounds work as in Python."""
    shape = get_aval(operand).shape
    axis = operator.index(axis) % len(shape)
    size = shape[axis]
    start = 0 if start_index is None else operator.index(start_index)
    limit = size if limit_index is None else operator.index(limit_index)
    start, limit = (start + size if start < 0 else start), (limit + size if limit < 0 else limit)
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, limit, operator.index(stride)
    return slice(operand, starts, limits, strides)


def index_in_dim(operand, index, axis=0, keepdims=True):
    """``operand`` at static ``index`` along ``axis`` (negative counts from the end)."""
    shape = get_aval(operand).shape
    axis, index = operator.index(axis) % len(shape), operator.index(index)
    wrapped = index + shape[axis] if index < 0 else index
    if not 0 <= wrapped < shape[axis]:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size "
                         f"{shape[axis]}")
    out = slice_in_dim(operand, wrapped, wrapped + 1, 1, axis)
    return out if keepdims else _shape.squeeze(out, (axis,))


# --- dynamic_slice -----------------------------------------------------------

def _index_dtype(indices):
    for i in indices:
        if type(i) not in PYTHON_SCALARS and not isinstance(i, (np.ndarray, np.generic)):
            return get_aval(i).dtype
    for i in indices:
        if isinstance(i, (np.ndarray, np.generic)):
            return dtypes.canonicalize_dtype(i.dtype)
    return dtypes.default_int()


def _dynamic_slice_indices(fun_name, operand_shape, start_indices, allow_negative_indices):
    """Start indices as scalars of one integer dtype, negative ones counted from the end."""
    start_indices = list(start_indices) if not hasattr(start_indices, "aval") else [
        _shape.squeeze(slice_in_dim(start_indices, i, i + 1), (0,))
        for i in range(get_aval(start_indices).shape[0])]
    if len(start_indices) != len(operand_shape):
        raise ValueError(f"{fun_name}: got {len(start_indices)} start indices for an operand of "
                         f"shape {operand_shape}; pass one per dimension")
    if isinstance(allow_negative_indices, bool):
        allow_negative_indices = [allow_negative_indices] * len(operand_shape)
    dtype = _index_dtype(start_indices)
    out = []
    for i, size, allow_neg in zip(start_indices, operand_shape, allow_negative_indices):
        if type(i) in PYTHON_SCALARS or isinstance(i, (np.ndarray, np.generic)):
            try:
                value = operator.index(i)
            except TypeError:
                raise TypeError(f"{fun_name}: start indices must be integer scalars, got "
                                f"{i!r}") from None
            out.append(np.array(value + size if value < 0 and allow_neg else value, dtype)[()])
        elif allow_neg and not dtypes.is_unsigned(get_aval(i).dtype):
            # constants of i's dtype: lax does not promote Python ints
            zero, size = (_ew.convert_element_type(c, get_aval(i).dtype) for c in (0, size))
            out.append(_ew.select(_bw.lt(i, zero), _ew.add(i, size), i))
        else:
            out.append(i)
    return out


def _check_index_avals(fun_name, indices):
    for a in indices:
        if a.shape != () or not dtypes.is_int(a.dtype):
            raise TypeError(f"{fun_name}: start indices must be integer scalars, got "
                            + ", ".join(b.str_short() for b in indices))
    if len({a.dtype for a in indices}) > 1:
        raise TypeError(f"{fun_name}: start indices must share one integer dtype, got "
                        + ", ".join(a.dtype.name for a in indices))


def dynamic_slice(operand, start_indices, slice_sizes, *, allow_negative_indices=True):
    """A ``slice_sizes`` window of ``operand`` starting at (possibly traced) ``start_indices``.

    Lowers to ``stablehlo.dynamic_slice``. Negative starts count from the end;
    then each start is clamped so the window fits (XLA's semantics, as in JAX):
    ``dynamic_slice(jnp.arange(5), [4], [3])`` is ``[2, 3, 4]``.
    """
    shape = get_aval(operand).shape
    sizes = _ints(slice_sizes, "dynamic_slice", "slice_sizes")
    starts = _dynamic_slice_indices("dynamic_slice", shape, start_indices,
                                    allow_negative_indices)
    return dynamic_slice_p.bind(operand, *starts, slice_sizes=sizes)


dynamic_slice_p = Primitive("dynamic_slice")


def _dynamic_slice_abstract_eval(x, *indices, slice_sizes):
    if len(indices) != x.ndim or len(slice_sizes) != x.ndim:
        raise TypeError(f"dynamic_slice: need one start index and one slice size per "
                        f"dimension of the operand (shape {x.shape}), got {len(indices)} and "
                        f"slice_sizes={slice_sizes}")
    _check_index_avals("dynamic_slice", indices)
    if builtins.any(not 0 <= s <= d for s, d in zip(slice_sizes, x.shape)):
        raise TypeError(f"dynamic_slice: slice_sizes {slice_sizes} must be between 0 and the "
                        f"operand shape {x.shape}")
    return ShapedArray(slice_sizes, x.dtype, x.weak_type)


abstract_eval_rules[dynamic_slice_p] = _dynamic_slice_abstract_eval
lowering_rules[dynamic_slice_p] = lambda ctx, x, *idx, slice_sizes: ctx.op(
    "stablehlo.dynamic_slice", [x, *idx], attrs={"slice_sizes": i64_array(slice_sizes)})


def _dynamic_slice_jvp(primals, tangents, *, slice_sizes):
    # Linear in the operand; the start indices are integers (no tangent).
    x, *idx = primals
    out = dynamic_slice_p.bind(x, *idx, slice_sizes=slice_sizes)
    if ad.is_zero(tangents[0]):
        return out, _zero_like(out)
    return out, dynamic_slice_p.bind(tangents[0], *idx, slice_sizes=slice_sizes)


def _dynamic_slice_transpose(ct, x, *idx, slice_sizes):
    if ad.is_zero(ct):
        return [ad.Zero(x.aval)] + [None] * len(idx)
    zeros = ad.zeros_like_aval(x.aval)
    return [dynamic_update_slice_p.bind(zeros, ct, *idx)] + [None] * len(idx)


def _batch_start_indices(axis_size, idx, dims):
    """Scalar start indices (some batched) as one ``(axis_size, n)`` index array."""
    cols = [_shape.reshape(batching.bdim_at_front(i, d, axis_size), (axis_size, 1))
            for i, d in zip(idx, dims)]
    return _shape.concatenate(cols, 1)


def _index_zero(idx):
    return np.zeros((), get_aval(idx[0]).dtype if idx else np.int32)[()]


def _dynamic_slice_batch(axis_data, args, dims, *, slice_sizes):
    (x, *idx), (xb, *idx_dims) = args, dims
    if builtins.all(d is None for d in idx_dims):
        # Only the operand is batched: take the whole batch dim along with the window.
        starts, sizes = list(idx), list(slice_sizes)
        starts.insert(xb, _index_zero(idx))
        sizes.insert(xb, axis_data.size)
        return dynamic_slice_p.bind(x, *starts, slice_sizes=tuple(sizes)), xb
    # Per-example starts: a gather of one window per example (XLA clamps gathers exactly
    # as it clamps dynamic_slice, and CLIP keeps the transpose exact).
    n = len(idx)
    dnums = GatherDimensionNumbers(offset_dims=tuple(range(n)), collapsed_slice_dims=(),
                                   start_index_map=tuple(range(n)))
    return _gather_batch(axis_data, [x, _batch_start_indices(axis_data.size, idx, idx_dims)],
                         [xb, 0], dimension_numbers=dnums, slice_sizes=slice_sizes,
                         unique_indices=True, indices_are_sorted=True,
                         mode=GatherScatterMode.CLIP, fill_value=None)


ad.jvp_rules[dynamic_slice_p] = _dynamic_slice_jvp
ad.transpose_rules[dynamic_slice_p] = _dynamic_slice_transpose
batching.batch_rules[dynamic_slice_p] = _dynamic_slice_batch


def dynamic_slice_in_dim(operand, start_index, slice_size, axis=0):
    """``dynamic_slice`` along one ``axis`` (the other dimensions are kept whole)."""
    shape = get_aval(operand).shape
    axis = operator.index(axis) % len(shape)
    starts, sizes = [0] * len(shape), list(shape)
    starts[axis], sizes[axis] = start_index, operator.index(slice_size)
    return dynamic_slice(operand, starts, sizes)


def dynamic_index_in_dim(operand, index, axis=0, keepdims=True):
    """``operand`` at a (possibly traced) ``index`` along ``axis``, clamped into range."""
    axis = operator.index(axis) % get_aval(operand).ndim
    out = dynamic_slice_in_dim(operand, index, 1, axis)
    return out if keepdims else _shape.squeeze(out, (axis,))


# --- dynamic_update_slice ----------------------------------------------------

def dynamic_update_slice(operand, update, start_indices, *, allow_negative_indices=True):
    """``operand`` with the window at ``start_indices`` replaced by ``update``.

    Lowers to ``stablehlo.dynamic_update_slice``. Starts are normalized and
    clamped as in :func:`dynamic_slice`, so the update always lands whole.
    """
    shape = get_aval(operand).shape
    starts = _dynamic_slice_indices("dynamic_update_slice", shape, start_indices,
                                    allow_negative_indices)
    return dynamic_update_slice_p.bind(operand, update, *starts)


dynamic_update_slice_p = Primitive("dynamic_update_slice")


def _dynamic_update_slice_abstract_eval(x, update, *indices):
    if update.dtype != x.dtype:
        raise TypeError(f"dynamic_update_slice: operand and update must have the same dtype, "
                        f"got {x.dtype.name} and {update.dtype.name}")
    if update.ndim != x.ndim or builtins.any(u > d for u, d in zip(update.shape, x.shape)):
        raise TypeError(f"dynamic_update_slice: update shape {update.shape} must have the "
                        f"operand's rank and fit inside its shape {x.shape}")
    if len(indices) != x.ndim:
        raise TypeError(f"dynamic_update_slice: need {x.ndim} start indices, got "
                        f"{len(indices)}")
    _check_index_avals("dynamic_update_slice", indices)
    return ShapedArray(x.shape, x.dtype, x.weak_type and update.weak_type)


abstract_eval_rules[dynamic_update_slice_p] = _dynamic_update_slice_abstract_eval
lowering_rules[dynamic_update_slice_p] = lambda ctx, x, update, *idx: ctx.op(
    "stablehlo.dynamic_update_slice", [x, update, *idx])


def _dynamic_update_slice_jvp(primals, tangents):
    x, update, *idx = primals
    out = dynamic_update_slice_p.bind(x, update, *idx)
    tx, tu = tangents[:2]
    if ad.is_zero(tx) and ad.is_zero(tu):
        return out, _zero_like(out)
    return out, dynamic_update_slice_p.bind(ad.instantiate(tx), ad.instantiate(tu), *idx)


def _dynamic_update_slice_transpose(ct, x, update, *idx):
    # The operand's cotangent is ct with the window zeroed; the update's is the window.
    u_aval = update.aval if ad.is_undefined(update) else get_aval(update)
    ct_x = ct_u = None
    if ad.is_undefined(x):
        ct_x = ad.Zero(x.aval) if ad.is_zero(ct) else dynamic_update_slice_p.bind(
            ct, ad.zeros_like_aval(u_aval), *idx)
    if ad.is_undefined(update):
        ct_u = ad.Zero(u_aval) if ad.is_zero(ct) else dynamic_slice_p.bind(
            ct, *idx, slice_sizes=u_aval.shape)
    return [ct_x, ct_u] + [None] * len(idx)


def _dynamic_update_slice_batch(axis_data, args, dims):
    (x, update, *idx), (xb, ub, *idx_dims) = args, dims
    if builtins.all(d is None for d in idx_dims):
        # Same starts for every example: write the update across the whole batch dim.
        (x, update), b = batching.match_bdims(axis_data.size, [x, update], [xb, ub])
        starts = list(idx)
        starts.insert(b, _index_zero(idx))
        return dynamic_update_slice_p.bind(x, update, *starts), b
    # Per-example starts: a scatter of one window per example, clamped like XLA's
    # dynamic_update_slice (as JAX does).
    n = len(idx)
    dnums = _scatter.ScatterDimensionNumbers(update_window_dims=tuple(range(n)),
                                             inserted_window_dims=(),
                                             scatter_dims_to_operand_dims=tuple(range(n)))
    batch = _scatter._scatter_batch(_scatter.scatter_p)
    return batch(axis_data, [x, _batch_start_indices(axis_data.size, idx, idx_dims), update],
                 [xb, 0, ub], dimension_numbers=dnums, indices_are_sorted=True,
                 unique_indices=True, mode=GatherScatterMode.CLIP)


ad.jvp_rules[dynamic_update_slice_p] = _dynamic_update_slice_jvp
ad.transpose_rules[dynamic_update_slice_p] = _dynamic_update_slice_transpose
batching.batch_rules[dynamic_update_slice_p] = _dynamic_update_slice_batch


def dynamic_update_slice_in_dim(operand, update, start_index, axis):
    """``dynamic_update_slice`` with a start only along ``axis`` (0 elsewhere)."""
    ndim = get_aval(operand).ndim
    axis = operator.index(axis) % ndim
    starts = [0] * ndim
    starts[axis] = start_index
    return dynamic_update_slice(operand, update, starts)


def dynamic_update_index_in_dim(operand, update, index, axis):
    """Write ``update`` (with or without the size-1 ``axis``) at ``index`` along ``axis``."""
    ndim = get_aval(operand).ndim
    axis = operator.index(axis) % ndim
    if get_aval(update).ndim == ndim - 1:
        update = _shape.expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(operand, update, index, axis)


# --- gather ------------------------------------------------------------------

class GatherDimensionNumbers(NamedTuple):
    """How ``gather``'s operand, indices and output dimensions relate (XLA's Gather).

    offset_dims: output dimensions that hold the slice (window) dimensions.
    collapsed_slice_dims: operand dimensions of slice size 1 dropped from the output.
    start_index_map: for each entry of an index vector, the operand dimension it indexes.
    operand_batching_dims / start_indices_batching_dims: paired batch dimensions.

    The index vector is always the last dimension of ``start_indices``.
    """
    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()


class GatherScatterMode(enum.Enum):
    """What gathers and scatters do with out-of-bounds indices.

    CLIP: clamp indices so the whole window is in bounds.
    FILL_OR_DROP: gathers return ``fill_value`` for out-of-bounds windows;
      scatters drop out-of-bounds updates.
    PROMISE_IN_BOUNDS: the caller promises indices are in bounds (XLA then
      clamps gathers and drops scatters).
    """
    CLIP = enum.auto()
    FILL_OR_DROP = enum.auto()
    PROMISE_IN_BOUNDS = enum.auto()

    def __repr__(self):
        return f"GatherScatterMode.{self.name}"

    @staticmethod
    def from_any(s):
        """Parse ``"clip"``, ``"fill"``/``"drop"``/``None``, ``"promise_in_bounds"`` or a mode."""
        if isinstance(s, GatherScatterMode):
            return s
        if s == "clip":
            return GatherScatterMode.CLIP
        if s is None or s == "fill" or s == "drop":
            return GatherScatterMode.FILL_OR_DROP
        if s == "promise_in_bounds":
            return GatherScatterMode.PROMISE_IN_BOUNDS
        raise ValueError(f'Unknown gather/scatter mode "{s}"; use "clip", "fill", "drop" or '
                         f'"promise_in_bounds"')


def _dnums_tuple(cls, dnums, fun_name):
    if not isinstance(dnums, cls):
        raise TypeError(f"{fun_name}: dimension_numbers must be a {cls.__name__}, got "
                        f"{type(dnums).__name__}")
    return cls(*(tuple(operator.index(d) for d in field) for field in dnums))


def default_fill_value(dtype):
    """JAX's gather fill: NaN, the lowest signed int, the highest unsigned int, True."""
    dtype = np.dtype(dtype)
    if dtypes.is_inexact(dtype):
        return np.nan
    if dtypes.is_unsigned(dtype):
        return int(dtypes.extremes(dtype)[1])
    if dtypes.is_int(dtype):
        return int(dtypes.extremes(dtype)[0])
    return True


def _canonical_fill(value, dtype):
    value = np.array(value, dtype).item()
    if isinstance(value, float) and value != value:
        value = np.nan   # one NaN object, so equal params hit the executable cache
    return value


def gather(operand, start_indices, dimension_numbers, slice_sizes, *, unique_indices=False,
           indices_are_sorted=False, mode=None, fill_value=None):
    """XLA's Gather: collect ``slice_sizes`` windows of ``operand`` at ``start_indices``.

    Prefer NumPy indexing (``x[idx]``, ``x.at[idx].get(...)``), which builds
    the dimension numbers for you. ``mode=None`` means ``PROMISE_IN_BOUNDS``
    (out-of-bounds windows are clamped); ``"fill"`` returns ``fill_value``
    (default: NaN for inexact, the lowest signed / highest unsigned int, True)
    for windows that are out of bounds. Lowers to ``stablehlo.gather``.

    >>> x = jnp.array([10, 11, 12])
    >>> dnums = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0,),
    ...                                    start_index_map=(0,))
    >>> lax.gather(x, jnp.array([[2], [0]]), dnums, slice_sizes=(1,))
    Array([12, 10], dtype=int32)
    """
    dnums = _dnums_tuple(GatherDimensionNumbers, dimension_numbers, "gather")
    mode = GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else GatherScatterMode.from_any(mode)
    if mode == GatherScatterMode.FILL_OR_DROP:
        dtype = get_aval(operand).dtype
        fill_value = _canonical_fill(default_fill_value(dtype) if fill_value is None
                                     else fill_value, dtype)
    else:
        fill_value = None
    return gather_p.bind(operand, start_indices, dimension_numbers=dnums,
                         slice_sizes=_ints(slice_sizes, "gather", "slice_sizes"),
                         unique_indices=bool(unique_indices),
                         indices_are_sorted=bool(indices_are_sorted), mode=mode,
                         fill_value=fill_value)


gather_p = Primitive("gather")


def _check_dims(op, name, dims, rank, sorted_=True):
    if sorted_ and list(dims) != sorted(dims):
        raise TypeError(f"{op}: {name} must be sorted, got {dims}")
    if len(set(dims)) != len(dims):
        raise TypeError(f"{op}: {name} must not repeat a dimension, got {dims}")
    if builtins.any(not 0 <= d < rank for d in dims):
        raise TypeError(f"{op}: {name} must be in [0, {rank}), got {dims}")


def _check_disjoint(op, name1, dims1, name2, dims2):
    if set(dims1) & set(dims2):
        raise TypeError(f"{op}: {name1} {dims1} and {name2} {dims2} must be disjoint")


def _check_indices(op, indices):
    if not dtypes.is_int(indices.dtype):
        raise TypeError(f"{op}: indices must have an integer dtype, got {indices.dtype.name}")
    if indices.ndim == 0:
        raise TypeError(f"{op}: indices must have rank >= 1 (the last dimension holds the "
                        f"index vectors), got a scalar")


def _gather_abstract_eval(x, indices, *, dimension_numbers, slice_sizes, unique_indices,
                          indices_are_sorted, mode, fill_value):
    d = dimension_numbers
    _check_indices("gather", indices)
    batch_rank = indices.ndim - 1
    out_rank = len(d.offset_dims) + batch_rank
    _check_dims("gather", "offset_dims", d.offset_dims, out_rank)
    if len(d.start_index_map) != indices.shape[-1]:
        raise TypeError(f"gather: start_index_map {d.start_index_map} needs one entry per "
                        f"index vector element (indices.shape[-1] = {indices.shape[-1]})")
    _check_dims("gather", "start_index_map", d.start_index_map, x.ndim, sorted_=False)
    _check_dims("gather", "collapsed_slice_dims", d.collapsed_slice_dims, x.ndim)
    _check_dims("gather", "operand_batching_dims", d.operand_batching_dims, x.ndim)
    _check_dims("gather", "start_indices_batching_dims", d.start_indices_batching_dims,
                batch_rank, sorted_=False)
    _check_disjoint("gather", "collapsed_slice_dims", d.collapsed_slice_dims,
                    "operand_batching_dims", d.operand_batching_dims)
    _check_disjoint("gather", "start_index_map", d.start_index_map,
                    "operand_batching_dims", d.operand_batching_dims)
    if ([x.shape[i] for i in d.operand_batching_dims]
            != [indices.shape[i] for i in d.start_indices_batching_dims]):
        raise TypeError(f"gather: operand_batching_dims {d.operand_batching_dims} and "
                        f"start_indices_batching_dims {d.start_indices_batching_dims} must "
                        f"pair dimensions of equal size (operand {x.shape}, indices "
                        f"{indices.shape})")
    if len(slice_sizes) != x.ndim:
        raise TypeError(f"gather: slice_sizes {slice_sizes} needs one entry per operand "
                        f"dimension (shape {x.shape})")
    if len(slice_sizes) != (len(d.offset_dims) + len(d.collapsed_slice_dims)
                            + len(d.operand_batching_dims)):
        raise TypeError(f"gather: every operand dimension must be an offset, collapsed or "
                        f"batching dimension; got offset_dims={d.offset_dims}, "
                        f"collapsed_slice_dims={d.collapsed_slice_dims}, "
                        f"operand_batching_dims={d.operand_batching_dims} for rank {x.ndim}")
    for i, (s, n) in enumerate(zip(slice_sizes, x.shape)):
        if not 0 <= s <= n:
            raise TypeError(f"gather: slice size {s} at index {i} must be within [0, {n}] "
                            f"(operand shape {x.shape})")
    for i in d.collapsed_slice_dims + d.operand_batching_dims:
        if slice_sizes[i] > 1 or (i in d.collapsed_slice_dims and slice_sizes[i] != 1):
            raise TypeError(f"gather: collapsed and batching dimensions need slice size 1, "
                            f"got slice_sizes={slice_sizes} for dimension {i}")
    window = iter(s for i, s in enumerate(slice_sizes)
                  if i not in d.collapsed_slice_dims and i not in d.operand_batching_dims)
    batch = iter(indices.shape[:-1])
    shape = tuple(next(window) if i in d.offset_dims else next(batch) for i in range(out_rank))
    return ShapedArray(shape, x.dtype, x.weak_type)


def _list(dims):
    return "[" + ", ".join(str(int(d)) for d in dims) + "]"


def _dims_attr(kind, fields, index_vector_dim):
    """``#stablehlo.gather<...>``/``#stablehlo.scatter<...>``; empty lists are omitted,
    as StableHLO prints them."""
    body = [f"{name} = {_list(dims)}" for name, dims in fields if len(dims)]
    body.append(f"index_vector_dim = {index_vector_dim}")
    return f"#stablehlo.{kind}<" + ", ".join(body) + ">"


def _bool_attr(b):
    return "true" if b else "false"


def _inline(ctx, fun, args, avals, name):
    """Trace ``fun`` (lax code) on ``avals`` and emit it here; returns its one result."""
    closed = trace_to_jaxpr(lambda *xs: [fun(*xs)], list(avals), name=name)
    return ctx.lower_jaxpr(closed.jaxpr, closed.consts, list(args))[0]


def _gather_fill(operand, indices, *, dimension_numbers, slice_sizes, unique_indices,
                 indices_are_sorted, fill_value):
    """An in-bounds gather, with ``fill_value`` where a window was out of bounds."""
    d = dimension_numbers
    indices = _ew.convert_element_type(indices, dtypes.default_int())
    idx = get_aval(indices)
    x_shape = get_aval(operand).shape
    upper = np.array([x_shape[i] - slice_sizes[i] for i in d.start_index_map], idx.dtype)
    upper = _shape.broadcast_in_dim(upper, idx.shape, (idx.ndim - 1,))
    ok = _bw.bitwise_and(_bw.ge(indices, np.array(0, idx.dtype)[()]), _bw.le(indices, upper))
    ok = _red.reduce_and(ok, (idx.ndim - 1,))
    out = gather(operand, indices, d, slice_sizes, unique_indices=unique_indices,
                 indices_are_sorted=indices_are_sorted,
                 mode=GatherScatterMode.PROMISE_IN_BOUNDS)
    out_aval = get_aval(out)
    batch_dims = tuple(i for i in range(out_aval.ndim) if i not in d.offset_dims)
    ok = _shape.broadcast_in_dim(ok, out_aval.shape, batch_dims)
    return _ew.select(ok, out, _shape.full(out_aval.shape, fill_value, out_aval.dtype))


def _gather_lowering(ctx, x, indices, *, dimension_numbers, slice_sizes, unique_indices,
                     indices_are_sorted, mode, fill_value):
    if mode == GatherScatterMode.FILL_OR_DROP:
        def fill(x, indices):
            return _gather_fill(x, indices, dimension_numbers=dimension_numbers,
                                slice_sizes=slice_sizes, unique_indices=unique_indices,
                                indices_are_sorted=indices_are_sorted, fill_value=fill_value)
        return _inline(ctx, fill, [x, indices], ctx.avals_in, "gather_fill")
    d, index_vector_dim = dimension_numbers, ctx.avals_in[1].ndim - 1
    return ctx.op("stablehlo.gather", [x, indices], attrs={
        "dimension_numbers": _dims_attr("gather", (
            ("offset_dims", d.offset_dims), ("collapsed_slice_dims", d.collapsed_slice_dims),
            ("operand_batching_dims", d.operand_batching_dims),
            ("start_indices_batching_dims", d.start_indices_batching_dims),
            ("start_index_map", d.start_index_map)), index_vector_dim),
        "slice_sizes": i64_array(slice_sizes),
        "indices_are_sorted": _bool_attr(indices_are_sorted)})


abstract_eval_rules[gather_p] = _gather_abstract_eval
lowering_rules[gather_p] = _gather_lowering


def _adjoint_mode(mode):
    """The out-of-bounds mode of the adjoint of a gather or scatter in ``mode``.

    The same mode, as in JAX, so gradients match JAX's numbers: with PROMISE_IN_BOUNDS
    XLA clamps an out-of-bounds gather but drops the out-of-bounds scatter window of
    its transpose, so the cotangent of a clamped read is dropped (JAX gives 0 there).
    """
    return mode


def _gather_jvp(primals, tangents, *, dimension_numbers, slice_sizes, unique_indices,
                indices_are_sorted, mode, fill_value):
    x, indices = primals
    params = dict(dimension_numbers=dimension_numbers, slice_sizes=slice_sizes,
                  unique_indices=unique_indices, indices_are_sorted=indices_are_sorted,
                  mode=mode)
    out = gather_p.bind(x, indices, fill_value=fill_value, **params)
    if ad.is_zero(tangents[0]):
        return out, _zero_like(out)
    # Filled (out-of-bounds) windows are constants: their tangent is 0.
    t_fill = _canonical_fill(0, get_aval(x).dtype) if fill_value is not None else None
    return out, gather_p.bind(tangents[0], indices, fill_value=t_fill, **params)


def _gather_transpose(ct, x, indices, *, dimension_numbers, slice_sizes, unique_indices,
                      indices_are_sorted, mode, fill_value):
    if ad.is_zero(ct):
        return [ad.Zero(x.aval), None]
    d = dimension_numbers
    dnums = _scatter.ScatterDimensionNumbers(
        update_window_dims=d.offset_dims, inserted_window_dims=d.collapsed_slice_dims,
        scatter_dims_to_operand_dims=d.start_index_map,
        operand_batching_dims=d.operand_batching_dims,
        scatter_indices_batching_dims=d.start_indices_batching_dims)
    zeros = _shape.full(x.aval.shape, 0, get_aval(ct).dtype)
    return [_scatter.scatter_add(zeros, indices, ct, dnums,
                                 indices_are_sorted=indices_are_sorted,
                                 unique_indices=unique_indices, mode=_adjoint_mode(mode)), None]


def _shift(dims, by=1):
    return tuple(int(d) + by for d in dims)


def _gather_batch(axis_data, args, dims, *, dimension_numbers, slice_sizes, unique_indices,
                  indices_are_sorted, mode, fill_value):
    (x, indices), (xb, ib) = args, dims
    d = dimension_numbers
    params = dict(mode=mode, fill_value=fill_value)
    if ib is None:
        # Batched operand: the batch dim becomes a leading window dimension, taken whole.
        x = batching.moveaxis(x, xb, 0)
        dnums = GatherDimensionNumbers(
            offset_dims=(0,) + _shift(d.offset_dims),
            collapsed_slice_dims=_shift(d.collapsed_slice_dims),
            start_index_map=_shift(d.start_index_map),
            operand_batching_dims=_shift(d.operand_batching_dims),
            start_indices_batching_dims=d.start_indices_batching_dims)
        return gather_p.bind(x, indices, dimension_numbers=dnums,
                             slice_sizes=(axis_data.size,) + slice_sizes,
                             unique_indices=unique_indices,
                             indices_are_sorted=indices_are_sorted, **params), 0
    indices = batching.moveaxis(indices, ib, 0)
    if xb is None:
        # Batched indices: one more leading batch dimension of the index array.
        dnums = d._replace(offset_dims=_shift(d.offset_dims),
                           start_indices_batching_dims=_shift(d.start_indices_batching_dims))
        return gather_p.bind(x, indices, dimension_numbers=dnums, slice_sizes=slice_sizes,
                             unique_indices=False, indices_are_sorted=False, **params), 0
    # Both batched: pair the two batch dims with the batching dimension numbers.
    x = batching.moveaxis(x, xb, 0)
    dnums = GatherDimensionNumbers(
        offset_dims=_shift(d.offset_dims),
        collapsed_slice_dims=_shift(d.collapsed_slice_dims),
        start_index_map=_shift(d.start_index_map),
        operand_batching_dims=(0,) + _shift(d.operand_batching_dims),
        start_indices_batching_dims=(0,) + _shift(d.start_indices_batching_dims))
    return gather_p.bind(x, indices, dimension_numbers=dnums,
                         slice_sizes=(min(axis_data.size, 1),) + slice_sizes,
                         unique_indices=unique_indices, indices_are_sorted=indices_are_sorted,
                         **params), 0


ad.jvp_rules[gather_p] = _gather_jvp
ad.transpose_rules[gather_p] = _gather_transpose
batching.batch_rules[gather_p] = _gather_batch


__all__ = [
    "slice", "slice_p", "slice_in_dim", "index_in_dim",
    "dynamic_slice", "dynamic_slice_p", "dynamic_slice_in_dim", "dynamic_index_in_dim",
    "dynamic_update_slice", "dynamic_update_slice_p", "dynamic_update_slice_in_dim",
    "dynamic_update_index_in_dim",
    "GatherDimensionNumbers", "GatherScatterMode", "gather", "gather_p",
]

# The scatter family lives in scatter.py (module size); it is re-exported here so that
# ``from .slicing import *`` (lax/__init__) and ``lax.slicing.scatter_add`` keep working.
# scatter.py imports names from this module, so it is imported last; the gather rules
# above reach it as ``_scatter`` when they run.
from .scatter import *  # noqa: E402,F401,F403
from . import scatter as _scatter  # noqa: E402

__all__ += _scatter.__all__
