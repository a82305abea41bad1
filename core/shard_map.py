"""shard_map: run a function once per device of a mesh, on that device's block.

``shard_map(f, mesh=..., in_specs=..., out_specs=...)`` splits each argument into
blocks as its ``PartitionSpec`` says, traces ``f`` once on the block shapes (every
mesh axis is *manual*: collectives such as ``psum(x, 'x')`` name them), and puts
the per-device results back together as ``out_specs`` says. It is a call primitive,
``shard_map_p``, whose body is the per-device jaxpr; its rules are all here:

* abstract eval: the global output shapes (block shapes times the mesh axes that
  split each dimension);
* impl: an eager call compiles the one equation over the mesh (as ``jit`` would);
* lowering: ``sdy.manual_computation`` with the body in its region, the module
  partitioned over the mesh (``dispatch.device_of`` finds the mesh in the params);
  collectives inside lower to XLA's (``lax/parallel.py``);
* jvp, partial eval (the tangent part recomputes the forward pass from the saved
  inputs, as ``checkpoint`` does), transpose (the body transposed, as a shard_map),
  batching (the body batched, the batch dimension not split).

Varying and invariant values (JAX's ``check_vma``): after tracing, the body is
re-traced once to type each value by the mesh axes it varies over. Inputs vary over
the axes their spec names; ``psum`` makes its output invariant; ``axis_index``
varies. Where an invariant value meets a varying one, ``pvary`` is inserted (the
identity, transposed to a ``psum``), and an output may not vary over an axis its
out_spec does not name. That typing is what makes gradients right: the gradient of
a replicated (``P()``) parameter is summed over the devices.
"""
import contextlib
import math

from . import source_info
from .array import ArrayImpl
from .call_primitives import compiled_call
from .core import (ClosedJaxpr, Literal, Primitive, abstract_eval_rules, dce_jaxpr,
                   get_aval, hoist_consts, impl_rules, set_current_trace,
                   Tracer, subjaxprs)
from .interpreters import ad, batching
from .interpreters.dispatch import single_op_jaxpr
from .interpreters.lowering import RuleContext, lowering_rules, tensor_type
from .interpreters.tracing import trace_to_jaxpr
from .lax import parallel
from .sharding import Mesh, NamedSharding, PartitionSpec, Spmd, get_mesh
from .traceback_util import api_boundary
from .tree_util import tree_flatten, tree_unflatten

P = PartitionSpec


# ---------------------------------------------------------------------------
# The user-facing wrapper


class _Infer:
    def __repr__(self):
        return "Infer"


Infer = _Infer()   # in_specs' default: each argument's own sharding's spec


def shard_map(f=None, /, *, out_specs, in_specs=Infer, mesh=None, axis_names=frozenset(),
              check_vma=True):
    """Map ``f`` over the devices of ``mesh``: each runs ``f`` on its block of the inputs.

    Args:
      f: the per-device function (omit it to use ``shard_map`` as a decorator factory).
      out_specs: a ``PartitionSpec`` per output (a pytree prefix of the outputs): how
        the per-device results form the global result. A mesh axis not named is one the
        output must not vary over (it is replicated).
      in_specs: a ``PartitionSpec`` per argument (a prefix of the argument tuple; None
        is ``P()``); by default each argument's own sharding's spec.
      mesh: the ``Mesh``; None: the one set with ``set_mesh``/``use_mesh``.
      axis_names: the mesh axes made manual (all of them, the only case glassbox has).
      check_vma: check that outputs do not vary over the axes ``out_specs`` leaves out.

    Example::

        mesh = jax.make_mesh((8,), ("i",))
        @jax.shard_map(mesh=mesh, in_specs=P("i"), out_specs=P())
        def total(block):
            return jax.lax.psum(block.sum(), "i")

    Lowers to ``sdy.manual_computation``; the collectives inside to XLA's.
    """
    if f is None:
        return lambda g: shard_map(g, out_specs=out_specs, in_specs=in_specs, mesh=mesh,
                                   axis_names=axis_names, check_vma=check_vma)
    if not callable(f):
        raise TypeError(f"shard_map requires a callable for its first argument, got {f!r}")

    @api_boundary
    def wrapped(*args):
        m = _resolve_mesh(mesh)
        if axis_names and set(axis_names) != set(m.axis_names):
            raise NotImplementedError(
                f"shard_map(axis_names={set(axis_names)}): glassbox makes every mesh axis "
                f"manual; axes left to the partitioner ({set(m.axis_names) - set(axis_names)})"
                f" are not supported yet")
        return _shard_map_call(f, m, in_specs, out_specs, check_vma, args)
    wrapped.__name__ = getattr(f, "__name__", "shard_map")
    wrapped.__wrapped__ = f
    return wrapped


