"""Elementwise primitives: arithmetic, rounding, exponentials, trigonometry,
special functions, complex parts, clamp/select, dtype conversion.

One section per primitive: the public wrapper (with its docstring), the
``*_p`` object, and its rules. Comparisons, bitwise ops, shifts and bitcasts
live in ``bitwise.py``. jvp/transpose/batch rules for these are added by the
autodiff and vmap layers.

The wrappers take arrays or Python scalars. Operands must share a dtype
(``lax.add(1, 1.0)`` is a TypeError, as in JAX), except that a Python scalar
adopts the dtype of an array operand when that needs no promotion, and
rank-0 operands and size-1 dimensions broadcast (see ``_families.nary_args``).
"""
import builtins
import enum

import numpy as np

from .. import dtypes
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..lowering import lowering_rules
from ._families import (any_dtype, broadcast_operand, check_dtypes, check_same,
                        check_same_dtypes, compare, complex_, complex_or_parts, complex_parts,
                        floating, full_like_aval, inexact, lower_fun, nary_args, naryop, numeric,
                        ordered, real_num, scalar_like, signed_num)

_SCALARS = (bool, int, float, complex)


def _real_dtype(dtype):
    """float32 for complex64 (the dtype of ``abs``/``real``/``imag``); identity otherwise."""
    return np.abs(np.zeros((), dtype)).dtype


def _complex_dtype(dtype):
    """complex64 for float32, complex128 for float64 (``lax.complex``/``conj``)."""
    return (np.zeros((), dtype) + np.zeros((), np.complex64)).dtype


def _const(x, value):
    """``value`` as a (strongly typed) constant of ``x``'s dtype, as JAX's ``lax._const``."""
    return np.array(value, dtype=get_aval(x).dtype)


def _binary(prim, x, y):
    return prim.bind(*nary_args(prim.name, (x, y)))


# --- neg ---------------------------------------------------------------------

def neg(x):
    """Elementwise negation ``-x``. Lowers to ``stablehlo.negate``.

    Unsigned integers wrap around (``2**nbits - x``); booleans are rejected.
    """
    return neg_p.bind(x)


neg_p = naryop("neg", numeric, "stablehlo.negate")


# --- sign --------------------------------------------------------------------

def sign(x):
    """Elementwise sign: -1, 0 or 1 (``x/|x|`` for complex; -0.0 and nan kept).

    Lowers to ``stablehlo.sign`` (unsigned integers: ``select(x == 0, 0, 1)``).
    """
    return sign_p.bind(x)


def _sign_lowering(ctx, x):
    aval, = ctx.avals_in
    if not dtypes.is_unsigned(aval.dtype):
        return ctx.op("stablehlo.sign", [x])
    zero, one = full_like_aval(ctx, 0, aval), full_like_aval(ctx, 1, aval)
    return ctx.op("stablehlo.select", [compare(ctx, x, zero, "EQ", aval), zero, one])


sign_p = naryop("sign", numeric, _sign_lowering)


# --- floor / ceil / round ----------------------------------------------------

def floor(x):
    """Elementwise floor (floating dtypes only). Lowers to ``stablehlo.floor``."""
    return floor_p.bind(x)


floor_p = naryop("floor", floating, "stablehlo.floor")


def ceil(x):
    """Elementwise ceiling (floating dtypes only). Lowers to ``stablehlo.ceil``."""
    return ceil_p.bind(x)


ceil_p = naryop("ceil", floating, "stablehlo.ceil")


