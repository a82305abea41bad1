"""Arrays over many devices built from their pieces, as JAX's ``jax.make_array_from_*``.

Each process passes only what its own devices hold, so the same three functions
build one global array in a single process and across several
(``glassbox.distributed``):

* ``make_array_from_callback(shape, sharding, data_callback)``: the callback gives
  the block at each index of the global array a local device holds;
* ``make_array_from_process_local_data(sharding, local_data, global_shape=None)``:
  this process's contiguous part (its slice of a batch, say), cut into the blocks
  its devices hold;
* ``make_array_from_single_device_arrays(shape, sharding, arrays)``: arrays already
  on the devices, one per local device, joined without copying.
"""
import numpy as np

from . import dtypes, runtime, sharding as sharding_lib
from .array import ArrayImpl, created
from .core import Array, ShapedArray, get_aval
from .errors import UnexpectedTracerError
from .tree_util import broadcast_prefix, tree_flatten, tree_unflatten


def _aval(shape, dtype, sharding):
    aval = ShapedArray(shape, dtype, False)
    if isinstance(sharding, sharding_lib.NamedSharding):   # Explicit axes: in the type
        aval = aval.update(sharding=sharding.type_for(len(shape)))
    return aval


def _local_placements(sharding, shape):
    """``[(device, index)]`` of this process's devices, in the sharding's device order."""
    here = runtime.process_index()
    return [(d, index) for d, index, _ in sharding._placements(tuple(shape))
            if d.process_index == here]


def _check_sharding(sharding, fname):
    if not isinstance(sharding, sharding_lib.Sharding):
        raise TypeError(f"sharding should be an instance of `glassbox.sharding`. Got "
                        f"{sharding} of type {type(sharding)}")


def _dtype_of(values, dtype, fname):
    """The dtype the pieces share (JAX's rules: the first piece's unless ``dtype`` given)."""
    if dtype is None:
        if not values:
            raise ValueError("If the Array has no addressable shards, `dtype` must be "
                             f"provided via the `dtype` argument to `glassbox.{fname}`.")
        return values[0].dtype
    dtype = dtypes.canonicalize_dtype(np.dtype(dtype))
    if values and values[0].dtype != dtype:
        raise ValueError(f"If `dtype` is provided to `glassbox.{fname}`, it must match the "
                         f"dtype of the addressable shards. Got dtype={dtype} and shard "
                         f"dtype={values[0].dtype}`.")
    return dtype


def _check_pieces(pieces, aval, sharding):
    expected = sharding.shard_shape(aval.shape)
    for piece in pieces:
        if piece.dtype != aval.dtype:
            raise ValueError(f"Input buffers to `Array` must have matching dtypes. Got "
                             f"{piece.dtype}, expected {aval.dtype} for buffer: {piece}")
        if tuple(piece.shape) != expected:
            raise ValueError(f"Expected shard shape {expected} doesn't match the single "
                             f"device array shape {tuple(piece.shape)}. Shape of Array is "
                             f"{aval.dtype.name}[{','.join(map(str, aval.shape))}] with "
                             f"sharding {sharding}")


def _host_piece(value):
    """A callback's result as a NumPy array of its canonical dtype."""
    if isinstance(value, Array) and not isinstance(value, ArrayImpl):
        err = UnexpectedTracerError.__new__(UnexpectedTracerError)   # JAX's text, not the
        TypeError.__init__(err, "glassbox.make_array_from_callback cannot be called within "
                                "a traced context.")   # escaped-tracer one __init__ writes
        raise err
    dtype = get_aval(value).dtype if not isinstance(value, np.ndarray) else \
        dtypes.canonicalize_dtype(value.dtype)
    if isinstance(value, (bool, np.bool_)):
        dtype = np.dtype(bool)
    return np.asarray(value, dtype=dtype)


