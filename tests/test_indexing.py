"""NumPy indexing (``x[idx]``) and indexed updates (``x.at[idx]``) against NumPy.

One table of index expressions, checked eager, under jit with the index
closed over, and under jit with integer arrays passed as traced arguments.
Out-of-bounds behaviour follows JAX (reads clamp, updates drop), so its
references clamp/drop explicitly with NumPy.
"""
import warnings

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.numpy.indexing import NonConcreteBooleanIndexError

X = np.arange(60, dtype=np.float32).reshape(4, 5, 3)
MASK0 = np.array([True, False, True, True])
MASK01 = (np.arange(20).reshape(4, 5) % 3) == 0

INDICES = [
    0, -1, (1, 2), (1, -2, 0), slice(None), slice(1, 3), slice(None, None, -1),
    slice(-1, 0, -2), slice(10, 20), slice(-10, 2), (slice(1, None, 2), slice(None, None, -2)),
    (Ellipsis, 1), (None, 1), (1, None, Ellipsis, None), (), Ellipsis, np.int32(2),
    (slice(None), slice(4, 1, -1), slice(None, None, 2)),
    # integer arrays (advanced indexing)
    np.array([0, 2, -1]), np.array([[0, 1], [3, 2]]), (np.array([0, 1]), np.array([1, 4])),
    (slice(None), np.array([0, 0, 4])), (np.array([0, 1]), slice(None), np.array([1, 2])),
    (0, slice(None), np.array([2, 1])), (slice(None), [0, 2]), (slice(None), [[0], [4]], 1),
    (np.array([1, 0]), Ellipsis, np.array([0, 2])), (None, np.array([1, 2]), None),
    (np.array(1),), (1, np.array([[0, 1]]), np.array([[2], [0]])),
    (slice(None, None, -1), np.array([3, 0])), (np.array([], np.int32),),
    # boolean masks
    MASK0, (MASK0, 1), (slice(None), np.array([True, False, False, True, True])), MASK01,
    (MASK01, 2), (Ellipsis, np.array([True, False, True])), True, False, (1, True),
    np.bool_(True), (np.array(True),),
]


def _id(idx):
    return repr(idx).replace(" ", "").replace("\n", "")[:60]


def _traced_parts(idx):
    """Split integer arrays out of ``idx`` so they can be jit arguments."""
    parts = idx if isinstance(idx, tuple) else (idx,)
    arrays = [p for p in parts if isinstance(p, np.ndarray) and p.dtype.kind in "iu"]

    def rebuild(traced):
        it = iter(traced)
        out = tuple(next(it) if isinstance(p, np.ndarray) and p.dtype.kind in "iu" else p
                    for p in parts)
        return out if isinstance(idx, tuple) else out[0]
    return arrays, rebuild


@pytest.mark.parametrize("idx", INDICES, ids=_id)
def test_getitem_matches_numpy(idx):
    jx = gb.device_put(X)
    expected = X[idx]
    out = jx[idx]
    assert out.dtype == np.float32 and out.shape == expected.shape
    np.testing.assert_array_equal(np.asarray(out), expected)
    np.testing.assert_array_equal(np.asarray(gb.jit(lambda x: x[idx])(jx)), expected)
    arrays, rebuild = _traced_parts(idx)
    if arrays:
        traced = gb.jit(lambda x, *a: x[rebuild(a)])(jx, *arrays)
        np.testing.assert_array_equal(np.asarray(traced), expected)


def test_getitem_keeps_dtype_and_weak_type():
    x = jnp.asarray(3.0) * jnp.ones(4, jnp.float32)
    w = lax.broadcast_in_dim(jnp.asarray(2.0), (3,), ())
    assert w.weak_type and w[1].weak_type and w[np.array([0, 2])].weak_type
    assert not x[1].weak_type
    b = jnp.array([True, False, True])
    assert b[np.array([2, 1])].dtype == np.bool_


# --- out of bounds: reads clamp (after negative indices count from the end) ------------

def _clamp(i, n):
    i = np.asarray(i)
    return np.clip(np.where(i < 0, i + n, i), 0, n - 1)


