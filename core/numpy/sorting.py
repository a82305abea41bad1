"""Sorting and searching in glassbox.numpy: ``sort``, ``argsort``, ``lexsort``,
``searchsorted``, ``partition``, ``argpartition``, ``unique``, ``nonzero``,
``argwhere``, ``flatnonzero``.

Everything is built on ``lax.sort`` (NaNs last, stable by default) and
``lax.top_k``. Functions whose output size depends on the data (``unique``,
``nonzero``...) need ``size=`` under ``jit``; eagerly they read the
concrete values to find it, as in JAX.
"""
import math
import operator

import numpy as np

from .. import dtypes, lax
from ..core import Tracer, get_aval
from ..dtypes import PYTHON_SCALARS
from ..errors import ConcretizationTypeError
from ._util import check_arraylike, promote_dtypes

__all__ = ["sort", "argsort", "lexsort", "searchsorted", "partition", "argpartition",
           "sort_complex", "unique", "unique_values", "unique_counts", "unique_inverse",
           "unique_all", "nonzero", "flatnonzero", "argwhere"]


def _shape(x):
    return get_aval(x).shape


def _dtype(x):
    return get_aval(x).dtype


def _axis(axis, ndim, name):
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"jnp.{name}: axis must be an int or None, got {axis!r}") from None
    if not -ndim <= axis < ndim:
        raise ValueError(f"jnp.{name}: axis {axis} is out of bounds for array of dimension "
                         f"{ndim}")
    return axis % ndim


def _array(x):
    """Python scalars -> rank-0 arrays (lax needs an aval it can bind)."""
    if type(x) in PYTHON_SCALARS:
        return lax.convert_element_type(x, _dtype(x), False)
    return x


def _flatten(x):
    return lax.reshape(x, (math.prod(_shape(x)),))


def _iota(shape, axis):
    return lax.broadcasted_iota(dtypes.default_int(), tuple(shape), axis)


def _concrete(x, name):
    """The host value of ``x``, or a ConcretizationTypeError saying to pass ``size=``."""
    if isinstance(x, Tracer):
        value = x.to_concrete_value()
        if value is None:
            raise ConcretizationTypeError(
                x, f"jnp.{name}: the size of the result depends on the values of the input",
                f"Pass size=N (and optionally fill_value=...) to jnp.{name} so the output "
                f"shape is static under jit.")
        return np.asarray(value)
    return np.asarray(x)


# ---------------------------------------------------------------------------
# sort, argsort, lexsort, sort_complex


def sort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """Sorted copy of ``a`` along ``axis`` (flattened if None); NaNs sort last.

    ``descending=True`` reverses the order. ``kind`` is accepted and ignored;
    ``order`` (structured arrays) is not supported.
    """
    check_arraylike("sort", a)
    if order is not None:
        raise ValueError("'order' argument to sort is not supported.")
    a = _array(a)
    if axis is None:
        a, axis = _flatten(a), 0
    if not _shape(a):
        raise ValueError("jnp.sort: cannot sort a 0-d array along an axis; use axis=None")
    dim = _axis(axis, len(_shape(a)), "sort")
    result = lax.sort(a, dimension=dim, is_stable=stable)
    return lax.rev(result, (dim,)) if descending else result


def argsort(a, axis=-1, *, kind=None, order=None, stable=True, descending=False):
    """Indices that sort ``a`` along ``axis`` (int32). Equal values keep their order
    when ``stable`` (also with ``descending=True``)."""
    check_arraylike("argsort", a)
    if order is not None:
        raise ValueError("'order' argument to argsort is not supported.")
    a = _array(a)
    if axis is None:
        a, axis = _flatten(a), 0
    if not _shape(a):
        raise ValueError("jnp.argsort: cannot sort a 0-d array along an axis; use axis=None")
    dim = _axis(axis, len(_shape(a)), "argsort")
    iota = _iota(_shape(a), dim)
    if descending and stable:
        # Reverse first so that equal keys come out in their original order once the
        # sorted indices are reversed again.
        a, iota = lax.rev(a, (dim,)), lax.rev(iota, (dim,))
    _, idx = lax.sort_key_val(a, iota, dimension=dim, is_stable=stable)
    return lax.rev(idx, (dim,)) if descending else idx


