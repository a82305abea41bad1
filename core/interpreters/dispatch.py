"""Running things on the device: eager primitives and compiled jaxprs.

Eager mode compiles each primitive, once per (primitive, avals, params,
device), into a tiny XLA executable and runs it; ``compile_jaxpr`` does the
same for a whole jaxpr (the body of a ``jit``).
"""
import functools
import time
import warnings

import numpy as np

from .. import events, runtime, source_info
from ..errors import PartialTrace
from ..array import ArrayImpl, created, device_put, put_sharded
from ..sharding import (AxisType, Mesh, NamedSharding, PartitionSpec, Spmd, common_mesh,
                        from_hlo)
from ..config import config
from ..core import (ClosedJaxpr, Jaxpr, JaxprEqn, Literal, ShapedArray, Token, Var,
                    abstract_eval, abstract_token, dce_jaxpr, get_aval, hoist_consts,
                    set_default_impl, subjaxprs)
from .lowering import donation_attrs, lower_jaxpr


class Compiled:
    """An executable plus what is needed to call it with Arrays and wrap its outputs."""

    __slots__ = ("executable", "call", "out_avals", "const_bufs", "name", "text", "device",
                 "jaxpr", "kept", "in_shardings", "out_shardings", "tokens")

    def __init__(self, executable, jaxpr, out_avals, const_bufs, name, text, kept=None,
                 in_shardings=None, out_shardings=None):
        self.executable = executable
        # With several devices, arguments elsewhere are copied to the executable's.
        self.device = executable.device if runtime._multi else None
        # Partitioned: the layout XLA expects of each argument (after the consts) and
        # gives each output; arguments laid out otherwise are moved first.
        self.in_shardings, self.out_shardings = in_shardings, out_shardings
        self.call = executable.__call__   # bound once: saves a lookup per dispatch
        self.out_avals = out_avals
        self.const_bufs = const_bufs
        self.name = name
        self.text = text
        self.jaxpr = jaxpr   # what was compiled: debug_nans re-runs it op by op
        self.kept = kept    # indices of the arguments the executable takes (None: all)
        # Tokens in or out (lax.create_token): XLA takes and gives them as empty buffers.
        self.tokens = abstract_token in out_avals or (
            isinstance(jaxpr, ClosedJaxpr) and abstract_token in jaxpr.in_avals)

    def run(self, args):
        passed = args if self.kept is None else [args[i] for i in self.kept]
        if self.tokens:
            passed = [a._buf if type(a) is Token else a for a in passed]
        if self.in_shardings is not None:
            bufs = [_laid_out(a, s) for a, s in zip(passed, self.in_shardings)]
        elif self.device is None:
            bufs = [a if type(a) is ArrayImpl else device_put(a) for a in passed]
        else:
            bufs = [device_put(a, self.device) for a in passed]
        if self.const_bufs:
            bufs = self.const_bufs + bufs
        try:
            outs = self.call(bufs)
        except Exception:
            _check_not_deleted(args)   # jaxlib's own message for a deleted input is cryptic
            raise
        if self.tokens:
            outs = [Token(o) if a is abstract_token else o
                    for o, a in zip(outs, self.out_avals)]
            return outs
        result = created(outs)
        if config.debug_nans:
            check_nans(self, args, result)
        return result


def _laid_out(x, sharding):
    if type(x) is ArrayImpl and runtime.buffer_sharding(x) is sharding.cpp(x.ndim):
        return x
    return put_sharded(x, sharding)


def _check_not_deleted(args):
    for a in args:
        if type(a) is ArrayImpl:
            a.check_not_deleted()


def _has_nan(x):
    dtype = getattr(x, "dtype", None)
    if dtype is None:
        if type(x) is not float and type(x) is not complex:
            return False   # a token, an integer, a bool
        x, dtype = np.asarray(x), np.asarray(x).dtype
    return np.dtype(dtype).kind in "fc" and bool(np.isnan(np.asarray(x)).any())


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
    consts = list(compiled.const_bufs)
    found = _first_nan_eqn(jaxpr, consts + list(args))
    if found is None:
        raise FloatingPointError(
            f"invalid value (nan) encountered in jit({compiled.name}) at "
            f"{source_info.user_location()}. config.debug_nans is on, so the function was "
            f"re-run one operation at a time to find the one that makes the NaN, but none "
            f"did: XLA's optimizations may have produced it, or a NaN was an input or a "
            f"constant. Check the inputs, or turn debug_nans off.")
    eqn, body = found
    info = eqn.source_info
    where = f"{info.file}:{info.line}" if info is not None else source_info.user_location()
    error = _nan_error(eqn.primitive.name, where, f" (inside jit({compiled.name}))")
    error.glassbox_partial = PartialTrace(ClosedJaxpr(body, []), eqn, error)
    raise error