@pytest.mark.parametrize("i", [4, 10, -5, -100, np.array([7, -9, 2, -1])], ids=repr)
def test_out_of_bounds_reads_clamp(i):
    jx = gb.device_put(X)
    expected = X[_clamp(i, 4)]
    np.testing.assert_array_equal(np.asarray(jx[i]), expected)
    np.testing.assert_array_equal(np.asarray(gb.jit(lambda x, j: x[j])(jx, i)), expected)


@pytest.mark.parametrize("i", [2, -1, 9, -9], ids=repr)
def test_traced_scalar_index_uses_dynamic_slice(i):
    jx = gb.device_put(X)
    f = lambda x, j: x[1, j]  # noqa: E731
    np.testing.assert_array_equal(np.asarray(gb.jit(f)(jx, i)), X[1, _clamp(i, 5)])
    prims = [e.primitive.name for e in gb.make_jaxpr(f)(jx, i).eqns]
    assert "dynamic_slice" in prims and "gather" not in prims


def test_primitives_chosen_as_in_jax():
    jx = gb.device_put(X)
    names = lambda f: {e.primitive.name for e in gb.make_jaxpr(f)(jx).eqns}  # noqa: E731
    assert names(lambda x: x[1:3, ::-1, 0]) <= {"slice", "rev", "squeeze"}
    assert "gather" in names(lambda x: x[np.array([0, 2])])
    assert "gather" not in names(lambda x: x[..., None, 2])


def test_get_fill_mode():
    jx = gb.device_put(X)
    out = jx.at[np.array([0, 7, -1])].get(mode="fill")
    np.testing.assert_array_equal(np.asarray(out)[[0, 2]], X[[0, 3]])
    assert np.isnan(np.asarray(out)[1]).all()
    out = jx.at[7].get(mode="fill", fill_value=-1.0)
    np.testing.assert_array_equal(np.asarray(out), np.full((5, 3), -1.0, np.float32))
    xi = jnp.arange(5)
    assert int(xi.at[9].get(mode="fill")) == np.iinfo(np.int32).min
    assert int(xi.at[9].get(mode="clip")) == 4
    f = gb.jit(lambda x, i: x.at[i].get(mode="fill", fill_value=99))
    assert int(f(xi, 2)) == 2 and int(f(xi, 5)) == 99


# --- x.at[idx] updates ----------------------------------------------------------------------

UNIQUE_UPDATES = [
    1, (1, 2), slice(1, 3), (slice(None), 0), (slice(None), slice(None, None, -2)),
    np.array([2, 0]), (np.array([0, 1]), slice(None), np.array([2, 0])), (None, 1),
    (Ellipsis, np.array([1, 0])), MASK0, (MASK01, 1), -1, (slice(3, 0, -1), 4),
]
REPEATED_UPDATES = [np.array([0, 2, 2, 0]), (slice(None), np.array([1, 1, 4])),
                    (np.array([1, 1]), np.array([3, 3]), 0)]


def _values(idx, rng):
    return rng.integers(-5, 5, X[idx].shape).astype(np.float32)


@pytest.mark.parametrize("idx", UNIQUE_UPDATES, ids=_id)
def test_at_set_matches_numpy(idx):
    v = _values(idx, np.random.default_rng(0))
    expected = X.copy()
    expected[idx] = v
    jx = gb.device_put(X)
    np.testing.assert_array_equal(np.asarray(jx.at[idx].set(v)), expected)
    np.testing.assert_array_equal(
        np.asarray(gb.jit(lambda x, v: x.at[idx].set(v))(jx, v)), expected)


_UFUNC_AT = {"add": np.add.at, "multiply": np.multiply.at, "min": np.minimum.at,
             "max": np.maximum.at, "subtract": np.subtract.at}


@pytest.mark.parametrize("method", list(_UFUNC_AT))
@pytest.mark.parametrize("idx", UNIQUE_UPDATES[:8] + REPEATED_UPDATES, ids=_id)
def test_at_update_matches_ufunc_at(idx, method):
    v = _values(idx, np.random.default_rng(1))
    expected = X.copy()
    _UFUNC_AT[method](expected, idx, v)
    jx = gb.device_put(X)
    np.testing.assert_array_equal(np.asarray(getattr(jx.at[idx], method)(v)), expected)
    arrays, rebuild = _traced_parts(idx)
    f = gb.jit(lambda x, v, *a: getattr(x.at[rebuild(a)], method)(v))
    np.testing.assert_array_equal(np.asarray(f(jx, v, *arrays)), expected)


