"""What the op table cannot express for elementwise ops: promotion and weak
types, error messages, NumPy's integer division semantics, shifts out of
range, bitcast shapes, rounding modes, lax's broadcasting, and what the ops
lower to."""
import numpy as np
import pytest

import glassbox as gb
import glassbox.lax as lax
import glassbox.numpy as jnp


def arr(values, dtype):
    return gb.device_put(np.asarray(values, dtype))


def lowered(fn, *args):
    return gb.jit(fn).lower(*args).as_text()


# --- promotion and weak types ------------------------------------------------

@pytest.mark.parametrize("fn, args, dtype, weak", [
    (lambda x: x * 2.0, (arr([1, 2], np.float16),), np.float16, False),
    (lambda x: 2 + x, (arr([1, 2], np.int8),), np.int8, False),
    (lambda x: x / 2, (arr([1, 2], np.int32),), np.float32, False),
    (lambda x: x / 2, (arr([1, 2], np.uint8),), np.float32, False),
    (lambda x, y: x + y, (arr([1], np.float16), arr([1], np.float32)), np.float32, False),
    (lambda x, y: x + y, (arr([1], np.int8), arr([1], np.uint8)), np.int16, False),
    (lambda: jnp.add(1, 2.0), (), np.float32, True),
    (lambda: jnp.add(1, 2), (), np.int32, True),
    (lambda: jnp.sin(1), (), np.float32, True),
    (lambda: jnp.power(4, 3), (), np.int32, True),
    (lambda: jnp.reciprocal(2), (), np.float32, True),
    (lambda: jnp.real(5), (), np.int32, True),
    (lambda: jnp.imag(4), (), np.int32, True),
    (lambda: jnp.equal(1, 1.0), (), np.bool_, True),
    (lambda: jnp.isnan(6), (), np.bool_, True),
    (lambda: jnp.isinf(float("inf")), (), np.bool_, False),
    (lambda: jnp.true_divide(3, 2), (), np.float32, True),
    (lambda x: jnp.abs(x), (arr([1 + 1j], np.complex64),), np.float32, False),
    (lambda x: x ** 2, (arr([3], np.float16),), np.float16, False),
    (lambda x: 2 ** x, (arr([3, 4], np.int32),), np.int32, False),
    (lambda x: jnp.floor(x), (arr([3], np.int8),), np.int8, False),
    (lambda x: jnp.rint(x), (arr([3], np.int8),), np.float32, False),
])
def test_result_dtype_and_weak_type(fn, args, dtype, weak):
    out = fn(*args)
    assert out.dtype == np.dtype(dtype)
    assert out.weak_type == weak


def test_weak_types_survive_jit():
    f = gb.jit(lambda x: jnp.sin(x) * 2.0)
    assert f(1.0).weak_type and f(1.0).dtype == np.float32
    assert not f(np.float16(1.0)).weak_type and f(np.float16(1.0)).dtype == np.float16


@pytest.mark.parametrize("fn", [
    lambda: jnp.add(arr([1], np.uint8), 300),
    lambda: jnp.add(arr([1], np.int32), 2 ** 40),
    lambda: jnp.add(1, 2 ** 40),
    lambda: lax.add(arr([1], np.int8), 1000),
])
def test_python_ints_out_of_range_overflow(fn):
    with pytest.raises(OverflowError):
        fn()


# --- error messages ----------------------------------------------------------

