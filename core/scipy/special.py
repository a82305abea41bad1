"""``glassbox.scipy.special``: SciPy's special functions, as ``jax.scipy.special`` has them.

Python functions over ``lax`` and ``glassbox.numpy``, written from JAX's definitions so
that they give JAX's numbers: integer and bool arguments become the default float,
Python scalars stay weakly typed, arguments broadcast as NumPy's. Where JAX gives a
function its own derivative rule (``xlogy``, ``xlog1py``, ``logit``, ``log_ndtr``,
``zeta``, ``poch``, ``dawsn``, ``erfcx``, ``expi``, ``expn``, ``sici``, ``fresnel``,
``owens_t``, ``hyp1f1``, ``hyp2f1``...), so does this module, with ``custom_jvp``.

The primitives underneath are in ``glassbox.lax`` (``lgamma``, ``digamma``,
``polygamma``, ``erf``, ``erf_inv``: ``lax/transcendental.py``; ``igamma``, ``betainc``,
``zeta``, ``bessel_i0e``, ``bessel_i1e``: ``lax/special.py``). ``logsumexp``, ``softmax``
and ``log_softmax`` are ``glassbox.nn``'s (one definition, as in JAX).
"""
import operator
from functools import partial

import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from ..core import get_aval
from ..api import jit
from ..custom_derivatives import custom_jvp
from ..errors import ConcretizationTypeError
from ..interpreters import ad
from ..interpreters.batching import vmap
from ..nn.functions import log_softmax as _nn_log_softmax
from ..nn.functions import logsumexp
from ..nn.functions import softmax as _nn_softmax
from ..numpy._util import check_arraylike, promote_and_broadcast, promote_dtypes_inexact


def _promote_inexact(name, *args):
    """JAX's ``promote_args_inexact``: check, promote (ints/bools to the default float,
    Python scalars weak), broadcast; the results are arrays."""
    if len(args) == 1:
        check_arraylike(name, *args)
        args = promote_dtypes_inexact(*args)
    else:
        args = promote_and_broadcast(name, *args, inexact=True)
    return [jnp.asarray(a) for a in args]


def _no_complex(name, x):
    if dtypes.is_complex(x.dtype):
        raise ValueError(f"{name} does not support complex-valued inputs.")


def _c(x, value):
    """``value`` as a constant of ``x``'s dtype (weak if ``x`` is a weak scalar)."""
    return lax.elementwise._const(x, value)


def _full_like(x, value):
    """``lax.full_like(x, value)``: ``x``'s shape, dtype and weak type."""
    return lax.elementwise._full_like(x, value)


def _polyval(coefficients, x):
    """Horner's rule from 0 (highest power first) in a ``scan``, as ``jnp.polyval``
    evaluates it: one compiled loop, so XLA fuses (and rounds) as it does for JAX."""
    x = jnp.asarray(x)
    y = jnp.zeros(x.shape, x.dtype)
    y, _ = lax.scan(lambda y, c: (y * x + c, None), y,
                    np.asarray(coefficients, dtype=x.dtype), unroll=16)
    return y


def _static_int(value, what):
    try:
        return operator.index(value)
    except TypeError:
        try:
            return operator.index(np.asarray(value).item())
        except Exception:
            raise ConcretizationTypeError(
                f"{what} must be a concrete integer, got {value!r}") from None


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


# --- error functions and the normal distribution -----------------------------------

def erf(x):
    """The error function (``chlo.erf``)."""
    x, = _promote_inexact("erf", x)
    return lax.erf(x)


def erfc(x):
    """The complementary error function ``1 - erf(x)`` (``chlo.erfc``)."""
    x, = _promote_inexact("erfc", x)
    return lax.erfc(x)


def erfinv(x):
    """The inverse error function on ``(-1, 1)`` (``chlo.erf_inv``)."""
    x, = _promote_inexact("erfinv", x)
    return lax.erf_inv(x)


def _check_f32_f64(x, message="x.dtype={} is not supported, see docstring for supported "
                              "types."):
    dtype = x.dtype
    if dtype not in (np.float32, np.float64):
        raise TypeError(message.format(dtype))


def ndtr(x):
    """The standard normal CDF, through ``erf``/``erfc`` (float32 and float64 only)."""
    x = jnp.asarray(x)
    _check_f32_f64(x)
    return _ndtr(x)


def _ndtr(x):
    dtype = x.dtype.type
    half_sqrt_2 = dtype(0.5) * np.sqrt(2., dtype=dtype)
    w = x * half_sqrt_2
    z = lax.abs(w)
    y = lax.select(lax.lt(z, half_sqrt_2), dtype(1.) + lax.erf(w),
                   lax.select(lax.gt(w, dtype(0.)), dtype(2.) - lax.erfc(z), lax.erfc(z)))
    return dtype(0.5) * y


_NDTRI_P0 = [-59.96335010141079, 98.00107541859997, -56.67628574690703, 13.931260938727968,
             -1.2391658386738125]
_NDTRI_Q0 = [1.0, 1.9544885833814176, 4.676279128988815, 86.36024213908905,
             -225.46268785411937, 200.26021238006066, -82.03722561683334, 15.90562251262117,
             -1.1833162112133]
_NDTRI_P1 = [4.0554489230596245, 31.525109459989388, 57.16281922464213, 44.08050738932008,
             14.684956192885803, 2.1866330685079025, -0.1402560791713545,
             -0.03504246268278482, -0.0008574567851546854]
_NDTRI_Q1 = [1.0, 15.779988325646675, 45.39076351288792, 41.3172038254672, 15.04253856929075,
             2.504649462083094, -0.14218292285478779, -0.03808064076915783,
             -0.0009332594808954574]
_NDTRI_P2 = [3.2377489177694603, 6.915228890689842, 3.9388102529247444, 1.3330346081580755,
             0.20148538954917908, 0.012371663481782003, 0.00030158155350823543,
             2.6580697468673755e-06, 6.239745391849833e-09]
_NDTRI_Q2 = [1.0, 6.02427039364742, 3.6798356385616087, 1.3770209948908132,
             0.21623699359449663, 0.013420400608854318, 0.00032801446468212774,
             2.8924786474538068e-06, 6.790194080099813e-09]


def ndtri(p):
    """The inverse of ``ndtr`` (Cephes' rational approximations, as JAX)."""
    p = jnp.asarray(p)
    _check_f32_f64(p)
    dtype = p.dtype.type
    shape = p.shape
    maybe_complement_p = jnp.where(p > dtype(-np.expm1(-2.)), dtype(1.) - p, p)
    sanitized_mcp = jnp.where(maybe_complement_p == dtype(0.), jnp.full(shape, dtype(0.5)),
                              maybe_complement_p)
    w = sanitized_mcp - dtype(0.5)
    ww = lax.square(w)
    x_for_big_p = w + w * ww * (_polyval(_NDTRI_P0, ww) / _polyval(_NDTRI_Q0, ww))
    x_for_big_p = x_for_big_p * -dtype(np.sqrt(2. * np.pi))
    z = lax.sqrt(dtype(-2.) * lax.log(sanitized_mcp))
    first_term = z - lax.log(z) / z
    x_for_small_p = first_term - _polyval(_NDTRI_P2, 1 / z) / _polyval(_NDTRI_Q2, 1 / z) / z
    x_otherwise = first_term - _polyval(_NDTRI_P1, 1 / z) / _polyval(_NDTRI_Q1, 1 / z) / z
    x = jnp.where(sanitized_mcp > dtype(np.exp(-2.)), x_for_big_p,
                  jnp.where(z >= dtype(8.), x_for_small_p, x_otherwise))
    x = jnp.where(p > dtype(1. - np.exp(-2.)), x, -x)
    infinity = jnp.full(shape, dtype(np.inf))
    return jnp.where(p == dtype(0.), -infinity, jnp.where(p == dtype(1.), infinity, x))


_LOGNDTR_SEGMENTS = {np.dtype(np.float64): (np.array(-20, np.float64), np.array(8, np.float64)),
                     np.dtype(np.float32): (np.array(-10, np.float32), np.array(5, np.float32))}


def _log_ndtr(x, series_order):
    if not isinstance(series_order, int):
        raise TypeError("series_order must be a Python integer.")
    if series_order < 0:
        raise ValueError("series_order must be non-negative.")
    if series_order > 30:
        raise ValueError("series_order must be <= 30.")
    x = jnp.asarray(x)
    if x.dtype not in _LOGNDTR_SEGMENTS:
        raise TypeError(f"x.dtype={x.dtype} is not supported.")
    lower, upper = _LOGNDTR_SEGMENTS[x.dtype]
    above = lax.gt(x, upper)
    ndtr_res = _ndtr(jnp.where(above, -x, lax.max(x, lower)))
    return jnp.where(above, -ndtr_res,
                     jnp.where(lax.gt(x, lower), lax.log(ndtr_res),
                               _log_ndtr_lower(lax.min(x, lower), series_order)))