def _nan_error(prim_name, where, inside=""):
    return FloatingPointError(
        f"invalid value (nan) encountered in {prim_name} at {where}{inside}. "
        f"config.debug_nans is on, so every floating output is checked. Look at this "
        f"operation's inputs (a log or sqrt of a negative number, 0/0, inf - inf, ...), or "
        f"turn it off with glassbox.config.update('jax_debug_nans', False).")


def _first_nan_eqn(jaxpr, inputs):
    """``(equation, the jaxpr holding it)``: the first equation of ``jaxpr`` (nested jit
    bodies entered) that makes a NaN from inputs without one. An equation that passes a
    NaN on (a ``select`` of ``var``'s deliberate NaN for an empty sample, a broadcast of a
    NaN constant) did not make it: JAX builds those with debug_nans off."""
    env = dict(zip(jaxpr.constvars + jaxpr.invars, inputs))
    read = lambda atom: atom.val if type(atom) is Literal else env[atom]  # noqa: E731
    for eqn in jaxpr.eqns:
        ins = [read(v) for v in eqn.invars]
        with config.override(debug_nans=False):   # checked here, with the equation's line
            outs = eqn.primitive.bind(*ins, **eqn.params)
        outs = outs if eqn.primitive.multiple_results else [outs]
        if any(_has_nan(o) for o in outs) and not any(_has_nan(x) for x in ins):
            inner = eqn.primitive.name == "jit" and next(subjaxprs(eqn), None)
            return (inner and _first_nan_eqn(eqn.params["jaxpr"].jaxpr, ins)) or (eqn, jaxpr)
        env.update(zip(eqn.outvars, outs))
    return None


def device_of(args, closed=None):
    """Where a computation on ``args`` runs: None (the default device), the device of the
    first array, or, when an argument lies over several devices or the computation
    ``closed`` names a mesh, a ``Spmd`` placement over that mesh, every other argument
    replicated on it."""
    if len(runtime.devices()) == 1:
        return None
    sharded = [a.sharding for a in args if type(a) is ArrayImpl and runtime.is_multi_device(a)]
    named = mesh_in(closed) if closed is not None else None
    if named is not None:
        sharded.append(NamedSharding(named, PartitionSpec()))
    if sharded:
        mesh = common_mesh(sharded)
        replicated = NamedSharding(mesh, PartitionSpec())
        return Spmd(mesh, [a.sharding if type(a) is ArrayImpl and runtime.is_multi_device(a)
                           else replicated for a in args], ())
    for a in args:
        if type(a) is ArrayImpl:
            return a.device
    return None


def mesh_in(closed):
    """The mesh an equation of ``closed`` (or of a jaxpr inside it) names in its
    parameters (a sharding constraint, a ``shard_map``), or None."""
    return closed.derived(("mesh",), lambda: [_find_mesh(closed.jaxpr)])[0]   # None too


def _find_mesh(jaxpr):
    for eqn in jaxpr.eqns:
        for value in eqn.params.values():
            if isinstance(value, Mesh):
                return value
            if isinstance(value, NamedSharding) and isinstance(value.mesh, Mesh):
                return value.mesh
        for sub in subjaxprs(eqn):
            mesh = _find_mesh(sub)
            if mesh is not None:
                return mesh
    return None


def main_jaxpr(closed, keep_unused=True):
    """``(jaxpr, kept)``: what the module's ``main`` computes for the body ``closed``.

    ``jaxpr`` takes the body's consts, then its arguments, as inputs. Unless
    ``keep_unused``, it is pruned as JAX prunes a ``jit``: equations whose results are
    never used go, and so do arguments nothing uses (consts are always kept: they
    are glassbox's, not the caller's). ``kept`` lists the arguments ``main`` still
    takes, or is None when it takes them all.
    """
    hoisted = hoist_consts(closed)[0]
    if keep_unused:
        return hoisted, None
    j, n_consts = hoisted.jaxpr, len(closed.jaxpr.constvars)
    pruned, used = dce_jaxpr(j, [True] * len(j.outvars))
    used[:n_consts] = [True] * n_consts
    invars = [v for v, u in zip(j.invars, used) if u]
    main = ClosedJaxpr(Jaxpr([], invars, pruned.outvars, pruned.eqns, j.name), [])
    kept = [i for i, u in enumerate(used[n_consts:]) if u]
    return main, (None if len(kept) == len(closed.jaxpr.invars) else kept)


