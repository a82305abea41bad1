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
    Program("matmul 2048^2 f32", matmul, ">= 95% NumPy", unit="GFLOP/s",
            flops=_MATMUL_FLOPS, numpy_rate_fraction=0.95),
    Program("numpy matmul 2048^2 f32", numpy_matmul, "reference", unit="GFLOP/s",
            flops=_MATMUL_FLOPS, backends=("glassbox",)),
]

BY_NAME = {p.name: p for p in PROGRAMS}
