"""``glassbox.nn``'s functions: activations, softmax and log-sum-exp, one-hot, attention.

Every function is a Python function over ``glassbox.numpy`` and ``glassbox.lax``,
written as JAX 0.10.2 writes it (the same operations in the same order), so values
and gradients match JAX's:

- ``relu``, ``relu6`` and ``log1mexp`` are ``custom_jvp`` functions: ``relu'(0) == 0``
  (and ``relu6'(0) == relu6'(6) == 0``), ``log1mexp'`` is ``1 / expm1(x)``;
- ``softmax`` and ``log_softmax`` subtract the row maximum under ``stop_gradient``
  (JAX's default, ``jax_softmax_custom_jvp=False``), so huge inputs do not overflow
  and rows masked by ``where`` give 0 (``-inf`` for ``log_softmax``);
- ``logsumexp`` (also ``glassbox.scipy.special``'s) takes ``b=`` weights,
  ``return_sign=``, ``where=``, ``axis`` tuples and ``keepdims``; rows of ``-inf``
  give ``-inf`` (their gradient is NaN, as in JAX).

Most functions are ``jit``-compiled as in JAX, so ``make_jaxpr`` shows them as one
``jit`` equation named after the function.
"""
import operator
import warnings

import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from ..api import jit
from ..custom_derivatives import custom_jvp
from ..numpy._util import (canonicalize_axes, check_arraylike, promote_and_broadcast,
                           promote_dtypes_inexact, static_int)

__all__ = [
    "celu", "elu", "gelu", "glu", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "identity", "leaky_relu", "log1mexp", "log_sigmoid",
    "log_softmax", "logmeanexp", "logsumexp", "mish", "one_hot", "relu", "relu6", "selu",
    "sigmoid", "silu", "soft_sign", "softmax", "softplus", "sparse_plus", "sparse_sigmoid",
    "squareplus", "standardize", "swish", "tanh",
]


def _arraylike(name, x):
    """``x`` as an Array; lists and other non-arrays are a ``TypeError`` (as in JAX)."""
    check_arraylike(name, x)
    return jnp.asarray(x)


# --- elementwise activations -----------------------------------------------------------

@jit
def identity(x):
    """Identity activation: returns ``x`` unchanged (as an Array)."""
    return _arraylike("identity", x)


@custom_jvp
@jit
def relu(x):
    """Rectified linear unit, ``max(x, 0)``; its derivative at 0 is 0 (as in JAX).

    Example: ``relu(jnp.array([-1., 0., 2.]))`` is ``[0., 0., 2.]`` and
    ``grad(relu)(0.)`` is ``0.``.
    """
    return jnp.maximum(x, 0)


relu.defjvps(lambda g, ans, x: lax.select(x > 0, g, jnp.zeros_like(g)))


@jit
def squareplus(x, b=4):
    """Squareplus, ``(x + sqrt(x**2 + b)) / 2`` (arXiv:2112.11687)."""
    check_arraylike("squareplus", x, b)
    x, b = jnp.asarray(x), jnp.asarray(b)
    return (x + jnp.sqrt(jnp.square(x) + b)) / 2


@jit
def softplus(x):
    """Softplus, ``log(1 + exp(x))``, computed as ``logaddexp(x, 0)`` (stable)."""
    return jnp.logaddexp(x, 0)


@jit
def sparse_plus(x):
    """Sparse plus: 0 for ``x <= -1``, ``(x + 1)**2 / 4`` in between, ``x`` for ``x >= 1``."""
    x = _arraylike("sparse_plus", x)
    return jnp.where(x <= -1.0, 0.0, jnp.where(x >= 1.0, x, (x + 1.0) ** 2 / 4))


@jit
def soft_sign(x):
    """Soft sign, ``x / (|x| + 1)``."""
    x = _arraylike("soft_sign", x)
    return x / (jnp.abs(x) + 1)


@jit(inline=True)
def sigmoid(x):
    """Logistic sigmoid, ``1 / (1 + exp(-x))`` (``lax.logistic``)."""
    return lax.logistic(x)


@jit
def sparse_sigmoid(x):
    """Sparse sigmoid, ``clip((x + 1) / 2, 0, 1)``: the derivative of ``sparse_plus``."""
    return 0.5 * jnp.clip(x + 1.0, 0.0, 2.0)


