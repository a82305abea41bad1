"""pmap, as JAX 0.10 builds it: a ``jit`` of a ``shard_map`` over a one-axis mesh.

``pmap(f, axis_name)(x)`` runs ``f`` once per device on one slice of ``x`` along
``in_axes``: the mapped axis is split over a mesh of as many devices (named
``axis_name``), each device squeezes its slice of size 1, calls ``f``, and the results
are stacked back along ``out_axes``. Collectives name ``axis_name``. As in JAX, the
shard_map does not check varying/invariant types (``check_vma=False``), and results
are Arrays with a ``NamedSharding`` over that mesh.
"""
import numpy as np

from . import runtime
from .api import jit
from .lax.shape import expand_dims, squeeze
from .sharding import AxisType, Mesh, NamedSharding, PartitionSpec
from .shard_map import shard_map
from .traceback_util import api_boundary
from .tree_util import tree_flatten, tree_leaves, tree_unflatten

_INTERNAL_AXIS = "_internal_pmap_axis_name"


def _axes_to_spec(axis_name, axis):
    return PartitionSpec() if axis is None else PartitionSpec(*[None] * axis, axis_name)


def _index_tuple(x):
    return (x,) if isinstance(x, int) else tuple(x)


def _prefix_leaves(prefix, tree, what):
    """One value per leaf of ``tree`` from ``prefix`` (an int/None, or a container
    prefix of ``tree``)."""
    if prefix is None or isinstance(prefix, int):
        return [prefix] * len(tree_leaves(tree))
    if isinstance(prefix, (tuple, list)) and isinstance(tree, (tuple, list)) \
            and len(prefix) == len(tree):
        return [v for p, t in zip(prefix, tree) for v in _prefix_leaves(p, t, what)]
    if isinstance(prefix, dict) and isinstance(tree, dict) and prefix.keys() == tree.keys():
        return [v for k in prefix for v in _prefix_leaves(prefix[k], tree[k], what)]
    raise ValueError(f"pmap {what} specification must be a tree prefix of the corresponding "
                     f"value, got specification {prefix!r} for value tree "
                     f"{tree_flatten(tree)[1]}.")


def pmap(fun, axis_name=None, *, in_axes=0, out_axes=0, static_broadcasted_argnums=(),
         devices=None, backend=None, axis_size=None, donate_argnums=(),
         global_arg_shapes=None):
    """Map ``fun`` over the leading (``in_axes``) axis of its arguments, one slice per
    device, compiled as one program over the devices (SPMD).

    Args:
      fun: the per-device function.
      axis_name: the name collectives inside ``fun`` use for the mapped axis.
      in_axes, out_axes: an int or None per argument/output (pytree prefixes): which
        axis is mapped (None: the argument is broadcast to every device / the output
        is the same on all and not stacked).
      static_broadcasted_argnums: positions of hashable arguments passed as Python
        values (the function is traced once per value).
      devices: the devices to use (default: the first ``n`` of ``glassbox.devices()``).
      axis_size: the mapped size, checked against the arguments'.
      donate_argnums: arguments whose buffers XLA may reuse.

    Example::

        pmap(lambda x: x / lax.psum(x, "i"), axis_name="i")(jnp.arange(8.))

    Built as in JAX 0.10: ``jit(shard_map(...))`` over ``Mesh(devices, (axis_name,))``.
    """
    if not callable(fun):
        raise TypeError(f"Expected a callable value, got {fun!r}")
    if devices is not None:
        if not devices:
            raise ValueError("'devices' argument to pmap must be non-empty, or None.")
        devices = tuple(devices)
    name = _INTERNAL_AXIS if axis_name is None else axis_name
    static = _index_tuple(static_broadcasted_argnums)
    donate = _index_tuple(donate_argnums)
    if not all(type(a) is int for a in tree_leaves(in_axes)):
        raise TypeError("pmap in_axes must be an int, None, or (nested) container with those "
                        f"types as leaves, but got {in_axes}.")
    if not all(type(a) is int for a in tree_leaves(out_axes)):
        raise TypeError("pmap out_axes must be an int, None, or (nested) container with "
                        f"those types as leaves, but got {out_axes}.")
    cache = {}

    def prepare(args, kwargs):
        """``(the jitted shard_map for these arguments, their leaves)``."""
        if kwargs:
            raise NotImplementedError("pmap: keyword arguments are not supported; pass them "
                                      "positionally")
        n_args = len(args)
        statics = tuple(i % n_args for i in static if -n_args <= i < n_args)
        dyn = [i for i in range(n_args) if i not in statics]
        dyn_args = tuple(args[i] for i in dyn)
        axes_prefix = in_axes
        if isinstance(in_axes, (tuple, list)) and statics:
            axes_prefix = tuple(in_axes[i] for i in dyn) if len(in_axes) == n_args else in_axes
        axes_flat = _prefix_leaves(axes_prefix if not isinstance(axes_prefix, list)
                                   else tuple(axes_prefix), dyn_args, "in_axes")
        flat, tree = tree_flatten(dyn_args)
        axes_flat = [None if a is None else a % max(np.ndim(x), 1)
                     for a, x in zip(axes_flat, flat)]
        size = next((np.shape(x)[a] for x, a in zip(flat, axes_flat)
                     if a is not None and np.ndim(x) > a), None)
        if size is None:
            raise ValueError("pmap requires at least one argument with a mapped axis.")
        if axis_size is not None and axis_size != size:
            raise ValueError(f"Specified axis_size {axis_size} doesn't match received "
                             f"axis_size {size}.")
        available = devices or tuple(runtime.devices())
        if size > len(available):
            raise ValueError(f"pmap: the mapped axis has size {size}, but only "
                             f"{len(available)} devices are available")
        static_vals = tuple(args[i] for i in statics)
        key = (tree, tuple(axes_flat), statics, static_vals, size, available)
        jitted = cache.get(key)
        if jitted is None:
            jitted = cache[key] = _build(fun, name, statics, static_vals, dyn, n_args, tree,
                                         axes_flat, out_axes, available[:size], donate)
        return jitted, flat

    @api_boundary
    def pmapped(*args, **kwargs):
        jitted, flat = prepare(args, kwargs)
        return jitted(*flat)

    def lower(*args, **kwargs):
        """The jit-lowered program (``.as_text()``, ``.compile()``) for these arguments."""
        jitted, flat = prepare(args, kwargs)
        return jitted.lower(*flat)
    pmapped.lower = lower
    pmapped.__name__ = getattr(fun, "__name__", "pmap")
    pmapped.__wrapped__ = fun
    return pmapped