@pytest.mark.parametrize("fn, exc, words", [
    (lambda: jnp.sin([1.0, 2.0]), TypeError, ["sin", "list"]),
    (lambda: jnp.add((1, 2), 1), TypeError, ["add", "tuple"]),
    (lambda: lax.add(arr([1], np.int32), arr([1.0], np.float32)), TypeError,
     ["add", "same dtypes", "int32", "float32"]),
    (lambda: lax.add(1, 1.0), TypeError, ["add", "same dtypes"]),
    (lambda: lax.sin(arr([1], np.int32)), TypeError, ["sin", "int32", "floating"]),
    (lambda: lax.neg(arr([True], np.bool_)), TypeError, ["neg", "bool"]),
    (lambda: lax.abs(arr([1], np.uint8)), TypeError, ["abs", "uint8"]),
    (lambda: lax.bitwise_and(arr([1.0], np.float32), arr([1.0], np.float32)), TypeError,
     ["and", "float32"]),
    (lambda: lax.add(arr([1, 2, 3], np.float32), arr(np.ones((2, 3)), np.float32)), TypeError,
     ["add", "(3,)", "(2, 3)"]),
    (lambda: lax.add(arr([1, 2, 3], np.float32), arr([1, 2], np.float32)), TypeError,
     ["add", "incompatible shapes"]),
    (lambda: jnp.add(arr([1, 2, 3], np.float32), arr([1, 2], np.float32)), ValueError,
     ["add", "(3,)", "(2,)"]),
    (lambda: lax.integer_pow(arr([2], np.int32), -1), TypeError, ["integer_pow", "negative"]),
    (lambda: lax.integer_pow(arr([2.0], np.float32), 1.5), TypeError, ["integer_pow", "int"]),
    (lambda: jnp.power(arr([2], np.int32), -1), TypeError, ["negative"]),
    (lambda: lax.pow(arr([2], np.int32), arr([2], np.int32)), TypeError, ["pow", "int32"]),
    (lambda: lax.round(arr([0.5], np.float32), 2), ValueError, ["round", "rounding_method"]),
    (lambda: lax.select_n(arr([True], np.bool_), *[arr([1.0], np.float32)] * 3), TypeError,
     ["select_n", "2 cases"]),
    (lambda: lax.select_n(arr([1.0], np.float32), arr([1.0], np.float32)), TypeError,
     ["select_n", "float32"]),
    (lambda: lax.clamp(arr([0.0, 1.0], np.float32), arr([1.0, 2.0, 3.0], np.float32), 1.0),
     TypeError, ["clamp", "min.shape"]),
    (lambda: lax.bitcast_convert_type(arr([True], np.bool_), np.uint8), TypeError,
     ["bitcast_convert_type", "bool"]),
    (lambda: lax.bitcast_convert_type(arr([1, 2, 3], np.uint8), np.float32), ValueError,
     ["bitcast_convert_type", "last dimension"]),
    (lambda: lax.complex(arr([1.0], np.float16), arr([1.0], np.float16)), TypeError,
     ["complex", "float16"]),
    (lambda: jnp.floor_divide(arr([1j], np.complex64), 2), TypeError, ["floor_divide", "complex"]),
    (lambda: jnp.hypot(arr([1j], np.complex64), 2), ValueError, ["hypot", "complex"]),
    (lambda: jnp.clip(arr([1j], np.complex64), 0, 1), ValueError, ["clip", "complex"]),
    (lambda: jnp.where(arr([True], np.bool_), 1), ValueError, ["where"]),
    (lambda: jnp.fabs(arr([1j], np.complex64)), TypeError, ["fabs", "complex"]),
])
def test_errors_name_the_operation(fn, exc, words):
    with pytest.raises(exc) as info:
        fn()
    for word in words:
        assert word in str(info.value), (word, str(info.value))


def test_errors_under_jit_come_from_the_shape_rule():
    f = gb.jit(lambda x: lax.sin(x))
    with pytest.raises(TypeError, match="sin does not accept dtype int32"):
        f(arr([1], np.int32))


# --- integer division and remainder: NumPy's (Python's) semantics ------------

