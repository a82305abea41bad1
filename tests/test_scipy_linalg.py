"""glassbox.scipy.linalg against scipy.linalg: values, factorizations by reconstruction,
derivatives against finite differences (float64), vmap against a loop, jit against eager."""
import numpy as np
import pytest
import scipy.linalg as sl

import glassbox
import glassbox.numpy as jnp
import glassbox.scipy.linalg as L
from glassbox.test_util import check_grads

TOL = 1e-4


def _close(actual, expected, tol=TOL):
    np.testing.assert_allclose(np.asarray(actual), expected, rtol=tol, atol=tol)


@pytest.fixture
def mats(rng):
    a = rng.standard_normal((4, 4)).astype(np.float32)
    spd = (a @ a.T + 4 * np.eye(4)).astype(np.float32)
    b = rng.standard_normal((4, 2)).astype(np.float32)
    return a, spd, b


@pytest.mark.parametrize("lower", [False, True])
def test_cholesky_cho_factor_cho_solve(mats, lower):
    a, spd, b = mats
    _close(L.cholesky(spd, lower=lower), sl.cholesky(spd, lower=lower))
    c, low = L.cho_factor(spd, lower=lower)
    assert low is lower
    _close(L.cho_solve((c, low), b), sl.cho_solve(sl.cho_factor(spd, lower=lower), b))
    _close(L.cho_solve((c, low), b[:, 0]), sl.cho_solve(sl.cho_factor(spd, lower=lower), b[:, 0]))


@pytest.mark.parametrize("trans", [0, 1, 2])
def test_lu_factor_lu_solve(mats, trans):
    a, _, b = mats
    lu, piv = L.lu_factor(a)
    lus, pivs = sl.lu_factor(a)
    _close(lu, lus)
    np.testing.assert_array_equal(np.asarray(piv), pivs)
    _close(L.lu_solve((lu, piv), b, trans=trans), sl.lu_solve((lus, pivs), b, trans=trans))
    _close(glassbox.jit(L.lu_solve, static_argnames="trans")((lu, piv), b[:, 0], trans=trans),
           sl.lu_solve((lus, pivs), b[:, 0], trans=trans))


@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3)])
def test_lu(rng, shape):
    a = rng.standard_normal(shape).astype(np.float32)
    for ours, ref in zip(L.lu(a), sl.lu(a)):
        _close(ours, ref)
    pl, u = L.lu(a, permute_l=True)
    _close(np.asarray(pl) @ np.asarray(u), a)


@pytest.mark.parametrize("trans", [0, 1, 2, "N", "T", "C"])
@pytest.mark.parametrize("lower", [False, True])
def test_solve_triangular(mats, trans, lower):
    a, _, b = mats
    t = np.tril(a) + 4 * np.eye(4, dtype=np.float32) if lower else \
        np.triu(a) + 4 * np.eye(4, dtype=np.float32)
    _close(L.solve_triangular(t, b, trans=trans, lower=lower),
           sl.solve_triangular(t, b, trans=trans, lower=lower))
    _close(L.solve_triangular(t, b[:, 0], trans=trans, lower=lower, unit_diagonal=True),
           sl.solve_triangular(t, b[:, 0], trans=trans, lower=lower, unit_diagonal=True))


def test_solve_assume_a(mats):
    a, spd, b = mats
    for assume_a in ("gen", "sym", "pos"):
        m = a if assume_a == "gen" else spd
        _close(L.solve(m, b, assume_a=assume_a), sl.solve(m, b, assume_a=assume_a))
    with pytest.raises(ValueError, match="assume_a"):
        L.solve(a, b, assume_a="banana")


