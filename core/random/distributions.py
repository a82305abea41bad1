"""Samplers: JAX's algorithms, step for step, so that every sample has JAX's bits.

Every sampler is a public function that checks its arguments (naming itself
and the argument in errors) and a jitted private body (``_uniform``...),
with shape and dtype static, as in JAX: an eager call compiles once per
(shape, dtype), and inside a user's ``jit`` the body is one nested call.

The shared recipe: ``uniform`` fills the mantissa of a float in ``[1, 2)``
with random bits and subtracts 1; ``normal`` is ``sqrt(2) * erf_inv(u)``
for ``u`` uniform in ``(-1, 1)``; the others transform a uniform or a
normal, or use Gumbel noise (``categorical``, ``choice`` with ``p`` and no
replacement) or random sort keys (``permutation``). ``gamma``, ``beta``,
``dirichlet`` and ``poisson`` live in ``gamma.py``.
"""
import math
import operator

import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from ..api import jit
from ..core import get_aval
from ..numpy._util import check_arraylike, promote_dtypes_inexact
from .keys import canonicalize_shape, check_prng_key, random_bits, split_key
from .threefry import UINT_DTYPES

# --- argument checking shared by the samplers -----------------------------------------


def float_dtype(name, dtype, allow_complex=False):
    """The canonical float dtype asked for (default float32, float64 with x64)."""
    dtype = dtypes.canonicalize_dtype(float if dtype is None else dtype)
    ok = dtypes.is_inexact(dtype) if allow_complex else dtypes.is_float(dtype)
    if not ok:
        kind = "a float or complex" if allow_complex else "a float"
        raise ValueError(f"dtype argument to `{name}` must be {kind} dtype, got {dtype.name}")
    return dtype


def int_dtype(name, dtype):
    dtype = dtypes.canonicalize_dtype(int if dtype is None else dtype)
    if not dtypes.is_int(dtype):
        raise TypeError(f"{name} only accepts integer dtypes, got {dtype.name}")
    return dtype


def shape_of(x):
    """The shape of an array, NumPy array or Python scalar."""
    aval = getattr(x, "aval", None)
    return aval.shape if aval is not None else np.shape(x)


def check_shape(name, shape, *param_shapes):
    """Parameters must broadcast to exactly ``shape`` (JAX's ``_check_shape``)."""
    if not param_shapes:
        return
    try:
        result = np.broadcast_shapes(tuple(shape), *param_shapes)
    except ValueError:
        result = None
    if result != tuple(shape):
        raise ValueError(f"{name} parameter shapes must be broadcast-compatible with shape "
                         f"argument, and the result of broadcasting the shapes must equal the "
                         f"shape argument, but got parameter shapes "
                         f"{', '.join(map(str, param_shapes))} for shape argument {tuple(shape)}.")


def broadcast_shapes(name, *shapes):
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(f"{name}: parameter shapes {', '.join(map(str, shapes))} cannot be "
                         f"broadcast together") from None


def broadcast_to_rank(x, rank):
    """``x`` with leading size-1 dimensions added up to ``rank`` (``lax.broadcast_to_rank``)."""
    shape = shape_of(x)
    if len(shape) >= rank:
        return x
    new = (1,) * (rank - len(shape)) + tuple(shape)
    if isinstance(x, (np.ndarray, np.generic)):
        return np.reshape(x, new)
    return lax.reshape(x, new)


def _const(x, value):
    return np.array(value, dtype=get_aval(x).dtype)


# --- uniform ------------------------------------------------------------------------------


def uniform(key, shape=(), dtype=None, minval=0., maxval=1.):
    """Uniform random values in ``[minval, maxval)``.

    Args:
      key: a single PRNG key (typed or raw).
      shape: the result shape (default ``()``).
      dtype: a float dtype (default float32, float64 with x64).
      minval, maxval: bounds, broadcastable to ``shape``.

    Example::

        uniform(key(0), (2,))   # two float32 values in [0, 1)
    """
    key, _ = check_prng_key("uniform", key)
    dtype = float_dtype("uniform", dtype)
    shape = canonicalize_shape("uniform", shape)
    check_shape("uniform", shape, shape_of(minval), shape_of(maxval))
    return _uniform(key, minval, maxval, shape, dtype)


