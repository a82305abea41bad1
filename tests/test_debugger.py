"""``debug.breakpoint`` (core/debugger.py) and ``debug.log``: the stops a program makes
under each transform, the text debugger's commands, quitting, and the logged records.

The notebook debugger (the widget, answered while the cell runs) is tested through a
real kernel in tests/kernel/test_breakpoint.py."""
import io
import logging
import sys

import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
from glassbox import debugger, lax


@pytest.fixture
def stops():
    """Every stop, recorded by a debugger of top priority (and nothing waits)."""
    seen = []
    debugger.register_debugger("record", seen.append, priority=100)
    yield seen
    debugger.unregister_debugger("record")


def f(x, w):
    y = jnp.sin(x) * w
    jax.debug.breakpoint()
    return jnp.sum(y)


BREAK_LINE = f.__code__.co_firstlineno + 2
X = np.arange(6, dtype=np.float32).reshape(2, 3)


def _values(stop):
    return {k: np.asarray(v) for k, v in stop.frames[0].locals.items()}


def test_under_jit_the_stop_has_the_runtime_values_and_the_line(stops):
    out = jax.jit(f)(X[0], 2.0)
    assert len(stops) == 1
    stop = stops[0]
    frame = stop.frames[0]
    assert (frame.filename, frame.lineno, frame.function) == (__file__, BREAK_LINE, "f")
    np.testing.assert_allclose(_values(stop)["y"], np.sin(X[0]) * 2, rtol=1e-6)
    np.testing.assert_array_equal(_values(stop)["x"], X[0])
    assert stop.transforms == ("jit(f)",) and stop.example == ()
    assert float(stop.evaluate("jnp.sum(y)")) == pytest.approx(float(out), rel=1e-6)
    assert any(n == BREAK_LINE and "breakpoint()" in text for n, text in frame.source())


def test_under_vmap_it_stops_once_per_example_and_knows_which(stops):
    jax.jit(jax.vmap(f, in_axes=(0, None)))(X, 3.0)
    assert [s.example for s in stops] == [(0,), (1,)]
    assert [s.hit for s in stops] == [1, 2]
    for i, stop in enumerate(stops):   # a Python loop over the examples
        np.testing.assert_array_equal(_values(stop)["x"], X[i])
        np.testing.assert_allclose(_values(stop)["y"], np.sin(X[i]) * 3, rtol=1e-6)
    assert stops[0].transforms == ("jit(f)", "vmap")


def test_nested_vmaps_give_the_index_along_each_outermost_first(stops):
    xs = np.arange(12, dtype=np.float32).reshape(2, 3, 2)
    jax.vmap(jax.vmap(f, in_axes=(0, None)), in_axes=(0, None))(xs, 1.0)
    # JAX's order (the inner vmap unrolls first): what debug.print prints there too
    assert [s.example for s in stops] == [(i, j) for j in range(3) for i in range(2)]
    for s in stops:
        np.testing.assert_array_equal(_values(s)["x"], xs[s.example])


def test_under_grad_the_stop_sees_primal_values(stops):
    g = jax.grad(f)(X[0], 2.0)
    np.testing.assert_allclose(np.asarray(g), 2 * np.cos(X[0]), rtol=1e-6)
    np.testing.assert_allclose(_values(stops[0])["y"], np.sin(X[0]) * 2, rtol=1e-6)
    assert stops[0].transforms == ("grad(f)",)


def test_inside_scan_it_stops_once_per_iteration(stops):
    def body(carry, x):
        carry = carry + x
        jax.debug.breakpoint()
        return carry, carry

    jax.jit(lambda xs: lax.scan(body, 0.0, xs))(jnp.arange(4.0))
    assert [float(np.asarray(s.frames[0].locals["carry"])) for s in stops] == [0, 1, 3, 6]


def test_eagerly_it_stops_at_once_and_token_is_returned(stops):
    token = jnp.ones(2)
    out = jax.debug.breakpoint(token=token)
    assert out is token and len(stops) == 1
    assert stops[0].frames[0].function.startswith("test_eagerly")


