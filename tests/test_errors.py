"""Errors a user meets: JAX's exception classes, what went wrong, where, and how to fix it."""
import inspect
import os
import traceback

import numpy as np
import pytest

import glassbox
import glassbox.numpy as jnp
from glassbox import lax

GLASSBOX_DIR = os.path.dirname(os.path.abspath(glassbox.__file__))


def _line_of(fun, text):
    """The file line of ``text`` inside ``fun``'s source."""
    lines, start = inspect.getsourcelines(fun)
    return start + next(i for i, line in enumerate(lines) if text in line)


# --- leaked tracers


def _leak(transform):
    store = []

    def f(x):
        store.append(x)
        return (x * 2.0).sum()
    transform(f)
    return store[0]


@pytest.mark.parametrize("transform, made_by", [
    (lambda f: glassbox.jit(f)(1.0), "jit"),
    (lambda f: glassbox.grad(f)(1.0), "jvp"),
    (lambda f: glassbox.vmap(f)(jnp.ones(3)), "vmap"),
])
@pytest.mark.parametrize("use", [lambda t: t + 1.0, jnp.sin,
                                 lambda t: glassbox.jit(lambda y: y * t)(2.0)])
def test_leaked_tracer_raises_unexpected_tracer_error(transform, made_by, use):
    leaked = _leak(transform)
    with pytest.raises(glassbox.UnexpectedTracerError, match=made_by) as info:
        use(leaked)
    assert isinstance(info.value, TypeError)   # as JAX's class
    assert __file__ in str(info.value) and "return the value" in str(info.value)


def test_leaked_jit_intermediate_names_the_line_that_made_it():
    store = []

    def f(x):
        store.append(jnp.sin(x))
        return x
    glassbox.jit(f)(1.0)
    with pytest.raises(glassbox.UnexpectedTracerError, match=r"jit\(f\)") as info:
        store[0] + 1.0
    assert f"{__file__}:{_line_of(f, 'store.append')}" in str(info.value)


# --- deleted arrays


@pytest.mark.parametrize("use", [lambda x: x + 1, np.asarray, repr, str,
                                 lambda x: glassbox.jit(lambda y: y * 2)(x),
                                 lambda x: x.block_until_ready()])
def test_deleted_array_raises_runtime_error(use):
    x = jnp.arange(3.0)
    np.asarray(x)   # a value already fetched must not survive delete() either
    x.delete()
    with pytest.raises(RuntimeError, match=r"Array has been deleted with shape=float32\[3\]"):
        use(x)


# --- device_put


@pytest.mark.parametrize("device", [0, 5, "cpu", 1.5])
def test_device_put_rejects_what_is_not_a_device(device):
    with pytest.raises(ValueError, match="only accepts `None`.*Received invalid value"):
        glassbox.device_put(jnp.ones(3), device)


def test_device_put_accepts_a_device():
    device = glassbox.devices()[0]
    assert glassbox.device_put(np.ones(2), device).device == device


def test_device_put_passes_traced_values_through_and_rejects_leaked_ones():
    f = lambda x: glassbox.device_put({"a": x * 2.0, "b": 1.0})["a"].sum()  # noqa: E731
    np.testing.assert_allclose(glassbox.jit(f)(jnp.ones(3)), 6.0)
    np.testing.assert_allclose(glassbox.grad(f)(jnp.ones(3)), [2.0, 2.0, 2.0])
    np.testing.assert_allclose(glassbox.vmap(f)(jnp.ones((2, 3))), [6.0, 6.0])
    leaked = []
    glassbox.jit(lambda x: leaked.append(x) or x)(1.0)
    with pytest.raises(glassbox.UnexpectedTracerError):
        glassbox.device_put(leaked[0])


# --- scan


def test_scan_names_the_different_leading_lengths():
    xs = {"a": jnp.ones(3), "b": [jnp.ones(4), jnp.ones(2)]}
    with pytest.raises(ValueError,
                       match="scan got values with different leading axis sizes: 3, 4, 2."):
        lax.scan(lambda c, x: (c, c), 0.0, xs)


# --- debug_nans


def test_debug_nans_names_the_eager_primitive():
    with glassbox.config.override(debug_nans=True), \
            pytest.raises(FloatingPointError, match="invalid value \\(nan\\) encountered in log"):
        jnp.log(-1.0)


def test_debug_nans_under_jit_names_the_equation_and_its_line():
    def f(x):
        y = x * 2.0
        z = jnp.log(y)
        return z + 1.0
    with glassbox.config.override(debug_nans=True), pytest.raises(FloatingPointError) as info:
        glassbox.jit(f)(-1.0)
    message = str(info.value)
    assert "encountered in log" in message and "jit(f)" in message
    assert f"{__file__}:{_line_of(f, 'jnp.log')}" in message


# --- traceback filtering


def _boom(x):
    jnp.sin(x)
    raise ValueError("boom")


def _frames_of(call):
    with pytest.raises(ValueError) as info:
        call()
    return [frame.filename for frame in traceback.extract_tb(info.value.__traceback__)]


def test_errors_hide_glassbox_frames():
    # (The mode "auto" picks outside IPython; kernel tests may leave an IPython shell behind.)
    with glassbox.config.override(traceback_filtering="quiet_remove_frames"):
        files = _frames_of(lambda: glassbox.jit(glassbox.grad(_boom))(1.0))
    assert files and all(f == __file__ for f in files), files


def test_traceback_filtering_off_shows_glassbox_frames():
    with glassbox.config.override(traceback_filtering="off"):
        files = _frames_of(lambda: glassbox.jit(glassbox.grad(_boom))(1.0))
    assert any(f.startswith(GLASSBOX_DIR) for f in files)


def test_remove_frames_chains_the_full_traceback():
    with glassbox.config.override(jax_traceback_filtering="remove_frames"), \
            pytest.raises(ValueError) as info:
        glassbox.vmap(_boom)(jnp.ones(2))
    full = info.value.__cause__
    assert "excludes glassbox-internal frames" in str(full)
    assert any(f.filename.startswith(GLASSBOX_DIR)
               for f in traceback.extract_tb(full.__traceback__))


def test_traceback_filtering_rejects_unknown_modes():
    with pytest.raises(ValueError, match="must be one of"):
        glassbox.config.update("jax_traceback_filtering", "sometimes")