@jit(static_argnums=(3, 4))
def _uniform(key, minval, maxval, shape, dtype):
    minval = broadcast_to_rank(lax.convert_element_type(minval, dtype), len(shape))
    maxval = broadcast_to_rank(lax.convert_element_type(maxval, dtype), len(shape))
    finfo = dtypes.finfo(dtype)
    nbits, nmant = finfo.bits, finfo.nmant
    rng_bits = nbits if nmant >= 8 else 8
    bits = random_bits(key, rng_bits, shape)
    uint_dtype = UINT_DTYPES[nbits]
    if rng_bits != nbits:
        bits = lax.convert_element_type(bits, uint_dtype)
    # Random mantissa bits under the exponent of 1.0 give a float in [1, 2); minus 1: [0, 1).
    float_bits = lax.shift_right_logical(bits, np.array(rng_bits - nmant, uint_dtype))
    float_bits = lax.bitwise_or(float_bits, np.array(1.0, dtype).view(uint_dtype))
    floats = lax.sub(lax.bitcast_convert_type(float_bits, dtype), np.array(1., dtype))
    scaled = lax.add(lax.mul(floats, lax.sub(maxval, minval)), minval)
    return lax.max(minval, lax.reshape(scaled, shape))


# --- normal -----------------------------------------------------------------------------


def normal(key, shape=(), dtype=None):
    """Standard normal samples (float or complex dtype).

    Computed as ``sqrt(2) * erf_inv(u)`` with ``u`` uniform in ``(-1, 1)``
    (``chlo.erf_inv``), exactly as JAX does. Complex dtypes draw real and
    imaginary parts from two subkeys, each with variance 1/2.

    Example::

        normal(PRNGKey(0), (3,))   # [ 1.6226422,  2.0252647, -0.43359444]
    """
    key, _ = check_prng_key("normal", key)
    shape = canonicalize_shape("normal", shape)
    dtype = float_dtype("normal", dtype, allow_complex=True)
    return _normal(key, shape, dtype)


@jit(static_argnums=(1, 2))
def _normal(key, shape, dtype):
    if dtypes.is_complex(dtype):
        sqrt2 = np.array(np.sqrt(2), dtype)
        key_re, key_im = split_key(key)
        real_dtype = np.array(0, dtype).real.dtype
        re = lax.convert_element_type(_normal_real(key_re, shape, real_dtype), dtype)
        im = lax.convert_element_type(_normal_real(key_im, shape, real_dtype), dtype)
        return (re + 1j * im) / sqrt2
    return _normal_real(key, shape, dtype)


@jit(static_argnums=(1, 2))
def _normal_real(key, shape, dtype):
    lo = np.nextafter(np.array(-1., dtype), np.array(0., dtype), dtype=dtype)
    hi = np.array(1., dtype)
    u = uniform(key, shape, dtype, lo, hi)
    return lax.mul(np.array(np.sqrt(2), dtype), lax.erf_inv(u))


# --- randint ------------------------------------------------------------------------------


def randint(key, shape, minval, maxval, dtype=None):
    """Uniform random integers in ``[minval, maxval)``.

    As JAX: two words of random bits per value reduced modulo the span (a
    tiny bias when the span is not a power of 2); 8- and 16-bit dtypes are
    sampled in 32 bits and cast.
    """
    key, _ = check_prng_key("randint", key)
    dtype = int_dtype("randint", dtype)
    shape = canonicalize_shape("randint", shape)
    check_shape("randint", shape, shape_of(minval), shape_of(maxval))
    info = dtypes.iinfo(dtype)
    sampling_dtype = dtype
    if info.bits < 32:
        sampling_dtype = np.dtype(np.int32)
        minval = jnp.clip(jnp.asarray(minval).astype(np.int32), int(info.min), int(info.max))
        maxval = jnp.clip(jnp.asarray(maxval).astype(np.int32), int(info.min),
                          int(info.max) + 1)
    return _randint(key, minval, maxval, shape, sampling_dtype).astype(dtype)