def lexsort(keys, axis=-1):
    """Indirect stable sort by several keys; the LAST key is the primary one."""
    keys = tuple(keys)
    if not keys:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    check_arraylike("lexsort", *keys)
    keys = tuple(_array(k) for k in keys)
    if len({_shape(k) for k in keys}) > 1:
        raise ValueError("all keys need to be the same shape, got "
                         + ", ".join(str(_shape(k)) for k in keys))
    shape = _shape(keys[0])
    if not shape:
        return lax.full((), 0, dtypes.default_int())
    dim = _axis(axis, len(shape), "lexsort")
    return lax.sort((*keys[::-1], _iota(shape, dim)), dimension=dim, num_keys=len(keys))[-1]


def sort_complex(a):
    """Sort a complex array by real part, then imaginary part (result is complex)."""
    check_arraylike("sort_complex", a)
    a = sort(a, axis=0)
    dtype = dtypes.promote_types(_dtype(a), dtypes.default_complex())
    return lax.convert_element_type(a, dtype)


# ---------------------------------------------------------------------------
# searchsorted


def _lt_total(x, y, le=False):
    """``x < y`` (or ``<=``) with NaNs greater than everything (JAX's sort order)."""
    if not dtypes.is_inexact(_dtype(x)):
        return lax.le(x, y) if le else lax.lt(x, y)
    if dtypes.is_complex(_dtype(x)):
        xr, xi, yr, yi = lax.real(x), lax.imag(x), lax.real(y), lax.imag(y)
        real_lt = _lt_total(xr, yr)
        real_eq = lax.bitwise_and(lax.bitwise_not(real_lt), lax.bitwise_not(_lt_total(yr, xr)))
        return lax.bitwise_or(real_lt, lax.bitwise_and(real_eq, _lt_total(xi, yi, le)))
    x_nan, y_nan = lax.ne(x, x), lax.ne(y, y)
    if le:
        return lax.bitwise_or(lax.le(x, y), y_nan)
    return lax.bitwise_or(lax.lt(x, y), lax.bitwise_and(y_nan, lax.bitwise_not(x_nan)))


def searchsorted(a, v, side="left", sorter=None, *, method="compare_all"):
    """Indices where ``v``'s elements would be inserted into the sorted 1-d ``a``.

    ``side='left'`` gives the first suitable position, ``'right'`` the last. NaNs
    count as larger than every number. Returns int32 with ``v``'s shape. Every
    ``method`` JAX accepts gives the same indices; glassbox always compares all pairs.
    """
    check_arraylike("searchsorted", a, v)
    if side not in ("left", "right"):
        raise ValueError(f"jnp.searchsorted: side must be 'left' or 'right', got {side!r}")
    if method not in ("scan", "scan_unrolled", "sort", "compare_all"):
        raise ValueError(f"jnp.searchsorted: invalid method {method!r}; expected one of "
                         f"'scan', 'scan_unrolled', 'sort', 'compare_all'")
    a, v = promote_dtypes(a, v)
    a, v = _array(a), _array(v)
    a = lax.convert_element_type(a, _dtype(a), False)
    v = lax.convert_element_type(v, _dtype(v), False)
    if len(_shape(a)) != 1:
        raise ValueError(f"jnp.searchsorted: a should be 1-dimensional, got shape {_shape(a)}")
    if sorter is not None:
        a = _apply_permutation(a, sorter)
    n, v_shape = _shape(a)[0], _shape(v)
    full = v_shape + (n,)
    a_b = lax.broadcast_in_dim(a, full, (len(v_shape),))
    v_b = lax.broadcast_in_dim(v, full, tuple(range(len(v_shape))))
    below = _lt_total(a_b, v_b, le=(side == "right"))
    counts = lax.convert_element_type(below, dtypes.default_int())
    return lax.reduce_sum(counts, (len(v_shape),))


