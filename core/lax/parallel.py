"""Named-axis collectives: psum, pmean, pmax, pmin, axis_index, all_gather, ppermute,
all_to_all, psum_scatter, and the wrappers built on them (pshuffle, pswapaxes,
pbroadcast, pcast).

A collective names an axis, and means something only where an axis of that name is
bound:

* inside ``vmap(..., axis_name=name)``: the batching trace that owns ``name`` turns
  the collective into ordinary array code over its batch dimension (``_batch``
  rules);
* inside ``shard_map`` (and ``pmap``, built on it), whose body runs once per device
  of a mesh: the collective is lowered to the XLA collective (``stablehlo.all_reduce``,
  ``all_gather``, ``collective_permute``, ``all_to_all``, ``reduce_scatter``) over
  the devices that differ only along the named mesh axes. The lowering rules read
  the mesh of the enclosing ``sdy.manual_computation`` from ``ctx.module.manual``
  (set by ``shard_map``'s lowering); device groups are logical ids, positions in the
  mesh's flat device order, as JAX's ``_replica_groups`` computes them.

Anywhere else the axis is unbound, which is an error naming the axis.

``pvary`` marks a value that is the same on every device of an axis (invariant) as
varying over it: the identity on values, whose transpose is a ``psum`` (JAX's
check_vma typing; ``shard_map`` inserts it where an invariant value meets a varying
one). ``psum``'s transpose is ``pvary``, so gradients through ``shard_map`` match
the single-device ones.
"""
import math

import numpy as np

from ..interpreters import ad, batching
from ..core import Primitive, ShapedArray, abstract_eval_rules, impl_rules
from ..interpreters.lowering import lowering_rules
from ..tree_util import tree_map
from .bitwise import eq
from .elementwise import select_n
from .reductions import reduce_max, reduce_min, reduce_sum
from .shape import broadcast_in_dim, concatenate, expand_dims, iota, reshape, squeeze
from .slicing import index_in_dim


def _axes(axis_name):
    return tuple(axis_name) if isinstance(axis_name, (tuple, list)) else (axis_name,)


def _unbound(prim_name):
    def impl(*args, axes=None, axis_name=None, **_):
        name = axes[0] if axes else (_axes(axis_name)[0] if axis_name else axis_name)
        raise NameError(f"unbound axis name: {name!r} in lax.{prim_name}. Collectives need an "
                        f"enclosing vmap(..., axis_name={name!r}), shard_map or pmap "
                        f"naming that axis.")
    return impl


def _size(axis_name):
    """The number of devices (or examples) along ``axis_name`` (a name or a tuple)."""
    return math.prod(batching.axis_size_of(a) for a in _axes(axis_name))


# --- lowering helpers: device groups over the mesh of the enclosing shard_map ----------

_CHANNEL = "#stablehlo.channel_handle<handle = 1, type = 1>"


def _manual_mesh(ctx, prim_name, axes):
    mesh = getattr(ctx.module, "manual", None)
    if mesh is None:
        raise NameError(f"unbound axis name: {axes[0]!r} in lax.{prim_name}: a collective "
                        f"is compiled only inside shard_map or pmap over a mesh naming it")
    for a in axes:
        if a not in mesh.axis_names:
            raise NameError(f"unbound axis name: {a!r} in lax.{prim_name} (the mesh's axes "
                            f"are {mesh.axis_names})")
    return mesh


def replica_groups(mesh, axes):
    """The logical device ids (positions in ``mesh``'s flat order) that communicate in a
    collective over ``axes``: one row per group, ordered along ``axes`` (first major)."""
    ids = np.arange(mesh.size).reshape(mesh.axis_sizes)
    pos = [mesh.axis_names.index(a) for a in axes]
    rest = [i for i in range(ids.ndim) if i not in pos]
    size = math.prod(mesh.axis_sizes[p] for p in pos)
    return ids.transpose(rest + pos).reshape(-1, size)


