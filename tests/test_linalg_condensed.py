"""glassbox.lax.linalg's condensed forms (schur, hessenberg, tridiagonal), tridiagonal_solve,
ormqr, cholesky_update, symmetric_product, qdwh and the algorithm enums.

Values: against real JAX 0.10.2 (tests/linalg_condensed_golden.json, recorded by
tests/make_linalg_condensed_golden.py; bit-for-bit where JAX calls the same LAPACK
kernel), and by reconstruction against SciPy. Then jit vs eager, vmap vs a Python loop
(batch size 0 included), check_grads where JAX differentiates, and JAX's errors.
"""
import json
import pathlib

import numpy as np
import pytest
import scipy.linalg
from scipy.linalg import lapack as sl

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.test_util import check_grads

L = lax.linalg
GOLDEN = json.loads(pathlib.Path(__file__).with_name("linalg_condensed_golden.json").read_text())
# Compositions of lax ops run eagerly op by op here and fused by JAX's jit there: a few
# ulps apart. Everything that is one LAPACK call matches exactly.
COMPOSED_TOL = {"qdwh": {"float32": 1e-6, "float64": 1e-14, "complex64": 1e-6,
                         "complex128": 1e-14},
                "cholesky_update": {"float32": 1e-6, "float64": 1e-14}}


@pytest.fixture(autouse=True)
def _x64():
    with gb.enable_x64(True):
        yield


def _decode(e):
    nan = lambda v: np.array([np.nan if t is None else t for t in v])  # noqa: E731
    x = nan(e["re"]) if e["im"] is None else nan(e["re"]) + 1j * nan(e["im"])
    return x.astype(e["dtype"]).reshape(e["shape"])


