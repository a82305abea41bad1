"""User-defined derivative rules (``custom_jvp``, ``custom_vjp``) and ``checkpoint``.

Each is a call primitive holding the traced body as a jaxpr (so ``jit`` and the
views see one equation with a sub-jaxpr) plus the user's Python rules as
parameters:

* ``custom_jvp_call``: evaluating it runs the body; differentiating it runs
  the user's jvp rule instead of differentiating the body.
* ``custom_vjp_call``: differentiating it runs the user's ``fwd`` and emits a
  ``custom_lin`` equation whose transpose calls the user's ``bwd``.
* ``remat`` (``checkpoint``): when linearized, it saves only its inputs and
  recomputes the forward pass inside the backward pass.
"""
import functools
import inspect

from . import ad, source_info
from .ad import Zero, instantiate
from .core import (Primitive, Tracer, abstract_eval_rules, dce_jaxpr, eval_jaxpr, get_aval,
                   impl_rules)
from .errors import GlassboxError
from .lowering import lowering_rules
from .tracing import trace_to_jaxpr
from .tree_util import tree_flatten, tree_map, tree_unflatten


class CustomRuleError(GlassboxError, TypeError):
    """A custom_jvp/custom_vjp rule returned the wrong structure, shapes or dtypes."""


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
    from .api import hoist_consts
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
    from .core import current_trace, eval_trace, set_current_trace
    from .tree_util import tree_leaves
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


def _call_impl(*args, jaxpr, name, **_):
    from .api import _jit_impl
    return _jit_impl(*args, jaxpr=jaxpr, name=name)


def _call_lowering(ctx, *args, jaxpr, name, **_):
    return ctx.call(jaxpr, list(args), name)


def _call_abstract_eval(*avals, jaxpr, **_):
    return jaxpr.out_avals


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


custom_jvp_call_p = Primitive("custom_jvp_call", multiple_results=True)


def _custom_jvp_call_jvp(primals, tangents, *, jaxpr, name, jvp, num_consts):
    ps, ts = primals[num_consts:], [instantiate(t) for t in tangents[num_consts:]]
    with source_info.extend_name_stack(f"custom_jvp({name})"):
        out, t_out = jvp(ps, ts)
    return out, t_out


abstract_eval_rules[custom_jvp_call_p] = _call_abstract_eval
impl_rules[custom_jvp_call_p] = _call_impl
lowering_rules[custom_jvp_call_p] = _call_lowering
ad.jvp_rules[custom_jvp_call_p] = _custom_jvp_call_jvp


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


custom_vjp_call_p = Primitive("custom_vjp_call", multiple_results=True)


def _custom_vjp_call_jvp(primals, tangents, *, jaxpr, name, fwd, bwd, num_consts):
    ps = primals[num_consts:]
    with source_info.extend_name_stack(f"custom_vjp({name})"):
        out, res = fwd(ps)
    ts = [instantiate(t) for t in tangents[num_consts:]]
    out_avals = [get_aval(o).strip_weak_type() for o in out]
    t_out = custom_lin_p.bind(*res, *ts, num_res=len(res), bwd=bwd, out_avals=tuple(out_avals),
                              name=name)
    return out, t_out


abstract_eval_rules[custom_vjp_call_p] = _call_abstract_eval
impl_rules[custom_vjp_call_p] = _call_impl
lowering_rules[custom_vjp_call_p] = _call_lowering
ad.jvp_rules[custom_vjp_call_p] = _custom_vjp_call_jvp


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
remat_p = Primitive("checkpoint", multiple_results=True)


def _remat_jvp(primals, tangents, *, jaxpr, name, prevent_cse):
    from .api import _jvp_jaxpr
    nonzero = tuple(not ad.is_zero(t) for t in tangents)
    jvp_jaxpr, consts, out_nonzero = _jvp_jaxpr(jaxpr, nonzero)
    outs = remat_p.bind(*consts, *primals, *[t for t in tangents if not ad.is_zero(t)],
                        jaxpr=jvp_jaxpr, name=name, prevent_cse=prevent_cse)
    n = len(jaxpr.out_avals)
    it = iter(outs[n:])
    return outs[:n], [next(it) if nz else Zero(a) for nz, a in zip(out_nonzero, jaxpr.out_avals)]


