"""The benchmark programs, written once against JAX's API.

Each program is ``setup(jax, jnp, np) -> Timed``: ``jax`` and ``jnp`` are
injected (glassbox or the real JAX), so the same source runs on both. The
runner (``run.py``) calls ``Timed.run(number)``, which returns the elapsed
seconds, and divides by ``number``; ``setup`` does every untimed preparation
(data, warm-up calls, the first compile).

Results are seconds per call, unless ``Program.unit`` says ``GFLOP/s``, in
which case ``Program.flops`` turns the time into a rate.
"""
import dataclasses
import time
from typing import Callable, Optional


@dataclasses.dataclass(frozen=True)
class Program:
    name: str
    setup: Callable            # (jax, jnp, np) -> Timed
    target: str                # what "good" means, printed in the table
    max_ratio: Optional[float] = None   # pass if glassbox/JAX time <= this
    unit: str = "time"         # "time" or "GFLOP/s"
    flops: float = 0.0         # per call, for GFLOP/s programs
    numpy_rate_fraction: Optional[float] = None  # pass if >= this x NumPy's rate
    backends: tuple = ("glassbox", "jax")  # which workers run it


class Timed:
    """What one program times.

    ``run(number)`` calls ``prepare(number)`` untimed when given (it returns
    one input per call), then times ``number`` calls of ``body`` (with that
    input, if any) plus ``finish(last output)``, which waits for the device.
    Returns the elapsed seconds.
    """

    def __init__(self, body, finish=None, prepare=None):
        self.body, self.finish, self.prepare = body, finish, prepare

    def run(self, number):
        body, finish, out = self.body, self.finish, None
        inputs = self.prepare(number) if self.prepare is not None else None
        start = time.perf_counter()
        if inputs is None:
            for _ in range(number):
                out = body()
        else:
            for item in inputs:
                out = body(item)
        if finish is not None:
            finish(out)
        return time.perf_counter() - start


def _block(x):
    x.block_until_ready()


# --- dispatch overhead ------------------------------------------------------

def jit_dispatch_small(jax, jnp, np):
    """A cached ``jit`` call on a 3-element array: pure dispatch overhead."""
    f = jax.jit(lambda x: x + 1.0)
    x = jnp.array([1.0, 2.0, 3.0])
    f(x).block_until_ready()  # trace + compile once, untimed
    return Timed(lambda: f(x), _block)


def eager_add_small(jax, jnp, np):
    """Eager ``jnp.add`` on 3 elements: op-by-op dispatch overhead."""
    x = jnp.array([1.0, 2.0, 3.0])
    jnp.add(x, x).block_until_ready()
    return Timed(lambda: jnp.add(x, x), _block)


def eager_add_large(jax, jnp, np):
    """Eager ``jnp.add`` on 1000x1000 float32, waiting for each result."""
    x = jnp.asarray(np.random.default_rng(0).standard_normal((1000, 1000), dtype=np.float32))
    jnp.add(x, x).block_until_ready()
    return Timed(lambda: jnp.add(x, x).block_until_ready())


# --- tracing, lowering and compiling an MLP ---------------------------------

MLP_SIZES = (784, 512, 512, 10)
MLP_BATCH = 128


def _mlp_inputs(jnp, np):
    rng = np.random.default_rng(0)
    params = []
    for n_in, n_out in zip(MLP_SIZES[:-1], MLP_SIZES[1:]):
        w = rng.standard_normal((n_in, n_out), dtype=np.float32) / np.sqrt(n_in)
        params.append((jnp.asarray(w), jnp.zeros((n_out,), jnp.float32)))
    x = jnp.asarray(rng.standard_normal((MLP_BATCH, MLP_SIZES[0]), dtype=np.float32))
    return params, x


def _make_mlp(jnp):
    # A new function object per call: neither library may reuse a trace made
    # for an earlier repetition (JAX keys some caches on function identity).
    def mlp(params, x):
        *hidden, (w_out, b_out) = params
        for w, b in hidden:
            x = jnp.tanh(jnp.dot(x, w) + b)
        return jnp.dot(x, w_out) + b_out
    return mlp


def mlp_trace_lower(jax, jnp, np):
    """``jax.jit(f).lower(params, x)`` for a 784-512-512-10 tanh MLP, fresh ``jit`` each time."""
    params, x = _mlp_inputs(jnp, np)
    jax.jit(_make_mlp(jnp)).lower(params, x)  # warm imports and rule caches
    return Timed(lambda: jax.jit(_make_mlp(jnp)).lower(params, x))


def mlp_compile(jax, jnp, np):
    """``.compile()`` of the lowered MLP; lowering a fresh function for each call is untimed."""
    params, x = _mlp_inputs(jnp, np)
    jax.jit(_make_mlp(jnp)).lower(params, x).compile()
    return Timed(lambda lowered: lowered.compile(),
                 prepare=lambda n: [jax.jit(_make_mlp(jnp)).lower(params, x) for _ in range(n)])


# --- autodiff and batching (issues 3 and 4) -------------------------------------

