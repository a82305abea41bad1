"""Elementwise glassbox.numpy functions (ufuncs): promote, broadcast, call lax.

Each function follows ``jax.numpy``: arguments are promoted with JAX's
lattice (Python scalars are weak: ``float16_array * 2.0`` stays float16),
broadcast NumPy-style, then passed to lax primitives. Math on integers
promotes to the default float (``jnp.sin(int32) -> float32``), as in JAX.

Where JAX differs from NumPy on purpose, so does this module: integer
division by zero gives what XLA gives (not NumPy's 0), ``power`` of integers
by negative integers is an error, ``rint`` of integers gives floats.
Comparisons, logical functions, predicates, ``where`` and ``clip`` are in
``ufuncs_logic.py`` and re-exported here.
"""
import operator
import warnings

import numpy as np

from .. import dtypes, lax
from ..api import device_put
from ..core import Tracer, get_aval
from ..custom_derivatives import custom_jvp
from .dtype_api import canonicalize_user_dtype
from ._util import (broadcast_shapes_jnp, broadcast_to, check_arraylike, eager_lane,
                    promote_and_broadcast, promote_dtypes, promote_dtypes_inexact,
                    promote_dtypes_numeric)
from ..dtypes import PYTHON_SCALARS


# --- helpers shared with ufuncs_logic ----------------------------------------

def _dtype(x):
    return get_aval(x).dtype


def _is_complex(x):
    return dtypes.is_complex(_dtype(x))


def _const(x, value):
    """``value`` as a strongly typed constant of ``x``'s dtype (JAX's ``lax._const``)."""
    return np.array(value, dtype=_dtype(x))


def _broadcast(fun_name, args):
    shapes = [np.shape(a) if type(a) in PYTHON_SCALARS else get_aval(a).shape for a in args]
    shape = broadcast_shapes_jnp(fun_name, shapes)
    return [a if type(a) in PYTHON_SCALARS and shape == () else broadcast_to(a, shape) for a in args]


_BOOL = np.dtype(np.bool_)
_INEXACT = frozenset(d for d in dtypes.SUPPORTED if dtypes.is_inexact(d))


def _promote_args(fun_name, *args):
    """Check, promote (JAX's lattice) and broadcast: jax.numpy's ``promote_args``."""
    if len(args) == 1:
        check_arraylike(fun_name, *args)
        return list(args)
    return promote_and_broadcast(fun_name, *args)


def _promote_args_inexact(fun_name, *args):
    """As ``_promote_args``, then integers and bools become the default float."""
    if len(args) == 1:
        aval = getattr(args[0], "aval", None)
        if aval is not None and aval.dtype in _INEXACT:   # fast path: nothing to do
            return list(args)
        check_arraylike(fun_name, *args)
        return promote_dtypes_inexact(*args)
    return promote_and_broadcast(fun_name, *args, inexact=True)


def _promote_args_numeric(fun_name, *args):
    """As ``_promote_args``, then bool becomes the default int."""
    check_arraylike(fun_name, *args)
    return _broadcast(fun_name, promote_dtypes_numeric(*args))


def _asarray(x):
    """``x`` as a glassbox Array (or tracer), keeping its dtype and weak type."""
    if hasattr(x, "aval"):
        return x
    aval = get_aval(x)
    return lax.convert_element_type_p.bind(x, new_dtype=aval.dtype, weak_type=aval.weak_type)


def _full_like(x, value, dtype=None):
    """An array of ``x``'s shape filled with ``value`` (weak if ``x`` is and no dtype is given)."""
    aval = get_aval(x)
    weak = dtype is None and aval.weak_type
    dtype = aval.dtype if dtype is None else dtypes.canonicalize_dtype(dtype)
    fill = np.array(value, dtype)
    if weak:
        fill = lax.convert_element_type_p.bind(fill, new_dtype=dtype, weak_type=True)
    return lax.broadcast_in_dim_p.bind(fill, shape=aval.shape, broadcast_dimensions=())


def _isnan(x):
    return lax.ne(x, x)


