"""shard_map and the collectives over mesh axes, on 8 CPU devices, against NumPy
(blocks computed by hand), the single-device gradient, and a Python loop for vmap."""
import warnings

import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.sharding import NamedSharding, PartitionSpec as P

X = np.arange(64, dtype=np.float32).reshape(8, 8) / 7 - 3


def blocks(x, n, axis):
    """``x`` split into ``n`` blocks along ``axis``."""
    return np.split(x, n, axis=axis)


# --- the collectives against NumPy --------------------------------------------------------

def test_psum_over_one_axis(mesh):
    f = jax.shard_map(lambda a: lax.psum(a, "x"), mesh=mesh, in_specs=P("x", "y"),
                      out_specs=P(None, "y"))
    out = f(X)
    np.testing.assert_allclose(out, sum(blocks(X, 4, 0)), rtol=1e-6)
    assert out.sharding == NamedSharding(mesh, P(None, "y"))


@pytest.mark.parametrize("axes", ["y", ("x", "y")])
@pytest.mark.parametrize("name,fn", [("psum", np.sum), ("pmax", np.max), ("pmin", np.min)])
def test_reducers(mesh, axes, name, fn):
    op = getattr(lax, name)
    spec_out = P("x") if axes == "y" else P()
    f = jax.shard_map(lambda a: op(a, axes), mesh=mesh, in_specs=P("x", "y"),
                      out_specs=spec_out)
    rows = blocks(X, 4, 0)
    per_row = [fn(np.stack(blocks(r, 2, 1)), axis=0) for r in rows]   # reduce over y
    if axes == "y":
        want = np.concatenate(per_row, 0)
    else:
        want = fn(np.stack(per_row), axis=0)
    np.testing.assert_allclose(f(X), want, rtol=1e-6)


def test_pmean_1d(mesh1d):
    f = jax.shard_map(lambda a: lax.pmean(a, "i"), mesh=mesh1d, in_specs=P("i"), out_specs=P())
    np.testing.assert_allclose(f(X), X.reshape(8, 1, 8).mean(0), rtol=1e-6)


def test_psum_of_replicated_value_multiplies(mesh):
    f = jax.shard_map(lambda a: lax.psum(a, "x"), mesh=mesh, in_specs=P(), out_specs=P())
    np.testing.assert_allclose(f(jnp.ones(3)), [4.0, 4.0, 4.0])


@pytest.mark.parametrize("tiled", [True, False])
def test_all_gather(mesh1d, tiled):
    f = jax.shard_map(lambda a: lax.all_gather(a, "i", tiled=tiled), mesh=mesh1d,
                      in_specs=P("i"), out_specs=P("i"))
    out = np.asarray(f(X))
    # every device holds the whole array: the global result stacks 8 copies
    want = np.concatenate([X] * 8, 0) if tiled else np.concatenate([X[None]] * 8, 0).reshape(
        64, 1, 8)
    np.testing.assert_allclose(out, want)


def test_all_gather_axis1(mesh):
    f = jax.shard_map(lambda a: lax.all_gather(a, "y", axis=1, tiled=True), mesh=mesh,
                      in_specs=P("x", "y"), out_specs=P("x"), check_vma=False)
    np.testing.assert_allclose(f(X), X)   # (JAX too types all_gather's result as varying)


def test_ppermute_shift(mesh):
    perm = [(i, (i + 1) % 4) for i in range(4)]
    f = jax.shard_map(lambda a: lax.ppermute(a, "x", perm), mesh=mesh, in_specs=P("x", "y"),
                      out_specs=P("x", "y"))
    np.testing.assert_allclose(f(X), np.roll(X, 2, axis=0))


def test_ppermute_partial_gives_zeros(mesh1d):
    f = jax.shard_map(lambda a: lax.ppermute(a, "i", [(0, 1)]), mesh=mesh1d, in_specs=P("i"),
                      out_specs=P("i"))
    want = np.zeros_like(X)
    want[1] = X[0]
    np.testing.assert_allclose(f(X), want)


def test_pshuffle(mesh1d):
    perm = [3, 0, 1, 2, 7, 4, 5, 6]   # output i comes from perm[i]
    f = jax.shard_map(lambda a: lax.pshuffle(a, "i", perm), mesh=mesh1d, in_specs=P("i"),
                      out_specs=P("i"))
    np.testing.assert_allclose(f(X), X[perm])


def test_all_to_all_against_numpy(mesh1d):
    x = np.arange(8 * 16, dtype=np.float32).reshape(64, 2)   # per device: (8, 2)
    f = jax.shard_map(lambda a: lax.all_to_all(a, "i", 0, 1, tiled=True), mesh=mesh1d,
                      in_specs=P("i"), out_specs=P("i"))
    out = np.asarray(f(x))
    dev = blocks(x, 8, 0)                  # dev[s]: (8, 2); piece d is row d
    want = [np.concatenate([dev[s][d:d + 1] for s in range(8)], 1) for d in range(8)]
    np.testing.assert_allclose(out, np.concatenate(want, 0))


