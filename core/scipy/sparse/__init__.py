"""``glassbox.scipy.sparse``: the iterative linear solvers of ``linalg``."""
from . import linalg  # noqa: F401
