"""ml_dtypes' narrow types in glassbox: float8/float6/float4 and int2/int4/uint2/uint4.

Checked against ml_dtypes/NumPy (conversions, arithmetic done in float32 then
cast) and against tables recorded from real JAX 0.10.2 (promotion, reductions).
The tables were made in .venv-jax with ``jnp.result_type(getattr(jnp, a), b)``
(``b`` a scalar type, or the Python type ``int``/``float``/``complex``; "error"
means JAX raised ``jax.dtypes.TypePromotionError``) and with ``jnp.sum``,
``jnp.mean``, ``jnp.prod``, ``jnp.dot`` (and ``preferred_element_type=float32``)
on ``x.astype(t)`` for the ``X`` below, printed as ``(float(result), dtype)``.

float6 arrays are left out of the value tests: XLA's CPU backend rejects them
("Invalid XLA PrimitiveType"), in JAX as in glassbox.
"""
import ml_dtypes
import numpy as np
import pytest

import glassbox
import glassbox.numpy as jnp
from glassbox import dtypes
from glassbox.numpy import dtype_api

SMALL_FLOATS = ["float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3",
                "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
                "float8_e5m2fnuz", "float8_e8m0fnu"]
CPU_FLOATS = [n for n in SMALL_FLOATS if not n.startswith("float6")]
SMALL_INTS = ["int2", "int4", "uint2", "uint4"]

