"""Op records for the elementwise primitives and ufuncs (see tests/op_table.py).

``jnp.*`` records test glassbox.numpy (promotion, broadcasting, NumPy
semantics); ``lax.*`` records test primitives whose semantics differ from
NumPy's ufuncs (C division, rounding modes, bit operations...), with a NumPy
or SciPy expression as the reference.
"""
import ml_dtypes
import numpy as np
import scipy.special

import glassbox.lax as lax
import glassbox.numpy as jnp
from tests.op_table import (BF16, BOOL, C64, F16, F32, FLOATS, I8, I32, INTS, U8, U32, Op,
                            rand_default, rand_positive, rand_small_int, rand_unit)

# Lean on purpose (the suite's time budget): most records run on one shape;
# rank 0 and broadcasting are exercised by a representative few.
SHAPES = ((2, 3),)
SCALAR_SHAPES = ((), (2, 3))
BINARY_SHAPES = (((2, 1), (3,)), (2, 3))         # the first one broadcasts
ALL_BINARY_SHAPES = ((),) + BINARY_SHAPES
FLOATS_C = FLOATS + (C64,)
SIGNED = (I32, I8)
ALL_NUM = FLOATS + (I32, I8, U8)


def _gens(*gens):
    return tuple(gens)


def rand_nonzero(rng, shape, dtype):
    """Divisors: no zeros (integer division by zero is XLA-defined, not NumPy's)."""
    x = rand_default(rng, shape, dtype)
    if np.dtype(dtype) == BOOL:
        return np.ones(shape, bool)
    return np.where(x == 0, np.ones((), dtype), x).astype(dtype)


def rand_ge1(rng, shape, dtype):
    """Arguments of arccosh: >= 1."""
    return (np.abs(rng.standard_normal(shape)) * 3 + 1).astype(dtype)


def rand_shift(rng, shape, dtype):
    """Shift amounts within the bit width of ``dtype``."""
    return rng.integers(0, np.dtype(dtype).itemsize * 8, shape).astype(dtype)


def rand_halves(rng, shape, dtype):
    """Values with many exact halves (x.5), where rounding modes differ."""
    return (rng.integers(-8, 8, shape) / 2).astype(dtype)


def rand_exponent(rng, shape, dtype):
    """Small exponents for power of a positive base (no overflow in float16)."""
    return rng.uniform(-3, 3, shape).astype(dtype)


def rand_low(rng, shape, dtype):
    """Lower bounds for clamp, below the upper ones (``rand_high``): JAX's clamp jvp assumes it."""
    if np.dtype(dtype).kind == "u":
        return rng.integers(0, 4, shape).astype(dtype)
    return (-np.abs(rng.standard_normal(shape)) * 2 - 0.5).astype(dtype)


def rand_high(rng, shape, dtype):
    """Upper bounds for clamp, above the lower ones (``rand_low``)."""
    if np.dtype(dtype).kind == "u":
        return rng.integers(5, 9, shape).astype(dtype)
    return (np.abs(rng.standard_normal(shape)) * 2 + 0.5).astype(dtype)


def rand_bool(rng, shape, dtype):
    return rng.random(shape) < 0.5


def rand_which3(rng, shape, dtype):
    return rng.integers(0, 3, shape).astype(np.int32)


def _c_div(x, y):
    """C integer division (truncating), NumPy's way of writing it."""
    q = np.abs(x.astype(np.int64)) // np.abs(y.astype(np.int64))
    return (np.sign(x.astype(np.int64)) * np.sign(y.astype(np.int64)) * q).astype(x.dtype)


def _popcount(x):
    unsigned = np.dtype(f"u{x.dtype.itemsize}")
    return np.bitwise_count(x.view(unsigned)).astype(x.dtype)


def _clz(x):
    bits = x.dtype.itemsize * 8
    unsigned = x.view(f"u{x.dtype.itemsize}").astype(np.uint64)
    width = np.array([int(v).bit_length() for v in unsigned.reshape(-1)]).reshape(x.shape)
    return (bits - width).astype(x.dtype)


def _round_afz(x):
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5)).astype(x.dtype)


def _float_ref(fn):
    """A SciPy function evaluated in float64 and rounded to the input's dtype."""
    def ref(x):
        return fn(x.astype(np.float64)).astype(x.dtype)
    return ref


