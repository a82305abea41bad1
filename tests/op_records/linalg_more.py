"""Op records for glassbox.lax.linalg's single-result primitives (see tests/op_table.py):
``tridiagonal_solve`` against SciPy's banded solver and ``symmetric_product`` against
NumPy. The factorizations (schur, hessenberg, tridiagonal), unique only up to signs, are
checked by reconstruction and against values recorded from JAX in
tests/test_linalg_condensed.py."""
import numpy as np
import scipy.linalg

from glassbox import lax
from tests.op_table import C64, F32, Op, rand_default

TOL = {F32: 1e-4, C64: 1e-4}


def rand_dominant(rng, shape, dtype):
    """A main diagonal that dominates the off-diagonals: well-conditioned systems."""
    return (rand_default(rng, shape, dtype) / 3 + 12).astype(dtype)


def _tridiagonal_solve_ref(dl, d, du, b):
    out = np.empty(b.shape, np.result_type(b, np.float32))
    for idx in np.ndindex(b.shape[:-2]):
        ab = np.stack([np.r_[0, du[idx][:-1]], d[idx], np.r_[dl[idx][1:], 0]])
        out[idx] = scipy.linalg.solve_banded((1, 1), ab, b[idx])
    return out


def _symmetric_product_ref(a, c, alpha=1., beta=0.):
    return alpha * a @ np.swapaxes(a, -1, -2) + beta * c


_TS = (rand_default, rand_dominant, rand_default, rand_default)

OPS = [
    Op("lax.linalg.tridiagonal_solve", lax.linalg.tridiagonal_solve, _tridiagonal_solve_ref, 4,
       (F32, C64), (((4,), (4,), (4,), (4, 2)), ((2, 5,), (2, 5), (2, 5), (2, 5, 3))), _TS,
       tol=TOL, grad=2),
    Op("lax.linalg.symmetric_product", lax.linalg.symmetric_product, _symmetric_product_ref, 2,
       (F32,), (((3, 2), (3, 3)), ((2, 4, 3), (2, 4, 4))), kwargs={"alpha": 0.5, "beta": 2.0},
       tol=TOL),   # no derivative rule, as in JAX
]
