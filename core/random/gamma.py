"""Samplers with rejection loops: gamma (and loggamma, beta, dirichlet) and poisson.

``gamma`` is Marsaglia and Tsang's method ("A simple method for generating
gamma variables", 2000), one ``while_loop`` per element, vectorized with
``vmap`` (so a batched ``while_loop`` runs until every element is accepted),
exactly as JAX lowers it: each element ``i`` of the result uses the ``i``-th
key of ``split(key, a.size)``. It is the primitive ``random_gamma_p`` so that
it can carry JAX's *implicit* reparameterisation gradient: ``d sample / d a``
is ``-(dF/da) / (dF/dx)`` for the CDF ``F`` (``random_gamma_grad``, from the
series and continued fraction of the incomplete gamma function).

``poisson`` is Knuth's multiplication method for ``lam < 10`` and Hormann's
transformed rejection otherwise, two whole-array ``while_loop``\\ s.
"""
import math
from functools import partial

import numpy as np

from .. import dtypes, lax
from ..interpreters import ad, batching
from .. import numpy as jnp
from ..api import jit
from ..core import Primitive, abstract_eval_rules, get_aval
from ..lax._families import lower_traced
from ..interpreters.batching import vmap
from ..interpreters.lowering import lowering_rules
from .distributions import (broadcast_shapes, canonicalize_shape, check_shape, exponential,
                            float_dtype, int_dtype, normal, shape_of, uniform)
from .keys import PRNGKeyArray, check_prng_key, split_key
from .threefry import threefry_split


def _const(x, value):
    return np.array(value, dtype=get_aval(x).dtype)


# --- one gamma sample: Marsaglia-Tsang -------------------------------------------------------

def _gamma_one(key_data, alpha, log_space):
    """One Gamma(alpha) sample (or its log) from raw key data ``uint32[2]``."""
    key = PRNGKeyArray(key_data)
    zero, one, two, minus_one = (_const(alpha, v) for v in (0, 1, 2, -1))
    one_over_two, one_over_three = _const(alpha, 0.5), _const(alpha, 1. / 3.)
    squeeze_const = _const(alpha, 0.0331)
    dtype = get_aval(alpha).dtype
    # alpha < 1 is boosted: Gamma(alpha) ~ Gamma(alpha + 1) * U ** (1 / alpha).
    boost_mask = lax.ge(alpha, one)
    alpha_orig = alpha
    alpha = lax.select(boost_mask, alpha, lax.add(alpha, one))
    d = lax.sub(alpha, one_over_three)
    c = lax.div(one_over_three, lax.sqrt(d))

    def cond_fn(kXVU):
        _, X, V, U = kXVU
        return lax.bitwise_and(
            lax.ge(U, lax.sub(one, lax.mul(squeeze_const, lax.mul(X, X)))),
            lax.ge(lax.log(U), lax.add(lax.mul(X, one_over_two),
                                       lax.mul(d, lax.add(lax.sub(one, V), lax.log(V))))))

    def body_fn(kXVU):
        def next_kxv(kxv):
            k, subkey = _two(split_key(kxv[0]))
            x = normal(subkey, (), dtype=dtype)
            return k, x, lax.add(one, lax.mul(x, c))

        keys = split_key(kXVU[0], 3)
        k, x_key, u_key = keys[0], keys[1], keys[2]
        _, x, v = lax.while_loop(lambda kxv: lax.le(kxv[2], zero), next_kxv,
                                 (x_key, zero, minus_one))
        X = lax.mul(x, x)
        V = lax.mul(lax.mul(v, v), v)
        U = uniform(u_key, (), dtype=dtype)
        return k, X, V, U

    key, subkey = _two(split_key(key))
    # The initial state makes cond_fn true, so the body runs at least once.
    _, _, V, _ = lax.while_loop(cond_fn, body_fn, (key, zero, one, two))
    if log_space:
        log_samples = lax.neg(exponential(subkey, (), dtype=dtype))
        log_boost = lax.select(lax.bitwise_or(boost_mask, lax.eq(log_samples, zero)), zero,
                               lax.mul(log_samples, lax.div(one, alpha_orig)))
        return lax.add(lax.add(lax.log(d), lax.log(V)), log_boost)
    samples = 1 - uniform(subkey, (), dtype=dtype)
    boost = lax.select(boost_mask, one, lax.pow(samples, lax.div(one, alpha_orig)))
    return lax.mul(lax.mul(d, V), boost)