def test_at_scalar_values_broadcast_and_mul_alias():
    jx = gb.device_put(X)
    expected = X.copy()
    expected[:, 1] *= 2
    np.testing.assert_array_equal(np.asarray(jx.at[:, 1].mul(2)), expected)
    expected = X.copy()
    expected[1:3] = np.arange(3, dtype=np.float32)
    np.testing.assert_array_equal(np.asarray(jx.at[1:3].set(np.arange(3))), expected)


def test_at_divide_and_power():
    x = np.arange(1, 7, dtype=np.float32)
    jx = gb.device_put(x)
    expected = x.copy()
    expected[[1, 3]] /= 4
    np.testing.assert_allclose(np.asarray(jx.at[np.array([1, 3])].divide(4.0)), expected)
    expected = x.copy()
    expected[2:] **= 2
    np.testing.assert_allclose(np.asarray(jx.at[2:].power(2.0)), expected)


def test_at_out_of_bounds_updates_drop_or_clip():
    x = jnp.zeros(5, jnp.int32)
    np.testing.assert_array_equal(np.asarray(x.at[10].set(7)), np.zeros(5))
    np.testing.assert_array_equal(np.asarray(x.at[-6].set(7)), np.zeros(5))
    np.testing.assert_array_equal(np.asarray(x.at[np.array([0, 9, -1])].add(1)),
                                  [1, 0, 0, 0, 1])
    np.testing.assert_array_equal(np.asarray(x.at[10].set(7, mode="clip")), [0, 0, 0, 0, 7])
    f = gb.jit(lambda x, i: x.at[i].add(3))
    np.testing.assert_array_equal(np.asarray(f(x, 5)), np.zeros(5))
    np.testing.assert_array_equal(np.asarray(f(x, -2)), [0, 0, 0, 3, 0])


def test_at_converts_values_to_the_array_dtype():
    x = jnp.arange(4)
    with pytest.warns(FutureWarning, match="scatter inputs have incompatible types"):
        out = x.at[1].set(2.7)
    assert out.dtype == np.int32 and int(out[1]) == 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = jnp.zeros(3, jnp.float16).at[0].add(jnp.ones((), jnp.float32).astype(jnp.float16))
    assert out.dtype == np.float16
    w = lax.broadcast_in_dim(jnp.asarray(2.0), (3,), ())
    assert w.at[0].set(1.0).weak_type
    assert not jnp.zeros(3).at[0].set(1.0).weak_type


def test_at_empty_index_returns_input():
    x = jnp.arange(3.0)
    np.testing.assert_array_equal(np.asarray(x.at[np.array([], np.int32)].set(5.0)),
                                  [0, 1, 2])


# --- take, take_along_axis, put_along_axis ---------------------------------------------------

def test_take_modes():
    x = jnp.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    i = np.array([2, -1, 5])
    out = np.asarray(jnp.take(x, i, axis=1))
    np.testing.assert_array_equal(out[:, :2], [[3, 3], [6, 6]])
    assert np.isnan(out[:, 2]).all()
    np.testing.assert_array_equal(np.asarray(jnp.take(x, i, axis=1, mode="clip")),
                                  np.take(np.asarray(x), i, axis=1, mode="clip"))
    np.testing.assert_array_equal(np.asarray(jnp.take(x, i, axis=1, mode="wrap")),
                                  np.take(np.asarray(x), i, axis=1, mode="wrap"))
    np.testing.assert_array_equal(np.asarray(jnp.take(x, np.array([[0, 5]]))),
                                  [[1.0, 6.0]])
    np.testing.assert_array_equal(
        np.asarray(gb.jit(lambda x, i: jnp.take(x, i, mode="wrap"))(x, jnp.array([7, -8]))),
        [2.0, 5.0])
    with pytest.raises(NotImplementedError, match="raise"):
        jnp.take(x, i, mode="raise")


