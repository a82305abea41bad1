"""vmap: the batching interpretation.

A ``BatchTracer`` holds a value with one extra dimension, the batch
dimension ``bdim`` (or ``None``: the value is the same for every example).
``BatchTrace.process_primitive`` calls the primitive's batching rule, which
applies the primitive to whole batches, moving batch dims only when needed.

Rule convention (one table, registered beside each primitive):
  batch_rules[p](axis_data, args, dims, **params) -> (out, out_dim)
      ``axis_data`` is the vmap axis (``.size``, ``.name``); ``dims[i]`` is the
      batch dim of ``args[i]`` or None; multi-result primitives return (list of
      outs, list of dims). A rule runs when some argument is batched, and always
      for the primitives in ``always_batch`` (collectives, which act on the named
      axis even for unbatched values, and call primitives, whose bodies may hold
      collectives).
  JAX's names for it: ``fancy_primitive_batchers`` is this table; ``primitive_batchers``
  and ``axis_primitive_batchers`` are views taking JAX's older signatures (below).

Provenance: each tracer knows its batch dim; equations emitted by rules carry
``vmap(<axis name>)`` on their name stack, and the helpers ``moveaxis`` and
``bdim_at_front`` / ``broadcast_batched`` label moved or introduced batch dims
with ``batch_move`` / ``batch_broadcast``.
"""
import contextlib
from typing import NamedTuple

from .. import events, source_info
from ..core import (Trace, Tracer, current_trace, eval_jaxpr, get_aval, host_consts,
                   set_current_trace)
from ..errors import GlassboxError, TracerBoolConversionError
from ..traceback_util import api_boundary
from .tracing import trace_to_jaxpr
from ..tree_util import tree_flatten, tree_unflatten

batch_rules = {}
always_batch = set()   # primitives whose rule runs even when no argument is batched


class AxisData(NamedTuple):
    """The vmap axis a batching rule works along, with JAX's fields (its rules read them
    by name: ``axis_data.size``, ``.name``, ``.spmd_name``, ``.explicit_mesh_axis``)."""

    size: int
    name: object = None                 # the axis_name given to vmap, or None
    spmd_name: object = None            # vmap's spmd_axis_name, or None
    explicit_mesh_axis: object = None   # (the Explicit mesh axis the batch lies over: none)


not_mapped = None


# --- JAX's batching tables -------------------------------------------------------
#
# ``jax.interpreters.batching`` is this module under ``install_as_jax``. JAX's rules
# that take the axis (``fancy_primitive_batchers``) have glassbox's signature, so that
# table is ``batch_rules`` itself. The older two are views that store an adapter in it:
#   primitive_batchers[p] = rule(args, dims, **params) -> (out, out_dim)
#   axis_primitive_batchers[p] = rule(axis_size, axis_name, trace_type, args, dims, **params)
# Reading one back gives the rule that was stored.

fancy_primitive_batchers = batch_rules


class _BatchersView:
    """A ``dict``-like view of ``batch_rules`` through JAX's older rule signatures."""

    def __init__(self, name, adapt, call_ours):
        self._name = name
        self._adapt = adapt          # user rule -> glassbox rule
        self._call_ours = call_ours  # glassbox rule -> rule of this view's signature

    def __setitem__(self, prim, rule):
        adapter = self._adapt(prim, rule)
        adapter.batcher = rule
        adapter.__name__ = f"{self._name}_{getattr(rule, '__name__', 'rule')}"
        batch_rules[prim] = adapter

    def __getitem__(self, prim):
        rule = batch_rules[prim]
        return getattr(rule, "batcher", None) or self._call_ours(prim, rule)

    def __delitem__(self, prim):
        del batch_rules[prim]

    def __contains__(self, prim):
        return prim in batch_rules

    def get(self, prim, default=None):
        return self[prim] if prim in batch_rules else default

    def __iter__(self):
        return iter(batch_rules)

    def __len__(self):
        return len(batch_rules)

    def __repr__(self):
        return f"<batching.{self._name}: a view of batching.batch_rules>"


def _unbatched(prim, args, params):
    out = prim.bind(*args, **params)
    return (out, [None] * len(out)) if prim.multiple_results else (out, None)


