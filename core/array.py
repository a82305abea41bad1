"""``ArrayImpl``: a concrete array backed by a device buffer from jaxlib."""
import weakref

import numpy as np

from . import dtypes, events, runtime, sharding as sharding_lib
from .core import Array, check_tracer_alive, get_aval


class ArrayImpl:
    """A concrete glassbox array: an immutable device buffer plus its abstract value.

    The class is jaxlib's C++ ``ArrayImpl`` with these methods installed (see
    ``runtime.install_methods``): executables return it and take it directly.
    Its ``aval`` and ``_npy_value`` (the host copy, fetched once) are C++ fields.
    """

    # --- values on the host
    def _value(self):
        value = self._npy_value
        if value is None or runtime.is_deleted(self):
            self.check_not_deleted()   # reading a deleted buffer crashes jaxlib
            value = self._npy_value = (_gather(self) if runtime.is_multi_device(self)
                                       else runtime.fetch(self))
        return value

    def check_not_deleted(self):
        """Raise JAX's ``RuntimeError`` if ``delete()`` freed this array's buffer."""
        if runtime.is_deleted(self):
            raise RuntimeError(f"Array has been deleted with shape={_jax_type(self.aval)}. "
                               f"It was freed by `.delete()` (or donated to a jit call); "
                               f"use a copy made before deleting it instead.")

    def __array__(self, dtype=None, copy=None):
        value = self._value()
        if dtype is not None or copy:
            return np.array(value, dtype=dtype, copy=True)
        return value.copy() if copy is None else value

    def item(self, *args):
        return self._value().item(*args)

    def tolist(self):
        return self._value().tolist()

    def __bool__(self):
        return bool(self._value())

    def __int__(self):
        return int(self._value())

    def __float__(self):
        return float(self._value())

    def __complex__(self):
        return complex(self._value())

    def __index__(self):
        if not dtypes.is_int(self.dtype):
            raise TypeError(f"only integer arrays can be used as an index, got {self.dtype}")
        return int(self._value())

    def __format__(self, spec):
        return format(self._value().item(), spec) if self.ndim == 0 else format(str(self), spec)

    def __dlpack__(self, stream=None, **kwargs):
        return runtime.to_dlpack(self)

    def __dlpack_device__(self):
        return (1, 0)  # kDLCPU

    def __reduce__(self):
        return (_rebuild, (np.array(self._value()), self.aval.weak_type))

    # --- device side
    def block_until_ready(self):
        self.check_not_deleted()
        runtime.block(self)
        return self

    def devices(self):
        if runtime.is_multi_device(self):
            return self.sharding.device_set
        return {runtime.buffer_device(self)}

    @property
    def device(self):
        """The device holding the array; for an array over several devices, as in JAX,
        its sharding."""
        self.check_not_deleted()
        if runtime.is_multi_device(self):
            return self.sharding
        return runtime.buffer_device(self)

    @property
    def sharding(self):
        return sharding_lib.of_cpp(runtime.buffer_sharding(self), self.ndim)

    @property
    def committed(self):
        return self._committed

    @property
    def is_fully_replicated(self):
        return self.sharding.is_fully_replicated_for(self.ndim)

    @property
    def is_fully_addressable(self):
        return self.sharding.is_fully_addressable

    @property
    def addressable_shards(self):
        """This process's pieces of the array (``Shard``: device, index, replica_id, data)."""
        self.check_not_deleted()
        return [sharding_lib.Shard(d, index, replica, data) for data, (d, index, replica)
                in zip(_shards(self), _addressable_placements(self))]

    @property
    def global_shards(self):
        here = runtime.process_index()
        local = iter(_shards(self))
        return [sharding_lib.Shard(d, index, replica,
                                   next(local) if d.process_index == here else None)
                for d, index, replica in self.sharding._placements(self.shape)]

    def delete(self):
        runtime.delete(self)   # its host copy stays in ``_npy_value``; ``_value`` refuses it

    def copy(self):
        placement = self.sharding if runtime.is_multi_device(self) else None
        return device_put(np.array(self._value()), placement, weak_type=self.aval.weak_type)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    # --- display
    def __repr__(self):
        return format_array(self._value(), self.aval)

    def __str__(self):
        return str(self._value())


ArrayImpl = runtime.install_methods(runtime.ARRAY_TYPE, ArrayImpl)
ArrayImpl.__module__ = "glassbox"


def created(arrays):
    """Tell the views about new arrays (``array_created``; ``array_freed`` when they go).

    Called where Python makes arrays (``device_put``, running an executable); the C++
    ``jit`` fast path makes them without Python, so it is off while anyone listens."""
    if events.listening:
        for array in arrays:
            _announce(array)
    return arrays


def _jax_type(aval):
    """``float32[3]``: how JAX names an array type in its runtime messages."""
    return f"{aval.dtype.name}[{','.join(map(str, aval.shape))}]"


def _rebuild(value, weak_type):
    return device_put(value, weak_type=weak_type)


def format_array(value, aval):
    """``Array([1., 2.], dtype=float32)``, with ``weak_type=True`` shown as JAX does."""
    extra = ", weak_type=True" if aval.weak_type else ""
    if value.size == 0 and value.ndim > 0:
        return f"Array([], shape={aval.shape}, dtype={aval.dtype.name}{extra})"
    body = np.array2string(value, separator=", ", prefix="Array(")
    return f"Array({body}, dtype={aval.dtype.name}{extra})"