def test_inv_det_eigh_svd_qr(mats):
    a, spd, _ = mats
    _close(L.inv(a), sl.inv(a), 1e-3)
    _close(L.det(a), sl.det(a), 1e-3)
    w, v = L.eigh(spd)
    _close(w, sl.eigh(spd)[0], 1e-3)
    _close(np.asarray(v) @ np.diag(np.asarray(w)) @ np.asarray(v).T, spd, 1e-3)
    _close(L.eigh(spd, eigvals_only=True), sl.eigh(spd, eigvals_only=True), 1e-3)
    u, s, vh = L.svd(a)
    _close(np.asarray(u) * np.asarray(s) @ np.asarray(vh), a)
    _close(L.svd(a, compute_uv=False), sl.svd(a, compute_uv=False))
    q, r = L.qr(a[:, :3])
    assert q.shape == (4, 4) and r.shape == (4, 3)
    _close(np.asarray(q) @ np.asarray(r), a[:, :3])
    q, r = L.qr(a[:, :3], mode="economic")
    assert q.shape == (4, 3) and r.shape == (3, 3)
    (r,) = L.qr(a, mode="r")
    _close(np.abs(np.asarray(r)), np.abs(sl.qr(a, mode="r")[0]))
    with pytest.raises(NotImplementedError):
        L.eigh(spd, spd)


@pytest.mark.parametrize("side", ["right", "left"])
def test_polar(mats, side):
    a, _, _ = mats
    u, p = L.polar(a, side)
    us, ps = sl.polar(a, side)
    _close(u, us)
    _close(p, ps, 1e-3)


@pytest.mark.parametrize("scale", [0.05, 0.5, 3.0, 20.0])
def test_expm(rng, scale):
    a = rng.standard_normal((4, 4))
    ref = sl.expm(scale * a)
    _close(L.expm((scale * a).astype(np.float32)), ref, 2e-4 * max(1, np.abs(ref).max()))
    with glassbox.enable_x64():
        _close(L.expm(scale * a), ref, 1e-10 * max(1, np.abs(ref).max()))


def test_expm_batched_upper_triangular_and_frechet(rng):
    a = rng.standard_normal((2, 3, 3)).astype(np.float32)
    _close(L.expm(a), np.stack([sl.expm(x) for x in a]), 1e-3)
    t = np.triu(a[0])
    _close(L.expm(t, upper_triangular=True), sl.expm(t))
    with glassbox.enable_x64():
        glassbox.config.update("jax_enable_x64", True)
        x, e = rng.standard_normal((2, 3, 3))
        expm_x, frechet = L.expm_frechet(x, e)
        ref_x, ref_f = sl.expm_frechet(x, e)
        _close(expm_x, ref_x, 1e-10)
        _close(frechet, ref_f, 1e-9)
        _close(L.expm_frechet(x, e, compute_expm=False), ref_f, 1e-9)
        check_grads(L.expm, (x,), 2)
    with pytest.raises(ValueError, match="same shape"):
        L.expm_frechet(np.eye(2), np.eye(3))


@pytest.mark.parametrize("name", ["cholesky", "cho_solve", "solve_pos", "lu_solve",
                                  "solve_triangular", "lu", "polar"])
def test_grads(rng, name):
    with glassbox.enable_x64():
        glassbox.config.update("jax_enable_x64", True)
        a = rng.standard_normal((3, 3))
        spd = a @ a.T + 3 * np.eye(3)
        b = rng.standard_normal((3, 2))
        fns = {
            "cholesky": (lambda m: L.cholesky(m), spd),
            "cho_solve": (lambda m: L.cho_solve(L.cho_factor(m), b), spd),
            "solve_pos": (lambda m: L.solve(m, b, assume_a="pos"), spd),
            "lu_solve": (lambda m: L.lu_solve(L.lu_factor(m), b, trans=1), a + 3 * np.eye(3)),
            "solve_triangular": (lambda m: L.solve_triangular(m, b, lower=True, trans=2),
                                 np.tril(a) + 3 * np.eye(3)),
            "lu": (lambda m: L.lu(m)[1:], a),
            "polar": (lambda m: L.polar(m), a),
        }
        fn, x = fns[name]
        check_grads(fn, (x,), 2)


