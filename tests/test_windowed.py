"""Windowed reductions, generic ``reduce`` and ``reduce_precision``: values against a NumPy
reference, max-pool gradients against finite differences and real JAX (conv_golden.json's
CNN covers JAX's numbers; here a direct pooling case), vmap against a loop, jit against
eager, and JAX's errors."""
import ml_dtypes
import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.test_util import check_grads


def window_reference(x, init, op, dims, strides, pads, base=None, wdil=None):
    """Reduce each window with ``op`` (a NumPy ufunc's ``reduce``), padding and dilating
    with ``init``, by explicit loops."""
    nd = x.ndim
    base, wdil = base or (1,) * nd, wdil or (1,) * nd
    shape = [0 if d == 0 else (d - 1) * b + 1 for d, b in zip(x.shape, base)]
    dil = np.full(shape, init, x.dtype)
    dil[tuple(slice(None, None, b) for b in base)] = x
    padded = np.full([d + lo + hi for d, (lo, hi) in zip(shape, pads)], init, x.dtype)
    padded[tuple(slice(lo, lo + d) for d, (lo, _) in zip(shape, pads))] = dil
    eff = [(w - 1) * r + 1 for w, r in zip(dims, wdil)]
    out_shape = [max(0, (p - e) // s + 1) for p, e, s in zip(padded.shape, eff, strides)]
    out = np.full(out_shape, init, x.dtype)
    for pos in np.ndindex(*out_shape):
        win = padded[tuple(slice(p * s, p * s + e, r)
                           for p, s, e, r in zip(pos, strides, eff, wdil))]
        out[pos] = op.reduce(win.ravel(), initial=init) if win.size else init
    return out


CASES = [   # shape, window, strides, padding, base_dilation, window_dilation
    ((5, 6), (2, 3), (1, 1), ((0, 0), (0, 0)), None, None),
    ((2, 7, 6), (1, 3, 2), (1, 2, 2), ((0, 0), (1, 1), (0, 1)), None, None),
    ((6, 5), (2, 2), (2, 1), ((1, 0), (2, 1)), (1, 2), (2, 1)),
    ((4, 4), (3, 2), (1, 1), ((1, 1), (0, 0)), (2, 1), None),
]


def _rand(seed, shape, dtype=np.float32):
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", ["sum", "max", "min", "prod"])
def test_reduce_window_matches_numpy(case, name):
    shape, dims, st, pads, base, wdil = case
    x = _rand(0, shape)
    comp, init, op = {"sum": (lax.add, 0., np.add), "max": (lax.max, -np.inf, np.maximum),
                      "min": (lax.min, np.inf, np.minimum),
                      "prod": (lax.mul, 1., np.multiply)}[name]
    out = lax.reduce_window(x, np.float32(init), comp, dims, st, pads, base, wdil)
    np.testing.assert_allclose(np.asarray(out), window_reference(
        x, np.float32(init), op, dims, st, pads, base, wdil), rtol=1e-5, atol=1e-6)


def test_monoids_bind_the_specialized_primitives():
    x = np.ones((4, 4), np.float32)
    names = lambda f: [e.primitive.name for e in gb.make_jaxpr(f)(x).eqns]  # noqa: E731
    assert names(lambda x: lax.reduce_window(x, 0., lax.add, (2, 2), (1, 1), "VALID")) == \
        ["reduce_window_sum"]
    assert names(lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (2, 2))) == \
        ["reduce_window_max"]
    assert names(lambda x: lax.reduce_window(x, 1., lax.add, (2, 2))) == ["reduce_window"]
    assert names(lambda x: lax.reduce(x, 0., lax.add, (0,))) == ["reduce_sum"]
    assert names(lambda x: lax.reduce(x, 0., lax.max, (0,))) == ["reduce"]


def test_string_padding_and_int_dtypes():
    x = np.arange(30, dtype=np.int32).reshape(5, 6)
    for padding in ("SAME", "SAME_LOWER", "VALID"):
        pads = lax.padtype_to_pads(x.shape, (2, 3), (2, 2), padding)
        out = lax.reduce_window(x, np.int32(0), lax.add, (2, 3), (2, 2), padding)
        np.testing.assert_array_equal(np.asarray(out), window_reference(
            x, 0, np.add, (2, 3), (2, 2), pads))
    assert lax.reduce_window_shape_tuple((5, 6), (2, 3), (2, 2), ((0, 1), (0, 1))) == (3, 3)
    out = lax.reduce_window(x, np.iinfo(np.int32).min, lax.max, (2, 2), (1, 1), "VALID")
    assert out.dtype == np.int32


def test_multi_operand_generic_reduce_window():
    """An argmax-pool: (value, index) pairs reduced by a Python computation."""
    x = _rand(1, (6, 5))
    idx = np.arange(30, dtype=np.int32).reshape(6, 5)

    def pick(a, b):
        take = a[0] >= b[0]
        return lax.select(take, a[0], b[0]), lax.select(take, a[1], b[1])
    vals, where = lax.reduce_window((x, idx), (np.float32(-np.inf), np.int32(-1)), pick,
                                    (2, 2), (2, 1), "VALID")
    ref = window_reference(x, np.float32(-np.inf), np.maximum, (2, 2), (2, 1),
                           ((0, 0), (0, 0)))
    np.testing.assert_array_equal(np.asarray(vals), ref)
    np.testing.assert_array_equal(x.ravel()[np.asarray(where)], ref)


# --- derivatives -----------------------------------------------------------------------

GRAD_CASES = [CASES[1], CASES[2], CASES[3]]


@pytest.mark.parametrize("case", GRAD_CASES)
@pytest.mark.parametrize("name", ["sum", "max", "min"])
def test_reduce_window_grads(case, name):
    shape, dims, st, pads, base, wdil = case
    if name != "sum" and wdil is not None:
        wdil = None   # JAX has no VJP for max/min pooling with window dilation
    x = _rand(2, shape, np.float64) + np.arange(np.prod(shape)).reshape(shape) * 1e-2
    comp, init = {"sum": (lax.add, 0.), "max": (lax.max, -np.inf),
                  "min": (lax.min, np.inf)}[name]
    with gb.config.override(enable_x64=True):
        f = lambda x: lax.reduce_window(x, init, comp, dims, st, pads, base, wdil)  # noqa
        check_grads(f, (x,), order=2, modes=("fwd", "rev"))


def test_max_pool_gradient_matches_jax_and_finite_differences():
    # JAX 0.10.2: jax.grad(lambda x: (maxpool(x) ** 2).sum())(x) for this x (ties broken
    # towards the first maximum: select_and_scatter's >= select)
    x = np.array([[1., 3., 3., 0.], [2., -1., 4., 4.], [0., 5., 1., 2.]], np.float32)

    def loss(x):
        y = lax.reduce_window(x, -jnp.inf, lax.max, (2, 2), (1, 2), "SAME")
        return (y ** 2).sum()
    g = gb.grad(loss)(x)
    expected = np.array([[0., 6., 0., 0.], [0., 0., 16., 0.], [0., 20., 0., 4.]], np.float32)
    np.testing.assert_array_equal(np.asarray(g), expected)
    xs = _rand(3, (2, 3, 6, 6), np.float64)
    with gb.config.override(enable_x64=True):
        check_grads(lambda x: lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 3, 3),
                                                (1, 1, 2, 2), "SAME"), (xs,), order=2)


