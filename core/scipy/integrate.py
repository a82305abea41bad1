"""``glassbox.scipy.integrate``: ``trapezoid``, as ``jax.scipy.integrate`` (the same
function as ``glassbox.numpy.trapezoid``)."""
from .. import numpy as jnp


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` along ``axis`` by the composite trapezoidal rule, at sample
    points ``x`` or with uniform spacing ``dx``."""
    return jnp.trapezoid(y, x, dx, axis)


__all__ = ["trapezoid"]
