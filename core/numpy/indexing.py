"""NumPy indexing on glassbox arrays: ``x[idx]``, ``x.at[idx].set/add/.../get``,
and ``take``/``take_along_axis``/``put_along_axis``.

How an index becomes primitives (as in JAX):

- *Basic* indices (ints, slices, ``None``, ``...``) become ``slice`` (static
  slices and ints), ``dynamic_slice`` (traced integer scalars), ``rev``
  (negative steps), ``squeeze`` and ``expand_dims``.
- Anything else (integer arrays, lists inside a tuple, boolean masks) goes
  through :func:`index_to_gather`, which turns the whole index into one
  ``gather`` (and, for ``.at[]`` updates, the matching ``scatter``).

Out-of-bounds integers do not raise (there is no way to raise from a compiled
program). Reading clamps them into range, as JAX does: ``jnp.arange(3)[5]`` is
``2`` and ``jnp.arange(3)[-5]`` is ``0``; ``.at[i].get(mode="fill")`` returns a
fill value instead. Updates (``.at[i].set`` ...) drop out-of-bounds indices by
default (``mode="clip"`` clamps them). Negative indices count from the end
first. Boolean masks must be concrete: their number of ``True`` entries is the
result's shape.
"""
import operator
import warnings
from typing import NamedTuple

import numpy as np

from .. import dtypes, lax, source_info
from ..core import Tracer, get_aval
from ..errors import GlassboxError
from ..lax.slicing import GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers
from . import _util, ufuncs
from .creation import asarray
from .. import numpy as jnp  # this package, partly imported now: names are read at call time

__all__ = ["getitem", "IndexUpdateHelper", "IndexUpdateRef", "NonConcreteBooleanIndexError",
           "index_to_gather", "take", "take_along_axis", "put_along_axis"]

class NonConcreteBooleanIndexError(GlassboxError, IndexError):
    """A boolean mask used as an index was traced (its number of True values is unknown)."""

    def __init__(self, aval):
        super().__init__(
            f"Array boolean indices must be concrete; got a traced mask of type "
            f"{aval.str_short()} at {source_info.user_location()}. Under jit the number of "
            f"True entries, and so the shape of x[mask], is not known. Keep the shape with "
            f"jnp.where(mask, x, fill_value) (or a masked reduction such as "
            f"jnp.sum(x, where=mask)), or use a static size: x[jnp.nonzero(mask, size=n)].")


# ---------------------------------------------------------------------------
# Small helpers


def _aval(x):
    try:
        return get_aval(x)
    except TypeError:
        return None


def _is_static_int(x):
    return isinstance(x, (int, np.integer)) and not isinstance(x, (bool, np.bool_))


def _is_int_scalar(x):
    """A static int, or a rank-0 integer array (concrete or traced)."""
    if _is_static_int(x):
        return True
    if isinstance(x, (bool, np.bool_)) or x is None or x is Ellipsis or isinstance(x, slice):
        return False
    a = _aval(x)
    return a is not None and a.shape == () and dtypes.is_int(a.dtype)


def _is_array_index(x):
    return isinstance(x, np.ndarray) or hasattr(x, "aval")


def _concrete_value(x):
    """The NumPy value of ``x``, or None when it is a jit-traced value."""
    if isinstance(x, Tracer):
        v = x.to_concrete_value()
        return None if v is None else np.asarray(v)
    return np.asarray(x)


def _index_dtype(shape):
    big = any(d >= 2 ** 31 for d in shape)
    return dtypes.canonicalize_dtype(np.int64 if big else np.int32)


def _to_tuple(idx):
    """The index as a tuple; a bare list is rejected as in JAX (NumPy's old ambiguity)."""
    if isinstance(idx, tuple):
        out = idx
    elif isinstance(idx, list):
        hint = "arr[tuple(seq)]" if any(
            isinstance(i, (list, tuple, slice)) or i is None or i is Ellipsis
            or (_is_array_index(i) and np.ndim(i) > 0) for i in idx) else "arr[array(seq)]"
        raise TypeError(f"Using a non-tuple sequence for multidimensional indexing is not "
                        f"allowed; use `{hint}` instead of `arr[seq]`.")
    else:
        out = (idx,)
    for i in out:
        if isinstance(i, str):
            raise TypeError(f"glassbox does not support string indexing; got index {idx!r}")
    return out


