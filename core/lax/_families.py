"""Registrar helpers for the common primitive shapes (rules are data).

``naryop`` makes an elementwise primitive in one line: it builds the
Primitive, its shape/dtype rule and, when given an op name, its lowering.
``compare_op`` does the same for comparisons (boolean result). The rules
follow JAX's lax:

- operands must share one dtype (glassbox.numpy promotes first);
- the result is weakly typed only if every operand is;
- Python scalars are weakly typed values of their default dtype (``1`` is a
  weak int32), never converted to the other operand's dtype: ``lax.add(int8,
  1)`` is a TypeError as in JAX;
- ``nary_args`` (called by every wrapper) broadcasts rank-0 operands and
  size-1 dimensions, as lax does, with explicit ``broadcast_in_dim``
  equations; so the primitives themselves see equal shapes only, which keeps
  their jvp, transpose and batching rules free of broadcasting.

``lower_fun`` turns a Python function over lax wrappers into a lowering rule
(it is traced when lowered), for ops that expand into several StableHLO ops.

Batching: every ``naryop`` primitive gets the broadcasting batching rule
(operands of one shape: batch dims are aligned, unbatched operands are
broadcast), as JAX's ``naryop`` does. jvp/transpose rules are registered
beside each primitive; ``defjvp_zero`` is the one for piecewise-constant ops.
"""
import numpy as np

from .. import dtypes
from ..interpreters import ad, batching
from ..core import (Primitive, ShapedArray, abstract_eval_rules, get_aval, set_current_trace,
                    sharding_rules)
from ..interpreters.lowering import lowering_rules, simple_lowering
from ..interpreters.tracing import JaxprTrace
from .shape import broadcast_in_dim
from . import typed_shardings


# --- dtype groups accepted by elementwise primitives -------------------------

def _kinds(*preds):
    def accepts(dtype):
        return any(p(dtype) for p in preds)
    return accepts


def is_bool(dtype):
    return np.dtype(dtype) == np.bool_


def is_signed_int(dtype):
    return dtypes.is_int(dtype) and not dtypes.is_unsigned(dtype)


floating = _kinds(dtypes.is_float)
complex_ = _kinds(dtypes.is_complex)
inexact = _kinds(dtypes.is_float, dtypes.is_complex)
integer = _kinds(dtypes.is_int)
int_or_bool = _kinds(dtypes.is_int, is_bool)
signed_num = _kinds(is_signed_int, dtypes.is_float, dtypes.is_complex)
numeric = _kinds(dtypes.is_int, dtypes.is_float, dtypes.is_complex)
real_num = _kinds(dtypes.is_int, dtypes.is_float)
ordered = _kinds(dtypes.is_int, dtypes.is_float, is_bool)
any_dtype = _kinds(lambda d: True)
complex_parts = _kinds(lambda d: np.dtype(d) in (dtypes.float32, dtypes.float64))
complex_or_parts = _kinds(dtypes.is_complex, complex_parts)

_GROUP_NAMES = {
    floating: "floating", complex_: "complex", inexact: "floating or complex",
    integer: "integer", int_or_bool: "integer or boolean",
    signed_num: "signed integer, floating or complex", numeric: "numeric (not boolean)",
    real_num: "integer or floating", ordered: "integer, floating or boolean",
    any_dtype: "any", complex_parts: "float32 or float64",
    complex_or_parts: "float32, float64 or complex",
}


def group_name(accepts):
    return _GROUP_NAMES.get(accepts, "other")


def check_dtypes(prim_name, accepts, avals):
    """Raise a TypeError naming the primitive, the argument and what it accepts."""
    for i, a in enumerate(avals):
        if not accepts(a.dtype):
            raise TypeError(f"{prim_name} does not accept dtype {a.dtype.name} (argument {i}); "
                            f"it accepts {group_name(accepts)} dtypes")


