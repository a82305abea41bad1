"""``glassbox.scipy.special``: SciPy's special functions, as ``jax.scipy.special`` has them.

Python functions over ``lax`` and ``glassbox.numpy``, written from JAX's definitions so
that they give JAX's numbers: integer and bool arguments become the default float,
Python scalars stay weakly typed, arguments broadcast as NumPy's. Where JAX gives a
function its own derivative rule (``xlogy``, ``xlog1py``, ``logit``, ``log_ndtr``,
``zeta``, ``poch``, ``dawsn``, ``erfcx``...), so does this module, with ``custom_jvp``.

The primitives underneath are in ``glassbox.lax`` (``lgamma``, ``digamma``,
``polygamma``, ``erf``, ``erf_inv``: ``lax/transcendental.py``; ``igamma``, ``betainc``,
``zeta``, ``bessel_i0e``, ``bessel_i1e``: ``lax/special.py``). ``logsumexp``, ``softmax``
and ``log_softmax`` are ``glassbox.nn``'s (one definition, as in JAX).
"""
import operator

import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from ..core import get_aval
from ..api import jit
from ..custom_derivatives import custom_jvp
from ..errors import ConcretizationTypeError
from ..interpreters import ad
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


__all__ = [
    "bernoulli", "beta", "betainc", "betaln", "boxcox", "boxcox1p", "comb", "dawsn",
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "expit", "factorial", "gamma",
    "gammainc", "gammaincc", "gammaln", "gammasgn", "i0", "i0e", "i1", "i1e", "kl_div",
    "log_ndtr", "log_softmax", "loggamma", "logit", "logsumexp", "multigammaln", "ndtr",
    "ndtri", "poch", "polygamma", "rel_entr", "softmax", "spence", "xlog1py", "xlogy", "zeta",
]
