"""Products: einsum strings vs numpy.einsum, matmul batching and broadcasting,
dot_general's dtype rules and errors, lowering."""
import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import lax

F32, I32 = np.dtype(np.float32), np.dtype(np.int32)


def _rand(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def _close(actual, expected):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=1e-5, atol=1e-5)


# --- einsum --------------------------------------------------------------------

EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ba,ca", [(2, 3), (4, 3)]),          # implicit output is alphabetical: "bc"
    ("i,i->", [(3,), (3,)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ij->ji", [(2, 3)]),
    ("ij->", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("iij->ij", [(3, 3, 2)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (4, 5)]),
    ("...i,...i", [(2, 3), (1, 3)]),
    ("i...,i...->...", [(3, 2), (3, 2)]),
    ("ijk,jl,lk->i", [(2, 3, 4), (3, 5), (5, 4)]),
    ("a,ab,bc,cd->d", [(2,), (2, 3), (3, 4), (4, 5)]),
    ("ij,ij,ij->i", [(2, 3), (2, 3), (2, 3)]),
    ("ij,kj->ik", [(2, 3), (1, 3)]),
    ("ab,ab->ba", [(2, 3), (2, 3)]),
]


@pytest.mark.parametrize("spec, shapes", EINSUM_CASES, ids=[c[0] for c in EINSUM_CASES])
def test_einsum_matches_numpy(rng, spec, shapes):
    ops = [_rand(rng, *s) for s in shapes]
    out = jnp.einsum(spec, *ops)
    expected = np.einsum(spec, *ops)
    assert out.shape == expected.shape
    _close(out, expected)


def test_einsum_interleaved_form_and_jit(rng):
    a, b = _rand(rng, 2, 3), _rand(rng, 3, 4)
    _close(jnp.einsum(a, [0, 1], b, [1, 2], [0, 2]), a @ b)
    _close(gb.jit(lambda a, b: jnp.einsum("ij,jk->ki", a, b))(a, b), (a @ b).T)


def test_einsum_dtypes():
    i8 = np.ones((2, 3), np.int8)
    assert jnp.einsum("ij,jk", i8, i8.T).dtype == np.int8
    assert jnp.einsum("ij,jk", i8, np.ones((3, 2), np.float32)).dtype == F32
    out = jnp.einsum("i,i", np.array([True, False]), np.array([True, True]))
    assert out.dtype == np.bool_ and bool(out)
    assert jnp.einsum("ij->", np.ones((2, 2), np.float32), preferred_element_type=np.int32
                      ).dtype == I32


def test_einsum_errors():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match="name 2 operands but 1"):
        jnp.einsum("ij,jk", x)
    with pytest.raises(ValueError, match="label 'j' differs between operands: 3 != 4"):
        jnp.einsum("ij,jk", x, np.ones((4, 2), np.float32))
    with pytest.raises(ValueError, match="have 3 labels but the operand has rank 2"):
        jnp.einsum("ijk", x)
    with pytest.raises(ValueError, match="does not appear in the inputs"):
        jnp.einsum("ij->iz", x)


def test_einsum_path_reports_pairwise_order():
    ops = [np.ones(s, np.float32) for s in [(2, 3), (3, 4), (4, 2)]]
    path, _ = jnp.einsum_path("ab,bc,cd->ad", *ops)
    assert path[0] == "einsum_path" and len(path) == 3


def test_einsum_lowers_to_dot_general(rng):
    a, b = _rand(rng, 2, 3), _rand(rng, 3, 4)
    jaxpr = str(gb.make_jaxpr(lambda a, b: jnp.einsum("ij,jk->ik", a, b))(a, b))
    assert "dot_general" in jaxpr


# --- matmul --------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((5, 2, 3), (3, 4)), ((3,), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)),
    ((1, 2, 3), (6, 3, 4)), ((6, 1, 2, 3), (5, 3, 4)), ((2, 1, 2, 3), (1, 4, 3, 2)),
    ((0, 2, 3), (3, 4)), ((2, 0), (0, 3)),
]