def _groups_attr(groups):
    groups = np.asarray(groups, dtype=np.int64)
    rows = ", ".join("[" + ", ".join(map(str, r)) + "]" for r in groups)
    return f"dense<[{rows}]> : tensor<{groups.shape[0]}x{groups.shape[1]}xi64>"


def _collective_attrs(ctx, prim_name, axes, global_ids=True):
    groups = replica_groups(_manual_mesh(ctx, prim_name, axes), axes)
    attrs = {"channel_handle": _CHANNEL, "replica_groups": _groups_attr(groups)}
    if global_ids:
        attrs["use_global_device_ids"] = "unit"
    return attrs


def _reducer_region(ctx, dtype, op):
    scalar = ShapedArray((), dtype)
    return ctx.region([scalar, scalar], lambda c, a, b: c.op(op, [a, b], scalar))


_REDUCE_OPS = {"psum": "stablehlo.add", "psum_invariant": "stablehlo.add",
               "pmax": "stablehlo.maximum",
               "pmin": "stablehlo.minimum"}


# --- psum / pmax / pmin ---------------------------------------------------------------

def psum(x, axis_name):
    """Sum ``x`` (a pytree) over the named axis (a vmap axis, or mesh axes inside
    ``shard_map``/``pmap``). Lowers to ``stablehlo.all_reduce`` with an add region."""
    return tree_map(lambda leaf: psum_p.bind(leaf, axes=_axes(axis_name)), x)


def pmax(x, axis_name):
    """Maximum of ``x`` over the named axis (``stablehlo.all_reduce`` with ``maximum``)."""
    return tree_map(lambda leaf: pmax_p.bind(leaf, axes=_axes(axis_name)), x)


def pmin(x, axis_name):
    """Minimum of ``x`` over the named axis (``stablehlo.all_reduce`` with ``minimum``)."""
    return tree_map(lambda leaf: pmin_p.bind(leaf, axes=_axes(axis_name)), x)


def pmean(x, axis_name):
    """Mean of ``x`` over the named axis: ``psum`` divided by the axis size."""
    size = _size(axis_name)
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


def _reducer_lowering(name):
    def rule(ctx, x, *, axes):
        attrs = _collective_attrs(ctx, name, axes)
        region = _reducer_region(ctx, ctx.avals_in[0].dtype, _REDUCE_OPS[name])
        return ctx.op("stablehlo.all_reduce", [x], attrs=attrs, regions=[region])
    return rule


def _make(name, reduce, unbatched):
    prim = Primitive(name)
    abstract_eval_rules[prim] = lambda x, *, axes: x
    impl_rules[prim] = _unbound(name)
    batching.batch_rules[prim] = _reducer_collective(prim, reduce, unbatched)
    batching.always_batch.add(prim)
    lowering_rules[prim] = _reducer_lowering(name)
    return prim


psum_p = _make("psum", reduce_sum, lambda x, n: x * n)
pmax_p = _make("pmax", reduce_max, lambda x, n: x)
pmin_p = _make("pmin", reduce_min, lambda x, n: x)
# psum is linear. Untyped (under vmap), its transpose is psum again, as in JAX.
ad.deflinear(psum_p, lambda ct, x, *, axes: [psum_p.bind(ad.instantiate(ct), axes=axes)])
# Inside shard_map, psum is typed (JAX's ``psum_invariant``): its input varies over
# ``axes``, its output is the same on every device, and its transpose hands that
# cotangent to every device (``pvary``, the identity on values).
psum_invariant_p = _make("psum_invariant", reduce_sum, lambda x, n: x * n)
ad.deflinear(psum_invariant_p, lambda ct, x, *, axes: [
    pvary_p.bind(ad.instantiate(ct), axes=axes)])


# --- pvary ------------------------------------------------------------------------------

def pvary(x, axis_name):
    """Mark ``x`` as varying over ``axis_name``: the identity on values; its transpose
    sums the cotangent over the axis (``psum``)."""
    return tree_map(lambda leaf: pvary_p.bind(leaf, axes=_axes(axis_name)), x)


