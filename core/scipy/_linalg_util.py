"""Helpers shared by ``glassbox.scipy.linalg``'s modules."""
from .. import lax
from .. import numpy as jnp
from ..numpy._util import check_arraylike, promote_dtypes_inexact


def H(x):
    """The conjugate transpose of the last two axes."""
    return jnp.conjugate(jnp.swapaxes(x, -1, -2))


def inexact(fun_name, *args):
    """The arguments as arrays of one inexact dtype (one array for one argument)."""
    check_arraylike(fun_name, *args)
    out = promote_dtypes_inexact(*(jnp.asarray(a) for a in args))
    return out[0] if len(out) == 1 else out


def check_square(fun_name, a):
    """``ValueError`` unless ``a`` is a (batched) square matrix."""
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{fun_name}: expected a (batched) square matrix [..., n, n], got "
                         f"shape {a.shape}")


def precise_dot(A, B):
    """A matrix product in full precision (what the Padé and Schur algorithms need)."""
    return jnp.dot(A, B, precision=lax.Precision.HIGHEST)
