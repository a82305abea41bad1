"""The gamma and beta families: ``gammaln``, ``digamma``, ``polygamma``, ``gamma``,
``gammasgn``, ``loggamma``, ``beta``, ``betaln``, ``betainc``, ``gammainc``,
``gammaincc``, ``factorial``, ``comb``, ``multigammaln``, ``poch``."""

import numpy as np

from ... import dtypes, lax
from ... import numpy as jnp
from ...core import get_aval
from ...custom_derivatives import custom_jvp
from ._util import _c, _no_complex, _promote_inexact, _static_int


# --- gamma and beta functions --------------------------------------------------------

def gammaln(x):
    """``log |Gamma(x)|``, elementwise (``lax.lgamma``; lowers to ``chlo.lgamma``)."""
    x, = _promote_inexact("gammaln", x)
    return lax.lgamma(x)


def digamma(x):
    """The digamma function ``psi(x) = d/dx log Gamma(x)`` (``chlo.digamma``)."""
    x, = _promote_inexact("digamma", x)
    return lax.digamma(x)


def polygamma(n, x):
    """The ``n``-th derivative of ``digamma`` at ``x``; ``n`` must have an integer dtype."""
    n_dtype = np.result_type(n) if not hasattr(n, "aval") else get_aval(n).dtype
    if not dtypes.is_int(n_dtype):
        raise ValueError(f"Argument `n` to polygamma must be of integer type. Got dtype "
                         f"{n_dtype}.")
    n, x = _promote_inexact("polygamma", n, x)
    _no_complex("polygamma", x)
    return lax.polygamma(n, x)


def gammasgn(x):
    """The sign of ``Gamma(x)``: NaN at the poles (non-positive integers) and for NaN,
    ``-1`` for ``-0.0`` and on the negative intervals where Gamma is negative."""
    x, = _promote_inexact("gammasgn", x)
    _no_complex("gammasgn", x)
    floor_x = lax.floor(x)
    x_negative = x < 0
    is_nan = (x_negative & (x == floor_x)) | jnp.isnan(x)
    is_neg = (x_negative & (floor_x % 2 != 0)) | ((x == 0) & jnp.signbit(x))
    dtype = x.dtype
    return jnp.where(is_nan, np.array(np.nan, dtype),
                     jnp.where(is_neg, np.array(-1, dtype), np.array(1, dtype)))


def gamma(x):
    """The gamma function (real arguments): ``gammasgn(x) * exp(gammaln(x))``."""
    x, = _promote_inexact("gamma", x)
    if dtypes.is_complex(x.dtype):
        raise NotImplementedError("glassbox.scipy.special.gamma of complex arguments is not "
                                  "implemented yet")
    return gammasgn(x) * lax.exp(lax.lgamma(x))


def loggamma(x):
    """The principal branch of ``log Gamma(x)``; for real ``x``, NaN where ``x <= 0``."""
    x, = _promote_inexact("loggamma", x)
    if dtypes.is_complex(x.dtype):
        raise NotImplementedError("glassbox.scipy.special.loggamma of complex arguments is "
                                  "not implemented yet")
    return jnp.where(x > 0, lax.lgamma(x), np.nan)


def _algdiv(a, b):
    """``log Gamma(b) - log Gamma(a + b)`` for ``b >= 8`` (TOMS 708's ALGDIV)."""
    c0, c1, c2 = 0.0833333333333333, -0.00277777777760991, 0.00079365066682539
    c3, c4, c5 = -0.00059520293135187, 0.000837308034031215, -0.00165322962780713
    h = a / b
    c = h / (1 + h)
    x = h / (1 + h)
    d = b + (a - 0.5)
    x2 = x * x
    s3 = 1.0 + (x + x2)
    s5 = 1.0 + (x + x2 * s3)
    s7 = 1.0 + (x + x2 * s5)
    s9 = 1.0 + (x + x2 * s7)
    s11 = 1.0 + (x + x2 * s9)
    t = (1.0 / b) ** 2
    w = ((((c5 * s11 * t + c4 * s9) * t + c3 * s7) * t + c2 * s5) * t + c1 * s3) * t + c0
    w = w * (c / b)
    u = d * lax.log1p(a / b)
    v = a * (lax.log(b) - 1.0)
    return jnp.where(u <= v, (w - v) - u, (w - u) - v)


