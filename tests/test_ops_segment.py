"""glassbox.ops: segment_sum/prod/max/min against NumPy loops; grads, vmap, jit, modes, errors."""
import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
from glassbox import ops
from glassbox.test_util import check_grads

REDUCE = {"sum": (ops.segment_sum, np.add, 0), "prod": (ops.segment_prod, np.multiply, 1),
          "max": (ops.segment_max, np.maximum, None), "min": (ops.segment_min, np.minimum, None)}


def _identity(name, dtype):
    if name in ("sum", "prod"):
        return REDUCE[name][2]
    if dtype == np.bool_:
        return name == "min"
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return info.max if name == "min" else info.min
    return np.inf if name == "min" else -np.inf


def _reference(name, data, ids, num_segments, clip=False):
    """A Python loop: start every segment at the identity, fold each row into its segment."""
    data = np.asarray(data)
    out = np.full((num_segments,) + data.shape[1:], _identity(name, data.dtype), data.dtype)
    fold = REDUCE[name][1]
    for row, s in zip(data, np.asarray(ids)):
        if clip:
            s = min(max(s, 0), num_segments - 1)
        elif not 0 <= s < num_segments:
            continue   # dropped, not wrapped
        out[s] = fold(out[s], row)
    return out


RNG = np.random.default_rng(0)
DATA = RNG.normal(size=(9, 3)).astype(np.float32)
IDS = np.array([0, 0, 1, 3, 3, 3, 4, 1, 0])


@pytest.mark.parametrize("name", sorted(REDUCE))
@pytest.mark.parametrize("sorted_ids", [False, True])
def test_matches_numpy_loop(name, sorted_ids):
    ids = np.sort(IDS) if sorted_ids else IDS
    fn = REDUCE[name][0]
    got = fn(DATA, ids, 6, indices_are_sorted=sorted_ids)   # segment 2 and 5 are empty
    assert got.shape == (6, 3) and got.dtype == np.float32
    np.testing.assert_allclose(np.asarray(got), _reference(name, DATA, ids, 6), rtol=1e-6)


@pytest.mark.parametrize("name", sorted(REDUCE))
@pytest.mark.parametrize("dtype", [np.int32, np.int8, np.uint8, np.bool_])
def test_integer_and_bool_dtypes_use_their_identities(name, dtype):
    data = RNG.integers(0, 5, size=(7,)).astype(dtype)
    ids = np.array([0, 2, 2, 0, 4, 4, 4])
    if dtype == np.bool_ and name in ("sum", "prod"):
        with pytest.raises(TypeError, match="does not accept dtype bool"):   # as JAX
            REDUCE[name][0](data, ids, 5)
        return
    got = REDUCE[name][0](data, ids, 5)
    assert got.dtype == dtype
    want = _reference(name, data, ids, 5)
    np.testing.assert_array_equal(np.asarray(got), want)


def test_default_num_segments_and_out_of_range_ids():
    data = np.arange(5.0, dtype=np.float32)
    np.testing.assert_array_equal(np.asarray(ops.segment_sum(data, np.array([0, 2, 2, 1, 0]))),
                                  [4., 3., 3.])
    ids = np.array([-1, 0, 3, 1, 7])   # -1 is not wrapped: dropped (JAX's normalize=False)
    np.testing.assert_array_equal(np.asarray(ops.segment_sum(data, ids, 3)),
                                  _reference("sum", data, ids, 3))
    np.testing.assert_array_equal(np.asarray(ops.segment_sum(data, ids, 3, mode="clip")),
                                  _reference("sum", data, ids, 3, clip=True))
    np.testing.assert_array_equal(
        np.asarray(ops.segment_max(data, ids, 3, mode=jax.lax.GatherScatterMode.CLIP)),
        _reference("max", data, ids, 3, clip=True))


