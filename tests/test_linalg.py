"""glassbox.numpy.linalg and glassbox.lax.linalg against NumPy/SciPy.

Factorizations are checked by reconstruction (they are unique only up to signs
or phases), everything else by value. Each check runs eagerly and under jit,
on single matrices and on batches (leading dimensions).
"""
import warnings

import numpy as np
import pytest
import scipy.linalg

import glassbox
import glassbox.numpy as jnp
from glassbox import lax

F32, F64, C64 = np.float32, np.float64, np.complex64
TOL = {F32: 2e-4, F64: 1e-10, C64: 2e-4, np.complex128: 1e-10}
SHAPES = [(3, 3), (2, 4, 4)]            # a single matrix and a batch
RECT = [(4, 3), (3, 5), (2, 5, 3)]      # tall, wide, a batch


def _rand(rng, shape, dtype):
    x = rng.standard_normal(shape)
    if np.issubdtype(dtype, np.complexfloating):
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


def _spd(rng, shape, dtype):
    a = _rand(rng, shape, dtype)
    n = shape[-1]
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + n * np.eye(n)).astype(dtype)


def _herm(rng, shape, dtype):
    a = _rand(rng, shape, dtype)
    return ((a + np.conj(np.swapaxes(a, -1, -2))) / 2).astype(dtype)


def _H(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _close(actual, expected, dtype, scale=1.0):
    tol = TOL[np.dtype(dtype).type] * scale
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=tol, atol=tol)


def _both(fn):
    """The function eagerly and jitted."""
    return [("eager", fn), ("jit", glassbox.jit(fn))]


@pytest.fixture(params=[F32, F64, C64], ids=["f32", "f64", "c64"])
def dtype(request):
    if request.param == F64:
        with glassbox.config.override(enable_x64=True):
            yield request.param
    else:
        yield request.param


# --- factorizations (reconstruction) --------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_cholesky(rng, dtype, shape):
    a = _spd(rng, shape, dtype)
    for mode, f in _both(jnp.linalg.cholesky):
        L = np.asarray(f(a))
        assert L.dtype == dtype, mode
        np.testing.assert_array_equal(np.triu(L, 1), 0)
        _close(L @ _H(L), a, dtype, scale=10)
        _close(L, np.linalg.cholesky(a), dtype, scale=10)


def test_cholesky_of_indefinite_matrix_is_nan():
    out = np.asarray(jnp.linalg.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)))
    assert np.isnan(out[np.tril_indices(2)]).all()


@pytest.mark.parametrize("shape", RECT + [(3, 3)])
@pytest.mark.parametrize("mode", ["reduced", "complete"])
def test_qr(rng, dtype, shape, mode):
    a = _rand(rng, shape, dtype)
    for how, f in _both(lambda x: jnp.linalg.qr(x, mode=mode)):
        q, r = (np.asarray(t) for t in f(a))
        nq, nr = np.linalg.qr(a, mode=mode)
        assert q.shape == nq.shape and r.shape == nr.shape, how
        np.testing.assert_array_equal(np.tril(r, -1), 0)
        _close(q @ r, a, dtype, scale=10)
        k = q.shape[-1]
        _close(_H(q) @ q, np.broadcast_to(np.eye(k), q.shape[:-2] + (k, k)), dtype, scale=10)


def test_qr_mode_r_and_raw(rng):
    a = _rand(rng, (5, 3), F32)
    r = jnp.linalg.qr(a, mode="r")
    _close(np.abs(np.asarray(r)), np.abs(np.linalg.qr(a, mode="r")), F32, scale=10)
    h, tau = jnp.linalg.qr(a, mode="raw")
    nh, ntau = np.linalg.qr(a, mode="raw")
    _close(np.asarray(h), nh, F32, scale=10)
    _close(np.asarray(tau), ntau, F32, scale=10)
    with pytest.raises(ValueError, match="mode"):
        jnp.linalg.qr(a, mode="economic")


@pytest.mark.parametrize("shape", SHAPES)
def test_eigh(rng, dtype, shape):
    a = _herm(rng, shape, dtype)
    real = np.finfo(dtype).dtype
    for mode, f in _both(jnp.linalg.eigh):
        w, v = (np.asarray(t) for t in f(a))
        assert w.dtype == real and v.dtype == dtype, mode
        _close(w, np.linalg.eigvalsh(a), dtype, scale=10)
        recon = v @ (w[..., :, None] * _H(v))
        _close(recon, a, dtype, scale=10)
    _close(jnp.linalg.eigvalsh(a), np.linalg.eigvalsh(a), dtype, scale=10)