def _resolve_mesh(mesh):
    if mesh is None:
        mesh = get_mesh()
        if mesh is None or getattr(mesh, "empty", True):
            raise ValueError("The context mesh cannot be empty. Use `jax.set_mesh(mesh)` to "
                             "enter into a mesh context, or pass mesh= to shard_map")
    if not isinstance(mesh, Mesh):
        raise TypeError(f"shard_map requires a Mesh for its mesh argument, got {mesh!r}")
    return mesh


def _is_spec(x):
    return x is None or isinstance(x, PartitionSpec)


def _broadcast_specs(what, specs, tree, fun_name):
    """One spec per leaf of ``tree`` from ``specs``, a pytree prefix of it."""
    out = []
    try:
        _prefix(specs, tree, out)
    except ValueError:
        of = "arguments" if what == "in_specs" else "outputs"
        raise ValueError(f"shard_map applied to the function {fun_name!r} was given {what} "
                         f"that is not a pytree prefix of the {of}: {what}={specs!r}") from None
    return out


def _prefix(spec, tree, out):
    if _is_spec(spec):
        out.extend([spec if spec is not None else P()] * len(tree_flatten(tree)[0]))
        return
    if isinstance(spec, (tuple, list)) and isinstance(tree, (tuple, list)) \
            and len(spec) == len(tree):
        for s, t in zip(spec, tree):
            _prefix(s, t, out)
        return
    if isinstance(spec, dict) and isinstance(tree, dict) and spec.keys() == tree.keys():
        for k in spec:
            _prefix(spec[k], tree[k], out)
        return
    raise ValueError("not a prefix")


def _spec_axes(spec):
    return frozenset(spec.used_axes())


def _block_shape(shape, spec, mesh, what, i, fun_name):
    """The per-device shape of a ``shape`` split by ``spec``; JAX's errors otherwise."""
    if len(spec) > len(shape):
        raise ValueError(f"shard_map applied to the function {fun_name!r} was given {what}"
                         f"[{i}] of {spec!r}, which has length {len(spec)}, but the "
                         f"corresponding argument has shape {tuple(shape)} of rank "
                         f"{len(shape)}, so the spec is too long")
    block = list(shape)
    for d in range(len(spec)):
        axes = spec.axes_of(d)
        for a in axes:
            if a not in mesh.shape:
                raise ValueError(f"shard_map applied to the function {fun_name!r} was given "
                                 f"{what}[{i}] of {spec!r}, which names axis {a!r}, not an "
                                 f"axis of the mesh (its axes are {mesh.axis_names})")
        n = math.prod(mesh.shape[a] for a in axes)
        if block[d] % n:
            raise ValueError(
                f"shard_map applied to the function {fun_name!r} was given argument arrays "
                f"with axis sizes that are not evenly divisible by the corresponding mesh "
                f"axis sizes: {what}[{i}] is {spec!r}, which splits dimension {d} of shape "
                f"{tuple(shape)} over mesh axes {axes} of total size {n}, but {block[d]} is "
                f"not divisible by {n}")
        block[d] //= n
    return tuple(block)


@contextlib.contextmanager
def axis_env(mesh):
    """The mesh's axes bound for collectives while a body is traced or transformed."""
    with contextlib.ExitStack() as stack:
        for name, size in zip(mesh.axis_names, mesh.axis_sizes):
            stack.enter_context(batching.extend_axis_env(name, size))
        yield


