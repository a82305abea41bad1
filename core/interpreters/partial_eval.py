"""JAX's ``jax.interpreters.partial_eval`` on glassbox: the names code written for JAX
uses (flax's ``lazy_init`` and ``partial_eval_by_shape``, flax's ``scan``), each
mapped onto glassbox's own tracing and linearization.

* ``trace_to_jaxpr_nounits(fun, pvals)``: partial evaluation. Inputs are
  ``PartialVal``\\ s, known (a value) or unknown (an aval). Everything computable from
  the known inputs is computed now, on the current trace; what depends on an unknown
  one is recorded into a jaxpr. That is glassbox's ``ad.LinearizeTrace``: reverse
  mode uses the same split with the tangents as the unknowns.
* ``trace_to_jaxpr_dynamic(fun, in_avals)``: trace to a jaxpr, as ``jit`` does
  (``tracing.trace_to_jaxpr``).
* ``dce_jaxpr``, ``dce_jaxpr_consts``, ``convert_constvars_jaxpr``: jaxpr-to-jaxpr
  helpers over ``core.dce_jaxpr``.

``fun`` may be a ``linear_util.WrappedFun`` (``glassbox.extend.linear_util``), called
with ``call_wrapped``, or any callable; either takes the flat inputs and returns a
sequence of flat outputs.
"""
from typing import Any

from .. import core
from ..core import ClosedJaxpr, Jaxpr, current_trace, get_aval, set_current_trace
from .ad import LinearizeTrace
from .tracing import JaxprTracer, trace_to_jaxpr

Val = Any
DynamicJaxprTracer = JaxprTracer   # the tracer of a jaxpr being recorded (jit's)


class PartialVal(tuple):
    """A value that is either known, ``(None, value)``, or unknown, ``(aval, None)``."""

    def __new__(cls, xs):
        aval, const = xs
        if (aval is None) == (const is None):
            raise ValueError(f"PartialVal is (None, value) or (aval, None), got {xs!r}")
        return tuple.__new__(cls, xs)

    @classmethod
    def known(cls, const):
        return cls((None, const))

    @classmethod
    def unknown(cls, aval):
        return cls((aval, None))

    def is_known(self):
        return self[0] is None

    def get_known(self):
        """The known value, or None if unknown."""
        return self[1] if self[0] is None else None

    def get_aval(self):
        """The aval: given if unknown, the known value's if known."""
        return get_aval(self[1]) if self[0] is None else self[0]


def _call(fun, args):
    call = getattr(fun, "call_wrapped", fun)
    return list(call(*args))


def _name(fun):
    return getattr(getattr(fun, "f", fun), "__name__", "") or ""


def trace_to_jaxpr_nounits(fun, pvals, instantiate=False):
    """Partially evaluate ``fun`` on ``pvals``.

    Returns ``(jaxpr, out_pvals, consts)``: ``jaxpr`` computes the unknown outputs from
    the unknown inputs and its constvars, whose values are ``consts`` (the known
    values it reads); ``out_pvals`` holds each output's value if it is known, else
    its aval. ``instantiate`` (a bool, or one per output) makes known outputs unknown:
    outputs of the jaxpr.
    """
    pe = LinearizeTrace(current_trace(), _name(fun))
    args = [pv.get_known() if pv.is_known() else pe.tape.new_arg(pv[0]) for pv in pvals]
    try:
        with set_current_trace(pe):
            outs = _call(fun, args)
    finally:
        pe.finished = True
    if isinstance(instantiate, bool):
        instantiate = [instantiate] * len(outs)
    unknown = [pe.is_unknown(o) or bool(inst) for o, inst in zip(outs, instantiate)]
    closed = pe.tape.to_jaxpr([o for o, uk in zip(outs, unknown) if uk])
    pe.tape.finished = True
    out_pvals = [PartialVal.unknown(get_aval(o)) if uk else PartialVal.known(o)
                 for o, uk in zip(outs, unknown)]
    return closed.jaxpr, out_pvals, closed.consts


def trace_to_jaxpr_dynamic(fun, in_avals, *, keep_inputs=None, lower=False, auto_dce=False):
    """Trace ``fun`` on abstract inputs: ``(jaxpr, out_avals, consts)``, the jaxpr's
    constvars standing for ``consts``. ``keep_inputs`` (one bool per aval) drops inputs
    from what ``fun`` receives; the jaxpr still takes them all."""
    del lower
    keep = [True] * len(in_avals) if keep_inputs is None else list(keep_inputs)

    def flat(*args):
        return _call(fun, [a for a, k in zip(args, keep) if k])
    closed = trace_to_jaxpr(flat, list(in_avals), _name(fun))
    jaxpr = closed.jaxpr
    if auto_dce:
        jaxpr = dce_jaxpr(jaxpr, True, instantiate=True)[0]
    return jaxpr, jaxpr.out_avals(), closed.consts


def dce_jaxpr(jaxpr, used_outputs, instantiate=False):
    """Drop the equations no used output needs: ``(new_jaxpr, used_inputs)``.

    ``used_outputs``: a bool, or one per output (the new jaxpr returns only those).
    ``instantiate``: a bool, or one per input: inputs kept even if unused. The new
    jaxpr takes the inputs marked in ``used_inputs``.
    """
    if isinstance(used_outputs, bool):
        used_outputs = [used_outputs] * len(jaxpr.outvars)
    if isinstance(instantiate, bool):
        instantiate = [instantiate] * len(jaxpr.invars)
    pruned, used_inputs = core.dce_jaxpr(jaxpr, list(used_outputs))
    used_inputs = [bool(u or inst) for u, inst in zip(used_inputs, instantiate)]
    new = Jaxpr(pruned.constvars, [v for v, u in zip(jaxpr.invars, used_inputs) if u],
                pruned.outvars, pruned.eqns, jaxpr.name)
    return new, used_inputs


def dce_jaxpr_consts(jaxpr, used_outputs, instantiate=False):
    """``dce_jaxpr`` that also prunes constvars: ``(new_jaxpr, used_consts,
    used_inputs)``."""
    n = len(jaxpr.constvars)
    if isinstance(instantiate, bool):
        instantiate = [instantiate] * len(jaxpr.invars)
    lifted = convert_constvars_jaxpr(jaxpr)
    new, used = dce_jaxpr(lifted, used_outputs, [False] * n + list(instantiate))
    used_consts, used_inputs = used[:n], used[n:]
    k = sum(used_consts)
    new = Jaxpr(new.invars[:k], new.invars[k:], new.outvars, new.eqns, new.name)
    return new, used_consts, used_inputs


def convert_constvars_jaxpr(jaxpr):
    """``jaxpr`` with its constvars moved to the front of its invars."""
    names = None if jaxpr.arg_names is None else \
        ("",) * len(jaxpr.constvars) + tuple(jaxpr.arg_names)
    return Jaxpr([], jaxpr.constvars + jaxpr.invars, jaxpr.outvars, jaxpr.eqns, jaxpr.name,
                 names)


def convert_invars_to_constvars(jaxpr, n):
    """``jaxpr`` with its first ``n`` invars made constvars (after any it has)."""
    return Jaxpr(jaxpr.constvars + jaxpr.invars[:n], jaxpr.invars[n:], jaxpr.outvars,
                 jaxpr.eqns, jaxpr.name)


def close_jaxpr(jaxpr):
    """A ``ClosedJaxpr`` of a jaxpr without constvars."""
    return ClosedJaxpr(jaxpr, [])