class RoundingMethod(enum.IntEnum):
    """How ``round`` treats halfway values such as 0.5."""
    AWAY_FROM_ZERO = 0    # 0.5 -> 1, -0.5 -> -1
    TO_NEAREST_EVEN = 1   # 0.5 -> 0, 1.5 -> 2 (banker's rounding, NumPy's rule)


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):  # noqa: A001 (lax's name)
    """Round to the nearest integer (floating dtypes only).

    Args:
      x: floating-point array.
      rounding_method: ``RoundingMethod.AWAY_FROM_ZERO`` (0, the default) or
        ``RoundingMethod.TO_NEAREST_EVEN`` (1).

    Lowers to ``stablehlo.round_nearest_afz`` or ``stablehlo.round_nearest_even``.

    >>> lax.round(jnp.array([0.5, 1.5, 2.5]), lax.RoundingMethod.TO_NEAREST_EVEN)
    Array([0., 2., 2.], dtype=float32)
    """
    try:
        method = int(RoundingMethod(rounding_method))
    except ValueError:
        raise ValueError(f"round: rounding_method must be 0 (AWAY_FROM_ZERO) or 1 "
                         f"(TO_NEAREST_EVEN), got {rounding_method!r}") from None
    return round_p.bind(x, rounding_method=method)


def _round_lowering(ctx, x, *, rounding_method):
    name = "round_nearest_even" if rounding_method == 1 else "round_nearest_afz"
    return ctx.op(f"stablehlo.{name}", [x])


round_p = naryop("round", floating, _round_lowering)


# --- is_finite ---------------------------------------------------------------

def is_finite(x):
    """Elementwise "neither inf nor nan" (floating dtypes). Lowers to ``stablehlo.is_finite``."""
    return is_finite_p.bind(x)


is_finite_p = naryop("is_finite", floating, "stablehlo.is_finite", result_dtype=lambda d: np.bool_)


# --- exp / exp2 / log / log1p / expm1 ----------------------------------------

def exp(x):
    """Elementwise ``e**x``. Lowers to ``stablehlo.exponential``."""
    return exp_p.bind(x)


exp_p = naryop("exp", inexact, "stablehlo.exponential")


def exp2(x):
    """Elementwise ``2**x``, computed as ``exp(log(2) * x)`` as JAX lowers it."""
    return exp2_p.bind(x)


def _exp2_lowering(ctx, x):
    aval, = ctx.avals_in
    return ctx.op("stablehlo.exponential",
                  [ctx.op("stablehlo.multiply", [full_like_aval(ctx, np.log(2), aval), x])])


exp2_p = naryop("exp2", inexact, _exp2_lowering)


def log(x):
    """Elementwise natural logarithm. Lowers to ``stablehlo.log``."""
    return log_p.bind(x)


log_p = naryop("log", inexact, "stablehlo.log")


def log1p(x):
    """Elementwise ``log(1 + x)``, accurate near 0. Lowers to ``stablehlo.log_plus_one``."""
    return log1p_p.bind(x)


log1p_p = naryop("log1p", inexact, "stablehlo.log_plus_one")


def expm1(x):
    """Elementwise ``exp(x) - 1``, accurate near 0.

    Lowers to ``stablehlo.exponential_minus_one``.
    """
    return expm1_p.bind(x)


expm1_p = naryop("expm1", inexact, "stablehlo.exponential_minus_one")


# --- tanh / logistic ---------------------------------------------------------

def tanh(x):
    """Elementwise hyperbolic tangent. Lowers to ``stablehlo.tanh``."""
    return tanh_p.bind(x)


tanh_p = naryop("tanh", inexact, "stablehlo.tanh")


def logistic(x):
    """Elementwise sigmoid ``1 / (1 + exp(-x))``.

    Lowered as that expression (negate, exponential, add, divide), which is
    what JAX emits in place of ``stablehlo.logistic``.
    """
    return logistic_p.bind(x)


def _logistic_expansion(x):
    one = _const(x, 1)
    return div(one, add(one, exp(neg(x))))


logistic_p = naryop("logistic", inexact, lower_fun(_logistic_expansion))


# --- sin / cos / tan ---------------------------------------------------------

def sin(x):
    """Elementwise sine. Lowers to ``stablehlo.sine`` (complex: expanded as JAX does)."""
    return sin_p.bind(x)