def _shard_map_call(f, mesh, in_specs, out_specs, check_vma, args):
    fun_name = getattr(f, "__name__", "f")
    flat, in_tree = tree_flatten(args)
    if in_specs is Infer:
        specs = [_spec_of(x, mesh, fun_name) for x in flat]
    else:
        specs = _broadcast_specs("in_specs", in_specs, args, fun_name)
    avals = [get_aval(x) for x in flat]
    for a, s in zip(avals, specs):
        _check_typed_input(a, s, mesh)
    blocks = [a.update(shape=_block_shape(a.shape, s, mesh, "in_specs", i, fun_name),
                       sharding=None) for i, (a, s) in enumerate(zip(avals, specs))]
    box = {}

    def flat_fun(*leaves):
        out = f(*tree_unflatten(in_tree, list(leaves)))
        out_leaves, out_tree = tree_flatten(out)
        box["tree"], box["out"] = out_tree, out
        return out_leaves
    with axis_env(mesh), source_info.extend_name_stack("shard_map"):
        closed = trace_to_jaxpr(flat_fun, blocks, fun_name)
    if callable(out_specs):   # pmap's: decided from the traced outputs
        out_specs = out_specs(box["out"])
    out_specs_flat = _broadcast_specs("out_specs", out_specs, box["out"], fun_name)
    # Closed-over values (constants, tracers of enclosing transforms): replicated inputs.
    body, consts = hoist_consts(closed)
    specs = [P()] * len(consts) + list(specs)
    in_vmas = [_spec_axes(s) for s in specs]
    body = _typed_body(body, in_vmas, out_specs_flat, mesh, check_vma, fun_name)
    outs = shard_map_p.bind(*consts, *flat, jaxpr=body, mesh=mesh, in_specs=tuple(specs),
                            out_specs=tuple(out_specs_flat), check_vma=bool(check_vma),
                            manual_axes=frozenset(mesh.axis_names))
    return tree_unflatten(box["tree"], outs)


def _check_typed_input(aval, spec, mesh):
    """Over Explicit mesh axes an argument's sharding is part of its type: it must be the
    one ``in_specs`` asks for (JAX's error; ``reshard`` first)."""
    want = NamedSharding(mesh, spec).type_for(len(aval.shape))
    have = getattr(aval, "sharding", None)
    if want is None and have is None:
        return
    want_spec = want.spec._padded(len(aval.shape)) if want is not None else \
        (None,) * len(aval.shape)
    have_spec = have.spec._padded(len(aval.shape)) if have is not None else \
        (None,) * len(aval.shape)
    if tuple(want_spec) != tuple(have_spec):
        raise ValueError(
            f"in_specs passed to shard_map: {spec!r} does not match the specs of the input: "
            f"{P(*have_spec)!r} for arg: {aval.dtype.name}"
            f"[{','.join(map(str, aval.shape))}]. `in_specs` is an optional "
            f"argument so you can omit specifying it and shard_map will infer the in_specs "
            f"from the arguments. If you want to reshard your inputs, you can use "
            f"`jax.reshard` on the arguments and then pass those args to shard_map.")


def _spec_of(x, mesh, fun_name):
    sharding = getattr(x, "sharding", None) if type(x) is ArrayImpl else None
    if isinstance(sharding, NamedSharding) and sharding.mesh == mesh:
        return sharding.spec
    return P()


# ---------------------------------------------------------------------------
# Varying / invariant typing (check_vma)

_REDUCERS = (parallel.psum_p, parallel.psum_invariant_p, parallel.pmax_p, parallel.pmin_p)
_KEEPS = (parallel.all_gather_p, parallel.ppermute_p, parallel.psum_scatter_p,
          parallel.all_to_all_p)