def _log_ndtr_lower(x, series_order):
    """The asymptotic series of ``log ndtr`` for very negative ``x``."""
    dtype = x.dtype.type
    x_2 = lax.square(x)
    log_scale = -dtype(0.5) * x_2 - lax.log(-x) - dtype(0.5 * np.log(2. * np.pi))
    if series_order <= 0:
        return log_scale + lax.log(np.array(1, dtype))
    even_sum = jnp.zeros_like(x)
    odd_sum = jnp.zeros_like(x)
    x_2n = x_2
    for n in range(1, series_order + 1):
        y = np.array(np.prod(np.arange(2 * n - 1, 1, -2)), dtype) / x_2n
        if n % 2:
            odd_sum = odd_sum + y
        else:
            even_sum = even_sum + y
        x_2n = x_2n * x_2
    return log_scale + lax.log(dtype(1.) + even_sum - odd_sum)


def _log_ndtr_jvp(series_order, primals, tangents):
    (x,), (t,) = primals, tangents
    ans = log_ndtr(x, series_order=series_order)
    log_pdf = lax.sub(lax.mul(_c(x, -0.5), lax.square(x)), _c(x, np.log(np.sqrt(2 * np.pi))))
    return ans, lax.mul(t, lax.exp(lax.sub(log_pdf, ans)))


_log_ndtr_custom = custom_jvp(_log_ndtr, nondiff_argnums=(1,))
_log_ndtr_custom.defjvp(_log_ndtr_jvp)


def log_ndtr(x, series_order=3):
    """``log(ndtr(x))``, accurate far into both tails (float32 and float64 only).

    Below -10 (float32) or -20 (float64) it uses an asymptotic series of
    ``series_order`` terms; its derivative is ``exp(log_pdf(x) - log_ndtr(x))``.
    """
    return _log_ndtr_custom(x, series_order)


# --- logistic, entropies, xlogy ----------------------------------------------------

@custom_jvp
def logit(x):
    """``log(x / (1 - x))``, the inverse of ``expit``."""
    x, = _promote_inexact("logit", x)
    return lax.log(lax.div(x, lax.sub(_c(x, 1), x)))


logit.defjvps(lambda g, ans, x: lax.div(g, lax.mul(x, lax.sub(_c(x, 1), x))))


def expit(x):
    """The logistic sigmoid ``1 / (1 + exp(-x))`` (``lax.logistic``)."""
    x, = _promote_inexact("expit", x)
    return lax.logistic(x)


@custom_jvp
def xlogy(x, y):
    """``x * log(y)``, with 0 where ``x == 0`` (unless ``y`` is NaN)."""
    x, y = _promote_inexact("xlogy", x, y)
    x_ok = x != 0.
    return jnp.where(x_ok | jnp.isnan(y), lax.mul(x, lax.log(y)), jnp.zeros_like(x))


def _xlogy_jvp(primals, tangents):
    x, y = primals
    x_dot, y_dot = tangents
    result = xlogy(x, y)
    return result, (x_dot * lax.log(y) + y_dot * x / y).astype(result.dtype)


xlogy.defjvp(_xlogy_jvp)


@custom_jvp
def xlog1py(x, y):
    """``x * log1p(y)``, with 0 where ``x == 0`` (unless ``y`` is NaN)."""
    x, y = _promote_inexact("xlog1py", x, y)
    x_ok = x != 0.
    return jnp.where(x_ok | jnp.isnan(y), lax.mul(x, lax.log1p(y)), jnp.zeros_like(x))


def _xlog1py_jvp(primals, tangents):
    x, y = primals
    x_dot, y_dot = tangents
    result = xlog1py(x, y)
    return result, (x_dot * lax.log1p(y) + y_dot * x / (1 + y)).astype(result.dtype)


xlog1py.defjvp(_xlog1py_jvp)


@custom_jvp
def _xlogx(x):
    return xlogy(x, x)


def _xlogx_jvp(primals, tangents):
    x, = primals
    x_dot, = tangents
    return _xlogx(x), x_dot * (lax.log(x) + 1)


_xlogx.defjvp(_xlogx_jvp)


def entr(x):
    """Elementwise entropy ``-x log x`` (0 at 0, ``-inf`` for negative ``x``)."""
    x, = _promote_inexact("entr", x)
    _no_complex("entr", x)
    return lax.select(lax.lt(x, _c(x, 0)), jnp.full_like(x, -np.inf), lax.neg(_xlogx(x)))


def rel_entr(p, q):
    """Elementwise relative entropy ``p log(p / q)`` (0 where ``p == 0 <= q``, else
    ``inf`` outside ``p, q > 0``)."""
    p, q = _promote_inexact("rel_entr", p, q)
    _no_complex("rel_entr", p)
    zero = _c(p, 0.)
    both_gt_zero = lax.bitwise_and(lax.gt(p, zero), lax.gt(q, zero))
    one_zero = lax.bitwise_and(lax.eq(p, zero), lax.ge(q, zero))
    safe_p = jnp.where(both_gt_zero, p, 1)
    safe_q = jnp.where(both_gt_zero, q, 1)
    log_val = lax.sub(_xlogx(safe_p), xlogy(safe_p, safe_q))
    return jnp.where(both_gt_zero, log_val, jnp.where(one_zero, zero, np.inf))


def kl_div(p, q):
    """Elementwise Kullback-Leibler term ``rel_entr(p, q) - p + q``."""
    p, q = _promote_inexact("kl_div", p, q)
    _no_complex("kl_div", p)
    return rel_entr(p, q) - p + q


def boxcox(x, lmbda):
    """The Box-Cox transform ``(x**lmbda - 1) / lmbda`` (``log x`` where ``lmbda == 0``)."""
    x, lmbda = _promote_inexact("boxcox", x, lmbda)
    lmbda_is_zero = lmbda == 0
    safe_lmbda = jnp.where(lmbda_is_zero, jnp.ones_like(lmbda), lmbda)
    log_x = jnp.log(x)
    return jnp.where(lmbda_is_zero, log_x, jnp.expm1(safe_lmbda * log_x) / safe_lmbda)


def boxcox1p(x, lmbda):
    """The Box-Cox transform of ``1 + x``."""
    x, lmbda = _promote_inexact("boxcox1p", x, lmbda)
    lmbda_is_zero = lmbda == 0
    safe_lmbda = jnp.where(lmbda_is_zero, jnp.ones_like(lmbda), lmbda)
    log1p_x = jnp.log1p(x)
    return jnp.where(lmbda_is_zero, log1p_x, jnp.expm1(safe_lmbda * log1p_x) / safe_lmbda)


def softmax(x, /, *, axis=None):
    """``exp(x) / sum(exp(x))`` over ``axis`` (every axis by default): ``glassbox.nn``'s."""
    return _nn_softmax(x, axis=axis)


def log_softmax(x, /, *, axis=None):
    """``x - logsumexp(x)`` over ``axis`` (every axis by default): ``glassbox.nn``'s."""
    return _nn_log_softmax(x, axis=axis)


# --- Bessel functions, zeta -----------------------------------------------------------

def i0e(x):
    """``exp(-|x|) I0(x)`` (``lax.bessel_i0e``)."""
    x, = _promote_inexact("i0e", x)
    return lax.bessel_i0e(x)


def i0(x):
    """The modified Bessel function of order 0, ``exp(|x|) i0e(x)``."""
    x, = _promote_inexact("i0", x)
    return lax.mul(lax.exp(lax.abs(x)), lax.bessel_i0e(x))


def i1e(x):
    """``exp(-|x|) I1(x)`` (``lax.bessel_i1e``; lowers to ``chlo.bessel_i1e``)."""
    x, = _promote_inexact("i1e", x)
    return lax.bessel_i1e(x)


def i1(x):
    """The modified Bessel function of order 1, ``exp(|x|) i1e(x)``."""
    x, = _promote_inexact("i1", x)
    return lax.mul(lax.exp(lax.abs(x)), lax.bessel_i1e(x))


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


# --- functions with closed forms over lax: dawsn, erfcx, spence, bernoulli ---------

