"""JAX's type promotion table, dtype scalar types and dtype utilities.

The table below is JAX's documented binary promotion table ("Type promotion
semantics", docs/type_promotion.rst), copied as data: row type promoted with
column type. ``i*``/``f*``/``c*`` are weak types (Python scalars). With x64
off, 64-bit results are canonicalized to 32 bits *after* the join.
"""
import json
import os
import warnings

import ml_dtypes
import numpy as np
import pytest

import glassbox
import glassbox.numpy as jnp
from glassbox import dtypes

NAMES = "b1 u1 u2 u4 u8 i1 i2 i4 i8 bf f2 f4 f8 c8 c16 i* f* c*".split()

TABLE = """
b1  b1  u1  u2  u4  u8  i1  i2  i4  i8  bf  f2  f4  f8  c8  c16 i*  f*  c*
u1  u1  u1  u2  u4  u8  i2  i2  i4  i8  bf  f2  f4  f8  c8  c16 u1  f*  c*
u2  u2  u2  u2  u4  u8  i4  i4  i4  i8  bf  f2  f4  f8  c8  c16 u2  f*  c*
u4  u4  u4  u4  u4  u8  i8  i8  i8  i8  bf  f2  f4  f8  c8  c16 u4  f*  c*
u8  u8  u8  u8  u8  u8  f*  f*  f*  f*  bf  f2  f4  f8  c8  c16 u8  f*  c*
i1  i1  i2  i4  i8  f*  i1  i2  i4  i8  bf  f2  f4  f8  c8  c16 i1  f*  c*
i2  i2  i2  i4  i8  f*  i2  i2  i4  i8  bf  f2  f4  f8  c8  c16 i2  f*  c*
i4  i4  i4  i4  i8  f*  i4  i4  i4  i8  bf  f2  f4  f8  c8  c16 i4  f*  c*
i8  i8  i8  i8  i8  f*  i8  i8  i8  i8  bf  f2  f4  f8  c8  c16 i8  f*  c*
bf  bf  bf  bf  bf  bf  bf  bf  bf  bf  bf  f4  f4  f8  c8  c16 bf  bf  c8
f2  f2  f2  f2  f2  f2  f2  f2  f2  f2  f4  f2  f4  f8  c8  c16 f2  f2  c8
f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f4  f8  c8  c16 f4  f4  c8
f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  f8  c16 c16 f8  f8  c16
c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c8  c16 c8  c16 c8  c8  c8
c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16 c16
i*  i*  u1  u2  u4  u8  i1  i2  i4  i8  bf  f2  f4  f8  c8  c16 i*  f*  c*
f*  f*  f*  f*  f*  f*  f*  f*  f*  f*  bf  f2  f4  f8  c8  c16 f*  f*  c*
c*  c*  c*  c*  c*  c*  c*  c*  c*  c*  c8  c8  c8  c16 c8  c16 c*  c*  c*
"""

ROWS = {line.split()[0]: line.split()[1:] for line in TABLE.strip().splitlines()}

STRONG = {"b1": np.bool_, "u1": np.uint8, "u2": np.uint16, "u4": np.uint32, "u8": np.uint64,
          "i1": np.int8, "i2": np.int16, "i4": np.int32, "i8": np.int64,
          "bf": ml_dtypes.bfloat16, "f2": np.float16, "f4": np.float32, "f8": np.float64,
          "c8": np.complex64, "c16": np.complex128}
WEAK_VALUE = {"i*": 1, "f*": 1.0, "c*": 1j}          # Python scalars are weakly typed
WEAK_TYPE = {"i*": int, "f*": float, "c*": complex}  # ...and so are the types themselves
WEAK_DEFAULT = {"i*": np.int64, "f*": np.float64, "c*": np.complex128}

PAIRS = [(a, b) for a in NAMES for b in NAMES]


def test_table_is_symmetric():
    for a, b in PAIRS:
        assert ROWS[a][NAMES.index(b)] == ROWS[b][NAMES.index(a)], (a, b)


def _value(name):
    return WEAK_VALUE[name] if name in WEAK_VALUE else np.dtype(STRONG[name])


def _expected(name, x64):
    """(dtype, weak) the table entry means under the given x64 setting."""
    weak = name in WEAK_DEFAULT
    dtype = np.dtype(WEAK_DEFAULT[name] if weak else STRONG[name])
    if not x64:
        dtype = {np.dtype(np.int64): np.dtype(np.int32), np.dtype(np.uint64): np.dtype(np.uint32),
                 np.dtype(np.float64): np.dtype(np.float32),
                 np.dtype(np.complex128): np.dtype(np.complex64)}.get(dtype, dtype)
    return dtype, weak


