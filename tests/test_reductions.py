"""Reductions, cumulative ops and sorting: what the op table cannot express.

dtype rules (JAX's, not NumPy's), ``where=``/``initial=``, ties and NaNs in
argmax and sort, data-dependent sizes under jit, error messages, lowering.
"""
import warnings

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.autodiff import float0

F16, F32, I8, I32, U8 = (np.dtype(t) for t in (np.float16, np.float32, np.int8, np.int32,
                                               np.uint8))


def _np(x):
    return np.asarray(x)


# --- dtype rules ---------------------------------------------------------------

@pytest.mark.parametrize("dtype, expected", [
    (np.bool_, np.int32), (np.int8, np.int32), (np.uint8, np.uint32), (np.int32, np.int32),
    (np.float16, np.float16), (np.float32, np.float32)])
def test_sum_dtype_promotes_narrow_integers(dtype, expected):
    assert jnp.sum(np.ones(4, dtype)).dtype == expected
    assert jnp.prod(np.ones(4, dtype)).dtype == expected


def test_sum_promote_integers_false_keeps_dtype():
    assert jnp.sum(np.ones(3, np.int8), promote_integers=False).dtype == I8


def test_float16_sum_and_mean_accumulate_in_float32():
    x = np.ones(3000, np.float16)   # float16 accumulation would stop at 2048
    assert _np(jnp.sum(x)) == 3000 and jnp.sum(x).dtype == F16
    assert _np(jnp.mean(x)) == 1


def test_mean_var_of_integers_are_float32():
    x = np.array([1, 2, 4], np.int8)
    for f in (jnp.mean, jnp.var, jnp.std, jnp.median):
        assert f(x).dtype == F32, f
    np.testing.assert_allclose(_np(jnp.var(x)), np.var(x), rtol=1e-6)


def test_results_are_not_weakly_typed():
    for out in (jnp.sum(2.0), jnp.mean(3), jnp.max(1.5), jnp.argmax(np.arange(3))):
        assert not out.weak_type
    assert jnp.argmax(np.arange(3.0)).dtype == I32


def test_cumsum_keeps_integer_dtype_but_bool_becomes_int32():
    assert jnp.cumsum(np.ones(3, np.int8)).dtype == I8
    assert jnp.cumsum(np.ones(3, np.bool_)).dtype == I32
    assert jnp.cumulative_sum(np.ones(3, np.int8)).dtype == I32


# --- where= and initial= -------------------------------------------------------

def test_where_and_initial_match_numpy(rng):
    x = rng.standard_normal((3, 4)).astype(np.float32)
    w = rng.random((3, 4)) < 0.5
    np.testing.assert_allclose(_np(jnp.sum(x, axis=1, where=w, initial=1.0)),
                               np.sum(x, axis=1, where=w, initial=1.0), rtol=1e-6)
    np.testing.assert_allclose(_np(jnp.prod(x, where=w)), np.prod(x, where=w), rtol=1e-5)
    np.testing.assert_allclose(_np(jnp.min(x, axis=0, where=w, initial=9.0)),
                               np.min(x, axis=0, where=w, initial=9.0))
    rows = np.array([[True], [False], [True]])
    np.testing.assert_allclose(_np(jnp.mean(x, axis=0, where=rows)),
                               np.mean(x, axis=0, where=rows), rtol=1e-6)
    assert bool(jnp.all(x > 0, where=x > 0))
    assert not bool(jnp.any(x > 0, where=x < 0))


def test_where_broadcasts_but_must_fit():
    x = np.ones((2, 3), np.float32)
    assert _np(jnp.sum(x, where=np.array([True, False, True]))) == 4
    with pytest.raises(ValueError, match="where of shape"):
        jnp.sum(x, where=np.ones(2, bool))


def test_max_without_identity_raises():
    with pytest.raises(ValueError, match="zero-size array to reduction operation max"):
        jnp.max(np.zeros((0, 3), np.float32))
    with pytest.raises(ValueError, match="does not have an identity"):
        jnp.max(np.ones(3, np.float32), where=np.ones(3, bool))
    assert _np(jnp.max(np.zeros((0,), np.float32), initial=-2.0)) == -2.0
    with pytest.raises(ValueError, match="initial value must be a scalar"):
        jnp.sum(np.ones(3, np.float32), initial=np.ones(2, np.float32))


