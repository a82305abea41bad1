"""glassbox.numpy manipulation functions against NumPy (eager and jit), dtypes and
weak types, and the error messages of the shape and slicing primitives.

Each case is ``f(m, *arrays)`` run with ``m = numpy`` and ``m = glassbox.numpy``.
"""
import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import dtypes, lax

RNG = np.random.default_rng(0)
A = RNG.standard_normal((2, 3, 4)).astype(np.float32)
B = np.arange(12, dtype=np.int32).reshape(3, 4)
V = np.array([3.0, -1.0, 2.0, 5.0], np.float32)
M = np.array([[True, False], [False, True]])


def _pads():
    cases = []
    for mode in ("constant", "edge", "reflect", "symmetric", "wrap", "empty"):
        for pw in (1, (2, 3), ((1, 0), (3, 2)), ((5, 7), (9, 4))):
            if mode == "empty":
                continue
            cases.append((f"pad-{mode}-{pw}", lambda m, x, pw=pw, mode=mode:
                          m.pad(x, pw, mode=mode), B))
    return cases


CASES = [
    ("reshape", lambda m, x: m.reshape(x, (4, -1)), A),
    ("reshape_int", lambda m, x: m.reshape(x, 24), A),
    ("reshape_F", lambda m, x: m.reshape(x, (4, -1), order="F"), A),
    ("ravel", lambda m, x: m.ravel(x), A),
    ("ravel_F", lambda m, x: m.ravel(x, order="F"), A),
    ("transpose", lambda m, x: m.transpose(x, (1, 0, 2)), A),
    ("transpose_neg", lambda m, x: m.transpose(x, (-1, 0, 1)), A),
    ("transpose_default", lambda m, x: m.transpose(x), A),
    ("permute_dims", lambda m, x: m.permute_dims(x, (2, 1, 0)), A),
    ("matrix_transpose", lambda m, x: m.matrix_transpose(x), A),
    ("swapaxes", lambda m, x: m.swapaxes(x, 0, -1), A),
    ("moveaxis", lambda m, x: m.moveaxis(x, 0, -1), A),
    ("moveaxis_multi", lambda m, x: m.moveaxis(x, (0, 1), (2, 0)), A),
    ("rollaxis", lambda m, x: m.rollaxis(x, 2), A),
    ("rollaxis_start", lambda m, x: m.rollaxis(x, 0, 3), A),
    ("rollaxis_neg", lambda m, x: m.rollaxis(x, 0, -1), A),
    ("squeeze", lambda m, x: m.squeeze(m.reshape(x, (1, 24, 1))), A),
    ("squeeze_axis", lambda m, x: m.squeeze(m.reshape(x, (1, 24, 1)), axis=-1), A),
    ("expand_dims", lambda m, x: m.expand_dims(x, (0, -1)), A),
    ("concatenate", lambda m, x: m.concatenate([x, x * 2], axis=1), A),
    ("concatenate_none", lambda m, x, y: m.concatenate([x, y], axis=None), A, B),
    ("concatenate_mixed", lambda m, x, y: m.concatenate([x[0], y], axis=0), A, B),
    ("concatenate_array", lambda m, x: m.concatenate(x), A),
    ("stack", lambda m, x: m.stack([x, x], axis=-1), A),
    ("stack_array", lambda m, x: m.stack(x, axis=1), B),
    ("hstack", lambda m, x: m.hstack([x, x]), B),
    ("hstack_1d", lambda m, x: m.hstack([x[0], x[1]]), B),
    ("vstack", lambda m, x: m.vstack([x[0], x[1]]), B),
    ("dstack", lambda m, x: m.dstack([x, x]), B),
    ("column_stack", lambda m, x: m.column_stack([x[0], x[1]]), B),
    ("append", lambda m, x: m.append(x, x), B),
    ("append_axis", lambda m, x: m.append(x, x, axis=0), B),
    ("split", lambda m, x: m.split(x, 2, axis=1), B),
    ("split_indices", lambda m, x: m.split(x, [1, 3, 10], axis=1), B),
    ("split_negative", lambda m, x: m.split(x, [-1], axis=1), B),
    ("split_decreasing", lambda m, x: m.split(x, [3, 1], axis=1), B),
    ("array_split", lambda m, x: m.array_split(x, 3, axis=1), B),
    ("hsplit", lambda m, x: m.hsplit(x, 2), B),
    ("vsplit", lambda m, x: m.vsplit(x, 3), B),
    ("dsplit", lambda m, x: m.dsplit(x, [1]), A),
    ("tile", lambda m, x: m.tile(x, (2, 1, 2)), B),
    ("tile_int", lambda m, x: m.tile(x, 3), B),
    ("tile_scalar", lambda m, x: m.tile(x[0, 0], (2, 2)), B),
    ("repeat", lambda m, x: m.repeat(x, 2), B),
    ("repeat_axis", lambda m, x: m.repeat(x, 2, axis=1), B),
    ("repeat_array", lambda m, x: m.repeat(x, np.array([1, 0, 2]), axis=0), B),
    ("flip", lambda m, x: m.flip(x), A),
    ("flip_axes", lambda m, x: m.flip(x, (0, 2)), A),
    ("fliplr", lambda m, x: m.fliplr(x), B),
    ("flipud", lambda m, x: m.flipud(x), B),
    ("roll", lambda m, x: m.roll(x, 3), B),
    ("roll_axis", lambda m, x: m.roll(x, -1, axis=1), B),
    ("roll_multi", lambda m, x: m.roll(x, (1, 2), axis=(0, 1)), B),
    ("roll_big", lambda m, x: m.roll(x, 13, axis=0), B),
    ("rot90", lambda m, x: m.rot90(x), B),
    ("rot90_k3", lambda m, x: m.rot90(x, 3), B),
    ("rot90_k-2", lambda m, x: m.rot90(x, -2, axes=(1, 0)), B),
    ("rot90_3d", lambda m, x: m.rot90(x, 1, axes=(2, 0)), A),
    *_pads(),
    ("pad_constant_values", lambda m, x: m.pad(x, 2, constant_values=((1, 2), (3, 4))), B),
    ("pad_reflect_odd", lambda m, x: m.pad(x, ((5, 7), (9, 4)), mode="reflect",
                                           reflect_type="odd"), B.astype(np.float32)),
    ("pad_symmetric_odd", lambda m, x: m.pad(x, ((5, 7), (9, 4)), mode="symmetric",
                                             reflect_type="odd"), B.astype(np.float32)),
    ("pad_bool", lambda m, x: m.pad(x, 1, constant_values=True), M),
    ("broadcast_to", lambda m, x: m.broadcast_to(x, (2, 3, 4)), B),
    ("broadcast_to_int", lambda m, x: m.broadcast_to(x[0, 0], 3), B),
    ("broadcast_arrays", lambda m, x: m.broadcast_arrays(x, x[:, :1], 1), B),
    ("atleast_1d", lambda m, x: m.atleast_1d(x[0, 0]), B),
    ("atleast_2d", lambda m, x: m.atleast_2d(x[0, 0], x[0]), B),
    ("atleast_3d", lambda m, x: m.atleast_3d(x[0], x, x[0, 0]), B),
    ("diagonal", lambda m, x: m.diagonal(x), B),
    ("diagonal_pos", lambda m, x: m.diagonal(x, 1), B),
    ("diagonal_neg", lambda m, x: m.diagonal(x, -2), B),
    ("diagonal_far", lambda m, x: m.diagonal(x, 7), B),
    ("diagonal_3d", lambda m, x: m.diagonal(x, 1, 2, 0), A),
    ("tril", lambda m, x: m.tril(x), B),
    ("tril_neg", lambda m, x: m.tril(x, -1), A),
    ("triu", lambda m, x: m.triu(x, 1), B),
    ("triu_bool", lambda m, x: m.triu(x), M),
    ("trace", lambda m, x: m.trace(x), B),
    ("trace_offset", lambda m, x: m.trace(x, 1, 0, 2), A),
    ("delete", lambda m, x: m.delete(x, 1, axis=1), B),
    ("delete_flat", lambda m, x: m.delete(x, [0, 2, -1]), B),
    ("delete_slice", lambda m, x: m.delete(x, slice(0, 3, 2), axis=1), B),
    ("delete_mask", lambda m, x: m.delete(x, np.array([True, False, True]), axis=0), B),
    ("insert", lambda m, x: m.insert(x, 1, 99, axis=1), B),
    ("insert_flat", lambda m, x: m.insert(x, [1, 1, 3], [7, 8, 9]), B),
    ("insert_columns", lambda m, x: m.insert(x, [0, 4], np.array([[7], [8], [9]]), axis=1), B),
    ("insert_row", lambda m, x: m.insert(x, 2, np.array([[7, 8, 9, 10]]), axis=0), B),
    ("insert_slice", lambda m, x: m.insert(x, slice(0, 2), 5, axis=0), B),
    ("unravel_index", lambda m, x: m.unravel_index(x, (3, 4)), B),
    ("take", lambda m, x: m.take(x, np.array([[0, 2], [1, 1]]), axis=1), B),
    ("take_flat", lambda m, x: m.take(x, np.array([11, 0])), B),
    ("take_along_axis", lambda m, x: m.take_along_axis(x, np.array([[1], [0], [3]]), 1), B),
    ("take_along_axis_bcast", lambda m, x: m.take_along_axis(
        x, np.array([[2, 0, 1, 1]]), axis=0), B),
]


