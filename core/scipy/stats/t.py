"""``glassbox.scipy.stats.t``: Student's t distribution, as ``jax.scipy.stats.t``."""
import numpy as np

from ... import lax
from ._util import _c, _promote_inexact


def logpdf(x, df, loc=0, scale=1):
    """Log density with ``df`` degrees of freedom."""
    x, df, loc, scale = _promote_inexact("t.logpdf", x, df, loc, scale)
    two = _c(x, 2)
    z = lax.div(lax.sub(x, loc), scale)
    half_df = lax.div(df, two)
    half_df_plus_half = lax.add(half_df, _c(x, 0.5))
    norm_const = lax.mul(lax.mul(scale, scale), _c(x, np.pi))
    normalize = lax.sub(lax.add(lax.lgamma(half_df), lax.div(lax.log(lax.mul(norm_const, df)), two)),
                        lax.lgamma(half_df_plus_half))
    quadratic = lax.div(lax.mul(z, z), df)
    return lax.neg(lax.add(normalize, lax.mul(half_df_plus_half, lax.log1p(quadratic))))


def pdf(x, df, loc=0, scale=1):
    """Density: ``exp(logpdf)``."""
    return lax.exp(logpdf(x, df, loc, scale))


__all__ = ["logpdf", "pdf"]
