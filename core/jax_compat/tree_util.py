"""``jax._src.tree_util`` (flax.nnx): the registry of pytree node types."""
from glassbox.tree_util import _registry  # noqa: F401  (a dict keyed by node type)
