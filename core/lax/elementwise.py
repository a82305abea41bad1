"""Elementwise primitives: arithmetic, rounding, powers, abs, complex parts,
clamp/select, dtype conversion.

One section per primitive: the public wrapper (with its docstring), the
``*_p`` object, and its rules: shape/dtype, lowering, jvp (and transpose for
the linear ones). Exponentials, logarithms, trigonometric, hyperbolic and
special functions live in ``transcendental.py`` (re-exported here);
comparisons, bitwise ops, shifts and bitcasts in ``bitwise.py``. Batching:
``naryop`` primitives get the broadcasting rule (``_families.naryop``); the
others register theirs here.

Derivatives follow JAX's conventions exactly (``jax/_src/lax/lax.py``):
``abs'(0) = 1`` (``select(x >= 0, g, -g)``), ``max``/``min`` split ties
0.5/0.5, ``sqrt'(0) = inf``, ``d pow(x, y)/dy = 0`` at ``x = 0``; rounding,
``sign`` and comparisons have zero tangents; ``nextafter`` has no derivative.

The wrappers take arrays or Python scalars. Operands must share a dtype, as
in JAX: a Python scalar is a weakly typed value of its default dtype, so
``lax.add(x_f32, 1.0)`` works but ``lax.add(x_int8, 1)`` and ``lax.add(1,
1.0)`` are TypeErrors (``glassbox.numpy`` promotes). Rank-0 operands and
size-1 dimensions broadcast (see ``_families.nary_args``).
"""
import builtins
import enum
import operator

import numpy as np

from .. import dtypes
from ..dtypes import PYTHON_SCALARS
from ..interpreters import ad, batching
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval, sharding_rules
from ..interpreters.lowering import lowering_rules
from ..tree_util import tree_map
from ._families import (any_dtype, broadcast_operand, check_dtypes, check_same,
                        check_same_dtypes, compare, complex_, complex_or_parts, complex_parts,
                        defjvp_zero, floating, full_like_aval, inexact, nary_args,
                        naryop, numeric, ordered, real_num, signed_num)
from .shape import broadcast_in_dim
from . import typed_shardings


def _real_dtype(dtype):
    """float32 for complex64 (the dtype of ``abs``/``real``/``imag``); identity otherwise."""
    return np.abs(np.zeros((), dtype)).dtype


def _complex_dtype(dtype):
    """complex64 for float32, complex128 for float64 (``lax.complex``/``conj``)."""
    return (np.zeros((), dtype) + np.zeros((), np.complex64)).dtype


def _const(x, value):
    """``value`` as a constant of ``x``'s dtype, as JAX's ``lax._const``.

    For a weakly typed scalar ``x`` it is a Python scalar (weak too), so derivative
    rules keep the weak type: ``grad(jnp.sqrt)(0.5)`` stays weak, as in JAX.
    """
    aval = get_aval(x)
    if aval.weak_type and aval.shape == ():
        scalar = {"b": bool, "i": int, "u": int, "f": float, "c": complex}[aval.dtype.kind]
        if dtypes.python_scalar_dtype(scalar(0)) == aval.dtype:
            return scalar(value)
    return np.array(value, dtype=aval.dtype)


def _binary(prim, x, y):
    return prim.bind(*nary_args(prim.name, (x, y)))


# --- helpers for the derivative rules (JAX's lax._zeros/_ones/_replace_zero) ----

def _full_like(x, value):
    """An array of ``x``'s shape, dtype and weak type filled with ``value`` (``lax.full_like``).

    Keeping the weak type keeps tangents weakly typed where JAX's are (its
    ``_zeros``/``_ones`` are ``full_like``).
    """
    aval = get_aval(x)
    fill = np.array(value, aval.dtype)
    if aval.weak_type:
        fill = convert_element_type(fill.item(), aval.dtype, weak_type=True)
    return broadcast_in_dim(fill, aval.shape, ()) if aval.shape else fill


