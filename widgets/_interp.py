"""Interpreters over the IR that the views use to read values and batch axes.

* ``norms_function(closed, watch)``: a function that evaluates a jaxpr and also
  returns the norm of every watched value. It is an ordinary Python function
  of arrays, so ``jit`` compiles it once and a slider re-runs the executable.
* ``batch_axes(fun, args, levels)``: traces ``fun`` per example, re-runs that
  jaxpr under nested ``vmap`` asking ``glassbox.interpreters.batching.batch_dims`` about every
  value, and says where each vmap's axis sits (or that it is absent).
"""
import numpy as np

import glassbox
from glassbox import core as gb_core
from glassbox import source_info
from glassbox.interpreters import batching
from glassbox import numpy as jnp
from glassbox.core import Literal, get_aval
from glassbox.tree_util import tree_flatten, tree_unflatten


def is_call(eqn):
    """A call-like equation (jit, checkpoint, custom rules): one body taking exactly the
    equation's operands and giving exactly its results, type for type. Loop bodies and
    branches fail this (a scan body sees slices; a cond has several bodies)."""
    subs = list(gb_core.subjaxprs(eqn))
    if len(subs) != 1:
        return False
    body = subs[0]
    return (not body.constvars and len(body.invars) == len(eqn.invars)
            and len(body.outvars) == len(eqn.outvars)
            and all(_same_type(a.aval, b.aval) for a, b in zip(body.invars, eqn.invars))
            and all(_same_type(a.aval, b.aval) for a, b in zip(body.outvars, eqn.outvars)))


def _same_type(a, b):
    return a.shape == b.shape and a.dtype == b.dtype


def all_eqns(jaxpr):
    """The equations of ``jaxpr`` with those of its call-like equations' bodies, in order."""
    for eqn in jaxpr.eqns:
        yield eqn
        if is_call(eqn):
            yield from all_eqns(next(gb_core.subjaxprs(eqn)))


def fun_name(f):
    return getattr(f, "__name__", type(f).__name__)


def interpret(jaxpr, consts, args, record):
    """Evaluate ``jaxpr`` on the current trace, inlining call-like equations, and
    call ``record(var, value)`` for every value it defines (inputs included)."""
    env = {}

    def read(atom):
        return atom.val if type(atom) is Literal else env[atom]

    def write(var, value):
        env[var] = value
        record(var, value)
    for v, x in zip(jaxpr.constvars, consts):
        write(v, x)
    for v, x in zip(jaxpr.invars, args):
        write(v, x)
    for eqn in jaxpr.eqns:
        ins = [read(v) for v in eqn.invars]
        if is_call(eqn):
            body = next(gb_core.subjaxprs(eqn))
            outs = interpret(body, [], ins, record)
        else:
            stack = eqn.source_info.name_stack if eqn.source_info else ()
            with source_info.reset_name_stack(stack):
                outs = eqn.primitive.bind(*ins, **eqn.params)
            if not eqn.primitive.multiple_results:
                outs = [outs]
        for v, x in zip(eqn.outvars, outs):
            write(v, x)
    return [read(v) for v in jaxpr.outvars]


# ---------------------------------------------------------------------------
# Norms of values (gradient flow)


def _norm(x):
    """The 2-norm of ``x`` in float32, scaled by its largest entry so that squaring
    neither overflows nor underflows (a plain sum of squares overflows at 1e19)."""
    a = jnp.abs(x).astype(np.float32)
    if a.ndim == 0:
        return a
    m = jnp.max(a)
    safe = jnp.where(m > 0, m, 1.0)
    return m * jnp.sqrt(jnp.sum(jnp.square(a / safe)))


def watchable(var):
    """Floating values only: integer and boolean values have no gradient to measure."""
    return type(var) is not Literal and np.issubdtype(var.aval.dtype, np.inexact)


def norms_function(closed, watch):
    """``f(*args) -> (outputs, norms)``: evaluate ``closed`` and the norm of each var in
    ``watch`` (vars of its equations, or of call-like bodies, which are inlined)."""
    watch = list(watch)
    index = {v: i for i, v in enumerate(watch)}

    def run(*args):
        found = [None] * len(watch)

        def record(var, value):
            i = index.get(var)
            if i is not None:
                found[i] = _norm(value)
        outs = interpret(closed.jaxpr, closed.consts, args, record)
        zero = np.float32(np.nan)   # a watched value the run never produced (dead code)
        return outs, [z if z is not None else zero for z in found]
    run.__name__ = f"norms_{closed.jaxpr.name or 'jaxpr'}"
    return run


# ---------------------------------------------------------------------------
# Batch axes (the batching view)


class Level:
    """One vmap: its ``in_axes`` (per positional argument: int or None) and axis name."""

    def __init__(self, in_axes=0, axis_name=None, out_axes=0):
        self.in_axes, self.axis_name, self.out_axes = in_axes, axis_name, out_axes


def _leaf_axes(args, in_axes):
    """One axis (int or None) per leaf of ``args``, from an int/None or a per-argument tuple."""
    if in_axes is None or isinstance(in_axes, int):
        return [in_axes] * len(tree_flatten(args)[0])
    in_axes = tuple(in_axes)
    if len(in_axes) != len(args):
        raise ValueError(f"in_axes {in_axes!r} has {len(in_axes)} entries for "
                         f"{len(args)} arguments")
    out = []
    for a, ax in zip(args, in_axes):
        if not (ax is None or isinstance(ax, int)):
            raise TypeError(f"the batching view takes in_axes entries that are ints or None, "
                            f"got {ax!r}")
        out.extend([ax] * len(tree_flatten(a)[0]))
    return out


