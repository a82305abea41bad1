"""Array creation: ``array``/``asarray``, ``zeros``/``ones``/``full`` (and ``*_like``),
``arange``, ``linspace``/``logspace``/``geomspace``, ``eye``/``identity``/``tri``,
``meshgrid``, ``indices``, ``diag``/``diagflat``, ``fromfunction``, ``copy``, ``frombuffer``.

Dtypes follow JAX, not NumPy: Python floats become float32 (x64 off), Python
ints int32, and a value built from a Python scalar keeps its *weak* type
(``jnp.asarray(1.0)`` is ``float32{weak}``, as in JAX), while lists never are
weak (``jnp.array([1.0])`` is plain float32).

Host data (lists, NumPy arrays) reaches the device through ``device_put``.
Everything else is built from primitives (``broadcast_in_dim`` of a scalar,
``iota``, comparisons), so under ``jit`` ``zeros``/``eye``/``arange`` are traced
equations in the jaxpr rather than baked-in constants, as in JAX.
"""
import functools

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..array import ArrayImpl, device_put
from ..core import Tracer, get_aval
from ..dtypes import PYTHON_SCALARS
from ..errors import ConcretizationTypeError
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import broadcast_to, static_int
from .dtype_api import canonicalize_user_dtype

__all__ = ["array", "asarray", "zeros", "ones", "empty", "full", "zeros_like", "ones_like",
           "empty_like", "full_like", "arange", "linspace", "logspace", "geomspace", "eye",
           "identity", "tri", "meshgrid", "indices", "diag", "diagflat", "fromfunction", "copy",
           "frombuffer"]


# ---------------------------------------------------------------------------
# Helpers


def _is_weak(x):
    """Python scalars and weakly typed arrays are weak; lists and NumPy values are not."""
    if type(x) in PYTHON_SCALARS:
        return type(x) is not bool
    aval = getattr(x, "aval", None)
    return aval is not None and aval.weak_type


def _canonical_shape(shape, fun_name):
    """A tuple of non-negative ints from an int or a sequence of ints."""
    if isinstance(shape, (list, tuple)):
        dims = tuple(static_int(d, f"{fun_name}: shape entry") for d in shape)
    else:
        dims = (static_int(shape, f"{fun_name}: shape"),)
    if any(d < 0 for d in dims):
        raise ValueError(f"{fun_name}: negative dimensions are not allowed, got shape {dims}")
    return dims


def _ensure_array(x):
    """``x`` as a glassbox Array: scalars become a (traced, under jit) rank-0 broadcast."""
    if hasattr(x, "aval"):
        return x
    return lax.broadcast_in_dim_p.bind(x, shape=(), broadcast_dimensions=())


def _full(shape, fill_value, dtype, weak_type=False):
    """``lax.full``: ``fill_value`` converted to ``dtype`` and broadcast to ``shape``."""
    fill = lax.convert_element_type(fill_value, dtype, weak_type)
    if not shape:
        return _ensure_array(fill)
    return lax.broadcast(fill, shape)


def _check_arraylike(fun_name, x):
    if not (hasattr(x, "aval") or type(x) in PYTHON_SCALARS or isinstance(x, (np.ndarray, np.generic))):
        hint = " (use jnp.array(x) first)" if isinstance(x, (list, tuple)) else ""
        raise TypeError(f"{fun_name} requires ndarray or scalar arguments, got "
                        f"{type(x).__name__}{hint}")


# ---------------------------------------------------------------------------
# array / asarray


def _leaves(obj):
    """The leaves of nested lists/tuples, depth first."""
    if isinstance(obj, (list, tuple)):
        out = []
        for item in obj:
            out.extend(_leaves(item))
        return out
    return [obj]


def _rebuild(obj, fn):
    if isinstance(obj, (list, tuple)):
        return [_rebuild(item, fn) for item in obj]
    return fn(obj)