def _check(out, expected):
    if isinstance(expected, (list, tuple)):
        assert isinstance(out, (list, tuple)) and len(out) == len(expected)
        for o, e in zip(out, expected):
            _check(o, e)
        return
    expected = np.asarray(expected)
    assert out.shape == expected.shape, (out.shape, expected.shape)
    assert out.dtype == dtypes.canonicalize_dtype(expected.dtype), (out.dtype, expected.dtype)
    np.testing.assert_allclose(np.asarray(out), expected, rtol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_matches_numpy(case):
    _, f, *args = case
    expected = f(np, *args)
    arrays = [gb.device_put(a) for a in args]
    _check(f(jnp, *arrays), expected)
    _check(gb.jit(lambda *xs: f(jnp, *xs))(*arrays), expected)


def test_shape_ndim_size():
    assert jnp.shape(B) == (3, 4) and jnp.shape(2.0) == ()
    assert jnp.ndim(jnp.zeros((2, 3, 1))) == 3 and jnp.ndim(1) == 0
    assert jnp.size(B) == 12 and jnp.size(B, -1) == 4
    assert jnp.broadcast_shapes((3, 1), (1, 4), (4,)) == (3, 4)


def test_weak_types_follow_jax():
    w = jnp.asarray(1.0)                  # float32, weakly typed
    assert jnp.reshape(w, (1, 1)).weak_type
    assert jnp.broadcast_to(2.0, (3,)).weak_type
    assert jnp.concatenate([jnp.ones(2), jnp.ones(2)]).dtype == np.float32
    assert not jnp.concatenate([jnp.ones(2), jnp.expand_dims(w, 0)]).weak_type
    assert jnp.concatenate([jnp.expand_dims(w, 0)] * 2).weak_type
    assert jnp.stack([jnp.ones(2, jnp.int32), jnp.ones(2)]).dtype == np.float32
    assert jnp.concatenate([jnp.ones(2, jnp.int8), np.ones(2, np.uint8)]).dtype == np.int16
    assert jnp.stack([1, 2.5]).dtype == np.float32


def test_traced_roll_shift_and_repeats():
    x = jnp.arange(5)
    f = gb.jit(lambda x, s: jnp.roll(x, s))
    for s in (0, 2, -3, 12):
        np.testing.assert_array_equal(np.asarray(f(x, s)), np.roll(np.arange(5), s))
    reps = jnp.array([1, 0, 3, 1, 0])
    out = gb.jit(lambda x, r: jnp.repeat(x, r, total_repeat_length=5))(x, reps)
    np.testing.assert_array_equal(np.asarray(out), np.repeat(np.arange(5), [1, 0, 3, 1, 0]))
    with pytest.raises(gb.ConcretizationTypeError, match="total_repeat_length"):
        gb.jit(lambda x, r: jnp.repeat(x, r))(x, reps)


def test_ravel_multi_index_modes():
    i, j = np.array([0, 2, 5]), np.array([3, -1, 1])
    np.testing.assert_array_equal(
        np.asarray(jnp.ravel_multi_index((i, j), (3, 4), mode="clip")),
        np.ravel_multi_index((i, j), (3, 4), mode="clip"))
    np.testing.assert_array_equal(
        np.asarray(jnp.ravel_multi_index((i, j), (3, 4), mode="wrap", order="F")),
        np.ravel_multi_index((i, j), (3, 4), mode="wrap", order="F"))
    good = (np.array([0, 2]), np.array([3, 1]))
    np.testing.assert_array_equal(np.asarray(jnp.ravel_multi_index(good, (3, 4))),
                                  np.ravel_multi_index(good, (3, 4)))
    with pytest.raises(ValueError, match="invalid entry"):
        jnp.ravel_multi_index((i, j), (3, 4))
    with pytest.raises(gb.ConcretizationTypeError, match="mode='wrap'"):
        gb.jit(lambda a, b: jnp.ravel_multi_index((a, b), (3, 4)))(*good)


def test_unravel_index_clips_like_jax():
    out = jnp.unravel_index(jnp.array([-1, 12, -13, 5]), (3, 4))
    expected = np.unravel_index(np.clip(np.array([11, 12, -1, 5]), 0, 11), (3, 4))
    for o, e in zip(out, expected):
        np.testing.assert_array_equal(np.asarray(o), e)


@pytest.mark.parametrize("f, error, match", [
    (lambda: jnp.reshape(jnp.asarray(B), (5, -1)), TypeError, "cannot reshape"),
    (lambda: jnp.reshape(B, (-1, -1)), ValueError, "one unknown dimension"),
    (lambda: jnp.squeeze(B, 0), ValueError, "size not equal to one"),
    (lambda: jnp.transpose(B, (0, 0)), ValueError, "not a permutation"),
    (lambda: jnp.concatenate([B, A]), ValueError, "must match exactly"),
    (lambda: jnp.concatenate([]), ValueError, "at least one array"),
    (lambda: jnp.concatenate([B[0, 0]]), ValueError, "zero-dimensional"),
    (lambda: jnp.stack([B, B[0]]), ValueError, "same shape"),
    (lambda: jnp.split(B, 3, axis=1), ValueError, "equal division"),
    (lambda: jnp.broadcast_to(B, (4, 4)), ValueError, "incompatible shapes"),
    (lambda: jnp.broadcast_shapes((2,), (3,)), ValueError, "cannot be broadcast"),
    (lambda: jnp.swapaxes(B, 0, 2), ValueError, "out of bounds"),
    (lambda: jnp.pad(B, -1), ValueError, "non-negative"),
    (lambda: jnp.pad(B, 1, mode="median"), NotImplementedError, "not supported"),
    (lambda: jnp.tril(V), ValueError, "at least 2-D"),
    (lambda: jnp.fliplr(V), ValueError, "at least 2 dimensions"),
    (lambda: jnp.delete(B, 5, axis=0), IndexError, "out of bounds"),
    (lambda: jnp.diagonal(V), ValueError, "at least two dimensions"),
    (lambda: jnp.reshape([1, 2], (2,)), TypeError, "got list"),
    (lambda: jnp.rot90(B, axes=(1, 1)), ValueError, "different"),
    (lambda: jnp.take_along_axis(B, np.array([0]), axis=0), ValueError,
     "same number of dimensions"),
], ids=["reshape", "reshape_two_unknown", "squeeze", "transpose", "concatenate_shapes",
        "concatenate_empty", "concatenate_scalar", "stack_shapes", "split_unequal",
        "broadcast_to", "broadcast_shapes", "swapaxes", "pad_negative", "pad_mode", "tril_1d",
        "fliplr_1d", "delete_oob", "diagonal_1d", "list_argument", "rot90_axes",
        "take_along_axis_rank"])
def test_manipulation_errors(f, error, match):
    with pytest.raises(error, match=match):
        f()


# --- the lax shape and slicing primitives: shape rules name what is wrong -------------------

X = np.zeros((2, 3), np.float32)
_G = lax.GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,),
                                start_index_map=(0,))