_DAWSN_AN = [1.1368149897175597e-11, 8.492622676674738e-10, 1.9443420417555306e-08,
             9.531517412544844e-07, 3.078283098749132e-06, 0.00035251336852028877,
             -0.0008501498467244109, 0.04226182230055466, -0.09174803717734524, 1.0]
_DAWSN_AD = [2.403720730667626e-11, 1.488646813684934e-09, 5.212652810105416e-08,
             1.2725847827318697e-06, 2.324902498207895e-05, 0.00032552474182605793,
             0.003488058146571626, 0.027944853119882897, 0.15887424196012057,
             0.5749186294893204, 1.0]
_DAWSN_BN = [0.5089551564179009, -0.24475441814269785, 0.09415123353035344,
             -0.021871125514203903, 0.003662076123295692, -0.0004232091144603888,
             3.5964130479389666e-05, -2.1464035171996896e-06, 9.100107800763914e-08,
             -2.4027452082825098e-09, 3.592333854409284e-11]
_DAWSN_BD = [1.0, -0.6318398698733682, 0.2367067882282487, -0.053180636700322324,
             0.008480417185862954, -0.0009479967684866654, 7.810255929445524e-05,
             -4.558751532524426e-06, 1.8910035811142186e-07, -4.913246913319206e-09,
             7.184664032357345e-11]
_DAWSN_CN = [-0.5905928605347732, 0.6292352427243688, -0.17285897538038814,
             0.016483704782518965, -0.0004868276130204627]
_DAWSN_CD = [1.0, -2.698200571975449, 1.7327079904594784, -0.3937085822819395,
             0.03442789240412334, -0.0009736552260409412]


def _dawsn_impl(x):
    sign = jnp.sign(x)
    ax = lax.abs(x)
    t = _c(x, 1.) / lax.square(ax)
    one_ax, one_t = _full_like(ax, 1.), _full_like(t, 1.)
    r1 = ax < _c(x, 3.25)
    r2 = (ax >= _c(x, 3.25)) & (ax < _c(x, 6.25))
    r3 = ax >= _c(x, 6.25)
    safe_ax_r1 = lax.select(r1, ax, one_ax)
    safe_ax2_r1 = lax.square(safe_ax_r1)
    val_r1 = safe_ax_r1 * _polyval(_DAWSN_AN, safe_ax2_r1) / _polyval(_DAWSN_AD, safe_ax2_r1)
    safe_t_r2, safe_ax_r2 = lax.select(r2, t, one_t), lax.select(r2, ax, one_ax)
    val_r2 = _c(x, 0.5) / safe_ax_r2 * (_c(x, 1.) + safe_t_r2 * _polyval(_DAWSN_BN, safe_t_r2)
                                         / _polyval(_DAWSN_BD, safe_t_r2))
    safe_t_r3, safe_ax_r3 = lax.select(r3, t, one_t), lax.select(r3, ax, one_ax)
    val_r3 = _c(x, 0.5) / safe_ax_r3 * (_c(x, 1.) + safe_t_r3 * _polyval(_DAWSN_CN, safe_t_r3)
                                         / _polyval(_DAWSN_CD, safe_t_r3))
    result = lax.select(r1, val_r1, lax.select(ax < _c(x, 6.25), val_r2, val_r3))
    return sign * result


@custom_jvp
def _dawsn(x):
    x = jnp.asarray(x)
    if x.dtype in (np.float32, np.float64):
        return _dawsn_impl(x)
    return _dawsn_impl(x.astype(np.float32)).astype(x.dtype)


_dawsn.defjvps(lambda g, ans, x: g * (_c(x, 1.) - _c(x, 2.) * x * ans))


def dawsn(x):
    """Dawson's integral ``exp(-x**2) * integral_0^x exp(t**2) dt`` (Cephes' rational
    approximations on three intervals)."""
    x, = _promote_inexact("dawsn", x)
    _no_complex("dawsn", x)
    return _dawsn(x)


def _erfcx_impl(x, nterms):
    coeffs = [7918.06640625, -1055.7421875, 162.421875, -29.53125, 6.5625, -1.875, 0.75,
              -0.5, 1.0]
    threshold = np.sqrt(np.log(dtypes.finfo(x.dtype).max))
    large = x > _c(x, threshold)
    safe_x = lax.select(large, _full_like(x, 1.), x)
    direct = lax.exp(lax.square(safe_x)) * lax.erfc(safe_x)
    t = _c(x, 1.) / lax.square(x)
    asymp = _polyval(coeffs[-nterms:], t) / (x * _c(x, np.sqrt(np.pi)))
    return lax.select(large, asymp, direct)


@custom_jvp
def _erfcx(x):
    x = jnp.asarray(x)
    if x.dtype == np.float64:
        return _erfcx_impl(x, nterms=9)
    if x.dtype == np.float32:
        return _erfcx_impl(x, nterms=5)
    return _erfcx_impl(x.astype(np.float32), nterms=5).astype(x.dtype)


_erfcx.defjvps(lambda g, ans, x: g * (2 * x * ans - _c(x, 2. / np.sqrt(np.pi))))


def erfcx(x):
    """The scaled complementary error function ``exp(x**2) erfc(x)`` (real arguments;
    an asymptotic series where ``exp(x**2)`` would overflow)."""
    x, = _promote_inexact("erfcx", x)
    if dtypes.is_complex(x.dtype):
        raise NotImplementedError("glassbox.scipy.special.erfcx of complex arguments is not "
                                  "implemented yet")
    return _erfcx(x)


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


# --- exponential, sine and cosine integrals (Cephes' rational approximations) -------

# E1(x) + ... on (0, 2]: x * A(x) / B(x) + euler_gamma + log(x); then, on (2, 4], (4, 8],
# (8, 16], (16, 32], (32, 64], (64, inf): exp(x) / x * (1 + A(1/x) / (x B(1/x))).
_EXPI_COEFFS = [
    ([-5.350447357812542947283e0, 2.185049168816613393830e2, -4.176572384826693777058e3,
      5.541176756393557601232e4, -3.313381331178144034309e5, 1.592627163384945414220e6],
     [1.0, -5.250547959112862969197e1, 1.259616186786790571525e3,
      -1.756549581973534652631e4, 1.493062117002725991967e5, -7.294949239640527645655e5,
      1.592627163384945429726e6]),
    ([1.981808503259689673238e-2, -1.271645625984917501326e0, -2.088160335681228318920e0,
      2.755544509187936721172e0, -4.409507048701600257171e-1, 4.665623805935891391017e-2,
      -1.545042679673485262580e-3, 7.059980605299617478514e-5],
     [1.0, 1.476498670914921440652e0, 5.629177174822436244827e-1,
      1.699017897879307263248e-1, 2.291647179034212017463e-2, 4.450150439728752875043e-3,
      1.727439612206521482874e-4, 3.953167195549672482304e-5]),
    ([-1.373215375871208729803e0, -7.084559133740838761406e-1, 1.580806855547941010501e0,
      -2.601500427425622944234e-1, 2.994674694113713763365e-2, -1.038086040188744005513e-3,
      4.371064420753005429514e-5, 2.141783679522602903795e-6],
     [1.0, 8.585231423622028380768e-1, 4.483285822873995129957e-1,
      7.687932158124475434091e-2, 2.449868241021887685904e-2, 8.832165941927796567926e-4,
      4.590952299511353531215e-4, -4.729848351866523044863e-6, 2.665195537390710170105e-6]),
    ([-2.106934601691916512584e0, 1.732733869664688041885e0, -2.423619178935841904839e-1,
      2.322724180937565842585e-2, 2.372880440493179832059e-4, -8.343219561192552752335e-5,
      1.363408795605250394881e-5, -3.655412321999253963714e-7, 1.464941733975961318456e-8,
      6.176407863710360207074e-10],
     [1.0, -2.298062239901678075778e-1, 1.105077041474037862347e-1,
      -1.566542966630792353556e-2, 2.761106850817352773874e-3, -2.089148012284048449115e-4,
      1.708528938807675304186e-5, -4.459311796356686423199e-7, 1.394634930353847498145e-8,
      6.150865933977338354138e-10]),
    ([-2.458119367674020323359e-1, -1.483382253322077687183e-1, 7.248291795735551591813e-2,
      -1.348315687380940523823e-2, 1.342775069788636972294e-3, -7.942465637159712264564e-5,
      2.644179518984235952241e-6, -4.239473659313765177195e-8],
     [1.0, -1.044225908443871106315e-1, -2.676453128101402655055e-1,
      9.695000254621984627876e-2, -1.601745692712991078208e-2, 1.496414899205908021882e-3,
      -8.462452563778485013756e-5, 2.728938403476726394024e-6,
      -4.239462431819542051337e-8]),
    ([1.212561118105456670844e-1, -5.823133179043894485122e-1, 2.348887314557016779211e-1,
      -3.040034318113248237280e-2, 1.510082146865190661777e-3, -2.523137095499571377122e-5],
     [1.0, -1.002252150365854016662e0, 2.928709694872224144953e-1,
      -3.337004338674007801307e-2, 1.560544881127388842819e-3,
      -2.523137093603234562648e-5]),
    ([-7.657847078286127362028e-1, 6.886192415566705051750e-1, -2.132598113545206124553e-1,
      3.346107552384193813594e-2, -3.076541477344756050249e-3, 1.747119316454907477380e-4,
      -6.103711682274170530369e-6, 1.218032765428652199087e-7, -1.086076102793290233007e-9],
     [1.0, -1.888802868662308731041e0, 1.066691687211408896850e0,
      -2.751915982306380647738e-1, 3.930852688233823569726e-2, -3.414684558602365085394e-3,
      1.866844370703555398195e-4, -6.345146083130515357861e-6, 1.239754287483206878024e-7,
      -1.086076102793126632978e-9]),
]


