"""``glassbox.nn`` and ``glassbox.nn.initializers``: what the op table cannot express.

Values recorded from JAX 0.10.2 (``nn_golden.json``, made by ``make_nn_golden.py``):
initializers for fixed keys, activations, softmax/logsumexp edge rows, attention and
gradients. Plus custom derivatives (relu'(0) == 0), stability, ``where=`` masks,
one_hot, attention against NumPy, initializer statistics, and JAX's errors.
"""
import ast
import json
import os

import numpy as np
import pytest
import scipy.special

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import nn
from glassbox.errors import ConcretizationTypeError
from glassbox.nn import initializers
from tests.make_nn_golden import CASES

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "nn_golden.json")) as _f:
    GOLDEN = json.load(_f)


# --- golden values from JAX -------------------------------------------------------------

def _decode(ref):
    values = ref["values"]
    if isinstance(values, str):                      # complex values
        return np.array(ast.literal_eval(values), np.complex128)
    return np.array(values, np.float64)


@pytest.mark.parametrize("name,case", CASES, ids=[name for name, _ in CASES])
def test_matches_jax(name, case):
    ref = GOLDEN["cases"][name]
    out = np.asarray(case(gb, jnp))
    assert out.dtype.name == ref["dtype"] and list(out.shape) == ref["shape"], name
    want = _decode(ref)
    got = out.astype(want.dtype)
    finite = np.isfinite(want)
    # non-finite values (inf, -inf, nan) exactly where JAX has them
    np.testing.assert_array_equal(got[~finite], want[~finite])
    if not finite.any():
        return
    # within 4 ulp of the array's largest value: XLA's exp/log/tanh/erf_inv and the
    # order of a sum can move the last bit (on another CPU model, real JAX too)
    eps = float(np.finfo(ref["dtype"]).eps) if ref["dtype"] != "int32" else 0.0
    bound = 4 * eps * np.max(np.abs(want[finite]))
    assert np.max(np.abs(got[finite] - want[finite])) <= bound, name


def test_golden_covers_every_case():
    assert sorted(GOLDEN["cases"]) == sorted(name for name, _ in CASES)
    assert GOLDEN["jax_version"] == "0.10.2"


def test_initializers_draw_jax_bits_exactly():
    # uniform draws are bit for bit JAX's on every machine (no transcendental)
    for name in ("init_glorot_uniform_3x4_0", "init_he_uniform_3x3x2x5_0",
                 "init_uniform_4_0"):
        case = dict(CASES)[name]
        np.testing.assert_array_equal(np.asarray(case(gb, jnp), np.float64),
                                      _decode(GOLDEN["cases"][name]))


# --- every JAX name exists --------------------------------------------------------------

def test_every_jax_nn_name_exists():
    with open(os.path.join(HERE, "jax_api_names.json")) as f:
        modules = json.load(f)["modules"]
    missing = [n for n in modules["nn"] if not hasattr(nn, n)]
    missing += [n for n in modules["nn.initializers"] if not hasattr(initializers, n)]
    assert missing == []
    assert gb.nn.initializers is initializers


# --- custom derivatives -------------------------------------------------------------------

def test_relu_derivative_at_zero_is_zero():
    assert float(gb.grad(nn.relu)(0.0)) == 0.0
    assert float(gb.grad(nn.relu)(1e-30)) == 1.0
    assert float(gb.grad(nn.relu)(-1e-30)) == 0.0
    assert float(gb.jit(gb.grad(nn.relu))(0.0)) == 0.0
    # forward mode too, and under vmap
    _, t = gb.jvp(nn.relu, (jnp.zeros(3),), (jnp.ones(3),))
    np.testing.assert_array_equal(np.asarray(t), np.zeros(3))
    np.testing.assert_array_equal(
        np.asarray(gb.vmap(gb.grad(nn.relu))(jnp.array([-1.0, 0.0, 2.0]))), [0.0, 0.0, 1.0])


def test_relu6_derivative_is_zero_at_both_kinks():
    g = gb.vmap(gb.grad(nn.relu6))(jnp.array([0.0, 3.0, 6.0, 7.0]))
    np.testing.assert_array_equal(np.asarray(g), [0.0, 1.0, 0.0, 0.0])


