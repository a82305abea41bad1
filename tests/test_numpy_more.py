"""The rest of ``jax.numpy``: differences and interpolation, histograms and covariance,
set operations, polynomials, index tricks, vectorize and friends, selection, bit and
float helpers, windows, printing and files, ``linalg.tensorinv``/``tensorsolve``.

Values against NumPy on several shapes and dtypes, ``jit`` against eager, gradients
against finite differences, ``vmap`` against a Python loop, and JAX's errors
(data-dependent sizes under ``jit``, immutable arrays). Where JAX differs from NumPy
on purpose (``histogram`` counts are float, ``convolve`` of ints is float, windows
are float32) the expected values say what JAX gives (checked against JAX 0.10.2).
"""
import io

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox.errors import ConcretizationTypeError
from glassbox.test_util import check_grads

RNG = np.random.default_rng(0)


def close(actual, expected, rtol=2e-5, atol=1e-5, dtype=None):
    actual = np.asarray(actual)
    np.testing.assert_allclose(actual.astype(np.float64) if actual.dtype != np.complex64
                               else actual, expected, rtol=rtol, atol=atol)
    if dtype is not None:
        assert actual.dtype == np.dtype(dtype), actual.dtype


def same_under_jit(f, *args):
    eager = f(*args)
    jitted = gb.jit(f)(*args)
    for e, j in zip(gb.tree_util.tree_leaves(eager), gb.tree_util.tree_leaves(jitted)):
        np.testing.assert_allclose(np.asarray(e), np.asarray(j), rtol=1e-6, atol=1e-6)
        assert np.asarray(e).dtype == np.asarray(j).dtype


# --- diff, ediff1d, gradient, trapezoid, unwrap, interp ---------------------------------

@pytest.mark.parametrize("shape,axis,n", [((7,), -1, 1), ((3, 5), 0, 2), ((2, 3, 6), 2, 3),
                                         ((4, 1), 1, 1)])
@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.int8, np.bool_])
def test_diff_matches_numpy(shape, axis, n, dtype):
    x = (RNG.standard_normal(shape) * 5).astype(dtype)
    expected = np.diff(x, n=n, axis=axis)
    out = jnp.diff(x, n=n, axis=axis)
    assert out.dtype == expected.dtype and out.shape == expected.shape
    close(out, expected)
    same_under_jit(lambda v: jnp.diff(v, n=n, axis=axis), x)


def test_diff_prepend_append_and_errors():
    x = np.arange(12.).reshape(3, 4) ** 2
    close(jnp.diff(x, axis=0, prepend=0., append=np.ones((1, 4))),
          np.diff(x, axis=0, prepend=0., append=np.ones((1, 4))))
    assert jnp.diff(x, n=0) is not None and np.array_equal(jnp.diff(x, n=0), x)
    with pytest.raises(ValueError, match="non-negative"):
        jnp.diff(x, n=-1)
    with pytest.raises(ValueError, match="at least one dimensional"):
        jnp.diff(jnp.float32(1))
    with pytest.raises(ConcretizationTypeError):
        gb.jit(lambda v, k: jnp.diff(v, n=k))(x, 1)


def test_ediff1d():
    x = np.array([[1, 2], [4, 7]])
    close(jnp.ediff1d(x, to_begin=np.array([-1.5]), to_end=5),
          np.ediff1d(x, to_begin=np.array([-1]), to_end=5), dtype=np.int32)


@pytest.mark.parametrize("spacing", [(), (2.0,), (0.5, np.array([0., 1, 3, 7, 8.]))])
def test_gradient_matches_numpy(spacing):
    f = RNG.standard_normal((4, 5)).astype(np.float32)
    out = jnp.gradient(f, *spacing)
    expected = np.gradient(f.astype(np.float64), *spacing)
    for o, e in zip(out, expected):
        close(o, e, rtol=1e-4, atol=1e-5, dtype=np.float32)
    close(jnp.gradient(f, axis=1), np.gradient(f, axis=1), rtol=1e-5)
    with pytest.raises(ValueError, match="at least 2 elements"):
        jnp.gradient(np.ones((1, 3)))
    with pytest.raises(NotImplementedError):
        jnp.gradient(f, edge_order=2)


def test_trapezoid():
    y = RNG.standard_normal((3, 6)).astype(np.float32)
    x = np.sort(RNG.standard_normal(6)).astype(np.float32)
    close(jnp.trapezoid(y), np.trapezoid(y), rtol=1e-5)
    close(jnp.trapezoid(y, x), np.trapezoid(y, x), rtol=1e-5)
    close(jnp.trapezoid(y, dx=0.3, axis=0), np.trapezoid(y, dx=0.3, axis=0), rtol=1e-5)
    check_grads(lambda a, b: jnp.trapezoid(a, b), (y, x), order=2, rtol=2e-2)


