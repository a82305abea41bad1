"""Call primitives: equations whose parameters hold a body jaxpr.

Every one of them is here, with all of its rules:

* ``jit``: a compiled call (``jit(f)`` under a transform binds it);
* ``custom_jvp_call``: evaluating it runs the body; differentiating it runs the
  user's jvp rule instead of differentiating the body;
* ``custom_vjp_call``: differentiating it runs the user's ``fwd`` and emits a
  ``custom_lin`` equation whose transpose calls the user's ``bwd``;
* ``checkpoint`` (remat): when linearized, it saves only its inputs and
  recomputes the forward pass inside the backward pass.

They share one abstract-eval rule (the body's output types), one lowering (a
private function called with ``func.call``) and one compile cache:
``compiled_call`` keeps the executable of a body on the body itself
(``ClosedJaxpr.derived``), so ``jit``'s eager calls, a ``jit`` equation met by
eager evaluation and ``Lowered.compile()`` all find the same executable, and it
is freed with the body. Bodies are transformed with the interpreters'
jaxpr-level entry points (``ad.jvp_jaxpr``, ``batching.batch_jaxpr``).

The user-facing wrappers (``jit`` objects in ``api``, ``custom_jvp``,
``custom_vjp`` and ``checkpoint`` in ``custom_derivatives``) bind these.
"""
import time

from . import events, source_info
from .interpreters import ad, batching, tracing
from .interpreters.ad import instantiate
from .core import (ClosedJaxpr, Primitive, abstract_eval_rules, dce_jaxpr, eval_jaxpr,
                   get_aval, impl_rules, set_current_trace)
from .interpreters.dispatch import compile_jaxpr, device_of, lower_main
from .errors import GlassboxError
from .sharding import Spmd
from .interpreters.lowering import lowering_rules
from .interpreters.tracing import trace_to_jaxpr


class CustomRuleError(GlassboxError, TypeError):
    """A custom_jvp/custom_vjp rule returned the wrong structure, shapes or dtypes."""


# ---------------------------------------------------------------------------
# What every call primitive shares


def compiled_call(closed, name, device=None, text=None, donated=None, keep_unused=False):
    """The executable of the body ``closed`` on ``device``: compiled once, kept on the body.

    ``text``, if given, is the body's StableHLO already lowered (``Lowered.compile``).
    ``donated`` (a flag per argument, or None) and ``keep_unused`` are ``jit``'s options:
    as in JAX, unused arguments are pruned from the computation unless ``keep_unused``,
    and donated ones are handed to XLA, which frees them (``dispatch.lower_main``).
    """
    return closed.derived(("compiled", device, donated, keep_unused), lambda: compile_jaxpr(
        closed, name, device,
        text=text or lowered_text(closed, name, donated, keep_unused, device),
        donated=donated, keep_unused=keep_unused))


def lowered_text(closed, name, donated=None, keep_unused=False, placement=None):
    """The StableHLO of the body ``closed`` as ``jit(name)`` computes it: lowered once
    per options and kept on the body, so ``.lower()`` and calls share it (and an
    unusable donation warns once, as in JAX). Only a partitioned ``placement``
    (``Spmd``) changes the text; on one device it is the same on every device."""
    spmd = placement if isinstance(placement, Spmd) else None

    def lower():
        start = time.perf_counter()
        text = lower_main(closed, f"jit_{name}", donated, keep_unused, spmd)
        if events.listening:
            events.emit("lowered", fun_name=name, text=text,
                        seconds=time.perf_counter() - start)
        return text
    return closed.derived(("lowered", name, donated, keep_unused, spmd), lower)


def is_compiled(closed, device=None, donated=None, keep_unused=False):
    """Whether ``compiled_call(closed, ..., device, ...)`` would be a cache hit."""
    return closed.has_derived(("compiled", device, donated, keep_unused))


def _call_abstract_eval(*avals, jaxpr, **_):
    return jaxpr.out_avals


def _call_impl(*args, jaxpr, name, device=None, donated_invars=None, keep_unused=False, **_):
    # ``device``, ``donated_invars``, ``keep_unused``: only jit equations carry them,
    # and only when not the default (so that jaxprs print as JAX's do).
    device = device or device_of(args, jaxpr)
    return compiled_call(jaxpr, name, device, donated=donated_invars,
                         keep_unused=keep_unused).run(args)


def _call_lowering(ctx, *args, jaxpr, name, **_):
    return ctx.call(jaxpr, list(args), name)


def _register_call(prim):
    abstract_eval_rules[prim] = _call_abstract_eval
    impl_rules[prim] = _call_impl
    lowering_rules[prim] = _call_lowering


