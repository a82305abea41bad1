"""Tracing a Python function into a jaxpr (the trace that ``jit`` and ``make_jaxpr`` use).

A ``JaxprTrace`` records each primitive bound while it is current as an
equation, with the user's source line. Its tracers carry only an aval, so
their values are unknown: branching on them raises ``TracerBoolConversionError``.
Values from outside (NumPy arrays, concrete Arrays, tracers of an enclosing
transform) become constvars; Python scalars become literals.
"""
import enum
import re
import time

import numpy as np

from .. import events, source_info
from ..errors import PartialTrace
from ..config import config
from ..core import (ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Primitive, ShapedArray, Trace, Tracer,
                   Var, abstract_eval, check_jaxpr, check_tracer_alive, get_aval, set_current_trace)
from ..dtypes import PYTHON_SCALARS

# prim -> rule(trace, args, params): how to stage ``prim`` other than as one equation
# (e.g. ``jit(f, inline=True)`` records f's equations); a rule returning None declines.
staging_rules = {}


# Output avals of the equations traced so far, keyed on (prim, input avals, params,
# enable_x64): a program repeats a few shapes many times, and looking up is cheaper
# than running the shape rule (its dtype checks) again. Only keys of plain values are
# kept (``_plain``: no jaxpr, function or array is held alive); errors are not cached.
_out_avals_cache = {}
_OUT_AVALS_CACHE_SIZE = 4096
_PLAIN_SCALARS = (type(None), bool, int, float, complex, str, np.dtype, enum.Enum)


def _plain(value):
    if isinstance(value, tuple):
        return all(_plain(v) for v in value)
    return isinstance(value, _PLAIN_SCALARS)


def _out_avals(prim, avals, params):
    try:
        key = (prim, *avals, *params.items(), config.enable_x64)
        out = _out_avals_cache.get(key)
    except TypeError:   # an unhashable parameter
        return abstract_eval(prim, avals, params)
    if out is None:
        out = abstract_eval(prim, avals, params)
        if (all(type(a) is ShapedArray for a in avals) and _plain(tuple(params.values()))
                and all(type(a) is ShapedArray for a in out)):
            if len(_out_avals_cache) >= _OUT_AVALS_CACHE_SIZE:
                _out_avals_cache.clear()
            _out_avals_cache[key] = tuple(out)
    return out


class JaxprTracer(Tracer):
    __slots__ = ("var",)

    def __init__(self, trace, var):
        self._trace = trace
        self.var = var

    def get_aval(self):
        return self.var.aval


