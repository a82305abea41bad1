"""vmap: axes specs, nesting, composition with grad and jit in every order, collectives, errors."""
import itertools

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import lax


def _loop(f, *args):
    return np.stack([np.asarray(f(*a)) for a in zip(*args)])


def test_in_axes_out_axes_and_none():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    y = np.arange(4, dtype=np.float32)
    out = gb.vmap(lambda a, b: a * b + 1, in_axes=(0, None))(x, y)
    np.testing.assert_allclose(out, x * y + 1)
    out = gb.vmap(lambda a: jnp.sin(a), in_axes=1, out_axes=1)(x)
    np.testing.assert_allclose(out, np.sin(x), rtol=1e-6)
    out = gb.vmap(lambda a: jnp.sum(a), in_axes=-1)(x)
    np.testing.assert_allclose(out, x.sum(0))


def test_pytree_axes_and_kwargs():
    params = {"w": np.ones((5, 3), np.float32), "b": np.float32(2.0)}
    xs = np.arange(15, dtype=np.float32).reshape(5, 3)
    out = gb.vmap(lambda p, x: jnp.dot(p["w"], x) + p["b"], in_axes=({"w": 0, "b": None}, 0))(
        params, xs)
    np.testing.assert_allclose(out, (params["w"] * xs).sum(1) + 2)
    out = gb.vmap(lambda x, scale: x * scale)(xs, scale=np.arange(5, dtype=np.float32))
    np.testing.assert_allclose(out, xs * np.arange(5)[:, None])


def test_nested_vmap_is_an_outer_product():
    a, b = np.arange(3, dtype=np.float32), np.arange(4, dtype=np.float32)
    out = gb.vmap(gb.vmap(lambda x, y: x * y, in_axes=(None, 0)), in_axes=(0, None))(a, b)
    np.testing.assert_allclose(out, np.outer(a, b))


def test_axis_size_when_nothing_is_mapped():
    out = gb.vmap(lambda: jnp.ones(2), in_axes=(), axis_size=3)()
    assert out.shape == (3, 2)


def _loss(w, x, y):
    pred = jnp.tanh(jnp.dot(x, w))
    return jnp.mean((pred - y) ** 2)


@pytest.mark.parametrize("order", list(itertools.permutations(["jit", "grad", "vmap"])),
                         ids="-".join)
def test_all_six_orders_agree(order):
    """order[0] is the outermost transform. grad differentiates the sum of its function's
    output, so grad outside vmap gives the summed gradient, inside it per-example ones."""
    w = np.array([0.5, -0.3], np.float32)
    xs = np.random.default_rng(0).standard_normal((4, 2)).astype(np.float32)
    ys = np.random.default_rng(1).standard_normal(4).astype(np.float32)
    per_example = lambda w, x, y: _loss(w, x[None], y[None])  # noqa: E731
    f = per_example
    for t in reversed(order):
        if t == "jit":
            f = gb.jit(f)
        elif t == "grad":
            f = gb.grad(lambda w, x, y, inner=f: jnp.sum(inner(w, x, y)))
        else:
            f = gb.vmap(f, in_axes=(None, 0, 0))
    loop = np.stack([np.asarray(gb.grad(per_example)(w, x, y)) for x, y in zip(xs, ys)])
    expected = loop.sum(0) if order.index("grad") < order.index("vmap") else loop
    np.testing.assert_allclose(f(w, xs, ys), expected, rtol=1e-5, atol=1e-6)


def test_per_example_gradients_equal_a_python_loop():
    w = np.array([0.5, -0.3], np.float32)
    xs = np.random.default_rng(2).standard_normal((6, 2)).astype(np.float32)
    ys = np.random.default_rng(3).standard_normal(6).astype(np.float32)
    per_example = lambda w, x, y: _loss(w, x[None], y[None])  # noqa: E731
    batched = gb.jit(gb.vmap(gb.grad(per_example), in_axes=(None, 0, 0)))(w, xs, ys)
    loop = [np.asarray(gb.grad(per_example)(w, x, y)) for x, y in zip(xs, ys)]
    np.testing.assert_allclose(batched, np.stack(loop), rtol=1e-5)