def _jvp_of_call(prim, primals, tangents, params):
    """Differentiate the body once per (body, nonzero tangents) and keep one call."""
    jaxpr = params["jaxpr"]
    nonzero = [not ad.is_zero(t) for t in tangents]
    n = len(jaxpr.out_avals)
    jvp, out_nz = ad.jvp_jaxpr(jaxpr, nonzero, [True] * n)
    params = dict(params, jaxpr=jvp)
    if "donated_invars" in params:   # as in JAX, a tangent is donated with its primal
        donated = params["donated_invars"]
        params["donated_invars"] = donated + tuple(d for d, nz in zip(donated, nonzero) if nz)
    outs = prim.bind(*primals, *[t for t in tangents if not ad.is_zero(t)], **params)
    it = iter(outs[n:])
    return outs[:n], [next(it) if nz else ad.zero_tangent(a)
                      for nz, a in zip(out_nz, jaxpr.out_avals)]


def _batch_call(prim, axis_data, args, dims, params, force=False):
    """Batch the body once per (body, axis, batch dims) and keep one call."""
    jaxpr = params["jaxpr"]
    n = len(jaxpr.out_avals)
    batched, out_bat = batching.batch_jaxpr(jaxpr, axis_data.size, axis_data.name, dims,
                                            [force] * n)
    outs = prim.bind(*args, **dict(params, jaxpr=batched))
    return outs, [0 if b else None for b in out_bat]


# ---------------------------------------------------------------------------
# jit

jit_p = Primitive("jit", multiple_results=True)


def _jit_partial_eval(trace, args, params):
    """Linearizing through a jit call: inline its body (known parts compute now)."""
    jaxpr = params["jaxpr"]
    with source_info.extend_name_stack(f"jit({params['name']})"):
        return eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *args)


def _jit_staging(trace, args, params):
    """Staged into a jaxpr, ``jit(f, inline=True)`` records ``f``'s equations in place
    of one ``jit`` equation (as JAX's staging rule does); other jit calls stay whole."""
    if params.get("inline"):
        return trace.inline(params["jaxpr"], args)
    return None


_register_call(jit_p)
tracing.staging_rules[jit_p] = _jit_staging
ad.jvp_rules[jit_p] = lambda primals, tangents, **params: _jvp_of_call(
    jit_p, primals, tangents, params)
ad.partial_eval_rules[jit_p] = _jit_partial_eval
batching.batch_rules[jit_p] = lambda axis_data, args, dims, **params: _batch_call(
    jit_p, axis_data, args, dims, params)
batching.always_batch.add(jit_p)   # its body may hold collectives over the vmap axis


# ---------------------------------------------------------------------------
# custom_jvp_call

custom_jvp_call_p = Primitive("custom_jvp_call", multiple_results=True)


def _custom_jvp_call_jvp(primals, tangents, *, jaxpr, name, jvp, num_consts):
    ps, ts = primals[num_consts:], [instantiate(t) for t in tangents[num_consts:]]
    with source_info.extend_name_stack(f"custom_jvp({name})"):
        out, t_out = jvp(ps, ts)
    return out, t_out


def _custom_jvp_call_batch(axis_data, args, dims, *, jaxpr, name, jvp, num_consts):
    """Batch the body; the user's rule runs under vmap on batch-leading arguments."""
    args = _all_at_front(axis_data, args, dims)
    outs, out_dims = _batch_call(custom_jvp_call_p, axis_data, args, [0] * len(args),
                                 dict(jaxpr=jaxpr, name=name, num_consts=num_consts,
                                      jvp=batching.vmap(jvp, axis_size=axis_data.size)), force=True)
    return outs, out_dims


_register_call(custom_jvp_call_p)
ad.jvp_rules[custom_jvp_call_p] = _custom_jvp_call_jvp
batching.batch_rules[custom_jvp_call_p] = _custom_jvp_call_batch
batching.always_batch.add(custom_jvp_call_p)


def _all_at_front(axis_data, args, dims):
    return [batching.bdim_at_front(a, d, axis_data.size) for a, d in zip(args, dims)]


# ---------------------------------------------------------------------------
# custom_vjp_call and custom_lin

custom_vjp_call_p = Primitive("custom_vjp_call", multiple_results=True)


def _custom_vjp_call_jvp(primals, tangents, *, jaxpr, name, fwd, bwd, num_consts):
    ps = primals[num_consts:]
    with source_info.extend_name_stack(f"custom_vjp({name})"):
        out, res = fwd(ps)
    ts = [instantiate(t) for t in tangents[num_consts:]]
    out_avals = tuple(get_aval(o).strip_weak_type() for o in out)
    t_out = custom_lin_p.bind(*res, *ts, num_res=len(res), bwd=bwd, out_avals=out_avals,
                              name=name)
    return out, t_out


