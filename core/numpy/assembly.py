"""Building, reshaping and comparing whole arrays: ``block``, ``resize``, ``unstack``,
``packbits``, ``unpackbits``, ``array_equal``, ``array_equiv``, ``cross``, ``matvec``,
``vecmat``.

Composed from ``jnp`` functions as JAX composes them: ``block`` concatenates nested
lists from the innermost out, ``resize`` repeats the flat data, ``packbits`` packs
8 booleans per ``uint8`` (big- or little-endian bit order), ``matvec``/``vecmat`` are
``matmul`` under ``vectorize`` with gufunc signatures.
"""
import functools
import math
import operator

import numpy as np

from .. import lax
from ..api import jit
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import canonicalize_axis, check_arraylike

__all__ = ["block", "resize", "unstack", "packbits", "unpackbits", "array_equal",
           "array_equiv", "cross", "matvec", "vecmat"]


def _block(xs):
    if isinstance(xs, tuple):
        raise ValueError(f"jax.numpy.block does not allow tuples, got {xs}")
    if isinstance(xs, list):
        if len(xs) == 0:
            raise ValueError("jax.numpy.block does not allow empty list arguments")
        parts, depths = zip(*[_block(x) for x in xs])
        if any(d != depths[0] for d in depths[1:]):
            raise ValueError("Mismatched list depths in jax.numpy.block")
        rank = max(depths[0], max(np.ndim(x) for x in parts))
        parts = [jnp.reshape(x, (1,) * (rank - x.ndim) + x.shape) for x in parts]
        return jnp.concatenate(parts, axis=-depths[0]), depths[0] + 1
    return jnp.asarray(xs), 1


@jit
def _block_jit(arrays):
    return _block(arrays)[0]


def block(arrays):
    """Assemble an array from nested lists of blocks (``numpy.block``): the innermost
    lists are joined along the last axis, the next along the one before, ..."""
    return _block_jit(arrays)