def _call_custom_jvp(fun, *args):
    """``fun(*args)`` for a ``custom_jvp`` function, evaluated plainly when nothing traces it.

    A custom rule only matters under a transform (``grad``, ``jit``, ``vmap``...,
    whose values are tracers); eager calls skip tracing the body into a jaxpr.
    """
    if any(isinstance(a, Tracer) for a in args):
        return fun(*args)
    return fun.fun(*args)


def _where(condition, x, y):
    """``where`` with its three arguments (no argument checking), as JAX's ``util._where``."""
    if _dtype(condition) != np.bool_:
        condition = lax.ne(condition, _const(condition, 0))
    x, y = promote_dtypes(x, y)
    if get_aval(condition).shape == ():
        x, y = _broadcast("where", [x, y])   # select_n takes a scalar predicate as it is
    else:
        condition, x, y = _broadcast("where", [condition, x, y])
    return lax.select_n(condition, y, x)


# --- add / subtract / multiply / divide --------------------------------------

@eager_lane(lax.add_p, "iufc")
def add(x1, x2, /):
    """Elementwise ``x1 + x2`` (``+`` on arrays); logical OR for bools."""
    x1, x2 = _promote_args("add", x1, x2)
    return lax.add(x1, x2) if _dtype(x1) is not _BOOL else lax.bitwise_or(x1, x2)


@eager_lane(lax.sub_p, "iufc")
def subtract(x1, x2, /):
    """Elementwise ``x1 - x2`` (``-`` on arrays)."""
    return lax.sub(*_promote_args("subtract", x1, x2))


@eager_lane(lax.mul_p, "iufc")
def multiply(x1, x2, /):
    """Elementwise ``x1 * x2`` (``*`` on arrays); logical AND for bools."""
    x1, x2 = _promote_args("multiply", x1, x2)
    return lax.mul(x1, x2) if _dtype(x1) != np.bool_ else lax.bitwise_and(x1, x2)


@eager_lane(lax.div_p, "fc")
def true_divide(x1, x2, /):
    """Elementwise ``x1 / x2`` in floating point (``/`` on arrays): ints give float32.

    >>> jnp.true_divide(jnp.array([1, 2]), 2)
    Array([0.5, 1. ], dtype=float32)
    """
    return lax.div(*_promote_args_inexact("true_divide", x1, x2))


def divide(x1, x2, /):
    """Alias of ``true_divide``."""
    return true_divide(x1, x2)


def floor_divide(x1, x2, /):
    """Elementwise ``x1 // x2``, rounding toward negative infinity as Python does.

    Integer division by zero gives what XLA gives (not NumPy's 0).
    """
    x1, x2 = _promote_args_numeric("floor_divide", x1, x2)
    dtype = _dtype(x1)
    if dtypes.is_unsigned(dtype):
        return lax.div(x1, x2)
    if dtypes.is_int(dtype):
        quotient = lax.div(x1, x2)
        # C division truncates; step down where the signs differ and it was inexact.
        inexact = lax.bitwise_and(lax.ne(lax.sign(x1), lax.sign(x2)),
                                  lax.ne(lax.rem(x1, x2), _const(x1, 0)))
        return lax.select(inexact, lax.sub(quotient, _const(quotient, 1)), quotient)
    if dtypes.is_complex(dtype):
        raise TypeError("floor_divide does not support complex-valued inputs")
    return _float_divmod(x1, x2)[0]


def _float_divmod(x1, x2):
    # As CPython's float_divmod (floatobject.c), the way JAX does it. Dividing by
    # zero divides x1 itself (x1 - nan would make it nan): x // 0.0 is +-inf.
    mod = lax.rem(x1, x2)
    div = lax.div(lax.select(lax.eq(x2, _const(x2, 0)), x1, lax.sub(x1, mod)), x2)
    fix = lax.bitwise_and(lax.ne(mod, _const(mod, 0)), lax.ne(lax.sign(x2), lax.sign(mod)))
    mod = lax.select(fix, lax.add(mod, x2), mod)
    div = lax.select(fix, lax.sub(div, _const(div, 1)), div)
    return lax.round(div), mod


