"""Op records for glassbox.numpy.linalg (see tests/op_table.py).

Only single-array results fit the table; factorizations, whose outputs are
unique only up to signs, are checked by reconstruction in tests/test_linalg.py.
LAPACK works in float32/float64/complex64/complex128, so records use F32/C64.
"""
import numpy as np

import glassbox.numpy as jnp
from tests.op_table import C64, F32, Op, rand_default

SQUARE = ((3, 3), (2, 3, 3))
LAPACK = (F32, C64)
TOL = {F32: 1e-4, C64: 1e-4}


def rand_wellcond(rng, shape, dtype):
    """Random matrices plus a multiple of I: comfortably invertible."""
    return (rand_default(rng, shape, dtype) + 8 * np.eye(shape[-1])).astype(dtype)


def rand_spd(rng, shape, dtype):
    a = rand_default(rng, shape, dtype)
    return (a @ np.conj(np.swapaxes(a, -1, -2)) + shape[-1] * np.eye(shape[-1])).astype(dtype)


def rand_hermitian(rng, shape, dtype):
    a = rand_default(rng, shape, dtype)
    return ((a + np.conj(np.swapaxes(a, -1, -2))) / 2).astype(dtype)


def _solve_ref(a, b):
    return np.linalg.solve(a, b[..., None])[..., 0] if b.ndim == a.ndim - 1 else \
        np.linalg.solve(a, b)


OPS = [
    Op("linalg.inv", jnp.linalg.inv, np.linalg.inv, 1, LAPACK, SQUARE, rand_wellcond, tol=TOL),
    Op("linalg.det", jnp.linalg.det, np.linalg.det, 1, LAPACK, SQUARE + ((4, 4),), rand_wellcond,
       tol={F32: 1e-3, C64: 1e-3}),
    Op("linalg.slogdet.logabsdet", lambda a: jnp.linalg.slogdet(a).logabsdet,
       lambda a: np.linalg.slogdet(a)[1], 1, LAPACK, ((4, 4), (2, 4, 4)), rand_wellcond, tol=TOL),
    Op("linalg.solve", jnp.linalg.solve, _solve_ref, 2, LAPACK,
       (((3, 3), (3,)), ((2, 3, 3), (2, 3, 2))), (rand_wellcond, rand_default), tol=TOL),
    Op("linalg.cholesky", jnp.linalg.cholesky, np.linalg.cholesky, 1, LAPACK, SQUARE, rand_spd,
       tol=TOL),
    Op("linalg.eigvalsh", jnp.linalg.eigvalsh, np.linalg.eigvalsh, 1, LAPACK, SQUARE,
       rand_hermitian, tol=TOL, out_dtype=lambda d: np.dtype(np.float32)),
    Op("linalg.svdvals", jnp.linalg.svdvals, lambda a: np.linalg.svd(a, compute_uv=False), 1,
       LAPACK, ((3, 4), (2, 4, 3)), tol=TOL, out_dtype=lambda d: np.dtype(np.float32)),
    Op("linalg.pinv", jnp.linalg.pinv, np.linalg.pinv, 1, (F32,), ((4, 3), (2, 3, 4)), tol=TOL),
    Op("linalg.matrix_power", lambda a: jnp.linalg.matrix_power(a, 3),
       lambda a: np.linalg.matrix_power(a, 3), 1, LAPACK, SQUARE, tol=TOL),
    Op("linalg.norm.fro", jnp.linalg.norm, np.linalg.norm, 1, LAPACK, ((3,), (3, 4)), tol=TOL,
       out_dtype=lambda d: np.dtype(np.float32)),
    Op("linalg.norm.nuc", lambda a: jnp.linalg.norm(a, "nuc"), lambda a: np.linalg.norm(a, "nuc"),
       1, (F32,), ((3, 4),), tol=TOL),
    Op("linalg.norm.inf_axis", lambda a: jnp.linalg.norm(a, np.inf, axis=-1),
       lambda a: np.linalg.norm(a, np.inf, axis=-1), 1, LAPACK, ((2, 3),), tol=TOL,
       out_dtype=lambda d: np.dtype(np.float32)),
]