def _replace_zero(x):
    """``x`` with its zeros replaced by ones (keeps ``log``/division finite where unused)."""
    return select(eq(x, _const(x, 0)), _full_like(x, 1), x)


def _unary_jvp(prim, tangent_fn):
    """``ad.defjvp`` for a one-argument primitive: ``tangent_fn(t, x) -> tangent``."""
    ad.defjvp(prim, lambda t, x, **params: tangent_fn(t, x))


def _unary_jvp_with_output(prim, tangent_fn):
    """jvp rule reusing the primal output: ``tangent_fn(t, ans, x) -> tangent``."""
    ad.defjvp_with_output(prim, lambda t, ans, x, **params: tangent_fn(t, ans, x))


def _is_complex(x):
    return dtypes.is_complex(get_aval(x).dtype)


# --- neg ---------------------------------------------------------------------

def neg(x):
    """Elementwise negation ``-x``. Lowers to ``stablehlo.negate``.

    Unsigned integers wrap around (``2**nbits - x``); booleans are rejected.
    """
    return neg_p.bind(x)


neg_p = naryop("neg", numeric, "stablehlo.negate")
ad.deflinear(neg_p, lambda ct, x: [ad.Zero(x.aval) if ad.is_zero(ct) else neg(ct)])


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
defjvp_zero(sign_p)


# --- floor / ceil / round ----------------------------------------------------

def floor(x):
    """Elementwise floor (floating dtypes only). Lowers to ``stablehlo.floor``."""
    return floor_p.bind(x)


floor_p = naryop("floor", floating, "stablehlo.floor")
defjvp_zero(floor_p)


def ceil(x):
    """Elementwise ceiling (floating dtypes only). Lowers to ``stablehlo.ceil``."""
    return ceil_p.bind(x)


ceil_p = naryop("ceil", floating, "stablehlo.ceil")
defjvp_zero(ceil_p)


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
defjvp_zero(round_p)


# --- is_finite ---------------------------------------------------------------

def is_finite(x):
    """Elementwise "neither inf nor nan" (floating dtypes). Lowers to ``stablehlo.is_finite``."""
    return is_finite_p.bind(x)


is_finite_p = naryop("is_finite", floating, "stablehlo.is_finite", result_dtype=lambda d: np.bool_)
defjvp_zero(is_finite_p)


# --- add / sub / mul / div / rem ---------------------------------------------

def add(x, y):
    """Elementwise ``x + y``. Lowers to ``stablehlo.add``."""
    return _binary(add_p, x, y)


add_p = naryop("add", numeric, "stablehlo.add")


def _add_jvp(primals, tangents):
    tx, ty = tangents
    out = add_p.bind(*primals)
    if ad.is_zero(tx) and ad.is_zero(ty):
        return out, ad.zero_tangent(get_aval(out))
    return out, ty if ad.is_zero(tx) else tx if ad.is_zero(ty) else add(tx, ty)


ad.jvp_rules[add_p] = _add_jvp
ad.transpose_rules[add_p] = lambda ct, x, y: [ct, ct]


def sub(x, y):
    """Elementwise ``x - y``. Lowers to ``stablehlo.subtract``."""
    return _binary(sub_p, x, y)


sub_p = naryop("sub", numeric, "stablehlo.subtract")


def _sub_jvp(primals, tangents):
    tx, ty = tangents
    out = sub_p.bind(*primals)
    if ad.is_zero(tx) and ad.is_zero(ty):
        return out, ad.zero_tangent(get_aval(out))
    return out, neg(ty) if ad.is_zero(tx) else tx if ad.is_zero(ty) else sub(tx, ty)


def _sub_transpose(ct, x, y):
    if ad.is_zero(ct):
        return [ct, ct]
    return [ct, neg(ct) if ad.is_undefined(y) else None]


ad.jvp_rules[sub_p] = _sub_jvp
ad.transpose_rules[sub_p] = _sub_transpose


def mul(x, y):
    """Elementwise ``x * y``. Lowers to ``stablehlo.multiply``."""
    return _binary(mul_p, x, y)


mul_p = naryop("mul", numeric, "stablehlo.multiply")


