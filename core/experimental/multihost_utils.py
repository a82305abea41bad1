"""Host-side helpers for several processes (JAX's ``jax.experimental.multihost_utils``).

Each process passes its own host value; a jitted identity (or sum) over a mesh of
every process's devices, ``('processes', 'local_devices')``, moves the values
between processes with XLA's collectives and returns NumPy arrays. In a single
process they return the value, stacked or as it is, with nothing compiled.
"""
import zlib

import numpy as np

from .. import api, distributed, tree_util
from ..array import ArrayImpl
from ..array_construction import make_array_from_single_device_arrays
from ..sharding import Mesh, NamedSharding, P, set_mesh


def _process_mesh():
    devices = np.array(api.devices(), dtype=object).reshape(distributed.process_count(),
                                                            distributed.local_device_count())
    return Mesh(devices, ("processes", "local_devices"))


def _identity(x):
    return x


def _sum(xs):
    return tree_util.tree_map(lambda x: x.sum(axis=0, dtype=x.dtype), xs)


def _stacked(host, mesh):
    """A global array ``[processes, *host.shape]`` whose row p is process p's ``host``."""
    host = np.expand_dims(host, 0)
    pieces = [api.device_put(host, d) for d in distributed.local_devices()]
    shape = (distributed.process_count(),) + host.shape[1:]
    return make_array_from_single_device_arrays(shape, NamedSharding(mesh, P("processes")),
                                                pieces)


def _first_local(x):
    return np.asarray(x.addressable_shards[0].data)


def _allgather_one(x, tiled):
    if isinstance(x, ArrayImpl) and not x.is_fully_addressable:
        if not tiled:
            raise ValueError("Gathering global non-fully-addressable arrays only supports "
                             "tiled=True")
        replicated = NamedSharding(x.sharding.mesh, P()) \
            if isinstance(x.sharding, NamedSharding) else None
        return _first_local(api.jit(_identity, out_shardings=replicated)(x))
    host = np.asarray(x)
    if distributed.process_count() == 1:
        return host if tiled else np.expand_dims(host, 0)
    mesh = _process_mesh()
    stacked = _stacked(host, mesh)
    with set_mesh(mesh):
        out = _first_local(api.jit(_identity, out_shardings=P())(stacked))
    if tiled and host.ndim > 0:   # concatenated along the first axis, as JAX's tiled=True
        out = out.reshape((-1,) + host.shape[1:])
    return out


def process_allgather(in_tree, tiled=False):
    """Every process's value of each leaf of ``in_tree``, as NumPy arrays: stacked on a new
    first axis (``tiled=False``) or concatenated along the first axis (``tiled=True``;
    scalars are stacked). A global array spread over processes is gathered whole
    (``tiled=True`` only)."""
    return tree_util.tree_map(lambda x: _allgather_one(x, tiled), in_tree)


def broadcast_one_to_all(in_tree, is_source=None):
    """Process 0's value (or the one process with ``is_source=True``) of each leaf, in
    every process, as NumPy arrays; each leaf has the same shape in all processes."""
    if distributed.process_count() == 1:
        return tree_util.tree_map(np.asarray, in_tree)
    if is_source is None:
        is_source = distributed.process_index() == 0
    mesh = _process_mesh()

    def stack(x):
        x = np.asarray(x)
        return _stacked(x if is_source else np.zeros_like(x), mesh)

    stacked = tree_util.tree_map(stack, in_tree)
    with set_mesh(mesh):
        out = api.jit(_sum, out_shardings=P())(stacked)
    return tree_util.tree_map(_first_local, out)


def assert_equal(in_tree, fail_message=""):
    """Raise AssertionError unless every process passed the same ``in_tree``."""
    count = distributed.process_count()

    def repeated(x):
        if isinstance(x, ArrayImpl) and not x.is_fully_addressable:
            return _first_local(x)
        x = np.asarray(x)
        return np.concatenate([x.reshape(1) if x.ndim == 0 else x] * count)

    out = process_allgather(in_tree, tiled=True)
    expected = tree_util.tree_map(repeated, in_tree)
    if not tree_util.tree_all(tree_util.tree_map(lambda a, b: bool(np.all(np.equal(a, b))),
                                                 expected, out)):
        raise AssertionError(f"{fail_message}. Expected: {out}; got: {in_tree}.")


def sync_global_devices(name):
    """A barrier: returns once every process has called it with the same ``name``."""
    assert_equal(np.uint32(zlib.crc32(name.encode())),
                 f"sync_global_devices name mismatch ('{name}')")


__all__ = ["process_allgather", "broadcast_one_to_all", "assert_equal",
           "sync_global_devices"]
