"""The interpreters: each way of running a jaxpr or a traced function, with its rule table.

| module | interpretation | rule table(s) | jaxpr-level entry points |
|---|---|---|---|
| ``tracing`` | record primitives into a jaxpr | (``core.abstract_eval_rules``), ``staging_rules`` | ``trace_to_jaxpr`` |
| ``dispatch`` | run now, on the device (eager) | (``core.impl_rules``) | ``apply_primitive``, ``compile_jaxpr`` |
| ``lowering`` | emit StableHLO | ``lowering_rules`` | ``lower_jaxpr`` |
| ``ad`` | forward mode, linearize, transpose | ``jvp_rules``, ``transpose_rules``, ``partial_eval_rules`` | ``jvp_jaxpr``, ``partial_eval_jaxpr``, ``backward_pass`` |
| ``batching`` | vmap | ``batch_rules`` (+ ``always_batch``) | ``batch_jaxpr`` |

They depend on the IR (``glassbox.core``) and on each other, never on the
primitive families (``glassbox.lax``) at import time; the primitives register
their rules into these tables.
"""
from . import ad, batching, dispatch, lowering, tracing  # noqa: F401