def _mlp_loss(jnp, mlp):
    def loss(params, x, y):
        logits = mlp(params, x)
        logits = logits - jnp.max(logits, axis=-1, keepdims=True)
        log_probs = logits - jnp.log(jnp.sum(jnp.exp(logits), axis=-1, keepdims=True))
        return -jnp.mean(jnp.sum(log_probs * y, axis=-1))
    return loss


def _labels(jnp, np, n=MLP_BATCH):
    idx = np.random.default_rng(1).integers(0, MLP_SIZES[-1], n)
    return jnp.asarray(np.eye(MLP_SIZES[-1], dtype=np.float32)[idx])


def grad_trace_lower(jax, jnp, np):
    """``jit(value_and_grad(loss)).lower`` for the MLP with softmax cross-entropy."""
    params, x = _mlp_inputs(jnp, np)
    y = _labels(jnp, np)
    make = lambda: jax.jit(jax.value_and_grad(_mlp_loss(jnp, _make_mlp(jnp))))  # noqa: E731
    make().lower(params, x, y)
    return Timed(lambda: make().lower(params, x, y))


def grad_compile(jax, jnp, np):
    """``.compile()`` of the lowered ``value_and_grad`` of the MLP loss."""
    params, x = _mlp_inputs(jnp, np)
    y = _labels(jnp, np)
    make = lambda: jax.jit(jax.value_and_grad(_mlp_loss(jnp, _make_mlp(jnp))))  # noqa: E731
    make().lower(params, x, y).compile()
    return Timed(lambda lowered: lowered.compile(),
                 prepare=lambda n: [make().lower(params, x, y) for _ in range(n)])


def sgd_step(jax, jnp, np):
    """A compiled SGD step over a pytree of parameters (steady state)."""
    params, x = _mlp_inputs(jnp, np)
    y = _labels(jnp, np)
    loss = _mlp_loss(jnp, _make_mlp(jnp))

    @jax.jit
    def step(params, x, y):
        value, grads = jax.value_and_grad(loss)(params, x, y)
        return jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads), value
    state = {"params": step(params, x, y)[0]}

    def body():
        state["params"], value = step(state["params"], x, y)
        return value
    return Timed(body, _block)


def hessian_50(jax, jnp, np):
    """A compiled Hessian of a scalar function of a 50-vector."""
    f = lambda v: jnp.sum(jnp.tanh(v) ** 2) + jnp.dot(v, v) ** 2  # noqa: E731
    h = jax.jit(jax.hessian(f))
    v = jnp.asarray(np.linspace(-1, 1, 50, dtype=np.float32))
    h(v).block_until_ready()
    return Timed(lambda: h(v), _block)


def _per_example(jax, jnp):
    loss = _mlp_loss(jnp, _make_mlp(jnp))
    single = lambda p, x, y: loss(p, x[None], y[None])  # noqa: E731
    return jax.jit(jax.vmap(jax.grad(single), in_axes=(None, 0, 0)))


def per_example_grads(jax, jnp, np):
    """``jit(vmap(grad(loss)))``: per-example gradients of the MLP over a batch of 128."""
    params, x = _mlp_inputs(jnp, np)
    y = _labels(jnp, np)
    f = _per_example(jax, jnp)
    jax.block_until_ready(f(params, x, y))
    return Timed(lambda: f(params, x, y), lambda out: jax.block_until_ready(out))


def per_example_trace_lower(jax, jnp, np):
    """Trace + lower of the per-example gradient function (fresh each time)."""
    params, x = _mlp_inputs(jnp, np)
    y = _labels(jnp, np)
    _per_example(jax, jnp).lower(params, x, y)
    return Timed(lambda: _per_example(jax, jnp).lower(params, x, y))


def vmap_matvec(jax, jnp, np):
    """``jit(vmap(matvec))`` of a 512x512 matrix over 128 vectors."""
    rng = np.random.default_rng(0)
    m = jnp.asarray(rng.standard_normal((512, 512), dtype=np.float32))
    vs = jnp.asarray(rng.standard_normal((128, 512), dtype=np.float32))
    f = jax.jit(jax.vmap(lambda m, v: jnp.dot(m, v), in_axes=(None, 0)))
    f(m, vs).block_until_ready()
    return Timed(lambda: f(m, vs), _block)


# --- randomness (issue 5) ----------------------------------------------------

RANDOM_N = 1_000_000


def random_normal_1m(jax, jnp, np):
    """``jax.random.normal(key, (1_000_000,))`` called eagerly, waiting for each result."""
    key = jax.random.key(0)
    jax.random.normal(key, (RANDOM_N,)).block_until_ready()   # compile once, untimed
    return Timed(lambda: jax.random.normal(key, (RANDOM_N,)).block_until_ready())


# --- control flow (issue 5) ---------------------------------------------------

RNN_STEPS, RNN_SIZE = 100, 32


def _rnn_inputs(jnp, np):
    rng = np.random.default_rng(0)
    w = jnp.asarray(rng.standard_normal((RNN_SIZE, RNN_SIZE), dtype=np.float32)
                    / np.sqrt(RNN_SIZE))
    h0 = jnp.asarray(rng.standard_normal(RNN_SIZE, dtype=np.float32))
    xs = jnp.asarray(rng.standard_normal((RNN_STEPS, RNN_SIZE), dtype=np.float32))
    return w, h0, xs


