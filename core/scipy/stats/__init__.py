"""``glassbox.scipy.stats``: probability distributions and sample statistics, as
``jax.scipy.stats`` has them. Each distribution is a module of functions (``norm.logpdf``,
``norm.cdf``, ...) over ``lax``, ``glassbox.numpy`` and ``glassbox.scipy.special``,
written from JAX's definitions so that they give JAX's numbers, including its
conventions outside the support (``-inf`` log densities, ``nan`` for bad parameters)."""
from . import (bernoulli, beta, betabinom, binom, cauchy, chi2, dirichlet,  # noqa: F401
               expon, gamma, gennorm, geom, gumbel_l, gumbel_r, laplace, logistic,
               multinomial, multivariate_normal, nbinom, norm, pareto, poisson, t,
               truncnorm, uniform, vonmises, wrapcauchy)
from ._core import ModeResult, mode, rankdata, sem  # noqa: F401
from .kde import gaussian_kde  # noqa: F401
