"""Argument grids for the scipy.stats tests, shared by tests/make_stats_golden.py (which
records real JAX's outputs on them) and tests/test_scipy_stats.py. Each grid mixes
points inside the support with points outside it and bad parameters, so that JAX's
conventions there (-inf, 0, nan) are recorded too."""
import numpy as np

X = [-2.5, -1., -0.3, 0., 0.2, 0.5, 0.7, 1., 1.5, 3., 7., np.nan]
U = [-0.1, 0., 0.01, 0.2, 0.5, 0.8, 0.99, 1., 1.2, np.nan, 0.3, 0.6]   # probabilities
K = [-1., 0., 1., 2., 3., 4., 5., 2.5, 10., 7., 1., 0.]               # counts
POS = [0.5, 1., 2., 3.5, 0.7, 1.2, 5., 2., 0.3, 1.5, 4., 0.9]         # positive parameters
BAD = [0.5, 1., 2., -1., 0., 1.2, 5., 2., 0.3, 1.5, 4., 0.9]         # with bad values
LOC = [0., 0.5, -1., 0., 1., 0., 0.2, -0.5, 0., 1., 0., 2.]
SCALE = [1., 2., 0.5, 1., 1.5, 0.7, 1., 3., 1., 0.5, 2., 1.]

# name -> argument lists (each a list of 12 floats), in the function's order.
CASES = {}
for fn in ["logpdf", "pdf", "cdf", "logcdf", "sf", "logsf"]:
    CASES[f"norm.{fn}"] = [X, LOC, SCALE]
    CASES[f"cauchy.{fn}"] = [X, LOC, SCALE]
    CASES[f"beta.{fn}"] = [U, BAD, POS, LOC[:1] * 12, SCALE[:1] * 12]
    CASES[f"gamma.{fn}"] = [X, BAD, LOC, SCALE]
    CASES[f"chi2.{fn}"] = [X, POS, LOC, SCALE]
    CASES[f"expon.{fn}"] = [X, LOC, SCALE]
    CASES[f"pareto.{fn}"] = [X, POS, LOC, SCALE]
    CASES[f"gumbel_l.{fn}"] = [X, LOC, BAD]
    CASES[f"gumbel_r.{fn}"] = [X, LOC, BAD]
    CASES[f"truncnorm.{fn}"] = [X, [-1.] * 6 + [0.5] * 6, [1.] * 6 + [2.5] * 6, LOC, SCALE]
for fn in ["ppf", "isf"]:
    CASES[f"norm.{fn}"] = [U, LOC, SCALE]
    CASES[f"cauchy.{fn}"] = [U, LOC, SCALE]
    CASES[f"logistic.{fn}"] = [U, LOC, SCALE]
for fn in ["ppf"]:
    CASES[f"expon.{fn}"] = [U, LOC, SCALE]
    CASES[f"uniform.{fn}"] = [U, LOC, SCALE]
    CASES[f"pareto.{fn}"] = [U, POS, LOC, SCALE]
    CASES[f"gumbel_l.{fn}"] = [U, LOC, SCALE]
    CASES[f"gumbel_r.{fn}"] = [U, LOC, SCALE]
    CASES[f"bernoulli.{fn}"] = [U, U[::-1]]
for fn in ["logpdf", "pdf"]:
    CASES[f"t.{fn}"] = [X, POS, LOC, SCALE]
    CASES[f"uniform.{fn}"] = [X, LOC, SCALE]
    CASES[f"laplace.{fn}"] = [X, LOC, SCALE]
    CASES[f"logistic.{fn}"] = [X, LOC, SCALE]
    CASES[f"gennorm.{fn}"] = [X, POS]
    CASES[f"vonmises.{fn}"] = [X, BAD]
    CASES[f"wrapcauchy.{fn}"] = [X, [0.5, 0.1, 0.9, -0.2, 0., 1., 0.3, 0.5, 0.7, 0.2, 0.4, 0.6]]
for fn in ["cdf"]:
    CASES[f"uniform.{fn}"] = [X, LOC, SCALE]
    CASES[f"laplace.{fn}"] = [X, LOC, SCALE]
    CASES[f"gennorm.{fn}"] = [X, POS]
    CASES[f"poisson.{fn}"] = [K, POS, LOC]
    CASES[f"bernoulli.{fn}"] = [K, U]
for fn in ["sf"]:
    CASES[f"logistic.{fn}"] = [X, LOC, SCALE]
for fn in ["logpmf", "pmf"]:
    CASES[f"poisson.{fn}"] = [K, POS, LOC]
    CASES[f"bernoulli.{fn}"] = [K, U, [0.] * 12]
    CASES[f"binom.{fn}"] = [K, [5.] * 6 + [3., 0., 10., 7., 2., 0.], U, [0.] * 12]
    CASES[f"nbinom.{fn}"] = [K, POS, U, [0.] * 12]
    CASES[f"geom.{fn}"] = [K, U, [0.] * 12]
    CASES[f"betabinom.{fn}"] = [K, [5.] * 6 + [3., 0., 10., 7., -1., 0.], BAD, POS, [0.] * 12]
CASES["poisson.entropy"] = [[0., 0.5, 3., 9.9, 10., 25., 50., 99., 100., 500., 1., 2.]]

# The points inside the support, where SciPy can be the reference.
INSIDE = {
    "X": [-2.5, -1., -0.3, 0.2, 0.5, 0.7, 1., 1.5, 3., 7.],
}
