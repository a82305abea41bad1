"""Sorting primitives: ``sort`` (multi-operand, lexicographic keys) and ``top_k``.

``sort`` lowers to ``stablehlo.sort`` with JAX's comparator: floating keys are
first canonicalised (``-0.0`` becomes ``0.0`` and every NaN the positive quiet
NaN) and then compared in IEEE total order, so NaNs sort last, as in NumPy,
and equal keys keep their order under a stable sort. Complex keys compare by
real part, then imaginary part.

Differentiation follows JAX: ``sort`` sorts an iota alongside its operands and
gathers the tangents with that permutation; ``top_k`` gathers the tangent at
the chosen indices. Index outputs have no tangent.
"""
import operator

import numpy as np

from .. import dtypes
from ..interpreters import ad, batching
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..interpreters.lowering import lowering_rules
from . import shape as _shape
from . import slicing as _slicing
from .reductions import emit_compare

_BOOL = ShapedArray((), np.bool_)


# --- sort --------------------------------------------------------------------

def sort(operand, dimension=-1, is_stable=True, num_keys=1):
    """Sort ``operand`` (an array, or a tuple of equal-shaped arrays) along ``dimension``.

    With several operands, the first ``num_keys`` are the keys (compared
    lexicographically) and every operand is permuted the same way. Lowers to
    ``stablehlo.sort`` (NaNs last, ``-0.0 == 0.0``).

    Returns:
      The sorted array, or a tuple of sorted arrays if a tuple was given.

    Example: ``sort((keys, values), num_keys=1)`` sorts ``values`` by ``keys``.
    """
    if isinstance(operand, (tuple, list)):
        operands = tuple(operand)
        if not operands:
            raise TypeError("lax.sort needs at least one operand")
        return tuple(_bind_sort(operands, dimension, is_stable, num_keys))
    return _bind_sort((operand,), dimension, is_stable, num_keys)[0]


def _bind_sort(operands, dimension, is_stable, num_keys):
    ndim = get_aval(operands[0]).ndim
    dimension = operator.index(dimension)
    if not -ndim <= dimension < max(ndim, 1) or ndim == 0:
        raise ValueError(f"lax.sort: dimension {dimension} is out of bounds for operands of "
                         f"rank {ndim}" + (" (sort needs rank >= 1)" if ndim == 0 else ""))
    num_keys = operator.index(num_keys)
    if not 1 <= num_keys <= len(operands):
        raise ValueError(f"lax.sort: num_keys={num_keys} must be between 1 and the number of "
                         f"operands ({len(operands)})")
    return sort_p.bind(*operands, dimension=dimension % ndim, is_stable=bool(is_stable),
                       num_keys=num_keys)


def sort_key_val(keys, values, dimension=-1, is_stable=True):
    """Sort ``keys`` along ``dimension`` and permute ``values`` the same way.

    Returns:
      ``(sorted_keys, permuted_values)``.
    """
    return sort((keys, values), dimension=dimension, is_stable=is_stable, num_keys=1)


sort_p = Primitive("sort", multiple_results=True)


def _sort_abstract_eval(*operands, dimension, is_stable, num_keys):
    shape = operands[0].shape
    if any(o.shape != shape for o in operands):
        raise TypeError("sort arguments must have the same shape, got "
                        + ", ".join(str(o.shape) for o in operands))
    if not 0 <= dimension < len(shape):
        raise ValueError(f"sort: dimension {dimension} is out of bounds for shape {shape}")
    if not 1 <= num_keys <= len(operands):
        raise ValueError(f"sort: num_keys={num_keys} with {len(operands)} operands")
    return list(operands)


def _canonicalize_float(ctx, x, aval):
    """-0.0 -> 0.0 and any NaN -> +NaN, so total order puts NaNs last and zeros together."""
    zero = ctx.constant(np.array(0, aval.dtype), aval)
    is_zero = emit_compare(ctx, x, zero, "EQ", aval)
    x2 = ctx.op("stablehlo.select", [is_zero, ctx.constant(np.array(0, aval.dtype), aval), x],
                aval)
    is_nan = emit_compare(ctx, x, x, "NE", aval)
    nan = ctx.constant(np.array(np.nan, aval.dtype), aval)
    return ctx.op("stablehlo.select", [is_nan, nan, x2], aval)


def _keys(ctx, x, aval):
    """The list of (value, aval) keys one operand contributes to the comparison."""
    if dtypes.is_complex(aval.dtype):
        part = aval.update(dtype=np.real(np.zeros((), aval.dtype)).dtype)
        re = ctx.op("stablehlo.real", [x], part)
        im = ctx.op("stablehlo.imag", [x], part)
        return [(_canonicalize_float(ctx, re, part), part),
                (_canonicalize_float(ctx, im, part), part)]
    if dtypes.is_float(aval.dtype):
        return [(_canonicalize_float(ctx, x, aval), aval)]
    return [(x, aval)]


def _comparator(num_keys, scalar_avals):
    def body(c, *args):
        xs_keys, ys_keys = [], []
        for i in range(num_keys):
            aval = scalar_avals[i]
            xs_keys += _keys(c, args[2 * i], aval)
            ys_keys += _keys(c, args[2 * i + 1], aval)
        # Lexicographic "x < y", built from the last key outwards (as JAX's comparator).
        p = None
        for (xk, aval), (yk, _) in zip(xs_keys[::-1], ys_keys[::-1]):
            lt = emit_compare(c, xk, yk, "LT", aval, total_order=True)
            if p is None:
                p = lt
            else:
                eq = emit_compare(c, xk, yk, "EQ", aval, total_order=True)
                p = c.op("stablehlo.or", [lt, c.op("stablehlo.and", [eq, p], _BOOL)], _BOOL)
        return p
    return body