def _static_slice(s, size):
    """``(start, stop, step)`` of a slice whose bounds must be static."""
    def bound(v):
        if v is None:
            return None
        if isinstance(v, Tracer) and v.to_concrete_value() is None:
            raise IndexError(
                f"Array slice indices must have static start/stop/step to be used with NumPy "
                f"indexing syntax. Found slice({s.start}, {s.stop}, {s.step}). To index a "
                f"statically sized array at a dynamic position, try lax.dynamic_slice/"
                f"dynamic_update_slice (arrays under jit must have static shapes).")
        try:
            return operator.index(v)
        except TypeError:
            raise TypeError(f"slice indices must be integers or None, got {v!r}") from None
    start, stop, step = bound(s.start), bound(s.stop), bound(s.step)
    if step == 0:
        raise ValueError("slice step cannot be zero")
    return slice(start, stop, step).indices(size)


def _canonicalize_tuple_index(ndim, idx):
    """Expand ``...`` and add trailing full slices; too many indices is an IndexError."""
    consumed = sum(not (e is None or e is Ellipsis or isinstance(e, (bool, np.bool_)))
                   for e in idx)
    if consumed > ndim:
        raise IndexError(f"Too many indices: {ndim}-dimensional array indexed with "
                         f"{consumed} regular {'index' if consumed == 1 else 'indices'}.")
    positions = [i for i, e in enumerate(idx) if e is Ellipsis]
    if len(positions) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    fill = (slice(None),) * (ndim - consumed)
    if positions:
        p = positions[0]
        return tuple(idx[:p]) + fill + tuple(idx[p + 1:])
    return tuple(idx) + fill


# ---------------------------------------------------------------------------
# Boolean masks -> integer index arrays


def _is_boolean_index(i):
    if isinstance(i, list):
        return bool(i) and all(isinstance(e, (bool, np.bool_)) for e in i)
    a = _aval(i)
    return a is not None and a.dtype == np.bool_


def _expand_bool_indices(idx, shape):
    """Concrete boolean masks become integer arrays (``nonzero``); scalar bools stay bools."""
    if not any(_is_boolean_index(i) for i in idx):
        return idx
    n_ellipsis = sum(e is Ellipsis for e in idx)
    if n_ellipsis > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    total_dims = len(shape)
    if n_ellipsis:
        total_dims = sum(np.ndim(e) if _is_boolean_index(e) else 1 for e in idx
                         if e is not None and e is not Ellipsis)
    out, ellipsis_offset, newaxis_offset = [], 0, 0
    for pos, i in enumerate(idx):
        if _is_boolean_index(i):
            value = _concrete_value(np.asarray(i) if isinstance(i, list) else i)
            if value is None:
                raise NonConcreteBooleanIndexError(get_aval(i))
            if value.ndim == 0:
                out.append(bool(value))
            else:
                start = len(out) + ellipsis_offset - newaxis_offset
                expected = tuple(shape[start:start + value.ndim])
                if len(expected) != value.ndim:
                    raise IndexError(f"too many boolean indices at index {pos}: got mask of "
                                     f"shape {value.shape}, but only {len(expected)} "
                                     f"dimensions remain")
                if not all(s in (0, t) for s, t in zip(value.shape, expected)):
                    raise IndexError(f"boolean index did not match shape of indexed array in "
                                     f"index {pos}: got {value.shape}, expected {expected}")
                out.extend(np.nonzero(value))
        else:
            out.append(i)
        if i is Ellipsis:
            ellipsis_offset = len(shape) - total_dims - 1
        if i is None:
            newaxis_offset += 1
    return tuple(out)


# ---------------------------------------------------------------------------
# Basic indexing: slice / dynamic_slice / rev / squeeze / expand_dims


def _clamping(mode):
    return mode is None or GatherScatterMode.from_any(mode) in (
        GatherScatterMode.CLIP, GatherScatterMode.PROMISE_IN_BOUNDS)