def _mul_transpose(ct, x, y):
    # bilinear: exactly one of x, y is the linear (undefined) input
    if ad.is_undefined(x):
        return [ad.Zero(x.aval) if ad.is_zero(ct) else mul(ct, y), None]
    return [None, ad.Zero(y.aval) if ad.is_zero(ct) else mul(x, ct)]


ad.defjvp(mul_p, lambda t, x, y: mul(t, y), lambda t, x, y: mul(x, t))
ad.transpose_rules[mul_p] = _mul_transpose


def div(x, y):
    """Elementwise ``x / y``. Lowers to ``stablehlo.divide``.

    Integer division rounds toward zero, as in C (``lax.div(-7, 2) == -3``);
    ``glassbox.numpy.floor_divide`` gives Python's floor division.
    """
    return _binary(div_p, x, y)


div_p = naryop("div", numeric, "stablehlo.divide")


def _div_transpose(ct, x, y):
    # linear in the numerator only
    return [ad.Zero(x.aval) if ad.is_zero(ct) else div(ct, y), None]


ad.defjvp(div_p, lambda t, x, y: div(t, y),
          lambda t, x, y: mul(mul(neg(t), x), integer_pow(y, -2)))
ad.transpose_rules[div_p] = _div_transpose


def rem(x, y):
    """Elementwise remainder of ``div``: the sign follows ``x``, as C's ``%`` and ``fmod``.

    Lowers to ``stablehlo.remainder``. ``glassbox.numpy.remainder`` gives Python's ``%``.
    """
    return _binary(rem_p, x, y)


rem_p = naryop("rem", real_num, "stablehlo.remainder")
ad.defjvp(rem_p, lambda t, x, y: t,
          lambda t, x, y: mul(neg(t), mul(sign(div(x, y)), floor(abs(div(x, y))))))


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


def _balanced_eq(x, z, y):
    """1 where ``x == z`` alone, 0.5 where ``x == y == z`` (a tie), else 0: ties split evenly."""
    return div(select(eq(x, z), _full_like(z, 1), _full_like(z, 0)),
               select(eq(y, z), _full_like(z, 2), _full_like(z, 1)))


def _defjvp_minmax(prim):
    def rule(primals, tangents):
        x, y = primals
        out = prim.bind(x, y)
        total = ad.zero_tangent(get_aval(out))
        for t, (a, b) in zip(tangents, ((x, y), (y, x))):
            if not ad.is_zero(t):
                total = ad.add_tangents(total, mul(t, _balanced_eq(a, out, b)))
        return out, total
    ad.jvp_rules[prim] = rule


_defjvp_minmax(max_p)


def min(x, y):  # noqa: A001 (lax's name)
    """Elementwise minimum; nan if either is nan. Lowers to ``stablehlo.minimum``."""
    return _binary(min_p, x, y)


min_p = naryop("min", any_dtype, _minmax_lowering("stablehlo.minimum", "LT"))
_defjvp_minmax(min_p)


# --- pow / integer_pow / square / reciprocal ---------------------------------

def pow(x, y):  # noqa: A001 (lax's name)
    """Elementwise ``x ** y`` for a floating or complex ``x``. Lowers to ``stablehlo.power``.

    ``y`` has ``x``'s dtype or an integer dtype (converted to ``x``'s dtype
    when lowered); a Python int ``y`` is an int32 exponent, as in JAX (this
    matters for the derivative: ``d/dx x**0`` is 0, not ``0 * x**-1``). For a
    fixed integer exponent ``integer_pow`` is more accurate.
    """
    if type(y) is int:
        shape = get_aval(x).shape
        return pow_p.bind(x, broadcast_in_dim(y, shape, ()) if shape else y)
    return pow_p.bind(*nary_args("pow", (x, y)))


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


