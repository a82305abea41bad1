"""The remaining ``jax.lax`` names: solvers (custom_linear_solve, custom_root),
split/stack/unstack/tile, and the helpers and small primitives of ``lax/misc.py``.

References: NumPy values, finite differences (``check_grads``), a Python loop for
vmap, eager for jit; rng_bit_generator's bits recorded from JAX 0.10.2.
"""
import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.test_util import check_grads

RNG = np.random.default_rng(0)
A = np.array([[4., 1., 0.5], [1., 3., 0.2], [0.5, 0.2, 2.]], np.float32)
B = np.array([1., 2., 3.], np.float32)


# --- custom_linear_solve ------------------------------------------------------

def _solve(A, b, symmetric=False):
    matvec = lambda x: A @ x
    solve = lambda mv, b: jnp.linalg.solve(A, b)
    if symmetric:
        return lax.custom_linear_solve(matvec, b, solve, symmetric=True)
    return lax.custom_linear_solve(matvec, b, solve, lambda vm, b: jnp.linalg.solve(A.T, b))


def _cg(A, b):
    """An iterative solver (fixed steps of conjugate gradients): differentiated
    implicitly, never through its loop."""
    def solve(mv, b):
        def step(_, c):
            x, r, p = c
            ap = mv(p)
            alpha = (r @ r) / (p @ ap)
            x, r_new = x + alpha * p, r - alpha * ap
            return x, r_new, r_new + (r_new @ r_new) / (r @ r) * p
        return lax.fori_loop(0, 3, step, (jnp.zeros_like(b), b, b))[0]
    return lax.custom_linear_solve(lambda x: A @ x, b, solve, symmetric=True)


def test_custom_linear_solve_values_jit_vmap():
    A2 = A + 0.3 * np.triu(np.ones((3, 3), np.float32), 1)   # not symmetric
    np.testing.assert_allclose(_solve(A2, B), np.linalg.solve(A2, B), rtol=1e-5)
    np.testing.assert_allclose(jax.jit(_solve)(A2, B), _solve(A2, B), rtol=1e-6)
    np.testing.assert_allclose(_cg(A, B), np.linalg.solve(A, B), rtol=1e-4)
    bs = RNG.normal(size=(4, 3)).astype(np.float32)
    As = np.stack([A2 + i * np.eye(3, dtype=np.float32) for i in range(4)])
    np.testing.assert_allclose(jax.vmap(_solve, (None, 0))(A2, bs),
                               np.stack([np.linalg.solve(A2, b) for b in bs]), rtol=1e-5)
    np.testing.assert_allclose(jax.vmap(_solve)(As, bs),
                               np.stack([np.linalg.solve(a, b) for a, b in zip(As, bs)]),
                               rtol=1e-5)
    Ss = np.stack([A + i * np.eye(3, dtype=np.float32) for i in range(4)])   # symmetric
    np.testing.assert_allclose(jax.vmap(_cg, (0, None))(Ss, B),
                               np.stack([np.linalg.solve(a, B) for a in Ss]), rtol=1e-4)


def test_custom_linear_solve_grads():
    A2 = A + 0.3 * np.triu(np.ones((3, 3), np.float32), 1)
    check_grads(_solve, (A2, B), order=2, modes=("fwd", "rev"), atol=5e-2, rtol=5e-2)
    check_grads(lambda A, b: _solve(A, b, True), (A, B), order=1, atol=5e-2, rtol=5e-2)
    # CG needs a symmetric matrix, also at the finite-difference points
    check_grads(lambda A, b: _cg((A + A.T) / 2, b), (A, B), order=1, atol=5e-2, rtol=5e-2)
    # the implicit gradient of b -> A^-1 b is A^-T (analytically)
    g = jax.grad(lambda b: _solve(A2, b) @ B)(B)
    np.testing.assert_allclose(g, np.linalg.solve(A2.T, B), rtol=1e-5)
    g_vmap = jax.vmap(jax.grad(lambda b: _solve(A2, b).sum()))(np.stack([B, 2 * B]))
    np.testing.assert_allclose(g_vmap[0], np.linalg.solve(A2.T, np.ones(3)), rtol=1e-5)