@pytest.mark.parametrize("dtype", [np.float32, np.int32])
def test_unwrap(dtype):
    p = (np.cumsum(RNG.standard_normal((3, 10)) * 3, axis=1)).astype(dtype)
    kw = {} if dtype == np.float32 else {"period": 6}
    close(jnp.unwrap(p, axis=1, **kw), np.unwrap(p, axis=1, **kw), rtol=1e-5, atol=1e-4)


def test_interp():
    xp = np.sort(RNG.uniform(-3, 3, 8)).astype(np.float32)
    fp = RNG.standard_normal(8).astype(np.float32)
    x = RNG.uniform(-4, 4, 20).astype(np.float32)
    close(jnp.interp(x, xp, fp), np.interp(x, xp, fp), rtol=1e-5)
    close(jnp.interp(x, xp, fp, left=-9, right=9), np.interp(x, xp, fp, left=-9, right=9))
    close(jnp.interp(x, xp, fp, period=2.5), np.interp(x, xp, fp, period=2.5), rtol=1e-4,
          atol=1e-5)
    # 'extrapolate' continues the end segments (JAX only).
    out = jnp.interp(np.array([-1., 4.]), np.array([0., 1, 3]), np.array([0., 2, 3]),
                     left="extrapolate", right="extrapolate")
    close(out, [-2., 3.5])
    with pytest.raises(ValueError, match="extrapolate"):
        jnp.interp(x, xp, fp, left="nearest")
    check_grads(lambda v, f: jnp.interp(v, xp, f), (x, fp), order=1, rtol=2e-2)
    batched = gb.vmap(lambda v: jnp.interp(v, xp, fp))(x.reshape(4, 5))
    close(batched, np.stack([np.interp(r, xp, fp) for r in x.reshape(4, 5)]), rtol=1e-5)


# --- bincount, digitize, histograms, cov, corrcoef ------------------------------------

def test_bincount():
    x = RNG.integers(0, 7, 30)
    w = RNG.standard_normal(30).astype(np.float32)
    close(jnp.bincount(x), np.bincount(x), dtype=np.int32)
    close(jnp.bincount(x, w, minlength=10), np.bincount(x, w, minlength=10), rtol=1e-5)
    out = gb.jit(lambda v: jnp.bincount(v, length=4))(x)
    close(out, np.bincount(x)[:4])   # values >= length are dropped
    with pytest.raises(ConcretizationTypeError):
        gb.jit(jnp.bincount)(x)
    with pytest.raises(TypeError, match="integer type"):
        jnp.bincount(np.array([0., 1.]))


@pytest.mark.parametrize("right", [False, True])
def test_digitize(right):
    x = RNG.uniform(-1, 11, 25).astype(np.float32)
    bins = np.array([0., 1, 2.5, 4, 10], np.float32)
    close(jnp.digitize(x, bins, right=right), np.digitize(x, bins, right=right))
    close(jnp.digitize(x, bins[::-1], right=right), np.digitize(x, bins[::-1], right=right))


@pytest.mark.parametrize("kwargs", [dict(bins=4), dict(bins=np.array([0, 1, 2.5, 6])),
                                    dict(bins=3, range=(0., 10.)),
                                    dict(bins=5, density=True)])
def test_histogram(kwargs):
    a = RNG.uniform(0, 6, 40).astype(np.float32)
    counts, edges = jnp.histogram(a, **kwargs)
    e_counts, e_edges = np.histogram(a, **kwargs)
    close(counts, e_counts, rtol=1e-5, dtype=np.float32)   # JAX counts are float
    close(edges, e_edges, rtol=1e-6)
    w = RNG.uniform(0, 1, 40).astype(np.float32)
    close(jnp.histogram(a, 4, weights=w)[0], np.histogram(a, 4, weights=w)[0], rtol=1e-5)
    close(jnp.histogram_bin_edges(a, 4), np.histogram_bin_edges(a, 4), rtol=1e-6)


def test_histogram2d_and_dd():
    x, y = RNG.standard_normal((2, 50)).astype(np.float32)
    h, ex, ey = jnp.histogram2d(x, y, bins=(3, 4))
    eh, eex, eey = np.histogram2d(x, y, bins=(3, 4))
    close(h, eh)
    close(ex, eex, rtol=1e-5)
    close(ey, eey, rtol=1e-5)
    close(jnp.histogram2d(x, y, bins=3, density=True)[0],
          np.histogram2d(x, y, bins=3, density=True)[0], rtol=1e-4)
    sample = RNG.standard_normal((30, 3)).astype(np.float32)
    h, edges = jnp.histogramdd(sample, bins=2)
    eh, eedges = np.histogramdd(sample, bins=2)
    close(h, eh)
    assert len(edges) == 3