def test_eigh_uplo_reads_one_triangle(rng):
    a = _herm(rng, (4, 4), F32)
    lower_only = np.tril(a) + np.triu(rng.standard_normal((4, 4)), 1).astype(F32)
    w, _ = jnp.linalg.eigh(lower_only, UPLO="L", symmetrize_input=False)
    _close(w, np.linalg.eigvalsh(a), F32, scale=10)
    upper_only = np.triu(a) + np.tril(rng.standard_normal((4, 4)), -1).astype(F32)
    w, _ = jnp.linalg.eigh(upper_only, UPLO="U", symmetrize_input=False)
    _close(w, np.linalg.eigvalsh(upper_only, UPLO="U"), F32, scale=10)
    # As in JAX, eigvalsh symmetrizes its input, so UPLO does not matter there.
    _close(jnp.linalg.eigvalsh(upper_only, UPLO="U"),
           np.linalg.eigvalsh((upper_only + upper_only.T) / 2), F32, scale=10)
    with pytest.raises(ValueError, match="UPLO"):
        jnp.linalg.eigh(a, UPLO="X")


def _match_eigenvalues(w, expected, dtype):
    """Eigenvalues come in LAPACK's order: match each expected one to the nearest."""
    w, expected = np.asarray(w).reshape(-1, w.shape[-1]), expected.reshape(-1, w.shape[-1])
    for got_row, want_row in zip(w, expected):
        nearest = np.abs(got_row[:, None] - want_row[None, :]).min(axis=0)
        assert nearest.max() < TOL[np.dtype(dtype).type] * 50, (got_row, want_row)


@pytest.mark.parametrize("shape", SHAPES)
def test_eig(rng, dtype, shape):
    a = _rand(rng, shape, dtype)
    cdtype = np.complex128 if dtype == F64 else np.complex64
    for mode, f in _both(jnp.linalg.eig):
        w, v = (np.asarray(t) for t in f(a))
        assert w.dtype == cdtype and v.dtype == cdtype, mode
        _match_eigenvalues(w, np.linalg.eigvals(a), dtype)
        _close(a @ v, v * w[..., None, :], dtype, scale=50)
    _match_eigenvalues(np.asarray(jnp.linalg.eigvals(a)), np.linalg.eigvals(a), dtype)
    w, vl, vr = (np.asarray(t) for t in lax.linalg.eig(a))
    _close(_H(vl) @ a, w[..., :, None] * _H(vl), dtype, scale=50)


@pytest.mark.parametrize("shape", RECT + [(3, 3)])
@pytest.mark.parametrize("full_matrices", [True, False])
def test_svd(rng, dtype, shape, full_matrices):
    a = _rand(rng, shape, dtype)
    for mode, f in _both(lambda x: jnp.linalg.svd(x, full_matrices=full_matrices)):
        u, s, vh = (np.asarray(t) for t in f(a))
        nu, ns, nvh = np.linalg.svd(a, full_matrices=full_matrices)
        assert (u.shape, s.shape, vh.shape) == (nu.shape, ns.shape, nvh.shape), mode
        assert s.dtype == np.finfo(dtype).dtype
        _close(s, ns, dtype, scale=10)
        k = s.shape[-1]
        _close((u[..., :, :k] * s[..., None, :]) @ vh[..., :k, :], a, dtype, scale=10)
    _close(jnp.linalg.svd(a, compute_uv=False), np.linalg.svd(a, compute_uv=False), dtype, 10)
    _close(jnp.linalg.svdvals(a), np.linalg.svd(a, compute_uv=False), dtype, 10)


