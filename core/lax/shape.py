"""Shape primitives: broadcast_in_dim, reshape, transpose, squeeze, expand_dims,
concatenate, pad, rev, iota (and the helpers broadcast, collapse, broadcasted_iota).

Each section: wrapper with docstring, ``*_p``, shape rule, lowering, and the
autodiff and vmap rules. Every primitive here except iota is linear in its
array operands, so its jvp applies the primitive to the tangents
(``ad.deflinear``) and its transpose moves the cotangent back (broadcast ->
sum, pad -> slice, concatenate -> slices...). Batching rules move a batch
dimension only when the primitive cannot carry it where it is. Shape
rules validate everything a user can get wrong (axes, sizes, dtypes) so that
XLA never reports a bad shape first. All parameters are tuples of ints (or a
dtype), hashable, as the eager executable cache needs.
"""
import operator

import numpy as np

from .. import dtypes
from ..dtypes import PYTHON_SCALARS
from ..interpreters import ad, batching
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval, sharding_rules
from . import typed_shardings
from ..interpreters.lowering import i64_array, lowering_rules


def _shape_tuple(shape, fun_name):
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(f"{fun_name}: shape must be a tuple of ints, got {shape!r} (shapes "
                        f"must be static: under jit, pass them as static arguments)") from None


# --- broadcast_in_dim --------------------------------------------------------

def broadcast_in_dim(operand, shape, broadcast_dimensions):
    """Broadcast ``operand`` to ``shape``; operand dim i becomes dim ``broadcast_dimensions[i]``.

    Lowers to ``stablehlo.broadcast_in_dim``.
    """
    shape = _shape_tuple(shape, "broadcast_in_dim")
    aval = get_aval(operand)
    if (aval.shape == shape and tuple(broadcast_dimensions) == tuple(range(len(shape)))
            and hasattr(operand, "aval")):   # NumPy input still becomes an Array, as in JAX
        return operand
    return broadcast_in_dim_p.bind(operand, shape=shape,
                                   broadcast_dimensions=tuple(int(d) for d in broadcast_dimensions))


broadcast_in_dim_p = Primitive("broadcast_in_dim")


def _broadcast_in_dim_abstract_eval(x, *, shape, broadcast_dimensions):
    if len(broadcast_dimensions) != x.ndim:
        raise TypeError(f"broadcast_in_dim: broadcast_dimensions {broadcast_dimensions} must "
                        f"have one entry per operand dimension (operand shape {x.shape})")
    for i, d in enumerate(broadcast_dimensions):
        if not 0 <= d < len(shape) or x.shape[i] not in (1, shape[d]):
            raise TypeError(f"broadcast_in_dim: operand shape {x.shape} cannot be broadcast to "
                            f"{shape} with broadcast_dimensions={broadcast_dimensions}")
    return ShapedArray(shape, x.dtype, x.weak_type)


def _broadcast_in_dim_lowering(ctx, x, *, shape, broadcast_dimensions):
    return ctx.op("stablehlo.broadcast_in_dim", [x],
                  attrs={"broadcast_dimensions": i64_array(broadcast_dimensions)})


abstract_eval_rules[broadcast_in_dim_p] = _broadcast_in_dim_abstract_eval
sharding_rules[broadcast_in_dim_p] = typed_shardings.broadcast_in_dim
lowering_rules[broadcast_in_dim_p] = _broadcast_in_dim_lowering


def _broadcast_in_dim_transpose(ct, x, *, shape, broadcast_dimensions):
    # Sum over the dimensions the broadcast created or expanded from size 1, then put
    # the kept dimensions back in operand order and shape.
    if ad.is_zero(ct):
        return [ad.Zero(x.aval)]
    in_shape = x.aval.shape
    expanded = {d for i, d in enumerate(broadcast_dimensions)
                if in_shape[i] == 1 and shape[d] != 1}
    axes = tuple(d for d in range(len(shape))
                 if d not in broadcast_dimensions or d in expanded)
    summed = _red.reduce_sum(ct, axes) if axes else ct
    kept = [d for d in range(len(shape)) if d not in axes]
    order = [kept.index(d) for d in broadcast_dimensions if d in kept]
    return [reshape(transpose(summed, order), in_shape)]


