"""Set operations on flattened arrays: ``isin``, ``intersect1d``, ``union1d``,
``setdiff1d``, ``setxor1d``.

Results are sorted unique values, whose number depends on the data: eagerly it is
read from the values, under ``jit`` pass ``size=`` (missing entries are
``fill_value``, by default the smallest result), else JAX's
``ConcretizationTypeError``. ``isin`` has a static shape and works anywhere
(``method``: ``'compare_all'``/``'auto'``, ``'binary_search'``, ``'sort'``).
"""
import functools

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..core import Tracer
from ..errors import ConcretizationTypeError
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import check_arraylike, promote_dtypes, static_int

__all__ = ["isin", "intersect1d", "union1d", "setdiff1d", "setxor1d"]


def _require_concrete(x, fun_name):
    if isinstance(x, Tracer) and x.to_concrete_value() is None:
        raise ConcretizationTypeError(
            x, f"The error arose in {fun_name}()",
            f"The size of the result of jnp.{fun_name} depends on the values of its inputs: "
            f"pass a static size=N (and optionally fill_value=...) under jit.")


def _in1d(ar1, ar2, invert, method="auto", assume_unique=False):
    arr1, arr2 = promote_dtypes(jnp.asarray(ar1), jnp.asarray(ar2))
    arr1, arr2 = jnp.ravel(arr1), jnp.ravel(arr2)
    if arr1.size == 0 or arr2.size == 0:
        return (jnp.ones if invert else jnp.zeros)(arr1.shape, dtype=bool)
    if method in ("auto", "compare_all"):
        if invert:
            return (arr1[:, None] != arr2[None, :]).all(-1)
        return (arr1[:, None] == arr2[None, :]).any(-1)
    if method == "binary_search":
        arr2 = lax.sort(arr2)
        ind = jnp.searchsorted(arr2, arr1)
        # searchsorted may return len(arr2); NumPy-style indexing clamps, as JAX's does.
        return arr1 != arr2[ind] if invert else arr1 == arr2[ind]
    if method == "sort":
        if assume_unique:
            ind_out = slice(None)
        else:
            n1 = arr1.shape[0]
            arr1, ind_out = jnp.unique(arr1, size=n1, return_inverse=True)
            srt = jnp.sort(jnp.asarray(ind_out))
            count = (srt[1:] != srt[:-1]).sum() + 1
            # Padding takes a value of ar2 (as JAX's fill_value=ar2.max()), so it never
            # pairs with a real entry of ar1 that ar2 lacks.
            arr1 = jnp.where(jnp.arange(n1) < count, arr1, arr2.max())
        n = arr1.shape[0] + arr2.shape[0]
        aux, ind = lax.sort_key_val(jnp.concatenate([arr1, arr2]),
                                    jnp.arange(n, dtype=dtypes.default_int()))
        if invert:
            return jnp.ones(arr1.shape, bool).at[ind[:-1]].set(
                aux[1:] != aux[:-1], mode="drop")[ind_out]
        return jnp.zeros(arr1.shape, bool).at[ind[:-1]].set(
            aux[1:] == aux[:-1], mode="drop")[ind_out]
    raise ValueError(f"method={method!r} is not implemented; options are 'compare_all', "
                     f"'binary_search', 'sort', and 'auto'")


def isin(element, test_elements, assume_unique=False, invert=False, *, method="auto"):
    """Whether each element of ``element`` is in ``test_elements`` (``numpy.isin``); the
    result has ``element``'s shape."""
    check_arraylike("isin", element, test_elements)
    result = _in1d(element, test_elements, invert=invert, method=method,
                   assume_unique=assume_unique)
    return result.reshape(np.shape(element))


def _unique_sized(arr):
    """Sorted unique values padded with 0 to ``arr``'s size, the index of each one's first
    occurrence, and how many there are (a traced count, as JAX's ``_unique``)."""
    n = arr.shape[0]
    values, index = jnp.unique(arr, size=n, return_index=True, fill_value=0)
    srt = jnp.sort(arr)
    count = (srt[1:] != srt[:-1]).sum() + 1 if n else jnp.array(0)
    return values, index, count.astype(dtypes.default_int())


