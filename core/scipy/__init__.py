"""``glassbox.scipy``: the parts of SciPy that ``jax.scipy`` offers, over ``glassbox.lax``
and ``glassbox.numpy``: ``special``, ``stats``, ``linalg``, ``fft``, ``signal``,
``optimize``, ``integrate``, ``ndimage``, ``interpolate``, ``cluster``, ``sparse``,
``spatial``. As in JAX, each submodule loads when it is first used (``import glassbox``
stays fast)."""
import importlib

_SUBMODULES = ("cluster", "fft", "integrate", "interpolate", "linalg", "ndimage", "optimize",
               "signal", "sparse", "spatial", "special", "stats")


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_SUBMODULES])