# (a, b, jnp.result_type(a, b) in JAX, or 'error')
JAX_RESULT_TYPE = [
    ('float8_e4m3fn', 'float8_e4m3fn', 'float8_e4m3fn'),
    ('float8_e4m3fn', 'float8_e5m2', 'error'),
    ('float8_e4m3fn', 'float4_e2m1fn', 'error'),
    ('float8_e4m3fn', 'float6_e3m2fn', 'error'),
    ('float8_e4m3fn', 'int4', 'error'),
    ('float8_e4m3fn', 'uint2', 'error'),
    ('float8_e4m3fn', 'bool', 'float8_e4m3fn'),
    ('float8_e4m3fn', 'int8', 'float8_e4m3fn'),
    ('float8_e4m3fn', 'uint8', 'float8_e4m3fn'),
    ('float8_e4m3fn', 'int32', 'float8_e4m3fn'),
    ('float8_e4m3fn', 'float16', 'error'),
    ('float8_e4m3fn', 'bfloat16', 'error'),
    ('float8_e4m3fn', 'float32', 'error'),
    ('float8_e4m3fn', 'complex64', 'error'),
    ('float8_e4m3fn', 'int', 'float8_e4m3fn'),
    ('float8_e4m3fn', 'float', 'float8_e4m3fn'),
    ('float8_e4m3fn', 'complex', 'error'),
    ('float8_e5m2', 'float8_e4m3fn', 'error'),
    ('float8_e5m2', 'float8_e5m2', 'float8_e5m2'),
    ('float8_e5m2', 'float4_e2m1fn', 'error'),
    ('float8_e5m2', 'float6_e3m2fn', 'error'),
    ('float8_e5m2', 'int4', 'error'),
    ('float8_e5m2', 'uint2', 'error'),
    ('float8_e5m2', 'bool', 'float8_e5m2'),
    ('float8_e5m2', 'int8', 'float8_e5m2'),
    ('float8_e5m2', 'uint8', 'float8_e5m2'),
    ('float8_e5m2', 'int32', 'float8_e5m2'),
    ('float8_e5m2', 'float16', 'error'),
    ('float8_e5m2', 'bfloat16', 'error'),
    ('float8_e5m2', 'float32', 'error'),
    ('float8_e5m2', 'complex64', 'error'),
    ('float8_e5m2', 'int', 'float8_e5m2'),
    ('float8_e5m2', 'float', 'float8_e5m2'),
    ('float8_e5m2', 'complex', 'error'),
    ('float4_e2m1fn', 'float8_e4m3fn', 'error'),
    ('float4_e2m1fn', 'float8_e5m2', 'error'),
    ('float4_e2m1fn', 'float4_e2m1fn', 'float4_e2m1fn'),
    ('float4_e2m1fn', 'float6_e3m2fn', 'error'),
    ('float4_e2m1fn', 'int4', 'error'),
    ('float4_e2m1fn', 'uint2', 'error'),
    ('float4_e2m1fn', 'bool', 'float4_e2m1fn'),
    ('float4_e2m1fn', 'int8', 'float4_e2m1fn'),
    ('float4_e2m1fn', 'uint8', 'float4_e2m1fn'),
    ('float4_e2m1fn', 'int32', 'float4_e2m1fn'),
    ('float4_e2m1fn', 'float16', 'error'),
    ('float4_e2m1fn', 'bfloat16', 'error'),
    ('float4_e2m1fn', 'float32', 'error'),
    ('float4_e2m1fn', 'complex64', 'error'),
    ('float4_e2m1fn', 'int', 'float4_e2m1fn'),
    ('float4_e2m1fn', 'float', 'float4_e2m1fn'),
    ('float4_e2m1fn', 'complex', 'error'),
    ('float6_e3m2fn', 'float8_e4m3fn', 'error'),
    ('float6_e3m2fn', 'float8_e5m2', 'error'),
    ('float6_e3m2fn', 'float4_e2m1fn', 'error'),
    ('float6_e3m2fn', 'float6_e3m2fn', 'float6_e3m2fn'),
    ('float6_e3m2fn', 'int4', 'error'),
    ('float6_e3m2fn', 'uint2', 'error'),
    ('float6_e3m2fn', 'bool', 'float6_e3m2fn'),
    ('float6_e3m2fn', 'int8', 'float6_e3m2fn'),
    ('float6_e3m2fn', 'uint8', 'float6_e3m2fn'),
    ('float6_e3m2fn', 'int32', 'float6_e3m2fn'),
    ('float6_e3m2fn', 'float16', 'error'),
    ('float6_e3m2fn', 'bfloat16', 'error'),
    ('float6_e3m2fn', 'float32', 'error'),
    ('float6_e3m2fn', 'complex64', 'error'),
    ('float6_e3m2fn', 'int', 'float6_e3m2fn'),
    ('float6_e3m2fn', 'float', 'float6_e3m2fn'),
    ('float6_e3m2fn', 'complex', 'error'),
    ('int4', 'float8_e4m3fn', 'error'),
    ('int4', 'float8_e5m2', 'error'),
    ('int4', 'float4_e2m1fn', 'error'),
    ('int4', 'float6_e3m2fn', 'error'),
    ('int4', 'int4', 'int4'),
    ('int4', 'uint2', 'error'),
    ('int4', 'bool', 'int4'),
    ('int4', 'int8', 'error'),
    ('int4', 'uint8', 'error'),
    ('int4', 'int32', 'error'),
    ('int4', 'float16', 'error'),
    ('int4', 'bfloat16', 'error'),
    ('int4', 'float32', 'error'),
    ('int4', 'complex64', 'error'),
    ('int4', 'int', 'int4'),
    ('int4', 'float', 'error'),
    ('int4', 'complex', 'error'),
    ('uint2', 'float8_e4m3fn', 'error'),
    ('uint2', 'float8_e5m2', 'error'),
    ('uint2', 'float4_e2m1fn', 'error'),
    ('uint2', 'float6_e3m2fn', 'error'),
    ('uint2', 'int4', 'error'),
    ('uint2', 'uint2', 'uint2'),
    ('uint2', 'bool', 'uint2'),
    ('uint2', 'int8', 'error'),
    ('uint2', 'uint8', 'error'),
    ('uint2', 'int32', 'error'),
    ('uint2', 'float16', 'error'),
    ('uint2', 'bfloat16', 'error'),
    ('uint2', 'float32', 'error'),
    ('uint2', 'complex64', 'error'),
    ('uint2', 'int', 'uint2'),
    ('uint2', 'float', 'error'),
    ('uint2', 'complex', 'error'),
]

