"""glassbox.scipy.special and the lax special-function primitives: what the op table
(tests/op_records/special.py) cannot express: bit-exact values recorded from real JAX
(tests/special_golden.json, made by tests/make_special_golden.py), edge values, dtypes and
weak types, x64, errors, derivatives (custom rules and order 2), vmap against a loop and
jit against eager."""
import json
import pathlib

import numpy as np
import pytest
import scipy.special as ss

import glassbox as gb
import glassbox.lax as lax
import glassbox.numpy as jnp
import glassbox.scipy.special as sp
from glassbox.test_util import check_grads

GOLDEN = json.loads((pathlib.Path(__file__).parent / "special_golden.json").read_text())
A = np.array([0.5, 1., 2., 5., 10., 0.1, 0., -1., np.nan, 3.], np.float32)
X = np.array([0.3, 1., 3., 2., 12., 5., 0., 1., 1., np.inf], np.float32)
B = np.array([2., 3., 0.5, 1., 4., 2., 1., 2., 2., 0.], np.float32)
P = np.array([0.1, .5, .9, .3, .99, 0., 1., 0.5, 0.5, 0.5], np.float32)
Z = np.array([-10, -1, 0, 0.5, 3, 8, 9, 50, np.nan, -np.inf], np.float32)

CASES = {
    "igamma": lambda: lax.igamma(A, X), "igammac": lambda: lax.igammac(A, X),
    "igamma_grad_a": lambda: lax.igamma_grad_a(A, X),
    "random_gamma_grad": lambda: lax.random_gamma_grad(A, X),
    "betainc": lambda: lax.betainc(A, B, P), "zeta": lambda: lax.zeta(B + 1.5, X + 0.5),
    "bessel_i0e": lambda: lax.bessel_i0e(Z), "bessel_i1e": lambda: lax.bessel_i1e(Z),
    "dawsn": lambda: sp.dawsn(Z), "spence": lambda: sp.spence(np.abs(Z)),
    "ndtri": lambda: sp.ndtri(P), "log_ndtr": lambda: sp.log_ndtr(Z),
    "erfcx": lambda: sp.erfcx(Z), "betaln": lambda: sp.betaln(A + 1, B + 9),
}


def _golden(name):
    return np.array([np.nan if v is None else v for v in GOLDEN[name]], np.float32)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_match_recorded_jax(name):
    # computed as JAX computes them: bit for bit on this machine (a few ulp across CPUs)
    out = np.asarray(CASES[name]())
    np.testing.assert_allclose(out, _golden(name), rtol=4e-7, atol=0, equal_nan=True)


def test_lax_edge_values():
    assert np.isnan(lax.igamma(-1., 1.)) and np.isnan(lax.igamma(0., 0.))
    assert float(lax.igamma(2., 0.)) == 0 and float(lax.igamma(2., np.inf)) == 1
    assert float(lax.igammac(0., 1.)) == 0 and float(lax.igammac(2., np.inf)) == 0
    assert np.isnan(lax.betainc(2., 3., 1.5)) and np.isnan(lax.betainc(-1., 3., .5))
    assert float(lax.betainc(2., 3., 0.)) == 0 and float(lax.betainc(2., 3., 1.)) == 1
    assert float(lax.bessel_i0e(0.)) == pytest.approx(1, abs=1e-6)
    assert float(lax.bessel_i1e(0.)) == 0


@pytest.mark.parametrize("fn,ref,args", [
    (lax.igamma, ss.gammainc, ([0.5, 3., 20., 100.], [0.1, 4., 25., 90.])),
    (lax.igammac, ss.gammaincc, ([0.5, 3., 20., 100.], [0.1, 4., 25., 90.])),
    (lax.betainc, ss.betainc, ([0.5, 3., 20., 1e-3], [2., 0.5, 30., 5.], [.3, .9, .4, .5])),
    (lax.zeta, ss.zeta, ([2., 3.5, 10., 1.1], [1., 0.3, 4., 2.])),
    (lax.bessel_i0e, ss.i0e, ([-30., -2., 0.1, 7.9, 8.1, 700.],)),
    (lax.bessel_i1e, ss.i1e, ([-30., -2., 0.1, 7.9, 8.1, 700.],)),
])
def test_lax_x64_against_scipy(fn, ref, args):
    with gb.enable_x64():
        args64 = [np.array(a, np.float64) for a in args]
        out = fn(*args64)
        assert out.dtype == np.float64
        np.testing.assert_allclose(np.asarray(out), ref(*args64), rtol=1e-11)


