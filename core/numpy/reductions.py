"""Reductions and statistics in glassbox.numpy: ``sum``, ``mean``, ``var``, ``argmax``,
``cumsum``, ``median``, the ``nan*`` variants...

Each follows jax.numpy's dtype rules, which differ from NumPy's in places:
integer sums accumulate in the default int (int32 with x64 off), float16 and
bfloat16 sums and means are computed in float32 and cast back, ``mean`` of
integers is float32, ``argmax`` returns int32, and results are never weakly
typed. Everything is built from the lax reduction primitives.
"""
import builtins
import math
import operator

import numpy as np

from .. import dtypes, lax
from ..core import get_aval
from ._util import broadcast_shapes, broadcast_to, check_arraylike, promote_dtypes_inexact


__all__ = [
    "sum", "prod", "max", "min", "amax", "amin", "all", "any", "mean", "average", "var",
    "std", "ptp", "count_nonzero", "nansum", "nanprod", "nanmax", "nanmin", "nanmean",
    "nanvar", "nanstd", "argmax", "argmin", "nanargmax", "nanargmin", "cumsum", "cumprod",
    "nancumsum", "nancumprod", "cumulative_sum", "cumulative_prod", "median", "nanmedian",
    "quantile", "nanquantile", "percentile", "nanpercentile",
]

# ---------------------------------------------------------------------------
# Helpers


def _shape(x):
    return get_aval(x).shape


def _dtype(x):
    return get_aval(x).dtype


def _check_out(name, out):
    if out is not None:
        raise NotImplementedError(f"The 'out' argument to jnp.{name} is not supported "
                                  f"(glassbox arrays are immutable)")


def _user_dtype(dtype, name):
    if dtype is None:
        return None
    try:
        return dtypes.canonicalize_dtype(dtype)
    except TypeError as e:
        raise TypeError(f"jnp.{name}: invalid dtype argument: {e}") from None


def _axes(ndim, axis, name):
    """``axis`` (None, int or sequence) -> sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    seq = tuple(axis) if isinstance(axis, (tuple, list, np.ndarray)) else (axis,)
    out = []
    for a in seq:
        try:
            a = operator.index(a)
        except TypeError:
            raise TypeError(f"jnp.{name}: axis must be an int or a tuple of ints, got "
                            f"{axis!r} (under jit, axis must be static)") from None
        if not -ndim <= a < ndim:
            raise ValueError(f"jnp.{name}: axis {a} is out of bounds for array of dimension "
                             f"{ndim}")
        out.append(a % ndim)
    if len(set(out)) != len(out):
        raise ValueError(f"jnp.{name}: duplicate value in 'axis': {axis}")
    return tuple(sorted(out))


def _keepdims_shape(shape, axes):
    return tuple(1 if i in axes else d for i, d in enumerate(shape))


def _expand(x, in_shape, axes):
    """Put size-1 dimensions back at ``axes`` (``keepdims=True``)."""
    return lax.reshape(x, _keepdims_shape(in_shape, axes))


def _where(cond, x, y):
    """``select(cond, x, y)`` with broadcasting; x and y must share a dtype."""
    shape = broadcast_shapes(_shape(cond), _shape(x), _shape(y), fun_name="where")
    return lax.select(broadcast_to(cond, shape), broadcast_to(x, shape), broadcast_to(y, shape))


def _isnan(x):
    return lax.ne(x, x)


def _promote_integer_dtype(dtype):
    """bool and narrow ints accumulate in the default int (uint for unsigned), as in JAX."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return dtypes.default_int()
    if dtypes.is_unsigned(dtype):
        uint = dtypes.canonicalize_dtype(np.uint64)
        return uint if dtype.itemsize < uint.itemsize else dtype
    if dtypes.is_int(dtype):
        return dtypes.default_int() if dtype.itemsize < dtypes.default_int().itemsize else dtype
    return dtype


def _upcast_f16(dtype):
    return np.dtype(np.float32) if np.dtype(dtype) in (dtypes.float16, dtypes.bfloat16) \
        else np.dtype(dtype)


def _to_inexact(dtype):
    dtype = np.dtype(dtype)
    return dtype if dtypes.is_inexact(dtype) else dtypes.promote_types(dtype,
                                                                      dtypes.default_float())


def _complex_elem_type(dtype):
    return np.real(np.zeros((), dtype)).dtype if dtypes.is_complex(dtype) else np.dtype(dtype)