def _basic_take(x, idx, mode):
    """``x[idx]`` without a gather, or None when ``idx`` needs one."""
    if not all(e is None or e is Ellipsis or isinstance(e, slice) or _is_int_scalar(e)
               for e in idx):
        return None
    shape = get_aval(x).shape
    idx = _canonicalize_tuple_index(len(shape), idx)
    clamp = _clamping(mode)
    starts, limits, strides, reversed_dims, squeezed, dynamic, new_axes = [], [], [], [], [], {}, []
    out_pos, axis = 0, 0
    for e in idx:
        if e is None:
            new_axes.append(out_pos)
            out_pos += 1
            continue
        n = shape[axis]
        if isinstance(e, slice):
            start, stop, step = _static_slice(e, n)
            count = len(range(start, stop, step))
            if count == 0:
                lo, hi, stride = 0, 0, 1
            elif step > 0:
                lo, hi, stride = start, start + (count - 1) * step + 1, step
            else:   # a positive-stride slice of the same elements, reversed afterwards
                lo, hi, stride = start + (count - 1) * step, start + 1, -step
                reversed_dims.append(axis)
            out_pos += 1
        else:
            if n == 0:
                raise IndexError(f"index is out of bounds for axis {axis} with size 0")
            if _is_static_int(e):
                i = int(e) + n if int(e) < 0 else int(e)
                if not 0 <= i < n and not clamp:
                    return None       # mode="fill": the gather path fills
                i = min(max(i, 0), n - 1)   # what an in-bounds-promising gather does
                lo, hi, stride = i, i + 1, 1
            else:
                if not clamp:
                    return None
                lo, hi, stride = 0, n, 1
                dynamic[axis] = e
            squeezed.append(axis)
        starts.append(lo)
        limits.append(hi)
        strides.append(stride)
        axis += 1
    y = lax.slice(x, starts, limits, strides)
    if dynamic:
        dtype = dtypes.result_type(*dynamic.values())
        index = [lax.convert_element_type(dynamic[a], dtype) if a in dynamic
                 else np.array(0, dtype)[()] for a in range(len(shape))]
        sizes = [1 if a in dynamic else d for a, d in enumerate(get_aval(y).shape)]
        y = lax.dynamic_slice(y, index, sizes)
    y = lax.rev(y, reversed_dims)
    y = lax.squeeze(y, squeezed)
    return lax.expand_dims(y, new_axes) if new_axes else y


# ---------------------------------------------------------------------------
# index_to_gather: any index as one gather


class Indexer(NamedTuple):
    """How to compute ``x[idx]`` as ``gather`` (or update it as ``scatter``).

    slice_shape: shape of ``x[idx]`` (``None`` axes included).
    gather_slice_shape: the gather's ``slice_sizes``.
    gather_indices: index vectors (last dimension), a NumPy array when static.
    dnums: the ``GatherDimensionNumbers``.
    unique_indices / indices_are_sorted: true when there are no advanced indices.
    reversed_y_dims: gather output axes to reverse (negative-step slices).
    newaxis_dims: axes added by ``None``.
    scalar_bool_dims: axes added to ``x`` for scalar boolean indices.
    """
    slice_shape: tuple
    gather_slice_shape: tuple
    gather_indices: object
    dnums: GatherDimensionNumbers
    unique_indices: bool
    indices_are_sorted: bool
    reversed_y_dims: tuple
    newaxis_dims: tuple
    scalar_bool_dims: tuple


def _is_int_arraylike(x):
    if _is_static_int(x):
        return True
    if isinstance(x, (list, tuple)):
        return all(_is_int_arraylike(e) for e in x)
    a = _aval(x)
    return a is not None and dtypes.is_int(a.dtype)


def _is_advanced_int_indexer(idx):
    """True when ``idx`` holds integer arrays (then its ints count as advanced too)."""
    basic = all(e is None or e is Ellipsis or isinstance(e, slice) or _is_int_scalar(e)
                for e in idx)
    return not basic and all(e is None or e is Ellipsis or isinstance(e, slice)
                             or _is_int_arraylike(e) for e in idx)


def _sequence_to_array(seq):
    if all(not isinstance(e, Tracer) for e in np.ravel(np.asarray(seq, dtype=object))):
        value = np.asarray(seq)
        return value if value.size else value.astype(np.int32)
    return jnp.stack([_sequence_to_array(e) if isinstance(e, (list, tuple)) else e for e in seq])


def _normalize_index(i, size):
    """Negative indices count from the end (NumPy arrays and ints on the host)."""
    if isinstance(i, np.ndarray) or _is_static_int(i):
        if np.dtype(getattr(i, "dtype", np.int64)).kind == "u":
            return i
        i = np.asarray(i).astype(np.int64)   # wide enough for i + size
        return np.where(i < 0, i + size, i)
    dtype = get_aval(i).dtype
    if dtypes.is_unsigned(dtype):
        return i
    return lax.select(lax.lt(i, np.array(0, dtype)[()]), lax.add(i, np.array(size, dtype)[()]), i)


