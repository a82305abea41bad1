"""Choosing elements: ``select``, ``choose``, ``compress``, ``extract``, ``place``, ``put``.

``select`` is one ``lax.select_n`` over the index of the first true condition, as
in JAX. ``compress``/``extract`` return as many elements as the condition has
true values, so under ``jit`` they need ``size=`` (the rest is ``fill_value``).
``place`` and ``put`` return updated copies: JAX arrays are immutable, so they
require ``inplace=False``, as in JAX.
"""
import math

import numpy as np

from .. import dtypes, lax
from ..core import Tracer
from ..errors import ConcretizationTypeError
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import check_arraylike, promote_dtypes

__all__ = ["select", "choose", "compress", "extract", "place", "put"]


def _tile_to_size(arr, size):
    """The flat ``arr`` repeated and cut to ``size`` elements."""
    reps = math.ceil(size / arr.shape[0]) if arr.shape[0] else 0
    return jnp.tile(arr, reps)[:size] if reps != 1 else arr[:size]


def select(condlist, choicelist, default=0):
    """``choicelist[i]`` where ``condlist[i]`` is the first true condition, else
    ``default`` (``numpy.select``); everything broadcasts together.

    >>> x = jnp.arange(5)
    >>> jnp.select([x < 2, x > 3], [x, x ** 2], default=-1)
    Array([ 0,  1, -1, -1, 16], dtype=int32)
    """
    if len(condlist) != len(choicelist):
        raise ValueError(f"condlist must have length equal to choicelist ({len(condlist)} vs "
                         f"{len(choicelist)})")
    if len(condlist) == 0:
        raise ValueError("condlist must be non-empty")
    check_arraylike("select", *condlist, *choicelist, default)
    conds = [jnp.asarray(c) for c in condlist]
    choices = promote_dtypes(jnp.asarray(default), *[jnp.asarray(c) for c in choicelist])
    # The default goes first with condition False: argmax of all-False is 0.
    stacked = jnp.stack(jnp.broadcast_arrays(False, *conds))
    idx = jnp.argmax(stacked.astype(bool), axis=0)
    return lax.select_n(*jnp.broadcast_arrays(idx, *choices))


def choose(a, choices, out=None, mode="raise"):
    """``choices[a[i]][i]`` for every position ``i`` (``numpy.choose``); ``mode`` is
    ``'raise'`` (needs concrete ``a``), ``'wrap'`` or ``'clip'``."""
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.choose is not supported.")
    check_arraylike("choose", a, *choices)
    a = jnp.asarray(a)
    choices = [jnp.asarray(c) for c in choices]
    if not dtypes.is_int(a.dtype):
        raise ValueError("`a` array must be integer typed")
    n = len(choices)
    if mode == "raise":
        if isinstance(a, Tracer) and a.to_concrete_value() is None:
            raise ConcretizationTypeError(
                a, "The error occurred because jnp.choose was jit-compiled with mode='raise'. "
                   "Use mode='wrap' or mode='clip' instead.")
        host = np.asarray(a if not isinstance(a, Tracer) else a.to_concrete_value())
        if np.any((host < 0) | (host >= n)):
            raise ValueError("invalid entry in choice array")
        arr = a
    elif mode == "wrap":
        arr = a % n
    elif mode == "clip":
        arr = jnp.clip(a, 0, n - 1)
    else:
        raise ValueError(f"mode={mode!r} not understood. Must be 'raise', 'wrap', or 'clip'")
    arr, *choices = jnp.broadcast_arrays(arr, *choices)
    return jnp.array(choices)[(arr,) + jnp.indices(arr.shape, sparse=True)]


