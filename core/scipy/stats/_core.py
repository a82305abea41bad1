"""``mode``, ``rankdata`` and ``sem`` of ``glassbox.scipy.stats``: sample statistics that
compile to fixed shapes (``unique`` with a static ``size``, a sort and a scatter)."""
import math
from typing import NamedTuple

import numpy as np

from ... import dtypes, lax
from ... import numpy as jnp
from ...api import jit
from ...interpreters.batching import vmap
from ...numpy._util import canonicalize_axis, check_arraylike
from ._util import _promote_inexact


class ModeResult(NamedTuple):
    mode: object
    count: object


def _check_nan_policy(nan_policy, fun):
    if nan_policy not in ["propagate", "omit", "raise"]:
        raise ValueError(f"Illegal nan_policy value {nan_policy!r}; expected one of "
                         "{'propagate', 'omit', 'raise'}")
    if nan_policy == "omit":
        raise NotImplementedError(f"Logic for `nan_policy` of {nan_policy} is not implemented")
    if nan_policy == "raise":
        raise NotImplementedError(
            f"In order to best JIT compile `{fun}`, we cannot know whether `x` contains nans. "
            "Please check if nans exist in `x` outside of the "
            f"`{fun}` function.")


def _mode_1d(x):
    if x.size == 0:
        nan = jnp.array(np.nan, dtype=dtypes.default_float())
        return nan, jnp.array(0, dtype=dtypes.default_float())
    vals, counts = jnp.unique(x, return_counts=True, size=x.size)
    return vals[jnp.argmax(counts)], counts.max()


@jit(static_argnames=["axis", "nan_policy", "keepdims"])
def mode(a, axis=0, nan_policy="propagate", keepdims=False):
    """The most common value along ``axis`` (the smallest of ties) and its count, as
    ``ModeResult(mode, count)``. ``axis=None`` looks at the flattened array."""
    check_arraylike("mode", a)
    x = jnp.atleast_1d(a)
    _check_nan_policy(nan_policy, "mode")
    if axis is not None:
        axis = canonicalize_axis(axis, x.ndim)
    if axis is None:
        out_shape = (1,) * x.ndim if keepdims else ()
        axis, x = 0, x.ravel()
    else:
        out_shape = tuple((1 if i == axis else s) for i, s in enumerate(x.shape)
                          if keepdims or i != axis)
    x = jnp.moveaxis(x, axis, 0)
    x = x.reshape(x.shape[0], math.prod(x.shape[1:]))
    vals, counts = vmap(_mode_1d, in_axes=1)(x)
    return ModeResult(vals.reshape(out_shape), counts.reshape(out_shape))


def _invert_permutation(i):
    return jnp.empty_like(i).at[i].set(jnp.arange(i.size, dtype=i.dtype))


@jit(static_argnames=["method", "axis", "nan_policy"])
def rankdata(a, method="average", *, axis=None, nan_policy="propagate"):
    """Ranks of the data, from 1 (``method``: ``'average'``, ``'min'``, ``'max'``,
    ``'dense'`` or ``'ordinal'``), in the default float dtype; all ``nan`` if any
    element is ``nan``."""
    check_arraylike("rankdata", a)
    _check_nan_policy(nan_policy, "rankdata")
    if method not in ("average", "min", "max", "dense", "ordinal"):
        raise ValueError(f"unknown method '{method}'")
    if axis is not None:
        return jnp.apply_along_axis(rankdata, axis, a, method)
    a = jnp.ravel(a)
    out_dtype = dtypes.default_float()

    def ranks(a):
        arr, sorter = lax.sort_key_val(a, jnp.arange(a.size))
        inv = _invert_permutation(sorter)
        if method == "ordinal":
            return (inv + 1).astype(out_dtype)
        first = jnp.concatenate([jnp.array([True]), arr[1:] != arr[:-1]])
        dense = first.cumsum()[inv]
        if method == "dense":
            return dense.astype(out_dtype)
        count = jnp.nonzero(first, size=arr.size + 1, fill_value=first.size)[0].astype(out_dtype)
        if method == "max":
            return count[dense]
        if method == "min":
            return count[dense - 1] + 1
        return .5 * (count[dense] + count[dense - 1] + 1)

    return lax.cond(jnp.any(jnp.isnan(a)),
                    lambda a: jnp.full_like(a, jnp.nan, out_dtype), ranks, a)


# Not jitted as a whole (JAX's is): glassbox.numpy's var needs a concrete ``ddof``.
def sem(a, axis=0, ddof=1, nan_policy="propagate", *, keepdims=False):
    """Standard error of the mean: ``std(a, ddof=ddof) / sqrt(n)`` along ``axis``
    (``nan_policy='omit'`` counts only the non-``nan`` values)."""
    b, = _promote_inexact("sem", a)
    if nan_policy == "propagate":
        size = b.size if axis is None else b.shape[axis]
        return b.std(axis, ddof=ddof, keepdims=keepdims) / jnp.sqrt(size).astype(b.dtype)
    if nan_policy == "omit":
        count = (~jnp.isnan(b)).sum(axis, keepdims=keepdims)
        return jnp.nanstd(b, axis, ddof=ddof, keepdims=keepdims) / jnp.sqrt(count).astype(b.dtype)
    raise ValueError(f"{nan_policy} is not supported")


__all__ = ["ModeResult", "mode", "rankdata", "sem"]