def remainder(x1, x2, /):
    """Elementwise ``x1 % x2`` with the sign of ``x2``, as Python's ``%`` (and NumPy's).

    Integer ``x % 0`` is 0, as in NumPy.
    """
    x1, x2 = _promote_args_numeric("remainder", x1, x2)
    zero = _const(x1, 0)
    if dtypes.is_int(_dtype(x2)):
        x2 = lax.select(lax.eq(x2, zero), _full_like(x2, 1), x2)
    trunc_mod = lax.rem(x1, x2)
    do_plus = lax.bitwise_and(lax.ne(lax.lt(trunc_mod, zero), lax.lt(x2, zero)),
                              lax.ne(trunc_mod, zero))
    return lax.select(do_plus, lax.add(trunc_mod, x2), trunc_mod)


def mod(x1, x2, /):
    """Alias of ``remainder``."""
    return remainder(x1, x2)


def fmod(x1, x2, /):
    """Elementwise C-style remainder (sign of ``x1``); integer ``x % 0`` is 0."""
    x1, x2 = _promote_args_numeric("fmod", x1, x2)
    if dtypes.is_int(_dtype(x2)):
        x2 = lax.select(lax.eq(x2, _const(x2, 0)), _full_like(x2, 1), x2)
    return lax.rem(x1, x2)


def divmod(x1, x2, /):  # noqa: A001 (NumPy's name)
    """``(floor_divide(x1, x2), remainder(x1, x2))`` (``divmod()`` on arrays)."""
    x1, x2 = _promote_args_numeric("divmod", x1, x2)
    if dtypes.is_int(_dtype(x1)):
        return floor_divide(x1, x2), remainder(x1, x2)
    return _float_divmod(x1, x2)


# --- power -------------------------------------------------------------------

def _concrete_int(x):
    """``x`` as a Python int if it is a known integer scalar (not a traced value), else None."""
    if type(x) in (int, bool):
        return int(x)
    if isinstance(x, Tracer) and x.to_concrete_value() is None:
        return None
    aval = get_aval(x)
    if aval.shape or not dtypes.is_int(aval.dtype):
        return None
    return operator.index(x) if not isinstance(x, Tracer) else int(x.to_concrete_value())


def power(x1, x2, /):
    """Elementwise ``x1 ** x2`` (``**`` on arrays).

    - a known integer exponent (``x ** 2``) uses ``lax.integer_pow``:
      exact repeated multiplication, and the base's dtype is kept;
    - integer bases with integer exponents stay integers (a negative known
      exponent is a TypeError, as in JAX);
    - a float base with an integer array exponent keeps the base's dtype;
    - otherwise both are promoted and ``lax.pow`` is used.
    """
    check_arraylike("power", x1, x2)
    n = _concrete_int(x2)
    if n is not None:
        x1, = promote_dtypes_numeric(x1)
        return lax.integer_pow(x1, n)
    x1, x2 = _broadcast("power", [x1, x2])
    x1p, x2p = _promote_args_numeric("power", x1, x2)
    if dtypes.is_int(_dtype(x1p)):
        return _pow_int_int(x1p, x2p)
    if dtypes.is_inexact(_dtype(x1)) and dtypes.is_int(_dtype(x2)):
        return lax.pow(x1, x2)
    return lax.pow(x1p, x2p)


def pow(x1, x2, /):  # noqa: A001 (NumPy's name)
    """Alias of ``power``."""
    return power(x1, x2)


def _pow_int_int(x1, x2):
    # Binary exponentiation over the 6 low bits of the exponent (more overflows anyway).
    zero, one = _const(x2, 0), _const(x2, 1)
    acc = lax.select(lax.bitwise_and(lax.eq(x1, zero), lax.ne(x2, zero)),
                     _full_like(x1, 0), _full_like(x1, 1))
    for _ in range(6):
        acc = lax.select(lax.ne(lax.bitwise_and(x2, one), zero), lax.mul(acc, x1), acc)
        x1 = lax.mul(x1, x1)
        x2 = lax.shift_right_logical(x2, one)
    return acc


