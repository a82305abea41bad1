"""What a failed trace keeps on its error (``error.glassbox_partial``, a
``glassbox.errors.PartialTrace``), under each transform, and the equation debug_nans
names; the notebook draws these (tests/kernel/test_failures.py)."""
import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.errors import PartialTrace
from glassbox.widgets.graphview import graph_of_failure

W = jnp.ones((4, 3))


def layer(x):
    h = jnp.tanh(x * 2.0)
    z = h @ W
    return jnp.sum(z)


LAYER_FAILS = layer.__code__.co_firstlineno + 2


def _partial(call):
    with pytest.raises(Exception) as info:
        call()
    partial = info.value.glassbox_partial
    assert isinstance(partial, PartialTrace)
    return partial, info.value


def _names(partial):
    return [e.primitive.name for e in partial.jaxpr.jaxpr.eqns]


def test_jit_keeps_the_equations_before_a_library_check_failed():
    partial, error = _partial(lambda: jax.jit(layer)(jnp.ones(3)))
    assert _names(partial) == ["broadcast_in_dim", "mul", "tanh", "matmul"]
    failing = partial.failing
    assert failing is partial.jaxpr.jaxpr.eqns[-1] and failing.primitive.name == "matmul"
    assert (failing.source_info.file, failing.source_info.line) == (__file__, LAYER_FAILS)
    assert partial.message == f"TypeError: {error}"


def test_a_primitive_shape_rule_failure_keeps_its_inputs():
    def f(x):
        y = jnp.sin(x)
        return lax.dot_general(y, jnp.ones((5, 2)), (((0,), (0,)), ((), ())))
    partial, _ = _partial(lambda: jax.make_jaxpr(f)(jnp.ones(3)))
    failing = partial.failing
    assert failing.primitive is lax.dot_general_p
    assert [v.aval.str_short() for v in failing.invars] == ["f32[3]", "f32[5,2]"]
    assert failing.invars[0] is partial.jaxpr.jaxpr.eqns[0].outvars[0]   # sin's result
    assert failing.source_info.line == f.__code__.co_firstlineno + 2


def test_under_vmap_and_grad_inside_jit():
    def g(x):
        return jnp.sum(lax.dot_general(x, jnp.ones(4), (((0,), (0,)), ((), ()))))
    partial, _ = _partial(lambda: jax.jit(jax.grad(g))(jnp.ones(3)))
    assert partial.failing.primitive is lax.dot_general_p
    partial, _ = _partial(lambda: jax.make_jaxpr(jax.vmap(layer))(jnp.ones((2, 3))))
    assert partial.failing.primitive.name == "matmul" and "tanh" in _names(partial)


def test_the_innermost_trace_keeps_it():
    inner = jax.jit(layer)
    partial, _ = _partial(lambda: jax.jit(lambda x: inner(jnp.cos(x)))(jnp.ones(3)))
    assert "cos" not in _names(partial) and "tanh" in _names(partial)


def test_debug_nans_names_the_producer_not_a_deliberate_nan():
    def normalize(v):
        centered = v - jnp.mean(v)
        return centered / jnp.std(centered)   # std builds a NaN for empty samples: not it
    rows = jnp.array([[1.0, 2.0, 3.0], [4.0, 4.0, 4.0]])
    with jax.debug_nans(True):
        partial, error = _partial(lambda: jax.jit(jax.vmap(normalize))(rows))
    assert isinstance(error, FloatingPointError) and "encountered in div" in str(error)
    assert partial.failing.primitive is lax.div_p
    assert partial.failing in partial.jaxpr.jaxpr.eqns
    assert "select_n" in _names(partial) and "sqrt" in _names(partial)
    np.testing.assert_allclose(np.asarray(jax.jit(jax.vmap(normalize))(rows))[0],
                               [-1.2247448, 0, 1.2247448], rtol=1e-6)


def test_the_graph_marks_the_failing_equation():
    partial, _ = _partial(lambda: jax.jit(layer)(jnp.ones(3)))
    view = graph_of_failure(partial)
    html = view.static_html()
    assert "✖ matmul" in html and "gb-failing" in html and "tanh" in html
    assert "3 equations traced before the error" in html and "contracting dimension" in html