def _broadcast_in_dim_batch(axis_data, args, dims, *, shape, broadcast_dimensions):
    # The batch dim goes to the output position right after the previous operand dim's
    # target, so broadcast_dimensions stays increasing; nothing moves.
    (x,), (b,) = args, dims
    p = broadcast_dimensions[b - 1] + 1 if b > 0 else 0
    bdims = [d + (d >= p) for d in broadcast_dimensions]
    bdims.insert(b, p)
    out_shape = shape[:p] + (axis_data.size,) + shape[p:]
    return broadcast_in_dim_p.bind(x, shape=out_shape, broadcast_dimensions=tuple(bdims)), p


ad.deflinear(broadcast_in_dim_p, _broadcast_in_dim_transpose)
batching.batch_rules[broadcast_in_dim_p] = _broadcast_in_dim_batch


def broadcast(operand, sizes):
    """Add leading dimensions of ``sizes`` to ``operand``."""
    aval = get_aval(operand)
    sizes = _shape_tuple(sizes, "broadcast")
    return broadcast_in_dim(operand, sizes + aval.shape,
                            tuple(range(len(sizes), len(sizes) + aval.ndim)))


def full(shape, fill_value, dtype=None):
    """An array of ``shape`` whose every element is ``fill_value`` (a splat:
    ``stablehlo.broadcast_in_dim`` of a scalar). Without ``dtype`` it takes
    ``fill_value``'s type, weak for a Python scalar, as in JAX."""
    if dtype is None:
        aval = get_aval(fill_value)
        fill = _ew.convert_element_type(fill_value, aval.dtype, aval.weak_type)
    else:
        fill = np.asarray(fill_value, dtype)
    return broadcast_in_dim(fill, tuple(shape), ())


# --- reshape -----------------------------------------------------------------

def reshape(operand, new_sizes, dimensions=None):
    """Reshape ``operand`` (row-major) to ``new_sizes``. Lowers to ``stablehlo.reshape``."""
    new_sizes = _shape_tuple(new_sizes, "reshape")
    if dimensions is not None:
        operand = transpose(operand, dimensions)
    if get_aval(operand).shape == new_sizes and hasattr(operand, "aval"):
        return operand   # (NumPy input still becomes an Array, as in JAX)
    return reshape_p.bind(operand, new_sizes=new_sizes)


reshape_p = Primitive("reshape")


def _reshape_abstract_eval(x, *, new_sizes):
    if int(np.prod(new_sizes, dtype=np.int64)) != x.size or any(d < 0 for d in new_sizes):
        raise TypeError(f"reshape: cannot reshape array of shape {x.shape} (size {x.size}) "
                        f"into shape {new_sizes}")
    return ShapedArray(new_sizes, x.dtype, x.weak_type)


abstract_eval_rules[reshape_p] = _reshape_abstract_eval
sharding_rules[reshape_p] = typed_shardings.reshape
lowering_rules[reshape_p] = lambda ctx, x, *, new_sizes: ctx.op("stablehlo.reshape", [x])


def _reshape_transpose(ct, x, **_):
    """Back to the operand's shape (also squeeze's transpose: a squeeze is a reshape)."""
    return [ad.Zero(x.aval) if ad.is_zero(ct) else reshape(ct, x.aval.shape)]


def _reshape_batch(axis_data, args, dims, *, new_sizes):
    # Row-major reshape mixes dimensions, so the batch dim must lead.
    x = batching.moveaxis(args[0], dims[0], 0)
    return reshape(x, (axis_data.size,) + new_sizes), 0


ad.deflinear(reshape_p, _reshape_transpose)
batching.batch_rules[reshape_p] = _reshape_batch


# --- transpose ---------------------------------------------------------------

def transpose(operand, permutation):
    """Permute the dimensions of ``operand``. Lowers to ``stablehlo.transpose``."""
    permutation = tuple(int(p) for p in permutation)
    if permutation == tuple(range(len(permutation))) and hasattr(operand, "aval"):
        return operand   # (NumPy input still becomes an Array, as in JAX)
    return transpose_p.bind(operand, permutation=permutation)


transpose_p = Primitive("transpose")


def _transpose_abstract_eval(x, *, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise TypeError(f"transpose: permutation {permutation} is not a permutation of the "
                        f"{x.ndim} dimensions of an array of shape {x.shape}")
    return ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype, x.weak_type)