def make_array_from_callback(shape, sharding, data_callback, dtype=None):
    """An array of ``shape`` laid out as ``sharding`` whose block at each index a local
    device holds is ``data_callback(index)`` (a tuple of slices).

    A fully replicated sharding calls the callback once, with the whole index."""
    _check_sharding(sharding, "make_array_from_callback")
    shape = tuple(int(n) for n in shape)
    placed = _local_placements(sharding, shape)
    if sharding.is_fully_replicated_for(len(shape)):
        whole = _host_piece(data_callback((slice(None),) * len(shape))) if placed else None
        pieces = [whole] * len(placed)
    else:
        pieces = [_host_piece(data_callback(index)) for _, index in placed]
    dtype = _dtype_of(pieces, dtype, "make_array_from_callback")
    aval = _aval(shape, dtype, sharding)
    _check_pieces(pieces, aval, sharding)
    # np.require, not np.ascontiguousarray: that makes a 0-d piece 1-d.
    pieces = [np.require(p, requirements="C") for p in pieces]
    return created([runtime.put_sharded(pieces, aval, sharding.cpp(len(shape)),
                                        [d for d, _ in placed])])[0]


# --- process-local data --------------------------------------------------------------

def _process_slices(sharding, dim, ndim):
    """``(this process's position, number of distinct process parts)`` along ``dim``:
    processes holding the same indices share a position. None when processes hold
    overlapping but different parts (JAX's non-uniform sharding)."""
    if sharding.is_fully_addressable or sharding.is_fully_replicated_for(ndim):
        return 0, 1
    probe = (sharding.num_devices,) * ndim
    per_process = {}
    every = set()
    for d, index, _ in sharding._placements(probe):
        s = index[dim]
        key = (s.start, s.stop)
        per_process.setdefault(d.process_index, set()).add(key)
        every.add(key)
    mine = frozenset(per_process[runtime.process_index()])
    if any(len(v) != len(mine) for v in per_process.values()):
        return None
    distinct = list(dict.fromkeys(frozenset(v) for v in per_process.values()))
    if sum(len(v) for v in distinct) != len(every):
        return None
    return distinct.index(mine), len(distinct)


def _global_shape(sharding, local_shape):
    out = []
    for dim, n in enumerate(local_shape):
        found = _process_slices(sharding, dim, len(local_shape))
        out.append(None if found is None else n * found[1])
    return tuple(out)


def _starts(index):
    return tuple(0 if s.start is None else s.start for s in index)


def _from_process_local(local, sharding, global_shape):
    local = np.asarray(local) if not isinstance(local, (np.ndarray, ArrayImpl)) else local
    local_shape = tuple(local.shape)
    if global_shape is None:
        global_shape = _global_shape(sharding, local_shape)
        if None in global_shape:
            raise ValueError("Unable to compute global_shape due to non-uniform sharding. "
                             f"Specify global shape directly. Partially computed "
                             f"global_shape={global_shape}.")
    elif None in global_shape:
        raise ValueError(f"global_shape={tuple(global_shape)} has Nones. This is not "
                         f"supported.")
    global_shape = tuple(int(n) for n in global_shape)
    if len(global_shape) != len(local_shape):
        raise ValueError(f"global_shape={global_shape} and the process data's shape "
                         f"{local_shape} have different ranks")
    placed = _local_placements(sharding, global_shape)
    block = sharding.shard_shape(global_shape)
    # Along each dimension, the distinct block starts this process holds, in order: the
    # k-th of them is the k-th block of the local data.
    starts = [sorted({_starts(index)[i] for _, index in placed}) for i in range(len(block))]
    full = []
    for i, (n, g) in enumerate(zip(local_shape, global_shape)):
        full.append(n == g)
        if n != g and len(starts[i]) * block[i] != n:
            raise ValueError(f"Invalid host data, each dimension should match either global "
                             f"or process shape. In dimension {i}, the process data has {n} "
                             f"elements. Process addresses {len(starts[i]) * block[i]} "
                             f"elements and global_shape={global_shape}.")

    def piece(index):
        return local[tuple(s if full[i] else
                           slice(starts[i].index(_starts(index)[i]) * block[i],
                                 (starts[i].index(_starts(index)[i]) + 1) * block[i])
                           for i, s in enumerate(index))]

    return make_array_from_callback(global_shape, sharding, piece)