@pytest.mark.parametrize("sa, sb", MATMUL_SHAPES, ids=[f"{a}@{b}" for a, b in MATMUL_SHAPES])
def test_matmul_batching_and_broadcasting(rng, sa, sb):
    a, b = _rand(rng, *sa), _rand(rng, *sb)
    out = jnp.matmul(a, b)
    expected = np.matmul(a, b)
    assert out.shape == expected.shape
    _close(out, expected)


def test_matmul_operator_and_jit(rng):
    a, b = gb.device_put(_rand(rng, 2, 3)), gb.device_put(_rand(rng, 3, 2))
    _close(a @ b, np.asarray(a) @ np.asarray(b))
    _close(gb.jit(jnp.matmul)(a, b), np.asarray(a) @ np.asarray(b))


def test_matmul_errors_name_the_shapes():
    with pytest.raises(TypeError, match=r"matmul: contracting dimension .*\(2, 3\).*\(4, 5\).*"
                                        r"3 != 4"):
        jnp.matmul(np.ones((2, 3)), np.ones((4, 5)))
    with pytest.raises(ValueError, match="Incompatible shapes for matmul arguments"):
        jnp.matmul(np.ones((2, 2, 3)), np.ones((3, 3, 4)))
    with pytest.raises(ValueError, match="must have ndim at least 1"):
        jnp.matmul(np.float32(2), np.ones(3))


def test_matmul_dtype_rules():
    i = np.ones((2, 2), np.int32)
    f = np.ones((2, 2), np.float32)
    assert jnp.matmul(i, f).dtype == F32
    assert jnp.matmul(i, i).dtype == I32
    assert jnp.matmul(np.ones((2, 2), np.float16), np.ones((2, 2), np.float16)).dtype == \
        np.float16
    assert jnp.matmul(i, i, preferred_element_type=np.float32).dtype == F32
    b = np.array([[True, False], [False, False]])
    np.testing.assert_array_equal(np.asarray(jnp.matmul(b, b)), np.matmul(b, b))


# --- dot, tensordot and friends -------------------------------------------------

def test_dot_weak_type_follows_operands():
    assert jnp.dot(2.0, 3.0).weak_type
    assert not jnp.dot(np.float32(2.0), 3.0).weak_type
    assert jnp.dot(2.0, 3.0).dtype == F32


def test_dot_and_tensordot_errors():
    with pytest.raises(TypeError, match="not aligned"):
        jnp.dot(np.ones((2, 3)), np.ones((4,)))
    with pytest.raises(TypeError, match="exceeds input ranks"):
        jnp.tensordot(np.ones(3), np.ones(3), 2)
    with pytest.raises(TypeError, match="equal length"):
        jnp.tensordot(np.ones((2, 3)), np.ones((3, 2)), ([0, 1], [1]))


def test_vdot_conjugates_and_inner_outer(rng):
    a = (rng.standard_normal(3) + 1j * rng.standard_normal(3)).astype(np.complex64)
    b = (rng.standard_normal(3) + 1j * rng.standard_normal(3)).astype(np.complex64)
    _close(jnp.vdot(a, b), np.vdot(a, b))
    x, y = _rand(rng, 2, 3), _rand(rng, 4, 3)
    _close(jnp.inner(x, y), np.inner(x, y))
    _close(jnp.outer(x, y), np.outer(x, y))
    _close(jnp.kron(x, y), np.kron(x, y))


# --- lax.dot_general --------------------------------------------------------------

def test_dot_general_output_order_is_batch_lhs_rhs(rng):
    x, y = _rand(rng, 3, 2, 4), _rand(rng, 5, 4, 2)
    out = lax.dot_general(x, y, (((2,), (1,)), ((1,), (2,))))
    assert out.shape == (2, 3, 5)
    _close(out, np.einsum("ibk,jkb->bij", x, y))