def _ratio(A, B, x):
    return (jnp.polyval(np.asarray(A, x.dtype), x)
            / jnp.polyval(np.asarray(B, x.dtype), x))


def _expi_small(x):
    A, B = _EXPI_COEFFS[0]
    return x * _ratio(A, B, x) + np.euler_gamma + jnp.log(x)


def _expi_interval(k):
    A, B = _EXPI_COEFFS[k]

    def f(x):
        one = _c(x, 1.)
        w = one / x
        return jnp.exp(x) * w * (w * _ratio(A, B, w) + one)
    return f


def _expi_pos(x):
    conds = [(_c(x, 0) < x) & (x <= _c(x, 2))] + [
        (_c(x, 2 ** i) < x) & (x <= _c(x, 2 ** (i + 1))) for i in range(1, 6)]
    return jnp.piecewise(x, conds,
                         [_expi_small] + [_expi_interval(k) for k in range(1, 7)])


@jit
def _expi_impl(x):
    return jnp.piecewise(x, [x < 0], [lambda v: -exp1(-v), _expi_pos])


@custom_jvp
def _expi(x):
    return _expi_impl(x)


_expi.defjvps(lambda g, ans, x: jnp.exp(x) / x * g)


def expi(x):
    """The exponential integral ``Ei(x)``: the principal value of
    ``integral_{-inf}^x exp(t) / t dt`` (``-E1(-x)`` for negative ``x``)."""
    x, = _promote_inexact("expi", x)
    _no_complex("expi", x)
    return _expi(x)


def _expn_small(x, n):
    # power series, x <= 1
    eps = dtypes.finfo(x.dtype).eps
    zero, one = _c(x, 0.), _c(x, 1.)
    psi = -np.euler_gamma - jnp.log(x)
    psi = lax.fori_loop(_c(n, 1), n, lambda i, psi: psi + one / i, psi)
    n1 = jnp.where(n == _c(n, 1), one + one, n)
    init = dict(x=x, z=-x, xk=zero, yk=one, pk=one - n,
                ans=jnp.where(n == _c(n, 1), zero, one / (one - n1)), t=np.inf)

    def body(d):
        d = dict(d)
        d["xk"] = d["xk"] + one
        d["yk"] = d["yk"] * (d["z"] / d["xk"])
        d["pk"] = d["pk"] + one
        d["ans"] = d["ans"] + jnp.where(d["pk"] != zero, d["yk"] / d["pk"], zero)
        d["t"] = jnp.where(d["ans"] != zero, abs(d["yk"] / d["ans"]), one)
        return d

    d = lax.while_loop(lambda d: (d["x"] > _c(d["x"], 0.)) & (d["t"] > eps), body, init)
    return d["z"] ** (n - _c(n, 1)) * psi / jnp.exp(gammaln(n)) - d["ans"]


def _expn_cf(x, n):
    # continued fraction, x > 1
    big = _c(x, 1.44115188075855872e17)
    eps = dtypes.finfo(x.dtype).eps
    zero, one = _c(x, 0.), _c(x, 1.)
    init = dict(k=_c(n, 1), pkm2=one, qkm2=x, pkm1=one, qkm1=x + n, ans=one / (x + n),
                t=_c(x, np.inf), r=zero, x=x)

    def body(d):
        d = dict(d)
        d["k"] = k = d["k"] + _c(d["k"], 1)
        odd = k % _c(k, 2) == _c(k, 1)
        yk = jnp.where(odd, one, x)
        xk = jnp.where(odd, n + (k - _c(k, 1)) / _c(k, 2), k / _c(k, 2))
        pk = d["pkm1"] * yk + d["pkm2"] * xk
        qk = d["qkm1"] * yk + d["qkm2"] * xk
        nz = qk != zero
        d["r"] = r = jnp.where(nz, pk / qk, d["r"])
        d["t"] = jnp.where(nz, abs((d["ans"] - r) / r), one)
        d["ans"] = jnp.where(nz, r, d["ans"])
        d["pkm2"], d["pkm1"], d["qkm2"], d["qkm1"] = d["pkm1"], pk, d["qkm1"], qk
        is_big = abs(pk) > big
        for key in ("pkm1", "pkm2", "qkm1", "qkm2"):
            d[key] = jnp.where(is_big, d[key] / big, d[key])
        return d

    d = lax.while_loop(lambda d: (d["x"] > _c(d["k"], 0)) & (d["t"] > eps), body, init)
    return d["ans"] * jnp.exp(-x)


def _expn_large_n(x, n):
    # asymptotic in n, n >= 5000
    one = _c(x, 1.)
    xk = x + n
    yk = one / (xk * xk)
    ans = yk * n * (_c(x, 6) * x * x - _c(x, 8) * n * x + n * n)
    ans = yk * (ans + n * (n - _c(x, 2) * x))
    ans = yk * (ans + n)
    return (ans + one) * jnp.exp(-x) / xk


@jnp.vectorize
@jit
def _expn_impl(n, x):
    zero, one = _c(x, 0), _c(x, 1)
    conds = [(n < _c(n, 0)) | (x < zero), (x == zero) & (n < _c(n, 2)),
             (x == zero) & (n >= _c(n, 2)), (n == _c(n, 0)) & (x >= zero),
             n >= _c(n, 5000), x > one]
    n1 = jnp.where(n == _c(n, 1), n + n, n)
    vals = [np.nan, np.inf, one / n1, jnp.exp(-x) / x, _expn_large_n, _expn_cf,
            _expn_small]
    return jnp.piecewise(x, conds, vals, n=n)


def _expn_plain(n, x):
    return _expn_impl(n, x)


_expn = custom_jvp(_expn_plain, nondiff_argnums=(0,))


@_expn.defjvp
def _expn_jvp(n, primals, tangents):
    (x,), (x_dot,) = primals, tangents
    return _expn(n, x), lax.mul(lax.neg(x_dot), _expn(lax.sub(n, _c(n, 1)), x))


def expn(n, x):
    """The generalized exponential integral ``E_n(x) = integral_1^inf exp(-x t) / t**n dt``
    (differentiable in ``x``; ``n`` is taken as a constant)."""
    n, x = _promote_inexact("expn", n, x)
    _no_complex("expn", x)
    return _expn(n, x)


def exp1(x):
    """The exponential integral ``E1(x) = integral_x^inf exp(-t) / t dt``: ``expn(1, x)``."""
    x, = _promote_inexact("exp1", x)
    _no_complex("exp1", x)
    return expn(1, x)


_SICI_SN = [-8.39167827910303881427E-11, 4.62591714427012837309E-8,
            -9.75759303843632795789E-6, 9.76945438170435310816E-4,
            -4.13470316229406538752E-2, 1.00000000000000000302E0]
_SICI_SD = [2.03269266195951942049E-12, 1.27997891179943299903E-9,
            4.41827842801218905784E-7, 9.96412122043875552487E-5,
            1.42085239326149893930E-2, 9.99999999999999996984E-1]
_SICI_CN = [2.02524002389102268789E-11, -1.35249504915790756375E-8,
            3.59325051419993077021E-6, -4.74007206873407909465E-4,
            2.89159652607555242092E-2, -1.00000000000000000080E0]
_SICI_CD = [4.07746040061880559506E-12, 3.06780997581887812692E-9,
            1.23210355685883423679E-6, 3.17442024775032769882E-4,
            5.10028056236446052392E-2, 4.00000000000000000080E0]
