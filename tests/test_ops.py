"""Every op in the op table: values and dtypes vs NumPy, eager vs jit, compiles once."""
import warnings

import numpy as np
import pytest

import glassbox as gb
from glassbox import dtypes, events
from tests.op_table import case_id, cases, tolerance

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