def test_dot_general_dtype_rules():
    i8 = np.ones(3, np.int8)
    f32 = np.ones(3, np.float32)
    dims = (((0,), (0,)), ((), ()))
    assert lax.dot_general(i8, f32, dims).dtype == F32
    assert lax.dot_general(i8, i8, dims, preferred_element_type=np.int32).dtype == I32
    assert int(lax.dot_general(i8, i8, dims, preferred_element_type=np.int32)) == 3
    # XLA's "higher precision type" order: signed beats unsigned of the same width.
    assert lax.dot_general(np.ones(3, np.uint32), np.ones(3, np.int32), dims).dtype == I32
    with pytest.raises(TypeError, match="must not be narrower"):
        lax.dot_general(np.ones(3, np.int32), np.ones(3, np.int32), dims,
                        preferred_element_type=np.int8)


def test_dot_general_shape_errors():
    x, y = np.ones((2, 3), np.float32), np.ones((4, 3), np.float32)
    with pytest.raises(TypeError, match=r"contracting dimensions to have the same shape, "
                                        r"got \(2,\) and \(4,\)"):
        lax.dot_general(x, y, (((0,), (0,)), ((), ())))
    with pytest.raises(TypeError, match="batch dimensions to have the same shape"):
        lax.dot_general(x, y, (((1,), (1,)), ((0,), (0,))))
    with pytest.raises(TypeError, match="out of bounds"):
        lax.dot_general(x, y, (((2,), (1,)), ((), ())))
    with pytest.raises(TypeError, match="dimension_numbers must be"):
        lax.dot_general(x, y, ((1, 1), ()))


def test_dot_general_lowering_text():
    x = np.ones((2, 3, 4), np.float32)
    text = gb.jit(lambda a, b: lax.dot_general(a, b, (((2,), (2,)), ((0,), (0,))))
                  ).lower(x, x).as_text()
    assert "stablehlo.dot_general" in text
    assert ("lhs_batching_dimensions = [0], rhs_batching_dimensions = [0], "
            "lhs_contracting_dimensions = [2], rhs_contracting_dimensions = [2]") in text


def test_lax_dot_and_batch_matmul(rng):
    a, b = _rand(rng, 2, 3), _rand(rng, 3, 4)
    _close(lax.dot(a, b), a @ b)
    with pytest.raises(TypeError, match="incompatible shapes"):
        lax.dot(a, a)
    x, y = _rand(rng, 2, 3, 4), _rand(rng, 2, 4, 5)
    _close(lax.batch_matmul(x, y), x @ y)


# --- differentiation ---------------------------------------------------------------

def test_jacobians_of_matmul(rng):
    a, b = _rand(rng, 2, 3), _rand(rng, 3, 4)
    # d(a @ b)[i, j] / d a[k, l] = [i == k] b[l, j];  d(a @ b)[i, j] / d b[k, l] = a[i, k] [j == l]
    ja, jb = gb.jacrev(jnp.matmul, argnums=(0, 1))(a, b)
    _close(ja, np.einsum("ik,lj->ijkl", np.eye(2), b))
    _close(jb, np.einsum("ik,jl->ijkl", a, np.eye(4)))
    fa, fb = gb.jacfwd(jnp.matmul, argnums=(0, 1))(a, b)
    _close(fa, ja)
    _close(fb, jb)


def test_vjp_of_dot_general_with_batch_and_permuted_dims(rng):
    # lhs (k, b, m), rhs (n, k, b): contract k, batch b; result (b, m, n)
    x, y = _rand(rng, 4, 2, 3), _rand(rng, 5, 4, 2)
    dims = (((0,), (1,)), ((1,), (2,)))
    out, pullback = gb.vjp(lambda p, q: lax.dot_general(p, q, dims), x, y)
    ct = _rand(rng, *out.shape)
    gx, gy = pullback(ct)
    _close(gx, np.einsum("bmn,nkb->kbm", ct, y))
    _close(gy, np.einsum("bmn,kbm->nkb", ct, x))


