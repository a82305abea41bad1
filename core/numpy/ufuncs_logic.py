"""Elementwise glassbox.numpy functions that compare, select and test values:
comparisons, logical and bitwise functions, shifts, ``maximum``/``minimum``,
``clip``, ``where``, the ``is*`` predicates, ``isclose``, ``nan_to_num``.

Re-exported by ``ufuncs.py`` (so ``glassbox.numpy`` has them); the helpers
(promotion, constants, ``_where``) live there.
"""
import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import check_arraylike, eager_lane, promote_dtypes_inexact
from .ufuncs import (_asarray, _const, _dtype, _full_like, _is_complex, _isnan,
                     _promote_args, _promote_args_inexact, _promote_args_numeric, _where, absolute)

__all__ = [
    "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
    "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "bitwise_invert", "invert",
    "left_shift", "right_shift", "bitwise_left_shift", "bitwise_right_shift", "bitwise_count",
    "maximum", "minimum", "fmax", "fmin", "clip", "where",
    "isfinite", "isinf", "isnan", "isposinf", "isneginf", "signbit", "copysign", "nextafter",
    "heaviside", "nan_to_num", "isclose", "allclose",
]


# --- comparisons -------------------------------------------------------------

@eager_lane(lax.eq_p, "biufc")
def equal(x1, x2, /):
    """Elementwise ``x1 == x2`` (``==`` on arrays)."""
    return lax.eq(*_promote_args("equal", x1, x2))


@eager_lane(lax.ne_p, "biufc")
def not_equal(x1, x2, /):
    """Elementwise ``x1 != x2`` (``!=`` on arrays)."""
    return lax.ne(*_promote_args("not_equal", x1, x2))


def _ordered_compare(lax_op, x1, x2):
    # Complex numbers compare lexicographically: real parts, then imaginary parts (as NumPy).
    if _is_complex(x1):
        re1, re2 = lax.real(x1), lax.real(x2)
        return lax.select(lax.eq(re1, re2), lax_op(lax.imag(x1), lax.imag(x2)), lax_op(re1, re2))
    return lax_op(x1, x2)


@eager_lane(lax.lt_p, "iuf")
def less(x1, x2, /):
    """Elementwise ``x1 < x2`` (``<`` on arrays)."""
    return _ordered_compare(lax.lt, *_promote_args("less", x1, x2))


@eager_lane(lax.le_p, "iuf")
def less_equal(x1, x2, /):
    """Elementwise ``x1 <= x2`` (``<=`` on arrays)."""
    return _ordered_compare(lax.le, *_promote_args("less_equal", x1, x2))


@eager_lane(lax.gt_p, "iuf")
def greater(x1, x2, /):
    """Elementwise ``x1 > x2`` (``>`` on arrays)."""
    return _ordered_compare(lax.gt, *_promote_args("greater", x1, x2))


@eager_lane(lax.ge_p, "iuf")
def greater_equal(x1, x2, /):
    """Elementwise ``x1 >= x2`` (``>=`` on arrays)."""
    return _ordered_compare(lax.ge, *_promote_args("greater_equal", x1, x2))


# --- logical -----------------------------------------------------------------

def _to_bool(x):
    return x if _dtype(x) == np.bool_ else lax.ne(x, _const(x, 0))


def logical_and(x1, x2, /):
    """Elementwise ``bool(x1) and bool(x2)``."""
    return lax.bitwise_and(*map(_to_bool, _promote_args("logical_and", x1, x2)))


def logical_or(x1, x2, /):
    """Elementwise ``bool(x1) or bool(x2)``."""
    return lax.bitwise_or(*map(_to_bool, _promote_args("logical_or", x1, x2)))


def logical_xor(x1, x2, /):
    """Elementwise ``bool(x1) != bool(x2)``."""
    return lax.bitwise_xor(*map(_to_bool, _promote_args("logical_xor", x1, x2)))


def logical_not(x, /):
    """Elementwise ``not bool(x)``."""
    return lax.bitwise_not(*map(_to_bool, _promote_args("logical_not", x)))


# --- bitwise and shifts ------------------------------------------------------

def bitwise_and(x1, x2, /):
    """Elementwise bitwise AND of integers or bools (``&`` on arrays)."""
    return lax.bitwise_and(*_promote_args("bitwise_and", x1, x2))


def bitwise_or(x1, x2, /):
    """Elementwise bitwise OR of integers or bools (``|`` on arrays)."""
    return lax.bitwise_or(*_promote_args("bitwise_or", x1, x2))


def bitwise_xor(x1, x2, /):
    """Elementwise bitwise XOR of integers or bools (``^`` on arrays)."""
    return lax.bitwise_xor(*_promote_args("bitwise_xor", x1, x2))


def invert(x, /):
    """Elementwise bitwise NOT of integers, logical NOT of bools (``~`` on arrays)."""
    return lax.bitwise_not(*_promote_args("invert", x))