def test_all_to_all_untiled_and_pswapaxes(mesh1d):
    x = np.arange(8 * 8 * 3, dtype=np.float32).reshape(64, 3)   # per device (8, 3)
    f = jax.shard_map(lambda a: lax.pswapaxes(a, "i", 0), mesh=mesh1d, in_specs=P("i"),
                      out_specs=P("i"))
    dev = blocks(x, 8, 0)
    # device d receives row d of every device, stacked by source along axis 0
    want = np.concatenate([np.stack([dev[s][d] for s in range(8)]) for d in range(8)])
    np.testing.assert_allclose(f(x), want)


@pytest.mark.parametrize("tiled", [True, False])
def test_psum_scatter(mesh1d, tiled):
    x = np.arange(8 * 8 * 2, dtype=np.float32).reshape(64, 2)   # per device (8, 2)
    f = jax.shard_map(lambda a: lax.psum_scatter(a, "i", tiled=tiled), mesh=mesh1d,
                      in_specs=P("i"), out_specs=P("i"))
    total = sum(blocks(x, 8, 0))          # (8, 2): device d keeps row d
    np.testing.assert_allclose(f(x), total if tiled else total.reshape(16))


def test_axis_index(mesh):
    f = jax.shard_map(lambda a: a * 0 + lax.axis_index("x") * 10 + lax.axis_index("y"),
                      mesh=mesh, in_specs=P("x", "y"), out_specs=P("x", "y"))
    out = np.asarray(f(jnp.zeros((4, 2))))
    np.testing.assert_allclose(out, np.arange(4)[:, None] * 10 + np.arange(2)[None, :])


def test_pbroadcast(mesh1d):
    f = jax.shard_map(lambda a: lax.pbroadcast(a, "i", 3), mesh=mesh1d, in_specs=P("i"),
                      out_specs=P())
    np.testing.assert_allclose(f(X), X[3:4])


# --- jit, lowering, compiled HLO ---------------------------------------------------------

def _both(a):
    return lax.psum(a, "x") + lax.ppermute(a, "y", [(0, 1), (1, 0)]), lax.all_gather(a, "x",
                                                                                      tiled=True)


def test_jit_matches_eager_and_lowering(mesh):
    f = jax.shard_map(_both, mesh=mesh, in_specs=P("x", "y"), out_specs=P("x", "y"))
    eager = f(X)
    jitted = jax.jit(f)(X)
    for e, j in zip(eager, jitted):
        np.testing.assert_allclose(e, j)
    text = jax.jit(f).lower(X).as_text()
    assert "sdy.manual_computation" in text and 'manual_axes{"x", "y"}' in text
    assert "sdy.mesh @mesh" in text and "mhlo.num_partitions = 8" in text
    assert "replica_groups = dense<[[0, 2, 4, 6], [1, 3, 5, 7]]>" in text
    assert "source_target_pairs = dense<[[0, 1], [1, 0], [2, 3]" in text
    hlo = jax.jit(f).lower(X).compile().as_text()
    for op in ("all-reduce", "collective-permute", "all-gather"):
        assert op in hlo


def test_values_against_numpy(mesh):
    f = jax.shard_map(_both, mesh=mesh, in_specs=P("x", "y"), out_specs=P("x", "y"))
    a, g = f(X)
    col = sum(blocks(X, 4, 0))                      # psum over x of each (2, 4) y-half
    summed = np.concatenate([col] * 4, 0)
    swapped = np.concatenate([X[:, 4:], X[:, :4]], 1)
    np.testing.assert_allclose(a, summed + swapped, rtol=1e-6)
    assert g.shape == (32, 8)


def test_decorator_and_infer_in_specs(mesh):
    @jax.shard_map(mesh=mesh, out_specs=P())
    def total(a):
        return lax.psum(a.sum(), ("x", "y"))
    x = jax.device_put(X, NamedSharding(mesh, P("x", "y")))
    np.testing.assert_allclose(total(x), X.sum(), rtol=1e-5)


def test_set_mesh_supplies_the_mesh(mesh):
    with jax.set_mesh(mesh):
        f = jax.shard_map(lambda a: lax.psum(a, "x"), in_specs=P("x"), out_specs=P())
        np.testing.assert_allclose(f(X), sum(blocks(X, 4, 0)), rtol=1e-6)


def test_experimental_path(mesh):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from glassbox.experimental.shard_map import shard_map
    f = shard_map(lambda a: lax.psum(a, "x"), mesh, P("x"), P())
    np.testing.assert_allclose(f(X), sum(blocks(X, 4, 0)), rtol=1e-6)


