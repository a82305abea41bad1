"""More samplers, each a transform of the basic ones, step for step JAX's.

``pareto``, ``rayleigh``, ``weibull_min``, ``triangular``, ``geometric`` and
``wald`` transform uniforms; ``lognormal`` and ``maxwell`` normals;
``t``, ``chisquare``, ``f``, ``generalized_normal`` and ``ball`` gammas;
``binomial`` is a rejection sampler (inversion for small ``n * p``, BTRS
otherwise, both ``while_loop``\\s), and ``multinomial`` a ``scan`` of
binomials over the categories. As in ``distributions.py``: a public function
checks its arguments, then calls a jitted body with shape and dtype static;
the key splits and the order of every operation are JAX's, so the bits match.
"""
import operator

import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from ..api import jit
from ..core import get_aval
from ..numpy._util import check_arraylike, promote_dtypes_inexact
from .distributions import (check_shape, exponential, float_dtype, normal, rademacher,
                            shape_of, uniform)
from .gamma import gamma, loggamma
from .keys import canonicalize_shape, check_prng_key, split_key

# JAX raises its TypePromotionError (a ValueError) for a parameter that would lose
# precision when cast to the sample dtype.
TypePromotionError = getattr(dtypes, "TypePromotionError", None)
if TypePromotionError is None:
    class TypePromotionError(ValueError):
        """A parameter cannot be cast safely to the sample dtype."""


# --- argument checks (JAX's _check_broadcast_shapes and _check_all_safe_to_cast) ----------


def _param_shape(name, shape, *params):
    """The sample shape: ``shape`` checked against the parameters, or their broadcast."""
    shapes = [shape_of(p) for p in params]
    if shape is None:
        try:
            return tuple(np.broadcast_shapes(*shapes)) if shapes else ()
        except ValueError:
            raise ValueError(f"Incompatible shapes for broadcasting: shapes="
                             f"{[tuple(s) for s in shapes]}") from None
    shape = canonicalize_shape(name, shape)
    check_shape(name, shape, *shapes)
    return shape


def _check_safe_to_cast(name, dtype, *params):
    """Each parameter's dtype must promote to ``dtype`` itself (no silent narrowing)."""
    for p in params:
        p_dtype = dtypes.result_type(p)
        if p_dtype != dtype and dtypes.result_type(p, dtype) != dtype:
            raise TypePromotionError(f"In arguments to {name}, cannot safely cast argument of "
                                     f"type {p_dtype.name} to {np.dtype(dtype).name}")


def _check_out_sharding(name, out_sharding):
    if out_sharding is not None:
        raise NotImplementedError(f"{name}: out_sharding is not supported by glassbox "
                                  f"(one device); pass None")


def _const(x, value):
    return np.array(value, dtype=get_aval(x).dtype)


def _float_args(name, key, dtype, shape, *params):
    key, _ = check_prng_key(name, key)
    dtype = float_dtype(name, dtype)
    shape = _param_shape(name, shape, *params)
    _check_safe_to_cast(name, dtype, *params)
    return key, dtype, shape


# --- transforms of uniforms ---------------------------------------------------------------


def pareto(key, b, shape=None, dtype=None, *, out_sharding=None):
    """Pareto samples with shape parameter ``b`` on ``[1, inf)``: ``exp(e / b)``, ``e`` exponential.

    Example::

        pareto(key(0), 3.0, (4,))
    """
    _check_out_sharding("pareto", out_sharding)
    key, dtype, shape = _float_args("pareto", key, dtype, shape, b)
    return _pareto(key, b, shape, dtype)


@jit(static_argnums=(2, 3))
def _pareto(key, b, shape, dtype):
    b = lax.convert_element_type(b, dtype)
    e = exponential(key, shape, dtype)
    return lax.exp(e / b)


def rayleigh(key, scale, shape=None, dtype=None, *, out_sharding=None):
    """Rayleigh samples: ``scale * sqrt(-2 log u)``."""
    _check_out_sharding("rayleigh", out_sharding)
    key, dtype, shape = _float_args("rayleigh", key, dtype, shape, scale)
    return _rayleigh(key, scale, shape, dtype)


@jit(static_argnums=(2, 3))
def _rayleigh(key, scale, shape, dtype):
    u = uniform(key, shape, dtype)
    scale = jnp.broadcast_to(scale.astype(dtype), shape)
    sqrt_u = lax.sqrt(lax.mul(lax.log(u), _const(scale, -2)))
    return lax.mul(scale, sqrt_u)