def _as_index(i, dtype):
    if isinstance(i, (np.ndarray, np.generic, int)):
        return np.asarray(i).astype(dtype)
    return lax.convert_element_type(i, dtype)


def _broadcast_index_arrays(arrays):
    shape = _util.broadcast_shapes(*[np.shape(a) if isinstance(a, np.ndarray) else
                                     get_aval(a).shape for a in arrays], fun_name="indexing")
    return [np.broadcast_to(a, shape) if isinstance(a, np.ndarray) else
            _util.broadcast_to(a, shape) for a in arrays], shape


def _combine_index_pieces(pieces, shape, dtype):
    """Concatenate (array, first dim) pieces, each broadcast to ``shape``, into index vectors."""
    if not pieces:
        return np.zeros((0,), dtype)
    full = tuple(shape) + (1,)
    if all(isinstance(g, np.ndarray) for g, _ in pieces):
        parts = []
        for g, start in pieces:
            g = g.reshape((1,) * start + g.shape + (1,) * (len(full) - start - g.ndim))
            parts.append(np.broadcast_to(g, full))
        return np.concatenate(parts, axis=len(shape)).astype(dtype)
    parts = [lax.broadcast_in_dim(g[()] if isinstance(g, np.ndarray) and g.ndim == 0 else g,
                                  full, tuple(range(start, start + np.ndim(g))))
             for g, start in pieces]   # (a 0-d NumPy piece goes in as a literal scalar)
    return lax.concatenate(parts, len(shape))


def index_to_gather(x_shape, idx):
    """The :class:`Indexer` computing ``x[idx]`` for an ``x`` of shape ``x_shape``.

    ``idx`` is a tuple whose boolean masks were already expanded.
    """
    idx = tuple(_sequence_to_array(i) if isinstance(i, (list, tuple)) else i for i in idx)
    for pos, i in enumerate(idx):
        a = _aval(i)
        if a is not None and not isinstance(i, (bool, np.bool_)) and (
                dtypes.is_inexact(a.dtype) or a.dtype == np.bool_):
            raise TypeError(f"Indexer must have integer or boolean type, got indexer with type "
                            f"{a.dtype.name} at position {pos}, indexer value {i!r}")
    # NumPy puts the advanced-index dimensions where the advanced indices are
    # if they are adjacent in the index (before expanding `...`), else first.
    advanced_pos = [p for p, e in enumerate(idx) if _is_static_int(e) or isinstance(e, bool)
                    or _is_array_index(e)]
    contiguous = all(b - a == 1 for a, b in zip(advanced_pos, advanced_pos[1:]))
    idx = _canonicalize_tuple_index(len(x_shape), idx)
    x_shape = list(x_shape)
    scalar_bool_dims = tuple(n for n, i in enumerate(idx) if isinstance(i, (bool, np.bool_)))
    if scalar_bool_dims:
        idx = tuple(np.arange(int(i)) if isinstance(i, (bool, np.bool_)) else i for i in idx)
        for d in scalar_bool_dims:
            x_shape.insert(d, 1)
    index_dtype = _index_dtype(x_shape)

    advanced, adv_positions, adv_axes = None, (), ()
    if _is_advanced_int_indexer(idx):
        entries = [(p, e) for p, e in enumerate(idx) if e is not None]
        triples = [(_normalize_index(e, x_shape[j]), p, j) for j, (p, e) in enumerate(entries)
                   if _is_int_scalar(e) or _is_array_index(e)]
        advanced, adv_positions, adv_axes = zip(*triples)

    x_axis = y_axis = collapsed_y_axis = 0
    offset_dims, collapsed, start_index_map = [], [], []
    pieces, gather_shape = [], []
    slice_shape, newaxis_dims, reversed_y_dims, gather_slice_shape = [], [], [], []
    for pos, i in enumerate(idx):
        if advanced is not None and pos == (adv_positions[0] if contiguous else 0):
            arrays, shape = _broadcast_index_arrays(
                [np.asarray(a) if _is_static_int(a) else a for a in advanced])
            start = len(gather_shape)
            pieces.extend((_as_index(a, index_dtype), start) for a in arrays)
            gather_shape.extend(shape)
            start_index_map.extend(adv_axes)
            collapsed.extend(adv_axes)
            slice_shape.extend(shape)
            y_axis += len(shape)
            collapsed_y_axis += len(shape)
        if pos in adv_positions:
            x_axis += 1
            gather_slice_shape.append(1)
            continue
        if _is_int_scalar(i):
            if x_shape[x_axis] == 0:
                raise IndexError(f"index is out of bounds for axis {x_axis} with size 0")
            i = _normalize_index(i, x_shape[x_axis])
            pieces.append((_as_index(i, index_dtype), len(gather_shape)))
            collapsed.append(x_axis)
            gather_slice_shape.append(1)
            start_index_map.append(x_axis)
            x_axis += 1
        elif i is None:
            slice_shape.append(1)
            newaxis_dims.append(y_axis)
            y_axis += 1
        elif isinstance(i, slice):
            n = x_shape[x_axis]
            start, stop, step = _static_slice(i, n)
            count = len(range(start, stop, step))
            slice_shape.append(count)
            if step == 1:
                if count != n:
                    pieces.append((np.array(start, index_dtype), len(gather_shape)))
                    start_index_map.append(x_axis)
                gather_slice_shape.append(count)
                offset_dims.append(collapsed_y_axis)
            else:
                positions = (start + step * np.arange(count)).astype(index_dtype)
                if step < 0:
                    reversed_y_dims.append(collapsed_y_axis)
                    positions = positions[::-1].copy()
                gather_slice_shape.append(1)
                pieces.append((positions, len(gather_shape)))
                start_index_map.append(x_axis)
                gather_shape.append(count)
                collapsed.append(x_axis)
            collapsed_y_axis += 1
            y_axis += 1
            x_axis += 1
        else:
            raise IndexError(f"Indexing mode not supported: unsupported indexer at position "
                             f"{pos}: {i!r} (use ints, slices, None, ..., integer arrays or "
                             f"boolean masks)")
    dnums = GatherDimensionNumbers(offset_dims=tuple(offset_dims),
                                   collapsed_slice_dims=tuple(sorted(collapsed)),
                                   start_index_map=tuple(start_index_map))
    return Indexer(slice_shape=tuple(slice_shape),
                   gather_slice_shape=tuple(gather_slice_shape),
                   gather_indices=_combine_index_pieces(pieces, gather_shape, index_dtype),
                   dnums=dnums, unique_indices=advanced is None,
                   indices_are_sorted=advanced is None, reversed_y_dims=tuple(reversed_y_dims),
                   newaxis_dims=tuple(newaxis_dims), scalar_bool_dims=scalar_bool_dims)