def test_half_precision_computed_in_float32():
    for dtype in (np.float16, jnp.bfloat16):
        a, x = np.array([2., 5.], dtype), np.array([3., 1.], dtype)
        out = lax.igamma(a, x)
        assert out.dtype == dtype
        np.testing.assert_allclose(np.asarray(out, np.float32), ss.gammainc([2., 5.], [3., 1.]),
                                   rtol=1e-2)
        assert lax.bessel_i0e(np.array([1.], dtype)).dtype == dtype


def test_lax_rejects_mixed_and_int_dtypes():
    with gb.enable_x64(), pytest.raises(TypeError, match="same dtypes"):
        lax.igamma(np.float32(1), np.float64(1))
    with pytest.raises(TypeError):
        lax.zeta(np.int32(2), np.int32(1))
    with pytest.raises(TypeError):
        lax.bessel_i1e(np.int32(1))


def test_weak_types_and_int_promotion():
    assert sp.gammaln(3).dtype == np.float32 and sp.gammaln(3).weak_type
    out = sp.gammainc(np.int32(2), 3)
    assert out.dtype == np.float32 and not out.weak_type
    assert lax.igamma(1., 2.).weak_type
    assert sp.xlogy(np.float16(2), 3.).dtype == np.float16
    assert sp.erf(np.array([1, 2], np.int8)).dtype == np.float32
    with gb.enable_x64():
        assert sp.gammaln(3).dtype == np.float64
        assert sp.betainc(np.float32(2), np.float32(3), np.float32(.5)).dtype == np.float32


