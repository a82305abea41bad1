"""Elementwise glassbox.numpy functions (ufuncs): promote, broadcast, call lax."""
from .. import lax
from ._util import check_arraylike, promote_and_broadcast, promote_dtypes_inexact

__all__ = ["add", "sin"]


def add(x1, x2, /):
    """Elementwise ``x1 + x2`` with NumPy broadcasting and JAX's type promotion."""
    return lax.add(*promote_and_broadcast("add", x1, x2))


def sin(x, /):
    """Elementwise sine."""
    check_arraylike("sin", x)
    return lax.sin(*promote_dtypes_inexact(x))
