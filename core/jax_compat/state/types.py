"""``jax._src.state.types`` (flax.nnx): the type of a mutable array reference.

glassbox has no mutable array references (``jax.new_ref``), so nothing is ever an
``AbstractRef``; flax's ``isinstance`` checks against it are then simply False."""


class AbstractRef:
    """The abstract value of a ``Ref``; glassbox never makes one."""
