"""Op records for reductions, cumulative ops, contractions and sorting (see tests/op_table.py).

Where jax.numpy's result dtype differs from NumPy's on purpose, ``out_dtype``
says what JAX gives (e.g. ``cumsum`` keeps int8, ``quantile`` keeps float16).

``grad`` is set for every float32 op whose derivative is defined at the generated
inputs. Left out: integer/boolean results (argmax, argsort, searchsorted...), records
with a boolean mask argument (check_grads cannot yet compare the float0 cotangent of
a bool input), and sorts of data with ties (``sort_key_val``, ``sort_complex``,
``unique_sized`` use small integers, where the derivative of sort is not defined).
"""
import numpy as np

import glassbox.numpy as jnp
from glassbox import dtypes, lax
from tests.op_table import (ALL, BF16, BOOL, C64, F16, F32, I32, I8, INTS, NUMERIC, U8, U32,
                            Op, rand_default, rand_positive, rand_small_int)

SMALL = ((3,), (2, 3))
WITH_EMPTY = ((3,), (2, 3), (0, 3))
FEW_FLOATS = (F32, F16)
FEW_NUMERIC = (F32, BF16, I32, I8, U8)

# Float results from integer inputs: NumPy computes in float64, JAX in float32.
INT_TOL = {d: 2e-6 for d in INTS + (BOOL,)}
same_dtype = lambda d: d  # noqa: E731   (JAX keeps the input dtype)
int32_for_bool = lambda d: np.dtype(np.int32) if d == BOOL else d  # noqa: E731
float32_for_ints = lambda d: d if dtypes.is_inexact(d) else np.dtype(np.float32)  # noqa: E731


def rand_sorted(rng, shape, dtype):
    return np.sort(rand_default(rng, shape, dtype), axis=-1)


def rand_with_nan(rng, shape, dtype):
    """Random values with about a third NaN (no infinities: NumPy's quantile
    interpolation gives NaN between finite and infinite values where JAX gives inf)."""
    x = rand_default(rng, shape, dtype)
    x[rng.random(shape) < 0.3] = np.nan
    return x


def rand_bool(rng, shape, dtype):
    return rng.random(shape) < 0.5


def _pad(values, size, fill):
    values = np.asarray(values)
    return np.concatenate([values, np.full(size - len(values), fill, values.dtype)])


def _unique_padded(x):
    u = np.unique(x)
    return _pad(u, x.size, u[0] if u.size else 0)


def _nonzero_padded(x):
    return tuple(_pad(i, x.size, -1) for i in np.nonzero(x))


def _jax_nonzero_padded(x):
    return jnp.nonzero(x, size=x.size, fill_value=-1)


