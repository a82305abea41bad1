"""The runtime: the one module that talks to jaxlib.

Everything glassbox does on a device goes through here: the PJRT client and
its devices, host<->device transfer, compiling StableHLO text, executing, and
the LAPACK custom-call targets. jaxlib's Python API changes between
versions; it is pinned (``jaxlib==0.10.2``) and touched nowhere else, so an
upgrade edits this file only.

Trap avoided (see DESIGN.md): wrapping an output buffer makes jaxlib try
``import jax``. We hand ``consume_with_handlers`` result handlers made once
per executable, which skips that path.
"""
import collections
import functools
import logging
import os
import platform as host_platform
import queue
import re
import sys
import threading
import time

import numpy as np

from . import compilation_cache
from .config import config

_log = logging.getLogger(__name__)   # glassbox.runtime: config.log_compiles


def _import_jaxlib():
    # jaxlib logs device discovery at INFO level to stderr; keep notebooks quiet.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "1")
    from jaxlib import _jax, version, xla_client
    return _jax, xla_client, version.__version__


_jax, xla_client, JAXLIB_VERSION = _import_jaxlib()

_client = None
_multi = None
_lapack_registered = False


Device = _jax.Device                       # glassbox.Device: jaxlib's device class, as JAX's
JaxRuntimeError = _jax.JaxRuntimeError     # what XLA raises (glassbox.errors.JaxRuntimeError)


def live_arrays():
    """Every array alive on this process's client (``glassbox.live_arrays``)."""
    return client().live_arrays()


def clear_fast_caches():
    """Empty every C++ ``jit`` dispatch table (``glassbox.clear_caches``)."""
    _jax.PjitFunctionCache.clear_all()


class RuntimeError_(RuntimeError):
    """An error from XLA, re-raised with what glassbox was doing at the time."""


def client():
    """The PJRT CPU client, created on first use with ``config.cpu_device_count`` devices."""
    global _client
    if _client is None:
        n = config.cpu_device_count
        if _distributed is not None:   # one of several processes (glassbox.distributed)
            _client = xla_client.make_cpu_client(num_devices=n if n > 1 else None,
                                                 **_distributed_options())
        else:
            _client = (xla_client.make_cpu_client(num_devices=n) if n > 1
                       else xla_client.make_cpu_client())
        global _multi
        _multi = len(_client.devices()) > 1
    return _client


def _on_config_change(key, old, new):
    if key == "cpu_device_count" and _client is not None and old != new:
        raise ValueError("glassbox.config.cpu_device_count must be set before the first array "
                         "is created (restart the kernel/process and set it first)")
    if key in _MIRRORED:   # the last check passed: the C++ fast path sees the new value
        _MIRRORED[key].set_global(new)


config._watchers.append(_on_config_change)


# --- jaxlib's C++ jit fast path ----------------------------------------------
#
# ``fast_jit`` wraps a function in jaxlib's ``PjitFunction``, the C++ dispatch JAX
# uses: it flattens the arguments, computes their signature, and on a hit runs the
# executable with no Python at all. On a miss it calls ``cache_miss`` (glassbox's
# Python path), which returns the outputs and, when the call may be replayed in
# C++, ``fastpath_data`` describing the executable. The signature includes every
# ``Config`` made with ``include_in_jit_key``: x64, and the three glassbox states
# in which calls must go through Python (tracing, views listening, debug_nans).

def _state(name, value, in_key=True):
    return _jax.config.Config(name, value, include_in_jit_key=in_key)


_MIRRORED = {"enable_x64": _state("jax_enable_x64", config.enable_x64),
             "disable_jit": _state("jax_disable_jit", config.disable_jit, False),
             "debug_nans": _state("glassbox_debug_nans", config.debug_nans)}
_jax.jax_jit.set_enable_x64_state(_MIRRORED["enable_x64"])
_jax.jax_jit.set_disable_jit_state(_MIRRORED["disable_jit"])
_jax.jax_jit.set_post_hook_state(_state("glassbox_post_hook", None, False))
_tracing = _state("glassbox_tracing", False)
_listening = _state("glassbox_listening", False)

# Pytree nodes the C++ flattener knows: the built-in containers, and every class
# registered with ``glassbox.tree_util`` (``register_pytree_node`` mirrors it here).
pytree_registry = _jax.pytree.PyTreeRegistry(
    enable_none=True, enable_tuple=True, enable_namedtuple=True, enable_list=True,
    enable_dict=True)


