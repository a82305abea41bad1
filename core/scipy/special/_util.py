"""Helpers shared by the special-function modules: argument promotion as JAX's
``promote_args_inexact``, typed constants, Horner evaluation in a ``scan``."""

import operator

import numpy as np

from ... import dtypes, lax
from ... import numpy as jnp
from ...errors import ConcretizationTypeError
from ...numpy._util import check_arraylike, promote_and_broadcast, promote_dtypes_inexact


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


def _check_f32_f64(x, message="x.dtype={} is not supported, see docstring for supported "
                              "types."):
    dtype = x.dtype
    if dtype not in (np.float32, np.float64):
        raise TypeError(message.format(dtype))