def _plain_batcher(prim, rule):
    def adapter(axis_data, args, dims, **params):
        if all(d is None for d in dims):   # (as JAX's adapter: the rule needs a batch)
            return _unbatched(prim, args, params)
        return rule(args, dims, **params)
    return adapter


def _as_plain(prim, rule):
    def plain(args, dims, **params):
        if all(d is None for d in dims):
            return _unbatched(prim, args, params)
        size = next(get_aval(x).shape[d] for x, d in zip(args, dims) if d is not None)
        return rule(AxisData(size), args, dims, **params)
    return plain


def _axis_batcher(prim, rule):
    def adapter(axis_data, args, dims, **params):
        return rule(axis_data.size, axis_data.name, None, args, dims, **params)
    return adapter


def _as_axis(prim, rule):
    def axis_rule(axis_size, axis_name, trace_type, args, dims, **params):
        return rule(AxisData(axis_size, axis_name), args, dims, **params)
    return axis_rule


primitive_batchers = _BatchersView("primitive_batchers", _plain_batcher, _as_plain)
axis_primitive_batchers = _BatchersView("axis_primitive_batchers", _axis_batcher, _as_axis)


class BatchingError(GlassboxError, ValueError):
    """Inconsistent sizes, bad in_axes/out_axes, unknown axis names."""


class BatchTracer(Tracer):
    __slots__ = ("val", "bdim")

    def __init__(self, trace, val, bdim):
        self._trace = trace
        self.val = val
        self.bdim = bdim

    batch_dim = property(lambda self: self.bdim)   # JAX's name

    def get_aval(self):
        aval = get_aval(self.val)
        if self.bdim is None:
            return aval
        shape = aval.shape[:self.bdim] + aval.shape[self.bdim + 1:]
        return aval.update(shape=shape)

    def __bool__(self):
        raise BatchedBoolConversionError(self)


class BatchedBoolConversionError(TracerBoolConversionError):
    def __init__(self, tracer):
        super(TracerBoolConversionError, self).__init__(
            tracer, "Python control flow (`if`, `while`, `and`/`or`, `bool()`) on a value "
                    "batched by vmap",
            "Each example in the batch may take a different branch. Use jnp.where(cond, a, b) "
            "or lax.select to compute both sides and pick per example, or lax.cond.")


class BatchTrace(Trace):
    def __init__(self, parent, axis_size, axis_name=None, spmd_name=None):
        self.parent = parent
        self.axis_size = axis_size
        self.axis_name = axis_name
        self.axis_data = AxisData(axis_size, axis_name, spmd_name)

    def to_batch_info(self, x):
        if isinstance(x, BatchTracer) and x._trace is self:
            return x.val, x.bdim
        return x, None

    def process_primitive(self, prim, args, params):
        vals, dims = zip(*map(self.to_batch_info, args)) if args else ((), ())
        with set_current_trace(self.parent):
            if prim not in always_batch and all(d is None for d in dims):
                return prim.bind(*vals, **params)
            rule = batch_rules.get(prim)
            if rule is None:
                raise NotImplementedError(
                    f"batching rule for primitive '{prim.name}' is not defined, so it "
                    f"cannot be used under vmap (at {source_info.user_location()})")
            with source_info.extend_name_stack(self.label()):
                out, out_dim = rule(self.axis_data, list(vals), list(dims), **params)
        if prim.multiple_results:
            result = [self.wrap(o, d) for o, d in zip(out, out_dim)]
        else:
            result = self.wrap(out, out_dim)
        if events.listening_to_traces:   # where this rule put the batch dims, as plain data
            outs = tuple(out) if prim.multiple_results else (out,)
            events.emit("batched", primitive=prim, in_dims=tuple(dims),
                        out_dims=tuple(out_dim) if prim.multiple_results else (out_dim,),
                        out_avals=tuple(get_aval(o) for o in outs),
                        axis_name=self.axis_name, axis_size=self.axis_size,
                        source_info=source_info.current())
        return result

    def wrap(self, val, bdim):
        return BatchTracer(self, val, bdim) if bdim is not None else val

    def label(self):
        return f"vmap({self.axis_name})" if self.axis_name is not None else "vmap"