def _zeros(shape, aval):
    return lax.broadcast_in_dim(lax.convert_element_type(np.zeros((), aval.dtype), aval.dtype,
                                                         aval.weak_type), tuple(shape), ())


def _gather_take(x, idx, *, indices_are_sorted=False, unique_indices=False, mode=None,
                 fill_value=None):
    aval = get_aval(x)
    indexer = index_to_gather(aval.shape, _expand_bool_indices(idx, aval.shape))
    if fill_value is not None:
        value = _concrete_value(fill_value)
        if value is None or value.ndim != 0:
            raise ValueError("fill_value argument to indexed get() must be a static scalar")
        fill_value = value.item()
    y = lax.expand_dims(x, indexer.scalar_bool_dims) if indexer.scalar_bool_dims else x
    if 0 in indexer.slice_shape:
        return _zeros(indexer.slice_shape, aval)
    if 0 not in np.shape(indexer.gather_indices):
        y = lax.gather(y, indexer.gather_indices, indexer.dnums, indexer.gather_slice_shape,
                       unique_indices=unique_indices or indexer.unique_indices,
                       indices_are_sorted=indices_are_sorted or indexer.indices_are_sorted,
                       mode=mode, fill_value=fill_value)
    y = lax.rev(y, indexer.reversed_y_dims)
    return lax.expand_dims(y, indexer.newaxis_dims) if indexer.newaxis_dims else y


