"""User-defined derivative rules (``custom_jvp``, ``custom_vjp``) and ``checkpoint``.

The user-facing wrappers. Each traces the user's function into a body jaxpr and
binds a call primitive holding it (so ``jit`` and the views see one equation
with a sub-jaxpr) plus the user's Python rules as parameters; the primitives
and all their rules live in ``call_primitives``: ``custom_jvp_call``,
``custom_vjp_call`` (with ``custom_lin``) and ``checkpoint``.
"""
import functools
import inspect

from . import source_info
from .interpreters import ad
from .interpreters.ad import Zero, instantiate
from .call_primitives import (CustomRuleError, custom_jvp_call_p, custom_lin_p,  # noqa: F401
                              custom_vjp_call_p, remat_p)
from .core import (Tracer, eval_jaxpr, current_trace, eval_trace, get_aval, hoist_consts,
                   set_current_trace)
from .interpreters.tracing import trace_to_jaxpr
from .tree_util import (register_pytree_node, tree_flatten, tree_leaves, tree_map,
                        tree_unflatten)


def _split_nondiff(fun, args, kwargs, nondiff_argnums):
    if kwargs:
        bound = inspect.signature(fun).bind(*args, **kwargs)
        bound.apply_defaults()
        args = bound.args
    nondiff = tuple(args[i] for i in nondiff_argnums)
    diff = tuple(a for i, a in enumerate(args) if i not in nondiff_argnums)
    return nondiff, diff


def _merge(nondiff_argnums, nondiff, diff):
    out, it_n, it_d = [], iter(nondiff), iter(diff)
    for i in range(len(nondiff) + len(diff)):
        out.append(next(it_n) if i in nondiff_argnums else next(it_d))
    return out


def _trace_body(fun, nondiff_argnums, nondiff, in_tree, flat_args, name):
    store = {}

    def flat_fun(*leaves):
        out = fun(*_merge(nondiff_argnums, nondiff, tree_unflatten(in_tree, leaves)))
        out_leaves, store["out_tree"] = tree_flatten(out)
        return out_leaves
    closed = trace_to_jaxpr(flat_fun, [get_aval(x) for x in flat_args], name)
    jaxpr, consts = hoist_consts(closed)
    return jaxpr, consts, store["out_tree"]


def _trace_call(fun, nondiff_argnums, args, kwargs, name, cache):
    """Split the arguments and trace the body: what both custom_jvp and custom_vjp need.

    The traced body is cached per (structure, avals, nondiff args) when it captured no
    tracers, so eager calls reuse one compiled executable.
    """
    nondiff, diff = _split_nondiff(fun, args, kwargs, nondiff_argnums)
    flat, in_tree = tree_flatten(diff)
    try:
        key = (in_tree, tuple(get_aval(x) for x in flat), nondiff)
        hit = cache.get(key)
    except TypeError:   # unhashable nondiff arguments: trace every time
        key, hit = None, None
    if hit is None:
        hit = _trace_body(fun, nondiff_argnums, nondiff, in_tree, flat, name)
        if key is not None and not any(isinstance(c, Tracer) for c in hit[1]):
            cache[key] = hit
    jaxpr, consts, out_tree = hit
    return nondiff, diff, flat, in_tree, jaxpr, consts, out_tree


def _check_like(what, name, expected_tree, got, avals, fix, none_is_zero=False):
    """The leaves of ``got`` after checking its structure and shapes against the expected.

    With ``none_is_zero`` a ``None`` stands for a zero leaf (a custom_vjp bwd rule's way
    to say "no cotangent"), and is returned as ``None``.
    """
    leaves, tree = tree_flatten(got, is_leaf=(lambda x: x is None) if none_is_zero else None)
    if tree != expected_tree:
        raise CustomRuleError(f"{what} of {name} returned a value of structure {tree}, but "
                              f"{expected_tree} was expected. {fix}")
    for i, (leaf, aval) in enumerate(zip(leaves, avals)):
        if type(leaf) is Zero or leaf is None:
            continue
        got_aval = get_aval(leaf)
        if got_aval.shape != aval.shape:
            raise CustomRuleError(f"{what} of {name} returned shape {got_aval.shape} for leaf "
                                  f"{i}, but {aval.shape} was expected. {fix}")
    return leaves


def _is_traced_by(trace, x):
    """Whether ``x`` carries something ``trace`` must process (a tangent, a batch axis...)."""
    if isinstance(trace, ad.LinearizeTrace):
        return trace.is_unknown(x)
    return isinstance(x, Tracer) and x._trace is trace


