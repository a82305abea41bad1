"""Shared machinery of the control-flow primitives (cond, scan, while).

Their bodies are jaxprs held in the equation's params. This module

* traces user functions into those jaxprs (``trace_fun``), with closed-over
  values hoisted to leading inputs, once per (function, input types);
* checks that two outputs (branches, carries) have the same types and names
  the first leaf that differs by its pytree path;
* transforms a jaxpr once per signature, caching the result so an eager
  ``grad`` or ``vmap`` of a loop compiles once:
  ``jvp_jaxpr`` (forward mode), ``partial_eval_jaxpr`` (split into the part
  computable now and the tangent part, for reverse mode), ``backward``
  (transpose a jaxpr's linear part), ``batch_jaxpr`` (vmap a body, forcing
  chosen outputs to be batched).

Jaxprs built here are ``ClosedJaxpr``\\ s whose consts are host values (NumPy
arrays or concrete Arrays), never tracers: tracers are always passed as
operands, so a body can be lowered, cached and compiled on its own.

Provenance: a body's equations keep the user's source lines; their name
stacks are relative to the equation holding the body (``scan(step)``,
``cond[true_fun](f)``, then ``jvp``/``transpose``/``vmap`` for derived
bodies), as in JAX, so the graph view can draw bodies as nested parts.

Used by ``conditionals.py`` (cond, switch), ``scans.py`` (scan, map) and
``loops.py`` (while_loop, fori_loop).
"""
import inspect
import weakref

from .. import ad, batching, dtypes, source_info
from ..config import config
from ..core import (ClosedJaxpr, Jaxpr, Literal, Tracer, Var, current_trace, dce_jaxpr,
                     eval_jaxpr, get_aval, is_array_like, set_current_trace)
from ..tracing import JaxprTrace, JaxprTracer, trace_to_jaxpr
from ..tree_util import keystr, tree_flatten, tree_flatten_with_path, tree_unflatten
from .elementwise import convert_element_type


def cached(key, build):
    """``build()`` once per ``key``: ``(kind, jaxpr or tuple of jaxprs, signature...)``.

    The result is kept on the (first) jaxpr (``ClosedJaxpr.derived``), so it is
    freed with it: a dead function's bodies do not stay in a global cache.
    """
    kind, jaxprs, *rest = key
    anchor, others = (jaxprs[0], jaxprs[1:]) if isinstance(jaxprs, tuple) else (jaxprs, ())
    return anchor.derived((kind, others, *rest), build)


# ---------------------------------------------------------------------------
# Tracing user functions

_traces = weakref.WeakKeyDictionary()   # fun -> {signature: (jaxpr, consts, out_tree)}


def fun_name(fun):
    return getattr(fun, "__name__", type(fun).__name__)


def trace_fun(fun, in_tree, in_avals, label, what):
    """Trace ``fun(*tree_unflatten(in_tree, leaves))`` on abstract ``in_avals``.

    Args:
      label: the name stack of the body's equations (their provenance relative to
        the equation holding the body, e.g. ``"scan(step)"``).
      what: how errors name the function (e.g. ``"scan body"``).

    Returns ``(jaxpr, consts, out_tree)``: the jaxpr takes the closed-over
    values ``consts`` as its leading inputs. Cached per function object and
    signature while no closed-over value is a tracer (as JAX caches the traces
    of loop bodies), so an eager loop re-run with the same function reuses its
    compiled executable.
    """
    key = (in_tree, tuple(in_avals), label, config.enable_x64)
    try:
        per_fun = _traces.get(fun)
    except TypeError:   # not weak-referenceable or unhashable: trace every time
        per_fun = None
    if per_fun is not None and key in per_fun:
        return per_fun[key]
    store = {}

    def flat_fun(*leaves):
        out = fun(*tree_unflatten(in_tree, leaves))
        out_leaves, store["out_tree"] = tree_flatten(out)
        for path, leaf in tree_flatten_with_path(out)[0]:
            if not is_array_like(leaf):
                raise TypeError(f"{what} ({fun_name(fun)}) must return arrays (or pytrees of "
                                f"arrays), but output{keystr(path)} is a {type(leaf).__name__}: "
                                f"{leaf!r:.60}")
        return out_leaves
    # Name stacks inside a body are relative to the equation holding it (as in JAX), so
    # the trace does not depend on the transforms around the call and can be reused.
    with source_info.reset_name_stack((label,)):
        closed = trace_to_jaxpr(flat_fun, list(in_avals), fun_name(fun))
    jaxpr, consts = hoist(closed)
    result = (jaxpr, consts, store["out_tree"])
    if not any(isinstance(c, Tracer) for c in consts):
        try:
            _traces.setdefault(fun, {})[key] = result
        except TypeError:
            pass
    return result


