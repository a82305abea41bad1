"""glassbox.scipy.stats: every function on grids that mix points inside and outside the
support and bad parameters, against values recorded from real JAX 0.10.2
(tests/stats_golden.json, made by tests/make_stats_golden.py from tests/stats_cases.py)
and against SciPy (where SciPy's conventions differ from JAX's, the points are listed
below with the reason); dtypes; gradients against finite differences; vmap against a
loop; jit against eager; mode/rankdata/sem; gaussian_kde."""
import json
import pathlib
import warnings

import numpy as np
import pytest
import scipy.stats as ss

import glassbox
import glassbox.numpy as jnp
import glassbox.scipy.stats as st
from glassbox.test_util import check_grads

from .stats_cases import CASES

GOLDEN = json.loads((pathlib.Path(__file__).parent / "stats_golden.json").read_text())


def _decode(values):
    return np.array([float(v) for v in values])


def _call(name, *args):
    dist, fn = name.split(".")
    return getattr(getattr(st, dist), fn)(*args)


def _args32(name):
    return [np.asarray(a, np.float32) for a in CASES[name]]


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_jax(name):
    out = np.asarray(_call(name, *_args32(name)), np.float64)
    np.testing.assert_allclose(out, _decode(GOLDEN[name]), rtol=1e-6, atol=0, equal_nan=True)


# Points of the grids (indices) where SciPy's answer differs from JAX's, which glassbox
# follows (the JAX test above covers them).
SCIPY_DIFFERS = {
    "gamma": ([4, 11], "a <= 0 or x = nan: JAX gives -inf/0/1, SciPy nan"),
    "truncnorm": ([6, 11], "x on the float32 edge of [a, b]; x = nan: JAX's select gives 0/1"),
    "beta": ([4], "a = 0: JAX's betainc gives a value, SciPy nan"),
    "cauchy.ppf": ([0, 1, 7, 8], "q outside (0, 1): JAX computes tan, SciPy gives nan/inf"),
    "cauchy.isf": ([0, 1, 7, 8], "q outside (0, 1): JAX computes tan, SciPy gives nan/inf"),
    "gumbel_l.ppf": ([1, 7], "q = 0 or 1: JAX gives nan, SciPy -inf/inf"),
    "gumbel_r.ppf": ([1, 7], "q = 0 or 1: JAX gives nan, SciPy -inf/inf"),
    "bernoulli.ppf": ([1], "q = 0: JAX gives 0, SciPy -1"),
    "bernoulli.logpmf": ([0, 8, 9], "p outside [0, 1] or nan: JAX -inf, SciPy nan"),
    "bernoulli.pmf": ([0, 8, 9], "p outside [0, 1] or nan: JAX 0, SciPy nan"),
    "uniform": ([11], "x = nan: JAX's where/select gives a number, SciPy nan"),
    "vonmises": ([4], "kappa = 0: JAX gives nan, SciPy the uniform density"),
    "wrapcauchy": ([11], "x = nan: JAX -inf/0, SciPy nan"),
    "poisson.logpmf": ([6, 7], "JAX tests k (not k - loc) for being an integer"),
    "poisson.pmf": ([6, 7], "JAX tests k (not k - loc) for being an integer"),
    "binom": ([0, 8], "p outside [0, 1]: JAX computes, SciPy nan"),
    "nbinom": ([0, 1], "p outside [0, 1]: JAX computes, SciPy nan"),
    "geom": ([0, 1], "p outside (0, 1]: JAX -inf, SciPy nan"),
}


def _scipy_differs(name):
    dist = name.split(".")[0]
    return SCIPY_DIFFERS.get(name, SCIPY_DIFFERS.get(dist, ([], "")))[0]


