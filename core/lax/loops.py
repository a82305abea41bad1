"""``while_loop`` and ``fori_loop``: one primitive ``while``.

``while``'s operands are ``cond consts + body consts + carry``; its params
hold ``cond_jaxpr`` (consts, carry -> bool scalar) and ``body_jaxpr``
(consts, carry -> carry). It lowers to ``stablehlo.while``, the consts
threaded through the loop state (as JAX does).

Rules:
  jvp        the body is differentiated (carry tangents by a fixed point);
             the cond ignores the tangents.
  partial    a known while computes the primal outputs; the tangent outputs
  eval       come from the whole loop staged on the tape (recomputing the
             primal), so ``linearize`` works; transposing it raises JAX's error:
             reverse mode needs the number of iterations, so use ``scan`` or
             ``fori_loop`` with static bounds.
  batching   a carry batched in the body is batched from the start (fixed
             point). If the predicate is batched, the loop runs while *any*
             example's predicate holds and each example keeps its carry once its
             own predicate is false (a per-example select in the body).

``fori_loop`` with bounds known at trace time (Python ints, concrete arrays)
is a ``scan`` (so reverse mode works), otherwise a ``while``.
"""
import weakref

import numpy as np

from .. import dtypes, source_info
from ..interpreters import ad, batching
from ..config import config
from ..core import (Primitive, Tracer, abstract_eval_rules, eval_jaxpr, get_aval,
                     set_current_trace)
from ..interpreters.lowering import lowering_rules
from ..interpreters.tracing import trace_to_jaxpr
from ..tree_util import tree_flatten, tree_unflatten
from .bitwise import lt
from .elementwise import add, convert_element_type, select_n
from .reductions import reduce_or
from .shape import broadcast_in_dim
from ..interpreters.ad import jvp_jaxpr, partial_eval_jaxpr
from ..interpreters.batching import batch_jaxpr, move_to
from ..core import host_consts
from ._control_flow import (avals_of, cached, check_carry, fun_name, permute, promote_weak_carry,
                            prune_outputs, same_type, trace_fun, with_extra_inputs)
from .scans import scan

__all__ = ["while_loop", "fori_loop", "while_p"]


# --- while_loop -------------------------------------------------------------------

def while_loop(cond_fun, body_fun, init_val):
    """``body_fun`` applied while ``cond_fun`` holds, as one ``while`` primitive.

    Semantics::

        def while_loop(cond_fun, body_fun, init_val):
            val = init_val
            while cond_fun(val):
                val = body_fun(val)
            return val

    The carry keeps its structure, shapes and dtypes. Lowers to
    ``stablehlo.while``. Forward-mode differentiable and batchable; reverse
    mode is not supported (the number of iterations is unknown in advance):
    use ``scan`` or ``fori_loop`` with static bounds.

    Example::

        lax.while_loop(lambda c: c[0] < 10, lambda c: (c[0] + 1, c[1] * 2), (0, 1.0))
    """
    if not (callable(body_fun) and callable(cond_fun)):
        raise TypeError("lax.while_loop: body_fun and cond_fun arguments should be callable.")
    if config.disable_jit:
        val = init_val
        while cond_fun(val):
            val = body_fun(val)
        return val
    init_flat, init_tree = tree_flatten(init_val)
    in_tree = tree_flatten((init_val,))[1]

    def trace(init_flat):
        avals = avals_of(init_flat, "while_loop init_val")
        cond, cond_consts, cond_tree = trace_fun(
            cond_fun, in_tree, avals, f"while[cond]({fun_name(cond_fun)})", "while_loop cond_fun")
        body, body_consts, body_tree = trace_fun(
            body_fun, in_tree, avals, f"while[body]({fun_name(body_fun)})", "while_loop body_fun")
        pred = cond.out_avals
        if cond_tree.node_type is not None or len(pred) != 1 or pred[0].shape != () \
                or pred[0].dtype != np.bool_:
            shown = ", ".join(a.str_short() for a in pred)
            raise TypeError(f"cond_fun ({fun_name(cond_fun)}) must return a boolean scalar, but "
                            f"got output type(s) [{shown}].")
        return avals, cond, cond_consts, body, body_consts, body_tree
    avals, cond, cond_consts, body, body_consts, body_tree = trace(init_flat)
    init_flat, changed = promote_weak_carry(init_flat, avals, body.out_avals)
    if changed:
        avals, cond, cond_consts, body, body_consts, body_tree = trace(init_flat)
    check_carry("while_loop body", body_fun, init_tree, avals, body_tree, body.out_avals)
    outs = while_p.bind(*cond_consts, *body_consts, *init_flat, cond_jaxpr=cond,
                        body_jaxpr=body, cond_nconsts=len(cond_consts),
                        body_nconsts=len(body_consts))
    return tree_unflatten(body_tree, outs)