def getitem(x, idx, *, indices_are_sorted=False, unique_indices=False, mode=None,
            fill_value=None):
    """``x[idx]`` with NumPy's indexing rules (``Array.__getitem__`` calls this).

    Args:
      x: the array.
      idx: an int, slice, ``None``, ``...``, integer array (or a list inside a
        tuple), boolean mask, or a tuple of these.
      indices_are_sorted, unique_indices: promises passed to ``gather``.
      mode: ``None`` (out-of-bounds indices clamp), ``"clip"``, ``"fill"`` or
        ``"promise_in_bounds"``.
      fill_value: the value for out-of-bounds reads with ``mode="fill"``.

    >>> x = jnp.arange(12).reshape(3, 4)
    >>> x[1:, ::-2]
    Array([[ 7,  5],
           [11,  9]], dtype=int32)
    >>> x[jnp.array([0, 2]), 1]
    Array([1, 9], dtype=int32)
    """
    idx = _to_tuple(idx)
    if not any(_is_boolean_index(i) for i in idx):
        out = _basic_take(x, idx, mode)
        if out is not None:
            return out
    return _gather_take(x, idx, indices_are_sorted=indices_are_sorted,
                        unique_indices=unique_indices, mode=mode, fill_value=fill_value)


# ---------------------------------------------------------------------------
# Indexed updates: x.at[idx].set(y) and friends


def _scatter_update(x, idx, y, scatter_op, indices_are_sorted, unique_indices, mode=None):
    """``x`` with ``x[idx] op= y`` applied functionally, as one scatter."""
    x = asarray(x)
    aval = get_aval(x)
    if (type(y) is int and dtypes.is_int(aval.dtype)
            and dtypes.extremes(aval.dtype)[0] <= y <= dtypes.extremes(aval.dtype)[1]):
        y = asarray(y, dtype=aval.dtype)
    else:
        y = asarray(y)
    if dtypes.result_type(y, x) != aval.dtype:
        warnings.warn(f"scatter inputs have incompatible types: cannot safely cast value from "
                      f"dtype={get_aval(y).dtype} to dtype={aval.dtype}. In future releases "
                      f"this will be an error.", FutureWarning, stacklevel=3)
    idx = _to_tuple(idx)
    indexer = index_to_gather(aval.shape, _expand_bool_indices(idx, aval.shape))
    if 0 in indexer.slice_shape:
        return x
    x, y = _util.promote_dtypes(x, y)
    try:
        y = _util.broadcast_to(y, indexer.slice_shape)
    except ValueError:
        raise ValueError(f"x.at[...] update: values of shape {get_aval(y).shape} cannot be "
                         f"broadcast to the indexed shape {indexer.slice_shape}") from None
    y = lax.squeeze(y, indexer.newaxis_dims)
    y = lax.rev(y, indexer.reversed_y_dims)
    if indexer.scalar_bool_dims:
        x = lax.expand_dims(x, indexer.scalar_bool_dims)
    d = indexer.dnums
    dnums = ScatterDimensionNumbers(update_window_dims=d.offset_dims,
                                    inserted_window_dims=d.collapsed_slice_dims,
                                    scatter_dims_to_operand_dims=d.start_index_map)
    out = scatter_op(x, indexer.gather_indices, y, dnums,
                     indices_are_sorted=indexer.indices_are_sorted or indices_are_sorted,
                     unique_indices=indexer.unique_indices or unique_indices, mode=mode)
    if indexer.scalar_bool_dims:
        out = lax.squeeze(out, indexer.scalar_bool_dims)
    return lax.convert_element_type(out, aval.dtype, aval.weak_type)


class IndexUpdateHelper:
    """``x.at``: index it (``x.at[idx]``) to get an :class:`IndexUpdateRef`."""

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index):
        return IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"IndexUpdateHelper({self.array!r})"