def test_linear_transpose_of_dot(rng):
    b = _rand(rng, 3, 4)
    ct = _rand(rng, 2, 4)
    (transposed,) = gb.linear_transpose(lambda a: a @ b, np.zeros((2, 3), np.float32))(ct)
    _close(transposed, ct @ b.T)


def test_grad_of_mixed_dtype_dot_keeps_each_operands_dtype(rng):
    a = _rand(rng, 3).astype(np.float16)
    b = _rand(rng, 3)
    ga, gb_ = gb.grad(lambda p, q: lax.dot(p, q), argnums=(0, 1))(a, b)
    assert ga.dtype == np.float16 and gb_.dtype == F32
    _close(ga.astype(np.float32), b.astype(np.float16).astype(np.float32))
    gp = gb.grad(lambda p: lax.dot_general(p, p, (((0,), (0,)), ((), ())),
                                           preferred_element_type=np.float32))(a)
    assert gp.dtype == np.float16


def test_hessian_of_quadratic_form(rng):
    m = _rand(rng, 3, 3)
    x = _rand(rng, 3)
    _close(gb.hessian(lambda v: v @ m @ v)(x), m + m.T)


def test_grad_of_einsum_and_trace(rng):
    a, b = _rand(rng, 2, 3), _rand(rng, 3, 2)
    _close(gb.grad(lambda p: jnp.einsum("ij,jk->", p, b))(a), np.broadcast_to(b.sum(1), (2, 3)))
    _close(gb.grad(jnp.trace)(_rand(rng, 3, 3)), np.eye(3))


# --- vmap ---------------------------------------------------------------------------

def test_vmap_dot_general_batch_dims_on_different_axes(rng):
    x, y = _rand(rng, 3, 5, 4), _rand(rng, 4, 2, 5)  # vmap axis: x's 1, y's 2 (size 5)
    out = gb.vmap(jnp.matmul, in_axes=(1, 2))(x, y)
    _close(out, np.einsum("ivk,kjv->vij", x, y))
    jaxpr = str(gb.make_jaxpr(gb.vmap(jnp.matmul, in_axes=(1, 2)))(x, y))
    assert "transpose" not in jaxpr   # the vmapped axis became a dot_general batch dim


@pytest.mark.parametrize("in_axes", [(0, None), (1, None), (None, 0), (None, 1), (2, 1)])
def test_vmap_dot_general_one_or_both_batched(rng, in_axes):
    shapes = {0: (5, 3, 4), 1: (3, 5, 4), 2: (3, 4, 5), None: (3, 4)}
    rshapes = {0: (5, 4, 2), 1: (4, 5, 2), None: (4, 2)}
    x, y = _rand(rng, *shapes[in_axes[0]]), _rand(rng, *rshapes[in_axes[1]])
    # a batched lax.dot_general with batch dims: operands (b, m, k) and (b, k, n)
    f = lambda p, q: lax.dot_general(p, q, (((1,), (0,)), ((), ())))  # noqa: E731
    out = gb.vmap(f, in_axes=in_axes)(x, y)
    expected = np.stack([np.take(x, i, in_axes[0]) if in_axes[0] is not None else x
                         for i in range(5)]) @ np.stack(
        [np.take(y, i, in_axes[1]) if in_axes[1] is not None else y for i in range(5)])
    _close(out, expected)


def test_vmap_of_batched_dot_general_and_per_example_grads(rng):
    x, y = _rand(rng, 4, 2, 3, 5), _rand(rng, 2, 5, 6)
    dims = (((2,), (1,)), ((0,), (0,)))   # per example: (b, m, k) @ (b, k, n)
    f = lambda p, q: lax.dot_general(p, q, dims)  # noqa: E731
    _close(gb.vmap(f, in_axes=(2, None))(x.transpose(1, 2, 0, 3), y),
           np.einsum("vbmk,bkn->vbmn", x, y))
    w = _rand(rng, 3, 2)
    grads = gb.vmap(gb.grad(lambda v: (v @ w).sum()))(_rand(rng, 4, 3))
    _close(grads, np.broadcast_to(w.sum(1), (4, 3)))
