"""``jax._src.core`` (numpyro, flax): trace-state queries."""
from glassbox.core import ClosedJaxpr, Jaxpr, Primitive, ShapedArray, Tracer  # noqa: F401
from glassbox.core import current_trace, EvalTrace


def trace_state_clean():
    """True when nothing is being traced (numpyro checks it before caching)."""
    return isinstance(current_trace(), EvalTrace)
