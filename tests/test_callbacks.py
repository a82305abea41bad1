"""Host callbacks: ``pure_callback``, ``experimental.io_callback``, ``debug.callback`` and
``debug.print``, eagerly and called back from inside compiled programs (JAX 0.10.2's
behaviour and messages)."""
import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.experimental import io_callback

F32 = np.float32
VMAP_METHODS = ["sequential", "sequential_unrolled", "expand_dims", "broadcast_all",
                "legacy_vectorized"]


def sds(shape, dtype=F32):
    return jax.ShapeDtypeStruct(shape, dtype)


# --- pure_callback: values ---------------------------------------------------------

def _host_fn(x, y):
    """A NumPy function with two results (a pytree: a dict)."""
    x, y = np.asarray(x), np.asarray(y)
    return {"sum": (np.sin(x) + y).astype(F32), "n": np.int32(x.size)}


def _pure(x, y):
    return jax.pure_callback(_host_fn, {"sum": sds(x.shape), "n": sds((), np.int32)}, x, y)


@pytest.mark.parametrize("transform", ["eager", "jit"])
def test_pure_callback_values_match_numpy(transform):
    x = np.linspace(-2, 2, 6, dtype=F32).reshape(2, 3)
    y = np.float32(0.5)
    fun = jax.jit(_pure) if transform == "jit" else _pure
    out = fun(jnp.asarray(x), y)
    np.testing.assert_allclose(np.asarray(out["sum"]), np.sin(x) + y, rtol=1e-6)
    assert out["sum"].dtype == F32 and out["n"].dtype == np.int32 and int(out["n"]) == 6


def test_callback_receives_arrays_and_kwargs():
    seen = []

    def cb(a, *, scale):
        seen.append(type(a))
        return np.asarray(a) * scale
    f = jax.jit(lambda x: jax.pure_callback(cb, sds((2,)), x, scale=np.float32(3)))
    np.testing.assert_array_equal(np.asarray(f(jnp.ones(2))), [3, 3])
    assert seen == [jax.Array] or issubclass(seen[0], jax.Array)


def test_callback_runs_inside_the_compiled_program():
    """Called once per call of the compiled function, never while tracing or lowering;
    the StableHLO holds the custom call to jaxlib's Python callback target."""
    calls, traces = [], []

    def cb(x):
        calls.append(np.asarray(x).copy())
        return np.asarray(x) + 1

    @jax.jit
    def f(x):
        traces.append(1)
        return jax.pure_callback(cb, sds((3,)), x) * 2

    x = jnp.arange(3.0)
    text = f.lower(x).as_text()
    assert "xla_ffi_python_cpu_callback" in text and "backend_config = {index = 0 : ui64}" in text
    assert calls == []
    for i in range(3):
        np.testing.assert_array_equal(np.asarray(f(x + i)), (np.arange(3) + i + 1) * 2)
    assert len(calls) == 3 and len(traces) == 1
    np.testing.assert_array_equal(calls[2], np.arange(3) + 2)


def test_unused_pure_callback_is_pruned_but_io_callback_runs():
    """As in JAX: a pure callback whose results nobody uses is dead code under jit; an
    io_callback has effects and always runs."""
    pure_calls, io_calls = [], []

    def pure_cb(x):
        pure_calls.append(1)
        return x

    def io_cb(x):
        io_calls.append(float(x))
        return x

    @jax.jit
    def f(x):
        jax.pure_callback(pure_cb, sds(()), x)
        io_callback(io_cb, sds(()), x + 1)
        return x * 2

    assert float(f(1.0)) == 2.0
    assert pure_calls == [] and io_calls == [2.0]


def test_callback_with_no_arguments_and_nested_jit():
    calls = []
    inner = jax.jit(lambda: io_callback(lambda: calls.append("in") or np.float32(7), sds(())))

    @jax.jit
    def f(x):
        inner()   # result unused: still runs
        return x + 1
    assert float(f(1.0)) == 2.0 and calls == ["in"]


# --- pure_callback: vmap -----------------------------------------------------------

def _loop_reference(x, y):
    return np.stack([np.asarray(xi) * 10 + np.asarray(y) for xi in x]) if len(x) else \
        np.zeros((0,) + np.shape(y), F32)