def test_svd_hermitian(rng):
    a = _herm(rng, (4, 4), F32)
    u, s, vh = (np.asarray(t) for t in jnp.linalg.svd(a, hermitian=True))
    _close(s, np.linalg.svd(a, compute_uv=False), F32, scale=10)
    _close((u * s[None, :]) @ vh, a, F32, scale=10)


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3), (4, 3), (3, 5)])
def test_lax_lu(rng, dtype, shape):
    a = _rand(rng, shape, dtype)
    for mode, f in _both(lax.linalg.lu):
        lu, piv, perm = (np.asarray(t) for t in f(a))
        m, n = shape[-2:]
        k = min(m, n)
        assert piv.shape == shape[:-2] + (k,) and perm.shape == shape[:-2] + (m,), mode
        l = np.tril(lu, -1)[..., :, :k] + np.eye(m, k)
        u = np.triu(lu)[..., :k, :]
        _close(l @ u, np.take_along_axis(a, perm[..., :, None], axis=-2), dtype, scale=10)
        flat_a = a.reshape((-1,) + shape[-2:])
        for i, piv_i in enumerate(piv.reshape(-1, k)):
            _, scipy_piv = scipy.linalg.lu_factor(flat_a[i])
            np.testing.assert_array_equal(piv_i, scipy_piv[:k])


def test_lax_triangular_solve(rng, dtype):
    a = np.tril(_rand(rng, (2, 4, 4), dtype)) + 4 * np.eye(4, dtype=dtype)
    b = _rand(rng, (2, 4, 3), dtype)
    for mode, f in _both(lambda a, b: lax.linalg.triangular_solve(a, b, left_side=True,
                                                                  lower=True)):
        _close(a @ np.asarray(f(a, b)), b, dtype, scale=10)
    x = lax.linalg.triangular_solve(a, _H(b), left_side=False, lower=True, transpose_a=True,
                                    conjugate_a=True)
    _close(np.asarray(x) @ _H(a), _H(b), dtype, scale=10)
    x = lax.linalg.triangular_solve(a, b[..., 0], left_side=True, lower=True)  # vector b
    _close(np.einsum("bij,bj->bi", a, np.asarray(x)), b[..., 0], dtype, scale=10)


# --- solving, inverses, determinants --------------------------------------

@pytest.mark.parametrize("shape", SHAPES)
def test_solve_and_inv(rng, dtype, shape):
    a = _rand(rng, shape, dtype) + 3 * np.eye(shape[-1], dtype=dtype)
    b = _rand(rng, shape[:-1] + (2,), dtype)
    for mode, f in _both(jnp.linalg.solve):
        _close(f(a, b), np.linalg.solve(a, b), dtype, scale=10)
    _close(jnp.linalg.solve(a, b[..., 0]), np.linalg.solve(a, b[..., :1])[..., 0], dtype, 10)
    for mode, f in _both(jnp.linalg.inv):
        _close(f(a), np.linalg.inv(a), dtype, scale=10)


def test_solve_broadcasts_batch_dims(rng):
    a = _rand(rng, (3, 3), F32) + 3 * np.eye(3, dtype=F32)
    b = _rand(rng, (2, 3, 4), F32)
    _close(jnp.linalg.solve(a, b), np.linalg.solve(a, b), F32, scale=10)
    a2 = _rand(rng, (2, 1, 3, 3), F32) + 3 * np.eye(3, dtype=F32)
    b2 = _rand(rng, (2, 5, 3), F32)   # one dimension fewer than a: a batch of vectors
    _close(jnp.linalg.solve(a2, b2), np.linalg.solve(a2, b2[..., None])[..., 0], F32, 10)


def test_inv_errors():
    with pytest.raises(ValueError, match=r"inv.*\[\.\.\., n, n\].*\(2, 3\)"):
        jnp.linalg.inv(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="inv"):
        jnp.linalg.inv(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="solve"):
        jnp.linalg.solve(np.eye(3, dtype=np.float32), np.ones(4, np.float32))


def test_integer_inputs_are_promoted():
    a = np.array([[2, 1], [1, 3]])
    out = jnp.linalg.inv(a)
    assert out.dtype == np.float32
    _close(out, np.linalg.inv(a), F32)


@pytest.mark.parametrize("n", [2, 3, 4])   # closed forms for 2x2 and 3x3, LU beyond
def test_det_and_slogdet(rng, dtype, n):
    a = _rand(rng, (2, n, n), dtype)
    for mode, f in _both(jnp.linalg.det):
        _close(f(a), np.linalg.det(a), dtype, scale=50)
    sign, logdet = jnp.linalg.slogdet(a)
    nsign, nlogdet = np.linalg.slogdet(a)
    _close(sign, nsign, dtype, scale=50)
    _close(logdet, nlogdet, dtype, scale=50)


