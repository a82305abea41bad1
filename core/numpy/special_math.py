"""Floating-point decomposition, Bessel ``i0``, integer gcd/lcm and complex predicates:
``frexp``, ``ldexp``, ``spacing``, ``i0``, ``gcd``, ``lcm``, ``iscomplex``, ``isreal``.

``frexp`` works on the bits (``bitcast_convert_type``), normalising subnormals first,
as JAX does; its derivative is ``2**-e`` for the mantissa. ``ldexp`` is built on
``frexp``. ``i0`` is ``exp(|x|) * bessel_i0e(|x|)``. ``gcd`` is Euclid's algorithm
in a ``while_loop`` over the whole array.
"""
import functools

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..custom_derivatives import custom_jvp
from ..interpreters import ad
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import check_arraylike, promote_dtypes, promote_dtypes_inexact

__all__ = ["frexp", "ldexp", "spacing", "i0", "gcd", "lcm", "iscomplex", "isreal"]

_INT_FOR_BITS = {16: np.dtype(np.int16), 32: np.dtype(np.int32), 64: np.dtype(np.int64)}


# --- frexp, ldexp, spacing ------------------------------------------------------------

def _normalize_float(x):
    """``x``'s bits as an int, with subnormals scaled up by ``2**nmant`` (and that
    exponent offset returned separately)."""
    info = dtypes.finfo(x.dtype)
    int_type = _INT_FOR_BITS[info.bits]
    tiny = lax.abs(x) < np.array(info.tiny, x.dtype)
    x1 = jnp.where(tiny, x * np.array(1 << info.nmant, x.dtype), x)
    x2 = jnp.where(tiny, np.array(-info.nmant, int_type), np.array(0, int_type))
    return lax.bitcast_convert_type(x1, int_type), x2


def _frexp_value(x):
    info = dtypes.finfo(x.dtype)
    mask = (1 << info.nexp) - 1
    bias = 1 - info.minexp
    bits, exponent = _normalize_float(x)
    int_type = bits.dtype
    exponent = exponent + (((bits >> np.array(info.nmant, int_type)) & np.array(mask, int_type))
                           - np.array(bias - 1, int_type))
    bits = bits & np.array(~(mask << info.nmant), int_type)
    bits = bits | np.array((bias - 1) << info.nmant, int_type)
    mantissa = lax.bitcast_convert_type(bits, x.dtype)
    special = jnp.isinf(x) | jnp.isnan(x) | (x == 0)
    exponent = jnp.where(special, jnp.zeros_like(exponent), exponent)
    return jnp.where(special, x, mantissa), lax.convert_element_type(exponent, np.int32)


_frexp = custom_jvp(_frexp_value)


@_frexp.defjvp
def _frexp_jvp(primals, tangents):
    x, = primals
    t, = tangents
    m, e = _frexp_value(x)
    return (m, e), (t * jnp.exp2(-e.astype(t.dtype)), jnp.zeros_like(e))


@jit
def _frexp_jit(x):
    return _frexp(x)


def frexp(x, /):
    """Split ``x`` into mantissa and exponent: ``x == m * 2**e`` with ``0.5 <= |m| < 1``
    (``m = x, e = 0`` for 0, inf and NaN); ``e`` is int32."""
    check_arraylike("frexp", x)
    x, = promote_dtypes_inexact(jnp.asarray(x))
    if dtypes.is_complex(x.dtype):
        raise TypeError("frexp does not support complex-valued inputs")
    return _frexp_jit(x)


@jit
def _ldexp(x1, x2):
    x1, = promote_dtypes_inexact(x1)
    x2 = lax.convert_element_type(x2, x1.dtype)
    m, e = frexp(x1)
    e = (e.astype(x2.dtype) + x2).astype(x1.dtype)
    m = jnp.where(e > 0, m * 2, m)
    e = jnp.where(e > 0, e - 1, e)
    x = m * (2 ** e.astype(m.dtype))
    return jnp.where(jnp.isinf(x1) | (x1 == 0), x1, x)


def ldexp(x1, x2, /):
    """``x1 * 2**x2`` for an integer ``x2``, exact (no rounding of ``2**x2``)."""
    check_arraylike("ldexp", x1, x2)
    x1, x2 = jnp.asarray(x1), jnp.asarray(x2)
    if dtypes.is_complex(x1.dtype) or dtypes.is_inexact(x2.dtype):
        raise ValueError(f"ldexp not supported for input types {(x1.dtype, x2.dtype)}")
    return _ldexp(x1, x2)


