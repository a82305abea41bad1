"""Bessel functions: ``i0``, ``i0e``, ``i1``, ``i1e`` (over ``lax.bessel_i0e`` and
``lax.bessel_i1e``) and ``bessel_jn`` (Bessel functions of the first kind by backward
recurrence)."""

import operator
from functools import partial

from ... import dtypes, lax
from ... import numpy as jnp
from ...api import jit
from ...interpreters.batching import vmap
from ...numpy._util import promote_dtypes_inexact
from ._util import _c, _promote_inexact, _static_int


# --- modified Bessel functions of order 0 and 1 -----------------------------------------

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