def test_grad_of_vmap_matches_loop():
    xs = np.linspace(0, 1, 5).astype(np.float32)
    g = gb.grad(lambda x: jnp.sum(gb.vmap(jnp.sin)(x) ** 2))(xs)
    np.testing.assert_allclose(g, 2 * np.sin(xs) * np.cos(xs), rtol=1e-5)


def test_collectives():
    x = np.arange(4, dtype=np.float32)
    np.testing.assert_allclose(gb.vmap(lambda v: lax.psum(v, "i"), axis_name="i")(x), 6.0)
    np.testing.assert_allclose(gb.vmap(lambda v: v / lax.psum(v, "i"), axis_name="i")(x), x / 6)
    np.testing.assert_allclose(gb.vmap(lambda v: lax.pmean(v, "i"), axis_name="i")(x), 1.5)
    np.testing.assert_allclose(gb.vmap(lambda v: lax.pmax(v, "i"), axis_name="i")(x), 3.0)
    np.testing.assert_allclose(gb.vmap(lambda v: lax.pmin(v, "i"), axis_name="i")(x), 0.0)
    np.testing.assert_array_equal(gb.vmap(lambda v: lax.axis_index("i"), axis_name="i")(x),
                                  np.arange(4))
    gathered = gb.vmap(lambda v: lax.all_gather(v, "i"), axis_name="i")(x)
    np.testing.assert_allclose(gathered, np.tile(x, (4, 1)))
    nested = gb.vmap(gb.vmap(lambda v: lax.psum(v, "inner"), axis_name="inner"),
                     axis_name="outer")(np.ones((2, 3), np.float32))
    np.testing.assert_allclose(nested, 3.0)
    with pytest.raises(NameError, match="unbound axis name: 'j'"):
        gb.vmap(lambda v: lax.psum(v, "j"), axis_name="i")(x)


def test_jit_inside_vmap_is_batched_once():
    f = gb.jit(lambda a: jnp.sin(a) * 2)
    x = np.arange(6, dtype=np.float32).reshape(3, 2)
    np.testing.assert_allclose(gb.vmap(f)(x), np.sin(x) * 2, rtol=1e-6)
    jaxpr = gb.make_jaxpr(gb.vmap(f))(x)
    assert [e.primitive.name for e in jaxpr.eqns] == ["jit"]


def test_batched_values_know_their_axis():
    seen = []

    def f(x, y):
        seen.append((x.bdim, getattr(y, "bdim", None)))
        return x + y
    gb.vmap(f, in_axes=(1, None))(np.ones((2, 3), np.float32), np.ones(2, np.float32))
    assert seen == [(1, None)]


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="inconsistent sizes.*input 0 has size 3.*input 1 has "
                                         "size 4"):
        gb.vmap(lambda a, b: a + b)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="in_axes must have one entry per positional"):
        gb.vmap(lambda a, b: a + b, in_axes=(0,))(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="out_axes=None.*batched"):
        gb.vmap(lambda a: a, out_axes=None)(np.ones(3))
    with pytest.raises(ValueError, match="axis 2.*rank 1"):
        gb.vmap(lambda a: a, in_axes=2)(np.ones(3))
    with pytest.raises(gb.TracerBoolConversionError, match="jnp.where"):
        gb.vmap(lambda a: a if a > 0 else -a)(np.ones(3))


def test_vmapped_function_keeps_the_name_and_says_what_it_is():
    def predict(w, x):
        """One example."""
        return w @ x
    batched = gb.vmap(predict, in_axes=(None, 0))
    assert batched.__name__ == "predict" and batched.__wrapped__ is predict
    assert batched.__doc__.startswith("Vectorized version of predict.")
    assert "One example." in batched.__doc__