def _pow_jvp_x(t, ans, x, y):
    # Both operands in the result dtype, strongly typed as JAX's convert_element_type
    # makes them: the derivative of x ** 2.5 at a Python float is not weak in JAX.
    y_is_int = dtypes.is_int(get_aval(y).dtype)
    x, y = (convert_element_type(v, get_aval(ans).dtype) for v in (x, y))
    if y_is_int:
        # an integer exponent: d/dx x**0 is exactly 0 (JAX's rule)
        jac = select(eq(y, _const(y, 0)), _full_like(y, 0),
                     mul(_replace_zero(y), pow(x, sub(y, _const(y, 1)))))
    else:
        jac = mul(y, pow(x, sub(y, _const(y, 1))))
    return mul(t, jac)


def _pow_jvp_y(t, ans, x, y):
    # log(x) with x == 0 replaced by 1: d/dy 0**y is taken as 0, as JAX does; the
    # conversion (strongly typed) is JAX's too
    return convert_element_type(mul(t, mul(log(_replace_zero(x)), ans)), get_aval(y).dtype)


def _pow_jvp(primals, tangents):
    x, y = primals
    ans = pow_p.bind(x, y)
    total = ad.Zero(ad.tangent_aval(get_aval(ans)))
    for t, fn in zip(tangents, (_pow_jvp_x, _pow_jvp_y)):
        if not ad.is_zero(t):
            total = ad.add_tangents(total, fn(t, ans, x, y))
    return ans, total


abstract_eval_rules[pow_p] = _pow_abstract_eval
sharding_rules[pow_p] = typed_shardings.elementwise("pow")
lowering_rules[pow_p] = _pow_lowering
ad.jvp_rules[pow_p] = _pow_jvp
batching.defbroadcasting(pow_p)


def integer_pow(x, y):
    """Elementwise ``x ** y`` for a fixed Python int ``y``, by repeated multiplication.

    Exact for integers and more accurate than ``pow`` for floats. A negative
    ``y`` gives ``1 / x**-y`` (floating and complex dtypes only). Lowers to
    ``stablehlo.multiply`` ops (and one ``stablehlo.divide``), as JAX does.
    """
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


def _integer_pow_jvp(t, x, *, y):
    if y == 0:
        return ad.Zero(ad.tangent_aval(get_aval(x)))
    return mul(t, mul(_const(x, y), integer_pow(x, y - 1)))


abstract_eval_rules[integer_pow_p] = _integer_pow_abstract_eval
sharding_rules[integer_pow_p] = typed_shardings.same_as_operand
lowering_rules[integer_pow_p] = _integer_pow_lowering
ad.defjvp(integer_pow_p, _integer_pow_jvp)
batching.defvectorized(integer_pow_p)


def square(x):
    """Elementwise ``x * x``. Lowers to ``chlo.square`` (``stablehlo.multiply`` for integers)."""
    return square_p.bind(x)


def _square_lowering(ctx, x):
    if dtypes.is_int(ctx.avals_in[0].dtype):
        return ctx.op("stablehlo.multiply", [x, x])
    return ctx.op("chlo.square", [x])


square_p = naryop("square", numeric, _square_lowering)
_unary_jvp(square_p, lambda t, x: mul(t, mul(_const(x, 2), x)))


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


def _abs_jvp(t, ans, x):
    if _is_complex(x):
        # d|z| = real(t * conj(z) / |z|), with |z| == 0 replaced by 1
        modulus = _replace_zero(convert_element_type(ans, get_aval(x).dtype))
        return real(mul(t, div(conj(x), modulus)))
    return select(ge(x, _const(x, 0)), t, neg(t))   # JAX's convention: abs'(0) = 1


_unary_jvp_with_output(abs_p, _abs_jvp)


# --- nextafter ---------------------------------------------------------------

def nextafter(x1, x2):
    """The next representable value after ``x1`` toward ``x2``. Lowers to ``chlo.next_after``."""
    return _binary(nextafter_p, x1, x2)


nextafter_p = naryop("nextafter", floating, "chlo.next_after")
# no jvp rule, as in JAX: differentiating nextafter raises NotImplementedError


# --- real / imag / complex / conj --------------------------------------------

