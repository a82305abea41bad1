"""``glassbox.scipy.stats.vonmises``: the von Mises distribution on the circle."""
import numpy as np

from ... import lax
from ... import numpy as jnp
from ._util import _c, _promote_inexact


def logpdf(x, kappa):
    """``kappa (cos x - 1) - log(2 pi i0e(kappa))``; ``nan`` for ``kappa <= 0``."""
    x, kappa = _promote_inexact("vonmises.logpdf", x, kappa)
    value = kappa * (jnp.cos(x) - 1) - jnp.log(2 * np.pi * lax.bessel_i0e(kappa))
    return jnp.where(lax.gt(kappa, _c(kappa, 0)), value, np.nan)


def pdf(x, kappa):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, kappa))


__all__ = ["logpdf", "pdf"]