def _concat_unique(arr1, arr2):
    arr1, _, n1 = _unique_sized(arr1)
    arr2, _, n2 = _unique_sized(arr2)
    arr = jnp.zeros(arr1.shape[0] + arr2.shape[0], dtype=dtypes.result_type(arr1, arr2))
    arr = lax.dynamic_update_slice(arr, arr1, (0,))
    arr = lax.dynamic_update_slice(arr, arr2, (n1,))
    return arr, n1 + n2


def _fill_tail(vals, count, fill_value):
    valid = jnp.arange(vals.shape[0]) < count
    if fill_value is None:
        vals = jnp.where(valid, vals, vals.max())
        return jnp.where(valid, vals, vals.min())
    return jnp.where(valid, vals, fill_value)


def setdiff1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """Sorted unique values of ``ar1`` that are not in ``ar2``."""
    check_arraylike("setdiff1d", ar1, ar2)
    arr1, arr2 = jnp.ravel(ar1), jnp.ravel(ar2)
    if size is None:
        _require_concrete(arr1, "setdiff1d")
    else:
        size = static_int(size, "size argument of jnp.setdiff1d")
    fill = jnp.full_like(arr1, 0 if fill_value is None else fill_value, shape=())
    if arr1.size == 0:
        return jnp.full_like(arr1, fill, shape=size or 0)
    if not assume_unique:
        arr1 = jnp.unique(arr1, size=size and arr1.size)
    mask = _in1d(arr1, arr2, invert=True, assume_unique=assume_unique)
    if size is None:
        return arr1[mask]
    if not assume_unique:
        n_unique = arr1.size + 1 - (arr1 == arr1[0]).sum()
        mask = jnp.where(jnp.arange(arr1.size) < n_unique, mask, False)
    return jnp.where(jnp.arange(size) < mask.sum(),
                     arr1[jnp.nonzero(mask, size=size)[0]], fill)


def union1d(ar1, ar2, *, size=None, fill_value=None):
    """Sorted unique values in either array."""
    check_arraylike("union1d", ar1, ar2)
    if size is None:
        _require_concrete(ar1, "union1d")
        _require_concrete(ar2, "union1d")
    else:
        size = static_int(size, "size argument of jnp.union1d")
    return jnp.unique(jnp.concatenate((jnp.ravel(ar1), jnp.ravel(ar2))), size=size,
                      fill_value=fill_value)


@functools.partial(jit, static_argnames=("assume_unique", "size"))
def _setxor1d_size(arr1, arr2, fill_value, *, assume_unique, size):
    if assume_unique:
        aux = jnp.sort(jnp.concatenate([arr1, arr2]))
        flag = jnp.concatenate((jnp.array([aux.size > 0]), aux[1:] != aux[:-1],
                                jnp.array([True])))
    else:
        arr, num_unique = _concat_unique(arr1, arr2)
        mask = jnp.arange(arr.size + 1) < num_unique + 1
        _, aux = lax.sort((~mask[1:], arr), is_stable=True, num_keys=2)
        flag = mask & jnp.concatenate((jnp.array([aux.size > 0]), aux[1:] != aux[:-1],
                                       jnp.array([False]))).at[num_unique].set(True)
    aux_mask = flag[1:] & flag[:-1]
    count = aux_mask.sum()
    if aux.size:
        indices = jnp.nonzero(aux_mask, size=size, fill_value=aux.shape[0])[0]
        vals = aux.at[indices].get(mode="fill", fill_value=0)
    else:
        vals = jnp.zeros(size, aux.dtype)
    return _fill_tail(vals, count, fill_value)


def setxor1d(ar1, ar2, assume_unique=False, *, size=None, fill_value=None):
    """Sorted unique values in exactly one of the arrays."""
    check_arraylike("setxor1d", ar1, ar2)
    arr1, arr2 = promote_dtypes(jnp.ravel(ar1), jnp.ravel(ar2))
    if size is not None:
        return _setxor1d_size(arr1, arr2, fill_value,
                              assume_unique=assume_unique,
                              size=static_int(size, "size argument of jnp.setxor1d"))
    _require_concrete(arr1, "setxor1d")
    _require_concrete(arr2, "setxor1d")
    if not assume_unique:
        arr1, arr2 = jnp.unique(arr1), jnp.unique(arr2)
    aux = jnp.concatenate((arr1, arr2))
    if aux.size == 0:
        return aux
    aux = jnp.sort(aux)
    flag = jnp.concatenate((jnp.array([True]), aux[1:] != aux[:-1], jnp.array([True])))
    return aux[flag[1:] & flag[:-1]]