_SIGNS = np.array([-7, -6, -1, 0, 1, 6, 7])


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.float32])
def test_floor_divide_remainder_divmod_all_signs(dtype):
    x = np.repeat(_SIGNS, 4).astype(dtype)
    y = np.tile(np.array([-3, -2, 2, 3]), len(_SIGNS)).astype(dtype)
    gx, gy = gb.device_put(x), gb.device_put(y)
    np.testing.assert_array_equal(jnp.floor_divide(gx, gy), np.floor_divide(x, y))
    np.testing.assert_array_equal(gx // gy, x // y)
    np.testing.assert_array_equal(jnp.remainder(gx, gy), np.remainder(x, y))
    np.testing.assert_array_equal(gx % gy, x % y)
    np.testing.assert_array_equal(jnp.fmod(gx, gy), np.fmod(x, y))
    q, r = divmod(gx, gy)
    np.testing.assert_array_equal(q, x // y)
    np.testing.assert_array_equal(r, x % y)


def test_unsigned_floor_divide_and_remainder():
    x, y = np.array([0, 7, 200, 255], np.uint8), np.array([3, 2, 7, 16], np.uint8)
    np.testing.assert_array_equal(jnp.floor_divide(x, y), x // y)
    np.testing.assert_array_equal(jnp.remainder(x, y), x % y)


def test_integer_remainder_by_zero_is_zero_as_in_numpy():
    x = arr([-5, 0, 5], np.int32)
    np.testing.assert_array_equal(jnp.remainder(x, 0), [0, 0, 0])
    np.testing.assert_array_equal(jnp.fmod(x, 0), [0, 0, 0])


def test_lax_div_and_rem_truncate_toward_zero():
    x, y = arr([-7, 7, -7, 7], np.int32), arr([2, 2, -2, -2], np.int32)
    np.testing.assert_array_equal(lax.div(x, y), [-3, 3, 3, -3])
    np.testing.assert_array_equal(lax.rem(x, y), [-1, 1, -1, 1])


def test_true_divide_of_integers_is_float32():
    out = jnp.true_divide(arr([1, 2, 3], np.int32), arr([2, 2, 2], np.int32))
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [0.5, 1.0, 1.5])


def test_float_floor_divide_and_remainder_near_boundaries():
    x = np.array([5.0, -5.0, 5.0, -5.0, 0.5, -0.5], np.float32)
    y = np.array([2.5, 2.5, -2.5, -2.5, 0.25, 0.3], np.float32)
    np.testing.assert_allclose(jnp.floor_divide(x, y), np.floor_divide(x, y))
    np.testing.assert_allclose(jnp.remainder(x, y), np.remainder(x, y), atol=1e-6)


# --- powers ------------------------------------------------------------------

def test_power_with_a_known_integer_exponent_uses_integer_pow():
    jaxpr = gb.make_jaxpr(lambda x: x ** 3)(np.float32(2))
    assert "integer_pow[y=3]" in str(jaxpr) and "= pow " not in str(jaxpr)


def test_power_of_integers_with_traced_exponent_stays_integer():
    f = gb.jit(lambda x, n: x ** n)
    out = f(arr([2, 3, -2], np.int32), arr([10, 3, 3], np.int32))
    assert out.dtype == np.int32
    np.testing.assert_array_equal(out, [1024, 27, -8])


def test_power_float_base_integer_exponent_keeps_base_dtype():
    out = jnp.power(arr([2.0, 3.0], np.float16), arr([2, 3], np.int32))
    assert out.dtype == np.float16
    np.testing.assert_allclose(out, [4.0, 27.0])


def test_integer_pow_is_exact_repeated_multiplication():
    x = np.float32(1.1)
    expected = np.float32(np.float32(x * x) * np.float32(x * x)) * x   # x**5 as JAX multiplies
    assert lax.integer_pow(x, 5).item() == expected


# --- shifts ------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint8, np.uint32])
def test_shifts_out_of_range_match_numpy(dtype):
    bits = np.dtype(dtype).itemsize * 8
    x = np.array([1, 5, -8 if np.dtype(dtype).kind == "i" else 200, 3], dtype)
    y = np.array([bits, bits + 3, bits, 2 * bits], dtype)
    np.testing.assert_array_equal(jnp.left_shift(x, y), np.left_shift(x, y))
    np.testing.assert_array_equal(jnp.right_shift(x, y), np.right_shift(x, y))
    np.testing.assert_array_equal(gb.device_put(x) << gb.device_put(y), x << y)


def test_right_shift_is_arithmetic_for_signed_logical_for_unsigned():
    np.testing.assert_array_equal(jnp.right_shift(arr([-8], np.int32), 1), [-4])
    np.testing.assert_array_equal(jnp.right_shift(arr([0xF0], np.uint8), 4), [0x0F])
    np.testing.assert_array_equal(lax.shift_right_logical(arr([-8], np.int32), 28), [15])


# --- bitcasts ----------------------------------------------------------------

@pytest.mark.parametrize("src, dst, shape, out_shape", [
    (np.float32, np.int32, (2, 3), (2, 3)),
    (np.float32, np.uint8, (2, 3), (2, 3, 4)),
    (np.float32, np.int16, (), (2,)),
    (np.uint8, np.float32, (2, 4), (2,)),
    (np.int16, np.float32, (3, 2), (3,)),
    (np.uint8, np.float16, (2,), ()),
])
def test_bitcast_shapes_and_values(src, dst, shape, out_shape):
    x = (np.arange(int(np.prod(shape)), dtype=np.float64) + 1.5).astype(src).reshape(shape)
    out = lax.bitcast_convert_type(gb.device_put(x), dst)
    assert out.shape == out_shape and out.dtype == np.dtype(dst)
    expected = np.ascontiguousarray(x).view(dst).reshape(out_shape)
    np.testing.assert_array_equal(np.asarray(out).reshape(-1).view(np.uint8),
                                  expected.reshape(-1).view(np.uint8))


# --- rounding ----------------------------------------------------------------

_HALVES = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5], np.float32)