def test_log1mexp_derivative_is_one_over_expm1():
    x = np.array([1e-3, 0.5, 2.0, 30.0], np.float32)
    g = gb.vmap(gb.grad(nn.log1mexp))(jnp.asarray(x))
    np.testing.assert_allclose(np.asarray(g), 1 / np.expm1(x.astype(np.float64)), rtol=1e-6)
    gb.test_util.check_grads(nn.log1mexp, (np.array([0.3, 1.5], np.float32),), order=2,
                             atol=2e-2, rtol=2e-2)


# --- softmax and logsumexp: stability, -inf rows, masks -----------------------------------

def test_softmax_and_logsumexp_are_stable_on_huge_inputs():
    x = jnp.array([[1e30, 1e30, 0.0], [-1e30, -1e30, -1e30]])
    np.testing.assert_allclose(np.asarray(nn.softmax(x)), [[0.5, 0.5, 0.0], [1 / 3] * 3])
    np.testing.assert_allclose(np.asarray(nn.log_softmax(x))[0, :2], np.log([0.5, 0.5]))
    big = jnp.array([1e4, 1e4])
    assert float(nn.logsumexp(big)) == pytest.approx(1e4 + np.log(2), rel=1e-7)
    assert float(nn.logmeanexp(big)) == pytest.approx(1e4, rel=1e-7)
    g = gb.grad(lambda v: nn.logsumexp(v))(jnp.array([1e4, 1e4, -1e4]))
    np.testing.assert_allclose(np.asarray(g), [0.5, 0.5, 0.0])


def test_minus_inf_entries_and_rows():
    x = jnp.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf]])
    lse = np.asarray(nn.logsumexp(x, axis=1))
    assert lse[0] == pytest.approx(np.logaddexp(0, 1)) and lse[1] == -np.inf
    sm = np.asarray(nn.softmax(x))
    np.testing.assert_allclose(sm[0], scipy.special.softmax([-np.inf, 0.0, 1.0]), rtol=1e-6)
    assert sm[0, 0] == 0.0
    # gradient of a finite row with a -inf entry: finite, 0 at the -inf entry
    g = np.asarray(gb.grad(lambda v: nn.logsumexp(v))(x[0]))
    assert np.all(np.isfinite(g)) and g[0] == 0.0


def test_logsumexp_b_sign_axes_keepdims():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 3, 4)).astype(np.float32)
    b = rng.standard_normal((3, 4)).astype(np.float32)
    out, sign = nn.logsumexp(a, axis=(0, 2), b=b, keepdims=True, return_sign=True)
    want, want_sign = scipy.special.logsumexp(a.astype(np.float64), axis=(0, 2), b=b,
                                              keepdims=True, return_sign=True)
    assert out.shape == (1, 3, 1)
    np.testing.assert_allclose(np.asarray(out), want, rtol=1e-5)
    np.testing.assert_array_equal(np.asarray(sign), want_sign)
    # without return_sign a negative sum is NaN (as JAX and SciPy)
    assert np.isnan(float(nn.logsumexp(jnp.array([0.0, 0.0]), b=jnp.array([1.0, -2.0]))))
    # integer input gives float32
    assert nn.logsumexp(jnp.arange(3)).dtype == np.float32


def test_where_masks():
    x = np.array([[1.0, 2.0, 3.0], [4.0, -1.0, 0.5]], np.float32)
    w = np.array([[True, False, True], [False, True, True]])
    sm = np.asarray(nn.softmax(x, where=w))
    lsm = np.asarray(nn.log_softmax(x, where=w))
    lse = np.asarray(nn.logsumexp(x, axis=1, where=w))
    for i in range(2):
        sel = x[i][w[i]]
        np.testing.assert_allclose(sm[i][w[i]], scipy.special.softmax(sel), rtol=1e-6)
        np.testing.assert_allclose(lsm[i][w[i]], scipy.special.log_softmax(sel), rtol=1e-6)
        assert lse[i] == pytest.approx(scipy.special.logsumexp(sel), rel=1e-6)
    assert np.all(sm[~w] == 0) and np.all(lsm[~w] == -np.inf)
    lme = np.asarray(nn.logmeanexp(x, axis=1, where=w))
    np.testing.assert_allclose(lme, lse - np.log(2), rtol=1e-6)
    st = np.asarray(nn.standardize(x, where=w))
    for i in range(2):
        sel = x[i][w[i]]
        np.testing.assert_allclose(st[i][w[i]], (sel - sel.mean()) / np.sqrt(sel.var() + 1e-5),
                                   rtol=1e-5)
    # the gradient of a masked softmax is zero at masked positions
    g = np.asarray(gb.grad(lambda v: jnp.sum(nn.softmax(v, where=w) * jnp.arange(3.)))(x))
    assert np.all(g[~w] == 0)