def _typed_body(body, in_vmas, out_specs, mesh, check_vma, fun_name):
    """``body`` re-traced with ``pvary`` where an invariant value meets a varying one (and
    before collectives over axes their input does not vary over); outputs checked
    against ``out_specs`` (``check_vma``) and made to vary as their specs say."""
    order = {a: i for i, a in enumerate(mesh.axis_names)}
    sort = lambda axes: tuple(sorted(axes, key=order.__getitem__))  # noqa: E731
    vma = {}   # id(traced value) -> (the value, kept alive so ids stay unique; its axes)
    jaxpr = body.jaxpr

    def vary(x, have, want):
        missing = want - have
        if not missing or not isinstance(x, Tracer):   # literals are the same everywhere
            return x
        out = parallel.pvary_p.bind(x, axes=sort(missing))
        vma[id(out)] = (out, have | missing)
        return out

    def vma_of(x):
        return vma.get(id(x), (None, frozenset()))[1]

    def walk(j, consts, args):
        """Evaluate ``j`` on ``args`` typing every value; jit calls are entered (inlined),
        other bodies (control flow, custom rules) are typed as a whole."""
        env = dict(zip(j.constvars, consts))
        env.update(zip(j.invars, args))

        def read(v):
            return v.val if type(v) is Literal else env[v]
        for eqn in j.eqns:
            ins = [read(v) for v in eqn.invars]
            have = [vma_of(x) for x in ins]
            prim, params = eqn.primitive, eqn.params
            if prim.name == "jit":
                outs = walk(params["jaxpr"].jaxpr, params["jaxpr"].consts, ins)
                env.update(zip(eqn.outvars, outs))
                continue
            if prim in _REDUCERS:
                axes = frozenset(params["axes"])
                ins = [vary(ins[0], have[0], axes)]
                out_vma = have[0] - axes
                if prim is parallel.psum_p:
                    prim = parallel.psum_invariant_p
            elif prim is parallel.axis_index_p:
                out_vma = frozenset(parallel._axes(params["axis_name"]))
            elif prim is parallel.pvary_p:
                out_vma = have[0] | frozenset(params["axes"])
            elif prim in _KEEPS:
                axes = frozenset(parallel._axes(params["axis_name"]))
                ins = [vary(ins[0], have[0], axes)]
                out_vma = have[0] | axes
            else:
                out_vma = frozenset().union(*have)
                ins = [vary(x, h, out_vma) for x, h in zip(ins, have)]
            stack = eqn.source_info.name_stack if eqn.source_info else ()
            with source_info.reset_name_stack(stack):
                outs = prim.bind(*ins, **params)
            outs = outs if prim.multiple_results else [outs]
            for v, o in zip(eqn.outvars, outs):
                env[v] = o
                vma[id(o)] = (o, out_vma)
        return [read(v) for v in j.outvars]

    def typed(*args):
        for a, m in zip(args, in_vmas):
            vma[id(a)] = (a, m)
        outs = walk(jaxpr, [], args)
        results = []
        problems = []
        for i, (x, spec) in enumerate(zip(outs, out_specs)):
            have, named = vma_of(x), _spec_axes(spec)
            if check_vma and have - named:
                problems.append((i, spec, sort(have - named)))
            results.append(vary(x, have, named))
        if problems:
            raise ValueError(_replication_error(fun_name, mesh, problems, out_specs))
        return results
    with axis_env(mesh):
        return trace_to_jaxpr(typed, body.in_avals, jaxpr.name)


def _replication_error(fun_name, mesh, problems, out_specs):
    shape = tuple(mesh.axis_sizes)
    lines = [f"shard_map applied to the function {fun_name!r} was given out_specs which "
             f"require replication which can't be statically inferred given the mesh:", "",
             f"The mesh given has shape {shape} with corresponding axis names "
             f"{mesh.axis_names}.", ""]
    for i, spec, axes in problems:
        which = f"out_specs[{i}]" if len(out_specs) > 1 else "out_specs"
        names = ", ".join(repr(a) for a in axes)
        lines += [f"{'* ' if len(problems) > 1 else ''}{which} is {spec!r} which implies that "
                  f"the corresponding output value is replicated across mesh axis {names}, "
                  f"but could not infer replication over any axes", ""]
    lines.append("Check if these output values are meant to be replicated over those mesh "
                 "axes. If not, consider revising the corresponding out_specs entries. If so, "
                 "consider disabling the check by passing the check_vma=False argument to "
                 "`jax.shard_map`.")
    return "\n".join(lines)