@pytest.mark.parametrize("method", VMAP_METHODS)
@pytest.mark.parametrize("size", [3, 0])
@pytest.mark.parametrize("jitted", [False, True])
def test_vmap_methods_against_a_python_loop(method, size, jitted):
    shapes = []

    def cb(x, y):
        shapes.append((np.shape(x), np.shape(y)))
        return (np.asarray(x) * 10 + np.asarray(y)).astype(F32)

    def fun(x, y):
        out = sds(np.broadcast_shapes(np.shape(x), np.shape(y)))
        return jax.pure_callback(cb, out, x, y, vmap_method=method)

    x = np.arange(size * 2, dtype=F32).reshape(size, 2)
    y = np.array([0.5, -1.0], F32)
    batched = jax.vmap(fun, in_axes=(0, None))
    out = (jax.jit(batched) if jitted else batched)(jnp.asarray(x), jnp.asarray(y))
    np.testing.assert_allclose(np.asarray(out), _loop_reference(x, y))
    assert out.shape == (size, 2)
    expected = {"sequential": [((2,), (2,))] * size,
                "sequential_unrolled": [((2,), (2,))] * size,
                "expand_dims": [((size, 2), (1, 2))],
                "broadcast_all": [((size, 2), (size, 2))],
                "legacy_vectorized": [((size, 2), (2,))]}[method]
    # With nothing to compute (empty results, no effects) it is not called, as in JAX.
    assert shapes == (expected if size else [])


def test_vmap_batch_axis_not_first_and_nested_vmap():
    cb = lambda x: (np.asarray(x) ** 2).astype(F32)  # noqa: E731
    fun = lambda x: jax.pure_callback(cb, sds(x.shape), x, vmap_method="sequential")  # noqa: E731
    x = np.arange(12, dtype=F32).reshape(3, 4)
    out = jax.vmap(fun, in_axes=1, out_axes=1)(jnp.asarray(x))
    np.testing.assert_array_equal(np.asarray(out), x ** 2)
    out = jax.vmap(jax.vmap(fun))(jnp.asarray(x))
    np.testing.assert_array_equal(np.asarray(out), x ** 2)


def test_vmap_without_vmap_method_raises_jax_error():
    fun = lambda x: jax.pure_callback(np.sin, sds(()), x)  # noqa: E731
    with pytest.raises(NotImplementedError, match=r"vmap is only supported for the "
                       r"pure_callback primitive when vmap_method is one of 'sequential', "
                       r"'sequential_unrolled', 'expand_dims', 'broadcast_all', or "
                       r"'legacy_vectorized'. Got vmap_method=None."):
        jax.vmap(fun)(jnp.ones(3))


def test_bad_vmap_method_and_64_bit_results():
    with pytest.raises(ValueError, match="vmap_method must be on of the allowed methods"):
        jax.pure_callback(np.sin, sds(()), 1.0, vmap_method="parallel")
    with pytest.raises(ValueError, match="cannot specify 64-bit types when `jax_enable_x64` "
                                         "is disabled"):
        jax.pure_callback(np.sin, sds((), np.float64), 1.0)


# --- not differentiable ------------------------------------------------------------

@pytest.mark.parametrize("jitted", [False, True])
def test_grad_of_pure_callback_raises_jax_error(jitted):
    fun = lambda x: jax.pure_callback(np.sin, sds(()), x)  # noqa: E731
    g = jax.jit(jax.grad(fun)) if jitted else jax.grad(fun)
    with pytest.raises(ValueError, match=r"Pure callbacks do not support JVP. Please use "
                                         r"`jax.custom_jvp`"):
        g(1.0)


def test_grad_of_io_callback_raises_and_custom_jvp_wraps_a_callback():
    with pytest.raises(ValueError, match="IO callbacks do not support JVP."):
        jax.grad(lambda x: io_callback(np.sin, sds(()), x))(1.0)

    @jax.custom_jvp
    def host_sin(x):
        return jax.pure_callback(lambda a: np.sin(a).astype(F32), sds(()), x)
    host_sin.defjvp(lambda p, t: (host_sin(p[0]), jnp.cos(p[0]) * t[0]))
    np.testing.assert_allclose(float(jax.grad(host_sin)(0.3)), np.cos(0.3), rtol=1e-6)