def _sinh_cosh_parts(a, b):
    # sinh(b), cosh(b) via expm1, which avoids cancellation for small |b| (JAX's formula).
    two = _const(b, 2)
    e1m, e2m = expm1(b), expm1(neg(b))
    return div(sub(e1m, e2m), two), div(add(add(e1m, e2m), two), two)


def _sin_complex(x):
    a, b = real(x), imag(x)
    snh, csh = _sinh_cosh_parts(a, b)
    re, im = mul(sin(a), csh), mul(cos(a), snh)
    # when real(x) == 0 the real part is exactly 0 (avoids 0 * inf = nan)
    return select_n(eq(a, _const(a, 0)), complex(re, im), complex(_const(a, 0), im))


def _sin_lowering(ctx, x):
    if dtypes.is_complex(ctx.avals_in[0].dtype):
        return lower_fun(_sin_complex)(ctx, x)
    return ctx.op("stablehlo.sine", [x])


sin_p = naryop("sin", inexact, _sin_lowering)


def cos(x):
    """Elementwise cosine. Lowers to ``stablehlo.cosine`` (complex: expanded as JAX does)."""
    return cos_p.bind(x)


def _cos_complex(x):
    a, b = real(x), imag(x)
    snh, csh = _sinh_cosh_parts(a, b)
    re, im = mul(cos(a), csh), mul(neg(sin(a)), snh)
    return select_n(eq(a, _const(a, 0)), complex(re, im), complex(re, _const(a, 0)))


def _cos_lowering(ctx, x):
    if dtypes.is_complex(ctx.avals_in[0].dtype):
        return lower_fun(_cos_complex)(ctx, x)
    return ctx.op("stablehlo.cosine", [x])


cos_p = naryop("cos", inexact, _cos_lowering)


def tan(x):
    """Elementwise tangent. Lowers to ``stablehlo.tan``."""
    return tan_p.bind(x)


tan_p = naryop("tan", inexact, "stablehlo.tan")


# --- asin / acos / atan / atan2 ----------------------------------------------

def asin(x):
    """Elementwise arc sine. Lowers to ``chlo.asin``."""
    return asin_p.bind(x)


asin_p = naryop("asin", inexact, "chlo.asin")


def acos(x):
    """Elementwise arc cosine. Lowers to ``chlo.acos``."""
    return acos_p.bind(x)


acos_p = naryop("acos", inexact, "chlo.acos")


def atan(x):
    """Elementwise arc tangent. Lowers to ``chlo.atan``."""
    return atan_p.bind(x)


atan_p = naryop("atan", inexact, "chlo.atan")


def atan2(x, y):
    """Elementwise ``atan(x / y)`` in the right quadrant. Lowers to ``stablehlo.atan2``."""
    return _binary(atan2_p, x, y)


atan2_p = naryop("atan2", inexact, "stablehlo.atan2")


# --- sinh / cosh / asinh / acosh / atanh -------------------------------------

def sinh(x):
    """Elementwise hyperbolic sine. Lowers to ``chlo.sinh``."""
    return sinh_p.bind(x)


sinh_p = naryop("sinh", inexact, "chlo.sinh")


def cosh(x):
    """Elementwise hyperbolic cosine. Lowers to ``chlo.cosh``."""
    return cosh_p.bind(x)


cosh_p = naryop("cosh", inexact, "chlo.cosh")


def asinh(x):
    """Elementwise inverse hyperbolic sine. Lowers to ``chlo.asinh``."""
    return asinh_p.bind(x)


asinh_p = naryop("asinh", inexact, "chlo.asinh")


def acosh(x):
    """Elementwise inverse hyperbolic cosine. Lowers to ``chlo.acosh``."""
    return acosh_p.bind(x)


acosh_p = naryop("acosh", inexact, "chlo.acosh")


def atanh(x):
    """Elementwise inverse hyperbolic tangent. Lowers to ``chlo.atanh``."""
    return atanh_p.bind(x)


atanh_p = naryop("atanh", inexact, "chlo.atanh")


# --- sqrt / rsqrt / cbrt -----------------------------------------------------