def _announce(array):
    device = runtime.buffer_device(array)
    nbytes = array.aval.nbytes
    extra = {}
    if runtime.is_multi_device(array):
        # Over several devices: which block of it each device holds, and its bytes
        # there (``nbytes`` stays the logical array's).
        sharding = array.sharding
        shard_shape = sharding.shard_shape(array.shape)
        shard_bytes = int(np.prod(shard_shape, dtype=np.int64)) * array.dtype.itemsize
        extra = {"shards": [(d, index, shard_bytes)
                            for d, index, _ in sharding._placements(array.shape)],
                 "shard_shape": shard_shape, "sharding": _sharding_label(sharding)}
    events.emit("array_created", id=id(array), shape=array.aval.shape, dtype=array.aval.dtype,
                nbytes=nbytes, device=device, producer=events_producer(), **extra)
    weakref.finalize(array, _freed, id(array), nbytes, device)


def _sharding_label(sharding):
    """``P('x', 'y') over mesh x=4, y=2`` for a NamedSharding, else its repr."""
    spec, mesh = getattr(sharding, "spec", None), getattr(sharding, "mesh", None)
    if spec is None or mesh is None:
        return repr(sharding)
    sizes = ", ".join(f"{n}={k}" for n, k in zip(mesh.axis_names, mesh.axis_sizes))
    return f"{spec!r} over mesh {sizes}"


def _freed(array_id, nbytes, device):
    if events.listening:
        events.emit("array_freed", id=array_id, nbytes=nbytes, device=device)


_producer = [None]


def events_producer():
    return _producer[0]


def _addressable_placements(array):
    here = runtime.process_index()
    return [p for p in array.sharding._placements(array.shape) if p[0].process_index == here]


def _shards(array):
    aval = array.aval.update(shape=array.sharding.shard_shape(array.shape))
    return runtime.shards(array, aval)


def _gather(array):
    """The value of an array over several devices, assembled on the host."""
    if array.is_fully_replicated:   # each device holds all of it: this process's first copy
        return np.array(runtime.fetch(_shards(array)[0]))
    if not array.is_fully_addressable:
        raise RuntimeError("Fetching value for `glassbox.Array` that spans non-addressable "
                           "(non process local) devices is not possible. Gather it first "
                           "(e.g. jit with out_shardings fully replicated, or "
                           "multihost_utils.process_allgather).")
    value = np.empty(array.shape, array.dtype)
    for data, (_, index, replica) in zip(_shards(array),
                                         _addressable_placements(array)):
        if replica == 0:
            value[index] = runtime.fetch(data)
    return value


def put_sharded(x, sharding, weak_type=None):
    """``x`` laid out as ``sharding``: one piece per (addressable) device."""
    if isinstance(x, ArrayImpl):
        if weak_type is None:
            weak_type = x.aval.weak_type
        if runtime.buffer_sharding(x) is sharding.cpp(x.ndim) and weak_type == x.aval.weak_type:
            return x
    aval = get_aval(x) if not isinstance(x, ArrayImpl) else x.aval
    if weak_type is not None:
        aval = aval.update(weak_type=weak_type)
    if isinstance(sharding, sharding_lib.NamedSharding):   # Explicit axes: in the type
        aval = aval.update(sharding=sharding.type_for(aval.ndim))
    host = np.asarray(x, dtype=aval.dtype)
    sharding.check_shape(host.shape)
    here = runtime.process_index()
    placed = [(d, index) for d, index, _ in sharding._placements(host.shape)
              if d.process_index == here]
    pieces = [np.require(host[index], requirements="C") for _, index in placed]   # 0-d stays 0-d
    return created([runtime.put_sharded(pieces, aval, sharding.cpp(host.ndim),
                                        [d for d, _ in placed])])[0]


def device_put(x, device=None, *, weak_type=None):
    """Put ``x`` (a NumPy array, Python scalar or Array) on ``device`` (a device, or a
    ``Sharding`` to lay it out over several) as an ArrayImpl."""
    if isinstance(device, sharding_lib.SingleDeviceSharding):
        device = device._device
    if isinstance(device, sharding_lib.Sharding):
        if isinstance(x, Array) and not isinstance(x, ArrayImpl):
            check_tracer_alive(x)
            raise TypeError("device_put of a traced value: it has no value yet")
        return put_sharded(x, device, weak_type)
    if device is not None and device not in runtime.devices():
        raise ValueError(f"`glassbox.device_put` only accepts `None`, a device from "
                         f"`glassbox.devices()` or a pytree of these values. Received invalid "
                         f"value: {device!r}")
    if isinstance(x, ArrayImpl):
        if runtime.is_multi_device(x):
            return created([runtime.put(x._value(), x.aval, device)])[0] if device else x
        if device is None or device in x.devices():
            return x
        return created([runtime.copy_to_device(x, x.aval, device)])[0]
    if isinstance(x, Array):
        check_tracer_alive(x)   # a tracer reaching the device has usually leaked
        raise TypeError("device_put of a traced value: it has no value yet")
    aval = get_aval(x)
    if weak_type is not None:
        aval = aval.update(weak_type=weak_type)
    host = np.asarray(x, dtype=aval.dtype)
    return created([runtime.put(host, aval, device)])[0]