def test_edge_semantics_match_scipy():
    np.testing.assert_array_equal(sp.xlogy(np.float32([0, 0, 1]), np.float32([0, np.nan, 1])),
                                  [0, np.nan, 0])
    np.testing.assert_array_equal(sp.xlog1py(np.float32([0, 1]), np.float32([-1, 0])), [0, 0])
    np.testing.assert_array_equal(sp.entr(np.float32([-1, 0])), [-np.inf, 0])
    np.testing.assert_array_equal(sp.rel_entr(np.float32([0, 1, 1]), np.float32([1, 0, -1])),
                                  [0, np.inf, np.inf])
    np.testing.assert_array_equal(sp.gammasgn(np.float32([-0., 0., -1.5, -2.5, -2., np.nan])),
                                  [-1, 1, 1, -1, np.nan, np.nan])
    np.testing.assert_array_equal(sp.loggamma(np.float32([-1., 0.])), [np.nan, np.nan])
    np.testing.assert_allclose(sp.factorial(np.float32([-1, 0, 4])), [0, 1, 24], rtol=2e-6)
    np.testing.assert_allclose(sp.comb(np.float32([5, 5, 3]), np.float32([2, 7, 2])), [10, 0, 3],
                               rtol=1e-5)
    np.testing.assert_allclose(sp.comb(5., 2., repetition=True), ss.comb(5, 2, repetition=True),
                               rtol=1e-5)
    np.testing.assert_array_equal(sp.ndtri(np.float32([0, 1])), [-np.inf, np.inf])
    np.testing.assert_allclose(sp.log_ndtr(np.float32([-30., -12.])), ss.log_ndtr([-30., -12.]),
                               rtol=1e-5)
    np.testing.assert_allclose(sp.multigammaln(np.float32([2., 3.5]), 3),
                               ss.multigammaln(np.array([2., 3.5]), 3), rtol=1e-5)
    np.testing.assert_allclose(sp.polygamma(np.int32([0, 1, 2]), np.float32([1.5, 2., 3.])),
                               ss.polygamma([0, 1, 2], [1.5, 2., 3.]), rtol=1e-5)
    np.testing.assert_allclose(sp.bernoulli(10), ss.bernoulli(10), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(sp.boxcox1p(np.float32([0.5, 2.]), np.float32([0., 0.5])),
                               ss.boxcox1p([0.5, 2.], [0., 0.5]), rtol=1e-6)
    np.testing.assert_allclose(sp.logsumexp(np.float32([1000., 1000.])), 1000.6931, rtol=1e-6)
    np.testing.assert_allclose(sp.softmax(np.float32([[1, 2], [3, 4]])),
                               ss.softmax(np.array([[1, 2], [3, 4.]])), rtol=1e-6)
    np.testing.assert_allclose(sp.log_softmax(np.float32([1, 2, 3]), axis=0),
                               ss.log_softmax(np.array([1, 2, 3.])), rtol=1e-6)


def test_errors_as_jax():
    with pytest.raises(ValueError, match="integer type"):
        sp.polygamma(1., 2.)
    with pytest.raises(NotImplementedError, match="Riemann"):
        sp.zeta(2.)
    with pytest.raises(NotImplementedError):
        sp.factorial(3, exact=True)
    with pytest.raises(TypeError, match="not supported"):
        sp.ndtr(np.float16(1))
    with pytest.raises(TypeError, match="series_order"):
        sp.log_ndtr(1., series_order=2.)
    with pytest.raises(ValueError, match="non-negative"):
        sp.bernoulli(-1)
    with pytest.raises(ValueError, match="complex"):
        sp.betainc(1j, 2., .5)
    with pytest.raises(ValueError, match="Betainc gradient"):
        gb.grad(lax.betainc)(2., 3., .5)
    with pytest.raises(TypeError, match="requires ndarray or scalar"):
        sp.gammaln([1., 2.])


def test_derivatives_match_formulas():
    # d/dx P(a, x) = x**(a-1) exp(-x) / Gamma(a); d/da through igamma_grad_a
    a, x = 2.5, 1.7
    assert float(gb.grad(sp.gammainc, 1)(a, x)) == pytest.approx(
        x ** (a - 1) * np.exp(-x) / ss.gamma(a), rel=1e-5)
    h = 1e-4
    with gb.enable_x64():
        fd = (ss.gammainc(a + h, x) - ss.gammainc(a - h, x)) / (2 * h)
        assert float(gb.grad(sp.gammainc, 0)(np.float64(a), np.float64(x))) == pytest.approx(
            fd, rel=1e-6)
        assert float(gb.grad(sp.gammaincc, 0)(np.float64(a), np.float64(x))) == pytest.approx(
            -fd, rel=1e-6)
        fd_b = (ss.betainc(2., 3., .4 + h) - ss.betainc(2., 3., .4 - h)) / (2 * h)
        assert float(gb.grad(sp.betainc, 2)(2., 3., .4)) == pytest.approx(fd_b, rel=1e-6)
        fd_z = (ss.zeta(3., 2. + h) - ss.zeta(3., 2. - h)) / (2 * h)
        assert float(gb.grad(sp.zeta, 1)(3., 2.)) == pytest.approx(fd_z, rel=1e-6)
    # random_gamma_grad is -dP/da / dP/dx
    rg = float(lax.random_gamma_grad(np.float32(a), np.float32(x)))
    want = -float(lax.igamma_grad_a(np.float32(a), np.float32(x))) / (
        x ** (a - 1) * np.exp(-x) / ss.gamma(a))
    assert rg == pytest.approx(want, rel=1e-4)
    assert float(gb.grad(sp.xlogy, 1)(2., 4.)) == pytest.approx(0.5)
    assert float(gb.grad(sp.i1e)(0.)) == 0.5


@pytest.mark.parametrize("fn,x", [
    (sp.gammaln, 2.5), (sp.digamma, 1.7), (sp.erf, .3), (sp.erfinv, .4), (sp.expit, .8),
    (sp.logit, .3), (sp.log_ndtr, -3.), (sp.i0e, 1.3), (sp.i1e, -0.7),
    (sp.dawsn, 1.1), (sp.erfcx, 0.9), (lambda x: sp.xlogy(x, x + 1.), 1.5),
    (lambda x: sp.betaln(x, 3.), 2.5), (lambda x: lax.betainc(2., 3., x), .4),
])
def test_check_grads_order_2(fn, x):
    with gb.enable_x64():
        check_grads(fn, (np.float64(x),), order=2, modes=("fwd", "rev"))


def test_ndtri_first_order_grads():   # order 2 costs ~50 s of compiling; the op table's
    with gb.enable_x64():              # float32 check covers order 1 too
        check_grads(sp.ndtri, (np.float64(0.2),), order=1, modes=("fwd", "rev"))


def test_vmap_matches_loop_and_jit_matches_eager():
    a = np.array([0.5, 2., 7.], np.float32)
    x = np.array([0.2, 3., 5.], np.float32)
    p = np.array([0.1, 0.5, 0.8], np.float32)
    for fn, args in [(lax.igamma, (a, x)), (lax.igamma_grad_a, (a, x)),
                     (lax.random_gamma_grad, (a, x)), (lax.betainc, (a, x, p)),
                     (lax.zeta, (a + 1.5, x)), (sp.gammainc, (a, x)),
                     (lambda a, x: sp.multigammaln(a + 1, 2), (a, x))]:
        loop = np.stack([np.asarray(fn(*[arg[i] for arg in args])) for i in range(3)])
        np.testing.assert_allclose(gb.vmap(fn)(*args), loop, rtol=1e-6)
        np.testing.assert_allclose(gb.jit(fn)(*args), fn(*args), rtol=1e-6)
    # one batched argument, the other broadcast
    np.testing.assert_allclose(gb.vmap(lax.igamma, (0, None))(a, np.float32(2.)),
                               [lax.igamma(v, np.float32(2.)) for v in a], rtol=1e-6)


def test_grad_of_vmap_and_jit():
    a = np.array([0.5, 2., 7.], np.float32)
    x = np.array([0.2, 3., 5.], np.float32)
    g = gb.jit(gb.vmap(gb.grad(sp.gammainc, (0, 1))))(a, x)
    for i in range(3):
        gi = gb.grad(sp.gammainc, (0, 1))(a[i], x[i])
        np.testing.assert_allclose([g[0][i], g[1][i]], gi, rtol=1e-5)


def test_lowering_uses_chlo_and_loops():
    text = gb.jit(lax.zeta).lower(2., 1.).as_text()
    assert "chlo.zeta" in text
    assert "chlo.bessel_i1e" in gb.jit(lax.bessel_i1e).lower(1.).as_text()
    assert "stablehlo.while" in gb.jit(lax.igamma).lower(1., 2.).as_text()


def test_every_jax_name_exists():
    names = json.loads((pathlib.Path(__file__).parent / "jax_api_names.json").read_text())
    lax_names = ["igamma", "igamma_p", "igammac", "igammac_p", "igamma_grad_a",
                 "igamma_grad_a_p", "random_gamma_grad", "betainc",
                 "regularized_incomplete_beta_p", "zeta", "zeta_p", "bessel_i0e",
                 "bessel_i0e_p", "bessel_i1e", "bessel_i1e_p"]
    assert all(hasattr(lax, n) for n in lax_names)
    assert set(lax_names) <= set(names["modules"]["lax"])
    implemented = set(sp.__all__)
    assert implemented <= set(names["modules"]["scipy.special"])
    assert len(implemented) >= 52


# --- exponential, sine/cosine and Fresnel integrals, Owen's T ---------------------------

XI = np.array([-50., -5., -1., -0.1, 0., 1e-3, 0.1, 0.5, 1., 1.5, 1.6, 2., 3., 4., 4.5, 5.,
               7., 8., 8.5, 10., 16., 20., 32., 40., 64., 100., 1e4, np.inf, -np.inf, np.nan],
              np.float32)


def _close(got, want, rtol=2e-5, atol=1e-30):
    got = np.asarray(got)
    assert got.dtype == np.float32
    with np.errstate(over="ignore"):
        want = np.asarray(want, np.float32)  # overflows to inf as float32 does
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol, equal_nan=True)