def test_var_with_too_few_elements_is_nan():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert np.isnan(_np(jnp.var(np.ones(2, np.float32), ddof=2)))
        assert np.isnan(_np(jnp.var(np.ones(2, np.float32), correction=2)))
    with pytest.raises(ValueError, match="ddof and correction"):
        jnp.var(np.ones(2), ddof=1, correction=1)


# --- axes and errors -----------------------------------------------------------

def test_axis_errors_name_the_function():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match=r"jnp.sum: axis 2 is out of bounds"):
        jnp.sum(x, axis=2)
    with pytest.raises(ValueError, match="duplicate value in 'axis'"):
        jnp.mean(x, axis=(1, -1))
    with pytest.raises(TypeError, match="axis must be an int"):
        jnp.max(x, axis=1.5)
    with pytest.raises(TypeError, match="requires ndarray or scalar"):
        jnp.sum([1, 2, 3])


def test_lax_reduction_errors():
    with pytest.raises(TypeError, match="reduce_sum does not accept dtype bool"):
        lax.reduce_sum(np.ones(3, bool), (0,))
    with pytest.raises(ValueError, match="reduce_max: axis 3 is out of bounds"):
        lax.reduce_max(np.ones((2, 2), np.float32), (3,))
    with pytest.raises(TypeError, match="index_dtype must be an integer"):
        lax.argmax(np.ones(3, np.float32), 0, np.float32)
    with pytest.raises(ValueError, match="non-empty reduced dimension"):
        lax.argmin(np.ones((2, 0), np.float32), 1, np.int32)
    with pytest.raises(TypeError, match="cumsum does not accept dtype bool"):
        lax.cumsum(np.ones(3, bool))
    with pytest.raises(ValueError, match="attempt to get argmax of an empty sequence"):
        jnp.argmax(np.ones((0,), np.float32))


def test_lax_reduce_recognises_monoids():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(_np(lax.reduce(x, 0.0, lax.add, (1,))), x.sum(1))
    np.testing.assert_array_equal(_np(lax.reduce(x, -np.inf, lax.max, (0,))), x.max(0))
    # Another init value is not a monoid: the generic reduce folds it in, as JAX's does.
    np.testing.assert_array_equal(_np(lax.reduce(x, 1.0, lax.add, (0,))), x.sum(0) + 1)


# --- argmax / argmin: ties and NaN ---------------------------------------------

@pytest.mark.parametrize("values", [
    [1.0, 3.0, 3.0, 2.0], [np.nan, 1.0, np.nan], [2.0, np.nan, 5.0], [-np.inf, -np.inf],
    [0.0, -0.0, 0.0]])
def test_argmax_argmin_ties_and_nan_match_numpy(values):
    x = np.array(values, np.float32)
    assert int(jnp.argmax(x)) == np.argmax(x)
    assert int(jnp.argmin(x)) == np.argmin(x)
    assert int(gb.jit(jnp.argmax)(x)) == np.argmax(x)


def test_nanargmax_ignores_nan_and_all_nan_gives_minus_one():
    x = np.array([[np.nan, 2.0, 5.0], [np.nan, np.nan, np.nan]], np.float32)
    np.testing.assert_array_equal(_np(jnp.nanargmax(x, axis=1)), [2, -1])


# --- cumulative ops ------------------------------------------------------------

def test_cumsum_is_exact_for_integers_and_close_for_floats(rng):
    i = rng.integers(-50, 50, (3, 37)).astype(np.int32)
    np.testing.assert_array_equal(_np(lax.cumsum(i, 1)), np.cumsum(i, 1))
    np.testing.assert_array_equal(_np(lax.cumsum(i, 1, reverse=True)),
                                  np.cumsum(i[:, ::-1], 1)[:, ::-1])
    f = rng.standard_normal(100).astype(np.float32)
    np.testing.assert_allclose(_np(jnp.cumsum(f)), np.cumsum(f.astype(np.float64)),
                               rtol=1e-5, atol=1e-5)