def real(x):
    """Elementwise real part of a complex array. Lowers to ``stablehlo.real``."""
    return real_p.bind(x)


real_p = naryop("real", complex_, "stablehlo.real", result_dtype=_real_dtype)
ad.deflinear(real_p, lambda ct, x: [
    ad.Zero(x.aval) if ad.is_zero(ct) else complex(ct, _const(ct, 0))])


def imag(x):
    """Elementwise imaginary part of a complex array. Lowers to ``stablehlo.imag``."""
    return imag_p.bind(x)


imag_p = naryop("imag", complex_, "stablehlo.imag", result_dtype=_real_dtype)
ad.deflinear(imag_p, lambda ct, x: [
    ad.Zero(x.aval) if ad.is_zero(ct) else complex(_const(ct, 0), neg(ct))])


def complex(x, y):  # noqa: A001 (lax's name)
    """Elementwise ``x + 1j * y`` from float32/float64 parts. Lowers to ``stablehlo.complex``."""
    return _binary(complex_p, x, y)


complex_p = naryop("complex", complex_parts, "stablehlo.complex", result_dtype=_complex_dtype)


def _complex_transpose(ct, x, y):
    if ad.is_zero(ct):
        return [ad.Zero(x.aval) if ad.is_undefined(x) else None,
                ad.Zero(y.aval) if ad.is_undefined(y) else None]
    return [real(ct) if ad.is_undefined(x) else None,
            imag(neg(ct)) if ad.is_undefined(y) else None]


ad.deflinear(complex_p, _complex_transpose)


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


def _conj_transpose(ct, x):
    if ad.is_zero(ct):
        return [ad.Zero(x.aval)]
    return [conj(ct) if dtypes.is_complex(x.aval.dtype) else real(ct)]


ad.deflinear(conj_p, _conj_transpose)


# --- clamp -------------------------------------------------------------------

def clamp(min, x, max):  # noqa: A002 (lax's signature)
    """Elementwise ``minimum(maximum(x, min), max)``. Lowers to ``stablehlo.clamp``.

    ``min`` and ``max`` are scalars or have ``x``'s shape; all three share one
    dtype (a Python scalar bound is a weak int32/float32, as in JAX: clamp an
    int8 ``x`` with ``np.int8`` bounds).
    """
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


def _broadcast_like(t, x):
    """A scalar-shaped tangent ``t`` broadcast to ``x``'s shape (a bound's tangent)."""
    shape = get_aval(x).shape
    return t if get_aval(t).shape == shape else broadcast_in_dim(t, shape, ())


def _clamp_batch(axis_data, args, dims):
    """``x`` and array bounds share one batch dim; scalar unbatched bounds stay scalars."""
    (lo, x, hi), (lo_d, x_d, hi_d) = args, dims
    target = x_d if x_d is not None else next(d for d in dims if d is not None)
    if x_d is None:
        x = batching.broadcast_batched(x, axis_data.size, target)
    shape = get_aval(x).shape
    out = []
    for b, d in ((lo, lo_d), (hi, hi_d)):
        if d is None:   # a scalar stays a scalar; an array bound is broadcast along the batch
            out.append(b if not get_aval(b).shape else
                       batching.broadcast_batched(b, axis_data.size, target))
        elif get_aval(b).ndim == 1 and len(shape) > 1:   # a batch of scalar bounds
            out.append(broadcast_in_dim(b, shape, (target,)))
        else:
            out.append(batching.moveaxis(b, d, target))
    return clamp_p.bind(out[0], x, out[1]), target


abstract_eval_rules[clamp_p] = _clamp_abstract_eval
lowering_rules[clamp_p] = _clamp_lowering
ad.defjvp(clamp_p,
          lambda t, lo, x, hi: select(bitwise_and(gt(lo, x), lt(lo, hi)), _broadcast_like(t, x),
                                      _full_like(x, 0)),
          lambda t, lo, x, hi: select(bitwise_and(gt(x, lo), lt(x, hi)), t, _full_like(x, 0)),
          lambda t, lo, x, hi: select(lt(hi, x), _broadcast_like(t, x), _full_like(x, 0)))