def array(object, dtype=None, copy=True, order="K", ndmin=0, *, device=None):
    """Convert ``object`` to a glassbox Array (``numpy.array`` with JAX's dtype rules).

    Args:
      object: an Array, NumPy array, Python scalar, or nested lists/tuples of them.
      dtype: the result dtype; inferred with JAX's promotion lattice if omitted
        (Python floats give float32 while x64 is off).
      copy: copy Array inputs (arrays are immutable, so this only matters for identity).
      ndmin: prepend length-1 dimensions up to this rank.
      device: the device to put the result on (default: the first).

    Returns:
      An Array. It is weakly typed only if ``object`` is (a Python scalar or a weak
      Array) and no dtype is given: ``jnp.array(1.0)`` is ``float32{weak}``,
      ``jnp.array([1.0])`` plain float32.

    Example::

        >>> jnp.array([[1, 2], [3, 4]])
        Array([[1, 2],
               [3, 4]], dtype=int32)
    """
    if order is not None and order != "K":
        raise NotImplementedError("array: only order='K' is implemented")
    dtype = canonicalize_user_dtype(dtype, "array")
    weak = dtype is None and _is_weak(object)
    jax_array = getattr(object, "__jax_array__", None)
    if jax_array is not None:
        object = jax_array()
    if type(object) is int and dtype is not None:
        dtypes.check_python_int(object, dtype)  # jnp.array(300, dtype=int8) overflows
    leaves = _leaves(object)
    if any(leaf is None for leaf in leaves):
        raise ValueError("array: None is not a valid value for a glassbox array")
    if dtype is None:
        dtype = dtypes.result_type(*leaves) if leaves else dtypes.default_float()
    if hasattr(object, "aval"):
        out = object.copy() if copy and isinstance(object, ArrayImpl) else object
        out = lax.convert_element_type(out, dtype, weak)
    elif any(isinstance(leaf, Tracer) for leaf in leaves):
        out = _stack_traced(object, dtype)
    else:
        host = np.asarray(_rebuild(object, _host_value), dtype=dtype) if isinstance(
            object, (list, tuple)) else np.asarray(_host_value(object), dtype=dtype)
        if ndmin > host.ndim:
            host = host.reshape((1,) * (ndmin - host.ndim) + host.shape)
        return device_put(host, device, weak_type=weak)
    ndim = get_aval(out).ndim
    if ndmin > ndim:
        out = lax.reshape(out, (1,) * (ndmin - ndim) + get_aval(out).shape)
    return device_put(out, device) if device is not None else out


def _host_value(leaf):
    if isinstance(leaf, ArrayImpl):
        return np.asarray(leaf)
    return leaf


def _stack_traced(obj, dtype):
    """Nested lists holding tracers: convert each element, add a leading axis, concatenate."""
    if not isinstance(obj, (list, tuple)):
        return lax.convert_element_type(_ensure_array(array(obj, dtype, copy=False)), dtype)
    if not obj:
        return _full((0,), 0, dtype)
    parts = [_stack_traced(item, dtype) for item in obj]
    parts = [lax.reshape(p, (1,) + get_aval(p).shape) for p in parts]
    return lax.concatenate(parts, 0)


def asarray(a, dtype=None, order=None, *, copy=None, device=None):
    """Like ``array`` but never copies an Array that already has the requested dtype.

    ``jnp.asarray(2)`` is ``int32{weak}`` (a Python scalar keeps its weak type);
    ``jnp.asarray(2, dtype='int32')`` is strongly typed.
    """
    if hasattr(a, "aval") and device is None and not copy:
        if dtype is None:
            return a
        want = canonicalize_user_dtype(dtype, "asarray")
        if a.aval.dtype == want and not a.aval.weak_type:
            return a
    return array(a, dtype=dtype, copy=bool(copy), order=order or "K", device=device)


def copy(a, order=None):
    """A copy of ``a`` (``jnp.array(a, copy=True)``)."""
    return array(a, copy=True, order=order or "K")


def frombuffer(buffer, dtype=float, count=-1, offset=0):
    """An Array from the bytes of ``buffer`` (``numpy.frombuffer``, then ``device_put``)."""
    return asarray(np.frombuffer(buffer, dtype=np.dtype(dtype), count=count, offset=offset))


# ---------------------------------------------------------------------------
# zeros / ones / full and the *_like variants


def zeros(shape, dtype=None, *, device=None):
    """An array of zeros (default dtype float32, float64 with x64). Lowers to a broadcast."""
    shape = _canonical_shape(shape, "zeros")
    dtype = canonicalize_user_dtype(dtype, "zeros") or dtypes.default_float()
    return _placed(_full(shape, 0, dtype), device)