def weibull_min(key, scale, concentration, shape=(), dtype=None):
    """Weibull samples by the inverse CDF: ``(-log1p(-u)) ** (1 / concentration) * scale``."""
    key, _ = check_prng_key("weibull_min", key)
    dtype = float_dtype("weibull_min", dtype)
    shape = canonicalize_shape("weibull_min", shape)
    return _weibull_min(key, scale, concentration, shape, dtype)


@jit(static_argnums=(3, 4))
def _weibull_min(key, scale, concentration, shape, dtype):
    u = uniform(key, shape, dtype, minval=0, maxval=1)
    return jnp.power(-jnp.log1p(-u), 1.0 / concentration) * scale


def triangular(key, left, mode, right, shape=None, dtype=None, *, out_sharding=None):
    """Triangular samples on ``[left, right]`` peaking at ``mode`` (inverse CDF, two branches)."""
    _check_out_sharding("triangular", out_sharding)
    key, dtype, shape = _float_args("triangular", key, dtype, shape, left, mode, right)
    return _triangular(key, left, mode, right, shape, dtype)


@jit(static_argnums=(4, 5))
def _triangular(key, left, mode, right, shape, dtype):
    left = jnp.broadcast_to(lax.convert_element_type(left, dtype), shape)
    right = jnp.broadcast_to(lax.convert_element_type(right, dtype), shape)
    mode = jnp.broadcast_to(lax.convert_element_type(mode, dtype), shape)
    fc = (mode - left) / (right - left)
    u = uniform(key, shape, dtype)
    out1 = left + lax.sqrt(u * (right - left) * (mode - left))
    out2 = right - lax.sqrt((1 - u) * (right - left) * (right - mode))
    return lax.select(u < fc, out1, out2)


def geometric(key, p, shape=None, dtype=None, *, out_sharding=None):
    """Geometric samples (trials until the first success, >= 1): ``floor(log u / log1p(-p)) + 1``."""
    _check_out_sharding("geometric", out_sharding)
    key, _ = check_prng_key("geometric", key)
    dtype = dtypes.canonicalize_dtype(int if dtype is None else dtype)
    if not dtypes.is_int(dtype):
        raise ValueError(f"dtype argument to `geometric` must be an int dtype, got {dtype.name}")
    shape = _param_shape("geometric", shape, p)
    check_arraylike("geometric", p)
    return _geometric(key, p, shape, dtype)


@jit(static_argnums=(2, 3))
def _geometric(key, p, shape, dtype):
    p, = promote_dtypes_inexact(p)
    u = uniform(key, shape, get_aval(p).dtype)
    u = jnp.where(u == 0, 1, u)   # JAX's guard against log(0), kept for its bits
    log_u = lax.log(u)
    log_one_minus_p = jnp.broadcast_to(lax.log1p(-p), shape)
    g = lax.floor(lax.div(log_u, log_one_minus_p)) + 1
    return g.astype(dtype)


def wald(key, mean, shape=None, dtype=None, *, out_sharding=None):
    """Wald (inverse Gaussian) samples with the given ``mean`` (Michael-Schucany-Haas)."""
    _check_out_sharding("wald", out_sharding)
    key, dtype, shape = _float_args("wald", key, dtype, shape, mean)
    return _wald(key, mean, shape, dtype)


@jit(static_argnums=(2, 3))
def _wald(key, mean, shape, dtype):
    k1, k2 = split_key(key, 2)
    mean = jnp.broadcast_to(mean.astype(dtype), shape)
    v = normal(k1, shape, dtype)
    z = uniform(k2, shape, dtype)
    y = lax.integer_pow(v, 2)
    y_sq = lax.integer_pow(y, 2)
    mean_sq = lax.integer_pow(mean, 2)
    sqrt_term = lax.sqrt(4 * mean * y + mean_sq * y_sq)
    x = mean + mean_sq * y / 2 - mean / 2 * sqrt_term
    return lax.select(lax.le(z, mean / (mean + x)), x, mean_sq / x)


# --- transforms of normals -------------------------------------------------------------------


def lognormal(key, sigma=np.float32(1), shape=None, dtype=None, *, out_sharding=None):
    """Log-normal samples: ``exp(sigma * normal)`` (float or complex dtype)."""
    _check_out_sharding("lognormal", out_sharding)
    key, _ = check_prng_key("lognormal", key)
    dtype = dtypes.canonicalize_dtype(float if dtype is None else dtype)
    if not dtypes.is_inexact(dtype):
        raise ValueError(f"dtype argument to `lognormal` must be a float or complex dtype, "
                         f"got {dtype.name}")
    shape = _param_shape("lognormal", shape, sigma)
    _check_safe_to_cast("lognormal", dtype, sigma)
    return _lognormal(key, sigma, shape, dtype)