def set_tracing(flag):
    """Tell the fast path whether a transform is tracing (calls then go to Python)."""
    _tracing.set_global(flag)


def set_listening(flag):
    _listening.set_global(flag)


_FastpathData = collections.namedtuple(
    "_FastpathData", ["xla_executable", "out_pytree_def", "in_shardings", "out_shardings",
                      "out_avals", "out_committed", "kept_var_bitvec",
                      "in_device_local_layouts", "const_args"])


FAST_JIT_TYPE = _jax.PjitFunction


_cpp_cache_size = _jax.PjitFunction._cache_size   # before glassbox installs its own


def fast_cache(capacity):
    """A table of C++ jitted functions, each keeping its ``capacity`` most recently
    used signatures (jaxlib's ``PjitFunctionCache``; functions are held weakly)."""
    return _jax.PjitFunctionCache(capacity=capacity)


def fast_cache_size(function):
    """How many signatures the C++ jitted ``function`` can replay now."""
    return _cpp_cache_size(function)


def fast_jit(name, fun, cache_miss, static_argnums, static_argnames, key, put_arg, cache):
    """A C++ ``PjitFunction`` calling ``fun``; ``key`` (hashable) separates the options.

    ``cache_miss(*args, **kwargs)`` returns ``(outputs, fastpath_data or None, False)``;
    ``put_arg(x)`` turns a NumPy array or Python scalar argument into an array;
    ``cache`` (``fast_cache``) holds the replayable signatures."""
    return _jax.pjit(name, fun, cache_miss, list(static_argnums), list(static_argnames),
                     key, pytree_registry, lambda x, _sharding, _layout: put_arg(x), cache)


def fastpath_data(executable, outs, out_tree, n_args, kept, consts):
    """What the C++ fast path needs to replay a call of ``executable`` (an ``Executable``).

    ``outs`` is the call's output arrays and ``out_tree`` their structure (in
    ``pytree_registry``'s terms); ``kept`` the indices of the ``n_args`` arguments the
    executable takes (None: all), ``consts`` the arrays it takes first. None for a
    program that calls Python back: C++ would not wait for its callbacks."""
    if executable.host_callbacks:
        return None
    sharding = _sharding(executable.device)
    kept_args = range(n_args) if kept is None else kept
    n_inputs = len(consts) + len(kept_args)
    bitvec = [True] * len(consts) + [False] * n_args
    for i in kept_args:
        bitvec[len(consts) + i] = True
    return _FastpathData(executable._exe, out_tree, [sharding] * n_inputs,
                         [sharding] * len(outs), [o.aval for o in outs], [True] * len(outs),
                         bitvec, [None] * n_inputs, list(consts))


def devices(backend=None):
    """All devices of the client (``backend``: None or "cpu", the only platform here).

    Any other backend raises JAX's ``RuntimeError``."""
    if backend is not None and backend != "cpu":
        if backend == "gpu":
            raise RuntimeError("Unknown backend: 'gpu' requested, but no platforms that are "
                               "instances of gpu are present. Platforms present are: cpu")
        raise RuntimeError(f"Unknown backend {backend}. Available backends are ['cpu']")
    return list(client().devices())


def default_device():
    if config.default_device is not None:   # glassbox.default_device(...) / the config option
        return config.default_device
    return client().local_devices()[0]   # the first of this process's devices


def platform():
    return client().platform


_shardings = {}


def _sharding(device):
    sharding = _shardings.get(device)
    if sharding is None:
        sharding = _jax.GSPMDSharding(_jax.DeviceList((device,)),
                                      xla_client.HloSharding.replicate())
        _shardings[device] = sharding
    return sharding


def put(host, aval, device=None):
    """Copy the NumPy array ``host`` to ``device``; ``aval`` gives shape/dtype/weak_type."""
    device = device or default_device()
    return _jax.batched_device_put(aval, _sharding(device), [host], [device], True,
                                   enable_x64=True)


# --- shardings: jaxlib's layouts of device buffers -------------------------------
#
# An array over several devices is one C++ ``ArrayImpl`` holding a buffer per device
# and a ``GSPMDSharding`` (the device list and an HLO sharding) that says which piece
# each buffer is. ``glassbox.sharding`` computes the layouts; these functions only
# build and read jaxlib's objects.

def process_index():
    return client().process_index() if _client is not None else 0


