"""Slicing and indexing primitives: slice, dynamic_slice, dynamic_update_slice,
gather, and the scatter family (scatter, scatter_add/sub/mul/min/max).

One section per primitive: public wrapper with its docstring, ``*_p``, its
shape/dtype rule (every check XLA would make, with a message naming the
argument) and its lowering.

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
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval, impl_rules
from ..lowering import i64_array, lowering_rules
from . import bitwise as _bw
from . import elementwise as _ew
from . import reductions as _red
from . import shape as _shape

_SCALARS = (bool, int, float, complex)


def _ints(values, fun_name, arg_name):
    try:
        return tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"{fun_name}: {arg_name} must be a sequence of ints, got "
                        f"{values!r} (they must be static: under jit, use dynamic_slice for "
                        f"traced start indices)") from None


def _full(shape, value, dtype):
    """A constant array (a splat broadcast), as lax.full."""
    return _shape.broadcast_in_dim(np.array(value, dtype), tuple(shape), ())


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
    from ..dispatch import apply_primitive
    _slice_abstract_eval(get_aval(x), start_indices=start_indices, limit_indices=limit_indices,
                         strides=strides)   # the checks and messages of slice, not dynamic_slice
    if strides is not None:
        return apply_primitive(slice_p, (x,), dict(start_indices=start_indices,
                                                   limit_indices=limit_indices, strides=strides))
    sizes = tuple(hi - lo for lo, hi in zip(start_indices, limit_indices))
    starts = [np.int32(i) for i in start_indices]
    return apply_primitive(dynamic_slice_p, (x, *starts), {"slice_sizes": sizes})


abstract_eval_rules[slice_p] = _slice_abstract_eval
lowering_rules[slice_p] = _slice_lowering
impl_rules[slice_p] = _slice_impl


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
        if type(i) not in _SCALARS and not isinstance(i, (np.ndarray, np.generic)):
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
        if type(i) in _SCALARS or isinstance(i, (np.ndarray, np.generic)):
            try:
                value = operator.index(i)
            except TypeError:
                raise TypeError(f"{fun_name}: start indices must be integer scalars, got "
                                f"{i!r}") from None
            out.append(np.array(value + size if value < 0 and allow_neg else value, dtype)[()])
        elif allow_neg and not dtypes.is_unsigned(get_aval(i).dtype):
            out.append(_ew.select(_bw.lt(i, 0), _ew.add(i, size), i))
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
        return int(np.iinfo(dtype).max)
    if dtypes.is_int(dtype):
        return int(np.iinfo(dtype).min)
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
    from ..tracing import trace_to_jaxpr
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
    return _ew.select(ok, out, _full(out_aval.shape, fill_value, out_aval.dtype))


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


# --- scatter, scatter_add, scatter_sub, scatter_mul, scatter_min, scatter_max --

class ScatterDimensionNumbers(NamedTuple):
    """How a scatter's operand, indices and updates dimensions relate (XLA's Scatter).

    update_window_dims: dimensions of ``updates`` that are window dimensions.
    inserted_window_dims: operand dimensions of window size 1 absent from ``updates``.
    scatter_dims_to_operand_dims: for each index vector entry, the operand dimension.
    operand_batching_dims / scatter_indices_batching_dims: paired batch dimensions.

    The index vector is always the last dimension of ``scatter_indices``.
    """
    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()


def _scatter_abstract_eval(name, accepts_bool):
    def rule(x, indices, updates, *, dimension_numbers, indices_are_sorted, unique_indices,
             mode):
        d = dimension_numbers
        _check_indices(name, indices)
        if updates.dtype != x.dtype:
            raise TypeError(f"{name}: operand and updates must have the same dtype, got "
                            f"{x.dtype.name} and {updates.dtype.name}")
        if x.dtype == np.bool_ and not accepts_bool:
            raise TypeError(f"{name} does not accept dtype bool")
        batch_shape = indices.shape[:-1]
        if updates.ndim != len(batch_shape) + len(d.update_window_dims):
            raise TypeError(f"{name}: updates must have rank {len(batch_shape)} (index batch "
                            f"dims) + {len(d.update_window_dims)} (update_window_dims) = "
                            f"{len(batch_shape) + len(d.update_window_dims)}, got shape "
                            f"{updates.shape}")
        _check_dims(name, "update_window_dims", d.update_window_dims, updates.ndim)
        _check_dims(name, "inserted_window_dims", d.inserted_window_dims, x.ndim)
        _check_dims(name, "operand_batching_dims", d.operand_batching_dims, x.ndim)
        _check_dims(name, "scatter_indices_batching_dims", d.scatter_indices_batching_dims,
                    len(batch_shape), sorted_=False)
        _check_disjoint(name, "inserted_window_dims", d.inserted_window_dims,
                        "operand_batching_dims", d.operand_batching_dims)
        _check_disjoint(name, "scatter_dims_to_operand_dims", d.scatter_dims_to_operand_dims,
                        "operand_batching_dims", d.operand_batching_dims)
        if (len(d.update_window_dims) + len(d.inserted_window_dims)
                + len(d.operand_batching_dims) != x.ndim):
            raise TypeError(f"{name}: update_window_dims, inserted_window_dims and "
                            f"operand_batching_dims must account for the {x.ndim} operand "
                            f"dimensions, got {d}")
        if len(d.scatter_dims_to_operand_dims) != indices.shape[-1]:
            raise TypeError(f"{name}: scatter_dims_to_operand_dims "
                            f"{d.scatter_dims_to_operand_dims} needs one entry per index "
                            f"vector element (indices.shape[-1] = {indices.shape[-1]})")
        _check_dims(name, "scatter_dims_to_operand_dims", d.scatter_dims_to_operand_dims,
                    x.ndim, sorted_=False)
        if ([x.shape[i] for i in d.operand_batching_dims]
                != [indices.shape[i] for i in d.scatter_indices_batching_dims]):
            raise TypeError(f"{name}: operand and indices batching dimensions must have equal "
                            f"sizes (operand {x.shape}, indices {indices.shape})")
        window_bounds = [n for i, n in enumerate(x.shape)
                         if i not in d.inserted_window_dims and i not in d.operand_batching_dims]
        for bound, dim in zip(window_bounds, d.update_window_dims):
            if updates.shape[dim] > bound:
                raise TypeError(f"{name}: updates dimension {dim} has size "
                                f"{updates.shape[dim]}, larger than the operand's window "
                                f"bound {bound} (operand {x.shape}, updates {updates.shape})")
        scatter_sizes = [n for i, n in enumerate(updates.shape) if i not in d.update_window_dims]
        if tuple(scatter_sizes) != batch_shape:
            raise TypeError(f"{name}: the non-window dimensions of updates {updates.shape} "
                            f"must equal the batch dimensions of indices {batch_shape}")
        return ShapedArray(x.shape, x.dtype, x.weak_type)
    rule.__name__ = f"_{name}_abstract_eval"
    return rule


def _clamp_scatter_indices(x_shape, updates_shape, d, indices):
    """Indices clamped so every update window lies inside the operand (mode CLIP)."""
    sizes, window = [], iter(d.update_window_dims)
    for i in range(len(x_shape)):
        inserted = i in d.inserted_window_dims or i in d.operand_batching_dims
        sizes.append(1 if inserted else updates_shape[next(window)])
    indices = _ew.convert_element_type(indices, dtypes.default_int())
    idx = get_aval(indices)
    upper = np.array([x_shape[i] - sizes[i] for i in d.scatter_dims_to_operand_dims], idx.dtype)
    upper = _shape.broadcast_in_dim(upper, idx.shape, (idx.ndim - 1,))
    return _ew.clamp(_full(idx.shape, 0, idx.dtype), indices, upper)


def _scatter_lowering(combine_op):
    def rule(ctx, x, indices, updates, *, dimension_numbers, indices_are_sorted,
             unique_indices, mode):
        d = dimension_numbers
        x_aval, idx_aval, upd_aval = ctx.avals_in
        if mode == GatherScatterMode.CLIP:
            indices = _inline(ctx, lambda i: _clamp_scatter_indices(
                x_aval.shape, upd_aval.shape, d, i), [indices], [idx_aval], "scatter_clip")
            idx_aval = idx_aval.update(dtype=dtypes.default_int())
        attr = _dims_attr("scatter", (
            ("update_window_dims", d.update_window_dims),
            ("inserted_window_dims", d.inserted_window_dims),
            ("input_batching_dims", d.operand_batching_dims),
            ("scatter_indices_batching_dims", d.scatter_indices_batching_dims),
            ("scatter_dims_to_operand_dims", d.scatter_dims_to_operand_dims)), idx_aval.ndim - 1)
        s = ShapedArray((), x_aval.dtype)

        def body(inner, old, new):   # the update region: how an update meets the old value
            return new if combine_op is None else inner.op(combine_op, [old, new], s)
        attrs = {"scatter_dimension_numbers": attr,
                 "indices_are_sorted": _bool_attr(indices_are_sorted),
                 "unique_indices": _bool_attr(unique_indices)}
        return ctx.op("stablehlo.scatter", [x, indices, updates],
                      regions=[ctx.region([s, s], body)], attrs=attrs)
    rule.__name__ = f"_lower_scatter_{combine_op or 'set'}"
    return rule


def _scatter_primitive(name, combine_op, accepts_bool):
    prim = Primitive(name)
    abstract_eval_rules[prim] = _scatter_abstract_eval(name, accepts_bool)
    lowering_rules[prim] = _scatter_lowering(combine_op)
    return prim


def _scatter_bind(prim, operand, scatter_indices, updates, dimension_numbers,
                  indices_are_sorted, unique_indices, mode):
    dnums = _dnums_tuple(ScatterDimensionNumbers, dimension_numbers, prim.name)
    return prim.bind(operand, scatter_indices, updates, dimension_numbers=dnums,
                     indices_are_sorted=bool(indices_are_sorted),
                     unique_indices=bool(unique_indices), mode=GatherScatterMode.from_any(mode))


scatter_p = _scatter_primitive("scatter", None, True)
scatter_add_p = _scatter_primitive("scatter-add", "stablehlo.add", False)
scatter_sub_p = _scatter_primitive("scatter-sub", "stablehlo.subtract", False)
scatter_mul_p = _scatter_primitive("scatter-mul", "stablehlo.multiply", False)
scatter_min_p = _scatter_primitive("scatter-min", "stablehlo.minimum", True)
scatter_max_p = _scatter_primitive("scatter-max", "stablehlo.maximum", True)

_SCATTER_DOC = """Scatter-{what}: XLA's Scatter, where {how}.

    Prefer ``x.at[idx].{method}(...)``, which builds the dimension numbers.
    Args: ``operand``, ``scatter_indices`` (index vectors in the last
    dimension), ``updates``, a :class:`ScatterDimensionNumbers`, the hints
    ``indices_are_sorted``/``unique_indices``, and ``mode``: ``None``/``"drop"``
    drops out-of-bounds updates, ``"clip"`` clamps the indices.
    Lowers to ``stablehlo.scatter`` with a ``{region}`` update region.
    """


def _scatter_wrapper(prim, what, how, method, region):
    def wrapper(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
        return _scatter_bind(prim, operand, scatter_indices, updates, dimension_numbers,
                             indices_are_sorted, unique_indices, mode)
    wrapper.__doc__ = _SCATTER_DOC.format(what=what, how=how, method=method, region=region)
    return wrapper


scatter = _scatter_wrapper(scatter_p, "update", "updates replace operand values (with "
                           "repeated indices, one of them wins)", "set", "return update")
scatter.__name__ = "scatter"
scatter_add = _scatter_wrapper(scatter_add_p, "add", "updates are added (repeated indices "
                               "all add)", "add", "stablehlo.add")
scatter_add.__name__ = "scatter_add"
scatter_sub = _scatter_wrapper(scatter_sub_p, "subtract", "updates are subtracted",
                               "subtract", "stablehlo.subtract")
scatter_sub.__name__ = "scatter_sub"
scatter_mul = _scatter_wrapper(scatter_mul_p, "multiply", "operand values are multiplied "
                               "by the updates", "multiply", "stablehlo.multiply")
scatter_mul.__name__ = "scatter_mul"
scatter_min = _scatter_wrapper(scatter_min_p, "min", "the smaller of operand and update "
                               "is kept", "min", "stablehlo.minimum")
scatter_min.__name__ = "scatter_min"
scatter_max = _scatter_wrapper(scatter_max_p, "max", "the larger of operand and update "
                               "is kept", "max", "stablehlo.maximum")
scatter_max.__name__ = "scatter_max"

__all__ = [
    "slice", "slice_p", "slice_in_dim", "index_in_dim",
    "dynamic_slice", "dynamic_slice_p", "dynamic_slice_in_dim", "dynamic_index_in_dim",
    "dynamic_update_slice", "dynamic_update_slice_p", "dynamic_update_slice_in_dim",
    "dynamic_update_index_in_dim",
    "GatherDimensionNumbers", "GatherScatterMode", "gather", "gather_p",
    "ScatterDimensionNumbers", "scatter", "scatter_p", "scatter_add", "scatter_add_p",
    "scatter_sub", "scatter_sub_p", "scatter_mul", "scatter_mul_p", "scatter_min",
    "scatter_min_p", "scatter_max", "scatter_max_p",
]
