"""The error functions and their relatives: ``erf``, ``erfc``, ``erfinv``, ``ndtr``,
``ndtri``, ``log_ndtr``, ``dawsn``, ``erfcx``, Owen's T (``owens_t``) and the Faddeeva
function (``wofz``)."""

import numpy as np

from ... import dtypes, lax
from ... import numpy as jnp
from ...custom_derivatives import custom_jvp
from ._util import _c, _check_f32_f64, _full_like, _no_complex, _polyval, _promote_inexact


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


# --- Dawson's integral and the scaled complementary error function ----------------

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
