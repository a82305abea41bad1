"""Array creation vs NumPy, with JAX's dtype and weak-type rules.

JAX facts checked here (from JAX's docs and source): Python scalars give weakly
typed arrays (``jnp.asarray(2)`` is ``int32{weak}``, ``jnp.array(3.5)``
``float32{weak}``); lists never do; ``zeros``/``ones`` default to float32;
``arange`` of ints is int32; ``full`` with a Python scalar and no dtype is weak.
"""
import warnings

import ml_dtypes
import numpy as np
import pytest

import glassbox
import glassbox.numpy as jnp
from glassbox import events


def _check(x, expected, dtype, weak=False):
    assert isinstance(x, glassbox.Array)
    assert x.dtype == np.dtype(dtype), f"dtype {x.dtype} != {np.dtype(dtype)}"
    assert x.weak_type == weak, f"weak_type {x.weak_type} != {weak}"
    np.testing.assert_allclose(np.asarray(x, dtype=np.float64) if x.dtype == ml_dtypes.bfloat16
                               else np.asarray(x), expected, rtol=1e-6, atol=1e-6)


# --- array / asarray --------------------------------------------------------

@pytest.mark.parametrize("value,dtype,weak", [
    (1.0, np.float32, True), (3, np.int32, True), (1 + 2j, np.complex64, True),
    (True, np.bool_, False), (np.float64(1.5), np.float32, False),
    (np.int8(3), np.int8, False), ([1.0, 2.0], np.float32, False), ([1, 2], np.int32, False),
    ([1, 2.5], np.float32, False), ([True, 2], np.int32, False),
    ([[1, 2], [3, 4]], np.int32, False),
    ((1, (2, 3)[0]), np.int32, False), ([], np.float32, False),
    (np.arange(3, dtype=np.int64), np.int32, False),
    (np.ones(2, ml_dtypes.bfloat16), ml_dtypes.bfloat16, False),
])
def test_array_dtype_inference(value, dtype, weak):
    for fn in (jnp.array, jnp.asarray):
        _check(fn(value), np.asarray(value), dtype, weak)


def test_array_with_x64():
    with glassbox.config.override(enable_x64=True):
        _check(jnp.array(1.0), 1.0, np.float64, weak=True)
        _check(jnp.array([1, 2]), [1, 2], np.int64)
        _check(jnp.array(np.float32(1)), 1, np.float32)


def test_array_explicit_dtype_is_strong():
    _check(jnp.array(1.0, dtype=jnp.float32), 1.0, np.float32)
    _check(jnp.asarray(2, dtype="int32"), 2, np.int32)
    _check(jnp.array([1, 2], dtype=jnp.float16), [1, 2], np.float16)
    _check(jnp.array([1.5, 2.5], dtype=jnp.bfloat16), [1.5, 2.5], ml_dtypes.bfloat16)


def test_array_mixed_leaves_and_ndmin():
    x = jnp.array([1, 2])
    _check(jnp.array([x, np.array([3, 4])]), [[1, 2], [3, 4]], np.int32)
    _check(jnp.array([jnp.float16(1), 2.0]), [1, 2], np.float16)
    _check(jnp.array(5, ndmin=2), [[5]], np.int32, weak=True)
    assert jnp.array([1, 2], ndmin=3).shape == (1, 1, 2)


def test_array_copy_and_asarray_identity():
    x = jnp.array([1.0, 2.0])
    assert jnp.asarray(x) is x
    y = jnp.array(x)
    assert y is not x
    _check(y, [1, 2], np.float32)
    _check(jnp.copy(x), [1, 2], np.float32)
    _check(jnp.asarray(x, dtype=jnp.int32), [1, 2], np.int32)
    w = jnp.asarray(2.0)
    assert jnp.array(w).weak_type and not jnp.array(w, dtype=jnp.float32).weak_type