def local_devices():
    """This process's devices (all of them in a single process)."""
    return list(client().local_devices())


# --- many processes: the distributed runtime (``glassbox.distributed``) ---------
#
# Process 0 runs the coordination service; every process connects a client to it.
# The CPU client is then made with that client, its node id and the node count,
# and gloo's TCP collectives, so that its devices are every process's devices
# and partitioned programs all-reduce across processes. As in JAX, all of this
# must happen before the client exists.

_distributed = None   # {"client", "node_id", "num_nodes", "collectives"} once connected


def distributed_service(bind_address, num_processes, heartbeat_timeout, shutdown_timeout):
    """Start the coordination service (process 0); returns it (``.shutdown()``)."""
    return _jax.get_distributed_runtime_service(
        bind_address, num_processes, heartbeat_timeout=heartbeat_timeout,
        shutdown_timeout=shutdown_timeout, recoverable=False)


def distributed_client(address, process_id, init_timeout, heartbeat_timeout,
                       shutdown_timeout):
    """A client of the coordination service at ``address``, connected (waits for every
    process up to ``init_timeout`` seconds)."""
    dist = _jax.get_distributed_runtime_client(
        address, process_id, init_timeout=init_timeout, use_compression=True,
        heartbeat_timeout=heartbeat_timeout, shutdown_timeout=shutdown_timeout)
    dist.connect()
    return dist


def set_distributed(dist, process_id, num_processes, collectives="gloo"):
    """Make the CPU client (when first needed) one node of ``num_processes``; ``dist``
    None undoes it (``glassbox.distributed.shutdown``)."""
    global _distributed
    if dist is None:
        _distributed = None
        return
    if collectives not in (None, "gloo"):
        raise RuntimeError(f"CPU collectives implementation {collectives!r} is not "
                           f"available in glassbox (only 'gloo')")
    _distributed = {"client": dist, "node_id": process_id, "num_nodes": num_processes,
                    "collectives": collectives}


def _distributed_options():
    dist = _distributed["client"]
    collectives = (_jax.make_gloo_tcp_collectives(distributed_client=dist)
                   if _distributed["collectives"] == "gloo" else None)
    return {"distributed_client": dist, "node_id": _distributed["node_id"],
            "num_nodes": _distributed["num_nodes"], "collectives": collectives}


@functools.lru_cache(maxsize=None)
def _hlo_sharding(text):
    return xla_client.HloSharding.from_string(text)


def gspmd_sharding(devices, hlo_text):
    """jaxlib's sharding of buffers on ``devices`` (logical order) laid out as ``hlo_text``."""
    return _jax.GSPMDSharding(_jax.DeviceList(tuple(devices)), _hlo_sharding(hlo_text))


def sharding_parts(cpp):
    """``(devices, HLO sharding text)`` of a jaxlib sharding."""
    if isinstance(cpp, _jax.SingleDeviceSharding):
        return (cpp._device,), "{replicated}"
    return tuple(cpp._devices), str(cpp._hlo_sharding)


def hlo_sharding_layout(text):
    """``(tile dims or None, logical device ids, last dim holds replicas)`` of an HLO
    sharding; None when every device holds the whole array."""
    hlo = _hlo_sharding(text)
    if hlo.is_replicated() or hlo.is_maximal() or not hlo.is_tiled():
        return None, [], False
    return (list(hlo.tile_assignment_dimensions()), list(hlo.tile_assignment_devices()),
            bool(hlo.replicate_on_last_tile_dim()))


def put_sharded(pieces, aval, cpp, devices):
    """One array from a NumPy piece per device (in ``devices`` order), laid out as ``cpp``."""
    return _jax.batched_device_put(aval, cpp, list(pieces), list(devices), True,
                                   enable_x64=True)


def assemble(aval, cpp, arrays):
    """One array from single-device arrays (one per device of ``cpp``, in its order; the
    caller checked them: jaxlib's own checks call back into JAX's Python class)."""
    return _jax.ArrayImpl(aval, cpp, list(arrays), True, _skip_checks=True)


def shards(buf, aval):
    """The single-device arrays an array is made of, in its sharding's device order;
    ``aval`` is their type (jaxlib makes them without one)."""
    pieces = buf._arrays
    for piece in pieces:
        if piece.aval is None:
            piece.aval = aval
    return pieces


def buffer_sharding(buf):
    return buf._sharding


def is_multi_device(buf):
    return not isinstance(buf._sharding, _jax.SingleDeviceSharding) and \
        len(buf._sharding._internal_device_list) > 1


