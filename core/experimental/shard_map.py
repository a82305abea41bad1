"""``glassbox.experimental.shard_map``: JAX's deprecated (since 0.8) home of ``shard_map``,
kept as in JAX 0.10.2: ``shard_map(f, mesh, in_specs, out_specs, check_rep=True)``."""
import warnings

from ..shard_map import shard_map as _shard_map

warnings.warn("jax.experimental.shard_map is deprecated in v0.8.0. Used jax.shard_map instead.",
              DeprecationWarning, stacklevel=2)


def shard_map(f, mesh, in_specs, out_specs, check_rep=True):
    """Please use ``glassbox.shard_map``: this is its deprecated spelling."""
    return _shard_map(f, mesh=mesh, in_specs=in_specs, out_specs=out_specs,
                      check_vma=check_rep)