def batch_dims(x):
    """Where the running vmaps hold the batch of ``x``: ``[(axis_name, bdim), ...]``,
    innermost vmap first, one pair per vmap that batches ``x`` (a vmap for which ``x``
    is the same in every example is absent).

    For tools that evaluate a program under nested ``vmap`` and want each value's
    batch axes without reading tracers: the batching view asks it of every value of
    the per-example program.
    """
    dims = []
    while isinstance(x, BatchTracer):   # each vmap's tracer wraps the next one out's value
        dims.append((x._trace.axis_name, x.bdim))
        x = x.val
    return dims


# ---------------------------------------------------------------------------
# Helpers for rules

# The two shape primitives the helpers below bind, ``transpose(x, permutation)`` and
# ``broadcast_in_dim(x, shape, broadcast_dimensions)``: they are defined in
# ``glassbox.lax``, a layer up, which fills this table when it is imported.
layout_ops = {}


def moveaxis(x, src, dst):
    """Move axis ``src`` of ``x`` to ``dst`` (a transpose, labelled as a batch-dim move)."""
    ndim = get_aval(x).ndim
    src, dst = src % ndim, dst % ndim
    if src == dst:
        return x
    perm = [i for i in range(ndim) if i != src]
    perm.insert(dst, src)
    with source_info.extend_name_stack("batch_move"):
        return layout_ops["transpose"](x, perm)


def broadcast_batched(x, axis_size, bdim):
    """An unbatched ``x`` given a batch dim of size ``axis_size`` at ``bdim``."""
    aval = get_aval(x)
    shape = list(aval.shape)
    shape.insert(bdim, axis_size)
    dims = [i for i in range(len(shape)) if i != bdim]
    with source_info.extend_name_stack("batch_broadcast"):
        return layout_ops["broadcast_in_dim"](x, tuple(shape), tuple(dims))


def bdim_at_front(x, bdim, axis_size):
    """``x`` with its batch dim first (broadcast if it was unbatched)."""
    if bdim is None:
        return broadcast_batched(x, axis_size, 0)
    return moveaxis(x, bdim, 0)


def match_bdims(axis_size, args, dims):
    """All args with the batch dim at one position (the first batched arg's).

    Used by elementwise rules: batched args move only if their bdim differs,
    unbatched ones are broadcast.
    """
    target = next(d for d in dims if d is not None)
    out = []
    for x, d in zip(args, dims):
        if d is None:
            out.append(broadcast_batched(x, axis_size, target))
        else:
            out.append(moveaxis(x, d, target) if d != target else x)
    return out, target


def defvectorized(prim):
    """Batching rule for unary elementwise primitives: apply as is, bdim unchanged."""
    def rule(axis_data, args, dims, **params):
        return prim.bind(*args, **params), dims[0]
    batch_rules[prim] = rule


def defbroadcasting(prim):
    """Batching rule for n-ary elementwise primitives (all operands share one shape)."""
    def rule(axis_data, args, dims, **params):
        args, bdim = match_bdims(axis_data.size, args, dims)
        return prim.bind(*args, **params), bdim
    batch_rules[prim] = rule


def defreducer(prim):
    """Batching rule for a reduction of one operand over the dimensions in its ``axes``
    parameter: the reduced axes shift past the batch dim, which stays."""
    def rule(axis_data, args, dims, *, axes, **params):
        (x,), (bdim,) = args, dims
        axes = tuple(a + (a >= bdim) for a in axes)
        out_dim = bdim - sum(a < bdim for a in axes)
        return prim.bind(x, axes=axes, **params), out_dim
    batch_rules[prim] = rule


def broadcast(x, size, axis, mesh_axis=None):
    """JAX's ``batching.broadcast``: ``x`` with a new axis of length ``size`` at ``axis``."""
    del mesh_axis
    return broadcast_batched(x, size, axis)


# ---------------------------------------------------------------------------
# vmap


def batch_jaxpr(closed, axis_size, axis_name, in_dims, force_out):
    """``closed`` vmapped along ``in_dims`` (one batch dim or None per input).

    Outputs are batched at 0, or unbatched where they do not depend on a
    batched input and ``force_out`` does not ask for a batch dim. Returns
    ``(jaxpr, out_batched)``; the jaxpr's consts are host values. Built once per
    (axis, dims) and kept on ``closed``, so a body batches once and the result is
    freed with it. Call and control-flow primitives batch their bodies with this.
    """
    in_dims, force_out = tuple(in_dims), tuple(map(bool, force_out))
    return closed.derived(("vmap", axis_size, axis_name, in_dims, force_out),
                          lambda: _batch_jaxpr(closed, axis_size, axis_name, in_dims, force_out))


