"""Op records for ``glassbox.nn`` (see tests/op_table.py): activations, softmax and
log-sum-exp, standardize, glu, one_hot and attention, against NumPy/SciPy.

References compute in float64 and return the input's dtype (JAX keeps it). Functions
with kinks (relu, hard_tanh, ...) are checked to order 1 (random inputs are never at
a kink), smooth ones to order 2.
"""
import numpy as np
import scipy.special

import glassbox.nn as nn
from tests.op_table import BF16, F16, F32, I8, I32, U8, Op, rand_default, rand_positive

SHAPES = ((), (2, 3))
ROWS = ((2, 3),)
same = lambda d: d  # noqa: E731


def _in_f64(fn):
    """A reference computed in float64 and cast back to the input's dtype."""
    def ref(x, *rest):
        return np.asarray(fn(np.asarray(x, np.float64), *rest)).astype(x.dtype)
    return ref


def _act(name, ref, grad=2, gen=rand_default, edge=False, label="", **kwargs):
    fn = getattr(nn, name)
    return Op(f"nn.{name}{label}", lambda x: fn(x, **kwargs), _in_f64(ref), 1, (F32, F16, BF16),
              SHAPES, gen=gen, out_dtype=same, grad=grad, edge=edge)


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))


def _selu(x):
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return scale * np.where(x > 0, x, alpha * np.expm1(x))


def _sparse_plus(x):
    return np.where(x <= -1, 0.0, np.where(x >= 1, x, (x + 1) ** 2 / 4))


def _standardize(x):
    mean = x.mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(x.var(-1, keepdims=True) + 1e-5)


def _glu(x):
    a, b = np.split(x, 2, axis=-1)
    return a * scipy.special.expit(b)


def _one_hot(x):
    return (x[..., None] == np.arange(4)).astype(np.float32)


# --- attention: (B, T, N, H) queries, (B, S, K, H) keys/values, K divides N -------------

ATTN_SHAPES = (((2, 3, 4, 2), (2, 5, 2, 2), (2, 5, 2, 2)),)


