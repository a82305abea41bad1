"""``glassbox.flatten_util.ravel_pytree``: a pytree of arrays as one flat vector.

Optimisers and samplers that want a single vector (``scipy.optimize``, MCMC)
ravel the parameters, work on the vector, and unravel the result::

    flat, unravel = ravel_pytree({"w": jnp.ones((2, 2)), "b": jnp.zeros(3)})
    flat.shape            # (7,): "b" first (dict keys in sorted order), then "w"
    unravel(flat * 2)     # {"b": ..., "w": ...} with the original shapes

As in JAX, leaves of different dtypes are promoted to their common dtype
(``float32`` and ``int32`` -> ``float32``) and ``unravel`` converts each piece back
(and refuses a vector of another dtype); when every leaf has one dtype, ``unravel``
takes any dtype. No leaves give an empty ``float32`` vector.
"""
import functools

import numpy as np

from . import dtypes, lax
from .tree_util import tree_flatten, tree_unflatten

__all__ = ["ravel_pytree"]


def ravel_pytree(pytree):
    """``(flat, unravel)``: the leaves of ``pytree`` raveled and concatenated into one
    1-D array of their promoted dtype, and the function mapping such a vector back to
    a pytree of ``pytree``'s structure, shapes and dtypes."""
    leaves, treedef = tree_flatten(pytree)
    flat, unravel_list = _ravel_list(leaves)
    return flat, functools.partial(_unravel_pytree, treedef, unravel_list)


def _unravel_pytree(treedef, unravel_list, flat):
    return tree_unflatten(treedef, unravel_list(flat))


def _dtype(x):
    return dtypes.canonicalize_dtype(dtypes.dtype_and_weak(x)[0])


def _ravel_list(leaves):
    if not leaves:
        return lax.full([0], 0, "float32"), lambda _: []
    from_dtypes = tuple(_dtype(leaf) for leaf in leaves)
    to_dtype = dtypes.result_type(*from_dtypes)
    sizes = tuple(int(np.size(leaf)) for leaf in leaves)
    shapes = tuple(np.shape(leaf) for leaf in leaves)
    if all(dt == to_dtype for dt in from_dtypes):
        # one dtype: nothing to convert, and unravel keeps whatever dtype it is given
        raveled = lax.concatenate([lax.reshape(leaf, (size,)) for leaf, size
                                   in zip(leaves, sizes)], dimension=0)
        return raveled, functools.partial(_unravel_list_single_dtype, sizes, shapes)
    raveled = lax.concatenate([lax.reshape(lax.convert_element_type(leaf, to_dtype), (size,))
                               for leaf, size in zip(leaves, sizes)], dimension=0)
    return raveled, functools.partial(_unravel_list, sizes, shapes, from_dtypes, to_dtype)


def _unravel_list_single_dtype(sizes, shapes, flat):
    chunks = lax.split(flat, sizes)
    return [lax.reshape(chunk, shape) for chunk, shape in zip(chunks, shapes)]


def _unravel_list(sizes, shapes, from_dtypes, to_dtype, flat):
    flat_dtype = _dtype(flat)
    if flat_dtype != to_dtype:
        raise TypeError(f"unravel function given array of dtype {flat_dtype}, "
                        f"but expected dtype {to_dtype}")
    chunks = lax.split(flat, sizes)
    return [lax.convert_element_type(lax.reshape(chunk, shape), dtype)
            for chunk, shape, dtype in zip(chunks, shapes, from_dtypes)]
