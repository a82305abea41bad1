"""The benchmark programs, written once against JAX's API.

Each program is ``setup(jax, jnp, np) -> Timed``: ``jax`` and ``jnp`` are
injected (glassbox or the real JAX), so the same source runs on both. The
runner (``run.py``) calls ``Timed.run(number)``, which returns the elapsed
seconds, and divides by ``number``; ``setup`` does every untimed preparation
(data, warm-up calls, the first compile).

Results are seconds per call, unless ``Program.unit`` says ``GFLOP/s``, in
which case ``Program.flops`` turns the time into a rate.

Some rows cannot be timed by repeating a call in a warm process: import time,
peak memory, the first result after a restart. Their ``setup`` returns a
``Measured``, whose ``sample()`` runs one fresh child process of the same
environment (``sys.executable``) and returns the value it reports (seconds,
or MB when ``Program.unit`` is ``"MB"``). The child's code is here too
(``child_main``), so both libraries run the same source.
"""
import dataclasses
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import time
from typing import Callable, Optional

HERE = pathlib.Path(__file__).resolve().parent


@dataclasses.dataclass(frozen=True)
class Program:
    name: str
    setup: Callable            # (jax, jnp, np) -> Timed or Measured
    target: str                # what "good" means, printed in the table
    max_ratio: Optional[float] = None   # pass if glassbox/JAX (time or MB) <= this
    unit: str = "time"         # "time", "GFLOP/s" or "MB"
    flops: float = 0.0         # per call, for GFLOP/s programs
    numpy_rate_fraction: Optional[float] = None  # pass if >= this x NumPy's rate
    backends: tuple = ("glassbox", "jax")  # which workers run it
    max_seconds: Optional[float] = None  # pass if glassbox's time <= this (absolute)
    repeat: Optional[int] = None  # at most this many samples per round (slow rows)
    equations: int = 0         # size of a generated program: the runner prints time/equation


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


class Measured:
    """A program that measures each sample itself: ``sample()`` returns the value
    (seconds or MB), typically from a fresh child process. No autorange, no
    division: the runner takes ``repeat`` samples per round."""

    def __init__(self, sample):
        self.sample = sample


def _block(x):
    x.block_until_ready()


# --- dispatch overhead ------------------------------------------------------

def jit_dispatch_small(jax, jnp, np):
    """A cached ``jit`` call on a 3-element array: pure dispatch overhead."""
    f = jax.jit(lambda x: x + 1.0)
    x = jnp.array([1.0, 2.0, 3.0])
    f(x).block_until_ready()  # trace + compile once, untimed
    return Timed(lambda: f(x), _block)


def _add_one(x):
    return x * 2.0 + 1.0


def jit_in_loop(jax, jnp, np):
    """``jax.jit(f)(x)`` written inside a loop: a new ``jit`` wrapper of the same
    module-level ``f`` every iteration (both libraries should find the compiled f)."""
    x = jnp.array([1.0, 2.0, 3.0])
    jax.jit(_add_one)(x).block_until_ready()
    return Timed(lambda: jax.jit(_add_one)(x), _block)


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


# --- trace+lower against program size ------------------------------------------

GENERATED_SIZES = (100, 1_000, 10_000)