def _remat_partial_eval(trace, args, params):
    """Known outputs compute now; the tangent part is recorded as one remat equation whose
    only saved values (residuals) are the known inputs, not the intermediates."""
    from .core import ClosedJaxpr
    jaxpr = params["jaxpr"].jaxpr
    unknown_in = [trace.is_unknown(a) for a in args]
    n_out = len(jaxpr.outvars)
    # which outputs depend on unknown inputs (tangent outputs)
    unknown_vars = {v for v, u in zip(jaxpr.invars, unknown_in) if u}
    for eqn in jaxpr.eqns:
        if any(v in unknown_vars for v in eqn.invars):
            unknown_vars.update(eqn.outvars)
    unknown_out = [v in unknown_vars for v in jaxpr.outvars]
    known_jaxpr, used_known = dce_jaxpr(jaxpr, [not u for u in unknown_out])
    known_args = [a for a, used in zip(args, used_known) if used]
    from .core import set_current_trace
    with set_current_trace(trace.parent):
        known_outs = eval_jaxpr(known_jaxpr, [], *known_args)
    tangent_jaxpr, used_t = dce_jaxpr(jaxpr, unknown_out)
    t_args = [a for a, used in zip(args, used_t) if used]
    t_outs = trace.tape.process_primitive(
        remat_p, t_args, dict(params, jaxpr=ClosedJaxpr(tangent_jaxpr, [])))
    known_it, t_it = iter(known_outs), iter(t_outs)
    return [next(t_it) if u else next(known_it) for u in unknown_out[:n_out]]


def _remat_transpose(cts, *args, jaxpr, name, prevent_cse):
    """Recompute the forward pass from the saved inputs, then transpose the linear part.

    The backward program is traced first and pruned: differentiating at zero tangents
    also computes the (unused) tangent outputs, which would clutter the jaxpr.
    """
    from .autodiff import vjp
    known_idx = [i for i, a in enumerate(args) if not ad.is_undefined(a)]
    lin_idx = [i for i, a in enumerate(args) if ad.is_undefined(a)]
    known = [args[i] for i in known_idx]
    cts = [instantiate(c) for c in cts]

    def backward(*flat):
        full = [None] * len(args)
        for i, v in zip(known_idx, flat[:len(known)]):
            full[i] = v

        def linear_part(*ts):
            for i, t in zip(lin_idx, ts):
                full[i] = t
            return eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *full)
        _, pullback = vjp(linear_part, *[ad.zeros_like_aval(args[i].aval) for i in lin_idx])
        return [instantiate(c) for c in pullback(list(flat[len(known):]))]
    with source_info.extend_name_stack(f"remat({name})"):
        closed = trace_to_jaxpr(backward, [get_aval(x) for x in known + cts], f"remat({name})")
        pruned, used = dce_jaxpr(closed.jaxpr, [True] * len(closed.jaxpr.outvars))
        cts_lin = eval_jaxpr(pruned, closed.consts, *[x for x, u in zip(known + cts, used) if u])
    out = [None] * len(args)
    for i, c in zip(lin_idx, cts_lin):
        out[i] = c
    return out


abstract_eval_rules[remat_p] = _call_abstract_eval
impl_rules[remat_p] = _call_impl
lowering_rules[remat_p] = _call_lowering
ad.jvp_rules[remat_p] = _remat_jvp
ad.partial_eval_rules[remat_p] = _remat_partial_eval
ad.transpose_rules[remat_p] = _remat_transpose


# --- batching of the three call primitives ----------------------------------------------

def _all_at_front(trace, args, dims):
    from .batching import bdim_at_front
    return [bdim_at_front(a, d, trace.axis_size) for a, d in zip(args, dims)]


def _custom_jvp_batch(trace, args, dims, *, jaxpr, name, jvp, num_consts):
    """Batch the body; the user's rule runs under vmap on batch-leading arguments."""
    from .batching import batch_jaxpr, vmap
    args = _all_at_front(trace, args, dims)
    batched, consts, out_dims = batch_jaxpr(jaxpr, trace.axis_size, trace.axis_name,
                                            [0] * len(args), all_batched=True)
    outs = custom_jvp_call_p.bind(*consts, *args, jaxpr=batched, name=name,
                                  num_consts=len(consts) + num_consts,
                                  jvp=vmap(jvp, axis_size=trace.axis_size))
    return outs, out_dims


def _custom_vjp_batch(trace, args, dims, *, jaxpr, name, fwd, bwd, num_consts):
    """Batch the body; the user's fwd and bwd run under vmap on batch-leading arguments."""
    from .batching import batch_jaxpr, vmap
    args = _all_at_front(trace, args, dims)
    batched, consts, out_dims = batch_jaxpr(jaxpr, trace.axis_size, trace.axis_name,
                                            [0] * len(args), all_batched=True)
    size = trace.axis_size
    outs = custom_vjp_call_p.bind(*consts, *args, jaxpr=batched, name=name,
                                  num_consts=len(consts) + num_consts,
                                  fwd=vmap(fwd, axis_size=size), bwd=vmap(bwd, axis_size=size))
    return outs, out_dims


def _remat_batch(trace, args, dims, *, jaxpr, name, prevent_cse):
    from .batching import batch_jaxpr
    batched, consts, out_dims = batch_jaxpr(jaxpr, trace.axis_size, trace.axis_name, dims)
    return remat_p.bind(*consts, *args, jaxpr=batched, name=name,
                        prevent_cse=prevent_cse), out_dims


def _register_batching():
    from . import batching
    batching.axis_rules[custom_jvp_call_p] = _custom_jvp_batch
    batching.axis_rules[custom_vjp_call_p] = _custom_vjp_batch
    batching.axis_rules[remat_p] = _remat_batch


_register_batching()
