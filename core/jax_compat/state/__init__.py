"""``jax._src.state`` (flax.nnx)."""
