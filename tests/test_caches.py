"""Caches stay bounded: the eager-op cache is an LRU, and what transforms derive
from a dead function's jaxprs (jvp, partial eval, batching) is freed with them."""
import functools
import gc
import weakref

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import events, lax, runtime
from glassbox.interpreters import dispatch
from glassbox.core import ClosedJaxpr
from glassbox.lax import _control_flow


def test_eager_op_cache_is_bounded_lru(monkeypatch):
    limit = dispatch._compile_op.cache_info().maxsize
    assert limit is not None and limit >= 1024
    # A bound of 2 shows the eviction order: a hit makes an entry the most recent.
    # (The calls go through Python: with views listening, C++ replays nothing.)
    monkeypatch.setattr(dispatch, "_compile_op",
                        functools.lru_cache(maxsize=2)(dispatch._compile_op.__wrapped__))
    a, b, c = jnp.ones(1), jnp.ones(2), jnp.ones(3)
    with events.record():
        for x in (a, b, a, c):      # c evicts b, the least recently used
            jnp.sin(x)
        misses = dispatch._compile_op.cache_info().misses
        jnp.sin(a)
        assert dispatch._compile_op.cache_info().misses == misses
        jnp.sin(b)
        assert dispatch._compile_op.cache_info().misses == misses + 1
        assert dispatch._compile_op.cache_info().currsize == 2


def test_eager_ops_replayed_in_cpp_keep_a_bounded_number_of_signatures(monkeypatch):
    monkeypatch.setattr(dispatch, "_op_cache", runtime.fast_cache(3))
    dispatch._op_function.cache_clear()   # functions made from now on use the small table
    try:
        for n in range(1, 8):   # (device_put makes the inputs: no other op shares the table)
            x = gb.device_put(np.zeros(n, np.float32))
            for _ in range(2):   # the second call is C++'s
                np.testing.assert_array_equal(jnp.cos(x), np.ones(n))
        assert runtime.fast_cache_size(dispatch._op_function(lax.cos_p, ())) == 3
    finally:
        dispatch._op_function.cache_clear()


def test_the_eager_lane_replays_same_type_operands_in_cpp_and_stages_under_transforms():
    x = gb.device_put(np.arange(7, dtype=np.float32))
    y = gb.device_put(np.full(7, 2.0, np.float32))
    op = dispatch.eager_op(lax.mul_p)
    before = runtime.fast_cache_size(op)
    np.testing.assert_array_equal(x * y, np.arange(7) * 2.0)   # the lane: mul_p's C++ op
    assert runtime.fast_cache_size(op) == before + 1
    np.testing.assert_array_equal(jnp.multiply(x, y), np.arange(7) * 2.0)
    assert runtime.fast_cache_size(op) == before + 1             # replayed, not compiled
    # Inside a transform the same concrete arrays are staged, not computed on the spot.
    assert [e.primitive for e in gb.make_jaxpr(lambda: x * y)().eqns] == [lax.mul_p]
    # Mixed types take the usual road (promotion), and bools keep jnp's meaning.
    assert (x * 2).dtype == np.float32 and jnp.equal(x, x).dtype == np.bool_
    t = gb.device_put(np.array([True, False]))
    np.testing.assert_array_equal(t * t, [True, False])
    np.testing.assert_array_equal(t + t, [True, False])
    # An error on the lane is raised as the usual road raises it.
    x.delete()
    with pytest.raises(RuntimeError, match="Array has been deleted"):
        x * y


def _live_jaxprs():
    """The jaxprs alive now, held weakly (so holding them keeps none alive)."""
    gc.collect()
    return weakref.WeakSet(o for o in gc.get_objects() if type(o) is ClosedJaxpr)


def _new_jaxprs(before):
    """Jaxprs alive now that were not in ``before`` (jaxprs of earlier tests may die
    meanwhile: only what this test made is checked)."""
    gc.collect()
    return [o for o in gc.get_objects() if type(o) is ClosedJaxpr and o not in before]


def _bodies(*funs):
    """The bodies the control-flow primitives traced from ``funs``."""
    return [jaxpr for f in funs for jaxpr, _, _ in _control_flow._traces[f].values()]


def test_derived_jaxprs_die_with_the_function():
    xs, batch = np.arange(4, dtype=np.float32), jnp.ones(3)
    before = _live_jaxprs()   # (eager ops keep their jaxprs in the bounded op cache)

    def step(c, x):
        return c * x + 1.0, jnp.sin(c)

    def loss(c):
        carry, ys = lax.scan(step, c, xs)
        return carry + ys.sum()
    # grad (jvp, partial eval, transpose) and vmap of the scan, traced only (no eager
    # executable, whose own cache is the bounded LRU above).
    gb.make_jaxpr(gb.grad(loss))(1.0)
    gb.make_jaxpr(gb.vmap(gb.grad(loss)))(batch)
    assert any(j._derived for j in _bodies(step))    # the transforms cached on the body
    del step, loss
    assert _new_jaxprs(before) == []


def test_cond_and_while_bodies_die_with_their_functions():
    batch = jnp.ones(3)
    before = _live_jaxprs()

    def pos(v):
        return v * 2

    def neg(v):
        return v - 1.0

    def small(c):
        return c < 10.0

    def grow(c):
        return c * 2.0 + 1.0

    def f(x):
        return lax.while_loop(small, grow, lax.cond(x > 0, pos, neg, x))
    gb.make_jaxpr(gb.vmap(f))(batch)     # batched predicates
    gb.make_jaxpr(lambda x: gb.jvp(f, (x,), (x,)))(1.0)
    assert all(j._derived for j in _bodies(pos, neg, small, grow))
    del f, pos, neg, small, grow
    assert _new_jaxprs(before) == []


def test_batched_jit_body_is_freed_with_the_function():
    def f(x):
        return jnp.sin(x) * 2
    jitted = gb.jit(f)
    closed = gb.make_jaxpr(jitted)(jnp.ones(())).eqns[0].params["jaxpr"]
    gb.make_jaxpr(gb.vmap(jitted))(jnp.ones(3))
    assert closed._derived    # batch_jaxpr cached the batched body on it
    ref = weakref.ref(closed)
    del f, jitted, closed
    gc.collect()
    assert ref() is None


@pytest.mark.parametrize("loop", ["map", "fori_scan", "fori_while"])
def test_loop_body_functions_are_freed(loop):
    """lax.map and fori_loop keep one wrapper per body function (so re-runs hit the trace
    cache); the wrapper must not keep the function alive."""
    def make():
        def body(*args):
            return args[-1] * 2.0
        return body
    f = make()
    ref = weakref.ref(f)
    x = jnp.ones(3)
    if loop == "map":
        lax.map(f, jnp.ones((2, 3)))
    elif loop == "fori_scan":
        lax.fori_loop(0, 3, f, x)        # static bounds: a scan
    else:
        lax.fori_loop(0, jnp.int32(3), f, x)   # traced bound: a while loop
    del f
    gc.collect()
    assert ref() is None
