"""``jax.extend.core``: defining primitives and reading jaxprs.

A primitive defined here is glassbox's own kind (``Primitive`` is
``glassbox.core.Primitive``): its ``def_impl``/``def_abstract_eval`` fill glassbox's
rule tables, and with rules in ``glassbox.interpreters.ad`` (``primitive_jvps``,
``primitive_transposes``), ``batching`` (``primitive_batchers``,
``fancy_primitive_batchers``) and ``mlir`` (``register_lowering(p, lower_fun(...))``)
it traces, differentiates, batches and compiles like a built-in one.

Not provided (glassbox has nothing to back them): ``CallPrimitive``, ``DropVar``,
``TraceTag``, ``InconclusiveDimensionOperation``, ``JaxprTypeError``,
``nonempty_axis_env_DO_NOT_USE``, ``unsafe_get_axis_names_DO_NOT_USE``.
"""
import contextlib

import numpy as np

from ...core import (AbstractToken, ClosedJaxpr, Effect, Effects, Jaxpr,  # noqa: F401
                     JaxprEqn, Literal, Primitive, Token, Var, check_jaxpr,
                     concrete_or_error, current_trace, eval_trace, find_top_trace,
                     get_opaque_trace_state, jaxpr_as_fun, jaxprs_in_params, mapped_aval,
                     no_effects, primal_dtype_to_tangent_dtype, set_current_trace,
                     unmapped_aval, valid_jaxtype)
from ...interpreters.batching import BatchTrace
from ...interpreters.tracing import JaxprTrace
from ...source_info import current as _current_source_info
from ..linear_util import DebugInfo  # noqa: F401
from . import primitives  # noqa: F401

# The types of values that are arrays without being glassbox Arrays (JAX's
# ``array_types``: NumPy arrays and NumPy scalars).
array_types = {np.ndarray, np.bool_, np.int8, np.int16, np.int32, np.int64, np.uint8,
               np.uint16, np.uint32, np.uint64, np.float16, np.float32, np.float64,
               np.complex64, np.complex128, np.longlong}


def subjaxprs(jaxpr):
    """The jaxprs in the params of ``jaxpr``'s equations (not nested further)."""
    for eqn in jaxpr.eqns:
        yield from jaxprs_in_params(eqn.params)


def new_jaxpr_eqn(invars, outvars, primitive, params, effects=no_effects, source_info=None,
                  ctx=None):
    """A ``JaxprEqn`` built with JAX's argument order (``effects`` and ``ctx`` are not
    recorded: glassbox's equations carry none)."""
    del effects, ctx
    return JaxprEqn(primitive, list(invars), list(outvars), params,
                    source_info or _current_source_info())


def gensym(suffix=""):
    """A function ``aval -> Var`` making fresh variables."""
    del suffix
    return Var


def call_impl(f, *args, **params):
    """Evaluate a call: run ``f`` (a ``linear_util.WrappedFun``) on ``args``."""
    del params
    return f.call_wrapped(*args)


@contextlib.contextmanager
def take_current_trace():
    """Yield the current trace, with evaluation as the current trace inside (a rule that
    binds on a trace it chose uses this)."""
    trace = current_trace()
    with set_current_trace(eval_trace):
        yield trace


def _traces():
    trace = current_trace()
    while trace is not None:
        yield trace
        trace = getattr(trace, "parent", None)


def unsafe_am_i_under_a_jit_DO_NOT_USE():
    """Whether a jaxpr is being recorded (``jit``, ``make_jaxpr``, a control-flow body)
    under the current trace."""
    return any(isinstance(t, JaxprTrace) for t in _traces())


def unsafe_am_i_under_a_vmap_DO_NOT_USE():
    """Whether a ``vmap`` is running under the current trace."""
    return any(isinstance(t, BatchTrace) for t in _traces())