def _two(keys):
    return keys[0], keys[1]


# --- random_gamma_p ------------------------------------------------------------------------

def random_gamma(key_data, a, log_space=False):
    """Gamma(a) samples of ``a``'s shape from raw keys ``uint32[*kshape, 2]`` (``a.shape``
    starts with ``kshape``). The primitive behind ``gamma`` and ``loggamma``."""
    return random_gamma_p.bind(key_data, a, log_space=bool(log_space))


random_gamma_p = Primitive("random_gamma")


def _random_gamma_abstract_eval(key, a, *, log_space):
    if key.dtype != np.uint32 or key.shape[-1:] != (2,):
        raise TypeError(f"random_gamma: key data must be uint32[..., 2], got "
                        f"{key.str_short()}")
    if not dtypes.is_float(a.dtype):
        raise TypeError(f"random_gamma: a must be floating, got {a.dtype.name}")
    if a.shape[:key.ndim - 1] != key.shape[:-1]:
        raise TypeError(f"random_gamma: the shape of a {a.shape} must start with the key "
                        f"shape {key.shape[:-1]}")
    return a.strip_weak_type()


def _gamma_impl(key_data, a, *, log_space):
    a_shape = get_aval(a).shape
    kshape = get_aval(key_data).shape[:-1]
    split_count = math.prod(a_shape[len(kshape):])
    keys = lax.reshape(key_data, (math.prod(kshape), 2))
    keys = vmap(lambda k: threefry_split(k, (split_count,)))(keys)
    keys = lax.reshape(keys, (math.prod(a_shape), 2))
    alphas = lax.reshape(a, (math.prod(a_shape),))
    samples = vmap(partial(_gamma_one, log_space=log_space))(keys, alphas)
    return lax.reshape(samples, a_shape)


def _random_gamma_lowering(ctx, key, a, *, log_space):
    return lower_traced(ctx, lambda k, x: [_gamma_impl(k, x, log_space=log_space)],
                        [key, a])[0]


def _random_gamma_jvp(primals, tangents, *, log_space):
    key, a = primals
    ans = random_gamma_p.bind(key, a, log_space=log_space)
    t = tangents[1]
    if ad.is_zero(t):
        return ans, ad.Zero(get_aval(ans).strip_weak_type())
    return ans, lax.mul(t, _gamma_grad(ans, a, log_space=log_space))


def _random_gamma_batch(axis_data, args, dims, *, log_space):
    key, a = (batching.bdim_at_front(x, d, axis_data.size) for x, d in zip(args, dims))
    return random_gamma_p.bind(key, a, log_space=log_space), 0


abstract_eval_rules[random_gamma_p] = _random_gamma_abstract_eval
lowering_rules[random_gamma_p] = _random_gamma_lowering
ad.jvp_rules[random_gamma_p] = _random_gamma_jvp
batching.batch_rules[random_gamma_p] = _random_gamma_batch


# --- the implicit gradient: d sample / d alpha ------------------------------------------------

def _gamma_grad(sample, a, *, log_space):
    samples = jnp.reshape(sample, -1)
    alphas = jnp.reshape(a, -1)
    if log_space:
        # d log(x) = dx / x; exp(log x) may underflow to 0: use the smallest normal instead.
        samples = lax.exp(samples)
        tiny = jnp.full_like(samples, dtypes.finfo(samples.dtype).tiny)
        samples = lax.select(lax.eq(samples, _const(samples, 0)), tiny, samples)

        def grad_fn(alpha, x):
            return lax.random_gamma_grad(alpha, x) / x
    else:
        grad_fn = lax.random_gamma_grad
    return vmap(grad_fn)(alphas, samples).reshape(np.shape(a))


