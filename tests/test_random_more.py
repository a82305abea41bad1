"""glassbox.random's further samplers (more_distributions.py): JAX's bits, shapes, statistics.

* Golden: every case of ``random_cases_more.py`` equals JAX 0.10.2's result
  (``random_golden_more.json``, made by ``make_random_golden.py random_cases_more``):
  bit for bit, or within ``CROSS_CPU_ULP`` ulp for the float results built on
  exp/log/pow/erf_inv (``PER_ELEMENT`` / ``PER_ARRAY``), as in ``test_random.py``.
* Statistics: mean and variance of 10^4 samples against SciPy's moments (6 standard errors).
* Shapes, dtypes and errors as JAX's; eager == jit, vmap over keys == a loop.
"""
import json
import os

import numpy as np
import pytest
import scipy.stats

import glassbox as jax
import glassbox.numpy as jnp
import glassbox.random as random

from .random_cases import CROSS_CPU_ULP
from .random_cases_more import CASES, PER_ARRAY, PER_ELEMENT
from .test_random import _ulps

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "random_golden_more.json")) as _f:
    GOLDEN = json.load(_f)["cases"]

CROSS_CPU = PER_ELEMENT | PER_ARRAY
EXACT_CASES = [(name, fn) for name, fn in CASES if name not in CROSS_CPU]
CROSS_CPU_CASES = [(name, fn) for name, fn in CASES if name in CROSS_CPU]


def _run_case(name, fn):
    got = np.asarray(fn(jax, jnp, random))
    want = GOLDEN[name]
    assert got.dtype.name == want["dtype"] and list(got.shape) == want["shape"], (
        got.dtype, got.shape, want["dtype"], want["shape"])
    return got, np.frombuffer(bytes.fromhex(want["hex"]), got.dtype).reshape(got.shape)


@pytest.mark.parametrize("name,fn", EXACT_CASES, ids=[name for name, _ in EXACT_CASES])
def test_matches_jax_bit_for_bit(name, fn):
    got, want = _run_case(name, fn)
    assert got.tobytes() == want.tobytes(), (
        f"{name}: got {got.tolist()}, JAX gives {GOLDEN[name]['values']}")


@pytest.mark.parametrize("name,fn", CROSS_CPU_CASES, ids=[name for name, _ in CROSS_CPU_CASES])
def test_matches_jax_within_ulps(name, fn):
    got, want = _run_case(name, fn)
    err = _ulps(got, want, per_element=name in PER_ELEMENT).max(initial=0.0)
    assert err <= CROSS_CPU_ULP, (
        f"{name}: {err:g} ulp from JAX; got {got.tolist()}, JAX gives {GOLDEN[name]['values']}")


def test_golden_covers_every_case_and_classes_are_floats():
    assert set(GOLDEN) == {name for name, _ in CASES}
    assert not PER_ELEMENT & PER_ARRAY and CROSS_CPU <= set(GOLDEN)
    assert {GOLDEN[name]["dtype"] for name in CROSS_CPU} <= {
        "float16", "bfloat16", "float32", "float64"}


# --- statistics ------------------------------------------------------------------------------

N = 10_000


def _moments(dist):
    mean, var, skew, kurt = (float(m) for m in dist.stats(moments="mvsk"))
    return mean, var, kurt


STATS = {
    "pareto": (lambda k, n: random.pareto(k, 5.0, (n,)), scipy.stats.pareto(5.0)),
    "rayleigh": (lambda k, n: random.rayleigh(k, 2.0, (n,)), scipy.stats.rayleigh(scale=2.0)),
    "weibull_min": (lambda k, n: random.weibull_min(k, 2.0, 1.5, (n,)),
                    scipy.stats.weibull_min(1.5, scale=2.0)),
    "triangular": (lambda k, n: random.triangular(k, -1., 0.5, 2., (n,)),
                   scipy.stats.triang(0.5, loc=-1., scale=3.)),
    "geometric": (lambda k, n: random.geometric(k, 0.3, (n,)), scipy.stats.geom(0.3)),
    "wald": (lambda k, n: random.wald(k, 1.5, (n,)), scipy.stats.invgauss(1.5)),
    "lognormal": (lambda k, n: random.lognormal(k, 0.5, (n,)), scipy.stats.lognorm(0.5)),
    "maxwell": (lambda k, n: random.maxwell(k, (n,)), scipy.stats.maxwell()),
    "double_sided_maxwell": (lambda k, n: random.double_sided_maxwell(k, 1.0, 2.0, (n,)),
                             None),
    "t": (lambda k, n: random.t(k, 6.0, (n,)), scipy.stats.t(6.0)),
    "chisquare": (lambda k, n: random.chisquare(k, 4.0, (n,)), scipy.stats.chi2(4.0)),
    "f": (lambda k, n: random.f(k, 5.0, 12.0, (n,)), scipy.stats.f(5.0, 12.0)),
    "generalized_normal": (lambda k, n: random.generalized_normal(k, 1.5, (n,)),
                           scipy.stats.gennorm(1.5)),
    "binomial_inversion": (lambda k, n: random.binomial(k, 10, 0.3, (n,)),
                           scipy.stats.binom(10, 0.3)),
    "binomial_btrs": (lambda k, n: random.binomial(k, 200, 0.4, (n,)),
                      scipy.stats.binom(200, 0.4)),
    "binomial_p_high": (lambda k, n: random.binomial(k, 50, 0.9, (n,)),
                        scipy.stats.binom(50, 0.9)),
    "multinomial_0": (lambda k, n: random.multinomial(k, 20., jnp.array([.2, .3, .5]),
                                                      shape=(n, 3))[:, 0],
                      scipy.stats.binom(20, 0.2)),
    "multinomial_2": (lambda k, n: random.multinomial(k, 20., jnp.array([.2, .3, .5]),
                                                      shape=(n, 3))[:, 2],
                      scipy.stats.binom(20, 0.5)),
}


