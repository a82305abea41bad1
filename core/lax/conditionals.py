"""Conditionals: ``cond`` and ``switch``, one primitive ``cond_p``.

``cond_p`` takes an int32 scalar ``index`` and operands; its ``branches``
param is a tuple of jaxprs with one signature. It lowers to
``stablehlo.case`` (one region per branch, the branch jaxpr inlined there).

Rules:
  jvp        each branch is differentiated (tangents of outputs nonzero in any
             branch are instantiated in all), still one cond.
  partial    reverse mode: a known cond computes the primal outputs and the
  eval       residuals each branch's tangent part needs (branches fill other
             branches' residual slots with zeros); the tangent part is one cond
             equation on the tape reading those residuals.
  transpose  each branch's tangent part is transposed; one cond over the
             transposed branches.
  batching   a batched index becomes a ``select_n`` over every branch's
             (batched) outputs; otherwise the branches are batched and stay
             one cond.
"""
import collections
import itertools

import numpy as np

from .. import source_info
from ..interpreters import ad, batching
from ..config import config
from ..core import (ClosedJaxpr, Jaxpr, Primitive, Tracer, Var, abstract_eval_rules,
                     eval_jaxpr, get_aval, is_array_like, set_current_trace)
from ..interpreters.lowering import lowering_rules
from ..interpreters.tracing import trace_to_jaxpr
from ..tree_util import tree_flatten, tree_unflatten
from .bitwise import eq, ne
from .elementwise import clamp, convert_element_type, select, select_n
from .shape import broadcast_in_dim
from ..interpreters.ad import jvp_jaxpr, partial_eval_jaxpr, zeros_if_zero
from ..interpreters.batching import batch_jaxpr, move_to
from ..core import host_consts
from ._control_flow import avals_of, cached, check_outputs_match, fun_name, same_type, trace_fun

__all__ = ["cond", "switch", "cond_p"]

_NO_OPERAND = object()


def _operands(operands, operand):
    if operand is _NO_OPERAND:
        return operands
    if operands:
        raise TypeError(f"if 'operand' keyword is passed then no positional operands can be "
                        f"passed, got operand={operand!r} and positional operands {operands!r}")
    return (operand,)


def _concrete(x):
    """The host value of ``x`` if it is known now (not traced), else None."""
    if isinstance(x, Tracer):
        return x.to_concrete_value()
    return np.asarray(x)


# --- cond ---------------------------------------------------------------------

def cond(pred, true_fun, false_fun, *operands, operand=_NO_OPERAND):
    """``true_fun(*operands)`` if ``pred`` else ``false_fun(*operands)``, as one primitive.

    Both branches are traced (so both must accept the operands and return
    the same pytree structure, shapes and dtypes); only the chosen one runs.
    Lowers to ``stablehlo.case``. Differentiable in both modes; under vmap a
    batched ``pred`` computes both branches and selects per example.

    Args:
      pred: boolean (or number: nonzero is True) scalar.
      true_fun, false_fun: functions of ``*operands`` (pytrees of arrays).
      operands: the branch inputs.

    Example::

        lax.cond(x > 0, lambda x: x * 2, lambda x: -x, x)
    """
    if not (callable(true_fun) and callable(false_fun)):
        # the old form, cond(pred, true_operand, true_fun, false_operand, false_fun)
        if callable(false_fun) and len(operands) == 2 and callable(operands[1]):
            x_true, f_true, x_false, f_false = true_fun, false_fun, *operands
            return cond(pred, lambda x, _: f_true(x), lambda _, x: f_false(x), x_true, x_false)
        raise TypeError("lax.cond: true_fun and false_fun arguments should be callable.")
    operands = _operands(operands, operand)
    if pred is None:
        raise TypeError("cond predicate is None")
    if isinstance(pred, (list, tuple)) or not is_array_like(pred):
        raise TypeError(f"Pred must be a scalar, got {pred!r} of type {type(pred).__name__}")
    aval = get_aval(pred)
    if aval.shape != ():
        raise TypeError(f"Pred must be a scalar, got {pred} of shape {aval.shape}.")
    if aval.dtype != np.bool_:
        if aval.dtype.kind not in "iuf":
            raise TypeError(f"Pred type must be either boolean or number, got {aval.dtype}.")
        pred = ne(pred, convert_element_type(0, aval.dtype))
    if config.disable_jit:
        value = _concrete(pred)
        if value is not None:
            return true_fun(*operands) if value else false_fun(*operands)
    index = convert_element_type(pred, np.int32)
    return _bind_cond("cond", index, (false_fun, true_fun), ("false_fun", "true_fun"),
                      operands)


