"""``ArrayImpl``: a concrete array backed by a device buffer from jaxlib."""
import weakref

import numpy as np

from . import dtypes, events, runtime
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
            value = self._npy_value = runtime.fetch(self)
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
        return {self.device}

    @property
    def device(self):
        self.check_not_deleted()
        return runtime.buffer_device(self)

    def delete(self):
        runtime.delete(self)   # its host copy stays in ``_npy_value``; ``_value`` refuses it

    def copy(self):
        return device_put(np.array(self._value()), weak_type=self.aval.weak_type)

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
    events.emit("array_created", id=id(array), shape=array.aval.shape, dtype=array.aval.dtype,
                nbytes=nbytes, device=device, producer=events_producer())
    weakref.finalize(array, _freed, id(array), nbytes, device)


def _freed(array_id, nbytes, device):
    if events.listening:
        events.emit("array_freed", id=array_id, nbytes=nbytes, device=device)


_producer = [None]


def events_producer():
    return _producer[0]


def device_put(x, device=None, *, weak_type=None):
    """Put ``x`` (a NumPy array, Python scalar or Array) on ``device`` as an ArrayImpl."""
    if device is not None and device not in runtime.devices():
        raise ValueError(f"`glassbox.device_put` only accepts `None`, a device from "
                         f"`glassbox.devices()` or a pytree of these values. Received invalid "
                         f"value: {device!r}")
    if isinstance(x, ArrayImpl):
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