def _apply_permutation(a, perm):
    """``a[perm]`` for a permutation ``perm`` of a 1-d ``a``, with two sorts (exact)."""
    n = _shape(a)[0]
    iota = _iota((n,), 0)
    _, inverse = lax.sort_key_val(lax.convert_element_type(perm, dtypes.default_int()), iota)
    return lax.sort_key_val(inverse, a)[1]


# ---------------------------------------------------------------------------
# partition, argpartition


def _swap_last(x, axis):
    n = len(_shape(x))
    perm = list(range(n))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    return lax.transpose(x, tuple(perm))


def partition(a, kth, axis=-1):
    """Rearrange ``a`` along ``axis`` so the ``kth`` element is where sorting would put it,
    smaller ones before it and larger ones after (built from ``lax.top_k``, as in JAX)."""
    check_arraylike("partition", a)
    a = _array(a)
    if dtypes.is_unsigned(_dtype(a)) or _dtype(a) == np.bool_:
        raise NotImplementedError("jnp.partition is not implemented for unsigned or boolean "
                                  "dtypes (it negates the values)")
    dim = _axis(axis, len(_shape(a)), "partition")
    k = _axis(kth, _shape(a)[dim], "partition (kth)")
    arr = _swap_last(a, dim)
    bottom = lax.neg(lax.top_k(lax.neg(arr), k + 1)[0])
    top = lax.top_k(arr, _shape(arr)[-1] - k - 1)[0]
    out = lax.concatenate([bottom, top], len(_shape(arr)) - 1)
    return _swap_last(out, dim)


def argpartition(a, kth, axis=-1):
    """Indices that would ``partition`` ``a`` (int32), as JAX computes them."""
    check_arraylike("argpartition", a)
    a = _array(a)
    if dtypes.is_unsigned(_dtype(a)) or _dtype(a) == np.bool_:
        raise NotImplementedError("jnp.argpartition is not implemented for unsigned or "
                                  "boolean dtypes (it negates the values)")
    dim = _axis(axis, len(_shape(a)), "argpartition")
    k = _axis(kth, _shape(a)[dim], "argpartition (kth)")
    arr = _swap_last(a, dim)
    shape = _shape(arr)
    bottom_ind = lax.top_k(lax.neg(arr), k + 1)[1]
    # The remaining indices, in increasing order: top_k of a 0/1 mask that is 0 where
    # an index was already taken (ties in top_k come out in index order).
    full = shape + (k + 1,)
    nd = len(shape)
    taken = lax.eq(lax.broadcasted_iota(np.int32, full, nd - 1),
                   lax.broadcast_in_dim(bottom_ind, full, tuple(range(nd - 1)) + (nd,)))
    taken = lax.reduce_or(taken, (nd,))
    proxy = lax.select(taken, lax.full(shape, 0, np.float32), lax.full(shape, 1, np.float32))
    top_ind = lax.top_k(proxy, shape[-1] - k - 1)[1]
    out = lax.concatenate([bottom_ind, top_ind], nd - 1)
    return _swap_last(out, dim)


# ---------------------------------------------------------------------------
# nonzero, flatnonzero, argwhere