# auxiliary functions f, g of Si = pi/2 - f cos - g sin, Ci = f sin - g cos: on (4, 8]
# and beyond 8, in z = 1 / x**2
_SICI_FN4 = [4.23612862892216586994E0, 5.45937717161812843388E0, 1.62083287701538329132E0,
             1.67006611831323023771E-1, 6.81020132472518137426E-3,
             1.08936580650328664411E-4, 5.48900223421373614008E-7]
_SICI_FD4 = [1, 8.16496634205391016773E0, 7.30828822505564552187E0,
             1.86792257950184183883E0, 1.78792052963149907262E-1,
             7.01710668322789753610E-3, 1.10034357153915731354E-4,
             5.48900252756255700982E-7]
_SICI_GN4 = [8.71001698973114191777E-2, 6.11379109952219284151E-1,
             3.97180296392337498885E-1, 7.48527737628469092119E-2,
             5.38868681462177273157E-3, 1.61999794598934024525E-4,
             1.97963874140963632189E-6, 7.82579040744090311069E-9]
_SICI_GD4 = [1, 1.64402202413355338886E0, 6.66296701268987968381E-1,
             9.88771761277688796203E-2, 6.22396345441768420760E-3,
             1.73221081474177119497E-4, 2.02659182086343991969E-6,
             7.82579218933534490868E-9]
_SICI_FN8 = [4.55880873470465315206E-1, 7.13715274100146711374E-1,
             1.60300158222319456320E-1, 1.16064229408124407915E-2,
             3.49556442447859055605E-4, 4.86215430826454749482E-6,
             3.20092790091004902806E-8, 9.41779576128512936592E-11,
             9.70507110881952024631E-14]
_SICI_FD8 = [1.0, 9.17463611873684053703E-1, 1.78685545332074536321E-1,
             1.22253594771971293032E-2, 3.58696481881851580297E-4,
             4.92435064317881464393E-6, 3.21956939101046018377E-8,
             9.43720590350276732376E-11, 9.70507110881952025725E-14]
_SICI_GN8 = [6.97359953443276214934E-1, 3.30410979305632063225E-1,
             3.84878767649974295920E-2, 1.71718239052347903558E-3,
             3.48941165502279436777E-5, 3.47131167084116673800E-7,
             1.70404452782044526189E-9, 3.85945925430276600453E-12,
             3.14040098946363334640E-15]
_SICI_GD8 = [1.0, 1.68548898811011640017E0, 4.87852258695304967486E-1,
             4.67913194259625806320E-2, 1.90284426674399523638E-3,
             3.68475504442561108162E-5, 3.57043223443740838771E-7,
             1.72693748966316146736E-9, 3.87830166023954706752E-12,
             3.14040098946363335242E-15]


def _sici_series(x):
    t = x * x
    si = x * jnp.polyval(np.asarray(_SICI_SN, x.dtype), t) / jnp.polyval(
        np.asarray(_SICI_SD, x.dtype), t)
    ci = np.euler_gamma + jnp.log(x) + t * jnp.polyval(
        np.asarray(_SICI_CN, x.dtype), t) / jnp.polyval(np.asarray(_SICI_CD, x.dtype), t)
    return jnp.where(x == 0, 0.0, si), jnp.where(x == 0, -np.inf, ci)


def _sici_asympt(x):
    s, c = jnp.sin(x), jnp.cos(x)
    z = 1.0 / (x * x)
    p = lambda coeffs: jnp.polyval(np.asarray(coeffs, x.dtype), z)  # noqa: E731
    f4 = p(_SICI_FN4) / (x * p(_SICI_FD4))
    g4 = z * p(_SICI_GN4) / p(_SICI_GD4)
    f8 = p(_SICI_FN8) / (x * p(_SICI_FD8))
    g8 = z * p(_SICI_GN8) / p(_SICI_GD8)
    mask = x < 8.0
    f, g = jnp.where(mask, f4, f8), jnp.where(mask, g4, g8)
    return (np.pi / 2) - f * c - g * s, f * s - g * c


def _sici_approx(x):
    si = jnp.where(jnp.isposinf(x), np.pi / 2, (np.pi / 2) - jnp.cos(x) / x)
    ci = jnp.where(jnp.isposinf(x), 0.0, jnp.sin(x) / x)
    return si, ci


@jit
def _sici_impl(x):
    ax = jnp.abs(x)
    si_series, ci_series = _sici_series(ax)
    si_asymp, ci_asymp = _sici_asympt(ax)
    si_approx, ci_approx = _sici_approx(ax)
    small, mid = ax <= 4, (ax > 4) & (ax <= 1e9)
    si = jnp.select([small, mid], [si_series, si_asymp], si_approx)
    ci = jnp.select([small, mid], [ci_series, ci_asymp], ci_approx)
    return jnp.sign(x) * si, jnp.where(jnp.isneginf(x), np.nan, ci)


@custom_jvp
def _sici(x):
    return _sici_impl(x)


@_sici.defjvp
def _sici_jvp(primals, tangents):
    (x,), (t,) = primals, tangents
    return _sici(x), (jnp.sinc(x / np.pi) * t, jnp.cos(x) / x * t)


def sici(x):
    """The sine and cosine integrals ``(Si(x), Ci(x))``: ``Si = integral_0^x sin t / t dt``,
    ``Ci = euler_gamma + log x + integral_0^x (cos t - 1) / t dt`` (Cephes: a series up
    to 4, auxiliary functions up to 1e9, the leading asymptotic term beyond)."""
    x, = _promote_inexact("sici", x)
    if dtypes.is_complex(x.dtype):
        raise ValueError(f"Argument `x` to sici must be real-valued. Got dtype {x.dtype}.")
    return _sici(x)


# --- Fresnel integrals (Cephes' fresnl; fresnlf's shorter polynomials in float32) ---

_FRESNEL_F32 = dict(
    sn=[+1.647629463788700e-9, -1.522754752581096e-7, +8.424748808502400e-6,
        -3.120693124703272e-4, +7.244727626597022e-3, -9.228055941124598e-2,
        +5.235987735681432e-1],
    cn=[+1.416802502367354e-8, -1.157231412229871e-6, +5.387223446683264e-5,
        -1.604381798862293e-3, +2.818489036795073e-2, -2.467398198317899e-1,
        +9.999999760004487e-1],
    fn=[-1.903009855649792e12, +1.355942388050252e11, -4.158143148511033e9,
        +7.343848463587323e7, -8.732356681548485e5, +8.560515466275470e3,
        -1.032877601091159e2, +2.999401847870011e0],
    gn=[-1.860843997624650e11, +1.278350673393208e10, -3.779387713202229e8,
        +6.492611570598858e6, -7.787789623358162e4, +8.602931494734327e2,
        -1.493439396592284e1, +9.999841934744914e-1])
_FRESNEL_F64 = dict(
    sn=[-2.99181919401019853726e3, +7.08840045257738576863e5, -6.29741486205862506537e7,
        +2.54890880573376359104e9, -4.42979518059697779103e10, +3.18016297876567817986e11],
    sd=[+1.00000000000000000000e0, +2.81376268889994315696e2, +4.55847810806532581675e4,
        +5.17343888770096400730e6, +4.19320245898111231129e8, +2.24411795645340920940e10,
        +6.07366389490084639049e11],
    cn=[-4.98843114573573548651e-8, +9.50428062829859605134e-6, -6.45191435683965050962e-4,
        +1.88843319396703850064e-2, -2.05525900955013891793e-1, +9.99999999999999998822e-1],
    cd=[+3.99982968972495980367e-12, +9.15439215774657478799e-10,
        +1.25001862479598821474e-7, +1.22262789024179030997e-5,
        +8.68029542941784300606e-4, +4.12142090722199792936e-2,
        +1.00000000000000000118e0],
    fn=[+4.21543555043677546506e-1, +1.43407919780758885261e-1, +1.15220955073585758835e-2,
        +3.45017939782574027900e-4, +4.63613749287867322088e-6, +3.05568983790257605827e-8,
        +1.02304514164907233465e-10, +1.72010743268161828879e-13,
        +1.34283276233062758925e-16, +3.76329711269987889006e-20],
    fd=[+1.00000000000000000000e0, +7.51586398353378947175e-1, +1.16888925859191382142e-1,
        +6.44051526508858611005e-3, +1.55934409164153020873e-4, +1.84627567348930545870e-6,
        +1.12699224763999035261e-8, +3.60140029589371370404e-11,
        +5.88754533621578410010e-14, +4.52001434074129701496e-17,
        +1.25443237090011264384e-20],
    gn=[+5.04442073643383265887e-1, +1.97102833525523411709e-1, +1.87648584092575249293e-2,
        +6.84079380915393090172e-4, +1.15138826111884280931e-5, +9.82852443688422223854e-8,
        +4.45344415861750144738e-10, +1.08268041139020870318e-12,
        +1.37555460633261799868e-15, +8.36354435630677421531e-19,
        +1.86958710162783235106e-22],
    gd=[+1.00000000000000000000e0, +1.47495759925128324529e0, +3.37748989120019970451e-1,
        +2.53603741420338795122e-2, +8.14679107184306179049e-4, +1.27545075667729118702e-5,
        +1.04314589657571990585e-7, +4.60680728146520428211e-10,
        +1.10273215066240270757e-12, +1.38796531259578871258e-15,
        +8.39158816283118707363e-19, +1.86958710162783236342e-22])