def _init_value(dtype, init):
    """The monoid identity ``init`` (0, 1, +-inf, True...) as a scalar of ``dtype``."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return np.array(init > 0, dtype)
    if not np.isfinite(init):   # +-inf: the type's own extremes where it has no inf
        return np.array(dtypes.extremes(dtype)[init > 0], dtype)
    return np.array(init, dtype)


def _check_where(name, where, shape):
    if where is None:
        return None
    check_arraylike(name, where)
    if _dtype(where) != np.bool_:
        where = lax.convert_element_type(where, np.bool_)
    try:
        return broadcast_to(where, shape)
    except ValueError:
        raise ValueError(f"jnp.{name}: where of shape {_shape(where)} cannot be broadcast to "
                         f"the input's shape {shape}") from None


def _numeric(x):
    """bool -> default int (what sum/prod do before reducing)."""
    return lax.convert_element_type(x, dtypes.default_int()) if _dtype(x) == np.bool_ else x


def _to_bool(x):
    if dtypes.is_complex(_dtype(x)):
        x = lax.real(x)
    return lax.convert_element_type(x, np.bool_)


# op name -> (reduction primitive wrapper, elementwise combine name on lax)
_MONOIDS = {
    "add": (lambda x, a: lax.reduce_sum(x, a), "add"),
    "mul": (lambda x, a: lax.reduce_prod(x, a), "mul"),
    "max": (lambda x, a: lax.reduce_max(x, a), "max"),
    "min": (lambda x, a: lax.reduce_min(x, a), "min"),
    "and": (lambda x, a: lax.reduce_and(x, a), "bitwise_and"),
    "or": (lambda x, a: lax.reduce_or(x, a), "bitwise_or"),
}


def _reduction(a, name, op, init, *, bool_op=None, has_identity=True, preproc=None,
               upcast_f16=False, promote_integers=False, axis=None, dtype=None, out=None,
               keepdims=False, initial=None, where=None):
    """The shared body of sum/prod/max/min/all/any (JAX's ``_reduction``)."""
    _check_out(name, out)
    check_arraylike(name, a)
    dtype = _user_dtype(dtype, name)
    if initial is None and not has_identity and where is not None:
        raise ValueError(f"reduction operation {name} does not have an identity, so to use a "
                         f"where mask one has to specify 'initial'")
    a = preproc(a) if preproc else a
    in_shape = _shape(a)
    axes = _axes(len(in_shape), axis, name)
    if initial is None and not has_identity and builtins.any(in_shape[d] == 0 for d in axes):
        raise ValueError(f"zero-size array to reduction operation {name} which has no "
                         f"identity (pass initial=...); input shape {in_shape}")
    result_dtype = dtype or _dtype(a)
    if dtype is None and promote_integers:
        result_dtype = _promote_integer_dtype(result_dtype)
    result_dtype = dtypes.canonicalize_dtype(result_dtype)
    comp_dtype = _upcast_f16(result_dtype) if upcast_f16 and dtypes.is_inexact(result_dtype) \
        else result_dtype
    a = lax.convert_element_type(a, comp_dtype)
    if comp_dtype == np.bool_ and bool_op:
        op = bool_op
    reduce_fn, combine = _MONOIDS[op]
    init_val = _init_value(comp_dtype, init)
    where = _check_where(name, where, in_shape)
    if where is not None:
        a = lax.select(where, a, lax.full(in_shape, init_val, comp_dtype))
    result = reduce_fn(a, axes)
    if initial is not None:
        check_arraylike(name, initial)
        if _shape(initial) != ():
            raise ValueError(f"initial value must be a scalar. Got array of shape "
                             f"{_shape(initial)}")
        init_arr = lax.convert_element_type(initial, comp_dtype)
        result = getattr(lax, combine)(broadcast_to(init_arr, _shape(result)), result)
    if keepdims:
        result = _expand(result, in_shape, axes)
    return lax.convert_element_type(result, dtype or result_dtype)


# ---------------------------------------------------------------------------
# sum, prod, max, min, all, any


def sum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
        promote_integers=True):
    """Sum of array elements over ``axis`` (``numpy.sum``).

    Args:
      a: array.
      axis: None (all axes), an int or a tuple of ints; negative values count from the end.
      dtype: accumulation and result dtype. Default: bool and narrow ints give the default
        int (int32), float16/bfloat16 are summed in float32 and cast back.
      keepdims: keep reduced axes with size 1.
      initial: a scalar added to the result.
      where: boolean mask (broadcast to ``a``); only True entries are summed.
      promote_integers: if False, integers keep their dtype.

    Returns:
      The sum (never weakly typed).

    Example: ``jnp.sum(jnp.array([[1, 2], [3, 4]]), axis=0)`` is ``[4, 6]`` (int32).
    """
    return _reduction(a, "sum", "add", 0, bool_op="or", preproc=_numeric, upcast_f16=True,
                      promote_integers=promote_integers, axis=axis, dtype=dtype, out=out,
                      keepdims=keepdims, initial=initial, where=where)