# --- gamma, loggamma, beta, dirichlet ---------------------------------------------------------

def _gamma_args(name, key, a, shape, dtype):
    key, _ = check_prng_key(name, key)
    dtype = float_dtype(name, dtype)
    if shape is not None:
        shape = canonicalize_shape(name, shape)
        check_shape(name, shape, shape_of(a))
    return key, shape, dtype


def gamma(key, a, shape=None, dtype=None):
    """Gamma(a, 1) samples (shape ``a``'s, or ``shape``); differentiable in ``a``.

    Example::

        gamma(key(0), 2.0, (3,))            # three Gamma(2) samples
        grad(lambda a: gamma(k, a).sum())   # the implicit reparameterisation gradient
    """
    key, shape, dtype = _gamma_args("gamma", key, a, shape, dtype)
    return _gamma(key, a, shape, dtype, False)


def loggamma(key, a, shape=None, dtype=None):
    """``log`` of Gamma(a, 1) samples, accurate for small ``a`` (no underflow to 0)."""
    key, shape, dtype = _gamma_args("loggamma", key, a, shape, dtype)
    return _gamma(key, a, shape, dtype, True)


@jit(static_argnums=(2, 3, 4))
def _gamma(key, a, shape, dtype, log_space):
    if shape is None:
        shape = shape_of(a)
    a = lax.convert_element_type(a, dtype)
    if shape_of(a) != shape:
        a = jnp.broadcast_to(a, shape)
    return random_gamma(key._base_array, a, log_space=log_space)


def beta(key, a, b, shape=None, dtype=None):
    """Beta(a, b) samples: ``Ga / (Ga + Gb)`` from two log-gamma draws (computed stably)."""
    key, _ = check_prng_key("beta", key)
    dtype = float_dtype("beta", dtype)
    if shape is None:
        shape = broadcast_shapes("beta", shape_of(a), shape_of(b))
    else:
        shape = canonicalize_shape("beta", shape)
        check_shape("beta", shape, shape_of(a), shape_of(b))
    return _beta(key, a, b, shape, dtype)


@jit(static_argnums=(3, 4))
def _beta(key, a, b, shape, dtype):
    a = lax.convert_element_type(a, dtype)
    b = lax.convert_element_type(b, dtype)
    key_a, key_b = _two(split_key(key))
    a = jnp.broadcast_to(a, shape)
    b = jnp.broadcast_to(b, shape)
    log_gamma_a = loggamma(key_a, a, shape, dtype)
    log_gamma_b = loggamma(key_b, b, shape, dtype)
    log_max = lax.max(log_gamma_a, log_gamma_b)
    gamma_a_scaled = jnp.exp(log_gamma_a - log_max)
    gamma_b_scaled = jnp.exp(log_gamma_b - log_max)
    return gamma_a_scaled / (gamma_a_scaled + gamma_b_scaled)


def dirichlet(key, alpha, shape=None, dtype=None):
    """Dirichlet(alpha) samples: softmax of log-gamma draws along the last axis.

    Args:
      alpha: concentrations, shape ``(..., n)``.
      shape: the batch shape (default ``alpha.shape[:-1]``); result ``shape + (n,)``.
    """
    key, _ = check_prng_key("dirichlet", key)
    dtype = float_dtype("dirichlet", dtype)
    alpha_shape = shape_of(alpha)
    if len(alpha_shape) < 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == "
                         f"{len(alpha_shape)}")
    if shape is None:
        shape = alpha_shape[:-1]
    else:
        shape = canonicalize_shape("dirichlet", shape)
        check_shape("dirichlet", shape, alpha_shape[:-1])
    return _dirichlet(key, alpha, shape, dtype)


@jit(static_argnums=(2, 3))
def _dirichlet(key, alpha, shape, dtype):
    alpha = lax.convert_element_type(alpha, dtype)
    log_gamma_samples = loggamma(key, alpha, shape + shape_of(alpha)[-1:], dtype)
    # softmax over the last axis, as jax.nn.softmax computes it.
    unnormalized = jnp.exp(log_gamma_samples - jnp.max(log_gamma_samples, -1, keepdims=True))
    return unnormalized / jnp.sum(unnormalized, -1, keepdims=True)