@pytest.mark.parametrize("kwargs", [{}, dict(rowvar=False), dict(bias=True), dict(ddof=2),
                                    dict(fweights=np.array([1, 2, 1, 3, 1])),
                                    dict(aweights=np.array([.5, 1, 2, 1, .2]))])
def test_cov(kwargs):
    m = RNG.standard_normal((3, 5)).astype(np.float32)
    if kwargs.get("rowvar") is False:
        m = m.T
    close(jnp.cov(m, **kwargs), np.cov(m.astype(np.float64), **kwargs), rtol=1e-4, atol=1e-5)


def test_cov_corrcoef_more():
    x, y = RNG.standard_normal((2, 6)).astype(np.float32)
    close(jnp.cov(x, y), np.cov(x, y), rtol=1e-4, atol=1e-5)
    m = RNG.standard_normal((4, 7)).astype(np.float32)
    close(jnp.corrcoef(m), np.corrcoef(m), rtol=1e-4, atol=1e-5)
    c = (RNG.standard_normal((2, 5)) + 1j * RNG.standard_normal((2, 5))).astype(np.complex64)
    close(jnp.corrcoef(c), np.corrcoef(c), rtol=1e-4, atol=1e-5)
    same_under_jit(jnp.cov, m)
    check_grads(jnp.cov, (m,), order=2, rtol=2e-2)
    with pytest.raises(ValueError, match="dtype"):
        jnp.cov(m, dtype=np.int32)


# --- set operations ---------------------------------------------------------------------

SET_A = np.array([5, 1, 3, 3, 9, 0, 1, 7])
SET_B = np.array([3, 4, 5, 6, 3, 11])


@pytest.mark.parametrize("method", ["auto", "compare_all", "binary_search", "sort"])
@pytest.mark.parametrize("invert", [False, True])
def test_isin(method, invert):
    a = RNG.integers(0, 10, (3, 4))
    out = jnp.isin(a, SET_B, invert=invert, method=method)
    np.testing.assert_array_equal(out, np.isin(a, SET_B, invert=invert))
    same_under_jit(lambda u, v: jnp.isin(u, v, invert=invert, method=method), a, SET_B)


@pytest.mark.parametrize("fun", ["intersect1d", "union1d", "setdiff1d", "setxor1d"])
def test_setops_match_numpy(fun):
    expected = getattr(np, fun)(SET_A, SET_B)
    np.testing.assert_array_equal(getattr(jnp, fun)(SET_A, SET_B), expected)
    # With size=, under jit: padded with fill_value.
    size = len(expected) + 2
    out = gb.jit(lambda a, b: getattr(jnp, fun)(a, b, size=size, fill_value=-1))(SET_A, SET_B)
    np.testing.assert_array_equal(out, np.concatenate([expected, [-1, -1]]))
    with pytest.raises(ConcretizationTypeError):
        gb.jit(getattr(jnp, fun))(SET_A, SET_B)


def test_intersect1d_indices_and_assume_unique():
    vals, i1, i2 = jnp.intersect1d(SET_A, SET_B, return_indices=True)
    evals, ei1, ei2 = np.intersect1d(SET_A, SET_B, return_indices=True)
    for a, e in ((vals, evals), (i1, ei1), (i2, ei2)):
        np.testing.assert_array_equal(a, e)
    vals, i1, i2 = jnp.intersect1d(SET_A, SET_B, return_indices=True, size=3)
    np.testing.assert_array_equal(i1[:2], ei1)
    np.testing.assert_array_equal(i2[:2], ei2)
    assert int(i1[2]) == SET_A.size and int(i2[2]) == SET_B.size   # out-of-bound padding
    ua, ub = np.array([4, 2, 3, 1]), np.array([3, 4, 5, 6])
    np.testing.assert_array_equal(jnp.setxor1d(ua, ub, assume_unique=True),
                                  np.setxor1d(ua, ub, assume_unique=True))
    np.testing.assert_array_equal(jnp.setdiff1d(ua, ub, assume_unique=True),
                                  np.setdiff1d(ua, ub, assume_unique=True))


# --- polynomials, convolve --------------------------------------------------------------

@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("na,nv", [(6, 3), (3, 6), (5, 5), (1, 4)])
def test_convolve_correlate(mode, na, nv):
    a = RNG.standard_normal(na).astype(np.float32)
    v = RNG.standard_normal(nv).astype(np.float32)
    close(jnp.convolve(a, v, mode=mode), np.convolve(a, v, mode=mode), rtol=1e-5)
    close(jnp.correlate(a, v, mode=mode), np.correlate(a, v, mode=mode), rtol=1e-5)
    check_grads(lambda p, q: jnp.convolve(p, q, mode=mode), (a, v), order=1, rtol=2e-2)