@jit
def _sincospi_x2_half(x):
    """``sin(pi x**2 / 2)`` and ``cos(pi x**2 / 2)``, reducing ``x**2 / 2`` mod 2 exactly
    first (SciPy's sinpi/cospi)."""
    x = jnp.abs(x)
    s = jnp.fmod(x, 2.0)
    r = jnp.fmod(s * (x - s / 2), 2.0)
    sinpi = jnp.where(r < 0.5, jnp.sin(np.pi * r),
                      jnp.where(r > 1.5, jnp.sin(np.pi * (r - 2.0)),
                                -jnp.sin(np.pi * (r - 1.0))))
    cospi = jnp.where(r == 0.5, 0.0,
                      jnp.where(r < 1.0, -jnp.sin(np.pi * (r - 0.5)),
                                jnp.sin(np.pi * (r - 1.5))))
    return sinpi, cospi


def _fresnel_impl(xxa):
    single = xxa.dtype == np.float32
    k = _FRESNEL_F32 if single else _FRESNEL_F64
    p = lambda name, v: jnp.polyval(np.asarray(k[name], xxa.dtype), v)  # noqa: E731
    x = jnp.abs(xxa)
    x2 = x * x
    t = x2 * x2
    if single:
        s_small, c_small = x * x2 * p("sn", t), x * p("cn", t)
    else:
        s_small = x * x2 * p("sn", t) / p("sd", t)
        c_small = x * p("cn", t) / p("cd", t)
    sinpi, cospi = _sincospi_x2_half(x)
    if single:
        c_large = s_large = 0.5
    else:
        c_large = 0.5 + 1 / (np.pi * x) * sinpi
        s_large = 0.5 - 1 / (np.pi * x) * cospi
    t = np.pi * x2
    u = 1.0 / (t * t)
    t = 1.0 / t
    if single:
        f, g = 1.0 - u * p("fn", u), t * p("gn", u)
    else:
        f, g = 1.0 - u * p("fn", u) / p("fd", u), t * p("gn", u) / p("gd", u)
    t = np.pi * x
    c_other = 0.5 + (f * sinpi - g * cospi) / t
    s_other = 0.5 - (f * cospi + g * sinpi) / t
    isinf, small, large = jnp.isinf(xxa), x2 < 2.5625, x > 36974.0
    s = jnp.where(isinf, 0.5, jnp.where(small, s_small, jnp.where(large, s_large, s_other)))
    c = jnp.where(isinf, 0.5, jnp.where(small, c_small, jnp.where(large, c_large, c_other)))
    neg = xxa < 0.0
    return jnp.where(neg, -s, s), jnp.where(neg, -c, c)


@custom_jvp
def _fresnel(x):
    dtype = x.dtype
    if dtype in (np.float16, dtypes.bfloat16):
        s, c = _fresnel_impl(x.astype(np.float32))
        return s.astype(dtype), c.astype(dtype)
    return _fresnel_impl(x)


@_fresnel.defjvp
def _fresnel_jvp(primals, tangents):
    (x,), (x_dot,) = primals, tangents
    sinpi, cospi = _sincospi_x2_half(x)
    return _fresnel(x), (sinpi * x_dot, cospi * x_dot)


def fresnel(x):
    """The Fresnel integrals ``(S(x), C(x))``: ``integral_0^x sin(pi t**2 / 2) dt`` and
    the same with ``cos`` (Cephes' fresnl; accurate on [-10, 10]; half precisions are
    computed in float32)."""
    x, = _promote_inexact("fresnel", x)
    if dtypes.is_complex(x.dtype):
        raise NotImplementedError("Support for complex-valued inputs is not implemented yet.")
    if x.dtype not in (np.float16, dtypes.bfloat16, np.float32, np.float64):
        raise NotImplementedError(f"Support for {x.dtype} dtype is not implemented yet.")
    return _fresnel(x)


# --- Owen's T function ---------------------------------------------------------------

# T(h, a) ~ a * sum_i w_i exp(-h**2 (1 + a**2 t_i) / 2) / (1 + a**2 t_i): a 13-point
# Gauss-type rule on the canonical integral with u**2 = a**2 t (Patefield and Tandy's
# method T5; the 1 / (2 pi) and the Jacobian are in the weights)
_OWENS_T_POINTS = np.array([
    0.0035082039676451715, 0.031279042338030754, 0.085266826283219451, 0.16245071730812277,
    0.25851196049125435, 0.36807553840697534, 0.48501092905604697, 0.60277514152618577,
    0.71477884217753227, 0.81475510988760099, 0.89711029755948966, 0.95723808085944262,
    0.99178832974629704])
_OWENS_T_WEIGHTS = np.array([
    0.018831438115323503, 0.018567086243977649, 0.018042093461223386, 0.017263829606398753,
    0.016243219975989857, 0.014994592034116705, 0.013535474469662088, 0.011886351605820165,
    0.010070377242777432, 0.0081130545742299587, 0.0060419009528470239,
    0.0038862217010742058, 0.0016793031084546090])


def _owens_t_quadrature(h, a):
    points = jnp.expand_dims(_OWENS_T_POINTS, tuple(range(a.ndim)))
    r = jnp.square(a)[..., None] * points
    integrand = jnp.exp(-0.5 * jnp.square(h)[..., None] * (1. + r)) / (1. + r)
    return a * (integrand @ _OWENS_T_WEIGHTS)


@custom_jvp
def _owens_t(h, a):
    h, abs_a = jnp.abs(h), jnp.abs(a)
    root_2 = _c(h, np.sqrt(2))
    h_normed = h / root_2
    # |a| > 1 is reduced to 1 / |a| (and h to |a| h), then corrected below
    small_a = abs_a <= 1.
    mod_a = jnp.where(small_a, abs_a, jnp.reciprocal(abs_a))
    mod_h = jnp.where(small_a, h, abs_a * h)
    result = _owens_t_quadrature(mod_h, mod_a)
    result = jnp.where(mod_h == 0., jnp.arctan(mod_a) / (2 * np.pi), result)
    result = jnp.where(mod_a == 1.,
                       0.125 * lax.erfc(-mod_h / root_2) * lax.erfc(mod_h / root_2), result)
    normh, normah = lax.erfc(h_normed), lax.erfc(abs_a * h_normed)
    result = jnp.where(
        abs_a > 1.,
        jnp.where(abs_a * h <= 0.67,
                  0.25 - 0.25 * lax.erf(h_normed) * lax.erf(abs_a * h_normed) - result,
                  0.25 * (normh + normah - normh * normah) - result),
        result)
    result = lax.sign(a) * result
    return jnp.where(jnp.isnan(a) | jnp.isnan(h), jnp.full_like(result, jnp.nan), result)


@_owens_t.defjvp
def _owens_t_jvp(primals, tangents):
    (h, a), (dh, da) = primals, tangents
    result = _owens_t(h, a)
    # dT/dh = -exp(-h**2 / 2) erf(a h / sqrt 2) / (2 sqrt(2 pi));
    # dT/da = exp(-(1 + a**2) h**2 / 2) / (2 pi (1 + a**2))
    dout_dh = (-lax.exp(-0.5 * lax.square(h)) * lax.erf(a * h / _c(h, np.sqrt(2)))
               / (2. * _c(h, np.sqrt(2. * np.pi))))
    dout_da = (lax.exp(-0.5 * (lax.square(a) + 1.) * lax.square(h))
               / (2. * np.pi * (lax.square(a) + 1.)))
    return result, (dout_dh * dh + dout_da * da).astype(result.dtype)