def float_power(x1, x2, /):
    """Elementwise ``x1 ** x2`` after promoting both to a floating dtype."""
    return lax.pow(*_promote_args_inexact("float_power", x1, x2))


# --- sign, negative, abs -----------------------------------------------------

def negative(x, /):
    """Elementwise ``-x`` (unsigned integers wrap around)."""
    return lax.neg(*_promote_args("negative", x))


def positive(x, /):
    """Elementwise ``+x``: a copy of ``x`` as an array."""
    return _asarray(*_promote_args("positive", x))


def absolute(x, /):
    """Elementwise absolute value (the modulus, a real value, for complex input)."""
    check_arraylike("absolute", x)
    dtype = _dtype(x)
    if dtype == np.bool_ or dtypes.is_unsigned(dtype):
        return _asarray(x)
    return lax.abs(x)


def abs(x, /):  # noqa: A001 (NumPy's name)
    """Alias of ``absolute``."""
    return absolute(x)


def fabs(x, /):
    """Elementwise absolute value as a float (complex input is a TypeError)."""
    check_arraylike("fabs", x)
    if _is_complex(x):
        raise TypeError("ufunc 'fabs' does not support complex dtypes")
    return lax.abs(*_promote_args_inexact("fabs", x))


def sign(x, /):
    """Elementwise sign: -1, 0 or 1 (``x / |x|`` for complex)."""
    return lax.sign(*_promote_args("sign", x))


# --- rounding ----------------------------------------------------------------

def _is_integral(x):
    dtype = _dtype(x)
    return dtype == np.bool_ or dtypes.is_int(dtype)


def floor(x, /):
    """Elementwise floor; integer and bool inputs are returned unchanged."""
    check_arraylike("floor", x)
    if _is_integral(x):
        return _asarray(x)
    return lax.floor(*_promote_args_inexact("floor", x))


def ceil(x, /):
    """Elementwise ceiling; integer and bool inputs are returned unchanged."""
    check_arraylike("ceil", x)
    if _is_integral(x):
        return _asarray(x)
    return lax.ceil(*_promote_args_inexact("ceil", x))


def trunc(x, /):
    """Elementwise rounding toward zero; integer and bool inputs are returned unchanged."""
    check_arraylike("trunc", x)
    if _is_integral(x):
        return _asarray(x)
    return _where(lax.lt(x, _const(x, 0)), ceil(x), floor(x))


def fix(x, out=None):
    """Elementwise rounding toward zero (NumPy's ``fix``)."""
    check_arraylike("fix", x)
    if out is not None:
        raise NotImplementedError("fix: the out argument is not supported (arrays are immutable)")
    return _where(lax.ge(x, _const(x, 0)), floor(x), ceil(x))


def rint(x, /):
    """Round to the nearest integer, halves to even; integer inputs become floats (as in JAX)."""
    check_arraylike("rint", x)
    if _is_integral(x):
        return _asarray(lax.convert_element_type(x, dtypes.default_float()))
    if _is_complex(x):
        return lax.complex(rint(lax.real(x)), rint(lax.imag(x)))
    return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)


