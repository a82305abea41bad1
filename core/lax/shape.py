"""Shape primitives: broadcast_in_dim, reshape, transpose, squeeze, expand_dims,
concatenate, pad, rev, iota.

Each section: wrapper with docstring, ``*_p``, shape rule, lowering.
"""
import numpy as np

from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..lowering import i64_array, lowering_rules


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
    if aval.shape == shape and tuple(broadcast_dimensions) == tuple(range(len(shape))):
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
lowering_rules[broadcast_in_dim_p] = _broadcast_in_dim_lowering


def broadcast(operand, sizes):
    """Add leading dimensions of ``sizes`` to ``operand``."""
    aval = get_aval(operand)
    sizes = _shape_tuple(sizes, "broadcast")
    return broadcast_in_dim(operand, sizes + aval.shape,
                            tuple(range(len(sizes), len(sizes) + aval.ndim)))


# --- reshape -----------------------------------------------------------------

def reshape(operand, new_sizes, dimensions=None):
    """Reshape ``operand`` (row-major) to ``new_sizes``. Lowers to ``stablehlo.reshape``."""
    new_sizes = _shape_tuple(new_sizes, "reshape")
    if dimensions is not None:
        operand = transpose(operand, dimensions)
    if get_aval(operand).shape == new_sizes:
        return operand
    return reshape_p.bind(operand, new_sizes=new_sizes)


reshape_p = Primitive("reshape")


def _reshape_abstract_eval(x, *, new_sizes):
    if int(np.prod(new_sizes, dtype=np.int64)) != x.size or any(d < 0 for d in new_sizes):
        raise TypeError(f"reshape: cannot reshape array of shape {x.shape} (size {x.size}) "
                        f"into shape {new_sizes}")
    return ShapedArray(new_sizes, x.dtype, x.weak_type)


abstract_eval_rules[reshape_p] = _reshape_abstract_eval
lowering_rules[reshape_p] = lambda ctx, x, *, new_sizes: ctx.op("stablehlo.reshape", [x])


# --- transpose ---------------------------------------------------------------

def transpose(operand, permutation):
    """Permute the dimensions of ``operand``. Lowers to ``stablehlo.transpose``."""
    permutation = tuple(int(p) for p in permutation)
    if permutation == tuple(range(len(permutation))):
        return operand
    return transpose_p.bind(operand, permutation=permutation)


transpose_p = Primitive("transpose")


def _transpose_abstract_eval(x, *, permutation):
    if sorted(permutation) != list(range(x.ndim)):
        raise TypeError(f"transpose: permutation {permutation} is not a permutation of the "
                        f"{x.ndim} dimensions of an array of shape {x.shape}")
    return ShapedArray(tuple(x.shape[p] for p in permutation), x.dtype, x.weak_type)


abstract_eval_rules[transpose_p] = _transpose_abstract_eval
lowering_rules[transpose_p] = lambda ctx, x, *, permutation: ctx.op(
    "stablehlo.transpose", [x], attrs={"permutation": i64_array(permutation)})

__all__ = ["broadcast", "broadcast_in_dim", "broadcast_in_dim_p", "reshape", "reshape_p",
           "transpose", "transpose_p"]