def test_convolve_dtypes_and_complex():
    close(jnp.convolve(np.array([1, 2, 3]), np.array([1, 1])), [1, 3, 5, 3],
          dtype=np.float32)   # JAX promotes to inexact
    a = np.array([1 + 1j, 2, 4], np.complex64)
    v = np.array([1j, 2], np.complex64)
    close(jnp.correlate(a, v, "full"), np.correlate(a, v, "full"), rtol=1e-5)
    with pytest.raises(ValueError, match="1-dimensional"):
        jnp.convolve(np.ones((2, 2)), np.ones(2))


def test_polyval_polyfit_roots():
    p = np.array([2., -3, 0.5, 1], np.float32)
    x = RNG.standard_normal((2, 5)).astype(np.float32)
    close(jnp.polyval(p, x), np.polyval(p, x), rtol=1e-5)
    check_grads(jnp.polyval, (p, x), order=2, rtol=2e-2)
    xs = np.linspace(-1, 1, 12).astype(np.float32)
    ys = np.polyval(p, xs)
    close(jnp.polyfit(xs, ys, 3), p, rtol=1e-3, atol=1e-3)
    close(jnp.polyfit(xs, np.stack([ys, 2 * ys], 1), 3), np.stack([p, 2 * p], 1), rtol=1e-3,
          atol=1e-3)
    roots = np.sort_complex(np.asarray(jnp.roots(np.array([1., -6, 11, -6]))))
    close(roots.real, [1, 2, 3], rtol=1e-4)
    roots = np.asarray(jnp.roots(np.array([0., 0, 1, -2])))
    close(roots.real, [2.], rtol=1e-5)
    with pytest.raises(ConcretizationTypeError):
        gb.jit(jnp.roots)(np.array([0., 1, -2]))
    out = gb.jit(lambda q: jnp.roots(q, strip_zeros=False))(np.array([0., 1, -2]))
    assert np.isnan(np.asarray(out)[1]) and abs(complex(np.asarray(out)[0]) - 2) < 1e-5


def test_poly_arithmetic():
    a = np.array([1., 2, 3])
    b = np.array([4., -1])
    close(jnp.poly(np.array([1., 2, 3])), np.poly([1, 2, 3]))
    close(jnp.polyadd(a, b), np.polyadd(a, b))
    close(jnp.polysub(b, a), np.polysub(b, a))
    close(jnp.polymul(a, b), np.polymul(a, b))
    q, r = jnp.polydiv(np.array([1., 3, 3, 2]), np.array([1., 1]))
    eq, er = np.polydiv([1., 3, 3, 2], [1., 1])
    close(q, eq)
    close(r[-1:], er)
    close(jnp.polyder(np.array([1., 2, 3, 4]), 2), np.polyder([1., 2, 3, 4], 2))
    close(jnp.polyint(np.array([1., 2, 3]), 2, k=np.array([1., 2])),
          np.polyint([1., 2, 3], 2, k=[1., 2]), rtol=1e-6)
    close(jnp.vander(np.array([1., 2, 3]), 4), np.vander([1., 2, 3], 4))
    close(jnp.vander(np.array([1, 2, 3]), increasing=True), np.vander([1, 2, 3], increasing=True),
          dtype=np.int32)
    np.testing.assert_array_equal(jnp.trim_zeros(np.array([0, 0, 1, 0, 2, 0])), [1, 0, 2])
    np.testing.assert_array_equal(jnp.trim_zeros(np.array([0, 0, 1, 0]), "b"), [0, 0, 1])


# --- index tricks ---------------------------------------------------------------------------

def test_grids_and_concatenators():
    np.testing.assert_array_equal(jnp.mgrid[0:3, 0:2], np.mgrid[0:3, 0:2])
    close(jnp.mgrid[0:1:5j, 0:2], np.mgrid[0:1:5j, 0:2])
    for o, e in zip(jnp.ogrid[0:3, 0:1:3j], np.ogrid[0:3, 0:1:3j]):
        close(o, e)
    np.testing.assert_array_equal(jnp.r_[-1:5, 0, 0, np.array([1, 2, 3])],
                                  np.r_[-1:5, 0, 0, np.array([1, 2, 3])])
    for directive in ("0,2", "0,2,0", "1,2,0", "r", "c"):
        np.testing.assert_array_equal(jnp.r_[directive, [1, 2, 3], [4, 5, 6]],
                                      np.r_[directive, [1, 2, 3], [4, 5, 6]])
    np.testing.assert_array_equal(jnp.c_[np.array([1, 2, 3]), np.array([4, 5, 6])],
                                  np.c_[np.array([1, 2, 3]), np.array([4, 5, 6])])
    x = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(jnp.c_[x, x], np.c_[x, x])
    assert jnp.s_[1:2, ::3] == np.s_[1:2, ::3] and jnp.index_exp[2] == (2,)
    rows, cols = jnp.ix_(np.array([0, 2]), np.array([1, 2, 3]))
    a = np.arange(20).reshape(4, 5)
    np.testing.assert_array_equal(jnp.asarray(a)[rows, cols], a[np.ix_([0, 2], [1, 2, 3])])


