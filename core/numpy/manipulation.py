"""Array manipulation: reshaping, transposing, joining, splitting, tiling,
flipping, rolling, padding, broadcasting, diagonals and triangles, and the
index helpers (``take``, ``take_along_axis``, ``ravel_multi_index``...).

Every function is Python over lax primitives: shapes, axes and counts must
be static (known at trace time), as in JAX; values may be traced. dtypes and
weak types follow JAX: joining arrays promotes them with JAX's lattice.
``take``/``take_along_axis``/``put_along_axis`` live in ``indexing`` (they
share its gather machinery) and ``pad`` in ``padding``; all are re-exported here.
"""
import builtins
import math

import numpy as np

from .. import dtypes, lax
from ..core import Tracer, get_aval
from ..errors import ConcretizationTypeError
from . import _util
from ._util import canonicalize_axis, check_arraylike, static_int
from .creation import asarray
from .ufuncs import remainder

__all__ = [
    "shape", "ndim", "size", "reshape", "ravel", "transpose", "permute_dims",
    "matrix_transpose", "swapaxes", "moveaxis", "rollaxis", "squeeze", "expand_dims",
    "concatenate", "concat", "stack", "hstack", "vstack", "dstack", "column_stack", "split",
    "array_split", "hsplit", "vsplit", "dsplit", "tile", "repeat", "flip", "fliplr", "flipud",
    "roll", "rot90", "pad", "broadcast_to", "broadcast_arrays", "broadcast_shapes",
    "atleast_1d", "atleast_2d", "atleast_3d", "diagonal", "tril", "triu", "append",
    "delete", "insert", "ravel_multi_index", "unravel_index", "take", "take_along_axis",
    "put_along_axis",
]


def _shape(x):
    aval = getattr(x, "aval", None)
    return aval.shape if aval is not None else np.shape(x)   # NumPy values, scalars, lists


def _static_ints(xs, what):
    if isinstance(xs, (list, tuple)) or (isinstance(xs, np.ndarray) and xs.ndim):
        return tuple(static_int(x, what) for x in xs)
    return (static_int(xs, what),)


def _axes(axis, ndim, fun_name):
    """A tuple of distinct non-negative axes from an int or sequence (``None``: all)."""
    if axis is None:
        return tuple(range(ndim))
    axes = _static_ints(axis, f"{fun_name}: axis")
    axes = tuple(canonicalize_axis(a, ndim, fun_name) for a in axes)
    if len(set(axes)) != len(axes):
        raise ValueError(f"{fun_name}: repeated axis in {axis}")
    return axes


# ---------------------------------------------------------------------------
# shape, ndim, size


def shape(a):
    """The shape of ``a`` (an array, NumPy array or scalar) as a tuple."""
    return tuple(_shape(a))


def ndim(a):
    """The number of dimensions of ``a``."""
    return len(_shape(a))


def size(a, axis=None):
    """The number of elements of ``a`` (along ``axis`` if given)."""
    s = _shape(a)
    if axis is None:
        return math.prod(s)
    return s[canonicalize_axis(axis, len(s), "size")]


# ---------------------------------------------------------------------------
# reshape, ravel, transpose and friends