def test_vmap_and_jit(rng):
    a = rng.standard_normal((3, 4, 4)).astype(np.float32) + 4 * np.eye(4, dtype=np.float32)
    b = rng.standard_normal((3, 4)).astype(np.float32)
    for fn in (lambda m, v: L.solve_triangular(m, v, lower=True),
               lambda m, v: L.lu_solve(L.lu_factor(m), v),
               lambda m, v: L.expm(m / 8) @ v):
        expected = np.stack([np.asarray(fn(m, v)) for m, v in zip(a, b)])
        _close(glassbox.vmap(fn)(a, b), expected, 1e-3)
        _close(glassbox.jit(glassbox.vmap(fn))(a, b), expected, 1e-3)


def test_special_matrices():
    c, r = np.array([1, 2, 3]), np.array([1, 5, 6, 7])
    cases = [
        (L.toeplitz(c), sl.toeplitz(c), np.int32), (L.toeplitz(c, r), sl.toeplitz(c, r), None),
        (L.hankel(c), sl.hankel(c), np.int32), (L.hankel(c, r), sl.hankel(c, r), None),
        (L.circulant(c), sl.circulant(c), np.int32), (L.hilbert(4), sl.hilbert(4), np.float32),
        (L.invhilbert(4), sl.invhilbert(4), np.float32),
        (L.companion(np.array([1.0, 2, 3, 4])), sl.companion([1.0, 2, 3, 4]), np.float32),
        (L.dft(4), sl.dft(4), np.complex64), (L.dft(5, "sqrtn"), sl.dft(5, "sqrtn"), None),
        (L.dft(3, "n"), sl.dft(3, "n"), None),
        (L.hadamard(8), sl.hadamard(8), np.int32), (L.helmert(5), sl.helmert(5), np.float32),
        (L.helmert(4, full=True), sl.helmert(4, full=True), None),
        (L.leslie(np.array([1.0, 2, 3]), np.array([0.5, 0.6])),
         sl.leslie([1.0, 2, 3], [0.5, 0.6]), np.float32),
        (L.fiedler(np.array([1, 4, 2])), sl.fiedler([1, 4, 2]), np.int32),
        (L.block_diag(np.ones((1, 2)), 2, np.eye(2)), sl.block_diag(np.ones((1, 2)), 2, np.eye(2)),
         np.float32),
    ]
    for kind in ("symmetric", "lower", "upper"):
        cases.append((L.pascal(4, kind), sl.pascal(4, kind), np.float32))
        cases.append((L.invpascal(4, kind), sl.invpascal(4, kind), np.float32))
    for coeffs in ([1.0, 2], [1.0, 2, 3], [1.0, 2, 3, 4, 5], [2.0, 2, 3, 4, 5, 6]):
        cases.append((L.fiedler_companion(np.array(coeffs)), sl.fiedler_companion(coeffs), None))
    for mode in ("full", "valid", "same"):
        for n in (2, 5):
            cases.append((L.convolution_matrix(np.array([1.0, 2, 3]), n, mode),
                          sl.convolution_matrix([1.0, 2, 3], n, mode), None))
    for ours, ref, dtype in cases:
        _close(ours, ref, 1e-3)
        if dtype is not None:
            assert ours.dtype == dtype
    _close(L.toeplitz(np.ones((2, 3))), np.stack([sl.toeplitz(np.ones(3))] * 2))
    with pytest.raises(ValueError, match="power of 2"):
        L.hadamard(6)


# --- eigh_tridiagonal -----------------------------------------------------------------------