@pytest.mark.parametrize("name", ["expi", "exp1"])
def test_exponential_integrals_against_scipy(name):
    x64 = XI.astype(np.float64)
    with np.errstate(all="ignore"):
        want = getattr(ss, name)(x64)
    # JAX's (and so glassbox's) ends: NaN at +-inf, and expi(0) NaN
    want[np.isinf(XI)] = np.nan
    if name == "expi":
        want[XI == 0] = np.nan
    _close(getattr(sp, name)(XI), want)


def test_expn_against_scipy():
    x = XI[(XI >= 0) & np.isfinite(XI)]
    for n in [0, 1, 2, 3, 5, 12]:
        with np.errstate(all="ignore"):
            want = ss.expn(n, x.astype(np.float64))
        if n >= 2:  # JAX (and so glassbox) gives 1 / n at x == 0, SciPy 1 / (n - 1)
            want = np.where(x == 0, 1. / n, want)
        _close(sp.expn(n, x), want, rtol=5e-5)
    _close(sp.expn(6000., np.float32(2.)), ss.expn(6000, 2.), rtol=1e-5)
    # negative n or x: NaN
    assert np.isnan(sp.expn(-1., 1.)) and np.isnan(sp.expn(2, -1.))
    assert np.isnan(sp.expn(2, np.inf))  # as JAX