def sqrt(x):
    """Elementwise square root. Lowers to ``stablehlo.sqrt``."""
    return sqrt_p.bind(x)


sqrt_p = naryop("sqrt", inexact, "stablehlo.sqrt")


def rsqrt(x):
    """Elementwise ``1 / sqrt(x)``. Lowers to ``stablehlo.rsqrt``."""
    return rsqrt_p.bind(x)


rsqrt_p = naryop("rsqrt", inexact, "stablehlo.rsqrt")


def cbrt(x):
    """Elementwise cube root (floating dtypes). Lowers to ``stablehlo.cbrt``."""
    return cbrt_p.bind(x)


cbrt_p = naryop("cbrt", floating, "stablehlo.cbrt")


# --- add / sub / mul / div / rem ---------------------------------------------

def add(x, y):
    """Elementwise ``x + y``. Lowers to ``stablehlo.add``."""
    return _binary(add_p, x, y)


add_p = naryop("add", numeric, "stablehlo.add")


def sub(x, y):
    """Elementwise ``x - y``. Lowers to ``stablehlo.subtract``."""
    return _binary(sub_p, x, y)


sub_p = naryop("sub", numeric, "stablehlo.subtract")


def mul(x, y):
    """Elementwise ``x * y``. Lowers to ``stablehlo.multiply``."""
    return _binary(mul_p, x, y)


mul_p = naryop("mul", numeric, "stablehlo.multiply")


def div(x, y):
    """Elementwise ``x / y``. Lowers to ``stablehlo.divide``.

    Integer division rounds toward zero, as in C (``lax.div(-7, 2) == -3``);
    ``glassbox.numpy.floor_divide`` gives Python's floor division.
    """
    return _binary(div_p, x, y)


div_p = naryop("div", numeric, "stablehlo.divide")


def rem(x, y):
    """Elementwise remainder of ``div``: the sign follows ``x``, as C's ``%`` and ``fmod``.

    Lowers to ``stablehlo.remainder``. ``glassbox.numpy.remainder`` gives Python's ``%``.
    """
    return _binary(rem_p, x, y)


rem_p = naryop("rem", real_num, "stablehlo.remainder")


# --- max / min ---------------------------------------------------------------

def max(x, y):  # noqa: A001 (lax's name)
    """Elementwise maximum; nan if either is nan; complex compares (real, imag) lexicographically.

    Lowers to ``stablehlo.maximum``.
    """
    return _binary(max_p, x, y)


def _minmax_lowering(op_name, direction):
    def rule(ctx, x, y):
        aval = ctx.avals_in[0]
        if not dtypes.is_complex(aval.dtype):
            return ctx.op(op_name, [x, y])
        part = aval.update(dtype=_real_dtype(aval.dtype))
        rx, ry = ctx.op("stablehlo.real", [x], part), ctx.op("stablehlo.real", [y], part)
        ix, iy = ctx.op("stablehlo.imag", [x], part), ctx.op("stablehlo.imag", [y], part)
        pred = aval.update(dtype=np.bool_)
        which = ctx.op("stablehlo.select", [compare(ctx, rx, ry, "EQ", part),
                                            compare(ctx, ix, iy, direction, part),
                                            compare(ctx, rx, ry, direction, part)], pred)
        return ctx.op("stablehlo.select", [which, x, y])
    return rule


max_p = naryop("max", any_dtype, _minmax_lowering("stablehlo.maximum", "GT"))


def min(x, y):  # noqa: A001 (lax's name)
    """Elementwise minimum; nan if either is nan. Lowers to ``stablehlo.minimum``."""
    return _binary(min_p, x, y)


min_p = naryop("min", any_dtype, _minmax_lowering("stablehlo.minimum", "LT"))


# --- pow / integer_pow / square / reciprocal ---------------------------------