def _run_now(custom, args, kwargs, on_jvp):
    """Run a custom_jvp/custom_vjp call without tracing its body, where JAX does.

    Eagerly the function is just its Python body (a Python float in, a Python float
    out). Under jvp/grad the rule runs on the primals of the enclosing trace, concrete
    when that is eager, so body and rule may branch on them. Returns ``None`` under
    other traces (jit, vmap), which trace the body into a ``custom_*_call`` equation.
    """
    trace = current_trace()
    if trace is eval_trace:
        return custom.fun(*args, **kwargs)
    parent = getattr(trace, "parent", None)
    if parent is not None and not any(_is_traced_by(trace, x)
                                      for x in tree_leaves((args, kwargs))):
        with set_current_trace(parent):   # e.g. all primal under linearize: nothing to do
            return custom(*args, **kwargs)
    if isinstance(trace, ad.JVPTrace):
        nondiff, diff = _split_nondiff(custom.fun, args, kwargs, custom.nondiff_argnums)
        flat, in_tree = tree_flatten(diff)
        pairs = [trace.to_primal_tangent(x) for x in flat]
        primals, tangents = [p for p, _ in pairs], [t for _, t in pairs]
        call_args = _merge(custom.nondiff_argnums, nondiff, tree_unflatten(in_tree, primals))
        with set_current_trace(trace.parent):
            if all(ad.is_zero(t) for t in tangents):
                return custom(*call_args)
            ts = [instantiate(t) for t in tangents]
            out_flat, t_flat, out_tree = on_jvp(nondiff, primals, ts, in_tree, call_args)
        return tree_unflatten(out_tree, [trace.wrap(p, t) for p, t in zip(out_flat, t_flat)])
    return None


# --- custom_jvp -------------------------------------------------------------------

class custom_jvp:
    """A function with a custom derivative rule (JAX's ``jax.custom_jvp``).

    Example::

        @custom_jvp
        def log1pexp(x):
            return jnp.log(1. + jnp.exp(x))

        @log1pexp.defjvp
        def log1pexp_jvp(primals, tangents):
            x, = primals
            t, = tangents
            return log1pexp(x), t * jax.nn.sigmoid(x)
    """

    def __init__(self, fun, nondiff_argnums=()):
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None
        self._traced = {}
        functools.update_wrapper(self, fun, updated=())  # never copy fun.__dict__ over ours

    def defjvp(self, jvp, symbolic_zeros=False):
        """Set the rule ``jvp(*nondiff_args, primals, tangents) -> (primal_out, tangent_out)``."""
        self.jvp = jvp
        return jvp

    def defjvps(self, *tangent_fns):
        """One function per argument: ``fn(t, primal_out, *primals) -> tangent contribution``."""
        def jvp(primals, tangents):
            out = self(*primals)
            total = None
            for fn, t in zip(tangent_fns, tangents):
                if fn is not None:
                    term = fn(t, out, *primals)
                    total = term if total is None else total + term
            return out, total if total is not None else out * 0
        self.defjvp(jvp)

    def __call__(self, *args, **kwargs):
        name = getattr(self.fun, "__name__", "custom_jvp")
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function {name} using defjvp.")
        out = _run_now(self, args, kwargs, functools.partial(self._jvp_now, name))
        if out is not None:
            return out
        nondiff, diff, flat, in_tree, jaxpr, consts, out_tree = _trace_call(
            self.fun, self.nondiff_argnums, args, kwargs, name, self._traced)
        out_avals = jaxpr.out_avals

        def jvp_flat(primals, tangents):
            ps = tree_unflatten(in_tree, primals)
            ts = tree_unflatten(in_tree, tangents)
            out, t_out = self.jvp(*nondiff, tuple(ps), tuple(ts))
            fix = "The rule must return (primal_out, tangent_out) shaped like the function output."
            out_flat = _check_like("the custom_jvp rule's primal output", name, out_tree, out,
                                   out_avals, fix)
            t_flat = _check_like("the custom_jvp rule's tangent output", name, out_tree, t_out,
                                 out_avals, fix)
            return out_flat, t_flat
        outs = custom_jvp_call_p.bind(*consts, *flat, jaxpr=jaxpr, name=name, jvp=jvp_flat,
                                      num_consts=len(consts))
        return tree_unflatten(out_tree, outs)

    def _jvp_now(self, name, nondiff, primals, tangents, in_tree, _):
        """The rule on (concrete) primals: flat primal and tangent outputs, output tree."""
        ps, ts = tree_unflatten(in_tree, primals), tree_unflatten(in_tree, tangents)
        with source_info.extend_name_stack(f"custom_jvp({name})"):
            out, t_out = self.jvp(*nondiff, tuple(ps), tuple(ts))
        out_flat, out_tree = tree_flatten(out)
        fix = "The rule must return (primal_out, tangent_out) of equal structures and shapes."
        t_flat = _check_like("the custom_jvp rule's tangent output", name, out_tree, t_out,
                             [get_aval(o) for o in out_flat], fix)
        return out_flat, t_flat, out_tree