@functools.partial(jit, inline=True)
def _spacing(x):
    inf = np.array(np.inf, x.dtype)
    if x.dtype == np.float16:
        return lax.nextafter(x, jnp.broadcast_to(inf, x.shape)) - x
    toward = jnp.copysign(jnp.broadcast_to(inf, x.shape), x)
    result = lax.nextafter(x, toward) - x
    smallest = np.array(dtypes.finfo(x.dtype).smallest_subnormal, x.dtype)
    return jnp.where(result == 0, jnp.copysign(smallest, x), result)


def spacing(x, /):
    """The distance from ``x`` to the next representable number away from zero
    (toward +inf for float16, as JAX)."""
    check_arraylike("spacing", x)
    x, = promote_dtypes_inexact(jnp.asarray(x))
    if dtypes.is_complex(x.dtype):
        raise ValueError("jnp.spacing is not defined for complex inputs.")
    return _spacing(x)


# --- i0 -------------------------------------------------------------------------------

def _i0_value(x):
    abs_x = lax.abs(x)
    return lax.mul(lax.exp(abs_x), lax.bessel_i0e(abs_x))


_i0_custom = custom_jvp(_i0_value)


@_i0_custom.defjvp
def _i0_jvp(primals, tangents):
    """The derivative of the plain formula, but 0 at 0 (where ``abs`` has no derivative)."""
    (primal_out,), (tangent_out,) = ad.jvp_flat(lambda v: [_i0_value(v)], primals, tangents)
    return primal_out, jnp.where(primals[0] == 0, 0.0, tangent_out)


@jit
def _i0(x):
    return _i0_custom(x)


def i0(x):
    """The modified Bessel function of the first kind, order 0, ``exp(|x|) * i0e(|x|)``;
    its derivative is ``i1`` (0 at 0)."""
    check_arraylike("i0", x)
    x, = promote_dtypes_inexact(jnp.asarray(x))
    if not dtypes.is_float(x.dtype):
        raise ValueError(f"Unsupported input type to jax.numpy.i0: {x.dtype}")
    return _i0(x)


# --- gcd, lcm -------------------------------------------------------------------------

def _gcd_cond(xs):
    return jnp.any(xs[1] != 0)


def _gcd_body(xs):
    x1, x2 = xs
    nz = x2 != 0
    x1, x2 = jnp.where(nz, x2, x1), jnp.where(nz, lax.rem(x1, jnp.where(nz, x2, 1)),
                                              jnp.zeros_like(x2))
    return jnp.where(x1 < x2, x2, x1), jnp.where(x1 < x2, x1, x2)


@jit
def _gcd(x1, x2):
    x1, x2 = promote_dtypes(x1, x2)
    if not dtypes.is_int(x1.dtype):
        raise ValueError("Arguments to jax.numpy.gcd must be integers.")
    x1, x2 = jnp.broadcast_arrays(x1, x2)
    g, _ = lax.while_loop(_gcd_cond, _gcd_body, (jnp.abs(x1), jnp.abs(x2)))
    return g


def gcd(x1, x2):
    """The greatest common divisor of ``|x1|`` and ``|x2|`` (integers)."""
    check_arraylike("gcd", x1, x2)
    return _gcd(jnp.asarray(x1), jnp.asarray(x2))


@jit
def _lcm(x1, x2):
    x1, x2 = promote_dtypes(x1, x2)
    x1, x2 = jnp.abs(x1), jnp.abs(x2)
    if not dtypes.is_int(x1.dtype):
        raise ValueError("Arguments to jax.numpy.lcm must be integers.")
    d = _gcd(x1, x2)
    return jnp.where(d == 0, jnp.zeros_like(d),
                     jnp.multiply(x1, jnp.floor_divide(x2, jnp.where(d == 0, 1, d))))


def lcm(x1, x2):
    """The least common multiple of ``|x1|`` and ``|x2|`` (integers)."""
    check_arraylike("lcm", x1, x2)
    return _lcm(jnp.asarray(x1), jnp.asarray(x2))


# --- iscomplex, isreal ----------------------------------------------------------------

@jit
def _iscomplex(x):
    i = jnp.imag(x)
    return lax.ne(i, jnp.zeros_like(i))


@jit
def _isreal(x):
    i = jnp.imag(x)
    return lax.eq(i, jnp.zeros_like(i))


def iscomplex(x):
    """Whether each element has a non-zero imaginary part."""
    check_arraylike("iscomplex", x)
    return _iscomplex(x)


def isreal(x):
    """Whether each element has a zero imaginary part."""
    check_arraylike("isreal", x)
    return _isreal(x)
