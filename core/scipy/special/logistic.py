"""Logistic and entropy-style utilities: ``logit``, ``expit``, ``xlogy``, ``xlog1py``,
``entr``, ``rel_entr``, ``kl_div``, ``boxcox``, ``boxcox1p``, and ``softmax``,
``log_softmax``, ``logsumexp`` (``glassbox.nn``'s, one definition as in JAX)."""

import numpy as np

from ... import lax
from ... import numpy as jnp
from ...custom_derivatives import custom_jvp
from ...nn.functions import log_softmax as _nn_log_softmax
from ...nn.functions import logsumexp  # noqa: F401 (re-exported, as jax.scipy.special's)
from ...nn.functions import softmax as _nn_softmax
from ._util import _c, _no_complex, _promote_inexact


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
