"""Several processes, one mesh (glassbox.distributed): two worker processes with two CPU
devices each join one 4-device mesh and compute a data-parallel gradient whose
all-reduce crosses processes; the result must be the single-process gradient.

The workers (tests/multiprocess_worker.py) run on 127.0.0.1 with a free port; any
failure or a timeout kills them, so the suite never hangs.
"""
import os
import socket
import subprocess
import sys
import time

import numpy as np
import pytest

import glassbox as jax
from glassbox import distributed
from glassbox.experimental import multihost_utils

HERE = os.path.dirname(os.path.abspath(__file__))
WORKER = os.path.join(HERE, "multiprocess_worker.py")
TIMEOUT = 120   # seconds for the whole run, both workers

sys.path.insert(0, HERE)
import multiprocess_worker as worker  # noqa: E402


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_workers(tmp_path, num_processes=2):
    port = _free_port()
    env = dict(os.environ)
    env.pop("XLA_FLAGS", None)   # each worker asks for its own 2 devices
    env["PYTHONUNBUFFERED"] = "1"
    outs = [tmp_path / f"worker{i}.npz" for i in range(num_processes)]
    logs = [open(tmp_path / f"worker{i}.log", "w+") for i in range(num_processes)]
    procs = [subprocess.Popen([sys.executable, WORKER, str(port), str(i), str(num_processes),
                               str(outs[i])], stdout=logs[i], stderr=subprocess.STDOUT,
                              env=env, cwd=HERE)
             for i in range(num_processes)]
    deadline = time.monotonic() + TIMEOUT
    try:
        while any(p.poll() is None for p in procs):
            failed = [p for p in procs if p.poll() not in (None, 0)]
            if failed or time.monotonic() > deadline:
                break
            time.sleep(0.2)
    finally:
        for p in procs:   # a failed or late worker: stop them all
            if p.poll() is None:
                p.kill()
            p.wait()
    text = []
    for i, log in enumerate(logs):
        log.seek(0)
        text.append(f"--- worker {i} (exit {procs[i].returncode}) ---\n{log.read()[-4000:]}")
        log.close()
    report = "\n".join(text)
    assert all(p.returncode == 0 for p in procs), f"a worker failed or timed out\n{report}"
    return [dict(np.load(out)) for out in outs], report


def _numpy_grads(params, x, y):
    """The MLP loss's gradient by hand, in float64 (no glassbox)."""
    w1, b1, w2 = (params[k].astype(np.float64) for k in ("w1", "b1", "w2"))
    x, y = x.astype(np.float64), y.astype(np.float64)
    pre = x @ w1 + b1
    hidden = np.tanh(pre)
    err = (hidden @ w2)[:, 0] - y
    loss = np.mean(err ** 2)
    d_out = (2 * err / len(y))[:, None]
    d_pre = (d_out @ w2.T) * (1 - hidden ** 2)
    return loss, {"w1": x.T @ d_pre, "b1": d_pre.sum(0), "w2": hidden.T @ d_out}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return _run_workers(tmp_path_factory.mktemp("multiprocess"))


def test_two_processes_form_one_mesh(results):
    outs, report = results
    for i, out in enumerate(outs):
        assert int(out["process_index"]) == i, report
        assert int(out["process_count"]) == 2
        assert int(out["device_count"]) == 4
        assert int(out["local_device_count"]) == 2
        assert out["device_processes"].tolist() == [0, 0, 1, 1]
        # The global batch is 16 rows; each process put only its 8.
        assert out["x_shape"].tolist() == [16, 3]
        assert int(out["x_local_rows"]) == 8


def test_data_parallel_gradient_crosses_processes(results):
    outs, report = results
    params, x, y = worker.data()
    loss, grads = _numpy_grads(params, x, y)
    for out in outs:
        assert bool(out["all_reduce"]), "the compiled program has no all-reduce"
        np.testing.assert_allclose(out["loss"], loss, rtol=1e-5)
        assert sorted(out["names"].tolist()) == sorted(grads)
        for k, g in grads.items():
            assert out[f"grad_{k}"].dtype == np.float32
            np.testing.assert_allclose(out[f"grad_{k}"], g, rtol=1e-4, atol=1e-6, err_msg=k)
    # Every process holds the same (all-reduced) gradient, and it is the one-device one.
    value, one = jax.value_and_grad(worker.loss)(params, x, y)
    for k in grads:
        np.testing.assert_allclose(outs[0][f"grad_{k}"], outs[1][f"grad_{k}"], rtol=0, atol=0)
        np.testing.assert_allclose(outs[0][f"grad_{k}"], np.asarray(one[k]), rtol=1e-5,
                                   atol=1e-6)