def test_triangle_and_diagonal_indices():
    for got, want in ((jnp.triu_indices(4, 1), np.triu_indices(4, 1)),
                      (jnp.tril_indices(3, -1, 5), np.tril_indices(3, -1, 5)),
                      (jnp.tril_indices_from(np.ones((3, 4)), k=1),
                       np.tril_indices_from(np.ones((3, 4)), k=1)),
                      (jnp.triu_indices_from(np.ones((4, 2))), np.triu_indices_from(np.ones((4, 2)))),
                      (jnp.mask_indices(3, jnp.triu, 1), np.mask_indices(3, np.triu, 1)),
                      (jnp.diag_indices(3, 3), np.diag_indices(3, 3)),
                      (jnp.diag_indices_from(np.ones((2, 2))), np.diag_indices_from(np.ones((2, 2))))):
        for g, w in zip(got, want):
            np.testing.assert_array_equal(g, w)
            assert g.dtype == np.int32
    expected = np.zeros((4, 4), int)
    np.fill_diagonal(expected, [1, 2, 3])
    np.testing.assert_array_equal(jnp.fill_diagonal(jnp.zeros((4, 4), int), np.array([1, 2, 3]),
                                                    inplace=False), expected)
    with pytest.raises(NotImplementedError, match="immutable"):
        jnp.fill_diagonal(jnp.zeros((3, 3)), 1.)


# --- vectorize, apply_along_axis, piecewise, ufunc ------------------------------------------

def test_vectorize_signature_excluded_and_vmap():
    a = RNG.standard_normal((4, 3)).astype(np.float32)
    b = RNG.standard_normal(3).astype(np.float32)
    dot = jnp.vectorize(jnp.dot, signature="(n),(n)->()")
    close(dot(a, b), a @ b, rtol=1e-5)
    outer = jnp.vectorize(jnp.outer, signature="(m),(n)->(m,n)")
    assert outer(np.ones((1, 5, 2)), np.ones((3, 1, 4))).shape == (3, 5, 2, 4)
    power = jnp.vectorize(lambda x, n: x ** n, excluded={1})
    close(power(np.arange(4.), 3), np.arange(4.) ** 3)
    scalar = jnp.vectorize(lambda x, y: jnp.where(x > y, x, y * 2))
    close(scalar(a, b), np.where(a > b, a, b * 2))
    # Same as a Python loop, and inside jit and grad.
    close(gb.jit(dot)(a, b), [float(np.dot(r, b)) for r in a], rtol=1e-5)
    check_grads(lambda u: dot(u, b).sum(), (a,), order=1, rtol=2e-2)
    with pytest.raises(ValueError, match="inconsistent size"):
        dot(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="not a valid gufunc signature"):
        jnp.vectorize(jnp.dot, signature="(n),(n)>()")(np.ones(3), np.ones(3))


def test_apply_along_and_over_axes():
    x = RNG.standard_normal((2, 3, 4)).astype(np.float32)
    f = lambda v: v.sum() * v[0]  # noqa: E731
    close(jnp.apply_along_axis(f, 1, x), np.apply_along_axis(lambda v: v.sum() * v[0], 1, x),
          rtol=1e-5)
    g = lambda v: jnp.stack([v.min(), v.max()])  # noqa: E731
    close(jnp.apply_along_axis(g, 0, x),
          np.apply_along_axis(lambda v: np.stack([v.min(), v.max()]), 0, x))
    close(jnp.apply_over_axes(jnp.sum, x, [0, 2]), np.apply_over_axes(np.sum, x, [0, 2]),
          rtol=1e-5)


def test_piecewise():
    x = np.linspace(-2, 2, 9).astype(np.float32)
    conds = [x < -1, x > 1]
    funcs = [lambda v: v ** 2, lambda v: -v, lambda v: v * 10]
    close(jnp.piecewise(x, conds, funcs), np.piecewise(x, conds, funcs))
    close(jnp.piecewise(x, [x < 0, x >= 0], [-1, 1]), np.piecewise(x, [x < 0, x >= 0], [-1, 1]))
    jitted = gb.jit(lambda v: jnp.piecewise(v, [v < 0], [lambda u: -u, lambda u: u ** 2]))
    close(jitted(x), np.where(x < 0, -x, x ** 2))
    close(gb.vmap(gb.grad(lambda v: jnp.piecewise(v, [v < 0], [lambda u: -u,
                                                                 lambda u: u ** 2])))(x),
          np.where(x < 0, -1, 2 * x))
    i = np.arange(-3, 4)
    np.testing.assert_array_equal(jnp.piecewise(i, [i < 0], [lambda v: v * 1.5]),
                                  np.piecewise(i, [i < 0], [lambda v: (v * 1.5).astype(int)]))