def _tridiagonal(d, e):
    return np.diag(d) + np.diag(e, 1) + np.diag(np.conj(e), -1)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_eigh_tridiagonal_eigenvalues(rng, dtype):
    d, e = rng.standard_normal(12).astype(dtype), rng.standard_normal(11).astype(dtype)
    want = sl.eigh_tridiagonal(d.astype(np.float64), e.astype(np.float64), eigvals_only=True)
    with glassbox.enable_x64(dtype == np.float64):
        w = L.eigh_tridiagonal(d, e, eigvals_only=True)
        assert w.dtype == dtype
        tol = 2e-6 if dtype == np.float32 else 1e-13
        _close(w, want, tol)
        picked = L.eigh_tridiagonal(d, e, eigvals_only=True, select="i", select_range=(3, 7))
        _close(picked, sl.eigh_tridiagonal(d.astype(np.float64), e.astype(np.float64),
                                           eigvals_only=True, select="i",
                                           select_range=(3, 7)), tol)
        # tol loosens the bisection: still within tol of the true eigenvalues
        _close(L.eigh_tridiagonal(d, e, eigvals_only=True, tol=1e-3), want, 2e-3)
    # JAX's docstring example, bit for bit
    np.testing.assert_array_equal(
        L.eigh_tridiagonal(jnp.array([1., 2., 3., 4.]), jnp.array([1., 1., 1.]),
                           eigvals_only=True),
        np.float32([0.2547188, 1.8227171, 3.1772828, 4.745281]))


def test_eigh_tridiagonal_eigenvectors(rng):
    d, e = rng.standard_normal(10).astype(np.float32), rng.standard_normal(9).astype(np.float32)
    w, v = L.eigh_tridiagonal(d, e)
    assert w.dtype == v.dtype == np.float32 and v.shape == (10, 10)
    T, v = _tridiagonal(d, e), np.asarray(v, np.float64)
    _close(T @ v, v * np.asarray(w), 1e-5)
    _close(v.T @ v, np.eye(10), 1e-4)
    # a cluster (the identity): still an orthonormal basis
    w, v = L.eigh_tridiagonal(np.ones(5, np.float32), np.zeros(4, np.float32))
    _close(w, np.ones(5))
    _close(np.asarray(v).T @ np.asarray(v), np.eye(5), 1e-5)
    # select='i' with vectors; Hermitian complex input: real eigenvalues
    w, v = L.eigh_tridiagonal(d, e, select="i", select_range=(2, 4))
    assert v.shape == (10, 3)
    _close(T @ np.asarray(v), np.asarray(v) * np.asarray(w), 1e-5)
    ec = (e + 1j * rng.standard_normal(9)).astype(np.complex64)
    w, v = L.eigh_tridiagonal(d.astype(np.complex64), ec)
    assert w.dtype == np.float32 and v.dtype == np.complex64
    _close(w, np.linalg.eigvalsh(_tridiagonal(d, ec)), 1e-5)
    _close(_tridiagonal(d, ec) @ np.asarray(v), np.asarray(v) * np.asarray(w), 1e-5)


def test_eigh_tridiagonal_jit_vmap_and_errors(rng):
    d, e = rng.standard_normal((3, 6)).astype(np.float32), rng.standard_normal((3, 5)).astype(
        np.float32)
    f = lambda d, e: L.eigh_tridiagonal(d, e, eigvals_only=True)
    batched = glassbox.vmap(f)(d, e)
    for i in range(3):
        np.testing.assert_array_equal(batched[i], f(d[i], e[i]))
        np.testing.assert_array_equal(glassbox.jit(f)(d[i], e[i]), f(d[i], e[i]))
    _close(L.eigh_tridiagonal(np.float32([2.]), np.float32([]), eigvals_only=True), [2.])
    with pytest.raises(TypeError, match="same dtype"):
        L.eigh_tridiagonal(d[0], e[0].astype(np.int32))
    with pytest.raises(TypeError, match="Only float32 and float64"):
        L.eigh_tridiagonal(np.arange(3), np.arange(2))
    with pytest.raises(ValueError, match="select_range must be specified"):
        L.eigh_tridiagonal(d[0], e[0], select="i")
    with pytest.raises(ValueError, match="empty index range"):
        L.eigh_tridiagonal(d[0], e[0], select="i", select_range=(3, 1))
    with pytest.raises(ValueError, match="select must have a value"):
        L.eigh_tridiagonal(d[0], e[0], select="x")
    with pytest.raises(NotImplementedError, match="select='v'"):
        L.eigh_tridiagonal(d[0], e[0], select="v", select_range=(0., 1.))


