"""Control flow: cond/switch, scan/map, while_loop/fori_loop, associative_scan.

For each primitive: values against a Python loop, eager == jit, check_grads
(forward and, where JAX supports it, reverse), vmap against a Python loop
(batched predicate, operands, carry), nested combinations, error messages,
the printed jaxpr and the StableHLO it lowers to.
"""
import functools

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.interpreters import dispatch
from glassbox import test_util

# The data here is float32 from a shared RNG (so it depends on test order) and the
# checks go to order 2, where float32 central differences are noisier than JAX's
# default float32 tolerance (2e-3).
check_grads = functools.partial(test_util.check_grads, atol=2e-2, rtol=2e-2)
RNG = np.random.default_rng(0)
W = np.array([[0.5, -0.2], [0.1, 0.3]], np.float32)


def _rand(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


def _allclose(a, b, rtol=1e-5, atol=1e-6):
    if isinstance(b, list) and not isinstance(a, list):
        b = np.asarray(b)
    la, lb = gb.tree_util.tree_leaves(a), gb.tree_util.tree_leaves(b)
    assert len(la) == len(lb)
    for x, y in zip(la, lb):
        np.testing.assert_allclose(np.asarray(x), np.asarray(y), rtol=rtol, atol=atol)


def _loop(f, *args):
    """``f`` applied to each example of the batched ``args``, results stacked."""
    outs = [f(*a) for a in zip(*args)]
    return gb.tree_util.tree_map(lambda *xs: np.stack([np.asarray(x) for x in xs]), *outs)


# --- cond / switch --------------------------------------------------------------------

# Module-level branch and body functions: their traces are cached per function, so
# repeated eager calls (check_grads makes many) reuse one compiled executable.
def _true(x, y):
    return {"a": jnp.sin(x) * y, "b": x + 1}


def _false(x, y):
    return {"a": -x * jnp.cos(y), "b": x * 2}


def _branchy(p, x, y):
    return lax.cond(p, _true, _false, x, y)


@pytest.mark.parametrize("pred", [True, False, 1, 0.0, np.bool_(True)])
def test_cond_values_eager_and_jit(pred):
    x, y = _rand(3), _rand(3)
    expect = ({"a": np.sin(x) * y, "b": x + 1} if pred else
              {"a": -x * np.cos(y), "b": x * 2})
    _allclose(_branchy(pred, x, y), expect)
    _allclose(gb.jit(_branchy)(pred, x, y), expect)


def test_cond_without_operands_and_operand_keyword():
    assert float(lax.cond(True, lambda: 1.0, lambda: 2.0)) == 1.0
    _allclose(lax.cond(False, lambda x: x, lambda x: -x, operand=np.ones(2, np.float32)),
              -np.ones(2))


def test_cond_jaxpr_shows_branches_and_lowers_to_case():
    x, y = _rand(2), _rand(2)
    text = str(gb.make_jaxpr(_branchy)(True, x, y))
    assert "cond[branches=(" in text and "sin" in text and "cos" in text
    hlo = gb.jit(_branchy).lower(True, x, y).as_text()
    assert "stablehlo.case" in hlo


@pytest.mark.parametrize("pred", [True, False])
def test_cond_grads(pred):
    x, y = _rand(3), _rand(3)
    check_grads(lambda x, y: _branchy(pred, x, y), (x, y), order=2)
    g = gb.jit(gb.grad(lambda x: _branchy(pred, x, y)["a"].sum()))(x)
    _allclose(g, np.cos(x) * y if pred else -np.cos(y), rtol=1e-5)


def test_cond_vmap_batched_pred_operands_and_both():
    ps, xs, y = np.array([True, False, True]), _rand(3, 2), _rand(2)
    _allclose(gb.vmap(_branchy, in_axes=(0, 0, None))(ps, xs, y),
              _loop(lambda p, x: _branchy(p, x, y), ps, xs))
    _allclose(gb.vmap(_branchy, in_axes=(None, 0, None))(False, xs, y),
              _loop(lambda x: _branchy(False, x, y), xs))
    _allclose(gb.vmap(_branchy, in_axes=(0, None, None))(ps, y, y),
              _loop(lambda p: _branchy(p, y, y), ps))
    # a batched predicate becomes a select over both branches
    text = str(gb.make_jaxpr(gb.vmap(_branchy, in_axes=(0, 0, None)))(ps, xs, y))
    assert "select_n" in text and "cond[" not in text


def test_cond_batched_pred_grad_ignores_untaken_branch():
    """The untaken branch's NaN derivative (sqrt at a negative) must not leak in."""
    f = lambda x: lax.cond(x > 0, jnp.sqrt, lambda x: -x, x)  # noqa: E731
    xs = np.array([4.0, -1.0], np.float32)
    _allclose(gb.vmap(gb.grad(f))(xs), [0.25, -1.0])


def test_switch_clamps_and_differentiates():
    branches = [jnp.sin, jnp.cos, lambda x: x * 3]
    x = _rand(3)
    for i, expect in [(-2, np.sin(x)), (1, np.cos(x)), (7, x * 3)]:
        _allclose(lax.switch(i, branches, x), expect)
        _allclose(gb.jit(lambda i, x: lax.switch(i, branches, x))(i, x), expect)
    check_grads(lambda x: lax.switch(1, branches, x), (x,), order=2)
    idx = np.array([0, 1, 2, 5], np.int32)
    xs = _rand(4, 3)
    _allclose(gb.vmap(lambda i, x: lax.switch(i, branches, x))(idx, xs),
              _loop(lambda i, x: lax.switch(i, branches, x), idx, xs))


def test_cond_errors_name_both_functions_and_leaf():
    x = jnp.ones(3)

    def keep(x):
        return {"a": x}

    def grow(x):
        return {"a": jnp.ones(4)}
    with pytest.raises(TypeError, match=r"true_fun and false_fun output must have identical "
                                        r"types: true_fun keep output\['a'\] is f32\[3\] but "
                                        r"false_fun grow output\['a'\] is f32\[4\] \(the "
                                        r"shapes do not match\) \(at .*test_control_flow.py:"):
        lax.cond(True, keep, grow, x)
    with pytest.raises(TypeError, match="same pytree structure"):
        lax.cond(True, lambda x: {"a": x}, lambda x: (x,), x)
    with pytest.raises(TypeError, match="dtypes do not match"):
        lax.cond(True, lambda x: x, lambda x: x.astype(jnp.int32), x)
    with pytest.raises(TypeError, match="Pred must be a scalar"):
        lax.cond(jnp.array([True, False]), lambda x: x, lambda x: x, x)
    with pytest.raises(TypeError, match=r"branch 0 and 1 outputs"):
        lax.switch(0, [lambda x: x, lambda x: x[:2]], x)


# --- scan -------------------------------------------------------------------------------

def _rnn(h0, xs, w=W, **kw):
    def step(h, x):
        h = jnp.tanh(w @ h + x)
        return h, {"s": h.sum(), "h": h}
    return lax.scan(step, h0, xs, **kw)


def _rnn_ref(h0, xs, w=W, reverse=False, **_):
    h, ys = h0, []
    for x in (xs[::-1] if reverse else xs):
        h = np.tanh(w @ h + x)
        ys.append({"s": h.sum(), "h": h})
    if reverse:
        ys.reverse()
    return h, {"s": np.array([y["s"] for y in ys]), "h": np.stack([y["h"] for y in ys])}


@pytest.mark.parametrize("kw", [{}, {"reverse": True}, {"unroll": 2}, {"unroll": True},
                                {"reverse": True, "unroll": 3}], ids=str)
def test_scan_values_eager_and_jit(kw):
    h0, xs = _rand(2), _rand(5, 2)
    expect = _rnn_ref(h0, xs, **kw)
    _allclose(_rnn(h0, xs, **kw), expect, rtol=1e-5)
    _allclose(gb.jit(lambda h, x: _rnn(h, x, **kw))(h0, xs), expect, rtol=1e-5)


def test_scan_length_without_xs_and_zero_length():
    carry, ys = lax.scan(lambda c, _: (c * 2, c), 1.0, None, length=4)
    assert float(carry) == 16.0
    _allclose(ys, [1.0, 2.0, 4.0, 8.0])
    carry, ys = lax.scan(lambda c, x: (c + x, c), 0.0, jnp.zeros((0,)))
    assert float(carry) == 0.0 and ys.shape == (0,)


def test_scan_weak_init_takes_body_dtype():
    carry, _ = lax.scan(lambda c, x: (c + x, c), 0.0, jnp.arange(3.0))
    assert carry.dtype == np.float32 and not carry.aval.weak_type


def test_scan_jaxpr_and_lowering():
    h0, xs = _rand(2), _rand(4, 2)
    text = str(gb.make_jaxpr(_rnn)(h0, xs))
    assert "scan[jaxpr=" in text and "tanh" in text and "length=4" in text
    assert "stablehlo.while" in gb.jit(_rnn).lower(h0, xs).as_text()


def _rnn_step(carry, x):
    """The weights ride in the carry, so nothing is closed over and traces are cached."""
    h, w = carry
    h = jnp.tanh(w @ h + x)
    return (h, w), h * h


@pytest.mark.parametrize("kw,order", [({}, 2), ({"reverse": True, "unroll": 2}, 1)], ids=str)
def test_scan_grads(kw, order):
    h0, xs, w = _rand(2), _rand(4, 2), W.copy()
    check_grads(lambda h, x, w: lax.scan(_rnn_step, (h, w), x, **kw), (h0, xs, w), order=order)


def test_scan_grads_through_closed_over_weights():
    h0, xs = _rand(2), _rand(4, 2)
    check_grads(lambda w: _rnn(h0, xs, w), (W.copy(),), order=1)


def test_scan_grad_saves_stacked_residuals_and_reverses():
    h0, xs = _rand(2), _rand(4, 2)
    loss = lambda w: (_rnn(h0, xs, w)[0] ** 2).sum()  # noqa: E731
    text = str(gb.make_jaxpr(gb.grad(loss))(W))
    assert text.count("scan[") == 2 and "reverse=True" in text
    assert "f32[4,2]" in text   # a residual stacked over the 4 iterations
    _allclose(gb.grad(loss)(W), gb.jit(gb.grad(loss))(W), rtol=1e-5)


def test_scan_vmap_batched_xs_carry_and_consts():
    h0s, xss, ws = _rand(3, 2), _rand(3, 4, 2), _rand(3, 2, 2)
    _allclose(gb.vmap(_rnn)(h0s, xss), _loop(_rnn, h0s, xss), rtol=1e-5)
    _allclose(gb.vmap(_rnn, in_axes=(0, None))(h0s, xss[0]),
              _loop(lambda h: _rnn(h, xss[0]), h0s), rtol=1e-5)
    _allclose(gb.vmap(_rnn, in_axes=(None, 0))(h0s[0], xss),
              _loop(lambda x: _rnn(h0s[0], x), xss), rtol=1e-5)
    _allclose(gb.vmap(_rnn, in_axes=(None, None, 0))(h0s[0], xss[0], ws),
              _loop(lambda w: _rnn(h0s[0], xss[0], w), ws), rtol=1e-5)
    # xs mapped along their second axis; the scan axis stays first
    _allclose(gb.vmap(_rnn, in_axes=(0, 1))(h0s, np.swapaxes(xss, 0, 1)),
              _loop(_rnn, h0s, xss), rtol=1e-5)


def test_scan_errors():
    x = jnp.ones(3)
    with pytest.raises(TypeError, match=r"carry input and carry output must have equal types"
                                        r".*component c\['h'\] has type f32\[3\].*i32\[3\]"):
        lax.scan(lambda c, x: ({"h": c["h"].astype(jnp.int32)}, x), {"h": x}, x)
    with pytest.raises(TypeError, match="same pytree structure"):
        lax.scan(lambda c, x: ((c,), x), x, x)
    with pytest.raises(TypeError, match="must be a pair"):
        lax.scan(lambda c, x: c, x, x)
    with pytest.raises(ValueError, match="disagrees with leading axis sizes"):
        lax.scan(lambda c, x: (c, x), x, jnp.ones((3, 2)), length=4)


def test_eager_scan_compiles_once():
    def step(c, x):
        return c * 0.9 + x, c
    xs = np.arange(8, dtype=np.float32)
    lax.scan(step, 0.0, xs)
    before = dispatch._compile_op.cache_info().misses
    lax.scan(step, 0.0, xs)
    assert dispatch._compile_op.cache_info().misses == before


# --- map -----------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [None, 2, 5])
def test_map(batch_size):
    xs = _rand(5, 3)
    f = lambda r: {"m": jnp.max(r), "s": jnp.sin(r)}  # noqa: E731
    _allclose(lax.map(f, xs, batch_size=batch_size), {"m": xs.max(1), "s": np.sin(xs)})
    _allclose(gb.jit(lambda x: lax.map(f, x, batch_size=batch_size))(xs),
              {"m": xs.max(1), "s": np.sin(xs)})
    check_grads(lambda x: lax.map(jnp.sin, x, batch_size=batch_size), (xs,), order=1)


# --- while_loop / fori_loop ------------------------------------------------------------------

def _collatz(n):
    def body(c):
        n, steps = c
        return jnp.where(n % 2 == 0, n // 2, 3 * n + 1), steps + 1
    return lax.while_loop(lambda c: c[0] != 1, body, (n, 0))


def _collatz_ref(n):
    steps = 0
    while n != 1:
        n, steps = (n // 2 if n % 2 == 0 else 3 * n + 1), steps + 1
    return steps


def test_while_values_eager_and_jit():
    assert int(_collatz(27)[1]) == _collatz_ref(27) == 111
    assert int(gb.jit(_collatz)(np.int32(6))[1]) == _collatz_ref(6)
    assert "stablehlo.while" in gb.jit(_collatz).lower(np.int32(6)).as_text()


def test_while_vmap_batched_predicate_runs_until_all_lanes_finish():
    ns = np.array([1, 6, 27, 7], np.int32)
    _, steps = gb.vmap(_collatz)(ns)
    _allclose(steps, [_collatz_ref(int(n)) for n in ns])
    # unbatched predicate, batched carry
    def f(x):
        return lax.while_loop(lambda c: c[1] < 3, lambda c: (c[0] * 2, c[1] + 1), (x, 0))
    _allclose(gb.vmap(f)(np.arange(3, dtype=np.float32))[0], np.arange(3) * 8.0)


def _sin_loop(x):
    return lax.while_loop(lambda c: c[1] < 4, lambda c: (jnp.sin(c[0]) * 1.5, c[1] + 1),
                          (x, 0))[0]


def test_while_forward_mode_and_linearize():
    x = _rand(3)
    check_grads(_sin_loop, (x,), order=2, modes=("fwd",))
    t = np.ones(3, np.float32)
    _allclose(gb.linearize(_sin_loop, x)[1](t), gb.jvp(_sin_loop, (x,), (t,))[1])
    _allclose(gb.jacfwd(_sin_loop)(x), gb.jit(gb.jacfwd(_sin_loop))(x), rtol=1e-5)


def test_while_reverse_mode_raises_jax_error():
    with pytest.raises(ValueError, match="Reverse-mode differentiation does not work for "
                                         "lax.while_loop or lax.fori_loop with dynamic "
                                         "start/stop values"):
        gb.grad(lambda x: _sin_loop(x).sum())(_rand(3))
    with pytest.raises(ValueError, match="fori_loop with static start/stop"):
        gb.grad(lambda x: gb.jit(lambda x, n: lax.fori_loop(0, n, lambda i, c: c * 2, x))(
            x, 3).sum())(_rand(3))


def test_while_errors():
    x = jnp.ones(3)
    with pytest.raises(TypeError, match="must return a boolean scalar"):
        lax.while_loop(lambda c: c, lambda c: c + 1, x)
    with pytest.raises(TypeError, match="carry input and carry output must have equal types"):
        lax.while_loop(lambda c: c.sum() > 0, lambda c: c[:2], x)


def _fori_body(i, c):
    return jnp.sin(c) * 1.5 + i


def _fori(x, n=5):
    return lax.fori_loop(0, n, _fori_body, x)


def _fori_ref(x, n=5):
    for i in range(n):
        x = np.sin(x) * 1.5 + i
    return x


def test_fori_static_bounds_is_a_scan_and_differentiable():
    x = _rand(3)
    _allclose(_fori(x), _fori_ref(x), rtol=1e-5)
    _allclose(gb.jit(_fori)(x), _fori_ref(x), rtol=1e-5)
    assert "scan[" in str(gb.make_jaxpr(_fori)(x))
    check_grads(_fori, (x,), order=2)


def test_fori_dynamic_bounds_is_a_while_and_batches_over_bounds():
    x = _rand(2)
    assert "while[" in str(gb.make_jaxpr(_fori)(x, 5))
    _allclose(gb.jit(_fori)(x, 5), _fori_ref(x), rtol=1e-5)
    ns = np.array([0, 2, 5], np.int32)
    _allclose(gb.vmap(_fori, in_axes=(None, 0))(x, ns),
              np.stack([_fori_ref(x, int(n)) for n in ns]), rtol=1e-5)


def _sum_index(i, x):
    return x + i


# fori_loop(lower, upper, i, x: x + i, init): (value, dtype, weak) as real JAX 0.10.2 gives
# them. Equal-typed bounds of any dtype run (concrete ones through int(): 3.5 -> 3); mixed
# types only as a weak and a strong signed integer.
FORI_BOUNDS = [
    (lambda: lax.fori_loop(0.0, 3.0, _sum_index, 0.0), (3.0, np.float32, True)),
    (lambda: lax.fori_loop(np.float32(0), np.float32(3.5), _sum_index, 0.0),
     (3.0, np.float32, True)),
    (lambda: lax.fori_loop(False, True, _sum_index, 0), (0, np.int32, True)),
    (lambda: gb.jit(lambda lo, hi: lax.fori_loop(lo, hi, _sum_index, 0.0))(0.0, 3.0),
     (3.0, np.float32, True)),
    (lambda: gb.jit(lambda lo, hi: lax.fori_loop(lo, hi, _sum_index, 0))(np.int8(0), np.int8(3)),
     (3, np.int8, False)),
    (lambda: gb.jit(lambda hi: lax.fori_loop(0, hi, _sum_index, 0))(np.int8(3)),
     (3, np.int8, False)),
    (lambda: gb.jit(lambda hi: lax.fori_loop(0, hi, _sum_index, 0, unroll=1))(3),
     (3, np.int32, True)),
]


@pytest.mark.parametrize("call, expected", FORI_BOUNDS)
def test_fori_bounds_types_as_jax(call, expected):
    out = call()
    value, dtype, weak = expected
    assert (out.item(), out.dtype, out.weak_type) == (value, dtype, weak)


@pytest.mark.parametrize("call", [
    lambda: lax.fori_loop(0.0, 3, _sum_index, 0.0),
    lambda: lax.fori_loop(0, 3.5, _sum_index, 0.0),
    lambda: gb.jit(lambda n: lax.fori_loop(0, n, _sum_index, 0.0))(3.0),
    lambda: gb.jit(lambda hi: lax.fori_loop(0, hi, _sum_index, 0))(np.uint8(3)),
])
def test_fori_bounds_of_different_types_raise(call):
    with pytest.raises(TypeError, match="must have equal types"):
        call()


# --- associative_scan ------------------------------------------------------------------------

@pytest.mark.parametrize("n", [1, 6, 7])
def test_associative_scan(n):
    x = _rand(n, 3)
    _allclose(lax.associative_scan(jnp.add, x), np.cumsum(x, 0), rtol=1e-5)
    _allclose(lax.associative_scan(jnp.maximum, x, axis=1), np.maximum.accumulate(x, 1))
    _allclose(lax.associative_scan(jnp.add, x, reverse=True), np.cumsum(x[::-1], 0)[::-1],
              rtol=1e-5)
    _allclose(gb.jit(lambda x: lax.associative_scan(jnp.multiply, x))(x), np.cumprod(x, 0),
              rtol=1e-5)


def test_associative_scan_pytree_and_grad():
    # linear recurrence h_t = a_t * h_{t-1} + b_t as an associative scan over pairs
    a, b = _rand(6), _rand(6)

    def combine(x, y):
        return (x[0] * y[0], y[0] * x[1] + y[1])
    _, h = lax.associative_scan(combine, (a, b))
    ref, hs = 0.0, []
    for at, bt in zip(a, b):
        ref = at * ref + bt
        hs.append(ref)
    _allclose(h, hs, rtol=1e-4, atol=1e-5)
    check_grads(lambda a, b: lax.associative_scan(combine, (a, b))[1], (a, b), order=1)


# --- compositions ----------------------------------------------------------------------------

def _nested(w, x):
    """A scan inside a cond."""
    def true_fun(x):
        c, ys = lax.scan(lambda c, xi: (jnp.sin(c * w + xi), c), 0.0, x)
        return c + ys.sum()
    return lax.cond(x.sum() > 0, true_fun, lambda x: jnp.cos(w) * x.sum(), x)


def _nested_ref(w, x):
    """The same with Python control flow (grad handles it on concrete values)."""
    if x.sum() > 0:
        c, s = 0.0, 0.0
        for xi in x:
            s = s + c
            c = jnp.sin(c * w + xi)
        return c + s
    return jnp.cos(w) * x.sum()


def test_scan_inside_cond_inside_vmap_of_grad():
    xs, w = _rand(4, 3), np.float32(0.7)
    xs[0] = np.abs(xs[0])          # make sure both branches are taken
    xs[1] = -np.abs(xs[1])
    expect = _loop(lambda x: gb.grad(_nested_ref)(w, x), xs)
    per_example = gb.vmap(gb.grad(_nested), in_axes=(None, 0))
    _allclose(per_example(w, xs), expect, rtol=1e-5)
    _allclose(gb.jit(per_example)(w, xs), expect, rtol=1e-5)
    check_grads(lambda w: gb.vmap(_nested, in_axes=(None, 0))(w, xs), (w,), order=1)
    _allclose(gb.grad(gb.grad(_nested))(w, xs[0]), gb.grad(gb.grad(_nested_ref))(w, xs[0]),
              rtol=1e-4)


def test_cond_and_while_inside_scan_under_grad_and_vmap():
    def step(c, x):
        c = lax.cond(x > 0, lambda c: c * x, lambda c: c + x, c)
        return c, lax.fori_loop(0, 3, lambda i, v: v * 0.5 + c, x)
    f = lambda c0, xs: lax.scan(step, c0, xs)  # noqa: E731
    xs = _rand(5)
    check_grads(f, (np.float32(0.3), xs), order=1)
    cs = _rand(3)
    _allclose(gb.vmap(f, in_axes=(0, None))(cs, xs), _loop(lambda c: f(c, xs), cs), rtol=1e-5)
    _allclose(gb.vmap(gb.grad(lambda c: f(c, xs)[1].sum()))(cs),
              _loop(gb.grad(lambda c: f(c, xs)[1].sum()), cs), rtol=1e-5)