def test_frompyfunc_ufunc():
    f = jnp.frompyfunc(lambda a, b: a * b + 1, 2, 1)
    close(f(np.arange(3), 2), np.arange(3) * 2 + 1)
    close(f.outer(np.arange(3), np.arange(2)), np.arange(3)[:, None] * np.arange(2) + 1)
    close(f.reduce(np.arange(1, 5)), ((1 * 2 + 1) * 3 + 1) * 4 + 1)
    close(f.accumulate(np.arange(1., 5.)), [1, 3, 10, 41])
    add = jnp.frompyfunc(jnp.add, 2, 1, identity=0)
    x = np.arange(12).reshape(3, 4)
    close(add.reduce(x, axis=1), x.sum(1))
    close(add.reduce(x, axis=0, keepdims=True, initial=100), x.sum(0, keepdims=True) + 100)
    close(add.accumulate(x, axis=1), np.cumsum(x, 1))
    close(add.at(np.zeros(4, int), np.array([0, 1, 1]), 5, inplace=False), [5, 10, 0, 0])
    assert isinstance(f, jnp.ufunc)


# --- select, choose, compress, extract, place, put -------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.int8])
def test_select(dtype):
    x = (RNG.standard_normal((3, 4)) * 4).astype(dtype)
    conds = [x < -1, x > 2]
    choices = [x, x * 2]
    out = jnp.select(conds, choices, default=7)
    np.testing.assert_array_equal(out, np.select(conds, choices, default=7))
    assert out.dtype == dtype
    same_under_jit(lambda v: jnp.select([v < -1, v > 2], [v, v * 2], 7), x)
    with pytest.raises(ValueError, match="equal to choicelist"):
        jnp.select(conds, choices[:1])


def test_choose_compress_extract():
    a = np.array([[0, 1], [2, 1]])
    choices = [np.arange(4).reshape(2, 2), np.full((2, 2), 10), np.array([20, 30])]
    np.testing.assert_array_equal(jnp.choose(a, choices), np.choose(a, choices))
    idx = np.array([0, 5, -1])
    for mode in ("wrap", "clip"):
        np.testing.assert_array_equal(jnp.choose(idx, [np.arange(3), np.arange(3) * 10], mode=mode),
                                      np.choose(idx, [np.arange(3), np.arange(3) * 10], mode=mode))
    with pytest.raises(ValueError, match="invalid entry"):
        jnp.choose(idx, [np.arange(3), np.arange(3)])
    with pytest.raises(ConcretizationTypeError):
        gb.jit(lambda i: jnp.choose(i, [np.arange(3), np.arange(3)]))(np.array([0, 1, 0]))
    x = np.arange(12).reshape(3, 4)
    cond = np.array([True, False, True])
    np.testing.assert_array_equal(jnp.compress(cond, x, axis=0), np.compress(cond, x, axis=0))
    out = gb.jit(lambda c, v: jnp.compress(c, v, axis=1, size=4, fill_value=-1))(
        np.array([1, 0, 1, 1]), x)
    np.testing.assert_array_equal(out, np.concatenate([np.compress([1, 0, 1, 1], x, axis=1),
                                                       np.full((3, 1), -1)], 1))
    m = x % 3 == 0
    np.testing.assert_array_equal(jnp.extract(m, x), np.extract(m, x))


def test_place_put():
    a = np.arange(6)
    expected = a.copy()
    np.place(expected, a % 2 == 0, [10, 20])
    np.testing.assert_array_equal(jnp.place(a, a % 2 == 0, np.array([10, 20]), inplace=False),
                                  expected)
    with pytest.raises(ValueError, match="immutable"):
        jnp.place(a, a > 2, np.array([1]))
    for mode in (None, "wrap", "clip"):
        expected = np.zeros((2, 3))
        ind = np.array([0, 4, 9]) if mode else np.array([0, 4])
        np.put(expected, ind, [1., 2], mode=mode or "raise")
        np.testing.assert_array_equal(
            jnp.put(jnp.zeros((2, 3)), ind, np.array([1., 2]), mode=mode, inplace=False), expected)
    with pytest.raises(ValueError, match="immutable"):
        jnp.put(jnp.zeros(3), np.array([0]), 1.)


# --- frexp, ldexp, spacing, i0, gcd, lcm, windows ------------------------------------------

FLOAT_EDGES = np.array([0., 1, -3, 0.1, -7.5, 3e-38, np.inf, -np.inf, 1e30, 5, 2 ** -126],
                       np.float32)