OPS = [
    # --- lax reductions --------------------------------------------------------
    Op("lax.reduce_sum", lambda x: lax.reduce_sum(x, (1,)), lambda x: np.sum(x, 1), 1,
       FEW_NUMERIC, ((2, 3), (2, 0)), out_dtype=same_dtype, grad=2),
    Op("lax.reduce_sum_all", lambda x: lax.reduce_sum(x, (0, 1)), lambda x: np.sum(x), 1,
       (F32,), ((2, 3),), grad=2),
    Op("lax.reduce_prod", lambda x: lax.reduce_prod(x, (0,)), lambda x: np.prod(x, 0), 1,
       (F32, I32), ((3, 2),), out_dtype=same_dtype, grad=2),
    Op("lax.reduce_max", lambda x: lax.reduce_max(x, (1,)), lambda x: np.max(x, 1), 1,
       FEW_NUMERIC + (BOOL,), ((2, 3),), edge=True, grad=1),
    Op("lax.reduce_min", lambda x: lax.reduce_min(x, (0,)), lambda x: np.min(x, 0), 1,
       FEW_NUMERIC + (BOOL,), ((2, 3),), edge=True, grad=1),
    Op("lax.reduce_and", lambda x: lax.reduce_and(x, (1,)),
       lambda x: np.bitwise_and.reduce(x, 1), 1, (BOOL, I32, U8), ((2, 3), (2, 0))),
    Op("lax.reduce_or", lambda x: lax.reduce_or(x, (1,)),
       lambda x: np.bitwise_or.reduce(x, 1), 1, (BOOL, I32, U8), ((2, 3),)),
    Op("lax.reduce_xor", lambda x: lax.reduce_xor(x, (0,)),
       lambda x: np.bitwise_xor.reduce(x, 0), 1, (BOOL, I8), ((2, 3),)),
    Op("lax.argmax", lambda x: lax.argmax(x, 1, np.int32), lambda x: np.argmax(x, 1), 1,
       (F32, F16, I32, BOOL), ((2, 3),), gen=rand_small_int, edge=True),
    Op("lax.argmin", lambda x: lax.argmin(x, 0, np.int32), lambda x: np.argmin(x, 0), 1,
       (F32, U8), ((3, 2),), gen=rand_small_int, edge=True),
    # --- lax cumulative ---------------------------------------------------------
    Op("lax.cumsum", lambda x: lax.cumsum(x, 0), lambda x: np.cumsum(x, 0), 1,
       (F32, F16, I32), ((5,), (7, 2)), out_dtype=same_dtype, grad=2),
    Op("lax.cumsum_reverse", lambda x: lax.cumsum(x, 1, reverse=True),
       lambda x: np.flip(np.cumsum(np.flip(x, 1), 1), 1), 1, (F32, I8), ((2, 6),),
       out_dtype=same_dtype, grad=2),
    Op("lax.cumprod", lambda x: lax.cumprod(x, 0), lambda x: np.cumprod(x, 0), 1,
       (F32, I32), ((6,),), gen=rand_small_int, out_dtype=same_dtype, grad=2),
    Op("lax.cummax", lambda x: lax.cummax(x, 0), lambda x: np.maximum.accumulate(x, 0), 1,
       (F32, I32, U8), ((7,), (3, 2)), grad=1),
    Op("lax.cummin", lambda x: lax.cummin(x, 1, reverse=True),
       lambda x: np.flip(np.minimum.accumulate(np.flip(x, 1), 1), 1), 1, (F32, I8), ((2, 5),),
       grad=1),
    Op("lax.cumlogsumexp", lambda x: lax.cumlogsumexp(x, 0),
       lambda x: np.logaddexp.accumulate(x, 0), 1, (F32, F16), ((6,), (5, 2)), grad=2),
    # --- lax dot_general / sort -------------------------------------------------
    Op("lax.dot_general_batched",
       lambda x, y: lax.dot_general(x, y, (((2,), (1,)), ((0,), (0,)))),
       lambda x, y: np.matmul(x, y), 2, (F32, F16, I32), (((2, 3, 4), (2, 4, 5)),), grad=2),
    Op("lax.dot_general_outer", lambda x, y: lax.dot_general(x, y, (((), ()), ((), ()))),
       lambda x, y: np.multiply.outer(x, y), 2, (F32,), (((3,), (2, 2)),), grad=2),
    Op("lax.sort", lambda x: lax.sort(x, dimension=0), lambda x: np.sort(x, 0), 1,
       (F32, BF16, I32, U8, BOOL), ((5,), (4, 3)), edge=True, grad=1),
    Op("lax.sort_key_val", lambda k, v: lax.sort_key_val(k, v)[1],
       lambda k, v: np.take_along_axis(v, np.argsort(k, -1, kind="stable"), -1), 2,
       (F32, I32), ((6,), (2, 5)), gen=rand_small_int),
    Op("lax.top_k", lambda x: lax.top_k(x, 2)[0], lambda x: -np.sort(-x, -1)[..., :2], 1,
       (F32, I32), ((5,), (3, 4)), grad=1),
    # --- jnp.sum / prod / max / min / all / any --------------------------------
    Op("sum", jnp.sum, np.sum, 1, ALL, WITH_EMPTY + ((),), grad=2),
    Op("sum_axis1", jnp.sum, np.sum, 1, FEW_NUMERIC, ((2, 3), (2, 0)), kwargs=dict(axis=1), grad=2),
    Op("sum_axes_keepdims", jnp.sum, np.sum, 1, (F32, I8), ((2, 3, 2),),
       kwargs=dict(axis=(0, -1), keepdims=True), grad=2),
    Op("sum_dtype", jnp.sum, np.sum, 1, (I8, F32), ((2, 3),), kwargs=dict(dtype=np.float32),
       grad=2),
    Op("sum_where", lambda x, w: jnp.sum(x, axis=0, where=w),
       lambda x, w: np.sum(x, axis=0, where=w), 2, (F32, I32), ((2, 3),),
       gen=(rand_default, rand_bool)),
    Op("sum_initial", jnp.sum, np.sum, 1, (F32, I32), ((2, 3),), kwargs=dict(initial=5), grad=2),
    Op("sum_complex", jnp.sum, np.sum, 1, (C64,), SMALL, kwargs=dict(axis=0)),
    Op("prod_complex", jnp.prod, np.prod, 1, (C64,), SMALL),
    Op("max_complex", jnp.max, np.max, 1, (C64,), SMALL, kwargs=dict(axis=-1)),
    Op("min_complex", jnp.min, np.min, 1, (C64,), SMALL),
    Op("prod", jnp.prod, np.prod, 1, (F32, F16, I32, I8, U8, BOOL), WITH_EMPTY,
       gen=rand_small_int, grad=1),
    Op("prod_axis", jnp.prod, np.prod, 1, (F32,), ((2, 3),), kwargs=dict(axis=-1,
                                                                         keepdims=True), grad=2),
    Op("max", jnp.max, np.max, 1, ALL, SMALL, edge=True, grad=1),
    Op("max_axis", jnp.max, np.max, 1, (F32, I8), ((2, 3), (0, 3)), kwargs=dict(axis=1), grad=1),
    Op("max_initial_where", lambda x, w: jnp.max(x, 1, initial=-1.5, where=w),
       lambda x, w: np.max(x, 1, initial=-1.5, where=w), 2, (F32,), ((2, 3),),
       gen=(rand_default, rand_bool)),
    Op("min", jnp.min, np.min, 1, (F32, BF16, I32, U32, BOOL), SMALL, edge=True, grad=1),
    Op("min_axis_keepdims", jnp.min, np.min, 1, (F32,), ((2, 3),),
       kwargs=dict(axis=0, keepdims=True), grad=1),
    Op("amax", jnp.amax, np.amax, 1, (F32,), ((2, 3),), kwargs=dict(axis=-1), grad=1),
    Op("amin", jnp.amin, np.amin, 1, (I32,), ((2, 3),), kwargs=dict(axis=None)),
    Op("all", jnp.all, np.all, 1, (BOOL, F32, I32), ((2, 3), (0,)), gen=rand_small_int),
    Op("all_axis", jnp.all, np.all, 1, (BOOL,), ((2, 3),), gen=rand_bool,
       kwargs=dict(axis=1, keepdims=True)),
    Op("any", jnp.any, np.any, 1, (BOOL, F32, U8), ((2, 3), (0,)), gen=rand_small_int),
    Op("any_axis", jnp.any, np.any, 1, (BOOL,), ((2, 3),), gen=rand_bool, kwargs=dict(axis=0)),
    # --- mean / var / std / average / ptp / count_nonzero -----------------------
    Op("mean", jnp.mean, np.mean, 1, NUMERIC + (BOOL,), SMALL, tol=INT_TOL, grad=2),
    Op("mean_axis", jnp.mean, np.mean, 1, (F32, I8), ((2, 3, 2),),
       kwargs=dict(axis=(0, 2), keepdims=True), tol=INT_TOL, grad=2),
    Op("mean_where", lambda x, w: jnp.mean(x, axis=1, where=w),
       lambda x, w: np.mean(x, axis=1, where=w), 2, (F32,), ((2, 3),),
       gen=(rand_default, rand_bool)),
    Op("var", jnp.var, np.var, 1, (F32, F16, I32), SMALL, tol=INT_TOL, grad=2),
    Op("var_ddof", jnp.var, np.var, 1, (F32,), ((2, 3),), kwargs=dict(axis=1, ddof=1), grad=2),
    Op("std", jnp.std, np.std, 1, (F32, BF16, I8), SMALL, tol=INT_TOL, grad=1),
    Op("std_axis", jnp.std, np.std, 1, (F32,), ((2, 3),), kwargs=dict(axis=0, ddof=1,
                                                                      keepdims=True), grad=1),
    Op("average", jnp.average, np.average, 1, (F32, I32), SMALL, tol=INT_TOL, grad=2),
    Op("average_weights", lambda x, w: jnp.average(x, axis=1, weights=w),
       lambda x, w: np.average(x, axis=1, weights=w), 2, (F32,), (((2, 3), (3,)),),
       gen=(rand_default, rand_positive), grad=1),
    Op("ptp", jnp.ptp, np.ptp, 1, (F32, I32, I8), SMALL, grad=1),
    Op("ptp_axis", jnp.ptp, np.ptp, 1, (F32,), ((2, 3),), kwargs=dict(axis=1), grad=1),
    Op("count_nonzero", jnp.count_nonzero, np.count_nonzero, 1, (F32, I32, BOOL), SMALL,
       gen=rand_small_int, out_dtype=lambda d: np.dtype(np.int32)),
    Op("count_nonzero_axis", jnp.count_nonzero, np.count_nonzero, 1, (I32,), ((2, 3),),
       gen=rand_small_int, kwargs=dict(axis=0)),
    # --- NaN-ignoring ----------------------------------------------------------
    Op("nansum", jnp.nansum, np.nansum, 1, (F32, F16), SMALL, edge=True, grad=1),
    Op("nanprod", jnp.nanprod, np.nanprod, 1, (F32,), SMALL, edge=True, grad=1),
    Op("nanmax", jnp.nanmax, np.nanmax, 1, (F32, I32), SMALL, edge=True, kwargs=dict(axis=-1),
       grad=1),
    Op("nanmin", jnp.nanmin, np.nanmin, 1, (F32,), SMALL, edge=True, grad=1),
    Op("nanmean", jnp.nanmean, np.nanmean, 1, (F32, I32), SMALL, edge=True, tol=INT_TOL, grad=1),
    Op("nanvar", jnp.nanvar, np.nanvar, 1, (F32,), SMALL, edge=True, kwargs=dict(axis=-1), grad=1),
    Op("nanstd", jnp.nanstd, np.nanstd, 1, (F32,), SMALL, edge=True, grad=1),
    Op("nanargmax", jnp.nanargmax, np.nanargmax, 1, (F32,), SMALL, edge=True),
    Op("nanargmin", jnp.nanargmin, np.nanargmin, 1, (F32, I32), SMALL, edge=True),
    # --- argmax / argmin -------------------------------------------------------
    Op("argmax", jnp.argmax, np.argmax, 1, (F32, BF16, I32, U8, BOOL), SMALL,
       gen=rand_small_int, edge=True),
    Op("argmax_axis_keepdims", jnp.argmax, np.argmax, 1, (F32,), ((2, 3), (2, 0)),
       gen=rand_small_int, kwargs=dict(axis=0, keepdims=True)),
    Op("argmin", jnp.argmin, np.argmin, 1, (F32, I8), SMALL, gen=rand_small_int, edge=True),
    Op("argmin_axis", jnp.argmin, np.argmin, 1, (F32,), ((2, 3),), kwargs=dict(axis=-1)),
    # --- cumulative -------------------------------------------------------------
    Op("cumsum", jnp.cumsum, np.cumsum, 1, FEW_NUMERIC + (F16, BOOL), SMALL + ((),),
       out_dtype=int32_for_bool, grad=2),
    Op("cumsum_axis", jnp.cumsum, np.cumsum, 1, (F32,), ((2, 3), (0, 3)), kwargs=dict(axis=0),
       grad=1),
    Op("cumprod", jnp.cumprod, np.cumprod, 1, (F32, I32), SMALL, gen=rand_small_int,
       out_dtype=same_dtype, grad=2),
    Op("nancumsum", jnp.nancumsum, np.nancumsum, 1, (F32,), SMALL, edge=True, grad=1),
    Op("nancumprod", jnp.nancumprod, np.nancumprod, 1, (F32,), SMALL, edge=True,
       kwargs=dict(axis=-1), grad=1),
    Op("cumulative_sum", jnp.cumulative_sum, np.cumulative_sum, 1, (F32, I8, BOOL),
       ((2, 3),), kwargs=dict(axis=1, include_initial=True), grad=1),
    Op("cumulative_prod", jnp.cumulative_prod, np.cumulative_prod, 1, (F32,), ((4,),), grad=1),
    # --- quantiles --------------------------------------------------------------
    Op("median", jnp.median, np.median, 1, (F32, F16, I32), ((3,), (2, 4), (3, 2, 2)),
       tol=INT_TOL, grad=1),
    Op("median_axis", jnp.median, np.median, 1, (F32,), ((2, 3, 4),),
       kwargs=dict(axis=(0, 2), keepdims=True), grad=1),
    Op("median_nan", jnp.median, np.median, 1, (F32,), ((2, 3),), edge=True,
       kwargs=dict(axis=1), grad=1),
    Op("quantile", lambda x: jnp.quantile(x, np.array([0.1, 0.5, 0.9], np.float32), axis=1),
       lambda x: np.quantile(x, np.array([0.1, 0.5, 0.9], np.float32), axis=1), 1,
       (F32, F16, I32), ((2, 5),), out_dtype=float32_for_ints, tol=INT_TOL, grad=1),
    Op("quantile_methods", lambda x, method: jnp.quantile(x, 0.6, method=method),
       lambda x, method: np.quantile(x, 0.6, method=method), 1, (F32,), ((7,),),
       kwargs=dict(method="nearest"), grad=1),
    Op("quantile_lower", lambda x: jnp.quantile(x, 0.6, method="lower", keepdims=True),
       lambda x: np.quantile(x, 0.6, method="lower", keepdims=True), 1, (F32,), ((2, 3),), grad=1),
    Op("percentile", lambda x: jnp.percentile(x, np.float32(30), axis=0),
       lambda x: np.percentile(x, np.float32(30), axis=0), 1, (F32,), ((4, 2),), grad=1),
    Op("nanmedian", jnp.nanmedian, np.nanmedian, 1, (F32,), SMALL, edge=True, grad=1),
    Op("nanquantile", lambda x: jnp.nanquantile(x, np.float32(0.3)),
       lambda x: np.nanquantile(x, np.float32(0.3)), 1, (F32,), ((2, 4), (9,)),
       gen=rand_with_nan, grad=1),
    Op("nanpercentile", lambda x: jnp.nanpercentile(x, np.float32(75), axis=1),
       lambda x: np.nanpercentile(x, np.float32(75), axis=1), 1, (F32,), ((2, 6),),
       gen=rand_with_nan, grad=1),
    # --- products ---------------------------------------------------------------
    Op("dot", jnp.dot, np.dot, 2, (F32, F16, BF16, I32),
       (((3,), (3,)), ((2, 3), (3, 4)), ((2, 3, 4), (5, 4, 2)), ((), (2, 3))), grad=2),
    Op("matmul", jnp.matmul, np.matmul, 2, (F32, F16, BF16, I32),
       (((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 1, 2, 3), (4, 3, 2))), grad=2),
    Op("matmul_bool", jnp.matmul, np.matmul, 2, (BOOL,), (((2, 3), (3, 2)),)),
    Op("vdot", jnp.vdot, np.vdot, 2, (F32, I32), (((2, 3), (3, 2)),), grad=2),
    Op("vecdot", jnp.vecdot, np.vecdot, 2, (F32,), (((2, 3), (3,)), ((4, 1, 3), (2, 3))), grad=2),
    Op("inner", jnp.inner, np.inner, 2, (F32, I32), (((2, 3), (4, 3)), ((), (3,))), grad=2),
    Op("outer", jnp.outer, np.outer, 2, (F32, I8), (((3,), (2, 2)),), grad=2),
    Op("tensordot", jnp.tensordot, np.tensordot, 2, (F32,), (((2, 3, 4), (3, 4, 5)),), grad=2),
    Op("tensordot_axes", jnp.tensordot, np.tensordot, 2, (F32,), (((2, 3, 4), (4, 2, 5)),),
       kwargs=dict(axes=((0, 2), (1, 0))), grad=2),
    Op("kron", jnp.kron, np.kron, 2, (F32, I32), (((2, 3), (2, 2)), ((2,), (3, 1))), grad=2),
    Op("trace", jnp.trace, np.trace, 1, (F32, I8, BOOL), ((3, 3), (2, 3, 4)), grad=2),
    Op("trace_offset", jnp.trace, np.trace, 1, (F32,), ((3, 4),),
       kwargs=dict(offset=1, axis1=1, axis2=0), grad=2),
    Op("einsum_matmul", lambda a, b: jnp.einsum("ij,jk->ik", a, b),
       lambda a, b: np.einsum("ij,jk->ik", a, b), 2, (F32, F16, I32),
       (((2, 3), (3, 4)),), grad=2),
    Op("einsum_batch_implicit", lambda a, b: jnp.einsum("bij,bjk", a, b),
       lambda a, b: np.einsum("bij,bjk", a, b), 2, (F32,), (((2, 3, 4), (2, 4, 2)),), grad=2),
    Op("einsum_ellipsis", lambda a, b: jnp.einsum("...ij,...j->...i", a, b),
       lambda a, b: np.einsum("...ij,...j->...i", a, b), 2, (F32,),
       (((2, 3, 4), (4,)), ((3, 4), (2, 1, 4))), grad=2),
    Op("einsum_trace_diag", lambda a: jnp.einsum("ii", a), lambda a: np.einsum("ii", a), 1,
       (F32, I32), ((3, 3),), grad=2),
    Op("einsum_diag", lambda a: jnp.einsum("iij->ji", a), lambda a: np.einsum("iij->ji", a), 1,
       (F32,), ((3, 3, 2),), grad=2),
    Op("einsum_three", lambda a, b, c: jnp.einsum("ab,bc,cd->ad", a, b, c),
       lambda a, b, c: np.einsum("ab,bc,cd->ad", a, b, c), 3, (F32,),
       (((2, 3), (3, 4), (4, 2)),), grad=2),
    Op("einsum_sum_outer", lambda a, b: jnp.einsum("ij,k->jk", a, b),
       lambda a, b: np.einsum("ij,k->jk", a, b), 2, (F32, I8), (((2, 3), (2,)),), grad=2),
    # --- sorting ----------------------------------------------------------------
    Op("sort", jnp.sort, np.sort, 1, (F32, F16, BF16, C64, I32, U8, BOOL), ((5,), (3, 4), (0,)),
       edge=True, grad=1),
    Op("sort_axis0", jnp.sort, np.sort, 1, (F32,), ((3, 4),), kwargs=dict(axis=0), grad=1),
    Op("sort_flat", jnp.sort, np.sort, 1, (I32,), ((3, 4),), kwargs=dict(axis=None)),
    Op("sort_descending", lambda x: jnp.sort(x, descending=True),
       lambda x: np.flip(np.sort(x, -1), -1), 1, (F32, I8), ((6,), (2, 3)), grad=1),
    Op("argsort", jnp.argsort, lambda x, **kw: np.argsort(x, kind="stable", **kw), 1,
       (F32, I32, BOOL), ((6,), (3, 4)), gen=rand_small_int, edge=True),
    Op("argsort_axis0", jnp.argsort, lambda x, **kw: np.argsort(x, kind="stable", **kw), 1,
       (I8,), ((4, 3),), gen=rand_small_int, kwargs=dict(axis=0)),
    Op("argsort_descending", lambda x: jnp.argsort(x, descending=True),
       lambda x: np.argsort(-x.astype(np.float64), kind="stable"), 1, (F32, I32), ((7,),),
       gen=rand_small_int),
    Op("lexsort", lambda a, b: jnp.lexsort((a, b)), lambda a, b: np.lexsort((a, b)), 2,
       (I32, F32), ((8,), (2, 5)), gen=rand_small_int),
    Op("searchsorted", jnp.searchsorted, np.searchsorted, 2, (F32, I32),
       (((6,), (4,)), ((5,), (2, 3))), gen=(rand_sorted, rand_default)),
    Op("searchsorted_right", lambda a, v: jnp.searchsorted(a, v, side="right"),
       lambda a, v: np.searchsorted(a, v, side="right"), 2, (I32,), (((6,), (5,)),),
       gen=(lambda r, s, d: np.sort(rand_small_int(r, s, d)), rand_small_int)),
    Op("sort_complex", jnp.sort_complex, np.sort_complex, 1, (F32,), ((5,),),
       gen=rand_small_int),
    Op("unique_sized", lambda x: jnp.unique(x, size=x.size), _unique_padded, 1,
       (I32, F32), ((7,), (2, 4)), gen=rand_small_int),
    Op("nonzero_sized", lambda x: _jax_nonzero_padded(x)[-1], lambda x: _nonzero_padded(x)[-1],
       1, (I32, BOOL), ((6,), (2, 3)), gen=rand_small_int),
    Op("argwhere_sized", lambda x: jnp.argwhere(x, size=5, fill_value=-1),
       lambda x: np.concatenate([np.argwhere(x), np.full((5 - np.count_nonzero(x), x.ndim), -1)]),
       1, (I32,), ((2, 3),), gen=lambda r, s, d: (r.random(s) < 0.5).astype(d)),
    Op("flatnonzero_sized", lambda x: jnp.flatnonzero(x, size=4, fill_value=9),
       lambda x: _pad(np.flatnonzero(x)[:4], 4, 9), 1, (I32,), ((2, 3),), gen=rand_small_int),
]
