"""Named-axis collectives: psum, pmean, pmax, pmin, axis_index, all_gather.

They only mean something inside ``vmap(..., axis_name=name)``: the batching
trace that owns ``name`` reduces over its batch dimension. Anywhere else the
axis is unbound, which is an error naming the axis.
"""
from ..interpreters import batching
from ..core import Primitive, ShapedArray, abstract_eval_rules, impl_rules
from ..tree_util import tree_map
from .reductions import reduce_max, reduce_min, reduce_sum
from .shape import iota, reshape


def _axes(axis_name):
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _unbound(prim_name):
    def impl(*args, axes=None, axis_name=None, **_):
        name = axes[0] if axes else axis_name
        raise NameError(f"unbound axis name: {name!r} in lax.{prim_name}. Collectives need an "
                        f"enclosing vmap(..., axis_name={name!r}).")
    return impl


# --- psum / pmax / pmin ---------------------------------------------------------------

def psum(x, axis_name):
    """Sum ``x`` (a pytree) over the vmapped axis named ``axis_name``."""
    return tree_map(lambda leaf: psum_p.bind(leaf, axes=_axes(axis_name)), x)


def pmax(x, axis_name):
    """Maximum of ``x`` over the vmapped axis ``axis_name``."""
    return tree_map(lambda leaf: pmax_p.bind(leaf, axes=_axes(axis_name)), x)


def pmin(x, axis_name):
    """Minimum of ``x`` over the vmapped axis ``axis_name``."""
    return tree_map(lambda leaf: pmin_p.bind(leaf, axes=_axes(axis_name)), x)


def pmean(x, axis_name):
    """Mean of ``x`` over the vmapped axis ``axis_name``."""
    size = 1
    for name in _axes(axis_name):
        size *= batching.axis_size_of(name)
    return tree_map(lambda s: s / size, psum(x, axis_name))


def _reducer_collective(prim, reduce, unbatched):
    """Collective rule: reduce over this trace's batch dim if the name is ours."""
    def rule(axis_data, args, dims, *, axes):
        (x,), (d,) = args, dims
        if axis_data.name not in axes:
            return prim.bind(x, axes=axes), d
        rest = tuple(a for a in axes if a != axis_data.name)
        out = unbatched(x, axis_data.size) if d is None else reduce(x, (d,))
        return (prim.bind(out, axes=rest) if rest else out), None
    return rule


def _make(name, reduce, unbatched):
    prim = Primitive(name)
    abstract_eval_rules[prim] = lambda x, *, axes: x
    impl_rules[prim] = _unbound(name)
    batching.batch_rules[prim] = _reducer_collective(prim, reduce, unbatched)
    batching.always_batch.add(prim)
    return prim


psum_p = _make("psum", reduce_sum, lambda x, n: x * n)
pmax_p = _make("pmax", reduce_max, lambda x, n: x)
pmin_p = _make("pmin", reduce_min, lambda x, n: x)


# --- axis_index -------------------------------------------------------------------------

def axis_index(axis_name):
    """The position (int32) of the current example along the vmapped axis ``axis_name``."""
    return axis_index_p.bind(axis_name=axis_name)


axis_index_p = Primitive("axis_index")
abstract_eval_rules[axis_index_p] = lambda *, axis_name: ShapedArray((), "int32")


def _axis_index_collective(axis_data, args, dims, *, axis_name):
    if axis_data.name != axis_name:
        return axis_index_p.bind(axis_name=axis_name), None
    return iota("int32", axis_data.size), 0


impl_rules[axis_index_p] = _unbound("axis_index")
batching.batch_rules[axis_index_p] = _axis_index_collective
batching.always_batch.add(axis_index_p)


# --- all_gather -------------------------------------------------------------------------

def all_gather(x, axis_name, *, axis=0, tiled=False):
    """Every example receives the stacked values of ``x`` from all examples along ``axis``."""
    return tree_map(lambda leaf: all_gather_p.bind(leaf, axis_name=axis_name, axis=axis,
                                                   tiled=tiled), x)


all_gather_p = Primitive("all_gather")


def _all_gather_abstract_eval(x, *, axis_name, axis, tiled):
    size = batching.axis_size_of(axis_name)
    shape = list(x.shape)
    if tiled:
        shape[axis] *= size
    else:
        shape.insert(axis, size)
    return x.update(shape=tuple(shape))


def _all_gather_collective(axis_data, args, dims, *, axis_name, axis, tiled):
    (x,), (d,) = args, dims
    if axis_data.name != axis_name:
        return all_gather_p.bind(x, axis_name=axis_name, axis=axis, tiled=tiled), d
    if d is None:
        x = batching.broadcast_batched(x, axis_data.size, 0)
        d = 0
    ndim = len(x.shape)
    out = batching.moveaxis(x, d, axis % ndim)
    if tiled:
        shape = list(out.shape)
        merged = shape[axis] * shape[axis + 1] if axis + 1 < len(shape) else shape[axis]
        out = reshape(out, tuple(shape[:axis]) + (merged,) + tuple(shape[axis + 2:]))
    return out, None


abstract_eval_rules[all_gather_p] = _all_gather_abstract_eval
impl_rules[all_gather_p] = _unbound("all_gather")
batching.batch_rules[all_gather_p] = _all_gather_collective
batching.always_batch.add(all_gather_p)

__all__ = ["psum", "pmax", "pmin", "pmean", "axis_index", "all_gather", "psum_p", "pmax_p",
           "pmin_p", "axis_index_p", "all_gather_p"]