def hoist(closed):
    """``(jaxpr taking its consts as leading inputs, the consts)``."""
    j = closed.jaxpr
    return ClosedJaxpr(Jaxpr([], j.constvars + j.invars, j.outvars, j.eqns, j.name,
                             j.arg_names), []), list(closed.consts)


def host_consts(closed):
    """``closed`` itself, after checking that no const is a tracer (see module doc)."""
    if any(isinstance(c, Tracer) for c in closed.consts):
        raise AssertionError("internal error: a control-flow body closed over a traced value")
    return closed


def avals_of(xs, what):
    """Avals of the leaves ``xs``; a TypeError naming ``what`` for a non-array leaf."""
    out = []
    for x in xs:
        if not is_array_like(x):
            raise TypeError(f"{what} must be arrays (or pytrees of arrays), got a "
                            f"{type(x).__name__}: {x!r:.60}")
        out.append(get_aval(x))
    return out


# ---------------------------------------------------------------------------
# Type checks with readable messages


def same_type(a, b):
    """Equal shapes and dtypes (weak types may differ: they join)."""
    return a.shape == b.shape and a.dtype == b.dtype


def _why(a, b):
    reasons = []
    if a.dtype != b.dtype:
        reasons.append("the dtypes do not match")
    if a.shape != b.shape:
        reasons.append("the shapes do not match")
    return " and ".join(reasons)


def leaf_paths(tree, n):
    """``keystr`` paths of the ``n`` leaves of ``tree`` (a PyTreeDef)."""
    return [keystr(p) for p, _ in tree_flatten_with_path(tree_unflatten(tree, [None] * n),
                                                         is_leaf=lambda x: x is None)[0]]


def check_outputs_match(what, name_a, tree_a, avals_a, name_b, tree_b, avals_b):
    """Raise TypeError unless two functions' outputs have one structure and types.

    The message names both functions and the first leaf that differs, e.g.
    ``true_fun and false_fun output must have identical types: true_fun
    output['a'] is f32[3] but false_fun output['a'] is f32[4]``.
    """
    where = f" (at {source_info.user_location()})"
    if tree_a != tree_b:
        raise TypeError(f"{what} must have the same pytree structure: {name_a} output is "
                        f"{tree_a} but {name_b} output is {tree_b}{where}")
    paths = leaf_paths(tree_a, len(avals_a))
    for path, a, b in zip(paths, avals_a, avals_b):
        if not same_type(a, b):
            raise TypeError(f"{what} must have identical types: {name_a} output{path} is "
                            f"{a.str_short()} but {name_b} output{path} is {b.str_short()} "
                            f"({_why(a, b)}){where}")


def check_carry(what, fun, in_tree, in_avals, out_tree, out_avals):
    """A loop body's carry output must have the carry input's structure and types."""
    name = fun_name(fun)
    if in_tree != out_tree:
        raise TypeError(f"{what} function {name} carry input and carry output must have the "
                        f"same pytree structure, but the input is {in_tree} and the output is "
                        f"{out_tree} (at {source_info.user_location()}). Revise the function so "
                        f"that the carry output has the same pytree structure as the carry "
                        f"input.")
    try:
        carry = next(iter(inspect.signature(fun).parameters))
    except (StopIteration, TypeError, ValueError):
        carry = "carry"
    diffs = [f"the input carry component {carry}{p} has type {a.str_short()} but the "
             f"corresponding output carry component has type {b.str_short()}, so {_why(a, b)}"
             for p, a, b in zip(leaf_paths(in_tree, len(in_avals)), in_avals, out_avals)
             if not same_type(a, b)]
    if diffs:
        raise TypeError(f"{what} function {name} carry input and carry output must have equal "
                        f"types (shapes and dtypes), but they differ: " + "; ".join(diffs)
                        + f" (at {source_info.user_location()}). Revise the function so that "
                        f"all output types match the corresponding input types.")


def promote_weak_carry(init_flat, in_avals, out_avals):
    """Weakly typed carry inputs (Python scalars) take the body output's dtype, as in JAX.

    Returns ``(new init leaves, changed)``.
    """
    changed = False
    new = list(init_flat)
    for i, (x, a, b) in enumerate(zip(init_flat, in_avals, out_avals)):
        if a.weak_type and not (same_type(a, b) and a.weak_type == b.weak_type) \
                and a.shape == b.shape:
            new[i] = convert_element_type(x, dtypes.result_type(x, b.dtype))
            changed = True
    return new, changed


# ---------------------------------------------------------------------------
# Rearranging a jaxpr's inputs and outputs (no retracing)


