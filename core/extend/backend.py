"""``jax.extend.backend``: the XLA client glassbox runs on.

glassbox has one client, jaxlib's PJRT client for this process's platform
(``runtime.client()``), made on first use. ``get_backend()`` returns it (jaxlib's
``Client``: ``.platform``, ``.devices()``, ``.platform_version``, as JAX's does).
Not provided: ``clear_backends`` (the client lives as long as the process; arrays hold
its buffers), ``register_backend_factory``, ``get_compile_options``,
``backend_xla_version``, ``register_backend_cache``, ``ifrt_proxy``.
"""
from .. import runtime
from ..api import clear_caches


def get_backend(platform=None):
    """The client for ``platform`` (None: the default one). Another platform raises
    JAX's ``RuntimeError`` naming the platforms present."""
    runtime.devices(platform)   # (raises for a platform glassbox has no client for)
    return runtime.client()


def backends():
    """``{platform: client}`` of the clients made so far."""
    return {runtime.platform(): runtime.client()}


def get_default_device():
    """The device arrays go to when none is named (``glassbox.default_device`` sets it)."""
    return runtime.default_device()


def clear_in_memory_compilation_cache():
    """Forget every compiled executable and trace kept in memory (``jax.clear_caches``)."""
    clear_caches()
