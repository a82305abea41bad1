"""``glassbox.extend`` (``jax.extend`` under ``install_as_jax``): glassbox's machinery for
code that extends it, under JAX's names.

| module | holds |
|---|---|
| ``core`` | ``Primitive`` and the jaxpr IR (``Jaxpr``, ``ClosedJaxpr``, ``JaxprEqn``, ``Var``, ``Literal``), ``mapped_aval``/``unmapped_aval``, ``get_opaque_trace_state``, ``jaxpr_as_fun``; ``core.primitives``: the built-in ``*_p`` objects |
| ``linear_util`` | ``WrappedFun``, ``wrap_init``, ``transformation``\\ s, ``Store`` |
| ``source_info_util`` | the user's line and the name stack of equations |
| ``backend`` | the XLA client (``get_backend``), ``get_default_device`` |

A primitive defined with ``core.Primitive`` gets its rules in the tables of
``glassbox.interpreters``: ``ad.primitive_jvps``/``primitive_transposes``,
``batching.primitive_batchers`` (or ``fancy_primitive_batchers``, which take the
vmap axis), ``mlir.register_lowering(p, mlir.lower_fun(impl))``; see
``tests/test_extend.py`` for one defined end to end. Not provided: JAX's
``extend.mlir`` (MLIR Python bindings: glassbox lowers to StableHLO text),
``extend.random`` (typed key implementations), ``extend.sharding``, ``extend.xla``,
``extend.ifrt_programs``, ``extend.pallas``, ``extend.lowering``.
"""
from . import backend, core, linear_util, source_info_util  # noqa: F401
