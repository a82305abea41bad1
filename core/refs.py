"""``Ref`` and ``new_ref``: JAX's mutable array references, which glassbox lacks.

JAX 0.10 can stage in-place updates of a ``Ref`` through ``jit``, ``grad`` and
control flow. glassbox's programs are pure: there is no ``Ref`` value, so
``isinstance(x, Ref)`` (what libraries such as flax.nnx check) is always False, and
``new_ref`` says plainly that references are not implemented.
"""


class Ref:
    """A mutable array reference (glassbox never makes one)."""


def new_ref(init_val, *, memory_space=None, kind=None):
    """JAX's ``new_ref``: not implemented in glassbox."""
    raise NotImplementedError(
        "jax.new_ref: glassbox does not implement mutable array references; keep state "
        "in values passed in and returned (e.g. flax.nnx with its default, non-Ref "
        "Variables)")
