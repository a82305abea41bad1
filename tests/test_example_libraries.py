"""glassbox.example_libraries: optimizers against NumPy transcriptions of their update rules,
optimizer state as a pytree through jit; stax layers' shapes and values against NumPy."""
import math

import numpy as np
import pytest
import scipy.special

import glassbox as jax
import glassbox.numpy as jnp
from glassbox import random, tree_util
from glassbox.example_libraries import optimizers, stax

# --- optimizers ------------------------------------------------------------------------------

A = {"w": np.array([1., 2., 3.], np.float32), "b": np.array([[0.5, 4.], [1., 0.25]], np.float32)}
X0 = {"w": np.array([1., -2., 0.5], np.float32), "b": np.array([[3., -1.], [2., 1.]], np.float32)}


def loss(params):
    """A quadratic bowl: 0.5 * sum(a * x**2), gradient a * x."""
    return sum(0.5 * jnp.sum(A[k] * params[k] ** 2) for k in params)


def _np_steps(rule, state, n):
    """Run a NumPy transcription ``rule(i, g, state) -> state`` of one array's update."""
    out = {}
    for k in X0:
        s = state(X0[k].astype(np.float64))
        for i in range(n):
            s = rule(i, A[k] * s[0], s)
        out[k] = s[0]
    return out


def _np_sgd(lr):
    return (lambda x: (x,)), (lambda i, g, s: (s[0] - lr * g,))


def _np_momentum(lr, mass, nesterov=False):
    def rule(i, g, s):
        x, v = s
        v = mass * v + g
        return (x - lr * (mass * v + g) if nesterov else x - lr * v), v
    return (lambda x: (x, np.zeros_like(x))), rule


def _np_adagrad(lr, mom=0.9):
    def rule(i, g, s):
        x, g_sq, m = s
        g_sq = g_sq + g ** 2
        inv = np.where(g_sq > 0, 1 / np.sqrt(g_sq), 0.)
        m = (1 - mom) * g * inv + mom * m
        return x - lr * m, g_sq, m
    return (lambda x: (x, np.zeros_like(x), np.zeros_like(x))), rule


def _np_rmsprop(lr, gamma=0.9, eps=1e-8):
    def rule(i, g, s):
        x, avg = s
        avg = avg * gamma + g ** 2 * (1 - gamma)
        return x - lr * g / np.sqrt(avg + eps), avg
    return (lambda x: (x, np.zeros_like(x))), rule


def _np_rmsprop_momentum(lr, gamma=0.9, eps=1e-8, mom=0.9):
    def rule(i, g, s):
        x, avg, m = s
        avg = avg * gamma + g ** 2 * (1 - gamma)
        m = mom * m + lr * g / np.sqrt(avg + eps)
        return x - m, avg, m
    return (lambda x: (x, np.zeros_like(x), np.zeros_like(x))), rule


def _np_adam(lr, b1=0.9, b2=0.999, eps=1e-8):
    def rule(i, g, s):
        x, m, v = s
        m = (1 - b1) * g + b1 * m
        v = (1 - b2) * g ** 2 + b2 * v
        mhat, vhat = m / (1 - b1 ** (i + 1)), v / (1 - b2 ** (i + 1))
        return x - lr * mhat / (np.sqrt(vhat) + eps), m, v
    return (lambda x: (x, np.zeros_like(x), np.zeros_like(x))), rule


def _np_adamax(lr, b1=0.9, b2=0.999, eps=1e-8):
    def rule(i, g, s):
        x, m, u = s
        m = (1 - b1) * g + b1 * m
        u = np.maximum(b2 * u, np.abs(g))
        return x - lr / (1 - b1 ** (i + 1)) * m / (u + eps), m, u
    return (lambda x: (x, np.zeros_like(x), np.zeros_like(x))), rule