_S = lax.ScatterDimensionNumbers(update_window_dims=(1,), inserted_window_dims=(0,),
                                 scatter_dims_to_operand_dims=(0,))
_I = np.array([[1]], np.int32)


@pytest.mark.parametrize("f, error, match", [
    (lambda: lax.squeeze(X, (1,)), ValueError, "size not equal to one"),
    (lambda: lax.squeeze(X, (5,)), ValueError, "out of bounds"),
    (lambda: lax.expand_dims(X, (0, 0)), ValueError, "repeated"),
    (lambda: lax.concatenate([X, X.T], 0), TypeError, "equal shapes except"),
    (lambda: lax.concatenate([X, X.astype(np.int32)], 0), TypeError, "same dtypes"),
    (lambda: lax.concatenate([], 0), ValueError, "non-empty"),
    (lambda: lax.pad(X, np.float32(0), [(0, 0, 0)]), ValueError, "one .* triple per"),
    (lambda: lax.pad(X, np.int32(0), [(0, 0, 0)] * 2), TypeError, "same dtype"),
    (lambda: lax.pad(X, np.float32(0), [(0, 0, -1)] * 2), ValueError, "interior"),
    (lambda: lax.pad(X, np.float32(0), [(-2, -2, 0)] * 2), ValueError, "negative"),
    (lambda: lax.rev(X, (0, 0)), ValueError, "repeated"),
    (lambda: lax.broadcasted_iota(np.int32, (2, 3), 2), ValueError, "out of bounds"),
    (lambda: lax.iota(np.bool_, 3), TypeError, "bool"),
    (lambda: lax.slice(X, (0, 0), (3, 3)), TypeError, "start <= limit <= size"),
    (lambda: lax.slice(X, (0,), (1,)), TypeError, "one entry per dimension"),
    (lambda: lax.slice(X, (0, 0), (2, 3), (0, 1)), TypeError, "positive"),
    (lambda: lax.dynamic_slice(X, (0,), (1, 1)), ValueError, "one per dimension"),
    (lambda: lax.dynamic_slice(X, (0, 0), (3, 1)), TypeError, "between 0 and the operand"),
    (lambda: lax.dynamic_slice(X, (jnp.int32(0), jnp.int8(0)), (1, 1)), TypeError,
     "share one integer dtype"),
    (lambda: lax.dynamic_slice(X, (0.5, 0), (1, 1)), TypeError, "integer scalars"),
    (lambda: lax.dynamic_update_slice(X, np.ones((3, 1), np.float32), (0, 0)), TypeError,
     "fit inside"),
    (lambda: lax.dynamic_update_slice(X, np.ones((1, 1), np.int32), (0, 0)), TypeError,
     "same dtype"),
    (lambda: lax.gather(X, _I.astype(np.float32), _G, (1, 3)), TypeError, "integer dtype"),
    (lambda: lax.gather(X, _I, _G, (2, 3)), TypeError, "slice size 1"),
    (lambda: lax.gather(X, _I, _G, (1, 4)), TypeError, r"within \[0, 3\]"),
    (lambda: lax.gather(X, _I, _G._replace(start_index_map=(0, 1)), (1, 3)), TypeError,
     "start_index_map"),
    (lambda: lax.gather(X, _I, _G, (1, 3), mode="wrong"), ValueError, "Unknown"),
    (lambda: lax.gather(X, _I, (1,), (1, 3)), TypeError, "GatherDimensionNumbers"),
    (lambda: lax.scatter_add(X, _I, np.ones((1, 4), np.float32), _S), TypeError,
     "window bound"),
    (lambda: lax.scatter(X, _I, np.ones((2, 3), np.float32), _S), TypeError,
     "batch dimensions of indices"),
    (lambda: lax.scatter(X, _I, np.ones((1, 3), np.int32), _S), TypeError, "same dtype"),
    (lambda: lax.scatter_add(X.astype(bool), _I, np.ones((1, 3), bool), _S), TypeError,
     "bool"),
])
def test_primitive_errors(f, error, match):
    with pytest.raises(error, match=match):
        f()


