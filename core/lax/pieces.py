"""Arrays cut into pieces and put back together: split, stack, unstack, tile.

JAX 0.10.2 makes each of these one primitive (rather than a chain of slices,
reshapes and concatenates), so a jaxpr shows ``split[axis=0 sizes=(2, 4)]``; so
does glassbox. All four are linear: the jvp applies the primitive to the tangents,
and each transposes into another (split <-> concatenate, stack <-> unstack, tile ->
a sum over the repetitions). They lower through lax code (``lower_traced``):
slices, ``broadcast_in_dim``, reshapes and a concatenate. Batching moves the batch
dim to the front and shifts ``axis`` by one.
"""
import numpy as np

from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..interpreters import ad, batching
from ..interpreters.lowering import lowering_rules
from ._families import lower_traced
from .reductions import reduce_sum
from .shape import broadcast_in_dim, concatenate, reshape
from .slicing import slice_in_dim


def _axis(axis, ndim, name):
    axis = int(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _linear_multi_jvp(prim):
    def jvp(primals, tangents, **params):
        outs = prim.bind(*primals, **params)
        if all(ad.is_zero(t) for t in tangents):
            return outs, [ad.zero_tangent(get_aval(o)) for o in outs]
        return outs, prim.bind(*map(ad.instantiate, tangents), **params)
    return jvp


# --- split -------------------------------------------------------------------

def split(operand, sizes, axis=0):
    """Split ``operand`` along ``axis`` into pieces of the given ``sizes`` (which must sum
    to that dimension). Returns a list of arrays."""
    aval = get_aval(operand)
    axis = _axis(axis, aval.ndim, "split")
    return split_p.bind(operand, sizes=tuple(int(s) for s in sizes), axis=axis)


split_p = Primitive("split", multiple_results=True)


def _split_abstract_eval(x, *, sizes, axis):
    if any(s < 0 for s in sizes):
        raise ValueError(f"Sizes must be nonnegative, got {list(sizes)}")
    if sum(sizes) != x.shape[axis]:
        raise ValueError(f"Sum of sizes {sum(sizes)} must be equal to dimension {axis} of the "
                         f"operand shape {list(x.shape)}")
    return [x.update(shape=x.shape[:axis] + (s,) + x.shape[axis + 1:]) for s in sizes]


def _split_impl_lax(x, *, sizes, axis):
    starts = np.cumsum((0,) + sizes[:-1])
    return [slice_in_dim(x, int(s), int(s) + n, axis=axis) for s, n in zip(starts, sizes)]


def _split_transpose(cts, x, *, sizes, axis):
    aval = x.aval
    pieces = [ad.instantiate(ct) if ad.is_zero(ct) else ct for ct in cts]
    return [concatenate(pieces, axis) if pieces else ad.Zero(aval)]


def _split_batch(axis_data, args, dims, *, sizes, axis):
    x = batching.moveaxis(args[0], dims[0], 0)
    return split_p.bind(x, sizes=sizes, axis=axis + 1), [0] * len(sizes)


abstract_eval_rules[split_p] = _split_abstract_eval
lowering_rules[split_p] = lambda ctx, x, **p: lower_traced(ctx, _split_impl_lax, [x], **p)
ad.jvp_rules[split_p] = _linear_multi_jvp(split_p)
ad.transpose_rules[split_p] = _split_transpose
batching.batch_rules[split_p] = _split_batch


# --- stack -------------------------------------------------------------------

def stack(operands, axis=0):
    """Stack arrays of one shape along a new ``axis`` (``jnp.stack`` on arrays)."""
    operands = list(operands)
    if not operands:
        raise ValueError("stack: need at least one array to stack")
    ndim = get_aval(operands[0]).ndim
    return stack_p.bind(*operands, axis=_axis(axis, ndim + 1, "stack"))


stack_p = Primitive("stack")


def _stack_abstract_eval(*xs, axis):
    first = xs[0]
    for x in xs[1:]:
        if x.shape != first.shape or x.dtype != first.dtype:
            raise TypeError(f"stack: all operands must have one shape and dtype, got "
                            f"{first.str_short()} and {x.str_short()}")
    return ShapedArray(first.shape[:axis] + (len(xs),) + first.shape[axis:], first.dtype,
                       all(x.weak_type for x in xs))


def _stack_lax(*xs, axis):
    shape = xs[0].aval.shape
    new = shape[:axis] + (1,) + shape[axis:]
    dims = tuple(d for d in range(len(new)) if d != axis)
    return [concatenate([broadcast_in_dim(x, new, dims) for x in xs], axis)]


def _stack_transpose(ct, *xs, axis):
    if ad.is_zero(ct):
        return [ad.Zero(x.aval) for x in xs]
    return list(unstack_p.bind(ct, axis=axis))


def _stack_batch(axis_data, args, dims, *, axis):
    xs = [batching.bdim_at_front(x, d, axis_data.size) for x, d in zip(args, dims)]
    return stack_p.bind(*xs, axis=axis + 1), 0


abstract_eval_rules[stack_p] = _stack_abstract_eval
lowering_rules[stack_p] = lambda ctx, *xs, **p: lower_traced(ctx, _stack_lax, list(xs), **p)[0]
ad.deflinear(stack_p, _stack_transpose)
batching.batch_rules[stack_p] = _stack_batch


# --- unstack -----------------------------------------------------------------

def unstack(x, axis=0):
    """The slices of ``x`` along ``axis``, as a tuple (the inverse of ``stack``)."""
    aval = get_aval(x)
    return tuple(unstack_p.bind(x, axis=_axis(axis, aval.ndim, "unstack")))


unstack_p = Primitive("unstack", multiple_results=True)


def _unstack_abstract_eval(x, *, axis):
    return [x.update(shape=x.shape[:axis] + x.shape[axis + 1:])] * x.shape[axis]


def _unstack_lax(x, *, axis):
    shape = x.aval.shape
    out = shape[:axis] + shape[axis + 1:]
    return [reshape(slice_in_dim(x, i, i + 1, axis=axis), out) for i in range(shape[axis])]


def _unstack_transpose(cts, x, *, axis):
    if all(ad.is_zero(ct) for ct in cts):
        return [ad.Zero(x.aval)]
    if not cts:
        return [ad.Zero(x.aval)]
    return [stack_p.bind(*map(ad.instantiate, cts), axis=axis)]


def _unstack_batch(axis_data, args, dims, *, axis):
    x = batching.moveaxis(args[0], dims[0], 0)
    outs = unstack_p.bind(x, axis=axis + 1)
    return outs, [0] * len(outs)


abstract_eval_rules[unstack_p] = _unstack_abstract_eval
lowering_rules[unstack_p] = lambda ctx, x, **p: lower_traced(ctx, _unstack_lax, [x], **p)
ad.jvp_rules[unstack_p] = _linear_multi_jvp(unstack_p)
ad.transpose_rules[unstack_p] = _unstack_transpose
batching.batch_rules[unstack_p] = _unstack_batch


# --- tile --------------------------------------------------------------------

def tile(operand, reps):
    """Repeat ``operand`` ``reps[i]`` times along each dimension ``i`` (``len(reps)``
    must equal the rank, unlike ``jnp.tile``)."""
    return tile_p.bind(operand, reps=tuple(int(r) for r in reps))


tile_p = Primitive("tile")


def _tile_abstract_eval(x, *, reps):
    if len(reps) != x.ndim:
        raise TypeError(f"reps length must be equal to the ndim of x, got "
                        f"len(reps)={len(reps)} and x.ndim={x.ndim}.")
    if any(r < 0 for r in reps):
        raise ValueError(f"tile: reps must be nonnegative, got {reps}")
    return x.update(shape=tuple(d * r for d, r in zip(x.shape, reps)))


def _tile_lax(x, *, reps):
    shape = x.aval.shape
    wide = tuple(v for r, d in zip(reps, shape) for v in (r, d))
    dims = tuple(range(1, 2 * len(shape), 2))
    return [reshape(broadcast_in_dim(x, wide, dims), tuple(d * r for d, r in zip(shape, reps)))]


def _tile_transpose(ct, x, *, reps):
    if ad.is_zero(ct):
        return [ad.Zero(x.aval)]
    shape = x.aval.shape
    wide = tuple(v for r, d in zip(reps, shape) for v in (r, d))
    return [reduce_sum(reshape(ct, wide), tuple(range(0, 2 * len(shape), 2)))]


def _tile_batch(axis_data, args, dims, *, reps):
    x = batching.moveaxis(args[0], dims[0], 0)
    return tile_p.bind(x, reps=(1,) + reps), 0


abstract_eval_rules[tile_p] = _tile_abstract_eval
lowering_rules[tile_p] = lambda ctx, x, **p: lower_traced(ctx, _tile_lax, [x], **p)[0]
ad.deflinear(tile_p, _tile_transpose)
batching.batch_rules[tile_p] = _tile_batch

__all__ = ["split", "split_p", "stack", "stack_p", "unstack", "unstack_p", "tile", "tile_p"]