def test_cummax_cummin_cumlogsumexp(rng):
    x = rng.standard_normal((4, 9)).astype(np.float32)
    np.testing.assert_array_equal(_np(lax.cummax(x, 1)), np.maximum.accumulate(x, 1))
    np.testing.assert_array_equal(_np(lax.cummin(x, 0, reverse=True)),
                                  np.minimum.accumulate(x[::-1], 0)[::-1])
    np.testing.assert_allclose(_np(lax.cumlogsumexp(x, 1)), np.logaddexp.accumulate(x, 1),
                               rtol=1e-6)
    y = np.array([-np.inf, -np.inf, 0.0, np.nan, 1.0], np.float32)
    with np.errstate(invalid="ignore"):
        expected = np.logaddexp.accumulate(y)
    np.testing.assert_array_equal(_np(lax.cumlogsumexp(y)), expected)


def test_cumulative_lowering_is_a_prefix_scan_like_jax_on_cpu():
    text = gb.jit(lambda x: lax.cumsum(x)).lower(np.ones(8, np.float32)).as_text()
    assert "stablehlo.reduce_window" not in text
    assert text.count("stablehlo.pad") >= 2 and "stablehlo.slice" in text


# --- quantiles -----------------------------------------------------------------

@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_methods_match_numpy(rng, method):
    x = rng.standard_normal((3, 8)).astype(np.float32)
    q = np.array([0.0, 0.3, 1.0], np.float32)
    np.testing.assert_allclose(_np(jnp.quantile(x, q, axis=1, method=method)),
                               np.quantile(x, q, axis=1, method=method), rtol=1e-5)


def test_quantile_errors():
    with pytest.raises(ValueError, match="method can only be"):
        jnp.quantile(np.ones(3), 0.5, method="cubic")
    with pytest.raises(ValueError, match="q must have rank <= 1"):
        jnp.quantile(np.ones(3), np.ones((2, 2)))


# --- sort ----------------------------------------------------------------------

def test_sort_puts_every_nan_last_like_numpy():
    neg_nan = np.copysign(np.float32(np.nan), np.float32(-1))
    x = np.array([3.0, np.nan, -0.0, neg_nan, -np.inf, 0.0, 1.0], np.float32)
    np.testing.assert_array_equal(_np(jnp.sort(x)), np.sort(x))
    np.testing.assert_array_equal(_np(jnp.argsort(x)), np.argsort(x, kind="stable"))
    assert np.isnan(_np(jnp.sort(x, descending=True))[:2]).all()


def test_sort_lowering_uses_total_order_comparator():
    text = gb.jit(jnp.sort).lower(np.ones(4, np.float32)).as_text()
    assert "stablehlo.sort" in text and "TOTALORDER" in text


def test_multi_operand_sort_and_errors():
    keys = np.array([2, 1, 2, 1], np.int32)
    vals = np.array([0.0, 1.0, 2.0, 3.0], np.float32)
    k, v = lax.sort((keys, vals), num_keys=1)
    np.testing.assert_array_equal(_np(v), [1.0, 3.0, 0.0, 2.0])
    k, v = lax.sort((keys, -vals), num_keys=2)
    np.testing.assert_array_equal(_np(v), [-3.0, -1.0, -2.0, 0.0])
    with pytest.raises(TypeError, match="same shape"):
        lax.sort((keys, np.ones(3, np.float32)))
    with pytest.raises(ValueError, match="num_keys"):
        lax.sort((keys, vals), num_keys=3)


def test_argsort_descending_is_stable():
    x = np.array([1, 3, 1, 3, 2], np.int32)
    np.testing.assert_array_equal(_np(jnp.argsort(x, descending=True)), [1, 3, 4, 0, 2])


def test_top_k_ties_and_order():
    values, idx = lax.top_k(np.array([1.0, 3.0, 3.0, 2.0], np.float32), 3)
    np.testing.assert_array_equal(_np(values), [3.0, 3.0, 2.0])
    np.testing.assert_array_equal(_np(idx), [1, 2, 3])
    with pytest.raises(ValueError, match="k=5"):
        lax.top_k(np.ones(3, np.float32), 5)


def test_partition_and_argpartition(rng):
    x = rng.standard_normal((2, 7)).astype(np.float32)
    p = _np(jnp.partition(x, 3))
    np.testing.assert_array_equal(np.sort(p, 1), np.sort(x, 1))
    assert (p[:, :3] <= p[:, 3:4]).all() and (p[:, 4:] >= p[:, 3:4]).all()
    ap = _np(jnp.argpartition(x, 2, axis=1))
    np.testing.assert_array_equal(np.sort(ap, 1), np.tile(np.arange(7), (2, 1)))
    np.testing.assert_array_equal(np.take_along_axis(x, ap, 1)[:, 2], np.sort(x, 1)[:, 2])


