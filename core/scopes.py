"""Scopes: context managers that change how the code inside them is traced or run.

``named_scope`` / ``named_call`` add a name to the name stack every traced
equation records (``eqn.source_info.name_stack``, drawn as groups by the graph
view); ``ensure_compile_time_eval`` runs operations on concrete values now, even
inside ``jit``; the others set one ``glassbox.config`` option for a block, as
JAX's ``jax.numpy_dtype_promotion`` and friends do::

    @glassbox.jit
    def f(x):
        with glassbox.named_scope("layer1"):
            return jnp.tanh(x)        # its equations carry the name stack ("layer1",)
"""
import contextlib
import functools

from . import source_info
from .config import config
from .core import Tracer, current_trace, eval_trace, set_current_trace, EvalTrace


def named_scope(name):
    """Context manager (and decorator) adding ``name`` to the name stack of the
    equations traced inside it."""
    if not isinstance(name, str):
        raise TypeError("named_scope name argument must be a string.")
    return source_info.extend_name_stack(name)


def named_call(fun, *, name=None):
    """``fun`` wrapped in ``named_scope(name)`` (``fun.__name__`` by default)."""
    name = fun.__name__ if name is None else name

    @functools.wraps(fun)
    def named(*args, **kwargs):
        with source_info.extend_name_stack(name):
            return fun(*args, **kwargs)
    return named


class _CompileTimeEvalTrace(EvalTrace):
    """Runs primitives now; one given a traced operand goes to the trace that made it."""

    def __init__(self, staging):
        self.staging = staging

    def process_primitive(self, prim, args, params):
        if any(isinstance(a, Tracer) for a in args):
            with set_current_trace(self.staging):
                return prim.bind(*args, **params)
        return super().process_primitive(prim, args, params)


@contextlib.contextmanager
def ensure_compile_time_eval():
    """Inside ``jit``, compute on concrete values now instead of staging the ops::

        @jit
        def f(x):
            with ensure_compile_time_eval():
                y = jnp.sin(3.0)     # a concrete Array, computed while tracing
            return x + y             # x is traced: staged as usual
    """
    outer = current_trace()
    trace = eval_trace if outer is eval_trace else _CompileTimeEvalTrace(outer)
    with set_current_trace(trace):
        yield


def numpy_dtype_promotion(value):
    """``config.numpy_dtype_promotion`` ("standard" or "strict") for a block."""
    return config.override(numpy_dtype_promotion=value)


def numpy_rank_promotion(value):
    """``config.numpy_rank_promotion`` ("allow", "warn" or "raise") for a block."""
    return config.override(numpy_rank_promotion=value)


def default_matmul_precision(value):
    """``config.default_matmul_precision`` for a block (CPU computes in full precision)."""
    return config.override(default_matmul_precision=value)


def default_device(value):
    """``config.default_device`` for a block: new arrays are put on ``value``."""
    return config.override(default_device=value)


def log_compiles(enable=True):
    """``config.log_compiles`` for a block: each XLA compilation logs a WARNING
    ("Finished XLA compilation of jit(f) in ... sec") to the ``glassbox.runtime`` logger."""
    return config.override(log_compiles=enable)


def debug_nans(value=True):
    """``config.debug_nans`` for a block."""
    return config.override(debug_nans=value)
