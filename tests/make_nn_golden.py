"""Regenerate ``nn_golden.json`` from the real JAX (never imported by glassbox).

Run with JAX's interpreter, from the repository root::

    /path/to/jax-venv/bin/python tests/make_nn_golden.py

Each case in ``CASES`` is a function ``case(jax, jnp)`` that ``tests/test_nn.py``
runs again with ``glassbox`` and ``glassbox.numpy`` in their place: initializers
for fixed keys (which must draw JAX's exact random bits), activations and
reductions at fixed inputs, attention with masks, and a few gradients. The result's
dtype, shape and values are stored; the test compares within a few ulp (XLA's
exp/log/tanh/erf_inv can differ in their last bit between CPU models).
"""
import json
import os

import numpy as np

X = [-30.0, -5.0, -2.5, -1.0, -0.5, 0.0, 0.25, 1.0, 2.0, 6.0, 40.0]


def _qkv(jnp, B=2, T=4, S=5, N=4, K=2, H=3):
    q = jnp.sin(jnp.arange(B * T * N * H, dtype=jnp.float32) * 0.37).reshape(B, T, N, H)
    k = jnp.cos(jnp.arange(B * S * K * H, dtype=jnp.float32) * 0.53).reshape(B, S, K, H)
    v = jnp.sin(jnp.arange(B * S * K * H, dtype=jnp.float32) * 0.71 + 1).reshape(B, S, K, H)
    return q, k, v


def _attention_cases():
    def full(jax, jnp):
        q, k, v = _qkv(jnp)
        bias = jnp.cos(jnp.arange(4 * 4 * 5, dtype=jnp.float32)).reshape(1, 4, 4, 5)
        mask = (jnp.arange(20).reshape(1, 1, 4, 5) % 3) != 1
        return jax.nn.dot_product_attention(q, k, v, bias, mask, is_causal=True)

    def seq_lengths(jax, jnp):
        q, k, v = _qkv(jnp)
        return jax.nn.dot_product_attention(
            q, k, v, query_seq_lengths=jnp.array([3, 4], jnp.int32),
            key_value_seq_lengths=jnp.array([2, 5], jnp.int32))

    def window(jax, jnp):
        q, k, v = _qkv(jnp, K=4)
        return jax.nn.dot_product_attention(q, k, v, local_window_size=(1, 0), scale=0.7)

    def residual(jax, jnp):
        q, k, v = _qkv(jnp)
        out, lse = jax.nn.dot_product_attention(q, k, v, is_causal=True, return_residual=True)
        return jnp.concatenate([out.reshape(-1), lse.reshape(-1)])

    def bf16(jax, jnp):
        q, k, v = (t.astype(jnp.bfloat16) for t in _qkv(jnp))
        return jax.nn.dot_product_attention(q, k, v, is_causal=True).astype(jnp.float32)

    def grad(jax, jnp):
        q, k, v = _qkv(jnp)
        f = lambda q, k, v: jnp.sum(jax.nn.dot_product_attention(q, k, v, is_causal=True) ** 2)
        gq, gk, gv = jax.grad(f, argnums=(0, 1, 2))(q, k, v)
        return jnp.concatenate([gq.reshape(-1), gk.reshape(-1), gv.reshape(-1)])

    return [("attention_full", full), ("attention_seq_lengths", seq_lengths),
            ("attention_window", window), ("attention_residual", residual),
            ("attention_bf16", bf16), ("attention_grad", grad)]


def _init(name, shape, *args, dtype=None, seed=0, **kwargs):
    def case(jax, jnp):
        init = getattr(jax.nn.initializers, name)
        if name not in ("zeros", "ones"):
            init = init(*args, **kwargs)
        out = init(jax.random.key(seed), shape) if dtype is None else \
            init(jax.random.key(seed), shape, dtype)
        return out
    return (f"init_{name}_{'x'.join(map(str, shape))}_{seed}", case)