def _call(case):
    kwargs = dict(case["kwargs"])
    if "algorithm" in kwargs:
        kwargs["algorithm"] = L.SvdAlgorithm[kwargs["algorithm"]]
    out = getattr(L, case["fn"])(*[_decode(a) for a in case["args"]], **kwargs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


@pytest.mark.parametrize("case", GOLDEN, ids=[c["name"] for c in GOLDEN])
def test_matches_jax(case):
    outs = _call(case)
    assert len(outs) == len(case["out"])
    for got, want in zip(outs, case["out"]):
        want_arr = _decode(want)
        got = np.asarray(got)
        assert got.dtype == want_arr.dtype and got.shape == want_arr.shape
        tol = COMPOSED_TOL.get(case["fn"], {}).get(want["dtype"])
        if tol is None:
            np.testing.assert_array_equal(got, want_arr)
        else:
            np.testing.assert_allclose(got, want_arr, rtol=tol, atol=tol)


# --- schur / hessenberg / tridiagonal against SciPy ------------------------------------

DTYPES = [np.float32, np.float64, np.complex64, np.complex128]


def _rand(shape, dtype, seed=0):
    r = np.random.RandomState(seed)
    x = r.randn(*shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * r.randn(*shape)
    return x.astype(dtype)


def _tol(dtype):
    return 1e-4 if np.finfo(dtype).bits == 32 else 1e-11


def _h(x):
    return np.conj(np.swapaxes(x, -1, -2))


@pytest.mark.parametrize("dtype", DTYPES)
def test_schur_reconstructs_and_matches_scipy(dtype):
    a = _rand((3, 5, 5), dtype)
    t, q = (np.asarray(v) for v in L.schur(a))
    tol = _tol(dtype)
    np.testing.assert_allclose(q @ t @ _h(q), a, atol=tol * 10)
    np.testing.assert_allclose(_h(q) @ q, np.broadcast_to(np.eye(5), q.shape), atol=tol * 10)
    below = 2 if np.dtype(dtype).kind == "f" else 1   # real Schur form: 2x2 blocks
    assert np.all(np.tril(t, -below) == 0)
    for i in range(3):
        t_ref, _ = scipy.linalg.schur(a[i])
        np.testing.assert_allclose(np.sort_complex(np.linalg.eigvals(t[i])),
                                   np.sort_complex(np.linalg.eigvals(t_ref)), atol=tol * 100)
    t_only = L.schur(a, compute_schur_vectors=False)
    np.testing.assert_array_equal(np.asarray(t_only), t)


@pytest.mark.parametrize("dtype", DTYPES)
def test_hessenberg_matches_lapack_gehrd(dtype):
    a = _rand((2, 5, 5), dtype, seed=1)
    h, taus = (np.asarray(v) for v in L.hessenberg(a))
    assert h.dtype == a.dtype and taus.shape == (2, 4)
    gehrd = {np.float32: sl.sgehrd, np.float64: sl.dgehrd, np.complex64: sl.cgehrd,
             np.complex128: sl.zgehrd}[dtype]
    for i in range(2):
        h_ref, tau_ref, info = gehrd(a[i])
        assert info == 0
        np.testing.assert_allclose(h[i], h_ref, atol=_tol(dtype))
        np.testing.assert_allclose(taus[i], tau_ref[:4], atol=_tol(dtype))
        # the Hessenberg matrix itself, as scipy.linalg.hessenberg computes it
        h_sp, q_sp = scipy.linalg.hessenberg(a[i], calc_q=True)
        np.testing.assert_allclose(np.triu(h[i], -1), h_sp, atol=_tol(dtype) * 10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("lower", [True, False])
def test_tridiagonal_matches_lapack_sytrd(dtype, lower):
    a = _rand((2, 5, 5), dtype, seed=2)
    a = a + _h(a)
    arr, d, e, taus = (np.asarray(v) for v in L.tridiagonal(a, lower=lower))
    real = np.finfo(dtype).dtype
    assert (arr.dtype, d.dtype, e.dtype, taus.dtype) == (np.dtype(dtype), real, real,
                                                         np.dtype(dtype))
    fn = {np.float32: sl.ssytrd, np.float64: sl.dsytrd, np.complex64: sl.chetrd,
          np.complex128: sl.zhetrd}[dtype]
    for i in range(2):
        c_ref, d_ref, e_ref, tau_ref, info = fn(a[i], lower=int(lower))
        assert info == 0
        np.testing.assert_allclose(d[i], d_ref, atol=_tol(dtype))
        np.testing.assert_allclose(e[i], e_ref, atol=_tol(dtype))
        np.testing.assert_allclose(taus[i], tau_ref, atol=_tol(dtype))
        # T has the eigenvalues of a
        t = np.diag(d[i]) + np.diag(e[i], 1) + np.diag(e[i], -1)
        np.testing.assert_allclose(np.linalg.eigvalsh(t), np.linalg.eigvalsh(a[i]),
                                   atol=_tol(dtype) * 100)


@pytest.mark.parametrize("fn", [
    lambda a: L.schur(a), lambda a: L.hessenberg(a), lambda a: L.tridiagonal(a),
], ids=["schur", "hessenberg", "tridiagonal"])
@pytest.mark.parametrize("size", [0, 1, 3])
def test_vmap_and_jit(fn, size):
    a = _rand((size, 4, 4), np.float32, seed=3)
    out = gb.vmap(fn)(a)
    jitted = gb.jit(fn)(a)
    for i in range(size):
        for o, j, ref in zip(out, jitted, fn(a[i])):
            np.testing.assert_array_equal(np.asarray(o)[i], np.asarray(ref))
            np.testing.assert_array_equal(np.asarray(j)[i], np.asarray(ref))
    for o, ref in zip(out, fn(_rand((4, 4), np.float32))):
        assert o.shape == (size,) + ref.shape and o.dtype == ref.dtype
    # a vmapped axis that is not the leading one
    moved = gb.vmap(fn, in_axes=2)(np.moveaxis(a, 0, 2))
    for o, ref in zip(moved, out):
        np.testing.assert_array_equal(np.asarray(o), np.asarray(ref))


def test_condensed_forms_have_no_derivative_as_in_jax():
    a = _rand((3, 3), np.float64)
    for fn in (lambda x: L.schur(x)[0].sum(), lambda x: L.hessenberg(x)[0].sum(),
               lambda x: L.tridiagonal(x)[1].sum()):
        with pytest.raises(NotImplementedError, match="jvp rule"):
            gb.grad(fn)(a)


def test_weak_type_and_empty():
    t, q = L.schur(lax.full((2, 2), 2.0))
    assert t.weak_type and q.weak_type and t.dtype == np.float64
    t, q = L.schur(np.ones((0, 0), np.float32))
    assert t.shape == q.shape == (0, 0)
    h, taus = L.hessenberg(np.ones((0, 3, 3), np.float32))
    assert h.shape == (0, 3, 3) and taus.shape == (0, 2)


@pytest.mark.parametrize("fn, name", [(L.schur, "schur"), (L.hessenberg, "hessenberg"),
                                      (L.tridiagonal, "tridiagonal")])
def test_condensed_errors(fn, name):
    with pytest.raises(TypeError, match=f"{name} does not accept dtype int32 at position 0"):
        fn(np.eye(3, dtype=np.int32))
    with pytest.raises(TypeError, match=f"Input 0 to {name} must have rank at least 2"):
        fn(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="square|shape \\[..., n, n\\]"):
        fn(np.ones((3, 2), np.float32))
    with pytest.raises(NotImplementedError, match="Unsupported dtype float16"):
        fn(np.eye(3, dtype=np.float16))
    with pytest.raises(ValueError):
        (L.tridiagonal if name != "schur" else L.hessenberg)(np.ones((0, 0), np.float32))


def test_schur_sort_is_not_implemented_as_in_jax():
    with pytest.raises(NotImplementedError, match="sort feature"):
        L.schur(np.eye(2, dtype=np.float32), sort_eig_vals=True)


# --- tridiagonal_solve -----------------------------------------------------------------

def _tri_system(batch=(), m=6, k=2, dtype=np.float64, seed=4):
    r = np.random.RandomState(seed)
    dl, du = r.randn(*batch, m), r.randn(*batch, m)
    d = r.randn(*batch, m) + 6
    b = r.randn(*batch, m, k)
    return [x.astype(dtype) for x in (dl, d, du, b)]


def _dense(dl, d, du):
    return np.diag(d) + np.diag(dl[1:], -1) + np.diag(du[:-1], 1)


def test_tridiagonal_solve_matches_solve_banded():
    dl, d, du, b = _tri_system()
    ab = np.stack([np.r_[0, du[:-1]], d, np.r_[dl[1:], 0]])
    np.testing.assert_allclose(np.asarray(L.tridiagonal_solve(dl, d, du, b)),
                               scipy.linalg.solve_banded((1, 1), ab, b), rtol=1e-12)


def test_tridiagonal_solve_singular_gives_nan_unless_perturbed():
    dl, d, du = np.array([0., 1, 0]), np.ones(3), np.array([1., 0, 0])
    b = np.ones((3, 1))
    assert np.isnan(np.asarray(L.tridiagonal_solve(dl, d, du, b))).all()
    x = np.asarray(L.tridiagonal_solve(dl, d, du, b, perturb_singular=True))
    assert np.isfinite(x).all()
    x = np.asarray(gb.jit(lambda *a: L.tridiagonal_solve(*a, perturb_singular=True))(
        dl, d, du, b))
    assert np.isfinite(x).all()


def test_tridiagonal_solve_grads():
    args = _tri_system(m=5)
    check_grads(L.tridiagonal_solve, args, order=2, modes=["fwd", "rev"])
    # the transpose rule (linear in b) against the dense transposed solve
    dl, d, du, b = args
    ct = np.random.RandomState(5).randn(*b.shape)
    _, vjp = gb.vjp(lambda b: L.tridiagonal_solve(dl, d, du, b), b)
    (g,) = vjp(ct)
    np.testing.assert_allclose(np.asarray(g), np.linalg.solve(_dense(dl, d, du).T, ct),
                               rtol=1e-12)


@pytest.mark.parametrize("size", [0, 1, 3])
@pytest.mark.parametrize("axes", [(None, None, None, 0), (0, 0, 0, 0), (0, None, None, 2),
                                  (None, 0, None, None)])
def test_tridiagonal_solve_vmap(size, axes):
    batched = _tri_system(batch=(size,), seed=6)
    single = _tri_system(seed=7)
    args = [single[i] if ax is None else np.moveaxis(batched[i], 0, ax)
            for i, ax in enumerate(axes)]
    out = np.asarray(gb.vmap(L.tridiagonal_solve, in_axes=axes)(*args))
    assert out.shape == (size, 6, 2)
    for i in range(size):
        one = [x if ax is None else np.take(x, i, axis=ax) for x, ax in zip(args, axes)]
        np.testing.assert_allclose(out[i], np.asarray(L.tridiagonal_solve(*one)), rtol=1e-12)


def test_tridiagonal_solve_errors():
    d = np.ones(4, np.float32)
    with pytest.raises(TypeError, match="Input 3 to tridiagonal_solve must have rank at least 2"):
        L.tridiagonal_solve(d, d, d, d)
    with pytest.raises(TypeError, match="all diagonal arguments have the same shape"):
        L.tridiagonal_solve(d[:3], d, d, np.ones((4, 1), np.float32))
    with pytest.raises(TypeError, match="leading ndim-1 dimensions of b"):
        L.tridiagonal_solve(d, d, d, np.ones((5, 1), np.float32))
    with pytest.raises(TypeError, match="same dtypes"):
        L.tridiagonal_solve(d, d, d, np.ones((4, 1), np.float64))
    with pytest.raises(TypeError, match="does not accept dtype int32"):
        L.tridiagonal_solve(*[np.ones(4, np.int32)] * 3, np.ones((4, 1), np.int32))


# --- ormqr -----------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_ormqr_against_explicit_q(dtype):
    x = _rand((2, 5, 3), dtype, seed=7)
    a, taus = L.geqrf(x)
    q = np.asarray(L.qr(x, full_matrices=True)[0])
    c_left, c_right = _rand((2, 5, 4), dtype, seed=8), _rand((2, 4, 5), dtype, seed=9)
    tol = _tol(dtype) * 10
    np.testing.assert_allclose(np.asarray(L.ormqr(a, taus, c_left)), q @ c_left, atol=tol)
    np.testing.assert_allclose(np.asarray(L.ormqr(a, taus, c_left, transpose=True)),
                               _h(q) @ c_left, atol=tol)
    np.testing.assert_allclose(np.asarray(L.ormqr(a, taus, c_right, left=False)), c_right @ q,
                               atol=tol)
    np.testing.assert_allclose(np.asarray(L.ormqr(a, taus, c_right, left=False, transpose=True)),
                               c_right @ _h(q), atol=tol)
    out = gb.vmap(lambda a, t, c: L.ormqr(a, t, c))(a, taus, c_left)
    for i in range(2):
        np.testing.assert_array_equal(np.asarray(out)[i],
                                      np.asarray(L.ormqr(a[i], taus[i], c_left[i])))
    empty = gb.vmap(lambda a, t, c: L.ormqr(a, t, c))(a[:0], taus[:0], c_left[:0])
    assert empty.shape == (0, 5, 4)


def test_ormqr_errors():
    a, t = np.ones((4, 2), np.float32), np.ones(2, np.float32)
    with pytest.raises(ValueError, match="same number of rows"):
        L.ormqr(a, t, np.ones((3, 4), np.float32))
    with pytest.raises(ValueError, match="same number of columns"):
        L.ormqr(a, t, np.ones((4, 3), np.float32), left=False)
    with pytest.raises(TypeError, match="same number of batch dimensions"):
        L.ormqr(a[None], t, np.ones((4, 3), np.float32))


# --- cholesky_update, symmetric_product --------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cholesky_update_against_cholesky(dtype):
    r = np.random.RandomState(10)
    x = r.randn(5, 5)
    a = x @ x.T + 5 * np.eye(5)
    w = r.randn(5)
    upper = np.linalg.cholesky(a).T.astype(dtype)
    got = np.asarray(L.cholesky_update(upper, w.astype(dtype)))
    want = np.linalg.cholesky(a + np.outer(w, w)).T
    np.testing.assert_allclose(got, want, atol=1e-4 if dtype == np.float32 else 1e-12)
    np.testing.assert_allclose(np.asarray(gb.jit(L.cholesky_update)(upper, w.astype(dtype))),
                               got, atol=1e-6 if dtype == np.float32 else 1e-14)


def test_cholesky_update_rules_as_in_jax():
    r, w = np.eye(3), np.ones(3)
    with pytest.raises(TypeError, match="must have a rank of exactly 2"):
        L.cholesky_update(r[None], w[None])
    with pytest.raises(TypeError, match="does not accept dtype complex64"):
        L.cholesky_update(r.astype(np.complex64), w.astype(np.complex64))
    with pytest.raises(ValueError, match="Rank-1 update"):
        L.cholesky_update(r, w[:2])
    with pytest.raises(NotImplementedError):      # no batching rule in JAX either
        gb.vmap(L.cholesky_update)(r[None], w[None])


def test_symmetric_product():
    a, c = _rand((2, 4, 3), np.float64, seed=11), _rand((2, 4, 4), np.float64, seed=12)
    c = c + np.swapaxes(c, -1, -2)
    got = np.asarray(L.symmetric_product(a, c, alpha=2.0, beta=-0.5, symmetrize_output=True))
    want = 2.0 * a @ np.swapaxes(a, -1, -2) - 0.5 * c
    np.testing.assert_allclose(got, want, rtol=1e-12)
    np.testing.assert_array_equal(got, np.swapaxes(got, -1, -2))
    with pytest.raises(ValueError, match="symmetric_update expects"):
        L.symmetric_product(a, c[..., :3, :3])
    with pytest.raises(TypeError, match="does not accept dtype complex64"):
        L.symmetric_product(a.astype(np.complex64), c.astype(np.complex64))
    with pytest.raises(NotImplementedError, match="jvp rule"):
        gb.grad(lambda a: L.symmetric_product(a, c).sum())(a)


# --- qdwh ------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", DTYPES)
def test_qdwh_matches_scipy_polar(dtype):
    x = _rand((6, 4), dtype, seed=13)
    u, h, num_iters, converged = L.qdwh(x)
    assert bool(converged) and 0 < int(num_iters) <= 10
    assert num_iters.dtype == np.int64 and num_iters.weak_type and converged.dtype == np.bool_
    u_ref, h_ref = scipy.linalg.polar(x.astype(np.complex128 if np.dtype(dtype).kind == "c"
                                                else np.float64))
    tol = 1e-4 if np.finfo(dtype).bits == 32 else 1e-10
    np.testing.assert_allclose(np.asarray(u), u_ref, atol=tol)
    np.testing.assert_allclose(np.asarray(h), h_ref, atol=tol * 10)


def test_qdwh_dynamic_shape_and_errors():
    x = _rand((5, 3), np.float64, seed=14)
    padded = np.zeros((7, 4))
    padded[:5, :3] = x
    u, h, _, ok = L.qdwh(padded, dynamic_shape=(5, 3))
    u_ref, h_ref = scipy.linalg.polar(x)
    assert bool(ok)
    np.testing.assert_allclose(np.asarray(u)[:5, :3], u_ref, atol=1e-10)
    np.testing.assert_allclose(np.asarray(h)[:3, :3], h_ref, atol=1e-9)
    with pytest.raises(ValueError, match="M >= N"):
        L.qdwh(np.ones((3, 4)))
    _, _, k, ok = L.qdwh(x, max_iterations=1)
    assert int(k) == 1 and not bool(ok)


# --- the algorithm enums -------------------------------------------------------------------

def test_enums_and_cpu_choices():
    a = _rand((3, 3), np.float32, seed=15)
    assert [e.value for e in L.SvdAlgorithm] == ["default", "QR", "Jacobi", "polar",
                                                 "divide_and_conquer"]
    assert [e.value for e in L.EigImplementation] == ["cusolver", "magma", "lapack"]
    assert [e.value for e in L.EighImplementation] == ["qr", "jacobi", "qdwh"]
    s = np.linalg.svd(a, compute_uv=False)
    for alg in (L.SvdAlgorithm.DEFAULT, L.SvdAlgorithm.QR, L.SvdAlgorithm.DIVIDE_AND_CONQUER):
        np.testing.assert_allclose(np.asarray(L.svd(a, algorithm=alg)[1]), s, rtol=1e-5)
    for alg in (L.SvdAlgorithm.JACOBI, L.SvdAlgorithm.POLAR, "default"):
        with pytest.raises(NotImplementedError, match="Jacobi and Polar"):
            L.svd(a, algorithm=alg)
    w = L.eigh(a + a.T, implementation=L.EighImplementation.QR)[1]
    np.testing.assert_allclose(np.asarray(w), np.linalg.eigvalsh(a + a.T), rtol=1e-5)
    with pytest.raises(NotImplementedError, match="Jacobi implementation is not supported"):
        L.eigh(a, implementation=L.EighImplementation.JACOBI)
    with pytest.raises(NotImplementedError, match="only supported on TPU"):
        L.eigh(a, implementation=L.EighImplementation.QDWH)
    L.eig(a, implementation=L.EigImplementation.LAPACK)
    for impl in (L.EigImplementation.CUSOLVER, L.EigImplementation.MAGMA):
        with pytest.raises(ValueError, match="Only the lapack implementation"):
            L.eig(a, implementation=impl)
    with pytest.warns(DeprecationWarning, match="use_magma"):
        L.eig(a, use_magma=False)
    # the gesvd path differentiates as the default one does
    check_grads(lambda x: L.svd(x, full_matrices=False, algorithm=L.SvdAlgorithm.QR)[1],
                (a.astype(np.float64),), order=1, modes=["fwd", "rev"])
    assert jnp.allclose(L.svd(a, algorithm=L.SvdAlgorithm.QR, compute_uv=False), s)