def ones(shape, dtype=None, *, device=None):
    """An array of ones (default dtype float32, float64 with x64)."""
    shape = _canonical_shape(shape, "ones")
    dtype = canonicalize_user_dtype(dtype, "ones") or dtypes.default_float()
    return _placed(_full(shape, 1, dtype), device)


def empty(shape, dtype=None, *, device=None):
    """Like ``zeros`` (XLA has no uninitialized memory), as in JAX."""
    return zeros(shape, dtype, device=device)


def full(shape, fill_value, dtype=None, *, device=None):
    """An array of ``shape`` filled with ``fill_value``.

    With no ``dtype``, a Python scalar fill keeps its weak type
    (``jnp.full(3, 1.0)`` is ``float32{weak}``, as in JAX). An array ``fill_value``
    is broadcast to ``shape``.
    """
    _check_arraylike("full", fill_value)
    dtype = canonicalize_user_dtype(dtype, "full")
    shape = _canonical_shape(shape, "full")
    if _ndim(fill_value):
        return _placed(broadcast_to(asarray(fill_value, dtype=dtype), shape), device)
    weak = dtype is None and _is_weak(fill_value)
    dtype = dtype or dtypes.dtype_and_weak(fill_value)[0]
    return _placed(_full(shape, fill_value, dtype, weak), device)


def _like_shape_dtype(a, dtype, shape, fun_name):
    if not (hasattr(a, "shape") and hasattr(a, "dtype")):
        _check_arraylike(fun_name, a)
    a_shape = tuple(a.shape) if hasattr(a, "shape") else ()
    shape = a_shape if shape is None else _canonical_shape(shape, fun_name)
    weak = dtype is None and _is_weak(a)
    dtype = canonicalize_user_dtype(dtype, fun_name) or (
        dtypes.canonicalize_dtype(a.dtype) if hasattr(a, "dtype") else
        dtypes.dtype_and_weak(a)[0])
    return shape, dtype, weak


def full_like(a, fill_value, dtype=None, shape=None, *, device=None):
    """An array like ``a`` (its shape and dtype unless given) filled with ``fill_value``.

    A weakly typed ``a`` gives a weakly typed result (as ``lax.full_like`` in JAX).
    """
    _check_arraylike("full_like", fill_value)
    shape, dtype, weak = _like_shape_dtype(a, dtype, shape, "full_like")
    if _ndim(fill_value):
        return _placed(broadcast_to(asarray(fill_value, dtype=dtype), shape), device)
    return _placed(_full(shape, fill_value, dtype, weak), device)


def zeros_like(a, dtype=None, shape=None, *, device=None):
    """Zeros with the shape and dtype of ``a`` (or the ones given)."""
    shape, dtype, weak = _like_shape_dtype(a, dtype, shape, "zeros_like")
    return _placed(_full(shape, 0, dtype, weak), device)


def ones_like(a, dtype=None, shape=None, *, device=None):
    """Ones with the shape and dtype of ``a`` (or the ones given)."""
    shape, dtype, weak = _like_shape_dtype(a, dtype, shape, "ones_like")
    return _placed(_full(shape, 1, dtype, weak), device)


def empty_like(prototype, dtype=None, shape=None, *, device=None):
    """Like ``zeros_like`` (XLA has no uninitialized memory)."""
    return zeros_like(prototype, dtype, shape, device=device)


def _ndim(x):
    return x.aval.ndim if hasattr(x, "aval") else np.ndim(x)


def _host_scalar(x, dtype):
    """A concrete scalar as a NumPy scalar of ``dtype`` (converted on the host)."""
    return np.array(x).astype(dtype)[()]


def _placed(x, device):
    return x if device is None else device_put(x, device)


# ---------------------------------------------------------------------------
# Ranges


def _concrete_scalar(x, name):
    """A concrete Python/NumPy scalar from an argument that must not be traced."""
    if x is None:
        return None
    if isinstance(x, Tracer):
        value = x.to_concrete_value()
        if value is None:
            raise ConcretizationTypeError(x, f"arange: the argument '{name}' must be concrete "
                                             f"(its value sets the output length)")
        x = value
    if isinstance(x, ArrayImpl):
        x = np.asarray(x)[()]
    if np.ndim(x) != 0:
        raise ValueError(f"arange: arguments must be scalars; got {name}={x!r}")
    return x