def round(a, decimals=0, out=None):  # noqa: A001 (NumPy's name)
    """Round to ``decimals`` decimal places, halves to even (as NumPy).

    Args:
      a: array; integers are returned unchanged (``decimals`` must be >= 0).
      decimals: number of decimal places (negative: round to tens, hundreds...).

    >>> jnp.round(jnp.array([0.5, 1.5, 2.5, 3.14159]))
    Array([0., 2., 2., 3.], dtype=float32)
    """
    check_arraylike("round", a)
    try:
        decimals = operator.index(decimals)
    except TypeError:
        raise TypeError(f"round: decimals must be an int, got {decimals!r}") from None
    if out is not None:
        raise NotImplementedError("round: the out argument is not supported (arrays are immutable)")
    dtype = _dtype(a)
    if dtypes.is_int(dtype):
        if decimals < 0:
            raise NotImplementedError("integer round is not implemented for decimals < 0")
        return _asarray(a)

    def round_real(x):
        if decimals == 0:
            return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)
        # float16 scales in float32, as JAX does (x * 10**d overflows float16 quickly).
        x = lax.convert_element_type(x, np.float32) if dtype == np.float16 else x
        factor = _const(x, 10 ** decimals)
        out = lax.div(lax.round(lax.mul(x, factor), lax.RoundingMethod.TO_NEAREST_EVEN), factor)
        return lax.convert_element_type(out, dtype) if dtype == np.float16 else out
    if dtypes.is_complex(dtype):
        return lax.complex(round_real(lax.real(a)), round_real(lax.imag(a)))
    return round_real(a)


around = round


def modf(x, /, out=None):
    """``(fractional part, integral part)`` of ``x``, both with ``x``'s sign."""
    check_arraylike("modf", x)
    if out is not None:
        raise NotImplementedError("modf: the out argument is not supported (arrays are immutable)")
    x, = promote_dtypes_inexact(x)
    whole = _where(lax.ge(x, _const(x, 0)), floor(x), ceil(x))
    return lax.sub(x, whole), whole


# --- exponentials and logarithms ---------------------------------------------

def exp(x, /):
    """Elementwise ``e**x``."""
    return lax.exp(*_promote_args_inexact("exp", x))


def exp2(x, /):
    """Elementwise ``2**x``."""
    return lax.exp2(*_promote_args_inexact("exp2", x))


def expm1(x, /):
    """Elementwise ``exp(x) - 1``, accurate for small ``x``."""
    return lax.expm1(*_promote_args_inexact("expm1", x))


def log(x, /):
    """Elementwise natural logarithm."""
    return lax.log(*_promote_args_inexact("log", x))


def log1p(x, /):
    """Elementwise ``log(1 + x)``, accurate for small ``x``."""
    return lax.log1p(*_promote_args_inexact("log1p", x))


def _log_base(fun_name, x, base):
    x, = _promote_args_inexact(fun_name, x)
    if _is_complex(x):
        r = lax.log(x)
        re, im = lax.real(r), lax.imag(r)
        ln = lax.log(_const(re, base))
        return lax.complex(lax.div(re, ln), lax.div(im, ln))
    return lax.div(lax.log(x), lax.log(_const(x, base)))


def log2(x, /):
    """Elementwise base-2 logarithm: ``log(x) / log(2)``."""
    return _log_base("log2", x, 2)


def log10(x, /):
    """Elementwise base-10 logarithm: ``log(x) / log(10)``."""
    return _log_base("log10", x, 10)


def logaddexp(x1, x2, /):
    """Elementwise ``log(exp(x1) + exp(x2))`` without overflow.

    Differentiated by a custom rule, as in JAX: ``t1 * exp(x1 - out) + t2 * exp(x2 - out)``
    with ``+inf`` read as 0 there, so infinite arguments give finite derivatives.
    """
    return _call_custom_jvp(_logaddexp, *_promote_args_inexact("logaddexp", x1, x2))


def _logaddexp_value(x1, x2):
    amax = lax.max(x1, x2)
    if not _is_complex(x1):
        delta = lax.sub(x1, x2)
        return lax.select(_isnan(delta),
                          lax.add(x1, x2),   # nans, or infinities of the same sign
                          lax.add(amax, lax.log1p(lax.exp(lax.neg(lax.abs(delta))))))
    delta = lax.sub(lax.add(x1, x2), lax.mul(amax, _const(amax, 2)))
    out = lax.add(amax, lax.log1p(lax.exp(delta)))
    return lax.complex(lax.real(out), _wrap_between(lax.imag(out), np.pi))


def _wrap_between(x, a):
    """``x`` wrapped into ``[-a, a]``."""
    a, two_a, zero = _const(x, a), _const(x, 2 * a), _const(x, 0)
    rem = lax.rem(lax.add(x, a), two_a)
    rem = lax.select(lax.lt(rem, zero), lax.add(rem, two_a), rem)
    return lax.sub(rem, a)