@pytest.mark.parametrize("name", sorted(CASES))
def test_matches_scipy(name):
    dist, fn = name.split(".")
    args64 = [np.asarray(a, np.float64) for a in CASES[name]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fn == "entropy":
            ref = np.array([ss.poisson(m).entropy() for m in args64[0]])
        else:
            ref = getattr(getattr(ss, dist), fn)(*args64)
    out = np.asarray(_call(name, *_args32(name)), np.float64)
    keep = np.ones(out.shape, bool)
    keep[_scipy_differs(name)] = False
    np.testing.assert_allclose(out[keep], ref[keep], rtol=2e-4, atol=1e-6, equal_nan=True)


def test_scipy_differences_are_real():
    """Each listed difference is one: at each listed point, SciPy's value differs from
    glassbox's for at least one function the entry covers."""
    for key, (indices, _) in SCIPY_DIFFERS.items():
        names = [n for n in CASES if n == key or n.split(".")[0] == key]
        differs = np.zeros(len(indices), bool)
        for name in names:
            if _scipy_differs(name) != indices:
                continue
            dist, fn = name.split(".")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ref = np.asarray(getattr(getattr(ss, dist), fn)(
                    *[np.asarray(a, np.float64) for a in CASES[name]]))[indices]
            out = np.asarray(_call(name, *_args32(name)), np.float64)[indices]
            differs |= ~np.isclose(out, ref, rtol=2e-4, atol=1e-6, equal_nan=True)
        assert names and differs.all(), (key, np.asarray(indices)[~differs])


def test_support_conventions():
    assert float(st.norm.logpdf(0.)) == pytest.approx(-0.9189385)
    assert np.isneginf(float(st.expon.logpdf(-1.)))
    assert float(st.expon.cdf(-1.)) == 0.
    assert np.isnan(float(st.beta.logpdf(0.5, -1., 2.)))
    assert np.isneginf(float(st.beta.logpdf(1.5, 2., 2.)))
    assert np.isnan(float(st.uniform.ppf(1.5)))
    assert np.isneginf(float(st.poisson.logpmf(1.5, 2.)))
    assert np.isnan(float(st.gumbel_r.logpdf(0., 0., -1.)))


@pytest.mark.parametrize("dtype", [np.int32, np.bool_, np.float32])
def test_ints_become_float(dtype):
    x = np.array([0, 1, 1], dtype)
    for f in (st.norm.logpdf, st.expon.cdf, st.laplace.pdf, st.cauchy.sf):
        out = f(x)
        assert out.dtype == np.float32
    assert st.poisson.logpmf(np.array([1, 2]), 3).dtype == np.float32
    assert st.norm.logpdf(1.).weak_type and not st.norm.logpdf(np.float32(1.)).weak_type


def test_float64_when_enabled():
    with glassbox.enable_x64(True):
        out = st.norm.logcdf(np.array([-40., 0., 3.]))
        assert out.dtype == np.float64
        np.testing.assert_allclose(out, ss.norm.logcdf([-40., 0., 3.]), rtol=1e-12)
        out = st.gamma.logpdf(np.array([0.5, 2.]), 3., 0., 2.)
        np.testing.assert_allclose(out, ss.gamma.logpdf([0.5, 2.], 3., 0., 2.), rtol=1e-12)


GRAD_CASES = [
    (st.norm.logpdf, (0.3, 0.1, 1.5)),
    (st.norm.logcdf, (-0.7, 0.0, 1.2)),
    (st.norm.ppf, (0.3,)),
    (st.t.logpdf, (0.4, 3.0, 0.1, 1.3)),
    (st.beta.logpdf, (0.3, 2.0, 3.0)),
    (st.gamma.logpdf, (1.3, 2.5, 0.0, 1.5)),
    (st.expon.logpdf, (1.3, 0.1, 2.0)),
    (st.laplace.logpdf, (0.3, 0.1, 2.0)),
    (st.logistic.logpdf, (0.3, 0.1, 2.0)),
    (st.cauchy.logpdf, (0.3, 0.1, 2.0)),
    (st.chi2.logpdf, (1.3, 3.0)),
    (lambda mu: st.poisson.logpmf(3.0, mu), (2.5,)),  # k: integers only
    (st.binom.logpmf, (3.0, 7.0, 0.4)),
    (st.gumbel_r.logpdf, (0.3, 0.1, 2.0)),
    (st.vonmises.logpdf, (0.3, 2.0)),
    (st.truncnorm.logpdf, (0.3, -1.0, 2.0)),
]


@pytest.mark.parametrize("f,args", GRAD_CASES, ids=lambda v: getattr(v, "__module__", "")[-20:])
def test_grads(f, args):
    with glassbox.enable_x64(True):
        check_grads(f, tuple(np.float64(a) for a in args), order=1, modes=("fwd", "rev"))


def test_grad_multivariate_normal_and_dirichlet():
    with glassbox.enable_x64(True):
        cov = np.array([[2., 0.3], [0.3, 1.]])
        check_grads(lambda x, m: st.multivariate_normal.logpdf(x, m, cov),
                    (np.array([0.2, -0.4]), np.array([0.1, 0.1])), order=1)
        check_grads(lambda a: st.dirichlet.logpdf(np.array([0.2, 0.3, 0.5]), a),
                    (np.array([1.5, 2., 3.]),), order=1)


def test_vmap_and_jit():
    x = np.linspace(-2., 3., 7).astype(np.float32)
    loc = np.linspace(-1., 1., 7).astype(np.float32)
    for f in (st.norm.logpdf, st.gamma.cdf, st.beta.logpdf, st.truncnorm.logcdf):
        extra = {st.gamma.cdf: (2.,), st.beta.logpdf: (2., 3.),
                 st.truncnorm.logcdf: (-1., 2.)}.get(f, ())
        g = lambda x, l: f(x / 4 + 0.5 if f is st.beta.logpdf else x, *extra, l)  # noqa: E731
        batched = np.asarray(glassbox.vmap(g)(x, loc))
        loop = np.array([np.asarray(g(a, b)) for a, b in zip(x, loc)])
        np.testing.assert_allclose(batched, loop, rtol=1e-6)
        # one compiled program vs one per op: XLA fuses and rounds differently (JAX too)
        np.testing.assert_allclose(np.asarray(glassbox.jit(g)(x, loc)), np.asarray(g(x, loc)),
                                   rtol=1e-5, atol=5e-6)


def test_multivariate_normal():
    rng = np.random.default_rng(0)
    a = rng.normal(size=(3, 3))
    cov = a @ a.T + np.eye(3)
    mean = rng.normal(size=3)
    x = rng.normal(size=(5, 3))
    np.testing.assert_allclose(st.multivariate_normal.logpdf(x.astype(np.float32), mean, cov),
                               ss.multivariate_normal.logpdf(x, mean, cov), rtol=1e-5)
    np.testing.assert_allclose(st.multivariate_normal.pdf(x[0], mean, 2.),
                               ss.multivariate_normal.pdf(x[0], mean, 2. * np.eye(3)), rtol=1e-5)
    np.testing.assert_allclose(st.multivariate_normal.logpdf(0.5, 0.1, 2.),
                               ss.norm.logpdf(0.5, 0.1, np.sqrt(2.)), rtol=1e-6)
    with pytest.raises(ValueError, match="incompatible shapes"):
        st.multivariate_normal.logpdf(x, mean, np.eye(2))
    with pytest.raises(NotImplementedError):
        st.multivariate_normal.logpdf(x, mean, cov, allow_singular=True)


def test_dirichlet_and_multinomial():
    alpha = np.array([1.5, 2., 3.])
    x = np.array([[0.2, 0.5], [0.3, 0.1], [0.5, 0.4]])
    np.testing.assert_allclose(st.dirichlet.logpdf(x, alpha),
                               ss.dirichlet.logpdf(x, alpha), rtol=1e-5)
    np.testing.assert_allclose(st.dirichlet.logpdf(x[:2], alpha),
                               ss.dirichlet.logpdf(x, alpha), rtol=1e-5)
    assert np.isneginf(float(st.dirichlet.logpdf(np.array([0.5, 0.6, 0.1]), alpha)))
    with pytest.raises(ValueError, match="one-dimensional"):
        st.dirichlet.logpdf(x, np.ones((3, 1)))
    p = np.array([0.2, 0.3, 0.5])
    np.testing.assert_allclose(st.multinomial.logpmf(np.array([1, 2, 3]), 6, p),
                               ss.multinomial.logpmf([1, 2, 3], 6, p), rtol=1e-5)
    assert np.isneginf(float(st.multinomial.logpmf(np.array([1, 2, 3]), 5, p)))
    with pytest.raises(ValueError, match="integer type"):
        st.multinomial.logpmf(np.array([1., 2., 3.]), 6, p)


def test_mode():
    a = np.array([[1, 2, 2, 5], [3, 3, 1, 5], [3, 2, 1, 0]])
    for axis in (0, 1, None):
        for keepdims in (False, True):
            out = st.mode(a, axis=axis, keepdims=keepdims)
            ref = ss.mode(a, axis=axis, keepdims=keepdims)
            np.testing.assert_array_equal(out.mode, ref.mode)
            np.testing.assert_array_equal(out.count, ref.count)
    with pytest.raises(ValueError, match="Illegal nan_policy"):
        st.mode(a, nan_policy="bad")
    with pytest.raises(NotImplementedError):
        st.mode(a, nan_policy="omit")


@pytest.mark.parametrize("method", ["average", "min", "max", "dense", "ordinal"])
def test_rankdata(method):
    a = np.array([[3., 1., 2., 2.], [5., 5., 5., -1.]])
    np.testing.assert_array_equal(st.rankdata(a, method), ss.rankdata(a, method))
    np.testing.assert_array_equal(st.rankdata(a, method, axis=1),
                                  ss.rankdata(a, method, axis=1))
    assert np.isnan(np.asarray(st.rankdata(np.array([1., np.nan]), method))).all()


def test_rankdata_bad_method():
    with pytest.raises(ValueError, match="unknown method"):
        st.rankdata(np.arange(3), "bad")


def test_sem():
    a = np.arange(12.).reshape(3, 4) ** 1.5
    np.testing.assert_allclose(st.sem(a), ss.sem(a), rtol=1e-6)
    np.testing.assert_allclose(st.sem(a, axis=1, ddof=0), ss.sem(a, axis=1, ddof=0), rtol=1e-6)
    np.testing.assert_allclose(st.sem(a, axis=None), ss.sem(a, axis=None), rtol=1e-6)
    b = a.copy()
    b[0, 0] = np.nan
    np.testing.assert_allclose(st.sem(b, nan_policy="omit"), ss.sem(b, nan_policy="omit"),
                               rtol=1e-6)


def test_poisson_entropy_shapes():
    out = st.poisson.entropy(np.array([[1.], [20.]]), np.zeros(3))
    assert out.shape == (2, 3)
    np.testing.assert_allclose(out[:, 0], [ss.poisson(1.).entropy(), ss.poisson(20.).entropy()],
                               rtol=1e-5)


def test_gaussian_kde():
    rng = np.random.default_rng(1)
    data = rng.normal(size=(2, 30))
    w = rng.uniform(0.5, 1.5, size=30)
    pts = rng.normal(size=(2, 4))
    for bw in (None, "silverman", 0.4):
        ours = st.gaussian_kde(data, bw_method=bw, weights=w)
        ref = ss.gaussian_kde(data, bw_method=bw, weights=w)
        np.testing.assert_allclose(ours.evaluate(pts), ref.evaluate(pts), rtol=1e-4)
        np.testing.assert_allclose(ours.logpdf(pts), ref.logpdf(pts), rtol=1e-4)
        np.testing.assert_allclose(ours.covariance, ref.covariance, rtol=1e-4)
        np.testing.assert_allclose(ours.integrate_gaussian(np.zeros(2), np.eye(2)),
                                   ref.integrate_gaussian(np.zeros(2), np.eye(2)), rtol=1e-4)
        np.testing.assert_allclose(ours.integrate_kde(ours), ref.integrate_kde(ref), rtol=1e-4)
    one = st.gaussian_kde(data[0])
    ref1 = ss.gaussian_kde(data[0])
    np.testing.assert_allclose(one.integrate_box_1d(-0.5, 1.), ref1.integrate_box_1d(-0.5, 1.),
                               rtol=1e-5)
    np.testing.assert_allclose(one(np.array([0.1, 0.7])), ref1(np.array([0.1, 0.7])), rtol=1e-5)
    sample = one.resample(glassbox.random.key(0), (1000,))
    assert sample.shape == (1, 1000) and abs(float(jnp.mean(sample)) - data[0].mean()) < 0.2
    # a pytree: through jit
    np.testing.assert_allclose(glassbox.jit(lambda k, p: k.evaluate(p))(one, np.array([0.1])),
                               one.evaluate(np.array([0.1])), rtol=1e-6)
    with pytest.raises(ValueError, match="bw_method"):
        st.gaussian_kde(data, bw_method="bad")
    with pytest.raises(ValueError, match="multiple elements"):
        st.gaussian_kde(np.array([1.]))