@pytest.mark.parametrize("x64", [False, True], ids=["x64_off", "x64_on"])
def test_result_type_matches_jax_table(x64):
    wrong = []
    with glassbox.config.override(enable_x64=x64):
        for a, b in PAIRS:
            got = dtypes.result_type(_value(a), _value(b), return_weak_type_flag=True)
            want = _expected(ROWS[a][NAMES.index(b)], x64)
            if (np.dtype(got[0]), got[1]) != want:
                wrong.append(f"{a} + {b}: got {got[0]}{'{weak}' * got[1]}, "
                             f"want {want[0]}{'{weak}' * want[1]}")
    assert not wrong, f"{len(wrong)} cells differ from JAX's table:\n" + "\n".join(wrong)


@pytest.mark.parametrize("x64", [False, True], ids=["x64_off", "x64_on"])
def test_jnp_result_type_matches_jax_table(x64):
    wrong = []
    with glassbox.config.override(enable_x64=x64):
        for a, b in PAIRS:
            ta = WEAK_TYPE.get(a, STRONG.get(a))
            tb = WEAK_TYPE.get(b, STRONG.get(b))
            got = jnp.result_type(ta, tb, return_weak_type_flag=True)
            want = _expected(ROWS[a][NAMES.index(b)], x64)
            if (np.dtype(got[0]), got[1]) != want:
                wrong.append(f"{a} + {b}: got {got}, want {want}")
    assert not wrong, "\n".join(wrong)


def test_promote_types_matches_jax_table():
    # promote_types is not canonicalized (JAX's too): the table entries as they are. The
    # table is x64's: with x64 off JAX's lattice joins uint32 and int32 to int32, not int64
    # (test_lax_rest.py checks that table against JAX's).
    with glassbox.config.override(enable_x64=True):
        for a, b in PAIRS:
            ta = WEAK_TYPE.get(a, STRONG.get(a))
            tb = WEAK_TYPE.get(b, STRONG.get(b))
            entry = ROWS[a][NAMES.index(b)]
            want = np.dtype(WEAK_DEFAULT.get(entry, STRONG.get(entry)))
            assert jnp.promote_types(ta, tb) == want, (a, b)


# lax does not promote: ``lax.add(a, b)`` over the same 18 x 18 types, as real JAX
# answered it (tests/make_lax_promotion_golden.py wrote the table).
with open(os.path.join(os.path.dirname(__file__), "lax_promotion_golden.json")) as _f:
    LAX_GOLDEN = json.load(_f)


def _lax_operand(name):
    return WEAK_VALUE[name] if name in WEAK_VALUE else np.ones((), STRONG[name])


@pytest.mark.parametrize("x64", [False, True], ids=["x64_off", "x64_on"])
def test_lax_add_matches_jax_table(x64):
    wrong = []
    with glassbox.config.override(enable_x64=x64):
        for pair, want in LAX_GOLDEN["x64_on" if x64 else "x64_off"].items():
            a, b = pair.split(",")
            try:
                out = glassbox.lax.add(_lax_operand(a), _lax_operand(b))
                got = {"dtype": out.dtype.name, "weak_type": bool(out.weak_type)}
            except (TypeError, OverflowError) as e:
                got = {"raises": type(e).__name__}
            if got != want:
                wrong.append(f"lax.add({a}, {b}): got {got}, want {want}")
    assert not wrong, f"{len(wrong)} cells differ from JAX's:\n" + "\n".join(wrong)


def test_result_type_of_arrays_and_scalars():
    assert jnp.result_type(jnp.arange(4), jnp.zeros(4)) == np.float32
    assert jnp.result_type(1.0, jnp.bfloat16(2)) == ml_dtypes.bfloat16
    assert jnp.result_type(jnp.int8(1), 2) == np.int8
    assert jnp.result_type("float64") == np.float32  # canonicalized while x64 is off
    with glassbox.config.override(enable_x64=True):
        assert jnp.result_type("float64") == np.float64


# --- scalar types -----------------------------------------------------------

