"""Shared machinery of the control-flow primitives (cond, scan, while).

Their bodies are jaxprs held in the equation's params. This module

* traces user functions into those jaxprs (``trace_fun``), with closed-over
  values hoisted to leading inputs, once per (function, input types);
* checks that two outputs (branches, carries) have the same types and names
  the first leaf that differs by its pytree path;
* rearranges a body's inputs and outputs without retracing (``permute``,
  ``prune_outputs``...), caching derived bodies on the body (``cached``).

The bodies are transformed by the interpreters' own jaxpr-level entry points,
the same ones ``jit`` and the custom-rule primitives use: ``ad.jvp_jaxpr``,
``ad.partial_eval_jaxpr``, ``ad.backward_pass`` and ``batching.batch_jaxpr``.

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

from .. import dtypes, source_info
from ..config import config
from ..core import (ClosedJaxpr, Jaxpr, Tracer, Var, dce_jaxpr, get_aval, hoist_consts,
                     is_array_like)
from ..interpreters.tracing import trace_to_jaxpr
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
    jaxpr, consts = hoist_consts(closed)
    result = (jaxpr, consts, store["out_tree"])
    if not any(isinstance(c, Tracer) for c in consts):
        try:
            _traces.setdefault(fun, {})[key] = result
        except TypeError:
            pass
    return result


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