# --- rsf2csf --------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_rsf2csf(rng, dtype):
    a = rng.standard_normal((6, 6)).astype(dtype)
    T, Z = sl.schur(a)                     # real Schur form, with 2x2 blocks
    with glassbox.enable_x64(dtype == np.float64):
        Tc, Zc = L.rsf2csf(T, Z)
        assert Tc.dtype == Zc.dtype == (np.complex64 if dtype == np.float32 else np.complex128)
    Tc, Zc = np.asarray(Tc), np.asarray(Zc)
    tol = 1e-5 if dtype == np.float32 else 1e-12
    np.testing.assert_array_equal(np.tril(Tc, -1), 0)
    _close(Zc @ Tc @ Zc.conj().T, a, 10 * tol)
    Ts, Zs = sl.rsf2csf(T.astype(np.float64), Z.astype(np.float64))
    _close(Tc, Ts, 10 * tol)
    _close(Zc, Zs, 10 * tol)
    # batches broadcast
    with glassbox.enable_x64(dtype == np.float64):
        Tb, Zb = L.rsf2csf(np.stack([T, T]), Z)
    assert Tb.shape == Zb.shape == (2, 6, 6)
    _close(Tb[1], Tc, tol)
    with pytest.raises(ValueError, match="'T' must be square"):
        L.rsf2csf(T[:, :3], Z)
    with pytest.raises(ValueError, match="shapes must match"):
        L.rsf2csf(T, Z[:3, :3])


# --- the Schur form and what is built on it; hessenberg; qr_multiply ------------------------
# All are LAPACK calls with no derivative in JAX 0.10.2 (schur, hessenberg, geqrf have no jvp
# rule there); the checks are values against SciPy, eager against jit, vmap against a loop.

def _matrix(rng, n, dtype, shift=0.0):
    """A random ``n x n`` matrix of ``dtype`` (complex: independent real and imaginary parts)
    plus ``shift * I``."""
    a = rng.standard_normal((n, n))
    if np.dtype(dtype).kind == "c":
        a = a + 1j * rng.standard_normal((n, n))
    return (a + shift * np.eye(n)).astype(dtype)


def _loop_vs_vmap_vs_jit(fn, xs, tol=1e-5):
    """``vmap(fn)`` and ``jit(fn)`` against ``fn`` called on each batch element eagerly."""
    expected = [np.asarray(fn(*x)) for x in zip(*xs)]
    _close(glassbox.vmap(fn)(*xs), np.stack(expected), tol)
    for x, want in zip(zip(*xs), expected):
        _close(glassbox.jit(fn)(*x), want, tol)


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
@pytest.mark.parametrize("output", ["real", "complex"])
def test_schur(rng, dtype, output):
    a = _matrix(rng, 5, dtype)
    T, Z = L.schur(a, output=output)
    complex_out = output == "complex" or dtype == np.complex64
    assert T.dtype == Z.dtype == (np.complex64 if complex_out else np.float32)
    T, Z = np.asarray(T), np.asarray(Z)
    _close(Z @ T @ Z.conj().T, a)
    _close(Z.conj().T @ Z, np.eye(5))
    # (quasi-)triangular: nothing below the first subdiagonal, nothing at all if complex
    np.testing.assert_array_equal(np.tril(T, -1 if complex_out else -2), 0)
    Ts, _ = sl.schur(a.astype(np.complex128 if complex_out else np.float64), output=output)
    _close(np.sort_complex(np.linalg.eigvals(T)), np.sort_complex(np.linalg.eigvals(Ts)))
    if complex_out:    # the eigenvalues are T's diagonal
        _close(np.sort_complex(np.diag(T)), np.sort_complex(np.diag(Ts)))


