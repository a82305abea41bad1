"""Sharding constraints: ``with_sharding_constraint`` and ``sharding_constraint_p``.

Inside a ``jit`` partitioned over a mesh, a constraint pins a value's layout
(``sdy.sharding_constraint``) and XLA's partitioner propagates from there,
inserting the collectives the change of layout needs. Eagerly it moves the
value (``device_put``). A jit containing a constraint runs over the
constraint's mesh even when its arguments are on one device
(``dispatch.device_of`` finds the mesh in the jaxpr).
"""
from ..array import device_put
from ..core import Primitive, abstract_eval_rules, impl_rules
from ..interpreters import ad, batching
from ..interpreters.lowering import lowering_rules
from .. import sharding as _sharding
from ..sharding import NamedSharding, PartitionSpec, Sharding, current_mesh
from ..tree_util import broadcast_prefix, tree_flatten, tree_unflatten


def with_sharding_constraint(x, shardings):
    """Lay out ``x`` (a pytree of arrays) as ``shardings`` (a ``Sharding``, or a
    ``PartitionSpec`` of the mesh set with ``set_mesh``; one for all, or a pytree
    prefix of ``x``)."""
    leaves, tree = tree_flatten(x)
    is_layout = lambda s: isinstance(s, (Sharding, PartitionSpec))  # noqa: E731
    flat = ([shardings] * len(leaves) if is_layout(shardings)
            else broadcast_prefix(shardings, x, is_leaf=is_layout))
    return tree_unflatten(tree, [sharding_constraint_p.bind(leaf, sharding=_named(s))
                                 for leaf, s in zip(leaves, flat)])


def _named(sharding):
    if isinstance(sharding, PartitionSpec):
        mesh = current_mesh()
        if mesh is None:
            raise RuntimeError(
                "with_sharding_constraint requires a non-empty mesh in context if you are "
                "passing `PartitionSpec`s to shardings. You can define a context mesh via "
                "`glassbox.set_mesh(mesh)`. Alternatively, provide `Sharding`s to shardings "
                "and then the mesh context manager is not required.")
        return NamedSharding(mesh, sharding)
    if not isinstance(sharding, NamedSharding):
        raise TypeError(f"with_sharding_constraint takes NamedShardings or PartitionSpecs, "
                        f"got {sharding!r}")
    return sharding


sharding_constraint_p = Primitive("sharding_constraint")
abstract_eval_rules[sharding_constraint_p] = lambda x, *, sharding: x.update(
    sharding=sharding.type_for(x.ndim))   # Explicit axes: the constraint is the new type
impl_rules[sharding_constraint_p] = lambda x, *, sharding: device_put(x, sharding)


def _lowering(ctx, x, *, sharding):
    if ctx.module.mesh is None:   # a one-device program: nothing to lay out
        return x
    return ctx.op("sdy.sharding_constraint", [x],
                  attrs={"sharding": sharding.sdy_text(len(ctx.avals_in[0].shape))})


lowering_rules[sharding_constraint_p] = _lowering
ad.deflinear(sharding_constraint_p, lambda ct, x, *, sharding: [
    ct if ad.is_zero(ct) else sharding_constraint_p.bind(ct, sharding=sharding)])


def _batch(axis_data, args, dims, *, sharding):
    (x,), (d,) = args, dims
    if d is None:
        return sharding_constraint_p.bind(x, sharding=sharding), None
    spec = list(sharding.spec._padded(x.ndim - 1))
    spec.insert(d, None)   # the batch dimension is not split
    return sharding_constraint_p.bind(x, sharding=sharding.with_spec(PartitionSpec(*spec))), d


batching.batch_rules[sharding_constraint_p] = _batch
_sharding._RESHARD[0] = with_sharding_constraint   # Auto axes: reshard is a constraint

__all__ = ["with_sharding_constraint", "sharding_constraint_p"]