inf, nan = float("inf"), float("nan")   # as the recorded table prints them
X = np.array([1.5, 2.25, -3.0, 0.375, 7.0], np.float32)
# jnp.<op>(X.astype(t)) in JAX: (float(result), str(result.dtype)), or the error's class
# name; float8_e8m0fnu: abs(X) converted and plus 1, as float32; ints: I converted, times 3.
JAX_VALUES = {'float4_e2m1fn': {'dot': (6.0, 'float4_e2m1fn'),
                   'dot32': 'JaxRuntimeError',
                   'max': (6.0, 'float4_e2m1fn'),
                   'mean': (1.5, 'float4_e2m1fn'),
                   'prod': (-6.0, 'float4_e2m1fn'),
                   'sum': (6.0, 'float4_e2m1fn')},
 'float8_e3m4': {'dot': (inf, 'float8_e3m4'),
                 'dot32': (65.453125, 'float32'),
                 'max': (7.0, 'float8_e3m4'),
                 'mean': (1.625, 'float8_e3m4'),
                 'prod': (-inf, 'float8_e3m4'),
                 'sum': (8.0, 'float8_e3m4')},
 'float8_e4m3': {'dot': (64.0, 'float8_e4m3'),
                 'dot32': (65.453125, 'float32'),
                 'max': (7.0, 'float8_e4m3'),
                 'mean': (1.625, 'float8_e4m3'),
                 'prod': (-26.0, 'float8_e4m3'),
                 'sum': (8.0, 'float8_e4m3')},
 'float8_e4m3b11fnuz': {'dot': (nan, 'float8_e4m3b11fnuz'),
                        'dot32': (65.453125, 'float32'),
                        'max': (7.0, 'float8_e4m3b11fnuz'),
                        'mean': (1.625, 'float8_e4m3b11fnuz'),
                        'prod': (-26.0, 'float8_e4m3b11fnuz'),
                        'sum': (8.0, 'float8_e4m3b11fnuz')},
 'float8_e4m3fn': {'dot': (64.0, 'float8_e4m3fn'),
                   'dot32': (65.453125, 'float32'),
                   'max': (7.0, 'float8_e4m3fn'),
                   'mean': (1.625, 'float8_e4m3fn'),
                   'prod': (-26.0, 'float8_e4m3fn'),
                   'sum': (8.0, 'float8_e4m3fn')},
 'float8_e4m3fnuz': {'dot': (64.0, 'float8_e4m3fnuz'),
                     'dot32': (65.453125, 'float32'),
                     'max': (7.0, 'float8_e4m3fnuz'),
                     'mean': (1.625, 'float8_e4m3fnuz'),
                     'prod': (-26.0, 'float8_e4m3fnuz'),
                     'sum': (8.0, 'float8_e4m3fnuz')},
 'float8_e5m2': {'dot': (64.0, 'float8_e5m2'),
                 'dot32': (64.390625, 'float32'),
                 'max': (7.0, 'float8_e5m2'),
                 'mean': (1.5, 'float8_e5m2'),
                 'prod': (-20.0, 'float8_e5m2'),
                 'sum': (8.0, 'float8_e5m2')},
 'float8_e5m2fnuz': {'dot': (64.0, 'float8_e5m2fnuz'),
                     'dot32': (64.390625, 'float32'),
                     'max': (7.0, 'float8_e5m2fnuz'),
                     'mean': (1.5, 'float8_e5m2fnuz'),
                     'prod': (-20.0, 'float8_e5m2fnuz'),
                     'sum': (8.0, 'float8_e5m2fnuz')},
 'float8_e8m0fnu': {'add1': [4.0, 4.0, 4.0, 2.0, 8.0], 'conv': [2.0, 2.0, 4.0, 0.5, 8.0]},
 'int2': {'mul3': [-1, -2, 1, 1, 0], 'sum': None, 'vals': [1, -2, -1, -1, 0]},
 'int4': {'mul3': [3, -6, -7, 5, -8], 'sum': None, 'vals': [1, -2, 3, 7, -8]},
 'uint2': {'mul3': [3, 2, 1, 1, 0], 'sum': None, 'vals': [1, 2, 3, 3, 0]},
 'uint4': {'mul3': [3, 6, 9, 5, 8], 'sum': None, 'vals': [1, 2, 3, 7, 8]}}