bitwise_not = bitwise_invert = invert


def left_shift(x1, x2, /):
    """Elementwise ``x1 << x2`` (shifts of the bit width or more give 0)."""
    return lax.shift_left(*_promote_args_numeric("left_shift", x1, x2))


def right_shift(x1, x2, /):
    """Elementwise ``x1 >> x2``: arithmetic for signed integers, logical for unsigned."""
    x1, x2 = _promote_args_numeric("right_shift", x1, x2)
    if dtypes.is_unsigned(_dtype(x1)):
        return lax.shift_right_logical(x1, x2)
    return lax.shift_right_arithmetic(x1, x2)


bitwise_left_shift, bitwise_right_shift = left_shift, right_shift


def bitwise_count(x, /):
    """Elementwise number of set bits in ``|x|``, as uint8 (as NumPy)."""
    x, = _promote_args_numeric("bitwise_count", x)
    return lax.convert_element_type(lax.population_count(absolute(x)), np.uint8)


# --- maximum / minimum / clip ------------------------------------------------

@eager_lane(lax.max_p, "iuf")
def maximum(x1, x2, /):
    """Elementwise maximum; nan if either is nan."""
    return lax.max(*_promote_args("maximum", x1, x2))


@eager_lane(lax.min_p, "iuf")
def minimum(x1, x2, /):
    """Elementwise minimum; nan if either is nan."""
    return lax.min(*_promote_args("minimum", x1, x2))


def fmax(x1, x2, /):
    """Elementwise maximum ignoring nans (nan only where both are nan)."""
    check_arraylike("fmax", x1, x2)
    return _where(logical_or(greater(x1, x2), isnan(x2)), x1, x2)


def fmin(x1, x2, /):
    """Elementwise minimum ignoring nans (nan only where both are nan)."""
    check_arraylike("fmin", x1, x2)
    return _where(logical_or(less(x1, x2), isnan(x2)), x1, x2)


_UNSET = object()


def clip(arr=None, /, min=None, max=None, *, a=_UNSET, a_min=_UNSET, a_max=_UNSET):  # noqa: A002
    """Elementwise ``minimum(maximum(arr, min), max)``; ``None`` leaves a side open.

    ``a``, ``a_min`` and ``a_max`` are accepted as older names of ``arr``,
    ``min`` and ``max`` (NumPy's).
    """
    if a is not _UNSET:
        arr = a
    if a_min is not _UNSET:
        min = a_min
    if a_max is not _UNSET:
        max = a_max
    if arr is None:
        raise TypeError("clip: the array argument is required")
    check_arraylike("clip", arr, *[b for b in (min, max) if b is not None])
    if any(b is not None and _is_complex(b) for b in (arr, min, max)):
        raise ValueError("clip: complex values have no ordering and cannot be clipped; "
                         "clip their real or imaginary parts (jnp.real, jnp.imag) instead")
    if min is not None:
        arr = maximum(min, arr)
    if max is not None:
        arr = minimum(max, arr)
    return _asarray(arr)


# --- where -------------------------------------------------------------------

def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """Elementwise ``x if condition else y`` (promoting ``x`` and ``y``, broadcasting all three).

    With only ``condition``, the same as ``nonzero(condition)``.

    >>> jnp.where(jnp.array([True, False]), 1, 2.5)
    Array([1. , 2.5], dtype=float32, weak_type=True)
    """
    if x is None and y is None:
        return jnp.nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("where: either both or neither of x and y must be given")
    if size is not None or fill_value is not None:
        raise ValueError("where: size and fill_value apply only to the one-argument form")
    check_arraylike("where", condition, x, y)
    return _where(condition, x, y)


# --- predicates --------------------------------------------------------------

def isfinite(x, /):
    """Elementwise "neither inf nor nan" (always True for integers and bools)."""
    check_arraylike("isfinite", x)
    dtype = _dtype(x)
    if dtypes.is_float(dtype):
        return lax.is_finite(x)
    if dtypes.is_complex(dtype):
        return lax.bitwise_and(lax.is_finite(lax.real(x)), lax.is_finite(lax.imag(x)))
    return _full_like(x, True, np.bool_)


def isinf(x, /):
    """Elementwise "is +inf or -inf" (for complex: either part)."""
    check_arraylike("isinf", x)
    dtype = _dtype(x)
    if dtypes.is_float(dtype):
        return lax.eq(lax.abs(x), _const(x, np.inf))
    if dtypes.is_complex(dtype):
        re, im = lax.real(x), lax.imag(x)
        return lax.bitwise_or(lax.eq(lax.abs(re), _const(re, np.inf)),
                              lax.eq(lax.abs(im), _const(im, np.inf)))
    return _full_like(x, False, np.bool_)