def pow(x, y):  # noqa: A001 (lax's name)
    """Elementwise ``x ** y`` for a floating or complex ``x``. Lowers to ``stablehlo.power``.

    ``y`` has ``x``'s dtype or an integer dtype (converted to ``x``'s dtype
    when lowered). For a fixed integer exponent ``integer_pow`` is more accurate.
    """
    x, y = nary_args("pow", (x, y), ref=x if type(x) not in _SCALARS else None)
    return pow_p.bind(x, y)


pow_p = Primitive("pow")


def _pow_abstract_eval(x, y):
    check_dtypes("pow", inexact, [x])
    if not (x.dtype == y.dtype or dtypes.is_int(y.dtype)):
        raise TypeError(f"pow: the exponent must have the base's dtype ({x.dtype.name}) or an "
                        f"integer dtype, got {y.dtype.name}")
    if x.shape != y.shape:
        raise TypeError(f"pow requires arguments of equal shapes, got {x.shape}, {y.shape}")
    return ShapedArray(x.shape, x.dtype, x.weak_type and y.weak_type)


def _pow_lowering(ctx, x, y):
    (x_aval, y_aval), (out,) = ctx.avals_in, ctx.avals_out
    if y_aval.dtype != x_aval.dtype:
        y = ctx.convert(y, y_aval.update(dtype=out.dtype))
    return ctx.op("stablehlo.power", [x, y])


abstract_eval_rules[pow_p] = _pow_abstract_eval
lowering_rules[pow_p] = _pow_lowering


def integer_pow(x, y):
    """Elementwise ``x ** y`` for a fixed Python int ``y``, by repeated multiplication.

    Exact for integers and more accurate than ``pow`` for floats. A negative
    ``y`` gives ``1 / x**-y`` (floating and complex dtypes only). Lowers to
    ``stablehlo.multiply`` ops (and one ``stablehlo.divide``), as JAX does.
    """
    import operator
    try:
        y = operator.index(y)
    except TypeError:
        raise TypeError(f"integer_pow: the exponent y must be a Python int, got "
                        f"{type(y).__name__} {y!r} (use lax.pow for array exponents)") from None
    return integer_pow_p.bind(x, y=y)


integer_pow_p = Primitive("integer_pow")


def _integer_pow_abstract_eval(x, *, y):
    check_dtypes("integer_pow", numeric, [x])
    if y < 0 and dtypes.is_int(x.dtype):
        raise TypeError(f"integer_pow: integers cannot be raised to negative powers, got "
                        f"integer_pow({x.str_short()}, {y})")
    return x


def _integer_pow_lowering(ctx, x, *, y):
    aval, = ctx.avals_in
    if y == 0:
        return full_like_aval(ctx, 1, aval)
    acc, base, n = None, x, builtins.abs(y)
    while n:   # binary exponentiation, in the order JAX multiplies
        if n & 1:
            acc = base if acc is None else ctx.op("stablehlo.multiply", [acc, base])
        n >>= 1
        if n:
            base = ctx.op("stablehlo.multiply", [base, base])
    return ctx.op("stablehlo.divide", [full_like_aval(ctx, 1, aval), acc]) if y < 0 else acc


abstract_eval_rules[integer_pow_p] = _integer_pow_abstract_eval
lowering_rules[integer_pow_p] = _integer_pow_lowering


def square(x):
    """Elementwise ``x * x``. Lowers to ``chlo.square`` (``stablehlo.multiply`` for integers)."""
    return square_p.bind(x)


def _square_lowering(ctx, x):
    if dtypes.is_int(ctx.avals_in[0].dtype):
        return ctx.op("stablehlo.multiply", [x, x])
    return ctx.op("chlo.square", [x])


square_p = naryop("square", numeric, _square_lowering)


def reciprocal(x):
    """Elementwise ``1 / x``: ``integer_pow(x, -1)``."""
    return integer_pow(x, -1)


# --- abs ---------------------------------------------------------------------