def test_frames_go_out_to_the_callers_and_num_frames_limits_them(stops):
    def outer(x):
        scale = 10.0
        return inner(x * scale)

    def inner(z):
        jax.debug.breakpoint()
        return z

    jax.jit(outer)(jnp.ones(2))
    names = [fr.function for fr in stops[0].frames]
    assert names[:2] == ["inner", "outer"]
    assert float(stops[0].frames[1].locals["scale"]) == 10.0
    assert float(stops[0].evaluate("scale * 2", frame=1)) == 20.0
    stops.clear()

    def limited(x):
        jax.debug.breakpoint(num_frames=1)
        return x
    jax.jit(limited)(jnp.ones(2))
    assert [fr.function for fr in stops[0].frames] == ["limited"]


def test_an_unknown_backend_fails_while_tracing():
    with pytest.raises(ValueError, match="no such debugger.*cli"):
        jax.jit(lambda x: (jax.debug.breakpoint(backend="nope"), x)[1])(jnp.ones(1))
    with pytest.raises(TypeError, match="unexpected keyword"):
        jax.debug.breakpoint(colour="red")


def test_quit_leaves_a_jitted_program_as_itself(stops):
    def quitter(stop):
        raise debugger.DebuggerQuit("bye")
    debugger.register_debugger("quitter", quitter, priority=200)
    try:
        with pytest.raises(debugger.DebuggerQuit, match="bye"):
            jax.jit(f)(X[0], 1.0)
        # the next program with a callback runs normally (no stale interrupt)
        assert float(jax.jit(lambda x: (jax.debug.callback(lambda v: None, x), x)[1])(1.0)) == 1
    finally:
        debugger.unregister_debugger("quitter")


def _text_session(monkeypatch, commands, program):
    monkeypatch.setattr(sys, "stdin", io.StringIO("".join(c + "\n" for c in commands)))
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    program()
    return out.getvalue()


def test_the_text_debugger_prints_evaluates_and_lists(monkeypatch):
    text = _text_session(monkeypatch, ["p y", "p jnp.sum(x) + w", "l", "w", "u", "d", "c"],
                         lambda: jax.jit(f)(X[0], 2.0))
    assert text.startswith(f"Stopped at {__file__}:{BREAK_LINE} (f)")
    assert "transforms: jit(f)" in text
    answers = text.split("(gbdb) ")
    assert answers[1].startswith("Array([0.") and "1.8185948], dtype=float32)" in answers[1]
    assert "Array(5., dtype=float32)" in text          # 0+1+2 + w
    assert f"-> {BREAK_LINE:4d}     jax.debug.breakpoint()" in text
    assert "> " + f"{__file__}:{BREAK_LINE} (f)" in answers[4]          # where
    assert "At bottommost frame" not in text


def test_the_text_debugger_quit_raises_debugger_quit(monkeypatch):
    with pytest.raises(debugger.DebuggerQuit, match="quit at the breakpoint"):
        _text_session(monkeypatch, ["q"], lambda: jax.jit(f)(X[0], 2.0))


def test_the_text_debugger_reports_errors_and_goes_on(monkeypatch):
    text = _text_session(monkeypatch, ["p nope + 1", "d", "c"], lambda: f(X[0], 2.0))
    assert "NameError: name 'nope' is not defined" in text
    assert "At bottommost frame" in text


def test_debug_log_sends_a_record_naming_the_users_line(caplog):
    def g(x):
        jax.debug.log("x is {x}", x=x)
        return x
    line = g.__code__.co_firstlineno + 1
    with caplog.at_level(logging.INFO, logger="glassbox.debugging"):
        jax.jit(g)(jnp.arange(3.0))
        jax.vmap(g)(jnp.arange(2.0))
    records = [r for r in caplog.records if r.name == "glassbox.debugging"]
    assert [r.getMessage() for r in records] == ["x is [0. 1. 2.]", "x is 0.0", "x is 1.0"]
    assert {(r.pathname, r.lineno, r.levelno) for r in records} == {(__file__, line, logging.INFO)}