def prod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None,
         promote_integers=True):
    """Product of array elements over ``axis`` (``numpy.prod``); dtype rules as ``sum``."""
    return _reduction(a, "prod", "mul", 1, bool_op="and", preproc=_numeric, upcast_f16=True,
                      promote_integers=promote_integers, axis=axis, dtype=dtype, out=out,
                      keepdims=keepdims, initial=initial, where=where)


def max(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Maximum over ``axis`` (``numpy.max``); NaN propagates.

    Raises ``ValueError`` for an empty reduction unless ``initial`` is given, and
    requires ``initial`` when ``where`` is used.
    """
    return _reduction(a, "max", "max", -np.inf, has_identity=False, axis=axis, out=out,
                      keepdims=keepdims, initial=initial, where=where)


def min(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Minimum over ``axis`` (``numpy.min``); NaN propagates. See ``max``."""
    return _reduction(a, "min", "min", np.inf, has_identity=False, axis=axis, out=out,
                      keepdims=keepdims, initial=initial, where=where)


def amax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Alias of ``max``."""
    return max(a, axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)


def amin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Alias of ``min``."""
    return min(a, axis=axis, out=out, keepdims=keepdims, initial=initial, where=where)


def all(a, axis=None, out=None, keepdims=False, *, where=None):
    """Whether all elements along ``axis`` are true (nonzero); returns bool."""
    return _reduction(a, "all", "and", True, preproc=_to_bool, axis=axis, out=out,
                      keepdims=keepdims, where=where)


def any(a, axis=None, out=None, keepdims=False, *, where=None):
    """Whether any element along ``axis`` is true (nonzero); returns bool."""
    return _reduction(a, "any", "or", False, preproc=_to_bool, axis=axis, out=out,
                      keepdims=keepdims, where=where)


# ---------------------------------------------------------------------------
# mean, average, var, std, ptp, count_nonzero


def _count(shape, axes):
    return math.prod(shape[d] for d in axes)


def mean(a, axis=None, dtype=None, out=None, keepdims=False, *, where=None):
    """Arithmetic mean over ``axis`` (``numpy.mean``).

    Integers and bools give the default float (float32); float16/bfloat16 are
    accumulated in float32. ``where`` selects the entries that count.
    """
    _check_out("mean", out)
    check_arraylike("mean", a)
    result_dtype = _user_dtype(dtype, "mean") or dtypes.canonicalize_dtype(_to_inexact(_dtype(a)))
    comp = _upcast_f16(result_dtype) if dtypes.is_inexact(result_dtype) else result_dtype
    shape = _shape(a)
    axes = _axes(len(shape), axis, "mean")
    if where is None:
        normalizer = lax.full((), _count(shape, axes), comp)
    else:
        normalizer = sum(_check_where("mean", where, shape), axis, dtype=comp, keepdims=keepdims)
    total = sum(a, axis, dtype=comp, keepdims=keepdims, where=where)
    return lax.convert_element_type(lax.div(total, broadcast_to(normalizer, _shape(total))),
                                    result_dtype)


def average(a, axis=None, weights=None, returned=False, keepdims=False):
    """Weighted average over ``axis`` (``numpy.average``).

    ``weights`` has ``a``'s shape, or is 1-d along a single ``axis``. With
    ``returned=True`` also returns the sum of the weights.
    """
    if weights is None:
        check_arraylike("average", a)
        (a,) = promote_dtypes_inexact(a)
        avg = mean(a, axis=axis, keepdims=keepdims)
        shape = _shape(a)
        wsum = lax.full(_shape(avg), _count(shape, _axes(len(shape), axis, "average")), _dtype(avg))
    else:
        check_arraylike("average", a, weights)
        a, weights = promote_dtypes_inexact(a, weights)
        a_shape, w_shape = _shape(a), _shape(weights)
        if a_shape != w_shape:
            if len(w_shape) != 1:
                raise ValueError("average: 1D weights expected when shapes of a and weights "
                                 f"differ (a {a_shape}, weights {w_shape})")
            if axis is None:
                raise ValueError("average: axis must be specified when shapes of a and "
                                 "weights differ")
            if isinstance(axis, (tuple, list)):
                raise ValueError("average: single axis expected when shapes of a and "
                                 "weights differ")
            (ax,) = _axes(len(a_shape), axis, "average")
            if w_shape[0] != a_shape[ax]:
                raise ValueError(f"average: length of weights ({w_shape[0]}) not compatible "
                                 f"with axis {axis} of shape {a_shape}")
            weights = lax.broadcast_in_dim(weights, a_shape, (ax,))
        weights = lax.convert_element_type(weights, _dtype(a), False)
        a = lax.convert_element_type(a, _dtype(a), False)
        wsum = sum(weights, axis=axis, keepdims=keepdims)
        avg = lax.div(sum(lax.mul(a, weights), axis=axis, keepdims=keepdims), wsum)
    if returned:
        return avg, broadcast_to(wsum, _shape(avg))
    return avg


def _var_promote_types(a_dtype, dtype):
    if dtype is not None:
        if not dtypes.is_complex(dtype) and dtypes.is_complex(a_dtype):
            raise ValueError("jnp.var does not support real dtype parameters when computing "
                             "the variance of an array of complex values")
        comp = dtype
    elif not dtypes.is_inexact(a_dtype):
        dtype = comp = dtypes.canonicalize_dtype(_to_inexact(a_dtype))
    else:
        dtype, comp = _complex_elem_type(a_dtype), a_dtype
    return _upcast_f16(comp), np.dtype(dtype)


def var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        correction=None):
    """Variance over ``axis`` (``numpy.var``): ``sum(|a - mean|**2) / (N - ddof)``.

    ``correction`` is the Array API name for ``ddof``. A non-positive divisor gives NaN.
    """
    _check_out("var", out)
    check_arraylike("var", a)
    correction = _correction(ddof, correction)
    comp, dtype = _var_promote_types(_dtype(a), _user_dtype(dtype, "var"))
    a = lax.convert_element_type(a, comp)
    shape = _shape(a)
    axes = _axes(len(shape), axis, "var")
    centered = lax.sub(a, broadcast_to(mean(a, axis, dtype=comp, keepdims=True, where=where),
                                       shape))
    if dtypes.is_complex(comp):
        centered = lax.real(lax.mul(centered, lax.conj(centered)))
        comp = _dtype(centered)
    else:
        centered = lax.mul(centered, centered)
    if where is None:
        normalizer = lax.full((), _count(shape, axes), comp)
    else:
        normalizer = sum(_check_where("var", where, shape), axis, dtype=comp, keepdims=keepdims)
    # convert_element_type, not full: ddof may be traced (jit(var)(x, ddof)), as in JAX.
    correction = lax.convert_element_type(correction, comp)
    normalizer = lax.sub(normalizer, broadcast_to(correction, _shape(normalizer)))
    total = sum(centered, axis, dtype=comp, keepdims=keepdims, where=where)
    normalizer = broadcast_to(normalizer, _shape(total))
    result = lax.convert_element_type(lax.div(total, normalizer), dtype)
    positive = lax.gt(normalizer, lax.full(_shape(normalizer), 0, _dtype(normalizer)))
    return lax.select(positive, result, lax.full(_shape(result), np.nan, dtype))