class IndexUpdateRef:
    """``x.at[idx]``: functional versions of ``x[idx] = y``, ``x[idx] += y``, ...

    Each method returns a new array (``x`` is unchanged). Repeated indices
    all apply (``add`` sums them; NumPy's ``x[idx] += y`` would not).
    Keyword arguments of every method: ``indices_are_sorted``,
    ``unique_indices`` (promises) and ``mode``: ``None``/``"drop"`` drops
    out-of-bounds updates, ``"clip"`` clamps the indices. Values broadcast to
    the indexed shape and are converted to ``x``'s dtype.

    >>> jnp.zeros(3).at[jnp.array([0, 0, 2])].add(1.0)
    Array([2., 0., 1.], dtype=float32)
    """

    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array = array
        self.index = index

    def __repr__(self):
        return f"IndexUpdateRef({self.array!r}, {self.index!r})"

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None,
            fill_value=None):
        """``x[idx]``; with ``mode="fill"``, out-of-bounds reads give ``fill_value``
        (default NaN for inexact dtypes, the lowest signed / highest unsigned int, True)."""
        return getitem(self.array, self.index, indices_are_sorted=indices_are_sorted,
                       unique_indices=unique_indices, mode=mode, fill_value=fill_value)

    def _update(self, op, values, indices_are_sorted, unique_indices, mode):
        return _scatter_update(self.array, self.index, values, op, indices_are_sorted,
                               unique_indices, mode)

    def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """``x[idx] = values``."""
        return self._update(lax.scatter, values, indices_are_sorted, unique_indices, mode)

    def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """``x[idx] += values``."""
        return self._update(lax.scatter_add, values, indices_are_sorted, unique_indices, mode)

    def subtract(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """``x[idx] -= values``."""
        return self._update(lax.scatter_sub, values, indices_are_sorted, unique_indices, mode)

    def multiply(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """``x[idx] *= values``."""
        return self._update(lax.scatter_mul, values, indices_are_sorted, unique_indices, mode)

    mul = multiply

    def divide(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """``x[idx] /= values`` (true division, as ``jnp.divide``)."""
        ones = lax.broadcast_in_dim(np.ones((), get_aval(self.array).dtype),
                                    get_aval(self.array).shape, ())
        return ufuncs.divide(self.array, _scatter_update(
            ones, self.index, values, lax.scatter_mul, indices_are_sorted, unique_indices, mode))

    def power(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """``x[idx] **= values``."""
        ones = lax.broadcast_in_dim(np.ones((), get_aval(self.array).dtype),
                                    get_aval(self.array).shape, ())
        return ufuncs.power(self.array, _scatter_update(
            ones, self.index, values, lax.scatter_mul, indices_are_sorted, unique_indices, mode))

    def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """``x[idx] = minimum(x[idx], values)``."""
        return self._update(lax.scatter_min, values, indices_are_sorted, unique_indices, mode)

    def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None):
        """``x[idx] = maximum(x[idx], values)``."""
        return self._update(lax.scatter_max, values, indices_are_sorted, unique_indices, mode)


# ---------------------------------------------------------------------------
# take, take_along_axis, put_along_axis


def _check_int_indices(fun_name, indices):
    dtype = np.asarray(indices).dtype if isinstance(indices, np.ndarray) else get_aval(
        indices).dtype
    if not dtypes.is_int(dtype):
        raise TypeError(f"{fun_name}: indices must be of integer type, got {dtype}")


def _index_operand(indices):
    """NumPy indices stay on the host (static); everything else becomes an array."""
    return indices if isinstance(indices, np.ndarray) else asarray(indices)


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False,
         indices_are_sorted=False, fill_value=None):
    """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened ``a`` if None).

    Out-of-bounds indices: ``mode=None``/``"fill"`` returns ``fill_value`` (NaN
    for floats, as JAX's default), ``"clip"`` clamps, ``"wrap"`` wraps around.
    Lowers to ``stablehlo.gather``.

    >>> jnp.take(jnp.array([1., 2., 3.]), jnp.array([2, 5]))
    Array([ 3., nan], dtype=float32)
    """
    if out is not None:
        raise NotImplementedError("take: the 'out' argument is not supported")
    _util.check_arraylike("take", a, indices)
    a, indices = asarray(a), _index_operand(indices)
    _check_int_indices("take", indices)
    if axis is None:
        a, axis = lax.reshape(a, (get_aval(a).size,)), 0
    shape = get_aval(a).shape
    axis = _util.canonicalize_axis(axis, len(shape), "take")
    n = shape[axis]
    if isinstance(mode, GatherScatterMode):
        gather_mode = mode
    elif mode is None or mode == "fill":
        gather_mode = GatherScatterMode.FILL_OR_DROP
        indices = _normalize_index(indices, n)
    elif mode == "raise":
        raise NotImplementedError("take: mode='raise' is not supported (a compiled program "
                                  "cannot raise); use 'fill', 'clip' or 'wrap'")
    elif mode == "wrap":
        gather_mode = GatherScatterMode.PROMISE_IN_BOUNDS
        indices = np.mod(indices, n) if isinstance(indices, np.ndarray) else _wrap(indices, n)
    elif mode == "clip":
        gather_mode = GatherScatterMode.CLIP
    else:
        raise ValueError(f"take: invalid mode {mode!r}; use 'fill', 'clip' or 'wrap'")
    index_shape = np.shape(indices)
    if n == 0:
        if int(np.prod(index_shape)):
            raise IndexError("Cannot do a non-empty jnp.take() from an empty axis.")
        return a
    if int(np.prod(index_shape)) == 0:
        return _zeros(shape[:axis] + tuple(index_shape) + shape[axis + 1:], get_aval(a))
    sizes = list(shape)
    sizes[axis] = 1
    k = len(index_shape)
    dnums = GatherDimensionNumbers(
        offset_dims=tuple(range(axis)) + tuple(range(axis + k, len(shape) + k - 1)),
        collapsed_slice_dims=(axis,), start_index_map=(axis,))
    vectors = (np.expand_dims(indices, -1) if isinstance(indices, np.ndarray)
               else lax.expand_dims(indices, (k,)))
    return lax.gather(a, vectors, dnums, sizes, mode=gather_mode, fill_value=fill_value,
                      unique_indices=unique_indices, indices_are_sorted=indices_are_sorted)


def _wrap(i, n):
    dtype = get_aval(i).dtype
    r = lax.rem(i, np.array(n, dtype)[()])
    if dtypes.is_unsigned(dtype):
        return r
    return lax.select(lax.lt(r, np.array(0, dtype)[()]), lax.add(r, np.array(n, dtype)[()]), r)


def _along_axis_index(shape, indices, axis):
    """The index tuple picking ``indices`` along ``axis`` and everything elsewhere."""
    nd = len(shape)
    return tuple(indices if i == axis else
                 np.arange(shape[i]).reshape([-1 if j == i else 1 for j in range(nd)])
                 for i in range(nd))


def take_along_axis(arr, indices, axis=-1, mode=None, fill_value=None):
    """Pick ``indices`` along ``axis`` for each position of the other axes.

    ``indices`` has ``arr``'s rank and broadcasts against it off ``axis``.
    Out-of-bounds indices fill (``mode=None``/``"fill"``, default NaN) or clamp
    (``"clip"``), as in JAX. Lowers to ``stablehlo.gather``.
    """
    _util.check_arraylike("take_along_axis", arr, indices)
    a, indices = asarray(arr), _index_operand(indices)
    _check_int_indices("take_along_axis", indices)
    if axis is None:
        if np.ndim(indices) != 1:
            raise ValueError(f"take_along_axis: indices must be 1D if axis=None, got shape "
                             f"{np.shape(indices)}")
        a, axis = lax.reshape(a, (get_aval(a).size,)), 0
    shape = get_aval(a).shape
    if len(shape) != np.ndim(indices):
        raise ValueError(f"take_along_axis: indices and arr must have the same number of "
                         f"dimensions; {np.ndim(indices)} vs. {len(shape)}")
    axis = _util.canonicalize_axis(axis, len(shape), "take_along_axis")
    arr_shape = tuple(1 if i == axis else d for i, d in enumerate(shape))
    out_shape = _util.broadcast_shapes(np.shape(indices), arr_shape, fun_name="take_along_axis")
    if shape[axis] == 0:
        return _zeros(out_shape, get_aval(a))
    return _gather_take(a, _along_axis_index(shape, indices, axis),
                        mode="fill" if mode is None else mode, fill_value=fill_value)


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    """``arr`` with ``values`` written at ``indices`` along ``axis`` (a new array).

    ``inplace=False`` is required, as a reminder that arrays are immutable.
    """
    if inplace:
        raise ValueError("put_along_axis cannot modify arrays in place, because glassbox "
                         "arrays are immutable. Pass inplace=False to get an updated copy.")
    _util.check_arraylike("put_along_axis", arr, indices, values)
    a, indices = asarray(arr), _index_operand(indices)
    original = get_aval(a).shape
    if axis is None:
        a, axis = lax.reshape(a, (get_aval(a).size,)), 0
    shape = get_aval(a).shape
    if len(shape) != np.ndim(indices):
        raise ValueError(f"put_along_axis: arr and indices must have the same ndim, got "
                         f"{len(shape)} and {np.ndim(indices)}")
    axis = _util.canonicalize_axis(axis, len(shape), "put_along_axis")
    values = asarray(values)
    try:
        values = _util.broadcast_to(values, tuple(np.shape(indices)))
    except ValueError:
        raise ValueError(f"put_along_axis: values of shape {get_aval(values).shape} must be "
                         f"broadcastable to indices of shape {np.shape(indices)}") from None
    out = _scatter_update(a, _along_axis_index(shape, indices, axis), values, lax.scatter,
                          False, False, mode)
    return lax.reshape(out, original)