def _replace_inf(x):
    """``x`` with ``+inf`` (in the real part) replaced by 0: JAX's logaddexp jvp helper."""
    re = lax.real(x) if _is_complex(x) else x
    return lax.select(lax.eq(re, _const(re, np.inf)), _full_like(x, 0), x)


def _logaddexp_jvp_rule(fun, exp_fn):
    def rule(primals, tangents):
        (x1, x2), (t1, t2) = primals, tangents
        out = _call_custom_jvp(fun, x1, x2)
        weight1 = exp_fn(lax.sub(_replace_inf(x1), _replace_inf(out)))
        weight2 = exp_fn(lax.sub(_replace_inf(x2), _replace_inf(out)))
        return out, lax.add(lax.mul(t1, weight1), lax.mul(t2, weight2))
    return rule


_logaddexp = custom_jvp(_logaddexp_value)
_logaddexp.defjvp(_logaddexp_jvp_rule(_logaddexp, lax.exp))


def logaddexp2(x1, x2, /):
    """Elementwise ``log2(2**x1 + 2**x2)`` without overflow (custom derivative, as JAX's)."""
    return _call_custom_jvp(_logaddexp2, *_promote_args_inexact("logaddexp2", x1, x2))


def _logaddexp2_value(x1, x2):
    amax = lax.max(x1, x2)
    ln2 = _const(x1, np.log(2))
    if not _is_complex(x1):
        delta = lax.sub(x1, x2)
        return lax.select(_isnan(delta),
                          lax.add(x1, x2),   # nans, or infinities of the same sign
                          lax.add(amax, lax.div(lax.log1p(lax.exp2(lax.neg(lax.abs(delta)))),
                                                ln2)))
    delta = lax.sub(lax.add(x1, x2), lax.mul(amax, _const(amax, 2)))
    out = lax.add(amax, lax.div(lax.log1p(lax.exp2(delta)), ln2))
    return lax.complex(lax.real(out), _wrap_between(lax.imag(out), np.pi / np.log(2)))


_logaddexp2 = custom_jvp(_logaddexp2_value)
_logaddexp2.defjvp(_logaddexp_jvp_rule(_logaddexp2, lax.exp2))


# --- powers and roots --------------------------------------------------------

def sqrt(x, /):
    """Elementwise non-negative square root (nan for negative reals)."""
    return lax.sqrt(*_promote_args_inexact("sqrt", x))


def cbrt(x, /):
    """Elementwise cube root (real inputs)."""
    return lax.cbrt(*_promote_args_inexact("cbrt", x))


def square(x, /):
    """Elementwise ``x * x`` (bool becomes int)."""
    check_arraylike("square", x)
    return lax.square(*promote_dtypes_numeric(x))


def reciprocal(x, /):
    """Elementwise ``1 / x``, in floating point (unlike NumPy, ints become floats, as in JAX)."""
    check_arraylike("reciprocal", x)
    return lax.integer_pow(*promote_dtypes_inexact(x), -1)


# --- trigonometric and hyperbolic --------------------------------------------

def sin(x, /):
    """Elementwise sine (radians)."""
    return lax.sin(*_promote_args_inexact("sin", x))


def cos(x, /):
    """Elementwise cosine (radians)."""
    return lax.cos(*_promote_args_inexact("cos", x))


def tan(x, /):
    """Elementwise tangent (radians)."""
    return lax.tan(*_promote_args_inexact("tan", x))


def arcsin(x, /):
    """Elementwise inverse sine, in [-pi/2, pi/2] (nan outside [-1, 1] for reals)."""
    return lax.asin(*_promote_args_inexact("arcsin", x))


def arccos(x, /):
    """Elementwise inverse cosine, in [0, pi] (nan outside [-1, 1] for reals)."""
    return lax.acos(*_promote_args_inexact("arccos", x))


def arctan(x, /):
    """Elementwise inverse tangent, in [-pi/2, pi/2]."""
    return lax.atan(*_promote_args_inexact("arctan", x))