def test_custom_linear_solve_pytree_and_aux():
    b = {"u": B[:2], "v": B[2:]}
    M = np.diag([2., 4., 8.]).astype(np.float32)
    mv = lambda x: {"u": x["u"] * M[0, 0] * np.array([1., 2.], np.float32), "v": x["v"] * 8.}
    solve = lambda mv, b: ({"u": b["u"] / np.array([2., 4.], np.float32), "v": b["v"] / 8.},
                           jnp.float32(7.))
    x, aux = lax.custom_linear_solve(mv, b, solve, symmetric=True, has_aux=True)
    np.testing.assert_allclose(x["u"], [0.5, 0.5])
    np.testing.assert_allclose(x["v"], [3. / 8.])
    assert float(aux) == 7.
    # the aux output is not differentiated; x still is (reverse mode, transposed solve)
    g = jax.grad(lambda b: lax.custom_linear_solve(
        lambda x: A @ x, b, lambda mv, b: (jnp.linalg.solve(A, b), b.sum()),
        lambda vm, b: jnp.linalg.solve(A.T, b), has_aux=True)[0].sum())(B)
    np.testing.assert_allclose(g, np.linalg.solve(A.T, np.ones(3)), rtol=1e-5)


def test_custom_linear_solve_errors():
    with pytest.raises(TypeError, match="transpose_solve required"):
        jax.grad(lambda b: lax.custom_linear_solve(
            lambda x: A @ x, b, lambda mv, b: jnp.linalg.solve(A, b)).sum())(B)
    with pytest.raises(TypeError, match="matvec"):
        lax.custom_linear_solve(lambda x: x[:2], B, lambda mv, b: b)
    with pytest.raises(TypeError, match="solve"):
        lax.custom_linear_solve(lambda x: x, B, lambda mv, b: b[:2])


# --- custom_root ----------------------------------------------------------------

def _newton(f, x0):
    x = x0
    for _ in range(25):
        x = x - f(x) / jax.grad(f)(x)
    return x


def _sqrt(a):
    return lax.custom_root(lambda x: x ** 2 - a, 1.0, _newton, lambda g, y: y / g(1.0))


def test_custom_root_scalar():
    np.testing.assert_allclose(_sqrt(2.0), np.sqrt(2.0), rtol=1e-6)
    np.testing.assert_allclose(jax.grad(_sqrt)(2.0), 0.5 / np.sqrt(2.0), rtol=1e-5)
    np.testing.assert_allclose(jax.jit(jax.grad(_sqrt))(3.0), 0.5 / np.sqrt(3.0), rtol=1e-5)
    np.testing.assert_allclose(jax.grad(jax.grad(_sqrt))(2.0), -0.25 * 2.0 ** -1.5, rtol=1e-4)
    xs = np.array([1., 4., 9.], np.float32)
    np.testing.assert_allclose(jax.vmap(_sqrt)(xs), np.sqrt(xs), rtol=1e-6)
    np.testing.assert_allclose(jax.vmap(jax.grad(_sqrt))(xs), 0.5 / np.sqrt(xs), rtol=1e-5)
    check_grads(_sqrt, (np.float32(2.0),), order=2, atol=1e-2, rtol=1e-2)


def test_custom_root_vector_with_linear_tangent_solve():
    # f(x) = A x - b (closed over): root A^-1 b, derivatives by the implicit function
    # theorem, with tangent_solve itself a custom_linear_solve (reverse mode works).
    def root(A, b):
        f = lambda x: A @ x - b
        solve = lambda f, x0: jnp.linalg.solve(A, b)
        tangent_solve = lambda g, y: lax.custom_linear_solve(
            g, y, lambda mv, y: jnp.linalg.solve(A, y), lambda vm, y: jnp.linalg.solve(A.T, y))
        return lax.custom_root(f, jnp.zeros(3), solve, tangent_solve)
    np.testing.assert_allclose(root(A, B), np.linalg.solve(A, B), rtol=1e-5)
    check_grads(root, (A, B), order=1, atol=5e-2, rtol=5e-2)


def test_custom_root_aux_and_errors():
    x, aux = lax.custom_root(lambda x: x - 3., 0., lambda f, x0: (x0 - f(x0), jnp.int32(5)),
                             lambda g, y: y / g(1.0), has_aux=True)
    assert float(x) == 3.0 and int(aux) == 5
    with pytest.raises(TypeError, match="f"):
        lax.custom_root(lambda x: (x, x), 0., lambda f, x0: x0, lambda g, y: y)