def test_sici_and_fresnel_against_scipy():
    x64 = XI.astype(np.float64)
    si, ci = sp.sici(XI)
    want_si, want_ci = ss.sici(x64)
    _close(si, want_si, atol=1e-7)
    # SciPy gives Ci(x < 0) as complex's real part; JAX (and glassbox) Ci(|x|)
    want_ci = np.where(XI < 0, ss.sici(np.abs(x64))[1], want_ci)
    want_ci[np.isneginf(XI)] = np.nan
    _close(ci, want_ci, atol=2e-7)
    s, c = sp.fresnel(XI)
    want_s, want_c = ss.fresnel(x64)
    _close(s, want_s, atol=1e-7)
    _close(c, want_c, atol=1e-7)
    with gb.enable_x64():
        x = np.linspace(-12, 12, 96)  # not 0: expi(0) is NaN in JAX
        s, c = sp.fresnel(x)
        np.testing.assert_allclose(s, ss.fresnel(x)[0], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(c, ss.fresnel(x)[1], rtol=1e-12, atol=1e-15)
        np.testing.assert_allclose(sp.expi(x), ss.expi(x), rtol=1e-12)
        np.testing.assert_allclose(sp.sici(x)[0], ss.sici(x)[0], rtol=1e-12, atol=1e-15)


def test_owens_t_against_scipy():
    h = np.array([-3, -1, -0.2, 0, 0.3, 0.5, 1, 2, 5, 10, 0.7, 0.], np.float32)
    a = np.array([0.5, 2, -1, 3, 1, -0.3, 5, 0.9, 0.01, 1, 1e3, -np.inf], np.float32)
    want = ss.owens_t(h.astype(np.float64), a.astype(np.float64))
    want[-1] = np.nan  # JAX's quadrature gives NaN for infinite a
    _close(sp.owens_t(h, a), want, rtol=1e-5, atol=1e-7)
    hh, aa = np.meshgrid(np.linspace(-4, 4, 17), np.linspace(-6, 6, 25))
    _close(sp.owens_t(hh.astype(np.float32), aa.astype(np.float32)), ss.owens_t(hh, aa),
           rtol=1e-4, atol=1e-7)
    assert np.isnan(sp.owens_t(np.nan, 1.)) and np.isnan(sp.owens_t(1., np.nan))


def test_integrals_dtypes_and_errors():
    for fn in [sp.expi, sp.exp1, lambda v: sp.expn(2, v), lambda v: sp.sici(v)[1],
               lambda v: sp.fresnel(v)[0]]:
        assert fn(3).dtype == np.float32            # int -> default float
        assert fn(np.float16(3)).dtype == np.float16
        with gb.enable_x64():
            assert fn(3).dtype == np.float64
    # owens_t's float64 quadrature table promotes as in JAX
    assert sp.owens_t(np.float16(3), 2).dtype == np.float32
    with gb.enable_x64():
        assert sp.owens_t(np.float32(3), 2).dtype == np.float64
    for fn in [sp.expi, sp.exp1, lambda v: sp.sici(v)[0], lambda v: sp.owens_t(v, 2.)]:
        assert not fn(2.).weak_type  # as in JAX
    np.testing.assert_array_equal(sp.fresnel(np.float16(1.5))[0],
                                  np.float16(sp.fresnel(np.float32(1.5))[0]))
    z = np.complex64(1 + 1j)
    for fn, exc in [(sp.expi, ValueError), (sp.exp1, ValueError), (sp.sici, ValueError),
                    (lambda v: sp.expn(1, v), ValueError), (sp.fresnel, NotImplementedError)]:
        with pytest.raises(exc):
            fn(z)


def test_integrals_derivatives():
    x = np.array([0.05, 0.5, 1., 2.5, 6., 12., 30.], np.float32)
    g = gb.vmap(gb.grad(sp.expi))(x)
    np.testing.assert_allclose(g, np.exp(x) / x, rtol=1e-5)
    g = gb.vmap(gb.grad(sp.exp1))(x)
    np.testing.assert_allclose(g, -np.exp(-x.astype(np.float64)) / x, rtol=1e-5)
    g = gb.vmap(gb.grad(lambda v: sp.expn(3, v)))(x)
    np.testing.assert_allclose(g, -ss.expn(2, x.astype(np.float64)), rtol=5e-5)
    si, ci = gb.vmap(gb.jacfwd(sp.sici))(x)
    np.testing.assert_allclose(si, np.sin(x) / x, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(ci, np.cos(x) / x, rtol=1e-5, atol=1e-7)
    s, c = gb.vmap(gb.jacrev(sp.fresnel))(x[:5])
    np.testing.assert_allclose(s, np.sin(np.pi * x[:5].astype(np.float64) ** 2 / 2),
                               atol=2e-6)
    np.testing.assert_allclose(c, np.cos(np.pi * x[:5].astype(np.float64) ** 2 / 2),
                               atol=2e-6)
    with gb.enable_x64():
        for fn, v in [(sp.expi, 0.7), (sp.expi, -1.3), (sp.exp1, 2.5),
                      (lambda v: sp.expn(2, v), 1.7), (lambda v: sp.sici(v)[0], 3.),
                      (lambda v: sp.sici(v)[1], 5.), (lambda v: sp.fresnel(v)[1], 1.2),
                      (lambda v: sp.owens_t(v, 0.6), 0.8), (lambda v: sp.owens_t(0.8, v), 2.)]:
            check_grads(fn, (np.float64(v),), order=1, modes=("fwd", "rev"))


@pytest.mark.parametrize("fn", [sp.expi, sp.exp1, lambda v: sp.expn(2, v), sp.sici,
                                sp.fresnel, lambda v: sp.owens_t(v, 1.5 - v)])
def test_integrals_vmap_matches_loop_and_jit_matches_eager(fn):
    x = np.array([-0.5, 0.3, 1.2, 3., 5.5, 9.], np.float32)
    leaves = gb.tree_util.tree_leaves
    loop = [leaves(fn(v)) for v in x]
    for k, got in enumerate(leaves(gb.vmap(fn)(x))):
        # (owens_t's quadrature sums in another order when batched)
        np.testing.assert_allclose(got, [l[k] for l in loop], rtol=2e-5, equal_nan=True)
    for got, want in zip(leaves(gb.jit(fn)(x)), leaves(fn(x))):
        np.testing.assert_allclose(got, want, rtol=2e-5, equal_nan=True)


def test_bessel_jn():
    z = np.array([[0.1, 0.5, 1., 2.5], [5., 10., 15., 20.]], np.float32)
    # in float32 the recurrence from order 50 overflows for small z: NaN, as in JAX
    assert np.isnan(sp.bessel_jn(z[0], v=1)).all()
    assert sp.bessel_jn(z, v=4).shape == (5, 2, 4)
    for row, n_iter in [(z[:1], 15), (z[1:], 50)]:
        got = sp.bessel_jn(row, v=4, n_iter=n_iter)
        assert got.shape == (5, 1, 4) and got.dtype == np.float32
        want = ss.jv(np.arange(5)[:, None, None], row.astype(np.float64))
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=2e-6)
    np.testing.assert_allclose(sp.bessel_jn(3, v=2, n_iter=30), ss.jv([0, 1, 2], 3.),
                               rtol=1e-5, atol=1e-7)
    assert sp.bessel_jn(3, v=0).dtype == np.float32  # int -> default float
    with gb.enable_x64():
        x = np.linspace(0.2, 25., 40)
        np.testing.assert_allclose(sp.bessel_jn(x, v=3, n_iter=80),
                                   ss.jv(np.arange(4)[:, None], x), rtol=1e-9, atol=1e-12)
        # J_1' = (J_0 - J_2) / 2, by differentiating the recurrence
        check_grads(lambda v: sp.bessel_jn(v, v=1)[1], (np.float64(2.3),), order=1)
    g = gb.vmap(gb.grad(lambda v: sp.bessel_jn(v, v=1, n_iter=15)[1]))(z[0])
    np.testing.assert_allclose(g, (ss.jv(0, z[0]) - ss.jv(2, z[0])) / 2, rtol=1e-4, atol=1e-6)
    loop = np.stack([sp.bessel_jn(v, v=2) for v in z[1]], axis=-1)
    np.testing.assert_allclose(gb.vmap(lambda v: sp.bessel_jn(v, v=2), out_axes=1)(z[1]),
                               loop, rtol=1e-6)
    np.testing.assert_allclose(gb.jit(lambda v: sp.bessel_jn(v, v=2))(z), sp.bessel_jn(z, v=2),
                               rtol=1e-6)
    with pytest.raises(ValueError):
        sp.bessel_jn(np.complex64(1j), v=1)
    with pytest.raises(TypeError):
        sp.bessel_jn(1., v=1.5)


def test_hyp1f1():
    a = np.array([0.5, 1, 2, -1.5, 3, 2, 0.7, 1.5, 0, 2.5, -2], np.float32)
    b = np.array([1.5, 2, 2, 3, 0, 4.5, 1.2, 2.5, 0, 1., 3.], np.float32)
    # (large negative x cancels badly in float32, in JAX too: x = -20 gives -0.78, not 0.065)
    x = np.array([0.3, -2, 5, 1, 1, 120, -3, 10, 1, 150., 4.], np.float32)
    with np.errstate(over="ignore"):  # 1F1 overflows float32 at x = 120, 150
        want = ss.hyp1f1(*(v.astype(np.float64) for v in (a, b, x))).astype(np.float32)
    want[8] = 1.  # JAX's (and glassbox's) convention at a == b == 0; SciPy gives inf
    got = sp.hyp1f1(a, b, x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=2e-4)
    aa, bb, xx = np.meshgrid(np.linspace(-2.5, 3, 6), np.linspace(0.5, 4, 5),
                             np.linspace(-8, 8, 9))
    with gb.enable_x64():
        np.testing.assert_allclose(sp.hyp1f1(aa, bb, xx), ss.hyp1f1(aa, bb, xx), rtol=1e-9,
                                   atol=1e-12)
        for argnum, point in [(0, (0.7, 1.6, 1.3)), (1, (0.7, 1.6, -1.3)),
                              (2, (2.2, 1.6, 0.4))]:
            check_grads(lambda v: sp.hyp1f1(*[v if i == argnum else p
                                              for i, p in enumerate(point)]),
                        (np.float64(point[argnum]),), order=1, modes=("fwd", "rev"))
    assert sp.hyp1f1(1, 2, 3).dtype == np.float32
    with pytest.raises(ValueError):
        sp.hyp1f1(1., 2., np.complex64(1j))
    loop = np.stack([sp.hyp1f1(*v) for v in zip(a, b, x)])
    np.testing.assert_allclose(gb.vmap(sp.hyp1f1)(a, b, x), loop, rtol=1e-6)
    np.testing.assert_allclose(gb.jit(sp.hyp1f1)(a, b, x), got, rtol=1e-6)


def test_hyp2f1():
    a = np.array([0.5, 1, 2, -2, 0, 3, 1.5, 0.7, 1.5, 1, 2, 0.3, -3, 1.], np.float32)
    b = np.array([1.5, 2, 2, 3, 1, 0.5, 1.5, 1.2, 2.5, 1, 2, 0.4, 1.5, 2.], np.float32)
    c = np.array([2.5, 3, 4, 3, 1, 3.5, 3, 2.9, 2, 2, 0, 1.2, 2.5, 3.], np.float32)
    # (JAX's series needs |x| < 1: hyp2f1(1, 2, 3, -2) is -inf there, as here)
    x = np.array([0.3, -.6, 0.95, 0.5, 0.5, 0.99, 0.97, -0.5, 0.7, 1, 0.5, 0.93, 0.99, 1.5],
                 np.float32)
    want = ss.hyp2f1(*(v.astype(np.float64) for v in (a, b, c, x)))
    want[-1] = np.inf  # x > 1: JAX (and glassbox) give inf; SciPy a complex branch's real part
    got = sp.hyp2f1(a, b, c, x)
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=2e-4)
    aa, bb, cc, xx = np.meshgrid(np.linspace(-2, 3, 6), np.linspace(0.5, 2.5, 3),
                                 np.linspace(0.7, 4.2, 4), np.linspace(-0.9, 0.9, 7))
    with gb.enable_x64():
        np.testing.assert_allclose(sp.hyp2f1(aa, bb, cc, xx), ss.hyp2f1(aa, bb, cc, xx),
                                   rtol=1e-8, atol=1e-12)
        # nearer 1 JAX's series stops at 250 terms: a few 1e-5 off, as in JAX
        np.testing.assert_allclose(sp.hyp2f1(aa, bb, cc, 0.96), ss.hyp2f1(aa, bb, cc, 0.96),
                                   rtol=5e-5)
        point = (0.7, 1.3, 2.6, 0.4)
        for argnum in range(4):
            check_grads(lambda v: sp.hyp2f1(*[v if i == argnum else p
                                              for i, p in enumerate(point)]),
                        (np.float64(point[argnum]),), order=1, modes=("fwd", "rev"))
    assert sp.hyp2f1(1, 2, 3, 0).dtype == np.float32 and sp.hyp2f1(1, 2, 3, 0) == 1
    loop = np.stack([sp.hyp2f1(*v) for v in zip(a, b, c, x)])
    np.testing.assert_allclose(gb.vmap(sp.hyp2f1)(a, b, c, x), loop, rtol=1e-6)
    np.testing.assert_allclose(gb.jit(sp.hyp2f1)(a, b, c, x), got, rtol=1e-6)