def _np_sm3(lr, mom=0.9):
    # one accumulator per axis; the per-entry accumulator is the min over the axes'.
    def rule(i, g, s):
        x, m, vs = s
        shape = x.shape
        expanded = [v.reshape([-1 if a == j else 1 for a in range(len(shape))])
                    for j, v in enumerate(vs)]
        accum = np.minimum.reduce(np.broadcast_arrays(*expanded)) + g ** 2
        inv = np.where(accum > 0, 1 / np.sqrt(accum), 0.)
        m = (1 - mom) * g * inv + mom * m
        vs = [accum.max(axis=tuple(a for a in range(len(shape)) if a != j))
              for j in range(len(shape))]
        return x - lr * m, m, vs
    return (lambda x: (x, np.zeros_like(x), [np.zeros(d) for d in x.shape])), rule


OPTIMIZERS = {
    "sgd": (optimizers.sgd(0.1), _np_sgd(0.1)),
    "momentum": (optimizers.momentum(0.1, 0.9), _np_momentum(0.1, 0.9)),
    "nesterov": (optimizers.nesterov(0.1, 0.9), _np_momentum(0.1, 0.9, nesterov=True)),
    "adagrad": (optimizers.adagrad(0.1), _np_adagrad(0.1)),
    "rmsprop": (optimizers.rmsprop(0.01), _np_rmsprop(0.01)),
    "rmsprop_momentum": (optimizers.rmsprop_momentum(0.01), _np_rmsprop_momentum(0.01)),
    "adam": (optimizers.adam(0.05), _np_adam(0.05)),
    "adamax": (optimizers.adamax(0.05), _np_adamax(0.05)),
    "sm3": (optimizers.sm3(0.1), _np_sm3(0.1)),
}


@pytest.mark.parametrize("name", sorted(OPTIMIZERS))
def test_optimizer_steps_match_numpy(name):
    (opt_init, opt_update, get_params), (np_init, np_rule) = OPTIMIZERS[name]
    state = opt_init(X0)
    assert isinstance(state, optimizers.OptimizerState)
    for i in range(5):
        state = opt_update(i, jax.grad(loss)(get_params(state)), state)
    got = get_params(state)
    want = _np_steps(np_rule, np_init, 5)
    assert tree_util.tree_structure(got) == tree_util.tree_structure(X0)
    for k in X0:
        assert got[k].shape == X0[k].shape and got[k].dtype == np.float32
        np.testing.assert_allclose(np.asarray(got[k]), want[k], rtol=2e-5, atol=1e-6)
    assert float(loss(got)) < float(loss(X0))


@pytest.mark.parametrize("name", ["sgd", "adam", "sm3"])
def test_optimizer_state_is_a_pytree_through_jit(name):
    opt_init, opt_update, get_params = OPTIMIZERS[name][0]

    # The whole state goes in and out of jit as a pytree (sm3 keeps the parameter shape in
    # its state: as in JAX, its ints become traced, so get_params runs outside jit).
    step = jax.jit(opt_update)
    eager = jitted = opt_init(X0)
    for i in range(3):
        eager = opt_update(i, jax.grad(loss)(get_params(eager)), eager)
        jitted = step(i, jax.grad(loss)(get_params(jitted)), jitted)
    assert isinstance(jitted, optimizers.OptimizerState)
    leaves_e, tree_e = tree_util.tree_flatten(eager)
    leaves_j, tree_j = tree_util.tree_flatten(jitted)
    assert tree_e == tree_j and len(leaves_e) == len(leaves_j)
    for a, b in zip(leaves_e, leaves_j):   # one program or several: fusion moves last bits
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-7)


def test_pack_unpack_round_trip_and_structure_errors():
    opt_init, opt_update, get_params = optimizers.momentum(0.1, 0.5)
    state = opt_init(X0)
    marked = optimizers.unpack_optimizer_state(state)
    assert isinstance(marked["w"], optimizers.JoinPoint)
    packed = optimizers.pack_optimizer_state(marked)
    assert packed.tree_def == state.tree_def and packed.subtree_defs == state.subtree_defs
    for a, b in zip(tree_util.tree_leaves(packed), tree_util.tree_leaves(state)):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    with pytest.raises(TypeError, match="did not match the parameter tree structure"):
        opt_update(0, {"w": X0["w"]}, state)


