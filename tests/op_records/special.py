"""Op records for ``glassbox.scipy.special`` and the lax special-function primitives (see
tests/op_table.py), against ``scipy.special``.

References compute in float64 and return the input's dtype (JAX keeps float dtypes).
Inputs are drawn from each function's domain. Smooth functions are checked to order 2;
``gammainc``/``gammaincc``/``zeta``/``poch`` to order 1 (the derivative of
``igamma_grad_a`` has no rule, in JAX either); ``betainc`` is differentiable in ``x`` only,
so the table checks its values (its x-gradient is in tests/test_special.py). ``spence`` is
not differentiated: JAX's derivative (through ``where``) is NaN on part of its domain.
``erfcx`` is differentiated on positive inputs (for very negative ones it overflows).
"""
import numpy as np
import scipy.special as ss

import glassbox.lax as lax
import glassbox.scipy.special as sp
from tests.op_table import F16, F32, Op, rand_default, rand_positive, rand_unit

SHAPES = ((), (3,), (2, 3))
same = lambda d: d  # noqa: E731
LOOSE = {F32: 1e-4}


def _in_f64(fn):
    def ref(*args):
        return np.asarray(fn(*[np.asarray(a, np.float64) for a in args])).astype(args[0].dtype)
    return ref


def rand_prob(rng, shape, dtype):
    """Values in (0.05, 0.95)."""
    return rng.uniform(0.05, 0.95, shape).astype(dtype)


def rand_big_positive(rng, shape, dtype):
    """Values in (1.5, 6): zeta's first argument must exceed 1."""
    return rng.uniform(1.5, 6, shape).astype(dtype)


def _op(name, fn, ref, nargs, gen=rand_default, grad=2, tol=LOOSE, dtypes=(F32, F16),
        edge=False):
    return Op(name, fn, _in_f64(ref), nargs, dtypes, SHAPES, gen=gen, out_dtype=same,
              grad=grad, tol=tol, edge=edge)


def _kl_div(p, q):
    return ss.kl_div(p, q)


OPS = [
    _op("special.gammaln", sp.gammaln, ss.gammaln, 1, rand_positive),
    _op("special.digamma", sp.digamma, ss.digamma, 1, rand_positive),
    _op("special.erf", sp.erf, ss.erf, 1, edge=True),
    _op("special.erfc", sp.erfc, ss.erfc, 1),
    _op("special.erfinv", sp.erfinv, ss.erfinv, 1, rand_unit),
    _op("special.expit", sp.expit, ss.expit, 1, edge=True),
    _op("special.logit", sp.logit, ss.logit, 1, rand_prob),
    _op("special.xlogy", sp.xlogy, ss.xlogy, 2, rand_positive),
    _op("special.xlog1py", sp.xlog1py, ss.xlog1py, 2, rand_positive),
    _op("special.gammainc", sp.gammainc, ss.gammainc, 2, rand_positive, grad=1),
    _op("special.gammaincc", sp.gammaincc, ss.gammaincc, 2, rand_positive, grad=1),
    _op("special.betainc", sp.betainc, ss.betainc, 3,
        (rand_positive, rand_positive, rand_prob), grad=0),
    _op("special.betaln", sp.betaln, ss.betaln, 2, rand_positive),
    _op("special.beta", sp.beta, ss.beta, 2, rand_positive, tol={F32: 2e-4}),
    _op("special.ndtr", sp.ndtr, ss.ndtr, 1, dtypes=(F32,), edge=True),
    # (first order only: ndtri's piecewise rational pieces make order 2 cost ~50 s)
    _op("special.ndtri", sp.ndtri, ss.ndtri, 1, rand_prob, dtypes=(F32,), grad=1),
    _op("special.log_ndtr", sp.log_ndtr, ss.log_ndtr, 1, dtypes=(F32,)),
    _op("special.i0e", sp.i0e, ss.i0e, 1, edge=True),
    _op("special.i1e", sp.i1e, ss.i1e, 1, edge=True),
    _op("special.i0", sp.i0, ss.i0, 1),
    _op("special.i1", sp.i1, ss.i1, 1),
    _op("special.zeta", sp.zeta, ss.zeta, 2, (rand_big_positive, rand_positive), grad=1),
    _op("special.entr", sp.entr, ss.entr, 1, rand_positive),
    _op("special.rel_entr", sp.rel_entr, ss.rel_entr, 2, rand_positive),
    _op("special.kl_div", sp.kl_div, _kl_div, 2, rand_positive),
    _op("special.gamma", sp.gamma, ss.gamma, 1, rand_prob, tol={F32: 2e-4}),
    _op("special.dawsn", sp.dawsn, ss.dawsn, 1),
    _op("special.erfcx", sp.erfcx, ss.erfcx, 1, rand_positive, dtypes=(F32,)),
    _op("special.spence", sp.spence, ss.spence, 1, rand_positive, grad=0, dtypes=(F32,)),
    _op("special.boxcox", sp.boxcox, ss.boxcox, 2, (rand_positive, rand_prob)),
    _op("special.poch", sp.poch, ss.poch, 2, rand_prob, grad=1),
    _op("lax.igamma", lax.igamma, ss.gammainc, 2, rand_positive, grad=1),
    _op("lax.igammac", lax.igammac, ss.gammaincc, 2, rand_positive, grad=1),
    _op("lax.bessel_i0e", lax.bessel_i0e, ss.i0e, 1),
    _op("lax.bessel_i1e", lax.bessel_i1e, ss.i1e, 1),
]