def owens_t(h, a):
    """Owen's T function ``T(h, a) = 1 / (2 pi) integral_0^a exp(-h**2 (1 + x**2) / 2)
    / (1 + x**2) dx``, by a 13-point quadrature (exact at ``h == 0`` and ``|a| == 1``)."""
    h, a = _promote_inexact("owens_t", h, a)
    return _owens_t(h, a)



# --- Bessel functions of the first kind -----------------------------------------------

def _bessel_jn_step(carry, k):
    # backward recurrence f_k = 2 (k + 1) f_{k+1} / z - f_{k+2}; bs sums 2 f_k, k even
    f0, f1, bs, z = carry
    f = 2.0 * (k + 1.0) * f1 / z - f0
    bs = lax.cond(jnp.mod(k, 2) == 0, lambda u: u[0] + 2.0 * u[1], lambda u: u[0], (bs, f))
    return (f1, f, bs, z), f


def _bessel_jn_scalar(z, *, v, n_iter):
    init = (_c(z, 0.0), _c(z, 1e-16), _c(z, 0.0), z)
    (_, _, bs, _), values = lax.scan(_bessel_jn_step, init,
                                     lax.iota(z.dtype, n_iter + 1), reverse=True)
    # normalized by J_0 + 2 (J_2 + J_4 + ...) == 1
    return values[:v + 1] / (bs - values[0])


@partial(jit, static_argnames=["v", "n_iter"])
def _bessel_jn(z, *, v, n_iter):
    fun = partial(_bessel_jn_scalar, v=v, n_iter=n_iter)
    for _ in range(z.ndim):
        fun = vmap(fun)
    return jnp.moveaxis(fun(z), -1, 0)


def bessel_jn(z, *, v, n_iter=50):
    """The Bessel functions of the first kind ``J_0(z), ..., J_v(z)`` (integer orders,
    real ``z``), shape ``(v + 1, *z.shape)``: Miller's backward recurrence from order
    ``n_iter`` (Zhang and Jin's BJNDD; ``n_iter`` must exceed ``v`` and grow with
    ``|z|``)."""
    z, = promote_dtypes_inexact(jnp.asarray(z))
    if dtypes.is_complex(z.dtype):
        raise ValueError("complex input not supported.")
    try:
        v = operator.index(v)
    except TypeError:
        v = _static_int(v, "Argument v of bessel_jn")
    n_iter = int(n_iter)
    return _bessel_jn(z, v=v, n_iter=n_iter)


# --- confluent hypergeometric function 1F1 ------------------------------------------------

def _series(x, init, first, term_ratio, weight=None):
    """``init + sum_{k >= 1} weight(k) t_k`` with ``t_1 = first`` and
    ``t_{k+1} = t_k * term_ratio(k)``, stopped when ``|t_k / sum|`` falls below the
    float epsilon or after 250 terms (JAX's loops)."""
    eps = dtypes.finfo(x.dtype).eps
    weight = weight or (lambda k: 1)

    def body(state):
        total, k, term = state
        return total + term * weight(k), k + 1, term * term_ratio(k)

    def cond(state):
        total, k, term = state
        return (k < 250) & (lax.abs(term) / lax.abs(total) > eps)

    return lax.while_loop(cond, body, (_c(x, init), np.int32(1), first))[0]


def _hyp1f1_series(a, b, x):
    # the defining series, |x| < 100 (Pearson, Olver and Porter, arXiv:1407.7786)
    return _series(x, 1., a / b * x, lambda k: (a + k) / (b + k) * x / (k + 1))


def _hyp1f1_asymptotic(a, b, x):
    # the asymptotic expansion for large |x|
    total = _series(x, 1., (b - a) * (1 - a) / x,
                    lambda k: (b - a + k) * (1 - a + k) / (k + 1) / x)
    return gamma(b) / gamma(a) * lax.exp(x) * x ** (a - b) * total


@jit
@jnp.vectorize
def _hyp1f1_a_derivative(a, b, x):
    return _series(x, 0., a / b * x, lambda k: (a + k) / (b + k) * x / (k + 1),
                   lambda k: digamma(a + k) - digamma(a))


@jit
@jnp.vectorize
def _hyp1f1_b_derivative(a, b, x):
    return _series(x, 0., a / b * x, lambda k: (a + k) / (b + k) * x / (k + 1),
                   lambda k: digamma(b) - digamma(b + k))


@jit
@jnp.vectorize
def _hyp1f1_impl(a, b, x):
    result = lax.cond(lax.abs(x) < 100, _hyp1f1_series, _hyp1f1_asymptotic, a, b, x)
    index = (a == 0) * 1 + ((a == b) & (a != 0)) * 2 + ((b == 0) & (a != 0)) * 3
    return lax.select_n(index, result, jnp.array(1, dtype=x.dtype), jnp.exp(x),
                        jnp.array(np.inf, dtype=x.dtype))


@custom_jvp
def _hyp1f1(a, b, x):
    return _hyp1f1_impl(a, b, x)


_hyp1f1.defjvps(
    lambda g, ans, a, b, x: _hyp1f1_a_derivative(a, b, x) * g,
    lambda g, ans, a, b, x: _hyp1f1_b_derivative(a, b, x) * g,
    lambda g, ans, a, b, x: a / b * _hyp1f1(a + 1, b + 1, x) * g)


def hyp1f1(a, b, x):
    """Kummer's confluent hypergeometric function ``1F1(a; b; x) = sum_k (a)_k / (b)_k
    x**k / k!`` (the series for ``|x| < 100``, the asymptotic expansion beyond; 1 at
    ``a == b == 0``, unlike SciPy; large values are inaccurate in float32)."""
    a, b, x = _promote_inexact("hyp1f1", a, b, x)
    _no_complex("hyp1f1", x)
    return _hyp1f1(a, b, x)


# --- Gauss's hypergeometric function 2F1 ------------------------------------------------

def _hyp2f1_terminal(a, b, c, x):
    # the polynomial when a (or b, swapped in) is a non-positive integer
    eps = dtypes.finfo(x.dtype).eps * 50
    ib = jnp.round(b)
    swap = (b < a) & (jnp.abs(b - ib) < eps) & ~((c % 1 == 0) & (c <= 0) & (c > b))
    a, b = jnp.where(swap, b, a), jnp.where(swap, a, b)
    a = jnp.abs(a)

    def body(i, state):
        total, term = state
        term = term * (-(a - i + 1) / (c + i - 1) * (b + i - 1) / i * x)
        return total + term, term

    one = jnp.array(1, dtype=x.dtype)
    return lax.fori_loop(jnp.array(1, dtype=a.dtype), a + 1, body, (one, one))[0]


def _hyp2f1_series(a, b, c, x):
    rtol = dtypes.finfo(x.dtype).eps

    def body(state):
        total, k, term = state
        return (total + term, k + 1,
                term * ((a + k - 1) * (b + k - 1) / (c + k - 1) / k * x))

    def cond(state):
        total, k, term = state
        return (k < 250) & (lax.abs(term) > rtol * lax.abs(total))

    init = tuple(jnp.array(v, dtype=x.dtype) for v in (0, 1, 1))
    return lax.while_loop(cond, body, init)[0]


def _hyp2f1_digamma_transform(a, b, c, x):
    # x near 1 with c - a - b (nearly) an integer: the logarithmic case of the 1 - x
    # transformation (Abramowitz and Stegun 15.3.10-12, as Cephes' hys2f1)
    rtol = dtypes.finfo(x.dtype).eps
    d = c - a - b
    s = 1 - x
    rd = jnp.round(d)
    e = jnp.where(rd >= 0, d, -d)
    d1 = jnp.where(rd >= 0, d, jnp.array(0, dtype=d.dtype))
    d2 = jnp.where(rd >= 0, jnp.array(0, dtype=d.dtype), d)
    ard = jnp.where(rd >= 0, rd, -rd).astype("int32")
    ax = jnp.log(s)
    y = digamma(1.0) + digamma(1.0 + e) - digamma(a + d1) - digamma(b + d1) - ax
    y = y / gamma(e + 1.0)
    p = (a + d1) * (b + d1) * s / gamma(e + 2.0)

    def cond(state):
        p, q, t, y = state
        return (t < 250) & (jnp.abs(q) >= rtol * jnp.abs(y))

    def body(state):
        p, q, t, y = state
        r = (digamma(1.0 + t) + digamma(1.0 + t + e) - digamma(a + t + d1)
             - digamma(b + t + d1) - ax)
        q = p * r
        y = y + q
        p = p * (s * (a + t + d1) / (t + 1.0))
        p = p * ((b + t + d1) / (t + 1.0 + e))
        return p, q, t + 1.0, y

    _, _, _, y = lax.while_loop(cond, body, (p, y, jnp.array(1, dtype=x.dtype), y))

    def finite_sum(y):
        def for_body(i, state):
            p, t, y1 = state
            p = p * (s * (a + t + d2) * (b + t + d2) / (1.0 - e + t))
            t = t + 1.0
            p = p / t
            return p, t, y1 + p

        one = jnp.array(1, dtype=x.dtype)
        y1 = lax.fori_loop(1, ard, for_body, (one, jnp.array(0, dtype=x.dtype), one))[-1]
        g = gamma(c)
        y1 = y1 * (gamma(e) * g / (gamma(a + d1) * gamma(b + d1)))
        y = y * (g / (gamma(a + d2) * gamma(b + d2)))
        y = jnp.where((ard & 1) != 0, -y, y)
        q = s ** rd
        return jnp.where(rd > 0, y * q + y1, y + y1 * q)

    return jnp.where(rd == 0, y * gamma(c) / (gamma(a) * gamma(b)), finite_sum(y))