def test_frexp_ldexp_spacing():
    m, e = jnp.frexp(FLOAT_EDGES)
    em, ee = np.frexp(FLOAT_EDGES)
    np.testing.assert_array_equal(m, em)
    np.testing.assert_array_equal(e, ee)
    assert e.dtype == np.int32
    m16, e16 = jnp.frexp(FLOAT_EDGES[:6].astype(np.float16))
    np.testing.assert_array_equal(m16, np.frexp(FLOAT_EDGES[:6].astype(np.float16))[0])
    # Subnormals: XLA's CPU code flushes them, so JAX (and glassbox) differ from NumPy
    # (values recorded from JAX 0.10.2).
    sub = np.array([1e-40, -1e-44], np.float32)
    np.testing.assert_array_equal(jnp.frexp(sub)[0], [0.5, -0.5])
    np.testing.assert_array_equal(jnp.frexp(sub)[1], [-149, -149])
    exps = np.array([2, -3, 10, 5, 1, 3, 1, 1, -100, 4, 20], np.int32)
    np.testing.assert_array_equal(jnp.ldexp(FLOAT_EDGES, exps), np.ldexp(FLOAT_EDGES, exps))
    with pytest.raises(ValueError, match="ldexp"):
        jnp.ldexp(FLOAT_EDGES, 1.0)
    finite = FLOAT_EDGES[np.isfinite(FLOAT_EDGES) & (FLOAT_EDGES != np.float32(3e-38))]
    np.testing.assert_array_equal(jnp.spacing(finite), np.spacing(finite))
    # d(mantissa)/dx = 2**-e
    close(gb.vmap(gb.grad(lambda v: jnp.frexp(v)[0]))(np.array([3., 0.1, -7], np.float32)),
          [0.25, 8., 0.125])


def test_i0_and_its_derivative():
    import scipy.special
    x = np.array([0., 0.5, -1, 3, 10, -20], np.float32)
    close(jnp.i0(x), np.i0(x.astype(np.float64)), rtol=1e-5)
    grads = gb.vmap(gb.grad(jnp.i0))(x)
    close(grads, np.sign(x) * scipy.special.i1(np.abs(x)), rtol=1e-4)
    assert float(grads[0]) == 0.0   # JAX's rule: 0 at 0
    check_grads(jnp.i0, (np.array([0.3, -1.2, 2.], np.float32),), order=2, rtol=2e-2)
    with pytest.raises(ValueError, match="i0"):
        jnp.i0(np.array([1j]))


@pytest.mark.parametrize("dtype", [np.int32, np.int8, np.uint8])
def test_gcd_lcm(dtype):
    lo = 0 if dtype == np.uint8 else -20
    a = RNG.integers(lo, 20, 30).astype(dtype)
    b = RNG.integers(lo, 20, 30).astype(dtype)
    np.testing.assert_array_equal(jnp.gcd(a, b), np.gcd(a, b))
    np.testing.assert_array_equal(jnp.lcm(a, b), np.lcm(a, b))
    with pytest.raises(ValueError, match="integers"):
        jnp.gcd(np.array([1.]), 2)


def test_windows_and_predicates():
    for name in ("bartlett", "blackman", "hamming", "hanning"):
        for M in (0, 1, 2, 7):
            out = getattr(jnp, name)(M)
            assert out.dtype == np.float32
            close(out, getattr(np, name)(M), atol=1e-6)
    close(jnp.kaiser(6, 5.0), np.kaiser(6, 5.0), rtol=1e-5)
    z = np.array([1 + 1j, 2, 3j])
    np.testing.assert_array_equal(jnp.iscomplex(z), np.iscomplex(z))
    np.testing.assert_array_equal(jnp.isreal(z), np.isreal(z))


# --- block, resize, bits, equality, cross, matvec, printing, files -----------------------------

def test_block_resize_unstack():
    a, b = np.ones((2, 2)), np.zeros((2, 1))
    np.testing.assert_array_equal(jnp.block([[a, b], [np.arange(3.)[None]]]),
                                  np.block([[a, b], [np.arange(3.)[None]]]))
    np.testing.assert_array_equal(jnp.block([np.array([1, 2]), 3]), np.block([np.array([1, 2]), 3]))
    with pytest.raises(ValueError, match="depths"):
        jnp.block([[1, 2], 3])
    np.testing.assert_array_equal(jnp.resize(np.arange(5), (2, 4)), np.resize(np.arange(5), (2, 4)))
    parts = jnp.unstack(np.arange(6).reshape(2, 3), axis=1)
    assert len(parts) == 3 and np.array_equal(parts[1], [1, 4])


@pytest.mark.parametrize("bitorder", ["big", "little"])
def test_packbits_unpackbits(bitorder):
    bits = RNG.random((3, 13)) < 0.5
    for axis in (None, 1, 0):
        packed = jnp.packbits(bits, axis=axis, bitorder=bitorder)
        np.testing.assert_array_equal(packed, np.packbits(bits, axis=axis, bitorder=bitorder))
        np.testing.assert_array_equal(
            jnp.unpackbits(packed, axis=axis, bitorder=bitorder),
            np.unpackbits(np.asarray(packed), axis=axis, bitorder=bitorder))
    np.testing.assert_array_equal(
        jnp.unpackbits(np.array([5, 129], np.uint8), count=11, bitorder=bitorder),
        np.unpackbits(np.array([5, 129], np.uint8), count=11, bitorder=bitorder))


