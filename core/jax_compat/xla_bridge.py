"""``jax._src.xla_bridge`` (optax's tests read ``_backends``): the backends made so far."""
from glassbox import runtime


def __getattr__(name):
    if name == "_backends":
        return {"cpu": runtime.client()}
    raise AttributeError(f"module 'jax._src.xla_bridge' (glassbox) has no attribute {name!r}")