def test_take_along_axis_and_put_along_axis():
    x = np.array([[10.0, 30.0, 20.0], [60.0, 40.0, 50.0]], np.float32)
    order = np.argsort(x, axis=1)
    np.testing.assert_array_equal(np.asarray(jnp.take_along_axis(x, order, axis=1)),
                                  np.take_along_axis(x, order, axis=1))
    out = np.asarray(jnp.take_along_axis(x, np.array([[1, 0, 2]]), axis=0))
    np.testing.assert_array_equal(out[0, :2], [60.0, 30.0])
    assert np.isnan(out[0, 2])
    idx = np.argmax(x, axis=1)[:, None]
    expected = x.copy()
    np.put_along_axis(expected, idx, 99, axis=1)
    np.testing.assert_array_equal(
        np.asarray(jnp.put_along_axis(x, idx, 99.0, axis=1, inplace=False)), expected)
    with pytest.raises(ValueError, match="inplace=False"):
        jnp.put_along_axis(x, idx, 99.0, axis=1)


# --- errors ----------------------------------------------------------------------------------

def test_traced_boolean_mask_raises_a_clear_error():
    x = jnp.arange(5.0)
    with pytest.raises(NonConcreteBooleanIndexError, match="jnp.where"):
        gb.jit(lambda x: x[x > 2])(x)
    with pytest.raises(IndexError, match="size="):
        gb.jit(lambda x, m: x.at[m].set(0.0))(x, x > 2)


@pytest.mark.parametrize("idx, error, match", [
    ([0, 1], TypeError, "non-tuple sequence"),
    ([slice(None), 0], TypeError, r"arr\[tuple\(seq\)\]"),
    (1.5, TypeError, "integer or boolean type"),
    (np.array([0.5]), TypeError, "integer or boolean type"),
    ("a", TypeError, "string indexing"),
    ((0, 0, 0, 0), IndexError, "Too many indices"),
    ((Ellipsis, 0, Ellipsis), IndexError, "single ellipsis"),
    (np.ones(3, bool), IndexError, "did not match shape"),
    ((slice(0, 2, 0),), ValueError, "step cannot be zero"),
    ({"a": 1}, IndexError, "unsupported indexer"),
], ids=["list", "list_of_slices", "float", "float_array", "string", "too_many", "two_ellipses",
        "mask_shape", "zero_step", "dict"])
def test_index_errors(idx, error, match):
    with pytest.raises(error, match=match):
        gb.device_put(X)[idx]


def test_traced_slice_bound_raises():
    with pytest.raises(IndexError, match="static start/stop/step"):
        gb.jit(lambda x, i: x[i:])(jnp.arange(4), 1)


def test_indexing_an_empty_axis_raises():
    with pytest.raises(IndexError, match="size 0"):
        jnp.zeros((0, 3))[0]


def test_update_with_unbroadcastable_values():
    with pytest.raises(ValueError, match="cannot be broadcast"):
        jnp.zeros((3, 4)).at[0].set(jnp.ones(3))


def test_setitem_is_an_error():
    x = jnp.zeros(3)
    with pytest.raises(TypeError, match=r"\.at\[idx\]\.set"):
        x[0] = 1.0


# --- differentiation through indexing ---------------------------------------------------------
# Reads are gathers/slices (linear in x): their vjp scatters the cotangent back, adding
# where an index repeats. check_grads compares with finite differences.

def _vjp(f, x, ct):
    return np.asarray(gb.vjp(f, x)[1](np.asarray(ct, np.float32))[0])


def test_vjp_of_basic_indexing_puts_the_cotangent_back():
    ct = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    expected = np.zeros_like(X)
    expected[2] = ct
    np.testing.assert_array_equal(_vjp(lambda x: x[2], X, ct), expected)
    np.testing.assert_array_equal(_vjp(lambda x: x[-2], X, ct), expected)
    # a traced scalar index (dynamic_slice) under jit, and a slice
    f = gb.jit(lambda x, i: gb.vjp(lambda y: y[i], x)[1](ct)[0])
    np.testing.assert_array_equal(np.asarray(f(X, 2)), expected)
    ct2 = np.arange(X[1:3, ::2].size, dtype=np.float32).reshape(X[1:3, ::2].shape)
    expected = np.zeros_like(X)
    expected[1:3, ::2] = ct2
    np.testing.assert_array_equal(_vjp(lambda x: x[1:3, ::2], X, ct2), expected)


