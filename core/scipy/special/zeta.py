"""The Hurwitz zeta function (``zeta``, with JAX's Euler-Maclaurin derivative),
Spence's dilogarithm (``spence``) and the Bernoulli numbers (``bernoulli``)."""

import numpy as np

from ... import dtypes, lax
from ... import numpy as jnp
from ...api import jit
from ...custom_derivatives import custom_jvp
from ...interpreters import ad
from ._util import _check_f32_f64, _polyval, _promote_inexact, _static_int


# --- the Hurwitz zeta function ------------------------------------------------------------

_BERNOULLI_COEFS = np.array([
    12, -720, 30240, -1209600, 47900160, -1307674368000 / 691, 74724249600,
    -10670622842880000 / 3617, 5109094217170944000 / 43867,
    -802857662698291200000 / 174611, 14101100039391805440000 / 77683,
    -1693824136731743669452800000 / 236364091, 186134520519971831808000000 / 657931,
    -37893265687455865519472640000000 / 3392780147,
    759790291646040068357842010112000000 / 1723168255201,
    -134196726836183700385281186201600000000 / 7709321041217])


def _riemann_not_implemented(q):
    if q is None:
        raise NotImplementedError("Riemann zeta function not implemented; pass q != None to "
                                  "compute the Hurwitz Zeta function.")


def _zeta_series_expansion(x, q=None):
    """The Euler-Maclaurin expansion of the Hurwitz zeta function (differentiated for
    ``zeta``'s jvp, as JAX does)."""
    _riemann_not_implemented(q)
    s, a = _promote_inexact("zeta", x, q)
    dtype = a.dtype.type
    s_, a_ = jnp.expand_dims(s, -1), jnp.expand_dims(a, -1)
    N = M = dtype(8) if a.dtype == np.float32 else dtype(16)
    k = jnp.expand_dims(np.arange(N, dtype=N.dtype), tuple(range(a.ndim)))
    S = jnp.sum((a_ + k) ** (-s_), -1)
    I = lax.div((a + N) ** (dtype(1) - s), s - dtype(1))
    T0 = (a + N) ** (-s)
    m = jnp.expand_dims(np.arange(2 * M, dtype=M.dtype), tuple(range(s.ndim)))
    T1 = jnp.cumprod((s_ + m) / (a_ + N), -1)[..., ::2]
    T1 = jnp.clip(T1, max=dtypes.finfo(dtype).max)
    coefs = np.expand_dims(np.array(_BERNOULLI_COEFS[:T1.shape[-1]], dtype=dtype),
                           tuple(range(a.ndim)))
    T = T0 * (dtype(0.5) + (T1 / coefs).sum(-1))
    return S + I + T


def _zeta_impl(x, q=None):
    _riemann_not_implemented(q)
    x, q = _promote_inexact("zeta", x, q)
    return lax.zeta(x, q)


_zeta_custom = custom_jvp(_zeta_impl)


@_zeta_custom.defjvp
def _zeta_jvp(primals, tangents):
    # JAX's rule is ``jvp`` of the series: primal and tangent both come from it
    outs, tangents_out = ad.jvp_flat(lambda x, q: [_zeta_series_expansion(x, q)],
                                     list(primals), list(tangents))
    return outs[0], ad.instantiate(tangents_out[0])


def zeta(x, q=None):
    """The Hurwitz zeta function ``sum_k (k + q) ** -x`` (``lax.zeta``, ``chlo.zeta``).

    ``q=None`` (Riemann's zeta) raises ``NotImplementedError``, as in JAX. Its derivative
    is that of the Euler-Maclaurin expansion, as JAX's.
    """
    _riemann_not_implemented(q)
    return _zeta_custom(x, q)


# --- Spence's function and the Bernoulli numbers ----------------------------------------

_SPENCE_A = [4.6512858607399003e-05, 0.007315890452380947, 0.13384763957830903,
             0.8796913117545303, 2.7114985119655346, 4.256971560081218, 3.297713409852251, 1.0]
_SPENCE_B = [0.0006909904889125533, 0.02540437639325444, 0.2829748606025681,
             1.4117259775183106, 3.6380053334513707, 5.03278880143317, 3.547713409852251, 1.0]


def _spence_calc(x):
    x2_bool = x > 2.
    x = jnp.where(x2_bool, 1. / x, x)
    x1_5_bool = x > 1.5
    x_5_bool = x < 0.5
    x2_bool = x2_bool | x1_5_bool
    w = jnp.where(x1_5_bool, 1. / x - 1., jnp.where(x_5_bool, -x, x - 1.))
    y = -w * _polyval(_SPENCE_A, w) / _polyval(_SPENCE_B, w)
    y = jnp.where(x_5_bool, np.pi ** 2 / 6. - jnp.log(x) * jnp.log(1. - x) - y, y)
    return jnp.where(x2_bool, -0.5 * jnp.log(x) ** 2 - y, y)


def spence(x):
    """Spence's function (the dilogarithm ``integral_1^x log(t) / (1 - t) dt``) for
    ``x >= 0``; NaN for negative ``x`` (float32 and float64 only)."""
    x = jnp.asarray(x)
    _check_f32_f64(x, "x.dtype={} is not supported, see docstring for supported types.")
    return _spence(x)


@jit
def _spence(x):
    # one compiled function, as JAX's (its jnp.piecewise is jitted): same fusion, same bits
    calc = _spence_calc(x)
    dtype = x.dtype
    return jnp.where(x < 0., np.array(np.nan, dtype),
                     jnp.where(x == 1., np.array(0, dtype),
                               jnp.where(x == 0., np.array(np.pi ** 2 / 6, dtype), calc)))


def bernoulli(n):
    """The first ``n + 1`` Bernoulli numbers (``n`` a static non-negative int)."""
    n = _static_int(n, "Argument n of bernoulli")
    if n < 0:
        raise ValueError("n must be a non-negative integer.")
    b3 = jnp.array([1, -1 / 2, 1 / 6])
    if n < 3:
        return b3[:n + 1]
    bn = jnp.zeros(n + 1).at[:3].set(b3)
    m = jnp.arange(4, n + 1, 2, dtype=bn.dtype)
    q1 = (1. / np.pi ** 2) * jnp.cumprod(-(m - 1) * m / 4 / np.pi ** 2)
    k = jnp.arange(2, 50, dtype=bn.dtype)
    q2 = jnp.sum(k[:, None] ** (-m[None, :]), axis=0)
    return bn.at[4::2].set(q1 * (1 + q2))