def test_array_errors():
    with pytest.raises(ValueError, match="None"):
        jnp.array([1, None])
    with pytest.raises(OverflowError):
        jnp.array(2 ** 40)
    with pytest.raises(OverflowError):
        jnp.array(300, dtype=jnp.int8)
    with pytest.raises(TypeError, match="not a valid dtype"):
        jnp.zeros(2, dtype="not-a-dtype")


def test_array_of_tracers_under_jit():
    @glassbox.jit
    def f(a, b):
        return jnp.array([a, b, 3.0])
    _check(f(jnp.float32(1), jnp.float32(2)), [1, 2, 3], np.float32)
    g = glassbox.jit(lambda a: jnp.array([[a, a], [a, a]]))
    _check(g(jnp.int32(7)), [[7, 7], [7, 7]], np.int32)


def test_frombuffer():
    raw = np.arange(4, dtype=np.int16).tobytes()
    _check(jnp.frombuffer(raw, dtype=np.int16), [0, 1, 2, 3], np.int16)


# --- zeros / ones / full / *_like ------------------------------------------

@pytest.mark.parametrize("fn,np_fn", [(jnp.zeros, np.zeros), (jnp.ones, np.ones),
                                      (jnp.empty, np.zeros)])
def test_zeros_ones_empty(fn, np_fn):
    _check(fn((2, 3)), np_fn((2, 3)), np.float32)
    _check(fn(4), np_fn(4), np.float32)
    _check(fn(()), np_fn(()), np.float32)
    _check(fn((2, 0)), np_fn((2, 0)), np.float32)
    _check(fn(3, dtype=jnp.int8), np_fn(3), np.int8)
    _check(fn(3, dtype=bool), np_fn(3, dtype=bool), np.bool_)
    with glassbox.config.override(enable_x64=True):
        _check(fn(3), np_fn(3), np.float64)
    with pytest.raises(ValueError, match="negative"):
        fn((2, -1))


def test_full():
    _check(jnp.full((2, 2), 1.5), np.full((2, 2), 1.5), np.float32, weak=True)
    _check(jnp.full(3, 7), np.full(3, 7), np.int32, weak=True)
    _check(jnp.full(3, 7, dtype=jnp.float32), np.full(3, 7.0), np.float32)
    _check(jnp.full(3, np.float16(2)), np.full(3, 2.0), np.float16)
    _check(jnp.full((2, 3), jnp.array([1, 2, 3])), np.full((2, 3), [1, 2, 3]), np.int32)
    _check(jnp.full((2,), True), [True, True], np.bool_)


def test_like_functions():
    x = jnp.array([[1, 2, 3]], dtype=jnp.int8)
    _check(jnp.zeros_like(x), np.zeros((1, 3)), np.int8)
    _check(jnp.ones_like(x, dtype=jnp.float32), np.ones((1, 3)), np.float32)
    _check(jnp.full_like(x, 5), np.full((1, 3), 5), np.int8)
    _check(jnp.full_like(x, 2.7), np.full((1, 3), 2), np.int8)
    _check(jnp.empty_like(x, shape=(2,)), np.zeros(2), np.int8)
    _check(jnp.zeros_like(np.ones((2,), np.float64)), np.zeros(2), np.float32)
    _check(jnp.full_like(x, np.array([7, 8, 9])), [[7, 8, 9]], np.int8)
    with pytest.raises(TypeError, match="full_like.*list"):
        jnp.full_like(x, [7, 8, 9])  # lists are not arrays (as in JAX)
    w = jnp.asarray(1.0)  # weakly typed: *_like keeps the weak type (as lax.full_like does)
    _check(jnp.zeros_like(w), 0.0, np.float32, weak=True)
    _check(jnp.ones_like(3), 1, np.int32, weak=True)


def test_creation_is_traced_under_jit():
    jaxpr = glassbox.make_jaxpr(lambda: (jnp.zeros((2, 3)), jnp.eye(3), jnp.arange(4)))()
    prims = [e.primitive.name for e in jaxpr.eqns]
    assert "broadcast_in_dim" in prims and "iota" in prims
    assert not jaxpr.jaxpr.constvars  # built on the device, not uploaded constants
    out = glassbox.jit(lambda: jnp.ones((2, 2), jnp.int32))()
    _check(out, np.ones((2, 2)), np.int32)


