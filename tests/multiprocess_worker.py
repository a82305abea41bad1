"""One of the processes tests/test_multiprocess.py starts: joins a distributed system,
computes a data-parallel gradient over the mesh of every process's devices, and
writes what it saw to an .npz file.

    python tests/multiprocess_worker.py PORT PROCESS_ID NUM_PROCESSES OUT.npz
"""
import sys

import numpy as np

import glassbox as jax
import glassbox.numpy as jnp
from glassbox.experimental import multihost_utils
from glassbox.sharding import AxisType, NamedSharding, P

LOCAL_DEVICES = 2
BATCH = 16


def data():
    """The whole problem; every process makes the same (a fixed seed)."""
    rng = np.random.default_rng(0)
    params = {"w1": rng.normal(size=(3, 8)).astype(np.float32),
              "b1": rng.normal(size=(8,)).astype(np.float32),
              "w2": rng.normal(size=(8, 1)).astype(np.float32)}
    x = rng.normal(size=(BATCH, 3)).astype(np.float32)
    y = rng.normal(size=(BATCH,)).astype(np.float32)
    return params, x, y


def loss(params, x, y):
    hidden = jnp.tanh(x @ params["w1"] + params["b1"])
    return jnp.mean(((hidden @ params["w2"])[:, 0] - y) ** 2)


def main(port, process_id, num_processes, out):
    jax.config.update("jax_num_cpu_devices", LOCAL_DEVICES)
    jax.distributed.initialize(f"127.0.0.1:{port}", num_processes=num_processes,
                               process_id=process_id, initialization_timeout=60)
    params, x, y = data()
    mesh = jax.make_mesh((jax.device_count(),), ("batch",), axis_types=(AxisType.Auto,))
    rows = BATCH // jax.process_count()
    mine = slice(jax.process_index() * rows, (jax.process_index() + 1) * rows)
    # Each process holds only its rows of the batch.
    xs = jax.make_array_from_process_local_data(NamedSharding(mesh, P("batch")), x[mine])
    ys = jax.make_array_from_process_local_data(NamedSharding(mesh, P("batch")), y[mine])
    replicated = NamedSharding(mesh, P())
    ps = jax.tree.map(lambda a: jax.make_array_from_process_local_data(replicated, a), params)
    step = jax.jit(jax.value_and_grad(loss))
    value, grads = step(ps, xs, ys)
    hlo = step.lower(ps, xs, ys).compile().as_text()
    names = sorted(grads)
    # Host values between processes (multihost_utils): each process contributes its own.
    pid = jax.process_index()
    mine_host = np.array([10.0 * pid, 10.0 * pid + 1], np.float32)
    multihost_utils.sync_global_devices("before gather")
    gathered = multihost_utils.process_allgather(mine_host)
    tiled = multihost_utils.process_allgather(mine_host, tiled=True)
    scalar = multihost_utils.process_allgather(np.int32(pid + 5))
    broadcast = multihost_utils.broadcast_one_to_all({"v": np.arange(3, dtype=np.int32) + pid})
    from_one = multihost_utils.broadcast_one_to_all(np.float32(pid + 0.5), is_source=pid == 1)
    global_x = multihost_utils.process_allgather(xs, tiled=True)
    mismatch = ""
    try:
        multihost_utils.assert_equal(np.int32(pid), "differs")
    except AssertionError as err:
        mismatch = str(err)
    np.savez(out, loss=np.asarray(value), names=np.array(names),
             process_index=jax.process_index(), process_count=jax.process_count(),
             device_count=jax.device_count(), local_device_count=jax.local_device_count(),
             device_processes=np.array([d.process_index for d in jax.devices()]),
             x_shape=np.array(xs.shape), x_local_rows=sum(s.data.shape[0]
                                                          for s in xs.addressable_shards),
             all_reduce="all-reduce" in hlo, gathered=gathered, tiled=tiled, scalar=scalar,
             broadcast=broadcast["v"], from_one=from_one, global_x=global_x,
             mismatch=mismatch,
             **{f"grad_{k}": np.asarray(grads[k]) for k in names})
    jax.distributed.shutdown()


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