# ---------------------------------------------------------------------------
# shard_map_p and its rules

shard_map_p = Primitive("shard_map", multiple_results=True)


def _global_shape(block, spec, mesh):
    shape = list(block)
    for d in range(min(len(spec), len(shape))):
        shape[d] *= math.prod(mesh.shape[a] for a in spec.axes_of(d))
    return tuple(shape)


def _shard_map_abstract_eval(*avals, jaxpr, mesh, in_specs, out_specs, **_):
    """Global outputs; over Explicit mesh axes, their sharding (out_specs) is in the type."""
    return [a.update(shape=_global_shape(a.shape, s, mesh),
                     sharding=NamedSharding(mesh, s).type_for(len(a.shape)))
            for a, s in zip(jaxpr.out_avals, out_specs)]


def _shard_map_impl(*args, jaxpr, mesh, in_specs, out_specs, check_vma, manual_axes):
    """An eager call is a jitted call: the one equation compiled over the mesh, inputs
    laid out as ``in_specs`` say, outputs as ``out_specs``."""
    avals = tuple(get_aval(a) for a in args)
    params = dict(jaxpr=jaxpr, mesh=mesh, in_specs=in_specs, out_specs=out_specs,
                  check_vma=check_vma, manual_axes=manual_axes)

    def build():
        closed = single_op_jaxpr(shard_map_p, avals, params)
        return closed, Spmd(mesh, [NamedSharding(mesh, s) for s in in_specs],
                            [NamedSharding(mesh, s) for s in out_specs])
    closed, spmd = jaxpr.derived(("shard_map_impl", avals, mesh, in_specs, out_specs), build)
    return compiled_call(closed, "shard_map", spmd).run(args)


def _sdy_dims(spec, ndim):
    return "[" + ", ".join("{" + ", ".join(f'"{a}"' for a in spec.axes_of(d)) + "}"
                           for d in range(ndim)) + "]"


def _shard_map_lowering(ctx, *args, jaxpr, mesh, in_specs, out_specs, check_vma,
                        manual_axes):
    module = ctx.module
    if module.mesh is None or module.mesh.axis_names != mesh.axis_names \
            or tuple(module.mesh.axis_sizes) != tuple(mesh.axis_sizes):
        raise ValueError(f"shard_map over {mesh} lowered in a module over "
                         f"{module.mesh}: a computation runs over one mesh")
    fb = ctx.fb
    per_value = lambda specs, avals: "#sdy.sharding_per_value<[" + ", ".join(  # noqa: E731
        f"<@mesh, {_sdy_dims(s, len(a.shape))}>" for s, a in zip(specs, avals)) + "]>"
    manual = ", ".join(f'"{a}"' for a in mesh.axis_names if a in manual_axes)
    attrs = {"in_shardings": per_value(in_specs, ctx.avals_in),
             "out_shardings": per_value(out_specs, ctx.avals_out),
             "manual_axes": f"#sdy<manual_axes{{{manual}}}>"}
    inner = RuleContext(fb, jaxpr.in_avals, [], ctx.indent + "    ")
    names = []
    for aval in jaxpr.in_avals:
        name = fb.fresh().replace("%", "%arg_m")
        names.append(name)
        inner._record_types(name, [aval])
    saved_lines, fb.lines = fb.lines, []
    saved_manual, module.manual = getattr(module, "manual", None), mesh
    try:
        outs = inner.lower_jaxpr(jaxpr.jaxpr, jaxpr.consts, names)
    finally:
        module.manual = saved_manual
    types = ", ".join(fb.types[o] for o in outs)
    fb.lines.append(f'{inner.indent}"sdy.return"({", ".join(outs)}) : ({types}) -> ()')
    body, fb.lines = fb.lines, saved_lines
    header = ", ".join(f"{a}: {tensor_type(v)}" for a, v in zip(names, jaxpr.in_avals))
    region = ("{\n" + f"{ctx.indent}  ^bb0({header}):\n" + "\n".join(body)
              + f"\n{ctx.indent}}}")
    return ctx.op("sdy.manual_computation", list(args), list(ctx.avals_out), attrs=attrs,
                  regions=[region])