INIT_CASES = [
    _init("glorot_normal", (3, 4)), _init("glorot_uniform", (3, 4)),
    _init("xavier_normal", (6, 2), seed=3), _init("xavier_uniform", (6, 2), seed=3),
    _init("he_normal", (3, 3, 2, 5)), _init("he_uniform", (3, 3, 2, 5)),
    _init("kaiming_normal", (4, 8), seed=1), _init("kaiming_uniform", (4, 8), seed=1),
    _init("lecun_normal", (5, 7), seed=2), _init("lecun_uniform", (5, 7), seed=2),
    _init("normal", (4,), 0.5), _init("uniform", (4,), 2.0),
    _init("truncated_normal", (2, 3), 0.3),
    _init("truncated_normal", (50,), 1.0, lower=-1.0, upper=0.5, seed=4),
    _init("variance_scaling", (2, 3, 4), 2.0, "fan_geo_avg", "normal", in_axis=0,
          out_axis=(1, 2)),
    _init("variance_scaling", (4, 2, 6), 1.0, "fan_out", "uniform", batch_axis=0, seed=5),
    _init("variance_scaling", (3, 4), 1.0, "fan_avg", "uniform", dtype=np.complex64),
    _init("variance_scaling", (3, 4), 1.0, "fan_in", "truncated_normal",
          dtype=np.complex64, seed=1),
    _init("glorot_normal", (8, 3), dtype="float16", seed=7),
    _init("he_uniform", (8, 3), dtype="bfloat16", seed=7),
    _init("orthogonal", (3, 5)), _init("orthogonal", (6, 2), 2.0, seed=1),
    _init("orthogonal", (2, 3, 4), column_axis=0, seed=2),
    _init("delta_orthogonal", (3, 2, 4)), _init("delta_orthogonal", (3, 3, 2, 2), seed=1),
    _init("constant", (2, 2), 0.5), _init("zeros", (2, 3)), _init("ones", (3,), dtype="int32"),
]

ACTIVATIONS = ["celu", "elu", "gelu", "hard_sigmoid", "hard_silu", "hard_tanh", "identity",
               "leaky_relu", "log_sigmoid", "mish", "relu", "relu6", "selu", "sigmoid",
               "silu", "soft_sign", "softplus", "sparse_plus", "sparse_sigmoid",
               "squareplus", "tanh"]


def _act(name):
    return (f"act_{name}", lambda jax, jnp: getattr(jax.nn, name)(jnp.array(X)))


def _act_grad(name):
    return (f"grad_{name}",
            lambda jax, jnp: jax.vmap(jax.grad(getattr(jax.nn, name)))(jnp.array(X)))


M = [[1.0, 2.0, 3.0, -1.0], [1e4, 1e4, -1e4, 0.0], [-np.inf, 0.0, 1.0, -np.inf],
     [-np.inf, -np.inf, -np.inf, -np.inf]]
W = [[True, False, True, True], [True, True, False, True], [False, True, True, True],
     [True, True, True, True]]