def _attention_ref(q, k, v, causal=False):
    q, k, v = (np.asarray(t, np.float64) for t in (q, k, v))
    B, T, N, H = q.shape
    K = k.shape[2]
    k = np.repeat(k, N // K, axis=2)
    v = np.repeat(v, N // K, axis=2)
    logits = np.einsum("btnh,bsnh->bnts", q, k) / np.sqrt(H)
    if causal:
        logits = np.where(np.tril(np.ones((T, k.shape[1]), bool)), logits, -np.inf)
    probs = scipy.special.softmax(logits, axis=-1)
    return np.einsum("bnts,bsnh->btnh", probs, v).astype(np.float32)


OPS = [
    _act("relu", lambda x: np.maximum(x, 0), grad=1, edge=True),
    _act("relu6", lambda x: np.minimum(np.maximum(x, 0), 6), grad=1, edge=True),
    _act("sigmoid", scipy.special.expit, edge=True),
    _act("log_sigmoid", lambda x: -np.logaddexp(0, -x), edge=True),
    _act("softplus", lambda x: np.logaddexp(x, 0), edge=True),
    _act("silu", lambda x: x * scipy.special.expit(x)),
    _act("swish", lambda x: x * scipy.special.expit(x)),
    _act("gelu", _gelu_tanh),
    _act("gelu", lambda x: x * scipy.special.ndtr(x), label="_exact", approximate=False),
    _act("elu", lambda x: np.where(x > 0, x, np.expm1(x)), grad=1, edge=True),
    _act("celu", lambda x: np.maximum(x, 0) + 0.5 * np.expm1(np.minimum(x, 0) / 0.5),
         grad=1, alpha=0.5),
    _act("selu", _selu, grad=1),
    _act("leaky_relu", lambda x: np.where(x >= 0, x, 0.2 * x), grad=1, negative_slope=0.2),
    _act("hard_tanh", lambda x: np.clip(x, -1, 1), grad=1, edge=True),
    _act("hard_sigmoid", lambda x: np.clip(x + 3, 0, 6) / 6, grad=1),
    _act("hard_silu", lambda x: x * np.clip(x + 3, 0, 6) / 6, grad=1),
    _act("hard_swish", lambda x: x * np.clip(x + 3, 0, 6) / 6, grad=1),
    _act("mish", lambda x: x * np.tanh(np.logaddexp(x, 0))),
    _act("soft_sign", lambda x: x / (np.abs(x) + 1), grad=1),
    _act("squareplus", lambda x: (x + np.sqrt(x * x + 4)) / 2),
    _act("sparse_plus", _sparse_plus, grad=1),
    _act("sparse_sigmoid", lambda x: 0.5 * np.clip(x + 1, 0, 2), grad=1),
    _act("identity", lambda x: x),
    _act("log1mexp", lambda x: np.log(-np.expm1(-x)), gen=rand_positive),
    Op("nn.softmax", nn.softmax, _in_f64(lambda x: scipy.special.softmax(x, axis=-1)), 1,
       (F32, F16, BF16), ROWS, out_dtype=same, grad=2),
    Op("nn.softmax_axis0", lambda x: nn.softmax(x, axis=0),
       _in_f64(lambda x: scipy.special.softmax(x, axis=0)), 1, (F32,), ROWS, grad=2),
    Op("nn.log_softmax", nn.log_softmax,
       _in_f64(lambda x: scipy.special.log_softmax(x, axis=-1)), 1, (F32, F16, BF16), ROWS,
       out_dtype=same, grad=2),
    Op("nn.logsumexp", nn.logsumexp, _in_f64(scipy.special.logsumexp), 1, (F32, F16, BF16),
       ROWS, out_dtype=same, grad=2),
    Op("nn.logsumexp_axis", lambda x: nn.logsumexp(x, axis=(0, 2), keepdims=True),
       _in_f64(lambda x: scipy.special.logsumexp(x, axis=(0, 2), keepdims=True)), 1, (F32,),
       ((2, 3, 2),), grad=2),
    Op("nn.logsumexp_b", lambda x, b: nn.logsumexp(x, axis=-1, b=b),
       _in_f64(lambda x, b: scipy.special.logsumexp(x, axis=-1, b=b)), 2, (F32,), ROWS,
       gen=(rand_default, rand_positive), grad=2),
    Op("nn.logmeanexp", lambda x: nn.logmeanexp(x, axis=1),
       _in_f64(lambda x: scipy.special.logsumexp(x, axis=1) - np.log(x.shape[1])), 1, (F32,),
       ROWS, grad=2),
    Op("nn.standardize", nn.standardize, _in_f64(_standardize), 1, (F32, F16), ((2, 4),),
       out_dtype=same, tol={F16: 3e-2}, grad=2),
    Op("nn.glu", nn.glu, _in_f64(_glu), 1, (F32, BF16), ((3, 4),), out_dtype=same, grad=2),
    Op("nn.one_hot", lambda x: nn.one_hot(x, 4),
       lambda x: _one_hot(np.asarray(x, np.int64)), 1, (I32, I8, U8), SHAPES,
       gen=lambda rng, shape, dtype: rng.integers(-1, 6, shape).astype(dtype),
       out_dtype=lambda d: F32),
    Op("nn.dot_product_attention", nn.dot_product_attention, _attention_ref, 3, (F32,),
       ATTN_SHAPES, tol={F32: 1e-5}, grad=2),
    Op("nn.dot_product_attention_causal",
       lambda q, k, v: nn.dot_product_attention(q, k, v, is_causal=True),
       lambda q, k, v: _attention_ref(q, k, v, causal=True), 3, (F32,), ATTN_SHAPES,
       tol={F32: 1e-5}, grad=1),
]