def _dt(name):
    return np.dtype(getattr(ml_dtypes, name))


def _other(name):
    return {"int": int, "float": float, "complex": complex, "bool": jnp.bool_}.get(
        name) or getattr(jnp, name)


@pytest.mark.parametrize("name", SMALL_FLOATS + SMALL_INTS + ["int1", "uint1"])
def test_scalar_types_exist(name):
    t = getattr(jnp, name)
    assert name in dtype_api.__all__
    assert np.dtype(t) == _dt(name)
    assert t.__name__ == name and repr(t) == f"<class 'glassbox.numpy.{name}'>"


def test_promotion_matches_jax_table():
    wrong = []
    for a, b, want in JAX_RESULT_TYPE:
        try:
            got = str(jnp.result_type(getattr(jnp, a), _other(b)))
        except dtypes.TypePromotionError:
            got = "error"
        if got != want:
            wrong.append(f"{a} with {b}: got {got}, JAX {want}")
    assert not wrong, "\n".join(wrong)
    assert len(JAX_RESULT_TYPE) == 6 * 17


def test_type_promotion_error_is_jax_s():
    assert issubclass(glassbox.dtypes.TypePromotionError, ValueError)
    f8 = jnp.array([1.5, 2.0], jnp.float8_e4m3fn)
    with pytest.raises(glassbox.dtypes.TypePromotionError,
                       match=r"8-bit floats do not support implicit promotion.*astype\('float32'\)"):
        f8 + jnp.array([1.0, 2.0], jnp.float32)
    with pytest.raises(ValueError, match="8-bit floats"):
        f8 + 1j   # a weak complex does not fit a float8
    with pytest.raises(ValueError, match="'float8_e4m3fn'.*'float8_e5m2'|'float8_e5m2'.*'float8_e4m3fn'"):
        jnp.promote_types(jnp.float8_e4m3fn, jnp.float8_e5m2)
    with pytest.raises(ValueError, match="4-bit floats do not"):
        jnp.promote_types(jnp.float4_e2m1fn, jnp.float16)
    with pytest.raises(ValueError, match="6-bit floats do not"):
        jnp.result_type(jnp.float6_e3m2fn, jnp.bfloat16)
    i4 = jnp.array([1, 2], jnp.int4)
    with pytest.raises(glassbox.dtypes.TypePromotionError,
                       match=r"1-bit, 2-bit and 4-bit integers do not support implicit promotion"
                             r".*astype\('int32'\)"):
        i4 + jnp.int8(1)
    with pytest.raises(ValueError, match=r"\(\"<class 'float'>\", 'int4'\)"):
        i4 + 1.0   # JAX names the weak type as its Python class


@pytest.mark.parametrize("name", CPU_FLOATS)
def test_every_value_round_trips(name):
    dt = _dt(name)
    bits = ml_dtypes.finfo(dt).bits
    values = np.arange(2 ** bits, dtype=np.uint8).view(dt)
    a = jnp.array(values)
    assert a.dtype == dt
    np.testing.assert_array_equal(np.asarray(a).view(np.uint8), values.view(np.uint8))
    np.testing.assert_array_equal(np.asarray(a.astype(jnp.float32)), values.astype(np.float32))
    # and back: float32 -> small type is exact for representable values
    back = jnp.array(values.astype(np.float32)).astype(dt)
    np.testing.assert_array_equal(np.asarray(back).astype(np.float32), values.astype(np.float32))