def arctan2(x1, x2, /):
    """Elementwise angle of the point ``(x2, x1)``, in [-pi, pi]."""
    return lax.atan2(*_promote_args_inexact("arctan2", x1, x2))


def sinh(x, /):
    """Elementwise hyperbolic sine."""
    return lax.sinh(*_promote_args_inexact("sinh", x))


def cosh(x, /):
    """Elementwise hyperbolic cosine."""
    return lax.cosh(*_promote_args_inexact("cosh", x))


def tanh(x, /):
    """Elementwise hyperbolic tangent."""
    return lax.tanh(*_promote_args_inexact("tanh", x))


def arcsinh(x, /):
    """Elementwise inverse hyperbolic sine."""
    return lax.asinh(*_promote_args_inexact("arcsinh", x))


def arccosh(x, /):
    """Elementwise inverse hyperbolic cosine (nan below 1 for reals)."""
    result = lax.acosh(*_promote_args_inexact("arccosh", x))
    if _is_complex(result):
        # lax.acosh's branch differs from NumPy's for complex input: take the root with re >= 0.
        result = _where(lax.lt(lax.real(result), _const(lax.real(result), 0)),
                        lax.neg(result), result)
    return result


def arctanh(x, /):
    """Elementwise inverse hyperbolic tangent (nan outside [-1, 1] for reals)."""
    return lax.atanh(*_promote_args_inexact("arctanh", x))


asin, acos, atan, atan2 = arcsin, arccos, arctan, arctan2
asinh, acosh, atanh = arcsinh, arccosh, arctanh


def hypot(x1, x2, /):
    """Elementwise ``sqrt(x1**2 + x2**2)`` without intermediate overflow."""
    x1, x2 = _promote_args_inexact("hypot", x1, x2)
    if _is_complex(x1):
        raise ValueError("hypot is not well defined for complex-valued inputs; "
                         "use abs(x) for their moduli first")
    x1, x2 = lax.abs(x1), lax.abs(x2)
    inf = _const(x1, np.inf)
    either_inf = lax.bitwise_or(lax.eq(x1, inf), lax.eq(x2, inf))
    big, small = lax.max(x1, x2), lax.min(x1, x2)
    big_is_zero = lax.eq(big, _const(big, 0))
    safe_big = lax.select(big_is_zero, _full_like(big, 1), big)
    ratio = lax.div(small, safe_big)
    x = lax.select(big_is_zero, big,
                   lax.mul(big, lax.sqrt(lax.add(_const(ratio, 1), lax.square(ratio)))))
    return lax.select(either_inf, _full_like(x, np.inf), x)


def deg2rad(x, /):
    """Elementwise degrees to radians: ``x * pi / 180``."""
    x, = _promote_args_inexact("deg2rad", x)
    return lax.mul(x, _const(x, np.pi / 180))


def rad2deg(x, /):
    """Elementwise radians to degrees: ``x * 180 / pi``."""
    x, = _promote_args_inexact("rad2deg", x)
    return lax.mul(x, _const(x, 180 / np.pi))


def degrees(x, /):
    """Alias of ``rad2deg``."""
    return rad2deg(x)


def radians(x, /):
    """Alias of ``deg2rad``."""
    return deg2rad(x)


def sinc(x, /):
    """Elementwise normalized sinc ``sin(pi x) / (pi x)``, with ``sinc(0) == 1``.

    At 0 the value and every derivative come from the Maclaurin series (a custom
    rule, as in JAX), so ``grad`` of any order is exact there.
    """
    check_arraylike("sinc", x)
    x, = promote_dtypes_inexact(x)
    is_zero = lax.eq(x, _const(x, 0))
    pi_x = lax.mul(_const(x, np.pi), x)
    safe_pi_x = lax.select(is_zero, _full_like(pi_x, 1), pi_x)
    return lax.select(is_zero, _call_custom_jvp(_sinc_maclaurin, 0, pi_x),
                      lax.div(lax.sin(safe_pi_x), safe_pi_x))