def test_multihost_utils_move_host_values_between_processes(results):
    outs, report = results
    params, x, y = worker.data()
    for out in outs:
        np.testing.assert_array_equal(out["gathered"], [[0, 1], [10, 11]])
        assert out["gathered"].dtype == np.float32
        np.testing.assert_array_equal(out["tiled"], [0, 1, 10, 11])
        np.testing.assert_array_equal(out["scalar"], [5, 6])
        assert out["scalar"].dtype == np.int32
        np.testing.assert_array_equal(out["broadcast"], [0, 1, 2])   # process 0's
        assert out["broadcast"].dtype == np.int32
        assert out["from_one"] == np.float32(1.5) and out["from_one"].dtype == np.float32
        np.testing.assert_array_equal(out["global_x"], x)   # a global array, gathered whole
        assert str(out["mismatch"]).startswith("differs. Expected: [0 1]; got: ")


def test_multihost_utils_in_one_process():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert multihost_utils.process_allgather(x).shape == (1, 2, 3)
    np.testing.assert_array_equal(multihost_utils.process_allgather(x, tiled=True), x)
    got = multihost_utils.process_allgather({"a": jax.numpy.ones(2), "b": 3})
    assert got["a"].shape == (1, 2) and got["b"].shape == (1,)
    assert isinstance(got["a"], np.ndarray)
    out = multihost_utils.broadcast_one_to_all({"a": x})
    assert isinstance(out["a"], np.ndarray)
    np.testing.assert_array_equal(out["a"], x)
    multihost_utils.sync_global_devices("one process")   # returns at once
    multihost_utils.assert_equal({"a": x})


# --- errors, as JAX raises them (no process is started) -----------------------------

def test_initialize_after_backend_started_raises():
    jax.devices()   # starts the runtime
    with pytest.raises(RuntimeError, match="must be called before any glassbox calls"):
        distributed.initialize("127.0.0.1:1", num_processes=2, process_id=0)
    assert not distributed.is_initialized()


@pytest.mark.parametrize("args, error, message", [
    ((None, 2, 0), ValueError, "coordinator_address should be defined"),
    (("127.0.0.1:1", None, 0), ValueError, "Number of processes must be defined"),
    (("127.0.0.1:1", 2, None), ValueError, "process id of the current process must be defined"),
    (("127.0.0.1:1", 2, 2), ValueError, "process_id < num_processes"),
    (("127.0.0.1:1", 2, -1), ValueError, "process_id < num_processes"),
    (("127.0.0.1:1", 2, 1.0), TypeError, "process_id must be a nonnegative int"),
    (("127.0.0.1:1", "2", 0), TypeError, "num_processes must be a positive int"),
])
def test_initialize_argument_errors(args, error, message, monkeypatch):
    monkeypatch.delenv("JAX_COORDINATOR_ADDRESS", raising=False)
    state = distributed.State()   # checks run before anything connects
    with pytest.raises(error, match=message):
        state.initialize(*args, cluster_detection_method="deactivate")
    assert state.client is None and state.service is None


def test_single_process_queries():
    assert jax.process_index() == 0
    assert jax.process_count() == 1
    assert jax.process_indices() == [0]
    assert jax.local_device_count() == jax.device_count()
    assert jax.local_devices() == jax.devices()
    assert jax.local_devices(process_index=0) == jax.devices()
    assert all(d.process_index == 0 for d in jax.devices())
    with pytest.raises(ValueError, match="Unknown process_index 1"):
        jax.local_devices(process_index=1)
    with pytest.raises(RuntimeError, match="Unknown backend"):
        jax.process_index(backend="tpu")
    distributed.shutdown()   # not running: does nothing
    assert not distributed.is_initialized()
