"""Windowed reductions (``reduce_window`` and its sum/max/min specializations, the
``select_and_scatter``/``select_and_gather_add`` pair behind max-pooling gradients), the
generic ``reduce`` with a Python computation, and ``reduce_precision``.

``reduce_window`` slides a window over a (padded, dilated) array and reduces each window.
Given ``lax.add``/``lax.max``/``lax.min`` with their identity as init value it binds the
specialized ``reduce_window_sum_p``/``_max_p``/``_min_p`` (as JAX pattern-matches them);
any other computation is traced to a jaxpr and becomes the region of a
``stablehlo.reduce_window`` (``reduce_window_p``, several operands allowed). ``reduce``
does the same with ``stablehlo.reduce`` (``reduce_p``).

Derivatives follow JAX: the window sum is linear, transposed by padding the cotangent
(interior padding = the strides) and summing it over windows again; max/min pick one
element per window, so their jvp gathers the tangent at the chosen element
(``select_and_gather_add_p``: a two-operand ``reduce_window`` carrying (value, tangent)
pairs), whose transpose scatters the cotangent back to it (``select_and_scatter_add_p``:
``stablehlo.select_and_scatter`` with a ``>=``/``<=`` select and an add scatter). Under
``vmap`` the batch axis gets a window of size 1.
"""
import operator

import numpy as np

from .. import dtypes
from ..core import (Primitive, ShapedArray, Tracer, abstract_eval_rules,
                    eval_jaxpr, get_aval)
from ..interpreters import ad, batching
from ..interpreters.lowering import i64_array, lowering_rules
from ..tree_util import tree_flatten, tree_unflatten
from . import bitwise as _bw
from . import elementwise as _ew
from . import reductions as _red
from ._control_flow import trace_fun
from .convolution import conv_vjp_lhs_padding, padtype_to_pads
from .shape import full, pad, reshape, squeeze, transpose
from .slicing import slice as _slice, slice_in_dim

__all__ = [
    "reduce_window", "reduce_window_p", "reduce_window_sum_p", "reduce_window_max_p",
    "reduce_window_min_p", "reduce_window_shape_tuple", "select_and_scatter_p",
    "select_and_scatter_add_p", "select_and_gather_add_p", "reduce", "reduce_p",
    "reduce_precision", "reduce_precision_p",
]


# ---------------------------------------------------------------------------
# Shapes and helpers


def _dilate(d, r):
    return 0 if d == 0 else 1 + r * (d - 1)


