"""Elementwise transcendental primitives: exponentials and logarithms, the logistic
function, trigonometric and hyperbolic functions and their inverses, roots, and
the special functions (erf, erfc, erf_inv, lgamma, digamma, polygamma).

One section per primitive, as in ``elementwise.py`` (which re-exports this
module): the public wrapper with its docstring, the ``*_p`` object, its
lowering and its jvp rule (JAX's formulas, e.g. ``sqrt'(0) = inf``,
``digamma' = polygamma(1, .)``). Batching comes from ``_families.naryop``.
"""
import numpy as np

from .. import dtypes
from ..interpreters import ad
from ._families import floating, full_like_aval, inexact, lower_fun, naryop
from .elementwise import (_binary, _const, _unary_jvp, _unary_jvp_with_output, add, complex,
                          div, imag, integer_pow, mul, neg, real, reciprocal, select_n, square,
                          sub)
from .bitwise import eq


# --- exp / exp2 / log / log1p / expm1 ----------------------------------------

def exp(x):
    """Elementwise ``e**x``. Lowers to ``stablehlo.exponential``."""
    return exp_p.bind(x)


exp_p = naryop("exp", inexact, "stablehlo.exponential")
_unary_jvp_with_output(exp_p, lambda t, ans, x: mul(t, ans))


def exp2(x):
    """Elementwise ``2**x``, computed as ``exp(log(2) * x)`` as JAX lowers it."""
    return exp2_p.bind(x)


def _exp2_lowering(ctx, x):
    aval, = ctx.avals_in
    return ctx.op("stablehlo.exponential",
                  [ctx.op("stablehlo.multiply", [full_like_aval(ctx, np.log(2), aval), x])])


exp2_p = naryop("exp2", inexact, _exp2_lowering)
_unary_jvp_with_output(exp2_p, lambda t, ans, x: mul(_const(x, np.log(2)), mul(t, ans)))


def log(x):
    """Elementwise natural logarithm. Lowers to ``stablehlo.log``."""
    return log_p.bind(x)


log_p = naryop("log", inexact, "stablehlo.log")
_unary_jvp(log_p, lambda t, x: div(t, x))


def log1p(x):
    """Elementwise ``log(1 + x)``, accurate near 0. Lowers to ``stablehlo.log_plus_one``."""
    return log1p_p.bind(x)


log1p_p = naryop("log1p", inexact, "stablehlo.log_plus_one")
_unary_jvp(log1p_p, lambda t, x: div(t, add(x, _const(x, 1))))


def expm1(x):
    """Elementwise ``exp(x) - 1``, accurate near 0.

    Lowers to ``stablehlo.exponential_minus_one``.
    """
    return expm1_p.bind(x)


expm1_p = naryop("expm1", inexact, "stablehlo.exponential_minus_one")
_unary_jvp_with_output(expm1_p, lambda t, ans, x: mul(t, add(ans, _const(ans, 1))))


# --- tanh / logistic ---------------------------------------------------------

def tanh(x):
    """Elementwise hyperbolic tangent. Lowers to ``stablehlo.tanh``."""
    return tanh_p.bind(x)


tanh_p = naryop("tanh", inexact, "stablehlo.tanh")
_unary_jvp_with_output(tanh_p, lambda t, ans, x: mul(add(t, mul(t, ans)), sub(_const(x, 1), ans)))


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
_unary_jvp_with_output(logistic_p, lambda t, ans, x: mul(t, mul(ans, sub(_const(ans, 1), ans))))


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
_unary_jvp(sin_p, lambda t, x: mul(t, cos(x)))


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
_unary_jvp(cos_p, lambda t, x: neg(mul(t, sin(x))))


def tan(x):
    """Elementwise tangent. Lowers to ``stablehlo.tan``."""
    return tan_p.bind(x)


tan_p = naryop("tan", inexact, "stablehlo.tan")
_unary_jvp_with_output(tan_p, lambda t, ans, x: mul(t, add(_const(x, 1), square(ans))))


# --- asin / acos / atan / atan2 ----------------------------------------------

