"""Op records for the rest of jax.numpy (see tests/op_table.py): differences, integrals,
interpolation, covariance, polynomials, convolution, cross products, i0 and windows-free
elementwise helpers. Values against NumPy, eager vs jit, compiles once; ``grad`` where
JAX differentiates (see tests/test_numpy_more.py for errors, set ops and the rest)."""
import numpy as np

import glassbox.numpy as jnp
from tests.op_table import F16, F32, I32, I8, Op, rand_default, rand_positive

float32_for_ints = lambda d: np.dtype(np.float32) if np.dtype(d).kind in "iub" else d  # noqa: E731
SORTED_XP = np.array([-3., -1, 0.5, 2, 4], np.float32)
SORTED_FP = np.array([1., -2, 0, 3, 5], np.float32)


def rand_int_pos(rng, shape, dtype):
    return rng.integers(1, 30, shape).astype(dtype)


OPS = [
    Op("jnp.diff", lambda x: jnp.diff(x), lambda x: np.diff(x), 1,
       dtypes=(F32, F16, I32, I8), shapes=((5,), (2, 4)), grad=2),
    Op("jnp.diff_n2_axis0", lambda x: jnp.diff(x, n=2, axis=0),
       lambda x: np.diff(x, n=2, axis=0), 1, dtypes=(F32, I32), shapes=((4,), (5, 3)), grad=2),
    Op("jnp.ediff1d", jnp.ediff1d, np.ediff1d, 1, dtypes=(F32, I32), shapes=((5,), (2, 3)),
       grad=1),
    Op("jnp.trapezoid", lambda y: jnp.trapezoid(y), lambda y: np.trapezoid(y), 1,
       dtypes=(F32,), shapes=((5,), (2, 4)), grad=2),
    Op("jnp.gradient_1d", lambda y: jnp.gradient(y), lambda y: np.gradient(y), 1,
       dtypes=(F32,), shapes=((5,),), grad=2),
    Op("jnp.interp", lambda x: jnp.interp(x, SORTED_XP, SORTED_FP),
       lambda x: np.interp(x, SORTED_XP, SORTED_FP).astype(np.float32), 1, dtypes=(F32,),
       shapes=((7,), (2, 3))),
    Op("jnp.cov", jnp.cov, lambda m: np.cov(m).astype(m.dtype), 1, dtypes=(F32,),
       shapes=((3, 6), (2, 5)), tol={F32: 1e-4}, grad=2),
    Op("jnp.corrcoef", jnp.corrcoef, lambda m: np.corrcoef(m).astype(m.dtype), 1,
       dtypes=(F32,), shapes=((3, 6),), tol={F32: 1e-4}),
    Op("jnp.polyval", jnp.polyval, lambda p, x: np.polyval(p, x), 2, dtypes=(F32, I32),
       shapes=(((4,), (3,)), ((3,), (2, 3))), tol={F32: 1e-4}, grad=2),
    Op("jnp.convolve", jnp.convolve, lambda a, v: np.convolve(a, v).astype(np.float32), 2,
       dtypes=(F32, I32), shapes=(((5,), (3,)), ((2,), (4,))), out_dtype=float32_for_ints,
       tol={F32: 1e-5}, grad=2),
    Op("jnp.correlate_full", lambda a, v: jnp.correlate(a, v, "full"),
       lambda a, v: np.correlate(a, v, "full"), 2, dtypes=(F32,),
       shapes=(((5,), (3,)), ((2,), (4,))), tol={F32: 1e-5}, grad=2),
    Op("jnp.cross", jnp.cross, np.cross, 2, dtypes=(F32, I32), shapes=((3,), (4, 3)), grad=2),
    Op("jnp.i0", jnp.i0, lambda x: np.i0(x.astype(np.float64)).astype(x.dtype), 1,
       dtypes=(F32,), shapes=((), (5,)), tol={F32: 1e-5}, grad=2),
    Op("jnp.gcd", jnp.gcd, np.gcd, 2, dtypes=(I32, I8), shapes=((5,), (2, 3)),
       gen=rand_int_pos),
    Op("jnp.lcm", jnp.lcm, np.lcm, 2, dtypes=(I32,), shapes=((5,), (2, 3)), gen=rand_int_pos),
    Op("jnp.ldexp", lambda x: jnp.ldexp(x, np.int32(3)), lambda x: np.ldexp(x, 3), 1,
       dtypes=(F32,), shapes=((), (4,)), gen=rand_default),
    Op("jnp.spacing", jnp.spacing, np.spacing, 1, dtypes=(F32,), shapes=((4,),),
       gen=rand_positive),
    Op("jnp.vander", lambda x: jnp.vander(x, 3), lambda x: np.vander(x, 3), 1,
       dtypes=(F32, I32), shapes=((4,),), tol={F32: 1e-5}, grad=2),
]
