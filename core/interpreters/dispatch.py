"""Running things on the device: eager primitives and compiled jaxprs.

Eager mode compiles each primitive, once per (primitive, avals, params,
device), into a tiny XLA executable and runs it; ``execute_jaxpr`` does the
same for a whole jaxpr (the body of a ``jit``).
"""
import functools
import time

import numpy as np

from .. import events, runtime, source_info
from ..array import ArrayImpl, device_put
from ..config import config
from ..core import ClosedJaxpr, Jaxpr, JaxprEqn, Var, abstract_eval, get_aval, hoist_consts
from .lowering import lower_jaxpr


class Compiled:
    """An executable plus what is needed to call it with Arrays and wrap its outputs."""

    __slots__ = ("executable", "call", "out_avals", "const_bufs", "name", "text", "device",
                 "jaxpr")

    def __init__(self, executable, out_avals, const_bufs, name, text):
        self.executable = executable
        # With several devices, arguments elsewhere are copied to the executable's.
        self.device = executable.device if runtime._multi else None
        self.call = executable.__call__   # bound once: saves a lookup per dispatch
        self.out_avals = out_avals
        self.const_bufs = const_bufs
        self.name = name
        self.text = text
        self.jaxpr = None   # set by compile_jaxpr: debug_nans re-runs it op by op

    def run(self, args):
        if self.device is None:
            bufs = [a._buf if type(a) is ArrayImpl else as_buffer(a) for a in args]
        else:
            bufs = [device_put(a, self.device)._buf for a in args]
        if self.const_bufs:
            bufs = self.const_bufs + bufs
        try:
            outs = self.call(bufs)
        except Exception:
            _check_not_deleted(args)   # jaxlib's own message for a deleted input is cryptic
            raise
        result = [ArrayImpl(b, a) for b, a in zip(outs, self.out_avals)]
        if config.debug_nans:
            check_nans(self, args, result)
        return result


def as_buffer(x):
    if type(x) is ArrayImpl:
        return x._buf
    return device_put(x)._buf


def _check_not_deleted(args):
    for a in args:
        if type(a) is ArrayImpl:
            a.check_not_deleted()


def _has_nan(x):
    return x.dtype.kind in "fc" and bool(np.isnan(np.asarray(x)).any())


def check_nans(compiled, args, outs):
    """``config.debug_nans``: raise ``FloatingPointError`` naming the op that made a NaN.

    An eager op names itself and the user's current line. A jit function is
    de-optimized as in JAX: its jaxpr is re-run one equation at a time, and the
    first equation with a NaN output is named with its own source line.
    """
    if not any(_has_nan(o) for o in outs):
        return
    jaxpr = compiled.jaxpr.jaxpr
    if len(jaxpr.eqns) == 1 and jaxpr.eqns[0].source_info is None:   # an eager primitive
        raise _nan_error(compiled.name, source_info.user_location())
    # The executable's inputs: its constants' buffers, then the arguments.
    consts = [ArrayImpl(b, v.aval)
              for b, v in zip(compiled.const_bufs, jaxpr.constvars + jaxpr.invars)]
    eqn = _first_nan_eqn(jaxpr, consts + list(args))
    if eqn is None:
        raise FloatingPointError(
            f"invalid value (nan) encountered in jit({compiled.name}) at "
            f"{source_info.user_location()}. config.debug_nans is on, so the function was "
            f"re-run one operation at a time to find the one that makes the NaN, but none "
            f"did: XLA's optimizations may have produced it, or a NaN was an input or a "
            f"constant. Check the inputs, or turn debug_nans off.")
    info = eqn.source_info
    where = f"{info.file}:{info.line}" if info is not None else source_info.user_location()
    raise _nan_error(eqn.primitive.name, where, f" (inside jit({compiled.name}))")


def _nan_error(prim_name, where, inside=""):
    return FloatingPointError(
        f"invalid value (nan) encountered in {prim_name} at {where}{inside}. "
        f"config.debug_nans is on, so every floating output is checked. Look at this "
        f"operation's inputs (a log or sqrt of a negative number, 0/0, inf - inf, ...), or "
        f"turn it off with glassbox.config.update('jax_debug_nans', False).")


def _first_nan_eqn(jaxpr, inputs):
    """The first equation of ``jaxpr`` (nested jit bodies entered) with a NaN output."""
    from ..core import Literal, subjaxprs
    env = dict(zip(jaxpr.constvars + jaxpr.invars, inputs))
    read = lambda atom: atom.val if type(atom) is Literal else env[atom]  # noqa: E731
    for eqn in jaxpr.eqns:
        ins = [read(v) for v in eqn.invars]
        with config.override(debug_nans=False):   # checked here, with the equation's line
            outs = eqn.primitive.bind(*ins, **eqn.params)
        outs = outs if eqn.primitive.multiple_results else [outs]
        if any(_has_nan(o) for o in outs):
            inner = eqn.primitive.name == "jit" and next(subjaxprs(eqn), None)
            return (inner and _first_nan_eqn(eqn.params["jaxpr"].jaxpr, ins)) or eqn
        env.update(zip(eqn.outvars, outs))
    return None


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
        text = lower_jaxpr(hoist_consts(closed)[0], module_name or name)
        if events.listening:
            events.emit("lowered", fun_name=name, text=text,
                        seconds=time.perf_counter() - start)
    out_avals = [v.aval for v in jaxpr.outvars]
    exe = runtime.compile(text, out_avals, device, name)
    const_bufs = [as_buffer(c) if not isinstance(c, ArrayImpl) or device is None
                  else device_put(c, device)._buf for c in closed.consts]
    compiled = Compiled(exe, out_avals, const_bufs, name, text)
    compiled.jaxpr = closed
    return compiled


def single_op_jaxpr(prim, avals, params):
    invars = [Var(a) for a in avals]
    outvars = [Var(a) for a in abstract_eval(prim, avals, params)]
    eqn = JaxprEqn(prim, invars, outvars, params, None)
    return ClosedJaxpr(Jaxpr([], invars, outvars, [eqn], prim.name), [])


# Bounded (least recently used out), as JAX's: a program sweeping shapes would otherwise keep
# every executable forever. functools' C lru_cache costs no more per hit than a dict.
@functools.lru_cache(maxsize=4096)
def _compile_op(prim, avals, params, device):
    """The executable running ``prim`` once, per (primitive, avals, params items, device)."""
    start = time.perf_counter()
    compiled = compile_jaxpr(single_op_jaxpr(prim, avals, dict(params)), prim.name, device)
    if events.listening:
        events.emit("compiled", fun_name=prim.name, seconds=time.perf_counter() - start,
                    cache_hit=False, reason=None)
    return compiled


def apply_primitive(prim, args, params):
    """Run ``prim`` on concrete arguments now (compiling it on first use)."""
    avals = tuple([a.aval if type(a) is ArrayImpl else get_aval(a) for a in args])
    device = device_of(args) if runtime._multi else None
    items = tuple(params.items()) if params else ()
    try:
        compiled = _compile_op(prim, avals, items, device)
    except TypeError:
        # An unhashable parameter: compile without caching. (A TypeError raised by
        # compiling itself is raised again here.)
        compiled = _compile_op.__wrapped__(prim, avals, items, device)
    outs = compiled.run(args)
    return outs if prim.multiple_results else outs[0]