abstract_eval_rules[transpose_p] = _transpose_abstract_eval
sharding_rules[transpose_p] = typed_shardings.transpose
lowering_rules[transpose_p] = lambda ctx, x, *, permutation: ctx.op(
    "stablehlo.transpose", [x], attrs={"permutation": i64_array(permutation)})


def _transpose_transpose(ct, x, *, permutation):
    if ad.is_zero(ct):
        return [ad.Zero(x.aval)]
    return [transpose(ct, tuple(int(i) for i in np.argsort(permutation)))]


def _transpose_batch(axis_data, args, dims, *, permutation):
    b = dims[0]
    perm = (b,) + tuple(p + (p >= b) for p in permutation)
    return transpose(args[0], perm), 0


ad.deflinear(transpose_p, _transpose_transpose)
batching.batch_rules[transpose_p] = _transpose_batch
# what batching.moveaxis and batching.broadcast_batched bind
batching.layout_ops.update(transpose=transpose, broadcast_in_dim=broadcast_in_dim)



def _canonical_dims(dims, ndim, fun_name, arg_name="dimensions"):
    """Non-negative, distinct dimension numbers, or an error naming the function."""
    try:
        dims = tuple(operator.index(d) for d in dims)
    except TypeError:
        raise TypeError(f"{fun_name}: {arg_name} must be a sequence of ints, got "
                        f"{dims!r}") from None
    for d in dims:
        if not -ndim <= d < ndim:
            raise ValueError(f"{fun_name}: dimension {d} in {arg_name}={dims} is out of bounds "
                             f"for an array of rank {ndim}")
    out = tuple(d % ndim for d in dims)
    if len(set(out)) != len(out):
        raise ValueError(f"{fun_name}: {arg_name}={dims} contains a repeated dimension")
    return out


# --- squeeze -----------------------------------------------------------------

def squeeze(array, dimensions):
    """Remove the size-1 dimensions listed in ``dimensions``. Lowers to ``stablehlo.reshape``.

    Example: ``squeeze(x, (0, 2))`` turns shape ``(1, 3, 1)`` into ``(3,)``.
    """
    aval = get_aval(array)
    dims = _canonical_dims(dimensions, aval.ndim, "squeeze")
    if not dims and hasattr(array, "aval"):
        return array   # (NumPy input still becomes an Array, as in JAX)
    return squeeze_p.bind(array, dimensions=tuple(sorted(dims)))


squeeze_p = Primitive("squeeze")


def _squeeze_abstract_eval(x, *, dimensions):
    if any(not 0 <= d < x.ndim for d in dimensions):
        raise ValueError(f"squeeze: dimensions {dimensions} out of range for shape {x.shape}")
    if any(x.shape[d] != 1 for d in dimensions):
        raise ValueError(f"squeeze: cannot select an axis to squeeze out which has size not "
                         f"equal to one, got shape={x.shape} and dimensions={dimensions}")
    shape = tuple(n for i, n in enumerate(x.shape) if i not in dimensions)
    return ShapedArray(shape, x.dtype, x.weak_type)


abstract_eval_rules[squeeze_p] = _squeeze_abstract_eval
sharding_rules[squeeze_p] = typed_shardings.squeeze
lowering_rules[squeeze_p] = lambda ctx, x, *, dimensions: ctx.op("stablehlo.reshape", [x])


def _squeeze_batch(axis_data, args, dims, *, dimensions):
    b = dims[0]
    moved = tuple(d + (d >= b) for d in dimensions)
    out_bdim = b - sum(d < b for d in dimensions)
    return squeeze_p.bind(args[0], dimensions=moved), out_bdim


ad.deflinear(squeeze_p, _reshape_transpose)
batching.batch_rules[squeeze_p] = _squeeze_batch


# --- expand_dims (a wrapper: broadcast_in_dim, as in JAX) ----------------------

def expand_dims(array, dimensions):
    """Insert size-1 dimensions at the positions ``dimensions`` of the result.

    Lowers (through ``broadcast_in_dim``) to ``stablehlo.broadcast_in_dim``.
    Example: ``expand_dims(x, (0, -1))`` turns shape ``(3,)`` into ``(1, 3, 1)``.
    """
    aval = get_aval(array)
    ndim_out = aval.ndim + len(tuple(dimensions))
    dims = set(_canonical_dims(dimensions, ndim_out, "expand_dims"))
    shape = list(aval.shape)
    for d in sorted(dims):
        shape.insert(d, 1)
    kept = tuple(i for i in range(ndim_out) if i not in dims)
    return broadcast_in_dim(array, tuple(shape), kept)