def _custom_vjp_call_batch(axis_data, args, dims, *, jaxpr, name, fwd, bwd, num_consts):
    """Batch the body; the user's fwd and bwd run under vmap on batch-leading arguments."""
    args = _all_at_front(axis_data, args, dims)
    vmap = batching.vmap
    params = dict(jaxpr=jaxpr, name=name, num_consts=num_consts,
                  fwd=vmap(fwd, axis_size=axis_data.size), bwd=vmap(bwd, axis_size=axis_data.size))
    return _batch_call(custom_vjp_call_p, axis_data, args, [0] * len(args), params, force=True)


_register_call(custom_vjp_call_p)
ad.jvp_rules[custom_vjp_call_p] = _custom_vjp_call_jvp
batching.batch_rules[custom_vjp_call_p] = _custom_vjp_call_batch
batching.always_batch.add(custom_vjp_call_p)


# custom_lin: the linear stand-in for a custom_vjp function; only its transpose is defined.
custom_lin_p = Primitive("custom_lin", multiple_results=True)


def _custom_lin_impl(*args, name, **_):
    raise CustomRuleError(f"can't apply forward-mode autodiff (jvp) to a custom_vjp function "
                          f"({name}); use vjp/grad, or define the rule with custom_jvp")


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals, name):
    res = list(args[:num_res])
    cts = [instantiate(c) for c in cts]
    return [None] * num_res + list(bwd(res, cts))   # None: a zero cotangent


abstract_eval_rules[custom_lin_p] = lambda *avals, out_avals, **_: list(out_avals)
impl_rules[custom_lin_p] = _custom_lin_impl
ad.transpose_rules[custom_lin_p] = _custom_lin_transpose


# ---------------------------------------------------------------------------
# checkpoint (remat)

remat_p = Primitive("checkpoint", multiple_results=True)


def _remat_partial_eval(trace, args, params):
    """Known outputs compute now; the tangent part is recorded as one remat equation whose
    only saved values (residuals) are the known inputs, not the intermediates."""
    jaxpr = params["jaxpr"].jaxpr
    unknown_vars = {v for v, a in zip(jaxpr.invars, args) if trace.is_unknown(a)}
    for eqn in jaxpr.eqns:
        if any(v in unknown_vars for v in eqn.invars):
            unknown_vars.update(eqn.outvars)
    unknown_out = [v in unknown_vars for v in jaxpr.outvars]
    known_jaxpr, used_known = dce_jaxpr(jaxpr, [not u for u in unknown_out])
    with set_current_trace(trace.parent):
        known_outs = eval_jaxpr(known_jaxpr, [], *[a for a, u in zip(args, used_known) if u])
    tangent_jaxpr, used_t = dce_jaxpr(jaxpr, unknown_out)
    t_outs = trace.tape.process_primitive(
        remat_p, [a for a, u in zip(args, used_t) if u],
        dict(params, jaxpr=ClosedJaxpr(tangent_jaxpr, [])))
    known_it, t_it = iter(known_outs), iter(t_outs)
    return [next(t_it) if u else next(known_it) for u in unknown_out]


def _remat_transpose(cts, *args, jaxpr, name, prevent_cse):
    """Recompute the forward pass from the saved inputs, then transpose the linear part.

    The backward program is traced first and pruned: differentiating at zero tangents
    also computes the (unused) tangent outputs, which would clutter the jaxpr.
    """
    known_idx = [i for i, a in enumerate(args) if not ad.is_undefined(a)]
    lin_idx = [i for i, a in enumerate(args) if ad.is_undefined(a)]
    known = [args[i] for i in known_idx]
    cts = [instantiate(c) for c in cts]

    transposed = ad.transpose_by_recompute(jaxpr.jaxpr, jaxpr.consts, len(args), known_idx,
                                           lin_idx)

    def backward(*flat):
        return [instantiate(c) for c in transposed(*flat)]
    with source_info.extend_name_stack(f"remat({name})"):
        closed = trace_to_jaxpr(backward, [get_aval(x) for x in known + cts], f"remat({name})")
        pruned, used = dce_jaxpr(closed.jaxpr, [True] * len(closed.jaxpr.outvars))
        cts_lin = eval_jaxpr(pruned, closed.consts, *[x for x, u in zip(known + cts, used) if u])
    out = [None] * len(args)
    for i, c in zip(lin_idx, cts_lin):
        out[i] = c
    return out


_register_call(remat_p)
ad.jvp_rules[remat_p] = lambda primals, tangents, **params: _jvp_of_call(
    remat_p, primals, tangents, params)
ad.partial_eval_rules[remat_p] = _remat_partial_eval
ad.transpose_rules[remat_p] = _remat_transpose
batching.batch_rules[remat_p] = lambda axis_data, args, dims, **params: _batch_call(
    remat_p, axis_data, args, dims, params)
batching.always_batch.add(remat_p)
