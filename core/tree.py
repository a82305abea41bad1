"""``glassbox.tree``: short aliases for ``glassbox.tree_util`` (as ``jax.tree``)."""
import dataclasses

from .tree_util import (tree_all as all, tree_broadcast as broadcast,  # noqa: F401
                        tree_flatten as flatten,
                        tree_flatten_with_path as flatten_with_path, tree_leaves as leaves,
                        tree_leaves_with_path as leaves_with_path, tree_map as map,
                        tree_map_with_path as map_with_path, tree_reduce as reduce,
                        tree_reduce_associative as reduce_associative,
                        tree_structure as structure, tree_transpose as transpose,
                        tree_unflatten as unflatten)


def static(**kwargs):
    """``dataclasses.field`` marked ``static=True`` in its metadata, so that
    ``tree_util.register_dataclass`` makes the field aux data rather than a child::

        @glassbox.tree_util.register_dataclass
        @dataclasses.dataclass
        class Op:
            x: glassbox.Array
            op: str = glassbox.tree.static(default="add")
    """
    metadata = {"static": True, **(kwargs.pop("metadata", {}) or {})}
    return dataclasses.field(metadata=metadata, **kwargs)