def _batch_jaxpr(closed, axis_size, axis_name, in_dims, force_out):
    in_avals = []
    for aval, d in zip(closed.in_avals, in_dims):
        if d is not None:
            shape = list(aval.shape)
            shape.insert(d, axis_size)
            aval = aval.update(shape=tuple(shape))
        in_avals.append(aval)
    out_batched = []

    def body(*args):
        trace = BatchTrace(current_trace(), axis_size, axis_name)
        ins = [BatchTracer(trace, a, d) if d is not None else a for a, d in zip(args, in_dims)]
        with set_current_trace(trace):
            outs = eval_jaxpr(closed.jaxpr, closed.consts, *ins)
        trace.finished = True   # its tracers left behind have leaked from now on
        results = []
        for o, force in zip(outs, force_out):
            val, d = trace.to_batch_info(o)
            out_batched.append(d is not None or force)
            results.append(val if d is None and not force else bdim_at_front(val, d, axis_size))
        return results
    label = f"vmap({axis_name})" if axis_name is not None else "vmap"
    with source_info.reset_name_stack((label,)):
        traced = trace_to_jaxpr(body, in_avals, closed.jaxpr.name)
    return host_consts(traced), out_batched


def move_to(x, d, target, axis_size):
    """``x`` with its batch dim (``d``, None if unbatched) at ``target``."""
    if d is None:
        return broadcast_batched(x, axis_size, target)
    return moveaxis(x, d, target)


def _flatten_axes(what, tree, axes, fun_name):
    """Broadcast a pytree prefix of axes (ints/None) to the leaves of ``tree``."""
    leaves, treedef = tree_flatten(tree)
    if axes is None or isinstance(axes, int):
        return [axes] * len(leaves)
    try:
        per_leaf = []
        _prefix_broadcast(axes, tree, per_leaf)
    except ValueError as err:
        raise BatchingError(
            f"vmap({fun_name}) {what} specification must be a tree prefix of the corresponding "
            f"value, got specification {axes!r} for value tree {treedef}: {err}") from None
    return per_leaf


def _prefix_broadcast(prefix, tree, out):
    if prefix is None or isinstance(prefix, int):
        out.extend([prefix] * len(tree_flatten(tree)[0]))
        return
    if isinstance(prefix, (list, tuple)) and isinstance(tree, (list, tuple)):
        if len(prefix) != len(tree):
            raise ValueError(f"{len(prefix)} axes given for {len(tree)} values")
        for p, t in zip(prefix, tree):
            _prefix_broadcast(p, t, out)
        return
    if isinstance(prefix, dict) and isinstance(tree, dict):
        if set(prefix) != set(tree):
            raise ValueError(f"keys {sorted(prefix)} do not match {sorted(tree)}")
        for k in sorted(tree):
            _prefix_broadcast(prefix[k], tree[k], out)
        return
    raise ValueError(f"{type(prefix).__name__} axes spec for a {type(tree).__name__} value")


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    """Vectorize ``fun`` over a new leading (or ``in_axes``) dimension.

    Args:
      fun: function of pytrees of arrays.
      in_axes: int, None, or a pytree prefix of the positional arguments saying which
        axis of each input is mapped (None: broadcast the input). Keyword arguments are
        always mapped over axis 0.
      out_axes: where the mapped axis goes in each output (int, None or pytree prefix).
      axis_name: a name for the mapped axis, for collectives like ``lax.psum``.
      axis_size: the batch size, needed only when no input is mapped.

    Example::

        vmap(jnp.dot, in_axes=(0, None))(batch_of_vectors, matrix)
    """
    name = getattr(fun, "__name__", "fun")
    if isinstance(in_axes, list):
        in_axes = tuple(in_axes)
    if not (in_axes is None or isinstance(in_axes, (int, tuple, dict))):
        raise BatchingError(f"vmap({name}): in_axes must be an int, None, or a tuple of those "
                            f"(a pytree prefix of the arguments), got {in_axes!r}")

    @api_boundary
    def vmapped(*args, **kwargs):
        spec = in_axes
        flat_args, in_tree = tree_flatten((args, kwargs))
        if isinstance(spec, tuple) and len(spec) != len(args):
            raise BatchingError(
                f"vmap({name}) in_axes must have one entry per positional argument: got "
                f"{len(spec)} entries for {len(args)} arguments")
        axes = _flatten_axes("in_axes", args, spec, name) + [0] * len(tree_flatten(kwargs)[0])
        size = _mapped_size(name, args, kwargs, flat_args, axes, axis_size)
        trace = BatchTrace(current_trace(), size, axis_name, spmd_axis_name)
        tracers = []
        for x, ax in zip(flat_args, axes):
            if ax is None:
                tracers.append(x)
                continue
            ndim = get_aval(x).ndim
            tracers.append(BatchTracer(trace, x, ax % ndim if ndim else ax))
        a, kw = tree_unflatten(in_tree, tracers)
        with set_current_trace(trace), source_info.extend_name_stack(trace.label()), \
                extend_axis_env(axis_name, size):
            out = fun(*a, **kw)
        trace.finished = True   # its tracers left behind (in globals) have leaked from now on
        flat_out, out_tree = tree_flatten(out)
        out_spec = _flatten_axes("out_axes", out, out_axes, name)
        results = []
        for i, (o, oax) in enumerate(zip(flat_out, out_spec)):
            val, bdim = trace.to_batch_info(o)
            results.append(_place_out_axis(name, i, val, bdim, oax, size))
        return tree_unflatten(out_tree, results)
    # As JAX: the vmapped function keeps fun's name; its docstring says what it is.
    vmapped.__name__ = vmapped.__qualname__ = name
    vmapped.__doc__ = (f"Vectorized version of {name}. Takes similar arguments as {name} but "
                       f"with additional array axes over which {name} is mapped.\n\n"
                       f"Original documentation:\n\n{getattr(fun, '__doc__', '') or ''}")
    vmapped.__wrapped__ = fun
    return vmapped


