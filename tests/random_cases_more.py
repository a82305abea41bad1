"""Known-answer cases for the samplers of ``glassbox/random/more_distributions.py``.

The same mechanism as ``random_cases.py`` (read its notes on what holds on every CPU),
in a file of its own so that its goldens (``random_golden_more.json``) were made without
touching the older ones::

    .venv-jax/bin/python tests/make_random_golden.py random_cases_more

Each case is ``(name, fn)`` with ``fn(jax, jnp, random) -> array``; neither library is
imported here.
"""


def _x64(jax, fn):
    with jax.enable_x64(True):
        return fn()


CASES = [
    # --- transforms of uniforms
    ("pareto", lambda jax, jnp, R: R.pareto(R.key(0), 3.0, (6,))),
    ("pareto_arr", lambda jax, jnp, R: R.pareto(R.key(1), jnp.array([1., 2., 5.]))),
    ("rayleigh", lambda jax, jnp, R: R.rayleigh(R.key(0), 2.0, (6,))),
    ("rayleigh_f16", lambda jax, jnp, R: R.rayleigh(R.key(0), 1.0, (4,), jnp.float16)),
    ("weibull_min", lambda jax, jnp, R: R.weibull_min(R.key(0), 2.0, 1.5, (6,))),
    ("triangular", lambda jax, jnp, R: R.triangular(R.key(0), -1., 0.5, 2., (8,))),
    ("triangular_arr", lambda jax, jnp, R: R.triangular(
        R.key(1), jnp.array([0., 1.]), jnp.array([[0.5], [1.5]]), 3.)),
    ("geometric", lambda jax, jnp, R: R.geometric(R.key(0), 0.3, (8,))),
    ("geometric_arr", lambda jax, jnp, R: R.geometric(R.key(1), jnp.array([0.05, 0.5, 0.9]))),
    ("geometric_int8", lambda jax, jnp, R: R.geometric(R.key(2), 0.4, (5,), jnp.int8)),
    ("wald", lambda jax, jnp, R: R.wald(R.key(0), 1.5, (6,))),
    ("wald_arr", lambda jax, jnp, R: R.wald(R.key(1), jnp.array([0.5, 1., 4.]))),
    # --- transforms of normals
    ("lognormal", lambda jax, jnp, R: R.lognormal(R.key(0), shape=(6,))),
    ("lognormal_sigma", lambda jax, jnp, R: R.lognormal(R.key(1), 0.5, (4,))),
    ("maxwell", lambda jax, jnp, R: R.maxwell(R.key(0), (6,))),
    ("double_sided_maxwell", lambda jax, jnp, R: R.double_sided_maxwell(
        R.key(0), 1.0, 2.0, (6,))),
    ("double_sided_maxwell_params", lambda jax, jnp, R: R.double_sided_maxwell(
        R.key(1), jnp.array([0., 10.]), 1.0)),
    # --- transforms of gammas
    ("t", lambda jax, jnp, R: R.t(R.key(0), 3.0, (6,))),
    ("t_arr", lambda jax, jnp, R: R.t(R.key(1), jnp.array([1., 5., 30.]))),
    ("chisquare", lambda jax, jnp, R: R.chisquare(R.key(0), 4.0, (6,))),
    ("f", lambda jax, jnp, R: R.f(R.key(0), 5.0, 7.0, (6,))),
    ("generalized_normal", lambda jax, jnp, R: R.generalized_normal(R.key(0), 1.5, (6,))),
    ("ball", lambda jax, jnp, R: R.ball(R.key(0), 3, shape=(2,))),
    ("ball_p1", lambda jax, jnp, R: R.ball(R.key(1), 2, 1.0, (3,))),
    # --- binomial, multinomial
    ("binomial_small", lambda jax, jnp, R: R.binomial(R.key(0), 10, 0.3, (8,))),
    ("binomial_large", lambda jax, jnp, R: R.binomial(R.key(1), 100., 0.4, (8,))),
    ("binomial_p_high", lambda jax, jnp, R: R.binomial(R.key(2), 50, 0.9, (6,))),
    ("binomial_arr", lambda jax, jnp, R: R.binomial(
        R.key(3), jnp.array([0., 5., 20., 1000., -1., jnp.inf]),
        jnp.array([0.5, 0.1, 0.5, 0.3, 0.5, 0.5]))),
    ("binomial_nan_p", lambda jax, jnp, R: R.binomial(R.key(4), 10., jnp.array([jnp.nan, 0.]))),
    ("multinomial", lambda jax, jnp, R: R.multinomial(R.key(0), 10., jnp.array([.2, .3, .5]))),
    ("multinomial_shape", lambda jax, jnp, R: R.multinomial(
        R.key(1), jnp.array([5., 100.]), jnp.array([.1, .6, .3]), shape=(2, 3))),
    ("multinomial_int", lambda jax, jnp, R: R.multinomial(
        R.key(2), 40, jnp.array([.25, .25, .5, 0.]), dtype=jnp.int32)),
    # --- transforms
    ("pareto_jit", lambda jax, jnp, R: jax.jit(lambda k: R.pareto(k, 2.0, (3,)))(R.key(3))),
    ("binomial_vmap", lambda jax, jnp, R: jax.vmap(lambda k: R.binomial(k, 30., 0.5, (2,)))(
        R.split(R.key(5), 3))),
    ("t_vmap", lambda jax, jnp, R: jax.vmap(lambda k: R.t(k, 4.0, (2,)))(R.split(R.key(6), 3))),
    # --- x64
    ("x64_pareto_f64", lambda jax, jnp, R: _x64(jax, lambda: R.pareto(R.key(0), 3.0, (3,)))),
    ("x64_geometric_i64", lambda jax, jnp, R: _x64(jax, lambda: R.geometric(R.key(0), 0.3,
                                                                            (4,)))),
    ("x64_binomial_f64", lambda jax, jnp, R: _x64(jax, lambda: R.binomial(R.key(0), 100, 0.3,
                                                                          (4,)))),
]

# See random_cases.py: float results through exp/log/pow/erf_inv are compared within a few
# ulp (per element, or per array where sums and differences set the scale); the rest, and
# the integer-valued results decided by comparisons (geometric, binomial, multinomial),
# are bit for bit.
PER_ELEMENT = {
    "pareto", "pareto_arr", "rayleigh", "rayleigh_f16", "weibull_min", "lognormal",
    "lognormal_sigma", "maxwell", "double_sided_maxwell", "double_sided_maxwell_params", "t",
    "t_arr", "chisquare", "f", "generalized_normal", "pareto_jit", "t_vmap", "x64_pareto_f64",
}
PER_ARRAY = {"wald", "wald_arr", "ball", "ball_p1"}