def betaln(a, b):
    """``log |B(a, b)|``, accurate for large ``b`` (TOMS 708's ``algdiv``, as JAX)."""
    a, b = _promote_inexact("betaln", a, b)
    a, b = jnp.minimum(a, b), jnp.maximum(a, b)
    small_b = lax.lgamma(a) + (lax.lgamma(b) - lax.lgamma(a + b))
    large_b = lax.lgamma(a) + _algdiv(a, b)
    return jnp.where(b < 8, small_b, large_b)


def beta(a, b):
    """The beta function ``Gamma(a) Gamma(b) / Gamma(a + b)`` (real arguments)."""
    a, b = _promote_inexact("beta", a, b)
    _no_complex("beta", a)
    sign = gammasgn(a) * gammasgn(b) * gammasgn(a + b)
    return sign * lax.exp(betaln(a, b))


def betainc(a, b, x):
    """The regularized incomplete beta function ``I_x(a, b)`` (``lax.betainc``)."""
    a, b, x = _promote_inexact("betainc", a, b, x)
    _no_complex("betainc", x)
    return lax.betainc(a, b, x)


def gammainc(a, x):
    """The regularized lower incomplete gamma function ``P(a, x)`` (``lax.igamma``)."""
    a, x = _promote_inexact("gammainc", a, x)
    return lax.igamma(a, x)


def gammaincc(a, x):
    """The regularized upper incomplete gamma function ``Q(a, x)`` (``lax.igammac``)."""
    a, x = _promote_inexact("gammaincc", a, x)
    return lax.igammac(a, x)


def factorial(n, exact=False):
    """``n!`` as ``exp(gammaln(n + 1))`` (0 for negative ``n``); ``exact=True`` is not
    supported (as in JAX)."""
    if exact:
        raise NotImplementedError("factorial with exact=True")
    n, = _promote_inexact("factorial", n)
    return jnp.where(n < 0, 0, lax.exp(lax.lgamma(n + 1)))


def comb(N, k, *, repetition=False):
    """``N choose k`` through ``gammaln`` (0 outside ``0 <= k <= N``)."""
    N, k = _promote_inexact("comb", N, k)
    if repetition:
        return jnp.where((k == 0) & (N >= 0), 1.0, comb(N + k - 1, k, repetition=False))
    cond = (k <= N) & (N >= 0) & (k >= 0)
    safe_N = jnp.where(cond, N, 0.0)
    safe_k = jnp.where(cond, k, 0.0)
    result = lax.exp(gammaln(safe_N + 1) - gammaln(safe_k + 1) - gammaln(safe_N + 1 - safe_k))
    return jnp.where(cond, result, 0.0)


def multigammaln(a, d):
    """The log of the multivariate gamma function of dimension ``d`` (a static int)."""
    d = _static_int(d, "d argument of multigammaln")
    a, d_ = _promote_inexact("multigammaln", a, d)
    constant = lax.mul(lax.mul(lax.mul(_c(a, 0.25), d_), lax.sub(d_, _c(a, 1))),
                       lax.log(_c(a, np.pi)))
    b = lax.div(jnp.arange(d, dtype=d_.dtype), _c(a, 2))
    res = jnp.sum(gammaln(jnp.expand_dims(a, axis=-1)
                          - jnp.expand_dims(b, axis=tuple(range(a.ndim)))), axis=-1)
    return res + constant


@custom_jvp
def poch(z, m):
    """The rising factorial ``Gamma(z + m) / Gamma(z)`` (1 where ``m == 0``)."""
    z, m = _promote_inexact("poch", z, m)
    _no_complex("jnp.poch", z)
    return jnp.where(m == 0.0, jnp.array(1, dtype=z.dtype), gamma(z + m) / gamma(z))


poch.defjvps(lambda z_dot, out, z, m: (digamma(z + m) - digamma(z)) * poch(z, m) * z_dot,
             lambda m_dot, out, z, m: digamma(z + m) * poch(z, m) * m_dot)