@functools.partial(jit, static_argnames=("fill_value", "assume_unique", "size",
                                         "return_indices"))
def _intersect1d_size(arr1, arr2, fill_value, assume_unique, size, return_indices):
    idx = dtypes.default_int()
    if assume_unique:
        ind1, n1 = jnp.arange(arr1.size), jnp.full((), arr1.size)
        ind2 = jnp.arange(arr2.size)
        arr = jnp.concatenate([arr1, arr2])
        aux, order = lax.sort((arr, jnp.arange(arr.size, dtype=idx)), is_stable=True,
                              num_keys=1)
        mask = jnp.ones(arr.size, dtype=bool)
    else:
        arr1, ind1, n1 = _unique_sized(arr1)
        arr2, ind2, n2 = _unique_sized(arr2)
        arr = jnp.zeros(arr1.size + arr2.size, dtype=dtypes.result_type(arr1, arr2))
        arr = lax.dynamic_update_slice(arr, arr1, (0,))
        arr = lax.dynamic_update_slice(arr, arr2, (n1,))
        mask = jnp.arange(arr.size) < n1 + n2
        _, aux, order = lax.sort((~mask, arr, jnp.arange(arr.size, dtype=idx)),
                                 is_stable=True, num_keys=2)
    aux_mask = (aux[1:] == aux[:-1]) & mask[1:]
    count = aux_mask.sum()
    if aux.size:
        val_indices = jnp.nonzero(aux_mask, size=size, fill_value=aux.size)[0]
        vals = aux.at[val_indices].get(mode="fill", fill_value=0)
    else:
        val_indices = jnp.arange(0)
        vals = jnp.zeros(size, aux.dtype)
    vals = _fill_tail(vals, count, fill_value)
    if not return_indices:
        return vals
    valid = jnp.arange(size) < count
    i1 = order.at[val_indices].get(mode="fill", fill_value=arr1.size)
    i1 = jnp.where(valid, i1, arr1.size)
    i2 = order.at[val_indices + 1].get(mode="fill", fill_value=arr2.size) - n1
    i2 = jnp.where(valid, i2, arr2.size)
    if not assume_unique:
        i1 = ind1.at[i1].get(mode="fill", fill_value=ind1.size)
        i2 = ind2.at[i2].get(mode="fill", fill_value=ind2.size)
    return vals, i1, i2


def intersect1d(ar1, ar2, assume_unique=False, return_indices=False, *, size=None,
                fill_value=None):
    """Sorted unique values in both arrays; with ``return_indices`` also where each first
    appears in the flattened ``ar1`` and ``ar2``."""
    check_arraylike("intersect1d", ar1, ar2)
    arr1, arr2 = promote_dtypes(jnp.ravel(ar1), jnp.ravel(ar2))
    if size is not None:
        return _intersect1d_size(arr1, arr2, fill_value, assume_unique,
                                 static_int(size, "size argument of jnp.intersect1d"),
                                 return_indices)
    _require_concrete(arr1, "intersect1d")
    _require_concrete(arr2, "intersect1d")
    ind1 = ind2 = jnp.arange(0)
    if not assume_unique:
        if return_indices:
            arr1, ind1 = jnp.unique(arr1, return_index=True)
            arr2, ind2 = jnp.unique(arr2, return_index=True)
        else:
            arr1, arr2 = jnp.unique(arr1), jnp.unique(arr2)
    arr = jnp.concatenate((arr1, arr2))
    if return_indices:
        aux, order = lax.sort_key_val(arr, jnp.arange(arr.shape[0], dtype=dtypes.default_int()))
    else:
        aux, order = jnp.sort(arr), None
    mask = aux[1:] == aux[:-1]
    result = aux[:-1][mask]
    if not return_indices:
        return result
    i1 = order[:-1][mask]
    i2 = order[1:][mask] - arr1.shape[0]
    if not assume_unique:
        i1, i2 = ind1[i1], ind2[i2]
    return result, i1, i2