def switch(index, branches, *operands, operand=_NO_OPERAND):
    """``branches[clamp(0, index, len(branches) - 1)](*operands)``, as one ``cond`` primitive.

    Lowers to ``stablehlo.case``. Out-of-range indices are clamped, as in JAX.

    Example::

        lax.switch(i, [jnp.sin, jnp.cos, jnp.tanh], x)
    """
    branches = tuple(branches)
    if not all(callable(b) for b in branches):
        raise TypeError("lax.switch: branches argument should be a sequence of callables.")
    operands = _operands(operands, operand)
    if not is_array_like(index) or get_aval(index).shape != ():
        shape = get_aval(index).shape if is_array_like(index) else type(index).__name__
        raise TypeError(f"Branch index must be scalar, got {index!r} of shape {shape}.")
    if get_aval(index).dtype.kind not in "iu":
        raise TypeError(f"Index type must be an integer, got {index!r} as "
                        f"{get_aval(index).dtype}")
    if not branches:
        raise ValueError("Empty branch sequence")
    if len(branches) == 1:
        return branches[0](*operands)
    value = None if isinstance(index, Tracer) else _concrete(index)
    if value is not None:   # clamp on the host: no primitive for a known index
        index = np.int32(min(max(int(value), 0), len(branches) - 1))
    else:
        index = clamp(np.int32(0), convert_element_type(index, np.int32),
                      np.int32(len(branches) - 1))
    if config.disable_jit:
        value = _concrete(index)
        if value is not None:
            return branches[int(value)](*operands)
    return _bind_cond("switch", index, branches,
                      tuple(f"branch {i}" for i in range(len(branches))), operands)


def _bind_cond(kind, index, funs, labels, operands):
    ops, ops_tree = tree_flatten(operands)
    avals = avals_of(ops, f"{kind} operands")
    traced = [trace_fun(f, ops_tree, avals, f"{kind}[{label}]({fun_name(f)})",
                        f"{kind} {label}") for f, label in zip(funs, labels)]
    # cond's message leads with true_fun, as JAX's does; switch compares with branch 0.
    ref = len(funs) - 1 if kind == "cond" else 0
    what = "true_fun and false_fun output" if kind == "cond" else None
    _, _, ref_tree = traced[ref]
    for i, (jaxpr, _, tree) in enumerate(traced):
        if i != ref:
            check_outputs_match(what or f"branch {ref} and {i} outputs",
                                f"{labels[ref]} {fun_name(funs[ref])}", ref_tree,
                                traced[ref][0].out_avals, f"{labels[i]} {fun_name(funs[i])}",
                                tree, jaxpr.out_avals)
    branches, consts = _common_consts([(j, c) for j, c, _ in traced])
    branches = cached(("cond_weak", tuple(branches)), lambda: _join_weak_types(branches))
    outs = cond_p.bind(index, *consts, *ops, branches=tuple(branches))
    return tree_unflatten(ref_tree, outs)


