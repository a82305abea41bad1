"""What every distribution module shares: argument promotion as JAX's
``promote_args_inexact`` (check, ints and bools to the default float, Python scalars
weak, broadcast) and constants in an array's dtype."""
from ..special import _c, _promote_inexact  # noqa: F401
