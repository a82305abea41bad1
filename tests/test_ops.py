"""Every op in the op table: values and dtypes vs NumPy, eager vs jit, compiles once."""
import warnings

import numpy as np
import pytest

import glassbox as gb
from glassbox import dtypes, events
from tests.op_table import GRAD_TOLERANCE, case_id, cases, tolerance

CASES = cases()


def _expected(op, args):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        ref_args = [a.astype(np.float32) if a.dtype.name == "bfloat16" else a for a in args]
        return np.asarray(op.ref(*ref_args, **op.kwargs))


def _check_close(actual, expected, dtype, op):
    tol = tolerance(dtype, op.tol)
    actual = np.asarray(actual)
    if actual.dtype.name == "bfloat16":
        actual = actual.astype(np.float32)
    assert actual.shape == expected.shape, f"{op.name}: shape {actual.shape} != {expected.shape}"
    if tol:
        np.testing.assert_allclose(actual.astype(expected.dtype) if expected.dtype.kind == "c"
                                   else actual, expected, rtol=tol, atol=tol, equal_nan=True)
    else:
        np.testing.assert_array_equal(actual, expected)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_matches_numpy(case):
    op, dtype, shape, edge = case
    args = op.make_args(np.random.default_rng(0), shape, dtype, edge)
    out = op.fn(*[gb.device_put(a) for a in args], **op.kwargs)
    expected = _expected(op, args)
    want_dtype = (op.out_dtype(dtype) if op.out_dtype
                  else dtypes.canonicalize_dtype(dtype if expected.dtype == np.float32
                                                 and dtype.name == "bfloat16" else expected.dtype))
    assert out.dtype == want_dtype, f"{op.name}: dtype {out.dtype} != {want_dtype}"
    _check_close(out, expected, dtype, op)


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_jit_matches_eager(case):
    op, dtype, shape, edge = case
    args = [gb.device_put(a) for a in op.make_args(np.random.default_rng(1), shape, dtype, edge)]
    eager = op.fn(*args, **op.kwargs)
    jitted = gb.jit(lambda *xs: op.fn(*xs, **op.kwargs))(*args)
    assert jitted.dtype == eager.dtype
    _check_close(jitted, np.asarray(eager).astype(np.float32) if eager.dtype.name == "bfloat16"
                 else np.asarray(eager), dtype, op)


@pytest.mark.parametrize("case", [c for c in CASES if c[3] is False and c[2] == c[0].shapes[-1]],
                         ids=case_id)
def test_compiles_once(case):
    op, dtype, shape, _ = case
    args = [gb.device_put(a) for a in op.make_args(np.random.default_rng(2), shape, dtype)]
    f = gb.jit(lambda *xs: op.fn(*xs, **op.kwargs))
    with events.record("compiled") as log:
        f(*args)
        f(*args)
    mine = [e for e in log if e["fun_name"] == "<lambda>"]
    assert [e["cache_hit"] for e in mine] == [False, True]


# --- autodiff: every differentiable op, forward and reverse, orders 1 and 2 -------------

GRAD_CASES = [(op, np.dtype(np.float32), op.shapes[-1], False) for op in {id(c[0]): c[0]
              for c in CASES}.values() if op.grad and np.dtype(np.float32) in op.dtypes]


@pytest.mark.parametrize("case", GRAD_CASES, ids=case_id)
def test_check_grads(case):
    op, dtype, shape, _ = case
    args = op.make_args(np.random.default_rng(3), shape, dtype)
    tol = GRAD_TOLERANCE[np.dtype(dtype)]
    gb.test_util.check_grads(lambda *xs: op.fn(*xs, **op.kwargs), args, order=op.grad,
                             modes=("fwd", "rev"), atol=tol, rtol=tol,
                             eps=1e-3 if op.grad > 1 else None)


# --- vmap: every op against a Python loop, several batch sizes and in_axes -------------

VMAP_CASES = [(op, np.dtype(op.dtypes[0]), op.shapes[-1], False)
              for op in {id(c[0]): c[0] for c in CASES}.values()]


def _loop(fn, batched, in_axes, size):
    outs = []
    for i in range(size):
        args = [a if ax is None else np.take(a, i, axis=ax) for a, ax in zip(batched, in_axes)]
        outs.append(np.asarray(fn(*args)))
    return np.stack(outs)


@pytest.mark.parametrize("size", [0, 1, 3])
@pytest.mark.parametrize("case", VMAP_CASES, ids=case_id)
def test_vmap_matches_loop(case, size):
    op, dtype, shape, _ = case
    rng = np.random.default_rng(4)
    per_example = op.make_args(rng, shape, dtype)
    # map every argument over a new axis 0, except the last one (broadcast) when there are 2+
    in_axes = [0] * len(per_example)
    if len(per_example) > 1:
        in_axes[-1] = None
    examples = [op.make_args(np.random.default_rng(5 + i), shape, dtype) for i in range(size)]
    batched = [a if ax is None else
               np.stack([ex[j] for ex in examples]) if size else np.zeros((0,) + a.shape, a.dtype)
               for j, (a, ax) in enumerate(zip(per_example, in_axes))]
    fn = lambda *xs: op.fn(*xs, **op.kwargs)  # noqa: E731
    out = gb.vmap(fn, in_axes=tuple(in_axes))(*batched)
    if size == 0:
        expected_shape = (0,) + gb.eval_shape(fn, *per_example).shape
        assert out.shape == expected_shape
        return
    expected = _loop(fn, batched, in_axes, size)
    assert out.shape == expected.shape
    _check_close(out, expected.astype(np.float32) if expected.dtype.name == "bfloat16"
                 else expected, dtype, op)


@pytest.mark.parametrize("case", VMAP_CASES, ids=case_id)
def test_vmap_nonzero_in_axis(case):
    op, dtype, shape, _ = case
    first = op.make_args(np.random.default_rng(6), shape, dtype)
    second = op.make_args(np.random.default_rng(7), shape, dtype)
    batched = [np.stack([a, b], axis=-1) for a, b in zip(first, second)]
    fn = lambda *xs: op.fn(*xs, **op.kwargs)  # noqa: E731
    out = gb.vmap(fn, in_axes=-1, out_axes=0)(*batched)
    expected = _loop(fn, batched, [-1] * len(batched), 2)
    _check_close(out, expected.astype(np.float32) if expected.dtype.name == "bfloat16"
                 else expected, dtype, op)