@pytest.mark.parametrize("name", [n for n in CPU_FLOATS if n != "float8_e8m0fnu"])
def test_float32_to_small_rounds_as_ml_dtypes(name):
    dt = _dt(name)
    info = ml_dtypes.finfo(dt)
    rng = np.random.default_rng(0)
    x = (rng.standard_normal(500) * float(info.max) / 4).astype(np.float32)
    x = np.concatenate([x, np.float32(info.max) * np.float32([0.5, -0.5, 1.0, -1.0]),
                        np.float32([0.0, float(info.tiny), float(info.smallest_subnormal)])])
    got = np.asarray(jnp.array(x).astype(dt)).astype(np.float32)
    np.testing.assert_array_equal(got, x.astype(dt).astype(np.float32))
    jitted = glassbox.jit(lambda v: v.astype(dt))(jnp.array(x))
    np.testing.assert_array_equal(np.asarray(jitted).astype(np.float32), got)


@pytest.mark.parametrize("name", [n for n in CPU_FLOATS if n != "float8_e8m0fnu"])
def test_arithmetic_is_float32_then_cast(name):
    dt = _dt(name)
    info = ml_dtypes.finfo(dt)
    rng = np.random.default_rng(1)
    scale = min(float(info.max) ** 0.5, 8.0)
    a = (rng.standard_normal(64) * scale).astype(dt)
    b = (rng.standard_normal(64) * scale).astype(dt)
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    ga, gb = jnp.array(a), jnp.array(b)
    for op in ("add", "subtract", "multiply"):
        want = getattr(np, op)(a32, b32).astype(dt).astype(np.float32)
        eager = getattr(jnp, op)(ga, gb)
        assert eager.dtype == dt, op
        np.testing.assert_array_equal(np.asarray(eager).astype(np.float32), want, err_msg=op)
        jitted = glassbox.jit(getattr(jnp, op))(ga, gb)
        np.testing.assert_array_equal(np.asarray(jitted).astype(np.float32), want, err_msg=op)
    # a weak Python float promotes into the small type (and is rounded to it first)
    r = ga + 1.0
    assert r.dtype == dt and not r.aval.weak_type
    np.testing.assert_array_equal(np.asarray(r).astype(np.float32),
                                  (a32 + np.float32(1.0)).astype(dt).astype(np.float32))


@pytest.mark.parametrize("name", [n for n in CPU_FLOATS if n != "float8_e8m0fnu"])
def test_reductions_and_dot_match_jax(name):
    f = jnp.array(X).astype(getattr(jnp, name))
    ops = dict(sum=jnp.sum, mean=jnp.mean, prod=jnp.prod,
               dot=lambda v: jnp.dot(v, v),
               dot32=lambda v: jnp.dot(v, v, preferred_element_type=jnp.float32))
    for op, fn in ops.items():
        want = JAX_VALUES[name][op]
        if isinstance(want, str):   # JAX's XLA rejects it: so does glassbox's
            with pytest.raises(RuntimeError):
                fn(f)
            continue
        got = fn(f)
        assert str(got.dtype) == want[1], op
        np.testing.assert_array_equal(float(got), want[0], err_msg=op)
        np.testing.assert_array_equal(float(glassbox.jit(fn)(f)), want[0], err_msg=op)


def test_float8_e8m0fnu_matches_jax():
    f = jnp.array(np.abs(X)).astype(jnp.float8_e8m0fnu)
    np.testing.assert_array_equal(np.asarray(f.astype(jnp.float32)), JAX_VALUES["float8_e8m0fnu"]["conv"])
    np.testing.assert_array_equal(np.asarray((f + 1).astype(jnp.float32)),
                                  JAX_VALUES["float8_e8m0fnu"]["add1"])