def test_slogdet_of_singular_matrix():
    sign, logdet = jnp.linalg.slogdet(np.ones((4, 4), np.float32))
    assert float(sign) == 0.0 and float(logdet) == -np.inf
    assert float(jnp.linalg.det(np.ones((4, 4), np.float32))) == 0.0


def test_matrix_rank_pinv_matrix_power(rng):
    a = _rand(rng, (2, 5, 4), F32)
    low = _rand(rng, (5, 2), F32) @ _rand(rng, (2, 4), F32)
    np.testing.assert_array_equal(jnp.linalg.matrix_rank(a), np.linalg.matrix_rank(a))
    assert int(jnp.linalg.matrix_rank(low)) == 2
    _close(jnp.linalg.pinv(a), np.linalg.pinv(a), F32, scale=10)
    sq = _rand(rng, (2, 3, 3), F32) + 2 * np.eye(3, dtype=F32)
    for p in [0, 1, 2, 3, 5, -2]:
        _close(jnp.linalg.matrix_power(sq, p), np.linalg.matrix_power(sq, p), F32, scale=50)
    with pytest.raises(TypeError, match="integer"):
        jnp.linalg.matrix_power(sq, 1.5)


def test_lstsq(rng):
    a, b = _rand(rng, (6, 3), F32), _rand(rng, (6, 2), F32)
    x, resid, rank, s = jnp.linalg.lstsq(a, b)
    nx, nresid, nrank, ns = np.linalg.lstsq(a, b, rcond=None)
    _close(x, nx, F32, scale=10)
    _close(resid, nresid, F32, scale=10)
    assert int(rank) == nrank
    _close(s, ns, F32, scale=10)


def test_multi_dot(rng):
    arrays = [_rand(rng, (3,), F32), _rand(rng, (3, 5), F32), _rand(rng, (5, 2), F32),
              _rand(rng, (2,), F32)]
    _close(jnp.linalg.multi_dot(arrays), np.linalg.multi_dot(arrays), F32, scale=10)


# --- norms -----------------------------------------------------------------

VECTOR_ORDS = [None, 1, 2, np.inf, -np.inf, 0, 3, 0.5]
MATRIX_ORDS = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]


@pytest.mark.parametrize("ord", VECTOR_ORDS, ids=str)
def test_vector_norm(rng, dtype, ord):
    x = _rand(rng, (3, 4), dtype)
    for axis in (0, -1):
        for keepdims in (False, True):
            got = jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
            want = np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
            assert got.dtype == np.finfo(dtype).dtype
            _close(got, want, dtype, scale=10)


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_matrix_norm(rng, dtype, ord):
    x = _rand(rng, (2, 3, 4), dtype)
    for axis in ((1, 2), (2, 0)):
        for keepdims in (False, True):
            got = jnp.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
            want = np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
            _close(got, want, dtype, scale=10)


def test_norm_defaults_and_errors(rng):
    x = _rand(rng, (2, 3, 4), F32)
    _close(jnp.linalg.norm(x), np.linalg.norm(x), F32)
    _close(jnp.linalg.norm(x[0], ord=2), np.linalg.norm(x[0], ord=2), F32, scale=10)
    _close(glassbox.jit(jnp.linalg.norm)(x), np.linalg.norm(x), F32)
    _close(jnp.linalg.vector_norm(x, ord=1), np.sum(np.abs(x)), F32, scale=10)
    _close(jnp.linalg.matrix_norm(x), np.linalg.norm(x, axis=(-2, -1)), F32)
    with pytest.raises(ValueError, match="order"):
        jnp.linalg.norm(x[0, 0], ord="inf")
    with pytest.raises(ValueError, match="order"):
        jnp.linalg.norm(x[0], ord="bogus")
    with pytest.raises(ValueError, match="axis"):
        jnp.linalg.norm(x, ord=2, axis=(0, 1, 2))


def test_cond(rng):
    a = _rand(rng, (2, 3, 3), F32) + 2 * np.eye(3, dtype=F32)
    for p in (None, 1, np.inf, "fro"):
        _close(jnp.linalg.cond(a, p), np.linalg.cond(a, p), F32, scale=100)


# --- LAPACK kernels in the lowered program --------------------------------

def test_lowering_uses_lapack_custom_calls(rng):
    a = _spd(rng, (3, 3), F32)
    text = glassbox.jit(jnp.linalg.cholesky).lower(a).as_text()
    assert "lapack_spotrf_ffi" in text and "api_version = 4" in text
    text = glassbox.jit(lambda x: jnp.linalg.svd(x)).lower(a).as_text()
    assert "lapack_sgesdd_ffi" in text