def check_same_dtypes(prim_name, avals):
    dtype = avals[0].dtype
    if any(a.dtype != dtype for a in avals[1:]):
        raise TypeError(f"{prim_name} requires arguments to have the same dtypes, got "
                        + ", ".join(a.dtype.name for a in avals)
                        + " (convert one with .astype, or use glassbox.numpy, which promotes)")


def broadcast_shapes(prim_name, avals):
    """The result shape under lax's broadcasting: rank-0 operands and size-1 dims only."""
    shapes = [a.shape for a in avals if a.shape]
    if not shapes:
        return ()
    if len({len(s) for s in shapes}) != 1:
        raise TypeError(f"{prim_name}: arrays must have the same number of dimensions, got "
                        + ", ".join(str(a.shape) for a in avals)
                        + " (lax broadcasts only scalars and size-1 dimensions; "
                          "glassbox.numpy broadcasts ranks too)")
    out = []
    for dims in zip(*shapes):
        sizes = {d for d in dims if d != 1}
        if len(sizes) > 1:
            raise TypeError(f"{prim_name} got incompatible shapes for broadcasting: "
                            + ", ".join(str(s) for s in shapes) + ".")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def check_same(prim_name, avals):
    """Equal dtypes and equal shapes: what an elementwise primitive accepts.

    The lax wrappers broadcast scalars and size-1 dimensions before binding
    (``nary_args``), so the primitives themselves only ever see equal shapes.
    """
    check_same_dtypes(prim_name, avals)
    shape = avals[0].shape
    if any(a.shape != shape for a in avals[1:]):
        raise TypeError(f"{prim_name} requires arguments of equal shapes, got "
                        + ", ".join(str(a.shape) for a in avals)
                        + " (the lax wrappers broadcast scalars and size-1 dimensions; "
                          "glassbox.numpy broadcasts fully)")


def elementwise_abstract_eval(prim_name, accepts, result_dtype=None):
    """Shape/dtype rule of an n-ary elementwise primitive."""
    def rule(*avals, **params):
        check_dtypes(prim_name, accepts, avals)
        check_same(prim_name, avals)
        dtype = avals[0].dtype if result_dtype is None else np.dtype(result_dtype(avals[0].dtype))
        return ShapedArray(avals[0].shape, dtype, all(a.weak_type for a in avals))
    rule.__name__ = f"_{prim_name}_abstract_eval"
    return rule


# --- what the lax wrappers do before binding ---------------------------------

def nary_args(prim_name, args):
    """Arguments of an elementwise lax wrapper, ready to bind.

    Python scalars are not converted to the other operands' dtype: like JAX's
    lax, ``1`` is a weak int32 and ``1.0`` a weak float32 (64-bit with x64), so
    ``lax.add(int8_array, 1)`` is a TypeError (``jnp.add`` promotes instead),
    while ``lax.add(float32_array, 1.0)`` is float32 (strong: weak only if every
    operand is). Rank-0 operands and size-1 dimensions broadcast to the common
    shape (lax's implicit broadcasting), with explicit ``broadcast_in_dim`` ops.
    """
    first = getattr(args[0], "aval", None)
    if first is not None:   # fast path: arrays of one type need nothing (no generator: hot)
        for a in args[1:]:
            aval = getattr(a, "aval", None)
            if aval is not first and aval != first:
                break
        else:
            return args
    avals = [get_aval(a) for a in args]
    shape = avals[0].shape
    if all(a.shape == shape for a in avals):
        return args
    shape = broadcast_shapes(prim_name, avals)
    return [a if av.shape == shape else
            broadcast_in_dim(a, shape, () if not av.shape else tuple(range(len(shape))))
            for a, av in zip(args, avals)]


# --- lowering helpers --------------------------------------------------------

def broadcast_operand(ctx, x, aval, shape):
    """``x`` (of type ``aval``) broadcast to ``shape`` with ``stablehlo.broadcast_in_dim``."""
    if aval.shape == tuple(shape):
        return x
    dims = "array<i64>" if not aval.shape else (
        "array<i64: " + ", ".join(str(i) for i in range(aval.ndim)) + ">")
    return ctx.op("stablehlo.broadcast_in_dim", [x], aval.update(shape=tuple(shape)),
                  attrs={"broadcast_dimensions": dims})