def test_standardize_given_mean_variance_and_errors():
    x = jnp.array([1.0, 3.0])
    np.testing.assert_allclose(np.asarray(nn.standardize(x, mean=1.0, variance=4.0,
                                                         epsilon=0.0)), [0.0, 1.0])
    with pytest.raises(ValueError, match="Unknown algorithm 'x'"):
        nn.standardize(x, algorithm="x")
    with pytest.raises(TypeError):
        nn.standardize([1.0, 2.0])


# --- other functions ----------------------------------------------------------------------

def test_gelu_forms_and_types():
    x = np.linspace(-4, 4, 9).astype(np.float32)
    np.testing.assert_allclose(np.asarray(nn.gelu(x, approximate=False)),
                               x * scipy.special.ndtr(x.astype(np.float64)), rtol=1e-6,
                               atol=1e-7)
    assert nn.gelu(1).dtype == np.float32 and nn.gelu(jnp.arange(3)).dtype == np.float32
    assert nn.gelu(jnp.ones(2, jnp.bfloat16)).dtype == jnp.bfloat16
    assert nn.relu(1).weak_type and nn.relu(jnp.arange(3)).dtype == np.int32


def test_activations_reject_lists_and_glu_odd_axis():
    with pytest.raises(TypeError):
        nn.silu([1.0, 2.0])
    with pytest.raises(AssertionError, match="divisible by 2"):
        nn.glu(jnp.ones(3))


