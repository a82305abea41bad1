"""Op records for shape, slicing and indexing ops (see tests/op_table.py).

``lax.*`` records check the primitives against a NumPy expression;
``jnp.*`` records check glassbox.numpy's manipulation functions and
indexing against NumPy. Shapes are explicit per record (these ops care
about shape, not about the value of every dtype), and dtypes span one
float, one int and bool where the op is dtype-agnostic.
"""
import numpy as np

import glassbox.lax as lax
import glassbox.numpy as jnp
from tests.op_table import BF16, BOOL, F32, I32, I8, U8, Op, rand_default, rand_small_int

MOVE = (F32, I32, BOOL)          # ops that only move data
NUM = (F32, I32, BF16, U8)


def _np_pad_lax(x):
    # lax.pad(x, 0, [(1, -1, 1), (0, 2, 0)]) in NumPy: interior, then edges.
    out = np.zeros((x.shape[0] + max(0, x.shape[0] - 1), x.shape[1]), x.dtype)
    out[::2] = x
    out = np.concatenate([np.zeros((1, x.shape[1]), x.dtype), out[:-1]], 0)
    return np.concatenate([out, np.zeros((out.shape[0], 2), x.dtype)], 1)


def _np_scatter_add(x, idx, upd):
    out = x.copy()
    np.add.at(out, idx.ravel(), upd)
    return out


def _rand_index_small(rng, shape, dtype):
    return rng.integers(0, 5, shape).astype(np.int32)


def _rand_index_unique(rng, shape, dtype):
    """Distinct indices in [0, 5) (scatters whose result with repeats is unspecified)."""
    return rng.permutation(5)[:int(np.prod(shape))].reshape(shape).astype(np.int32)


def _np_scatter(ufunc_at):
    def ref(x, idx, upd):
        out = x.copy()
        ufunc_at(out, idx.ravel(), upd)
        return out
    return ref


def _np_set(x, idx, upd):
    out = x.copy()
    out[idx] = upd
    return out


def _np_gather_clip(x):
    return x[np.clip(np.array([1, 5, 1, -2]), 0, x.shape[0] - 1)]


def _rand_index_in_bounds(rng, shape, dtype):
    """Indices in [-4, 4): negative ones count from the end of an axis of 4."""
    return rng.integers(-4, 4, shape).astype(np.int32)


def _rand_index_oob(rng, shape, dtype):
    """Indices with out-of-range values mixed in (clamped by NumPy in the references)."""
    return rng.integers(-7, 7, shape).astype(np.int32)