def abs(x):  # noqa: A001 (lax's name)
    """Elementwise absolute value; complex input gives its (real) modulus.

    Signed integers, floats and complex only (as in lax: ``glassbox.numpy.abs``
    handles unsigned and bool). Lowers to ``stablehlo.abs``.
    """
    return abs_p.bind(x)


abs_p = naryop("abs", signed_num, "stablehlo.abs", result_dtype=_real_dtype)


# --- erf / erfc / erf_inv / lgamma / digamma ---------------------------------

def erf(x):
    """Elementwise error function (floating dtypes). Lowers to ``chlo.erf``."""
    return erf_p.bind(x)


erf_p = naryop("erf", floating, "chlo.erf")


def erfc(x):
    """Elementwise complementary error function ``1 - erf(x)``. Lowers to ``chlo.erfc``."""
    return erfc_p.bind(x)


erfc_p = naryop("erfc", floating, "chlo.erfc")


def erf_inv(x):
    """Elementwise inverse error function on (-1, 1). Lowers to ``chlo.erf_inv``."""
    return erf_inv_p.bind(x)


erf_inv_p = naryop("erf_inv", floating, "chlo.erf_inv")


def lgamma(x):
    """Elementwise ``log(|gamma(x)|)``. Lowers to ``chlo.lgamma``."""
    return lgamma_p.bind(x)


lgamma_p = naryop("lgamma", floating, "chlo.lgamma")


def digamma(x):
    """Elementwise digamma function ``gamma'(x) / gamma(x)``. Lowers to ``chlo.digamma``."""
    return digamma_p.bind(x)


digamma_p = naryop("digamma", floating, "chlo.digamma")


# --- nextafter ---------------------------------------------------------------

def nextafter(x1, x2):
    """The next representable value after ``x1`` toward ``x2``. Lowers to ``chlo.next_after``."""
    return _binary(nextafter_p, x1, x2)


nextafter_p = naryop("nextafter", floating, "chlo.next_after")


# --- real / imag / complex / conj --------------------------------------------

def real(x):
    """Elementwise real part of a complex array. Lowers to ``stablehlo.real``."""
    return real_p.bind(x)


real_p = naryop("real", complex_, "stablehlo.real", result_dtype=_real_dtype)


def imag(x):
    """Elementwise imaginary part of a complex array. Lowers to ``stablehlo.imag``."""
    return imag_p.bind(x)


imag_p = naryop("imag", complex_, "stablehlo.imag", result_dtype=_real_dtype)


def complex(x, y):  # noqa: A001 (lax's name)
    """Elementwise ``x + 1j * y`` from float32/float64 parts. Lowers to ``stablehlo.complex``."""
    return _binary(complex_p, x, y)


complex_p = naryop("complex", complex_parts, "stablehlo.complex", result_dtype=_complex_dtype)


def conj(x):
    """Elementwise complex conjugate; a float32/float64 ``x`` becomes complex.

    Lowered as ``complex(real(x), -imag(x))``, as in JAX.
    """
    return conj_p.bind(x)


def _conj_lowering(ctx, x):
    aval, = ctx.avals_in
    part = aval.update(dtype=_real_dtype(aval.dtype))
    if dtypes.is_complex(aval.dtype):
        re = ctx.op("stablehlo.real", [x], part)
        im = ctx.op("stablehlo.negate", [ctx.op("stablehlo.imag", [x], part)], part)
    else:
        re, im = x, full_like_aval(ctx, 0, part)
    return ctx.op("stablehlo.complex", [re, im])


conj_p = naryop("conj", complex_or_parts, _conj_lowering, result_dtype=_complex_dtype)


# --- clamp -------------------------------------------------------------------

def clamp(min, x, max):  # noqa: A002 (lax's signature)
    """Elementwise ``minimum(maximum(x, min), max)``. Lowers to ``stablehlo.clamp``.

    ``min`` and ``max`` are scalars or have ``x``'s shape; all share ``x``'s
    dtype (Python scalar bounds adopt it).
    """
    if type(x) not in _SCALARS:
        min, max = scalar_like(min, x), scalar_like(max, x)
    return clamp_p.bind(min, x, max)