def _lgamma(x):
    # C's lgamma(-inf) is +inf (as XLA and math.lgamma); SciPy's gammaln gives -inf.
    return np.where(np.isneginf(x), np.inf, scipy.special.gammaln(x))


def _default_float(dtype):
    """Math on integers gives float32 in JAX (NumPy: float16 for int8)."""
    return F32 if np.dtype(dtype).kind in "iub" else np.dtype(dtype)


_INEXACT_TOL = {F32: 1e-4, C64: 1e-4}   # transcendental functions near their edges
_INT_IN = {I32: 2e-5, I8: 2e-5, U8: 2e-5}  # integer inputs, float results: compare as floats

OPS = [
    # --- jnp arithmetic ------------------------------------------------------
    Op("jnp.add", jnp.add, np.add, 2, ALL_NUM + (BOOL,), ALL_BINARY_SHAPES, edge=True, grad=2),
    Op("jnp.subtract", jnp.subtract, np.subtract, 2, ALL_NUM, ALL_BINARY_SHAPES, edge=True, grad=2),
    Op("jnp.multiply", jnp.multiply, np.multiply, 2, ALL_NUM + (BOOL, C64), ALL_BINARY_SHAPES,
       edge=True, grad=2),
    Op("jnp.true_divide", jnp.true_divide, np.true_divide, 2, FLOATS_C + (I32,), ALL_BINARY_SHAPES,
       gen=_gens(rand_default, rand_nonzero), edge=True, tol=_INT_IN, grad=2),
    Op("jnp.divide_int8", jnp.divide, np.divide, 2, (I8, U8), SHAPES,
       gen=_gens(rand_default, rand_nonzero), out_dtype=_default_float, tol=_INT_IN),
    Op("jnp.floor_divide", jnp.floor_divide, np.floor_divide, 2, ALL_NUM, BINARY_SHAPES,
       gen=_gens(rand_default, rand_nonzero), grad=1),
    Op("jnp.remainder", jnp.remainder, np.remainder, 2, ALL_NUM, BINARY_SHAPES,
       gen=_gens(rand_default, rand_nonzero), grad=1),
    Op("jnp.fmod", jnp.fmod, np.fmod, 2, ALL_NUM, SHAPES, gen=_gens(rand_default, rand_nonzero),
       grad=1),
    Op("jnp.divmod.quotient", lambda x, y: jnp.divmod(x, y)[0], lambda x, y: np.divmod(x, y)[0],
       2, (F32, I32, U8), SHAPES, gen=_gens(rand_default, rand_nonzero), grad=1),
    Op("jnp.divmod.remainder", lambda x, y: jnp.divmod(x, y)[1], lambda x, y: np.divmod(x, y)[1],
       2, (F32, I32, U8), SHAPES, gen=_gens(rand_default, rand_nonzero), grad=1),
    Op("jnp.power", jnp.power, np.power, 2, FLOATS, BINARY_SHAPES,
       gen=_gens(rand_positive, rand_exponent), tol={F32: 1e-4}, grad=2),
    Op("jnp.power_int", jnp.power, np.power, 2, (I32, I8, U8), SCALAR_SHAPES,
       gen=_gens(rand_default, rand_small_int)),
    Op("jnp.power_scalar_exponent", lambda x: x ** 3, lambda x: x ** 3, 1, ALL_NUM + (C64,),
       SCALAR_SHAPES, edge=True, grad=2),
    Op("jnp.power_negative_exponent", lambda x: jnp.power(x, -2), lambda x: np.power(x, -2.0),
       1, FLOATS, SHAPES, gen=rand_positive, tol={F32: 1e-4}, grad=2),
    Op("jnp.float_power", jnp.float_power, lambda x, y: np.float_power(x, y).astype(np.float32),
       2, (F32, I32), SHAPES, gen=_gens(rand_positive, rand_small_int), out_dtype=lambda d: F32,
       tol={F32: 1e-4, I32: 1e-4}, grad=1),
    Op("jnp.negative", jnp.negative, np.negative, 1, ALL_NUM + (C64,), SHAPES, edge=True, grad=2),
    Op("jnp.positive", jnp.positive, np.positive, 1, ALL_NUM, SHAPES, grad=1),
    Op("jnp.abs", jnp.abs, np.abs, 1, ALL_NUM + (BOOL, C64), SCALAR_SHAPES, edge=True, grad=2),
    Op("jnp.fabs", jnp.fabs, np.fabs, 1, (F32, F16, I32), SHAPES, out_dtype=_default_float,
       tol=_INT_IN, grad=1),
    Op("jnp.sign", jnp.sign, np.sign, 1, ALL_NUM + (C64,), SHAPES, edge=True, grad=1),
    # --- jnp rounding --------------------------------------------------------
    Op("jnp.floor", jnp.floor, np.floor, 1, ALL_NUM, SHAPES, edge=True, grad=1),
    Op("jnp.ceil", jnp.ceil, np.ceil, 1, ALL_NUM, SHAPES, edge=True, grad=1),
    Op("jnp.trunc", jnp.trunc, np.trunc, 1, ALL_NUM, SHAPES, edge=True, grad=1),
    Op("jnp.fix", jnp.fix, np.fix, 1, FLOATS + (I32,), SHAPES, edge=True, grad=1),
    Op("jnp.rint", jnp.rint, np.rint, 1, FLOATS + (C64,), SHAPES, gen=rand_halves, edge=True),
    Op("jnp.round", jnp.round, np.round, 1, FLOATS + (I32, C64), SCALAR_SHAPES, gen=rand_halves,
       edge=True),
    Op("jnp.round_decimals", lambda x: jnp.round(x, 2), lambda x: np.round(x, 2), 1,
       (F32, F16), SHAPES, grad=1),
    # (no edge test: modf(inf) is (nan, inf) in JAX, (0, inf) in NumPy)
    Op("jnp.modf.fraction", lambda x: jnp.modf(x)[0], lambda x: np.modf(x)[0], 1, FLOATS,
       SHAPES, grad=1),
    # --- jnp exponentials and logarithms -------------------------------------
    Op("jnp.exp", jnp.exp, np.exp, 1, FLOATS_C + (I32,), SCALAR_SHAPES, edge=True, tol=_INT_IN,
       grad=2),
    Op("jnp.exp2", jnp.exp2, np.exp2, 1, FLOATS, SHAPES, edge=True, tol={F32: 1e-4}, grad=2),
    Op("jnp.expm1", jnp.expm1, np.expm1, 1, FLOATS, SHAPES, edge=True, grad=2),
    Op("jnp.log", jnp.log, np.log, 1, FLOATS_C + (I32,), SHAPES, gen=rand_positive, edge=True,
       tol=_INT_IN, grad=2),
    Op("jnp.log1p", jnp.log1p, np.log1p, 1, FLOATS, SHAPES, gen=rand_positive, edge=True, grad=2),
    Op("jnp.log2", jnp.log2, np.log2, 1, FLOATS_C, SHAPES, gen=rand_positive, edge=True, grad=1),
    Op("jnp.log10", jnp.log10, np.log10, 1, FLOATS_C, SHAPES, gen=rand_positive, edge=True, grad=1),
    Op("jnp.logaddexp", jnp.logaddexp, np.logaddexp, 2, FLOATS, BINARY_SHAPES, edge=True, grad=2),
    Op("jnp.logaddexp2", jnp.logaddexp2, np.logaddexp2, 2, FLOATS, SHAPES, edge=True,
       tol={F32: 1e-4}, grad=2),
    Op("jnp.sqrt", jnp.sqrt, np.sqrt, 1, FLOATS_C, SHAPES, gen=rand_positive, edge=True, grad=2),
    Op("jnp.cbrt", jnp.cbrt, np.cbrt, 1, FLOATS, SHAPES, edge=True, grad=2),
    Op("jnp.square", jnp.square, np.square, 1, ALL_NUM + (C64,), SHAPES, edge=True, grad=2),
    Op("jnp.reciprocal", jnp.reciprocal, np.reciprocal, 1, FLOATS_C, SHAPES, gen=rand_nonzero,
       edge=True, grad=2),
    # --- jnp trigonometric and hyperbolic ------------------------------------
    Op("jnp.sin", jnp.sin, np.sin, 1, FLOATS_C + (I32,), SCALAR_SHAPES, edge=True, tol=_INT_IN,
       grad=2),
    Op("jnp.cos", jnp.cos, np.cos, 1, FLOATS_C, SHAPES, edge=True, grad=2),
    Op("jnp.tan", jnp.tan, np.tan, 1, FLOATS_C, SHAPES, edge=True, tol=_INEXACT_TOL, grad=2),
    Op("jnp.arcsin", jnp.arcsin, np.arcsin, 1, FLOATS_C, SHAPES, gen=rand_unit, edge=True, grad=2),
    Op("jnp.arccos", jnp.arccos, np.arccos, 1, FLOATS_C, SHAPES, gen=rand_unit, edge=True, grad=2),
    Op("jnp.arctan", jnp.arctan, np.arctan, 1, FLOATS_C, SHAPES, edge=True, grad=2),
    Op("jnp.arctan2", jnp.arctan2, np.arctan2, 2, FLOATS, BINARY_SHAPES, edge=True, grad=2),
    Op("jnp.sinh", jnp.sinh, np.sinh, 1, FLOATS_C, SHAPES, edge=True, tol=_INEXACT_TOL, grad=2),
    Op("jnp.cosh", jnp.cosh, np.cosh, 1, FLOATS_C, SHAPES, edge=True, tol=_INEXACT_TOL, grad=2),
    Op("jnp.tanh", jnp.tanh, np.tanh, 1, FLOATS_C, SHAPES, edge=True, grad=2),
    Op("jnp.arcsinh", jnp.arcsinh, np.arcsinh, 1, FLOATS_C, SHAPES, edge=True, grad=2),
    Op("jnp.arccosh", jnp.arccosh, np.arccosh, 1, FLOATS_C, SHAPES, gen=rand_ge1, edge=True,
       grad=2),
    Op("jnp.arctanh", jnp.arctanh, np.arctanh, 1, FLOATS_C, SHAPES, gen=rand_unit, edge=True,
       grad=2),
    Op("jnp.hypot", jnp.hypot, np.hypot, 2, FLOATS, BINARY_SHAPES, edge=True, grad=1),
    Op("jnp.deg2rad", jnp.deg2rad, np.deg2rad, 1, FLOATS, SHAPES, grad=1),
    Op("jnp.rad2deg", jnp.rad2deg, np.rad2deg, 1, FLOATS, SHAPES, gen=rand_unit, grad=1),
    Op("jnp.sinc", jnp.sinc, np.sinc, 1, FLOATS, SHAPES, gen=rand_halves, tol=_INEXACT_TOL, grad=2),
    # --- jnp complex parts ---------------------------------------------------
    Op("jnp.real", jnp.real, np.real, 1, (F32, I32, C64), SHAPES, grad=1),
    Op("jnp.imag", jnp.imag, np.imag, 1, (F32, I32, C64), SHAPES, grad=1),
    Op("jnp.conjugate", jnp.conjugate, np.conjugate, 1, (F32, I32, C64), SHAPES, grad=1),
    Op("jnp.angle", jnp.angle, np.angle, 1, (F32, C64), ((2, 3),), grad=1),
    # --- jnp comparisons, logic, bits ----------------------------------------
    Op("jnp.equal", jnp.equal, np.equal, 2, ALL_NUM + (BOOL, C64), ALL_BINARY_SHAPES,
       gen=rand_small_int, edge=True),
    Op("jnp.not_equal", jnp.not_equal, np.not_equal, 2, ALL_NUM + (BOOL,), SHAPES,
       gen=rand_small_int, edge=True),
    Op("jnp.less", jnp.less, np.less, 2, ALL_NUM + (BOOL, C64), ALL_BINARY_SHAPES, edge=True),
    Op("jnp.less_equal", jnp.less_equal, np.less_equal, 2, ALL_NUM + (BOOL,), SHAPES,
       gen=rand_small_int, edge=True),
    Op("jnp.greater", jnp.greater, np.greater, 2, ALL_NUM + (C64,), SHAPES, edge=True),
    Op("jnp.greater_equal", jnp.greater_equal, np.greater_equal, 2, ALL_NUM, SHAPES,
       gen=rand_small_int, edge=True),
    Op("jnp.logical_and", jnp.logical_and, np.logical_and, 2, (BOOL, F32, I32), BINARY_SHAPES,
       gen=rand_small_int),
    Op("jnp.logical_or", jnp.logical_or, np.logical_or, 2, (BOOL, F32, I32), SHAPES,
       gen=rand_small_int),
    Op("jnp.logical_xor", jnp.logical_xor, np.logical_xor, 2, (BOOL, I32), SHAPES,
       gen=rand_small_int),
    Op("jnp.logical_not", jnp.logical_not, np.logical_not, 1, (BOOL, F32, I32), SHAPES,
       gen=rand_small_int, edge=True),
    Op("jnp.bitwise_and", jnp.bitwise_and, np.bitwise_and, 2, INTS + (BOOL,), BINARY_SHAPES),
    Op("jnp.bitwise_or", jnp.bitwise_or, np.bitwise_or, 2, INTS + (BOOL,), SHAPES),
    Op("jnp.bitwise_xor", jnp.bitwise_xor, np.bitwise_xor, 2, INTS + (BOOL,), SHAPES),
    Op("jnp.invert", jnp.invert, np.invert, 1, INTS + (BOOL,), SHAPES),
    Op("jnp.left_shift", jnp.left_shift, np.left_shift, 2, INTS, BINARY_SHAPES,
       gen=_gens(rand_default, rand_shift)),
    Op("jnp.right_shift", jnp.right_shift, np.right_shift, 2, INTS, SHAPES,
       gen=_gens(rand_default, rand_shift)),
    Op("jnp.bitwise_count", jnp.bitwise_count, np.bitwise_count, 1, INTS, SHAPES),
    # --- jnp maximum/minimum/clip/where --------------------------------------
    Op("jnp.maximum", jnp.maximum, np.maximum, 2, ALL_NUM + (BOOL, C64), ALL_BINARY_SHAPES,
       edge=True, grad=1),
    Op("jnp.minimum", jnp.minimum, np.minimum, 2, ALL_NUM + (BOOL,), SHAPES, edge=True, grad=1),
    Op("jnp.fmax", jnp.fmax, np.fmax, 2, FLOATS + (I32,), SHAPES, edge=True, grad=1),
    Op("jnp.fmin", jnp.fmin, np.fmin, 2, FLOATS + (I32,), SHAPES, edge=True, grad=1),
    Op("jnp.clip", lambda x: jnp.clip(x, -2, 3), lambda x: np.clip(x, -2, 3), 1,
       FLOATS + (I32, I8), SHAPES, edge=True, grad=1),
    Op("jnp.clip_arrays", lambda x, lo, hi: jnp.clip(x, lo, hi), np.clip, 3, (F32, I32),
       ((2, 3), ((2, 3), (3,), ())), gen=_gens(rand_default, rand_default, rand_positive), grad=1),
    Op("jnp.where", lambda c, x, y: jnp.where(c, x, y), lambda c, x, y: np.where(c, x, y), 3,
       ALL_NUM + (BOOL,), ((), (2, 3), ((2, 3), (3,), ())),
       gen=_gens(rand_bool, rand_default, rand_default), grad=1),
    # --- jnp predicates ------------------------------------------------------
    Op("jnp.isfinite", jnp.isfinite, np.isfinite, 1, FLOATS + (I32, C64), SHAPES, edge=True),
    Op("jnp.isinf", jnp.isinf, np.isinf, 1, FLOATS + (I32, C64), SHAPES, edge=True),
    Op("jnp.isnan", jnp.isnan, np.isnan, 1, FLOATS + (I32, C64), SCALAR_SHAPES, edge=True),
    Op("jnp.isposinf", jnp.isposinf, np.isposinf, 1, FLOATS + (I32,), SHAPES, edge=True),
    Op("jnp.isneginf", jnp.isneginf, np.isneginf, 1, FLOATS + (I32,), SHAPES, edge=True),
    Op("jnp.signbit", jnp.signbit, np.signbit, 1, FLOATS + (I32, I8), SHAPES, edge=True),
    Op("jnp.copysign", jnp.copysign, np.copysign, 2, FLOATS, BINARY_SHAPES, edge=True, grad=1),
    Op("jnp.nextafter", jnp.nextafter, np.nextafter, 2, (F32, F16), SHAPES, edge=True),
    Op("jnp.heaviside", jnp.heaviside, np.heaviside, 2, FLOATS, SHAPES,
       gen=_gens(rand_small_int, rand_default), edge=True),
    Op("jnp.nan_to_num", jnp.nan_to_num, np.nan_to_num, 1, FLOATS + (I32,), SHAPES, edge=True,
       grad=1),
    Op("jnp.isclose", jnp.isclose, np.isclose, 2, (F32, I32), BINARY_SHAPES,
       gen=rand_small_int, edge=True),
    Op("jnp.astype", lambda x: jnp.astype(x, np.int32), lambda x: x.astype(np.int32), 1,
       (F32, I8, U8, BOOL), SHAPES),
    # --- lax primitives whose semantics are not NumPy's ufuncs' --------------
    Op("lax.div", lax.div, _c_div, 2, INTS, SHAPES, gen=_gens(rand_default, rand_nonzero)),
    Op("lax.div_float", lax.div, np.divide, 2, FLOATS_C, SHAPES, edge=True, grad=2),
    Op("lax.rem", lax.rem, np.fmod, 2, FLOATS + INTS, SHAPES,
       gen=_gens(rand_default, rand_nonzero), grad=1),
    Op("lax.round_afz", lax.round, _round_afz, 1, FLOATS, SHAPES, gen=rand_halves),
    Op("lax.round_even", lambda x: lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN), np.round,
       1, FLOATS, SHAPES, gen=rand_halves, edge=True),
    Op("lax.integer_pow", lambda x: lax.integer_pow(x, 5), lambda x: x ** 5, 1,
       (F32, I32, C64), SCALAR_SHAPES, tol={F32: 1e-4, C64: 1e-4}, grad=2),
    Op("lax.integer_pow_neg", lambda x: lax.integer_pow(x, -3), lambda x: x ** -3.0, 1,
       (F32, F16), SHAPES, gen=rand_positive, tol={F32: 1e-4}, grad=2),
    Op("lax.integer_pow_zero", lambda x: lax.integer_pow(x, 0), lambda x: x ** 0, 1,
       (F32, I32), SHAPES, edge=True, grad=1),
    Op("lax.pow_int_exponent", lax.pow, lambda x, y: np.power(x, y.astype(x.dtype)), 2,
       (F32,), SHAPES, gen=_gens(rand_positive, lambda r, s, d: rand_small_int(r, s, np.int32)),
       tol={F32: 1e-4}, grad=1),
    Op("lax.rsqrt", lax.rsqrt, lambda x: 1 / np.sqrt(x), 1, FLOATS, SHAPES, gen=rand_positive,
       edge=True, tol={F32: 1e-4}, grad=2),
    Op("lax.logistic", lax.logistic, lambda x: scipy.special.expit(x).astype(x.dtype), 1,
       FLOATS, SHAPES, edge=True, grad=2),
    Op("lax.erf", lax.erf, _float_ref(scipy.special.erf), 1, FLOATS, SHAPES, edge=True, grad=2),
    Op("lax.erfc", lax.erfc, _float_ref(scipy.special.erfc), 1, FLOATS, SHAPES, edge=True,
       tol={F32: 1e-4}, grad=2),
    Op("lax.erf_inv", lax.erf_inv, _float_ref(scipy.special.erfinv), 1, FLOATS, SHAPES,
       gen=rand_unit, tol={F32: 1e-4}, grad=2),
    Op("lax.lgamma", lax.lgamma, _float_ref(_lgamma), 1, FLOATS, SHAPES,
       gen=rand_positive, edge=True, tol={F32: 1e-4}, grad=2),
    Op("lax.digamma", lax.digamma, _float_ref(scipy.special.digamma), 1, (F32, F16), SHAPES,
       gen=rand_positive, tol={F32: 1e-4}, grad=1),
    Op("lax.is_finite", lax.is_finite, np.isfinite, 1, FLOATS, SHAPES, edge=True),
    Op("lax.exp2", lax.exp2, np.exp2, 1, (C64,), SHAPES, tol={C64: 1e-4}),
    Op("lax.sign_unsigned", lax.sign, np.sign, 1, (U8, U32), SHAPES, gen=rand_small_int),
    Op("lax.neg_unsigned", lax.neg, np.negative, 1, (U8, U32), SHAPES),
    Op("lax.max", lax.max, np.maximum, 2, FLOATS + INTS + (BOOL, C64), SHAPES, edge=True, grad=1),
    Op("lax.min", lax.min, np.minimum, 2, FLOATS + INTS + (BOOL, C64), SHAPES, edge=True, grad=1),
    Op("lax.atan2", lax.atan2, np.arctan2, 2, FLOATS, SHAPES, edge=True, grad=1),
    Op("lax.nextafter", lax.nextafter, np.nextafter, 2, (F32, F16), SHAPES, edge=True),
    Op("lax.square", lax.square, np.square, 1, FLOATS_C + (I32, U8), SHAPES, grad=2),
    Op("lax.reciprocal", lax.reciprocal, np.reciprocal, 1, FLOATS, SHAPES, gen=rand_nonzero,
       grad=1),
    Op("lax.cbrt", lax.cbrt, np.cbrt, 1, FLOATS, SHAPES, edge=True, grad=1),
    Op("lax.abs_complex", lax.abs, np.abs, 1, (C64, I8), SHAPES),
    Op("lax.real", lax.real, np.real, 1, (C64,), SHAPES),
    Op("lax.imag", lax.imag, np.imag, 1, (C64,), SHAPES),
    Op("lax.conj", lax.conj, lambda x: np.conj(x.astype(np.complex64)), 1, (F32, C64), SHAPES,
       out_dtype=lambda d: C64),
    Op("lax.complex", lax.complex, lambda x, y: x + 1j * y.astype(np.complex64), 2, (F32,),
       SHAPES),
    Op("lax.clamp", lambda x: lax.clamp(np.float32(-1), x, np.float32(2)),
       lambda x: np.clip(x, -1, 2), 1, (F32,), SHAPES, edge=True, grad=1),
    Op("lax.clamp_arrays", lax.clamp, lambda lo, x, hi: np.minimum(np.maximum(x, lo), hi), 3,
       (F32, I32, U8), ((2, 3), ((), (2, 3), ())),
       gen=_gens(rand_low, rand_default, rand_high), grad=1),
    Op("lax.select_n", lax.select_n, lambda w, *cs: np.choose(w, cs), 4, (F32, I32, BOOL),
       SHAPES, gen=_gens(rand_which3, rand_default, rand_default, rand_default),
       out_dtype=lambda d: np.dtype(d), grad=1),
    Op("lax.select_n_bool", lax.select_n, lambda w, a, b: np.where(w, b, a), 3, (F32, C64),
       (((2, 3), (2, 3), (2, 3)), ((), (2, 3), (2, 3))),
       gen=_gens(rand_bool, rand_default, rand_default), grad=1),
    Op("lax.shift_left", lax.shift_left, np.left_shift, 2, INTS, SHAPES,
       gen=_gens(rand_default, rand_shift)),
    Op("lax.shift_right_logical", lax.shift_right_logical,
       lambda x, y: (x.view(f"u{x.dtype.itemsize}") >> y.astype(f"u{x.dtype.itemsize}"))
       .view(x.dtype), 2, INTS, SHAPES, gen=_gens(rand_default, rand_shift)),
    Op("lax.shift_right_arithmetic", lax.shift_right_arithmetic, np.right_shift, 2, SIGNED,
       SHAPES, gen=_gens(rand_default, rand_shift)),
    Op("lax.population_count", lax.population_count, _popcount, 1, INTS, SHAPES),
    Op("lax.clz", lax.clz, _clz, 1, INTS, SHAPES),
    Op("lax.bitcast_f32_i32", lambda x: lax.bitcast_convert_type(x, np.int32),
       lambda x: x.view(np.int32), 1, (F32,), SHAPES, edge=True),
    Op("lax.bitcast_f32_u8", lambda x: lax.bitcast_convert_type(x, np.uint8),
       lambda x: x.reshape(x.shape + (1,)).view(np.uint8), 1, (F32,), SCALAR_SHAPES),
    Op("lax.bitcast_u8_to_f16", lambda x: lax.bitcast_convert_type(x, np.float16),
       lambda x: x.view(np.float16).reshape(x.shape[:-1]), 1, (U8,), ((2,), (3, 2))),
    Op("lax.convert_element_type", lambda x: lax.convert_element_type(x, np.float16),
       lambda x: x.astype(np.float16), 1, (F32, I32, BOOL, C64), SCALAR_SHAPES,
       out_dtype=lambda d: F16),
    Op("lax.convert_to_bool", lambda x: lax.convert_element_type(x, np.bool_),
       lambda x: x.astype(bool), 1, (F32, I32, C64), SHAPES, gen=rand_small_int, edge=True),
    Op("lax.convert_bf16", lambda x: lax.convert_element_type(x, ml_dtypes.bfloat16),
       lambda x: x.astype(ml_dtypes.bfloat16).astype(np.float32), 1, (F32, I8), SHAPES,
       out_dtype=lambda d: BF16),
]