def _rnn_scan(jax, jnp):
    def run(w, h0, xs):
        def step(h, x):
            h = jnp.tanh(jnp.dot(w, h) + x)
            return h, jnp.sum(h)
        return jax.lax.scan(step, h0, xs)
    return run


def fori_loop_rnn(jax, jnp, np):
    """A jitted ``fori_loop`` of 100 steps of ``h = tanh(W h + b)`` (32 units)."""
    w, h0, xs = _rnn_inputs(jnp, np)
    f = jax.jit(lambda w, h: jax.lax.fori_loop(
        0, RNN_STEPS, lambda i, h: jnp.tanh(jnp.dot(w, h) + 0.1), h))
    f(w, h0).block_until_ready()
    return Timed(lambda: f(w, h0), _block)


def scan_rnn(jax, jnp, np):
    """A jitted ``scan`` of 100 steps of ``h = tanh(W h + x_t)`` (32 units), stacking sums."""
    w, h0, xs = _rnn_inputs(jnp, np)
    f = jax.jit(_rnn_scan(jax, jnp))
    jax.block_until_ready(f(w, h0, xs))
    return Timed(lambda: f(w, h0, xs), lambda out: jax.block_until_ready(out))


def scan_rnn_grad(jax, jnp, np):
    """``jit(grad)`` of a loss through the same 100-step scan (reverse-mode through scan)."""
    w, h0, xs = _rnn_inputs(jnp, np)
    run = _rnn_scan(jax, jnp)

    def loss(w):
        h, sums = run(w, h0, xs)
        return jnp.sum(h ** 2) + jnp.sum(sums)
    g = jax.jit(jax.grad(loss))
    g(w).block_until_ready()
    return Timed(lambda: g(w), _block)


# --- throughput ---------------------------------------------------------------

MATMUL_N = 2048


def _matmul_operands(np):
    rng = np.random.default_rng(0)
    return (rng.standard_normal((MATMUL_N, MATMUL_N), dtype=np.float32),
            rng.standard_normal((MATMUL_N, MATMUL_N), dtype=np.float32))


def matmul(jax, jnp, np):
    """A 2048x2048 float32 matmul under ``jit``, waiting for each result."""
    a, b = (jnp.asarray(m) for m in _matmul_operands(np))
    f = jax.jit(jnp.matmul)
    f(a, b).block_until_ready()
    return Timed(lambda: f(a, b).block_until_ready())


def numpy_matmul(jax, jnp, np):
    """The same matmul in NumPy (its BLAS): the reference rate."""
    a, b = _matmul_operands(np)
    a @ b
    return Timed(lambda: a @ b)


_MATMUL_FLOPS = 2.0 * MATMUL_N ** 3

PROGRAMS = [
    Program("jit dispatch, 3 elements", jit_dispatch_small, "<= 1.5x JAX", max_ratio=1.5),
    Program("eager add, 3 elements", eager_add_small, "<= 1.5x JAX", max_ratio=1.5),
    Program("eager add, 1000x1000", eager_add_large, "report"),
    Program("MLP 784-512-512-10 trace+lower", mlp_trace_lower, "report"),
    Program("MLP 784-512-512-10 compile", mlp_compile, "report"),
    Program("MLP value_and_grad trace+lower", grad_trace_lower, "<= 1.0x JAX", max_ratio=1.0),
    Program("MLP value_and_grad compile", grad_compile, "report"),
    Program("MLP SGD step (compiled)", sgd_step, "<= 1.05x JAX", max_ratio=1.05),
    Program("hessian, 50-vector (compiled)", hessian_50, "<= 1.0x JAX", max_ratio=1.0),
    Program("per-example grads, batch 128", per_example_grads, "<= 1.05x JAX",
            max_ratio=1.05),
    Program("per-example grads trace+lower", per_example_trace_lower, "<= 1.0x JAX",
            max_ratio=1.0),
    Program("vmap matvec 512, batch 128", vmap_matvec, "<= 1.05x JAX", max_ratio=1.05),
    Program("random.normal 1M f32", random_normal_1m, "<= 1.05x JAX", max_ratio=1.05),
    Program("fori_loop 100 steps, 32-unit RNN", fori_loop_rnn, "<= 1.05x JAX",
            max_ratio=1.05),
    Program("scan 100 steps, 32-unit RNN", scan_rnn, "<= 1.05x JAX", max_ratio=1.05),
    Program("grad through scan 100 steps", scan_rnn_grad, "<= 1.05x JAX", max_ratio=1.05),
    Program("matmul 2048^2 f32", matmul, ">= 95% NumPy", unit="GFLOP/s",
            flops=_MATMUL_FLOPS, numpy_rate_fraction=0.95),
    Program("numpy matmul 2048^2 f32", numpy_matmul, "reference", unit="GFLOP/s",
            flops=_MATMUL_FLOPS, backends=("glassbox",)),
]

BY_NAME = {p.name: p for p in PROGRAMS}
