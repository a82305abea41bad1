"""glassbox.random: JAX's bits, the threefry hash, typed keys, transforms, statistics, errors.

* Golden: every case of ``random_cases.py`` equals JAX 0.10.2's result
  (``random_golden.json``, made by ``make_random_golden.py`` with real JAX): bit
  for bit, except the float results built on exp/log/erf_inv/linear algebra,
  whose last bits depend on the CPU model (for JAX too): those are within
  ``CROSS_CPU_ULP`` ulp (``PER_ELEMENT`` / ``PER_ARRAY`` in ``random_cases.py``).
* threefry2x32 against the Random123 known-answer vectors and a NumPy
  implementation of the hash.
* eager == jit, vmap over a batch of keys == a loop, grad through
  reparameterised samples (gamma's implicit gradient against SciPy).
* Statistics: mean and variance of 10^4 samples against SciPy's moments,
  within 6 standard errors (the tolerance comes from the distribution's
  own variance and kurtosis).
* Errors name the function and what was wrong.
"""
import json
import os

import numpy as np
import pytest
import scipy.special
import scipy.stats

import glassbox as jax
import glassbox.numpy as jnp
import glassbox.random as random
from glassbox.random.threefry import threefry2x32

from .random_cases import CASES, CROSS_CPU_ULP, PER_ARRAY, PER_ELEMENT

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "random_golden.json")) as _f:
    GOLDEN = json.load(_f)["cases"]

# --- golden values from JAX ------------------------------------------------------------


def _as_array(x):
    return np.asarray(random.key_data(x) if isinstance(x, random.PRNGKeyArray) else x)


def _run_case(name, fn):
    """The case's result with glassbox and JAX's stored one, as arrays of one dtype and shape."""
    got = _as_array(fn(jax, jnp, random))
    want = GOLDEN[name]
    assert got.dtype.name == want["dtype"] and list(got.shape) == want["shape"]
    return got, np.frombuffer(bytes.fromhex(want["hex"]), got.dtype).reshape(got.shape)


def _ulps(got, want, per_element):
    """|got - want| in ulps of the dtype: of each element of ``want``, or of its largest."""
    if got.dtype.kind == "c":   # the real and imaginary parts, each on its own scale
        got, want = got.view(got.real.dtype), want.view(want.real.dtype)
    fi = jnp.finfo(got.dtype)   # also bfloat16, which NumPy's ulp helpers reject
    ref = np.abs(want.astype(np.float64))
    if not per_element:
        ref = ref.max(initial=0.0)
    ulp = float(fi.eps) * 2.0 ** np.floor(np.log2(np.maximum(ref, float(fi.smallest_normal))))
    return np.abs(got.astype(np.float64) - want.astype(np.float64)) / ulp


CROSS_CPU = PER_ELEMENT | PER_ARRAY
EXACT_CASES = [(name, fn) for name, fn in CASES if name not in CROSS_CPU]
CROSS_CPU_CASES = [(name, fn) for name, fn in CASES if name in CROSS_CPU]


@pytest.mark.parametrize("name,fn", EXACT_CASES, ids=[name for name, _ in EXACT_CASES])
def test_matches_jax_bit_for_bit(name, fn):
    got, want = _run_case(name, fn)
    assert got.tobytes() == want.tobytes(), (
        f"{name}: got {got.tolist()}, JAX gives {GOLDEN[name]['values']}")


@pytest.mark.parametrize("name,fn", CROSS_CPU_CASES, ids=[name for name, _ in CROSS_CPU_CASES])
def test_matches_jax_within_ulps(name, fn):
    # Bit for bit on the machine that made the goldens; on another CPU model XLA's
    # exp/log/erf_inv and FMA fusion round differently, for JAX as for us (random_cases.py).
    got, want = _run_case(name, fn)
    err = _ulps(got, want, per_element=name in PER_ELEMENT).max(initial=0.0)
    assert err <= CROSS_CPU_ULP, (
        f"{name}: {err:g} ulp from JAX; got {got.tolist()}, JAX gives {GOLDEN[name]['values']}")