# --- split, stack, unstack, tile ------------------------------------------------

def test_pieces_values():
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    for got, want in zip(lax.split(x, (1, 2, 3), axis=1), np.split(x, [1, 3], axis=1)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(lax.stack([x, 2 * x], 1), np.stack([x, 2 * x], 1))
    for got, want in zip(lax.unstack(x, 1), np.moveaxis(x, 1, 0)):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(lax.tile(x, (2, 3)), np.tile(x, (2, 3)))
    np.testing.assert_array_equal(lax.tile(x, (0, 1)), np.tile(x, (0, 1)))
    f = jax.jit(lambda x: (lax.split(x, (2, 2)), lax.stack([x, x], -1), lax.unstack(x, -1),
                           lax.tile(x, (1, 2))))
    for got, want in zip(jax.tree_util.tree_leaves(f(x)),
                         jax.tree_util.tree_leaves(f.__wrapped__(x) if hasattr(f, "__wrapped__")
                                                   else (lax.split(x, (2, 2)),
                                                         lax.stack([x, x], -1),
                                                         lax.unstack(x, -1),
                                                         lax.tile(x, (1, 2))))):
        np.testing.assert_array_equal(got, want)
    text = str(jax.make_jaxpr(lambda x: lax.split(x, (2, 2)))(x))
    assert "split[" in text
    assert "tile[" in str(jax.make_jaxpr(lambda x: lax.tile(x, (1, 2)))(x))


def test_pieces_grads_and_vmap():
    x = RNG.normal(size=(3, 4)).astype(np.float32)
    check_grads(lambda x: [p * p for p in lax.split(x, (1, 3), axis=1)], (x,), order=2)
    check_grads(lambda x: lax.stack([x, jnp.sin(x)], 1), (x,), order=2)
    check_grads(lambda x: [u * u for u in lax.unstack(x, 0)], (x,), order=2)
    check_grads(lambda x: lax.tile(x, (2, 3)) ** 2, (x,), order=2)
    xs = RNG.normal(size=(5, 3, 4)).astype(np.float32)
    for f in [lambda x: lax.split(x, (1, 3), axis=1), lambda x: lax.stack([x, 2 * x], 0),
              lambda x: lax.unstack(x, 1), lambda x: lax.tile(x, (2, 1))]:
        for in_axis in (0, 2):
            xb = np.moveaxis(xs, 0, in_axis)
            got = jax.vmap(f, in_axis)(xb)
            want = [f(xs[i]) for i in range(5)]
            for j, g in enumerate(jax.tree_util.tree_leaves(got)):
                np.testing.assert_allclose(
                    g, np.stack([np.asarray(jax.tree_util.tree_leaves(w)[j]) for w in want]))
    got = jax.vmap(lambda x, y: lax.stack([x, y]), (0, None))(xs, x)
    np.testing.assert_array_equal(got, np.stack([np.stack([a, x]) for a in xs]))


def test_pieces_errors():
    with pytest.raises(ValueError, match="Sum of sizes 5 must be equal to dimension 0"):
        lax.split(jnp.arange(6), [2, 3])
    with pytest.raises(TypeError, match="reps length must be equal to the ndim"):
        lax.tile(jnp.ones(3), (1, 2))
    with pytest.raises(ValueError, match="out of bounds"):
        lax.unstack(jnp.float32(1))
    with pytest.raises(TypeError, match="stack"):
        lax.stack([jnp.ones(2), jnp.ones(3)])


# --- misc -------------------------------------------------------------------------

def test_helpers():
    assert lax.broadcast_shapes((2, 1), (3,)) == (2, 3)
    assert lax.broadcast_shapes() == ()
    with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
        lax.broadcast_shapes((2,), (3,))
    y = lax.full_like(jnp.ones(3, jnp.int32), 2.5)
    assert y.dtype == np.int32 and np.array_equal(y, [2, 2, 2])
    w = lax.full_like(1.0, 2)
    assert w.dtype == np.float32 and w.aval.weak_type
    np.testing.assert_array_equal(lax.full_like(jnp.ones(3), 2, shape=(2,)), [2., 2.])
    assert lax.full_like(jnp.ones(3), 1, dtype=jnp.int8).dtype == np.int8
    assert lax.broadcast_to_rank(jnp.ones(3), 3).shape == (1, 1, 3)
    assert lax.broadcast_like(jnp.ones(3), jnp.ones((2, 3))).shape == (2, 3)
    assert lax.dtype(1.0) == np.float32 and lax.dtype(jnp.ones(2, jnp.int8)) == np.int8
    assert lax.dtype("float64") == np.float32   # canonical without x64, as JAX
    e = lax.empty((2, 3), np.float32)
    assert e.shape == (2, 3) and e.dtype == np.float32
    src = np.arange(24).reshape(2, 3, 4)
    got = lax.index_take(src, (np.array([0, -1, 1]), np.array([1, 3, 0])), (0, 2))
    np.testing.assert_array_equal(got, src[[0, 1, 1], :, [1, 3, 0]])
    assert lax.stop_gradient_p.name == "stop_gradient"
    assert float(jax.grad(lambda x: lax.stop_gradient_p.bind(x) * x)(3.0)) == 3.0


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.int16, np.uint32, np.int32])
def test_mulhi(dtype):
    info = np.iinfo(dtype)
    x = RNG.integers(info.min, info.max, size=50, endpoint=True).astype(dtype)
    y = RNG.integers(info.min, info.max, size=50, endpoint=True).astype(dtype)
    x[:4] = [info.min, info.max, info.max, 0]
    y[:4] = [info.min, info.max, info.min, info.max]
    bits = np.dtype(dtype).itemsize * 8
    want = ((x.astype(object) * y.astype(object)) >> bits)
    want = np.array([int(v) % (1 << bits) for v in want], np.uint64).astype(dtype)
    np.testing.assert_array_equal(lax.mulhi(x, y), want)
    np.testing.assert_array_equal(jax.jit(lax.mulhi)(x, y), want)
    np.testing.assert_array_equal(jax.vmap(lax.mulhi)(x, y), want)
    with pytest.raises(TypeError, match="mulhi"):
        lax.mulhi(np.float32(1), np.float32(2))