def _mapped_size(name, args, kwargs, flat_args, axes, axis_size):
    sizes = []
    for i, (x, ax) in enumerate(zip(flat_args, axes)):
        if ax is None:
            continue
        shape = get_aval(x).shape
        if not -len(shape) <= ax < len(shape) or not shape:
            raise BatchingError(
                f"vmap({name}) was requested to map input {i} over axis {ax}, but that input "
                f"has rank {len(shape)} (shape {shape})")
        sizes.append((i, shape[ax]))
    distinct = {s for _, s in sizes}
    if len(distinct) > 1:
        detail = ", ".join(f"input {i} has size {s}" for i, s in sizes)
        raise BatchingError(f"vmap({name}) got inconsistent sizes for the mapped axis: {detail}. "
                            f"All mapped inputs must have the same size along their in_axes.")
    if not distinct:
        if axis_size is None:
            raise BatchingError(f"vmap({name}) must have at least one non-None value in in_axes, "
                                f"or an explicit axis_size")
        return axis_size
    size = distinct.pop()
    if axis_size is not None and axis_size != size:
        raise BatchingError(f"vmap({name}): axis_size={axis_size} but the mapped inputs have "
                            f"size {size}")
    return size


def _place_out_axis(name, i, val, bdim, out_axis, size):
    if out_axis is None:
        if bdim is not None:
            raise BatchingError(
                f"vmap({name}) has out_axes=None for output {i}, but that output is batched "
                f"(it depends on a mapped input). Use out_axes=0, or make the output independent "
                f"of the mapped inputs.")
        return val
    ndim = get_aval(val).ndim + (1 if bdim is None else 0)
    if not -ndim <= out_axis < ndim:
        raise BatchingError(f"vmap({name}) out_axes={out_axis} is out of range for output {i} "
                            f"of rank {ndim}")
    out_axis %= ndim
    if bdim is None:
        return broadcast_batched(val, size, out_axis)
    return moveaxis(val, bdim, out_axis)


_axis_env = []   # (axis_name, size) of the vmaps whose functions are running


@contextlib.contextmanager
def extend_axis_env(name, size):
    _axis_env.append((name, size))
    try:
        yield
    finally:
        _axis_env.pop()


def axis_size_of(axis_name):
    """Size of the innermost vmap axis named ``axis_name`` (for collectives)."""
    for name, size in reversed(_axis_env):
        if name == axis_name:
            return size
    raise NameError(f"unbound axis name: {axis_name!r}. The collective must be called "
                    f"inside vmap(..., axis_name={axis_name!r}).")