def test_schedules():
    i = jnp.arange(6.)
    np.testing.assert_allclose(np.asarray(optimizers.exponential_decay(0.1, 2, 0.5)(i)),
                               0.1 * 0.5 ** (np.arange(6.) / 2), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(optimizers.inverse_time_decay(1., 2, 0.5)(i)),
                               1 / (1 + 0.5 * np.arange(6.) / 2), rtol=1e-6)
    np.testing.assert_allclose(
        np.asarray(optimizers.inverse_time_decay(1., 2, 0.5, staircase=True)(i)),
        1 / (1 + 0.5 * np.floor(np.arange(6.) / 2)), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(optimizers.polynomial_decay(1., 4, 0.1, 2.)(i)),
                               (1 - np.minimum(np.arange(6.), 4) / 4) ** 2 * 0.9 + 0.1,
                               rtol=1e-6)
    pc = optimizers.piecewise_constant([2, 4], [1., 0.5, 0.1])
    np.testing.assert_allclose([float(pc(k)) for k in range(6)], [1., 1., 1., 0.5, 0.5, 0.1],
                               rtol=1e-7)
    assert optimizers.constant(0.3)(7) == 0.3
    assert optimizers.make_schedule(0.2)(5) == 0.2
    with pytest.raises(TypeError):
        optimizers.make_schedule([0.1, 0.2])
    with pytest.raises(ValueError, match="one shorter"):
        optimizers.piecewise_constant([1, 2], [1.])


def test_l2_norm_and_clip_grads():
    tree = {"a": jnp.array([3., 0.]), "b": [jnp.array([[4.]])]}
    assert float(optimizers.l2_norm(tree)) == pytest.approx(5.0)
    clipped = optimizers.clip_grads(tree, 1.0)
    assert float(optimizers.l2_norm(clipped)) == pytest.approx(1.0, rel=1e-6)
    np.testing.assert_allclose(np.asarray(clipped["a"]), [0.6, 0.], rtol=1e-6)
    kept = optimizers.clip_grads(tree, 10.0)
    np.testing.assert_array_equal(np.asarray(kept["b"][0]), [[4.]])


def test_util_helpers():
    assert optimizers.safe_map(lambda a, b: a + b, (1, 2), [3, 4]) == [4, 6]
    assert optimizers.safe_zip((1, 2), "ab") == [(1, "a"), (2, "b")]
    assert optimizers.unzip2([(1, 2), (3, 4)]) == ((1, 3), (2, 4))
    assert optimizers.map is optimizers.safe_map and optimizers.zip is optimizers.safe_zip
    with pytest.raises(ValueError, match="argument 2 is longer than argument 1"):
        optimizers.safe_map(lambda a, b: a, [1], [1, 2])
    with pytest.raises(ValueError, match="All lengths"):
        optimizers.safe_zip([1], [1, 2])
    with pytest.raises(TypeError, match="at least 1 argument"):
        optimizers.safe_zip()


# --- stax --------------------------------------------------------------------------------------

KEY = random.key(0)
XS = np.random.default_rng(1).normal(size=(4, 5)).astype(np.float32)


def test_dense_init_and_apply():
    init_fun, apply_fun = stax.Dense(3)
    out_shape, (W, b) = init_fun(KEY, (-1, 5))
    assert out_shape == (-1, 3) and W.shape == (5, 3) and b.shape == (3,)
    np.testing.assert_allclose(np.asarray(apply_fun((W, b), XS)),
                               XS @ np.asarray(W) + np.asarray(b), rtol=1e-5, atol=1e-6)


def _np_log_softmax(x):
    return x - scipy.special.logsumexp(x, axis=-1, keepdims=True)