def test_optimization_barrier_and_copy():
    tree = (1.0, jnp.arange(3.))
    out = lax.optimization_barrier(tree)
    assert out[0].aval.weak_type and np.array_equal(out[1], [0., 1., 2.])
    assert "optimization_barrier" in jax.jit(lambda x: lax.optimization_barrier(x) * 2) \
        .lower(jnp.ones(2)).as_text()
    x = RNG.normal(size=(3,)).astype(np.float32)
    check_grads(lambda x: lax.optimization_barrier((x * x, jnp.sin(x))), (x,), order=2)
    np.testing.assert_allclose(jax.vmap(lambda x: lax.optimization_barrier(x * 2))(x), 2 * x)
    np.testing.assert_array_equal(lax.copy_p.bind(x), x)
    check_grads(lambda x: lax.copy_p.bind(x) ** 2, (x,), order=1)


def test_approx_top_k():
    x = RNG.normal(size=(4, 7)).astype(np.float32)
    for dim in (1, 0, -1):
        vals, idx = lax.approx_max_k(x, 3, reduction_dimension=dim)
        order = np.argsort(-x, axis=dim, kind="stable")
        np.testing.assert_array_equal(idx, np.take(order, range(3), axis=dim))
        np.testing.assert_array_equal(vals, np.take_along_axis(x, np.asarray(idx), dim))
        vals, idx = lax.approx_min_k(x, 2, reduction_dimension=dim)
        np.testing.assert_array_equal(vals, np.take(np.sort(x, axis=dim), range(2), axis=dim))
    ints = np.array([5, -128, 127, 0], np.int8)
    vals, idx = lax.approx_min_k(ints, 2)
    np.testing.assert_array_equal(vals, [-128, 0])
    np.testing.assert_array_equal(idx, [1, 3])
    check_grads(lambda x: lax.approx_max_k(x, 3)[0], (x,), order=2)
    got = jax.vmap(lambda r: lax.approx_min_k(r, 2)[0], 1)(x)
    np.testing.assert_array_equal(got, np.stack([np.sort(x[:, j])[:2] for j in range(7)]))
    with pytest.raises(ValueError, match="k must be smaller"):
        lax.approx_max_k(jnp.ones(3), 4)


