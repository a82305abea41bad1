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
    lambda: jnp.add(arr([1], np.int32), 2 ** 40),
    lambda: jnp.add(1, 2 ** 40),
    lambda: jnp.add(1, 2 ** 31),
    lambda: arr([1], np.float32) + 2 ** 40,    # parsed as a weak int32 first, as in JAX
    lambda: arr([1], np.uint32) + 2 ** 31,
    lambda: lax.add(arr([1], np.int32), 2 ** 40),
    lambda: jnp.array(300, np.int8),
])
def test_python_ints_that_do_not_fit_the_default_int_overflow(fn):
    with pytest.raises(OverflowError):
        fn()


def _wrapped(x, dtype):
    return np.asarray(x).astype(dtype)   # NumPy's (and JAX's) modular conversion


@pytest.mark.parametrize("fn, expected", [
    (lambda: arr([1], np.int8) + 300, np.int8(1) + _wrapped(300, np.int8)),
    (lambda: jnp.add(arr([1], np.uint8), 300), np.uint8(1) + _wrapped(300, np.uint8)),
    (lambda: arr([1], np.uint8) + (-1), np.uint8(1) + _wrapped(-1, np.uint8)),
    (lambda: arr([1], np.int8) * 300, np.int8(1) * _wrapped(300, np.int8)),
    (lambda: arr([1], np.int8) == 300, np.bool_(False)),
    (lambda: gb.jit(lambda x: x - 300)(arr([1], np.int8)), np.int8(1) - _wrapped(300, np.int8)),
    (lambda: jnp.full((1,), 300, np.int8), _wrapped(300, np.int8)),
    (lambda: lax.convert_element_type(2 ** 40, np.int8), _wrapped(2 ** 40, np.int8)),
    (lambda: lax.convert_element_type(-1, np.uint8), _wrapped(-1, np.uint8)),
])
def test_python_ints_that_fit_the_default_int_wrap_when_converted(fn, expected):
    out = fn()
    assert np.asarray(out).dtype == np.asarray(expected).dtype
    np.testing.assert_array_equal(np.asarray(out).ravel(), np.asarray(expected).ravel())


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
    (lambda: jnp.add(arr([1, 2, 3], np.float32), arr([1, 2], np.float32)), TypeError,
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


@pytest.mark.parametrize("zero", [0.0, -0.0])
@pytest.mark.parametrize("jit", [False, True])
def test_float_floor_divide_by_zero_is_signed_inf(zero, jit):
    # NumPy (and JAX): x // 0.0 is +-inf by the signs, 0 // 0.0 and nan // 0.0 are nan
    x = np.array([-3.0, -0.0, 0.0, 2.5, np.inf, -np.inf, np.nan], np.float32)
    y = np.full_like(x, zero)
    fd, dm = (gb.jit(f) if jit else f for f in (jnp.floor_divide, divmod))
    with np.errstate(divide="ignore", invalid="ignore"):
        np.testing.assert_array_equal(fd(x, zero), np.floor_divide(x, y))
        np.testing.assert_array_equal(fd(gb.device_put(x), zero), np.floor_divide(x, y))
        q, r = dm(gb.device_put(x), zero)
        nq, nr = np.divmod(x, y)
    np.testing.assert_array_equal(q, nq)
    np.testing.assert_array_equal(r, nr)


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


def test_lax_python_scalars_keep_their_own_dtype():
    # lax does not promote: 1.0 is a weak float32, so it adds to float32 only
    # (the whole 18 x 18 table is checked in test_dtypes against JAX's).
    out = lax.add(arr([1, 2], np.float32), 1.0)
    assert out.dtype == np.float32 and not out.weak_type
    with pytest.raises(TypeError, match="same dtypes, got float16, float32"):
        lax.add(arr([1, 2], np.float16), 1.0)
    with pytest.raises(TypeError, match="same dtypes, got int32, int8, int32"):
        lax.clamp(0, arr([-3, 3, 9], np.int8), 5)
    out = lax.clamp(np.int8(0), arr([-3, 3, 9], np.int8), np.int8(5))
    assert out.dtype == np.int8
    np.testing.assert_array_equal(out, [0, 3, 5])
    assert lax.pow(arr([2, 3], np.float16), 2).dtype == np.float16   # int exponents are fine
    with pytest.raises(TypeError):
        lax.pow(arr([2, 3], np.float16), 2.0)


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


# --- derivative rules: JAX's conventions -------------------------------------

def grad_of(fn, *args, argnums=0):
    return gb.grad(fn, argnums=argnums)(*args)


def test_max_min_ties_split_the_gradient_evenly():
    for op in (lax.max, lax.min, jnp.maximum, jnp.minimum):
        gx, gy = grad_of(op, 1.5, 1.5, argnums=(0, 1))
        assert (float(gx), float(gy)) == (0.5, 0.5)
        gx, gy = grad_of(op, 1.0, 2.0, argnums=(0, 1))
        assert (float(gx), float(gy)) == ((0.0, 1.0) if op in (lax.max, jnp.maximum) else
                                          (1.0, 0.0))
    # x used twice: the two halves add up
    assert float(grad_of(lambda x: jnp.maximum(x, x), 3.0)) == 1.0
    # relu at 0 (a tie with the constant 0): 0.5, as in JAX
    assert float(grad_of(lambda x: jnp.maximum(x, 0.0), 0.0)) == 0.5


def test_abs_derivative_at_zero_and_of_complex_values():
    np.testing.assert_array_equal(gb.vmap(gb.grad(jnp.abs))(arr([-2.0, 0.0, -0.0, 3.0],
                                                               np.float32)), [-1, 1, 1, 1])
    # complex: conj(z) / |z| (JAX's cotangent convention), and 0 at z == 0
    np.testing.assert_allclose(grad_of(jnp.abs, np.complex64(3 + 4j)), 0.6 - 0.8j, rtol=1e-6)
    assert complex(grad_of(jnp.abs, np.complex64(0))) == 0


def test_pow_at_zero_follows_jax():
    # d/dy x**y at x == 0 is 0 (log(x) with 0 replaced by 1), not nan
    assert float(grad_of(lambda y: lax.pow(0.0, y), 2.0)) == 0.0
    assert float(grad_of(lambda y: jnp.power(0.0, y), 2.0)) == 0.0
    np.testing.assert_allclose(grad_of(lambda y: lax.pow(2.0, y), 3.0), 8 * np.log(2), rtol=1e-6)
    # an integer exponent 0 has derivative exactly 0; a float one gives 0 * inf = nan
    assert float(grad_of(lambda x: lax.pow(x, 0), 0.0)) == 0.0
    assert float(grad_of(lambda x: lax.pow(x, arr(0, np.int32)), 0.0)) == 0.0
    assert np.isnan(float(grad_of(lambda x: lax.pow(x, 0.0), 0.0)))
    assert float(grad_of(lambda x: x ** 0, 0.0)) == 0.0            # integer_pow(x, 0)
    assert float(grad_of(lambda x: lax.pow(x, 2.0), 0.0)) == 0.0
    np.testing.assert_allclose(grad_of(lambda x: lax.pow(x, 3), 2.0), 12.0)
    assert float(grad_of(jnp.sqrt, 0.0)) == np.inf


def test_pow_with_a_python_int_exponent_keeps_an_integer_exponent():
    assert "i32" in str(gb.make_jaxpr(lambda x: lax.pow(x, 2))(np.ones(3, np.float32)))
    np.testing.assert_allclose(lax.pow(arr([2.0, 3.0], np.float32), 3), [8.0, 27.0])


def test_integer_pow_derivatives():
    f = lambda x: lax.integer_pow(x, 3)  # noqa: E731
    assert float(grad_of(f, 2.0)) == 12.0
    assert float(gb.grad(gb.grad(f))(2.0)) == 12.0
    np.testing.assert_allclose(grad_of(lambda x: lax.integer_pow(x, -2), 2.0), -0.25)
    assert float(grad_of(lambda x: lax.integer_pow(x, 0), 2.0)) == 0.0


def test_where_and_select_gradients():
    x = arr([-1.0, 2.0, 0.5], np.float32)
    g = gb.grad(lambda x: jnp.sum(jnp.where(x > 0, x * x, -x)))(x)
    np.testing.assert_allclose(g, [-1.0, 4.0, 1.0])
    # the predicate gets no gradient; each case gets the cotangent where it was chosen
    gx, gy = gb.grad(lambda a, b: jnp.sum(jnp.where(x > 0, a, b) * arr([1, 2, 3], np.float32)),
                     argnums=(0, 1))(x, x)
    np.testing.assert_allclose(gx, [0, 2, 3])
    np.testing.assert_allclose(gy, [1, 0, 0])
    # an integer `which` with three cases, and a scalar predicate
    which = arr([2, 0, 1], np.int32)
    grads = gb.grad(lambda a, b, c: jnp.sum(lax.select_n(which, a, b, c)), argnums=(0, 1, 2))(
        x, x, x)
    np.testing.assert_allclose(np.stack(grads), [[0, 1, 0], [0, 0, 1], [1, 0, 0]])
    g = gb.grad(lambda a: jnp.sum(lax.select_n(np.bool_(True), a * 0, a * 2)))(x)
    np.testing.assert_allclose(g, [2, 2, 2])
    # JAX's well-known behaviour: the unselected branch's inf times a zero cotangent is nan
    assert np.isnan(float(grad_of(lambda x: jnp.where(x > 0, jnp.sqrt(x), 0.0), 0.0)))


def test_clamp_gradients_go_to_the_active_argument():
    x = arr([-3.0, 0.5, 4.0], np.float32)
    glo, gx, ghi = gb.grad(lambda lo, x, hi: jnp.sum(lax.clamp(lo, x, hi)), argnums=(0, 1, 2))(
        np.float32(-1), x, np.float32(2))
    assert (float(glo), float(ghi)) == (1.0, 1.0)
    np.testing.assert_array_equal(gx, [0, 1, 0])
    np.testing.assert_array_equal(gb.grad(lambda x: jnp.sum(jnp.clip(x, -1, 2)))(x), [0, 1, 0])


def test_piecewise_constant_ops_have_zero_gradients():
    for fn in (jnp.floor, jnp.ceil, jnp.round, jnp.sign, lax.round, jnp.trunc):
        assert float(grad_of(lambda x: fn(x) * 3, 1.3)) == 0.0
    assert float(grad_of(lambda x: jnp.where(x > 0, 1.0, 0.0) + (x == x), 1.0)) == 0.0


def test_nextafter_has_no_derivative_as_in_jax():
    with pytest.raises(NotImplementedError, match="nextafter"):
        gb.grad(lambda x: lax.nextafter(x, 2.0))(1.0)


def test_rem_atan2_and_division_derivatives():
    gx, gy = gb.grad(lax.rem, argnums=(0, 1))(7.5, 2.0)
    assert (float(gx), float(gy)) == (1.0, -3.0)          # -trunc(x / y)
    gx, gy = gb.grad(lax.atan2, argnums=(0, 1))(1.0, 2.0)
    np.testing.assert_allclose([gx, gy], [2 / 5, -1 / 5], rtol=1e-6)
    gx, gy = gb.grad(lax.div, argnums=(0, 1))(3.0, 2.0)
    np.testing.assert_allclose([gx, gy], [0.5, -0.75])


def test_special_function_derivatives():
    import scipy.special
    x = np.array([0.5, 1.0, 3.0], np.float32)
    np.testing.assert_allclose(gb.vmap(gb.grad(lax.lgamma))(x), scipy.special.digamma(x),
                               rtol=1e-5)
    np.testing.assert_allclose(gb.vmap(gb.grad(lax.digamma))(x), scipy.special.polygamma(1, x),
                               rtol=1e-5)
    np.testing.assert_allclose(lax.polygamma(np.float32(2), x), scipy.special.polygamma(2, x),
                               rtol=1e-5)
    np.testing.assert_allclose(gb.vmap(gb.grad(lax.erf_inv))(np.float32([0.0, 0.5])),
                               np.sqrt(np.pi) / 2 * np.exp(scipy.special.erfinv([0, 0.5]) ** 2),
                               rtol=1e-5)
    with pytest.raises(ValueError, match="polygamma gradient with respect to m"):
        gb.grad(lambda m: lax.polygamma(m, 2.0))(1.0)


def test_sinc_and_logaddexp_use_custom_rules():
    assert float(grad_of(jnp.sinc, 0.0)) == 0.0
    np.testing.assert_allclose(gb.grad(gb.grad(jnp.sinc))(0.0), -np.pi ** 2 / 3, rtol=1e-6)
    assert "custom_jvp_call" in str(gb.make_jaxpr(jnp.sinc)(0.5))
    # infinite arguments: finite weights (+inf is read as 0 in exp(x - out))
    gx, gy = gb.grad(jnp.logaddexp, argnums=(0, 1))(-np.inf, 1.0)
    assert (float(gx), float(gy)) == (0.0, 1.0)
    assert float(grad_of(jnp.logaddexp, np.inf, 1.0)) == 1.0
    gx, gy = gb.grad(jnp.logaddexp2, argnums=(0, 1))(1.0, 2.0)
    np.testing.assert_allclose([gx, gy], [1 / 3, 2 / 3], rtol=1e-6)
    assert "custom_jvp_call" in str(gb.make_jaxpr(jnp.logaddexp)(1.0, 2.0))


def test_tangents_keep_weak_types():
    for fn in (lambda x: x * 2.0, jnp.sin, jnp.exp, lambda x: lax.max(x, 1.0),
               lambda x: jnp.where(x > 0, x, 0.0)):
        primal, tangent = gb.jvp(fn, (1.0,), (1.0,))
        assert primal.weak_type and tangent.weak_type and tangent.dtype == np.float32
    _, tangent = gb.jvp(lambda x: x * 2.0, (np.float32(1),), (np.float32(1),))
    assert not tangent.weak_type
    _, tangent = gb.jvp(lambda x: lax.convert_element_type(x, np.float32, weak_type=True),
                        (np.float32(1),), (np.float32(1),))
    assert tangent.weak_type


def test_convert_element_type_cotangents():
    # float -> float16 -> float: the cotangent is converted back at each step
    g = gb.grad(lambda x: jnp.sum(x.astype(np.float16).astype(np.float32) * 3))(
        arr([1.0, 2.0], np.float32))
    assert g.dtype == np.float32
    np.testing.assert_array_equal(g, [3, 3])
    # through an integer: no gradient; complex -> real keeps the real part's
    assert float(grad_of(lambda x: x.astype(np.int32).astype(np.float32) + x, 2.7)) == 1.0
    _, pullback = gb.vjp(lambda z: lax.convert_element_type(z, np.float32), np.complex64(1 + 2j))
    (ct,) = pullback(np.float32(2))
    assert ct.dtype == np.complex64 and complex(ct) == 2


def test_complex_part_transposes_follow_jax():
    z = np.complex64(1 + 2j)
    ct = np.complex64(3 + 4j)
    # complex(x, y): JAX transposes without conjugation: (real(ct), -imag(ct))
    _, pullback = gb.vjp(lax.complex, np.float32(1), np.float32(2))
    assert [float(c) for c in pullback(ct)] == [3.0, -4.0]
    assert complex(gb.vjp(lax.real, z)[1](np.float32(5))[0]) == 5
    assert complex(gb.vjp(lax.imag, z)[1](np.float32(5))[0]) == -5j
    assert complex(gb.vjp(lax.conj, z)[1](ct)[0]) == 3 - 4j
    (g,) = gb.vjp(lax.conj, np.float32(1))[1](ct)
    assert g.dtype == np.float32 and float(g) == 3.0
    _, tangent = gb.jvp(lambda x: lax.complex(x, x * 2), (np.float32(1),), (np.float32(1),))
    assert complex(tangent) == 1 + 2j


def _check_vjp_jax_convention(fn, x, rng):
    """<t, conj(vjp(conj(c)))> == <jvp(t), c>: JAX's check_vjp (cotangents are not conjugated)."""
    from glassbox.test_util import numerical_jvp

    def rand(a):
        a = np.asarray(a)
        v = rng.standard_normal(a.shape) + (1j * rng.standard_normal(a.shape)
                                            if np.iscomplexobj(a) else 0)
        return v.astype(a.dtype)
    out, pullback = gb.vjp(fn, x)
    t, c = rand(x), rand(out)
    jt = np.asarray(numerical_jvp(fn, (x,), (t,)))   # shaped like fn's output
    ct = np.conj(np.asarray(pullback(np.conj(c))[0]))
    np.testing.assert_allclose(np.real(np.vdot(t, ct)), np.real(np.vdot(jt, c)), rtol=2e-2,
                               atol=2e-2)


@pytest.mark.parametrize("fn", [jnp.sin, jnp.sqrt, jnp.abs, jnp.imag, jnp.conj, jnp.arctanh,
                                lambda z: jnp.power(z, z), lambda z: z / (1 + z * z)],
                         ids=["sin", "sqrt", "abs", "imag", "conj", "arctanh", "pow", "ratio"])
def test_complex_vjps_follow_jax_convention(fn):
    z = np.array([0.3 + 0.4j, -0.7 + 0.2j], np.complex64)
    _check_vjp_jax_convention(fn, z, np.random.default_rng(0))
    _check_vjp_jax_convention(lambda x: fn(lax.complex(x, x * 0.5)),
                              np.array([0.3, -0.7], np.float32), np.random.default_rng(1))


# --- batching rules beyond the op table's -------------------------------------

def test_select_n_batching_with_scalar_and_unbatched_predicates():
    cases = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
    batched_pred = np.array([True, False])
    out = gb.vmap(lambda p, a, b: lax.select_n(p, a, b))(batched_pred, cases, -cases)
    np.testing.assert_array_equal(out, np.where(batched_pred[:, None, None], -cases, cases))
    # a batch of scalar predicates with unbatched cases
    out = gb.vmap(lambda p: lax.select_n(p, cases[0], -cases[0]))(batched_pred)
    np.testing.assert_array_equal(out, np.stack([-cases[0], cases[0]]))
    # an unbatched scalar predicate with batched cases stays a scalar predicate
    out = gb.vmap(lambda a: lax.select_n(np.bool_(True), a, -a), in_axes=1)(cases)
    np.testing.assert_array_equal(out, -np.moveaxis(cases, 1, 0))
    # an integer `which` batched along another axis than the cases
    which = np.random.default_rng(0).integers(0, 3, (2, 2, 3)).astype(np.int32)
    out = gb.vmap(lambda w, a, b, c: lax.select_n(w, a, b, c), in_axes=(2, 0, None, 0))(
        np.moveaxis(which, 0, 2), cases, cases[0], -cases)
    expected = np.stack([np.choose(which[i], [cases[i], cases[0], -cases[i]]) for i in range(2)])
    np.testing.assert_array_equal(out, expected)


def test_clamp_batching_with_scalar_bounds():
    x = np.linspace(-3, 3, 8, dtype=np.float32).reshape(2, 4)
    lo = np.array([-1.0, 0.0], np.float32)
    out = gb.vmap(lambda lo, x: lax.clamp(lo, x, np.float32(2)))(lo, x)
    np.testing.assert_array_equal(out, np.clip(x, lo[:, None], 2))
    out = gb.vmap(lambda lo: lax.clamp(lo, x[0], np.float32(2)))(lo)   # x unbatched
    np.testing.assert_array_equal(out, np.stack([np.clip(x[0], v, 2) for v in lo]))
    out = gb.vmap(lambda x: lax.clamp(np.float32(-1), x, np.float32(1)), in_axes=1)(x)
    np.testing.assert_array_equal(out, np.clip(x, -1, 1).T)


def test_bitcast_batching_along_the_consumed_axis():
    x = np.arange(8, dtype=np.uint8).reshape(2, 4)
    out = gb.vmap(lambda b: lax.bitcast_convert_type(b, np.uint32), in_axes=1)(x.T)
    np.testing.assert_array_equal(out, x.view(np.uint32).reshape(2))
    out = gb.vmap(lambda f: lax.bitcast_convert_type(f, np.uint8), in_axes=0)(
        np.ones(3, np.float32))
    np.testing.assert_array_equal(out, np.ones(3, np.float32).view(np.uint8).reshape(3, 4))