def test_searchsorted_with_sorter_and_nan():
    a = np.array([3.0, 1.0, 2.0], np.float32)
    v = np.array([0.5, 2.0, np.nan], np.float32)
    sorter = np.argsort(a).astype(np.int32)
    np.testing.assert_array_equal(_np(jnp.searchsorted(a, v, sorter=sorter)),
                                  np.searchsorted(a, v, sorter=sorter))


# --- data-dependent sizes ------------------------------------------------------

def test_unique_eager_matches_numpy():
    x = np.array([[3, 1, 2], [3, 1, 1]], np.int32)
    ours = jnp.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for a, b in zip(ours, np.unique(x, return_index=True, return_inverse=True,
                                    return_counts=True)):
        np.testing.assert_array_equal(_np(a), b)
    f = np.array([1.0, np.nan, 1.0, np.nan], np.float32)
    np.testing.assert_array_equal(_np(jnp.unique(f)), np.unique(f))


def test_unique_and_nonzero_under_jit_need_size():
    x = np.array([0, 2, 0, 3, 2], np.int32)
    with pytest.raises(gb.ConcretizationTypeError, match="size="):
        gb.jit(jnp.unique)(x)
    with pytest.raises(gb.ConcretizationTypeError, match="size="):
        gb.jit(jnp.nonzero)(x)
    vals = gb.jit(lambda x: jnp.unique(x, size=4, fill_value=-1))(x)
    np.testing.assert_array_equal(_np(vals), [0, 2, 3, -1])
    (idx,) = gb.jit(lambda x: jnp.nonzero(x, size=2))(x)
    np.testing.assert_array_equal(_np(idx), [1, 3])


def test_nonzero_argwhere_eager():
    x = np.array([[0, 1], [2, 0], [0, 3]], np.int32)
    for a, b in zip(jnp.nonzero(x), np.nonzero(x)):
        np.testing.assert_array_equal(_np(a), b)
    np.testing.assert_array_equal(_np(jnp.argwhere(x)), np.argwhere(x))
    with pytest.raises(ValueError, match="0d arrays"):
        jnp.nonzero(np.int32(1))


# --- tracing -------------------------------------------------------------------

def test_jaxpr_shows_reduction_params():
    text = str(gb.make_jaxpr(lambda x: jnp.sum(x, axis=0))(np.ones((2, 3), np.float32)))
    assert "reduce_sum[axes=(0,)]" in text
    text = str(gb.make_jaxpr(jnp.argmax)(np.ones(3, np.float32)))
    assert "argmax[axes=(0,) index_dtype=int32]" in text


def test_array_methods_use_these_functions():
    x = gb.device_put(np.array([[1.0, 5.0], [3.0, 2.0]], np.float32))
    assert float(x.sum()) == 11.0 and int(x.argmax()) == 1
    np.testing.assert_array_equal(_np(x.sort(axis=0)), [[1.0, 2.0], [3.0, 5.0]])
    np.testing.assert_allclose(_np(x.mean(axis=1)), [3.0, 2.5])


# --- differentiation -------------------------------------------------------------

def test_grad_of_max_splits_ties_evenly_like_jax():
    # JAX's convention: the tangent is averaged over every position attaining the max.
    x = np.array([[1.0, 3.0, 3.0], [2.0, -1.0, 0.5], [4.0, 4.0, 4.0]], np.float32)
    for fn, pick in ((jnp.max, np.max), (jnp.min, np.min)):
        hit = (x == pick(x, axis=1, keepdims=True)).astype(np.float32)
        expected = hit / hit.sum(1, keepdims=True)
        np.testing.assert_allclose(_np(gb.grad(lambda v: fn(v, axis=1).sum())(x)), expected)
    hit = (x == x.max()).astype(np.float32)
    np.testing.assert_allclose(_np(gb.grad(jnp.max)(x)), hit / hit.sum())