def test_rng_bit_generator_matches_jax():
    key = jnp.array([1, 2, 3, 4], jnp.uint32)
    new, bits = lax.rng_bit_generator(key, (5,))
    # recorded from JAX 0.10.2 on CPU
    np.testing.assert_array_equal(new, [1, 2, 5, 4])
    np.testing.assert_array_equal(bits, [512747620, 1298009047, 1267190206, 761827841,
                                         1383286907])
    _, small = lax.rng_bit_generator(key, (3,), jnp.uint8, lax.RandomAlgorithm.RNG_THREE_FRY)
    np.testing.assert_array_equal(small, [236, 142, 168])
    assert small.dtype == np.uint8
    new, _ = lax.rng_bit_generator(key, (3,), algorithm=lax.RandomAlgorithm.RNG_PHILOX)
    np.testing.assert_array_equal(new, [1, 2, 4, 4])
    jitted = jax.jit(lambda k: lax.rng_bit_generator(k, (5,)))(key)[1]
    np.testing.assert_array_equal(jitted, bits)
    with pytest.raises(TypeError, match="unsupported dtype"):
        lax.rng_bit_generator(key, (2,), jnp.int32)
    with pytest.raises(TypeError, match="key"):
        lax.rng_bit_generator(jnp.ones(4), (2,))
    assert str(lax.RandomAlgorithm.RNG_PHILOX) == "RNG_PHILOX"


def test_rng_uniform_platform_dependent_axis_size():
    r = lax.rng_uniform(np.float32(2.), np.float32(3.), (100,))
    assert r.shape == (100,) and r.dtype == np.float32
    assert np.all((np.asarray(r) >= 2.) & (np.asarray(r) < 3.))
    with pytest.raises(ValueError, match="identical dtypes"):
        lax.rng_uniform(np.float32(0), np.int32(1), (2,))
    assert float(lax.platform_dependent(2., cpu=lambda x: x + 1, default=lambda x: x)) == 3.
    assert float(lax.platform_dependent(2., tpu=lambda x: x + 1, default=lambda x: x)) == 2.
    with pytest.raises(ValueError, match="cuda"):
        lax.platform_dependent(1., gpu=lambda x: x)
    with pytest.raises(NotImplementedError):
        lax.platform_dependent(1., tpu=lambda x: x)
    got = jax.vmap(lambda x: x * lax.axis_size("i"), axis_name="i")(jnp.ones(3))
    np.testing.assert_array_equal(got, [3., 3., 3.])


def test_cond_old_five_argument_form():
    f = lambda p: lax.cond(p, 1., lambda x: x + 1, 2., lambda x: x * 10)
    assert float(f(True)) == 2.0 and float(f(False)) == 20.0
    assert float(jax.jit(f)(False)) == 20.0
    assert float(jax.grad(lambda a: lax.cond(True, a, jnp.sin, a, jnp.cos))(0.5)) == \
        pytest.approx(np.cos(0.5))
    with pytest.raises(TypeError, match="should be callable"):
        lax.cond(True, 1., 2., 3.)


# --- ragged_dot and the dot-algorithm names ------------------------------------------

def _ragged_reference(lhs, rhs, sizes):
    out = np.zeros((lhs.shape[0], rhs.shape[2]), np.float64)
    start = 0
    for g, n in enumerate(sizes):
        out[start:start + n] = lhs[start:start + n].astype(np.float64) @ rhs[g]
        start += n
    return out