def compress(condition, a, axis=None, *, size=None, fill_value=0, out=None):
    """The slices of ``a`` along ``axis`` (flattened if ``None``) where the 1-D
    ``condition`` is true (``numpy.compress``). With ``size``, exactly that many,
    padded with ``fill_value``, which works under ``jit``."""
    check_arraylike("compress", condition, a, fill_value)
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.compress is not supported.")
    cond = jnp.asarray(condition).astype(bool)
    arr = jnp.asarray(a)
    if cond.ndim != 1:
        raise ValueError("condition must be a 1D array")
    if axis is None:
        axis = 0
        arr = jnp.ravel(arr)
    else:
        arr = jnp.moveaxis(arr, axis, 0)
    cond, extra = cond[:arr.shape[0]], cond[arr.shape[0]:]
    arr = arr[:cond.shape[0]]
    if size is None:
        if bool(jnp.any(extra)):
            raise ValueError("condition contains entries that are out of bounds")
        result = arr[cond]
    elif not 0 <= size <= arr.shape[0]:
        raise ValueError(f"size must be positive and not greater than the size of the array "
                         f"axis; got size={size} for a.shape[axis]={arr.shape[0]}")
    else:
        mask = jnp.expand_dims(cond, tuple(range(1, arr.ndim)))
        arr = jnp.where(mask, arr, jnp.array(fill_value, dtype=arr.dtype))
        result = arr[jnp.argsort(cond, stable=True, descending=True)][:size]
    return jnp.moveaxis(result, 0, axis)


def extract(condition, arr, *, size=None, fill_value=0):
    """The elements of ``arr`` where ``condition`` is true, flattened
    (``numpy.extract``); ``size``/``fill_value`` as in ``compress``."""
    check_arraylike("extract", condition, arr, fill_value)
    return compress(jnp.ravel(condition), jnp.ravel(arr), size=size, fill_value=fill_value)


def place(arr, mask, vals, *, inplace=True):
    """A copy of ``arr`` whose elements where ``mask`` is true are the values of ``vals``
    in order, repeated as needed (``numpy.place``). Needs ``inplace=False``."""
    check_arraylike("place", arr, mask, vals)
    data, mask, vals = jnp.asarray(arr), jnp.asarray(mask), jnp.ravel(vals)
    if inplace:
        raise ValueError("jax.numpy.place cannot modify arrays in-place, because JAX arrays "
                         "are immutable. Pass inplace=False to instead return an updated array.")
    if data.size != mask.size:
        raise ValueError("place: arr and mask must be the same size")
    if not vals.size:
        raise ValueError("Cannot place values from an empty array")
    if not data.size:
        return data
    indices = jnp.nonzero(jnp.ravel(mask), size=mask.size, fill_value=mask.size)[0]
    vals = _tile_to_size(vals, indices.shape[0])
    return jnp.ravel(data).at[indices].set(vals, mode="drop").reshape(data.shape)


def put(a, ind, v, mode=None, *, inplace=True):
    """A copy of ``a`` with the flat positions ``ind`` set to ``v`` (repeated as needed;
    ``numpy.put``). ``mode``: ``None`` drops out-of-range indices, ``'clip'``,
    ``'wrap'``. Needs ``inplace=False``."""
    if inplace:
        raise ValueError("jax.numpy.put cannot modify arrays in-place, because JAX arrays are "
                         "immutable. Pass inplace=False to instead return an updated array.")
    check_arraylike("put", a, ind, v)
    arr, ind, v = jnp.asarray(a), jnp.ravel(ind), jnp.ravel(v)
    if not arr.size or not ind.size or not v.size:
        return arr
    v = _tile_to_size(v, ind.shape[0])
    if mode is None:
        scatter_mode = "drop"
    elif mode == "clip":
        ind, scatter_mode = jnp.clip(ind, 0, arr.size - 1), "promise_in_bounds"
    elif mode == "wrap":
        ind, scatter_mode = ind % arr.size, "promise_in_bounds"
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.put is not supported.")
    else:
        raise ValueError(f"mode should be one of 'wrap' or 'clip'; got mode={mode!r}")
    return arr.at[jnp.unravel_index(ind, arr.shape)].set(v, mode=scatter_mode)