batching.batch_rules[clamp_p] = _clamp_batch


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


def _select_n_jvp(primals, tangents):
    which, *cases = primals
    out = select_n_p.bind(which, *cases)
    case_tangents = tangents[1:]   # the predicate is not differentiable
    if all(ad.is_zero(t) for t in case_tangents):
        return out, ad.zero_tangent(get_aval(out))
    # zero tangents become zeros like a nonzero one (its weak type included), as in JAX
    zero = _full_like(next(t for t in case_tangents if not ad.is_zero(t)), 0)
    return out, select_n_p.bind(which, *[zero if ad.is_zero(t) else t for t in case_tangents])


def _select_n_transpose(ct, which, *cases):
    """Each linear case gets ``ct`` where it was selected and 0 elsewhere."""
    if ad.is_zero(ct):
        return [None] + [ad.Zero(c.aval) if ad.is_undefined(c) else None for c in cases]
    zeros = _full_like(ct, 0)
    boolean = get_aval(which).dtype == np.bool_

    def pick(i):
        if boolean:   # False selects case 0, True case 1
            return select_n(which, ct, zeros) if i == 0 else select_n(which, zeros, ct)
        return select(eq(which, _const(which, i)), ct, zeros)
    return [None] + [pick(i) if ad.is_undefined(c) else None for i, c in enumerate(cases)]


def _select_n_batch(axis_data, args, dims):
    """A per-example scalar ``which`` stays scalar (unbatched) or is broadcast to the cases."""
    (which, *cases), (which_d, *case_dims) = args, dims
    scalar_which = get_aval(which).ndim == (0 if which_d is None else 1)
    case_shape = get_aval(cases[0]).shape
    scalar_cases = len(case_shape) == (0 if case_dims[0] is None else 1)
    if scalar_which and not scalar_cases:
        if all(d is None for d in case_dims):
            cases = [batching.broadcast_batched(c, axis_data.size, which_d) for c in cases]
            target = which_d
        else:
            cases, target = batching.match_bdims(axis_data.size, cases, case_dims)
        if which_d is not None:   # a batch of scalar predicates: one per example
            which = broadcast_in_dim(which, get_aval(cases[0]).shape, (target,))
        return select_n_p.bind(which, *cases), target
    (which, *cases), target = batching.match_bdims(axis_data.size, [which, *cases], dims)
    return select_n_p.bind(which, *cases), target


abstract_eval_rules[select_n_p] = _select_n_abstract_eval
sharding_rules[select_n_p] = typed_shardings.elementwise("select_n")
lowering_rules[select_n_p] = _select_n_lowering
ad.jvp_rules[select_n_p] = _select_n_jvp
ad.transpose_rules[select_n_p] = _select_n_transpose
batching.batch_rules[select_n_p] = _select_n_batch


def select(pred, on_true, on_false):
    """``on_true`` where ``pred`` else ``on_false``: ``select_n(pred, on_false, on_true)``."""
    return select_n(pred, on_false, on_true)


# --- convert_element_type ----------------------------------------------------

def convert_element_type(x, new_dtype, weak_type=False):
    """Convert ``x`` to ``new_dtype``. Lowers to ``stablehlo.convert``.

    Complex to real keeps the real part; anything to bool means "is nonzero".
    Python scalars are converted on the host (no primitive is bound), as JAX
    does; a Python int that does not fit an integer ``new_dtype`` wraps around
    as in JAX (``convert_element_type(300, int8)`` is 44).
    """
    new_dtype = dtypes.canonicalize_dtype(new_dtype)
    if type(x) in PYTHON_SCALARS:
        x = _wrap_python_int(x, new_dtype)
        if weak_type:
            py = {"b": bool, "i": int, "u": int, "f": float, "c": builtins.complex}[new_dtype.kind]
            if dtypes.dtype_and_weak(py(x)) == (new_dtype, True):
                return py(x)
        if type(x) is builtins.complex and new_dtype.kind != "c":
            x = x.real
        with np.errstate(over="ignore"):   # 1e10 -> float16 is inf, silently (as in JAX)
            return np.array(x, dtype=new_dtype)[()]
    aval = get_aval(x)
    if aval.dtype == new_dtype and aval.weak_type == weak_type and \
            getattr(x, "dtype", None) == new_dtype:   # a NumPy float64 input still converts
        return x
    return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=bool(weak_type))