def test_one_hot():
    out = nn.one_hot(jnp.array([0, 2, 3, -1]), 3)
    np.testing.assert_array_equal(np.asarray(out), [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    assert out.dtype == np.float32
    out = nn.one_hot(jnp.array([[0, 1], [2, 0]]), 3, axis=0, dtype=jnp.int8)
    assert out.shape == (3, 2, 2) and out.dtype == np.int8
    np.testing.assert_array_equal(np.asarray(out), np.moveaxis(np.eye(3)[[[0, 1], [2, 0]]], -1, 0))
    # jit with a static num_classes, and vmap
    f = gb.jit(lambda x: nn.one_hot(x, 4))
    np.testing.assert_array_equal(np.asarray(f(jnp.array([1, 3]))), np.eye(4)[[1, 3]])
    np.testing.assert_array_equal(np.asarray(gb.vmap(lambda i: nn.one_hot(i, 3))(
        jnp.array([2, 0]))), np.eye(3)[[2, 0]])


def test_one_hot_errors_and_warning():
    x = jnp.array([0, 1])
    with pytest.raises(TypeError):
        nn.one_hot(x, 3.0)
    with pytest.raises(ConcretizationTypeError, match="num_classes"):
        gb.jit(lambda n: nn.one_hot(x, n))(3)
    with pytest.raises(ConcretizationTypeError):
        gb.jit(lambda n: nn.one_hot(x, n))(3.0)
    with pytest.raises(ValueError):
        nn.one_hot(x, 3, axis=3)
    with pytest.warns(DeprecationWarning, match="integer-typed"):
        out = nn.one_hot(jnp.array([0.0, 1.0]), 2)
    np.testing.assert_array_equal(np.asarray(out), np.eye(2))


# --- attention ----------------------------------------------------------------------------

def _attention_np(q, k, v, bias=None, mask=None, causal=False, scale=None, q_len=None,
                  kv_len=None, window=None):
    """Attention in float64 with explicit loops over batch and heads (a different route)."""
    q, k, v = (np.asarray(t, np.float64) for t in (q, k, v))
    B, T, N, H = q.shape
    S, K = k.shape[1], k.shape[2]
    scale = 1 / np.sqrt(H) if scale is None else scale
    out = np.zeros((B, T, N, H))
    for b in range(B):
        for n in range(N):
            kv = n // (N // K)
            logits = q[b, :, n] @ k[b, :, kv].T * scale
            if bias is not None:
                logits = logits + np.broadcast_to(bias, (B, N, T, S))[b, n]
            keep = np.ones((T, S), bool)
            if mask is not None:
                keep &= np.broadcast_to(mask, (B, N, T, S))[b, n]
            if causal:
                keep &= np.tril(np.ones((T, S), bool))
            if window is not None:
                t, s = np.arange(T)[:, None], np.arange(S)[None, :]
                keep &= (t <= s + window[0]) & (t >= s - window[1])
            if kv_len is not None:
                keep[:, kv_len[b]:] = False
            logits = np.where(keep, logits, -0.7 * np.finfo(np.float32).max)
            out[b, :, n] = scipy.special.softmax(logits, axis=-1) @ v[b, :, kv]
            if q_len is not None:
                out[b, q_len[b]:, n] = 0
    return out


def _qkv(B=2, T=4, S=5, N=4, K=2, H=3, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((B, T, N, H)).astype(np.float32),
            rng.standard_normal((B, S, K, H)).astype(np.float32),
            rng.standard_normal((B, S, K, H)).astype(np.float32))


@pytest.mark.parametrize("kwargs", [
    {}, {"causal": True}, {"scale": 0.3}, {"bias": True}, {"mask": True},
    {"bias": True, "mask": True, "causal": True}, {"q_len": [2, 4], "kv_len": [3, 5]},
    {"window": (1, 1)}, {"window": (2, 0), "causal": True},
], ids=lambda k: "-".join(k) or "plain")
def test_attention_matches_numpy(kwargs):
    q, k, v = _qkv()
    rng = np.random.default_rng(1)
    ref = dict(kwargs)
    call = {"is_causal": kwargs.get("causal", False), "scale": kwargs.get("scale")}
    if kwargs.get("bias"):
        ref["bias"] = rng.standard_normal((1, 4, 4, 5)).astype(np.float32)
        call["bias"] = ref["bias"]
    if kwargs.get("mask"):
        ref["mask"] = rng.random((2, 1, 4, 5)) < 0.7
        ref["mask"][..., 0] = True                    # keep every row non-empty
        call["mask"] = ref["mask"]
    if "q_len" in kwargs:
        call["query_seq_lengths"] = jnp.array(kwargs["q_len"], jnp.int32)
        call["key_value_seq_lengths"] = jnp.array(kwargs["kv_len"], jnp.int32)
    if "window" in kwargs:
        call["local_window_size"] = kwargs["window"]
    out = nn.dot_product_attention(q, k, v, **call)
    assert out.shape == q.shape and out.dtype == np.float32
    np.testing.assert_allclose(np.asarray(out), _attention_np(q, k, v, **ref), rtol=1e-5,
                               atol=1e-6)
    jitted = gb.jit(lambda q, k, v: nn.dot_product_attention(q, k, v, **call))(q, k, v)
    np.testing.assert_allclose(np.asarray(jitted), np.asarray(out), rtol=1e-6, atol=1e-7)


def test_attention_3d_inputs_window_int_and_residual():
    q, k, v = _qkv(B=1, K=4)
    out = nn.dot_product_attention(q[0], k[0], v[0], local_window_size=1)
    assert out.shape == q.shape[1:]
    np.testing.assert_allclose(np.asarray(out), _attention_np(q, k, v, window=(1, 1))[0],
                               rtol=1e-5, atol=1e-6)
    out, lse = nn.dot_product_attention(q, k, v, return_residual=True)
    assert lse.shape == (1, 4, 4)
    logits = np.einsum("btnh,bsnh->bnts", q.astype(np.float64), k) / np.sqrt(3)
    np.testing.assert_allclose(np.asarray(lse),
                               scipy.special.logsumexp(logits, -1).transpose(0, 2, 1), rtol=1e-5)


def test_attention_grad_and_vmap():
    q, k, v = _qkv(B=1, N=2, K=1, T=3, S=3)
    f = lambda q, k, v: nn.dot_product_attention(q, k, v, is_causal=True)  # noqa: E731
    gb.test_util.check_grads(f, (q, k, v), order=1, atol=2e-2, rtol=2e-2)
    qs, ks, vs = (np.stack([t, t * 0.5]) for t in (q, k, v))
    out = gb.vmap(f)(qs, ks, vs)
    for i in range(2):
        np.testing.assert_allclose(np.asarray(out[i]), np.asarray(f(qs[i], ks[i], vs[i])),
                                   rtol=1e-6, atol=1e-7)


def test_attention_errors():
    q, k, v = _qkv()
    with pytest.raises(RuntimeError, match="cuDNN is not detected"):
        nn.dot_product_attention(q, k, v, implementation="cudnn")
    with pytest.raises(ValueError, match="Unsupported implementation option: foo"):
        nn.dot_product_attention(q, k, v, implementation="foo")
    with pytest.raises(ValueError, match="multiple of key/value heads, but got 3 vs 2"):
        nn.dot_product_attention(q[:, :, :3], k, v)
    with pytest.raises(ValueError, match="mask dtype should be bool"):
        nn.dot_product_attention(q, k, v, mask=np.ones((1, 1, 4, 5), np.float32))
    with pytest.raises(ValueError, match="value dtype should be float32"):
        nn.dot_product_attention(q, k, v.astype(np.float16))
    with pytest.raises(ValueError, match="query_seq_lengths dtype should be int32"):
        nn.dot_product_attention(q, k, v, query_seq_lengths=np.array([1.0, 2.0]))


# --- initializers -------------------------------------------------------------------------

def test_initializer_shapes_dtypes_and_protocol():
    key = gb.random.key(0)
    for make in (initializers.glorot_normal, initializers.he_uniform,
                 initializers.lecun_normal, initializers.xavier_uniform):
        init = make()
        assert isinstance(init, initializers.Initializer)
        w = init(key, (3, 4))
        assert w.shape == (3, 4) and w.dtype == np.float32
        assert init(key, (2, 5), jnp.bfloat16).dtype == jnp.bfloat16
        assert make(dtype=jnp.float16)(key, (2, 2)).dtype == np.float16
    assert isinstance(initializers.zeros, initializers.Initializer)
    assert initializers.zeros(key, (2,)).dtype == np.float32
    np.testing.assert_array_equal(np.asarray(initializers.ones(key, (2,), jnp.int32)), [1, 1])
    np.testing.assert_array_equal(np.asarray(initializers.constant(-2.0)(key, (2,))), [-2, -2])
    assert initializers.kaiming_normal is initializers.he_normal
    # usable under jit with the shape static
    w = gb.jit(lambda k: initializers.glorot_uniform()(k, (3, 4)))(key)
    np.testing.assert_array_equal(np.asarray(w),
                                  np.asarray(initializers.glorot_uniform()(key, (3, 4))))


@pytest.mark.parametrize("make,shape,variance", [
    (initializers.glorot_normal, (200, 300), 2 / 500),
    (initializers.glorot_uniform, (200, 300), 2 / 500),
    (initializers.he_normal, (3, 3, 40, 50), 2 / (9 * 40)),      # receptive field 3x3
    (initializers.he_uniform, (3, 3, 40, 50), 2 / (9 * 40)),
    (initializers.lecun_normal, (400, 100), 1 / 400),
    (initializers.lecun_uniform, (400, 100), 1 / 400),
])
def test_variance_scaling_statistics(make, shape, variance):
    w = np.asarray(make()(gb.random.key(1), shape), np.float64)
    assert abs(w.mean()) < 4 * np.sqrt(variance / w.size)
    assert w.var() == pytest.approx(variance, rel=0.05)
    if "normal" in make.__name__:       # truncated at two standard deviations
        assert np.abs(w).max() <= 2 * np.sqrt(variance) / 0.87962566103423978 * (1 + 1e-6)
    else:
        assert np.abs(w).max() <= np.sqrt(3 * variance) * (1 + 1e-6)


def test_variance_scaling_modes_and_complex():
    key = gb.random.key(2)
    shape = (30, 40, 50)
    for mode, n in [("fan_in", 30 * 40), ("fan_out", 50 * 40), ("fan_avg", 40 * 40),
                    ("fan_geo_avg", np.sqrt(30 * 50) * 40)]:
        init = initializers.variance_scaling(3.0, mode, "normal", in_axis=0, out_axis=-1)
        assert np.asarray(init(key, shape)).var() == pytest.approx(3.0 / n, rel=0.05)
    init = initializers.variance_scaling(1.0, "fan_in", "normal", batch_axis=0)
    assert np.asarray(init(key, (10, 200, 30))).var() == pytest.approx(1 / 200, rel=0.05)
    for dist in ("uniform", "truncated_normal", "normal"):
        w = initializers.variance_scaling(2.0, "fan_in", dist)(key, (400, 100), jnp.complex64)
        assert w.dtype == np.complex64
        assert np.mean(np.abs(np.asarray(w)) ** 2) == pytest.approx(2 / 400, rel=0.05)


def test_variance_scaling_errors():
    key = gb.random.key(0)
    with pytest.raises(ValueError, match="1-dimensional weights tensor"):
        initializers.glorot_normal()(key, (3,))
    with pytest.raises(ValueError, match="invalid mode for variance scaling initializer: x"):
        initializers.variance_scaling(1.0, "x", "normal")(key, (2, 2))
    with pytest.raises(ValueError, match="invalid distribution"):
        initializers.variance_scaling(1.0, "fan_in", "x")(key, (2, 2))


def test_orthogonal_and_delta_orthogonal():
    key = gb.random.key(3)
    w = np.asarray(initializers.orthogonal(scale=2.0)(key, (6, 4)), np.float64)
    np.testing.assert_allclose(w.T @ w, 4 * np.eye(4), atol=1e-5)
    w = np.asarray(initializers.orthogonal(column_axis=0)(key, (3, 2, 5)), np.float64)
    flat = np.moveaxis(w, 0, -1).reshape(10, 3)
    np.testing.assert_allclose(flat.T @ flat, np.eye(3), atol=1e-5)
    assert initializers.orthogonal()(key, (0, 3)).shape == (0, 3)
    d = np.asarray(initializers.delta_orthogonal()(key, (3, 3, 4, 4)), np.float64)
    centre = d[1, 1]
    np.testing.assert_allclose(centre.T @ centre, np.eye(4), atol=1e-5)
    d[1, 1] = 0
    assert not d.any()
    with pytest.raises(ValueError, match="at least a 2D shape"):
        initializers.orthogonal()(key, (3,))
    with pytest.raises(ValueError, match="3D, 4D or 5D shape"):
        initializers.delta_orthogonal()(key, (3, 3))
    with pytest.raises(ValueError, match="fan_in"):
        initializers.delta_orthogonal()(key, (3, 5, 2))


# --- block-scaled products ----------------------------------------------------------------

def test_scaled_dot_general_and_configs():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2, 4, 32)).astype(np.float32)
    b = rng.standard_normal((2, 3, 32)).astype(np.float32)
    dn = (((2,), (2,)), ((0,), (0,)))
    out = nn.scaled_dot_general(a, b, dn)
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.asarray(out), np.einsum("bmk,bnk->bmn", a, b), rtol=1e-5,
                               atol=1e-5)
    mx = nn.get_scaled_dot_general_config("mxfp8")
    assert (mx.block_size, mx.data_type.__name__, mx.scale_type.__name__, mx.global_scale) == \
        (32, "float8_e4m3fn", "float8_e8m0fnu", None)
    fp4 = nn.get_scaled_dot_general_config("nvfp4")
    assert (fp4.block_size, fp4.data_type.__name__) == (16, "float4_e2m1fn")
    np.testing.assert_array_equal(np.asarray(fp4.global_scale), [1.0])
    with pytest.raises(ValueError, match="Unsupported mode: x"):
        nn.get_scaled_dot_general_config("x")
    # the block-scaled kernels are cuDNN's: on CPU JAX raises NotImplementedError
    with pytest.raises(NotImplementedError, match="scaled_matmul"):
        nn.scaled_dot_general(a, b, dn, configs=[mx, mx, mx])
    scales = jnp.ones((2, 4, 1)), jnp.ones((2, 3, 1))
    with pytest.raises(NotImplementedError, match="platform cpu"):
        nn.scaled_matmul(jnp.asarray(a), jnp.asarray(b), *scales)
    with pytest.raises(ValueError, match="matching batch"):
        nn.scaled_matmul(jnp.asarray(a), jnp.asarray(b[:1]), *scales)
    with pytest.raises(ValueError, match="3-dimensional"):
        nn.scaled_matmul(jnp.asarray(a[0]), jnp.asarray(b), *scales)
