"""Window functions for signal processing: ``bartlett``, ``blackman``, ``hamming``,
``hanning``, ``kaiser``.

Each returns ``M`` samples in the default float type (``M <= 1``: ones), with
NumPy's formulas evaluated in float32 (float64 under x64), as JAX does. ``M``
must be concrete.
"""
import operator

import numpy as np

from .. import dtypes, lax
from ..core import Tracer
from ..errors import ConcretizationTypeError
from .. import numpy as jnp  # this package, partly imported now: names are read at call time

__all__ = ["bartlett", "blackman", "hamming", "hanning", "kaiser"]


def _window_size(M, name):
    if isinstance(M, Tracer):
        value = M.to_concrete_value()
        if value is None:
            raise ConcretizationTypeError(M, f"M argument of jnp.{name}")
        M = value
    return int(M)


def _samples(M):
    return lax.iota(dtypes.default_float(), M)


def _ones(M):
    return lax.full((max(M, 0),), 1, dtypes.default_float())


def bartlett(M):
    """The triangular Bartlett window of ``M`` points."""
    M = _window_size(M, "bartlett")
    if M <= 1:
        return _ones(M)
    n = _samples(M)
    return 1 - jnp.abs(2 * n + 1 - M) / (M - 1)


def blackman(M):
    """The Blackman window of ``M`` points."""
    M = _window_size(M, "blackman")
    if M <= 1:
        return _ones(M)
    n = _samples(M)
    return (0.42 - 0.5 * jnp.cos(2 * np.pi * n / (M - 1))
            + 0.08 * jnp.cos(4 * np.pi * n / (M - 1)))


def hamming(M):
    """The Hamming window of ``M`` points."""
    M = _window_size(M, "hamming")
    if M <= 1:
        return _ones(M)
    n = _samples(M)
    return 0.54 - 0.46 * jnp.cos(2 * np.pi * n / (M - 1))


def hanning(M):
    """The Hann window of ``M`` points."""
    M = _window_size(M, "hanning")
    if M <= 1:
        return _ones(M)
    n = _samples(M)
    return 0.5 * (1 - jnp.cos(2 * np.pi * n / (M - 1)))


def kaiser(M, beta):
    """The Kaiser window of ``M`` points with shape ``beta`` (through ``jnp.i0``)."""
    M = _window_size(M, "kaiser")
    if M <= 1:
        return _ones(M)
    n = _samples(M)
    alpha = 0.5 * (M - 1)
    return jnp.i0(beta * jnp.sqrt(1 - ((n - alpha) / alpha) ** 2)) / jnp.i0(beta)