def collapse(operand, start_dimension, stop_dimension=None):
    """Merge dimensions ``start_dimension:stop_dimension`` into one (a reshape).

    Example: ``collapse(x, 1, 3)`` turns shape ``(2, 3, 4, 5)`` into ``(2, 12, 5)``.
    """
    shape = get_aval(operand).shape
    lo, hi, _ = slice(start_dimension, stop_dimension).indices(len(shape))
    size = int(np.prod(shape[lo:hi], dtype=np.int64))
    return reshape(operand, shape[:lo] + (size,) + shape[hi:])


# --- concatenate -------------------------------------------------------------

def concatenate(operands, dimension):
    """Join arrays of equal rank and dtype along ``dimension``.

    Lowers to ``stablehlo.concatenate``. All other dimensions must agree.
    Example: ``concatenate([ones((2, 3)), zeros((1, 3))], 0)`` has shape ``(3, 3)``.
    """
    operands = list(operands)
    if not operands:
        raise ValueError("concatenate requires a non-empty sequence of arrays")
    if len(operands) == 1 and hasattr(operands[0], "aval"):
        return operands[0]   # (NumPy input still becomes an Array, as in JAX)
    ndim = get_aval(operands[0]).ndim
    (dimension,) = _canonical_dims((dimension,), max(ndim, 1), "concatenate", "dimension")
    return concatenate_p.bind(*operands, dimension=dimension)


concatenate_p = Primitive("concatenate")


def _concatenate_abstract_eval(*avals, dimension):
    first = avals[0]
    if any(a.dtype != first.dtype for a in avals):
        raise TypeError("concatenate requires arguments to have the same dtypes, got "
                        + ", ".join(a.dtype.name for a in avals))
    if first.ndim == 0 or any(a.ndim != first.ndim for a in avals):
        raise TypeError("concatenate requires arrays of the same rank >= 1, got shapes "
                        + ", ".join(str(a.shape) for a in avals))
    if not 0 <= dimension < first.ndim:
        raise ValueError(f"concatenate: dimension {dimension} is out of bounds for arrays of "
                         f"rank {first.ndim}")
    for a in avals:
        if any(a.shape[i] != first.shape[i] for i in range(first.ndim) if i != dimension):
            raise TypeError(f"concatenate: arrays must have equal shapes except in dimension "
                            f"{dimension}, got " + ", ".join(str(b.shape) for b in avals))
    shape = list(first.shape)
    shape[dimension] = sum(a.shape[dimension] for a in avals)
    return ShapedArray(shape, first.dtype, all(a.weak_type for a in avals))


abstract_eval_rules[concatenate_p] = _concatenate_abstract_eval
sharding_rules[concatenate_p] = typed_shardings.concatenate
lowering_rules[concatenate_p] = lambda ctx, *xs, dimension: ctx.op(
    "stablehlo.concatenate", list(xs), attrs={"dimension": f"{dimension} : i64"})


def _concatenate_transpose(ct, *xs, dimension):
    # Each linear operand gets its slice of the cotangent; constants (e.g. instantiated
    # zero tangents) get None.
    out, start = [], 0
    for x in xs:
        size = (x.aval if ad.is_undefined(x) else get_aval(x)).shape[dimension]
        if not ad.is_undefined(x):
            out.append(None)
        elif ad.is_zero(ct):
            out.append(ad.Zero(x.aval))
        else:
            out.append(_sl.slice_in_dim(ct, start, start + size, axis=dimension))
        start += size
    return out


def _concatenate_batch(axis_data, args, dims, *, dimension):
    args, b = batching.match_bdims(axis_data.size, args, dims)
    return concatenate_p.bind(*args, dimension=dimension + (dimension >= b)), b


ad.deflinear(concatenate_p, _concatenate_transpose)
batching.batch_rules[concatenate_p] = _concatenate_batch


# --- pad ---------------------------------------------------------------------