@jit(static_argnums=(2, 3))
def _lognormal(key, sigma, shape, dtype):
    sigma = lax.convert_element_type(sigma, dtype)
    return lax.exp(normal(key, shape, dtype) * sigma)


def maxwell(key, shape=(), dtype=None, *, out_sharding=None):
    """Maxwell samples: the norm of three standard normals."""
    _check_out_sharding("maxwell", out_sharding)
    key, _ = check_prng_key("maxwell", key)
    dtype = float_dtype("maxwell", dtype)
    shape = canonicalize_shape("maxwell", shape)
    return _maxwell(key, shape, dtype)


@jit(static_argnums=(1, 2))
def _maxwell(key, shape, dtype):
    return jnp.linalg.norm(normal(key, shape + (3,), dtype), axis=-1)


def double_sided_maxwell(key, loc, scale, shape=(), dtype=None):
    """Double-sided Maxwell samples: a Maxwell sample with a random sign, scaled and shifted.

    As JAX, the result shape is ``shape + broadcast(loc.shape, scale.shape)`` (with an
    empty ``shape`` taken to be that broadcast shape).
    """
    key, _ = check_prng_key("double_sided_maxwell", key)
    dtype = float_dtype("double_sided_maxwell", dtype)
    shape = canonicalize_shape("double_sided_maxwell", shape)
    return _double_sided_maxwell(key, loc, scale, shape, dtype)


@jit(static_argnums=(3, 4))
def _double_sided_maxwell(key, loc, scale, shape, dtype):
    params_shape = tuple(np.broadcast_shapes(shape_of(loc), shape_of(scale)))
    if not shape:
        shape = params_shape
    shape = shape + params_shape
    maxwell_key, rademacher_key = split_key(key)
    maxwell_rvs = maxwell(maxwell_key, shape=shape, dtype=dtype)
    random_sign = rademacher(rademacher_key, shape=shape, dtype=dtype)
    return random_sign * maxwell_rvs * scale + loc


# --- transforms of gammas --------------------------------------------------------------------


def t(key, df, shape=None, dtype=None, *, out_sharding=None):
    """Student's t samples: ``n * sqrt((df / 2) / g)``, ``n`` normal, ``g`` Gamma(df / 2)."""
    _check_out_sharding("t", out_sharding)
    key, dtype, shape = _float_args("t", key, dtype, shape, df)
    return _t(key, df, shape, dtype)


@jit(static_argnums=(2, 3))
def _t(key, df, shape, dtype):
    df = lax.convert_element_type(df, dtype)
    key_n, key_g = split_key(key)
    n = normal(key_n, shape, dtype)
    half_df = lax.div(df, _const(n, 2))
    g = gamma(key_g, half_df, shape, dtype)
    return n * jnp.sqrt(half_df / g)


def chisquare(key, df, shape=None, dtype=None, *, out_sharding=None):
    """Chi-square samples: ``2 * exp(loggamma(df / 2))``."""
    _check_out_sharding("chisquare", out_sharding)
    key, dtype, shape = _float_args("chisquare", key, dtype, shape, df)
    return _chisquare(key, df, shape, dtype)


@jit(static_argnums=(2, 3))
def _chisquare(key, df, shape, dtype):
    df = lax.convert_element_type(df, dtype)
    two = _const(df, 2)
    log_g = loggamma(key, lax.div(df, two), shape, dtype)
    return lax.mul(jnp.exp(log_g), two)


def f(key, dfnum, dfden, shape=None, dtype=None, *, out_sharding=None):
    """F samples: ``(chi2(dfnum) / dfnum) / (chi2(dfden) / dfden)``."""
    _check_out_sharding("f", out_sharding)
    key, dtype, shape = _float_args("f", key, dtype, shape, dfnum, dfden)
    return _f(key, dfnum, dfden, shape, dtype)


@jit(static_argnums=(3, 4))
def _f(key, dfnum, dfden, shape, dtype):
    dfden = lax.convert_element_type(dfden, dtype)
    dfnum = lax.convert_element_type(dfnum, dtype)
    key_dfd, key_dfn = split_key(key)
    chi2_dfn = chisquare(key_dfn, dfnum, shape, dtype)
    chi2_dfd = chisquare(key_dfd, dfden, shape, dtype)
    return lax.div(lax.div(chi2_dfn, dfnum), lax.div(chi2_dfd, dfden))