# --- wrong results -----------------------------------------------------------------

@pytest.mark.parametrize("jitted", [False, True])
def test_callback_returning_the_wrong_shape_raises(jitted):
    """JAX raises ``JaxRuntimeError`` (a ``RuntimeError``) naming the mismatch."""
    fun = lambda x: jax.pure_callback(lambda a: np.ones(2, F32), sds(()), x)  # noqa: E731
    with pytest.raises(RuntimeError, match=r"Incorrect output shape for return value #0: "
                                           r"Expected: \(\), Actual: \(2,\)"):
        (jax.jit(fun) if jitted else fun)(1.0)


def test_callback_results_are_canonicalized_then_checked():
    # float64 from NumPy becomes float32 without x64, as in JAX; int32 stays wrong.
    out = jax.jit(lambda x: jax.pure_callback(lambda a: np.cos(np.float64(a)), sds(()), x))(0.0)
    assert out.dtype == F32 and float(out) == 1.0
    with pytest.raises(RuntimeError, match="Incorrect output dtype for return value #0: "
                                           "Expected: float32, Actual: int32"):
        jax.pure_callback(lambda a: np.int32(1), sds(()), 1.0)
    with pytest.raises(RuntimeError, match="Mismatched number of outputs from callback. "
                                           "Expected: 2, Actual: 1"):
        jax.pure_callback(lambda a: [a], [sds(()), sds(())], 1.0)


# --- io_callback ---------------------------------------------------------------------

def test_ordered_io_callbacks_run_in_program_order():
    log = []

    def record(tag):
        return lambda x: (log.append((tag, float(x))), np.float32(x))[1]

    @jax.jit
    def f(x):
        # No data flows between these: only the token orders them.
        a = io_callback(record("a"), sds(()), x, ordered=True)
        b = io_callback(record("b"), sds(()), x * 2, ordered=True)
        c = io_callback(record("c"), sds(()), x * 3, ordered=True)
        return c + b + a

    assert "stablehlo.create_token" in f.lower(1.0).as_text()
    for i in range(2):
        assert float(f(1.0 + i)) == 6.0 * (1 + i)
    assert log == [("a", 1.0), ("b", 2.0), ("c", 3.0), ("a", 2.0), ("b", 4.0), ("c", 6.0)]


def test_io_callback_under_vmap_and_ordered_vmap_error():
    log = []
    fun = lambda x: io_callback(lambda a: (log.append(float(a)), a)[1], sds(()), x)  # noqa: E731
    out = jax.jit(jax.vmap(fun))(jnp.arange(3.0))
    np.testing.assert_array_equal(np.asarray(out), [0, 1, 2])
    assert log == [0.0, 1.0, 2.0]
    ordered = lambda x: io_callback(lambda a: a, sds(()), x, ordered=True)  # noqa: E731
    with pytest.raises(ValueError, match="Cannot `vmap` ordered IO callback."):
        jax.vmap(ordered)(jnp.arange(3.0))


def test_io_callback_in_scan_runs_each_iteration():
    log = []

    def body(c, x):
        io_callback(lambda a: (log.append(int(a)), a)[1], sds((), np.int32), x, ordered=True)
        return c + x, None
    total, _ = jax.jit(lambda xs: lax.scan(body, 0, xs))(jnp.arange(4))
    assert int(total) == 6 and log == [0, 1, 2, 3]


# --- debug.print / debug.callback ------------------------------------------------------

def _print_twice(x):
    jax.debug.print("x = {}", x)
    y = jnp.sin(x)
    jax.debug.print("y = {y:.3f}, name = {n}", y=y, n="sin")
    return y


def test_debug_print_eager_and_jit_in_order(capsys):
    _print_twice(jnp.float32(0.5))
    jax.jit(_print_twice)(jnp.float32(0.5))
    print("after")
    line = f"y = {np.sin(np.float32(0.5)):.3f}, name = sin"
    assert capsys.readouterr().out.splitlines() == ["x = 0.5", line, "x = 0.5", line, "after"]