def _newshape(size_, newshape, fun_name="reshape"):
    dims = _static_ints(newshape, f"{fun_name}: shape")
    if builtins.sum(d == -1 for d in dims) > 1:
        raise ValueError(f"{fun_name}: can only specify one unknown dimension (-1), got {dims}")
    if any(d < -1 for d in dims):
        raise ValueError(f"{fun_name}: negative dimensions are not allowed, got {dims}")
    if -1 in dims:
        known = math.prod(d for d in dims if d != -1)
        if known == 0 or size_ % known:
            raise TypeError(f"{fun_name}: cannot reshape array of size {size_} into shape {dims}")
        dims = tuple(size_ // known if d == -1 else d for d in dims)
    if math.prod(dims) != size_:
        raise TypeError(f"{fun_name}: cannot reshape array of size {size_} into shape {dims}")
    return dims


def reshape(a, shape=None, order="C", *, newshape=None, copy=None):
    """``a`` with a new shape (one entry may be -1: inferred). Lowers to ``stablehlo.reshape``.

    Args:
      a: array.
      shape: int or tuple of ints (``newshape`` is accepted as the old NumPy name).
      order: ``"C"`` (row-major, default) or ``"F"`` (column-major).

    >>> jnp.reshape(jnp.arange(6), (2, -1))
    Array([[0, 1, 2],
           [3, 4, 5]], dtype=int32)

    As in JAX, a NumPy array is reshaped by its own ``reshape`` method: the
    result is a NumPy array of the same dtype (not an Array).
    """
    check_arraylike("reshape", a)
    if shape is None:
        if newshape is None:
            raise TypeError("reshape: missing the required argument 'shape'")
        shape = newshape
    if isinstance(a, (np.ndarray, np.generic)):
        return a.reshape(shape, order=order)   # JAX forwards to the array's method
    dims = _newshape(math.prod(_shape(a)), shape)
    if order == "C":
        return lax.reshape(a, dims)
    if order == "F":
        return transpose(lax.reshape(transpose(a), dims[::-1]))
    raise ValueError(f"reshape: order must be 'C' or 'F', got {order!r} ('A' is not supported)")


def ravel(a, order="C"):
    """``a`` flattened to one dimension (row-major by default)."""
    check_arraylike("ravel", a)
    return reshape(asarray(a), (math.prod(_shape(a)),), order=order)   # an Array, even from NumPy


def transpose(a, axes=None):
    """``a`` with its axes permuted (reversed when ``axes`` is None).

    Lowers to ``stablehlo.transpose``.
    """
    check_arraylike("transpose", a)
    n = len(_shape(a))
    if axes is None:
        perm = tuple(range(n - 1, -1, -1))
    else:
        perm = tuple(canonicalize_axis(ax, n, "transpose") for ax in _static_ints(axes, "axes"))
        if sorted(perm) != list(range(n)):
            raise ValueError(f"transpose: axes {axes} are not a permutation of the {n} axes")
    return lax.transpose(a, perm)


def permute_dims(a, /, axes):
    """Array API name of ``transpose(a, axes)``."""
    return transpose(a, axes)


def matrix_transpose(x, /):
    """Swap the last two axes (a batch of matrices transposed)."""
    if ndim(x) < 2:
        raise ValueError(f"matrix_transpose: x must have at least 2 dimensions, got shape "
                         f"{shape(x)}")
    return swapaxes(x, -1, -2)


def swapaxes(a, axis1, axis2):
    """``a`` with ``axis1`` and ``axis2`` interchanged."""
    check_arraylike("swapaxes", a)
    n = len(_shape(a))
    perm = list(range(n))
    i, j = canonicalize_axis(axis1, n, "swapaxes"), canonicalize_axis(axis2, n, "swapaxes")
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(a, perm)


def moveaxis(a, source, destination):
    """Move axes ``source`` to positions ``destination`` (ints or sequences of ints)."""
    check_arraylike("moveaxis", a)
    n = len(_shape(a))
    src, dst = _axes(source, n, "moveaxis"), _axes(destination, n, "moveaxis")
    if len(src) != len(dst):
        raise ValueError(f"moveaxis: source {source} and destination {destination} must have "
                         f"the same number of elements")
    perm = [i for i in range(n) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return lax.transpose(a, perm)


def rollaxis(a, axis, start=0):
    """NumPy's ``rollaxis``: move ``axis`` so it lies before position ``start``."""
    n = ndim(a)
    axis = canonicalize_axis(axis, n, "rollaxis")
    start = static_int(start, "rollaxis: start")
    if not -n <= start <= n:
        raise ValueError(f"rollaxis: start {start} is out of bounds for {n} dimensions")
    start = start + n if start < 0 else start
    return moveaxis(a, axis, start - 1 if axis < start else start)


def squeeze(a, axis=None):
    """``a`` without its size-1 axes (only those in ``axis`` if given; they must have size 1)."""
    check_arraylike("squeeze", a)
    s = _shape(a)
    if axis is None:
        dims = tuple(i for i, d in enumerate(s) if d == 1)
    else:
        dims = _axes(axis, len(s), "squeeze")
    return lax.squeeze(a, dims)


def expand_dims(a, axis):
    """``a`` with size-1 axes inserted at the positions ``axis`` (int or tuple) of the result."""
    check_arraylike("expand_dims", a)
    return lax.expand_dims(a, _static_ints(axis, "expand_dims: axis"))


# ---------------------------------------------------------------------------
# Joining


def _as_list(arrays, fun_name):
    if hasattr(arrays, "aval") or isinstance(arrays, np.ndarray):
        if ndim(arrays) == 0:
            raise ValueError(f"{fun_name}: zero-dimensional arrays cannot be concatenated")
        return [arrays[i] for i in range(_shape(arrays)[0])]
    arrays = list(arrays)
    check_arraylike(fun_name, *arrays)
    if not arrays:
        raise ValueError(f"{fun_name}: need at least one array to concatenate")
    return arrays


def _promote_to(arrays, dtype, fun_name):
    if dtype is not None:
        dtype = dtypes.canonicalize_dtype(dtype)
        return [lax.convert_element_type(asarray(a), dtype) for a in arrays]
    return [asarray(a) for a in _util.promote_dtypes(*arrays)]


def concatenate(arrays, axis=0, dtype=None):
    """Join a sequence of arrays along an existing ``axis`` (``None``: flatten them first).

    dtypes are promoted with JAX's lattice (or converted to ``dtype``).
    Lowers to ``stablehlo.concatenate``.
    """
    arrays = _as_list(arrays, "concatenate")
    if axis is None:
        return concatenate([ravel(a) for a in arrays], 0, dtype)
    if any(ndim(a) == 0 for a in arrays):
        raise ValueError("concatenate: zero-dimensional arrays cannot be concatenated")
    n = ndim(arrays[0])
    axis = canonicalize_axis(axis, n, "concatenate")
    for a in arrays:
        s0, s = _shape(arrays[0]), _shape(a)
        if len(s) != n or any(s[i] != s0[i] for i in range(n) if i != axis):
            raise ValueError("concatenate: all input array dimensions except for the "
                             "concatenation axis must match exactly, got shapes "
                             + ", ".join(str(_shape(b)) for b in arrays))
    return lax.concatenate(_promote_to(arrays, dtype, "concatenate"), axis)


def concat(arrays, /, *, axis=0):
    """Array API name of ``concatenate``."""
    return concatenate(arrays, axis=axis)


def stack(arrays, axis=0, out=None, dtype=None):
    """Join arrays of one shape along a new ``axis``."""
    if out is not None:
        raise NotImplementedError("stack: the 'out' argument is not supported (arrays are "
                                  "immutable)")
    arrays = _as_list(arrays, "stack")
    shapes = {tuple(_shape(a)) for a in arrays}
    if len(shapes) != 1:
        raise ValueError("stack: all input arrays must have the same shape, got "
                         + ", ".join(str(_shape(a)) for a in arrays))
    axis = canonicalize_axis(axis, len(shapes.pop()) + 1, "stack")
    arrays = _promote_to(arrays, dtype, "stack")
    return lax.concatenate([lax.expand_dims(a, (axis,)) for a in arrays], axis)


def hstack(tup, dtype=None):
    """Stack horizontally: along axis 1 (axis 0 for 1-D inputs)."""
    arrs = atleast_1d(*_as_list(tup, "hstack"))
    arrs = arrs if isinstance(arrs, list) else [arrs]
    return concatenate(arrs, 0 if ndim(arrs[0]) == 1 else 1, dtype)


def vstack(tup, dtype=None):
    """Stack vertically: along axis 0, after making every input at least 2-D."""
    arrs = atleast_2d(*_as_list(tup, "vstack"))
    return concatenate(arrs if isinstance(arrs, list) else [arrs], 0, dtype)


def dstack(tup, dtype=None):
    """Stack along the third axis, after making every input at least 3-D."""
    arrs = atleast_3d(*_as_list(tup, "dstack"))
    return concatenate(arrs if isinstance(arrs, list) else [arrs], 2, dtype)


def column_stack(tup):
    """Stack 1-D arrays as columns of a 2-D array (2-D inputs are joined along axis 1)."""
    arrs = [lax.reshape(a, (_shape(a)[0], 1)) if ndim(a) == 1 else atleast_2d(a)
            for a in map(asarray, _as_list(tup, "column_stack"))]
    return concatenate(arrs, 1)


def append(arr, values, axis=None):
    """``arr`` with ``values`` appended (both flattened when ``axis`` is None)."""
    check_arraylike("append", arr, values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


# ---------------------------------------------------------------------------
# Splitting


def _split_points(fun_name, size_, indices_or_sections):
    if isinstance(indices_or_sections, (list, tuple)) or np.ndim(indices_or_sections) > 0:
        points = [static_int(i, f"{fun_name}: index") for i in indices_or_sections]
        bounds = [0] + points + [size_]
        out = []
        for lo, hi in zip(bounds[:-1], bounds[1:]):
            lo, hi, _ = slice(lo, hi).indices(size_)
            out.append((lo, builtins.max(lo, hi)))
        return out
    n = static_int(indices_or_sections, f"{fun_name}: sections")
    if n <= 0:
        raise ValueError(f"{fun_name}: number of sections must be larger than 0, got {n}")
    if fun_name == "split" and size_ % n:
        raise ValueError(f"split: array split does not result in an equal division (axis of "
                         f"size {size_} into {n} sections); use array_split")
    part, extra = divmod(size_, n)
    sizes = [part + 1] * extra + [part] * (n - extra)
    starts = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    return list(zip(starts[:-1].tolist(), starts[1:].tolist()))


def _split(fun_name, ary, indices_or_sections, axis):
    check_arraylike(fun_name, ary)
    ary = asarray(ary)
    axis = canonicalize_axis(axis, ndim(ary), fun_name)
    points = _split_points(fun_name, _shape(ary)[axis], indices_or_sections)
    return [lax.slice_in_dim(ary, lo, hi, axis=axis) for lo, hi in points]


def split(ary, indices_or_sections, axis=0):
    """Split into equal sections (an int) or at the given indices (a sequence)."""
    return _split("split", ary, indices_or_sections, axis)


def array_split(ary, indices_or_sections, axis=0):
    """As ``split``, but an int need not divide the axis: the first sections get one more."""
    return _split("array_split", ary, indices_or_sections, axis)


def hsplit(ary, indices_or_sections):
    """Split along axis 1 (axis 0 for 1-D arrays)."""
    return _split("split", ary, indices_or_sections, 0 if ndim(ary) == 1 else 1)


def vsplit(ary, indices_or_sections):
    """Split along axis 0 (the array must be at least 2-D)."""
    if ndim(ary) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return _split("split", ary, indices_or_sections, 0)


def dsplit(ary, indices_or_sections):
    """Split along axis 2 (the array must be at least 3-D)."""
    if ndim(ary) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return _split("split", ary, indices_or_sections, 2)


# ---------------------------------------------------------------------------
# Repeating, flipping, rolling


def tile(A, reps):
    """``A`` repeated ``reps`` times along each axis (NumPy's rules for mismatched ranks)."""
    check_arraylike("tile", A)
    reps = _static_ints(reps, "tile: reps")
    a_shape = (1,) * (len(reps) - ndim(A)) + tuple(_shape(A))
    reps = (1,) * (len(a_shape) - len(reps)) + reps
    x = lax.reshape(asarray(A), a_shape)
    # Give every axis a size-1 partner in front, broadcast the partners to reps, merge.
    pairs = tuple(d for n in a_shape for d in (1, n))
    x = lax.reshape(x, pairs)
    x = lax.broadcast_in_dim(x, tuple(d for r, n in zip(reps, a_shape) for d in (r, n)),
                             tuple(range(len(pairs))))
    return lax.reshape(x, tuple(r * n for r, n in zip(reps, a_shape)))


def _concrete(x):
    """The NumPy value of ``x`` if it is known now (not a jit-traced value), else None."""
    if isinstance(x, Tracer):
        v = x.to_concrete_value()
        return None if v is None else np.asarray(v)
    return np.asarray(x)


def repeat(a, repeats, axis=None, *, total_repeat_length=None):
    """Repeat each element of ``a`` ``repeats`` times along ``axis`` (flattened if None).

    ``repeats`` must be static (an int or concrete ints), unless
    ``total_repeat_length`` gives the output length; then it may be traced.
    """
    check_arraylike("repeat", a)
    a = asarray(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = canonicalize_axis(axis, ndim(a), "repeat")
    n = _shape(a)[axis]
    reps = _concrete(repeats)
    if reps is None:
        if total_repeat_length is None:
            raise ConcretizationTypeError(
                repeats, "repeat: `repeats` must be static",
                "Pass concrete repeats, or give total_repeat_length= (the output length) so "
                "the output shape is known.")
        return _repeat_traced(a, repeats, axis, n, total_repeat_length)
    if reps.ndim > 1 or reps.dtype.kind not in "iu":
        raise ValueError(f"repeat: repeats must be an int or 1-D ints, got {repeats!r}")
    if reps.ndim == 0 and (total_repeat_length is None or reps * n == total_repeat_length):
        r = int(reps)
        shape_ = list(_shape(a))
        x = lax.expand_dims(a, (axis + 1,))
        x = lax.broadcast_in_dim(x, tuple(shape_[:axis + 1]) + (r,) + tuple(shape_[axis + 1:]),
                                 tuple(range(len(shape_) + 1)))
        return lax.reshape(x, tuple(shape_[:axis]) + (n * r,) + tuple(shape_[axis + 1:]))
    reps = np.broadcast_to(reps, (n,))
    if total_repeat_length is not None:
        return _repeat_traced(a, reps.astype(np.int32), axis, n, total_repeat_length)
    idx = np.repeat(np.arange(n), reps)
    return take(a, idx.astype(np.int32), axis=axis, mode="clip")


def _repeat_traced(a, repeats, axis, n, total):
    # Mark where each input element's block starts, cumsum the marks: output
    # position j reads input element (number of blocks started at or before j) - 1.
    reps = _util.broadcast_to(asarray(repeats), (n,))
    reps = lax.convert_element_type(reps, np.int32)
    starts = lax.cumsum(lax.concatenate([np.zeros(1, np.int32), reps[:-1]], 0), 0)
    marks = lax.scatter_add(np.zeros(total, np.int32), lax.expand_dims(starts, (1,)),
                            np.ones(n, np.int32),
                            lax.ScatterDimensionNumbers((), (0,), (0,)))
    return take(a, lax.sub(lax.cumsum(marks, 0), np.int32(1)), axis=axis, mode="clip")


def flip(m, axis=None):
    """``m`` with the order of elements reversed along ``axis`` (all axes if None)."""
    check_arraylike("flip", m)
    return lax.rev(m, _axes(axis, ndim(m), "flip"))


def fliplr(m):
    """Reverse along axis 1 (``m`` must be at least 2-D)."""
    if ndim(m) < 2:
        raise ValueError(f"fliplr requires an array of at least 2 dimensions, got shape "
                         f"{shape(m)}")
    return flip(m, 1)


def flipud(m):
    """Reverse along axis 0 (``m`` must be at least 1-D)."""
    if ndim(m) < 1:
        raise ValueError("flipud requires an array of at least 1 dimension")
    return flip(m, 0)


def _roll_static(a, shift, axis):
    n = _shape(a)[axis]
    if n == 0:
        return a
    s = shift % n
    if s == 0:
        return a
    return lax.concatenate([lax.slice_in_dim(a, n - s, n, axis=axis),
                            lax.slice_in_dim(a, 0, n - s, axis=axis)], axis)


def _roll_traced(a, shift, axis):
    # Roll = a window of [a, a] starting at n - (shift mod n).
    n = _shape(a)[axis]
    if n == 0:
        return a
    shift = lax.convert_element_type(shift, np.int32)
    r = lax.rem(shift, np.int32(n))
    r = lax.select(lax.lt(r, np.int32(0)), lax.add(r, np.int32(n)), r)
    doubled = lax.concatenate([a, a], axis)
    return lax.dynamic_slice_in_dim(doubled, lax.sub(np.int32(n), r), n, axis)


def roll(a, shift, axis=None):
    """Roll elements of ``a`` by ``shift`` along ``axis`` (the flattened array if None).

    ``shift`` and ``axis`` may be sequences (broadcast together); ``shift``
    may be traced.
    """
    check_arraylike("roll", a)
    a = asarray(a)
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), _shape(a))
    static = _concrete(shift)
    axes = _static_ints(axis, "roll: axis")
    if static is not None:
        shifts, axes = np.broadcast_arrays(static.astype(np.int64), np.asarray(axes))
        for s, ax in zip(shifts.ravel().tolist(), axes.ravel().tolist()):
            a = _roll_static(a, s, canonicalize_axis(ax, ndim(a), "roll"))
        return a
    if ndim(shift) > 1:
        raise ValueError("roll: shift must be a scalar or 1-D")
    shifts = [shift] if ndim(shift) == 0 else [shift[i] for i in range(_shape(shift)[0])]
    if len(axes) == 1:
        axes = axes * len(shifts)
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    if len(shifts) != len(axes):
        raise ValueError(f"roll: shift and axis must broadcast together, got {len(shifts)} "
                         f"shifts and {len(axes)} axes")
    for s, ax in zip(shifts, axes):
        a = _roll_traced(a, s, canonicalize_axis(ax, ndim(a), "roll"))
    return a


def rot90(m, k=1, axes=(0, 1)):
    """Rotate ``m`` by 90 degrees ``k`` times in the plane of ``axes`` (from the first
    axis towards the second)."""
    check_arraylike("rot90", m)
    if len(axes) != 2:
        raise ValueError("rot90: axes must be a pair of axes")
    n = ndim(m)
    ax1, ax2 = (canonicalize_axis(a, n, "rot90") for a in axes)
    if ax1 == ax2:
        raise ValueError(f"rot90: axes must be different, got {axes}")
    k = static_int(k, "rot90: k") % 4
    if k == 0:
        return asarray(m)
    if k == 2:
        return flip(m, (ax1, ax2))
    perm = list(range(n))
    perm[ax1], perm[ax2] = perm[ax2], perm[ax1]
    if k == 1:
        return lax.transpose(flip(m, ax2), perm)
    return flip(lax.transpose(m, perm), ax2)


# ---------------------------------------------------------------------------
# Broadcasting and at-least-N-d


def broadcast_shapes(*shapes):
    """The shape NumPy broadcasting gives ``shapes`` (a ValueError if incompatible)."""
    shapes = [(s,) if isinstance(s, int) else tuple(_static_ints(s, "broadcast_shapes"))
              for s in shapes]
    if not shapes:
        return ()
    return _util.broadcast_shapes(*shapes, fun_name="broadcast_shapes")


def broadcast_to(array, shape):
    """``array`` broadcast to ``shape`` (NumPy's rules).

    Lowers to ``stablehlo.broadcast_in_dim``.
    """
    check_arraylike("broadcast_to", array)
    shape_ = (shape,) if isinstance(shape, int) else _static_ints(shape, "broadcast_to: shape")
    x = asarray(array)
    s = _shape(x)
    if len(s) > len(shape_) or any(d not in (1, t) for d, t in zip(s[::-1], shape_[::-1])):
        raise ValueError(f"broadcast_to: incompatible shapes for broadcasting: {s} and "
                         f"requested shape {shape_}")
    return _util.broadcast_to(x, shape_)


def broadcast_arrays(*args):
    """The arguments broadcast against each other (a list of arrays)."""
    check_arraylike("broadcast_arrays", *args)
    target = broadcast_shapes(*[_shape(a) for a in args])
    return [broadcast_to(a, target) for a in args]


def _atleast(arys, n, fun_name):
    check_arraylike(fun_name, *arys)
    out = []
    for a in map(asarray, arys):
        s = _shape(a)
        if len(s) < n:
            if n == 3 and len(s) == 2:
                s = s + (1,)
            elif n == 3 and len(s) == 1:
                s = (1,) + s + (1,)
            else:
                s = (1,) * (n - len(s)) + s
            a = lax.reshape(a, s)
        out.append(a)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    """Inputs as arrays with at least one dimension (one array, or a list)."""
    return _atleast(arys, 1, "atleast_1d")


def atleast_2d(*arys):
    """Inputs as arrays with at least two dimensions (1-D ``(n,)`` becomes ``(1, n)``)."""
    return _atleast(arys, 2, "atleast_2d")


def atleast_3d(*arys):
    """Inputs with at least three dimensions.

    ``(n,)`` becomes ``(1, n, 1)`` and ``(m, n)`` becomes ``(m, n, 1)``.
    """
    return _atleast(arys, 3, "atleast_3d")


# ---------------------------------------------------------------------------
# Diagonals and triangles


def diagonal(a, offset=0, axis1=0, axis2=1):
    """The diagonal of ``a`` in the plane ``(axis1, axis2)``, as a new last axis."""
    check_arraylike("diagonal", a)
    n = ndim(a)
    if n < 2:
        raise ValueError(f"diagonal requires an array of at least two dimensions, got shape "
                         f"{shape(a)}")
    ax1, ax2 = canonicalize_axis(axis1, n, "diagonal"), canonicalize_axis(axis2, n, "diagonal")
    if ax1 == ax2:
        raise ValueError("diagonal: axis1 and axis2 cannot be the same")
    offset = static_int(offset, "diagonal: offset")
    x = moveaxis(asarray(a), (ax1, ax2), (-2, -1))
    rows, cols = _shape(x)[-2:]
    length = builtins.max(0, builtins.min(rows + builtins.min(offset, 0),
                                          cols - builtins.max(offset, 0)))
    i = np.arange(length) - builtins.min(offset, 0)
    j = np.arange(length) + builtins.max(offset, 0)
    return getitem(x, (Ellipsis, i, j))


def _tri_mask(shape_, k, lower):
    rows = lax.broadcasted_iota(np.int32, shape_[-2:], 0)
    cols = lax.broadcasted_iota(np.int32, shape_[-2:], 1)
    # tril keeps col <= row + k; triu keeps col >= row + k.
    shifted = lax.add(rows, np.int32(k))
    mask = lax.ge(shifted, cols) if lower else lax.le(shifted, cols)
    return lax.broadcast_in_dim(mask, shape_, (len(shape_) - 2, len(shape_) - 1))


def _tri(name, m, k, lower):
    check_arraylike(name, m)
    m = asarray(m)
    if ndim(m) < 2:
        raise ValueError(f"{name}: argument must be at least 2-D, got shape {shape(m)}")
    k = static_int(k, f"{name}: k")
    aval = get_aval(m)
    mask = _tri_mask(aval.shape, k, lower)
    zeros = lax.broadcast_in_dim(np.zeros((), aval.dtype), aval.shape, ())
    out = lax.select(mask, m, zeros)
    return lax.convert_element_type(out, aval.dtype, aval.weak_type)


def tril(m, k=0):
    """The lower triangle of (the last two axes of) ``m``: zeros above diagonal ``k``."""
    return _tri("tril", m, k, True)


def triu(m, k=0):
    """The upper triangle of (the last two axes of) ``m``: zeros below diagonal ``k``."""
    return _tri("triu", m, k, False)


# ---------------------------------------------------------------------------
# delete, insert


def _static_index_set(fun_name, obj, n):
    """Static integer positions (0..n-1 after wrapping) from an int, slice, ints or a mask."""
    if isinstance(obj, slice):
        return np.arange(n)[obj]
    value = _concrete(obj)
    if value is None:
        raise ConcretizationTypeError(obj, f"{fun_name}: obj must be static")
    if value.dtype == np.bool_:
        if value.shape != (n,):
            raise ValueError(f"{fun_name}: boolean mask of shape {value.shape} does not match "
                             f"the axis of size {n}")
        return np.nonzero(value)[0]
    if value.dtype.kind not in "iu":
        raise IndexError(f"{fun_name}: arrays used as indices must be of integer (or boolean) "
                         f"type, got {value.dtype}")
    if value.ndim > 1:
        raise ValueError(f"{fun_name}: obj must be a slice, a scalar or a 1-D array")
    bad = (value < -n) | (value >= n)
    if bad.any():
        raise IndexError(f"{fun_name}: index {value[bad].ravel()[0]} is out of bounds for axis "
                         f"with size {n}")
    return np.where(value < 0, value + n, value)


def delete(arr, obj, axis=None, *, assume_unique_indices=False):
    """``arr`` without the entries ``obj`` (static int, slice, ints or bool mask) along ``axis``."""
    check_arraylike("delete", arr)
    a = asarray(arr)
    if axis is None:
        a, axis = ravel(a), 0
    axis = canonicalize_axis(axis, ndim(a), "delete")
    n = _shape(a)[axis]
    keep = np.ones(n, bool)
    keep[_static_index_set("delete", obj, n)] = False
    if keep.all():
        return a
    return take(a, np.nonzero(keep)[0].astype(np.int32), axis=axis, mode="clip")


def insert(arr, obj, values, axis=None):
    """``arr`` with ``values`` inserted before the positions ``obj`` (static) along ``axis``.

    A scalar ``obj`` inserts ``values`` as one block; a sequence (or slice)
    inserts one slice of ``values`` before each listed position (NumPy's rules).
    """
    check_arraylike("insert", arr)
    a = asarray(arr)
    if axis is None:
        a, axis = ravel(a), 0
    axis = canonicalize_axis(axis, ndim(a), "insert")
    n = _shape(a)[axis]
    if isinstance(obj, slice):
        idx = np.arange(n)[obj]
    else:
        idx = _concrete(obj)
        if idx is None:
            raise ConcretizationTypeError(obj, "insert: obj must be static")
        if idx.ndim > 1 or (idx.size and idx.dtype.kind not in "iu"):
            raise ValueError("insert: obj must be a slice, an int or a 1-D array of ints")
        idx = np.clip(idx.astype(np.int64), -n, n)   # JAX clips out-of-range positions
        idx = np.where(idx < 0, idx + n, idx)
    aval = get_aval(a)
    v = asarray(values)
    v = lax.convert_element_type(v, aval.dtype, aval.weak_type and get_aval(v).weak_type)
    v = lax.reshape(v, (1,) * (aval.ndim - ndim(v)) + tuple(_shape(v)))
    scalar = np.ndim(idx) == 0
    if scalar:
        v = moveaxis(v, 0, axis)
    count = _shape(v)[axis] if scalar else idx.size
    target = list(aval.shape)
    target[axis] = count
    v = _util.broadcast_to(v, tuple(target))
    # Positions of the inserted slices in the result (NumPy's stable ordering).
    if scalar:
        new_pos = int(idx) + np.arange(count)
    else:
        order = np.argsort(idx, kind="stable")
        new_pos = np.empty(count, np.int64)
        new_pos[order] = idx[order] + np.arange(count)
    total = n + count
    source = np.empty(total, np.int64)
    is_new = np.zeros(total, bool)
    is_new[new_pos] = True
    source[new_pos] = n + np.arange(count)
    source[~is_new] = np.arange(n)
    joined = lax.concatenate([a, v], axis)
    return take(joined, source.astype(np.int32), axis=axis, mode="clip")


# ---------------------------------------------------------------------------
# ravel_multi_index, unravel_index


def ravel_multi_index(multi_index, dims, mode="raise", order="C"):
    """Flat indices from a tuple of coordinate arrays (NumPy's ``ravel_multi_index``).

    ``mode``: ``"raise"`` (coordinates must be concrete and in range),
    ``"wrap"`` or ``"clip"`` (these work under jit).
    """
    dims = _static_ints(dims, "ravel_multi_index: dims")
    if len(multi_index) != len(dims):
        raise ValueError(f"ravel_multi_index: got {len(multi_index)} index arrays for "
                         f"{len(dims)} dimensions")
    check_arraylike("ravel_multi_index", *multi_index)
    idx = [asarray(i) for i in multi_index]
    for i in idx:
        if not dtypes.is_int(get_aval(i).dtype):
            raise TypeError("ravel_multi_index: only integer indices are permitted")
    if mode == "raise":
        for i, d in zip(idx, dims):
            value = _concrete(i)
            if value is None:
                raise ConcretizationTypeError(
                    i, "ravel_multi_index with mode='raise' needs concrete indices",
                    "Use mode='wrap' or mode='clip' under jit.")
            if ((value < 0) | (value >= d)).any():
                raise ValueError("ravel_multi_index: invalid entry in coordinates array")
    elif mode == "clip":
        idx = [lax.clamp(0, i, d - 1) for i, d in zip(idx, dims)]
    elif mode == "wrap":
        idx = [remainder(i, d) for i, d in zip(idx, dims)]
    else:
        raise ValueError(f"ravel_multi_index: invalid mode={mode!r}; expected 'raise', 'wrap' "
                         f"or 'clip'")
    if order == "C":
        strides = np.cumprod((1,) + dims[1:][::-1])[::-1]
    elif order == "F":
        strides = np.cumprod((1,) + dims[:-1])
    else:
        raise ValueError(f"ravel_multi_index: invalid order={order!r}; expected 'C' or 'F'")
    idx = _util.promote_dtypes(*idx) if len(idx) > 1 else idx
    shape_ = broadcast_shapes(*[_shape(i) for i in idx])
    dtype = get_aval(idx[0]).dtype
    result = lax.broadcast_in_dim(np.zeros((), dtype), shape_, ())
    for i, s in zip(idx, strides):
        term = lax.mul(_util.broadcast_to(lax.convert_element_type(i, dtype), shape_),
                       np.array(s, dtype)[()])
        result = lax.add(result, term)
    return result


def unravel_index(indices, shape):
    """Coordinate arrays from flat ``indices`` into an array of ``shape``.

    As in JAX (unlike NumPy), negative indices count from the end and
    out-of-range indices are clipped into range.
    """
    check_arraylike("unravel_index", indices)
    dims = _static_ints(shape, "unravel_index: shape")
    if any(d < 0 for d in dims):
        raise ValueError("unravel_index: shape should be non-negative")
    x = asarray(indices)
    aval = get_aval(x)
    if not dtypes.is_int(aval.dtype):
        raise TypeError(f"unravel_index: indices must be integers, got {aval.dtype}")
    total = math.prod(dims)
    if not dims:
        return ()
    dtype = aval.dtype
    if total == 0:
        return tuple(lax.broadcast_in_dim(np.zeros((), dtype), aval.shape, ()) for _ in dims)
    c = lambda v: np.array(v, dtype)[()]  # noqa: E731
    if not dtypes.is_unsigned(dtype):
        x = lax.clamp(c(-total), x, c(total - 1))
        x = lax.select(lax.lt(x, c(0)), lax.add(x, c(total)), x)
    else:
        x = lax.min(x, c(total - 1))
    out = []
    for d in reversed(dims):
        out.append(lax.rem(x, c(d)))
        x = lax.div(x, c(d))
    return tuple(reversed(out))


# indexing imports this module (it shares the gather code), so it is imported last.
from .indexing import getitem, put_along_axis, take, take_along_axis  # noqa: E402
from .padding import pad  # noqa: E402