def _hyp2f1_terminal_or_series(a, b, c, x):
    eps = dtypes.finfo(x.dtype).eps * 50
    d = c - a - b
    neg_int_a = (a <= 0) & (jnp.abs(a - jnp.round(a)) < eps)
    neg_int_b = (b <= 0) & (jnp.abs(b - jnp.round(b)) < eps)
    neg_int = neg_int_a | neg_int_b
    index = jnp.where((x > 0.9) & ~neg_int,
                      jnp.where(jnp.abs(d - jnp.round(d)) >= eps, 0, 1),
                      jnp.where(neg_int, 2, 0))
    return lax.select_n(index, _hyp2f1_series(a, b, c, x),
                        _hyp2f1_digamma_transform(a, b, c, x),
                        _hyp2f1_terminal(a, b, c, x))


def _hyp2f1_param_derivative(weight):
    @jit
    @jnp.vectorize
    def derivative(a, b, c, x):
        return _series(x, 0., a * b / c * x,
                       lambda k: (a + k) * (b + k) / (c + k) / (k + 1) * x,
                       lambda k: weight(a, b, c, k))
    return derivative


_hyp2f1_a_derivative = _hyp2f1_param_derivative(lambda a, b, c, k: digamma(a + k) - digamma(a))
_hyp2f1_b_derivative = _hyp2f1_param_derivative(lambda a, b, c, k: digamma(b + k) - digamma(b))
_hyp2f1_c_derivative = _hyp2f1_param_derivative(lambda a, b, c, k: digamma(c) - digamma(c + k))


@jit
@jnp.vectorize
def _hyp2f1_impl(a, b, c, x):
    eps = dtypes.finfo(x.dtype).eps * 50
    d, s, ca, cb = c - a - b, 1 - x, c - a, c - b
    near_int_d = jnp.abs(d - jnp.round(d)) >= eps
    index = jnp.where(
        (x == 0) | (((a == 0) | (b == 0)) & (c != 0)), 0,
        jnp.where((c == 0) | ((c < 0) & (c % 1 == 0)), 1,
        jnp.where((d <= -1) & ~(near_int_d & (s < 0)), 2,
        jnp.where((d <= 0) & (x == 1), 1,
        jnp.where((x < 1) & (b == c), 3,
        jnp.where((x < 1) & (a == c), 4,
        jnp.where(x > 1, 1,
        jnp.where(x == 1, 5, 6))))))))
    return lax.select_n(index,
                        jnp.array(1, dtype=x.dtype),
                        jnp.array(np.inf, dtype=x.dtype),
                        s ** d * _hyp2f1_terminal_or_series(ca, cb, c, x),
                        s ** (-a),
                        s ** (-b),
                        gamma(c) * gamma(d) / (gamma(ca) * gamma(cb)),
                        _hyp2f1_terminal_or_series(a, b, c, x))


@custom_jvp
def _hyp2f1(a, b, c, x):
    return _hyp2f1_impl(a, b, c, x)


_hyp2f1.defjvps(
    lambda g, ans, a, b, c, x: _hyp2f1_a_derivative(a, b, c, x) * g,
    lambda g, ans, a, b, c, x: _hyp2f1_b_derivative(a, b, c, x) * g,
    lambda g, ans, a, b, c, x: _hyp2f1_c_derivative(a, b, c, x) * g,
    lambda g, ans, a, b, c, x: a * b / c * _hyp2f1(a + 1, b + 1, c + 1, x) * g)


def hyp2f1(a, b, c, x):
    """Gauss's hypergeometric function ``2F1(a, b; c; x) = sum_k (a)_k (b)_k / (c)_k
    x**k / k!`` for real arguments, ``x <= 1`` (inf beyond, as JAX): the series, the
    terminating polynomial, Euler's transformation, and the logarithmic ``1 - x``
    transformation near ``x = 1``."""
    a, b, c, x = _promote_inexact("hyp2f1", a, b, c, x)
    return _hyp2f1(a, b, c, x)


# --- the Faddeeva function ------------------------------------------------------------

# Weideman's (1994) N = 32 rational approximation in the upper half plane:
# w(z) = 2 P(Z) / (L - iz)**2 + 1 / (sqrt(pi) (L - iz)), Z = (L + iz) / (L - iz),
# with the coefficients of P highest power first; the lower half plane by reflection,
# w(-z) = 2 exp(-z**2) - w(z)
_WOFZ_L = 4.7568284600108841
_WOFZ_C = np.array([
    -1.3034426067909105e-12, 3.7411838373738471e-12, 8.030427700497756e-12,
    -2.1543593557490879e-11, -5.5442449963237932e-11, 1.165824698850374e-10,
    4.1537441121999766e-10, -5.2310202114920615e-10, -3.2080151339721323e-09,
    8.1248864216535907e-10, 2.3797556530014025e-08, 2.2930438438915445e-08,
    -1.4813078929137642e-07, -4.1840763750512053e-07, 4.2558331397138446e-07,
    4.4015317312832251e-06, 6.8210319443575151e-06, -2.1409619201999998e-05,
    -0.00013075449254579421, -0.00024532980270038237, 0.00039259136070109705,
    0.0045195411053493093, 0.019006155784845501, 0.057304403529837282,
    0.14060716226893755, 0.29544451071508743, 0.54601397206393376, 0.9019254893648001,
    1.3455441692345449, 1.8256696296324815, 2.2635372999002676, 2.5722534081245696])


def _wofz_upper(z):
    re = lax.real(z)
    L = lax.complex(_c(re, _WOFZ_L), _c(re, 0.))
    iz = lax.complex(lax.neg(lax.imag(z)), re)
    denom = L - iz
    Z = (L + iz) / denom
    p = jnp.polyval(jnp.asarray(_WOFZ_C, dtype=Z.dtype), Z)
    one_over_sqrtpi = lax.complex(_c(re, 1. / np.sqrt(np.pi)), _c(re, 0.))
    return 2 * p / (denom * denom) + one_over_sqrtpi / denom


@custom_jvp
def _wofz(z):
    upper = lax.ge(lax.imag(z), _c(lax.real(z), 0.))
    w_upper = _wofz_upper(lax.select(upper, z, lax.neg(z)))
    return lax.select(upper, w_upper, 2 * lax.exp(lax.neg(z * z)) - w_upper)


_wofz.defjvps(lambda g, ans, z: g * (lax.neg(2 * z * ans) + lax.complex(
    _c(lax.real(z), 0.), _c(lax.real(z), 2. / np.sqrt(np.pi)))))


def wofz(z):
    """The Faddeeva function ``w(z) = exp(-z**2) erfc(-iz)`` (complex result; Weideman's
    32-term rational approximation, about float32 accuracy)."""
    z, = _promote_inexact("wofz", z)
    wide = z.dtype in (np.float64, np.complex128)
    return _wofz(lax.convert_element_type(z, np.complex128 if wide else np.complex64,
                                          weak_type=False))

__all__ = [
    "bernoulli", "beta", "betainc", "betaln", "boxcox", "boxcox1p", "comb", "dawsn",
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp1", "expi", "expit",
    "bessel_jn", "expn", "factorial", "fresnel", "gamma", "gammainc", "gammaincc", "gammaln",
    "gammasgn", "hyp1f1", "hyp2f1", "i0", "i0e", "i1", "i1e", "kl_div", "log_ndtr", "log_softmax",
    "loggamma", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "owens_t",
    "poch", "polygamma", "rel_entr", "sici", "softmax", "spence", "wofz", "xlog1py", "xlogy",
    "zeta",
]