def pad(operand, padding_value, padding_config):
    """Pad ``operand`` with the scalar ``padding_value``. Lowers to ``stablehlo.pad``.

    ``padding_config`` has one ``(low, high, interior)`` triple per dimension:
    ``low``/``high`` elements are added at each end (negative values remove
    elements) and ``interior`` elements between neighbours.
    Example: ``pad(jnp.array([1, 2]), 0, [(1, 2, 1)])`` is ``[0, 1, 0, 2, 0, 0]``.
    """
    try:
        config = tuple((int(lo), int(hi), int(mid)) for lo, hi, mid in padding_config)
    except (TypeError, ValueError):
        raise TypeError(f"pad: padding_config must be a sequence of (low, high, interior) "
                        f"int triples, got {padding_config!r}") from None
    if type(padding_value) in PYTHON_SCALARS:
        aval = get_aval(operand)
        padding_value = np.array(padding_value, aval.dtype)[()]
        if aval.weak_type:
            padding_value = _ew.convert_element_type(padding_value, aval.dtype, weak_type=True)
    return pad_p.bind(operand, padding_value, padding_config=config)


pad_p = Primitive("pad")


def _pad_abstract_eval(x, value, *, padding_config):
    if value.shape != ():
        raise TypeError(f"pad: padding_value must be a scalar, got shape {value.shape}")
    if value.dtype != x.dtype:
        raise TypeError(f"pad: operand and padding_value must have the same dtype, got "
                        f"{x.dtype.name} and {value.dtype.name}")
    if len(padding_config) != x.ndim:
        raise ValueError(f"pad: padding_config needs one (low, high, interior) triple per "
                         f"dimension of the operand (shape {x.shape}), got {padding_config}")
    shape = []
    for d, (lo, hi, mid) in zip(x.shape, padding_config):
        if mid < 0:
            raise ValueError(f"pad: interior padding must be >= 0, got {padding_config}")
        n = lo + hi + d + max(0, d - 1) * mid
        if n < 0:
            raise ValueError(f"pad: padding_config {padding_config} gives a negative "
                             f"dimension for operand shape {x.shape}")
        shape.append(n)
    return ShapedArray(shape, x.dtype, x.weak_type and value.weak_type)


def _pad_lowering(ctx, x, value, *, padding_config):
    lo, hi, mid = zip(*padding_config) if padding_config else ((), (), ())
    return ctx.op("stablehlo.pad", [x, value],
                  attrs={"edge_padding_low": i64_array(lo), "edge_padding_high": i64_array(hi),
                         "interior_padding": i64_array(mid)})


abstract_eval_rules[pad_p] = _pad_abstract_eval
sharding_rules[pad_p] = typed_shardings.slicing
lowering_rules[pad_p] = _pad_lowering


def _pad_transpose(ct, x, value, *, padding_config):
    # Undo the edges with the negated padding, then drop the interior padding with a
    # strided slice; the padding value's cotangent is the sum over all padded places.
    x_aval = x.aval if ad.is_undefined(x) else get_aval(x)
    if ad.is_zero(ct):
        return [ad.Zero(x_aval) if ad.is_undefined(x) else None,
                ad.Zero(value.aval) if ad.is_undefined(value) else None]
    zero = np.zeros((), x_aval.dtype)[()]
    unpadded = pad(ct, zero, [(-lo, -hi, 0) for lo, hi, _ in padding_config])
    ct_x = _sl.slice(unpadded, (0,) * x_aval.ndim, get_aval(unpadded).shape,
                     tuple(mid + 1 for _, _, mid in padding_config))
    ct_value = None
    if ad.is_undefined(value):
        every = tuple(range(x_aval.ndim))
        ct_value = _ew.sub(_red.reduce_sum(ct, every), _red.reduce_sum(ct_x, every)) if every else \
            ad.Zero(value.aval)
    return [ct_x if ad.is_undefined(x) else None, ct_value]


def _pad_batch(axis_data, args, dims, *, padding_config):
    x, value = args
    xb, vb = dims
    if xb is None:
        x, xb = batching.broadcast_batched(x, axis_data.size, 0), 0
    config = list(padding_config)
    config.insert(xb, (0, 0, 0))
    if vb is None:
        return pad_p.bind(x, value, padding_config=tuple(config)), xb
    # A batched padding value: pad with zeros, then select each example's value where
    # the mask (padded like x) says "padding".
    aval = get_aval(x)
    padded = pad(x, np.zeros((), aval.dtype)[()], config)
    inside = pad(broadcast_in_dim(np.array(True), aval.shape, ()), np.False_, config)
    fill = broadcast_in_dim(value, get_aval(padded).shape, (xb,))
    return _ew.select(inside, padded, fill), xb