# --- grad, jvp, vmap --------------------------------------------------------------------

def _loss_ref(w, xs):
    return jnp.sum(jnp.sin(xs @ w))


def _sharded_loss(mesh):
    return jax.shard_map(lambda w, xb: lax.psum(jnp.sum(jnp.sin(xb @ w)), "x"), mesh=mesh,
                         in_specs=(P(), P("x")), out_specs=P())


W = np.arange(16, dtype=np.float32).reshape(8, 2) / 10


def test_grad_of_replicated_parameter(mesh):
    loss = _sharded_loss(mesh)
    np.testing.assert_allclose(loss(W, X), _loss_ref(W, X), rtol=1e-5)
    gw, gx = jax.grad(loss, argnums=(0, 1))(W, X)
    rw, rx = jax.grad(_loss_ref, argnums=(0, 1))(W, X)
    np.testing.assert_allclose(gw, rw, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gx, rx, rtol=1e-4, atol=1e-5)
    gj = jax.jit(jax.grad(loss))(W, X)
    np.testing.assert_allclose(gj, rw, rtol=1e-4, atol=1e-5)


def test_jvp(mesh):
    t = np.ones_like(W)
    p, tan = jax.jvp(lambda w: _sharded_loss(mesh)(w, X), (W,), (t,))
    rp, rt = jax.jvp(lambda w: _loss_ref(w, X), (W,), (t,))
    np.testing.assert_allclose(p, rp, rtol=1e-5)
    np.testing.assert_allclose(tan, rt, rtol=1e-4)


def test_grad_through_collectives(mesh1d):
    perm = [(i, (i + 1) % 8) for i in range(8)]

    def local(a):
        g = lax.all_gather(a, "i", tiled=True)
        return jnp.sum(lax.ppermute(a, "i", perm) * jnp.cos(a)) + jnp.sum(g ** 2) / 8
    f = jax.shard_map(lambda a: lax.psum(local(a), "i"), mesh=mesh1d, in_specs=P("i"),
                      out_specs=P())

    def ref(x):
        return jnp.sum(jnp.roll(x, 1, axis=0) * jnp.cos(x)) + jnp.sum(x ** 2)
    np.testing.assert_allclose(f(X), ref(X), rtol=1e-5)
    np.testing.assert_allclose(jax.grad(f)(X), jax.grad(ref)(X), rtol=1e-4, atol=1e-5)


def test_grad_psum_scatter_and_all_to_all(mesh1d):
    x = X.reshape(64, 1)

    def local(a):
        return jnp.sum(lax.psum_scatter(a * a, "i", tiled=True) * 3) + jnp.sum(
            lax.all_to_all(a, "i", 0, 0, tiled=True) ** 3)
    f = jax.shard_map(lambda a: lax.psum(local(a), "i"), mesh=mesh1d, in_specs=P("i"),
                      out_specs=P())
    ref = lambda x: jnp.sum(3 * x * x) + jnp.sum(x ** 3)   # noqa: E731
    np.testing.assert_allclose(f(x), ref(x), rtol=1e-5)
    np.testing.assert_allclose(jax.grad(f)(x), jax.grad(ref)(x), rtol=1e-4, atol=1e-4)


def test_vmap_against_loop(mesh):
    f = jax.shard_map(lambda a: lax.psum(a, "x") * 2, mesh=mesh, in_specs=P("x"),
                      out_specs=P())
    b = np.arange(24, dtype=np.float32).reshape(3, 8)
    want = np.stack([f(r) for r in b])
    np.testing.assert_allclose(jax.vmap(f)(b), want)
    np.testing.assert_allclose(jax.vmap(f, in_axes=1)(b.T), want)
    np.testing.assert_allclose(jax.jit(jax.vmap(f))(b), want)


def test_vmap_collective_inside_shard_map(mesh):
    def body(a):   # a: (batch, 2) per device; psum over the vmap axis and over 'x'
        return jax.vmap(lambda r: lax.psum(r, "v") + lax.psum(r, "x"), axis_name="v")(a)
    f = jax.shard_map(body, mesh=mesh, in_specs=P(None, "x"), out_specs=P(None, "x"))
    x = np.arange(24, dtype=np.float32).reshape(3, 8)
    parts = blocks(x, 4, 1)
    want = np.concatenate([p.sum(0, keepdims=True) + sum(parts) for p in parts], 1)
    np.testing.assert_allclose(f(x), want, rtol=1e-6)


# --- errors -----------------------------------------------------------------------------

def test_spec_too_long(mesh):
    f = jax.shard_map(lambda a: a, mesh=mesh, in_specs=P("x", "y"), out_specs=P("x", "y"))
    with pytest.raises(ValueError, match="rank 1"):
        f(jnp.ones(8))