def test_lax_wrappers_match_numpy():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    np.testing.assert_array_equal(np.asarray(lax.collapse(x, 1)), x.reshape(2, 12))
    np.testing.assert_array_equal(np.asarray(lax.slice_in_dim(x, -3, None, 2, axis=2)),
                                  x[:, :, 1::2])
    np.testing.assert_array_equal(np.asarray(lax.index_in_dim(x, -1, 1, keepdims=False)),
                                  x[:, -1])
    np.testing.assert_array_equal(np.asarray(lax.dynamic_index_in_dim(x, 5, 2, False)),
                                  x[..., 3])
    np.testing.assert_array_equal(
        np.asarray(lax.dynamic_update_index_in_dim(x, np.ones((2, 4), np.float32), -1, 1)),
        np.concatenate([x[:, :2], np.ones((2, 1, 4), np.float32)], 1))
    np.testing.assert_array_equal(np.asarray(lax.iota(np.float32, 3)), [0.0, 1.0, 2.0])
    np.testing.assert_array_equal(np.asarray(lax.broadcasted_iota(np.int32, (2, 3), 0)),
                                  [[0, 0, 0], [1, 1, 1]])
    with pytest.raises(IndexError, match="out of bounds"):
        lax.index_in_dim(x, 3, 1)


def test_scatter_modes_and_update_regions():
    z = np.zeros(5, np.float32)
    idx = np.array([[1], [1], [4], [7], [-1]], np.int32)
    upd = np.array([1.0, 2.0, 3.0, 4.0, 5.0], np.float32)
    s = lax.ScatterDimensionNumbers((), (0,), (0,))
    np.testing.assert_array_equal(np.asarray(lax.scatter_add(z, idx, upd, s)),
                                  [0, 3, 0, 0, 3])
    np.testing.assert_array_equal(np.asarray(lax.scatter_add(z, idx, upd, s, mode="clip")),
                                  [5, 3, 0, 0, 7])
    np.testing.assert_array_equal(np.asarray(lax.scatter_mul(z + 2, idx, upd, s)),
                                  [2, 4, 2, 2, 6])
    np.testing.assert_array_equal(np.asarray(lax.scatter_min(z, idx, upd - 3, s)),
                                  [0, -2, 0, 0, 0])
    np.testing.assert_array_equal(np.asarray(lax.scatter_max(z, idx, upd, s)),
                                  [0, 2, 0, 0, 3])
    np.testing.assert_array_equal(np.asarray(lax.scatter_sub(z, idx, upd, s)),
                                  [0, -3, 0, 0, -3])
    x = np.arange(3.0, dtype=np.float32)
    g = lax.GatherDimensionNumbers((), (0,), (0,))
    gi = np.array([[2], [0], [3], [-1]], np.int32)
    np.testing.assert_array_equal(np.asarray(lax.gather(x, gi, g, (1,))), [2, 0, 2, 0])
    out = np.asarray(lax.gather(x, gi, g, (1,), mode="fill"))
    np.testing.assert_array_equal(out[:2], [2, 0])
    assert np.isnan(out[2:]).all()
    xi = np.arange(3, dtype=np.uint8)
    np.testing.assert_array_equal(np.asarray(lax.gather(xi, gi, g, (1,), mode="fill")),
                                  [2, 0, 255, 255])