def test_schur_batches_jit_and_errors(rng):
    a = np.stack([_matrix(rng, 4, np.float32) for _ in range(3)])
    _loop_vs_vmap_vs_jit(lambda x: L.schur(x, output="complex")[0], [a])
    Tb, Zb = L.schur(a)
    for i in range(3):
        _close(Tb[i], L.schur(a[i])[0], 1e-6)
    # ints are cast for output='complex' only (JAX's lax.linalg.schur takes no integers)
    T, _ = L.schur(np.array([[2, 1], [0, 3]], np.int32), output="complex")
    assert T.dtype == np.complex64
    with pytest.raises(TypeError, match="dtype int32"):
        L.schur(np.eye(2, dtype=np.int32))
    with pytest.raises(ValueError, match="'real' or 'complex'"):
        L.schur(a[0], output="banana")
    with pytest.raises(ValueError, match="square"):
        L.schur(a[0, :3])
    with pytest.raises(NotImplementedError, match="schur"):
        glassbox.grad(lambda x: L.schur(x)[0].sum())(a[0])


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_hessenberg(rng, dtype):
    a = _matrix(rng, 5, dtype)
    H, Q = L.hessenberg(a, calc_q=True)
    assert H.dtype == Q.dtype == dtype
    H, Q = np.asarray(H), np.asarray(Q)
    wide = np.complex128 if dtype == np.complex64 else np.float64
    Hs, Qs = sl.hessenberg(a.astype(wide), calc_q=True)     # the same LAPACK reduction
    _close(H, Hs)
    _close(Q, Qs)
    np.testing.assert_array_equal(np.tril(H, -2), 0)
    _close(Q @ H @ Q.conj().T, a)
    np.testing.assert_array_equal(L.hessenberg(a), H)
    _close(L.hessenberg(a[:1, :1], calc_q=True)[1], np.eye(1))
    H0, Q0 = L.hessenberg(np.zeros((0, 0), dtype), calc_q=True)
    assert H0.shape == Q0.shape == (0, 0)


def test_hessenberg_batches_jit_and_errors(rng):
    a = np.stack([_matrix(rng, 4, np.float32) for _ in range(3)])
    _loop_vs_vmap_vs_jit(lambda x: L.hessenberg(x, calc_q=True)[1], [a])
    Hb, Qb = L.hessenberg(a, calc_q=True)
    for i in range(3):
        _close(Qb[i] @ Hb[i] @ Qb[i].T, a[i])
    with pytest.raises(TypeError, match="dtype int32"):
        L.hessenberg(np.eye(3, dtype=np.int32))
    with pytest.raises(ValueError, match="shape"):
        L.hessenberg(a[0, :3])
    with pytest.raises(NotImplementedError, match="hessenberg"):
        glassbox.grad(lambda x: L.hessenberg(x).sum())(a[0])


def _real_with_complex_pairs(rng):
    """A real 5x5 matrix with eigenvalues 1 +- 2i, -1 +- i and 3: complex pairs (2x2 blocks
    in the real Schur form), none on the negative real axis (where the principal square
    root of a real matrix is not defined: rounding picks the sign of the imaginary part)."""
    blocks = sl.block_diag([[1., 2.], [-2., 1.]], [[-1., 1.], [-1., -1.]], [[3.]])
    q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
    return (q @ blocks @ q.T).astype(np.float32)