def test_ragged_dot():
    lhs = RNG.normal(size=(7, 3)).astype(np.float32)
    rhs = RNG.normal(size=(3, 3, 2)).astype(np.float32)
    for sizes in ([2, 0, 4], [7, 0, 0], [1, 1, 1]):   # the last leaves rows 3.. at zero
        gs = np.array(sizes, np.int32)
        np.testing.assert_allclose(lax.ragged_dot(lhs, rhs, gs),
                                   _ragged_reference(lhs, rhs, sizes), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(jax.jit(lax.ragged_dot)(lhs, rhs, gs),
                                   _ragged_reference(lhs, rhs, sizes), rtol=1e-5, atol=1e-6)
    gs = np.array([2, 0, 4], np.int32)
    check_grads(lambda l, r: lax.ragged_dot(l, r, gs), (lhs, rhs), order=2)
    lhss = RNG.normal(size=(4, 7, 3)).astype(np.float32)
    got = jax.vmap(lambda l: lax.ragged_dot(l, rhs, gs))(lhss)
    np.testing.assert_allclose(got, np.stack([_ragged_reference(l, rhs, [2, 0, 4])
                                              for l in lhss]), rtol=1e-5, atol=1e-6)
    assert lax.ragged_dot(lhs, rhs, gs, preferred_element_type=jnp.float32).dtype == np.float32
    with pytest.raises(TypeError, match="expected rhs group dimension size to be 2, got 3"):
        lax.ragged_dot(lhs, rhs, np.array([1, 2], np.int32))
    with pytest.raises(TypeError, match="group_sizes.dtype"):
        lax.ragged_dot(lhs, rhs, np.array([1., 2., 3.], np.float32))
    dims = lax.RaggedDotDimensionNumbers((((1,), (1,)), ((), ())), [0], [0])
    assert dims.lhs_ragged_dimensions == (0,)
    np.testing.assert_allclose(lax.ragged_dot_general(lhs, rhs, gs, dims),
                               lax.ragged_dot(lhs, rhs, gs))


def test_dot_algorithm_names():
    assert [m.name for m in lax.AccuracyMode] == ["HIGHEST", "DEFAULT"]
    assert len(lax.DotAlgorithmPreset) == 16
    assert lax.DotAlgorithmPreset.F32_F32_F32.name == "F32_F32_F32"
    alg = lax.DotAlgorithm("float32", "float32", "float32")
    assert alg.lhs_component_count == 1 and not alg.allow_imprecise_accumulation
    t = lax.Tolerance(atol=1e-3)
    assert (t.atol, t.rtol, t.ulps) == (1e-3, 0.0, 0)
    with pytest.raises(ValueError, match="non-negative"):
        lax.Tolerance(atol=-1.0)


def test_total_order_comparisons_and_stage():
    x = np.array([np.nan, -0., 0., 1., -np.inf], np.float32)
    y = np.array([np.nan, 0., -0., 1., np.nan], np.float32)
    # recorded from JAX 0.10.2 (IEEE total order: nan == nan, -0.0 < 0.0)
    np.testing.assert_array_equal(lax.eq_to_p.bind(x, y), [True, False, False, True, False])
    np.testing.assert_array_equal(lax.le_to_p.bind(x, y), [True, True, False, True, True])
    np.testing.assert_array_equal(lax.lt_to_p.bind(x, y), [False, True, False, False, True])
    assert bool(lax.le_to_p.bind(np.int32(-3), np.int32(2)))
    np.testing.assert_array_equal(jax.vmap(lax.lt_to_p.bind)(x, y), lax.lt_to_p.bind(x, y))
    s = lax.stage(np.ones(2, np.float32))
    assert isinstance(s, jax.Array) and np.array_equal(s, [1., 1.])
    assert float(jax.grad(lambda v: lax.stage(v) * 3.)(2.)) == 3.
    assert float(jax.jit(lambda v: lax.stage(1.5) * v)(2.)) == 3.


def test_dce_sink_and_composite():
    assert lax.dce_sink(jnp.ones(2)) is None
    text = str(jax.make_jaxpr(lambda x: (lax.dce_sink(x * 3), x * 2)[1])(1.))
    assert "dce_sink" in text and "mul" in text
    assert float(jax.jit(lambda x: (lax.dce_sink(x), x * 2)[1])(1.)) == 2.
    assert float(jax.grad(lambda x: (lax.dce_sink(x), x * x)[1])(3.)) == 6.
    np.testing.assert_array_equal(
        jax.vmap(lambda x: (lax.dce_sink(x), x + 1)[1])(np.arange(3.)), [1., 2., 3.])
    f = lax.composite(lambda x, *, n: x ** n, "my.pow")
    assert float(f(2., n=3)) == 8. and float(jax.grad(lambda x: f(x, n=3))(2.)) == 12.
    with pytest.raises(TypeError, match="callable"):
        lax.composite(3, "bad")