clamp_p = Primitive("clamp")


def _clamp_abstract_eval(lo, x, hi):
    check_dtypes("clamp", ordered, [lo, x, hi])
    check_same_dtypes("clamp", [lo, x, hi])
    for name, b in (("min", lo), ("max", hi)):
        if b.shape and b.shape != x.shape:
            raise TypeError(f"clamp requires {name}.shape == x.shape or {name}.shape == (), "
                            f"got {name}.shape={b.shape} and x.shape={x.shape}")
    return ShapedArray(x.shape, x.dtype, lo.weak_type and x.weak_type and hi.weak_type)


def _clamp_lowering(ctx, lo, x, hi):
    lo_aval, x_aval, hi_aval = ctx.avals_in
    lo = broadcast_operand(ctx, lo, lo_aval, x_aval.shape)
    hi = broadcast_operand(ctx, hi, hi_aval, x_aval.shape)
    return ctx.op("stablehlo.clamp", [lo, x, hi])


abstract_eval_rules[clamp_p] = _clamp_abstract_eval
lowering_rules[clamp_p] = _clamp_lowering


# --- select_n ----------------------------------------------------------------

def select_n(which, *cases):
    """Elementwise ``cases[which]``: pick from ``cases`` by a bool or integer ``which``.

    Args:
      which: bool (then at most two cases: False picks ``cases[0]``) or
        integer array, a scalar or of the cases' shape. Out-of-range integer
        values give unspecified results (as in JAX).
      *cases: arrays of one shape and dtype (Python scalars adopt it).

    Lowers to ``stablehlo.select`` (a tree of them for more than two cases).

    >>> lax.select_n(jnp.array([True, False]), jnp.array([1, 2]), jnp.array([3, 4]))
    Array([3, 2], dtype=int32)
    """
    if not cases:
        raise TypeError("select_n requires at least one case")
    cases = nary_args("select_n", cases)
    return select_n_p.bind(which, *cases)


select_n_p = Primitive("select_n")


def _select_n_abstract_eval(which, *cases):
    check_same("select_n", cases)
    if not (which.dtype == np.bool_ or dtypes.is_int(which.dtype)):
        raise TypeError(f"select_n: `which` must be boolean or integer, got {which.dtype.name}")
    if which.dtype == np.bool_ and len(cases) > 2:
        raise TypeError(f"select_n: a boolean `which` selects between at most 2 cases, got "
                        f"{len(cases)}")
    if which.shape and which.shape != cases[0].shape:
        raise TypeError(f"select_n: `which` must be a scalar or have the cases' shape "
                        f"{cases[0].shape}, got shape {which.shape}")
    return ShapedArray(cases[0].shape, cases[0].dtype, all(c.weak_type for c in cases))


def _select_n_lowering(ctx, which, *cases):
    which_aval = ctx.avals_in[0]
    if len(cases) == 1:
        return cases[0]
    if which_aval.dtype == np.bool_:
        return ctx.op("stablehlo.select", [which, cases[1], cases[0]])

    def tree(offset, cs):   # binary search on `which`, as JAX lowers it
        if len(cs) == 1:
            return cs[0]
        mid = len(cs) // 2
        pivot = full_like_aval(ctx, offset + mid, which_aval)
        pred = compare(ctx, which, pivot, "LT", which_aval)
        return ctx.op("stablehlo.select", [pred, tree(offset, cs[:mid]),
                                           tree(offset + mid, cs[mid:])])
    return tree(0, list(cases))


abstract_eval_rules[select_n_p] = _select_n_abstract_eval
lowering_rules[select_n_p] = _select_n_lowering


def select(pred, on_true, on_false):
    """``on_true`` where ``pred`` else ``on_false``: ``select_n(pred, on_false, on_true)``."""
    return select_n(pred, on_false, on_true)


# --- convert_element_type ----------------------------------------------------