@pytest.mark.parametrize("name", sorted(REDUCE))
@pytest.mark.parametrize("bucket_size", [1, 2, 4, 20])
def test_bucket_size_gives_the_same_segments(name, bucket_size):
    fn = REDUCE[name][0]
    got = fn(DATA, IDS, 6, bucket_size=bucket_size)
    assert got.shape == (6, 3) and got.dtype == np.float32
    np.testing.assert_allclose(np.asarray(got), _reference(name, DATA, IDS, 6), rtol=1e-5)


def test_bucketed_sum_is_more_accurate():
    data = np.full(4096, 0.1, np.float32)
    ids = np.zeros(4096, np.int32)
    exact = 4096 * np.float32(0.1).astype(np.float64)
    plain = float(ops.segment_sum(data, ids, 1)[0])
    bucketed = float(ops.segment_sum(data, ids, 1, bucket_size=64)[0])
    assert abs(bucketed - exact) <= abs(plain - exact)


def test_multidimensional_rows():
    data = RNG.normal(size=(6, 2, 3)).astype(np.float32)
    ids = np.array([1, 0, 1, 1, 2, 0])
    for name in REDUCE:
        np.testing.assert_allclose(np.asarray(REDUCE[name][0](data, ids, 3)),
                                   _reference(name, data, ids, 3), rtol=1e-6)


def test_grads_against_finite_differences():
    data = jnp.asarray(DATA)
    check_grads(lambda d: ops.segment_sum(d, IDS, 6), (data,), order=2)
    check_grads(lambda d: ops.segment_sum(d, IDS, 6, bucket_size=2), (data,), order=1)
    # max/min: the gradient flows to each segment's extremum (no ties in DATA)
    check_grads(lambda d: ops.segment_max(d, IDS, 6)[jnp.array([0, 1, 3, 4])], (data,),
                order=1)
    check_grads(lambda d: ops.segment_min(d, IDS, 6)[jnp.array([0, 1, 3, 4])], (data,),
                order=1)
    perm = np.array([3, 0, 4, 1, 2])   # prod's gradient needs unique ids, as in JAX
    check_grads(lambda d: ops.segment_prod(d, perm, 5, unique_indices=True), (data[:5],),
                order=1)


def test_max_gradient_goes_to_the_maximum():
    data = jnp.array([1., 5., 2., -1., -3.])
    g = jax.grad(lambda d: ops.segment_max(d, jnp.array([0, 0, 0, 1, 1]), 2).sum())(data)
    np.testing.assert_array_equal(np.asarray(g), [0., 1., 0., 1., 0.])


def test_vmap_equals_loop_and_jit_equals_eager():
    batch = RNG.normal(size=(4, 9, 3)).astype(np.float32)
    ids_batch = RNG.integers(0, 5, size=(4, 9))
    for name, (fn, _, _) in REDUCE.items():
        # batched data, shared ids; and batched ids too
        got = jax.vmap(lambda d: fn(d, IDS, 6))(batch)
        np.testing.assert_allclose(np.asarray(got),
                                   np.stack([_reference(name, d, IDS, 6) for d in batch]),
                                   rtol=1e-6)
        got = jax.vmap(lambda d, i: fn(d, i, 5))(batch, ids_batch)
        np.testing.assert_allclose(
            np.asarray(got),
            np.stack([_reference(name, d, i, 5) for d, i in zip(batch, ids_batch)]), rtol=1e-6)
        jitted = jax.jit(lambda d, i: fn(d, i, 6))(DATA, IDS)
        np.testing.assert_array_equal(np.asarray(jitted), np.asarray(fn(DATA, IDS, 6)))


def test_errors():
    with pytest.raises(ValueError, match="num_segments must be non-negative"):
        ops.segment_sum(DATA, IDS, -1)
    with pytest.raises(TypeError, match="segment_sum"):
        ops.segment_sum([1., 2.], IDS)
    with pytest.raises(TypeError, match="segment_ids must be integers"):
        ops.segment_max(DATA, IDS.astype(np.float32), 3)
    with pytest.raises(jax.errors.ConcretizationTypeError):
        jax.jit(lambda d, i: ops.segment_sum(d, i))(DATA, IDS)