SCALAR_TYPES = ["bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "bfloat16", "float16", "float32", "float64", "complex64", "complex128"]


@pytest.mark.parametrize("name", SCALAR_TYPES)
def test_scalar_type_is_a_dtype_and_a_constructor(name):
    t = getattr(jnp, name)
    np_type = ml_dtypes.bfloat16 if name == "bfloat16" else getattr(np, name)
    assert np.dtype(t) == np.dtype(np_type)
    assert t.dtype == np.dtype(np_type)
    assert t == np_type
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 64-bit types warn that x64 truncates them
        x = t(1)
    assert isinstance(x, glassbox.Array)
    assert x.dtype == dtypes.canonicalize_dtype(np_type)
    assert not x.weak_type
    with glassbox.config.override(enable_x64=True):
        assert t(1).dtype == np.dtype(np_type)


def test_scalar_type_call_values_and_isinstance():
    x = jnp.float32(1.5)
    assert float(x) == 1.5 and x.shape == ()
    assert jnp.int8([1, 2, 300 - 256]).tolist() == [1, 2, 44]
    assert isinstance(np.float32(1), jnp.float32)
    assert not isinstance(np.float64(1), jnp.float32)
    assert jnp.zeros(2, dtype=jnp.float16).dtype == np.float16


def test_float64_truncation_warns_when_x64_is_off():
    with pytest.warns(UserWarning, match="float64.*truncated to dtype float32"):
        x = jnp.float64(1.0)
    assert x.dtype == np.float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jnp.zeros(2, dtype=float).dtype == np.float32  # Python types never warn


def test_default_aliases():
    assert np.dtype(jnp.float_) == np.float64 and np.dtype(jnp.int_) == np.int64
    assert np.dtype(jnp.complex_) == np.complex128
    assert jnp.dtype("float32") == np.float32 and jnp.dtype(jnp.bfloat16) == ml_dtypes.bfloat16


# --- issubdtype, finfo, iinfo, can_cast, isdtype ----------------------------

@pytest.mark.parametrize("dtype,kind,expected", [
    (jnp.bfloat16, jnp.floating, True), (jnp.bfloat16, jnp.inexact, True),
    (jnp.bfloat16, jnp.number, True), (jnp.bfloat16, jnp.integer, False),
    (jnp.bfloat16, jnp.bfloat16, True), (jnp.float16, jnp.bfloat16, False),
    (jnp.float32, jnp.floating, True), (jnp.int8, jnp.signedinteger, True),
    (jnp.uint8, jnp.signedinteger, False), (jnp.complex64, jnp.complexfloating, True),
    (np.int32, jnp.int32, True), (jnp.int32, np.int32, True), (jnp.bool_, jnp.number, False),
])
def test_issubdtype(dtype, kind, expected):
    assert jnp.issubdtype(dtype, kind) is expected


def test_issubdtype_of_array_dtype():
    assert jnp.issubdtype(jnp.arange(3).dtype, jnp.integer)
    assert jnp.issubdtype(jnp.zeros(2, jnp.bfloat16).dtype, jnp.floating)


def test_finfo_iinfo():
    assert jnp.finfo(jnp.float32).eps == np.finfo(np.float32).eps
    assert jnp.finfo(jnp.bfloat16).bits == 16
    assert float(jnp.finfo(jnp.bfloat16).eps) == 2.0 ** -7
    assert jnp.finfo(jnp.float64).bits == 64  # not canonicalized, as in JAX
    assert jnp.finfo(jnp.zeros(2)).dtype == np.float32
    assert jnp.iinfo(jnp.int8).max == 127 and jnp.iinfo(np.uint16).min == 0


def test_can_cast_and_isdtype():
    assert jnp.can_cast(jnp.int8, jnp.int32) and not jnp.can_cast(jnp.float32, jnp.int32)
    assert jnp.can_cast(jnp.bfloat16, jnp.float32)
    assert jnp.isdtype(jnp.float32, "real floating")
    assert jnp.isdtype(jnp.bfloat16, ("numeric", "bool"))
    assert not jnp.isdtype(jnp.bool_, "numeric")
    assert jnp.isdtype(jnp.uint8, "unsigned integer") and jnp.isdtype(jnp.int8, "integral")
    with pytest.raises(ValueError, match="unknown kind"):
        jnp.isdtype(jnp.int8, "integer")


def test_constants():
    assert jnp.pi == np.pi and jnp.e == np.e and jnp.euler_gamma == np.euler_gamma
    assert jnp.inf == np.inf and np.isnan(jnp.nan) and jnp.newaxis is None


def test_everything_listed_is_exported():
    from glassbox.numpy import dtype_api
    for name in dtype_api.__all__:
        assert hasattr(jnp, name), name