def arange(start, stop=None, step=None, dtype=None, *, device=None):
    """Evenly spaced values in ``[start, stop)`` (``numpy.arange`` with JAX's dtypes).

    Integer arguments give int32 (int64 with x64), floats float32. Computed on the
    device as ``start + step * iota`` (``stablehlo.iota``), as JAX does.

    Example::

        >>> jnp.arange(5)
        Array([0, 1, 2, 3, 4], dtype=int32)
        >>> jnp.arange(0.0, 1.0, 0.25)
        Array([0.  , 0.25, 0.5 , 0.75], dtype=float32)
    """
    dtype = canonicalize_user_dtype(dtype, "arange")
    start_name = "stop" if stop is None and step is None else "start"
    start = _concrete_scalar(start, start_name)
    stop, step = _concrete_scalar(stop, "stop"), _concrete_scalar(step, "step")
    for v in (start, stop, step):
        if v is not None and np.iscomplexobj(v):
            raise ValueError("arange: complex start/stop/step are not supported (as in JAX)")
    if dtype is None:
        dtype = dtypes.result_type(*(v for v in (start, stop, step) if v is not None))
    if stop is None:
        start, stop = 0, start
    if step is not None:
        if step == 0:
            raise ValueError("arange: step must not be zero")
        working = np.dtype(np.float32) if (dtypes.is_float(dtype) and
                                           np.dtype(dtype).itemsize < 4) else dtype
        size = max(0, int(np.ceil((stop - start) / step)))
        iota = lax.broadcasted_iota(working, (size,), 0)
        out = jnp.add(_host_scalar(start, working),
                         jnp.multiply(_host_scalar(step, working), iota))
        return _placed(lax.convert_element_type(out, dtype), device)
    if start == 0:
        size = max(0, int(np.ceil(stop)))
        return _placed(lax.broadcasted_iota(dtype, (size,), 0), device)
    size = max(0, int(np.ceil(stop - start)))
    out = jnp.add(_host_scalar(start, dtype), lax.broadcasted_iota(dtype, (size,), 0))
    return _placed(out, device)


def _inexact(dtype):
    return dtype if dtypes.is_inexact(dtype) else dtypes.default_float()


def linspace(start, stop, num=50, endpoint=True, retstep=False, dtype=None, axis=0, *,
             device=None):
    """``num`` evenly spaced samples from ``start`` to ``stop`` (JAX's algorithm).

    Computed as ``start * (1 - t) + stop * t`` with ``t = iota / div`` in the
    floating dtype, which reproduces both endpoints exactly. Array ``start``/``stop``
    give one sequence per element, laid along ``axis``.

    Returns:
      The samples, and the step if ``retstep``.
    """
    num = static_int(num, "linspace: num")
    axis = static_int(axis, "linspace: axis")
    if num < 0:
        raise ValueError(f"linspace: number of samples, {num}, must be non-negative")
    _check_arraylike("linspace", start)
    _check_arraylike("linspace", stop)
    dtype = canonicalize_user_dtype(dtype, "linspace")
    return _linspace_jit(start, stop, num, bool(endpoint), bool(retstep), dtype, axis)


@functools.partial(jit, static_argnames=("num", "endpoint", "retstep", "dtype", "axis"))
def _linspace_jit(start, stop, num, endpoint, retstep, dtype, axis):
    if dtype is None:
        dtype = _inexact(dtypes.result_type(start, stop))
    computation = _inexact(dtype)
    start, stop = asarray(start, dtype=computation), asarray(stop, dtype=computation)
    bounds = list(np.broadcast_shapes(start.shape, stop.shape))
    b_start, b_stop = broadcast_to(start, bounds), broadcast_to(stop, bounds)
    axis = len(bounds) + axis + 1 if axis < 0 else axis
    bounds.insert(axis, 1)
    div = (num - 1) if endpoint else num
    if num > 1:
        delta = jnp.true_divide(stop - start, asarray(div, dtype=computation))
        iota_shape = [1] * len(bounds)
        iota_shape[axis] = div
        real = np.abs(np.zeros((), computation)).dtype  # float32 for complex64, bf16 stays
        t = jnp.true_divide(lax.reshape(lax.iota(real, div), iota_shape), asarray(div, real))
        t = lax.convert_element_type(t, computation)
        out = lax.reshape(b_start, bounds) * (1 - t) + lax.reshape(b_stop, bounds) * t
        if endpoint:
            last = lax.reshape(b_stop, bounds)
            out = lax.concatenate([out, last], axis)
    elif num == 1:
        delta = asarray(np.nan if endpoint else stop - start, dtype=computation)
        out = lax.reshape(b_start, bounds)
    else:
        bounds[axis] = 0
        delta = _full((), np.nan, computation)
        out = _full(tuple(bounds), 0, dtype)
    if dtypes.is_int(dtype) and not dtypes.is_int(out.dtype):
        out = lax.floor(out)
    result = lax.convert_element_type(out, dtype)
    return (result, delta) if retstep else result