def _isposneginf(fun_name, infinity, x, out):
    check_arraylike(fun_name, x)
    if out is not None:
        raise NotImplementedError(f"{fun_name}: the out argument is not supported")
    dtype = _dtype(x)
    if dtypes.is_float(dtype):
        return lax.eq(x, _const(x, infinity))
    if dtypes.is_complex(dtype):
        raise ValueError(f"{fun_name} is not well defined for complex types")
    return _full_like(x, False, np.bool_)


def isposinf(x, /, out=None):
    """Elementwise ``x == +inf`` (complex input is a ValueError)."""
    return _isposneginf("isposinf", np.inf, x, out)


def isneginf(x, /, out=None):
    """Elementwise ``x == -inf`` (complex input is a ValueError)."""
    return _isposneginf("isneginf", -np.inf, x, out)


def isnan(x, /):
    """Elementwise "is nan" (``x != x``)."""
    check_arraylike("isnan", x)
    return _isnan(x)


_INT_OF_WIDTH = {16: np.int16, 32: np.int32, 64: np.int64}


def signbit(x, /):
    """Elementwise "the sign bit is set" (True for -0.0 and negative nans)."""
    x, = _promote_args("signbit", x)
    dtype = _dtype(x)
    if dtypes.is_int(dtype):
        return lax.lt(x, _const(x, 0))
    if dtype == np.bool_:
        return _full_like(x, False, np.bool_)
    if not dtypes.is_float(dtype):
        raise ValueError(f"signbit is not well defined for {dtype.name}")
    info = dtypes.finfo(dtype)
    as_int = lax.bitcast_convert_type(x, _INT_OF_WIDTH[info.bits])
    sign = lax.shift_right_arithmetic(as_int, _const(as_int, info.bits - 1))
    return lax.convert_element_type(sign, np.bool_)


def copysign(x1, x2, /):
    """Elementwise ``|x1|`` with the sign of ``x2`` (real inputs)."""
    x1, x2 = _promote_args_inexact("copysign", x1, x2)
    if _is_complex(x1):
        raise TypeError("copysign does not support complex-valued inputs")
    magnitude = lax.abs(x1)
    return _where(signbit(x2), lax.neg(magnitude), magnitude)


def nextafter(x1, x2, /):
    """Elementwise next representable float after ``x1`` toward ``x2``."""
    return lax.nextafter(*_promote_args_inexact("nextafter", x1, x2))


def heaviside(x1, x2, /):
    """Elementwise step function: 0 for ``x1 < 0``, ``x2`` at 0, 1 for ``x1 > 0``."""
    check_arraylike("heaviside", x1, x2)
    x1, x2 = promote_dtypes_inexact(x1, x2)
    zero = _const(x1, 0)
    return _where(lax.lt(x1, zero), zero, _where(lax.gt(x1, zero), _const(x1, 1), x2))


def nan_to_num(x, copy=True, nan=0.0, posinf=None, neginf=None):
    """Replace nan by ``nan``, +inf by ``posinf`` (default: the dtype's max), -inf by ``neginf``."""
    del copy   # arrays are immutable: a new array is always returned
    check_arraylike("nan_to_num", x)
    dtype = _dtype(x)
    if not dtypes.is_inexact(dtype):
        return _asarray(x)
    if dtypes.is_complex(dtype):
        parts = [nan_to_num(p, nan=nan, posinf=posinf, neginf=neginf)
                 for p in (lax.real(x), lax.imag(x))]
        return lax.complex(*parts)
    info = dtypes.finfo(dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    out = _where(isnan(x), np.array(nan, dtype), x)
    out = _where(isposinf(out), np.array(posinf, dtype), out)
    return _where(isneginf(out), np.array(neginf, dtype), out)


def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|a - b| <= atol + rtol * |b|``, with infinities equal only to themselves."""
    a, b = _promote_args("isclose", a, b)
    dtype = _dtype(a)
    if not dtypes.is_inexact(dtype):
        return lax.eq(a, b)
    part = np.abs(np.zeros((), dtype)).dtype   # tolerances are real
    rtol = lax.convert_element_type(rtol, part)
    atol = lax.convert_element_type(atol, part)
    out = lax.le(lax.abs(lax.sub(a, b)), lax.add(atol, lax.mul(rtol, lax.abs(b))))
    a_inf, b_inf = isinf(a), isinf(b)
    out = logical_and(out, logical_not(logical_or(a_inf, b_inf)))
    out = logical_or(out, logical_and(logical_and(a_inf, b_inf), lax.eq(a, b)))
    a_nan, b_nan = isnan(a), isnan(b)
    out = logical_and(out, logical_not(logical_or(a_nan, b_nan)))
    if equal_nan:
        out = logical_or(out, logical_and(a_nan, b_nan))
    return out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Whether ``isclose`` holds everywhere (a 0-d bool array)."""
    return jnp.all(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))