def test_vjp_of_integer_array_index_accumulates_repeats():
    idx = np.array([0, 2, 0, 0, 3])
    ct = np.random.default_rng(1).standard_normal((5, 5, 3)).astype(np.float32)
    expected = np.zeros_like(X)
    np.add.at(expected, idx, ct)
    np.testing.assert_allclose(_vjp(lambda x: x[idx], X, ct), expected, rtol=1e-6)
    # traced indices, under jit
    f = gb.jit(lambda x, i: gb.vjp(lambda y: y[i], x)[1](ct)[0])
    np.testing.assert_allclose(np.asarray(f(X, idx)), expected, rtol=1e-6)
    # as in JAX, the cotangent of a clamped (out-of-bounds) read is dropped
    expected = np.zeros(4, np.float32)
    np.add.at(expected, [0, 3], [2.0, 3.0])
    got = _vjp(lambda x: x[np.array([7, 0, -1])], np.arange(4.0, dtype=np.float32), [1, 2, 3])
    np.testing.assert_array_equal(got, expected)


def test_fill_mode_reads_have_zero_tangent_where_filled():
    x = np.arange(4.0, dtype=np.float32)
    f = lambda x: x.at[np.array([1, 9])].get(mode="fill", fill_value=-1.0)  # noqa: E731
    _, t = gb.jvp(f, (x,), (np.ones(4, np.float32),))
    np.testing.assert_array_equal(np.asarray(t), [1.0, 0.0])
    np.testing.assert_array_equal(_vjp(f, x, [2.0, 5.0]), [0, 2, 0, 0])


_REPEATS = np.array([1, 3, 1])


@pytest.mark.parametrize("method", ["set", "add", "subtract", "min", "max"])
def test_at_update_gradients_with_repeated_indices(method):
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 2)).astype(np.float32)
    v = rng.standard_normal((3, 2)).astype(np.float32)
    f = lambda x, v: getattr(jnp.asarray(x).at[_REPEATS], method)(v)  # noqa: E731
    gb.test_util.check_grads(f, (x, v), order=1)
    gb.test_util.check_grads(gb.jit(f), (x, v), order=1, modes=("rev",))


def test_at_mul_gradients():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((5, 2)).astype(np.float32)
    v = rng.standard_normal((2, 2)).astype(np.float32)
    # eps=1e-3: at the default 1e-4, float32 differences miss JAX's tolerance (JAX fails too)
    gb.test_util.check_grads(lambda x, v: jnp.asarray(x).at[1].mul(v[0]), (x, v), order=2,
                             eps=1e-3)
    unique = lambda x, v: jnp.asarray(x).at[np.array([4, 0])].mul(v, unique_indices=True)  # noqa
    gb.test_util.check_grads(unique, (x, v), order=1)
    # repeated indices: the operand is differentiable, the updates are not (as in JAX)
    repeated = lambda x, v: jnp.asarray(x).at[np.array([1, 1])].mul(v)  # noqa: E731
    gb.test_util.check_grads(lambda x: repeated(x, v), (x,), order=1)
    with pytest.raises(NotImplementedError, match="unique_indices"):
        gb.jvp(lambda v: repeated(x, v), (v,), (v,))


def test_at_set_with_repeats_sends_each_cotangent_to_one_winner():
    x = np.zeros(4, np.float32)
    v = np.array([1.0, 2.0, 3.0], np.float32)
    out, f_vjp = gb.vjp(lambda x, v: x.at[np.array([2, 0, 2])].set(v), x, v)
    ct_x, ct_v = (np.asarray(c) for c in f_vjp(np.array([10.0, 20.0, 30.0, 40.0], np.float32)))
    np.testing.assert_array_equal(ct_x, [0.0, 20.0, 0.0, 40.0])  # overwritten places: 0
    winner = 0 if np.asarray(out)[2] == v[0] else 2   # which of the two writes to x[2] won
    np.testing.assert_array_equal(ct_v, [30.0 if winner == 0 else 0.0, 10.0,
                                         30.0 if winner == 2 else 0.0])