def full_like_aval(ctx, value, aval):
    """A constant array of type ``aval`` filled with ``value`` (a splat + broadcast)."""
    scalar = ctx.constant(np.array(value, aval.dtype), aval.update(shape=()))
    return broadcast_operand(ctx, scalar, aval.update(shape=()), aval.shape)


def lower_fun(fun):
    """A lowering rule that traces ``fun(*operands, **params)`` (lax code) and inlines it.

    This is how ops that JAX expands at lowering time (complex sin, logistic)
    are written here: in lax, not by hand in StableHLO.
    """
    def rule(ctx, *args, **params):
        return lower_traced(ctx, lambda *xs, **ps: [fun(*xs, **ps)], list(args), **params)[0]
    rule.__name__ = f"_lower_via_{getattr(fun, '__name__', 'fun')}"
    return rule


def lower_traced(ctx, fun, args, **params):
    """Trace ``fun`` (lax code returning a list) on the equation's input avals and inline
    the result into the module being lowered; returns the output value names."""
    trace = JaxprTrace(getattr(fun, "__name__", "lowered"))
    tracers = [trace.new_arg(aval) for aval in ctx.avals_in]
    try:
        with set_current_trace(trace):
            outs = fun(*tracers, **params)
    finally:
        trace.finished = True
    closed = trace.to_jaxpr(list(outs))
    return ctx.lower_jaxpr(closed.jaxpr, closed.consts, list(args))


def compare_type(dtype):
    """The ``compare_type`` attribute JAX uses for comparing values of ``dtype``."""
    if dtypes.is_inexact(dtype):
        kind = "FLOAT"
    elif is_signed_int(dtype):
        kind = "SIGNED"
    else:
        kind = "UNSIGNED"   # unsigned ints and bool
    return f"#stablehlo<comparison_type {kind}>"


def compare(ctx, x, y, direction, aval, result_aval=None):
    """Emit ``stablehlo.compare`` of two operands of type ``aval`` (same shape)."""
    result_aval = result_aval or aval.update(dtype=np.bool_)
    return ctx.op("stablehlo.compare", [x, y], result_aval,
                  attrs={"comparison_direction": f"#stablehlo<comparison_direction {direction}>",
                         "compare_type": compare_type(aval.dtype)})


# --- registrars --------------------------------------------------------------

def naryop(name, accepts, lowering=None, result_dtype=None, **attrs):
    """An elementwise primitive: shape/dtype rule and (with ``lowering``) a one-op lowering.

    ``lowering`` is a StableHLO/CHLO op name or a ready lowering rule.
    """
    prim = Primitive(name)
    abstract_eval_rules[prim] = elementwise_abstract_eval(name, accepts, result_dtype)
    sharding_rules[prim] = typed_shardings.elementwise(name)
    if isinstance(lowering, str):
        lowering_rules[prim] = simple_lowering(lowering, **attrs)
    elif lowering is not None:
        lowering_rules[prim] = lowering
    batching.defbroadcasting(prim)
    return prim


unop = binop = naryop


def defjvp_zero(prim):
    """jvp rule of a piecewise-constant primitive (floor, sign, comparisons...): a zero tangent.

    The tangent is the symbolic ``ad.Zero`` (of the output's tangent type; integer
    and bool outputs have none), as JAX's ``ad.defjvp_zero``.
    """
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        aval = get_aval(out)
        return out, ad.zero_tangent(aval)
    rule.__name__ = f"_{prim.name}_jvp_zero"
    ad.jvp_rules[prim] = rule


def compare_op(name, accepts, direction):
    """A comparison primitive: boolean result, ``stablehlo.compare`` lowering."""
    def lower(ctx, x, y):
        return compare(ctx, x, y, direction, ctx.avals_in[0], ctx.avals_out[0])
    lower.__name__ = f"_{name}_lowering"
    return naryop(name, accepts, lower, result_dtype=lambda d: np.bool_)