pvary_p = Primitive("pvary")
abstract_eval_rules[pvary_p] = lambda x, *, axes: x
impl_rules[pvary_p] = lambda x, *, axes: x
lowering_rules[pvary_p] = lambda ctx, x, *, axes: x
ad.deflinear(pvary_p, lambda ct, x, *, axes: [
    psum_invariant_p.bind(ad.instantiate(ct), axes=axes)])


def _pvary_batch(axis_data, args, dims, *, axes):
    rest = tuple(a for a in axes if a != axis_data.name)
    return (pvary_p.bind(args[0], axes=rest) if rest else args[0]), dims[0]


batching.batch_rules[pvary_p] = _pvary_batch
batching.always_batch.add(pvary_p)


def pcast(x, axis_name, *, to):
    """Change how ``x`` is typed over mesh axes: ``to='varying'`` is ``pvary``. (JAX's
    ``'reduced'``/``'unreduced'`` states are not modelled in glassbox.)"""
    if isinstance(axis_name, (set, frozenset)):
        raise TypeError(f"axis_name={axis_name!r} must be a tuple or a str. Got {axis_name}")
    if not axis_name:
        return x
    if to not in ("unreduced", "reduced", "varying"):
        raise ValueError("Got unexpected `to` value. Allowed `to` values are: "
                         "{'unreduced', 'reduced', 'varying'}")
    if to != "varying":
        raise NotImplementedError(f"lax.pcast(to={to!r}): glassbox models only "
                                  f"varying/invariant values inside shard_map")
    return pvary(x, axis_name)


# --- axis_index -------------------------------------------------------------------------

def axis_index(axis_name):
    """The position (int32) along the named axis: of the current example under vmap, of
    this device inside shard_map/pmap (``stablehlo.partition_id`` divided and reduced by
    the mesh's strides)."""
    return axis_index_p.bind(axis_name=axis_name)


axis_index_p = Primitive("axis_index")
abstract_eval_rules[axis_index_p] = lambda *, axis_name: ShapedArray((), "int32")


def _axis_index_collective(axis_data, args, dims, *, axis_name):
    if axis_data.name not in _axes(axis_name):
        return axis_index_p.bind(axis_name=axis_name), None
    if len(_axes(axis_name)) > 1:
        raise NotImplementedError("axis_index of several axes under vmap")
    return iota("int32", axis_data.size), 0


def _axis_index_lowering(ctx, *, axis_name):
    axes = _axes(axis_name)
    mesh = _manual_mesh(ctx, "axis_index", axes)
    u32 = ShapedArray((), "uint32")
    pid = ctx.op("stablehlo.partition_id", [], u32)
    index = None
    for a in axes:   # linear index along the axes, the first major
        pos = mesh.axis_names.index(a)
        stride = math.prod(mesh.axis_sizes[pos + 1:])
        i = ctx.op("stablehlo.divide", [pid, ctx.constant(np.uint32(stride), u32)], u32)
        i = ctx.op("stablehlo.remainder",
                   [i, ctx.constant(np.uint32(mesh.axis_sizes[pos]), u32)], u32)
        if index is not None:
            size = ctx.constant(np.uint32(mesh.axis_sizes[pos]), u32)
            i = ctx.op("stablehlo.add", [ctx.op("stablehlo.multiply", [index, size], u32), i],
                       u32)
        index = i
    return ctx.op("stablehlo.convert", [index], ShapedArray((), "int32"))


impl_rules[axis_index_p] = _unbound("axis_index")
batching.batch_rules[axis_index_p] = _axis_index_collective
batching.always_batch.add(axis_index_p)
lowering_rules[axis_index_p] = _axis_index_lowering


def axis_size(axis_name):
    """The size of the named axis (a Python int), or the product over a tuple of names."""
    return _size(axis_name)


# --- all_gather -------------------------------------------------------------------------