# --- the array types ---------------------------------------------------------
#
# glassbox's concrete array *is* jaxlib's ``ArrayImpl`` (a buffer with its aval),
# with glassbox's methods installed on the C++ class, as JAX does (its
# ``use_cpp_class``): results come out of executables, and go into jaxlib's C++
# ``jit`` fast path, with no Python wrapper to make or unwrap. The C++ methods
# glassbox replaces (``block_until_ready``, ``delete``) are kept here first.

ARRAY_BASE = _jax.Array       # glassbox.Array: concrete arrays and tracers alike
ARRAY_TYPE = _jax.ArrayImpl   # a concrete array
_is_ready = _jax.ArrayImpl.is_ready
_block_until_ready = _jax.ArrayImpl.block_until_ready
_delete = _jax.ArrayImpl.delete
_is_deleted = _jax.ArrayImpl.is_deleted
_SKIPPED = {"__module__", "__dict__", "__doc__", "__slots__", "__weakref__", "__qualname__"}


def install_methods(cpp_type, cls):
    """Put the attributes ``cls`` defines (and its Python bases define) on ``cpp_type``."""
    for klass in reversed(cls.__mro__[:-1]):
        for name, attr in vars(klass).items():
            if name not in _SKIPPED:
                setattr(cpp_type, name, attr)
    cpp_type.__doc__ = cls.__doc__
    return cpp_type


def wait(buf):
    """Wait until ``buf`` is computed.

    By default this blocks inside jaxlib, as JAX does: the cheapest wait, but a
    SIGINT (Ctrl-C, a notebook's stop button) lands only when XLA is done. With
    ``config.interruptible_waits`` (the glassbox kernel and ``%load_ext glassbox``
    turn it on) a computation still running after a short poll is handed to a
    waiter thread that blocks in jaxlib while this thread waits on a lock, which a
    signal interrupts. The handoff costs one wake-up of each thread (tens of µs
    while XLA keeps every core busy), which is why it is not the default; polling
    longer, or in naps, costs more: it takes a core from XLA's own threads.
    """
    if _is_ready(buf):
        return
    if not config.interruptible_waits or threading.current_thread() is not _MAIN_THREAD:
        _block_until_ready(buf)   # signals reach only the main thread: nothing to honour
        return
    spin_until = time.perf_counter() + 2e-5   # catches a tiny computation in flight
    while time.perf_counter() < spin_until:
        if _is_ready(buf):
            return
    done = threading.Lock()
    done.acquire()
    _waiter_queue().put((buf, done))
    done.acquire()   # interruptible (POSIX): KeyboardInterrupt leaves the waiter to finish


_MAIN_THREAD = threading.main_thread()
_waiter = None


def _waiter_queue():
    global _waiter
    if _waiter is None:
        _waiter = queue.SimpleQueue()
        threading.Thread(target=_block_each, args=(_waiter,), name="glassbox-wait",
                         daemon=True).start()
    return _waiter


def _block_each(requests):
    while True:
        buf, done = requests.get()
        try:
            _block_until_ready(buf)
        except Exception:   # noqa: BLE001 - the error surfaces when the value is fetched
            pass
        done.release()


def is_ready(buf):
    return _is_ready(buf)


def started():
    """Whether the PJRT client (and so the device count) exists yet."""
    return _client is not None


def fetch(buf):
    """The buffer's value as a NumPy array (no copy on CPU; treat it as read-only)."""
    wait(buf)
    value, _ = buf._single_device_array_to_np_array_did_copy()
    return value


def buffer_device(buf):
    sharding = buf._sharding
    if isinstance(sharding, _jax.SingleDeviceSharding):
        return sharding._device
    return sharding._devices[0]


def buffer_nbytes(buf):
    return buf.on_device_size_in_bytes()


def copy_to_device(buf, aval, device):
    return put(np.asarray(fetch(buf)), aval, device)


def block(buf):
    wait(buf)


def delete(buf):
    _delete(buf)


def is_deleted(buf):
    return _is_deleted(buf)


def to_dlpack(buf):
    return _jax.buffer_to_dlpack_managed_tensor(buf)