def _wrap_python_int(x, dtype):
    """A Python int taken modulo ``2**bits`` of an integer ``dtype``, as JAX's host-side
    ``np.asarray(x).astype(dtype)``; other scalars and dtypes pass unchanged."""
    if type(x) is not int or not dtypes.is_int(dtype):
        return x
    info = dtypes.iinfo(dtype)   # ml_dtypes' iinfo: knows int4 and friends
    if info.min <= x <= info.max:
        return x
    return int(np.asarray(x).astype(dtype))


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


def _convert_jvp(t, ans, x, *, new_dtype, weak_type):
    if ad.tangent_aval(get_aval(ans)) is None:   # to an integer or bool: no tangent
        return ad.Zero(get_aval(ans))
    # the tangent keeps the result's weak type, as in JAX
    return convert_element_type(t, new_dtype, weak_type)


def _convert_transpose(ct, x, *, new_dtype, weak_type):
    """The cotangent converted back to the input's dtype; integer inputs get none."""
    if ad.is_zero(ct) or ad.tangent_aval(x.aval) is None:
        return [ad.Zero(x.aval)]
    return [convert_element_type(ct, x.aval.dtype, x.aval.weak_type)]


abstract_eval_rules[convert_element_type_p] = _convert_abstract_eval
sharding_rules[convert_element_type_p] = typed_shardings.same_as_operand
lowering_rules[convert_element_type_p] = _convert_lowering
ad.defjvp_with_output(convert_element_type_p, _convert_jvp)
ad.transpose_rules[convert_element_type_p] = _convert_transpose
batching.defvectorized(convert_element_type_p)


def _zeros_like_shaped_array(aval):
    """A zero array of ``aval``'s shape and dtype (how ``ad`` instantiates a ``Zero``)."""
    zero = convert_element_type(0, aval.dtype)
    return broadcast_in_dim(zero, aval.shape, ()) if aval.shape else \
        convert_element_type(zero, aval.dtype)


ad.aval_zeros_likers[ShapedArray] = _zeros_like_shaped_array


# --- stop_gradient (the primitive is ad's: ad.stop_gradient_p) ------------------

def stop_gradient(x):
    """Identity whose derivative is zero: no gradient flows through ``x`` (a pytree)."""
    return tree_map(lambda leaf: ad.stop_gradient_p.bind(leaf), x)


# Comparisons (used by the derivative rules above) live in bitwise.py; exponentials,
# trigonometric and special functions in transcendental.py, re-exported from here. Both
# import names from this module, so they are imported last.
from .bitwise import bitwise_and, eq, ge, gt, lt  # noqa: E402
from .transcendental import *  # noqa: E402,F401,F403
from .transcendental import __all__ as _transcendental_all  # noqa: E402

__all__ = [
    "RoundingMethod",
    "neg", "neg_p", "sign", "sign_p", "floor", "floor_p", "ceil", "ceil_p", "round", "round_p",
    "is_finite", "is_finite_p",
    "add", "add_p", "sub", "sub_p", "mul", "mul_p", "div", "div_p", "rem", "rem_p",
    "max", "max_p", "min", "min_p", "pow", "pow_p", "integer_pow", "integer_pow_p",
    "square", "square_p", "reciprocal", "abs", "abs_p", "nextafter", "nextafter_p",
    "real", "real_p", "imag", "imag_p", "complex", "complex_p", "conj", "conj_p",
    "clamp", "clamp_p", "select_n", "select_n_p", "select",
    "convert_element_type", "convert_element_type_p", "stop_gradient",
] + list(_transcendental_all)