def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding,
                              base_dilation=None, window_dilation=None):
    """Result shape of a windowed reduction (pads ``(low, high)`` per dimension)."""
    if base_dilation is not None:
        operand_shape = [_dilate(int(d), int(r)) for d, r in zip(operand_shape, base_dilation)]
    if window_dilation is not None:
        window_dimensions = [_dilate(int(d), int(r))
                             for d, r in zip(window_dimensions, window_dilation)]
    padded = [int(d) + int(lo) + int(hi) for d, (lo, hi) in zip(operand_shape, padding)]
    return tuple(max(0, (p - int(w)) // int(s) + 1)
                 for p, w, s in zip(padded, window_dimensions, window_strides))


def _check_shapelike(name, arg, values, non_zero):
    if any(v < 0 or (non_zero and v == 0) for v in values):
        what = "positive" if non_zero else "nonnegative"
        raise TypeError(f"{name} {arg} must have every element be {what}, got {values}.")


def _window_shape(operand, window_dimensions, window_strides, padding, base_dilation,
                  window_dilation, name="reduce_window"):
    """JAX's checks on the window parameters, then the result shape."""
    _check_shapelike(name, "window_dimensions", window_dimensions, True)
    _check_shapelike(name, "window_strides", window_strides, True)
    _check_shapelike(name, "base_dilation", base_dilation, True)
    _check_shapelike(name, "window_dilation", window_dilation, True)
    if operand.ndim != len(window_dimensions):
        raise TypeError(f"{name} got the wrong number of window_dimensions for operand: got "
                        f"operand shape {operand.shape} with window_dimensions "
                        f"{window_dimensions}.")
    for arg, v in (("window_strides", window_strides), ("base_dilation", base_dilation),
                   ("window_dilation", window_dilation), ("padding", padding)):
        if len(v) != len(window_dimensions):
            raise TypeError(f"{name} got inconsistent {arg} and window_dimensions: got "
                            f"{arg} {v} and window_dimensions {window_dimensions}.")
    return reduce_window_shape_tuple(operand.shape, window_dimensions, window_strides,
                                     padding, base_dilation, window_dilation)


def _window_attrs(window_dimensions, window_strides, padding, base_dilation=None,
                  window_dilation=None):
    n = len(window_dimensions)
    pads = ", ".join(f"[{lo}, {hi}]" for lo, hi in padding)
    attrs = {"padding": f"dense<[{pads}]> : tensor<{n}x2xi64>" if n
             else "dense<> : tensor<0x2xi64>",
             "window_dimensions": i64_array(window_dimensions),
             "window_strides": i64_array(window_strides)}
    if base_dilation is not None:
        attrs["base_dilations"] = i64_array(base_dilation)
        attrs["window_dilations"] = i64_array(window_dilation)
    return attrs


def _concrete(x):
    """The value of a scalar init value if it is known now, else None."""
    if isinstance(x, Tracer):
        return x.to_concrete_value()
    try:
        return np.asarray(x)
    except Exception:   # noqa: BLE001 (anything without a host value)
        return None


def _trace_computation(computation, init_avals, init_tree, what):
    """Trace ``computation(xs, ys)`` on scalar avals: ``(jaxpr, consts, out_tree)``.
    The jaxpr takes its consts first (see ``trace_fun``), which must be host values."""
    in_tree = tree_flatten((tree_unflatten(init_tree, list(init_avals)),) * 2)[1]
    jaxpr, consts, out_tree = trace_fun(computation, in_tree, list(init_avals) * 2, what, what)
    if any(isinstance(c, Tracer) for c in consts):
        raise NotImplementedError(f"{what} computations can't close over traced values; pass "
                                  f"them as operands instead")
    for aval, init in zip(jaxpr.out_avals, init_avals):
        if aval.shape != () or aval.dtype != init.dtype:
            raise TypeError(f"{what} computation must return scalars of the init values' "
                            f"types {[a.str_short() for a in init_avals]}, got "
                            f"{[a.str_short() for a in jaxpr.out_avals]}")
    return jaxpr, tuple(consts), out_tree


def _region(ctx, jaxpr, consts, n_args, scalar_avals):
    """A region lowering the traced computation on its ``n_args`` scalar arguments."""
    def body(inner, *args):
        const_names = [inner.constant(np.asarray(c), get_aval(c)) for c in consts]
        return inner.lower_jaxpr(jaxpr.jaxpr, [], const_names + list(args))
    return ctx.region(list(scalar_avals) * 2, body)


def _identity_for(name, dtype):
    if name == "max":
        return _red.max_identity(dtype)
    if name == "min":
        return _red.min_identity(dtype)
    return np.array(0, dtype)


def _monoid_name(computation):
    return {id(_ew.add): "add", id(_ew.max): "max", id(_ew.min): "min"}.get(id(computation))


# ---------------------------------------------------------------------------
# reduce_window (generic) and its wrapper


def reduce_window(operand, init_value, computation, window_dimensions, window_strides=None,
                  padding="VALID", base_dilation=None, window_dilation=None):
    """Reduce each window of ``operand`` with ``computation`` (XLA's ReduceWindow).

    Args:
      operand: an array or a pytree of arrays of one shape.
      init_value: a scalar (pytree, matching ``operand``): the reduction's identity.
      computation: ``(x, y) -> z`` on pytrees of scalars like ``init_value``.
      window_dimensions: the window's size per dimension.
      window_strides: steps between windows (default 1).
      padding: ``'VALID'``, ``'SAME'``, ``'SAME_LOWER'`` or ``(low, high)`` pairs.
      base_dilation, window_dilation: dilations of the operand and of the window.

    ``lax.add``/``lax.max``/``lax.min`` with their identity (0, -inf, +inf) bind
    ``reduce_window_sum_p``/``_max_p``/``_min_p``; anything else ``reduce_window_p``, whose
    ``stablehlo.reduce_window`` region is the traced ``computation``.

    Example: ``reduce_window(jnp.arange(4.), 0., lax.add, (2,))`` is ``[1., 3., 5.]``.
    """
    flat_ops, op_tree = tree_flatten(operand)
    flat_inits, init_tree = tree_flatten(init_value)
    if op_tree != init_tree:
        raise ValueError(f"Operands must have the same tree structure as init_values: "
                         f"{op_tree} vs. {init_tree}")
    if not flat_ops:
        raise ValueError("reduce_window must have at least one operand.")
    window_dimensions = tuple(operator.index(d) for d in window_dimensions)
    n = len(window_dimensions)
    if isinstance(padding, str):
        dilated = window_dimensions if window_dilation is None else \
            tuple(_dilate(d, r) for d, r in zip(window_dimensions, window_dilation))
        padding = padtype_to_pads(get_aval(flat_ops[0]).shape, dilated,
                                  window_strides or (1,) * n, padding)
    padding = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    strides = tuple(operator.index(s) for s in (window_strides or (1,) * n))
    base = tuple(operator.index(d) for d in (base_dilation or (1,) * n))
    wdil = tuple(operator.index(d) for d in (window_dilation or (1,) * n))
    params = dict(window_dimensions=window_dimensions, window_strides=strides,
                  padding=padding, base_dilation=base, window_dilation=wdil)
    name = _monoid_name(computation)
    if name is not None and len(flat_ops) == 1:
        init = flat_inits[0]
        val = _concrete(init)
        if val is not None and np.shape(val) == () and \
                val == _identity_for(name, get_aval(init).dtype):
            prim = {"add": reduce_window_sum_p, "max": reduce_window_max_p,
                    "min": reduce_window_min_p}[name]
            return prim.bind(flat_ops[0], **params)
    init_avals = [get_aval(x) for x in flat_inits]
    jaxpr, consts, out_tree = _trace_computation(computation, init_avals, init_tree,
                                                 "reduce_window")
    if out_tree != op_tree:
        raise ValueError(f"reduce_window output must have the same tree structure as the "
                         f"operands {op_tree} vs. {out_tree}")
    outs = reduce_window_p.bind(*flat_ops, *flat_inits, jaxpr=jaxpr, consts=consts, **params)
    return tree_unflatten(out_tree, outs)


reduce_window_p = Primitive("reduce_window", multiple_results=True)


def _reduce_window_abstract_eval(*avals, jaxpr, consts, window_dimensions, window_strides,
                                 padding, base_dilation, window_dilation):
    ops, inits = avals[:len(avals) // 2], avals[len(avals) // 2:]
    if any(o.dtype != i.dtype for o, i in zip(ops, inits)):
        raise TypeError(f"reduce_window got inconsistent dtypes for operands and "
                        f"init_values: got operand dtypes {[o.dtype for o in ops]} and "
                        f"init_value dtypes {[i.dtype for i in inits]}.")
    if any(i.shape != () for i in inits):
        raise TypeError(f"reduce_window expected init_values to be scalars but init_values "
                        f"have shapes {[i.shape for i in inits]}.")
    if any(o.shape != ops[0].shape for o in ops):
        raise TypeError(f"reduce_window operands must have one shape, got "
                        f"{[o.shape for o in ops]}")
    shape = _window_shape(ops[0], window_dimensions, window_strides, padding, base_dilation,
                          window_dilation)
    return [ShapedArray(shape, o.dtype, o.weak_type) for o in ops]


def _reduce_window_lowering(ctx, *args, jaxpr, consts, window_dimensions, window_strides,
                            padding, base_dilation, window_dilation):
    n = len(args) // 2
    scalars = [ShapedArray((), a.dtype) for a in ctx.avals_in[n:]]
    return ctx.op("stablehlo.reduce_window", list(args), list(ctx.avals_out),
                  attrs=_window_attrs(window_dimensions, window_strides, padding,
                                      base_dilation, window_dilation),
                  regions=[_region(ctx, jaxpr, consts, n, scalars)])


def _reduce_window_jvp(primals, tangents, *, jaxpr, consts, **params):
    """A reduce_window over (primals, tangents) whose computation is the jvp of the
    original one (JAX's rule); init values must have no tangent."""
    n = len(primals) // 2
    if not all(ad.is_zero(t) for t in tangents[n:]):
        raise TypeError("reduce_window jvp does not support non-zero init_value_tangent.")
    ops, inits = list(primals[:n]), list(primals[n:])
    t_ops = [ad.instantiate(t) for t in tangents[:n]]
    t_inits = [np.zeros((), get_aval(i).dtype) for i in inits]

    def jvp_computation(left, right):
        (pl, tl), (pr, tr) = left, right
        p_out, t_out = ad.jvp_flat(lambda *xs: eval_jaxpr(jaxpr.jaxpr, [], *consts, *xs),
                                   list(pl) + list(pr), list(tl) + list(tr))
        return list(p_out), [ad.instantiate(t) for t in t_out]
    p_out, t_out = reduce_window((ops, t_ops), (inits, t_inits), jvp_computation,
                                 **params)
    return p_out, t_out


def _reduce_window_batch(axis_data, args, dims, *, jaxpr, consts, window_dimensions,
                         window_strides, padding, base_dilation, window_dilation):
    n = len(args) // 2
    if any(d is not None for d in dims[n:]):
        raise NotImplementedError("reduce_window batching is not implemented for batched "
                                  "initial values")
    ops = [batching.bdim_at_front(x, d, axis_data.size) for x, d in zip(args[:n], dims[:n])]
    outs = reduce_window_p.bind(
        *ops, *args[n:], jaxpr=jaxpr, consts=consts,
        window_dimensions=(1,) + window_dimensions, window_strides=(1,) + window_strides,
        padding=((0, 0),) + padding, base_dilation=(1,) + base_dilation,
        window_dilation=(1,) + window_dilation)
    return outs, [0] * n


abstract_eval_rules[reduce_window_p] = _reduce_window_abstract_eval
lowering_rules[reduce_window_p] = _reduce_window_lowering
ad.jvp_rules[reduce_window_p] = _reduce_window_jvp
batching.batch_rules[reduce_window_p] = _reduce_window_batch


# ---------------------------------------------------------------------------
# reduce_window_sum, reduce_window_max, reduce_window_min


def _monoid_window_abstract_eval(name, accepts, allowed):
    def rule(x, *, window_dimensions, window_strides, padding, base_dilation,
             window_dilation):
        if not accepts(x.dtype):
            raise TypeError(f"operand to {name} must have a {allowed} dtype, got "
                            f"{x.dtype.name}")
        shape = _window_shape(x, window_dimensions, window_strides, padding, base_dilation,
                              window_dilation)
        return ShapedArray(shape, x.dtype, x.weak_type)
    return rule


def _monoid_window_lowering(op_name, identity):
    def rule(ctx, x, *, window_dimensions, window_strides, padding, base_dilation,
             window_dilation):
        s = ShapedArray((), ctx.avals_in[0].dtype)
        init = ctx.constant(identity(s.dtype), s)
        region = ctx.region([s, s], lambda inner, a, b: inner.op(op_name, [a, b], s))
        return ctx.op("stablehlo.reduce_window", [x, init], ctx.avals_out[0],
                      attrs=_window_attrs(window_dimensions, window_strides, padding,
                                          base_dilation, window_dilation),
                      regions=[region])
    return rule


def _monoid_window_batch(prim):
    def rule(axis_data, args, dims, *, window_dimensions, window_strides, padding,
             base_dilation, window_dilation):
        (x,), (b,) = args, dims
        ins = lambda t, v: t[:b] + (v,) + t[b:]  # noqa: E731
        return prim.bind(x, window_dimensions=ins(window_dimensions, 1),
                         window_strides=ins(window_strides, 1),
                         padding=ins(padding, (0, 0)),
                         base_dilation=ins(base_dilation, 1),
                         window_dilation=ins(window_dilation, 1)), b
    return rule


def _number(d):
    return dtypes.is_int(d) or dtypes.is_inexact(d)


def _real_or_int(d):
    return not dtypes.is_complex(d)


reduce_window_sum_p = Primitive("reduce_window_sum")
reduce_window_max_p = Primitive("reduce_window_max")
reduce_window_min_p = Primitive("reduce_window_min")


def _reduce_window_sum_transpose(ct, x, *, window_dimensions, window_strides, padding,
                                 base_dilation, window_dilation):
    """Pad the cotangent (interior padding from the strides) and window-sum it again."""
    in_shape = x.aval.shape
    if ad.is_zero(ct):
        return [ad.Zero(x.aval)]
    pads = conv_vjp_lhs_padding(in_shape, window_dimensions, window_strides,
                                get_aval(ct).shape, padding, base_dilation, window_dilation)
    config = [(lo, hi, s - 1) for (lo, hi), s in zip(pads, window_strides)]
    padded = pad(ct, np.zeros((), get_aval(ct).dtype), config)
    ones = (1,) * len(in_shape)
    return [reduce_window_sum_p.bind(padded, window_dimensions=window_dimensions,
                                     window_strides=base_dilation,
                                     padding=((0, 0),) * len(in_shape), base_dilation=ones,
                                     window_dilation=window_dilation)]


def _chooser_tangent(select_prim):
    def tangent(t, x, **params):
        return select_and_gather_add_p.bind(t, x, select_prim=select_prim, **params)
    return tangent


abstract_eval_rules[reduce_window_sum_p] = _monoid_window_abstract_eval(
    "reduce_window_sum", _number, "number")
lowering_rules[reduce_window_sum_p] = _monoid_window_lowering("stablehlo.add",
                                                             lambda d: np.array(0, d))
ad.deflinear(reduce_window_sum_p, _reduce_window_sum_transpose)
batching.batch_rules[reduce_window_sum_p] = _monoid_window_batch(reduce_window_sum_p)

abstract_eval_rules[reduce_window_max_p] = _monoid_window_abstract_eval(
    "reduce_window_max", _real_or_int, "real")
lowering_rules[reduce_window_max_p] = _monoid_window_lowering("stablehlo.maximum",
                                                             _red.max_identity)
ad.defjvp(reduce_window_max_p, _chooser_tangent(_bw.ge_p))
batching.batch_rules[reduce_window_max_p] = _monoid_window_batch(reduce_window_max_p)

abstract_eval_rules[reduce_window_min_p] = _monoid_window_abstract_eval(
    "reduce_window_min", _real_or_int, "real")
lowering_rules[reduce_window_min_p] = _monoid_window_lowering("stablehlo.minimum",
                                                             _red.min_identity)
ad.defjvp(reduce_window_min_p, _chooser_tangent(_bw.le_p))
batching.batch_rules[reduce_window_min_p] = _monoid_window_batch(reduce_window_min_p)


# ---------------------------------------------------------------------------
# select_and_gather_add: the tangent at each window's max (ge) or min (le)


select_and_gather_add_p = Primitive("select_and_gather_add")


def _select_and_gather_add_abstract_eval(t, x, *, select_prim, window_dimensions,
                                         window_strides, padding, base_dilation,
                                         window_dilation):
    if t.shape != x.shape:
        raise TypeError(f"select_and_gather_add tangents and operand shapes must match, got "
                        f"{t.shape} and {x.shape}.")
    if t.dtype != x.dtype:
        raise TypeError(f"select_and_gather_add tangents and operand dtypes must match, got "
                        f"{t.dtype.name} and {x.dtype.name}.")
    shape = _window_shape(x, window_dimensions, window_strides, padding, base_dilation,
                          window_dilation, "select_and_gather_add")
    return ShapedArray(shape, t.dtype, t.weak_type)


def _select_and_gather_add_lowering(ctx, t, x, *, select_prim, window_dimensions,
                                    window_strides, padding, base_dilation, window_dilation):
    """A two-operand reduce_window over (value, tangent) keeping the pair whose value wins
    (JAX's CPU lowering, ``_select_and_gather_add_using_variadic_reducewindow``)."""
    dtype = ctx.avals_in[1].dtype
    s = ShapedArray((), dtype)
    direction = "GE" if select_prim is _bw.ge_p else "LE"
    init = _red.max_identity(dtype) if direction == "GE" else _red.min_identity(dtype)

    def body(inner, kx, vx, ky, vy):
        which = _red.emit_compare(inner, kx, ky, direction, s)
        return [inner.op("stablehlo.select", [which, kx, ky], s),
                inner.op("stablehlo.select", [which, vx, vy], s)]
    outs = ctx.op("stablehlo.reduce_window",
                  [x, t, ctx.constant(init, s), ctx.constant(np.array(0, dtype), s)],
                  [ctx.avals_out[0]] * 2,
                  attrs=_window_attrs(window_dimensions, window_strides, padding,
                                      base_dilation, window_dilation),
                  regions=[ctx.region([s, s, s, s], body)])
    return outs[1]


def _select_and_gather_add_transpose(ct, t, x, *, select_prim, window_dimensions,
                                     window_strides, padding, base_dilation,
                                     window_dilation):
    if any(d != 1 for d in window_dilation):
        raise NotImplementedError(f"VJP not implemented for select_and_gather (MaxPool) with "
                                  f"window dilation, got window_dilation={window_dilation}.")
    if ad.is_zero(ct):
        return [ad.Zero(t.aval), None]
    dilated = any(d != 1 for d in base_dilation)
    if dilated:
        ident = _red.max_identity if select_prim is _bw.ge_p else _red.min_identity
        x = pad(x, ident(get_aval(x).dtype), [(0, 0, d - 1) for d in base_dilation])
    out = select_and_scatter_add_p.bind(ct, x, select_prim=select_prim,
                                        window_dimensions=window_dimensions,
                                        window_strides=window_strides, padding=padding)
    if dilated:
        shape = get_aval(out).shape
        out = _slice(out, (0,) * len(shape), shape, base_dilation)
    return [out, None]


def _select_and_gather_add_batch(axis_data, args, dims, *, select_prim, window_dimensions,
                                 window_strides, padding, base_dilation, window_dilation):
    t, x = (batching.bdim_at_front(a, d, axis_data.size) for a, d in zip(args, dims))
    return select_and_gather_add_p.bind(
        t, x, select_prim=select_prim, window_dimensions=(1,) + window_dimensions,
        window_strides=(1,) + window_strides, padding=((0, 0),) + padding,
        base_dilation=(1,) + base_dilation, window_dilation=(1,) + window_dilation), 0


abstract_eval_rules[select_and_gather_add_p] = _select_and_gather_add_abstract_eval
lowering_rules[select_and_gather_add_p] = _select_and_gather_add_lowering
ad.defjvp(select_and_gather_add_p,
          lambda g, t, x, **params: select_and_gather_add_p.bind(g, x, **params), None)
ad.transpose_rules[select_and_gather_add_p] = _select_and_gather_add_transpose
batching.batch_rules[select_and_gather_add_p] = _select_and_gather_add_batch


# ---------------------------------------------------------------------------
# select_and_scatter_add: each window's source value added at its max/min


select_and_scatter_add_p = Primitive("select_and_scatter_add")


def _select_and_scatter_add_abstract_eval(source, x, *, select_prim, window_dimensions,
                                          window_strides, padding):
    ones = (1,) * x.ndim
    shape = _window_shape(x, window_dimensions, window_strides, padding, ones, ones,
                          "select_and_scatter_add")
    if source.shape != shape:
        raise TypeError(f"select_and_scatter_add: source shape {source.shape} must be the "
                        f"windowed shape {shape} of the operand")
    return ShapedArray(x.shape, source.dtype, source.weak_type)


def _select_and_scatter_add_lowering(ctx, source, x, *, select_prim, window_dimensions,
                                     window_strides, padding):
    """Pad the operand with the select identity, ``stablehlo.select_and_scatter`` without
    padding, slice the padding off (JAX's CPU lowering)."""
    (src_aval, x_aval), (aval_out,) = ctx.avals_in, ctx.avals_out
    s = ShapedArray((), x_aval.dtype)
    direction = "GE" if select_prim is _bw.ge_p else "LE"
    ident = _red.max_identity if direction == "GE" else _red.min_identity
    lo, hi = zip(*padding) if padding else ((), ())
    padded_shape = tuple(d + a + b for d, a, b in zip(x_aval.shape, lo, hi))
    padded_aval = x_aval.update(shape=padded_shape)
    xp = ctx.op("stablehlo.pad", [x, ctx.constant(ident(s.dtype), s)], padded_aval,
                attrs={"edge_padding_low": i64_array(lo), "edge_padding_high": i64_array(hi),
                       "interior_padding": i64_array([0] * len(lo))})
    select = ctx.region([s, s], lambda inner, a, b: _red.emit_compare(inner, a, b, direction,
                                                                      s))
    scatter_op = "stablehlo.or" if s.dtype == np.bool_ else "stablehlo.add"
    scatter = ctx.region([s, s], lambda inner, a, b: inner.op(scatter_op, [a, b], s))
    zero = ctx.constant(np.array(0, s.dtype), s)
    out = ctx.op("stablehlo.select_and_scatter", [xp, source, zero],
                 padded_aval.update(dtype=aval_out.dtype),
                 attrs=_window_attrs(window_dimensions, window_strides,
                                     ((0, 0),) * len(window_dimensions)),
                 regions=[select, scatter])
    return ctx.op("stablehlo.slice", [out], aval_out,
                  attrs={"start_indices": i64_array(lo),
                         "limit_indices": i64_array([a + d for a, d in zip(lo, x_aval.shape)]),
                         "strides": i64_array([1] * len(lo))})


def _select_and_scatter_add_transpose(ct, source, x, *, select_prim, window_dimensions,
                                      window_strides, padding):
    if ad.is_zero(ct):
        return [ad.Zero(source.aval), None]
    ones = (1,) * len(window_dimensions)
    return [select_and_gather_add_p.bind(ct, x, select_prim=select_prim,
                                         window_dimensions=window_dimensions,
                                         window_strides=window_strides, padding=padding,
                                         base_dilation=ones, window_dilation=ones), None]


def _select_and_scatter_add_batch(axis_data, args, dims, *, select_prim, window_dimensions,
                                  window_strides, padding):
    source, x = (batching.bdim_at_front(a, d, axis_data.size) for a, d in zip(args, dims))
    return select_and_scatter_add_p.bind(
        source, x, select_prim=select_prim, window_dimensions=(1,) + window_dimensions,
        window_strides=(1,) + window_strides, padding=((0, 0),) + padding), 0


abstract_eval_rules[select_and_scatter_add_p] = _select_and_scatter_add_abstract_eval
lowering_rules[select_and_scatter_add_p] = _select_and_scatter_add_lowering
ad.defjvp(select_and_scatter_add_p,
          lambda g, source, x, **params: select_and_scatter_add_p.bind(g, x, **params), None)
ad.transpose_rules[select_and_scatter_add_p] = _select_and_scatter_add_transpose
batching.batch_rules[select_and_scatter_add_p] = _select_and_scatter_add_batch


# ---------------------------------------------------------------------------
# select_and_scatter: XLA's SelectAndScatter with traced select/scatter computations


select_and_scatter_p = Primitive("select_and_scatter")


def _select_and_scatter_abstract_eval(x, source, init, *, select_jaxpr, select_consts,
                                      scatter_jaxpr, scatter_consts, window_dimensions,
                                      window_strides, padding):
    _check_shapelike("select_and_scatter", "window_dimensions", window_dimensions, False)
    _check_shapelike("select_and_scatter", "window_strides", window_strides, False)
    if len(window_dimensions) != len(window_strides):
        raise TypeError(f"select_and_scatter got inconsistent window_strides and "
                        f"window_dimensions: got window_strides {window_strides} and "
                        f"window_dimensions {window_dimensions}.")
    return ShapedArray(x.shape, x.dtype, x.weak_type)


def _select_and_scatter_lowering(ctx, x, source, init, *, select_jaxpr, select_consts,
                                 scatter_jaxpr, scatter_consts, window_dimensions,
                                 window_strides, padding):
    s = ShapedArray((), ctx.avals_in[0].dtype)
    return ctx.op("stablehlo.select_and_scatter", [x, source, init], ctx.avals_out[0],
                  attrs=_window_attrs(window_dimensions, window_strides, padding),
                  regions=[_region(ctx, select_jaxpr, select_consts, 1, [s]),
                           _region(ctx, scatter_jaxpr, scatter_consts, 1, [s])])


abstract_eval_rules[select_and_scatter_p] = _select_and_scatter_abstract_eval
lowering_rules[select_and_scatter_p] = _select_and_scatter_lowering


# ---------------------------------------------------------------------------
# reduce: a Python computation (monoids go to reduce_sum/max/...)


_MONOID_REDUCERS = {
    "add": (_red.reduce_sum, lambda d: np.array(0, d)),
    "mul": (_red.reduce_prod, lambda d: np.array(1, d)),
    "max": (_red.reduce_max, _red.max_identity),
    "min": (_red.reduce_min, _red.min_identity),
    "bitwise_and": (_red.reduce_and, lambda d: np.array(-1).astype(d)),
    "bitwise_or": (_red.reduce_or, lambda d: np.array(0, d)),
    "bitwise_xor": (_red.reduce_xor, lambda d: np.array(0, d)),
}


def _monoid_reducer(computation, inits):
    """JAX's ``_get_monoid_reducer``: the specialized reduction, or None."""
    if len(inits) != 1:
        return None
    names = {id(_ew.add): "add", id(_ew.mul): "mul", id(_ew.max): "max", id(_ew.min): "min",
             id(_bw.bitwise_and): "bitwise_and", id(_bw.bitwise_or): "bitwise_or",
             id(_bw.bitwise_xor): "bitwise_xor"}
    name = names.get(id(computation))
    if name is None:
        return None
    dtype = get_aval(inits[0]).dtype
    if name.startswith("bitwise") and not (dtype == np.bool_ or dtypes.is_int(dtype)):
        return None
    val = _concrete(inits[0])
    if val is None or np.shape(val) != ():
        return None
    fn, identity = _MONOID_REDUCERS[name]
    return fn if np.equal(val, identity(dtype)) else None


def reduce(operands, init_values, computation, dimensions):
    """Reduce ``operands`` over ``dimensions`` with ``computation`` (XLA's Reduce).

    ``init_values`` must be scalars forming a monoid with ``computation``. ``lax.add``,
    ``mul``, ``max``, ``min`` and the bitwise ops with their identity bind the specialized
    reductions (``reduce_sum_p``, ...); any other computation (e.g. a variadic argmax on
    ``(value, index)`` pairs) is traced and becomes the region of ``stablehlo.reduce``
    (``reduce_p``).

    Example: ``reduce(x, 0., lax.add, (0,))`` is ``x.sum(0)``.
    """
    flat_ops, op_tree = tree_flatten(operands)
    flat_inits, init_tree = tree_flatten(init_values)
    if op_tree != init_tree:
        raise ValueError(f"Operands must have the same tree structure as init_values: "
                         f"{op_tree} vs. {init_tree}")
    if len(flat_ops) != len(flat_inits):
        raise ValueError(f"Must have same total number of operands as init_values: "
                         f" {len(flat_ops)} vs. {len(flat_inits)}")
    reducer = _monoid_reducer(computation, flat_inits)
    if reducer is not None:
        weak = get_aval(flat_ops[0]).weak_type and get_aval(flat_inits[0]).weak_type
        out = reducer(flat_ops[0], dimensions)
        if get_aval(out).weak_type != weak:
            out = _ew.convert_element_type(out, get_aval(out).dtype, weak_type=weak)
        return tree_unflatten(op_tree, [out])
    init_avals = [get_aval(x) for x in flat_inits]
    jaxpr, consts, out_tree = _trace_computation(computation, init_avals, init_tree,
                                                 "reduce")
    dims = tuple(operator.index(d) for d in dimensions)
    outs = reduce_p.bind(*flat_ops, *flat_inits, jaxpr=jaxpr, consts=consts, dimensions=dims)
    return tree_unflatten(out_tree, outs)


reduce_p = Primitive("reduce", multiple_results=True)


def _reduce_abstract_eval(*avals, jaxpr, consts, dimensions):
    ops, inits = avals[:len(avals) // 2], avals[len(avals) // 2:]
    if any(o.shape != ops[0].shape for o in ops):
        raise ValueError(f"reduce operands must have one shape, got {[o.shape for o in ops]}")
    if any(o.dtype != i.dtype for o, i in zip(ops, inits)) or \
            any(i.shape != () for i in inits):
        raise TypeError(f"reduce: init values must be scalars of the operands' dtypes, got "
                        f"{[i.str_short() for i in inits]} for operands "
                        f"{[o.str_short() for o in ops]}")
    ndim = ops[0].ndim
    if len(set(dimensions)) != len(dimensions) or any(not 0 <= d < ndim for d in dimensions):
        raise ValueError(f"reduce: dimensions {dimensions} are not distinct valid axes of an "
                         f"array of shape {ops[0].shape}")
    shape = tuple(d for i, d in enumerate(ops[0].shape) if i not in dimensions)
    return [ShapedArray(shape, o.dtype, o.weak_type and i.weak_type)
            for o, i in zip(ops, inits)]


def _reduce_lowering(ctx, *args, jaxpr, consts, dimensions):
    n = len(args) // 2
    scalars = [ShapedArray((), a.dtype) for a in ctx.avals_in[n:]]
    return ctx.op("stablehlo.reduce", list(args), list(ctx.avals_out),
                  attrs={"dimensions": i64_array(dimensions)},
                  regions=[_region(ctx, jaxpr, consts, n, scalars)])


def _reduce_batch(axis_data, args, dims, *, jaxpr, consts, dimensions):
    n = len(args) // 2
    if any(d is not None for d in dims[n:]):
        raise NotImplementedError("reduce batching is not implemented for batched init "
                                  "values")
    ops = [batching.bdim_at_front(x, d, axis_data.size) for x, d in zip(args[:n], dims[:n])]
    outs = reduce_p.bind(*ops, *args[n:], jaxpr=jaxpr, consts=consts,
                         dimensions=tuple(d + 1 for d in dimensions))
    return outs, [0] * n


def _reduce_jvp(primals, tangents, *, jaxpr, consts, dimensions):
    """JAX's rule: reduce pairwise in a tree (halving the reduced axis each step, padding
    odd halves with the init values), differentiating the computation at each step."""
    n = len(primals) // 2
    if not all(ad.is_zero(t) for t in tangents[n:]):
        raise NotImplementedError("Gradient of general lax.reduce with non-zero tangents for "
                                  "initial values to reduction not implemented")
    xs, inits = list(primals[:n]), list(primals[n:])
    shape = get_aval(xs[0]).shape
    kept = [i for i in range(len(shape)) if i not in dimensions]
    size = int(np.prod([shape[d] for d in dimensions], dtype=np.int64))
    perm = tuple(dimensions) + tuple(kept)
    new_shape = (size,) + tuple(shape[i] for i in kept)
    xs = [reshape(transpose(x, perm), new_shape) for x in xs]
    ts = [reshape(transpose(ad.instantiate(t), perm), new_shape) for t in tangents[:n]]

    def scalar_fn(*args):   # (x_1..x_n, y_1..y_n) -> n outputs, on scalars
        return eval_jaxpr(jaxpr.jaxpr, [], *consts, *args)
    step = scalar_fn
    for _ in range(len(new_shape)):
        step = batching.vmap(step)

    def tree(*vals):
        vals = list(vals)
        while get_aval(vals[0]).shape[0] > 1:
            m = get_aval(vals[0]).shape[0]
            m1 = (m + 1) // 2
            first = [slice_in_dim(v, 0, m1) for v in vals]
            second = [slice_in_dim(v, m1, m) for v in vals]
            if m - m1 != m1:
                config = [(0, 1, 0)] + [(0, 0, 0)] * (len(new_shape) - 1)
                second = [pad(v, i, config) for v, i in zip(second, inits)]
            vals = list(step(*first, *second))
        if get_aval(vals[0]).shape[0] == 0:
            return [full(new_shape[1:], i, get_aval(i).dtype) for i in inits]
        return [squeeze(v, (0,)) for v in vals]
    p_out, t_out = ad.jvp_flat(tree, xs, ts)
    return p_out, t_out


abstract_eval_rules[reduce_p] = _reduce_abstract_eval
lowering_rules[reduce_p] = _reduce_lowering
ad.jvp_rules[reduce_p] = _reduce_jvp
batching.batch_rules[reduce_p] = _reduce_batch


# ---------------------------------------------------------------------------
# reduce_precision


def reduce_precision(operand, exponent_bits, mantissa_bits):
    """Round ``operand`` to a float format with ``exponent_bits`` and ``mantissa_bits``
    (keeping its dtype): e.g. ``(5, 10)`` is float16's, ``(8, 7)`` bfloat16's. Lowers to
    ``stablehlo.reduce_precision``; its derivative passes the tangent through the same
    rounding (JAX's rule)."""
    try:
        exponent_bits = operator.index(exponent_bits)
        mantissa_bits = operator.index(mantissa_bits)
    except TypeError:
        raise TypeError(f"reduce_precision: exponent_bits and mantissa_bits must be concrete "
                        f"ints, got {exponent_bits!r} and {mantissa_bits!r}") from None
    return reduce_precision_p.bind(operand, exponent_bits=exponent_bits,
                                   mantissa_bits=mantissa_bits)


reduce_precision_p = Primitive("reduce_precision")


def _reduce_precision_abstract_eval(x, *, exponent_bits, mantissa_bits):
    if not dtypes.is_float(x.dtype):
        raise TypeError(f"reduce_precision does not accept dtype {x.dtype.name}. Accepted "
                        f"dtypes are subtypes of floating.")
    if exponent_bits < 1:
        raise ValueError(f"reduce_precision: exponent_bits must be positive; got "
                         f"{exponent_bits}")
    if mantissa_bits < 0:
        raise ValueError(f"reduce_precision: mantissa_bits must be non-negative; got "
                         f"{mantissa_bits}")
    return x


abstract_eval_rules[reduce_precision_p] = _reduce_precision_abstract_eval
lowering_rules[reduce_precision_p] = lambda ctx, x, *, exponent_bits, mantissa_bits: ctx.op(
    "stablehlo.reduce_precision", [x],
    attrs={"exponent_bits": f"{exponent_bits} : i32", "mantissa_bits": f"{mantissa_bits} : i32"})
ad.deflinear(reduce_precision_p,
             lambda ct, x, **params: [ad.Zero(x.aval) if ad.is_zero(ct)
                                      else reduce_precision_p.bind(ct, **params)])
batching.defvectorized(reduce_precision_p)