def nonzero(a, *, size=None, fill_value=None):
    """Indices of the nonzero elements, one int32 array per dimension.

    Under ``jit`` pass ``size=N``: the result is truncated or padded with
    ``fill_value`` (default 0) to N entries.
    """
    check_arraylike("nonzero", a)
    a = _array(a)
    shape = _shape(a)
    if not shape:
        raise ValueError("Calling nonzero on 0d arrays is not allowed. Use "
                         "jnp.atleast_1d(scalar).nonzero() instead.")
    if size is None:
        size = int(np.count_nonzero(_concrete(a, "nonzero")))
    size = operator.index(size)
    flat = _first_nonzero_flat(_flatten(a), size)
    n_found = lax.reduce_sum(lax.convert_element_type(_nonzero_mask(_flatten(a)),
                                                      dtypes.default_int()), (0,))
    idx = _unravel(flat, shape)
    if size > 0:
        fills = fill_value if isinstance(fill_value, (tuple, list)) else \
            (0 if fill_value is None else fill_value,) * len(shape)
        if len(fills) != len(shape):
            raise ValueError(f"jnp.nonzero: fill_value must be a scalar or a tuple of length "
                             f"{len(shape)}, got {fill_value!r}")
        valid = lax.lt(_iota((size,), 0), lax.broadcast_in_dim(n_found, (size,), ()))
        idx = tuple(lax.select(valid, i, lax.full((size,), f, dtypes.default_int()))
                    for i, f in zip(idx, fills))
    return tuple(idx)


def _nonzero_mask(x):
    return lax.ne(x, lax.full(_shape(x), 0, _dtype(x)))


def _first_nonzero_flat(flat, size):
    """The flat indices of the first ``size`` nonzero entries (n where there are fewer)."""
    n = _shape(flat)[0]
    iota = _iota((n,), 0)
    keys = lax.select(_nonzero_mask(flat), iota, lax.full((n,), n, dtypes.default_int()))
    keys = lax.sort(keys)
    return _take_prefix(keys, size, n)


def _take_prefix(x, size, fill):
    """The first ``size`` entries of 1-d ``x``, padded with ``fill`` if ``x`` is shorter."""
    n = _shape(x)[0]
    if size <= n:
        return lax.slice(x, (0,), (size,))
    return lax.concatenate([x, lax.full((size - n,), fill, _dtype(x))], 0)


def _unravel(flat, shape):
    out = []
    for d in range(len(shape)):
        stride = math.prod(shape[d + 1:])
        i = lax.div(flat, lax.full(_shape(flat), stride, _dtype(flat))) if stride != 1 else flat
        out.append(lax.rem(i, lax.full(_shape(flat), shape[d], _dtype(flat)))
                   if d > 0 else i)
    return out


def flatnonzero(a, *, size=None, fill_value=None):
    """Indices of the nonzero elements of the flattened ``a`` (int32)."""
    check_arraylike("flatnonzero", a)
    return nonzero(_flatten(_array(a)), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size=None, fill_value=None):
    """Indices of nonzero elements as an ``(N, a.ndim)`` int32 array."""
    check_arraylike("argwhere", a)
    a = _array(a)
    scalar = not _shape(a)
    if scalar:
        a = lax.reshape(a, (1,))
    idx = nonzero(a, size=size, fill_value=fill_value)
    n = _shape(idx[0])[0]
    if scalar:
        return lax.full((n, 0), 0, dtypes.default_int())
    cols = [lax.reshape(i, (n, 1)) for i in idx]
    return cols[0] if len(cols) == 1 else lax.concatenate(cols, 1)


# ---------------------------------------------------------------------------
# unique


def _ne_with_nan(x, y, equal_nan):
    ne = lax.ne(x, y)
    if equal_nan and dtypes.is_inexact(_dtype(x)):
        both_nan = lax.bitwise_and(lax.ne(x, x), lax.ne(y, y))
        ne = lax.bitwise_and(ne, lax.bitwise_not(both_nan))
    return ne


