"""``glassbox.scipy.cluster``: ``vq`` (vector quantization), as ``jax.scipy.cluster``."""
from . import vq  # noqa: F401