class BatchAxes:
    """What ``batch_axes`` found.

    jaxpr:  the per-example program (a ClosedJaxpr).
    levels: the vmaps, innermost first, each a dict (name, size).
    dims:   Var -> {level index: batch dim in that level's value}; absent: unbatched.
    final:  Var -> the value's shape after every vmap (None if unknown).
    in_dims: per jaxpr input, {level: dim} as the in_axes put them ("introduced").
    """

    def __init__(self, jaxpr, levels, dims, final, in_dims):
        self.jaxpr, self.levels, self.dims = jaxpr, levels, dims
        self.final, self.in_dims = final, in_dims

    def axes_of(self, var):
        """Final dims as a list: an int (data dim size) or a level index (a batch axis)."""
        labels = [("data", d) for d in var.aval.shape]
        for level in range(len(self.levels)):
            d = self.dims.get(var, {}).get(level)
            if d is not None:
                labels.insert(min(d, len(labels)), ("axis", level))
        return labels


def batch_axes(fun, args, levels):
    """Trace ``fun`` per example and find every value's batch axes under ``levels``.

    Args:
      fun: the unbatched function (positional arguments, pytrees of arrays).
      args: the *batched* arguments (arrays or ShapeDtypeStructs): what you would
        pass to ``vmap(...vmap(fun, levels[0])..., levels[-1])``.
      levels: ``Level``s, innermost first.

    Returns a ``BatchAxes``.
    """
    flat, in_tree = tree_flatten(tuple(args))
    avals = [get_aval(x) for x in flat]
    shapes, norm_axes, sizes = _per_example(tuple(args), avals, levels)
    examples = [glassbox.ShapeDtypeStruct(s, a.dtype, a.weak_type) for s, a in zip(shapes, avals)]

    def flat_fun(*leaves):
        return tree_flatten(fun(*tree_unflatten(in_tree, leaves)))[0]
    flat_fun.__name__ = getattr(fun, "__name__", "fun")
    closed = glassbox.make_jaxpr(flat_fun)(*examples)
    names = _level_names(levels)
    dims = _dims_under_vmaps(closed, avals, norm_axes, names)
    final = {var: _batched_shape(var.aval.shape, d, sizes) for var, d in dims.items()}
    info = [{"name": names[k], "size": sizes[k], "user_name": levels[k].axis_name}
            for k in range(len(levels))]
    in_dims = [dict(dims[v]) for v in closed.jaxpr.invars]   # what in_axes introduced
    return BatchAxes(closed, info, dims, final, in_dims)


def _per_example(args, avals, levels):
    """``(per-example shapes, normalised in_axes per level, size per level)``: drop the
    outermost vmap's axis first, then the next one in."""
    per_level = [_leaf_axes(args, lv.in_axes) for lv in levels]
    shapes = [list(a.shape) for a in avals]
    norm_axes = [[None] * len(avals) for _ in levels]
    sizes = [None] * len(levels)
    for k in reversed(range(len(levels))):
        for i, ax in enumerate(per_level[k]):
            if ax is None:
                continue
            if not shapes[i]:
                raise ValueError(f"vmap level {k} maps argument leaf {i} over axis {ax}, but "
                                 f"it is a scalar there")
            ax %= len(shapes[i])
            norm_axes[k][i] = ax
            size = shapes[i].pop(ax)
            if sizes[k] not in (None, size):
                raise ValueError(f"vmap level {k}: inconsistent sizes {sizes[k]} and {size}")
            sizes[k] = size
    return shapes, norm_axes, sizes


def _level_names(levels):
    """One distinct axis name per level: a value's batch dims are told apart by name."""
    names = []
    for k, lv in enumerate(levels):
        name = lv.axis_name if lv.axis_name is not None else f"b{k}"
        names.append(name if name not in names else f"{name}#{k}")
    return names


def _dims_under_vmaps(closed, avals, norm_axes, names):
    """Var -> {level: bdim}: re-run ``closed`` under the nested vmaps (abstractly) and ask
    the batching module where each vmap holds every value the program defines."""
    level_of = {n: k for k, n in enumerate(names)}
    dims = {}

    def record(var, value):
        dims[var] = {level_of[name]: d for name, d in batching.batch_dims(value)
                     if name in level_of}

    def run(*leaves):
        return interpret(closed.jaxpr, closed.consts, leaves, record)
    for k, name in enumerate(names):
        run = glassbox.vmap(run, in_axes=tuple(norm_axes[k]), axis_name=name)
    glassbox.make_jaxpr(run)(*[glassbox.ShapeDtypeStruct(a.shape, a.dtype, a.weak_type)
                               for a in avals])
    return dims


def _batched_shape(shape, dims, sizes):
    """A per-example shape with each level's axis inserted, innermost level first."""
    shape = list(shape)
    for k, size in enumerate(sizes):
        if dims.get(k) is not None:
            shape.insert(min(dims[k], len(shape)), size)
    return tuple(shape)
