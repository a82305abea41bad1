"""Host-side helpers: printing, files, foreign arrays, and names NumPy lends JAX.

``array_str``, ``array_repr``, ``save``, ``savez``, ``iterable``, ``object_`` and
``ComplexWarning`` are NumPy's own objects, as in JAX; the print options are
NumPy's (glassbox arrays print through NumPy). ``load`` turns a ``.npy`` file back
into an Array (restoring bfloat16, which NumPy stores as ``V2``). ``fromfile`` and
``fromiter`` are refused as in JAX (they are impure); ``fromstring`` parses on the
host. ``from_dlpack`` reads any DLPack-capable object through NumPy, then puts it
on the device.
"""
import numpy as np

from .. import dtypes
from ..api import device_put
from .. import numpy as jnp  # this package, partly imported now: names are read at call time

__all__ = ["array_str", "array_repr", "printoptions", "get_printoptions", "set_printoptions",
           "save", "savez", "load", "fromfile", "fromiter", "fromstring", "from_dlpack",
           "iterable", "object_", "ComplexWarning"]

array_str = np.array_str
array_repr = np.array_repr
save = np.save
savez = np.savez
iterable = np.iterable
object_ = np.object_
ComplexWarning = np.exceptions.ComplexWarning


def printoptions(*args, **kwargs):
    """A context manager setting NumPy's print options, which glassbox arrays use."""
    return np.printoptions(*args, **kwargs)


def get_printoptions():
    """NumPy's current print options (a dict)."""
    return np.get_printoptions()


def set_printoptions(*args, **kwargs):
    """Set NumPy's print options, which glassbox arrays use."""
    return np.set_printoptions(*args, **kwargs)


def load(file, *args, **kwargs):
    """``numpy.load``, with a ``.npy`` array returned as an Array (bfloat16 restored);
    ``.npz`` archives come back as NumPy's lazy mapping of NumPy arrays."""
    out = np.load(file, *args, **kwargs)
    if isinstance(out, np.ndarray):
        if out.dtype == "V2":
            out = out.view(dtypes.bfloat16)
        try:
            out = jnp.asarray(out)
        except (TypeError, AssertionError):   # a dtype glassbox does not support
            pass
    return out


def fromfile(*args, **kwargs):
    """Not implemented, as in JAX: reading a file is a side effect."""
    raise NotImplementedError(
        "jnp.fromfile() is not implemented because it may be non-pure and thus unsafe for use "
        "with JIT and other JAX transformations. Consider using jnp.asarray(np.fromfile(...)) "
        "instead, although care should be taken if np.fromfile is used within a jax "
        "transformations because of its potential side-effect of consuming the file object.")


def fromiter(*args, **kwargs):
    """Not implemented, as in JAX: consuming an iterator is a side effect."""
    raise NotImplementedError(
        "jnp.fromiter() is not implemented because it may be non-pure and thus unsafe for use "
        "with JIT and other JAX transformations. Consider using jnp.asarray(np.fromiter(...)) "
        "instead, although care should be taken if np.fromiter is used within a jax "
        "transformations because of its potential side-effect of consuming the iterable "
        "object.")


def fromstring(string, dtype=float, count=-1, *, sep):
    """An Array parsed from text of numbers separated by ``sep``."""
    return jnp.asarray(np.fromstring(string, dtype=dtype, count=count, sep=sep))


def from_dlpack(x, /, *, device=None, copy=None):
    """An Array from any object with ``__dlpack__`` (a NumPy, PyTorch, CuPy... array),
    read through NumPy on the host, then placed on ``device``."""
    host = np.from_dlpack(x, copy=copy) if copy is not None else np.from_dlpack(x)
    out = jnp.asarray(host)
    if device is not None:
        out = device_put(out, device)
    return out