def logspace(start, stop, num=50, endpoint=True, base=10.0, dtype=None, axis=0):
    """``base ** linspace(start, stop, num)``: samples evenly spaced on a log scale."""
    num = static_int(num, "logspace: num")
    axis = static_int(axis, "logspace: axis")
    dtype = canonicalize_user_dtype(dtype, "logspace")
    return _logspace_jit(start, stop, num, bool(endpoint), base, dtype, axis)


@functools.partial(jit, static_argnames=("num", "endpoint", "dtype", "axis"))
def _logspace_jit(start, stop, num, endpoint, base, dtype, axis):
    if dtype is None:
        dtype = _inexact(dtypes.result_type(start, stop))
    computation = _inexact(dtype)
    start, stop = asarray(start, dtype=computation), asarray(stop, dtype=computation)
    lin = linspace(start, stop, num, endpoint=endpoint, axis=axis)
    return lax.convert_element_type(jnp.power(base, lin), dtype)


def geomspace(start, stop, num=50, endpoint=True, dtype=None, axis=0):
    """Samples evenly spaced on a log scale between ``start`` and ``stop`` (same sign)."""
    num = static_int(num, "geomspace: num")
    axis = static_int(axis, "geomspace: axis")
    dtype = canonicalize_user_dtype(dtype, "geomspace")
    return _geomspace_jit(start, stop, num, bool(endpoint), dtype, axis)


@functools.partial(jit, static_argnames=("num", "endpoint", "dtype", "axis"))
def _geomspace_jit(start, stop, num, endpoint, dtype, axis):
    if dtype is None:
        dtype = _inexact(dtypes.result_type(start, stop))
    computation = _inexact(dtype)
    start, stop = asarray(start, dtype=computation), asarray(stop, dtype=computation)
    sign = jnp.sign(start)
    res = sign * logspace(jnp.log10(start / sign), jnp.log10(stop / sign), num,
                          endpoint=endpoint, base=10.0, dtype=computation, axis=0)
    axis = axis % res.ndim if res.ndim else 0
    if axis != 0:
        res = lax.transpose(res, (*range(1, axis + 1), 0, *range(axis + 1, res.ndim)))
    return lax.convert_element_type(res, dtype)


# ---------------------------------------------------------------------------
# Matrices and grids


def _offset_mask(n, m, k, fun_name, direction):
    """Bool ``(n, m)`` mask comparing ``row + k`` with ``col`` (``iota``s, traced under jit)."""
    n = static_int(n, f"{fun_name}: N")
    m = n if m is None else static_int(m, f"{fun_name}: M")
    if n < 0 or m < 0:
        raise ValueError(f"{fun_name}: negative dimensions are not allowed, got N={n} and M={m}")
    if hasattr(k, "aval"):
        offset = k
    else:  # a diagonal beyond the matrix is empty: clipping to int32 changes nothing
        offset = np.int32(np.clip(static_int(k, f"{fun_name}: k"), -2**31, 2**31 - 1))
    rows = lax.broadcasted_iota(np.int32, (n, m), 0)
    cols = lax.broadcasted_iota(np.int32, (n, m), 1)
    shifted = jnp.add(rows, lax.convert_element_type(offset, np.int32))
    return jnp.equal(shifted, cols) if direction == "eq" else jnp.greater_equal(shifted, cols)


def eye(N, M=None, k=0, dtype=None, *, device=None):
    """A 2-D array with ones on the ``k``-th diagonal and zeros elsewhere.

    Built as ``iota(rows) + k == iota(cols)`` (traced under jit), as in JAX.
    """
    dtype = canonicalize_user_dtype(dtype, "eye") or dtypes.default_float()
    mask = _offset_mask(N, M, k, "eye", "eq")
    return _placed(lax.convert_element_type(mask, dtype), device)