@pytest.mark.parametrize("name", SMALL_INTS)
def test_int_values_and_wrapping(name):
    dt = _dt(name)
    info = ml_dtypes.iinfo(dt)
    values = np.arange(info.min, info.max + 1)
    a = jnp.array(values.astype(dt))
    assert a.dtype == dt
    np.testing.assert_array_equal(np.asarray(a.astype(jnp.int32)), values)
    # arithmetic wraps modulo 2**bits, as NumPy computed in int32 then cast
    span = 2 ** info.bits

    def wrap(v):
        return (v - info.min) % span + info.min
    for op, fn in (("add", np.add), ("subtract", np.subtract), ("multiply", np.multiply)):
        b = values[::-1]
        want = wrap(fn(values, b))
        got = getattr(jnp, op)(a, jnp.array(b.astype(dt)))
        assert got.dtype == dt
        np.testing.assert_array_equal(np.asarray(got.astype(jnp.int32)), want, err_msg=op)
        jitted = glassbox.jit(getattr(jnp, op))(a, jnp.array(b.astype(dt)))
        np.testing.assert_array_equal(np.asarray(jitted.astype(jnp.int32)), want, err_msg=op)
    one = a + 1   # a weak Python int promotes into the small type
    assert one.dtype == dt
    np.testing.assert_array_equal(np.asarray(one.astype(jnp.int32)), wrap(values + 1))
    ints = np.array([1, -2, 3, 7, -8])
    src = np.abs(ints) if name.startswith("u") else ints
    conv = jnp.array(src).astype(dt)
    np.testing.assert_array_equal(np.asarray(conv.astype(jnp.int32)), JAX_VALUES[name]["vals"])
    np.testing.assert_array_equal(np.asarray((conv * 3).astype(jnp.int32)), JAX_VALUES[name]["mul3"])


def test_constants_in_jit():
    # non-splat constants of narrow types are printed into the StableHLO module
    c4 = np.array([-1, 7, -8, 3], ml_dtypes.int4)
    out = glassbox.jit(lambda x: x + c4)(jnp.zeros(4, jnp.int4))
    np.testing.assert_array_equal(np.asarray(out.astype(jnp.int32)), [-1, 7, -8, 3])
    for name in CPU_FLOATS:
        dt = _dt(name)
        c = np.array([0.5, -1.5, 2.0, 4.0], dt)
        x = np.array([1.0, 2.0, 0.5, 0.25], dt)
        got = glassbox.jit(lambda v: v * c)(jnp.array(x))
        want = (x.astype(np.float32) * c.astype(np.float32)).astype(dt)
        np.testing.assert_array_equal(np.asarray(got).astype(np.float32), want.astype(np.float32),
                                      err_msg=name)


def test_info_and_subdtype():
    fi = jnp.finfo(jnp.float8_e4m3fn)
    assert (fi.bits, float(fi.max), float(fi.eps), float(fi.tiny)) == (8, 448.0, 0.125, 0.015625)
    assert float(jnp.finfo(jnp.float8_e5m2).max) == 57344.0
    ii = jnp.iinfo(jnp.int4)
    assert (ii.min, ii.max, ii.bits) == (-8, 7, 4)
    assert (jnp.iinfo(jnp.uint2).min, jnp.iinfo(jnp.uint2).max) == (0, 3)
    for name in SMALL_FLOATS:
        t = getattr(jnp, name)
        assert jnp.issubdtype(t, jnp.floating) and jnp.issubdtype(t, jnp.inexact)
        assert jnp.issubdtype(t, jnp.number) and not jnp.issubdtype(t, jnp.integer)
        assert jnp.issubdtype(t, t) and not jnp.issubdtype(t, jnp.float32)
        assert jnp.isdtype(t, "real floating") and dtypes.is_float(np.dtype(t))
    for name in SMALL_INTS:
        t = getattr(jnp, name)
        unsigned = name.startswith("u")
        assert jnp.issubdtype(t, jnp.integer) and not jnp.issubdtype(t, jnp.floating)
        assert jnp.issubdtype(t, jnp.unsignedinteger) == unsigned
        assert jnp.issubdtype(t, jnp.signedinteger) == (not unsigned)
        assert jnp.isdtype(t, "integral") and jnp.isdtype(t, "numeric")
        assert dtypes.is_int(np.dtype(t)) and dtypes.is_unsigned(np.dtype(t)) == unsigned
    assert jnp.issubdtype(jnp.bfloat16, jnp.floating) and not jnp.issubdtype(jnp.bfloat16, jnp.integer)
    assert [dtypes.supports_inf(_dt(n)) for n in ("float8_e4m3fn", "float8_e5m2", "float8_e5m2fnuz")] \
        == [False, True, False]


