"""JAX's top-level names: typing, dtypes (float0, prng_key), scopes, config context
managers, custom_gradient, closure_convert, caches and devices; expected values are
what JAX 0.10.2 gives for the same lines."""
import warnings

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import dtypes


def test_names_are_there():
    for name in ["Device", "float0", "named_scope", "named_call", "ensure_compile_time_eval",
                 "numpy_dtype_promotion", "numpy_rank_promotion", "default_device",
                 "default_matmul_precision", "custom_gradient", "closure_convert",
                 "clear_caches", "live_arrays", "host_count", "host_id", "host_ids",
                 "checkpoint_policies", "typing", "tree_util", "flatten_util", "experimental"]:
        assert hasattr(gb, name), name
    assert isinstance(gb.devices()[0], gb.Device)
    assert gb.errors.JaxRuntimeError.__name__ == "JaxRuntimeError"


def test_array_like_and_dtype_like():
    ArrayLike = gb.typing.ArrayLike
    key = gb.random.key(0)
    got = [isinstance(x, ArrayLike) for x in (jnp.ones(2), np.ones(2), 1, 1.0, np.float32(1),
                                              [1], "a", key)]
    assert got == [True, True, True, True, True, False, False, True]
    # A difference: glassbox's tracers are Array subclasses, so this is True; JAX's
    # Union check uses issubclass(type(tracer), Array), which is False there.
    assert gb.jit(lambda x: isinstance(x, ArrayLike))(1.0)
    assert str in gb.typing.DTypeLike.__args__ and np.dtype in gb.typing.DTypeLike.__args__


def test_prng_key_dtype_and_float0():
    k = gb.random.key(0)
    got = (dtypes.issubdtype(k.dtype, dtypes.prng_key), dtypes.issubdtype(k.dtype, dtypes.extended),
           jnp.issubdtype(k.dtype, dtypes.prng_key), dtypes.issubdtype(k.dtype, np.floating),
           dtypes.issubdtype(k.dtype, np.generic), dtypes.issubdtype(np.float32, dtypes.extended),
           dtypes.issubdtype(k.dtype, k.dtype), jnp.issubdtype(k.dtype, jnp.integer),
           dtypes.issubdtype(gb.random.PRNGKey(0).dtype, dtypes.prng_key))
    assert got == (True, True, True, False, True, False, True, False, False)
    assert gb.float0 is dtypes.float0 and dtypes.float0.itemsize == 0
    g = gb.grad(lambda x, i: x * i, argnums=(0, 1), allow_int=True)(1.0, 2)
    assert g[1].dtype == gb.float0 and g[1].shape == ()
    assert gb.jvp(lambda x, i: x * i, (1.0, 3), (1.0, np.zeros((), gb.float0)))[1] == 3.0
    with pytest.raises(TypeError, match="expected tangent dtype float32, but got tangent "
                                        r"dtype \[\('float0', 'V'\)\]"):
        gb.jvp(lambda x: x * 2, (1.0,), (np.zeros((), gb.float0),))
    assert [dtypes.itemsize_bits(t) for t in (jnp.bool_, jnp.int4, jnp.bfloat16, jnp.complex64)] \
        == [8, 4, 16, 64]
    assert [dtypes.scalar_type_of(x) for x in (True, jnp.ones(2, jnp.bfloat16), np.uint8(3))] \
        == [bool, float, int]


def test_named_scope_and_named_call_on_the_name_stack():
    def f(x):
        with gb.named_scope("block"):
            y = jnp.sin(x)
        return gb.named_call(jnp.cos, name="tail")(y)
    jaxpr = gb.make_jaxpr(f)(1.0)
    assert [e.source_info.name_stack for e in jaxpr.eqns] == [("block",), ("tail",)]
    with pytest.raises(TypeError, match="named_scope name argument must be a string"):
        gb.named_scope(3)


def test_ensure_compile_time_eval_inside_jit():
    seen = []

    @gb.jit
    def f(x):
        with gb.ensure_compile_time_eval():
            y = jnp.sin(3.0)
            seen.append(isinstance(y, gb.ArrayImpl))
            z = x + y
        return z
    np.testing.assert_allclose(f(1.0), 1.14112, rtol=1e-6)
    assert seen == [True]