def generalized_normal(key, p, shape=(), dtype=None, *, out_sharding=None):
    """Generalized normal samples (density ∝ ``exp(-|x|**p)``): a signed ``Gamma(1/p) ** (1/p)``."""
    _check_out_sharding("generalized_normal", out_sharding)
    shape = canonicalize_shape("generalized_normal", shape)
    key, _ = check_prng_key("generalized_normal", key)
    dtype = dtypes.canonicalize_dtype(float if dtype is None else dtype)
    return _generalized_normal(key, p, shape, dtype)


@jit(static_argnums=(2, 3))
def _generalized_normal(key, p, shape, dtype):
    keys = split_key(key)
    g = gamma(keys[0], 1 / p, shape, dtype)
    r = rademacher(keys[1], shape, dtype)
    return r * g ** (1 / p)


def ball(key, d, p=2, shape=(), dtype=None, *, out_sharding=None):
    """Points uniform in the ``d``-dimensional unit ``p``-norm ball (shape ``shape + (d,)``)."""
    _check_out_sharding("ball", out_sharding)
    shape = canonicalize_shape("ball", shape)
    key, _ = check_prng_key("ball", key)
    dtype = dtypes.canonicalize_dtype(float if dtype is None else dtype)
    d = operator.index(d)
    return _ball(key, p, d, shape, dtype)


@jit(static_argnums=(2, 3, 4))
def _ball(key, p, d, shape, dtype):
    k1, k2 = split_key(key)
    g = generalized_normal(k1, p, (*shape, d), dtype)
    e = exponential(k2, shape, dtype)
    return g / (((jnp.abs(g) ** p).sum(-1) + e) ** (1 / p))[..., None]


# --- binomial and multinomial ----------------------------------------------------------------


def binomial(key, n, p, shape=None, dtype=None):
    """Binomial(n, p) counts, as floats (JAX's and TensorFlow's algorithm).

    For ``n * min(p, 1-p) <= 10``: inversion, summing geometric waiting times
    until they pass ``n``; otherwise BTRS (Hörmann's transformed rejection
    with squeeze). Both run as ``while_loop``\\s on the same key, and the
    sample of the branch that applies is kept. NaN ``p`` or NaN/negative
    ``n`` give NaN; infinite ``n`` gives inf.

    Example::

        binomial(key(0), 10, 0.3, (5,))
    """
    key, _ = check_prng_key("binomial", key)
    check_arraylike("binomial", n, p)
    dtype = float_dtype("binomial", dtype)
    if shape is None:
        shape = _param_shape("binomial", None, n, p)
    else:
        shape = canonicalize_shape("binomial", shape)
        check_shape("binomial", shape, shape_of(n), shape_of(p))
    return _binomial(key, n, p, shape, dtype)


def _stirling_approx_tail(k):
    """log(k!) minus its Stirling approximation: a table for k <= 9, a series beyond."""
    tail_values = jnp.array([
        0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
        0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
        0.00925546218271273, 0.00833056343336287], dtype=k.dtype)
    use_tail_values = k <= 9
    k = lax.clamp(_const(k, 0.0), k, _const(k, 9.0))
    kp1sq = (k + 1) * (k + 1)
    approx = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
    k = jnp.floor(k)
    return lax.select(use_tail_values, tail_values[jnp.asarray(k, dtype="int32")], approx)


def _binomial_inversion(key, count, prob, shape, dtype, max_iters):
    log1minusprob = jnp.log1p(-prob)

    def body(carry):
        i, num_geom, geom_sum, key = carry
        subkey, key = split_key(key)
        num_geom_out = lax.select(geom_sum <= count, num_geom + 1, num_geom)
        u = uniform(subkey, shape, prob.dtype)
        geom = jnp.ceil(jnp.log(u) / log1minusprob)
        return i + 1, num_geom_out, geom_sum + geom, key

    def cond(carry):
        i, geom_sum = carry[0], carry[2]
        return (geom_sum <= count).any() & (i < max_iters)

    zeros = jnp.zeros(shape, prob.dtype)
    k = lax.while_loop(cond, body, (np.int32(0), zeros, zeros, key))[1]
    return (k - 1).astype(dtype)


