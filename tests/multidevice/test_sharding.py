"""Sharded arrays and partitioned jit on 8 CPU devices, against unsharded NumPy results.

Reference reprs, specs and errors come from JAX 0.10.2 run the same way (XLA_FLAGS with
8 host devices).
"""
import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.sharding import (AxisType, Mesh, NamedSharding, PartitionSpec as P,
                               SingleDeviceSharding, make_mesh, set_mesh)
from glassbox.sharding import DuplicateSpecError, IndivisibleError


def _x(shape=(8, 2)):
    return np.arange(np.prod(shape), dtype=np.float32).reshape(shape)


# --- meshes, specs and layouts ------------------------------------------------------------

def test_mesh_and_spec_reprs_are_jax_s(mesh):
    assert repr(mesh) == ("Mesh(axis_sizes=(4, 2), axis_names=('x', 'y'), "
                          "axis_types=(Auto, Auto))")
    assert str(mesh) == "Mesh('x': 4, 'y': 2, axis_types=(Auto, Auto))"
    assert repr(P("x")) == "P('x',)" and repr(P()) == "P()"
    assert repr(P("x", None, ("x", "y"))) == "P('x', None, ('x', 'y'))"
    assert repr(NamedSharding(mesh, P("x"))) == (
        "NamedSharding(mesh=Mesh('x': 4, 'y': 2, axis_types=(Auto, Auto)), spec=P('x',), "
        "memory_kind=device)")
    assert mesh.shape == {"x": 4, "y": 2} and mesh.size == 8
    assert make_mesh((2, 4), ("a", "b")).axis_types == (AxisType.Explicit,) * 2