def all_gather(x, axis_name, *, axis_index_groups=None, axis=0, tiled=False):
    """Every device (example) receives the values of ``x`` from all along the named axis,
    stacked on a new dimension ``axis`` (or concatenated along it when ``tiled``).
    Lowers to ``stablehlo.all_gather``."""
    if axis_index_groups is not None:
        raise NotImplementedError("all_gather(axis_index_groups=...) is not supported")

    def bind(leaf):
        ndim = len(np.shape(leaf))
        ax = axis + (ndim if tiled else ndim + 1) if axis < 0 else axis
        return all_gather_p.bind(leaf, axis_name=axis_name, axis=ax, tiled=tiled,
                                 axis_size=_size(axis_name))
    return tree_map(bind, x)


all_gather_p = Primitive("all_gather")


def _all_gather_abstract_eval(x, *, axis_name, axis, tiled, axis_size):
    size = axis_size
    shape = list(x.shape)
    if tiled:
        shape[axis] *= size
    else:
        shape.insert(axis, size)
    return x.update(shape=tuple(shape))


def _all_gather_collective(axis_data, args, dims, *, axis_name, axis, tiled, axis_size):
    (x,), (d,) = args, dims
    names = _axes(axis_name)
    if axis_data.name not in names:
        if d is None:
            return all_gather_p.bind(x, axis_name=axis_name, axis=axis, tiled=tiled,
                                     axis_size=axis_size), None
        x = batching.moveaxis(x, d, 0)
        return all_gather_p.bind(x, axis_name=axis_name, axis=axis + 1, tiled=tiled,
                                 axis_size=axis_size), 0
    if len(names) > 1:
        raise NotImplementedError("all_gather over several axes under vmap")
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


def _all_gather_lowering(ctx, x, *, axis_name, axis, tiled, axis_size):
    axes = _axes(axis_name)
    attrs = dict(_collective_attrs(ctx, "all_gather", axes), all_gather_dim=f"{axis} : i64")
    if tiled:
        return ctx.op("stablehlo.all_gather", [x], attrs=attrs)
    aval = ctx.avals_in[0]
    one = aval.update(shape=aval.shape[:axis] + (1,) + aval.shape[axis:], sharding=None)
    x1 = ctx.op("stablehlo.reshape", [x], one)
    return ctx.op("stablehlo.all_gather", [x1], attrs=attrs)


def _all_gather_transpose(ct, x, *, axis_name, axis, tiled, axis_size):
    ct = ad.instantiate(ct)
    out = psum_scatter_p.bind(ct, axis_name=_axes(axis_name), scatter_dimension=axis,
                              axis_size=axis_size)
    return [out if tiled else squeeze(out, (axis,))]


abstract_eval_rules[all_gather_p] = _all_gather_abstract_eval
impl_rules[all_gather_p] = _unbound("all_gather")
batching.batch_rules[all_gather_p] = _all_gather_collective
batching.always_batch.add(all_gather_p)
lowering_rules[all_gather_p] = _all_gather_lowering
ad.deflinear(all_gather_p, _all_gather_transpose)


# --- psum_scatter (reduce_scatter) ------------------------------------------------------

def psum_scatter(x, axis_name, *, scatter_dimension=0, axis_index_groups=None, tiled=False):
    """Like ``psum`` but each device keeps only its block of the sum along
    ``scatter_dimension``: the ``i``-th of the axis's ``n`` blocks (``tiled``), or the
    ``i``-th slice, that dimension removed (then its size must be ``n``). Lowers to
    ``stablehlo.reduce_scatter``."""
    if axis_index_groups is not None:
        raise NotImplementedError("psum_scatter(axis_index_groups=...) is not supported")
    names = _axes(axis_name)
    n = _size(names)

    def bind(leaf):
        shape = np.shape(leaf)
        dim = scatter_dimension % len(shape) if shape else scatter_dimension
        if not tiled and shape[dim] != n:
            raise ValueError(f"psum_scatter: the scatter dimension {dim} of an operand of "
                             f"shape {shape} must have the axis size {n} when tiled=False")
        out = psum_scatter_p.bind(leaf, axis_name=names, scatter_dimension=dim, axis_size=n)
        return out if tiled else squeeze(out, (dim,))
    return tree_map(bind, x)


