"""jit: caching by signature, static arguments, pytrees, nesting, AOT API, errors."""
import re

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import events


def _compiles(log, name):
    return [e["cache_hit"] for e in log if e.kind == "compiled" and e["fun_name"] == name]


def test_jit_matches_eager_and_caches():
    def f(x, y):
        return jnp.sin(jnp.add(x, y))
    x = gb.device_put(np.arange(4, dtype=np.float32))
    jf = gb.jit(f)
    with events.record("compiled") as log:
        a = jf(x, x)
        b = jf(x + 1, x)
    np.testing.assert_allclose(a, np.asarray(f(x, x)))
    np.testing.assert_allclose(b, np.sin(np.arange(4) * 2 + 1), rtol=1e-6)
    assert _compiles(log, "f") == [False, True]


def test_retrace_on_new_shape_dtype_and_weak_type():
    traces = []

    def f(x):
        traces.append(x.aval)
        return jnp.add(x, x)
    jf = gb.jit(f)
    jf(np.ones(3, np.float32))
    jf(np.ones(3, np.float32))
    jf(np.ones(4, np.float32))
    jf(np.ones(4, np.int32))
    jf(2.0)                       # weak float32: a different signature from f32[]
    jf(np.float32(2.0))
    assert [a.str_short() for a in traces] == ["f32[3]", "f32[4]", "i32[4]", "f32[]{weak}",
                                               "f32[]"]


def test_recompile_reason_names_the_changed_input():
    jf = gb.jit(lambda x, y: jnp.add(x, y))
    with events.record("compiled") as log:
        jf(np.ones(3, np.float32), np.ones(3, np.float32))
        jf(np.ones(3, np.float32), np.ones(1, np.float32))
    misses = [e for e in log if not e["cache_hit"] and e["fun_name"] == "<lambda>"]
    assert misses[1]["reason"] == "input 1: f32[3] -> f32[1]"


def test_weak_type_survives_jit():
    out = gb.jit(lambda x: jnp.add(x, 1.0))(2.0)
    assert out.dtype == np.float32 and out.weak_type
    assert not gb.jit(lambda x: jnp.add(x, 1.0))(np.float32(2.0)).weak_type


def test_static_argnums_and_argnames():
    calls = []

    def f(x, n, *, mode):
        calls.append((n, mode))
        y = x
        for _ in range(n):            # Python loop on a static value is fine
            y = jnp.add(y, x)
        return jnp.sin(y) if mode == "sin" else y
    jf = gb.jit(f, static_argnums=1, static_argnames="mode")
    x = np.ones(2, np.float32)
    np.testing.assert_allclose(jf(x, 2, mode="id"), 3 * x)
    np.testing.assert_allclose(jf(x, 2, mode="sin"), np.sin(3 * x), rtol=1e-6)
    jf(x, 2, mode="id")
    jf(x, n=3, mode="id")         # static by name too (resolved from static_argnums)
    assert calls == [(2, "id"), (2, "sin"), (3, "id")]


def test_unhashable_static_argument_is_a_clear_error():
    jf = gb.jit(lambda x, shape: jnp.add(x, x), static_argnums=1)
    with pytest.raises(ValueError, match="Non-hashable static argument 1"):
        jf(np.ones(2, np.float32), [1, 2])


def test_pytree_inputs_and_outputs():
    @gb.jit
    def f(params, x):
        return {"y": jnp.add(params["w"], x), "pair": (x, params["b"])}
    params = {"w": np.ones(3, np.float32), "b": np.float32(2)}
    out = f(params, np.arange(3, dtype=np.float32))
    assert set(out) == {"y", "pair"}
    np.testing.assert_allclose(out["y"], 1 + np.arange(3))
    assert isinstance(out["pair"], tuple) and float(out["pair"][1]) == 2.0


def test_nested_jit_is_one_equation_with_a_subjaxpr():
    inner = gb.jit(lambda x: jnp.sin(x))

    def outer(x):
        return jnp.add(inner(x), x)
    jaxpr = gb.make_jaxpr(outer)(np.ones(3, np.float32))
    prims = [e.primitive.name for e in jaxpr.eqns]
    assert prims == ["jit", "add"]
    assert "sin" in str(jaxpr)
    x = np.linspace(0, 1, 3).astype(np.float32)
    np.testing.assert_allclose(gb.jit(outer)(x), np.sin(x) + x, rtol=1e-6)
    assert "func.call" in gb.jit(outer).lower(x).as_text()