def _sort_lowering(ctx, *operands, dimension, is_stable, num_keys):
    scalars = [ShapedArray((), a.dtype) for a in ctx.avals_in]
    region_avals = [a for s in scalars for a in (s, s)]
    outs = ctx.op("stablehlo.sort", list(operands), list(ctx.avals_out),
                  attrs={"dimension": f"{dimension} : i64",
                         "is_stable": "true" if is_stable else "false"},
                  regions=[ctx.region(region_avals, _comparator(num_keys, scalars))])
    return outs


abstract_eval_rules[sort_p] = _sort_abstract_eval
lowering_rules[sort_p] = _sort_lowering


def _gather_at(t, index_arrays):
    """``t[i0, i1, ...]`` for equal-shaped integer arrays, one per dimension of ``t``: a
    gather of single elements (what JAX's ``t[idx]`` emits); its transpose is a scatter-add."""
    shape = get_aval(index_arrays[0]).shape
    ndim = len(shape)
    cols = [_shape.reshape(i, shape + (1,)) for i in index_arrays]
    indices = _shape.concatenate(cols, ndim)
    dnums = _slicing.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=tuple(range(ndim)),
                                            start_index_map=tuple(range(ndim)))
    return _slicing.gather(t, indices, dnums, (1,) * ndim)


def _index_dtype(size):
    return np.dtype(np.int32) if size < np.iinfo(np.int32).max else np.dtype(np.int64)


def _sort_jvp(primals, tangents, *, dimension, is_stable, num_keys):
    """Sort an iota alongside the operands, then gather each tangent with that permutation."""
    shape = get_aval(primals[0]).shape
    iotas = [_shape.broadcasted_iota(_index_dtype(n), shape, d) for d, n in enumerate(shape)]
    outs = sort_p.bind(*primals, iotas[dimension], dimension=dimension, is_stable=is_stable,
                       num_keys=num_keys)
    perm = outs[-1]
    index = [perm if d == dimension else iotas[d] for d in range(len(shape))]
    if 0 in shape:   # nothing to permute (and gather wants slices of size 1)
        return list(outs[:-1]), list(tangents)
    tangents_out = [t if ad.is_zero(t) else _gather_at(t, index) for t in tangents]
    return list(outs[:-1]), tangents_out


def _sort_batch_rule(axis_data, args, dims, *, dimension, is_stable, num_keys):
    args, bdim = batching.match_bdims(axis_data.size, args, dims)
    outs = sort_p.bind(*args, dimension=dimension + (bdim <= dimension), is_stable=is_stable,
                       num_keys=num_keys)
    return outs, [bdim] * len(outs)


ad.jvp_rules[sort_p] = _sort_jvp
batching.batch_rules[sort_p] = _sort_batch_rule


# --- top_k -------------------------------------------------------------------

def top_k(operand, k):
    """The ``k`` largest entries along the last axis, and their indices.

    Returns ``(values, indices)``, values in descending order; equal values come
    in index order; NaN counts as larger than every number. Lowers to
    ``chlo.top_k``, as in JAX.
    """
    k = operator.index(k)
    return tuple(top_k_p.bind(operand, k=k))


top_k_p = Primitive("top_k", multiple_results=True)


def _top_k_abstract_eval(x, *, k):
    if x.ndim == 0:
        raise TypeError("top_k: operand must have rank >= 1, got a scalar")
    if not 0 <= k <= x.shape[-1]:
        raise ValueError(f"top_k: k={k} must be between 0 and the last dimension of shape "
                         f"{x.shape}")
    if dtypes.is_complex(x.dtype):
        raise TypeError(f"top_k does not accept complex operands ({x.dtype.name})")
    shape = x.shape[:-1] + (k,)
    return [ShapedArray(shape, x.dtype, x.weak_type), ShapedArray(shape, np.int32)]


def _top_k_lowering(ctx, x, *, k):
    return ctx.op("chlo.top_k", [x], list(ctx.avals_out), attrs={"k": f"{k} : i64"})


abstract_eval_rules[top_k_p] = _top_k_abstract_eval
lowering_rules[top_k_p] = _top_k_lowering


def _top_k_jvp(primals, tangents, *, k):
    """The tangent at the chosen indices (a gather); the indices have no tangent."""
    (x,), (t,) = primals, tangents
    values, idx = top_k_p.bind(x, k=k)
    shape = get_aval(idx).shape
    if 0 in shape or 0 in get_aval(x).shape:
        return [values, idx], [ad.Zero(ad.tangent_aval(get_aval(values))), ad.Zero(get_aval(idx))]
    index = [_shape.broadcasted_iota(np.int32, shape, d) for d in range(len(shape) - 1)]
    return [values, idx], [_gather_at(t, index + [idx]), ad.Zero(get_aval(idx))]


def _top_k_batch_rule(axis_data, args, dims, *, k):
    (x,), (bdim,) = args, dims
    if bdim == get_aval(x).ndim - 1:   # top_k works on the last axis: move the batch dim off it
        x, bdim = batching.moveaxis(x, bdim, 0), 0
    return top_k_p.bind(x, k=k), [bdim, bdim]


ad.jvp_rules[top_k_p] = _top_k_jvp
batching.batch_rules[top_k_p] = _top_k_batch_rule

__all__ = ["sort", "sort_p", "sort_key_val", "top_k", "top_k_p"]