def test_devices_indices_map_matches_jax_layout(mesh):
    s = NamedSharding(mesh, P("x"))
    got = s.devices_indices_map((8, 2))
    ids = {d.id: idx for d, idx in got.items()}
    for i in range(8):   # device 2k and 2k+1 hold rows 2k'..: the 'y' axis replicates
        assert ids[i] == (slice(2 * (i // 2), 2 * (i // 2) + 2), slice(None))
    assert s.shard_shape((8, 2)) == (2, 2)
    t = NamedSharding(mesh, P("y", "x"))
    assert {d.id: i for d, i in t.devices_indices_map((4, 8)).items()}[1] == (
        slice(2, 4), slice(0, 2))


def test_bad_specs_raise_jax_s_errors(mesh):
    with pytest.raises(ValueError, match="Resource axis: z of P\\('z',\\) is not found"):
        NamedSharding(mesh, P("z"))
    with pytest.raises(DuplicateSpecError, match="duplicate entries for `x`"):
        NamedSharding(mesh, P("x", "x"))
    with pytest.raises(IndivisibleError, match="array axis 0 is partitioned 4 times"):
        jax.device_put(np.ones(3), NamedSharding(mesh, P("x")))


# --- sharded arrays -----------------------------------------------------------------------

@pytest.mark.parametrize("spec", [P("x"), P("y", "x"), P(None, "x"), P(("x", "y")), P()])
def test_device_put_lays_out_and_gathers(mesh, spec):
    x = _x((8, 8))
    a = jax.device_put(x, NamedSharding(mesh, spec))
    assert a.sharding == NamedSharding(mesh, spec)
    np.testing.assert_array_equal(np.asarray(a), x)
    shards = a.addressable_shards
    assert len(shards) == 8 and {s.device for s in shards} == set(jax.devices())
    for s in shards:
        np.testing.assert_array_equal(np.asarray(s.data), x[s.index])
        assert s.data.sharding == SingleDeviceSharding(s.device)
    assert a.is_fully_replicated == (spec == P())


def test_replica_ids_and_device(mesh):
    a = jax.device_put(_x(), NamedSharding(mesh, P("x")))
    assert [s.replica_id for s in a.addressable_shards] == [0, 1] * 4
    assert a.device == a.sharding and a.devices() == set(jax.devices())
    b = jax.device_put(a, jax.devices()[3])
    assert b.device == jax.devices()[3]
    np.testing.assert_array_equal(np.asarray(b), _x())


def test_printing_gathers(mesh):
    a = jax.device_put(_x(), NamedSharding(mesh, P("x", "y")))
    assert repr(a) == repr(jnp.asarray(_x()))


# --- computations on sharded arrays -------------------------------------------------------

def test_eager_ops_stay_sharded(mesh):
    x = _x()
    a = jax.device_put(x, NamedSharding(mesh, P("x")))
    b = a + 1
    np.testing.assert_array_equal(np.asarray(b), x + 1)
    assert b.sharding.spec == P("x")
    np.testing.assert_allclose(np.asarray(jnp.sin(a)), np.sin(x), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(a.sum(0)), x.sum(0))


def test_jit_follows_input_shardings(mesh):
    x = _x()
    a = jax.device_put(x, NamedSharding(mesh, P("x")))
    f = jax.jit(lambda v: (v * 2, v.sum(0), v @ v.T))
    twice, total, gram = f(a)
    np.testing.assert_array_equal(np.asarray(twice), x * 2)
    np.testing.assert_array_equal(np.asarray(total), x.sum(0))
    np.testing.assert_allclose(np.asarray(gram), x @ x.T)
    assert twice.sharding.spec == P("x") and total.sharding.spec == P()
    text = f.lower(a).as_text()
    assert 'sdy.mesh @mesh = <["x"=4, "y"=2]>' in text
    assert '#sdy.sharding<@mesh, [{"x"}, {}]>' in text and "num_partitions = 8" in text
    hlo = f.lower(a).compile().as_text()
    assert "all-reduce" in hlo   # the sum over the split axis needs one


def test_jit_in_and_out_shardings(mesh):
    x = _x()
    f = jax.jit(lambda v: v * 3, in_shardings=NamedSharding(mesh, P("y")),
                out_shardings=NamedSharding(mesh, P(None, "y")))
    out = f(x)
    np.testing.assert_array_equal(np.asarray(out), x * 3)
    assert out.sharding == NamedSharding(mesh, P(None, "y"))
    committed = jax.device_put(x, NamedSharding(mesh, P("x")))
    with pytest.raises(ValueError, match="Sharding passed to jit does not match"):
        f(committed)
    with set_mesh(mesh):   # bare specs name the current mesh; pytree prefixes
        g = jax.jit(lambda p, q: (p + q["a"], q["a"]), in_shardings=(P("x"), {"a": P()}),
                    out_shardings=P("x"))
        s, t = g(x, {"a": x})
    np.testing.assert_array_equal(np.asarray(s), 2 * x)
    assert s.sharding.spec == P("x") and t.sharding.spec == P("x")


def test_with_sharding_constraint(mesh):
    x = _x()
    f = jax.jit(lambda v: lax.with_sharding_constraint(v * 2, P("y")))
    with pytest.raises(RuntimeError, match="requires a non-empty mesh"):
        f(x)
    with set_mesh(mesh):
        out = f(x)
        assert '"sdy.sharding_constraint"' in f.lower(x).as_text()
    np.testing.assert_array_equal(np.asarray(out), 2 * x)
    assert out.sharding.spec == P("y")
    eager = lax.with_sharding_constraint(x, NamedSharding(mesh, P("x", "y")))
    assert eager.sharding.spec == P("x", "y")
    moved = jax.reshard(x, NamedSharding(mesh, P("x")))
    assert moved.sharding.spec == P("x")


def test_sharding_constraint_under_vmap_and_grad(mesh):
    s = NamedSharding(mesh, P("x"))
    batched = jax.vmap(lambda v: lax.with_sharding_constraint(v, s))(np.ones((3, 8)))
    assert batched.sharding.spec == P(None, "x")
    g = jax.jit(jax.grad(lambda v: (lax.with_sharding_constraint(v, s) ** 2).sum()))
    np.testing.assert_allclose(np.asarray(g(np.arange(8.0))), 2 * np.arange(8.0))


def test_data_parallel_gradient_equals_single_device(mesh1d):
    rng = np.random.default_rng(0)
    w = rng.normal(size=(4, 3)).astype(np.float32)
    xs = rng.normal(size=(16, 4)).astype(np.float32)
    ys = rng.normal(size=(16, 3)).astype(np.float32)

    def loss(w, x, y):
        return jnp.mean((jnp.tanh(x @ w) - y) ** 2)

    grad = jax.jit(jax.grad(loss))
    reference = jax.grad(loss)(jax.device_put(w, jax.devices()[0]), xs, ys)
    batch = NamedSharding(mesh1d, P("i"))
    sharded = grad(w, jax.device_put(xs, batch), jax.device_put(ys, batch))
    np.testing.assert_allclose(np.asarray(sharded), np.asarray(reference), rtol=1e-5,
                               atol=1e-6)
    assert sharded.is_fully_replicated


def test_meshes_must_agree(mesh):
    other = Mesh(np.array(jax.devices()[:4]).reshape(2, 2), ("a", "b"))
    a = jax.device_put(_x(), NamedSharding(mesh, P("x")))
    b = jax.device_put(_x(), NamedSharding(other, P("a")))
    with pytest.raises(ValueError, match="incompatible devices"):
        jax.jit(lambda p, q: p + q)(a, b)


def test_device_put_with_a_bare_spec_uses_the_current_mesh(mesh):
    with pytest.raises(ValueError, match="without a mesh"):
        jax.device_put(_x(), P("x"))
    with set_mesh(mesh):
        a = jax.device_put(_x(), P("x"))
    assert a.sharding == NamedSharding(mesh, P("x"))