def unique(ar, return_index=False, return_inverse=False, return_counts=False, axis=None,
           *, equal_nan=True, size=None, fill_value=None, sorted=True):
    """Sorted unique elements of the flattened ``ar`` (``numpy.unique``).

    Optionally also the index of each value's first occurrence, the inverse
    (``values[inverse]`` rebuilds ``ar``, with ``ar``'s shape) and the counts.
    NaNs count as one value when ``equal_nan``. Under ``jit`` pass ``size=N``;
    missing values are filled with ``fill_value`` (default: the smallest value),
    missing indices with 0 and missing counts with 0.
    """
    check_arraylike("unique", ar)
    if axis is not None:
        raise NotImplementedError("jnp.unique with axis is not implemented in glassbox; "
                                  "flatten or use axis=None")
    ar = _array(ar)
    shape = _shape(ar)
    flat = _flatten(ar)
    n = _shape(flat)[0]
    if size is None:
        host = _concrete(ar, "unique").ravel()
        size = len(np.unique(host, equal_nan=equal_nan)) if host.size else 0
    size = operator.index(size)
    idx_dtype = dtypes.default_int()
    if n == 0:
        empty = lax.full((size,), 0 if fill_value is None else fill_value, _dtype(ar))
        zeros = lax.full((size,), 0, idx_dtype)
        return _unique_result(empty, zeros, lax.reshape(lax.full((0,), 0, idx_dtype), shape),
                              zeros, return_index, return_inverse, return_counts)
    iota = _iota((n,), 0)
    aux, perm = lax.sort_key_val(flat, iota)
    prev = lax.concatenate([lax.slice(aux, (0,), (1,)), lax.slice(aux, (0,), (n - 1,))], 0)
    first = _ne_with_nan(aux, prev, equal_nan)
    first = lax.bitwise_or(first, lax.eq(iota, lax.full((n,), 0, idx_dtype)))
    # Bring the first element of every run to the front, in order (a stable sort on 0/1).
    key = lax.select(first, lax.full((n,), 0, idx_dtype), lax.full((n,), 1, idx_dtype))
    _, values, first_pos, first_perm = lax.sort((key, aux, iota, perm), num_keys=1)
    count = lax.reduce_sum(lax.convert_element_type(first, idx_dtype), (0,))
    valid = lax.lt(_iota((size,), 0), lax.broadcast_in_dim(count, (size,), ()))
    fill = lax.slice(aux, (0,), (1,)) if fill_value is None else \
        lax.full((1,), fill_value, _dtype(aux))
    values = lax.select(valid, _take_prefix(values, size, 0),
                        lax.broadcast_in_dim(lax.reshape(fill, ()), (size,), ()))
    index = lax.select(valid, _take_prefix(first_perm, size, 0), lax.full((size,), 0, idx_dtype))
    inverse = None
    if return_inverse:
        run = lax.sub(lax.cumsum(lax.convert_element_type(first, idx_dtype)),
                      lax.full((n,), 1, idx_dtype))
        inverse = lax.reshape(lax.sort_key_val(perm, run)[1], shape)
    counts = None
    if return_counts:
        pos = lax.select(lax.lt(iota, lax.broadcast_in_dim(count, (n,), ())), first_pos,
                         lax.full((n,), n, idx_dtype))
        nxt = lax.concatenate([lax.slice(pos, (1,), (n,)), lax.full((1,), n, idx_dtype)], 0)
        counts = _take_prefix(lax.sub(nxt, pos), size, 0)
    return _unique_result(values, index, inverse, counts, return_index, return_inverse,
                          return_counts)


def _unique_result(values, index, inverse, counts, return_index, return_inverse,
                   return_counts):
    out = (values,)
    if return_index:
        out += (index,)
    if return_inverse:
        out += (inverse,)
    if return_counts:
        out += (counts,)
    return out[0] if len(out) == 1 else out


def unique_values(x, /, *, size=None, fill_value=None):
    """Array-API: the sorted unique values."""
    return unique(x, size=size, fill_value=fill_value)


def unique_counts(x, /, *, size=None, fill_value=None):
    """Array-API: ``(values, counts)``."""
    return unique(x, return_counts=True, size=size, fill_value=fill_value)


def unique_inverse(x, /, *, size=None, fill_value=None):
    """Array-API: ``(values, inverse_indices)``."""
    return unique(x, return_inverse=True, size=size, fill_value=fill_value)


def unique_all(x, /, *, size=None, fill_value=None):
    """Array-API: ``(values, indices, inverse_indices, counts)``."""
    return unique(x, return_index=True, return_inverse=True, return_counts=True, size=size,
                  fill_value=fill_value)