def test_unsupported_dtype_is_a_clear_error():
    with pytest.raises(TypeError, match="LAPACK.*float16"):
        lax.linalg.cholesky(np.eye(2, dtype=np.float16))


def test_non_square_errors_name_the_function():
    with pytest.raises(ValueError, match="cholesky"):
        jnp.linalg.cholesky(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="eigh"):
        jnp.linalg.eigh(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="det"):
        jnp.linalg.det(np.ones((2, 3), np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        jnp.linalg.det(np.eye(2, dtype=np.float32))


# --- derivatives (finite differences in float64), vmap and jit of the rules -----------

from glassbox.test_util import check_grads  # noqa: E402


def _wellcond(rng, shape):
    return rng.standard_normal(shape) + 3 * np.eye(shape[-1])


GRAD_CASES = [
    ("cholesky", jnp.linalg.cholesky, lambda r: _spd(r, (4, 4), F64), 2),
    ("solve", lambda a: jnp.linalg.solve(a, np.arange(8.0).reshape(4, 2)),
     lambda r: _wellcond(r, (4, 4)), 2),
    ("inv", jnp.linalg.inv, lambda r: _wellcond(r, (4, 4)), 2),
    ("det2", jnp.linalg.det, lambda r: _wellcond(r, (2, 2)), 2),
    ("det5", jnp.linalg.det, lambda r: _wellcond(r, (5, 5)), 2),
    ("slogdet", lambda a: jnp.linalg.slogdet(a), lambda r: _wellcond(r, (4, 4)), 2),
    ("slogdet_qr", lambda a: jnp.linalg.slogdet(a, method="qr"), lambda r: _wellcond(r, (4, 4)),
     1),
    ("eigh", jnp.linalg.eigh, lambda r: _herm(r, (4, 4), F64), 2),
    ("svd_square", lambda a: jnp.linalg.svd(a), lambda r: r.standard_normal((4, 4)), 2),
    ("svd_tall", lambda a: jnp.linalg.svd(a, full_matrices=False),
     lambda r: r.standard_normal((5, 3)), 2),
    ("svd_wide", lambda a: jnp.linalg.svd(a, full_matrices=False),
     lambda r: r.standard_normal((3, 5)), 2),
    ("svdvals", jnp.linalg.svdvals, lambda r: r.standard_normal((3, 5)), 2),
    ("qr_tall", jnp.linalg.qr, lambda r: r.standard_normal((5, 3)), 2),
    ("qr_wide", jnp.linalg.qr, lambda r: r.standard_normal((3, 5)), 2),
    ("qr_complete", lambda a: jnp.linalg.qr(a, mode="complete"),
     lambda r: r.standard_normal((5, 3)), 1),
    ("lu_square", lambda a: lax.linalg.lu(a)[0], lambda r: r.standard_normal((4, 4)), 2),
    ("lu_tall", lambda a: lax.linalg.lu(a)[0], lambda r: r.standard_normal((5, 3)), 2),
    ("lu_wide", lambda a: lax.linalg.lu(a)[0], lambda r: r.standard_normal((3, 5)), 2),
    ("triangular_solve_a", lambda a: lax.linalg.triangular_solve(
        a, np.ones((4, 2)), left_side=True, lower=True), lambda r: np.tril(_wellcond(r, (4, 4))),
     2),
    ("triangular_solve_b", lambda b: lax.linalg.triangular_solve(
        np.triu(_wellcond(np.random.default_rng(1), (3, 3))), b, transpose_a=True),
     lambda r: r.standard_normal((4, 3)), 2),
    ("pinv_tall", jnp.linalg.pinv, lambda r: r.standard_normal((4, 3)), 2),
    ("pinv_wide", jnp.linalg.pinv, lambda r: r.standard_normal((3, 4)), 2),
    ("matrix_power", lambda a: jnp.linalg.matrix_power(a, -3), lambda r: _wellcond(r, (3, 3)), 2),
    ("lstsq", lambda a: jnp.linalg.lstsq(a, np.ones(4))[0], lambda r: r.standard_normal((4, 3)),
     2),
    ("eigvals", jnp.linalg.eigvals, lambda r: r.standard_normal((4, 4)), 1),
    ("eig_vectors", lambda a: lax.linalg.eig(a, compute_left_eigenvectors=False,
                                             enable_eigvec_derivs=True),
     lambda r: r.standard_normal((4, 4)), 1),
]


@pytest.mark.parametrize("name,fn,make,order", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_grads_float64(name, fn, make, order):
    with glassbox.enable_x64():
        glassbox.config.update("jax_enable_x64", True)
        x = make(np.random.default_rng(0))
        check_grads(fn, (x,), order, modes=("fwd", "rev"))


def test_complex_grads():
    rng = np.random.default_rng(0)
    with glassbox.enable_x64():
        a = _rand(rng, (3, 3), np.complex128) + 3 * np.eye(3)
        check_grads(jnp.linalg.det, (a,), 1)
        check_grads(jnp.linalg.inv, (a,), 1)
        check_grads(jnp.linalg.cholesky, (_spd(rng, (3, 3), np.complex128),), 1)
        check_grads(jnp.linalg.qr, (a,), 1)
        check_grads(lambda x: jnp.abs(jnp.linalg.svd(x)[0]), (a,), 1)


def test_det_grad_of_singular_matrix_is_the_adjugate():
    a = np.array([[1.0, 2.0, 3.0, 1.0], [2.0, 4.0, 6.0, 1.0], [1.0, 0.0, 1.0, 1.0],
                  [0.0, 1.0, 0.0, 2.0]], np.float32)
    a[1] = 2 * a[0]                                     # rank 3: the gradient is finite
    g = np.asarray(glassbox.grad(jnp.linalg.det)(a))
    eps = 1e-3
    fd = np.zeros_like(a)
    for i in range(4):
        for j in range(4):
            d = np.zeros_like(a)
            d[i, j] = eps
            fd[i, j] = (np.linalg.det(a.astype(np.float64) + d) -
                        np.linalg.det(a.astype(np.float64) - d)) / (2 * eps)
    np.testing.assert_allclose(g, fd, atol=1e-3)
    assert np.isfinite(g).all()


def test_eigenvector_derivatives_need_opt_in():
    with pytest.raises(NotImplementedError, match="enable_eigvec_derivs"):
        glassbox.jacfwd(lambda x: lax.linalg.eig(x)[1])(np.eye(2, dtype=np.float32) + 1)


def test_svd_full_matrices_jvp_not_implemented():
    with pytest.raises(NotImplementedError, match="full matrices"):
        glassbox.jacfwd(lambda x: jnp.linalg.svd(x)[0])(np.ones((3, 2), np.float32))


@pytest.mark.parametrize("fn", [jnp.linalg.inv, jnp.linalg.det, jnp.linalg.cholesky,
                                lambda a: jnp.linalg.slogdet(a).logabsdet,
                                lambda a: jnp.linalg.eigh(a).eigenvalues,
                                lambda a: jnp.linalg.svd(a, compute_uv=False)],
                         ids=["inv", "det", "cholesky", "slogdet", "eigvalsh", "svdvals"])
def test_vmap_of_grad_matches_loop_and_jit(rng, fn):
    a = _spd(rng, (3, 4, 4), F32)
    g = glassbox.grad(lambda x: jnp.sum(fn(x)).real)
    expected = np.stack([np.asarray(g(x)) for x in a])
    np.testing.assert_allclose(np.asarray(glassbox.vmap(g)(a)), expected, rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(np.asarray(glassbox.jit(glassbox.vmap(g))(a)), expected,
                               rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("left_side", [True, False])
@pytest.mark.parametrize("a_batched", [True, False])
def test_triangular_solve_vmap(rng, left_side, a_batched):
    a = np.tril(_rand(rng, (3, 4, 4), F32)) + 4 * np.eye(4, dtype=F32)
    b = _rand(rng, (3, 4, 2) if left_side else (3, 2, 4), F32)
    f = lambda a, b: lax.linalg.triangular_solve(a, b, left_side=left_side, lower=True)  # noqa
    if a_batched:
        out, expected = glassbox.vmap(f)(a, b), [f(x, y) for x, y in zip(a, b)]
    else:
        out, expected = glassbox.vmap(f, (None, 0))(a[0], b), [f(a[0], y) for y in b]
    np.testing.assert_allclose(np.asarray(out), np.stack([np.asarray(e) for e in expected]),
                               rtol=1e-5, atol=1e-5)