def lower_main(closed, module_name, donated=None, keep_unused=True, spmd=None):
    """The StableHLO of ``closed`` as a ``jit`` computation: ``main`` pruned unless
    ``keep_unused``, and its donated arguments (``donated``: a flag per argument)
    marked for XLA to reuse, as JAX marks them (``lowering.donation_attrs``).
    With a ``spmd`` placement, partitioned over its mesh with the layouts it asks for."""
    main, kept = main_jaxpr(closed, keep_unused)
    if spmd is not None:
        return _lower_partitioned(closed, main, kept, module_name, donated, spmd)
    arg_attrs = None
    if donated is not None and any(donated):
        flags = [False] * len(closed.jaxpr.constvars) + [
            donated[i] for i in (range(len(donated)) if kept is None else kept)]
        arg_attrs, unusable = donation_attrs([v.aval for v in main.jaxpr.invars],
                                             main.out_avals, flags)
        if unusable:
            _warn_unusable_donations(unusable, module_name)
    return lower_jaxpr(main, module_name, arg_attrs=arg_attrs)


def _main_in_shardings(closed, kept, spmd):
    """The layout of each input of ``main``: consts replicated, then the kept arguments'."""
    ins = spmd.in_shardings if kept is None else [spmd.in_shardings[i] for i in kept]
    replicated = NamedSharding(spmd.mesh, PartitionSpec())
    return [replicated] * len(closed.jaxpr.constvars) + list(ins)


def _lower_partitioned(closed, main, kept, module_name, donated, spmd):
    in_avals = [v.aval for v in main.jaxpr.invars]
    arg_attrs = spmd.attrs(_main_in_shardings(closed, kept, spmd), in_avals)
    if donated is not None and any(donated):
        flags = [False] * len(closed.jaxpr.constvars) + [
            donated[i] for i in (range(len(donated)) if kept is None else kept)]
        donation, unusable = donation_attrs(in_avals, main.out_avals, flags)
        if unusable:
            _warn_unusable_donations(unusable, module_name)
        arg_attrs = [", ".join(a for a in pair if a) or None
                     for pair in zip(arg_attrs, donation)]
    # Over Explicit axes every result is pinned as its type says, replicated ones too:
    # the compiled program then lays them out as ``_compile_partitioned`` reports.
    outs = spmd.out_shardings or [_typed_layout(a, spmd.mesh) for a in main.out_avals]
    result_attrs = spmd.attrs(outs, main.out_avals) if any(outs) else None
    return lower_jaxpr(main, module_name, arg_attrs=arg_attrs, result_attrs=result_attrs,
                       mesh=spmd.mesh)


def _warn_unusable_donations(avals, module_name):
    names = ", ".join(f"{a.dtype.name}[{','.join(map(str, a.shape))}]" for a in avals)
    warnings.warn(
        f"Some donated buffers were not usable: {names}.\nSee an explanation at "
        f"https://docs.jax.dev/en/latest/faq.html#buffer-donation.\n({module_name}, called "
        f"at {source_info.user_location()}: a donated input is reused only for an output of "
        f"its shape and dtype, or of as many elements; these are kept, not deleted.)",
        UserWarning, stacklevel=2)


def compile_jaxpr(closed, name, device=None, text=None, module_name=None, donated=None,
                  keep_unused=True):
    """Lower (unless ``text`` is given) and compile ``closed``; consts are uploaded once.

    ``donated`` and ``keep_unused`` are ``jit``'s options (see ``lower_main``); the
    executable's ``run`` still takes every argument and passes on those ``main`` kept.
    """
    jaxpr = closed.jaxpr
    spmd = device if isinstance(device, Spmd) else None
    if text is None:
        start = time.perf_counter()
        text = lower_main(closed, module_name or name, donated, keep_unused, spmd)
        if events.listening:
            events.emit("lowered", fun_name=name, text=text,
                        seconds=time.perf_counter() - start)
    out_avals = [v.aval for v in jaxpr.outvars]
    kept = None if keep_unused else main_jaxpr(closed, keep_unused)[1]
    if spmd is not None:
        return _compile_partitioned(closed, name, text, out_avals, kept, spmd)
    exe = runtime.compile(text, [_TOKEN_BUFFER if a is abstract_token else a
                                 for a in out_avals], device, name)
    const_bufs = [c._buf if type(c) is Token else device_put(c, device)
                  for c in closed.consts]
    return Compiled(exe, closed, out_avals, const_bufs, name, text, kept)


_TOKEN_BUFFER = ShapedArray((0,), np.bool_)   # how XLA hands a token result back (as JAX)