def _correction(ddof, correction):
    if correction is None:
        return ddof
    if not isinstance(ddof, int) or ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    return correction


def std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, *, where=None,
        correction=None):
    """Standard deviation over ``axis``: ``sqrt(var(...))``."""
    _check_out("std", out)
    dtype = _user_dtype(dtype, "std")
    if dtype is not None and not dtypes.is_inexact(dtype):
        raise ValueError(f"dtype argument to jnp.std must be inexact; got {dtype}")
    return lax.sqrt(var(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims, where=where,
                        correction=correction))


def ptp(a, axis=None, out=None, keepdims=False):
    """Peak to peak (``max - min``) over ``axis``."""
    _check_out("ptp", out)
    return lax.sub(max(a, axis=axis, keepdims=keepdims), min(a, axis=axis, keepdims=keepdims))


def count_nonzero(a, axis=None, keepdims=False):
    """Number of nonzero entries along ``axis`` (int32)."""
    check_arraylike("count_nonzero", a)
    nonzero = lax.ne(a, lax.full(_shape(a), 0, _dtype(a)))
    return sum(nonzero, axis=axis, dtype=dtypes.default_int(), keepdims=keepdims)


# ---------------------------------------------------------------------------
# NaN-ignoring reductions


def _nan_reduction(a, name, reduction, init, nan_if_all_nan, axis=None, keepdims=False,
                   where=None, **kwargs):
    check_arraylike(name, a)
    if not dtypes.is_inexact(_dtype(a)):
        return reduction(a, axis=axis, keepdims=keepdims, where=where, **kwargs)
    shape = _shape(a)
    filled = lax.select(_isnan(a), lax.full(shape, _init_value(_dtype(a), init), _dtype(a)),
                        lax.convert_element_type(a, _dtype(a)))
    out = reduction(filled, axis=axis, keepdims=keepdims, where=where, **kwargs)
    if nan_if_all_nan:
        all_nan = all(_isnan(a), axis=axis, keepdims=keepdims)
        return lax.select(all_nan, lax.full(_shape(out), np.nan, _dtype(out)), out)
    return out