@pytest.mark.parametrize("kind", ["real_pairs", "real_shifted", "complex"])
def test_sqrtm(rng, kind):
    a = {"real_pairs": lambda: _real_with_complex_pairs(rng),
         "real_shifted": lambda: _matrix(rng, 5, np.float32, 5.0),
         "complex": lambda: _matrix(rng, 5, np.complex64)}[kind]()
    x = L.sqrtm(a)
    assert x.dtype == np.complex64
    x = np.asarray(x)
    _close(x @ x, a, 1e-4 * max(1, np.abs(a).max()))
    _close(x, sl.sqrtm(a.astype(np.complex128)), 1e-4)
    # JAX's guard: the recurrence gives 0 (not 0/0) where the numerator is exactly 0
    np.testing.assert_array_equal(L.sqrtm(np.zeros((3, 3), np.float32)), 0)
    _close(L.sqrtm(np.array([[4, 1], [0, 9]], np.int32)), sl.sqrtm([[4., 1.], [0., 9.]]))


def test_sqrtm_batches_jit_and_errors(rng):
    a = np.stack([_matrix(rng, 4, np.float32, 4.0) for _ in range(3)])
    _loop_vs_vmap_vs_jit(L.sqrtm, [a])
    with pytest.raises(NotImplementedError, match="Blocked"):
        L.sqrtm(a[0], blocksize=2)
    with pytest.raises(ValueError, match="square"):
        L.sqrtm(a)
    with pytest.raises(NotImplementedError, match="schur"):
        glassbox.grad(lambda x: L.sqrtm(x).real.sum())(a[0])


@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
@pytest.mark.parametrize("func", ["exp", "sin", "cube"])
def test_funm(rng, dtype, func):
    ours, ref = {"exp": (jnp.exp, np.exp), "sin": (jnp.sin, np.sin),
                 "cube": (lambda x: x ** 3, lambda x: x ** 3)}[func]
    a = _matrix(rng, 5, dtype)
    f, err = L.funm(a, ours, disp=False)
    assert f.dtype == np.complex64 and err.dtype == np.float32
    wide = a.astype(np.complex128)
    want, want_err = sl.funm(wide, ref, disp=False)
    scale = max(1, np.abs(want).max())
    _close(f, want, 1e-4 * scale)
    _close(err, want_err, 1e-2)       # SciPy's estimate; ours in float32
    _close(L.funm(a, ours), f, 0)
    if func == "cube":
        _close(f, np.linalg.matrix_power(wide, 3), 1e-4 * scale)
    if func == "exp":
        _close(f, sl.expm(wide), 1e-4 * scale)


def test_funm_batches_jit_and_errors(rng):
    a = np.stack([_matrix(rng, 4, np.float32) for _ in range(3)])
    _loop_vs_vmap_vs_jit(lambda x: L.funm(x, jnp.sin), [a])
    with pytest.raises(ValueError, match="square"):
        L.funm(a, jnp.exp)
    with pytest.raises(TypeError, match="dtype int32"):
        L.funm(np.eye(2, dtype=np.int32), jnp.exp)
    with pytest.raises(NotImplementedError, match="schur"):
        glassbox.grad(lambda x: L.funm(x, jnp.exp).real.sum())(a[0])


@pytest.mark.parametrize("method", ["schur", "eigen"])
@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_solve_sylvester(rng, method, dtype):
    a, b = _matrix(rng, 4, dtype, 3.0), _matrix(rng, 3, dtype, 3.0)
    c = rng.standard_normal((4, 3)).astype(dtype)
    x = L.solve_sylvester(a, b, c, method=method)
    assert x.dtype == dtype
    wide = np.complex128 if dtype == np.complex64 else np.float64
    _close(x, sl.solve_sylvester(*(m.astype(wide) for m in (a, b, c))), 1e-4)
    _close(a @ np.asarray(x) + np.asarray(x) @ b, c, 1e-4)
    # mixed dtypes promote; a real A, B with a complex C gives a complex X
    xc = L.solve_sylvester(a.real, b.real, c.astype(np.complex64), method=method)
    assert xc.dtype == np.complex64