def test_at_max_ties_split_the_tangent():
    # As JAX: where the operand and an update tie, each gets half of the tangent.
    x, v = np.array([1.0, 5.0], np.float32), np.float32(1.0)
    out, f_vjp = gb.vjp(lambda x, v: x.at[0].max(v), x, v)
    ct_x, ct_v = f_vjp(np.array([1.0, 1.0], np.float32))
    np.testing.assert_array_equal(np.asarray(ct_x), [0.5, 1.0])
    assert float(ct_v) == 0.5


# --- vmap of indexing ---------------------------------------------------------------------------

def _loop(f, args, in_axes):
    n = next(np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None)
    return np.stack([np.asarray(f(*[a if ax is None else np.take(a, i, ax)
                                    for a, ax in zip(args, in_axes)])) for i in range(n)])


@pytest.mark.parametrize("in_axes", [(0, 0), (None, 0), (0, None), (2, 1)])
def test_vmap_of_integer_array_indexing(in_axes):
    rng = np.random.default_rng(4)
    xs = rng.standard_normal((3, 4, 5)).astype(np.float32)
    idx = rng.integers(-4, 4, (3, 2, 2)).astype(np.int32)
    xs = xs if in_axes[0] != 2 else np.moveaxis(xs, 0, 2)
    idx = idx if in_axes[1] != 1 else np.moveaxis(idx, 0, 1)
    args = (xs if in_axes[0] is not None else xs[0], idx if in_axes[1] is not None else idx[0])
    f = lambda x, i: jnp.asarray(x)[i, 1:]  # noqa: E731
    np.testing.assert_array_equal(np.asarray(gb.vmap(f, in_axes)(*args)), _loop(f, args, in_axes))


@pytest.mark.parametrize("method", ["set", "add", "max"])
def test_vmap_of_indexed_updates(method):
    rng = np.random.default_rng(5)
    xs = rng.standard_normal((3, 5)).astype(np.float32)
    idx = np.stack([rng.permutation(5)[:3] for _ in range(3)]).astype(np.int32)
    vs = rng.standard_normal((3, 3)).astype(np.float32)
    f = lambda x, i, v: getattr(jnp.asarray(x).at[i], method)(v)  # noqa: E731
    for in_axes in [(0, 0, 0), (None, 0, None), (0, None, 0), (None, None, 0)]:
        args = [a if ax is not None else a[0] for a, ax in zip((xs, idx, vs), in_axes)]
        np.testing.assert_array_equal(np.asarray(gb.vmap(f, in_axes)(*args)),
                                      _loop(f, args, in_axes))


def test_vmap_of_dynamic_slice_and_update_with_batched_starts():
    rng = np.random.default_rng(6)
    xs = rng.standard_normal((4, 6, 3)).astype(np.float32)
    starts = np.array([0, 5, -2, 3], np.int32)      # clamped and negative starts too
    f = lambda x, i: lax.dynamic_slice(x, (i, 1), (2, 2))  # noqa: E731
    for in_axes, args in [((0, 0), (xs, starts)), ((None, 0), (xs[0], starts)),
                          ((1, 0), (np.moveaxis(xs, 0, 1), starts))]:
        out = gb.vmap(f, in_axes)(*args)
        np.testing.assert_array_equal(np.asarray(out), _loop(f, args, in_axes))
    assert "gather" in {e.primitive.name for e in gb.make_jaxpr(gb.vmap(f))(xs, starts).eqns}
    u = rng.standard_normal((4, 2, 3)).astype(np.float32)
    g = lambda x, u, i: lax.dynamic_update_slice(x, u, (i, 0))  # noqa: E731
    for in_axes, args in [((0, 0, 0), (xs, u, starts)), ((None, 0, 0), (xs[0], u, starts)),
                          ((0, None, 0), (xs, u[0], starts))]:
        out = gb.vmap(g, in_axes)(*args)
        np.testing.assert_array_equal(np.asarray(out), _loop(g, args, in_axes))
    # and per-example gradients through batched starts
    ct = np.ones((2, 2), np.float32)
    grads = gb.vmap(lambda x, i: gb.vjp(lambda y: f(y, i), x)[1](ct)[0])(xs, starts)
    np.testing.assert_array_equal(
        np.asarray(grads), _loop(lambda x, i: gb.vjp(lambda y: f(y, i), x)[1](ct)[0],
                                 (xs, starts), (0, 0)))