OTHER_CASES = [
    ("gelu_exact", lambda jax, jnp: jax.nn.gelu(jnp.array(X), approximate=False)),
    ("log1mexp", lambda jax, jnp: jax.nn.log1mexp(jnp.array([1e-3, 0.1, 0.69, 0.7, 3., 40.]))),
    ("grad_log1mexp", lambda jax, jnp: jax.vmap(jax.grad(jax.nn.log1mexp))(
        jnp.array([1e-3, 0.1, 0.69, 0.7, 3., 40.]))),
    ("grad_gelu_exact", lambda jax, jnp: jax.vmap(jax.grad(
        lambda x: jax.nn.gelu(x, approximate=False)))(jnp.array(X))),
    ("glu", lambda jax, jnp: jax.nn.glu(jnp.array(X[:10]).reshape(2, 5), axis=0)),
    ("softmax", lambda jax, jnp: jax.nn.softmax(jnp.array(M)[:3])),
    ("softmax_where", lambda jax, jnp: jax.nn.softmax(jnp.array(M), where=jnp.array(W))),
    ("softmax_axis0", lambda jax, jnp: jax.nn.softmax(jnp.array(M)[:2], axis=0)),
    ("log_softmax", lambda jax, jnp: jax.nn.log_softmax(jnp.array(M)[:3])),
    ("log_softmax_where", lambda jax, jnp: jax.nn.log_softmax(jnp.array(M)[:3],
                                                               where=jnp.array(W)[:3])),
    ("grad_softmax", lambda jax, jnp: jax.grad(lambda x: jnp.sum(
        jax.nn.softmax(x) * jnp.arange(4.)))(jnp.array(M)[:2])),
    ("grad_log_softmax", lambda jax, jnp: jax.grad(lambda x: jnp.sum(
        jax.nn.log_softmax(x) * jnp.arange(4.)))(jnp.array(M)[:2])),
    ("logsumexp", lambda jax, jnp: jax.nn.logsumexp(jnp.array(M), axis=1)),
    ("logsumexp_all", lambda jax, jnp: jax.nn.logsumexp(jnp.array(M)[:2])),
    ("logsumexp_keepdims", lambda jax, jnp: jax.nn.logsumexp(jnp.array(M), axis=(0,),
                                                             keepdims=True)),
    ("logsumexp_where", lambda jax, jnp: jax.nn.logsumexp(jnp.array(M), axis=-1,
                                                          where=jnp.array(W))),
    ("logsumexp_b", lambda jax, jnp: jax.nn.logsumexp(
        jnp.array(M)[:2], axis=1, b=jnp.array([1., -2., 0.5, 3.]))),
    ("logsumexp_sign", lambda jax, jnp: jnp.stack(jax.nn.logsumexp(
        jnp.array(M)[:2], axis=1, b=jnp.array([1., -2., 0.5, 3.]), return_sign=True))),
    ("grad_logsumexp", lambda jax, jnp: jax.grad(lambda x: jnp.sum(
        jax.nn.logsumexp(x, axis=1)))(jnp.array(M))),
    ("logmeanexp", lambda jax, jnp: jax.nn.logmeanexp(jnp.array(M)[:2], axis=1)),
    ("logmeanexp_where", lambda jax, jnp: jax.nn.logmeanexp(jnp.array(M)[:2], axis=1,
                                                            where=jnp.array(W)[:2])),
    ("standardize", lambda jax, jnp: jax.nn.standardize(jnp.array(M)[:2])),
    ("standardize_stable", lambda jax, jnp: jax.nn.standardize(
        jnp.array(M)[:2], axis=0, algorithm="stable", epsilon=0.1)),
    ("standardize_where", lambda jax, jnp: jax.nn.standardize(
        jnp.array(M)[:2], where=jnp.array(W)[:2])),
    ("standardize_given", lambda jax, jnp: jax.nn.standardize(
        jnp.array(M)[:1], mean=1.0, variance=4.0)),
    ("one_hot", lambda jax, jnp: jax.nn.one_hot(jnp.array([0, 2, 3, -1, 1]), 3)),
    ("one_hot_axis0", lambda jax, jnp: jax.nn.one_hot(jnp.array([[0, 2], [1, 1]]), 3, axis=0,
                                                      dtype=jnp.int32)),
]

CASES = INIT_CASES + [_act(n) for n in ACTIVATIONS] + \
    [_act_grad(n) for n in ACTIVATIONS if n != "identity"] + OTHER_CASES + _attention_cases()


def encode(x):
    a = np.asarray(x)
    return {"dtype": a.dtype.name, "shape": list(a.shape),
            "values": str(a.astype(np.complex128).tolist()) if a.dtype.kind == "c"
            else a.astype(np.float64).tolist()}


def main():
    import jax
    import jax.numpy as jnp
    assert not jax.config.jax_enable_x64
    out = {"jax_version": jax.__version__, "cases": {}}
    for name, fn in CASES:
        assert name not in out["cases"], name
        out["cases"][name] = encode(fn(jax, jnp))
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "nn_golden.json"), "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print(f"wrote {len(CASES)} cases (JAX {jax.__version__})")


if __name__ == "__main__":
    main()