def test_closure_constants_are_captured_at_trace_time():
    c = gb.device_put(np.arange(3, dtype=np.float32))
    jf = gb.jit(lambda x: jnp.add(x, c))
    np.testing.assert_allclose(jf(np.ones(3, np.float32)), 1 + np.arange(3))
    assert len(gb.make_jaxpr(lambda x: jnp.add(x, c))(np.ones(3, np.float32)).jaxpr.constvars) == 1


def test_lower_as_text_and_compile():
    x = np.ones((2, 3), np.float32)
    lowered = gb.jit(lambda a: jnp.sin(a)).lower(x)
    text = lowered.as_text()
    assert re.search(r'"stablehlo.sine"\(%arg0\) : \(tensor<2x3xf32>\)', text)
    compiled = lowered.compile()
    np.testing.assert_allclose(compiled(x), np.sin(x), rtol=1e-6)
    assert "HloModule" in compiled.as_text()
    with pytest.raises(TypeError, match="called with"):
        compiled(np.ones((3,), np.float32))


def test_disable_jit_runs_python():
    seen = []

    @gb.jit
    def f(x):
        seen.append(type(x).__name__)
        return jnp.add(x, x)
    with gb.disable_jit():
        f(np.ones(2, np.float32))
        f(np.ones(2, np.float32))
    assert seen == ["ndarray", "ndarray"]


def test_python_control_flow_on_traced_value_names_the_line():
    def f(x):
        if x > 0:   # the offending line
            return x
        return -x
    with pytest.raises(gb.TracerBoolConversionError) as info:
        gb.jit(f)(1.0)
    message = str(info.value)
    assert "test_jit.py" in message and "static_argnums" in message and "lax.cond" in message
    line = f.__code__.co_firstlineno + 1
    assert f"test_jit.py:{line}" in message


def test_int_of_traced_value_is_a_concretization_error():
    with pytest.raises(gb.ConcretizationTypeError, match="integer conversion"):
        gb.jit(lambda x: jnp.add(x, int(x)))(1)


def test_numpy_on_traced_value_suggests_jnp():
    with pytest.raises(gb.TracerArrayConversionError, match="glassbox.numpy"):
        gb.jit(lambda x: np.sin(np.asarray(x)))(np.ones(2, np.float32))


def test_non_array_output_is_a_clear_error():
    with pytest.raises(TypeError, match="returned a str"):
        gb.jit(lambda x: "hello")(1.0)


def test_escaped_tracer_is_reported():
    leaked = []

    @gb.jit
    def f(x):
        leaked.append(x)
        return x
    f(1.0)
    with pytest.raises(gb.UnexpectedTracerError, match="already finished"):
        gb.jit(lambda y: jnp.add(y, leaked[0]))(1.0)


def test_make_jaxpr_prints_typed_equations():
    jaxpr = gb.make_jaxpr(lambda x, y: jnp.sin(jnp.add(x, y)))(np.ones(3, np.float32), 1.0)
    text = str(jaxpr)
    assert text.startswith("{ lambda ; a:f32[3] b:f32[]{weak}. let")
    assert [e.primitive.name for e in jaxpr.eqns][-2:] == ["add", "sin"]
    assert all(v.aval.shape == (3,) for v in jaxpr.jaxpr.outvars)


def test_equations_record_user_source_line_and_name_stack():
    def f(x):
        return jnp.sin(x)  # recorded line
    jaxpr = gb.make_jaxpr(gb.jit(f))(np.ones(2, np.float32))
    inner = jaxpr.eqns[0].params["jaxpr"].jaxpr
    info = inner.eqns[0].source_info
    assert info.file.endswith("test_jit.py") and info.line == f.__code__.co_firstlineno + 1
    assert info.name_stack == ("jit(f)",)


def test_eval_shape_and_shape_dtype_struct():
    out = gb.eval_shape(lambda x: {"a": jnp.add(x, x)}, np.ones((2, 5), np.int32))
    assert out["a"] == gb.ShapeDtypeStruct((2, 5), np.int32)


def test_non_array_argument_is_named_with_a_fix():
    class Model:
        @gb.jit
        def apply(self, x):
            return jnp.add(x, x)
    with pytest.raises(TypeError, match=r"argument \[0\] is a Model .*static_argnums"):
        Model().apply(np.ones(2, np.float32))
    jitted_method = gb.jit(Model.apply.fun, static_argnums=0)
    np.testing.assert_allclose(jitted_method(Model(), np.ones(2, np.float32)), 2 * np.ones(2))
    with pytest.raises(TypeError, match="jit expects a callable"):
        gb.jit(3)