class JaxprTrace(Trace):
    def __init__(self, name=""):
        self.name = name
        self.invars = []
        self.eqns = []
        self.consts = {}  # id(value) -> (constvar, value)
        self.finished = False

    def new_arg(self, aval):
        var = Var(aval)
        self.invars.append(var)
        return JaxprTracer(self, var)

    def atom(self, x):
        """The IR atom standing for ``x`` in this trace."""
        if isinstance(x, JaxprTracer) and x._trace is self:
            return x.var
        if type(x) in PYTHON_SCALARS:
            return Literal(x, get_aval(x))
        if isinstance(x, Tracer):
            check_tracer_alive(x, self)
        if isinstance(x, np.generic) or (type(x) is np.ndarray and x.ndim == 0):
            return Literal(x[()], get_aval(x))   # scalar constants print inline, as in JAX
        entry = self.consts.get(id(x))
        if entry is None:
            entry = self.consts[id(x)] = (Var(get_aval(x)), x)
        return entry[0]

    def process_primitive(self, prim, args, params):
        rule = staging_rules.get(prim)
        if rule is not None:
            outs = rule(self, args, params)
            if outs is not None:
                return outs
        invars = [self.atom(x) for x in args]
        try:
            out_avals = _out_avals(prim, [v.aval for v in invars], params)
        except Exception as e:
            # the equation that could not be added: the partial graph's failing node
            if getattr(e, "glassbox_failing", None) is None:
                e.glassbox_failing = JaxprEqn(prim, invars, [], params, source_info.current())
            raise
        outvars = [Var(aval) for aval in out_avals]
        self.eqns.append(JaxprEqn(prim, invars, outvars, params, source_info.current()))
        outs = [JaxprTracer(self, v) for v in outvars]
        return outs if prim.multiple_results else outs[0]

    def inline(self, closed, args):
        """Record the equations of ``closed`` applied to ``args`` here, each with its own
        source line and name stack; returns its outputs (tracers, or ``args``/consts
        returned as they are)."""
        jaxpr = closed.jaxpr
        env = dict(zip(jaxpr.constvars, closed.consts))
        env.update(zip(jaxpr.invars, args))
        read = lambda atom: atom.val if type(atom) is Literal else env[atom]  # noqa: E731
        for eqn in jaxpr.eqns:
            invars = [v if type(v) is Literal else self.atom(env[v]) for v in eqn.invars]
            outvars = [Var(v.aval) for v in eqn.outvars]
            self.eqns.append(JaxprEqn(eqn.primitive, invars, outvars, eqn.params,
                                      eqn.source_info))
            env.update((v, JaxprTracer(self, o)) for v, o in zip(eqn.outvars, outvars))
        return [read(v) for v in jaxpr.outvars]

    def partial(self, error):
        """What this trace recorded before ``error``, as a ``PartialTrace``."""
        failing = getattr(error, "glassbox_failing", None)
        known = set(self.invars) | {var for var, _ in self.consts.values()}
        for eqn in self.eqns:
            known.update(eqn.outvars)
        if failing is not None and not all(type(v) is Literal or v in known
                                           for v in failing.invars):
            failing = None   # it failed in another (inner) trace: not one of ours
        if failing is None:
            failing = _failing_call(error)
        eqns = self.eqns + ([failing] if failing is not None else [])
        outvars = list(self.eqns[-1].outvars) if self.eqns else []
        jaxpr = Jaxpr([var for var, _ in self.consts.values()], self.invars, outvars, eqns,
                      self.name)
        consts = [value for _, value in self.consts.values()]
        return PartialTrace(ClosedJaxpr(jaxpr, consts), failing, error)

    def to_jaxpr(self, outs, arg_names=None):
        outvars = [self.atom(x) for x in outs]
        constvars, constvals = [], []
        for var, value in self.consts.values():
            constvars.append(var)
            constvals.append(value)
        jaxpr = Jaxpr(constvars, self.invars, outvars, self.eqns, self.name, arg_names)
        if config.check_jaxprs:
            check_jaxpr(jaxpr)
        return ClosedJaxpr(jaxpr, constvals)


def _failing_call(error):
    """An equation standing for the library call that raised ``error`` (``matmul``'s own
    shape check, say), at the innermost user line of its traceback. It is named as the
    message names it (glassbox's messages start ``matmul: ...``), or for the function
    the user's line called."""
    tb, user, called = error.__traceback__, None, None
    while tb is not None:
        code = tb.tb_frame.f_code
        if source_info.is_user_file(code.co_filename):
            user, called = (code.co_filename, tb.tb_lineno, code.co_name), None
        elif user is not None and called is None:
            called = code.co_name
        tb = tb.tb_next
    named = re.match(r"(\w+): ", str(error))
    name = named.group(1) if named else called or type(error).__name__
    where = (source_info.SourceInfo(*user, source_info.current().name_stack) if user
             else source_info.current())
    return JaxprEqn(Primitive(name), [], [], {}, where)


def trace_to_jaxpr(flat_fun, in_avals, name="", arg_names=None):
    """Trace ``flat_fun`` (list of leaves -> list of leaves) on abstract inputs.

    An error while tracing keeps what was traced so far on itself, as
    ``error.glassbox_partial`` (the innermost trace's, where traces nest)."""
    start = time.perf_counter()
    trace = JaxprTrace(name)
    args = [trace.new_arg(aval) for aval in in_avals]
    try:
        with set_current_trace(trace):
            outs = flat_fun(*args)
    except Exception as e:
        if getattr(e, "glassbox_partial", None) is None:
            try:
                e.glassbox_partial = trace.partial(e)
            except AttributeError:   # an exception type that takes no attributes
                pass
        raise
    finally:
        trace.finished = True
    closed = trace.to_jaxpr(outs, arg_names)
    if events.listening_to_traces:
        events.emit("traced", fun_name=name, jaxpr=closed, seconds=time.perf_counter() - start)
    return closed
