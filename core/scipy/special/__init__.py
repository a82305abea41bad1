"""``glassbox.scipy.special``: SciPy's special functions, as ``jax.scipy.special`` has them.

Python functions over ``lax`` and ``glassbox.numpy``, written from JAX's definitions so
that they give JAX's numbers: integer and bool arguments become the default float,
Python scalars stay weakly typed, arguments broadcast as NumPy's. Where JAX gives a
function its own derivative rule (``xlogy``, ``xlog1py``, ``logit``, ``log_ndtr``,
``zeta``, ``poch``, ``dawsn``, ``erfcx``, ``expi``, ``expn``, ``sici``, ``fresnel``,
``owens_t``, ``hyp1f1``, ``hyp2f1``...), so does this package, with ``custom_jvp``.

One module per family:

- ``gamma``: gamma and beta functions, incomplete gamma/beta, ``factorial``, ``comb``,
  ``poch``;
- ``error_functions``: ``erf`` and relatives, the normal CDF and its inverse and log,
  ``dawsn``, ``erfcx``, ``owens_t``, ``wofz``;
- ``logistic``: ``logit``/``expit``, ``xlogy``-style and entropy functions, Box-Cox,
  ``softmax``/``log_softmax``/``logsumexp`` (``glassbox.nn``'s, one definition as in JAX);
- ``bessel``: ``i0``, ``i0e``, ``i1``, ``i1e``, ``bessel_jn``;
- ``zeta``: ``zeta``, ``spence``, ``bernoulli``;
- ``integrals``: ``expi``, ``expn``, ``exp1``, ``sici``, ``fresnel``;
- ``hypergeometric``: ``hyp1f1``, ``hyp2f1``;
- ``spherical``: ``sph_harm_y``.

The primitives underneath are in ``glassbox.lax`` (``lgamma``, ``digamma``,
``polygamma``, ``erf``, ``erf_inv``: ``lax/transcendental.py``; ``igamma``, ``betainc``,
``zeta``, ``bessel_i0e``, ``bessel_i1e``: ``lax/special.py``).
"""
from ._util import _c, _promote_inexact  # noqa: F401 (scipy/stats/_util.py imports them here)
from .bessel import bessel_jn, i0, i0e, i1, i1e
from .error_functions import (dawsn, erf, erfc, erfcx, erfinv, log_ndtr, ndtr, ndtri,
                              owens_t, wofz)
from .gamma import (beta, betainc, betaln, comb, digamma, factorial, gamma, gammainc,
                    gammaincc, gammaln, gammasgn, loggamma, multigammaln, poch, polygamma)
from .hypergeometric import hyp1f1, hyp2f1
from .integrals import exp1, expi, expn, fresnel, sici
from .logistic import (boxcox, boxcox1p, entr, expit, kl_div, log_softmax, logit, logsumexp,
                       rel_entr, softmax, xlog1py, xlogy)
from .spherical import sph_harm_y
from .zeta import bernoulli, spence, zeta

__all__ = [
    "bernoulli", "beta", "betainc", "betaln", "boxcox", "boxcox1p", "comb", "dawsn",
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp1", "expi", "expit",
    "bessel_jn", "expn", "factorial", "fresnel", "gamma", "gammainc", "gammaincc", "gammaln",
    "gammasgn", "hyp1f1", "hyp2f1", "i0", "i0e", "i1", "i1e", "kl_div", "log_ndtr", "log_softmax",
    "loggamma", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "owens_t",
    "poch", "polygamma", "rel_entr", "sici", "softmax", "spence", "sph_harm_y", "wofz",
    "xlog1py", "xlogy", "zeta",
]