def test_jnp_round_and_rint_round_half_to_even():
    np.testing.assert_array_equal(jnp.round(_HALVES), [-2, -2, -0, 0, 2, 2, 4])
    np.testing.assert_array_equal(jnp.round(_HALVES), np.round(_HALVES))
    np.testing.assert_array_equal(jnp.rint(_HALVES), np.rint(_HALVES))
    np.testing.assert_array_equal(round(gb.device_put(_HALVES)), np.round(_HALVES))


def test_lax_round_methods():
    np.testing.assert_array_equal(lax.round(_HALVES), [-3, -2, -1, 1, 2, 3, 4])
    np.testing.assert_array_equal(lax.round(_HALVES, lax.RoundingMethod.TO_NEAREST_EVEN),
                                  np.round(_HALVES))


def test_round_with_decimals():
    x = np.array([1.234, -5.678, 123.456], np.float32)
    np.testing.assert_allclose(jnp.round(x, 1), np.round(x, 1), rtol=1e-6)
    np.testing.assert_allclose(jnp.round(x, -1), np.round(x, -1), rtol=1e-6)
    np.testing.assert_array_equal(jnp.round(arr([15, 25], np.int32), 0), [15, 25])


# --- lax broadcasting and Python scalars -------------------------------------

def test_lax_broadcasts_scalars_and_size_one_dims():
    x = arr(np.arange(6).reshape(2, 3), np.float32)
    np.testing.assert_array_equal(lax.add(x, 1.0), np.arange(6).reshape(2, 3) + 1)
    np.testing.assert_array_equal(lax.mul(x, np.float32(2)), np.arange(6).reshape(2, 3) * 2)
    np.testing.assert_array_equal(lax.sub(x, arr([[1], [2]], np.float32)),
                                  np.arange(6).reshape(2, 3) - [[1], [2]])
    jaxpr = gb.make_jaxpr(lambda a: lax.add(a, 1.0))(np.zeros((2, 3), np.float32))
    assert "broadcast_in_dim" in str(jaxpr)


def test_lax_scalars_take_the_array_dtype():
    out = lax.add(arr([1, 2], np.float16), 1.0)
    assert out.dtype == np.float16 and not out.weak_type
    out = lax.clamp(0, arr([-3, 3, 9], np.int8), 5)
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, [0, 3, 5])


def test_select_n_with_integer_which_and_scalar_predicate():
    which = arr([0, 1, 2, 1], np.int32)
    cases = [arr([10, 11, 12, 13], np.int32) * k for k in (1, 2, 3)]
    expected = np.choose(np.asarray(which), [np.asarray(c) for c in cases])
    np.testing.assert_array_equal(gb.jit(lax.select_n)(which, *cases), expected)
    np.testing.assert_array_equal(lax.select_n(True, cases[0], cases[1]), cases[1])


# --- what things lower to ----------------------------------------------------

@pytest.mark.parametrize("fn, dtype, needles", [
    (lax.lt, np.uint32, ["comparison_direction LT", "comparison_type UNSIGNED"]),
    (lax.lt, np.int8, ["comparison_type SIGNED"]),
    (lax.eq, np.float32, ["comparison_type FLOAT"]),
    (lax.ge, np.bool_, ["comparison_type UNSIGNED"]),
    (lax.nextafter, np.float32, ["chlo.next_after"]),
    (lax.atan2, np.float32, ["stablehlo.atan2"]),
])
def test_binary_lowering(fn, dtype, needles):
    x = np.zeros((2,), dtype)
    text = lowered(fn, x, x)
    for needle in needles:
        assert needle in text


@pytest.mark.parametrize("fn, needles", [
    (lax.erf_inv, ["chlo.erf_inv"]), (lax.lgamma, ["chlo.lgamma"]), (lax.asin, ["chlo.asin"]),
    (lax.sinh, ["chlo.sinh"]), (lax.tan, ["stablehlo.tan"]), (lax.log1p, ["log_plus_one"]),
    (lax.expm1, ["exponential_minus_one"]), (lax.cbrt, ["stablehlo.cbrt"]),
    (lax.exp2, ["stablehlo.multiply", "stablehlo.exponential"]),
    (lax.logistic, ["stablehlo.negate", "stablehlo.exponential", "stablehlo.divide"]),
    (lambda x: lax.round(x, 1), ["round_nearest_even"]), (lax.round, ["round_nearest_afz"]),
    (lax.is_finite, ["stablehlo.is_finite"]), (lax.square, ["chlo.square"]),
])
def test_unary_lowering(fn, needles):
    text = lowered(fn, np.zeros((2,), np.float32))
    for needle in needles:
        assert needle in text


