"""Known-answer cases for glassbox.random, written once against JAX's API.

Each case is ``(name, fn)`` with ``fn(jax, jnp, random) -> array or key``:
``make_random_golden.py`` runs them with the real JAX (in its own venv) and
stores the results in ``random_golden.json``; ``test_random.py`` runs them
with glassbox and compares bit for bit. Typed keys are compared through
``key_data``. Neither library is imported here.
"""


def _k(random, seed=0):
    return random.key(seed)


def _rk(random, seed=0):
    return random.PRNGKey(seed)


def _x64(jax, fn):
    """``fn()`` with 64-bit types enabled (``jax.enable_x64`` is a context manager in both)."""
    with jax.enable_x64(True):
        return fn()


CASES = [
    # --- keys
    ("PRNGKey_0", lambda jax, jnp, R: R.PRNGKey(0)),
    ("PRNGKey_42", lambda jax, jnp, R: R.PRNGKey(42)),
    ("PRNGKey_neg1", lambda jax, jnp, R: R.PRNGKey(-1)),
    ("PRNGKey_2pow40", lambda jax, jnp, R: R.PRNGKey(2 ** 40 + 5)),
    ("key_1", lambda jax, jnp, R: R.key(1)),
    ("split_raw_0", lambda jax, jnp, R: R.split(R.PRNGKey(0))),
    ("split_typed_0_3", lambda jax, jnp, R: R.split(R.key(0), 3)),
    ("split_typed_1_2x3", lambda jax, jnp, R: R.split(R.key(1), (2, 3))),
    ("split_split", lambda jax, jnp, R: R.split(R.split(R.key(5))[1], 4)),
    ("fold_in_0_3", lambda jax, jnp, R: R.fold_in(R.key(0), 3)),
    ("fold_in_raw_7_big", lambda jax, jnp, R: R.fold_in(R.PRNGKey(7), 2 ** 31 + 5)),
    ("fold_in_chain", lambda jax, jnp, R: R.fold_in(R.fold_in(R.key(2), 1), 2)),
    ("bits_u32_7", lambda jax, jnp, R: R.bits(R.key(0), (7,))),
    ("bits_u32_2x3", lambda jax, jnp, R: R.bits(R.PRNGKey(3), (2, 3))),
    ("bits_u8", lambda jax, jnp, R: R.bits(R.key(0), (5,), jnp.uint8)),
    ("bits_u16", lambda jax, jnp, R: R.bits(R.key(0), (5,), jnp.uint16)),
    ("bits_scalar", lambda jax, jnp, R: R.bits(R.key(9))),
    # --- uniform
    ("uniform_0", lambda jax, jnp, R: R.uniform(R.PRNGKey(0), (5,))),
    ("uniform_scalar", lambda jax, jnp, R: R.uniform(R.key(1))),
    ("uniform_2x3", lambda jax, jnp, R: R.uniform(R.key(42), (2, 3))),
    ("uniform_minmax", lambda jax, jnp, R: R.uniform(R.key(0), (4,), minval=-2., maxval=3.)),
    ("uniform_minmax_arr", lambda jax, jnp, R: R.uniform(
        R.key(0), (2, 3), minval=jnp.array([0., 1., 2.]), maxval=jnp.array([[1.], [5.]]))),
    ("uniform_f16", lambda jax, jnp, R: R.uniform(R.key(0), (6,), jnp.float16)),
    ("uniform_bf16", lambda jax, jnp, R: R.uniform(R.key(0), (6,), jnp.bfloat16)),
    # --- normal
    ("normal_raw_0_3", lambda jax, jnp, R: R.normal(R.PRNGKey(0), (3,))),
    ("normal_typed_0_3", lambda jax, jnp, R: R.normal(R.key(0), (3,))),
    ("normal_1_2x5", lambda jax, jnp, R: R.normal(R.key(1), (2, 5))),
    ("normal_42_scalar", lambda jax, jnp, R: R.normal(R.key(42))),
    ("normal_f16", lambda jax, jnp, R: R.normal(R.key(0), (6,), jnp.float16)),
    ("normal_bf16", lambda jax, jnp, R: R.normal(R.key(0), (6,), jnp.bfloat16)),
    ("normal_c64", lambda jax, jnp, R: R.normal(R.key(0), (3,), jnp.complex64)),
    ("normal_jit", lambda jax, jnp, R: jax.jit(lambda k: R.normal(k, (4,)))(R.key(3))),
    ("normal_vmap", lambda jax, jnp, R: jax.vmap(lambda k: R.normal(k, (2,)))(
        R.split(R.key(0), 3))),
    ("normal_vmap_raw", lambda jax, jnp, R: jax.vmap(lambda k: R.normal(k, (2,)))(
        R.split(R.PRNGKey(0), 3))),
    # --- randint
    ("randint_0_10", lambda jax, jnp, R: R.randint(R.key(0), (6,), 0, 10)),
    ("randint_neg", lambda jax, jnp, R: R.randint(R.key(1), (2, 3), -100, 100)),
    ("randint_arr", lambda jax, jnp, R: R.randint(R.key(2), (3,), jnp.array([0, 5, 10]),
                                                  jnp.array([3, 100, 11]))),
    ("randint_empty_range", lambda jax, jnp, R: R.randint(R.key(2), (3,), 5, 5)),
    ("randint_int8", lambda jax, jnp, R: R.randint(R.key(3), (5,), -128, 128, jnp.int8)),
    ("randint_uint8_256", lambda jax, jnp, R: R.randint(R.key(3), (5,), 0, 256, jnp.uint8)),
    ("randint_int16", lambda jax, jnp, R: R.randint(R.key(4), (5,), -1000, 1000, jnp.int16)),
    ("randint_uint32", lambda jax, jnp, R: R.randint(R.key(4), (5,), 0, 2 ** 31 - 1,
                                                     jnp.uint32)),
    # --- bernoulli, rademacher
    ("bernoulli_03", lambda jax, jnp, R: R.bernoulli(R.key(0), 0.3, (10,))),
    ("bernoulli_p_arr", lambda jax, jnp, R: R.bernoulli(R.key(1), jnp.array([0.1, 0.5, 0.9]))),
    ("bernoulli_high", lambda jax, jnp, R: R.bernoulli(R.key(2), 0.3, (6,), mode="high")),
    ("rademacher", lambda jax, jnp, R: R.rademacher(R.key(0), (8,))),
    ("rademacher_f32", lambda jax, jnp, R: R.rademacher(R.key(0), (4,), jnp.float32)),
    # --- simple transforms of uniforms
    ("truncated_normal", lambda jax, jnp, R: R.truncated_normal(R.key(0), -1., 2., (6,))),
    ("truncated_normal_arr", lambda jax, jnp, R: R.truncated_normal(
        R.key(1), jnp.array([-3., 0.]), jnp.array([[1.], [2.]]))),
    ("truncated_normal_f16", lambda jax, jnp, R: R.truncated_normal(R.key(0), -1., 1., (4,),
                                                                    jnp.float16)),
    ("exponential", lambda jax, jnp, R: R.exponential(R.key(0), (6,))),
    ("exponential_bf16", lambda jax, jnp, R: R.exponential(R.key(0), (4,), jnp.bfloat16)),
    ("laplace", lambda jax, jnp, R: R.laplace(R.key(0), (6,))),
    ("laplace_f16", lambda jax, jnp, R: R.laplace(R.key(0), (4,), jnp.float16)),
    ("logistic", lambda jax, jnp, R: R.logistic(R.key(0), (6,))),
    ("cauchy", lambda jax, jnp, R: R.cauchy(R.key(0), (6,))),
    ("gumbel_low", lambda jax, jnp, R: R.gumbel(R.key(0), (6,))),
    ("gumbel_high", lambda jax, jnp, R: R.gumbel(R.key(0), (6,), mode="high")),
    ("gumbel_highest", lambda jax, jnp, R: R.gumbel(R.key(0), (6,), mode="highest")),
    ("gumbel_bf16", lambda jax, jnp, R: R.gumbel(R.key(1), (4,), jnp.bfloat16)),
    # --- categorical, choice, permutation
    ("categorical_1d", lambda jax, jnp, R: R.categorical(
        R.key(0), jnp.log(jnp.array([0.1, 0.2, 0.3, 0.4])), shape=(8,))),
    ("categorical_2d_axis0", lambda jax, jnp, R: R.categorical(
        R.key(1), jnp.arange(6.).reshape(3, 2), axis=0)),
    ("categorical_2d_shape", lambda jax, jnp, R: R.categorical(
        R.key(2), jnp.arange(6.).reshape(2, 3), shape=(4, 2))),
    ("categorical_noreplace", lambda jax, jnp, R: R.categorical(
        R.key(3), jnp.zeros(6), shape=(4,), replace=False)),
    ("choice_int", lambda jax, jnp, R: R.choice(R.key(0), 10, (5,))),
    ("choice_arr", lambda jax, jnp, R: R.choice(R.key(1), jnp.arange(10.) * 2, (2, 2))),
    ("choice_noreplace", lambda jax, jnp, R: R.choice(R.key(2), 10, (6,), replace=False)),
    ("choice_p", lambda jax, jnp, R: R.choice(R.key(3), 4, (8,),
                                              p=jnp.array([0.1, 0.2, 0.3, 0.4]))),
    ("choice_p_noreplace", lambda jax, jnp, R: R.choice(
        R.key(4), 5, (3,), replace=False, p=jnp.array([0.1, 0.2, 0.3, 0.2, 0.2]))),
    ("choice_axis1", lambda jax, jnp, R: R.choice(R.key(5), jnp.arange(12).reshape(3, 4), (2,),
                                                  axis=1)),
    ("permutation_int", lambda jax, jnp, R: R.permutation(R.key(0), 10)),
    ("permutation_arr", lambda jax, jnp, R: R.permutation(R.key(1), jnp.arange(12).reshape(3, 4),
                                                          axis=1)),
    ("permutation_independent", lambda jax, jnp, R: R.permutation(
        R.key(2), jnp.arange(12).reshape(3, 4), axis=1, independent=True)),
    # --- matrices
    ("mvn_cholesky", lambda jax, jnp, R: R.multivariate_normal(
        R.key(0), jnp.array([1., -1.]), jnp.array([[2., 0.5], [0.5, 1.]]), (3,))),
    ("mvn_eigh", lambda jax, jnp, R: R.multivariate_normal(
        R.key(1), jnp.zeros(2), jnp.array([[2., 0.5], [0.5, 1.]]), (3,), method="eigh")),
    ("mvn_svd", lambda jax, jnp, R: R.multivariate_normal(
        R.key(2), jnp.zeros(2), jnp.array([[2., 0.5], [0.5, 1.]]), (3,), method="svd")),
    ("orthogonal_3", lambda jax, jnp, R: R.orthogonal(R.key(0), 3)),
    ("orthogonal_3x5_batch", lambda jax, jnp, R: R.orthogonal(R.key(1), 3, (2,), m=5)),
    # --- rejection samplers
    ("gamma_05", lambda jax, jnp, R: R.gamma(R.key(0), 0.5, (5,))),
    ("gamma_1", lambda jax, jnp, R: R.gamma(R.key(1), 1.0, (5,))),
    ("gamma_3", lambda jax, jnp, R: R.gamma(R.key(2), 3.0, (5,))),
    ("gamma_arr", lambda jax, jnp, R: R.gamma(R.key(3), jnp.array([0.2, 1.5, 10.]))),
    ("gamma_f16", lambda jax, jnp, R: R.gamma(R.key(3), 2.0, (4,), jnp.float16)),
    ("loggamma", lambda jax, jnp, R: R.loggamma(R.key(4), 0.1, (4,))),
    ("beta", lambda jax, jnp, R: R.beta(R.key(0), 2.0, 3.0, (5,))),
    ("dirichlet", lambda jax, jnp, R: R.dirichlet(R.key(0), jnp.array([1., 2., 3.]), (2,))),
    ("poisson_3", lambda jax, jnp, R: R.poisson(R.key(0), 3.0, (6,))),
    ("poisson_30", lambda jax, jnp, R: R.poisson(R.key(1), 30.0, (6,))),
    ("poisson_arr", lambda jax, jnp, R: R.poisson(R.key(2), jnp.array([0., 1., 9.5, 10., 200.]))),
    ("gamma_grad", lambda jax, jnp, R: jax.grad(
        lambda a: R.gamma(R.key(0), a, (4,)).sum())(jnp.array(2.5))),
    ("gamma_vmap", lambda jax, jnp, R: jax.vmap(lambda k: R.gamma(k, 2.0, (2,)))(
        R.split(R.key(7), 3))),
    # --- with x64 enabled: 64-bit seeds, uint64 bits, float64 and int64 samples
    ("x64_key_2pow40", lambda jax, jnp, R: _x64(jax, lambda: R.key(2 ** 40 + 5))),
    ("x64_bits_u64", lambda jax, jnp, R: _x64(jax, lambda: R.bits(R.key(0), (3,)))),
    ("x64_normal_f64", lambda jax, jnp, R: _x64(jax, lambda: R.normal(R.key(0), (3,)))),
    ("x64_uniform_f64", lambda jax, jnp, R: _x64(jax, lambda: R.uniform(R.key(1), (2,)))),
    ("x64_randint_i64", lambda jax, jnp, R: _x64(jax, lambda: R.randint(R.key(0), (3,), 0, 10))),
    ("x64_randint_big", lambda jax, jnp, R: _x64(jax, lambda: R.randint(
        R.key(2), (3,), -2 ** 40, 2 ** 40))),
]


