"""``jax._src`` under ``install_as_jax``: the private JAX names the ecosystem imports.

optax, flax, equinox, numpyro, chex and jaxtyping reach into a few of JAX's private
modules. ``jax._src.X`` resolves to ``glassbox.jax_compat.X``; each module here holds
exactly the names those libraries import from it, built on glassbox's public pieces.
Nothing in glassbox imports this package: it exists only for code written against JAX.
The README's "JAX's libraries on glassbox" section lists what is here and who needs it.
"""