def permute(closed, in_order, out_order=None):
    """``closed`` with invars ``[invars[i] for i in in_order]`` (outvars likewise)."""
    j = closed.jaxpr
    outs = j.outvars if out_order is None else [j.outvars[i] for i in out_order]
    return ClosedJaxpr(Jaxpr(j.constvars, [j.invars[i] for i in in_order], outs, j.eqns, j.name),
                       closed.consts)


def with_extra_inputs(closed, before=(), after=()):
    """``closed`` taking (and ignoring) extra leading/trailing inputs of the given avals."""
    j = closed.jaxpr
    invars = [Var(a) for a in before] + j.invars + [Var(a) for a in after]
    return ClosedJaxpr(Jaxpr(j.constvars, invars, j.outvars, j.eqns, j.name), closed.consts)


def prune_outputs(closed, keep):
    """``closed`` computing only the outputs where ``keep`` is true (dead equations dropped,
    every input kept)."""
    j = closed.jaxpr
    dced, _ = dce_jaxpr(j, list(keep))
    return ClosedJaxpr(Jaxpr(j.constvars, j.invars, dced.outvars, dced.eqns, j.name),
                       closed.consts)


def depends_on(jaxpr, inputs_mask):
    """Per outvar: does it depend on any invar marked in ``inputs_mask``?"""
    dep = {v for v, m in zip(jaxpr.invars, inputs_mask) if m}
    for eqn in jaxpr.eqns:
        if any(type(v) is Var and v in dep for v in eqn.invars):
            dep.update(eqn.outvars)
    return [type(v) is Var and v in dep for v in jaxpr.outvars]


# ---------------------------------------------------------------------------
# Forward mode


def jvp_jaxpr(closed, nonzeros, instantiate):
    """The jvp of ``closed`` for inputs whose tangents are ``nonzeros``.

    Returns ``(jvp_jaxpr, out_nonzeros)``: ``jvp_jaxpr`` maps primals plus the
    nonzero tangents to primal outputs plus the nonzero tangent outputs. An
    output tangent is nonzero if it is not a symbolic zero, or ``instantiate``
    asks for it (integer outputs never have tangents).
    """
    in_avals = closed.in_avals
    nonzeros = tuple(bool(nz) and ad.tangent_aval(a) is not None
                     for nz, a in zip(nonzeros, in_avals))
    instantiate = tuple(instantiate)

    def build():
        n = len(in_avals)
        t_avals = [ad.tangent_aval(a) for a, nz in zip(in_avals, nonzeros) if nz]
        box = []

        def body(*args):
            ts = iter(args[n:])
            tangents = [next(ts) if nz else ad.Zero(ad.tangent_aval(a) or a)
                        for a, nz in zip(in_avals, nonzeros)]
            p_out, t_out = ad.jvp_flat(lambda *xs: eval_jaxpr(closed.jaxpr, closed.consts, *xs),
                                       list(args[:n]), tangents)
            out_nz = [ad.tangent_aval(get_aval(p)) is not None and (inst or not ad.is_zero(t))
                      for p, t, inst in zip(p_out, t_out, instantiate)]
            box.append(out_nz)
            return p_out + [ad.instantiate(t) for t, nz in zip(t_out, out_nz) if nz]
        with source_info.reset_name_stack(("jvp",)):
            traced = trace_to_jaxpr(body, list(in_avals) + t_avals, closed.jaxpr.name)
        return host_consts(traced), box[0]
    return cached(("jvp", closed, nonzeros, instantiate), build)


# ---------------------------------------------------------------------------
# Partial evaluation (reverse mode: what is known now vs. the tangent part)


def partial_eval_jaxpr(closed, unknowns, instantiate):
    """Split ``closed`` given which inputs are unknown (tangents).

    Runs the jaxpr under a ``LinearizeTrace`` whose parent records a jaxpr:
    equations with only known inputs go to the *known* jaxpr, the others (and
    any nested control flow, through its own partial-eval rule) to the
    *unknown* one. Known values the unknown part reads become residuals.

    Returns ``(known, unknown, out_unknowns, num_res)``:
      known:   known inputs -> known outputs + residuals
      unknown: residuals + unknown inputs -> unknown outputs
    Outputs marked in ``instantiate`` are unknown even if computable now.
    """
    unknowns, instantiate = tuple(map(bool, unknowns)), tuple(map(bool, instantiate))

    def build():
        name = closed.jaxpr.name
        known_trace = JaxprTrace(name)
        pe = ad.LinearizeTrace(known_trace, name)
        args = [pe.tape.new_arg(a) if uk else known_trace.new_arg(a)
                for a, uk in zip(closed.in_avals, unknowns)]
        with set_current_trace(pe):
            outs = eval_jaxpr(closed.jaxpr, closed.consts, *args)
        out_uk = [pe.is_unknown(o) or inst for o, inst in zip(outs, instantiate)]
        tape = pe.tape.to_jaxpr([o for o, uk in zip(outs, out_uk) if uk])
        pe.tape.finished = True
        res_vars, res_vals, const_vars, const_vals = [], [], [], []
        for v, val in zip(tape.jaxpr.constvars, tape.consts):
            if isinstance(val, JaxprTracer) and val._trace is known_trace:
                res_vars.append(v)
                res_vals.append(val)
            else:
                const_vars.append(v)
                const_vals.append(val)
        t = tape.jaxpr
        unknown = host_consts(ClosedJaxpr(Jaxpr(const_vars, res_vars + t.invars, t.outvars,
                                                t.eqns, name), const_vals))
        known = host_consts(known_trace.to_jaxpr(
            [o for o, uk in zip(outs, out_uk) if not uk] + res_vals))
        known_trace.finished = True
        return known, unknown, out_uk, len(res_vals)
    return cached(("pe", closed, unknowns, instantiate), build)


