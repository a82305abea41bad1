"""``jax._src.interpreters.pxla`` (flax imports the module; uses nothing at import)."""