@jit
def silu(x):
    """SiLU (also ``swish``), ``x * sigmoid(x)``."""
    x = _arraylike("silu", x)
    return x * sigmoid(x)


swish = silu


@jit
def mish(x):
    """Mish, ``x * tanh(softplus(x))`` (arXiv:1908.08681)."""
    x = _arraylike("mish", x)
    return x * jnp.tanh(softplus(x))


@jit
def log_sigmoid(x):
    """Log-sigmoid, ``-softplus(-x)``: stable for large ``|x|``."""
    x = _arraylike("log_sigmoid", x)
    return -softplus(-x)


@jit
def elu(x, alpha=1.0):
    """Exponential linear unit: ``x`` for ``x > 0``, ``alpha * expm1(x)`` otherwise.

    The ``expm1`` branch sees 0 where ``x > 0``, so its gradient never overflows.
    """
    x = _arraylike("elu", x)
    return jnp.where(x > 0, x, alpha * jnp.expm1(jnp.where(x > 0, 0., x)))


@jit
def leaky_relu(x, negative_slope=1e-2):
    """Leaky ReLU: ``x`` for ``x >= 0``, ``negative_slope * x`` otherwise."""
    x = _arraylike("leaky_relu", x)
    return jnp.where(x >= 0, x, negative_slope * x)


@jit
def hard_tanh(x):
    """Hard tanh: ``x`` clipped to ``[-1, 1]``."""
    x = _arraylike("hard_tanh", x)
    return jnp.where(x > 1, 1, jnp.where(x < -1, -1, x))


@jit
def celu(x, alpha=1.0):
    """Continuously differentiable ELU, ``max(x, 0) + alpha * expm1(min(x, 0) / alpha)``."""
    return jnp.maximum(x, 0.0) + alpha * jnp.expm1(jnp.minimum(x, 0.0) / alpha)


@jit
def selu(x):
    """Scaled ELU, ``1.0507... * elu(x, 1.6732...)`` (self-normalizing networks)."""
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return scale * elu(x, alpha)


@jit(static_argnames=("approximate",))
def gelu(x, approximate=True):
    """Gaussian error linear unit.

    ``approximate=True`` (the default, as in JAX) is the tanh form
    ``x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 x**3))) / 2``; ``approximate=False``
    is exact, ``x * erfc(-x / sqrt(2)) / 2``.
    """
    check_arraylike("gelu", x)
    (x,) = promote_dtypes_inexact(x)
    dtype = x.dtype
    if approximate:
        sqrt_2_over_pi = np.sqrt(2 / np.pi).astype(dtype)
        cdf = 0.5 * (1.0 + jnp.tanh(sqrt_2_over_pi * (x + 0.044715 * x ** 3)))
        return x * cdf
    sqrt_half = np.sqrt(0.5).astype(dtype)
    return jnp.array(0.5 * x * lax.erfc(-x * sqrt_half), dtype=dtype)


@jit(static_argnames=("axis",))
def glu(x, axis=-1):
    """Gated linear unit: split ``x`` in two halves along ``axis``, ``a * sigmoid(b)``."""
    x = _arraylike("glu", x)
    if x.shape[axis] % 2 != 0:
        raise AssertionError("axis size must be divisible by 2")  # JAX's class and message
    x1, x2 = jnp.split(x, 2, axis)
    return x1 * sigmoid(x2)


@custom_jvp
@jit
def relu6(x):
    """ReLU capped at 6, ``min(max(x, 0), 6)``; derivative 0 at 0 and at 6 (as in JAX)."""
    return jnp.minimum(jnp.maximum(x, 0), 6.0)


relu6.defjvps(lambda g, ans, x: lax.select((x > 0) & (x < 6), g, jnp.zeros_like(g)))


@jit
def hard_sigmoid(x):
    """Hard sigmoid, ``relu6(x + 3) / 6``."""
    return relu6(x + 3.0) / 6.0


@jit
def hard_silu(x):
    """Hard SiLU (also ``hard_swish``), ``x * hard_sigmoid(x)``."""
    x = _arraylike("hard_silu", x)
    return x * hard_sigmoid(x)


hard_swish = hard_silu


@custom_jvp
@jit
def log1mexp(x):
    """``log(1 - exp(-x))`` for ``x > 0``, stable everywhere (Maechler's two branches).

    Its derivative is ``1 / expm1(x)``.
    """
    x = _arraylike("log1mexp", x)
    c = jnp.log(2.0)
    return jnp.where(x < c, jnp.log(-jnp.expm1(-x)), jnp.log1p(-jnp.exp(-x)))