def _sinc_maclaurin_value(k, x):
    """The ``k``-th derivative of ``sin(x) / x`` at 0, shaped like ``x`` (``x * 0 + c``)."""
    zero = lax.mul(x, _const(x, 0))
    return zero if k % 2 else lax.add(zero, _const(x, (-1) ** (k // 2) / (k + 1)))


_sinc_maclaurin = custom_jvp(_sinc_maclaurin_value, nondiff_argnums=(0,))


@_sinc_maclaurin.defjvp
def _sinc_maclaurin_jvp(k, primals, tangents):
    (x,), (t,) = primals, tangents
    return (_call_custom_jvp(_sinc_maclaurin, k, x),
            lax.mul(_call_custom_jvp(_sinc_maclaurin, k + 1, x), t))


# --- complex parts -----------------------------------------------------------

def real(val, /):
    """Elementwise real part (the input itself for real dtypes)."""
    check_arraylike("real", val)
    return lax.real(val) if _is_complex(val) else _asarray(val)


def imag(val, /):
    """Elementwise imaginary part (zeros for real dtypes)."""
    check_arraylike("imag", val)
    return lax.imag(val) if _is_complex(val) else _full_like(val, 0)


def conjugate(x, /):
    """Elementwise complex conjugate (the input itself for real dtypes)."""
    check_arraylike("conjugate", x)
    return lax.conj(x) if _is_complex(x) else _asarray(x)


def conj(x, /):
    """Alias of ``conjugate``."""
    return conjugate(x)


def angle(z, deg=False):
    """Elementwise argument of complex ``z`` (``arctan2(imag, real)``), in radians or degrees."""
    check_arraylike("angle", z)
    re, im = real(z), imag(z)
    dtype = _dtype(re)
    if not dtypes.is_inexact(dtype) or (dtypes.is_float(_dtype(z)) and np.ndim(z) == 0):
        # as JAX: integer (and real scalar) input gives the default float
        re = lax.convert_element_type(re, dtypes.default_float())
        im = lax.convert_element_type(im, dtypes.default_float())
    result = lax.atan2(im, re)
    return rad2deg(result) if deg else result


# --- dtype conversion --------------------------------------------------------

def astype(x, dtype, /, *, copy=False, device=None):
    """``x`` converted to ``dtype`` (complex to real keeps the real part, with a warning).

    >>> jnp.astype(jnp.array([1.7, -0.2]), jnp.int32)
    Array([ 1,  0], dtype=int32)
    """
    check_arraylike("astype", x)
    new_dtype = canonicalize_user_dtype(dtype, "astype")
    if new_dtype is None:
        raise TypeError("astype: dtype must be given, got None")
    if _is_complex(x) and not dtypes.is_complex(new_dtype):
        warnings.warn("Casting complex values to real discards the imaginary part",
                      np.exceptions.ComplexWarning, stacklevel=2)
    out = lax.convert_element_type(x, new_dtype)
    out = _asarray(out)
    if device is not None:
        out = device_put(out, device)
    return out


from .ufuncs_logic import *  # noqa: E402,F401,F403
from .ufuncs_logic import __all__ as _logic_all  # noqa: E402

__all__ = [
    "add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "remainder", "mod",
    "fmod", "divmod", "power", "pow", "float_power", "negative", "positive", "abs", "absolute",
    "fabs", "sign", "floor", "ceil", "trunc", "fix", "rint", "round", "around", "modf",
    "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "logaddexp", "logaddexp2",
    "sqrt", "cbrt", "square", "reciprocal",
    "sin", "cos", "tan", "arcsin", "arccos", "arctan", "arctan2", "sinh", "cosh", "tanh",
    "arcsinh", "arccosh", "arctanh", "asin", "acos", "atan", "atan2", "asinh", "acosh", "atanh",
    "hypot", "deg2rad", "rad2deg", "degrees", "radians", "sinc",
    "real", "imag", "conjugate", "conj", "angle", "astype",
] + list(_logic_all)
