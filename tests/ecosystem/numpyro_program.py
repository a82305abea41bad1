"""numpyro's first program: Bayesian linear regression sampled with NUTS (50 warm-up
steps, 50 samples, one chain); the results are the samples' means and spreads."""
import jax
import jax.numpy as jnp
import numpyro
import numpyro.distributions as dist
from numpyro.infer import MCMC, NUTS


def model(x, y=None):
    a = numpyro.sample("a", dist.Normal(0.0, 1.0))
    b = numpyro.sample("b", dist.Normal(0.0, 1.0))
    sigma = numpyro.sample("sigma", dist.HalfNormal(1.0))
    numpyro.sample("obs", dist.Normal(a + b * x, sigma), obs=y)


def main():
    kx, kn, kmcmc = jax.random.split(jax.random.PRNGKey(0), 3)
    x = jax.random.normal(kx, (50,))
    y = 1.0 + 2.0 * x + 0.5 * jax.random.normal(kn, (50,))
    mcmc = MCMC(NUTS(model), num_warmup=50, num_samples=50, progress_bar=False)
    mcmc.run(kmcmc, x, y)
    samples = mcmc.get_samples()
    out = {}
    for name in ("a", "b", "sigma"):
        out[f"{name}_mean"] = jnp.mean(samples[name])
        out[f"{name}_std"] = jnp.std(samples[name])
    out["n_samples"] = samples["a"].shape[0]
    return out
