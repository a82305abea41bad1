"""Explicit mesh axes (``make_mesh``'s default, as in JAX 0.10): the sharding is part of
each value's type, follows JAX's rules through the common operations, and JAX's
``ShardingTypeError`` answers where JAX refuses to guess. The expected types and
messages were read off JAX 0.10.2 running the same lines on 8 CPU devices."""
import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.errors import ShardingTypeError
from glassbox.sharding import NamedSharding, PartitionSpec as P, make_mesh


@pytest.fixture
def emesh():
    return make_mesh((4, 2), ("x", "y"))   # Explicit axes by default


def _put(mesh, spec, shape=(8, 2)):
    value = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    return jax.device_put(value, NamedSharding(mesh, spec)), value


def _type(x):
    return x.aval.str_short()


def test_types_carry_the_sharding(emesh):
    x, _ = _put(emesh, P("x"))
    z, _ = _put(emesh, P(("x", "y")))
    assert _type(x) == "f32[8@x,2]" and _type(z) == "f32[8@(x,y),2]"
    assert x.aval.sharding.spec == P("x", None)
    assert str(jax.make_jaxpr(lambda a: jnp.sin(a).sum(0))(x)).splitlines()[0] == (
        "{ lambda ; a:f32[8@x,2]. let")


@pytest.mark.parametrize("fun, expected", [
    (lambda x, y: x + y, "f32[8@x,2@y]"),
    (lambda x, y: x.sum(1), "f32[8@x]"),
    (lambda x, y: x.T, "f32[2,8@x]"),
    (lambda x, y: x.reshape(16), "f32[16@x]"),
    (lambda x, y: x.reshape(8, 2, 1), "f32[8@x,2,1]"),
    (lambda x, y: x + 1.0, "f32[8@x,2]"),
    (lambda x, y: jnp.ones((8, 2)) + x, "f32[8@x,2]"),
    (lambda x, y: jnp.argmax(x, 0), "i32[2]"),
    (lambda x, y: x.astype(jnp.int32), "i32[8@x,2]"),
    (lambda x, y: jnp.where(x > 1, x, 0.0), "f32[8@x,2]"),
])
def test_rules_give_jax_s_types(emesh, fun, expected):
    x, xv = _put(emesh, P("x"))
    y, yv = _put(emesh, P(None, "y"))
    out = fun(x, y)
    assert _type(out) == expected
    np.testing.assert_allclose(np.asarray(out), np.asarray(fun(xv, yv)))
    traced = jax.jit(fun)(x, y)   # the same type under jit, pinned in the module
    assert _type(traced) == expected


def test_matmul_keeps_free_dimensions(emesh):
    x, xv = _put(emesh, P("x"))
    w, wv = _put(emesh, P(None, "y"), (2, 8))
    out = x @ w
    assert _type(out) == "f32[8@x,8@y]"
    np.testing.assert_allclose(np.asarray(out), xv @ wv)
    assert out.sharding == NamedSharding(emesh, P("x", "y"))


def test_jax_s_refusals(emesh):
    x, _ = _put(emesh, P("x"))
    with pytest.raises(ShardingTypeError, match="This reshape is not supported"):
        x.reshape(2, 4, 2)
    xy, _ = _put(emesh, P(None, "y"))
    w2, _ = _put(emesh, P("y"), (2, 8))
    with pytest.raises(ShardingTypeError, match="Contracting dimensions are sharded"):
        xy @ w2
    other, _ = _put(emesh, P("y"))
    with pytest.raises(ShardingTypeError,
                       match=r"add got incompatible shardings for broadcasting: "
                             r"\('x', None\), \('y', None\)\."):
        x + other


def test_jit_outputs_and_lowering_follow_the_type(emesh):
    x, xv = _put(emesh, P("x"))
    f = jax.jit(lambda a: a * 2)
    out = f(x)
    assert out.sharding == NamedSharding(emesh, P("x", None))
    text = f.lower(x).as_text()
    assert '"sdy.sharding_constraint"' in text
    assert text.count('#sdy.sharding<@mesh, [{"x"}, {}]>') >= 3   # argument, op, result
    np.testing.assert_array_equal(np.asarray(out), xv * 2)
    assert jax.jit(lambda a: a.sum(0))(x).sharding.spec == P(None)