while_p = Primitive("while", multiple_results=True)


def _split(xs, cond_nconsts, body_nconsts):
    return (list(xs[:cond_nconsts]), list(xs[cond_nconsts:cond_nconsts + body_nconsts]),
            list(xs[cond_nconsts + body_nconsts:]))


def _while_abstract_eval(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cconsts, bconsts, carry = _split(avals, cond_nconsts, body_nconsts)
    for what, jaxpr, ins in (("cond", cond_jaxpr, cconsts + carry),
                             ("body", body_jaxpr, bconsts + carry)):
        if len(jaxpr.in_avals) != len(ins) or not all(map(same_type, jaxpr.in_avals, ins)):
            raise TypeError(f"while: the {what} takes "
                            f"({', '.join(a.str_short() for a in jaxpr.in_avals)}) but is given "
                            f"({', '.join(a.str_short() for a in ins)})")
    pred = cond_jaxpr.out_avals
    if len(pred) != 1 or pred[0].shape != () or pred[0].dtype != np.bool_:
        raise TypeError(f"while: the cond must return a bool scalar, got "
                        f"{[a.str_short() for a in pred]}")
    out = body_jaxpr.out_avals
    if len(out) != len(carry) or not all(map(same_type, out, carry)):
        raise TypeError(f"while: the body maps the carry "
                        f"({', '.join(a.str_short() for a in carry)}) to "
                        f"({', '.join(a.str_short() for a in out)})")
    return list(out)


def _while_lowering(ctx, *args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    avals = list(ctx.avals_in)

    def cond_region(inner, *state):
        cc, _, carry = _split(state, cond_nconsts, body_nconsts)
        return inner.lower_jaxpr(cond_jaxpr.jaxpr, cond_jaxpr.consts, cc + carry)

    def body_region(inner, *state):
        cc, bc, carry = _split(state, cond_nconsts, body_nconsts)
        return cc + bc + inner.lower_jaxpr(body_jaxpr.jaxpr, body_jaxpr.consts, bc + carry)
    outs = ctx.op("stablehlo.while", list(args), avals,
                  regions=[ctx.region(avals, cond_region), ctx.region(avals, body_region)])
    return outs[cond_nconsts + body_nconsts:]


def _while_jvp(primals, tangents, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    nz = [not ad.is_zero(t) for t in tangents]
    _, bconst_nz, init_nz = _split(nz, cond_nconsts, body_nconsts)
    carry_nz = init_nz
    for _ in range(len(carry_nz) + 1):
        jvp, out_nz = jvp_jaxpr(body_jaxpr, bconst_nz + carry_nz, carry_nz)
        new = [a or b for a, b in zip(carry_nz, out_nz)]
        if new == carry_nz:
            break
        carry_nz = new
    carry_nz = out_nz   # only inexact carries can be nonzero
    cconsts, bconsts, init = _split(primals, cond_nconsts, body_nconsts)
    _, bconst_dot, init_dot = _split(tangents, cond_nconsts, body_nconsts)
    b_avals = body_jaxpr.in_avals
    bconst_nz = [z and ad.tangent_aval(a) is not None for z, a in zip(bconst_nz, b_avals)]
    bconst_dot = [t for t, z in zip(bconst_dot, bconst_nz) if z]
    init_dot = [ad.instantiate(t) for t, z in zip(init_dot, carry_nz) if z]
    nb, nc = len(bconsts), len(init)
    n_in = nb + nc
    # jvp inputs: [bconsts, carry, bconst dots, carry dots] -> [bconsts, bconst dots, carry,
    # carry dots]; outputs [carry, carry dots] already in order.
    in_order = (list(range(nb)) + list(range(n_in, n_in + len(bconst_dot)))
                + list(range(nb, n_in)) + list(range(n_in + len(bconst_dot),
                                                     n_in + len(bconst_dot) + len(init_dot))))
    body = cached(("while_jvp_perm", jvp, tuple(in_order)), lambda: permute(jvp, in_order))
    dot_avals = [get_aval(t) for t in init_dot]
    cond = cached(("while_jvp_cond", cond_jaxpr, tuple(dot_avals)),
                  lambda: with_extra_inputs(cond_jaxpr, after=dot_avals))
    outs = while_p.bind(*cconsts, *bconsts, *bconst_dot, *init, *init_dot, cond_jaxpr=cond,
                        body_jaxpr=body, cond_nconsts=cond_nconsts,
                        body_nconsts=nb + len(bconst_dot))
    carry, dots = outs[:nc], iter(outs[nc:])
    return carry, [next(dots) if z else ad.zero_tangent(a)
                   for z, a in zip(carry_nz, body_jaxpr.out_avals)]


def _while_partial_eval(trace, args, params):
    """The primal outputs come from a known loop; the rest from the whole loop on the tape."""
    cond_jaxpr, body_jaxpr = params["cond_jaxpr"], params["body_jaxpr"]
    nc, nb = params["cond_nconsts"], params["body_nconsts"]
    uk = [trace.is_unknown(a) for a in args]
    cconst_uk, bconst_uk, init_uk = _split(uk, nc, nb)
    carry_uk = init_uk
    for _ in range(len(carry_uk) + 1):
        body_known, _, out_uk, num_res = partial_eval_jaxpr(body_jaxpr, bconst_uk + carry_uk,
                                                            carry_uk)
        new = [a or b for a, b in zip(carry_uk, out_uk)]
        if new == carry_uk:
            break
        carry_uk = new
    cond_known, _, (pred_uk,), _ = partial_eval_jaxpr(cond_jaxpr, cconst_uk + carry_uk, [False])
    staged = trace.tape.process_primitive(while_p, args, params)
    if pred_uk or all(carry_uk):
        return staged
    n_known = len(carry_uk) - sum(carry_uk)
    body_known = cached(("while_pe_body", body_known, n_known),
                        lambda: prune_outputs(body_known, [True] * n_known
                                              + [False] * num_res))
    cond_known = cached(("while_pe_cond", cond_known),
                        lambda: prune_outputs(cond_known, [True] + [False] * (
                            len(cond_known.out_avals) - 1)))
    known_args = [a for a, u in zip(args, cconst_uk + bconst_uk + carry_uk) if not u]
    with set_current_trace(trace.parent):
        known = iter(while_p.bind(*known_args, cond_jaxpr=cond_known, body_jaxpr=body_known,
                                  cond_nconsts=nc - sum(cconst_uk),
                                  body_nconsts=nb - sum(bconst_uk)))
    return [s if u else next(known) for s, u in zip(staged, carry_uk)]


class WhileTransposeError(ValueError):
    """Reverse-mode differentiation of a while loop."""


def _while_transpose(*_, **__):
    raise WhileTransposeError(
        "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with "
        "dynamic start/stop values. Try using lax.scan, or using fori_loop with static "
        "start/stop.")


def _per_example_select(pred, new, old):
    """``new`` where this example's ``pred`` holds, else ``old`` (batch dim first)."""
    return select_n(broadcast_in_dim(pred, get_aval(new).shape, (0,)), old, new)


def _batched_pred_loop(cond_b, body_b, nc, nb, n_carry):
    """Cond and body for a loop whose predicate is batched (everything batched at 0)."""
    def build():
        c_in = cond_b.in_avals
        b_in = body_b.in_avals

        def cond(*args):
            pred, = eval_jaxpr(cond_b.jaxpr, cond_b.consts, *args)
            return [reduce_or(pred, (0,))]

        def body(*args):
            cc, bc, carry = args[:nc], args[nc:nc + nb], args[nc + nb:]
            pred, = eval_jaxpr(cond_b.jaxpr, cond_b.consts, *cc, *carry)
            new = eval_jaxpr(body_b.jaxpr, body_b.consts, *bc, *carry)
            return [_per_example_select(pred, n, o) for n, o in zip(new, carry)]
        with source_info.reset_name_stack(("vmap",)):
            cond_j = host_consts(trace_to_jaxpr(cond, list(c_in), cond_b.jaxpr.name))
            body_j = host_consts(trace_to_jaxpr(body, list(c_in[:nc]) + list(b_in),
                                                body_b.jaxpr.name))
        return cond_j, body_j
    return cached(("while_bpred", cond_b, body_b, nc, nb), build)


def _while_batch(axis_data, args, dims, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    size, name = axis_data.size, axis_data.name
    nc, nb = cond_nconsts, body_nconsts
    cdims, bdims, init_dims = _split(dims, nc, nb)
    c_in = [0 if d is not None else None for d in cdims]
    b_in = [0 if d is not None else None for d in bdims]
    carry_bat = [d is not None for d in init_dims]
    for _ in range(len(carry_bat) + 1):
        _, out_bat = batch_jaxpr(body_jaxpr, size, name,
                                 b_in + [0 if b else None for b in carry_bat], carry_bat)
        new = [a or b for a, b in zip(carry_bat, out_bat)]
        if new == carry_bat:
            break
        carry_bat = new
    _, (pred_bat,) = batch_jaxpr(cond_jaxpr, size, name,
                                 c_in + [0 if b else None for b in carry_bat], [False])
    if pred_bat:
        carry_bat = [True] * len(carry_bat)
    carry_in = [0 if b else None for b in carry_bat]
    cond_b, _ = batch_jaxpr(cond_jaxpr, size, name, c_in + carry_in, [False])
    body_b, _ = batch_jaxpr(body_jaxpr, size, name, b_in + carry_in, carry_bat)
    cconsts, bconsts, init = _split(args, nc, nb)
    cconsts = [move_to(c, d, 0, size) if d is not None else c for c, d in zip(cconsts, cdims)]
    bconsts = [move_to(c, d, 0, size) if d is not None else c for c, d in zip(bconsts, bdims)]
    init = [move_to(c, d, 0, size) if b else c for c, d, b in zip(init, init_dims, carry_bat)]
    if pred_bat:
        cond_j, body_j = _batched_pred_loop(cond_b, body_b, nc, nb, len(init))
        outs = while_p.bind(*cconsts, *cconsts, *bconsts, *init, cond_jaxpr=cond_j,
                            body_jaxpr=body_j, cond_nconsts=nc, body_nconsts=nc + nb)
    else:
        outs = while_p.bind(*cconsts, *bconsts, *init, cond_jaxpr=cond_b, body_jaxpr=body_b,
                            cond_nconsts=nc, body_nconsts=nb)
    return outs, carry_in


abstract_eval_rules[while_p] = _while_abstract_eval
lowering_rules[while_p] = _while_lowering
ad.jvp_rules[while_p] = _while_jvp
ad.partial_eval_rules[while_p] = _while_partial_eval
ad.transpose_rules[while_p] = _while_transpose
batching.batch_rules[while_p] = _while_batch
batching.always_batch.add(while_p)


# --- fori_loop --------------------------------------------------------------------

_fori_bodies = weakref.WeakKeyDictionary()


def _cached_body(kind, body_fun, make):
    """One wrapper per (kind, body_fun), so the loop's trace cache hits on re-runs.

    The wrapper reaches ``body_fun`` through a weak reference: it is the value of a
    dict weakly keyed on ``body_fun``, and a strong one would keep both alive forever.
    """
    try:
        per_fun = _fori_bodies.setdefault(body_fun, {})
    except TypeError:
        return make(body_fun)
    if kind not in per_fun:
        per_fun[kind] = make(_weak_caller(body_fun))
    return per_fun[kind]


def _weak_caller(fun):
    """``fun`` called through a weak reference (named like ``fun``, for the jaxpr)."""
    ref = weakref.ref(fun)

    def call(*args):
        return ref()(*args)
    call.__name__ = fun_name(fun)
    return call


def _next(i):
    """``i + 1`` in ``i``'s own type (lax does not promote: an int8 or float index)."""
    aval = get_aval(i)
    return add(i, convert_element_type(1, aval.dtype, aval.weak_type))


def _scan_body(body_fun):
    def step(carry, _):
        i, x = carry
        return (_next(i), body_fun(i, x)), None
    step.__name__ = fun_name(body_fun)
    return step


def _while_body(body_fun):
    def step(carry):
        i, upper, x = carry
        return _next(i), upper, body_fun(i, x)
    step.__name__ = fun_name(body_fun)
    return step


def _fori_cond(carry):
    return lt(carry[0], carry[1])


def _fori_bounds_dtype(lower, upper):
    """The loop index dtype of bounds typed ``lower`` and ``upper``, as JAX decides it.

    Any dtype works, floats and bools too, if both bounds share it; otherwise
    only signed integers where one bound is weakly typed (a Python int) and the
    other is not.
    """
    if lower.dtype == upper.dtype:
        return lower.dtype
    if dtypes.is_int(lower.dtype) and not dtypes.is_unsigned(lower.dtype) and \
            dtypes.is_int(upper.dtype) and not dtypes.is_unsigned(upper.dtype):
        if lower.weak_type and not upper.weak_type:
            return upper.dtype
        if upper.weak_type and not lower.weak_type:
            return lower.dtype
    raise TypeError(f"lower and upper arguments to fori_loop must have equal types, got "
                    f"{lower.dtype.name} and {upper.dtype.name}")


def _concrete_int(x):
    """``int(x)`` if ``x`` is known at trace time, else None. As JAX, ``int`` truncates
    float bounds (``fori_loop(0.0, 3.5, ...)`` runs 3 steps with an int index)."""
    if isinstance(x, Tracer):
        x = x.to_concrete_value()
        if x is None:
            return None
    try:
        return int(x)
    except TypeError:
        return None


def fori_loop(lower, upper, body_fun, init_val, *, unroll=None):
    """``body_fun(i, val)`` for ``i`` in ``range(lower, upper)``.

    With bounds known at trace time this is a ``scan`` of ``upper - lower``
    steps (so ``grad`` works through it); with traced bounds, a ``while_loop``
    (forward mode only). ``unroll`` applies to the first case.

    Example::

        lax.fori_loop(0, 10, lambda i, x: x * 0.5 + i, 1.0)
    """
    if not callable(body_fun):
        raise TypeError("lax.fori_loop: body_fun argument should be callable.")
    dtype = _fori_bounds_dtype(get_aval(lower), get_aval(upper))
    lo, hi = _concrete_int(lower), _concrete_int(upper)
    if lo is not None and hi is not None:
        length = max(hi - lo, 0)
        if config.disable_jit and length == 0:
            return init_val
        # The index starts as a Python int (a weakly typed int32), as in JAX.
        (_, result), _ = scan(_cached_body("scan", body_fun, _scan_body), (lo, init_val),
                              None, length=length, unroll=unroll if unroll is not None else 1)
        return result
    if unroll is not None and unroll is not False and unroll != 1:
        raise ValueError("Can only use `unroll` in `fori_loop` if the loop bounds are "
                         "statically known.")
    lower = convert_element_type(lower, dtype) if get_aval(lower).dtype != dtype else lower
    upper = convert_element_type(upper, dtype) if get_aval(upper).dtype != dtype else upper
    _, _, result = while_loop(_fori_cond, _cached_body("while", body_fun, _while_body),
                              (lower, upper, init_val))
    return result