OPS = [
    # --- lax primitives ----------------------------------------------------------------
    Op("lax.squeeze", lambda x: lax.squeeze(x, (0, 2)), lambda x: np.squeeze(x, (0, 2)), 1,
       MOVE, ((1, 3, 1),), grad=2),
    Op("lax.expand_dims", lambda x: lax.expand_dims(x, (0, 3)),
       lambda x: np.expand_dims(x, (0, 3)), 1, MOVE, ((2, 3),), grad=2),
    Op("lax.concatenate", lambda x, y: lax.concatenate([x, y, x], 1),
       lambda x, y: np.concatenate([x, y, x], 1), 2, MOVE, (((2, 3), (2, 1)),), grad=2),
    Op("lax.pad", lambda x: lax.pad(x, np.zeros((), x.dtype)[()], [(1, -1, 1), (0, 2, 0)]),
       _np_pad_lax, 1, NUM, ((3, 2),), grad=2),
    Op("lax.rev", lambda x: lax.rev(x, (0, 1)), lambda x: x[::-1, ::-1], 1, MOVE, ((2, 3),),
       grad=2),
    Op("lax.slice", lambda x: lax.slice(x, (1, 0), (4, 3), (2, 2)),
       lambda x: x[1:4:2, 0:3:2], 1, MOVE, ((5, 3),), grad=2),
    Op("lax.dynamic_slice", lambda x: lax.dynamic_slice(x, (3, -1), (2, 2)),
       lambda x: x[2:4, 1:3], 1, MOVE, ((4, 3),), grad=2),
    Op("lax.dynamic_update_slice",
       lambda x, u: lax.dynamic_update_slice(x, u, (5, 0)),
       lambda x, u: np.concatenate([x[:2], u], 0), 2, MOVE, (((4, 3), (2, 3)),), grad=2),
    Op("lax.gather.fill",
       lambda x: lax.gather(x, np.array([[1], [7], [-1], [0]], np.int32),
                            lax.GatherDimensionNumbers((1,), (0,), (0,)), (1, 3), mode="fill"),
       lambda x: np.stack([x[1], np.full(3, np.nan), np.full(3, np.nan), x[0]]).astype(
           x.dtype), 1, (F32,), ((4, 3),)),
    Op("lax.gather.clip",
       lambda x: lax.gather(x, np.array([[1], [5], [1], [-2]], np.int32),
                            lax.GatherDimensionNumbers((1,), (0,), (0,)), (1, 3), mode="clip"),
       _np_gather_clip, 1, (F32, I32), ((4, 3),), grad=2),
    Op("lax.scatter_add",
       lambda x, u: lax.scatter_add(x, np.array([[0], [2], [0], [9]], np.int32), u,
                                    lax.ScatterDimensionNumbers((), (0,), (0,))),
       lambda x, u: _np_scatter_add(x, np.array([0, 2, 0]), u[:3]), 2, (F32, I32),
       (((4,), (4,)),), grad=2),
    # --- glassbox.numpy manipulation -------------------------------------------------------
    Op("reshape", lambda x: jnp.reshape(x, (3, -1)), lambda x: np.reshape(x, (3, -1)), 1,
       MOVE, ((2, 3), (6, 1)), grad=2),
    Op("reshape.F", lambda x: jnp.reshape(x, (3, 2), order="F"),
       lambda x: np.reshape(x, (3, 2), order="F"), 1, (F32,), ((2, 3),), grad=2),
    Op("ravel", jnp.ravel, np.ravel, 1, MOVE, ((), (2, 3)), grad=2),
    Op("transpose", jnp.transpose, np.transpose, 1, MOVE, ((), (2, 3, 4)), grad=2),
    Op("moveaxis", lambda x: jnp.moveaxis(x, 0, -1), lambda x: np.moveaxis(x, 0, -1), 1,
       (F32,), ((2, 3, 4),), grad=2),
    Op("swapaxes", lambda x: jnp.swapaxes(x, 0, 2), lambda x: np.swapaxes(x, 0, 2), 1,
       (F32,), ((2, 3, 4),), grad=2),
    Op("squeeze", jnp.squeeze, np.squeeze, 1, MOVE, ((1, 3, 1),), grad=2),
    Op("expand_dims", lambda x: jnp.expand_dims(x, -1), lambda x: np.expand_dims(x, -1), 1,
       (F32,), ((), (2, 3)), grad=2),
    Op("concatenate", lambda x, y: jnp.concatenate([x, y], axis=-1),
       lambda x, y: np.concatenate([x, y], axis=-1), 2, MOVE, (((2, 3), (2, 2)),), grad=2),
    Op("stack", lambda x, y: jnp.stack([x, y], axis=1), lambda x, y: np.stack([x, y], 1), 2,
       MOVE, ((3,), (2, 3)), grad=2),
    Op("tile", lambda x: jnp.tile(x, (2, 1, 2)), lambda x: np.tile(x, (2, 1, 2)), 1, MOVE,
       ((), (2, 3)), grad=2),
    Op("repeat", lambda x: jnp.repeat(x, 2, axis=0), lambda x: np.repeat(x, 2, axis=0), 1,
       MOVE, ((3,), (2, 3)), grad=2),
    Op("flip", jnp.flip, np.flip, 1, MOVE, ((3,), (2, 3)), grad=2),
    Op("roll", lambda x: jnp.roll(x, 2, axis=-1), lambda x: np.roll(x, 2, axis=-1), 1,
       MOVE, ((3,), (2, 3)), grad=2),
    Op("rot90", jnp.rot90, np.rot90, 1, (F32,), ((2, 3),), grad=2),
    Op("pad.constant", lambda x: jnp.pad(x, ((1, 2), (0, 1)), constant_values=3),
       lambda x: np.pad(x, ((1, 2), (0, 1)), constant_values=3), 1, NUM, ((2, 3),), grad=2),
    Op("pad.reflect", lambda x: jnp.pad(x, 4, mode="reflect"),
       lambda x: np.pad(x, 4, mode="reflect"), 1, (F32, I32), ((2, 3),), grad=2),
    Op("pad.edge", lambda x: jnp.pad(x, (1, 3), mode="edge"),
       lambda x: np.pad(x, (1, 3), mode="edge"), 1, MOVE, ((2, 3),), grad=2),
    Op("broadcast_to", lambda x: jnp.broadcast_to(x, (4, 2, 3)),
       lambda x: np.broadcast_to(x, (4, 2, 3)), 1, MOVE, ((), (1, 3), (2, 3)), grad=2),
    Op("tril", lambda x: jnp.tril(x, 1), lambda x: np.tril(x, 1), 1, MOVE,
       ((3, 4), (2, 3, 3)), grad=1),
    Op("triu", lambda x: jnp.triu(x, -1), lambda x: np.triu(x, -1), 1, MOVE, ((3, 4),), grad=1),
    Op("diagonal", lambda x: jnp.diagonal(x, 1), lambda x: np.diagonal(x, 1), 1, MOVE,
       ((3, 4), (2, 3, 4)), grad=2),
    Op("trace", jnp.trace, np.trace, 1, (F32, I32, I8), ((3, 4),), grad=1),
    # --- indexing ----------------------------------------------------------------------------
    Op("getitem.basic", lambda x: x[1:, ::-2, None, 0], lambda x: x[1:, ::-2, None, 0], 1,
       MOVE, ((3, 4, 2),), grad=2),
    Op("getitem.int_array", lambda x, i: jnp.asarray(x)[i, 1:],
       lambda x, i: x[np.clip(i + 4 * (i < 0), 0, 3), 1:], 2, (F32, I32), (((4, 3), (2, 2)),),
       gen=(rand_small_int, _rand_index_oob)),
    # Gradients of out-of-bounds reads follow JAX (dropped), which finite differences
    # do not see: the gradient record uses in-bounds indices.
    Op("getitem.int_array.grad", lambda x, i: jnp.asarray(x)[i, 1:],
       lambda x, i: x[i, 1:], 2, (F32, I32), (((4, 3), (2, 2)),),
       gen=(rand_small_int, _rand_index_in_bounds), grad=1),
    Op("take", lambda x, i: jnp.take(x, i, axis=1, mode="clip"),
       lambda x, i: np.take(x, i, axis=1, mode="clip"), 2, (F32, I32),
       (((2, 4), (3,)),), gen=(rand_small_int, _rand_index_small), grad=1),
    Op("take_along_axis", lambda x, i: jnp.take_along_axis(x, i, axis=0),
       lambda x, i: np.take_along_axis(x, i, axis=0), 2, (F32,), (((4, 3), (2, 3)),),
       gen=(rand_small_int, lambda r, s, d: r.integers(0, 4, s).astype(np.int32)), grad=1),
    Op("at.add", lambda x, i, u: jnp.asarray(x).at[i].add(u),
       lambda x, i, u: _np_scatter_add(x, i, u), 3, (F32, I32), (((5,), (4,), (4,)),),
       gen=(rand_small_int, _rand_index_small, rand_small_int), grad=1),
    Op("at.set", lambda x, i, u: jnp.asarray(x).at[i].set(u), _np_set, 3, (F32, I32),
       (((5,), (3,), (3,)),), gen=(rand_default, _rand_index_unique, rand_default), grad=1),
    Op("at.mul", lambda x, i, u: jnp.asarray(x).at[i].multiply(u, unique_indices=True),
       _np_scatter(np.multiply.at), 3, (F32, I32), (((5, 2), (3,), (3, 2)),),
       gen=(rand_default, _rand_index_unique, rand_default), grad=1),
    Op("at.min", lambda x, i, u: jnp.asarray(x).at[i].min(u), _np_scatter(np.minimum.at), 3,
       (F32, I32),
       (((5,), (4,), (4,)),), gen=(rand_default, _rand_index_small, rand_default), grad=1),
    Op("at.max", lambda x, i, u: jnp.asarray(x).at[i].max(u), _np_scatter(np.maximum.at), 3,
       (F32, U8),
       (((5,), (4,), (4,)),), gen=(rand_default, _rand_index_small, rand_default), grad=1),
]