def test_ulps_counts_in_the_dtype_and_scale():
    bf16 = jnp.bfloat16
    one_ulp = _ulps(np.array([1.0078125, 2.0], bf16), np.array([1.0, 2.0], bf16), True)
    np.testing.assert_array_equal(one_ulp, [1.0, 0.0])
    small = np.array([1e-3, 1.0], np.float32)
    moved = small + np.float32(2.0 ** -23)   # one ulp of 1.0, many ulps of 1e-3
    assert _ulps(moved, small, per_element=True)[0] > 100
    np.testing.assert_array_equal(_ulps(moved, small, per_element=False), [1.0, 1.0])


def test_cross_cpu_cases_are_float_cases():
    assert not PER_ELEMENT & PER_ARRAY
    assert {GOLDEN[name]["dtype"] for name in CROSS_CPU} <= {
        "float16", "bfloat16", "float32", "float64", "complex64"}


def test_golden_covers_every_case():
    assert set(GOLDEN) == {name for name, _ in CASES}


# --- threefry2x32 ---------------------------------------------------------------------------

# The Random123 known-answer vectors for threefry2x32_20 (kat_vectors in Random123;
# also in JAX's random tests): (key, counter, expected).
RANDOM123_KAT = [
    ((0x00000000, 0x00000000), (0x00000000, 0x00000000), (0x6b200159, 0x99ba4efe)),
    ((0xffffffff, 0xffffffff), (0xffffffff, 0xffffffff), (0x1cb996fc, 0xbb002be7)),
    ((0x13198a2e, 0x03707344), (0x243f6a88, 0x85a308d3), (0xc4923a9c, 0x483df7a0)),
]


@pytest.mark.parametrize("key,count,expected", RANDOM123_KAT)
def test_threefry_random123_vectors(key, count, expected):
    u = np.uint32
    out = threefry2x32(u(key[0]), u(key[1]), u(count[0]), u(count[1]))
    assert [int(v) for v in out] == list(expected)


def _threefry_numpy(k1, k2, x1, x2):
    """Threefry-2x32, 20 rounds, straight from the paper, in NumPy uint32 arithmetic."""
    rotations = [(13, 15, 26, 6), (17, 29, 16, 24)]
    ks = [k1, k2, k1 ^ k2 ^ np.uint32(0x1BD11BDA)]
    x = [x1 + ks[0], x2 + ks[1]]
    for i in range(5):
        for r in rotations[i % 2]:
            x[0] = x[0] + x[1]
            x[1] = (x[1] << np.uint32(r)) | (x[1] >> np.uint32(32 - r))
            x[1] = x[0] ^ x[1]
        x[0] = x[0] + ks[(i + 1) % 3]
        x[1] = x[1] + ks[(i + 2) % 3] + np.uint32(i + 1)
    return x


def test_threefry_matches_numpy_reference():
    rng = np.random.default_rng(0)
    k1, k2, x1, x2 = (rng.integers(0, 2 ** 32, 64, dtype=np.uint32) for _ in range(4))
    with np.errstate(over="ignore"):
        want = _threefry_numpy(k1, k2, x1, x2)
    got = threefry2x32(k1, k2, x1, x2)
    np.testing.assert_array_equal(np.asarray(got[0]), want[0])
    np.testing.assert_array_equal(np.asarray(got[1]), want[1])


def test_threefry_broadcasts_scalar_key_and_batches():
    counts = np.arange(6, dtype=np.uint32)
    k = np.uint32(7)
    y1, y2 = threefry2x32(k, k, counts, counts)
    with np.errstate(over="ignore"):
        want = _threefry_numpy(np.full(6, 7, np.uint32), np.full(6, 7, np.uint32), counts, counts)
    np.testing.assert_array_equal(np.asarray(y1), want[0])
    keys = np.arange(3, dtype=np.uint32)
    batched = jax.vmap(lambda kk: threefry2x32(kk, kk, counts, counts)[0])(keys)
    for i in range(3):
        np.testing.assert_array_equal(np.asarray(batched[i]),
                                      np.asarray(threefry2x32(keys[i], keys[i], counts,
                                                              counts)[0]))