def _common_consts(traced):
    """Every branch takes all branches' closed-over values (deduplicated) as leading inputs."""
    consts, position = [], {}
    for _, cs in traced:
        for c in cs:
            if id(c) not in position:
                position[id(c)] = len(consts)
                consts.append(c)
    const_avals = tuple(get_aval(c) for c in consts)
    out = []
    for jaxpr, cs in traced:
        slots = tuple(position[id(c)] for c in cs)
        out.append(cached(("cond_consts", jaxpr, slots, const_avals),
                          lambda: _with_const_slots(jaxpr, slots, const_avals)))
    return out, consts


def _with_const_slots(jaxpr, slots, const_avals):
    """``jaxpr`` (own consts first) taking all branches' consts, its own at ``slots``."""
    j = jaxpr.jaxpr
    own = dict(zip(slots, j.invars[:len(slots)]))
    invars = [own[i] if i in own else Var(a) for i, a in enumerate(const_avals)]
    return ClosedJaxpr(Jaxpr([], invars + j.invars[len(slots):], j.outvars, j.eqns, j.name), [])


def _join_weak_types(branches):
    """An output is weakly typed only if it is in every branch; convert the others."""
    joined = [all(b.out_avals[i].weak_type for b in branches)
              for i in range(len(branches[0].out_avals))]
    out = []
    for b in branches:
        if all(a.weak_type == w for a, w in zip(b.out_avals, joined)):
            out.append(b)
            continue

        def strong(*args, b=b):
            outs = eval_jaxpr(b.jaxpr, b.consts, *args)
            return [convert_element_type(o, a.dtype) if a.weak_type and not w else o
                    for o, a, w in zip(outs, b.out_avals, joined)]
        out.append(host_consts(trace_to_jaxpr(strong, b.in_avals, b.jaxpr.name)))
    return out


cond_p = Primitive("cond", multiple_results=True)


def _cond_abstract_eval(index, *ops, branches):
    if index.shape != () or index.dtype != np.int32:
        raise TypeError(f"cond: the branch index must be an int32 scalar, got "
                        f"{index.str_short()}")
    first = branches[0]
    for i, b in enumerate(branches):
        if len(b.in_avals) != len(ops) or not all(map(same_type, b.in_avals, ops)):
            raise TypeError(f"cond: branch {i} takes "
                            f"({', '.join(a.str_short() for a in b.in_avals)}) but the operands "
                            f"are ({', '.join(a.str_short() for a in ops)})")
        if len(b.out_avals) != len(first.out_avals) or not all(
                map(same_type, b.out_avals, first.out_avals)):
            raise TypeError(f"cond: branch 0 returns "
                            f"({', '.join(a.str_short() for a in first.out_avals)}) but branch "
                            f"{i} returns ({', '.join(a.str_short() for a in b.out_avals)})")
    return [a.update(weak_type=all(b.out_avals[i].weak_type for b in branches))
            for i, a in enumerate(first.out_avals)]


def _cond_lowering(ctx, index, *ops, branches):
    def region(branch):
        return ctx.region([], lambda inner: inner.lower_jaxpr(branch.jaxpr, branch.consts,
                                                              list(ops)))
    return ctx.op("stablehlo.case", [index], list(ctx.avals_out),
                  regions=[region(b) for b in branches])


def _cond_jvp(primals, tangents, *, branches):
    index, *ops = primals
    ops_dot = tangents[1:]
    ops_nz = [not ad.is_zero(t) for t in ops_dot]
    n_out = len(branches[0].out_avals)
    out_nz = [any(nzs) for nzs in zip(*(jvp_jaxpr(b, ops_nz, [False] * n_out)[1]
                                        for b in branches))]
    branches_jvp = tuple(jvp_jaxpr(b, ops_nz, out_nz)[0] for b in branches)
    outs = cond_p.bind(index, *ops, *[t for t, nz in zip(ops_dot, ops_nz) if nz],
                       branches=branches_jvp)
    primals_out, tangents_out = outs[:n_out], iter(outs[n_out:])
    return primals_out, [next(tangents_out) if nz else ad.zero_tangent(a)
                         for nz, a in zip(out_nz, branches[0].out_avals)]