@pytest.mark.parametrize("name", sorted(STATS))
def test_mean_and_variance(name):
    sampler, dist = STATS[name]
    x = np.asarray(sampler(random.key(2024), N), np.float64)
    assert x.shape == (N,) and np.isfinite(x).all()
    if dist is None:   # double-sided Maxwell(loc 1, scale 2): 1 + 2 * (random sign) * Maxwell
        mean, var, kurt = 1.0, 4.0 * 3.0, 5.0 / 3.0 - 3.0
        # E[M^2] = 3, E[M^4] = 15 for a Maxwell M: kurtosis of sign * M is 15/9 - 3.
    else:
        mean, var, kurt = _moments(dist)
    assert abs(x.mean() - mean) < 6 * np.sqrt(var / N), (x.mean(), mean)
    se_var = var * np.sqrt((kurt + 2) / N)
    assert abs(x.var() - var) < 6 * se_var + 1e-3 * var, (x.var(), var)


def test_ball_points_are_inside_and_fill_it():
    for p in (1.0, 2.0, 3.0):
        x = np.asarray(random.ball(random.key(1), 3, p, (N,)), np.float64)
        norm = (np.abs(x) ** p).sum(-1) ** (1 / p)
        assert x.shape == (N, 3) and (norm <= 1).all()
        # uniform in a d-ball: P(norm <= r) = r**d, so norm**3 is uniform on [0, 1]
        assert abs((norm ** 3).mean() - 0.5) < 6 * np.sqrt(1 / 12 / N)


def test_multinomial_counts_sum_to_n():
    c = np.asarray(random.multinomial(random.key(3), jnp.array([[7.], [300.]]),
                                      jnp.array([.1, .2, .0, .7]), shape=(2, 5, 4)))
    assert c.shape == (2, 5, 4)
    np.testing.assert_array_equal(c.sum(-1), np.broadcast_to([[7.], [300.]], (2, 5)))
    assert (c[..., 2] == 0).all() and (c >= 0).all()


def test_binomial_edge_values():
    x = np.asarray(random.binomial(random.key(0), jnp.array([0., 7., 7., jnp.inf, -1., 5.]),
                                   jnp.array([0.3, 0., 1., 0.5, 0.5, jnp.nan])))
    np.testing.assert_array_equal(x[:3], [0., 0., 7.])
    assert x[3] == np.inf and np.isnan(x[4]) and np.isnan(x[5])


# --- shapes, dtypes, transforms, errors ------------------------------------------------------

K = random.key(0)

SHAPES = [
    (lambda: random.pareto(K, jnp.ones((2, 1))), (2, 1), "float32"),
    (lambda: random.pareto(K, 2., (4, 3), jnp.float16), (4, 3), "float16"),
    (lambda: random.rayleigh(K, jnp.ones(3), (2, 3)), (2, 3), "float32"),
    (lambda: random.weibull_min(K, 1., 1.), (), "float32"),
    (lambda: random.triangular(K, 0., jnp.ones(2) * .5, 1.), (2,), "float32"),
    (lambda: random.geometric(K, jnp.full((3,), .5)), (3,), "int32"),
    (lambda: random.geometric(K, .5, (2,), jnp.uint8), (2,), "uint8"),
    (lambda: random.wald(K, jnp.ones(4)), (4,), "float32"),
    (lambda: random.lognormal(K), (), "float32"),
    (lambda: random.lognormal(K, 1., (2,), jnp.complex64), (2,), "complex64"),
    (lambda: random.maxwell(K, (2, 3), jnp.bfloat16), (2, 3), "bfloat16"),
    (lambda: random.double_sided_maxwell(K, jnp.zeros(2), 1.), (2, 2), "float32"),
    (lambda: random.double_sided_maxwell(K, jnp.zeros(2), 1., (3,)), (3, 2), "float32"),
    (lambda: random.t(K, jnp.ones(5)), (5,), "float32"),
    (lambda: random.chisquare(K, 2., (3,)), (3,), "float32"),
    (lambda: random.f(K, jnp.ones(2), 3.), (2,), "float32"),
    (lambda: random.generalized_normal(K, 2., (3,)), (3,), "float32"),
    (lambda: random.ball(K, 4), (4,), "float32"),
    (lambda: random.ball(K, 2, shape=(5,)), (5, 2), "float32"),
    (lambda: random.binomial(K, jnp.ones((2, 1)) * 5, jnp.full(3, .5)), (2, 3), "float32"),
    (lambda: random.binomial(K, 5, .5, (2,), jnp.float16), (2,), "float16"),
    (lambda: random.multinomial(K, 5., jnp.ones(3) / 3), (3,), "float32"),
    (lambda: random.multinomial(K, 5., jnp.ones(3) / 3, dtype=jnp.int32), (3,), "int32"),
]


