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