def _merge_residuals(res_avals_per_branch):
    """One list of residual slots shared by all branches, reusing slots of equal type.

    ``[x], [y], [x, x] -> [x, y, x]`` with per-branch slot indices
    ``[[0], [1], [0, 2]]``.
    """
    def tagged(avals):
        counts = collections.defaultdict(itertools.count)
        return [(a, next(counts[a])) for a in avals]
    per_branch = [tagged(avals) for avals in res_avals_per_branch]
    slots = list(dict.fromkeys(itertools.chain.from_iterable(per_branch)))
    index = {s: i for i, s in enumerate(slots)}
    return [a for a, _ in slots], [[index[s] for s in b] for b in per_branch]


def _cond_partial_eval_jaxprs(branches, ops_uk):
    """Known and unknown branches sharing one residual signature (cached per branches)."""
    def build():
        n_out = len(branches[0].out_avals)
        out_uk = [any(uks) for uks in zip(*(partial_eval_jaxpr(b, ops_uk, [False] * n_out)[2]
                                            for b in branches))]
        splits = [partial_eval_jaxpr(b, ops_uk, out_uk) for b in branches]
        res_avals = [k.out_avals[len(k.out_avals) - n:] for k, _, _, n in splits]
        all_res, slots = _merge_residuals(res_avals)
        n_known = n_out - sum(out_uk)
        known, unknown = [], []
        for (k, u, _, n), idx in zip(splits, slots):
            def fill(*args, k=k, idx=idx):
                outs = eval_jaxpr(k.jaxpr, k.consts, *args)
                res = [None] * len(all_res)
                for i, r in zip(idx, outs[n_known:]):
                    res[i] = r
                return outs[:n_known] + [r if r is not None else ad.zeros_like_aval(a)
                                         for r, a in zip(res, all_res)]
            known.append(host_consts(trace_to_jaxpr(fill, k.in_avals, k.jaxpr.name)))
            known_slots = dict(zip(idx, u.jaxpr.invars[:n]))
            j = u.jaxpr
            invars = [known_slots.get(i) or Var(a) for i, a in enumerate(all_res)] + j.invars[n:]
            unknown.append(ClosedJaxpr(Jaxpr(j.constvars, invars, j.outvars, j.eqns, j.name),
                                       u.consts))
        return tuple(known), tuple(unknown), out_uk, len(all_res)
    return cached(("cond_pe", branches, tuple(ops_uk)), build)


def _cond_partial_eval(trace, args, params):
    """Known outputs and residuals compute now; the tangent part is one cond on the tape."""
    branches = params["branches"]
    index, ops = args[0], args[1:]
    if trace.is_unknown(index):
        return trace.tape.process_primitive(cond_p, args, params)
    ops_uk = [trace.is_unknown(x) for x in ops]
    known, unknown, out_uk, n_res = _cond_partial_eval_jaxprs(branches, ops_uk)
    known_outs = []
    if known[0].out_avals:
        with set_current_trace(trace.parent):
            known_outs = cond_p.bind(index, *[x for x, uk in zip(ops, ops_uk) if not uk],
                                     branches=known)
    n_known = len(known_outs) - n_res
    res = known_outs[n_known:]
    unknown_outs = []
    if any(out_uk):
        unknown_outs = trace.tape.process_primitive(
            cond_p, [index, *res, *[x for x, uk in zip(ops, ops_uk) if uk]],
            dict(branches=unknown))
    k, u = iter(known_outs[:n_known]), iter(unknown_outs)
    return [next(u) if uk else next(k) for uk in out_uk]


