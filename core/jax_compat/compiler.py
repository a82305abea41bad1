"""``jax._src.compiler`` (chex imports it for ``restrict_backends``).

glassbox compiles in ``glassbox.runtime``, not through a patchable module function, so
``chex.restrict_backends`` finds neither ``backend_compile_and_load`` nor
``backend_compile`` here and says so when it is used; importing chex works.
"""
