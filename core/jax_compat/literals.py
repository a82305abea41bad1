"""``jax._src.literals`` (jaxtyping, equinox): JAX's typed Python-scalar literals.

JAX (since 0.7.2) may hand a traced function's constants around as Python scalars or
NumPy arrays that remember a JAX dtype; libraries add these types to their "is it an
array" checks. glassbox keeps constants as its own arrays and never makes one, so
the types exist only for those checks, which then match glassbox's ``Array`` alone.
"""


class TypedInt(int):
    """An ``int`` literal with a JAX dtype (never made by glassbox)."""


class TypedFloat(float):
    """A ``float`` literal with a JAX dtype (never made by glassbox)."""


class TypedComplex(complex):
    """A ``complex`` literal with a JAX dtype (never made by glassbox)."""


class TypedNdArray:
    """A NumPy array literal with a JAX dtype (never made by glassbox)."""


LiteralArray = TypedInt | TypedFloat | TypedComplex | TypedNdArray