# --- ranges ----------------------------------------------------------------

@pytest.mark.parametrize("args,kwargs", [
    ((5,), {}), ((2, 7), {}), ((1, 10, 3), {}), ((10, 1, -2), {}), ((0.0, 1.0, 0.25), {}),
    ((5.0,), {}), ((2.5,), {}), ((1, 2, 0.1), {}), ((-3, 3), {}), ((0,), {}), ((5, 2), {}),
    ((4,), {"dtype": jnp.float32}), ((0, 1, 0.25), {"dtype": jnp.float16}),
    ((3,), {"dtype": jnp.uint8}),
])
def test_arange(args, kwargs):
    x = jnp.arange(*args, **kwargs)
    np_kwargs = {"dtype": np.dtype(kwargs["dtype"])} if "dtype" in kwargs else {}
    expected = np.arange(*args, **np_kwargs)
    want = np.dtype(kwargs["dtype"]) if "dtype" in kwargs else (
        np.int32 if expected.dtype.kind == "i" else np.float32)
    _check(x, expected, want)


def test_arange_dtypes_follow_jax():
    assert jnp.arange(5).dtype == np.int32
    assert jnp.arange(5.0).dtype == np.float32
    assert jnp.arange(jnp.int8(5)).dtype == np.int8
    with glassbox.config.override(enable_x64=True):
        assert jnp.arange(5).dtype == np.int64
    with pytest.raises(ValueError, match="complex"):
        jnp.arange(1j)
    with pytest.raises(glassbox.ConcretizationTypeError):
        glassbox.jit(lambda n: jnp.arange(n))(jnp.int32(3))


@pytest.mark.parametrize("kwargs", [
    {}, {"num": 7}, {"endpoint": False}, {"num": 1}, {"num": 0}, {"num": 1, "endpoint": False},
    {"dtype": jnp.int32, "num": 6}, {"num": 5, "retstep": True},
])
def test_linspace(kwargs):
    got = jnp.linspace(2, 10, **kwargs)
    want = np.linspace(2, 10, **{k: (np.dtype(v) if k == "dtype" else v)
                                 for k, v in kwargs.items()})
    if kwargs.get("retstep"):
        (got, gstep), (want, wstep) = got, want
        np.testing.assert_allclose(np.asarray(gstep), wstep, rtol=1e-6)
    dtype = np.dtype(kwargs["dtype"]) if "dtype" in kwargs else np.float32
    _check(got, want, dtype)


def test_linspace_arrays_and_axis():
    start, stop = np.array([0.0, 1.0]), np.array([[5.0, 2.0], [1.0, 3.0]])
    for axis in (0, 1, -1):
        _check(jnp.linspace(start, stop, 4, axis=axis),
               np.linspace(start, stop, 4, axis=axis), np.float32)
    _check(glassbox.jit(lambda a: jnp.linspace(a, 1.0, 3))(jnp.float32(0)), [0, .5, 1],
           np.float32)


def test_logspace_geomspace():
    _check(jnp.logspace(0, 2, 5), np.logspace(0, 2, 5), np.float32)
    _check(jnp.logspace(0, 2, 7, base=2, endpoint=False),
           np.logspace(0, 2, 7, base=2, endpoint=False), np.float32)
    np.testing.assert_allclose(np.asarray(jnp.geomspace(1, 16, 5)), np.geomspace(1, 16, 5),
                               rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.geomspace(-1, -1000, 4)),
                               np.geomspace(-1, -1000, 4), rtol=1e-5)
    starts, stops = np.array([1.0, 1000.0]), np.array([27.0, 1.0])
    np.testing.assert_allclose(np.asarray(jnp.geomspace(starts, stops, 4, axis=1)),
                               np.geomspace(starts, stops, 4, axis=1), rtol=1e-5)


# --- matrices and grids ------------------------------------------------------