def _btrs(key, count, prob, shape, dtype, max_iters):
    stddev = jnp.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = jnp.floor((count + 1) * prob)

    def body(carry):
        i, k_out, accepted, key = carry
        keys = split_key(key, 3)
        key, subkey_0, subkey_1 = keys[0], keys[1], keys[2]
        u = uniform(subkey_0, shape, prob.dtype)
        v = uniform(subkey_1, shape, prob.dtype)
        u = u - 0.5
        us = 0.5 - jnp.abs(u)
        accept1 = (us >= 0.07) & (v <= v_r)
        k = jnp.floor((2 * a / us + b) * u + c)
        reject = (k < 0) | (k > count)
        v = jnp.log(v * alpha / (a / (us * us) + b))
        ub = ((m + 0.5) * jnp.log((m + 1) / (r * (count - m + 1)))
              + (count + 1) * jnp.log((count - m + 1) / (count - k + 1))
              + (k + 0.5) * jnp.log(r * (count - k + 1) / (k + 1))
              + _stirling_approx_tail(m)
              + _stirling_approx_tail(count - m)
              - _stirling_approx_tail(k)
              - _stirling_approx_tail(count - k))
        accept = accept1 | (~reject & (v <= ub))
        return i + 1, lax.select(accept, k, k_out), accepted | accept, key

    def cond(carry):
        i, accepted = carry[0], carry[2]
        return (~accepted).any() & (i < max_iters)

    k_init = jnp.full(shape, -1, prob.dtype)
    carry = (np.int32(0), k_init, jnp.full(shape, False, bool), key)
    return lax.while_loop(cond, body, carry)[1].astype(dtype)


@jit(static_argnums=(3, 4))
def _binomial(key, count, prob, shape, dtype):
    prob, = promote_dtypes_inexact(prob)
    count = jnp.broadcast_to(lax.convert_element_type(count, prob.dtype), shape)
    prob = jnp.broadcast_to(prob, shape)
    p_lt_half = prob < 0.5
    q = lax.select(p_lt_half, prob, 1.0 - prob)
    count_nan_or_neg = lax.ne(count, count) | (count < 0.0)
    count_inf = jnp.isinf(count)
    q_is_nan = lax.ne(q, q)
    q_l_0 = q < 0.0
    q = lax.select(q_is_nan | q_l_0, jnp.full_like(q, 0.01), q)
    use_inversion = count_nan_or_neg | (count * q <= 10.0)
    count = jnp.floor(count)   # as np.random.binomial for float counts
    count_inv = lax.select(use_inversion, count, jnp.full_like(count, 0.0))
    count_btrs = lax.select(use_inversion, jnp.full_like(count, 1e4), count)
    q_btrs = lax.select(use_inversion, jnp.full_like(q, 0.5), q)
    max_iters = dtype.type(dtypes.finfo(dtype).max)
    samples = lax.select(use_inversion,
                         _binomial_inversion(key, count_inv, q, shape, dtype, max_iters),
                         _btrs(key, count_btrs, q_btrs, shape, dtype, max_iters))
    invalid = q_l_0 | q_is_nan | count_nan_or_neg
    samples = lax.select(invalid, jnp.full_like(samples, np.nan, dtype), samples)
    samples = lax.select(count_inf & ~invalid, jnp.full_like(samples, np.inf, dtype), samples)
    return lax.select(p_lt_half | count_nan_or_neg | q_is_nan | count_inf, samples,
                      count.astype(dtype) - samples)


def multinomial(key, n, p, *, shape=None, dtype=None, unroll=1):
    """Multinomial(n, p) counts (last axis: the categories), as a scan of binomials.

    Category ``i`` takes ``binomial(remaining, p_i / (p_i + ... + p_last))`` of
    the trials still left, each with its own key.

    Example::

        multinomial(key(0), 10., jnp.array([.2, .3, .5]))   # [1., 1., 8.]
    """
    key, _ = check_prng_key("multinomial", key)
    check_arraylike("multinomial", n, p)
    n, p = promote_dtypes_inexact(n, p)
    if shape is None:
        shape = p.shape
    shape = tuple(shape)
    n = jnp.broadcast_to(n, shape[:-1])
    p = jnp.broadcast_to(p, shape)

    def step(remainder, ratio_key):
        ratio, key = ratio_key
        count = binomial(key, remainder, ratio.clip(0, 1), dtype=remainder.dtype)
        return remainder - count, count

    p = jnp.moveaxis(p, -1, 0)
    remaining_probs = lax.cumsum(p, 0, reverse=True)
    ratios = p / jnp.where(remaining_probs == 0, 1, remaining_probs)
    keys = split_key(key, ratios.shape[0])
    _, counts = lax.scan(step, n, (ratios, keys), unroll=unroll)
    counts = jnp.moveaxis(counts, 0, -1)
    # JAX's astype(None): the default float dtype.
    return counts.astype(dtypes.canonicalize_dtype(float if dtype is None else dtype))


__all__ = ["ball", "binomial", "chisquare", "double_sided_maxwell", "f", "generalized_normal",
           "geometric", "lognormal", "maxwell", "multinomial", "pareto", "rayleigh", "t",
           "triangular", "wald", "weibull_min"]