def asin(x):
    """Elementwise arc sine. Lowers to ``chlo.asin``."""
    return asin_p.bind(x)


asin_p = naryop("asin", inexact, "chlo.asin")
_unary_jvp(asin_p, lambda t, x: mul(t, rsqrt(sub(_const(x, 1), square(x)))))


def acos(x):
    """Elementwise arc cosine. Lowers to ``chlo.acos``."""
    return acos_p.bind(x)


acos_p = naryop("acos", inexact, "chlo.acos")
_unary_jvp(acos_p, lambda t, x: mul(t, neg(rsqrt(sub(_const(x, 1), square(x))))))


def atan(x):
    """Elementwise arc tangent. Lowers to ``chlo.atan``."""
    return atan_p.bind(x)


atan_p = naryop("atan", inexact, "chlo.atan")
_unary_jvp(atan_p, lambda t, x: div(t, add(_const(x, 1), square(x))))


def atan2(x, y):
    """Elementwise ``atan(x / y)`` in the right quadrant. Lowers to ``stablehlo.atan2``."""
    return _binary(atan2_p, x, y)


atan2_p = naryop("atan2", inexact, "stablehlo.atan2")
ad.defjvp(atan2_p,
          lambda t, x, y: mul(t, div(y, add(square(x), square(y)))),
          lambda t, x, y: mul(t, div(neg(x), add(square(x), square(y)))))


# --- sinh / cosh / asinh / acosh / atanh -------------------------------------

def sinh(x):
    """Elementwise hyperbolic sine. Lowers to ``chlo.sinh``."""
    return sinh_p.bind(x)


sinh_p = naryop("sinh", inexact, "chlo.sinh")
_unary_jvp(sinh_p, lambda t, x: mul(t, cosh(x)))


def cosh(x):
    """Elementwise hyperbolic cosine. Lowers to ``chlo.cosh``."""
    return cosh_p.bind(x)


cosh_p = naryop("cosh", inexact, "chlo.cosh")
_unary_jvp(cosh_p, lambda t, x: mul(t, sinh(x)))


def asinh(x):
    """Elementwise inverse hyperbolic sine. Lowers to ``chlo.asinh``."""
    return asinh_p.bind(x)


asinh_p = naryop("asinh", inexact, "chlo.asinh")
_unary_jvp(asinh_p, lambda t, x: mul(t, rsqrt(add(square(x), _const(x, 1)))))


def acosh(x):
    """Elementwise inverse hyperbolic cosine. Lowers to ``chlo.acosh``."""
    return acosh_p.bind(x)


acosh_p = naryop("acosh", inexact, "chlo.acosh")
# x**2 - 1 rather than (x - 1)(x + 1), as JAX: the domain is x >= 1
_unary_jvp(acosh_p, lambda t, x: mul(t, rsqrt(sub(square(x), _const(x, 1)))))


def atanh(x):
    """Elementwise inverse hyperbolic tangent. Lowers to ``chlo.atanh``."""
    return atanh_p.bind(x)


atanh_p = naryop("atanh", inexact, "chlo.atanh")
_unary_jvp(atanh_p, lambda t, x: mul(reciprocal(add(_const(x, 1), x)),
                                     div(t, sub(_const(x, 1), x))))


# --- sqrt / rsqrt / cbrt -----------------------------------------------------

def sqrt(x):
    """Elementwise square root. Lowers to ``stablehlo.sqrt``."""
    return sqrt_p.bind(x)


sqrt_p = naryop("sqrt", inexact, "stablehlo.sqrt")
_unary_jvp_with_output(sqrt_p, lambda t, ans, x: mul(t, div(_const(x, 0.5), ans)))


def rsqrt(x):
    """Elementwise ``1 / sqrt(x)``. Lowers to ``stablehlo.rsqrt``."""
    return rsqrt_p.bind(x)


rsqrt_p = naryop("rsqrt", inexact, "stablehlo.rsqrt")
_unary_jvp_with_output(rsqrt_p, lambda t, ans, x: mul(t, mul(_const(x, -0.5), div(ans, x))))