def test_serial_mlp_matches_numpy():
    init_fun, apply_fun = stax.serial(stax.Dense(8), stax.Relu, stax.Dense(6), stax.Tanh,
                                      stax.Dense(3), stax.LogSoftmax)
    out_shape, params = init_fun(KEY, (-1, 5))
    assert out_shape == (-1, 3) and len(params) == 6
    (W1, b1), _, (W2, b2), _, (W3, b3), _ = params
    assert W1.shape == (5, 8) and W2.shape == (8, 6) and W3.shape == (6, 3)
    h = np.maximum(XS @ np.asarray(W1) + np.asarray(b1), 0)
    h = np.tanh(h @ np.asarray(W2) + np.asarray(b2))
    want = _np_log_softmax(h @ np.asarray(W3) + np.asarray(b3))
    np.testing.assert_allclose(np.asarray(apply_fun(params, XS)), want, rtol=1e-5, atol=1e-5)
    jitted = jax.jit(apply_fun)(params, XS)
    np.testing.assert_allclose(np.asarray(jitted), want, rtol=1e-5, atol=1e-5)


def test_serial_splits_the_key_per_layer():
    init_fun, _ = stax.serial(stax.Dense(2), stax.Dense(2))
    _, params = init_fun(KEY, (-1, 2))
    k1 = random.split(KEY)[1]
    _, p0 = stax.Dense(2)[0](k1, (-1, 2))
    np.testing.assert_array_equal(np.asarray(params[0][0]), np.asarray(p0[0]))


@pytest.mark.parametrize("center,scale", [(True, True), (True, False), (False, True),
                                          (False, False)])
def test_batchnorm_matches_numpy(center, scale):
    x = np.random.default_rng(2).normal(size=(2, 3, 4, 5)).astype(np.float32) * 3 + 1
    init_fun, apply_fun = stax.BatchNorm(center=center, scale=scale,
                                         beta_init=lambda k, s: jnp.full(s, 0.5),
                                         gamma_init=lambda k, s: jnp.arange(5.) + 1)
    out_shape, (beta, gamma) = init_fun(KEY, x.shape)
    assert out_shape == x.shape
    assert (beta.shape if center else beta) == ((5,) if center else ())
    z = (x - x.mean((0, 1, 2))) / np.sqrt(x.var((0, 1, 2)) + 1e-5)
    want = z * (np.arange(5.) + 1 if scale else 1) + (0.5 if center else 0)
    np.testing.assert_allclose(np.asarray(apply_fun((beta, gamma), x)), want, rtol=1e-4,
                               atol=1e-5)


def test_batchnorm_other_axis():
    x = np.random.default_rng(3).normal(size=(6, 4)).astype(np.float32)
    init_fun, apply_fun = stax.BatchNorm(axis=0)
    _, params = init_fun(KEY, x.shape)
    assert params[0].shape == (4,) and params[1].shape == (4,)
    want = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-5)
    np.testing.assert_allclose(np.asarray(apply_fun(params, x)), want, rtol=1e-4, atol=1e-5)


def test_dropout():
    init_fun, apply_fun = stax.Dropout(0.8)
    assert init_fun(KEY, (3, 4)) == ((3, 4), ())
    x = jnp.ones((200, 50))
    out = np.asarray(apply_fun((), x, rng=random.key(1)))
    keep = random.bernoulli(random.key(1), 0.8, (200, 50))
    np.testing.assert_allclose(out, np.where(np.asarray(keep), 1 / 0.8, 0.), rtol=1e-6)
    assert abs((out > 0).mean() - 0.8) < 0.02
    _, test_apply = stax.Dropout(0.8, mode="test")
    np.testing.assert_array_equal(np.asarray(test_apply((), x, rng=KEY)), np.asarray(x))
    with pytest.raises(ValueError, match="Dropout layer requires apply_fun to be called with"):
        apply_fun((), x)
    # inside serial, the rng is split and handed down
    init2, apply2 = stax.serial(stax.Dense(3), stax.Dropout(0.5))
    _, params = init2(KEY, (-1, 5))
    assert apply2(params, XS, rng=random.key(2)).shape == (4, 3)