def nanmin(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Minimum ignoring NaNs; all-NaN slices give NaN."""
    return _nan_reduction(a, "nanmin", min, np.inf, initial is None, axis=axis, out=out,
                          keepdims=keepdims, initial=initial, where=where)


def nanmax(a, axis=None, out=None, keepdims=False, initial=None, where=None):
    """Maximum ignoring NaNs; all-NaN slices give NaN."""
    return _nan_reduction(a, "nanmax", max, -np.inf, initial is None, axis=axis, out=out,
                          keepdims=keepdims, initial=initial, where=where)


def nansum(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Sum treating NaNs as zero."""
    return _nan_reduction(a, "nansum", sum, 0, False, axis=axis, dtype=dtype, out=out,
                          keepdims=keepdims, initial=initial, where=where)


def nanprod(a, axis=None, dtype=None, out=None, keepdims=False, initial=None, where=None):
    """Product treating NaNs as one."""
    return _nan_reduction(a, "nanprod", prod, 1, False, axis=axis, dtype=dtype, out=out,
                          keepdims=keepdims, initial=initial, where=where)


def nanmean(a, axis=None, dtype=None, out=None, keepdims=False, where=None):
    """Mean ignoring NaNs; all-NaN slices give NaN."""
    _check_out("nanmean", out)
    check_arraylike("nanmean", a)
    if not dtypes.is_inexact(_dtype(a)):
        return mean(a, axis, dtype, out, keepdims, where=where)
    dtype = _user_dtype(dtype, "nanmean") or dtypes.canonicalize_dtype(_to_inexact(_dtype(a)))
    not_nan = lax.bitwise_not(_isnan(a))
    normalizer = sum(not_nan, axis=axis, dtype=dtype, keepdims=keepdims, where=where)
    return lax.div(nansum(a, axis, dtype=dtype, keepdims=keepdims, where=where), normalizer)


def nanvar(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None):
    """Variance ignoring NaNs; slices with ``N - ddof <= 0`` give NaN."""
    _check_out("nanvar", out)
    check_arraylike("nanvar", a)
    comp, dtype = _var_promote_types(_dtype(a), _user_dtype(dtype, "nanvar"))
    a = lax.convert_element_type(a, comp)
    shape = _shape(a)
    a_mean = broadcast_to(nanmean(a, axis, dtype=comp, keepdims=True, where=where), shape)
    isnan = _isnan(a)
    centered = lax.select(isnan, lax.full(shape, 0, comp), lax.sub(a, a_mean))
    if dtypes.is_complex(comp):
        centered = lax.real(lax.mul(centered, lax.conj(centered)))
    else:
        centered = lax.mul(centered, centered)
    normalizer = sum(lax.bitwise_not(isnan), axis=axis, keepdims=keepdims, where=where)
    normalizer = lax.sub(normalizer, broadcast_to(
        lax.convert_element_type(ddof, _dtype(normalizer)), _shape(normalizer)))
    bad = lax.le(normalizer, lax.full(_shape(normalizer), 0, _dtype(normalizer)))
    result = sum(centered, axis, keepdims=keepdims, where=where)
    result = lax.select(bad, lax.full(_shape(result), np.nan, _dtype(result)), result)
    divisor = lax.select(bad, lax.full(_shape(bad), 1, _dtype(normalizer)), normalizer)
    result = lax.div(result, lax.convert_element_type(divisor, _dtype(result)))
    return lax.convert_element_type(result, dtype)


def nanstd(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, where=None):
    """Standard deviation ignoring NaNs."""
    _check_out("nanstd", out)
    return lax.sqrt(nanvar(a, axis=axis, dtype=dtype, ddof=ddof, keepdims=keepdims,
                           where=where))


# ---------------------------------------------------------------------------
# argmax, argmin


def _arg_extreme(name, prim_fn, a, axis, out, keepdims):
    _check_out(name, out)
    check_arraylike(name, a)
    shape = _shape(a)
    if axis is None:
        dims = tuple(range(len(shape)))
        a = lax.reshape(a, (math.prod(shape),))
        axis = 0
    else:
        (axis,) = _axes(len(shape), axis, name)
        dims = (axis,)
    if _shape(a)[axis] == 0:
        raise ValueError(f"attempt to get {name} of an empty sequence (input shape {shape})")
    result = prim_fn(a, axis, dtypes.default_int())
    return _expand(result, shape, dims) if keepdims else result


def argmax(a, axis=None, out=None, keepdims=None):
    """Index of the maximum along ``axis`` (flattened if None); int32.

    Ties give the first occurrence and NaN counts as the maximum (as in NumPy).
    """
    return _arg_extreme("argmax", lax.argmax, a, axis, out, keepdims)


def argmin(a, axis=None, out=None, keepdims=None):
    """Index of the minimum along ``axis`` (flattened if None); int32. See ``argmax``."""
    return _arg_extreme("argmin", lax.argmin, a, axis, out, keepdims)


def _nanarg(name, fn, fill, a, axis, out, keepdims):
    check_arraylike(name, a)
    if not dtypes.is_inexact(_dtype(a)):
        return fn(a, axis=axis, out=out, keepdims=keepdims)
    nan_mask = _isnan(a)
    filled = lax.select(nan_mask, lax.full(_shape(a), fill, _dtype(a)), a)
    res = fn(filled, axis=axis, out=out, keepdims=keepdims)
    all_nan = all(nan_mask, axis=axis, keepdims=keepdims)
    return lax.select(all_nan, lax.full(_shape(res), -1, _dtype(res)), res)


def nanargmax(a, axis=None, out=None, keepdims=None):
    """``argmax`` ignoring NaNs; an all-NaN slice gives -1."""
    return _nanarg("nanargmax", argmax, -np.inf, a, axis, out, keepdims)


def nanargmin(a, axis=None, out=None, keepdims=None):
    """``argmin`` ignoring NaNs; an all-NaN slice gives -1."""
    return _nanarg("nanargmin", argmin, np.inf, a, axis, out, keepdims)


# ---------------------------------------------------------------------------
# Cumulative reductions


def _cumulative(name, reduction, a, axis, dtype, out=None, fill_nan=False, fill_value=0,
                promote_integers=False):
    _check_out(name, out)
    check_arraylike(name, a)
    dtype = _user_dtype(dtype, name)
    shape = _shape(a)
    if axis is None or len(shape) == 0:
        a = lax.reshape(a, (math.prod(shape),))
    if axis is None:
        axis = 0
    (axis,) = _axes(len(_shape(a)), axis, name)
    if fill_nan and dtypes.is_inexact(_dtype(a)):
        a = lax.select(_isnan(a), lax.full(_shape(a), fill_value, _dtype(a)),
                       lax.convert_element_type(a, _dtype(a)))
    a_dtype = _dtype(a)
    result_type = dtype or a_dtype
    if (dtype is None and promote_integers) or result_type == np.bool_:
        result_type = _promote_integer_dtype(result_type)
    result_type = dtypes.canonicalize_dtype(result_type)
    if a_dtype != np.bool_ and dtype == np.bool_:
        a = lax.convert_element_type(a, np.bool_)
    a = lax.convert_element_type(a, result_type)
    result = reduction(a, axis) if _shape(a)[axis] else a
    if dtype == np.bool_:
        result = lax.convert_element_type(result, np.bool_)
    return result


def cumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum along ``axis`` (flattened if None).

    The result keeps the input's dtype (bool becomes int32), as in JAX; NumPy
    would widen integers.
    """
    return _cumulative("cumsum", lax.cumsum, a, axis, dtype, out)


def cumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product along ``axis`` (flattened if None)."""
    return _cumulative("cumprod", lax.cumprod, a, axis, dtype, out)


def nancumsum(a, axis=None, dtype=None, out=None):
    """Cumulative sum treating NaNs as zero."""
    return _cumulative("nancumsum", lax.cumsum, a, axis, dtype, out, fill_nan=True,
                       fill_value=0)


def nancumprod(a, axis=None, dtype=None, out=None):
    """Cumulative product treating NaNs as one."""
    return _cumulative("nancumprod", lax.cumprod, a, axis, dtype, out, fill_nan=True,
                       fill_value=1)


def _cumulative_api(name, reduction, x, axis, dtype, include_initial, initial,
                    promote_integers):
    check_arraylike(name, x)
    shape = _shape(x)
    if len(shape) == 0:
        raise ValueError(f"jnp.{name}: the input must be non-scalar to take a cumulative "
                         f"reduction, however a scalar value or scalar array was given")
    if axis is None:
        if len(shape) > 1:
            raise ValueError(f"jnp.{name}: the input array has rank {len(shape)}, however "
                             f"axis was not set to an explicit value. The axis argument is "
                             f"only optional for one-dimensional arrays.")
        axis = 0
    (axis,) = _axes(len(shape), axis, name)
    out = _cumulative(name, reduction, x, axis, dtype, promote_integers=promote_integers)
    if include_initial:
        first_shape = shape[:axis] + (1,) + shape[axis + 1:]
        out = lax.concatenate([lax.full(first_shape, initial, _dtype(out)), out], axis)
    return out


def cumulative_sum(x, /, *, axis=None, dtype=None, include_initial=False):
    """Array-API cumulative sum; integers widen to the default int like ``sum``."""
    return _cumulative_api("cumulative_sum", lax.cumsum, x, axis, dtype, include_initial, 0,
                           True)


def cumulative_prod(x, /, *, axis=None, dtype=None, include_initial=False):
    """Array-API cumulative product."""
    return _cumulative_api("cumulative_prod", lax.cumprod, x, axis, dtype, include_initial, 1,
                           False)


# ---------------------------------------------------------------------------
# Quantiles (sort, then pick and interpolate)

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _take_along_last(a, index):
    """``a[..., index[q, ...]]`` along the last axis, as a masked sum (exact, gather-free).

    a: (..., n); index: (Q, ...) integer -> (Q, ...).
    """
    n = _shape(a)[-1]
    q_shape = _shape(index)
    full = q_shape + (n,)
    iota = lax.broadcasted_iota(_dtype(index), full, len(full) - 1)
    picked = lax.eq(iota, lax.broadcast_in_dim(index, full, tuple(range(len(q_shape)))))
    a_b = lax.broadcast_in_dim(a, full, tuple(range(1, len(full))))
    zeros = lax.full(full, 0, _dtype(a))
    return lax.reduce_sum(lax.select(picked, a_b, zeros), (len(full) - 1,))


def _quantile(name, a, q, axis, method, keepdims, squash_nans):
    if method not in _METHODS:
        raise ValueError(f"jnp.{name}: method can only be " + ", ".join(map(repr, _METHODS))
                         + f"; got {method!r}")
    check_arraylike(name, a, q)
    (a,) = promote_dtypes_inexact(a)
    a = lax.convert_element_type(a, _dtype(a))
    if dtypes.is_complex(_dtype(a)):
        raise ValueError(f"jnp.{name} does not support complex input, as the operation is "
                         f"poorly defined.")
    if len(_shape(q)) > 1:
        raise ValueError(f"jnp.{name}: q must have rank <= 1, got shape {_shape(q)}")
    (q_arr,) = promote_dtypes_inexact(q)
    shape = _shape(a)
    axes = _axes(len(shape), axis, name)
    keep = [i for i in range(len(shape)) if i not in axes]
    # Move the reduced axes last and flatten them into one.
    a = lax.transpose(a, tuple(keep) + axes)
    out_shape = tuple(shape[i] for i in keep)
    n = math.prod(shape[i] for i in axes)
    a = lax.reshape(a, out_shape + (n,))
    q_scalar = _shape(q_arr) == ()
    q1 = lax.reshape(q_arr, (1,)) if q_scalar else q_arr
    nq = _shape(q1)[0]
    qdt = _dtype(q1)
    last = len(out_shape)
    if squash_nans:
        isnan = _isnan(a)
        a = lax.select(isnan, lax.full(_shape(a), np.nan, _dtype(a)), a)
        counts = lax.reduce_sum(lax.convert_element_type(lax.bitwise_not(isnan), qdt), (last,))
    else:
        any_nan = lax.reduce_or(_isnan(a), (last,))
        a = lax.select(lax.broadcast_in_dim(any_nan, _shape(a), tuple(range(last))),
                       lax.full(_shape(a), np.nan, _dtype(a)), a)
        counts = lax.full(out_shape, n, qdt)
    a = lax.sort(a, dimension=last)
    full_q = (nq,) + out_shape
    counts = lax.broadcast_in_dim(counts, full_q, tuple(range(1, len(full_q))))
    qb = lax.broadcast_in_dim(q1, full_q, (0,))
    one = lax.full(full_q, 1, qdt)
    pos = lax.mul(qb, lax.sub(counts, one))
    low, high = lax.floor(pos), lax.ceil(pos)
    high_weight = lax.sub(pos, low)
    low_weight = lax.sub(one, high_weight)
    top = lax.sub(counts, one)
    zero = lax.full(full_q, 0, qdt)
    low = lax.max(zero, lax.min(low, top))
    high = lax.max(zero, lax.min(high, top))
    idx_dtype = dtypes.default_int()
    low_value = _take_along_last(a, lax.convert_element_type(low, idx_dtype))
    high_value = _take_along_last(a, lax.convert_element_type(high, idx_dtype))
    if method == "linear":
        result = lax.add(lax.mul(lax.convert_element_type(low_value, qdt), low_weight),
                         lax.mul(lax.convert_element_type(high_value, qdt), high_weight))
    elif method == "lower":
        result = low_value
    elif method == "higher":
        result = high_value
    elif method == "nearest":
        pred = lax.le(high_weight, lax.full(full_q, 0.5, qdt))
        result = lax.select(pred, low_value, high_value)
    else:
        result = lax.mul(lax.add(low_value, high_value), lax.full(full_q, 0.5, _dtype(low_value)))
    result = lax.convert_element_type(result, _dtype(a))
    if keepdims:
        result = lax.reshape(result, (nq,) + _keepdims_shape(shape, axes))
    return lax.reshape(result, _shape(result)[1:]) if q_scalar else result


def quantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
             keepdims=False):
    """The ``q``-th quantile(s) of ``a`` along ``axis`` (``numpy.quantile``).

    Args:
      a: array (integers are promoted to float32).
      q: scalar or 1-d array of quantiles in [0, 1].
      axis: None (flattened), an int or a tuple of ints.
      method: "linear" (default), "lower", "higher", "midpoint" or "nearest".
      keepdims: keep reduced axes with size 1.

    Returns:
      An array of shape ``q.shape + reduced shape``. NaN in a slice gives NaN.
    """
    if overwrite_input or out is not None:
        raise ValueError("jnp.quantile does not support overwrite_input=True or out != None")
    return _quantile("quantile", a, q, axis, method, keepdims, squash_nans=False)


