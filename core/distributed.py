"""Many processes, one mesh: JAX's multi-controller model (``jax.distributed``).

Every process runs the same program. ``initialize`` joins them before anything
touches a device: process 0 starts the coordination service, every process
connects to it, and the CPU client is then made as one node of several, with
gloo's TCP collectives. ``glassbox.devices()`` is then every process's devices
(each has a ``process_index``), ``local_devices()`` this process's, and a
``jit`` over a mesh of them compiles the same partitioned program in each
process, whose collectives (an all-reduce of gradients, say) cross processes.
Each process builds its part of a global array with
``make_array_from_process_local_data``.

    glassbox.distributed.initialize("127.0.0.1:1234", num_processes=2, process_id=i)
"""
import logging
import os

from . import runtime
from .config import config

logger = logging.getLogger(__name__)


class State:
    """This process's place in the distributed system (JAX's ``global_state``)."""

    def __init__(self):
        self.process_id = 0
        self.num_processes = 1
        self.service = None
        self.client = None
        self.coordinator_address = None
        self.partition_index = None

    def initialize(self, coordinator_address=None, num_processes=None, process_id=None,
                   local_device_ids=None, cluster_detection_method=None,
                   initialization_timeout=300, coordinator_bind_address=None,
                   heartbeat_timeout_seconds=100, shutdown_timeout_seconds=300,
                   partition_index=None):
        coordinator_address = coordinator_address or os.environ.get("JAX_COORDINATOR_ADDRESS")
        if isinstance(local_device_ids, int):
            local_device_ids = [local_device_ids]
        if cluster_detection_method not in (None, "deactivate"):
            raise ValueError(f"cluster_detection_method={cluster_detection_method!r}: glassbox "
                             f"detects no clusters; pass coordinator_address, num_processes "
                             f"and process_id")
        if coordinator_address is None:
            raise ValueError("coordinator_address should be defined.")
        if num_processes is None:
            raise ValueError("Number of processes must be defined.")
        if process_id is None:
            raise ValueError("The process id of the current process must be defined.")
        if not isinstance(process_id, int):
            raise TypeError("process_id must be a nonnegative int. "
                            f"Got process_id={process_id} of type {type(process_id)}.")
        if not isinstance(num_processes, int):
            raise TypeError("num_processes must be a positive int. "
                            f"Got num_processes={num_processes} of type {type(num_processes)}.")
        if not 0 <= process_id < num_processes:
            raise ValueError("process_id and num_processes must be nonnegative, with "
                             "process_id < num_processes. "
                             f"Got process_id={process_id}, num_processes={num_processes}.")
        self.coordinator_address = coordinator_address
        bind = (coordinator_bind_address or os.environ.get("JAX_COORDINATOR_BIND_ADDRESS")
                or "[::]:" + coordinator_address.rsplit(":", 1)[1])
        self.process_id = process_id
        if process_id == 0:
            if self.service is not None:
                raise RuntimeError("distributed.initialize should only be called once.")
            logger.info("Starting glassbox distributed service on %s", bind)
            self.service = runtime.distributed_service(bind, num_processes,
                                                       heartbeat_timeout_seconds,
                                                       shutdown_timeout_seconds)
        self.num_processes = num_processes
        if self.client is not None:
            raise RuntimeError("distributed.initialize should only be called once.")
        logger.info("Connecting to glassbox distributed service on %s", coordinator_address)
        self.client = runtime.distributed_client(coordinator_address, process_id,
                                                 initialization_timeout,
                                                 heartbeat_timeout_seconds,
                                                 shutdown_timeout_seconds)
        runtime.set_distributed(self.client, process_id, num_processes,
                                config.cpu_collectives_implementation)
        if partition_index is None and os.environ.get("JAX_PARTITION_INDEX") is not None:
            partition_index = int(os.environ["JAX_PARTITION_INDEX"])
        self.partition_index = partition_index

    def shutdown(self):
        if self.client is not None:
            self.client.shutdown()
            self.client = None
        if self.service is not None:
            self.service.shutdown()
            self.service = None
        if not runtime.started():   # a client made later is a single process's again
            runtime.set_distributed(None, 0, 1)


global_state = State()


def initialize(coordinator_address=None, num_processes=None, process_id=None,
               local_device_ids=None, cluster_detection_method=None, initialization_timeout=300,
               heartbeat_timeout_seconds=100, shutdown_timeout_seconds=300,
               coordinator_bind_address=None, slice_index=None, partition_index=None):
    """Join this process to ``num_processes`` others as ``process_id``; call it first,
    before any computation or device query, in every process.

    ``coordinator_address`` ("host:port") is where process 0 serves the coordination
    service; every process waits up to ``initialization_timeout`` seconds for all to
    connect. Raises JAX's RuntimeError once the runtime has started or when called
    twice. Environment: JAX_COORDINATOR_ADDRESS, JAX_COORDINATOR_BIND_ADDRESS."""
    if runtime.started():
        raise RuntimeError("glassbox.distributed.initialize() must be called before any "
                           "glassbox calls that might initialise the XLA backend. This "
                           "includes any computation, but also calls to glassbox.devices, "
                           "glassbox.device_put, and others.")
    if partition_index is None:
        partition_index = slice_index
    global_state.initialize(coordinator_address, num_processes, process_id,
                            local_device_ids, cluster_detection_method,
                            initialization_timeout, coordinator_bind_address,
                            heartbeat_timeout_seconds=heartbeat_timeout_seconds,
                            shutdown_timeout_seconds=shutdown_timeout_seconds,
                            partition_index=partition_index)


def is_initialized():
    """Whether ``initialize`` has joined this process to a distributed system."""
    return global_state.client is not None


def shutdown():
    """Leave the distributed system (waits for the other processes to leave too); does
    nothing when it is not running."""
    global_state.shutdown()


# --- processes and their devices (top level in glassbox, as in JAX) -------------------

def _check_backend(backend):
    runtime.devices(backend)   # JAX's RuntimeError for a platform other than cpu


def process_index(backend=None):
    """This process's index among the processes (0 in a single process)."""
    _check_backend(backend)
    return runtime.client().process_index()


def process_count(backend=None):
    """How many processes hold the devices."""
    return max((d.process_index for d in runtime.devices(backend)), default=0) + 1


def process_indices(backend=None):
    return list(range(process_count(backend)))


def local_devices(process_index=None, backend=None, host_id=None):
    """The devices of process ``process_index`` (default: this process)."""
    if host_id is not None:
        process_index = host_id
    if process_index is None:
        _check_backend(backend)
        process_index = runtime.client().process_index()
    if not 0 <= process_index < process_count(backend):
        raise ValueError(f"Unknown process_index {process_index}")
    return [d for d in runtime.devices(backend) if d.process_index == process_index]


def local_device_count(backend=None):
    """How many devices this process holds."""
    _check_backend(backend)
    return len(runtime.local_devices())


__all__ = ["initialize", "is_initialized", "shutdown", "global_state", "process_index",
           "process_count", "process_indices", "local_devices", "local_device_count"]