log1mexp.defjvps(lambda g, ans, x: g / jnp.expm1(x))

tanh = jnp.tanh


# --- reductions: logsumexp, logmeanexp, softmax, standardize ---------------------------

def _reduction_dims(x, axis):
    """``(positive axes, axes)`` of a reduction over ``axis`` (None: every axis)."""
    ndim = np.ndim(x)
    if axis is None:
        dims = tuple(range(ndim))
        return dims, dims
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    pos = canonicalize_axes(tuple(axes), ndim, "logsumexp")
    return pos, pos


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """``log(sum(b * exp(a)))`` over ``axis``, computed stably (``scipy.special.logsumexp``).

    The maximum is subtracted first, under ``stop_gradient`` (and replaced by 0 where
    it is not finite, so a row of ``-inf`` gives ``-inf``, not NaN). ``b`` scales the
    exponentials; where the sum is negative the result is NaN unless ``return_sign``,
    which returns ``(log|sum|, sign(sum))``. ``where`` masks elements out.

    Example: ``logsumexp(jnp.array([1000., 1000.]))`` is ``1000.6931``.
    """
    if where is not None:
        a = jnp.where(where, a, 0)
    if b is not None:
        a, b_arr = promote_and_broadcast("logsumexp", a, b, inexact=True)
        a = jnp.where(b_arr != 0, a, -np.inf)
    else:
        check_arraylike("logsumexp", a)
        (a,) = promote_dtypes_inexact(a)
    pos_dims, dims = _reduction_dims(a, axis)
    amax = jnp.max(jnp.real(a), axis=dims, keepdims=keepdims, where=where, initial=-np.inf)
    amax = lax.stop_gradient(lax.select(jnp.isfinite(amax), amax, jnp.zeros_like(amax)))
    amax_with_dims = amax if keepdims else lax.expand_dims(amax, pos_dims)
    exp_a = lax.exp(lax.sub(a, amax_with_dims.astype(a.dtype)))
    if b is not None:
        exp_a = lax.mul(exp_a, b_arr)
    sumexp = jnp.sum(exp_a, axis=dims, keepdims=keepdims, where=where)
    sign = lax.sign(sumexp)
    complex_result = dtypes.is_complex(a.dtype)
    if return_sign or not complex_result:
        sumexp = jnp.abs(sumexp)
    out = lax.add(lax.log(sumexp), amax.astype(sumexp.dtype))
    if return_sign:
        return out, sign
    if b is not None and not dtypes.is_complex(out.dtype):
        out = jnp.where(sign < 0, jnp.array(np.nan, dtype=out.dtype), out)
    return out


def _count(x, axis, keepdims, where, dtype):
    """How many elements a reduction over ``axis`` (masked by ``where``) takes in."""
    shape = np.shape(x)
    if where is None:
        axes = range(len(shape)) if axis is None else _reduction_dims(x, axis)[1]
        return lax.convert_element_type(int(np.prod([shape[i] for i in axes])), dtype)
    return jnp.sum(jnp.broadcast_to(where, shape), axis, dtype=dtype, keepdims=keepdims)


@jit(static_argnames=("axis", "keepdims"))
def logmeanexp(x, axis=None, where=None, keepdims=False):
    """``log(mean(exp(x)))`` over ``axis``: ``logsumexp`` minus the log of the count."""
    lse = logsumexp(x, axis=axis, where=where, keepdims=keepdims)
    count = _count(x, axis, keepdims, where, lse.dtype)
    return lse - jnp.log(count)


def _lowest(x):
    """``-inf`` as the reductions' initial value, or the lowest integer for integer ``x``
    (what XLA's saturating conversion of ``-inf`` gives JAX)."""
    dtype = jnp.result_type(x)
    return jnp.iinfo(dtype).min if jnp.issubdtype(dtype, np.integer) else -np.inf


@jit(static_argnames=("axis",))
def log_softmax(x, axis=-1, where=None):
    """``x - logsumexp(x, axis)``, stable; positions masked out by ``where`` are ``-inf``."""
    x = _arraylike("log_softmax", x)
    x_max = jnp.max(x, axis, where=where, initial=_lowest(x), keepdims=True)
    x_safe = x if where is None else jnp.where(where, x, -np.inf)
    shifted = x_safe - lax.stop_gradient(x_max)
    shifted_logsumexp = jnp.log(jnp.sum(jnp.exp(shifted), axis, where=where, keepdims=True))
    result = shifted - shifted_logsumexp
    if where is not None:
        return jnp.where(where, result, -np.inf)
    return result