# --- What holds on every CPU ------------------------------------------------------------
# XLA compiles exp, log, log1p, tan, erf, erf_inv, pow... for the host CPU, and where the
# CPU has FMA it fuses a * b + c into one rounding. Results built on them equal JAX's bit
# for bit on one machine, but their last bits depend on the CPU model, for JAX as for
# glassbox. (To see it on one machine, set XLA_FLAGS=--xla_cpu_max_isa=AVX, i.e. no FMA:
# normal, mvn, orthogonal and gamma move by 1-6 ulp, in both libraries alike.) The float
# results of those cases are compared within ``CROSS_CPU_ULP`` ulp of their dtype, measured
#
# * PER_ELEMENT: against each element's own ulp. Samplers that apply a few functions to
#   each uniform (normal's erf_inv, gumbel's logs, gamma's loop of logs and powers); each
#   function is within ~1 ulp, a chain adds up (beta and gamma_vmap moved by 3).
# * PER_ARRAY: against the ulp of the array's largest magnitude. Results that subtract or
#   sum (truncated_normal shifts a uniform between erf bounds; mvn and orthogonal go
#   through matrix products and factorisations): their rounding error is relative to the
#   array's scale, so a small element can move by many of its own ulps (6 for orthogonal).
#
# Every other case is exact on any CPU: integer arithmetic and bit manipulation (keys,
# split, fold_in, bits, randint, permutation, choice), and floats made by single IEEE
# operations (uniform maps bits to [1, 2) - 1, then u * (hi - lo) + lo, which FMA may fuse;
# for the uniform_minmax inputs the fused and unfused roundings agree). Integer results
# decided by comparing such floats (categorical's argmax, poisson's counts, choice with p
# and no replacement) stay exact, as do the accept/reject steps of gamma's and poisson's
# loops: a few-ulp change moves them only where a value lies within those ulps of its
# threshold, which no draw here does (checked under --xla_cpu_max_isa=SSE4_2, AVX, AVX2,
# AVX512). A case that ever flips one changes its whole sample, not its last bits: give
# it another seed rather than a wider tolerance.
PER_ELEMENT = {
    "normal_raw_0_3", "normal_typed_0_3", "normal_1_2x5", "normal_42_scalar", "normal_f16",
    "normal_bf16", "normal_c64", "normal_jit", "normal_vmap", "normal_vmap_raw",
    "exponential", "exponential_bf16", "laplace", "laplace_f16", "logistic", "cauchy",
    "gumbel_low", "gumbel_high", "gumbel_highest", "gumbel_bf16", "gamma_05", "gamma_1",
    "gamma_3", "gamma_arr", "gamma_f16", "loggamma", "beta", "dirichlet", "gamma_grad",
    "gamma_vmap", "x64_normal_f64",
}
PER_ARRAY = {
    "truncated_normal", "truncated_normal_arr", "truncated_normal_f16",
    "mvn_cholesky", "mvn_eigh", "mvn_svd", "orthogonal_3", "orthogonal_3x5_batch",
}
CROSS_CPU_ULP = 8   # the most seen is 3 (per element) and 2 (per array)