# --- special values and helpers ----------------------------------------------

def test_nan_to_num_and_isclose():
    x = np.array([np.nan, np.inf, -np.inf, 1.5], np.float32)
    np.testing.assert_array_equal(jnp.nan_to_num(x), np.nan_to_num(x))
    np.testing.assert_array_equal(jnp.nan_to_num(x, nan=1, posinf=2, neginf=3),
                                  np.nan_to_num(x, nan=1, posinf=2, neginf=3))
    y = np.array([np.nan, np.inf, np.inf, 1.5 + 1e-7], np.float32)
    np.testing.assert_array_equal(jnp.isclose(x, y), np.isclose(x, y))
    np.testing.assert_array_equal(jnp.isclose(x, y, equal_nan=True),
                                  np.isclose(x, y, equal_nan=True))
    assert bool(jnp.allclose(x[3:], y[3:])) and not bool(jnp.allclose(x, y))


def test_maximum_propagates_nan_fmax_ignores_it():
    x, y = np.array([np.nan, 1.0, np.nan], np.float32), np.array([2.0, np.nan, np.nan], np.float32)
    np.testing.assert_array_equal(jnp.maximum(x, y), np.maximum(x, y))
    np.testing.assert_array_equal(jnp.fmax(x, y), np.fmax(x, y))
    np.testing.assert_array_equal(jnp.fmin(x, y), np.fmin(x, y))


def test_where_promotes_and_broadcasts():
    out = jnp.where(arr([True, False], np.bool_), 1, 2.5)
    assert out.dtype == np.float32 and out.weak_type    # both branches are weak
    np.testing.assert_array_equal(out, [1.0, 2.5])
    out = jnp.where(arr([[1], [0]], np.int32), arr([1, 2, 3], np.int8), 0)
    assert out.dtype == np.int8 and out.shape == (2, 3)


def test_complex_sin_cos_match_numpy():
    z = np.array([1 + 2j, -3j, 0.5 - 0.25j, 2], np.complex64)
    np.testing.assert_allclose(jnp.sin(z), np.sin(z), rtol=1e-5)
    np.testing.assert_allclose(jnp.cos(z), np.cos(z), rtol=1e-5)


def test_astype_complex_to_real_warns_and_keeps_the_real_part():
    with pytest.warns(np.exceptions.ComplexWarning):
        out = jnp.astype(arr([1.5 + 2j], np.complex64), np.float32)
    np.testing.assert_array_equal(out, [1.5])


def test_array_operators_use_the_ufuncs():
    x = arr([1, -2, 3], np.int32)
    np.testing.assert_array_equal(-x, [-1, 2, -3])
    np.testing.assert_array_equal(abs(x), [1, 2, 3])
    np.testing.assert_array_equal(~x, ~np.array([1, -2, 3]))
    np.testing.assert_array_equal(1 - x, [0, 3, -2])
    np.testing.assert_array_equal(x ** 2, [1, 4, 9])
    np.testing.assert_array_equal((x > 0) & (x < 3), [True, False, False])
    np.testing.assert_array_equal(x == 3, [False, False, True])


_UNARY = ["negative", "positive", "abs", "fabs", "sign", "floor", "ceil", "trunc", "fix", "rint",
          "round", "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "cbrt",
          "square", "reciprocal", "sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh",
          "cosh", "tanh", "arcsinh", "arctanh", "deg2rad", "rad2deg", "sinc", "real", "imag",
          "conjugate", "angle", "isfinite", "isinf", "isnan", "isposinf", "isneginf", "signbit",
          "nan_to_num", "logical_not"]


@pytest.mark.parametrize("name", _UNARY)
@pytest.mark.parametrize("value", [0.5, 3])
def test_unary_ufuncs_of_python_scalars_return_arrays(name, value):
    out = getattr(jnp, name)(value)
    assert isinstance(out, gb.Array) and out.shape == ()
    # (integer reciprocal: JAX divides in floating point, NumPy in integers)
    arg = np.float32(value) if isinstance(value, float) or name == "reciprocal" else value
    with np.errstate(all="ignore"):
        expected = getattr(np, name)(arg)
    np.testing.assert_allclose(np.asarray(out, np.float64), np.asarray(expected, np.float64),
                               rtol=1e-6, atol=1e-6)