def softmax(x, axis=-1, where=None):
    """``exp(x) / sum(exp(x), axis)``, computed after subtracting the maximum.

    As JAX by default (``jax_softmax_custom_jvp=False``), the maximum is under
    ``stop_gradient``. Positions masked out by ``where`` are 0.

    Example: ``softmax(jnp.array([1e4, 1e4]))`` is ``[0.5, 0.5]``.
    """
    initial = _lowest(x)
    x_max = jnp.max(x, axis, where=where, initial=initial, keepdims=True)
    x_safe = x if where is None else jnp.where(where, x, initial)
    unnormalized = jnp.exp(x_safe - lax.stop_gradient(x_max))
    result = unnormalized / jnp.sum(unnormalized, axis, where=where, keepdims=True)
    if where is not None:
        result = jnp.where(where, result, 0)
    return result


@jit(static_argnames=("axis", "algorithm"))
def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None, *,
                algorithm="fast"):
    """``(x - mean) / sqrt(variance + epsilon)`` along ``axis`` (layer normalization).

    ``mean`` and ``variance`` are computed when not given: ``algorithm="fast"``
    (JAX's default) as ``mean(x**2) - mean(x)**2`` clipped at 0, ``"stable"`` as
    ``mean((x - mean)**2)``. ``where`` restricts both to the selected elements.
    """
    check_arraylike("standardize", x)
    for name, value in (("mean", mean), ("variance", variance), ("where", where)):
        if value is not None:
            check_arraylike("standardize", value)
    if mean is None:
        mean = jnp.mean(x, axis, keepdims=True, where=where)
    if variance is None:
        if algorithm == "stable":
            variance = jnp.mean(jnp.square(jnp.subtract(x, mean)), axis, keepdims=True,
                                where=where)
        elif algorithm == "fast":
            variance = jnp.mean(jnp.square(x), axis, keepdims=True, where=where) - \
                jnp.square(mean)
            variance = jnp.clip(variance, 0)
        else:
            raise ValueError(f"Unknown algorithm '{algorithm}'. Expected 'fast' or 'stable'.")
    return jnp.subtract(x, mean) * lax.rsqrt(variance + epsilon)


# --- one_hot ---------------------------------------------------------------------------

@jit(static_argnames=("num_classes", "dtype", "axis"))
def _one_hot(x, num_classes, *, dtype, axis):
    if isinstance(axis, str):   # a vmap axis name: compare with the axis index
        return jnp.asarray(x == lax.axis_index(axis), dtype=dtype)
    axis = operator.index(axis)
    out_axis = canonicalize_axes((axis,), x.ndim + 1, "one_hot")[0]
    lhs = lax.expand_dims(x, (axis,))
    rhs_shape = [1] * x.ndim
    rhs_shape.insert(out_axis, num_classes)
    rhs = lax.broadcasted_iota(x.dtype, tuple(rhs_shape), out_axis)
    return (lhs == rhs).astype(dtype)


def one_hot(x, num_classes, *, dtype=None, axis=-1):
    """One-hot encoding: ``x[..., None] == arange(num_classes)``, placed at ``axis``.

    ``num_classes`` must be static (a traced value is a ``ConcretizationTypeError``).
    The result is float32 unless ``dtype`` says otherwise; values outside
    ``[0, num_classes)`` give a row of zeros. Non-integer ``x`` works but warns
    (``DeprecationWarning``), as in JAX.

    Example: ``one_hot(jnp.array([0, 2]), 3)`` is ``[[1., 0., 0.], [0., 0., 1.]]``.
    """
    num_classes = static_int(num_classes, "jax.nn.one_hot argument `num_classes`")
    x = jnp.asarray(x)
    if not jnp.isdtype(x.dtype, "integral"):
        warnings.warn(f"jax.nn.one_hot input should be integer-typed; got dtype={x.dtype}",
                      DeprecationWarning, stacklevel=2)
    dtype = dtypes.default_float() if dtype is None else np.dtype(dtype)
    return _one_hot(x, num_classes, dtype=dtype, axis=axis)