ELEMENTWISE = {
    "Tanh": (stax.Tanh, np.tanh), "Relu": (stax.Relu, lambda x: np.maximum(x, 0)),
    "Exp": (stax.Exp, np.exp), "Sigmoid": (stax.Sigmoid, scipy.special.expit),
    "Softplus": (stax.Softplus, lambda x: np.logaddexp(x, 0)),
    "Elu": (stax.Elu, lambda x: np.where(x > 0, x, np.expm1(x))),
    "LeakyRelu": (stax.LeakyRelu, lambda x: np.where(x >= 0, x, 0.01 * x)),
    "Selu": (stax.Selu, lambda x: 1.0507009873554805 * np.where(
        x > 0, x, 1.6732632423543772 * np.expm1(x))),
    "Gelu": (stax.Gelu, lambda x: 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (
        x + 0.044715 * x ** 3)))),
    "Softmax": (stax.Softmax, lambda x: np.exp(_np_log_softmax(x))),
    "LogSoftmax": (stax.LogSoftmax, _np_log_softmax),
}


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_layers(name):
    (init_fun, apply_fun), ref = ELEMENTWISE[name]
    assert init_fun(KEY, (4, 5)) == ((4, 5), ())
    np.testing.assert_allclose(np.asarray(apply_fun((), XS)), ref(XS.astype(np.float64)),
                               rtol=2e-5, atol=1e-6)


def test_fan_out_parallel_fan_in():
    init_fun, apply_fun = stax.serial(
        stax.FanOut(2), stax.parallel(stax.Dense(3), stax.Identity), stax.FanInConcat())
    out_shape, params = init_fun(KEY, (-1, 5))
    assert out_shape == (-1, 8)
    (W, b), () = params[1]
    out = np.asarray(apply_fun(params, XS))
    np.testing.assert_allclose(out, np.concatenate([XS @ np.asarray(W) + np.asarray(b), XS], -1),
                               rtol=1e-5, atol=1e-6)
    init_s, apply_s = stax.serial(stax.FanOut(3), stax.parallel(stax.Identity, stax.Identity,
                                                                stax.Identity), stax.FanInSum)
    assert init_s(KEY, (4, 5))[0] == (4, 5)
    np.testing.assert_allclose(np.asarray(apply_s(init_s(KEY, (4, 5))[1], XS)), 3 * XS,
                               rtol=1e-6)


def test_flatten_and_shape_dependent():
    x = np.arange(24.).reshape(2, 3, 4).astype(np.float32)
    assert stax.Flatten[0](KEY, (2, 3, 4)) == ((2, 12), ())
    np.testing.assert_array_equal(np.asarray(stax.Flatten[1]((), x)), x.reshape(2, 12))
    layer = stax.shape_dependent(lambda shape: stax.Dense(shape[-1] * 2))
    out_shape, params = layer[0](KEY, (-1, 4))
    assert out_shape == (-1, 8)
    assert layer[1](params, jnp.ones((3, 4))).shape == (3, 8)