def _convert_and_clip_integer(val, dtype):
    """``val`` cast to the integer ``dtype``, clipping to its range instead of wrapping."""
    val_info, info = dtypes.iinfo(get_aval(val).dtype), dtypes.iinfo(dtype)
    lo = _const(val, max(info.min, val_info.min))
    hi = _const(val, min(info.max, val_info.max))
    return jnp.clip(val, lo, hi).astype(dtype)


@jit(static_argnums=(3, 4))
def _randint(key, minval, maxval, shape, dtype):
    minval, maxval = jnp.asarray(minval), jnp.asarray(maxval)
    if not dtypes.is_int(minval.dtype):
        minval = minval.astype(int)
    if not dtypes.is_int(maxval.dtype):
        maxval = maxval.astype(int)
    # Ranges like randint(k, s, 0, 256, uint8) have a maxval just past the dtype's range.
    maxval_out_of_range = lax.gt(
        maxval, _convert_and_clip_integer(jnp.array(dtypes.iinfo(dtype).max, dtype),
                                          maxval.dtype))
    minval = broadcast_to_rank(_convert_and_clip_integer(minval, dtype), len(shape))
    maxval = broadcast_to_rank(_convert_and_clip_integer(maxval, dtype), len(shape))
    maxval_out_of_range = broadcast_to_rank(maxval_out_of_range, len(shape))
    nbits = dtypes.iinfo(dtype).bits
    k1, k2 = split_key(key)
    higher_bits = random_bits(k1, nbits, shape)
    lower_bits = random_bits(k2, nbits, shape)
    unsigned = UINT_DTYPES[nbits]
    span = lax.convert_element_type(lax.sub(maxval, minval), unsigned)
    span = jnp.where(maxval <= minval, jnp.ones_like(span), span)   # then minval is returned
    span = jnp.where(maxval_out_of_range & (maxval > minval), span + _const(span, 1), span)
    # (hi * 2**nbits + lo) % span, without overflow: 2**nbits % span as (2**(nbits/2))**2.
    multiplier = lax.rem(_const(span, 2 ** (nbits // 2)), span)
    multiplier = lax.rem(lax.mul(multiplier, multiplier), span)
    offset = lax.add(lax.mul(lax.rem(higher_bits, span), multiplier),
                     lax.rem(lower_bits, span))
    offset = lax.rem(offset, span)
    return lax.add(minval, lax.convert_element_type(offset, dtype))


# --- bernoulli / rademacher -----------------------------------------------------------------


def bernoulli(key, p=0.5, shape=None, mode="low"):
    """Booleans that are True with probability ``p``: ``uniform < p``.

    ``mode="high"`` uses two uniforms per value, for tiny ``p`` (< ~1e-7 in float32).
    """
    if shape is not None:
        shape = canonicalize_shape("bernoulli", shape)
    if mode not in ("high", "low"):
        raise ValueError(f"bernoulli: got mode={mode!r}, expected 'high' or 'low'")
    key, _ = check_prng_key("bernoulli", key)
    dtype = dtypes.result_type(p)
    if not dtypes.is_float(dtype):
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got "
                        f"{dtype.name}.")
    p = lax.convert_element_type(p, dtype)
    if shape is not None:
        check_shape("bernoulli", shape, shape_of(p))
    return _bernoulli(key, p, shape, mode)


@jit(static_argnums=(2, 3))
def _bernoulli(key, p, shape, mode):
    if shape is None:
        shape = get_aval(p).shape
    dtype = get_aval(p).dtype
    if mode == "high":
        u = uniform(key, (2, *shape), dtype)
        u1, u2 = u[0], u[1]
        u2 = u2 * np.array(2.0 ** -dtypes.finfo(dtype).nmant, dtype)
        return u2 < p - u1
    return uniform(key, shape, dtype) < p


def rademacher(key, shape=(), dtype=None):
    """Random signs: -1 or +1 with equal probability (integer dtype by default)."""
    key, _ = check_prng_key("rademacher", key)
    dtype = dtypes.canonicalize_dtype(int if dtype is None else dtype)
    shape = canonicalize_shape("rademacher", shape)
    return _rademacher(key, shape, dtype)


@jit(static_argnums=(1, 2))
def _rademacher(key, shape, dtype):
    samples = bernoulli(key, 0.5, shape).astype(dtype)
    return (2 * samples - 1).astype(dtype)


# --- truncated_normal ------------------------------------------------------------------------


def truncated_normal(key, lower, upper, shape=None, dtype=None):
    """Standard normal samples conditioned on ``lower < x < upper``.

    Inverse-CDF sampling: ``sqrt(2) * erf_inv(u)`` with ``u`` uniform between
    ``erf(lower / sqrt(2))`` and ``erf(upper / sqrt(2))``, clipped into the
    open interval.
    """
    if shape is not None:
        shape = canonicalize_shape("truncated_normal", shape)
    key, _ = check_prng_key("truncated_normal", key)
    dtype = float_dtype("truncated_normal", dtype)
    if shape is None:
        shape = broadcast_shapes("truncated_normal", shape_of(lower), shape_of(upper))
    else:
        check_shape("truncated_normal", shape, shape_of(lower), shape_of(upper))
    return _truncated_normal(key, lower, upper, shape, dtype)


@jit(static_argnums=(3, 4))
def _truncated_normal(key, lower, upper, shape, dtype):
    sqrt2 = np.array(np.sqrt(2), dtype)
    lower = lax.convert_element_type(lower, dtype)
    upper = lax.convert_element_type(upper, dtype)
    a = lax.erf(lax.div(lower, sqrt2))
    b = lax.erf(lax.div(upper, sqrt2))
    u = uniform(key, shape, dtype, minval=a, maxval=b)
    out = sqrt2 * lax.erf_inv(u)
    # Rounding (or u == a) could land on a bound: clamp into the open interval.
    return jnp.clip(out,
                    lax.nextafter(lax.stop_gradient(lower), np.array(np.inf, dtype)),
                    lax.nextafter(lax.stop_gradient(upper), np.array(-np.inf, dtype)))


# --- exponential, laplace, logistic, cauchy -------------------------------------------------


def _simple_sampler(name, body):
    """A sampler of one float array from a uniform (shape and dtype only)."""
    jitted = jit(body, static_argnums=(1, 2))

    def sampler(key, shape=(), dtype=None):
        key, _ = check_prng_key(name, key)
        dtype = float_dtype(name, dtype)
        shape = canonicalize_shape(name, shape)
        return jitted(key, shape, dtype)
    sampler.__name__ = sampler.__qualname__ = name
    return sampler


def _exponential(key, shape, dtype):
    u = uniform(key, shape, dtype)
    return lax.neg(lax.log1p(lax.neg(u)))   # log(1 - u): u = 0 is fine, u = 1 never happens


def _laplace(key, shape, dtype):
    u = uniform(key, shape, dtype, minval=-1. + float(dtypes.finfo(dtype).epsneg), maxval=1.)
    return lax.mul(lax.sign(u), lax.log1p(lax.neg(lax.abs(u))))


def _logistic(key, shape, dtype):
    x = uniform(key, shape, dtype, minval=float(dtypes.finfo(dtype).tiny), maxval=1.)
    return lax.sub(lax.log(x), lax.log1p(lax.neg(x)))


def _cauchy(key, shape, dtype):
    u = uniform(key, shape, dtype, minval=float(dtypes.finfo(dtype).eps), maxval=1.)
    return lax.tan(lax.mul(_const(u, np.pi), lax.sub(u, _const(u, 0.5))))


exponential = _simple_sampler("exponential", _exponential)
exponential.__doc__ = """Exponential samples (rate 1): ``-log1p(-u)``."""
laplace = _simple_sampler("laplace", _laplace)
laplace.__doc__ = """Laplace samples (location 0, scale 1): ``sign(u) * log1p(-|u|)``."""
logistic = _simple_sampler("logistic", _logistic)
logistic.__doc__ = """Logistic samples: ``log(u) - log1p(-u)``."""
cauchy = _simple_sampler("cauchy", _cauchy)
cauchy.__doc__ = """Standard Cauchy samples: ``tan(pi * (u - 1/2))``."""


# --- gumbel and categorical -------------------------------------------------------------------


def gumbel(key, shape=(), dtype=None, mode=None):
    """Standard Gumbel samples: ``-log(-log(u))``.

    ``mode``: ``"low"`` (default), ``"high"`` (two uniforms per value, finer
    near 1) or ``"highest"`` (float32 only: 64 bits per value).
    """
    key, _ = check_prng_key("gumbel", key)
    dtype = float_dtype("gumbel", dtype)
    shape = canonicalize_shape("gumbel", shape)
    mode = "low" if mode is None else mode
    if mode not in ("highest", "high", "low"):
        raise ValueError(f"gumbel: mode must be 'low', 'high' or 'highest', got {mode!r}")
    return _gumbel(key, shape, dtype, mode)


def _safe_int_to_float(bits, dtype):
    """64 random bits (``bits[0]`` high, ``bits[1]`` low) as a float32 in [0, 1), rounded down."""
    finfo = dtypes.finfo(dtype)
    u32 = np.uint32
    hi, lo = bits[0], bits[1]
    hiclz, loclz = lax.clz(hi), lax.clz(lo)
    mantissa = lax.bitwise_or(
        lax.shift_left(hi, hiclz),
        jnp.where(hiclz == 32, lax.shift_left(lo, loclz),
                  lax.shift_right_logical(lo, u32(finfo.bits) - hiclz)))
    mantissa = lax.shift_right_logical(mantissa, u32(finfo.bits - finfo.nmant - 1))
    mantissa = lax.bitwise_and(mantissa, u32((1 << finfo.nmant) - 1))
    exp = lax.shift_left(u32(-finfo.minexp) - jnp.where(hiclz == 32, u32(32) + loclz, hiclz),
                         u32(finfo.nmant))
    exp = lax.bitwise_and(exp, u32((1 << (finfo.bits - 2)) - (1 << (finfo.nmant - 1))))
    return lax.bitcast_convert_type(lax.bitwise_or(exp, mantissa), dtype)


@jit(static_argnums=(1, 2, 3))
def _gumbel(key, shape, dtype, mode):
    info = dtypes.finfo(dtype)
    if dtype == np.float32 and mode == "highest":
        bits = random_bits(key, info.bits, (2,) + shape)
        neg = lax.bitwise_not(bits)
        lo_bits = neg[1]
        # 1 - bits, in 64-bit fixed point.
        carry = jnp.stack([lo_bits == np.uint32((1 << info.bits) - 1),
                           jnp.ones_like(lo_bits, dtype=bool)]).astype(np.uint32)
        neg = neg + carry
        flip_mask = bits[0] < np.uint32(1 << (info.bits - 1))
        x = _safe_int_to_float(jnp.where(flip_mask, bits, neg), np.dtype(np.float32))
        # log1p for (0, 0.5), log for [0.5, 1).
        return jnp.where(flip_mask, -jnp.log(-jnp.log1p(-x)), -jnp.log(-jnp.log(x)))
    if mode in ("high", "highest"):
        both = _uniform(key, 0., 1., (2,) + shape, dtype)
        high, low = both[0], both[1]
        x = jnp.where(high >= 0.5, high,
                      high + np.array(2.0 ** -info.nmant, dtype) * low + info.tiny)
        return -jnp.log(-jnp.log1p(-x))
    return -jnp.log(-jnp.log(_uniform(key, float(info.tiny), 1., shape, dtype)))


def categorical(key, logits, axis=-1, shape=None, replace=True, mode=None):
    """Indices sampled from the categorical distributions given by unnormalised ``logits``.

    The Gumbel-max trick: ``argmax(logits + gumbel)`` along ``axis``; without
    replacement, the top ``k`` of one Gumbel-perturbed draw.

    Args:
      key: a single key.
      logits: log-probabilities (up to a constant) along ``axis``.
      axis: the category axis.
      shape: the result shape; must end with the batch shape of ``logits``
        (its shape without ``axis``). Default: that batch shape.
      replace: sample with replacement (default) or not.
    """
    key, _ = check_prng_key("categorical", key)
    check_arraylike("categorical", logits)
    logits = jnp.asarray(logits)
    ndim = logits.ndim
    if not -ndim <= axis < ndim:
        raise ValueError(f"categorical: axis {axis} is out of bounds for logits of rank {ndim}")
    batch_shape = tuple(np.delete(logits.shape, axis))
    if shape is None:
        shape = batch_shape
    else:
        shape = canonicalize_shape("categorical", shape)
        check_shape("categorical", shape, batch_shape)
    shape_prefix = shape[:len(shape) - len(batch_shape)]
    if replace:
        if axis >= 0:
            axis -= ndim
        logits_shape = list(shape[len(shape) - len(batch_shape):])
        logits_shape.insert(axis % ndim, logits.shape[axis])
        noise = gumbel(key, (*shape_prefix, *logits_shape), logits.dtype, mode=mode)
        return jnp.argmax(noise + lax.expand_dims(logits, tuple(range(len(shape_prefix)))),
                          axis=axis)
    logits = logits + gumbel(key, logits.shape, logits.dtype, mode=mode)
    k = math.prod(shape_prefix)
    if k > logits.shape[axis]:
        raise ValueError(f"categorical: number of samples without replacement ({k}) cannot "
                         f"exceed number of categories ({logits.shape[axis]}).")
    _, indices = lax.top_k(jnp.moveaxis(logits, axis, -1), k)
    dimensions = (indices.ndim - 1, *range(indices.ndim - 1))
    return lax.reshape(lax.transpose(indices, dimensions), shape)


# --- permutation and choice ----------------------------------------------------------------


def permutation(key, x, axis=0, independent=False):
    """A random permutation of ``arange(x)`` (int ``x``) or of ``x`` along ``axis``.

    As JAX: sort by random 32-bit keys, repeated enough rounds that ties are
    negligible. ``independent=True`` shuffles each slice along ``axis``
    separately.
    """
    key, _ = check_prng_key("permutation", key)
    check_arraylike("permutation", x)
    ndim = len(shape_of(x))
    if not -max(ndim, 1) <= axis < max(ndim, 1):
        raise ValueError(f"permutation: axis {axis} is out of bounds for an array of rank "
                         f"{ndim}")
    axis = axis % max(ndim, 1)
    if not ndim:
        if not dtypes.is_int(dtypes.result_type(x)):
            raise TypeError("permutation: x must be an integer or at least 1-dimensional, got "
                            f"a {dtypes.result_type(x).name} scalar")
        n = operator.index(int(x)) if not hasattr(x, "aval") else int(x)
        return _shuffle(key, jnp.arange(n), axis)
    x = jnp.asarray(x)
    if independent or ndim == 1:
        return _shuffle(key, x, axis)
    ind = _shuffle(key, jnp.arange(x.shape[axis]), 0)
    return jnp.take(x, ind, axis, unique_indices=True)


@jit(static_argnums=(2,))
def _shuffle(key, x, axis):
    # Sorting by random 32-bit keys; repeating with fresh keys makes ties (which
    # a stable sort leaves in order) negligible. The round count is JAX's.
    exponent = 3
    uint32max = np.iinfo(np.uint32).max
    size = math.prod(x.shape)
    num_rounds = int(np.ceil(exponent * np.log(max(1, size)) / np.log(uint32max)))
    for _ in range(num_rounds):
        key, subkey = split_key(key)
        sort_keys = random_bits(subkey, 32, x.shape)
        _, x = lax.sort_key_val(sort_keys, x, axis)
    return x


def choice(key, a, shape=(), replace=True, p=None, axis=0, mode=None):
    """A random sample of ``a`` (an array, or ``arange(a)`` for an int).

    Args:
      key: a single key.
      a: the population: an array (sampled along ``axis``) or an int.
      shape: the sample shape (a sequence).
      replace: with replacement (``randint`` indices) or without (a permutation's
        first entries; with ``p``, the Gumbel top-k trick).
      p: probabilities of each entry (1-D, ``a.shape[axis]`` long); default uniform.
      axis: the axis of ``a`` to sample along.
    """
    key, _ = check_prng_key("choice", key)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape argument of choice must be a sequence, got {shape!r}")
    shape = canonicalize_shape("choice", shape)
    check_arraylike("choice", a)
    arr = jnp.asarray(a)
    if arr.ndim == 0:
        n_inputs = int(a)
    else:
        if not -arr.ndim <= axis < arr.ndim:
            raise ValueError(f"choice: axis {axis} is out of bounds for a of rank {arr.ndim}")
        axis = axis % arr.ndim
        n_inputs = arr.shape[axis]
    n_draws = math.prod(shape)
    if n_draws == 0:
        return jnp.zeros(shape, dtype=arr.dtype)
    if n_inputs <= 0:
        raise ValueError("choice: a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(f"choice: cannot take a larger sample (size {n_draws}) than "
                         f"population (size {n_inputs}) when 'replace=False'")
    if p is None:
        if replace:
            ind = randint(key, shape, 0, n_inputs)
            result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis)
        else:
            slices = (slice(None),) * axis + (slice(n_draws),)
            result = permutation(key, n_inputs if arr.ndim == 0 else arr, axis)[slices]
    else:
        check_arraylike("choice", p)
        p_arr = jnp.asarray(p)
        if not dtypes.is_inexact(p_arr.dtype):
            p_arr = p_arr.astype(dtypes.default_float())
        if p_arr.shape != (n_inputs,):
            raise ValueError(f"choice: p must be None or a 1D vector with the same size as "
                             f"a.shape[axis]. p has shape {p_arr.shape} and a.shape[axis] is "
                             f"{n_inputs}.")
        if replace:
            p_cuml = jnp.cumsum(p_arr)
            r = p_cuml[-1] * (1 - uniform(key, shape, dtype=p_cuml.dtype))
            ind = jnp.searchsorted(p_cuml, r).astype(int)
        else:
            # The Gumbel top-k trick samples without replacement in proportion to p.
            g = gumbel(key, (n_inputs,), dtype=p_arr.dtype, mode=mode) + jnp.log(p_arr)
            ind = lax.top_k(g, n_draws)[1].astype(int)
        result = ind if arr.ndim == 0 else jnp.take(arr, ind, axis)
    return result.reshape(shape if arr.ndim == 0 else
                          arr.shape[0:axis] + tuple(shape) + arr.shape[axis + 1:])


# --- multivariate_normal and orthogonal -------------------------------------------------------


def multivariate_normal(key, mean, cov, shape=None, dtype=None, method="cholesky"):
    """Samples of ``N(mean, cov)``: ``mean + factor @ z`` with ``z`` standard normal.

    Args:
      mean: ``(..., n)``; cov: ``(..., n, n)`` positive (semi-)definite.
      shape: the batch shape of the result (default: ``mean`` and ``cov``'s
        batch shapes broadcast); the result has shape ``shape + (n,)``.
      method: ``"cholesky"`` (default), ``"eigh"`` or ``"svd"`` to factor ``cov``.
    """
    key, _ = check_prng_key("multivariate_normal", key)
    check_arraylike("multivariate_normal", mean, cov)
    mean, cov = promote_dtypes_inexact(jnp.asarray(mean), jnp.asarray(cov))
    if method not in ("svd", "eigh", "cholesky"):
        raise ValueError(f"multivariate_normal: method must be one of 'svd', 'eigh', "
                         f"'cholesky', got {method!r}")
    dtype = get_aval(mean).dtype if dtype is None else float_dtype("multivariate_normal",
                                                                    dtype)
    if not dtypes.is_float(dtype):
        raise ValueError(f"dtype argument to `multivariate_normal` must be a float dtype, got "
                         f"{dtype.name}")
    mean_shape, cov_shape = shape_of(mean), shape_of(cov)
    if len(mean_shape) < 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == "
                         f"{len(mean_shape)}")
    if len(cov_shape) < 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == "
                         f"{len(cov_shape)}")
    n = mean_shape[-1]
    if cov_shape[-2:] != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, "
                         f"but got cov.shape == {cov_shape}.")
    if shape is None:
        shape = broadcast_shapes("multivariate_normal", mean_shape[:-1], cov_shape[:-2])
    else:
        shape = canonicalize_shape("multivariate_normal", shape)
        check_shape("multivariate_normal", shape, mean_shape[:-1], cov_shape[:-2])
    return _multivariate_normal(key, mean, cov, shape, dtype, method)