abstract_eval_rules[shard_map_p] = _shard_map_abstract_eval
impl_rules[shard_map_p] = _shard_map_impl
lowering_rules[shard_map_p] = _shard_map_lowering


# --- jvp ----------------------------------------------------------------------------

def _shard_map_jvp(primals, tangents, *, jaxpr, mesh, in_specs, out_specs, **params):
    nonzero = [not ad.is_zero(t) and ad.tangent_aval(a) is not None
               for t, a in zip(tangents, jaxpr.in_avals)]
    n = len(jaxpr.out_avals)
    with axis_env(mesh):
        jvp, out_nz = ad.jvp_jaxpr(jaxpr, nonzero, [False] * n)
    ts = [t for t, nz in zip(tangents, nonzero) if nz]
    outs = shard_map_p.bind(
        *primals, *ts, jaxpr=jvp, mesh=mesh,
        in_specs=in_specs + tuple(s for s, nz in zip(in_specs, nonzero) if nz),
        out_specs=out_specs + tuple(s for s, nz in zip(out_specs, out_nz) if nz), **params)
    it = iter(outs[n:])
    return outs[:n], [next(it) if nz else ad.zero_tangent(a)
                      for nz, a in zip(out_nz, _shard_map_abstract_eval(
                          jaxpr=jaxpr, mesh=mesh, in_specs=in_specs, out_specs=out_specs))]


ad.jvp_rules[shard_map_p] = _shard_map_jvp


# --- partial eval (linearize): known outputs now, the tangent part recomputes ---------

def _consts_to_args(params, args):
    """``(params, args)`` with the body's consts passed as replicated leading inputs."""
    body, consts = hoist_consts(params["jaxpr"])
    if not consts:
        return params, list(args)
    return (dict(params, jaxpr=body, in_specs=(P(),) * len(consts) + params["in_specs"]),
            list(consts) + list(args))


def _shard_map_partial_eval(trace, args, params):
    params, args = _consts_to_args(params, args)
    jaxpr = params["jaxpr"].jaxpr
    in_specs, out_specs = params["in_specs"], params["out_specs"]
    unknown = {v for v, a in zip(jaxpr.invars, args) if trace.is_unknown(a)}
    for eqn in jaxpr.eqns:
        if any(v in unknown for v in eqn.invars):
            unknown.update(eqn.outvars)
    unknown_out = [v in unknown for v in jaxpr.outvars]
    known_jaxpr, used_k = dce_jaxpr(jaxpr, [not u for u in unknown_out])
    with set_current_trace(trace.parent):
        known_outs = shard_map_p.bind(
            *[a for a, u in zip(args, used_k) if u],
            **dict(params, jaxpr=ClosedJaxpr(known_jaxpr, []),
                   in_specs=tuple(s for s, u in zip(in_specs, used_k) if u),
                   out_specs=tuple(s for s, u in zip(out_specs, unknown_out) if not u)))
    t_jaxpr, used_t = dce_jaxpr(jaxpr, unknown_out)
    t_outs = trace.tape.process_primitive(
        shard_map_p, [a for a, u in zip(args, used_t) if u],
        dict(params, jaxpr=ClosedJaxpr(t_jaxpr, []),
             in_specs=tuple(s for s, u in zip(in_specs, used_t) if u),
             out_specs=tuple(s for s, u in zip(out_specs, unknown_out) if u)))
    known_it, t_it = iter(known_outs), iter(t_outs)
    return [next(t_it) if u else next(known_it) for u in unknown_out]


ad.partial_eval_rules[shard_map_p] = _shard_map_partial_eval