def test_gather_and_scatter_with_batching_dims():
    x = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    i = np.array([[2], [0]], np.int32)
    g = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(1,),
                                   start_index_map=(1,), operand_batching_dims=(0,),
                                   start_indices_batching_dims=(0,))
    np.testing.assert_array_equal(np.asarray(lax.gather(x, i, g, (1, 1))), [2.0, 3.0])
    np.testing.assert_array_equal(np.asarray(lax.gather(x, i, g, (1, 1), mode="fill")),
                                  [2.0, 3.0])
    s = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(1,),
                                    scatter_dims_to_operand_dims=(1,), operand_batching_dims=(0,),
                                    scatter_indices_batching_dims=(0,))
    expected = x.copy()
    expected[0, 2] += 10
    expected[1, 0] += 20
    out = gb.jit(lambda x, i: lax.scatter_add(x, i, np.array([10.0, 20.0], np.float32), s))(x, i)
    np.testing.assert_array_equal(np.asarray(out), expected)


# --- autodiff and vmap rules of the shape primitives -------------------------------------------
# Each rule is checked exactly against NumPy where the cotangent has a closed form; the op
# table checks every record against finite differences and a Python loop.

def _vjp(f, args, ct):
    return [np.asarray(c) for c in gb.vjp(f, *args)[1](np.asarray(ct, np.float32))]