def test_grad_of_prod_is_exact_with_zeros():
    # d prod / d x_i = product of the others, also where x_i (or another entry) is zero.
    for values in ([2.0, 0.0, 3.0, -1.5], [0.0, 4.0, 0.0, 2.0], [1.5, -2.0, 0.5, 3.0]):
        x = np.array(values, np.float32)
        expected = [np.prod(np.delete(x, i)) for i in range(x.size)]
        np.testing.assert_allclose(_np(gb.grad(jnp.prod)(x)), expected, rtol=1e-6)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    jac = _np(gb.jacrev(lambda v: lax.reduce_prod(v, (0,)))(x))
    np.testing.assert_allclose(jac[np.arange(3), :, np.arange(3)], x[::-1].T)


def test_cumsum_transpose_is_a_reverse_cumsum(rng):
    x = rng.standard_normal((3, 5)).astype(np.float32)
    ct = rng.standard_normal((3, 5)).astype(np.float32)
    for reverse in (False, True):
        _, pullback = gb.vjp(lambda v: lax.cumsum(v, 1, reverse=reverse), x)
        flip = (lambda a: a) if reverse else (lambda a: a[:, ::-1])
        expected = flip(np.cumsum(flip(ct), 1))
        np.testing.assert_allclose(_np(pullback(ct)[0]), expected, rtol=1e-5, atol=1e-6)
    jaxpr = str(gb.make_jaxpr(gb.grad(lambda v: lax.cumsum(v).sum()))(x[0]))
    assert "reverse=True" in jaxpr


def test_grad_of_cumulative_ops(rng):
    x = rng.standard_normal(7).astype(np.float32)
    # cumprod: d out_j / d x_i = out_j / x_i for i <= j (x has no zeros here)
    out = np.cumprod(x.astype(np.float64))
    expected = np.array([sum(out[j] / x[i] for j in range(i, 7)) for i in range(7)])
    np.testing.assert_allclose(_np(gb.grad(lambda v: lax.cumprod(v).sum())(x)), expected,
                               rtol=1e-4)
    # cummax with distinct values: each x_i gets one per output where it is the running max
    running = np.maximum.accumulate(x)
    expected = np.array([(running == x[i])[i:].sum() for i in range(7)], np.float32)
    np.testing.assert_array_equal(_np(gb.grad(lambda v: lax.cummax(v).sum())(x)), expected)
    # cumlogsumexp: softmax weights of the prefixes
    w = np.exp(x[None, :] - np.logaddexp.accumulate(x)[:, None]) * np.tri(7)
    np.testing.assert_allclose(_np(gb.grad(lambda v: lax.cumlogsumexp(v).sum())(x)),
                               w.sum(0), rtol=1e-5)


def test_grad_of_sort_gathers_through_the_permutation(rng):
    x = rng.standard_normal((3, 5)).astype(np.float32)
    w = rng.standard_normal((3, 5)).astype(np.float32)
    g = _np(gb.grad(lambda v: (jnp.sort(v, axis=1) * w).sum())(x))
    expected = np.empty_like(x)
    np.put_along_axis(expected, np.argsort(x, 1), w, 1)
    np.testing.assert_array_equal(g, expected)
    g = _np(gb.jit(gb.grad(lambda v: (jnp.sort(v, axis=0, descending=True) * w).sum()))(x))
    expected = np.empty_like(x)
    np.put_along_axis(expected, np.argsort(-x, 0), w, 0)
    np.testing.assert_array_equal(g, expected)


def test_grad_of_multi_operand_sort_flows_to_values_not_keys():
    keys = np.array([3.0, 1.0, 2.0, 0.0], np.float32)
    vals = np.array([10.0, 20.0, 30.0, 40.0], np.float32)
    w = np.array([1.0, 2.0, 3.0, 4.0], np.float32)
    f = lambda k, v: (lax.sort_key_val(k, v)[1] * w).sum()  # noqa: E731
    gk, gv = gb.grad(f, argnums=(0, 1))(keys, vals)
    np.testing.assert_array_equal(_np(gk), np.zeros(4))
    expected = np.empty(4, np.float32)
    expected[np.argsort(keys)] = w
    np.testing.assert_array_equal(_np(gv), expected)
    # argsort's output is an integer: no tangent, so the gradient through it is zero
    idx_grad = gb.grad(lambda v: jnp.argsort(v).astype(np.float32).sum())(keys)
    np.testing.assert_array_equal(_np(idx_grad), np.zeros(4))