def test_reshard_changes_the_type(emesh):
    x, xv = _put(emesh, P("x"))
    moved = jax.jit(lambda a: jax.reshard(a, NamedSharding(emesh, P(None, "y"))))(x)
    assert _type(moved) == "f32[8,2@y]"
    np.testing.assert_array_equal(np.asarray(moved), xv)


def test_grad_keeps_the_type(emesh):
    x, xv = _put(emesh, P("x"))
    g = jax.jit(jax.grad(lambda a: (jnp.tanh(a) ** 2).sum()))(x)
    assert _type(g) == "f32[8@x,2]"
    np.testing.assert_allclose(np.asarray(g), 2 * np.tanh(xv) * (1 - np.tanh(xv) ** 2),
                               rtol=1e-5, atol=1e-6)


def test_lax_ops_on_typed_values(emesh):
    x, xv = _put(emesh, P("x"))
    assert _type(lax.broadcast_in_dim(x, (3, 8, 2), (1, 2))) == "f32[3,8@x,2]"
    assert _type(lax.squeeze(x.reshape(8, 2, 1), (2,))) == "f32[8@x,2]"
    assert _type(lax.concatenate([x, x], 1)) == "f32[8@x,4]"
    with pytest.raises(ShardingTypeError, match="concatenate along dimension 0"):
        lax.concatenate([x, x], 0)
    assert _type(lax.cumsum(x, 1)) == "f32[8@x,2]"


def test_out_sharding_resolves_a_split_contraction(emesh):
    xy, xv = _put(emesh, P(None, "y"))
    w2, wv = _put(emesh, P("y"), (2, 8))
    dims = (((1,), (0,)), ((), ()))
    out = lax.dot_general(xy, w2, dims, out_sharding=NamedSharding(emesh, P("x")))
    assert _type(out) == "f32[8@x,8]"
    np.testing.assert_allclose(np.asarray(out), xv @ wv)
    with pytest.raises(ValueError, match="Using PartitionSpec when you are not under a mesh"):
        lax.dot_general(xy, w2, dims, out_sharding=P("x"))
    g = jax.jit(jax.grad(lambda a, b: lax.dot_general(
        a, b, dims, out_sharding=NamedSharding(emesh, P("x"))).sum()))(xy, w2)
    np.testing.assert_allclose(np.asarray(g), np.ones((8, 8)) @ wv.T)
    batched = jax.vmap(lambda a: lax.dot_general(
        a, w2, dims, out_sharding=NamedSharding(emesh, P("x"))))(jnp.stack([xy, xy]))
    np.testing.assert_allclose(np.asarray(batched), np.stack([xv @ wv] * 2))


def test_data_parallel_gradient_over_explicit_axes(emesh):
    # The weights' cotangent sums over the split batch: laid out as the weights are
    # (JAX's transpose rule), not the ambiguous split contraction it would be alone.
    rng = np.random.default_rng(0)
    xv, wv, bv = (rng.normal(size=s).astype(np.float32) for s in [(8, 3), (3, 4), (4,)])
    x, w, b = (jax.device_put(v, NamedSharding(emesh, spec))
               for v, spec in [(xv, P("x")), (wv, P()), (bv, P("y"))])

    def loss(w, b, x):
        return (jnp.tanh(x @ w + b) ** 2).sum()
    gw, gb = jax.jit(jax.grad(loss, argnums=(0, 1)))(w, b, x)
    assert _type(gw) == "f32[3,4]" and _type(gb) == "f32[4@y]"
    ew, eb = jax.grad(loss, argnums=(0, 1))(jnp.asarray(wv), jnp.asarray(bv), jnp.asarray(xv))
    np.testing.assert_allclose(np.asarray(gw), np.asarray(ew), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(gb), np.asarray(eb), rtol=1e-5)