def test_broadcast_in_dim_transpose_sums_new_and_expanded_dims():
    x = np.ones((1, 3), np.float32)
    ct = RNG.standard_normal((2, 4, 3)).astype(np.float32)
    (got,) = _vjp(lambda x: lax.broadcast_in_dim(x, (2, 4, 3), (1, 2)), (x,), ct)
    np.testing.assert_allclose(got, ct.sum((0, 1))[None], rtol=1e-6)
    assert got.shape == (1, 3)
    # size-1 dims that stay size 1, and expand_dims (a broadcast_in_dim)
    (got,) = _vjp(lambda x: lax.expand_dims(x, (0, 2)), (x,), ct[:1, :1, :].reshape(1, 1, 1, 3))
    np.testing.assert_array_equal(got, ct[:1, :1, :].reshape(1, 3))


def test_pad_transpose_with_negative_and_interior_padding():
    x, value = np.arange(6.0, dtype=np.float32).reshape(3, 2), np.float32(0.5)
    config = [(1, -2, 2), (-1, 1, 1)]
    f = lambda x, v: lax.pad(x, v, config)  # noqa: E731
    out_shape = gb.eval_shape(f, x, value).shape
    ct = RNG.standard_normal(out_shape).astype(np.float32)
    ct_x, ct_v = _vjp(f, (x, value), ct)
    # NumPy reference: where each element of x lands, by padding an index array
    where = np.asarray(lax.pad(np.arange(1, 7, dtype=np.float32).reshape(3, 2), np.float32(0),
                               config))
    expected = np.zeros(6, np.float32)
    for k in range(1, 7):
        expected[k - 1] = ct[where == k].sum()
    np.testing.assert_allclose(ct_x, expected.reshape(3, 2), rtol=1e-6)
    np.testing.assert_allclose(ct_v, ct[where == 0].sum(), rtol=1e-5)
    gb.test_util.check_grads(f, (x, value), order=2, eps=1e-3)