def test_solve_sylvester_batches_nans_jit_and_errors(rng):
    a = np.stack([_matrix(rng, 4, np.float32, 3.0) for _ in range(3)])
    b = _matrix(rng, 2, np.float32, 3.0)
    c = rng.standard_normal((3, 4, 2)).astype(np.float32)
    xb = L.solve_sylvester(a, b, c)          # batch dimensions broadcast (b has none)
    for i in range(3):
        _close(xb[i], sl.solve_sylvester(a[i], b, c[i]), 1e-4)
    _loop_vs_vmap_vs_jit(lambda p, q: L.solve_sylvester(p, b, q), [a, c], 1e-4)
    # an eigenvalue of A + one of B within tol of 0: no unique solution, all NaN
    eye = np.eye(2, dtype=np.float32)
    for method in ("schur", "eigen"):
        assert np.isnan(L.solve_sylvester(eye, -eye, eye, method=method)).all()
        assert np.isnan(L.solve_sylvester(eye, -0.5 * eye, eye, method=method, tol=0.6)).all()
        _close(L.solve_sylvester(eye, -0.5 * eye, eye, method=method), 2 * eye)
    with pytest.raises(ValueError, match="Incompatible shapes"):
        L.solve_sylvester(a[0], b, c[0, :3])
    with pytest.raises(ValueError, match="Unrecognized method"):
        L.solve_sylvester(a[0], b, c[0], method="banana")
    with pytest.raises(NotImplementedError, match="schur"):
        glassbox.grad(lambda p: L.solve_sylvester(p, b, c[0]).sum())(a[0])


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (4, 4)])
@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
@pytest.mark.parametrize("mode", ["left", "right"])
@pytest.mark.parametrize("conjugate", [False, True])
def test_qr_multiply(rng, shape, dtype, mode, conjugate):
    m, n = shape
    a = rng.standard_normal(shape)
    if dtype == np.complex64:
        a = a + 1j * rng.standard_normal(shape)
    a = a.astype(dtype)
    k = min(m, n)
    for c_shape in ([(k, 2), (k,)] if mode == "left" else [(2, m), (m,)]):
        c = rng.standard_normal(c_shape).astype(np.float32)
        out, r = L.qr_multiply(a, c, mode=mode, conjugate=conjugate)
        want, want_r = sl.qr_multiply(a.astype(np.complex128 if dtype == np.complex64
                                               else np.float64), c, mode=mode,
                                      conjugate=conjugate)
        assert out.dtype == r.dtype == dtype and out.shape == want.shape
        _close(out, want)             # the same LAPACK Householder QR: the same signs
        _close(r, want_r)


def test_qr_multiply_batches_jit_and_errors(rng):
    a = rng.standard_normal((3, 5, 3)).astype(np.float32)
    c = rng.standard_normal((3, 2, 5)).astype(np.float32)
    out, r = L.qr_multiply(a, c[0])          # batch dimensions broadcast
    assert out.shape == (3, 2, 3) and r.shape == (3, 3, 3)
    for i in range(3):
        _close(out[i], sl.qr_multiply(a[i], c[0])[0])
    _loop_vs_vmap_vs_jit(lambda x, y: L.qr_multiply(x, y, mode="right")[0], [a, c])
    _loop_vs_vmap_vs_jit(lambda x, y: L.qr_multiply(x, y[:3], mode="left")[0],
                         [a, np.swapaxes(c, 1, 2)])
    with pytest.raises(ValueError, match="mode must be"):
        L.qr_multiply(a[0], c[0], mode="banana")
    with pytest.raises(ValueError, match="Q has 5 rows"):
        L.qr_multiply(a[0], c[0, :, :4])
    with pytest.raises(ValueError, match="Q has 3 columns"):
        L.qr_multiply(a[0], c[0], mode="left")
    with pytest.raises(NotImplementedError, match="pivoting"):
        L.qr_multiply(a[0], c[0], pivoting=True)
    with pytest.raises(NotImplementedError, match="geqrf"):
        glassbox.grad(lambda x: L.qr_multiply(x, c[0])[0].sum())(a[0])