@pytest.mark.parametrize("fn,shape,dtype", SHAPES, ids=range(len(SHAPES)))
def test_shapes_and_dtypes(fn, shape, dtype):
    x = fn()
    assert x.shape == shape and x.dtype.name == dtype


@pytest.mark.parametrize("sampler", [
    lambda k: random.pareto(k, 2., (3,)), lambda k: random.wald(k, 2., (3,)),
    lambda k: random.binomial(k, 20., 0.6, (3,)), lambda k: random.geometric(k, .2, (3,)),
    lambda k: random.multinomial(k, 9., jnp.array([.5, .5])),
    lambda k: random.ball(k, 2, shape=(2,)), lambda k: random.f(k, 2., 3., (2,)),
], ids=["pareto", "wald", "binomial", "geometric", "multinomial", "ball", "f"])
def test_jit_equals_eager_and_vmap_equals_loop(sampler):
    keys = random.split(random.key(11), 3)
    # One program or several: XLA may fuse exp/log differently, so the last bit of a float
    # can move (for JAX too); integer-valued samples (binomial, geometric) stay exact.
    eager = np.asarray(sampler(keys[0]))
    np.testing.assert_allclose(np.asarray(jax.jit(sampler)(keys[0])), eager, rtol=1e-6)
    batched = np.asarray(jax.vmap(sampler)(keys))
    np.testing.assert_allclose(batched, np.stack([np.asarray(sampler(k)) for k in keys]),
                               rtol=1e-6)


def test_raw_keys_give_the_typed_keys_numbers():
    np.testing.assert_array_equal(np.asarray(random.t(random.PRNGKey(4), 3., (3,))),
                                  np.asarray(random.t(random.key(4), 3., (3,))))


def test_grad_through_reparameterised_samplers():
    # pareto = exp(e / b): d/db sum = sum(-e / b^2 * exp(e / b))
    e = np.asarray(random.exponential(K, (4,)), np.float64)
    g = jax.grad(lambda b: random.pareto(K, b, (4,)).sum())(2.0)
    np.testing.assert_allclose(float(g), (-e / 4 * np.exp(e / 2)).sum(), rtol=1e-5)


ERRORS = [
    (lambda: random.pareto(K, 2., dtype=jnp.int32), ValueError,
     "dtype argument to `pareto` must be a float dtype, got int32"),
    (lambda: random.pareto(K, jnp.ones(3), dtype=jnp.float16), ValueError,
     "In arguments to pareto, cannot safely cast argument of type float32 to float16"),
    (lambda: random.pareto(K, jnp.ones(3), (4,)), ValueError, "broadcast"),
    (lambda: random.t(K, 2., (3,), jnp.int32), ValueError,
     "dtype argument to `t` must be a float dtype, got int32"),
    (lambda: random.geometric(K, .3, (3,), jnp.float32), ValueError,
     "dtype argument to `geometric` must be an int dtype, got float32"),
    (lambda: random.binomial(K, 10, .3, (3,), jnp.int32), ValueError,
     "dtype argument to `binomial` must be a float dtype, got int32"),
    (lambda: random.binomial(K, [10], .3), TypeError, "binomial"),
    (lambda: random.ball(K, 2.5), TypeError, "cannot be interpreted as an integer"),
    (lambda: random.lognormal(K, dtype=jnp.int32), ValueError,
     "must be a float or complex dtype"),
    (lambda: random.maxwell(K, (-1,)), ValueError, "maxwell: shape"),
    (lambda: random.wald(random.split(K), 1.), ValueError, "wald accepts a single key"),
    (lambda: random.chisquare(K, 2., out_sharding="x"), NotImplementedError, "out_sharding"),
]


@pytest.mark.parametrize("fn,exc,match", ERRORS, ids=range(len(ERRORS)))
def test_errors_name_the_function_and_argument(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()