# --- custom_vjp -------------------------------------------------------------------

class custom_vjp:
    """A function with a custom reverse-mode rule (JAX's ``jax.custom_vjp``).

    ``fwd(*args) -> (output, residuals)``; ``bwd(residuals, ct) -> tuple`` with one
    cotangent per (differentiable) argument.

    Example::

        @custom_vjp
        def clip_gradient(x):
            return x

        clip_gradient.defvjp(lambda x: (x, None),
                             lambda _, g: (jnp.clip(g, -1.0, 1.0),))
    """

    def __init__(self, fun, nondiff_argnums=()):
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = self.bwd = None
        self._traced = {}
        functools.update_wrapper(self, fun, updated=())  # never copy fun.__dict__ over ours

    def defvjp(self, fwd, bwd, symbolic_zeros=False):
        self.fwd, self.bwd = fwd, bwd

    def __call__(self, *args, **kwargs):
        name = getattr(self.fun, "__name__", "custom_vjp")
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function {name} using defvjp.")
        out = _run_now(self, args, kwargs, functools.partial(self._vjp_now, name))
        if out is not None:
            return out
        nondiff, diff, flat, in_tree, jaxpr, consts, out_tree = _trace_call(
            self.fun, self.nondiff_argnums, args, kwargs, name, self._traced)
        in_avals = [get_aval(x) for x in flat]
        res_tree = {}

        def fwd_flat(primals):
            out, res = self.fwd(*_merge(self.nondiff_argnums, nondiff,
                                        tree_unflatten(in_tree, primals)))
            fix = "fwd must return (output, residuals) with output shaped like the function's."
            out_flat = _check_like("the custom_vjp fwd rule's output", name, out_tree, out,
                                   jaxpr.out_avals, fix)
            res_flat, res_tree["tree"] = tree_flatten(res)
            return out_flat, res_flat

        bwd_flat = functools.partial(self._bwd_flat, name, nondiff, diff, in_tree, in_avals,
                                     out_tree, res_tree)
        outs = custom_vjp_call_p.bind(*consts, *flat, jaxpr=jaxpr, name=name, fwd=fwd_flat,
                                      bwd=bwd_flat, num_consts=len(consts))
        return tree_unflatten(out_tree, outs)

    def _bwd_flat(self, name, nondiff, diff, in_tree, in_avals, out_tree, res_tree, res_flat,
                  cts_flat):
        """The user's bwd on flat residuals and cotangents; one flat cotangent per input."""
        res = tree_unflatten(res_tree["tree"], res_flat)
        ct = tree_unflatten(out_tree, cts_flat)
        cts_in = self.bwd(*nondiff, res, ct)
        if not isinstance(cts_in, tuple):
            raise CustomRuleError(
                f"the custom_vjp bwd rule of {name} must return a tuple with one cotangent "
                f"per differentiable argument ({len(diff)}), got {type(cts_in).__name__}")
        if len(cts_in) != len(diff):
            raise CustomRuleError(
                f"the custom_vjp bwd rule of {name} returned {len(cts_in)} cotangents but the "
                f"function has {len(diff)} differentiable argument(s)")
        fix = ("bwd must return cotangents shaped like the primal arguments (None for an "
               "argument, or a leaf, means a zero cotangent).")
        cts_in = tuple(tree_map(lambda _: None, arg) if ct is None else ct
                       for arg, ct in zip(diff, cts_in))
        return _check_like("the custom_vjp bwd rule", name, in_tree, cts_in, in_avals, fix,
                           none_is_zero=True)

    def _vjp_now(self, name, nondiff, primals, tangents, in_tree, call_args):
        """fwd on (concrete) primals now; the tangents go through a ``custom_lin``, whose
        transpose calls bwd (and whose evaluation, under plain jvp, raises as JAX does)."""
        with source_info.extend_name_stack(f"custom_vjp({name})"):
            out, res = self.fwd(*call_args)
        out_flat, out_tree = tree_flatten(out)
        res_flat, res_tree = tree_flatten(res)
        diff = tree_unflatten(in_tree, primals)
        bwd = functools.partial(self._bwd_flat, name, nondiff, diff, in_tree,
                                [get_aval(p) for p in primals], out_tree, {"tree": res_tree})
        out_avals = tuple(get_aval(o).strip_weak_type() for o in out_flat)
        t_out = custom_lin_p.bind(*res_flat, *tangents, num_res=len(res_flat), bwd=bwd,
                                  out_avals=out_avals, name=name)
        return out_flat, t_out, out_tree