def cbrt(x):
    """Elementwise cube root (floating dtypes). Lowers to ``stablehlo.cbrt``."""
    return cbrt_p.bind(x)


cbrt_p = naryop("cbrt", floating, "stablehlo.cbrt")
_unary_jvp_with_output(cbrt_p,
                       lambda t, ans, x: mul(t, mul(_const(x, 1 / 3), integer_pow(ans, -2))))


# --- erf / erfc / erf_inv / lgamma / digamma ---------------------------------

def erf(x):
    """Elementwise error function (floating dtypes). Lowers to ``chlo.erf``."""
    return erf_p.bind(x)


erf_p = naryop("erf", floating, "chlo.erf")
_unary_jvp(erf_p, lambda t, x: mul(_const(x, 2 / np.sqrt(np.pi)), mul(t, exp(neg(square(x))))))


def erfc(x):
    """Elementwise complementary error function ``1 - erf(x)``. Lowers to ``chlo.erfc``."""
    return erfc_p.bind(x)


erfc_p = naryop("erfc", floating, "chlo.erfc")
_unary_jvp(erfc_p, lambda t, x: mul(_const(x, -2 / np.sqrt(np.pi)), mul(t, exp(neg(square(x))))))


def erf_inv(x):
    """Elementwise inverse error function on (-1, 1). Lowers to ``chlo.erf_inv``."""
    return erf_inv_p.bind(x)


erf_inv_p = naryop("erf_inv", floating, "chlo.erf_inv")
_unary_jvp_with_output(erf_inv_p, lambda t, ans, x: mul(_const(x, np.sqrt(np.pi) / 2),
                                                        mul(t, exp(square(ans)))))


def lgamma(x):
    """Elementwise ``log(|gamma(x)|)``. Lowers to ``chlo.lgamma``."""
    return lgamma_p.bind(x)


lgamma_p = naryop("lgamma", floating, "chlo.lgamma")
_unary_jvp(lgamma_p, lambda t, x: mul(t, digamma(x)))


def digamma(x):
    """Elementwise digamma function ``gamma'(x) / gamma(x)``. Lowers to ``chlo.digamma``."""
    return digamma_p.bind(x)


digamma_p = naryop("digamma", floating, "chlo.digamma")
_unary_jvp(digamma_p, lambda t, x: mul(t, polygamma(_const(x, 1), x)))


def polygamma(m, x):
    """Elementwise polygamma function: the ``m``-th derivative of ``digamma`` at ``x``.

    ``m`` is a non-negative integer value of ``x``'s floating dtype (``polygamma(0, x)``
    is ``digamma(x)``). Lowers to ``chlo.polygamma``. Differentiable in ``x`` only.

    >>> lax.polygamma(1., 1.)   # pi**2 / 6
    Array(1.644934, dtype=float32, weak_type=True)
    """
    return _binary(polygamma_p, m, x)


def _polygamma_jvp_m(t, m, x):
    raise ValueError("polygamma gradient with respect to m is not supported")


polygamma_p = naryop("polygamma", floating, "chlo.polygamma")
ad.defjvp(polygamma_p, _polygamma_jvp_m,
          lambda t, m, x: mul(t, polygamma(add(m, _const(m, 1)), x)))


__all__ = [
    "exp", "exp_p", "exp2", "exp2_p", "log", "log_p", "log1p", "log1p_p",
    "expm1", "expm1_p", "tanh", "tanh_p", "logistic", "logistic_p", "sin", "sin_p",
    "cos", "cos_p", "tan", "tan_p", "asin", "asin_p", "acos", "acos_p",
    "atan", "atan_p", "atan2", "atan2_p", "sinh", "sinh_p", "cosh", "cosh_p",
    "asinh", "asinh_p", "acosh", "acosh_p", "atanh", "atanh_p", "sqrt", "sqrt_p",
    "rsqrt", "rsqrt_p", "cbrt", "cbrt_p", "erf", "erf_p", "erfc", "erfc_p",
    "erf_inv", "erf_inv_p", "lgamma", "lgamma_p", "digamma", "digamma_p",
    "polygamma", "polygamma_p",
]