def test_wofz():
    re, im = np.meshgrid(np.linspace(-6, 6, 13), np.linspace(-2, 6, 9))
    z = (re + 1j * im).astype(np.complex64)
    got = sp.wofz(z)
    assert got.dtype == np.complex64
    np.testing.assert_allclose(got, ss.wofz(z.astype(np.complex128)), rtol=2e-5, atol=1e-6)
    x = np.array([0., 0.5, -1., 2.5, 10., 30.], np.float32)
    got = sp.wofz(x)
    assert got.dtype == np.complex64 and not got.weak_type and sp.wofz(1).dtype == np.complex64
    np.testing.assert_allclose(got, ss.wofz(x.astype(np.float64)), rtol=2e-5, atol=1e-6)
    with gb.enable_x64():
        assert sp.wofz(1.).dtype == np.complex128
    # w'(z) = -2 z w(z) + 2i / sqrt(pi)
    want = -2 * x * ss.wofz(x.astype(np.float64)) + 2j / np.sqrt(np.pi)
    np.testing.assert_allclose(gb.vmap(gb.grad(lambda v: sp.wofz(v).real))(x), want.real,
                               rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(gb.vmap(gb.grad(lambda v: sp.wofz(v).imag))(x), want.imag,
                               rtol=1e-4, atol=1e-6)
    w, dw = gb.jvp(sp.wofz, (z[4],), (np.ones_like(z[4]),))
    np.testing.assert_allclose(dw, -2 * z[4] * w + 2j / np.sqrt(np.pi), rtol=1e-5, atol=1e-6)
    loop = np.stack([sp.wofz(v) for v in z[2]])
    np.testing.assert_allclose(gb.vmap(sp.wofz)(z[2]), loop, rtol=1e-6)
    np.testing.assert_allclose(gb.jit(sp.wofz)(z), sp.wofz(z), rtol=1e-6)


# --- spherical harmonics ------------------------------------------------------------------

SPH = json.loads((pathlib.Path(__file__).parent / "sph_harm_golden.json").read_text())
SPH_N, SPH_M = np.array(SPH["n"]), np.array(SPH["m"])
SPH_THETA, SPH_PHI = np.float32(SPH["theta"]), np.float32(SPH["phi"])


def _sph_golden(name):
    return np.array(SPH[name]["re"]) + 1j * np.array(SPH[name]["im"])


@pytest.mark.parametrize("name, call", [
    ("full", lambda: sp.sph_harm_y(SPH_N, SPH_M, SPH_THETA, SPH_PHI)),
    ("nmax12", lambda: sp.sph_harm_y(SPH_N, SPH_M, SPH_THETA, SPH_PHI, n_max=12)),
    ("clipped", lambda: sp.sph_harm_y(SPH_N, SPH_M, SPH_THETA, SPH_PHI, n_max=4)),
    ("scalar_theta", lambda: sp.sph_harm_y(SPH_N, SPH_M, np.float32(0.7), SPH_PHI)),
    ("jit", lambda: gb.jit(sp.sph_harm_y, static_argnums=5)(SPH_N, SPH_M, SPH_THETA, SPH_PHI,
                                                            None, 8)),
])
def test_sph_harm_y_against_jax(name, call):
    # the recurrences in float32: a few ulp from JAX (XLA fuses the loop body differently)
    out = call()
    assert out.dtype == np.dtype(SPH[name]["dtype"]) == np.complex64
    np.testing.assert_allclose(np.asarray(out), _sph_golden(name), rtol=2e-6, atol=1e-7)


def test_sph_harm_y_against_scipy_x64():
    rng = np.random.default_rng(3)
    n = rng.integers(0, 25, 40)
    m = np.array([rng.integers(-k, k + 1) for k in n])
    theta, phi = rng.uniform(0, np.pi, 40), rng.uniform(0, 2 * np.pi, 40)
    with gb.enable_x64(True):
        out = sp.sph_harm_y(n, m, theta, phi)
        assert out.dtype == np.complex128
        np.testing.assert_allclose(np.asarray(out), ss.sph_harm_y(n, m, theta, phi),
                                   rtol=1e-10, atol=1e-13)
    out = sp.sph_harm_y(n, m, theta.astype(np.float32), phi.astype(np.float32))
    np.testing.assert_allclose(np.asarray(out), ss.sph_harm_y(n, m, theta, phi), atol=2e-5)


def test_sph_harm_y_grad_vmap_and_errors():
    n, m = np.array([1, 2, 3]), np.array([-1, 2, 1])
    theta, phi = np.array([0.4, 1.3, 2.2]), np.array([0.3, 2.0, 5.0])
    with gb.enable_x64(True):
        check_grads(lambda t, p: jnp.real(sp.sph_harm_y(n, m, t, p, n_max=3)), (theta, phi),
                    order=1, modes=["fwd", "rev"])
    rows = gb.vmap(lambda t: sp.sph_harm_y(n, m, t, np.float32(phi), n_max=3))(
        np.float32([theta, theta[::-1]]))
    for row, t in zip(np.asarray(rows), [theta, theta[::-1]]):
        np.testing.assert_allclose(row, sp.sph_harm_y(n, m, np.float32(t), np.float32(phi)),
                                   rtol=1e-6, atol=1e-7)
    with pytest.raises(NotImplementedError, match="diff_n"):
        sp.sph_harm_y(n, m, theta, phi, diff_n=1)
    with pytest.raises(gb.errors.ConcretizationTypeError, match="n_max"):
        gb.jit(lambda n: sp.sph_harm_y(n, m, theta, phi))(n)
    with pytest.raises(TypeError):
        sp.sph_harm_y(2, 1, 0.5, 0.1)