# --- checkpoint / remat -----------------------------------------------------------

def checkpoint(fun, prevent_cse=True, policy=None, static_argnums=()):
    """Rematerialization: in reverse mode, save only ``fun``'s inputs and recompute the rest.

    Gradients are unchanged; memory for residuals drops, at the cost of running
    ``fun``'s forward pass again during the backward pass.
    """
    static_argnums = (static_argnums,) if isinstance(static_argnums, int) else tuple(static_argnums)
    name = getattr(fun, "__name__", "fun")

    @functools.wraps(fun, updated=())
    def remat_fun(*args):
        static = tuple(args[i] for i in static_argnums)
        dyn = tuple(a for i, a in enumerate(args) if i not in static_argnums)
        flat, in_tree = tree_flatten(dyn)
        jaxpr, consts, out_tree = _trace_body(fun, static_argnums, static, in_tree, flat, name)
        outs = remat_p.bind(*consts, *flat, jaxpr=jaxpr, name=name, prevent_cse=prevent_cse)
        return tree_unflatten(out_tree, outs)
    return remat_fun


remat = checkpoint


# --- custom_gradient and closure_convert -------------------------------------------

class _GradientRule:
    """Residuals of ``custom_gradient``: the traced rule (aux data) and its consts."""

    def __init__(self, jaxpr, in_tree, out_tree, consts):
        self.jaxpr, self.in_tree, self.out_tree, self.consts = jaxpr, in_tree, out_tree, consts


register_pytree_node(_GradientRule, lambda r: (r.consts, (r.jaxpr, r.in_tree, r.out_tree)),
                     lambda aux, consts: _GradientRule(*aux, list(consts)))


def custom_gradient(fun):
    """``fun(*args) -> (output, vjp)`` made into a function with that reverse-mode rule
    (JAX's ``jax.custom_gradient``): ``vjp(ct)`` returns the cotangent of each argument::

        @custom_gradient
        def f(x):
            return x ** 2, lambda g: (g * x,)
    """
    @custom_vjp
    def wrapped(*args, **kwargs):
        return fun(*args, **kwargs)[0]

    def fwd(*args, **kwargs):
        ans, rule = fun(*args, **kwargs)
        ans_flat, out_tree = tree_flatten((ans,))
        store = {}

        def flat_rule(*cts):
            outs = rule(*tree_unflatten(out_tree, cts))
            flat, store["in_tree"] = tree_flatten(outs)
            return flat
        closed = trace_to_jaxpr(flat_rule, [get_aval(x) for x in ans_flat], "custom_gradient")
        jaxpr, consts = hoist_consts(closed)
        return ans, _GradientRule(jaxpr, store["in_tree"], out_tree, consts)

    def bwd(res, ct):
        cts, out_tree = tree_flatten((ct,))
        if out_tree != res.out_tree:
            raise TypeError(f"{res.out_tree}\n!=\n{out_tree}")
        outs = tree_unflatten(res.in_tree, eval_jaxpr(res.jaxpr.jaxpr, [], *res.consts, *cts))
        return (outs,) if res.in_tree.num_nodes == 1 else outs
    wrapped.defvjp(fwd, bwd)
    return wrapped


def closure_convert(fun, *example_args):
    """``(converted, consts)``: ``fun`` traced at ``example_args``, with the traced
    values it closes over (from an enclosing transform) made explicit extra arguments,
    ``converted(*args, *consts)``, as ``custom_vjp``'s ``bwd`` needs."""
    flat_args, in_tree = tree_flatten(example_args)
    store = {}

    def flat_fun(*leaves):
        out, store["out_tree"] = tree_flatten(fun(*tree_unflatten(in_tree, leaves)))
        return out
    closed = trace_to_jaxpr(flat_fun, [get_aval(x) for x in flat_args], "closure_convert")
    jaxpr, consts = hoist_consts(closed)
    out_tree, n = store["out_tree"], len(consts)

    def converted(*args):
        args, hoisted = args[:len(args) - n], args[len(args) - n:]
        flat, _ = tree_flatten(args)
        return tree_unflatten(out_tree, eval_jaxpr(jaxpr.jaxpr, [], *hoisted, *flat))
    return converted, consts