def _generated(lax, n_eqns):
    """A program of exactly ``n_eqns`` equations (a multiple of 4): a chain of 8x8
    matmuls and elementwise ops written in a Python loop. A new function per call."""
    def chain(x, w):
        for _ in range(n_eqns // 4):
            a = lax.dot(x, w)
            b = lax.tanh(a)
            c = lax.mul(b, x)
            x = lax.add(c, a)
        return x
    return chain


def trace_lower_generated(n_eqns):
    def setup(jax, jnp, np):
        x = jnp.ones((8, 8), jnp.float32)
        w = jnp.full((8, 8), 0.1, jnp.float32)
        lowered = jax.jit(_generated(jax.lax, n_eqns)).lower(x, w)   # warm, untimed
        got = len(jax.make_jaxpr(_generated(jax.lax, n_eqns))(x, w).jaxpr.eqns)
        if got != n_eqns:
            raise AssertionError(f"the generated program has {got} equations, not {n_eqns}")
        del lowered
        return Timed(lambda: jax.jit(_generated(jax.lax, n_eqns)).lower(x, w))
    setup.__name__ = f"trace_lower_generated_{n_eqns}"
    setup.__doc__ = (f"``jax.jit(f).lower(x, w)`` of a fresh generated {n_eqns}-equation "
                     f"program (see ``_generated``).")
    return setup


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


def _sgd_step_fn(jax, jnp):
    """The jitted SGD step of the MLP (also what the child processes run)."""
    loss = _mlp_loss(jnp, _make_mlp(jnp))

    @jax.jit
    def step(params, x, y):
        value, grads = jax.value_and_grad(loss)(params, x, y)
        return jax.tree_util.tree_map(lambda p, g: p - 0.01 * g, params, grads), value
    return step


def sgd_step(jax, jnp, np):
    """A compiled SGD step over a pytree of parameters (steady state)."""
    params, x = _mlp_inputs(jnp, np)
    y = _labels(jnp, np)
    step = _sgd_step_fn(jax, jnp)
    state = {"params": step(params, x, y)[0]}

    def body():
        state["params"], value = step(state["params"], x, y)
        return value
    return Timed(body, _block)


def _scalar_50(jnp):
    return lambda v: jnp.sum(jnp.tanh(v) ** 2) + jnp.dot(v, v) ** 2


def _vector_50(np):
    return np.linspace(-1, 1, 50, dtype=np.float32)


def hessian_50(jax, jnp, np):
    """A compiled Hessian of a scalar function of a 50-vector."""
    h = jax.jit(jax.hessian(_scalar_50(jnp)))
    v = jnp.asarray(_vector_50(np))
    h(v).block_until_ready()
    return Timed(lambda: h(v), _block)


def hvp_50(jax, jnp, np):
    """A compiled Hessian-vector product by grad-of-grad, same f: R^50 -> R."""
    f = _scalar_50(jnp)

    def hvp(v, t):
        return jax.grad(lambda v: jnp.dot(jax.grad(f)(v), t))(v)
    h = jax.jit(hvp)
    v = jnp.asarray(_vector_50(np))
    t = jnp.asarray(np.cos(_vector_50(np)))
    h(v, t).block_until_ready()
    return Timed(lambda: h(v, t), _block)


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


# --- fresh processes: import, peak memory, restart with the disk cache ---------------

MEMORY_STEPS = 100


def _library_kind(jax):
    return "glassbox" if jax.__name__.startswith("glassbox") else "jax"


class ChildFailed(RuntimeError):
    """A child process failed; the message is the last line of its stderr."""


def _child(jax, what, *args, timeout=300, env=None):
    """Run ``programs.py --child what kind *args`` in a fresh process of this
    environment (plus ``env``); returns the JSON object it prints last."""
    command = [sys.executable, str(HERE / "programs.py"), "--child", what,
               _library_kind(jax), *map(str, args)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=timeout,
                          cwd=HERE.parent, env=dict(os.environ, **(env or {})))
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        err = [line for line in proc.stderr.strip().splitlines() if line.strip()]
        raise ChildFailed(f"in a fresh process: {err[-1]}" if err else
                          f"the {what} process exited with status {proc.returncode}")
    return json.loads(lines[-1])


def import_time(jax, jnp, np):
    """``import jax; import jax.numpy`` in a fresh process, timed inside it."""
    _child(jax, "import")   # warm the OS file cache and .pyc files, untimed
    return Measured(lambda: _child(jax, "import")["seconds"])


def peak_memory(jax, jnp, np):
    """Peak host RSS growth (MB) of a fresh process over 100 MLP SGD steps: the peak
    after import (the kernel's high-water mark, reset just after import) less the
    resident size then. It covers data, tracing, compiling and the 100 steps."""
    return Measured(lambda: _child(jax, "memory")["growth_mb"])


def _cache_dir(jax):
    path = tempfile.mkdtemp(prefix=f"bench-cache-{_library_kind(jax)}-")
    import atexit
    import shutil
    atexit.register(shutil.rmtree, path, True)
    return path


def first_result_cached(jax, jnp, np):
    """Process start to the first result of the jitted MLP SGD step, with the disk
    compilation cache filled by an earlier (untimed) process."""
    path = _cache_dir(jax)
    _child(jax, "first", path)   # fills the cache
    if not os.listdir(path):
        raise RuntimeError(f"the first process wrote nothing to the compilation cache "
                           f"({path})")

    def sample():
        start = time.time()
        return _child(jax, "first", path)["wall"] - start
    return Measured(sample)


def first_result_cold(jax, jnp, np):
    """The same without the disk cache (every process compiles): the reference for
    what the cache saves."""
    def sample():
        start = time.time()
        return _child(jax, "first", "")["wall"] - start
    return Measured(sample)


DP_DEVICES, DP_STEPS = 8, 200


def data_parallel_sgd(jax, jnp, np):
    """The MLP SGD step, data-parallel on 8 CPU devices (a fresh process started with
    ``XLA_FLAGS=--xla_force_host_platform_device_count=8``): the batch split over a
    mesh axis, the parameters replicated, XLA's partitioner adding the gradient's
    all-reduce. The median seconds per step over its steps."""
    env = {"XLA_FLAGS": f"--xla_force_host_platform_device_count={DP_DEVICES}"}
    return Measured(lambda: _child(jax, "data-parallel", env=env)["seconds"])


def _data_parallel_child(jax, jnp, np):
    sharding = jax.sharding
    mesh = jax.make_mesh((DP_DEVICES,), ("batch",), axis_types=(sharding.AxisType.Auto,))
    batch = sharding.NamedSharding(mesh, sharding.PartitionSpec("batch"))
    replicated = sharding.NamedSharding(mesh, sharding.PartitionSpec())
    params, x = _mlp_inputs(jnp, np)
    params = jax.device_put(params, replicated)
    x, y = jax.device_put(x, batch), jax.device_put(_labels(jnp, np), batch)
    step = _sgd_step_fn(jax, jnp)
    for _ in range(5):
        params, value = step(params, x, y)
    value.block_until_ready()
    times = []
    for _ in range(DP_STEPS):
        start = time.perf_counter()
        params, value = step(params, x, y)
        value.block_until_ready()
        times.append(time.perf_counter() - start)
    return {"seconds": sorted(times)[len(times) // 2]}


def _child_import(kind):
    if kind == "glassbox":
        import glassbox as jax
        import glassbox.numpy as jnp
    else:
        import jax
        import jax.numpy as jnp
    return jax, jnp


def _status_kb(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def child_main(what, kind, *args):
    """The code of the child processes (``programs.py --child what kind ...``)."""
    if what == "import":
        start = time.perf_counter()
        _child_import(kind)
        return {"seconds": time.perf_counter() - start}
    import numpy as np
    jax, jnp = _child_import(kind)
    if what == "first":
        cache_dir = args[0] if args else ""
        if cache_dir:
            jax.config.update("jax_compilation_cache_dir", cache_dir)
            jax.config.update("jax_persistent_cache_min_compile_time_secs", 0)
        step = _sgd_step_fn(jax, jnp)
        params, x = _mlp_inputs(jnp, np)
        _, value = step(params, x, _labels(jnp, np))
        value.block_until_ready()
        return {"wall": time.time()}
    if what == "data-parallel":
        return _data_parallel_child(jax, jnp, np)
    if what == "memory":
        try:   # reset the kernel's high-water mark (VmHWM) to the present RSS
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
        except OSError:
            pass   # then the peak may include the import's
        base = _status_kb("VmRSS")
        step = _sgd_step_fn(jax, jnp)
        params, x = _mlp_inputs(jnp, np)
        y = _labels(jnp, np)
        for _ in range(MEMORY_STEPS):
            params, value = step(params, x, y)
        value.block_until_ready()
        peak = _status_kb("VmHWM")
        return {"growth_mb": (peak - base) / 1024, "base_mb": base / 1024,
                "peak_mb": peak / 1024}
    raise ValueError(f"unknown child {what!r}")


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

_LE1 = dict(target="<= 1.0x JAX", max_ratio=1.0)
_LE_HALF = dict(target="<= 0.5x JAX", max_ratio=0.5)

PROGRAMS = [
    # dispatch
    Program("cached jit call, 3 floats", jit_dispatch_small, **_LE1),
    Program("jax.jit(f)(x) in a loop, 3 floats", jit_in_loop, **_LE1),
    Program("eager add, 3 floats", eager_add_small, **_LE1),
    Program("eager add, 1000x1000", eager_add_large, **_LE1),
    # compiled programs
    Program("hessian, f: R^50->R (jit)", hessian_50, **_LE1),
    Program("HVP by grad-of-grad, R^50 (jit)", hvp_50, **_LE1),
    Program("per-example grads jit(vmap(grad)), batch 128", per_example_grads, **_LE1),
    Program("fori_loop 100 steps, 32-unit RNN", fori_loop_rnn, **_LE1),
    Program("scan 100 steps, 32-unit RNN", scan_rnn, **_LE1),
    Program("grad(scan) 100 steps, 32-unit RNN", scan_rnn_grad, **_LE1),
    Program("MLP SGD step (jit)", sgd_step, **_LE1),
    Program("vmap matvec 512, batch 128", vmap_matvec, "<= 1.05x JAX", max_ratio=1.05),
    Program("random.normal 1M f32", random_normal_1m, "<= 1.05x JAX", max_ratio=1.05),
    # trace+lower and XLA compile
    Program("MLP trace+lower", mlp_trace_lower, **_LE_HALF),
    Program("MLP grad trace+lower", grad_trace_lower, **_LE_HALF),
    Program("per-example grads trace+lower", per_example_trace_lower, **_LE_HALF),
    *(Program(f"trace+lower, {n:,}-equation program", trace_lower_generated(n),
              equations=n, repeat=1 if n >= 10_000 else None, **_LE_HALF)
      for n in GENERATED_SIZES),
    Program("MLP XLA compile", mlp_compile, **_LE1),
    Program("MLP grad XLA compile", grad_compile, **_LE1),
    # fresh processes
    Program("import jax, jax.numpy (fresh process)", import_time, repeat=1, **_LE1),
    Program(f"peak RSS growth, {MEMORY_STEPS} MLP SGD steps", peak_memory, unit="MB",
            repeat=1, **_LE1),
    Program("first result after restart, disk cache", first_result_cached, "report",
            repeat=1),
    Program("first result after restart, no cache", first_result_cold, "report", repeat=1),
    Program(f"data-parallel MLP SGD step, {DP_DEVICES} CPU devices", data_parallel_sgd,
            "<= 1.05x JAX", max_ratio=1.05, repeat=1),
    # throughput
    Program("matmul 2048^2 f32 (jit)", matmul, ">= 95% NumPy", unit="GFLOP/s",
            flops=_MATMUL_FLOPS, numpy_rate_fraction=0.95),
    Program("numpy matmul 2048^2 f32", numpy_matmul, "reference", unit="GFLOP/s",
            flops=_MATMUL_FLOPS, backends=("glassbox",)),
]

BY_NAME = {p.name: p for p in PROGRAMS}


if __name__ == "__main__" and sys.argv[1:2] == ["--child"]:
    print(json.dumps(child_main(*sys.argv[2:])), flush=True)