def test_threefry_rejects_non_uint32():
    with pytest.raises(TypeError, match="threefry2x32 requires uint32"):
        threefry2x32(np.int32(0), np.uint32(0), np.uint32(0), np.uint32(0))


# --- typed and raw keys ----------------------------------------------------------------------


def test_typed_key_array_api():
    k = random.key(0)
    assert str(k.dtype) == "key<fry>" and k.shape == () and k.ndim == 0
    assert isinstance(k, jax.Array)
    assert repr(k).startswith("Array((), dtype=key<fry>) overlaying:")
    ks = random.split(k, 4)
    assert isinstance(ks, random.PRNGKeyArray) and ks.shape == (4,) and len(ks) == 4
    np.testing.assert_array_equal(random.key_data(ks[1]), random.key_data(ks)[1])
    np.testing.assert_array_equal(random.key_data(ks[1:3]), random.key_data(ks)[1:3])
    np.testing.assert_array_equal(random.key_data(ks[..., 2]), random.key_data(ks)[2])
    assert ks.reshape(2, 2).shape == (2, 2) and ks.reshape((2, 2)).T.shape == (2, 2)
    assert random.split(k, (2, 3)).T.shape == (3, 2)
    assert ks.ravel().shape == (4,) and random.split(k, (1, 3)).squeeze().shape == (3,)
    assert [kk.shape for kk in ks] == [()] * 4
    assert bool(ks[0] == ks[0]) and not bool(ks[0] == ks[1]) and bool(ks[0] != ks[1])
    np.testing.assert_array_equal(ks == ks[0], [True, False, False, False])
    assert random.key_impl(k) == "threefry2x32" == random.key_impl(random.PRNGKey(0))
    assert random.key_dtype() == k.dtype


def test_raw_and_typed_keys_give_the_same_numbers():
    typed, raw = random.key(3), random.PRNGKey(3)
    np.testing.assert_array_equal(random.key_data(typed), raw)
    np.testing.assert_array_equal(random.normal(typed, (4,)), random.normal(raw, (4,)))
    # split and fold_in return the kind they were given
    assert isinstance(random.split(typed), random.PRNGKeyArray)
    assert random.split(raw).shape == (2, 2) and random.split(raw).dtype == np.uint32
    assert isinstance(random.fold_in(typed, 1), random.PRNGKeyArray)
    assert random.fold_in(raw, 1).dtype == np.uint32
    np.testing.assert_array_equal(random.key_data(random.fold_in(typed, 1)),
                                  random.fold_in(raw, 1))


def test_wrap_key_data_round_trip():
    ks = random.split(random.key(0), 3)
    again = random.wrap_key_data(random.key_data(ks))
    assert isinstance(again, random.PRNGKeyArray)
    np.testing.assert_array_equal(random.uniform(ks[2]), random.uniform(again[2]))


def test_keys_through_jit_vmap_and_pytrees():
    k = random.key(1)
    split = jax.jit(lambda key: random.split(key, 3))(k)
    assert isinstance(split, random.PRNGKeyArray) and split.shape == (3,)
    np.testing.assert_array_equal(random.key_data(split), random.key_data(random.split(k, 3)))
    keys = jax.vmap(lambda key: random.fold_in(key, 5))(split)
    assert isinstance(keys, random.PRNGKeyArray) and keys.shape == (3,)
    for i in range(3):
        np.testing.assert_array_equal(random.key_data(keys[i]),
                                      random.key_data(random.fold_in(split[i], 5)))
    leaves = jax.tree_util.tree_leaves({"k": k})
    assert len(leaves) == 1 and leaves[0].dtype == np.uint32


# --- eager vs jit, vmap vs loop -----------------------------------------------------------