def test_generic_reduce_window_jvp():
    x, t = _rand(4, (7,), np.float64), _rand(5, (7,), np.float64)
    with gb.config.override(enable_x64=True):
        check_grads(lambda x: lax.reduce_window(x, 1., lax.mul, (3,), (2,), "SAME"), (x,),
                    order=2, modes=("fwd",))
        _, tan = gb.jvp(lambda x: lax.reduce_window(x, 1., lax.mul, (2,), (1,), "VALID"),
                        (x,), (t,))
    np.testing.assert_allclose(np.asarray(tan), x[:-1] * t[1:] + t[:-1] * x[1:], rtol=1e-12)


# --- vmap, jit -------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sum", "max", "generic"])
@pytest.mark.parametrize("size, axis", [(3, 0), (3, 2), (0, 0)])
def test_reduce_window_vmap_matches_loop(name, size, axis):
    shape, dims, st, pads, base, wdil = CASES[2]
    comp, init = {"sum": (lax.add, 0.), "max": (lax.max, -np.inf),
                  "generic": (lambda a, b: a + 2 * b, 0.)}[name]
    f = lambda x: lax.reduce_window(x, np.float32(init), comp, dims, st, pads, base,  # noqa
                                    wdil)
    xs = np.moveaxis(_rand(6, (size,) + shape), 0, axis)
    out = gb.vmap(f, in_axes=axis)(xs)
    ref_shape = np.asarray(f(xs.take(0, axis) if size else _rand(0, shape))).shape
    assert out.shape == (size,) + ref_shape
    if size:
        np.testing.assert_allclose(np.asarray(out),
                                   np.stack([np.asarray(f(xs.take(i, axis)))
                                             for i in range(size)]), rtol=1e-6)


def test_max_pool_grad_vmap_and_jit():
    xs = _rand(7, (3, 1, 2, 5, 5))
    loss = lambda x: (lax.reduce_window(x, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2),  # noqa
                                        ((0, 0), (0, 0), (0, 1), (0, 1))) ** 2).sum()
    g = gb.vmap(gb.grad(loss))(xs)
    np.testing.assert_array_equal(np.asarray(g),
                                  np.stack([np.asarray(gb.grad(loss)(x)) for x in xs]))
    np.testing.assert_allclose(np.asarray(gb.jit(gb.vmap(gb.grad(loss)))(xs)), np.asarray(g),
                               rtol=1e-6)
    text = gb.jit(gb.grad(loss)).lower(xs[0]).as_text()
    assert "stablehlo.select_and_scatter" in text and "stablehlo.reduce_window" in text