# --- transpose: the body transposed per device, as a shard_map --------------------------

def _shard_map_transpose(cts, *args, jaxpr, mesh, in_specs, out_specs, check_vma,
                         manual_axes):
    body, consts = hoist_consts(jaxpr)
    args = list(consts) + list(args)
    in_specs = (P(),) * len(consts) + in_specs
    known_idx = [i for i, a in enumerate(args) if not ad.is_undefined(a)]
    lin_idx = [i for i, a in enumerate(args) if ad.is_undefined(a)]
    out_avals = _shard_map_abstract_eval(jaxpr=jaxpr, mesh=mesh, in_specs=in_specs,
                                         out_specs=out_specs)
    cts = [ad.zeros_if_zero(c, a) for c, a in zip(cts, out_avals)]
    known = [args[i] for i in known_idx]
    b = body.jaxpr

    transposed = ad.transpose_by_recompute(b, [], len(args), known_idx, lin_idx)

    def backward(*flat):
        return [ad.zeros_if_zero(c, b.invars[i].aval)
                for i, c in zip(lin_idx, transposed(*flat))]
    avals = [b.invars[i].aval for i in known_idx] + list(body.out_avals)
    with axis_env(mesh), source_info.extend_name_stack("transpose(shard_map)"):
        closed = trace_to_jaxpr(backward, avals, "transpose(shard_map)")
    t_body, t_consts = hoist_consts(closed)
    specs = (P(),) * len(t_consts) + tuple(in_specs[i] for i in known_idx) + tuple(out_specs)
    outs = shard_map_p.bind(*t_consts, *known, *cts, jaxpr=t_body, mesh=mesh, in_specs=specs,
                            out_specs=tuple(in_specs[i] for i in lin_idx), check_vma=check_vma,
                            manual_axes=manual_axes)
    result = [None] * len(args)
    for i, c in zip(lin_idx, outs):
        result[i] = c
    return result[len(consts):]


ad.transpose_rules[shard_map_p] = _shard_map_transpose


# --- batching: the body batched on its blocks, the batch dimension not split ------------

def _shard_map_batch(axis_data, args, dims, *, jaxpr, mesh, in_specs, out_specs, **params):
    if all(d is None for d in dims) and not _names_axis(jaxpr, axis_data.name):
        return shard_map_p.bind(*args, jaxpr=jaxpr, mesh=mesh, in_specs=in_specs,
                                out_specs=out_specs, **params), [None] * len(out_specs)
    if axis_data.name in mesh.axis_names:
        raise ValueError(f"vmap's axis name {axis_data.name!r} is also an axis of the "
                         f"shard_map's mesh {mesh.axis_names}")
    args = [a if d is None else batching.moveaxis(a, d, 0) for a, d in zip(args, dims)]
    in_dims = [None if d is None else 0 for d in dims]
    n = len(out_specs)
    with axis_env(mesh):
        batched, _ = batching.batch_jaxpr(jaxpr, axis_data.size, axis_data.name, in_dims,
                                          [True] * n)
    specs = tuple(s if d is None else P(None, *s) for s, d in zip(in_specs, in_dims))
    outs = shard_map_p.bind(*args, jaxpr=batched, mesh=mesh, in_specs=specs,
                            out_specs=tuple(P(None, *s) for s in out_specs), **params)
    return outs, [0] * n


def _names_axis(closed, name):
    return closed.derived(("names_axis", name), lambda: [_mentions(closed.jaxpr, name)])[0]


def _mentions(jaxpr, name):
    for eqn in jaxpr.eqns:
        for key in ("axes", "axis_name"):
            if key in eqn.params and name in parallel._axes(eqn.params[key]):
                return True
        if any(_mentions(sub, name) for sub in subjaxprs(eqn)):
            return True
    return False


batching.batch_rules[shard_map_p] = _shard_map_batch
batching.always_batch.add(shard_map_p)   # its body may hold collectives over the vmap axis

__all__ = ["shard_map", "shard_map_p"]