def test_equality_cross_matvec():
    assert bool(jnp.array_equal(np.arange(3), np.arange(3.)))
    assert not bool(jnp.array_equal(np.arange(3), np.arange(4)))
    nan = np.array([np.nan, 1.])
    assert bool(jnp.array_equal(nan, nan, equal_nan=True)) and not bool(jnp.array_equal(nan, nan))
    assert bool(jnp.array_equiv(np.array([1, 2]), np.array([[1, 2], [1, 2]])))
    with pytest.raises(TypeError, match="incompatible shapes"):   # JAX's, not NumPy's False
        jnp.array_equiv(np.ones(3), np.ones(4))
    a = RNG.standard_normal((4, 3)).astype(np.float32)
    b = RNG.standard_normal((4, 3)).astype(np.float32)
    close(jnp.cross(a, b), np.cross(a, b), rtol=1e-5, atol=1e-6)
    close(jnp.cross(a[:, :2], b[:, :2]), np.cross(a[:, :2], b[:, :2]), rtol=1e-5, atol=1e-6)
    close(jnp.cross(a.T, b.T, axisa=0, axisb=0, axisc=0),
          np.cross(a.T, b.T, axisa=0, axisb=0, axisc=0), rtol=1e-5, atol=1e-6)
    check_grads(jnp.cross, (a, b), order=2, rtol=2e-2)
    m = RNG.standard_normal((2, 4, 3)).astype(np.float32)
    close(jnp.matvec(m, a[0]), np.einsum("bij,j->bi", m, a[0]), rtol=1e-5)
    close(jnp.vecmat(a, m[0].T), np.einsum("bi,ij->bj", a, m[0].T), rtol=1e-5)


def test_printing_files_and_dlpack():
    x = jnp.arange(3.)
    assert jnp.array_str(x) == "[0. 1. 2.]"
    with jnp.printoptions(precision=2):
        assert str(jnp.array([1.23456])) == "[1.23]"
        assert jnp.get_printoptions()["precision"] == 2
    f = io.BytesIO()
    jnp.save(f, jnp.array([2, 4, 6], dtype=jnp.bfloat16))
    f.seek(0)
    loaded = jnp.load(f)
    assert isinstance(loaded, gb.Array) and loaded.dtype == jnp.bfloat16
    np.testing.assert_array_equal(jnp.fromstring("1 2 3", sep=" "), [1., 2., 3.])
    with pytest.raises(NotImplementedError, match="non-pure"):
        jnp.fromiter(iter([1, 2]), int)
    with pytest.raises(NotImplementedError, match="non-pure"):
        jnp.fromfile("x")
    out = jnp.from_dlpack(np.arange(4.))
    assert isinstance(out, gb.Array) and np.array_equal(out, np.arange(4.))
    assert jnp.iterable([1]) and jnp.object_ is np.object_
    assert jnp.array([1, 0], dtype=jnp.bool).dtype == np.bool_


# --- linalg.tensorinv, tensorsolve -------------------------------------------------------------

def test_tensorinv_tensorsolve():
    a = (np.eye(24).reshape(4, 6, 8, 3) + RNG.standard_normal((4, 6, 8, 3)) * 0.05)
    a = a.astype(np.float32)
    close(jnp.linalg.tensorinv(a), np.linalg.tensorinv(a), rtol=1e-3, atol=1e-4)
    close(jnp.linalg.tensorinv(a.reshape(24, 8, 3), ind=1),
          np.linalg.tensorinv(a.reshape(24, 8, 3), ind=1), rtol=1e-3, atol=1e-4)
    b = RNG.standard_normal((4, 6)).astype(np.float32)
    close(jnp.linalg.tensorsolve(a.reshape(4, 6, 8, 3), b),
          np.linalg.tensorsolve(a.reshape(4, 6, 8, 3), b), rtol=1e-3, atol=1e-4)
    a2 = (np.eye(6).reshape(2, 3, 2, 3) * 3 + RNG.standard_normal((2, 3, 2, 3)) * 0.1)
    close(jnp.linalg.tensorsolve(a2, b[:3, :2], axes=(0,)),
          np.linalg.tensorsolve(a2, b[:3, :2], axes=(0,)), rtol=1e-3, atol=1e-4)
    with pytest.raises(ValueError, match="tensorinv"):
        jnp.linalg.tensorinv(np.ones((2, 3, 4)), ind=1)
    with pytest.raises(ValueError, match="prod"):
        jnp.linalg.tensorsolve(np.ones((2, 3, 4)), np.ones((2, 3)))