SAMPLERS = {
    "uniform": lambda k: random.uniform(k, (3,), minval=-1., maxval=2.),
    "normal": lambda k: random.normal(k, (3,)),
    "randint": lambda k: random.randint(k, (3,), -5, 7),
    "bernoulli": lambda k: random.bernoulli(k, 0.4, (3,)),
    "truncated_normal": lambda k: random.truncated_normal(k, -1., 1., (3,)),
    "gumbel": lambda k: random.gumbel(k, (3,)),
    "categorical": lambda k: random.categorical(k, jnp.array([0., 1., 2.]), shape=(3,)),
    "choice": lambda k: random.choice(k, 7, (3,), replace=False),
    "permutation": lambda k: random.permutation(k, 5),
    "orthogonal": lambda k: random.orthogonal(k, 2),
    "gamma": lambda k: random.gamma(k, 1.5, (3,)),
    "poisson": lambda k: random.poisson(k, 4.0, (3,)),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_jit_equals_eager_and_vmap_equals_loop(name):
    f = SAMPLERS[name]
    k = random.key(11)
    np.testing.assert_array_equal(jax.jit(f)(k), f(k))
    keys = random.split(k, 3)
    batched = jax.vmap(f)(keys)
    for i in range(3):
        np.testing.assert_array_equal(batched[i], f(keys[i]))


def test_vmap_over_raw_keys_and_jit_of_vmap():
    keys = random.split(random.PRNGKey(2), 4)
    f = jax.jit(jax.vmap(lambda k: random.normal(k, (2,))))
    out = f(keys)
    for i in range(4):
        np.testing.assert_array_equal(out[i], random.normal(keys[i], (2,)))


# --- gradients through reparameterised samples ---------------------------------------------


def test_grad_through_normal_and_uniform():
    k = random.key(0)
    z = random.normal(k, (5,))
    g = jax.grad(lambda mu, sigma: jnp.sum(mu + sigma * random.normal(k, (5,))),
                 argnums=(0, 1))(1.0, 2.0)
    np.testing.assert_allclose(g[0], 5.0)
    np.testing.assert_allclose(g[1], np.sum(z), rtol=1e-6)
    u = random.uniform(k, (5,))
    g = jax.grad(lambda hi: jnp.sum(random.uniform(k, (5,), minval=0., maxval=hi)))(3.0)
    np.testing.assert_allclose(g, np.sum(u), rtol=1e-6)


def _implicit_gamma_grad(a, x):
    """dx/da for x ~ Gamma(a): -(dF/da) / (dF/dx), F the regularized lower incomplete gamma."""
    h = 1e-6 * a
    dF_da = (scipy.special.gammainc(a + h, x) - scipy.special.gammainc(a - h, x)) / (2 * h)
    dF_dx = np.exp((a - 1) * np.log(x) - x - scipy.special.gammaln(a))
    return -dF_da / dF_dx


def test_gamma_implicit_gradient_matches_scipy():
    k = random.key(4)
    a = np.array([0.7, 2.5, 1.0], np.float32)
    x = np.asarray(random.gamma(k, a), np.float64)
    g = jax.grad(lambda aa: jnp.sum(random.gamma(k, aa)))(jnp.asarray(a))
    np.testing.assert_allclose(g, _implicit_gamma_grad(a.astype(np.float64), x), rtol=2e-3)


def test_vmap_of_grad_of_gamma_equals_loop():
    keys = random.split(random.key(5), 2)
    f = jax.grad(lambda a, key: random.gamma(key, a))
    batched = jax.vmap(f, in_axes=(None, 0))(jnp.float32(1.5), keys)
    for i in range(2):
        np.testing.assert_allclose(batched[i], f(jnp.float32(1.5), keys[i]), rtol=1e-6)


# --- statistics -----------------------------------------------------------------------------

N = 10_000


def _moments(dist):
    mean, var, _, kurt = (float(v) for v in dist.stats(moments="mvsk"))
    return mean, var, kurt


STATS = {
    # name: (sampler(key, n) -> samples, scipy distribution)
    "uniform": (lambda k, n: random.uniform(k, (n,), minval=-1., maxval=3.),
                scipy.stats.uniform(-1, 4)),
    "uniform_f16": (lambda k, n: random.uniform(k, (n,), jnp.float16), scipy.stats.uniform()),
    "normal": (lambda k, n: random.normal(k, (n,)), scipy.stats.norm()),
    "normal_bf16": (lambda k, n: random.normal(k, (n,), jnp.bfloat16), scipy.stats.norm()),
    "randint": (lambda k, n: random.randint(k, (n,), 0, 10), scipy.stats.randint(0, 10)),
    "bernoulli": (lambda k, n: random.bernoulli(k, 0.3, (n,)), scipy.stats.bernoulli(0.3)),
    "rademacher": (lambda k, n: random.rademacher(k, (n,)),
                   scipy.stats.rv_discrete(values=([-1, 1], [0.5, 0.5]))),
    "truncated_normal": (lambda k, n: random.truncated_normal(k, -1., 2., (n,)),
                         scipy.stats.truncnorm(-1, 2)),
    "exponential": (lambda k, n: random.exponential(k, (n,)), scipy.stats.expon()),
    "laplace": (lambda k, n: random.laplace(k, (n,)), scipy.stats.laplace()),
    "logistic": (lambda k, n: random.logistic(k, (n,)), scipy.stats.logistic()),
    "gumbel_low": (lambda k, n: random.gumbel(k, (n,)), scipy.stats.gumbel_r()),
    "gumbel_high": (lambda k, n: random.gumbel(k, (n,), mode="high"), scipy.stats.gumbel_r()),
    "gumbel_highest": (lambda k, n: random.gumbel(k, (n,), mode="highest"),
                       scipy.stats.gumbel_r()),
    "gamma_05": (lambda k, n: random.gamma(k, 0.5, (n,)), scipy.stats.gamma(0.5)),
    "gamma_3": (lambda k, n: random.gamma(k, 3.0, (n,)), scipy.stats.gamma(3.0)),
    "loggamma_exp": (lambda k, n: jnp.exp(random.loggamma(k, 2.0, (n,))),
                     scipy.stats.gamma(2.0)),
    "beta": (lambda k, n: random.beta(k, 2.0, 3.0, (n,)), scipy.stats.beta(2, 3)),
    "poisson_3": (lambda k, n: random.poisson(k, 3.0, (n,)), scipy.stats.poisson(3)),
    "poisson_30": (lambda k, n: random.poisson(k, 30.0, (n,)), scipy.stats.poisson(30)),
    "choice_uniform": (lambda k, n: random.choice(k, 5, (n,)), scipy.stats.randint(0, 5)),
    "choice_p": (lambda k, n: random.choice(k, 4, (n,), p=jnp.array([0.1, 0.2, 0.3, 0.4])),
                 scipy.stats.rv_discrete(values=(range(4), [0.1, 0.2, 0.3, 0.4]))),
    "categorical": (lambda k, n: random.categorical(k, jnp.log(jnp.array([0.5, 0.25, 0.25])),
                                                    shape=(n,)),
                    scipy.stats.rv_discrete(values=(range(3), [0.5, 0.25, 0.25]))),
    "dirichlet_0": (lambda k, n: random.dirichlet(k, jnp.array([1., 2., 3.]), (n,))[:, 0],
                    scipy.stats.beta(1, 5)),
    "mvn_0": (lambda k, n: random.multivariate_normal(
        k, jnp.array([1., -1.]), jnp.array([[2., 0.5], [0.5, 1.]]), (n,))[:, 0],
              scipy.stats.norm(1, np.sqrt(2))),
}


@pytest.mark.parametrize("name", sorted(STATS))
def test_mean_and_variance(name):
    sampler, dist = STATS[name]
    x = np.asarray(sampler(random.key(2024), N), np.float64)
    assert x.shape == (N,) and np.isfinite(x).all()
    mean, var, kurt = _moments(dist)
    assert abs(x.mean() - mean) < 6 * np.sqrt(var / N), (x.mean(), mean)
    se_var = var * np.sqrt((kurt + 2) / N)   # the standard error of a sample variance
    assert abs(x.var() - var) < 6 * se_var + 1e-3 * var, (x.var(), var)


def test_cauchy_quartiles():
    x = np.asarray(random.cauchy(random.key(5), (N,)))
    q1, med, q3 = np.quantile(x, [0.25, 0.5, 0.75])
    assert abs(med) < 0.05 and abs(q1 + 1) < 0.07 and abs(q3 - 1) < 0.07


def test_permutation_and_choice_without_replacement_are_uniform():
    perms = jax.vmap(lambda k: random.permutation(k, 5))(random.split(random.key(1), 2000))
    perms = np.asarray(perms)
    assert (np.sort(perms, axis=1) == np.arange(5)).all()
    # each value lands in each position with probability 1/5
    freq = np.stack([(perms == v).mean(axis=0) for v in range(5)])
    assert np.abs(freq - 0.2).max() < 6 * np.sqrt(0.2 * 0.8 / 2000)
    picks = np.asarray(random.choice(random.key(2), 10, (10,), replace=False))
    assert sorted(picks.tolist()) == list(range(10))


def test_orthogonal_and_mvn_covariance():
    q = np.asarray(random.orthogonal(random.key(0), 4, (3,)))
    np.testing.assert_allclose(q @ np.swapaxes(q, -1, -2), np.broadcast_to(np.eye(4), (3, 4, 4)),
                               atol=1e-5)
    cov = np.array([[2., 0.5], [0.5, 1.]])
    for method in ("cholesky", "eigh", "svd"):
        x = np.asarray(random.multivariate_normal(random.key(1), np.zeros(2), cov, (N,),
                                                  method=method))
        np.testing.assert_allclose(np.cov(x.T), cov, atol=0.1)


def test_bits_are_uniform():
    b = np.asarray(random.bits(random.key(0), (N,)))
    ones = np.unpackbits(b.view(np.uint8)).mean()
    assert abs(ones - 0.5) < 6 * np.sqrt(0.25 / (32 * N))


# --- errors ---------------------------------------------------------------------------------

K = random.key(0)

ERRORS = [
    (lambda: random.normal(K, (3,), jnp.int32), ValueError,
     "dtype argument to `normal` must be a float or complex dtype, got int32"),
    (lambda: random.uniform(K, (3,), jnp.int32), ValueError,
     "dtype argument to `uniform` must be a float dtype"),
    (lambda: random.gamma(K, 1.0, dtype=jnp.int32), ValueError, "`gamma` must be a float"),
    (lambda: random.randint(K, (3,), 0, 5, jnp.float32), TypeError,
     "randint only accepts integer dtypes, got float32"),
    (lambda: random.bernoulli(K, 1, (3,)), TypeError, "bernoulli probability `p` must have a "
                                                      "floating dtype"),
    (lambda: random.normal(random.split(K)), ValueError,
     r"normal accepts a single key, but was given a key array of shape \(2,\)"),
    (lambda: random.normal(random.split(random.PRNGKey(0))), ValueError,
     r"normal accepts a single key, but was given a key array of shape \(2, 2\)"),
    (lambda: random.normal(jnp.zeros(2, jnp.int32)), TypeError,
     "normal: invalid PRNG key data: expected key_data.dtype = uint32; got dtype=int32"),
    (lambda: random.normal(jnp.zeros(3, jnp.uint32)), TypeError,
     r"normal: invalid PRNG key data: expected key_data.shape to end with \(2,\)"),
    (lambda: random.normal([0, 0]), TypeError, "normal: unexpected PRNG key type list"),
    (lambda: random.normal(0), TypeError, "normal: invalid PRNG key data"),
    (lambda: random.key(K), TypeError, "key accepts a scalar seed, but was given a PRNG key"),
    (lambda: random.PRNGKey(K), TypeError, "PRNGKey accepts a scalar seed"),
    (lambda: random.key(jnp.arange(2)), TypeError,
     r"key accepts a scalar seed, but was given an array of shape \(2,\)"),
    (lambda: random.key(1.5), TypeError, "seed must be an integer"),
    (lambda: random.key(0, impl="rbg"), ValueError, "unrecognized PRNG implementation"),
    (lambda: random.wrap_key_data(K), TypeError, "typed PRNG key"),
    (lambda: random.wrap_key_data(jnp.zeros(3, jnp.uint32)), TypeError, "end with"),
    (lambda: K + 1, TypeError, "arithmetic on PRNG keys"),
    (lambda: np.asarray(K), TypeError, "key_data"),
    (lambda: random.split(random.split(K)), ValueError, "split accepts a single key"),
    (lambda: random.split(K, -1), ValueError, "split: num must be non-negative"),
    (lambda: random.fold_in(K, jnp.arange(3)), TypeError, "fold_in accepts a scalar"),
    (lambda: random.bits(K, (3,), jnp.int32), ValueError,
     "dtype argument to `bits` must be an unsigned int dtype"),
    (lambda: random.normal(K, (-1,)), ValueError, "normal: shape .* negative"),
    (lambda: random.normal(K, (2.5,)), TypeError, "normal: shape must be a sequence of integers"),
    (lambda: random.uniform(K, (3,), minval=jnp.zeros(4)), ValueError,
     "uniform parameter shapes must be broadcast-compatible"),
    (lambda: random.choice(K, 5, 3), TypeError, "shape argument of choice must be a sequence"),
    (lambda: random.choice(K, 5, (6,), replace=False), ValueError,
     r"cannot take a larger sample \(size 6\) than population \(size 5\)"),
    (lambda: random.choice(K, 5, (2,), p=jnp.ones(4) / 4), ValueError,
     "p must be None or a 1D vector"),
    (lambda: random.categorical(K, jnp.zeros(3), axis=2), ValueError, "categorical: axis 2"),
    (lambda: random.categorical(K, jnp.zeros(3), shape=(5,), replace=False), ValueError,
     "cannot exceed number of categories"),
    (lambda: random.multivariate_normal(K, jnp.zeros(2), jnp.eye(3)), ValueError,
     r"cov.shape == \(..., n, n\) for n=2"),
    (lambda: random.multivariate_normal(K, jnp.zeros(2), jnp.eye(2), method="qr"), ValueError,
     "method must be one of"),
    (lambda: random.dirichlet(K, 1.0), ValueError, "dirichlet requires alpha.ndim >= 1"),
    (lambda: random.gumbel(K, (2,), mode="max"), ValueError, "gumbel: mode must be"),
    (lambda: random.permutation(K, 2.5), TypeError, "permutation: x must be an integer"),
    (lambda: random.poisson(K, 3.0, dtype=jnp.float32), TypeError,
     "poisson only accepts integer dtypes"),
]


@pytest.mark.parametrize("fn,exc,match", ERRORS, ids=range(len(ERRORS)))
def test_errors_name_the_function_and_argument(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn()


# --- keys in structured control flow ------------------------------------------------------


def test_keys_as_loop_carries_and_scanned_inputs():
    def body(i, carry):
        key, total = carry
        key, sub = random.split(key)
        return key, total + random.normal(sub)
    key, total = jax.lax.fori_loop(0, 3, body, (random.key(0), jnp.float32(0)))
    want_key, want_total = random.key(0), np.float32(0)
    for _ in range(3):
        want_key, sub = random.split(want_key)
        want_total = want_total + np.asarray(random.normal(sub))
    assert isinstance(key, random.PRNGKeyArray)
    np.testing.assert_array_equal(random.key_data(key), random.key_data(want_key))
    np.testing.assert_allclose(total, want_total, rtol=1e-6)
    keys = random.split(random.key(1), 4)
    _, ys = jax.lax.scan(lambda c, k: (c, random.uniform(k)), 0., keys)
    np.testing.assert_array_equal(ys, [random.uniform(keys[i]) for i in range(4)])