def test_debug_print_formats_arrays_as_numpy(capsys):
    jax.jit(lambda x: jax.debug.print("{} and {x}", x[0], x=x))(jnp.arange(3.0))
    jax.debug.print("no placeholders:", jnp.arange(2), skip_format_check=True)
    assert capsys.readouterr().out.splitlines() == ["0.0 and [0. 1. 2.]",
                                                    "no placeholders: [0 1]"]


@pytest.mark.parametrize("jitted", [False, True])
def test_debug_print_under_vmap_prints_each_example(capsys, jitted):
    def fun(x, y):
        jax.debug.print("x={} y={}", x, y)
        return x + y
    batched = jax.vmap(fun, in_axes=(0, None))
    (jax.jit(batched) if jitted else batched)(jnp.arange(3), 7)
    assert capsys.readouterr().out.splitlines() == ["x=0 y=7", "x=1 y=7", "x=2 y=7"]
    batched(jnp.zeros((0,), np.int32), 7)   # batch size 0: nothing to print
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("jitted", [False, True])
def test_debug_print_under_grad_prints_primal_values(capsys, jitted):
    def loss(x):
        jax.debug.print("x={x}", x=x)
        y = x * x
        jax.debug.print("y={y}", y=y)
        return y
    g = jax.jit(jax.grad(loss)) if jitted else jax.grad(loss)
    assert float(g(3.0)) == 6.0
    assert capsys.readouterr().out.splitlines() == ["x=3.0", "y=9.0"]


def test_debug_print_in_loops_and_cond(capsys):
    def scan_body(c, x):
        jax.debug.print("scan {} {}", c, x)
        return c + 1, None

    def while_body(i, c):
        jax.debug.print("while {}", i)
        return c + i

    @jax.jit
    def f(xs):
        lax.scan(scan_body, 0, xs)
        total = lax.fori_loop(0, 2, while_body, 0)
        lax.cond(total > 0, lambda: jax.debug.print("positive"), lambda: None)
        return total
    assert int(f(jnp.arange(10, 13))) == 1
    assert capsys.readouterr().out.splitlines() == [
        "scan 0 10", "scan 1 11", "scan 2 12", "while 0", "while 1", "positive"]


def test_debug_print_checks_its_arguments():
    with pytest.raises(ValueError, match=r"Unused positional arguments to `jax.debug.print`: "
                                         r"\[2\]"):
        jax.debug.print("{}", 1, 2)
    with pytest.raises(ValueError, match="Unused keyword arguments to `jax.debug.print`"):
        jax.debug.print("x", x=1)


def test_debug_print_two_call_form_and_ordered(capsys):
    @jax.jit
    def f(x):
        jax.debug.print(ordered=True)("first {}", x)
        jax.debug.print("second {}", x + 1, ordered=True)
    f(1)
    assert capsys.readouterr().out.splitlines() == ["first 1", "second 2"]


def test_debug_callback_static_args_kwargs_and_make_jaxpr():
    seen = []

    def cb(x, tag, *, scale):
        seen.append((np.asarray(x).tolist(), tag, scale))

    @jax.jit
    def f(x):
        jax.debug.callback(cb, x, "tag", scale=2)
        return x

    f(jnp.arange(2))
    jax.debug.callback(ordered=True)(cb, jnp.arange(1), None, scale=None)
    assert seen == [([0, 1], "tag", 2), ([0], None, None)]
    text = str(jax.make_jaxpr(lambda x: jax.debug.callback(cb, x, "t", scale=1))(1.0))
    assert "debug_callback" in text
    assert "debug_print" in str(jax.make_jaxpr(lambda x: jax.debug.print("{}", x))(1.0))
    with pytest.raises(TypeError, match="first argument to jax.debug.callback must be "
                                        "callable, but got an object of type <class 'int'>"):
        jax.debug.callback(3, 1.0)


def test_debug_callback_under_vmap_and_grad():
    seen = []
    fun = lambda x: (jax.debug.callback(lambda v: seen.append(float(v)), x), x * x)[1]  # noqa
    jax.vmap(fun)(jnp.arange(3.0))
    assert seen == [0.0, 1.0, 2.0]
    seen.clear()
    assert float(jax.jit(jax.grad(fun))(4.0)) == 8.0
    assert seen == [4.0]