def test_concatenate_transpose_with_constant_operands():
    x = RNG.standard_normal((2, 3)).astype(np.float32)
    ct = RNG.standard_normal((2, 8)).astype(np.float32)
    f = lambda x: lax.concatenate([np.ones((2, 2), np.float32), x, x], 1)  # noqa: E731
    (got,) = _vjp(f, (x,), ct)
    np.testing.assert_allclose(got, ct[:, 2:5] + ct[:, 5:], rtol=1e-6)


@pytest.mark.parametrize("in_axes", [(0, 0), (None, 0), (1, None)])
def test_vmap_of_pad_with_batched_operand_or_padding_value(in_axes):
    xs = RNG.standard_normal((3, 2, 3)).astype(np.float32)
    vs = RNG.standard_normal(3).astype(np.float32)
    args = (xs if in_axes[0] is None or in_axes[0] == 0 else np.moveaxis(xs, 0, 1), vs)
    args = tuple(a if ax is not None else a[0] for a, ax in zip(args, in_axes))
    f = lambda x, v: lax.pad(x, v, [(1, 0, 1), (-1, 2, 0)])  # noqa: E731
    out = gb.vmap(f, in_axes)(*args)
    n = 3
    expected = np.stack([np.asarray(f(*[a if ax is None else np.take(a, i, ax)
                                        for a, ax in zip(args, in_axes)])) for i in range(n)])
    np.testing.assert_array_equal(np.asarray(out), expected)


def test_vmap_keeps_batch_dims_in_place_where_it_can():
    # broadcast_in_dim, squeeze, rev and slice carry the batch dim (last here) along
    # without a transpose; out_axes is where the rule left it.
    xs = RNG.standard_normal((2, 1, 3)).astype(np.float32)
    for f, out_axis in [(lambda x: lax.broadcast_in_dim(x, (4, 2, 3), (0, 2)), 3),
                        (lambda x: lax.squeeze(x, (0,)), 1), (lambda x: lax.rev(x, (0,)), 2),
                        (lambda x: lax.slice(x, (0, 0), (1, 2)), 2)]:
        g = gb.vmap(f, in_axes=2, out_axes=out_axis)
        batched = np.ascontiguousarray(xs.transpose(1, 2, 0))
        assert "transpose" not in {e.primitive.name for e in gb.make_jaxpr(g)(batched).eqns}
        expected = np.stack([np.asarray(f(xs[i])) for i in range(2)], out_axis)
        np.testing.assert_array_equal(np.asarray(g(batched)), expected)