# --- reduce ------------------------------------------------------------------------------

def test_generic_reduce_variadic_argmax():
    x = _rand(8, (4, 5))
    idx = np.broadcast_to(np.arange(5, dtype=np.int32), (4, 5))

    def pick(a, b):
        take = a[0] >= b[0]
        return lax.select(take, a[0], b[0]), lax.select(take, a[1], b[1])
    vals, where = lax.reduce((x, idx), (np.float32(-np.inf), np.int32(0)), pick, (1,))
    np.testing.assert_array_equal(np.asarray(vals), x.max(1))
    np.testing.assert_array_equal(np.asarray(where), x.argmax(1))
    vals2, where2 = gb.jit(lambda x, i: lax.reduce((x, i), (np.float32(-np.inf),
                                                           np.int32(0)), pick, (1,)))(x, idx)
    np.testing.assert_array_equal(np.asarray(where2), x.argmax(1))
    bv, bw = gb.vmap(lambda x: lax.reduce((x, idx), (np.float32(-np.inf), np.int32(0)),
                                          pick, (1,)))(np.stack([x, -x]))
    np.testing.assert_array_equal(np.asarray(bw), np.stack([x.argmax(1), (-x).argmax(1)]))


def test_generic_reduce_values_and_grads():
    x = _rand(9, (3, 5, 2), np.float64)
    out = lax.reduce(x, np.float32(0.), lambda a, b: a + b * 1.0, (0, 2))
    np.testing.assert_allclose(np.asarray(out), x.astype(np.float32).sum((0, 2)), rtol=1e-5)
    with gb.config.override(enable_x64=True):
        check_grads(lambda x: lax.reduce(x, 1., lambda a, b: a * b + 0., (1,)), (x,),
                    order=2)
        check_grads(lambda x: lax.reduce(x, -np.inf, lambda a, b: jnp.maximum(a, b), (0, 1)),
                    (x,), order=1)


def test_reduce_monoid_weak_type():
    assert not lax.reduce(np.ones(3, np.float32), 0., lax.add, (0,)).weak_type


# --- reduce_precision --------------------------------------------------------------------

def test_reduce_precision_rounds_like_casting():
    x = _rand(10, (100,)) * 1000
    np.testing.assert_array_equal(np.asarray(lax.reduce_precision(x, 5, 10)),
                                  x.astype(np.float16).astype(np.float32))
    np.testing.assert_array_equal(np.asarray(lax.reduce_precision(x, 8, 7)),
                                  x.astype(ml_dtypes.bfloat16).astype(np.float32))
    t = _rand(11, (100,))
    _, tan = gb.jvp(lambda x: lax.reduce_precision(x, 5, 10), (x,), (t,))
    np.testing.assert_array_equal(np.asarray(tan), t.astype(np.float16).astype(np.float32))
    g = gb.grad(lambda x: lax.reduce_precision(x, 8, 7).sum())(x)
    np.testing.assert_array_equal(np.asarray(g), np.ones_like(x))
    np.testing.assert_array_equal(np.asarray(gb.vmap(lambda v: lax.reduce_precision(v, 5, 10))(
        x.reshape(10, 10))), x.astype(np.float16).astype(np.float32).reshape(10, 10))


# --- errors -------------------------------------------------------------------------

def test_errors_match_jax():
    x = np.ones((4, 4), np.float32)
    with pytest.raises(TypeError, match="wrong number of window_dimensions"):
        lax.reduce_window(x, 0., lax.add, (2,), (1,), "VALID")
    with pytest.raises(TypeError, match="inconsistent window_strides"):
        lax.reduce_window(x, 0., lax.add, (2, 2), (1,), ((0, 0), (0, 0)))
    with pytest.raises(TypeError, match="must have every element be positive"):
        lax.reduce_window(x, 0., lax.add, (0, 2), (1, 1), "VALID")
    with pytest.raises(TypeError, match="inconsistent dtypes"):
        lax.reduce_window(x, np.int32(1), lax.add, (2, 2), (1, 1), "VALID")
    with pytest.raises(ValueError, match="same tree structure"):
        lax.reduce_window((x, x), (0.,), lambda a, b: a, (2, 2))
    with pytest.raises(TypeError, match="operand to reduce_window_sum must have a number"):
        lax.reduce_window(np.ones((2, 2), bool), False, lax.add, (1, 1))
    with pytest.raises(ValueError, match="exponent_bits must be positive"):
        lax.reduce_precision(x, 0, 3)
    with pytest.raises(TypeError, match="does not accept dtype int32"):
        lax.reduce_precision(np.ones(3, np.int32), 5, 10)
    with pytest.raises(ValueError, match="same tree structure"):
        lax.reduce((x, x), (0.,), lax.add, (0,))