def convert_element_type(x, new_dtype, weak_type=False):
    """Convert ``x`` to ``new_dtype``. Lowers to ``stablehlo.convert``.

    Complex to real keeps the real part; anything to bool means "is nonzero".
    Python scalars are converted on the host (no primitive is bound), as JAX
    does; a Python int that does not fit an integer ``new_dtype`` raises
    OverflowError.
    """
    new_dtype = dtypes.canonicalize_dtype(new_dtype)
    if type(x) in _SCALARS:
        dtypes.check_python_int(x, new_dtype)
        if weak_type:
            py = {"b": bool, "i": int, "u": int, "f": float, "c": builtins.complex}[new_dtype.kind]
            if dtypes.dtype_and_weak(py(x)) == (new_dtype, True):
                return py(x)
        if type(x) is builtins.complex and new_dtype.kind != "c":
            x = x.real
        with np.errstate(over="ignore"):   # 1e10 -> float16 is inf, silently (as in JAX)
            return np.array(x, dtype=new_dtype)[()]
    aval = get_aval(x)
    if aval.dtype == new_dtype and aval.weak_type == weak_type:
        return x
    return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=bool(weak_type))


convert_element_type_p = Primitive("convert_element_type")


def _convert_abstract_eval(x, *, new_dtype, weak_type):
    return ShapedArray(x.shape, new_dtype, weak_type)


def _convert_lowering(ctx, x, *, new_dtype, weak_type):
    (aval_in,), (aval_out,) = ctx.avals_in, ctx.avals_out
    if dtypes.is_complex(aval_in.dtype) and not dtypes.is_complex(new_dtype):
        aval_in = aval_in.update(dtype=_real_dtype(aval_in.dtype))
        x = ctx.op("stablehlo.real", [x], aval_in)
    if new_dtype == np.bool_ and aval_in.dtype != np.bool_:
        # XLA's convert to i1 truncates; NumPy's bool() means "is nonzero".
        return compare(ctx, x, full_like_aval(ctx, 0, aval_in), "NE", aval_in, aval_out)
    return ctx.op("stablehlo.convert", [x], aval_out)


abstract_eval_rules[convert_element_type_p] = _convert_abstract_eval
lowering_rules[convert_element_type_p] = _convert_lowering


# eq is used by the complex sin/cos expansions above; it lives with the comparisons.
from .bitwise import eq  # noqa: E402

__all__ = [
    "RoundingMethod",
    "neg", "neg_p", "sign", "sign_p", "floor", "floor_p", "ceil", "ceil_p", "round", "round_p",
    "is_finite", "is_finite_p", "exp", "exp_p", "exp2", "exp2_p", "log", "log_p",
    "log1p", "log1p_p", "expm1", "expm1_p", "tanh", "tanh_p", "logistic", "logistic_p",
    "sin", "sin_p", "cos", "cos_p", "tan", "tan_p", "asin", "asin_p", "acos", "acos_p",
    "atan", "atan_p", "atan2", "atan2_p", "sinh", "sinh_p", "cosh", "cosh_p",
    "asinh", "asinh_p", "acosh", "acosh_p", "atanh", "atanh_p",
    "sqrt", "sqrt_p", "rsqrt", "rsqrt_p", "cbrt", "cbrt_p",
    "add", "add_p", "sub", "sub_p", "mul", "mul_p", "div", "div_p", "rem", "rem_p",
    "max", "max_p", "min", "min_p", "pow", "pow_p", "integer_pow", "integer_pow_p",
    "square", "square_p", "reciprocal", "abs", "abs_p",
    "erf", "erf_p", "erfc", "erfc_p", "erf_inv", "erf_inv_p", "lgamma", "lgamma_p",
    "digamma", "digamma_p", "nextafter", "nextafter_p",
    "real", "real_p", "imag", "imag_p", "complex", "complex_p", "conj", "conj_p",
    "clamp", "clamp_p", "select_n", "select_n_p", "select",
    "convert_element_type", "convert_element_type_p",
]