@pytest.mark.parametrize("args", [(3,), (2, 4), (4, 3, 1), (3, 3, -1), (3, 4, 5), (0,)])
def test_eye_and_tri(args):
    _check(jnp.eye(*args), np.eye(*args), np.float32)
    _check(jnp.tri(*args), np.tri(*args), np.float32)
    _check(jnp.eye(*args, dtype=jnp.int8), np.eye(*args), np.int8)
    _check(jnp.tri(*args, dtype=bool), np.tri(*args, dtype=bool), np.bool_)


def test_eye_traced_offset_and_identity():
    _check(glassbox.jit(lambda k: jnp.eye(3, k=k))(jnp.int32(1)), np.eye(3, k=1), np.float32)
    _check(jnp.identity(2, dtype=jnp.int32), np.identity(2), np.int32)
    with pytest.raises(ValueError, match="negative"):
        jnp.eye(-1)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sparse", [False, True])
def test_meshgrid(indexing, sparse):
    xs = [np.arange(3.0), np.arange(4.0) * 2, np.arange(2.0) - 1]
    for n in (1, 2, 3):
        got = jnp.meshgrid(*xs[:n], indexing=indexing, sparse=sparse)
        want = np.meshgrid(*xs[:n], indexing=indexing, sparse=sparse)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _check(g, w, np.float32)
    with pytest.raises(ValueError, match="indexing"):
        jnp.meshgrid(xs[0], indexing="yx")
    with pytest.raises(ValueError, match="1-D"):
        jnp.meshgrid(np.ones((2, 2)))


def test_indices():
    _check(jnp.indices((2, 3)), np.indices((2, 3)), np.int32)
    for g, w in zip(jnp.indices((2, 3), sparse=True), np.indices((2, 3), sparse=True)):
        _check(g, w, np.int32)
    _check(jnp.indices((2,), dtype=jnp.int8), np.indices((2,)), np.int8)


@pytest.mark.parametrize("k", [0, 1, -2])
def test_diag_diagflat(k):
    v = np.arange(1.0, 4.0)
    _check(jnp.diag(v, k), np.diag(v, k), np.float32)
    m = np.arange(12.0).reshape(3, 4)
    _check(jnp.diag(m, k), np.diag(m, k), np.float32)
    _check(jnp.diagflat(m[:2, :2], k), np.diagflat(m[:2, :2], k), np.float32)
    with pytest.raises(ValueError, match="1-D or 2-D"):
        jnp.diag(np.ones((2, 2, 2)))


def test_fromfunction():
    _check(jnp.fromfunction(lambda i, j: i + 2 * j, (2, 3)),
           np.fromfunction(lambda i, j: i + 2 * j, (2, 3)), np.float32)
    _check(jnp.fromfunction(lambda i: i * i, (4,), dtype=jnp.int32), [0, 1, 4, 9], np.int32)


def test_zeros_compiles_once_per_shape():
    with events.record("compiled") as log:
        jnp.zeros((7, 3))
        jnp.zeros((7, 3))
    assert sum(1 for e in log if not e["cache_hit"]) <= 1


def test_explicit_float64_warns_without_x64():
    with pytest.warns(UserWarning, match="truncated"):
        x = jnp.zeros(2, dtype=jnp.float64)
    assert x.dtype == np.float32
    with glassbox.config.override(enable_x64=True), warnings.catch_warnings():
        warnings.simplefilter("error")
        assert jnp.zeros(2, dtype=jnp.float64).dtype == np.float64


def test_lax_full_types_as_jax():
    # JAX 0.10.2: lax.full((2,), 1.0) is a weak float32; with a dtype it is strong.
    from glassbox import lax
    weak, strong = lax.full((2,), 1.0), lax.full((2, 3), 1, "float32")
    assert (weak.dtype, weak.aval.weak_type, weak.shape) == (np.float32, True, (2,))
    assert (strong.dtype, strong.aval.weak_type, strong.shape) == (np.float32, False, (2, 3))
    np.testing.assert_array_equal(strong, np.ones((2, 3), np.float32))