def _typed_layout(aval, mesh):
    """Over a mesh with Explicit axes, a result is laid out as its type says (every
    dimension named, as JAX shows it); None over an all-Auto mesh (XLA decided)."""
    if AxisType.Explicit not in mesh.axis_types or aval is abstract_token:
        return None
    spec = (aval.sharding.spec._padded(aval.ndim) if aval.sharding is not None
            else (None,) * aval.ndim)
    return NamedSharding(mesh, PartitionSpec(*spec))


def _compile_partitioned(closed, name, text, out_avals, kept, spmd):
    """Compile over ``spmd``'s mesh; the layouts XLA settled on for the inputs and outputs
    become shardings over the mesh (``from_hlo``), the outputs' given where asked."""
    exe = runtime.compile(text, out_avals, name=name, devices=spmd.devices)
    main_ins = [v.aval for v in closed.jaxpr.constvars] + [
        closed.jaxpr.invars[i].aval for i in (range(len(closed.jaxpr.invars))
                                              if kept is None else kept)]
    ins = [from_hlo(h, len(a.shape), spmd.mesh)
           for h, a in zip(exe.parameter_shardings(), main_ins)]
    outs = [given or _typed_layout(a, spmd.mesh) or from_hlo(h, len(a.shape), spmd.mesh)
            for given, h, a in zip(spmd.out_shardings or [None] * len(out_avals),
                                   exe.result_shardings(), out_avals)]
    exe.set_result_shardings([s.cpp(len(a.shape)) for s, a in zip(outs, out_avals)])
    n_consts = len(closed.consts)
    const_bufs = [put_sharded(c, s) for c, s in zip(closed.consts, ins[:n_consts])]
    return Compiled(exe, closed, out_avals, const_bufs, name, text, kept, ins[n_consts:], outs)


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
                    cache_hit=False, reason=None, from_disk=compiled.executable.from_disk)
    return compiled


def apply_primitive(prim, args, params):
    """Run ``prim`` on concrete arguments now (compiling it on first use).

    The call goes through jaxlib's C++ dispatch (``_op_function``), which replays
    the executable of an argument signature it has seen without entering Python."""
    items = tuple(params.items()) if params else ()
    try:
        op = _op_function(prim, items)
    except TypeError:   # an unhashable parameter: no cache, no fast path
        return _run_op(prim, items, args, cache=False)[0]
    try:
        return op(*args)
    except ValueError:
        _check_not_deleted(args)   # XLA's message for a donated input names no array
        raise


def eager_op(prim):
    """The C++ function that runs parameterless ``prim`` on concrete arguments (where
    ``bind`` ends outside every transform, for a ``prim`` without an impl rule)."""
    return _op_function(prim, ())


# The C++ table of the op functions: as JAX's, it keeps up to this many functions, and
# this many signatures of each (least recently used go first). A miss consults
# ``_compile_op``'s executables before compiling.
_op_cache = runtime.fast_cache(8192)


def clear_caches():
    """Forget the compiled eager ops (``glassbox.clear_caches``)."""
    _compile_op.cache_clear()


@functools.lru_cache(maxsize=4096)
def _op_function(prim, items):
    """A C++ jitted function running ``prim`` with parameters ``items`` on its arguments."""
    def cache_miss(*args):
        out, compiled = _run_op(prim, items, args)
        return out, _op_fastpath(compiled, out, len(args)), False

    def run(*args):   # what C++ calls instead under disable_jit: the same, in Python
        return _run_op(prim, items, args)[0]
    return runtime.fast_jit(prim.name, run, cache_miss, (), (), (prim, items), device_put,
                            _op_cache)


def _run_op(prim, items, args, cache=True):
    """``(outputs, the Compiled that made them)``: compile ``prim`` for ``args``, run it."""
    avals = tuple([a.aval if type(a) is ArrayImpl else get_aval(a) for a in args])
    device = device_of(args) if runtime._multi else None
    compile_op = _compile_op if cache else _compile_op.__wrapped__
    compiled = compile_op(prim, avals, items, device)
    outs = compiled.run(args)
    return (outs if prim.multiple_results else outs[0]), compiled


def _op_fastpath(compiled, out, n_args):
    """What lets C++ replay this op, or None when only Python can (see ``api.Jitted``)."""
    if events.listening or config.debug_nans or runtime._multi:
        return None
    outs = out if isinstance(out, list) else [out]
    return runtime.fastpath_data(compiled.executable, outs,
                                 runtime.pytree_registry.flatten(out)[1], n_args,
                                 compiled.kept, compiled.const_bufs)


set_default_impl(apply_primitive)   # EvalTrace's way to run a primitive with no impl rule