# ---------------------------------------------------------------------------
# Transposition


def backward(closed, args, cts):
    """Cotangents of the linear inputs of ``closed`` (``UndefinedPrimal`` in ``args``).

    The other ``args`` are known values (residuals). Equations that read no
    linear input are evaluated forward first, then ``ad.backward_pass``
    transposes the rest. Returns one cotangent (possibly ``ad.Zero``) per
    linear input, in order.
    """
    jaxpr = closed.jaxpr
    env = dict(zip(jaxpr.constvars, closed.consts))
    linear_vars, linear_invars = set(), []
    for v, a in zip(jaxpr.invars, args):
        if ad.is_undefined(a):
            linear_vars.add(v)
            linear_invars.append(v)
        else:
            env[v] = a
    linear_eqns = []
    for eqn in jaxpr.eqns:
        if any(type(v) is Var and v in linear_vars for v in eqn.invars):
            linear_vars.update(eqn.outvars)
            linear_eqns.append(eqn)
            continue
        vals = [v.val if type(v) is Literal else env[v] for v in eqn.invars]
        stack = eqn.source_info.name_stack if eqn.source_info else ()
        with source_info.reset_name_stack(stack):
            outs = eqn.primitive.bind(*vals, **eqn.params)
        env.update(zip(eqn.outvars, outs if eqn.primitive.multiple_results else [outs]))
    linear = Jaxpr(list(env), linear_invars, jaxpr.outvars, linear_eqns, jaxpr.name)
    return ad.backward_pass(linear, list(env.values()), list(cts))


def zeros_if_zero(ct, aval):
    """A real array for a cotangent that may be ``None`` or a symbolic zero."""
    if ct is None or ad.is_zero(ct):
        return ad.zeros_like_aval(aval.strip_weak_type())
    return ct


# ---------------------------------------------------------------------------
# Batching


def batch_jaxpr(closed, axis_size, axis_name, in_dims, force_out):
    """``closed`` vmapped along ``in_dims`` (one batch dim or None per input).

    Outputs are batched at 0, or unbatched where they do not depend on a
    batched input and ``force_out`` does not ask for a batch dim. Returns
    ``(jaxpr, out_batched)``.
    """
    in_dims, force_out = tuple(in_dims), tuple(map(bool, force_out))

    def build():
        in_avals = []
        for aval, d in zip(closed.in_avals, in_dims):
            if d is not None:
                shape = list(aval.shape)
                shape.insert(d, axis_size)
                aval = aval.update(shape=tuple(shape))
            in_avals.append(aval)
        out_batched = []

        def body(*args):
            trace = batching.BatchTrace(current_trace(), axis_size, axis_name)
            ins = [batching.BatchTracer(trace, a, d) if d is not None else a
                   for a, d in zip(args, in_dims)]
            with set_current_trace(trace):
                outs = eval_jaxpr(closed.jaxpr, closed.consts, *ins)
            results = []
            for o, force in zip(outs, force_out):
                val, d = trace.to_batch_info(o)
                out_batched.append(d is not None or force)
                if d is None and not force:
                    results.append(val)
                else:
                    results.append(batching.bdim_at_front(val, d, axis_size))
            return results
        label = f"vmap({axis_name})" if axis_name is not None else "vmap"
        with source_info.reset_name_stack((label,)):
            traced = trace_to_jaxpr(body, in_avals, closed.jaxpr.name)
        return host_consts(traced), out_batched
    return cached(("batch", closed, axis_size, axis_name, in_dims, force_out), build)


def move_to(x, d, target, axis_size):
    """``x`` with its batch dim (``d``, None if unbatched) at ``target``."""
    if d is None:
        return batching.broadcast_batched(x, axis_size, target)
    return batching.moveaxis(x, d, target)
