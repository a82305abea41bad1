"""``jax._src.literals`` (jaxtyping, equinox): Python scalars as JAX sees them."""
LiteralArray = (bool, int, float, complex)