def test_grad_of_top_k_reaches_the_chosen_entries():
    x = np.array([[1.0, 5.0, 3.0, 4.0], [2.0, 0.0, 7.0, 1.0]], np.float32)
    g = _np(gb.grad(lambda v: (lax.top_k(v, 2)[0] * np.array([1.0, 10.0])).sum())(x))
    np.testing.assert_array_equal(g, [[0, 1, 0, 10], [10, 0, 1, 0]])
    _, (t_values, t_idx) = gb.jvp(lambda v: lax.top_k(v, 2), (x,), (np.ones_like(x),))
    np.testing.assert_array_equal(_np(t_values), np.ones((2, 2)))
    assert t_idx.dtype == float0


def test_argmax_has_no_tangent_but_indexing_with_it_differentiates():
    x = np.array([1.0, 4.0, 2.0], np.float32)
    _, t = gb.jvp(lambda v: lax.argmax(v, 0, np.int32), (x,), (np.ones_like(x),))
    assert t.dtype == float0
    g = gb.grad(lambda v: v[jnp.argmax(v)] * 2.0)(x)
    np.testing.assert_array_equal(_np(g), [0.0, 2.0, 0.0])


def test_second_derivative_of_prod_and_var(rng):
    x = rng.standard_normal(4).astype(np.float32)
    hess = _np(gb.hessian(jnp.prod)(x))
    expected = np.array([[0.0 if i == j else np.prod(np.delete(x, [i, j]))
                          for j in range(4)] for i in range(4)])
    np.testing.assert_allclose(hess, expected, rtol=1e-5, atol=1e-6)
    hess = _np(gb.hessian(jnp.var)(x))
    np.testing.assert_allclose(hess, 2 / 4 * (np.eye(4) - 1 / 4), rtol=1e-5, atol=1e-6)


# --- vmap ------------------------------------------------------------------------

def test_vmap_of_argmax_over_any_axis(rng):
    x = rng.standard_normal((3, 4, 5)).astype(np.float32)
    for in_axis in (0, 1, 2):
        out = gb.vmap(lambda v: jnp.argmax(v, axis=-1), in_axes=in_axis)(x)
        expected = np.stack([np.argmax(np.take(x, i, in_axis), -1)
                             for i in range(x.shape[in_axis])])
        np.testing.assert_array_equal(_np(out), expected)
    out = gb.vmap(lambda v: lax.argmin(v, 0, np.int32), in_axes=1, out_axes=1)(x)
    np.testing.assert_array_equal(_np(out), np.argmin(x, 0).T)


def test_vmap_of_reductions_shifts_axes_instead_of_moving_data(rng):
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    f = lambda v: lax.reduce_sum(v, (0,))  # noqa: E731
    np.testing.assert_allclose(_np(gb.vmap(f, in_axes=1)(x)), x.sum(0), rtol=1e-6)
    jaxpr = str(gb.make_jaxpr(gb.vmap(f, in_axes=1))(x))
    assert "transpose" not in jaxpr and "axes=(0,)" in jaxpr
    g = lambda v: lax.cumsum(v, 0, reverse=True)  # noqa: E731
    out = gb.vmap(g, in_axes=2, out_axes=2)(x)
    np.testing.assert_allclose(_np(out), np.cumsum(x[::-1], 0)[::-1], rtol=1e-5)


def test_vmap_of_sort_with_unbatched_operand_and_top_k_on_last_axis(rng):
    keys = rng.standard_normal((4, 6)).astype(np.float32)
    vals = np.arange(6, dtype=np.float32)
    out = gb.vmap(lambda k, v: lax.sort_key_val(k, v)[1], in_axes=(0, None))(keys, vals)
    np.testing.assert_array_equal(_np(out), np.argsort(keys, 1).astype(np.float32))
    values, idx = gb.vmap(lambda v: lax.top_k(v, 2), in_axes=1)(keys.T)
    np.testing.assert_array_equal(_np(values), -np.sort(-keys, 1)[:, :2])
    np.testing.assert_array_equal(_np(idx), np.argsort(-keys, 1)[:, :2])


def test_per_example_gradients_of_sort(rng):
    x = rng.standard_normal((3, 5)).astype(np.float32)
    w = np.arange(5, dtype=np.float32)
    g = _np(gb.vmap(gb.grad(lambda v: (jnp.sort(v) * w).sum()))(x))
    expected = np.empty_like(x)
    np.put_along_axis(expected, np.argsort(x, 1), np.broadcast_to(w, x.shape), 1)
    np.testing.assert_array_equal(g, expected)