# --- poisson --------------------------------------------------------------------------------

def poisson(key, lam, shape=None, dtype=None):
    """Poisson(lam) samples (integer dtype; default int32).

    Knuth's method where ``lam < 10``, Hormann's transformed rejection
    elsewhere (both computed, as JAX does, and selected per element).
    """
    key, _ = check_prng_key("poisson", key)
    dtype = int_dtype("poisson", dtype)
    if shape is None:
        shape = shape_of(lam)
    else:
        shape = canonicalize_shape("poisson", shape)
        check_shape("poisson", shape, shape_of(lam))
    lam = lax.convert_element_type(jnp.broadcast_to(lam, shape), np.float32)
    return _poisson(key, lam, shape, dtype)


def _poisson_knuth(key, lam, shape, dtype, max_iters):
    def body_fn(carry):
        i, k, rng, log_prod = carry
        rng, subkey = _two(split_key(rng))
        k = lax.select(log_prod > -lam, k + _const(k, 1), k)
        u = uniform(subkey, shape, np.float32)
        return i + 1, k, rng, log_prod + jnp.log(u)

    def cond_fn(carry):
        i, log_prod = carry[0], carry[3]
        return (log_prod > -lam).any() & (i < max_iters)

    k_init = jnp.zeros(shape, dtype)
    log_rate_init = jnp.zeros(shape, np.float32)
    k = lax.while_loop(cond_fn, body_fn, (0, k_init, key, log_rate_init))[1]
    return (k - 1).astype(dtype)


def _poisson_rejection(key, lam, shape, dtype, max_iters):
    log_lam = lax.log(lam)
    b = 0.931 + 2.53 * lax.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)

    def body_fn(carry):
        i, k_out, accepted, key = carry
        keys = split_key(key, 3)
        key, subkey_0, subkey_1 = keys[0], keys[1], keys[2]
        u = uniform(subkey_0, shape, lam.dtype) - 0.5
        v = uniform(subkey_1, shape, lam.dtype)
        u_shifted = 0.5 - abs(u)
        k = lax.floor((2 * a / u_shifted + b) * u + lam + 0.43)
        s = lax.log(v * inv_alpha / (a / (u_shifted * u_shifted) + b))
        t = -lam + k * log_lam - lax.lgamma(k + 1)
        accept1 = (u_shifted >= 0.07) & (v <= v_r)
        reject = (k < 0) | ((u_shifted < 0.013) & (v > u_shifted))
        accept2 = s <= t
        accept = accept1 | (~reject & accept2)
        k_out = lax.select(accept, k, k_out)
        return i + 1, k_out, accepted | accept, key

    def cond_fn(carry):
        i, _, accepted, _ = carry
        return (~accepted).any() & (i < max_iters)

    k_init = jnp.full(shape, -1, lam.dtype)
    accepted = jnp.zeros(shape, bool)
    k = lax.while_loop(cond_fn, body_fn, (0, k_init, accepted, key))[1]
    return k.astype(dtype)


@jit(static_argnums=(2, 3))
def _poisson(key, lam, shape, dtype):
    use_knuth = lax.ne(lam, lam) | (lam < 10)
    lam_knuth = lax.select(use_knuth, lam, jnp.zeros_like(lam))
    # Rejection's acceptance rate tends to 89% as lam grows: any large lam keeps it busy-free.
    lam_rejection = lax.select(use_knuth, jnp.full_like(lam, 1e5), lam)
    max_iters = dtype.type(dtypes.iinfo(dtype).max)   # (JAX's "insanely conservative" cap)
    result = lax.select(use_knuth,
                        _poisson_knuth(key, lam_knuth, shape, dtype, max_iters),
                        _poisson_rejection(key, lam_rejection, shape, dtype, max_iters))
    return lax.select(lam == 0, jnp.zeros_like(result), result)


__all__ = ["gamma", "loggamma", "beta", "dirichlet", "poisson", "random_gamma_p"]