def _build(fun, name, statics, static_vals, dyn, n_args, tree, axes_flat, out_axes, devices,
           donate):
    mesh = Mesh(np.array(devices, dtype=object), (name,), axis_types=(AxisType.Auto,))
    in_specs = tuple(_axes_to_spec(name, a) for a in axes_flat)
    out_box = {}

    def per_device(*flat):
        leaves = [x if a is None else squeeze(x, (a,)) for x, a in zip(flat, axes_flat)]
        dyn_args = tree_unflatten(tree, leaves)
        full = [None] * n_args
        for i, v in zip(statics, static_vals):
            full[i] = v
        for i, v in zip(dyn, dyn_args):
            full[i] = v
        out = fun(*full)
        outs, out_tree = tree_flatten(out)
        o_axes = _prefix_leaves(out_axes, out, "out_axes")
        o_axes = [None if a is None else a % (np.ndim(o) + 1) for a, o in zip(o_axes, outs)]
        out_box["axes"] = o_axes
        return tree_unflatten(out_tree, [o if a is None else expand_dims(o, (a,))
                                         for o, a in zip(outs, o_axes)])

    def out_specs_of(out):   # known once ``per_device`` has been traced
        return tree_unflatten(tree_flatten(out)[1],
                              [_axes_to_spec(name, a) for a in out_box["axes"]])

    def call(*flat):
        return shard_map(per_device, mesh=mesh, in_specs=in_specs, out_specs=out_specs_of,
                         check_vma=False)(*flat)
    donated = tuple(i for i, leaf_arg in enumerate(_arg_of_leaf(tree, dyn))
                    if leaf_arg in donate)
    call.__name__ = getattr(fun, "__name__", "pmap")
    # As JAX's pmap: the arguments are laid out as the shard_map splits them (so a donated
    # argument's buffers match the outputs' per device).
    return jit(call, donate_argnums=donated,
               in_shardings=tuple(NamedSharding(mesh, s) for s in in_specs))


def _arg_of_leaf(tree, dyn):
    """The original argument position of each flat leaf of the dynamic arguments."""
    leaves = tree_unflatten(tree, list(range(tree.num_leaves)))
    out = []
    for pos, sub in zip(dyn, leaves):
        out += [pos] * len(tree_leaves(sub))
    return out


__all__ = ["pmap"]