@jit(static_argnums=(3, 4, 5))
def _multivariate_normal(key, mean, cov, shape, dtype, method):
    if method == "svd":
        u, s, _ = jnp.linalg.svd(cov)
        factor = u * jnp.sqrt(s[..., None, :])
    elif method == "eigh":
        w, v = jnp.linalg.eigh(cov)
        factor = v * jnp.sqrt(w[..., None, :])
    else:
        factor = jnp.linalg.cholesky(cov)
    normal_samples = normal(key, shape + mean.shape[-1:], dtype)
    return mean + jnp.einsum("...ij,...j->...i", factor, normal_samples)


def orthogonal(key, n, shape=(), dtype=None, m=None):
    """Random ``n x m`` matrices with orthonormal columns (or rows), Haar distributed.

    The Q of a QR decomposition of a standard normal matrix, with column signs
    fixed by ``sign(diag(R))``. Result shape ``shape + (n, m)`` (``m`` defaults to ``n``).
    """
    key, _ = check_prng_key("orthogonal", key)
    shape = canonicalize_shape("orthogonal", shape)
    dtype = float_dtype("orthogonal", dtype, allow_complex=True)
    try:
        n = operator.index(n)
        m = n if m is None else operator.index(m)
    except TypeError:
        raise TypeError(f"orthogonal: n and m must be Python ints, got n={n!r}, m={m!r}") \
            from None
    if n < 0 or m < 0:
        raise ValueError(f"orthogonal: n and m must be non-negative, got n={n}, m={m}")
    return _orthogonal(key, n, m, shape, dtype)


@jit(static_argnums=(1, 2, 3, 4))
def _orthogonal(key, n, m, shape, dtype):
    z = normal(key, (*shape, max(n, m), min(n, m)), dtype)
    q, r = jnp.linalg.qr(z)
    d = jnp.linalg.diagonal(r)
    x = q * jnp.expand_dims(jnp.sign(d), -2)
    return jnp.swapaxes(x, -1, -2) if n < m else x


__all__ = ["uniform", "normal", "randint", "bernoulli", "rademacher", "truncated_normal",
           "exponential", "laplace", "logistic", "cauchy", "gumbel", "categorical",
           "permutation", "choice", "multivariate_normal", "orthogonal"]
