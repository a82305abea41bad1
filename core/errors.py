"""Named errors raised when a traced value is used where a concrete one is needed.

Each message names what happened, the user's file and line, and how to fix it.
"""
from . import runtime, source_info

# What XLA raises when running a computation fails (JAX's name for jaxlib's class).
JaxRuntimeError = runtime.JaxRuntimeError


class GlassboxError(Exception):
    """Base class for glassbox's own errors."""


class ConcretizationTypeError(GlassboxError, TypeError):
    """A traced (abstract) value was used where a concrete Python value is needed."""

    def __init__(self, tracer, context="Attempted to use a traced array as a concrete Python "
                                       "value (`float()`, `complex()`, ...)", suggestion=None):
        where = source_info.user_location()
        aval = getattr(tracer, "aval", None)
        what = (f"an abstract value of type {aval.str_short()}" if aval is not None
                else "a traced value")
        hint = suggestion or (
            "If this value depends only on arguments you know at trace time, mark those "
            "arguments static (jit(f, static_argnums=...) or static_argnames=...). For "
            "branches on traced values use lax.cond or jnp.where; for loops lax.fori_loop or "
            "lax.scan.")
        super().__init__(f"{context}: the value is {what} at {where}. Under a transform "
                         f"like jit or vmap, arrays are traced, so their values are not "
                         f"known.\n{hint}")


class TracerBoolConversionError(ConcretizationTypeError):
    """``bool()`` (an ``if``, ``while``, ``and``/``or``) on a traced value."""

    def __init__(self, tracer):
        super().__init__(tracer, "Attempted boolean conversion of a traced array (Python "
                                 "`if`, `while`, `and`, `or` or `bool()`)")


class TracerIntegerConversionError(ConcretizationTypeError):
    """``int()``/``__index__`` on a traced value."""

    def __init__(self, tracer):
        super().__init__(tracer, "Attempted integer conversion of a traced array (`int()`, "
                                 "or using it as a Python index, size or shape)")


class TracerArrayConversionError(ConcretizationTypeError):
    """``np.asarray`` on a traced value."""

    def __init__(self, tracer):
        super().__init__(tracer, "Attempted to convert a traced array to a NumPy array",
                         "Use glassbox.numpy (jnp) functions instead of numpy (np) ones inside "
                         "transformed functions, or move this computation outside jit.")


class UnexpectedTracerError(GlassboxError, TypeError):
    """A tracer escaped the transform that created it (e.g. stored in a global).

    ``transform`` names the transform that made the tracer (``"jit(f)"``,
    ``"vmap"``, ...); ``created`` is the user's line where it was made, if known.
    """

    def __init__(self, aval, tracer_type, transform, created=None):
        where = f" It was created at {created}." if created else ""
        super().__init__(
            f"Encountered an unexpected tracer at {source_info.user_location()}: a "
            f"{tracer_type} of type {aval.str_short()} made by {transform} was used after "
            f"that transform had already finished.{where} This happens when a transformed "
            f"function has a side effect that saves an intermediate value outside it (a "
            f"global, a list, self.attr).\nTransformations require functions to return their outputs: "
            f"return the value from the function (or pass it in as an argument) instead of "
            f"storing it.")


class ShapeError(GlassboxError, TypeError):
    """Incompatible shapes for an operation."""


class ShardingTypeError(GlassboxError):
    """An operation on values whose types carry shardings (``Explicit`` mesh axes) has
    no unambiguous sharding for its result: say it (``out_sharding=``, ``reshard``)."""


class PartialTrace:
    """The program around an error, kept on it as ``error.glassbox_partial``; the
    notebook draws it as a graph with ``failing`` marked.

    A trace that fails (``interpreters.tracing``): ``jaxpr`` holds the equations traced
    so far and, last, the ``failing`` one (the primitive applied to its inputs at the
    user's line, or the library call whose check failed). A NaN found by ``debug_nans``
    (``interpreters.dispatch``): the jit function's jaxpr, ``failing`` the equation that
    produced the NaN."""

    def __init__(self, jaxpr, failing, error):
        self.jaxpr, self.failing = jaxpr, failing
        self.message = f"{type(error).__name__}: {error}"

    def __repr__(self):
        where = f", failing at {self.failing.primitive.name}" if self.failing else ""
        return f"<PartialTrace of {len(self.jaxpr.jaxpr.eqns)} equations{where}>"