ad.deflinear(pad_p, _pad_transpose)
batching.batch_rules[pad_p] = _pad_batch


# --- rev ---------------------------------------------------------------------

def rev(operand, dimensions):
    """Reverse ``operand`` along ``dimensions``. Lowers to ``stablehlo.reverse``."""
    dims = _canonical_dims(dimensions, get_aval(operand).ndim, "rev")
    if not dims and hasattr(operand, "aval"):
        return operand   # (NumPy input still becomes an Array, as in JAX)
    return rev_p.bind(operand, dimensions=tuple(sorted(dims)))


rev_p = Primitive("rev")


def _rev_abstract_eval(x, *, dimensions):
    if any(not 0 <= d < x.ndim for d in dimensions) or len(set(dimensions)) != len(dimensions):
        raise ValueError(f"rev: dimensions {dimensions} must be distinct dimensions of an "
                         f"array of shape {x.shape}")
    return x


abstract_eval_rules[rev_p] = _rev_abstract_eval
sharding_rules[rev_p] = typed_shardings.same_as_operand
lowering_rules[rev_p] = lambda ctx, x, *, dimensions: ctx.op(
    "stablehlo.reverse", [x], attrs={"dimensions": i64_array(dimensions)})


def _rev_batch(axis_data, args, dims, *, dimensions):
    b = dims[0]
    return rev_p.bind(args[0], dimensions=tuple(d + (d >= b) for d in dimensions)), b


ad.deflinear(rev_p, lambda ct, x, *, dimensions: [
    ad.Zero(x.aval) if ad.is_zero(ct) else rev(ct, dimensions)])
batching.batch_rules[rev_p] = _rev_batch


# --- iota --------------------------------------------------------------------

def iota(dtype, size):
    """``[0, 1, ..., size - 1]`` with dtype ``dtype``. Lowers to ``stablehlo.iota``."""
    return broadcasted_iota(dtype, (size,), 0)


def broadcasted_iota(dtype, shape, dimension):
    """An array of ``shape`` whose values count up along ``dimension``.

    Lowers to ``stablehlo.iota``. Example: ``broadcasted_iota(int32, (2, 3), 1)``
    is ``[[0, 1, 2], [0, 1, 2]]``.
    """
    dtype = dtypes.canonicalize_dtype(dtype)
    shape = _shape_tuple(shape, "iota")
    (dimension,) = _canonical_dims((dimension,), max(len(shape), 1), "broadcasted_iota",
                                   "dimension")
    return iota_p.bind(dtype=dtype, shape=shape, dimension=dimension)


iota_p = Primitive("iota")


def _iota_abstract_eval(*, dtype, shape, dimension):
    if dtype == np.bool_:
        raise TypeError("iota does not accept dtype bool; it accepts numeric dtypes")
    if any(d < 0 for d in shape):
        raise ValueError(f"iota: shape {shape} has a negative dimension")
    if not 0 <= dimension < len(shape):
        raise ValueError(f"iota: dimension {dimension} is out of bounds for shape {shape}")
    return ShapedArray(shape, dtype, False)


abstract_eval_rules[iota_p] = _iota_abstract_eval
lowering_rules[iota_p] = lambda ctx, *, dtype, shape, dimension: ctx.op(
    "stablehlo.iota", [], attrs={"iota_dimension": f"{dimension} : i64"})
# iota has no inputs: nothing to differentiate or batch (the traces bind it as is).

__all__ = ["broadcast", "broadcast_in_dim", "broadcast_in_dim_p", "full", "reshape", "reshape_p",
           "transpose", "transpose_p", "squeeze", "squeeze_p", "expand_dims", "collapse",
           "concatenate", "concatenate_p", "pad", "pad_p", "rev", "rev_p", "iota",
           "broadcasted_iota", "iota_p"]

# The transpose and batching rules above use the elementwise, reduction and slicing
# families, which all import this module's broadcast_in_dim first: lax/__init__ imports
# this module first, and these at its end, when every name here is defined.
from . import elementwise as _ew  # noqa: E402
from . import reductions as _red  # noqa: E402
from . import slicing as _sl  # noqa: E402