def _transpose_branch(branch, linear, ct_avals):
    """``branch`` transposed: (residuals, output cotangents) -> cotangents of linear inputs."""
    def build():
        res_avals = [a for a, lin in zip(branch.in_avals, linear) if not lin]
        lin_avals = [a for a, lin in zip(branch.in_avals, linear) if lin]

        def transposed(*args):
            res, cts = iter(args[:len(res_avals)]), list(args[len(res_avals):])
            full = [ad.UndefinedPrimal(a) if lin else next(res)
                    for a, lin in zip(branch.in_avals, linear)]
            cts_in = ad.backward_pass(branch.jaxpr, branch.consts, full, cts)
            return [zeros_if_zero(c, a) for c, a in zip(cts_in, lin_avals)]
        with source_info.reset_name_stack(("transpose",)):
            return host_consts(trace_to_jaxpr(transposed, res_avals + list(ct_avals),
                                              branch.jaxpr.name))
    return cached(("cond_T", branch, tuple(linear), tuple(ct_avals)), build)


def _cond_transpose(cts, index, *ops, branches):
    linear = [ad.is_undefined(x) for x in ops]
    out_avals = branches[0].out_avals
    cts = [zeros_if_zero(c, a) for c, a in zip(cts, out_avals)]
    ct_avals = [get_aval(c).strip_weak_type() for c in cts]
    transposed = tuple(_transpose_branch(b, linear, ct_avals) for b in branches)
    res = [x for x, lin in zip(ops, linear) if not lin]
    outs = iter(cond_p.bind(index, *res, *cts, branches=transposed))
    return [None] + [next(outs) if lin else None for lin in linear]


def _select_where(pred, x):
    """``x`` where ``pred`` (per example) else ``stop_gradient(x)``."""
    shape = get_aval(x).shape
    return select(broadcast_in_dim(pred, shape, (0,)), x, ad.stop_gradient_p.bind(x))


def _cond_batch(axis_data, args, dims, *, branches):
    size, name = axis_data.size, axis_data.name
    index, ops = args[0], args[1:]
    index_dim, op_dims = dims[0], dims[1:]
    n_out = len(branches[0].out_avals)
    if index_dim is not None:
        # Each example may take a different branch: run all, select per example.
        index = move_to(index, index_dim, 0, size)
        ops = [move_to(x, d, 0, size) for x, d in zip(ops, op_dims)]
        outs_per_branch = []
        for i, b in enumerate(branches):
            batched, _ = batch_jaxpr(b, size, name, [0] * len(ops), [True] * n_out)
            # Operands of a branch an example does not take get no gradient from it,
            # so a NaN/inf derivative there cannot poison the example (as in JAX).
            taken = eq(index, np.int32(i))
            ops_i = [_select_where(taken, x) if ad.tangent_aval(get_aval(x)) else x
                     for x in ops]
            with source_info.extend_name_stack(f"branch {i}"):
                outs_per_branch.append(eval_jaxpr(batched.jaxpr, batched.consts, *ops_i))
        outs = []
        for cases in zip(*outs_per_branch):
            which = broadcast_in_dim(index, get_aval(cases[0]).shape, (0,))
            outs.append(select_n(which, *cases))
        return outs, [0] * n_out
    ops = [move_to(x, d, 0, size) if d is not None else x for x, d in zip(ops, op_dims)]
    in_dims = [0 if d is not None else None for d in op_dims]
    out_bat = [any(bs) for bs in zip(*(batch_jaxpr(b, size, name, in_dims, [False] * n_out)[1]
                                       for b in branches))]
    batched = tuple(batch_jaxpr(b, size, name, in_dims, out_bat)[0] for b in branches)
    outs = cond_p.bind(index, *ops, branches=batched)
    return outs, [0 if b else None for b in out_bat]


abstract_eval_rules[cond_p] = _cond_abstract_eval
lowering_rules[cond_p] = _cond_lowering
ad.jvp_rules[cond_p] = _cond_jvp
ad.partial_eval_rules[cond_p] = _cond_partial_eval
ad.transpose_rules[cond_p] = _cond_transpose
batching.batch_rules[cond_p] = _cond_batch
batching.always_batch.add(cond_p)