def _np_conv_nhwc(x, w, stride, pad):
    """Cross-correlation of NHWC ``x`` with HWIO ``w``, by loops."""
    if pad:
        ph, pw = (w.shape[0] - 1) // 2, (w.shape[1] - 1) // 2
        x = np.pad(x, ((0, 0), (ph, w.shape[0] - 1 - ph), (pw, w.shape[1] - 1 - pw), (0, 0)))
    n, h, wd, _ = x.shape
    oh, ow = (h - w.shape[0]) // stride + 1, (wd - w.shape[1]) // stride + 1
    out = np.zeros((n, oh, ow, w.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = x[:, i * stride:i * stride + w.shape[0], j * stride:j * stride + w.shape[1]]
            out[:, i, j] = np.einsum("nhwi,hwio->no", patch, w)
    return out


@pytest.mark.parametrize("padding,stride", [("VALID", 1), ("SAME", 1), ("VALID", 2)])
def test_conv_matches_numpy(padding, stride):
    x = np.random.default_rng(4).normal(size=(2, 6, 7, 3)).astype(np.float32)
    init_fun, apply_fun = stax.Conv(4, (3, 3), strides=(stride, stride), padding=padding)
    out_shape, (W, b) = init_fun(KEY, x.shape)
    assert W.shape == (3, 3, 3, 4) and b.shape == (1, 1, 1, 4)
    want = _np_conv_nhwc(x.astype(np.float64), np.asarray(W, np.float64), stride,
                         padding == "SAME") + np.asarray(b)
    assert tuple(out_shape) == want.shape
    np.testing.assert_allclose(np.asarray(apply_fun((W, b), x)), want, rtol=1e-4, atol=1e-5)


def test_pooling_matches_numpy():
    x = np.random.default_rng(5).normal(size=(2, 4, 6, 3)).astype(np.float32)
    windows = x.reshape(2, 2, 2, 3, 2, 3)   # 2x2 windows, stride 2
    for layer, ref in [(stax.MaxPool, windows.max((2, 4))), (stax.SumPool, windows.sum((2, 4))),
                       (stax.AvgPool, windows.mean((2, 4)))]:
        init_fun, apply_fun = layer((2, 2), strides=(2, 2))
        assert tuple(init_fun(KEY, x.shape)[0]) == (2, 2, 3, 3)
        np.testing.assert_allclose(np.asarray(apply_fun((), x)), ref, rtol=1e-5, atol=1e-6)
    # SAME padding: the average divides by the window's in-bounds count
    init_fun, apply_fun = stax.AvgPool((3, 3), padding="SAME")
    out = np.asarray(apply_fun((), x))
    assert tuple(init_fun(KEY, x.shape)[0]) == out.shape == x.shape
    xp = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)))
    cp = np.pad(np.ones_like(x), ((0, 0), (1, 1), (1, 1), (0, 0)))
    s = sum(xp[:, i:i + 4, j:j + 6] for i in range(3) for j in range(3))
    c = sum(cp[:, i:i + 4, j:j + 6] for i in range(3) for j in range(3))
    np.testing.assert_allclose(out, s / c, rtol=1e-5, atol=1e-6)


def test_conv_transpose_shapes():
    init_fun, apply_fun = stax.ConvTranspose(2, (3, 3), strides=(2, 2))
    out_shape, params = init_fun(KEY, (1, 4, 4, 3))
    assert tuple(out_shape) == (1, 9, 9, 2)
    assert apply_fun(params, jnp.ones((1, 4, 4, 3))).shape == (1, 9, 9, 2)
    init1, apply1 = stax.Conv1DTranspose(2, (3,))
    out_shape, params = init1(KEY, (1, 5, 3))
    assert tuple(out_shape) == (1, 7, 2) and apply1(params, jnp.ones((1, 5, 3))).shape == (1, 7, 2)


def test_reexports_and_aliases():
    from glassbox import nn
    assert stax.relu is nn.relu and stax.logsoftmax is nn.log_softmax
    assert stax.glorot is stax.glorot_normal and stax.randn is stax.normal
    for name in ("zeros", "ones", "standardize", "softmax", "gelu"):
        assert callable(getattr(stax, name))
    assert math.prod(stax.ones(KEY, (2, 3)).shape) == 6


# --- against JAX: a convnet's initial parameters, output and Adam steps ------------------------


def test_convnet_and_adam_match_jax():
    import json
    import os
    from .stax_cases import run
    with open(os.path.join(os.path.dirname(__file__), "stax_golden.json")) as f:
        golden = json.load(f)["values"]
    got = run(jax, jnp, random, stax, optimizers)
    assert set(got) == set(golden)
    for name, value in got.items():
        want = np.asarray(golden[name])
        assert np.shape(value) == want.shape, name
        np.testing.assert_allclose(np.asarray(value, np.float64), want, rtol=1e-4, atol=1e-5,
                                   err_msg=name)
