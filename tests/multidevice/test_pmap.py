"""pmap (jit of shard_map over a one-axis mesh, as in JAX 0.10) on 8 CPU devices, against
a Python loop over the mapped axis and NumPy."""
import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.sharding import NamedSharding, PartitionSpec as P

X = np.arange(24, dtype=np.float32).reshape(8, 3) / 5 - 2


def test_psum_normalize_and_sharding():
    out = jax.pmap(lambda a: a / lax.psum(a, "i"), axis_name="i")(jnp.arange(8.0))
    np.testing.assert_allclose(out, np.arange(8.0) / 28, rtol=1e-6)
    assert isinstance(out.sharding, NamedSharding)
    assert out.sharding.spec == P("i") and out.sharding.mesh.axis_names == ("i",)


def test_elementwise_against_loop():
    f = lambda a: jnp.sin(a) * a.sum()   # noqa: E731
    np.testing.assert_allclose(jax.pmap(f)(X), np.stack([f(r) for r in X]), rtol=1e-6)


def test_in_axes_out_axes():
    out = jax.pmap(lambda a, b: a * b, in_axes=(1, None), out_axes=1)(X.T, 2.0)
    np.testing.assert_allclose(out, (X * 2).T)
    out = jax.pmap(lambda d: d["a"] + d["b"], in_axes=({"a": 0, "b": None},))(
        {"a": X, "b": np.ones(3, np.float32)})
    np.testing.assert_allclose(out, X + 1)


def test_out_axes_none():
    out = jax.pmap(lambda a: lax.psum(a, "i"), "i", out_axes=None)(X)
    np.testing.assert_allclose(out, X.sum(0), rtol=1e-6)


def test_static_broadcasted_argnums():
    f = jax.pmap(lambda a, n, b: a * n + b, static_broadcasted_argnums=1)
    np.testing.assert_allclose(f(X, 3, X), X * 4, rtol=1e-6)
    np.testing.assert_allclose(f(X, 5, X), X * 6, rtol=1e-6)


def test_collectives_by_axis_name():
    n = 4
    x = np.arange(4, dtype=np.float32)
    perm = [(i, (i + 1) % n) for i in range(n)]
    np.testing.assert_allclose(jax.pmap(lambda a: lax.ppermute(a, "i", perm), "i")(x),
                               np.roll(x, 1))
    np.testing.assert_allclose(jax.pmap(lambda a: lax.all_gather(a, "i"), "i")(x),
                               np.tile(x, (4, 1)))
    np.testing.assert_allclose(jax.pmap(lambda a: lax.axis_index("i"), "i")(x), np.arange(4))
    np.testing.assert_allclose(jax.pmap(lambda a: lax.pmax(a, "i"), "i")(x), [3.0] * 4)
    np.testing.assert_allclose(jax.pmap(lambda a: lax.pmean(a, "i"), "i")(x), [1.5] * 4)


def test_grad_of_pmap():
    x = np.arange(4, dtype=np.float32)
    g = jax.grad(lambda x: jax.pmap(lambda a: lax.psum(a * a, "i"), "i")(x).sum())(x)
    np.testing.assert_allclose(g, 8 * x)   # JAX 0.10.2 gives [0, 8, 16, 24]
    g = jax.grad(lambda x: jax.pmap(lambda a: a * lax.psum(a, "i"), "i")(x).sum())(x)
    np.testing.assert_allclose(g, [12.0] * 4)


def test_grad_inside_pmap():
    f = lambda a: jnp.sum(jnp.sin(a) ** 2)   # noqa: E731
    out = jax.pmap(jax.grad(f))(X)
    np.testing.assert_allclose(out, np.stack([jax.grad(f)(r) for r in X]), rtol=1e-5)


def test_vmap_of_pmap_and_pmap_of_vmap():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    out = jax.vmap(jax.pmap(lambda a: lax.psum(a, "i"), axis_name="i"))(x)
    np.testing.assert_allclose(out, np.repeat(x.sum(1, keepdims=True), 4, 1))
    out = jax.pmap(jax.vmap(lambda a: lax.psum(a, "j"), axis_name="j"))(x.T)
    np.testing.assert_allclose(out, np.repeat(x.T.sum(1, keepdims=True), 3, 1))


def test_jit_of_pmap_and_lowering():
    f = jax.pmap(lambda a: lax.psum(a, "i"), "i")
    np.testing.assert_allclose(jax.jit(f)(X), np.tile(X.sum(0), (8, 1)), rtol=1e-6)
    text = jax.jit(f).lower(X).as_text()
    assert "sdy.manual_computation" in text and "stablehlo.all_reduce" in text


def test_devices_argument():
    devs = jax.devices()[-2:]
    out = jax.pmap(lambda a: lax.psum(a ** 2, "i"), "i", devices=devs)(jnp.array([2.0, 3.0]))
    np.testing.assert_allclose(out, [13.0, 13.0])
    assert set(out.sharding.mesh.flat_devices) == set(devs)


def test_errors():
    with pytest.raises(TypeError, match="pmap in_axes must be an int"):
        jax.pmap(lambda a: a, in_axes=1.0)
    with pytest.raises(ValueError, match="at least one argument with a mapped axis"):
        jax.pmap(lambda a: a, in_axes=None)(X)
    with pytest.raises(ValueError, match="9"):
        jax.pmap(lambda a: a)(jnp.ones(9))
    with pytest.raises(ValueError, match="axis_size"):
        jax.pmap(lambda a: a, axis_size=4)(X)
    with pytest.raises(ValueError, match="non-empty"):
        jax.pmap(lambda a: a, devices=[])


def test_lower_and_donation():
    f = jax.pmap(lambda a: lax.psum(a, "i"), "i")
    text = f.lower(X).as_text()
    assert "sdy.manual_computation" in text and "mhlo.num_partitions = 8" in text
    x = jnp.asarray(X)
    out = jax.pmap(lambda a: a * 2, donate_argnums=0)(x)
    np.testing.assert_allclose(out, X * 2)