def identity(n, dtype=None):
    """The ``n x n`` identity matrix."""
    return eye(n, dtype=dtype)


def tri(N, M=None, k=0, dtype=None):
    """Ones at and below the ``k``-th diagonal, zeros above (``numpy.tri``)."""
    dtype = canonicalize_user_dtype(dtype, "tri") or dtypes.default_float()
    return lax.convert_element_type(_offset_mask(N, M, k, "tri", "ge"), dtype)


def meshgrid(*xi, copy=True, sparse=False, indexing="xy"):
    """Coordinate matrices from 1-D coordinate vectors (``numpy.meshgrid``).

    Args:
      *xi: 1-D arrays.
      sparse: return arrays with length-1 dims instead of full grids.
      indexing: ``'xy'`` (Cartesian: the first two outputs swapped) or ``'ij'`` (matrix).

    Returns:
      A list of arrays, one per input.
    """
    args = [asarray(x) for x in xi]
    if not copy:
        raise ValueError("meshgrid: only copy=True is supported (arrays are immutable)")
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    if any(a.ndim != 1 for a in args):
        raise ValueError("meshgrid: arguments must be 1-D, got shapes "
                         + ", ".join(str(a.shape) for a in args))
    if indexing == "xy" and len(args) >= 2:
        args[0], args[1] = args[1], args[0]
    shape = [1 if sparse else a.shape[0] for a in args]
    out = []
    for i, a in enumerate(args):
        target = shape[:i] + [a.shape[0]] + shape[i + 1:] if sparse else shape
        out.append(lax.broadcast_in_dim(a, tuple(target), (i,)))
    if indexing == "xy" and len(args) >= 2:
        out[0], out[1] = out[1], out[0]
    return out


def indices(dimensions, dtype=None, sparse=False):
    """An array (or tuple, if ``sparse``) of index grids for an array of shape ``dimensions``.

    ``indices((2, 3))[0]`` is the row index of every element, ``[1]`` the column index.
    """
    dtype = canonicalize_user_dtype(dtype, "indices") or dtypes.default_int()
    dims = tuple(static_int(d, "indices: dimensions") for d in dimensions)
    out = _index_grids(dims, dtype, sparse)
    if sparse:
        return tuple(out)
    if not out:
        return zeros((0,), dtype)
    return lax.concatenate([lax.reshape(o, (1,) + dims) for o in out], 0)


def _index_grids(dims, dtype, sparse):
    """One ``iota`` per axis, broadcast to ``dims`` (or to length-1 axes if ``sparse``)."""
    n = len(dims)
    out = []
    for i, d in enumerate(dims):
        target = (1,) * i + (d,) + (1,) * (n - i - 1) if sparse else dims
        out.append(lax.broadcast_in_dim(lax.iota(dtype, d), target, (i,)))
    return out


def diag(v, k=0):
    """The ``k``-th diagonal of a 2-D ``v``, or a 2-D array with 1-D ``v`` on that diagonal."""
    _check_arraylike("diag", v)
    k = static_int(k, "diag: k")
    v = asarray(v)
    if v.ndim == 1:
        n = v.shape[0] + abs(k)
        zero = lax.convert_element_type(0, v.dtype, v.weak_type)
        v = lax.pad(v, zero, ((max(0, k), max(0, -k), 0),))
        return jnp.where(eye(n, k=k, dtype=bool), v, zeros_like(v))
    if v.ndim == 2:
        return jnp.diagonal(v, offset=k)
    raise ValueError(f"diag: input must be 1-D or 2-D, got shape {v.shape}")


def diagflat(v, k=0):
    """A 2-D array with the flattened ``v`` on the ``k``-th diagonal."""
    _check_arraylike("diagflat", v)
    v = asarray(v)
    return diag(lax.reshape(v, (v.size,)), k)


def fromfunction(function, shape, *, dtype=float, **kwargs):
    """``function(*indices)`` where the index arrays cover ``shape`` (as ``numpy.fromfunction``).

    ``function`` is called once with full index grids (like NumPy), so it must work
    elementwise on arrays.
    """
    shape = _canonical_shape(shape, "fromfunction")
    dtype = canonicalize_user_dtype(dtype, "fromfunction") or dtypes.default_float()
    return function(*_index_grids(shape, dtype, sparse=False), **kwargs)