def test_promotion_context_managers():
    with gb.numpy_dtype_promotion("strict"):
        with pytest.raises(dtypes.TypePromotionError, match="jax_numpy_dtype_promotion=strict"):
            jnp.ones(2, jnp.float32) + jnp.ones(2, jnp.float16)
        assert (jnp.ones(2, jnp.float16) + 1.0).dtype == jnp.float16
    assert (jnp.ones(2, jnp.float32) + jnp.ones(2, jnp.float16)).dtype == jnp.float32
    with gb.numpy_rank_promotion("raise"):
        with pytest.raises(ValueError, match=r"Operands could not be broadcast together for add "
                                             r"on shapes \(2, 3\) \(3,\)"):
            jnp.add(jnp.ones((2, 3)), jnp.ones(3))
        jnp.ones((2, 3)) + 1.0
    with gb.numpy_rank_promotion("warn"), warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        jnp.add(jnp.ones((2, 3)), jnp.ones(3))
    assert "Following NumPy automatic rank promotion for add" in str(w[0].message)
    with gb.default_matmul_precision("highest"):
        assert gb.config.default_matmul_precision == "highest"
    with gb.default_device(gb.devices()[0]):
        assert jnp.ones(2).devices() == {gb.devices()[0]}


def test_custom_gradient_and_closure_convert():
    @gb.custom_gradient
    def f(x):
        return x ** 2, lambda g: (g * 3 * x,)
    assert f(2.0) == 4.0 and gb.grad(f)(2.0) == 6.0 and gb.jit(gb.grad(f))(2.0) == 6.0
    np.testing.assert_array_equal(gb.vmap(gb.grad(f))(jnp.arange(3.0)), [0, 3, 6])

    @gb.custom_gradient
    def h(x, y):
        return x * y, lambda g: (g * y, g * x * 10)
    assert gb.grad(h, argnums=(0, 1))(2.0, 3.0) == (3.0, 20.0)

    def outer(a):
        conv, consts = gb.closure_convert(lambda x: jnp.sin(x) * a, 1.0)
        return conv(2.0, *consts)
    np.testing.assert_allclose(outer(3.0), 2.7278922, rtol=1e-6)
    np.testing.assert_allclose(gb.grad(outer)(3.0), 0.9092974, rtol=1e-6)


def test_caches_devices_and_aliases():
    f = gb.jit(lambda x: x + 1)
    f(1.0)
    gb.clear_caches()
    with gb.events.record("compiled") as log:
        f(1.0)
    assert [e["cache_hit"] for e in log] == [False]
    x = jnp.arange(3.0)
    assert any(a is x for a in gb.live_arrays())
    with pytest.warns(DeprecationWarning):
        assert (gb.host_count(), gb.host_id(), gb.host_ids()) == (1, 0, [0])
    assert gb.checkpoint_policies.nothing_saveable() is False
    assert gb.grad(gb.checkpoint(jnp.sin, policy=gb.checkpoint_policies.dots_saveable))(0.0) == 1.0


def test_log_compiles_logs_each_compilation_once(caplog):
    f = gb.jit(lambda x: x * 3 + 1)
    with caplog.at_level("WARNING", logger="glassbox"), gb.log_compiles():
        f(np.arange(5.0, dtype=np.float32))
        f(np.arange(5.0, dtype=np.float32))      # cached: no second compilation
        f(np.arange(7.0, dtype=np.float32))      # a new shape compiles again
    finished = [r for r in caplog.records if "Finished XLA compilation" in r.getMessage()]
    assert len(finished) == 2 and all("sec" in r.getMessage() for r in finished)
    caplog.clear()
    f(np.arange(9.0, dtype=np.float32))          # outside the block: silent
    assert not [r for r in caplog.records if "Finished XLA compilation" in r.getMessage()]


def test_lowered_compiler_ir_as_hlo_and_stablehlo():
    lowered = gb.jit(lambda x: x * 2.0).lower(np.ones(3, np.float32))
    hlo = lowered.compiler_ir(dialect="hlo").as_hlo_text()
    assert "ENTRY" in hlo and "multiply" in hlo and "f32[3]" in hlo
    assert "stablehlo.multiply" in str(lowered.compiler_ir())
    with pytest.raises(ValueError, match="dialect"):
        lowered.compiler_ir("tosa")


def test_tracer_copy_and_dot_precision():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    copied, gram = gb.jit(lambda a: (a.copy(), a.dot(a.T, precision="highest")))(x)
    np.testing.assert_array_equal(copied, x)
    np.testing.assert_allclose(gram, x @ x.T, rtol=1e-6)