def make_array_from_process_local_data(sharding, local_data, global_shape=None):
    """A global array laid out as ``sharding`` from this process's part ``local_data``.

    Along each dimension the local data is either the whole global extent or just the
    blocks this process's devices hold, stacked in order (a data-parallel batch: each
    process passes its own rows). ``global_shape`` None infers it from the sharding.
    ``sharding``, ``local_data`` and ``global_shape`` may be pytrees (prefixes)."""
    leaves, treedef = tree_flatten(local_data)
    shardings = [sharding_lib.resolve(s, "make_array_from_process_local_data")
                 for s in broadcast_prefix(sharding, local_data,
                                            is_leaf=lambda x: isinstance(
                                                x, (sharding_lib.Sharding,
                                                    sharding_lib.PartitionSpec)))]
    shapes = broadcast_prefix(global_shape, local_data,
                               is_leaf=lambda x: x is None or isinstance(x, tuple))
    if _process_count() == 1:
        for s, d in zip(shapes, leaves):
            if s is not None and tuple(s) != tuple(np.shape(d)):
                raise ValueError("When calling `make_array_from_process_local_data` on a "
                                 "single process, global_shape should be None or equal to "
                                 f"local_data.shape.Got global_shape={tuple(s)} and "
                                 f"local_data.shape={tuple(np.shape(d))}.")
    out = [_from_process_local(d, s, shape) for d, s, shape in zip(leaves, shardings, shapes)]
    return tree_unflatten(treedef, out)


def _process_count():
    return max((d.process_index for d in runtime.devices()), default=0) + 1


# --- single-device arrays ---------------------------------------------------------

def make_array_from_single_device_arrays(shape, sharding, arrays, *, dtype=None):
    """One array of ``shape`` laid out as ``sharding`` from ``arrays``: one single-device
    array per device of ``sharding`` this process holds (any order), each the block that
    device holds. No data is copied."""
    _check_sharding(sharding, "make_array_from_single_device_arrays")
    if not isinstance(arrays, (list, tuple)):
        raise TypeError("glassbox.make_array_from_single_device_arrays `arrays` argument "
                        f"must be a list or tuple, but got {type(arrays)}.")
    if any(isinstance(a, Array) and not isinstance(a, ArrayImpl) for a in arrays):
        raise ValueError("glassbox.make_array_from_single_device_arrays requires a list of "
                         "concrete arrays as input, but got types "
                         f"{set(map(type, arrays))}")
    if not all(isinstance(a, ArrayImpl) for a in arrays):
        raise TypeError("glassbox.make_array_from_single_device_arrays takes glassbox "
                        f"Arrays (device_put them first), got types {set(map(type, arrays))}")
    shape = tuple(int(n) for n in shape)
    dtype = _dtype_of(arrays, dtype, "make_array_from_single_device_arrays")
    aval = _aval(shape, dtype, sharding)
    placed = _local_placements(sharding, shape)
    if len(arrays) != len(placed):
        raise ValueError(f"Expected {len(placed)} per-device arrays (this is how many devices "
                         f"are addressable by the sharding), but got {len(arrays)}")
    if any(runtime.is_multi_device(a) for a in arrays):
        raise ValueError("glassbox.make_array_from_single_device_arrays takes arrays each on "
                         "a single device; one of them lies over several")
    by_id = {}
    for a in arrays:
        by_id[runtime.buffer_device(a).id] = a
    if len(by_id) != len(arrays):
        ids = [runtime.buffer_device(a).id for a in arrays]
        raise ValueError("When making an array from single-device arrays, the input arrays "
                         f"must be from distinct devices, but got device IDs {ids}")
    wanted = {d.id for d, _ in placed}
    if set(by_id) != wanted:
        msg = "Addressable devices and per-device arrays devices do not match."
        if wanted - set(by_id):
            msg += (f" Sharding contains devices {wanted - set(by_id)} that are not present "
                    f"in per-device arrays.")
        if set(by_id) - wanted:
            msg += (f" Per-device arrays contain devices {set(by_id) - wanted} that are not "
                    f"present in the sharding.")
        raise ValueError(msg)
    _check_pieces(arrays, aval, sharding)
    ordered = [by_id[d.id] for d, _ in placed]
    return created([runtime.assemble(aval, sharding.cpp(len(shape)), ordered)])[0]


__all__ = ["make_array_from_callback", "make_array_from_process_local_data",
           "make_array_from_single_device_arrays"]
