"""Running things on the device: eager primitives and compiled jaxprs.

Eager mode compiles each primitive, once per (primitive, avals, params,
device), into a tiny XLA executable and runs it; ``execute_jaxpr`` does the
same for a whole jaxpr (the body of a ``jit``).
"""
import time

import numpy as np

from . import events, runtime, source_info
from .array import ArrayImpl, device_put
from .config import config
from .core import ClosedJaxpr, Jaxpr, JaxprEqn, Var, abstract_eval, get_aval
from .lowering import lower_jaxpr

_op_cache = {}


class Compiled:
    """An executable plus what is needed to call it with Arrays and wrap its outputs."""

    __slots__ = ("executable", "call", "out_avals", "const_bufs", "name", "text", "device")

    def __init__(self, executable, out_avals, const_bufs, name, text):
        self.executable = executable
        # With several devices, arguments elsewhere are copied to the executable's.
        self.device = executable.device if runtime._multi else None
        self.call = executable.__call__   # bound once: saves a lookup per dispatch
        self.out_avals = out_avals
        self.const_bufs = const_bufs
        self.name = name
        self.text = text

    def run(self, args):
        if self.device is None:
            bufs = [a._buf if type(a) is ArrayImpl else as_buffer(a) for a in args]
        else:
            bufs = [device_put(a, self.device)._buf for a in args]
        if self.const_bufs:
            bufs = self.const_bufs + bufs
        outs = self.call(bufs)
        result = [ArrayImpl(b, a) for b, a in zip(outs, self.out_avals)]
        if config.debug_nans:
            check_nans(self.name, result)
        return result


def as_buffer(x):
    if type(x) is ArrayImpl:
        return x._buf
    return device_put(x)._buf


def check_nans(name, arrays):
    for i, out in enumerate(arrays):
        if out.dtype.kind in "fc" and np.isnan(np.asarray(out)).any():
            raise FloatingPointError(
                f"NaN in output {i} of {name} (config.debug_nans is on) at "
                f"{source_info.user_location()}")


def device_of(args):
    if len(runtime.devices()) == 1:
        return None
    for a in args:
        if type(a) is ArrayImpl:
            return a.device
    return None


def compile_jaxpr(closed, name, device=None, text=None, module_name=None):
    """Lower (unless ``text`` is given) and compile ``closed``; consts are uploaded once."""
    jaxpr = closed.jaxpr
    if text is None:
        start = time.perf_counter()
        hoisted = Jaxpr([], jaxpr.constvars + jaxpr.invars, jaxpr.outvars, jaxpr.eqns,
                        jaxpr.name)
        text = lower_jaxpr(ClosedJaxpr(hoisted, []), module_name or name)
        if events.listening:
            events.emit("lowered", fun_name=name, text=text,
                        seconds=time.perf_counter() - start)
    out_avals = [v.aval for v in jaxpr.outvars]
    exe = runtime.compile(text, out_avals, device, name)
    const_bufs = [as_buffer(c) if not isinstance(c, ArrayImpl) or device is None
                  else device_put(c, device)._buf for c in closed.consts]
    return Compiled(exe, out_avals, const_bufs, name, text)


def single_op_jaxpr(prim, avals, params):
    invars = [Var(a) for a in avals]
    outvars = [Var(a) for a in abstract_eval(prim, avals, params)]
    eqn = JaxprEqn(prim, invars, outvars, params, None)
    return ClosedJaxpr(Jaxpr([], invars, outvars, [eqn], prim.name), [])


def apply_primitive(prim, args, params):
    """Run ``prim`` on concrete arguments now (compiling it on first use)."""
    avals = tuple([a.aval if type(a) is ArrayImpl else get_aval(a) for a in args])
    device = device_of(args) if runtime._multi else None
    try:
        key = (prim, avals, tuple(params.items()) if params else (), device)
        compiled = _op_cache.get(key)
    except TypeError:  # an unhashable parameter: compile without caching
        key, compiled = None, None
    if compiled is None:
        start = time.perf_counter()
        compiled = compile_jaxpr(single_op_jaxpr(prim, avals, params), prim.name, device)
        if key is not None:
            _op_cache[key] = compiled
        if events.listening:
            events.emit("compiled", fun_name=prim.name, seconds=time.perf_counter() - start,
                        cache_hit=False, reason=None)
    outs = compiled.run(args)
    return outs if prim.multiple_results else outs[0]