class Executable:
    """A compiled XLA program: call it with a list of buffers, get a list of buffers.

    On one device (``device``) its outputs live there. Partitioned over several
    (``devices``, the device assignment in logical order), XLA's SPMD partitioner
    chose the layout of each parameter and result (``parameter_shardings``,
    ``result_shardings``) and the caller says how results are wrapped
    (``set_result_shardings``) before the first call."""

    __slots__ = ("_exe", "_handlers", "_out_avals", "name", "text", "compile_seconds",
                 "device", "devices", "from_disk", "host_callbacks")

    def __init__(self, exe, out_avals, device, name, text, seconds, from_disk=False,
                 devices=None, host_callbacks=()):
        self._exe, self._out_avals = exe, out_avals
        self.devices = devices
        # The Python functions the program calls back (kept alive as long as it is).
        self.host_callbacks = tuple(host_callbacks)
        if devices is None:
            sharding = _sharding(device)
            self._handlers = [_jax.array_result_handler(a, sharding, True, _skip_checks=True)
                              for a in out_avals]
        self.name, self.text, self.compile_seconds, self.device = name, text, seconds, device
        self.from_disk = from_disk   # loaded from the persistent compilation cache

    def __call__(self, buffers):
        if self.host_callbacks:
            return self._call_and_wait(buffers)
        if self.devices is None:
            return self._exe.execute_sharded(buffers).consume_with_handlers(self._handlers)
        # XLA's CPU collectives rendezvous one thread per device; with programs queued
        # behind each other on few cores, a rendezvous can starve and XLA aborts the
        # process (real JAX too, measured here). A partitioned program starts only once
        # the previous one is done.
        for previous in _in_flight:
            wait(previous)
        outs = self._exe.execute_sharded(buffers).consume_with_handlers(self._handlers)
        _in_flight[:] = outs[:1]
        return outs

    def _call_and_wait(self, buffers):
        # A program that calls Python back returns once every callback has run (its
        # runtime token is ready): a ``debug.print`` inside is printed before the call
        # returns, so what the user's own code prints next comes after it.
        for previous in _in_flight:
            wait(previous)
        _callback_interrupts.clear()
        try:
            results = self._exe.execute_sharded(buffers, with_tokens=True)
            results.consume_token().block_until_ready()
        except Exception:
            if _callback_interrupts:   # XLA wraps it in its own error: raise it as itself
                raise _callback_interrupts.pop() from None
            raise
        return results.consume_with_handlers(self._handlers)

    def parameter_shardings(self):
        """The HLO sharding text of each parameter (partitioned programs)."""
        return [str(xla_client.HloSharding.from_proto(p))
                for p in self._exe.get_parameter_shardings()]

    def result_shardings(self):
        return [str(xla_client.HloSharding.from_proto(p))
                for p in self._exe.get_output_shardings()]

    def set_result_shardings(self, cpps):
        """Wrap results as arrays laid out as ``cpps`` (jaxlib shardings, one per result)."""
        self._handlers = [_jax.array_result_handler(a, c, True, _skip_checks=True)
                          for a, c in zip(self._out_avals, cpps)]

    def hlo_text(self):
        """The optimised HLO XLA produced."""
        return "\n\n".join(m.to_string() for m in self._exe.hlo_modules())

    def cost_analysis(self):
        return self._exe.cost_analysis()


_in_flight = []   # an output of the partitioned program started last


def _compile_options(device, devices=None):
    # Without an explicit assignment XLA puts the one replica on device 0, and
    # buffers on any other device are refused at execution.
    options = xla_client.CompileOptions()
    build = options.executable_build_options
    if devices is None:
        build.device_assignment = xla_client.DeviceAssignment.create(np.array([[device.id]]))
        return options
    # One replica partitioned over ``devices`` by XLA's SPMD partitioner, reading the
    # Shardy annotations lowering wrote (as JAX 0.10 does).
    build.num_replicas, build.num_partitions = 1, len(devices)
    build.use_spmd_partitioning = True
    build.use_shardy_partitioner = True
    # Results without an annotation take the layout propagation gives them (one flag
    # stands for all), not a replicated copy.
    build.allow_spmd_sharding_propagation_to_output = [True]
    build.device_assignment = xla_client.DeviceAssignment.create(
        np.array([[d.id for d in devices]]))
    return options


# A tensor type of the module text: its dims ("2x3x") and element type (f32, complex<f64>).
_TENSOR_TYPE = re.compile(r"tensor<((?:\d+x)+)([a-z]*(\d+)|complex<f(\d+)>)>")
_MAX_BYTES = 2 ** 63 - 1   # XLA sizes arrays in int64 bytes