def test_iota_under_transforms_is_a_constant():
    f = lambda x: x * lax.iota(np.float32, 3)  # noqa: E731
    np.testing.assert_array_equal(np.asarray(gb.vmap(f)(np.ones((2, 3), np.float32))),
                                  [[0, 1, 2], [0, 1, 2]])
    _, t = gb.jvp(f, (np.ones(3, np.float32),), (np.ones(3, np.float32),))
    np.testing.assert_array_equal(np.asarray(t), [0, 1, 2])


# --- NumPy inputs: what JAX returns for them ---------------------------------

A64 = np.arange(6, dtype=np.float64).reshape(2, 3)
B64 = np.arange(6, dtype=np.int64).reshape(1, 2, 3)

# (call, type JAX 0.10.2 returns, its dtype): jnp.reshape forwards to the NumPy
# array's own method; everything else returns an Array, canonicalized (x64 off),
# even where nothing moves (a no-op transpose, squeeze or concatenate of one).
NUMPY_INPUT_CASES = [
    (lambda: jnp.reshape(A64, (3, 2)), np.ndarray, np.float64),
    (lambda: jnp.reshape(A64, (2, 3)), np.ndarray, np.float64),
    (lambda: jnp.reshape(B64, -1), np.ndarray, np.int64),
    (lambda: jnp.ravel(A64), gb.Array, np.float32),
    (lambda: jnp.ravel(np.arange(3.0)), gb.Array, np.float32),
    (lambda: jnp.transpose(A64), gb.Array, np.float32),
    (lambda: jnp.transpose(np.arange(3)), gb.Array, np.int32),
    (lambda: jnp.permute_dims(A64, (0, 1)), gb.Array, np.float32),
    (lambda: jnp.squeeze(B64), gb.Array, np.int32),
    (lambda: jnp.squeeze(A64), gb.Array, np.float32),
    (lambda: jnp.expand_dims(A64, 0), gb.Array, np.float32),
    (lambda: jnp.swapaxes(A64, 0, 0), gb.Array, np.float32),
    (lambda: jnp.moveaxis(A64, 0, 0), gb.Array, np.float32),
    (lambda: jnp.concatenate([A64]), gb.Array, np.float32),
    (lambda: jnp.concatenate([A64, A64]), gb.Array, np.float32),
    (lambda: jnp.rot90(A64, 0), gb.Array, np.float32),
    (lambda: jnp.broadcast_to(A64, (2, 3)), gb.Array, np.float32),
    (lambda: lax.rev(A64, ()), gb.Array, np.float32),
    (lambda: lax.convert_element_type(A64, np.float32), gb.Array, np.float32),
]


@pytest.mark.parametrize("call, kind, dtype", NUMPY_INPUT_CASES)
def test_numpy_inputs_give_what_jax_gives(call, kind, dtype):
    out = call()
    assert isinstance(out, kind) and out.dtype == dtype
    if kind is gb.Array:
        assert not out.weak_type


# --- arrays too large for XLA to size ----------------------------------------

@pytest.mark.parametrize("call", [
    lambda: jnp.zeros((2 ** 40, 2 ** 40)),
    lambda: gb.jit(lambda: jnp.zeros((2 ** 40, 2 ** 40)))(),
    lambda: jnp.broadcast_to(1.0, (2 ** 62,)),
    lambda: jnp.ones((2 ** 16,) * 4, bool),
])
def test_arrays_overflowing_int64_bytes_raise_instead_of_aborting(call):
    # XLA (and real JAX) abort the whole process on these; glassbox refuses first.
    with pytest.raises(ValueError, match=r"bytes: more than any device can address"):
        call()


def test_huge_shapes_are_still_fine_abstractly():
    out = gb.eval_shape(lambda: jnp.zeros((2 ** 40, 2 ** 40)))
    assert out.shape == (2 ** 40, 2 ** 40) and out.dtype == np.float32