def test_indivisible(mesh):
    f = jax.shard_map(lambda a: a, mesh=mesh, in_specs=P("x"), out_specs=P("x"))
    with pytest.raises(ValueError, match="not evenly divisible"):
        f(jnp.ones(6))


def test_unknown_axis_in_spec(mesh):
    f = jax.shard_map(lambda a: a, mesh=mesh, in_specs=P("z"), out_specs=P())
    with pytest.raises(ValueError, match="'z'"):
        f(jnp.ones(8))


def test_out_specs_claiming_replication(mesh):
    f = jax.shard_map(lambda a: a * 2, mesh=mesh, in_specs=P("x"), out_specs=P())
    with pytest.raises(ValueError, match="replicated across mesh axis 'x'"):
        f(jnp.ones(8))
    g = jax.shard_map(lambda a: a * 2, mesh=mesh, in_specs=P("x"), out_specs=P(),
                      check_vma=False)
    np.testing.assert_allclose(g(jnp.arange(8.0)), [0.0, 2.0])   # device 0's block


def test_collective_outside_is_unbound():
    with pytest.raises(NameError, match="unbound axis name"):
        lax.psum(jnp.ones(2), "x")
    with pytest.raises(NameError, match="unbound axis name"):
        jax.jit(lambda a: lax.ppermute(a, "x", [(0, 1)]))(jnp.ones(2))


def test_no_mesh():
    with pytest.raises(ValueError, match="mesh"):
        jax.shard_map(lambda a: a, in_specs=P(), out_specs=P())(jnp.ones(2))


def test_bad_ppermute(mesh):
    f = jax.shard_map(lambda a: lax.ppermute(a, "x", [(0, 1), (1, 1)]), mesh=mesh,
                      in_specs=P("x"), out_specs=P("x"))
    with pytest.raises(ValueError, match="unique"):
        f(jnp.ones(8))


# --- the new collectives under vmap(axis_name=...) (no devices involved) -----------------

def test_collectives_under_vmap():
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    v = lambda f: jax.vmap(f, axis_name="v")(x)   # noqa: E731
    np.testing.assert_allclose(v(lambda r: lax.ppermute(r, "v", [(0, 1), (1, 2), (2, 3)])),
                               np.concatenate([np.zeros((1, 3)), x[:3]]))
    np.testing.assert_allclose(v(lambda r: lax.pshuffle(r, "v", [1, 2, 3, 0])),
                               x[[1, 2, 3, 0]])
    y = np.arange(16, dtype=np.float32).reshape(4, 4)
    np.testing.assert_allclose(jax.vmap(lambda r: lax.psum_scatter(r, "v"), axis_name="v")(y),
                               y.sum(0))
    np.testing.assert_allclose(
        jax.vmap(lambda r: lax.all_to_all(r, "v", 0, 0, tiled=True), axis_name="v")(y), y.T)
    np.testing.assert_allclose(
        jax.vmap(lambda r: lax.all_to_all(r, "v", 0, 0), axis_name="v")(y), y.T)
    np.testing.assert_allclose(v(lambda r: lax.pbroadcast(r, "v", 2)), np.tile(x[2], (4, 1)))
    assert jax.vmap(lambda r: lax.axis_size("v") + r * 0, axis_name="v")(x)[0, 0] == 4


def test_grad_of_psum_under_vmap():
    x = np.arange(4, dtype=np.float32)
    g = jax.vmap(jax.grad(lambda a: lax.psum(a * a, "v")), axis_name="v")(x)
    np.testing.assert_allclose(g, 8 * x)   # JAX 0.10.2: [0, 8, 16, 24] (psum transposes to psum)


def test_jit_inside_shard_map_is_typed(mesh):
    f = jax.shard_map(lambda a: jax.jit(lambda b: lax.psum(b, "x"))(a), mesh=mesh,
                      in_specs=P("x"), out_specs=P())
    np.testing.assert_allclose(f(jnp.arange(8.0)), [12.0, 16.0])   # JAX 0.10.2's values
    g = jax.grad(lambda x: f(x).sum())(jnp.arange(8.0))
    np.testing.assert_allclose(g, np.ones(8))


def test_explicit_mesh_types():
    m = jax.make_mesh((4, 2), ("x", "y"))   # Explicit axes: the sharding is in the type
    f = jax.shard_map(lambda a: a * 2, mesh=m, in_specs=P("x"), out_specs=P("x"))
    with pytest.raises(ValueError, match=r"does not match the specs of the input: P\(None,\)"):
        f(jnp.arange(8.0))
    a = jax.device_put(jnp.arange(8.0), NamedSharding(m, P("x")))
    for out in (f(a), jax.jit(f)(a)):
        np.testing.assert_allclose(out, np.arange(8.0) * 2)
        assert jax.typeof(out).str_short() == "f32[8@x]"
        assert out.sharding.spec == P("x")