def test_creation_and_scalar_types():
    z = jnp.zeros(3, jnp.float8_e5m2)
    assert z.dtype == _dt("float8_e5m2")
    np.testing.assert_array_equal(np.asarray(z).astype(np.float32), [0, 0, 0])
    s = jnp.float8_e4m3fn(3.3)
    assert s.dtype == _dt("float8_e4m3fn") and not s.aval.weak_type and float(s) == 3.25
    r = jnp.array([1, 2], jnp.int4) + jnp.int4(1)
    assert r.dtype == _dt("int4")
    np.testing.assert_array_equal(np.asarray(r.astype(jnp.int32)), [2, 3])
    np.testing.assert_array_equal(np.asarray(jnp.arange(4, dtype=jnp.int2).astype(jnp.int32)),
                                  [0, 1, -2, -1])   # arange(4) wraps in int2, as in JAX


@pytest.mark.parametrize("name", ["int1", "uint1"])
def test_int1_arrays_are_refused(name):
    # JAX 0.10.2 names int1/uint1 but cannot hold arrays of them (XLA gives them bool's i1)
    with pytest.raises(TypeError, match=f"does not support dtype {name}"):
        jnp.array([1, 0], getattr(jnp, name))


def test_grad_through_a_float8_cast():
    # the cast rounds; its derivative passes the cotangent through (in float32)
    f = lambda v: (v.astype(jnp.float8_e4m3fn).astype(jnp.float32) ** 2).sum()
    g = glassbox.grad(f)(jnp.array([1.5, 3.3]))
    np.testing.assert_array_equal(np.asarray(g), [3.0, 6.5])


def test_python_ints_wrap_into_narrow_ints():
    # JAX 0.10.2: jnp.array(8, jnp.int4) is -8 and jnp.int4(9) is -7 (no OverflowError,
    # unlike int8); comparisons, where and abs keep JAX's dtypes.
    assert int(jnp.array(8, jnp.int4)) == -8 and int(jnp.int4(9)) == -7
    np.testing.assert_array_equal(
        np.asarray((jnp.array([1, 2], jnp.int4) + 9).astype(jnp.int32)), [-6, -5])
    with pytest.raises(OverflowError):
        jnp.array(300, jnp.int8)
    gt = jnp.array([1, 2], jnp.uint4) > 1
    assert gt.dtype == np.bool_ and gt.tolist() == [False, True]
    w = jnp.where(jnp.array([True, False]), jnp.array([1., 2], jnp.float8_e5m2), 0.0)
    assert w.dtype == _dt("float8_e5m2") and np.asarray(w).astype(np.float32).tolist() == [1, 0]
    over = jnp.array([1., 2], jnp.float8_e4m3fn) + 1000.0   # no inf in e4m3fn: nan, as in JAX
    assert np.isnan(np.asarray(over).astype(np.float32)).all()


def test_max_and_min_take_the_types_own_extremes_as_identities():
    # int4 has no np.iinfo, and float8_e4m3fn has no infinity: JAX reduces with the
    # type's finite extremes (max of [-3, -1] is -1, not nan or an error).
    for dtype in (jnp.int4, jnp.float8_e4m3fn, jnp.float8_e4m3fnuz, jnp.float8_e5m2):
        x = jnp.array([-3, -1], dtype)
        assert float(jnp.max(x)) == -1.0 and float(jnp.min(x)) == -3.0
        assert float(jnp.max(x, initial=-2)) == -1.0