def nanquantile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                keepdims=False):
    """``quantile`` ignoring NaNs."""
    if overwrite_input or out is not None:
        raise ValueError("jnp.nanquantile does not support overwrite_input=True or "
                         "out != None")
    return _quantile("nanquantile", a, q, axis, method, keepdims, squash_nans=True)


def _percent(name, q):
    check_arraylike(name, q)
    (q,) = promote_dtypes_inexact(q)
    q = lax.convert_element_type(q, _dtype(q))
    return lax.div(q, lax.full(_shape(q), 100, _dtype(q)))


def percentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
               keepdims=False):
    """The ``q``-th percentile(s) (``q`` in [0, 100]); see ``quantile``."""
    return quantile(a, _percent("percentile", q), axis=axis, out=out,
                    overwrite_input=overwrite_input, method=method, keepdims=keepdims)


def nanpercentile(a, q, axis=None, out=None, overwrite_input=False, method="linear",
                  keepdims=False):
    """``percentile`` ignoring NaNs."""
    return nanquantile(a, _percent("nanpercentile", q), axis=axis, out=out,
                       overwrite_input=overwrite_input, method=method, keepdims=keepdims)


def median(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """Median along ``axis`` (the midpoint of the two middle values for even counts)."""
    return quantile(a, 0.5, axis=axis, out=out, overwrite_input=overwrite_input,
                    keepdims=keepdims, method="midpoint")


def nanmedian(a, axis=None, out=None, overwrite_input=False, keepdims=False):
    """Median ignoring NaNs."""
    return nanquantile(a, 0.5, axis=axis, out=out, overwrite_input=overwrite_input,
                       keepdims=keepdims, method="midpoint")