@functools.partial(jit, static_argnames=("new_shape",))
def _resize(a, new_shape):
    arr = jnp.ravel(a)
    size = math.prod(new_shape)
    if arr.size == 0 or size == 0:
        return jnp.zeros(new_shape, arr.dtype)
    arr = jnp.tile(arr, -(-size // arr.size))[:size]
    return jnp.reshape(arr, new_shape)


def resize(a, new_shape):
    """``a``'s flattened elements repeated (or cut) to fill ``new_shape``."""
    check_arraylike("resize", a)
    new_shape = (operator.index(new_shape),) if np.ndim(new_shape) == 0 else \
        tuple(operator.index(d) for d in new_shape)
    if any(d < 0 for d in new_shape):
        raise ValueError("all elements of `new_shape` must be non-negative")
    return _resize(jnp.asarray(a), new_shape)


def unstack(x, /, *, axis=0):
    """The slices of ``x`` along ``axis``, as a tuple of arrays."""
    check_arraylike("unstack", x)
    x = jnp.asarray(x)
    if x.ndim == 0:
        raise ValueError("Unstack requires arrays with rank > 0, however a scalar array was "
                         "passed.")
    axis = canonicalize_axis(axis, x.ndim, "jnp.unstack")
    return tuple(lax.index_in_dim(x, i, axis, keepdims=False) for i in range(x.shape[axis]))


@functools.partial(jit, static_argnames=("axis", "bitorder"))
def _packbits(arr, axis, bitorder):
    arr = lax.ne(arr, jnp.zeros_like(arr)).astype(np.uint8)
    bits = jnp.arange(8, dtype=np.uint8)
    if bitorder == "big":
        bits = bits[::-1]
    if axis is None:
        arr, axis = jnp.ravel(arr), 0
    arr = jnp.swapaxes(arr, axis, -1)
    remainder = arr.shape[-1] % 8
    if remainder:
        arr = lax.pad(arr, np.uint8(0), [(0, 0, 0)] * (arr.ndim - 1) + [(0, 8 - remainder, 0)])
    arr = arr.reshape(arr.shape[:-1] + (arr.shape[-1] // 8, 8))
    packed = (arr << jnp.expand_dims(bits, tuple(range(arr.ndim - 1)))).sum(-1).astype(np.uint8)
    return jnp.swapaxes(packed, axis, -1)


def packbits(a, axis=None, bitorder="big"):
    """Pack the truth values of ``a`` into ``uint8`` bytes, 8 per byte, along ``axis``
    (flattened if ``None``); the last byte is padded with zero bits."""
    check_arraylike("packbits", a)
    arr = jnp.asarray(a)
    if not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == np.bool_):
        raise TypeError("Expected an input array of integer or boolean data type")
    if bitorder not in ("little", "big"):
        raise ValueError("'order' must be either 'little' or 'big'")
    return _packbits(arr, axis, bitorder)


@functools.partial(jit, static_argnames=("axis", "count", "bitorder"))
def _unpackbits(arr, axis, count, bitorder):
    bits = jnp.asarray(1, np.uint8) << jnp.arange(8, dtype=np.uint8)
    if bitorder == "big":
        bits = bits[::-1]
    if axis is None:
        arr, axis = jnp.ravel(arr), 0
    arr = jnp.swapaxes(arr, axis, -1)
    out = ((arr[..., None] & jnp.expand_dims(bits, tuple(range(arr.ndim)))) > 0).astype(np.uint8)
    out = out.reshape(out.shape[:-2] + (-1,))
    if count is not None:
        if count > out.shape[-1]:
            out = jnp.pad(out, [(0, 0)] * (out.ndim - 1) + [(0, count - out.shape[-1])])
        else:
            out = out[..., :count]
    return jnp.swapaxes(out, axis, -1)


def unpackbits(a, axis=None, count=None, bitorder="big"):
    """Unpack ``uint8`` bytes into bits (0/1 as ``uint8``), optionally keeping only
    ``count`` bits along ``axis``."""
    check_arraylike("unpackbits", a)
    arr = jnp.asarray(a)
    if arr.dtype != np.uint8:
        raise TypeError("Expected an input array of unsigned byte data type")
    if bitorder not in ("little", "big"):
        raise ValueError("'order' must be either 'little' or 'big'")
    return _unpackbits(arr, axis, count, bitorder)


def array_equal(a1, a2, equal_nan=False):
    """Whether two arrays have the same shape and elements (a bool array; shapes that
    differ give ``False``). With ``equal_nan``, NaNs compare equal."""
    a1, a2 = jnp.asarray(a1), jnp.asarray(a2)
    if a1.shape != a2.shape:
        return jnp.array(False, dtype=bool)
    eq = jnp.asarray(a1 == a2)
    if equal_nan:
        eq = jnp.logical_or(eq, jnp.logical_and(jnp.isnan(a1), jnp.isnan(a2)))
    return jnp.all(eq)


def array_equiv(a1, a2):
    """Whether two arrays are equal after broadcasting. Shapes that cannot broadcast
    raise ``TypeError`` (JAX 0.10.2 does, though NumPy returns ``False``)."""
    a1, a2 = jnp.asarray(a1), jnp.asarray(a2)
    try:
        eq = jnp.equal(a1, a2)
    except ValueError:
        raise TypeError(f"eq got incompatible shapes for broadcasting: {a1.shape}, "
                        f"{a2.shape}.") from None
    return jnp.all(eq)


@functools.partial(jit, static_argnames=("axisa", "axisb", "axisc", "axis"))
def _cross(a, b, axisa, axisb, axisc, axis):
    if axis is not None:
        axisa = axisb = axisc = axis
    a = jnp.moveaxis(a, axisa, -1)
    b = jnp.moveaxis(b, axisb, -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise ValueError("Dimension must be either 2 or 3 for cross product")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a0, a1 = a[..., 0], a[..., 1]
    a2 = a[..., 2] if a.shape[-1] == 3 else jnp.zeros_like(a0)
    b0, b1 = b[..., 0], b[..., 1]
    b2 = b[..., 2] if b.shape[-1] == 3 else jnp.zeros_like(b0)
    c = jnp.array([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0])
    return jnp.moveaxis(c, 0, axisc)


def cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    """Cross product of 3-vectors (or 2-vectors, whose z-component is taken as 0; two
    2-vectors give the scalar z-component), broadcasting the other axes."""
    check_arraylike("cross", a, b)
    return _cross(jnp.asarray(a), jnp.asarray(b), axisa, axisb, axisc, axis)


@jit
def _matvec(x1, x2):
    return jnp.vectorize(jnp.matmul, signature="(n,m),(m)->(n)")(x1, x2)


@jit
def _vecmat(x1, x2):
    return jnp.vectorize(jnp.matmul, signature="(n),(n,m)->(m)")(jnp.conj(x1), x2)


def matvec(x1, x2, /):
    """Batched matrix-vector product: ``x1[..., n, m] @ x2[..., m]``."""
    check_arraylike("matvec", x1, x2)
    return _matvec(x1, x2)


def vecmat(x1, x2, /):
    """Batched vector-matrix product ``conj(x1[..., n]) @ x2[..., n, m]``."""
    check_arraylike("vecmat", x1, x2)
    return _vecmat(x1, x2)