def check_array_sizes(text, name="main"):
    """Refuse a module holding an array whose size in bytes overflows int64.

    XLA aborts the whole process on one (``overflow in static extent product``),
    which kills a notebook's kernel; real JAX crashes the same way. Arrays that
    merely do not fit in memory are left to XLA, which raises RESOURCE_EXHAUSTED
    as it does for JAX.
    """
    for m in _TENSOR_TYPE.finditer(text):
        elements = 1
        for d in m.group(1)[:-1].split("x"):
            elements *= int(d)
        bits = int(m.group(3)) if m.group(3) else 2 * int(m.group(4))
        nbytes = elements * max(bits // 8, 1)   # i1 (bool) takes a byte
        if nbytes > _MAX_BYTES:
            shape = tuple(int(d) for d in m.group(1)[:-1].split("x"))
            raise ValueError(
                f"{name!r} would create an array of shape {shape} ({m.group(2)}), "
                f"{nbytes} bytes: more than any device can address (XLA's limit is "
                f"2**63 - 1 bytes, and it would abort the process). Use a smaller shape.")


def compile(text, out_avals, device=None, name="main", devices=None):
    """Compile StableHLO ``text`` for one device, or partitioned over ``devices``.

    Raises ``RuntimeError_`` with the module on failure, and ``ValueError`` for
    arrays too large for XLA to even size (``check_array_sizes``)."""
    check_array_sizes(text, name)
    if not _lapack_registered and "lapack_" in text:
        register_lapack()
    callbacks = _host_callbacks_of(text, name)
    device = device or (devices[0] if devices else default_device())
    targets = tuple(devices) if devices else (device,)
    device_list, options = _jax.DeviceList(targets), _compile_options(device, devices)
    start = time.perf_counter()
    # As JAX: a program calling Python back is never written to (or read from) disk.
    key = _disk_key(text, targets) if compilation_cache.directory() and not callbacks \
        else None
    exe = _load(key, device_list, options) if key else None
    from_disk = exe is not None
    if exe is None:
        try:
            if callbacks:   # only an MLIR module (not text) takes host callbacks
                exe = client().compile_and_load(_parse_module(text), device_list, options,
                                                list(callbacks))
            else:
                exe = client().compile_and_load(text, device_list, options)
        except Exception as err:  # XLA's own error type differs by version: keep its message
            raise RuntimeError_(f"XLA could not compile {name!r}: {err}\n"
                                f"--- StableHLO sent to XLA ---\n{text}") from None
        if key:
            compilation_cache.put(key, exe.serialize(), time.perf_counter() - start)
    seconds = time.perf_counter() - start
    if config.log_compiles and not from_disk:
        _log.warning("Finished XLA compilation of %s in %.6f sec", name, seconds)
    return Executable(exe, out_avals, device, name, text, seconds, from_disk,
                      tuple(devices) if devices else None, callbacks)


# --- host callbacks: XLA calling Python -----------------------------------------
#
# jaxlib registers a typed-FFI custom-call target per platform that calls a Python
# function of the executable: ``xla_ffi_python_cpu_callback`` on CPU (and
# ``xla_ffi_partitioned_python_cpu_callback``, run on each device's shard). The
# ``stablehlo.custom_call`` names the function by ``index`` (a ``ui64`` in its
# ``backend_config`` dictionary), its position in the ``host_callbacks`` list given to
# ``compile_and_load``. That overload wants the module as an MLIR object, not text.
# XLA hands the function NumPy arrays and takes back a tuple of NumPy arrays.

_callback_interrupts = []   # a KeyboardInterrupt raised in a callback of the running program


def note_callback_interrupt(error):
    """A callback was interrupted (Ctrl-C, a debugger's quit): the program's caller gets
    ``error`` itself instead of XLA's ``JaxRuntimeError`` that wraps it."""
    _callback_interrupts[:] = [error]


def host_callback_target(partitioned=False):
    """The custom-call target that calls a Python function from a compiled program on
    this platform (JAX's ``emit_python_callback`` names the same one)."""
    device = "gpu" if platform() in ("cuda", "rocm", "gpu") else "cpu"
    return f"xla_ffi{'_partitioned' if partitioned else ''}_python_{device}_callback"


def _host_callbacks_of(text, name):
    """The Python functions a module calls (``lowering`` hands them over on its text as
    ``host_callbacks``); an error for a module that calls some but carries none."""
    callbacks = getattr(text, "host_callbacks", ())
    if not callbacks and "_python_cpu_callback" in text:
        raise ValueError(
            f"{name!r} calls Python functions back (custom calls to xla_ffi_python_cpu_"
            f"callback) but its text no longer carries them: compile the text that "
            f"lowering returned (e.g. Lowered.compile()), not a copy of it")
    return callbacks


@functools.cache
def _mlir_context():
    from jaxlib.mlir import ir
    from jaxlib.mlir.dialects import chlo, sdy, stablehlo
    from jaxlib.mlir._mlir_libs import _jax_mlir_ext
    registry = ir.DialectRegistry()
    _jax_mlir_ext.register_dialects(registry)   # func, arith, ... (what JAX loads)
    context = ir.Context()
    context.append_dialect_registry(registry)
    context.load_all_available_dialects()
    for dialect in (sdy, chlo, stablehlo):
        dialect.register_dialect(context)
    return context, ir


def _parse_module(text):
    context, ir = _mlir_context()
    with context:
        return ir.Module.parse(str(text))


def compiler_ir(text, dialect):
    """A lowered module as JAX's ``Lowered.compiler_ir`` gives it: an MLIR module
    ("stablehlo") or an ``XlaComputation`` ("hlo", with ``as_hlo_text()``)."""
    if dialect == "stablehlo":
        return _parse_module(text)
    if dialect == "hlo":
        return _jax.mlir.mlir_module_to_xla_computation(str(text), use_tuple_args=False,
                                                        return_tuple=False)
    raise ValueError(f"compiler_ir: dialect must be 'stablehlo' or 'hlo', got {dialect!r}")


# --- the persistent compilation cache: what jaxlib does for it ------------------
#
# ``compilation_cache`` keeps bytes on disk; here an executable becomes those bytes
# and back. The key holds everything that changes the binary: the module, the
# jaxlib version, the platform and its version, the device, the CPU's features
# (XLA compiles for the host's instruction set) and XLA_FLAGS.

def _disk_key(text, devices):
    return compilation_cache.key(text, JAXLIB_VERSION, client().platform,
                                 client().platform_version, devices[0].device_kind,
                                 ",".join(str(d.id) for d in devices), _cpu_features(),
                                 os.environ.get("XLA_FLAGS", ""))


@functools.cache
def _cpu_features():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return line
    except OSError:
        pass
    return host_platform.machine() + host_platform.processor()


def _load(key, devices, options):
    payload = compilation_cache.get(key)
    if payload is None:
        return None
    try:
        return client().deserialize_executable(payload, devices, options)
    except Exception as err:   # noqa: BLE001 - e.g. written by another jaxlib: recompile
        compilation_cache.rejected(key, f"jaxlib could not load it ({err})")
        return None


def register_lapack():
    """Register jaxlib's LAPACK kernels as XLA custom-call targets (once).

    jaxlib's kernels call the LAPACK routines that SciPy ships
    (``scipy.linalg.cython_lapack``); ``_lapack.initialize()`` looks them up and
    must run before the first call, else the kernels call a null pointer.
    Targets ending in ``_ffi`` are typed-FFI handlers: XLA's ``api_version=1`` at
    registration, ``api_version = 4`` in the ``stablehlo.custom_call``.
    """
    global _lapack_registered
    if _lapack_registered:
        return
    from jaxlib import lapack
    lapack._lapack.initialize()
    for name, (capsule, api_version) in _lapack_targets(lapack).items():
        xla_client.register_custom_call_target(name, capsule, platform="cpu",
                                               api_version=api_version)
    _lapack_registered = True


def _lapack_targets(lapack):
    """``{target name: (capsule, api_version)}`` for jaxlib's CPU LAPACK kernels."""
    targets = {}
    for entry in lapack.registrations().get("cpu", []):
        name, capsule = entry[0], entry[1]
        api_version = entry[2] if len(entry) > 2 else int(name.endswith("_ffi"))
        targets[name] = (capsule, api_version)
    return targets


def jaxlib_version():
    import jaxlib
    return jaxlib.__version__


def describe_device(device):
    return f"{device.platform.upper()}:{device.id}" if device is not None else "?"


def now():
    return time.perf_counter()


def is_buffer(x):
    return isinstance(x, _jax.ArrayImpl)


__all__ = ["client", "devices", "default_device", "put", "fetch", "compile", "Executable",
           "register_lapack", "sys"]