psum_scatter_p = Primitive("reduce_scatter")


def _psum_scatter_abstract_eval(x, *, axis_name, scatter_dimension, axis_size):
    n = axis_size
    shape = list(x.shape)
    if shape[scatter_dimension] % n:
        raise ValueError(f"psum_scatter: dimension {scatter_dimension} of size "
                         f"{shape[scatter_dimension]} is not divisible by the size {n} of "
                         f"axis {axis_name}")
    shape[scatter_dimension] //= n
    return x.update(shape=tuple(shape))


def _psum_scatter_batch(axis_data, args, dims, *, axis_name, scatter_dimension, axis_size):
    (x,), (d,) = args, dims
    if axis_data.name not in axis_name:
        if d is None:
            return psum_scatter_p.bind(x, axis_name=axis_name, axis_size=axis_size,
                                       scatter_dimension=scatter_dimension), None
        x = batching.moveaxis(x, d, 0)
        return psum_scatter_p.bind(x, axis_name=axis_name, axis_size=axis_size,
                                   scatter_dimension=scatter_dimension + 1), 0
    if len(axis_name) > 1:
        raise NotImplementedError("psum_scatter over several axes under vmap")
    n = axis_data.size
    summed = x * n if d is None else reduce_sum(x, (d,))
    shape = list(summed.shape)
    sd = scatter_dimension
    split = reshape(summed, tuple(shape[:sd]) + (n, shape[sd] // n) + tuple(shape[sd + 1:]))
    return split, sd   # example i keeps block i: the new dimension is the batch one


def _psum_scatter_lowering(ctx, x, *, axis_name, scatter_dimension, axis_size):
    attrs = dict(_collective_attrs(ctx, "psum_scatter", axis_name),
                 scatter_dimension=f"{scatter_dimension} : i64")
    region = _reducer_region(ctx, ctx.avals_in[0].dtype, "stablehlo.add")
    return ctx.op("stablehlo.reduce_scatter", [x], attrs=attrs, regions=[region])


abstract_eval_rules[psum_scatter_p] = _psum_scatter_abstract_eval
impl_rules[psum_scatter_p] = _unbound("psum_scatter")
batching.batch_rules[psum_scatter_p] = _psum_scatter_batch
batching.always_batch.add(psum_scatter_p)
lowering_rules[psum_scatter_p] = _psum_scatter_lowering
ad.deflinear(psum_scatter_p, lambda ct, x, *, axis_name, scatter_dimension, axis_size: [
    all_gather_p.bind(ad.instantiate(ct), axis_name=axis_name, axis=scatter_dimension,
                      tiled=True, axis_size=axis_size)])


# --- ppermute / pshuffle ----------------------------------------------------------------

def ppermute(x, axis_name, perm):
    """Send ``x`` along the named axis: each ``(source, destination)`` pair of ``perm``
    copies the source's value to the destination; devices no pair sends to get zeros.
    Lowers to ``stablehlo.collective_permute``."""
    names = _axes(axis_name)
    perm = tuple((int(s), int(d)) for s, d in perm)
    n = _size(names)
    srcs, dsts = [s for s, _ in perm], [d for _, d in perm]
    if len(set(srcs)) != len(srcs) or len(set(dsts)) != len(dsts):
        raise ValueError(f"ppermute sources and destinations must be unique, got {perm}.")
    if any(not 0 <= i < n for i in srcs + dsts):
        raise ValueError(f"ppermute permutation {perm} has indices outside the axis size {n}")
    return tree_map(lambda leaf: ppermute_p.bind(leaf, axis_name=names, perm=perm), x)


def pshuffle(x, axis_name, perm):
    """``ppermute`` with the permutation given by sources: output ``i`` comes from
    ``perm[i]``."""
    if set(perm) != set(range(len(perm))):
        raise ValueError(f"`perm` does not represent a permutation: {perm}")
    return ppermute(x, axis_name, list(zip(perm, range(len(perm)))))


ppermute_p = Primitive("ppermute")


def _ppermute_batch(axis_data, args, dims, *, axis_name, perm):
    (x,), (d,) = args, dims
    if axis_data.name not in axis_name:
        return ppermute_p.bind(x, axis_name=axis_name, perm=perm), d
    if len(axis_name) > 1:
        raise NotImplementedError("ppermute over several axes under vmap")
    n = axis_data.size
    x = batching.bdim_at_front(x, d, n)
    rows = []
    sources = {dst: src for src, dst in perm}
    zeros = None
    for i in range(n):
        if i in sources:
            rows.append(index_in_dim(x, sources[i], 0, keepdims=True))
        else:
            if zeros is None:
                zeros = index_in_dim(x, 0, 0, keepdims=True) * 0
            rows.append(zeros)
    return concatenate(rows, 0), 0


def _ppermute_lowering(ctx, x, *, axis_name, perm):
    mesh = _manual_mesh(ctx, "ppermute", axis_name)
    pairs = [(int(g[s]), int(g[d])) for g in replica_groups(mesh, axis_name) for s, d in perm]
    text = ", ".join(f"[{s}, {d}]" for s, d in pairs)
    attrs = {"channel_handle": _CHANNEL,
             "source_target_pairs": f"dense<[{text}]> : tensor<{len(pairs)}x2xi64>"}
    return ctx.op("stablehlo.collective_permute", [x], attrs=attrs)


abstract_eval_rules[ppermute_p] = lambda x, *, axis_name, perm: x
impl_rules[ppermute_p] = _unbound("ppermute")
batching.batch_rules[ppermute_p] = _ppermute_batch
batching.always_batch.add(ppermute_p)
lowering_rules[ppermute_p] = _ppermute_lowering
ad.deflinear(ppermute_p, lambda ct, x, *, axis_name, perm: [
    ppermute_p.bind(ad.instantiate(ct), axis_name=axis_name,
                    perm=tuple((d, s) for s, d in perm))])


# --- all_to_all / pswapaxes ---------------------------------------------------------------

def all_to_all(x, axis_name, split_axis, concat_axis, *, axis_index_groups=None,
               tiled=False):
    """Split ``split_axis`` into one block per device of the named axis, send block ``j``
    to device ``j``, and concatenate the blocks received along ``concat_axis`` (in source
    order). Untiled, ``split_axis`` must have the axis size and is removed, and a new
    dimension of that size appears at ``concat_axis``. Lowers to ``stablehlo.all_to_all``."""
    if axis_index_groups is not None:
        raise NotImplementedError("all_to_all(axis_index_groups=...) is not supported")
    names = _axes(axis_name)
    n = _size(names)

    def bind(leaf):
        ndim = len(np.shape(leaf))
        sa, ca = split_axis % ndim, concat_axis % ndim
        if tiled:
            return all_to_all_p.bind(leaf, axis_name=names, split_axis=sa, concat_axis=ca,
                                     axis_size=n)
        if np.shape(leaf)[sa] != n:
            raise ValueError(f"all_to_all: the split axis {sa} of an operand of shape "
                             f"{np.shape(leaf)} must have the axis size {n} when tiled=False")
        pos = ca if ca <= sa else ca + 1          # where the new dimension goes in x
        y = expand_dims(leaf, (pos,))
        sa1 = sa + 1 if pos <= sa else sa
        out = all_to_all_p.bind(y, axis_name=names, split_axis=sa1, concat_axis=pos,
                                axis_size=n)
        return squeeze(out, (sa1,))
    return tree_map(bind, x)


def pswapaxes(x, axis_name, axis, *, axis_index_groups=None):
    """Swap the named (device) axis with the array axis ``axis``:
    ``all_to_all(x, axis_name, axis, axis)``."""
    return all_to_all(x, axis_name, axis, axis, axis_index_groups=axis_index_groups)


all_to_all_p = Primitive("all_to_all")


def _all_to_all_abstract_eval(x, *, axis_name, split_axis, concat_axis, axis_size):
    n = axis_size
    shape = list(x.shape)
    if shape[split_axis] % n:
        raise ValueError(f"all_to_all: the split axis {split_axis} of size "
                         f"{shape[split_axis]} is not divisible by the axis size {n}")
    shape[split_axis] //= n
    shape[concat_axis] *= n
    return x.update(shape=tuple(shape))


def _all_to_all_batch(axis_data, args, dims, *, axis_name, split_axis, concat_axis,
                      axis_size):
    (x,), (d,) = args, dims
    if axis_data.name not in axis_name:
        if d is None:
            return all_to_all_p.bind(x, axis_name=axis_name, split_axis=split_axis,
                                     concat_axis=concat_axis, axis_size=axis_size), None
        x = batching.moveaxis(x, d, 0)
        return all_to_all_p.bind(x, axis_name=axis_name, split_axis=split_axis + 1,
                                 concat_axis=concat_axis + 1, axis_size=axis_size), 0
    if len(axis_name) > 1:
        raise NotImplementedError("all_to_all over several axes under vmap")
    n = axis_data.size
    x = batching.bdim_at_front(x, d, n)           # (n_src, ...)
    shape = list(x.shape)
    sa = split_axis + 1
    # Split the split dim into (dst, block), move dst to the front: (dst, src, local...)
    # with local dim i at i + 2; then src goes just before the concat dim and merges into it.
    y = reshape(x, tuple(shape[:sa]) + (n, shape[sa] // n) + tuple(shape[sa + 1:]))
    y = batching.moveaxis(y, sa, 0)
    ca2 = concat_axis + 1
    y = batching.moveaxis(y, 1, ca2)
    s = list(y.shape)
    y = reshape(y, tuple(s[:ca2]) + (s[ca2] * s[ca2 + 1],) + tuple(s[ca2 + 2:]))
    return y, 0


def _all_to_all_lowering(ctx, x, *, axis_name, split_axis, concat_axis, axis_size):
    attrs = _collective_attrs(ctx, "all_to_all", axis_name, global_ids=False)
    attrs.update(split_dimension=f"{split_axis} : i64", concat_dimension=f"{concat_axis} : i64",
                 split_count=f"{axis_size} : i64")
    return ctx.op("stablehlo.all_to_all", [x], attrs=attrs)


abstract_eval_rules[all_to_all_p] = _all_to_all_abstract_eval
impl_rules[all_to_all_p] = _unbound("all_to_all")
batching.batch_rules[all_to_all_p] = _all_to_all_batch
batching.always_batch.add(all_to_all_p)
lowering_rules[all_to_all_p] = _all_to_all_lowering
ad.deflinear(all_to_all_p, lambda ct, x, *, axis_name, split_axis, concat_axis, axis_size: [
    all_to_all_p.bind(ad.instantiate(ct), axis_name=axis_name, split_axis=concat_axis,
                      concat_axis=split_axis, axis_size=axis_size)])


# --- pbroadcast -------------------------------------------------------------------------

def pbroadcast(x, axis_name, source):
    """Every device (example) along the named axis receives the value of the one at index
    ``source``: ``psum`` of ``x`` masked to the source (as JAX lowers it off GPU)."""
    def one(leaf):
        here = eq(axis_index(axis_name), np.int32(source))
        mask = broadcast_in_dim(here, np.shape(leaf), ())
        return psum(select_n(mask, leaf * 0, leaf), axis_name)
    return tree_map(one, x)


# JAX's public names (pvary, psum_invariant_p and reduce_scatter's primitive stay internal,
# as in JAX 0.10.2's lax).
__all__ = ["psum", "pmax", "pmin", "pmean", "axis_index", "axis_size", "all_gather",
           "psum_scatter", "ppermute", "pshuffle", "all_to_all", "pswapaxes", "pbroadcast",
           "pcast", "psum_p", "pmax_p", "pmin_p", "axis_index_p", "all_gather_p", "ppermute_p",
           "all_to_all_p"]
