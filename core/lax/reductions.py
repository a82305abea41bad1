"""Reduction primitives: ``reduce_sum/prod/max/min/and/or/xor``, ``argmax``/``argmin``
and the cumulative reductions ``cumsum/cumprod/cummax/cummin/cumlogsumexp``.

One section per primitive family: public wrappers (with docstrings), the
``*_p`` objects, their shape/dtype rules and lowerings. Reductions lower to
``stablehlo.reduce`` whose region applies the monoid (add, multiply, max...)
and whose init value is the monoid's identity (0, 1, -inf, iinfo.min...).

Cumulative reductions lower, as JAX does on CPU, to a parallel prefix scan
(Blelloch's ``associative_scan``: strided slices, the combine op, padding and
concatenation): the same operations in the same order as JAX, hence the same
rounding (a sequential sum would differ from JAX's ``cumsum`` in the last bits).

Derivatives follow JAX: ``reduce_sum`` and ``cumsum`` are linear (transposes:
broadcast, reverse cumsum); ``reduce_max/min`` share the tangent equally among
ties; ``reduce_prod`` and the other cumulative ops differentiate a tree/scan of
pairwise steps; integer results (argmax, bitwise reductions) have no tangent.
Batching shifts the ``axes``/``axis`` parameter past the batch dim, moving no data.
"""
import operator

import numpy as np

from .. import dtypes
from ..interpreters import ad, batching
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval, sharding_rules
from ..interpreters.lowering import i64_array, lowering_rules
from . import bitwise as _bw
from . import typed_shardings
from . import elementwise as _ew
from . import shape as _shape
from . import slicing as _sl   # a module: slicing imports this one too

# ---------------------------------------------------------------------------
# Lowering helpers shared by the reductions (and by sort.py)


def compare_type(dtype):
    """The ``compare_type`` StableHLO wants for a dtype (as JAX picks it)."""
    dtype = np.dtype(dtype)
    if dtypes.is_inexact(dtype):
        return "FLOAT"
    if dtype == np.bool_ or dtypes.is_unsigned(dtype):
        return "UNSIGNED"
    return "SIGNED"


def emit_compare(ctx, x, y, direction, aval, total_order=False):
    """``stablehlo.compare`` of two values of type ``aval``; returns a bool value."""
    kind = compare_type(aval.dtype)
    if total_order and kind == "FLOAT":
        kind = "TOTALORDER"
    return ctx.op("stablehlo.compare", [x, y], aval.update(dtype=np.bool_, weak_type=False),
                  attrs={"comparison_direction": f"#stablehlo<comparison_direction {direction}>",
                         "compare_type": f"#stablehlo<comparison_type {kind}>"})


_BOOL = ShapedArray((), np.bool_)


def scalar(aval):
    """The rank-0 aval with ``aval``'s dtype."""
    return ShapedArray((), aval.dtype)


def max_identity(dtype):
    """The identity of ``max``: -inf for floats (their lowest value without one), the
    smallest int, False."""
    return np.array(dtypes.extremes(dtype)[0], dtype)


def min_identity(dtype):
    """The identity of ``min``: +inf for floats (their highest without one), the largest
    int, True."""
    return np.array(dtypes.extremes(dtype)[1], dtype)


def _canonical_axes(axes, ndim, name):
    try:
        axes = tuple(operator.index(a) for a in axes)
    except TypeError:
        raise TypeError(f"{name}: axes must be a sequence of ints, got {axes!r}") from None
    out = []
    for a in axes:
        if not -ndim <= a < ndim:
            raise ValueError(f"{name}: axis {a} is out of bounds for an array of rank {ndim}")
        out.append(a % ndim)
    return tuple(out)


# ---------------------------------------------------------------------------
# reduce_sum, reduce_prod, reduce_max, reduce_min, reduce_and, reduce_or, reduce_xor


def _reduce_shape_rule(name, accepts, allowed):
    def rule(x, *, axes):
        if not accepts(x.dtype):
            raise TypeError(f"{name} does not accept dtype {x.dtype.name}; it accepts "
                            f"{allowed} dtypes")
        if len(set(axes)) != len(axes) or any(not 0 <= a < x.ndim for a in axes):
            raise ValueError(f"{name}: axes {axes} are not distinct valid axes of an array of "
                             f"shape {x.shape}")
        shape = tuple(d for i, d in enumerate(x.shape) if i not in axes)
        return ShapedArray(shape, x.dtype, x.weak_type)
    return rule


def _reduce_lowering(combine, identity):
    def rule(ctx, x, *, axes):
        (aval_in,), (aval_out,) = ctx.avals_in, ctx.avals_out
        s = scalar(aval_in)
        init = ctx.constant(identity(aval_in.dtype), s)
        body = lambda inner, a, b: combine(inner, a, b, s)  # noqa: E731
        return ctx.op("stablehlo.reduce", [x, init], aval_out,
                      attrs={"dimensions": i64_array(axes)}, regions=[ctx.region([s, s], body)])
    return rule


def _monoid(op_name):
    """Combine step of a reduction region: one StableHLO op."""
    return lambda ctx, a, b, aval: ctx.op(op_name, [a, b], aval)


def _extremum(op_name, direction):
    """max/min; complex numbers compare (real, imag) lexicographically, as in JAX."""
    def combine(ctx, a, b, aval):
        if not dtypes.is_complex(aval.dtype):
            return ctx.op(op_name, [a, b], aval)
        part = aval.update(dtype=np.real(np.zeros((), aval.dtype)).dtype)
        ra, rb = ctx.op("stablehlo.real", [a], part), ctx.op("stablehlo.real", [b], part)
        ia, ib = ctx.op("stablehlo.imag", [a], part), ctx.op("stablehlo.imag", [b], part)
        real_wins = emit_compare(ctx, ra, rb, direction, part)
        tie = ctx.op("stablehlo.and", [emit_compare(ctx, ra, rb, "EQ", part),
                                       emit_compare(ctx, ia, ib, direction, part)], _BOOL)
        pick_a = ctx.op("stablehlo.or", [real_wins, tie], _BOOL)
        return ctx.op("stablehlo.select", [pick_a, a, b], aval)
    return combine


_number = lambda d: dtypes.is_int(d) or dtypes.is_inexact(d)  # noqa: E731
_any = lambda d: True  # noqa: E731
_int_or_bool = lambda d: dtypes.is_int(d) or np.dtype(d) == np.bool_  # noqa: E731


def _reduction_primitive(name, accepts, allowed, combine, identity):
    prim = Primitive(name)
    abstract_eval_rules[prim] = _reduce_shape_rule(name, accepts, allowed)
    sharding_rules[prim] = typed_shardings.reduction
    lowering_rules[prim] = _reduce_lowering(combine, identity)
    return prim


def _bind_reduce(prim, operand, axes):
    axes = _canonical_axes(axes, get_aval(operand).ndim, prim.name)
    return prim.bind(operand, axes=axes)


def reduce_sum(operand, axes):
    """Sum of ``operand`` over ``axes``. Lowers to ``stablehlo.reduce`` with ``stablehlo.add``.

    Example: ``reduce_sum(jnp.ones((2, 3)), (1,))`` is ``[3., 3.]``.
    """
    return _bind_reduce(reduce_sum_p, operand, axes)


def reduce_prod(operand, axes):
    """Product over ``axes``. Lowers to ``stablehlo.reduce`` with ``stablehlo.multiply``."""
    return _bind_reduce(reduce_prod_p, operand, axes)


def reduce_max(operand, axes):
    """Maximum over ``axes`` (NaN propagates). Lowers to ``stablehlo.reduce`` with
    ``stablehlo.maximum``, starting from -inf (or the smallest integer)."""
    return _bind_reduce(reduce_max_p, operand, axes)


def reduce_min(operand, axes):
    """Minimum over ``axes`` (NaN propagates). Lowers to ``stablehlo.reduce`` with
    ``stablehlo.minimum``, starting from +inf (or the largest integer)."""
    return _bind_reduce(reduce_min_p, operand, axes)


def reduce_and(operand, axes):
    """Bitwise/logical AND over ``axes`` (bool or integer operands). ``stablehlo.and``."""
    return _bind_reduce(reduce_and_p, operand, axes)


def reduce_or(operand, axes):
    """Bitwise/logical OR over ``axes`` (bool or integer operands). ``stablehlo.or``."""
    return _bind_reduce(reduce_or_p, operand, axes)


def reduce_xor(operand, axes):
    """Bitwise/logical XOR over ``axes`` (bool or integer operands). ``stablehlo.xor``."""
    return _bind_reduce(reduce_xor_p, operand, axes)


reduce_sum_p = _reduction_primitive("reduce_sum", _number, "numeric",
                                    _monoid("stablehlo.add"), lambda d: np.array(0, d))
reduce_prod_p = _reduction_primitive("reduce_prod", _number, "numeric",
                                     _monoid("stablehlo.multiply"), lambda d: np.array(1, d))
reduce_max_p = _reduction_primitive("reduce_max", _any, "any",
                                    _extremum("stablehlo.maximum", "GT"), max_identity)
reduce_min_p = _reduction_primitive("reduce_min", _any, "any",
                                    _extremum("stablehlo.minimum", "LT"), min_identity)
reduce_and_p = _reduction_primitive("reduce_and", _int_or_bool, "integer or boolean",
                                    _monoid("stablehlo.and"), lambda d: np.array(-1).astype(d))
reduce_or_p = _reduction_primitive("reduce_or", _int_or_bool, "integer or boolean",
                                   _monoid("stablehlo.or"), lambda d: np.array(0, d))
reduce_xor_p = _reduction_primitive("reduce_xor", _int_or_bool, "integer or boolean",
                                    _monoid("stablehlo.xor"), lambda d: np.array(0, d))


# --- differentiation and batching of the reductions ---------------------------------


def _kept_dims(ndim, axes):
    return tuple(d for d in range(ndim) if d not in axes)


def _reduce_batch_rule(prim):
    """Reductions keep the batch dim where it is: shift ``axes`` past it (JAX's reducer)."""
    def rule(axis_data, args, dims, *, axes, **params):
        (x,), (bdim,) = args, dims
        axes = tuple(a + (a >= bdim) for a in axes)
        kept = _kept_dims(get_aval(x).ndim, axes)
        return prim.bind(x, axes=axes, **params), kept.index(bdim)
    return rule


def _zero_tangent_jvp(prim):
    """Integer/boolean results (argmax, bitwise reductions) have no tangent."""
    def rule(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        return out, ad.Zero(get_aval(out))
    return rule


def _reduce_sum_transpose(ct, x, *, axes):
    aval = x.aval
    if ad.is_zero(ct):
        return [ad.Zero(aval)]
    return [_shape.broadcast_in_dim(ct, aval.shape, _kept_dims(aval.ndim, axes))]


def _reduce_prod_jvp(primals, tangents, *, axes):
    """Product and its tangent by a tree of pairwise products (as JAX), exact with zeros."""
    (x,), (t,) = primals, tangents
    aval = get_aval(x)
    kept = _kept_dims(aval.ndim, axes)
    out_shape = tuple(aval.shape[d] for d in kept)
    n = int(np.prod([aval.shape[a] for a in axes], dtype=np.int64))
    # Reduced axes to the front, flattened to one.
    new_shape = (n,) + out_shape
    x = _shape.reshape(x, new_shape, tuple(axes) + kept)
    t = _shape.reshape(t, new_shape, tuple(axes) + kept)
    while get_aval(x).shape[0] > 1:
        m = get_aval(x).shape[0]
        half = (m + 1) // 2
        x1, x2 = _sl.slice_in_dim(x, 0, half), _sl.slice_in_dim(x, half, m)
        t1, t2 = _sl.slice_in_dim(t, 0, half), _sl.slice_in_dim(t, half, m)
        if m - half != half:
            config = [(0, 1, 0)] + [(0, 0, 0)] * len(out_shape)
            x2, t2 = _shape.pad(x2, 1, config), _shape.pad(t2, 0, config)
        x, t = _ew.mul(x1, x2), ad.add_tangents(_ew.mul(t1, x2), _ew.mul(x1, t2))
    if n == 0:
        return (_shape.broadcast_in_dim(np.array(1, aval.dtype), out_shape, ()),
                ad.Zero(ad.tangent_aval(aval.update(shape=out_shape))))
    return _shape.reshape(x, out_shape), _shape.reshape(t, out_shape)


def _reduce_chooser_jvp(t, out, x, *, axes):
    """max/min: the tangent averaged over the positions that attain the extremum (JAX)."""
    aval = get_aval(x)
    out_b = _shape.broadcast_in_dim(out, aval.shape, _kept_dims(aval.ndim, axes))
    where = _ew.convert_element_type(_bw.eq(x, out_b), get_aval(t).dtype)
    counts = reduce_sum(where, axes)
    return _ew.div(reduce_sum(_ew.mul(t, where), axes), counts)


ad.deflinear(reduce_sum_p, _reduce_sum_transpose)
batching.batch_rules[reduce_sum_p] = _reduce_batch_rule(reduce_sum_p)
ad.jvp_rules[reduce_prod_p] = _reduce_prod_jvp
batching.batch_rules[reduce_prod_p] = _reduce_batch_rule(reduce_prod_p)
ad.defjvp_with_output(reduce_max_p, _reduce_chooser_jvp)
batching.batch_rules[reduce_max_p] = _reduce_batch_rule(reduce_max_p)
ad.defjvp_with_output(reduce_min_p, _reduce_chooser_jvp)
batching.batch_rules[reduce_min_p] = _reduce_batch_rule(reduce_min_p)
ad.jvp_rules[reduce_and_p] = _zero_tangent_jvp(reduce_and_p)
batching.batch_rules[reduce_and_p] = _reduce_batch_rule(reduce_and_p)
ad.jvp_rules[reduce_or_p] = _zero_tangent_jvp(reduce_or_p)
batching.batch_rules[reduce_or_p] = _reduce_batch_rule(reduce_or_p)
ad.jvp_rules[reduce_xor_p] = _zero_tangent_jvp(reduce_xor_p)
batching.batch_rules[reduce_xor_p] = _reduce_batch_rule(reduce_xor_p)


# ---------------------------------------------------------------------------
# argmax, argmin


def argmax(operand, axis, index_dtype):
    """Index of the maximum along ``axis`` (first occurrence on ties; NaN counts as the
    maximum, as in NumPy). Lowers to a variadic ``stablehlo.reduce`` over
    (value, ``stablehlo.iota``) pairs, the way JAX does.
    """
    return _bind_arg(argmax_p, operand, axis, index_dtype)


def argmin(operand, axis, index_dtype):
    """Index of the minimum along ``axis`` (first occurrence on ties; NaN counts as the
    minimum, as in NumPy). Lowers like ``argmax`` with the comparison reversed.
    """
    return _bind_arg(argmin_p, operand, axis, index_dtype)


def _bind_arg(prim, operand, axis, index_dtype):
    ndim = get_aval(operand).ndim
    (axis,) = _canonical_axes((axis,), ndim, prim.name)
    return prim.bind(operand, axes=(axis,), index_dtype=dtypes.canonicalize_dtype(index_dtype))


def _argminmax_shape_rule(name):
    def rule(x, *, axes, index_dtype):
        (axis,) = axes
        if not 0 <= axis < x.ndim:
            raise ValueError(f"{name}: invalid axis {axis} for operand shape {x.shape}")
        if x.shape[axis] < 1:
            raise ValueError(f"{name} requires a non-empty reduced dimension: operand shape "
                             f"{x.shape}, axis={axis}")
        if not dtypes.is_int(index_dtype):
            raise TypeError(f"{name}: index_dtype must be an integer type, got "
                            f"{np.dtype(index_dtype).name}")
        if dtypes.is_complex(x.dtype):
            raise TypeError(f"{name} does not accept complex operands ({x.dtype.name})")
        shape = tuple(d for i, d in enumerate(x.shape) if i != axis)
        return ShapedArray(shape, index_dtype, False)
    return rule


def _argminmax_lowering(direction, identity):
    def rule(ctx, x, *, axes, index_dtype):
        (aval_in,), (aval_out,) = ctx.avals_in, ctx.avals_out
        idx_aval = ShapedArray(aval_in.shape, index_dtype)
        iota = ctx.op("stablehlo.iota", [], idx_aval,
                      attrs={"iota_dimension": f"{axes[0]} : i64"})
        sv, si = scalar(aval_in), ShapedArray((), index_dtype)
        init_v = ctx.constant(identity(aval_in.dtype), sv)
        init_i = ctx.constant(np.array(0, index_dtype), si)

        def body(c, xv, xi, yv, yi):
            # Pick x's value if it beats y's or is NaN; on equal values keep the lower index.
            pick_v = c.op("stablehlo.or", [emit_compare(c, xv, yv, direction, sv),
                                           emit_compare(c, xv, xv, "NE", sv)], _BOOL)
            tie = c.op("stablehlo.and", [emit_compare(c, xv, yv, "EQ", sv),
                                         emit_compare(c, xi, yi, "LT", si)], _BOOL)
            pick_i = c.op("stablehlo.or", [pick_v, tie], _BOOL)
            return [c.op("stablehlo.select", [pick_v, xv, yv], sv),
                    c.op("stablehlo.select", [pick_i, xi, yi], si)]
        outs = ctx.op("stablehlo.reduce", [x, iota, init_v, init_i],
                      [aval_out.update(dtype=aval_in.dtype), aval_out],
                      attrs={"dimensions": i64_array(axes)},
                      regions=[ctx.region([sv, si, sv, si], body)])
        return outs[1]
    return rule


argmax_p = Primitive("argmax")
abstract_eval_rules[argmax_p] = _argminmax_shape_rule("argmax")
sharding_rules[argmax_p] = typed_shardings.reduction
lowering_rules[argmax_p] = _argminmax_lowering("GT", max_identity)
ad.jvp_rules[argmax_p] = _zero_tangent_jvp(argmax_p)   # an index: no tangent
batching.batch_rules[argmax_p] = _reduce_batch_rule(argmax_p)

argmin_p = Primitive("argmin")
abstract_eval_rules[argmin_p] = _argminmax_shape_rule("argmin")
sharding_rules[argmin_p] = typed_shardings.reduction
lowering_rules[argmin_p] = _argminmax_lowering("LT", min_identity)
ad.jvp_rules[argmin_p] = _zero_tangent_jvp(argmin_p)
batching.batch_rules[argmin_p] = _reduce_batch_rule(argmin_p)


# ---------------------------------------------------------------------------
# Cumulative reductions: cumsum, cumprod, cummax, cummin, cumlogsumexp


def cumsum(operand, axis=0, reverse=False):
    """Cumulative sum along ``axis`` (from the end if ``reverse``).

    Lowers, as JAX does on CPU, to a parallel prefix scan built from
    ``stablehlo.slice``/``add``/``pad``/``concatenate``.
    """
    return _bind_cum(cumsum_p, operand, axis, reverse)


def cumprod(operand, axis=0, reverse=False):
    """Cumulative product along ``axis``. Lowers to a prefix scan of ``stablehlo.multiply``."""
    return _bind_cum(cumprod_p, operand, axis, reverse)


def cummax(operand, axis=0, reverse=False):
    """Cumulative maximum along ``axis``. Lowers to a prefix scan of ``stablehlo.maximum``."""
    return _bind_cum(cummax_p, operand, axis, reverse)


def cummin(operand, axis=0, reverse=False):
    """Cumulative minimum along ``axis``. Lowers to a prefix scan of ``stablehlo.minimum``."""
    return _bind_cum(cummin_p, operand, axis, reverse)


def cumlogsumexp(operand, axis=0, reverse=False):
    """Cumulative ``log(sum(exp(x)))`` along ``axis`` (floating operands).

    Lowers to a prefix scan whose combine step is JAX's stable ``logaddexp``:
    ``max(a, b) + log1p(exp(-|a - b|))`` (``a + b`` where that difference is NaN).
    """
    return _bind_cum(cumlogsumexp_p, operand, axis, reverse)


def _bind_cum(prim, operand, axis, reverse):
    ndim = get_aval(operand).ndim
    (axis,) = _canonical_axes((axis,), ndim, prim.name) if ndim else (operator.index(axis),)
    return prim.bind(operand, axis=axis, reverse=bool(reverse))


def _cum_shape_rule(name, accepts, allowed):
    def rule(x, *, axis, reverse):
        if not 0 <= axis < x.ndim:
            raise ValueError(f"{name}: axis {axis} is out of bounds for array of shape "
                             f"{x.shape}")
        if not accepts(x.dtype):
            raise TypeError(f"{name} does not accept dtype {x.dtype.name}. Accepted dtypes "
                            f"are {allowed}.")
        return x
    return rule


class _V:
    """An SSA value with its aval, for the scan emitter below."""

    __slots__ = ("name", "aval")

    def __init__(self, name, aval):
        self.name, self.aval = name, aval


def _emit_slice(ctx, v, axis, start, limit, stride=1):
    shape = v.aval.shape
    starts, limits, strides = [0] * len(shape), list(shape), [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, limit, stride
    n = max(0, -(-(limit - start) // stride))
    aval = v.aval.update(shape=shape[:axis] + (n,) + shape[axis + 1:])
    name = ctx.op("stablehlo.slice", [v.name], aval,
                  attrs={"start_indices": i64_array(starts), "limit_indices": i64_array(limits),
                         "strides": i64_array(strides)})
    return _V(name, aval)


def _emit_pad(ctx, v, axis, low, high, interior):
    shape = v.aval.shape
    lows, highs, inner = [0] * len(shape), [0] * len(shape), [0] * len(shape)
    lows[axis], highs[axis], inner[axis] = low, high, interior
    n = shape[axis]
    size = low + high + n + max(0, n - 1) * interior
    aval = v.aval.update(shape=shape[:axis] + (size,) + shape[axis + 1:])
    zero = ctx.constant(np.array(0, v.aval.dtype), scalar(v.aval))
    name = ctx.op("stablehlo.pad", [v.name, zero], aval,
                  attrs={"edge_padding_low": i64_array(lows), "edge_padding_high": i64_array(highs),
                         "interior_padding": i64_array(inner)})
    return _V(name, aval)


def _emit_reverse(ctx, v, axis):
    return _V(ctx.op("stablehlo.reverse", [v.name], v.aval,
                     attrs={"dimensions": i64_array([axis])}), v.aval)


def _binary(op_name):
    def combine(ctx, a, b):
        return _V(ctx.op(op_name, [a.name, b.name], a.aval), a.aval)
    return combine


def _logaddexp(ctx, a, b):
    """JAX's logaddexp as StableHLO ops (same op sequence, same rounding)."""
    av = a.aval
    amax = ctx.op("stablehlo.maximum", [a.name, b.name], av)
    delta = ctx.op("stablehlo.subtract", [a.name, b.name], av)
    isnan = emit_compare(ctx, delta, delta, "NE", av)
    total = ctx.op("stablehlo.add", [a.name, b.name], av)
    neg = ctx.op("stablehlo.negate", [ctx.op("stablehlo.abs", [delta], av)], av)
    soft = ctx.op("stablehlo.log_plus_one", [ctx.op("stablehlo.exponential", [neg], av)], av)
    other = ctx.op("stablehlo.add", [amax, soft], av)
    return _V(ctx.op("stablehlo.select", [isnan, total, other], av), av)


def _associative_scan(ctx, combine, elem, axis):
    """Blelloch's parallel prefix scan (JAX's ``lax.associative_scan``) as emitted ops."""
    n = elem.aval.shape[axis]
    if n < 2:
        return elem
    # Combine adjacent pairs, scan the half-size result, then fill in the even positions.
    reduced = combine(ctx, _emit_slice(ctx, elem, axis, 0, n - 1, 2),
                      _emit_slice(ctx, elem, axis, 1, n, 2))
    odd = _associative_scan(ctx, combine, reduced, axis)
    if n % 2 == 0:
        odd_head = _emit_slice(ctx, odd, axis, 0, odd.aval.shape[axis] - 1)
        even = combine(ctx, odd_head, _emit_slice(ctx, elem, axis, 2, n, 2))
    else:
        even = combine(ctx, odd, _emit_slice(ctx, elem, axis, 2, n, 2))
    first = _emit_slice(ctx, elem, axis, 0, 1)
    even_shape = list(even.aval.shape)
    even_shape[axis] += 1
    even_aval = even.aval.update(shape=tuple(even_shape))
    even = _V(ctx.op("stablehlo.concatenate", [first.name, even.name], even_aval,
                     attrs={"dimension": f"{axis} : i64"}), even_aval)
    return _interleave(ctx, even, odd, axis)


def _interleave(ctx, a, b, axis):
    # Pad a and b with zeros in between their elements, then add: exact for every dtype
    # (x + 0 == x; the only change is -0.0 becoming +0.0, as in JAX).
    same = a.aval.shape[axis] == b.aval.shape[axis]
    a_pad = _emit_pad(ctx, a, axis, 0, 1 if same else 0, 1)
    b_pad = _emit_pad(ctx, b, axis, 1, 0 if same else 1, 1)
    return _V(ctx.op("stablehlo.add", [a_pad.name, b_pad.name], a_pad.aval), a_pad.aval)


def _cum_lowering(combine):
    def rule(ctx, x, *, axis, reverse):
        v = _V(x, ctx.avals_in[0])
        if reverse:
            v = _emit_reverse(ctx, v, axis)
        out = _associative_scan(ctx, combine, v, axis)
        if reverse:
            out = _emit_reverse(ctx, out, axis)
        return out.name
    return rule


def _cum_primitive(name, combine, accepts=_number, allowed="numeric (not bool)"):
    prim = Primitive(name)
    abstract_eval_rules[prim] = _cum_shape_rule(name, accepts, allowed)
    sharding_rules[prim] = typed_shardings.same_as_operand
    lowering_rules[prim] = _cum_lowering(combine)
    return prim


cumsum_p = _cum_primitive("cumsum", _binary("stablehlo.add"))
cumprod_p = _cum_primitive("cumprod", _binary("stablehlo.multiply"))
cummax_p = _cum_primitive("cummax", _binary("stablehlo.maximum"),
                          lambda d: _number(d) and not dtypes.is_complex(d), "real numeric")
cummin_p = _cum_primitive("cummin", _binary("stablehlo.minimum"),
                          lambda d: _number(d) and not dtypes.is_complex(d), "real numeric")
cumlogsumexp_p = _cum_primitive("cumlogsumexp", _logaddexp, dtypes.is_float, "floating")


# --- differentiation and batching of the cumulative reductions ------------------------
#
# cumsum is linear: its transpose is a cumsum in the other direction. The others are
# differentiated, as in JAX, through the same parallel prefix scan the lowering emits,
# written here with lax ops on (primal, tangent) pairs: each combine step returns the
# combined primal and its tangent (JAX's jvp of lax.mul / lax.max / lax.min / logaddexp).


def _cumsum_transpose(ct, x, *, axis, reverse):
    if ad.is_zero(ct):
        return [ad.Zero(x.aval)]
    return [cumsum(ct, axis, not reverse)]


def _cum_batch_rule(prim):
    def rule(axis_data, args, dims, *, axis, reverse):
        (x,), (bdim,) = args, dims
        return prim.bind(x, axis=axis + (axis >= bdim), reverse=reverse), bdim
    return rule


def _mul_pair(a, b):
    (x, tx), (y, ty) = a, b
    return _ew.mul(x, y), ad.add_tangents(_ew.mul(tx, y), _ew.mul(x, ty))


def _full_like(v, value):
    aval = get_aval(v)
    return _shape.broadcast_in_dim(np.array(value, aval.dtype), aval.shape, ())


def _chooser_pair(op):
    """max/min; on ties each side gets half the tangent (JAX's ``_balanced_eq``)."""
    def combine(a, b):
        (x, tx), (y, ty) = a, b
        out = op(x, y)

        def weight(u, v):
            hit = _ew.select(_bw.eq(u, out), _full_like(out, 1), _full_like(out, 0))
            return _ew.div(hit, _ew.select(_bw.eq(v, out), _full_like(out, 2),
                                           _full_like(out, 1)))
        return out, ad.add_tangents(_ew.mul(tx, weight(x, y)), _ew.mul(ty, weight(y, x)))
    return combine


def _logaddexp_pair(a, b):
    """JAX's ``logaddexp`` and its custom jvp: t_x * exp(x - out) + t_y * exp(y - out)."""
    (x, tx), (y, ty) = a, b
    delta = _ew.sub(x, y)
    out = _ew.select(_bw.ne(delta, delta), _ew.add(x, y),
                     _ew.add(_ew.max(x, y), _ew.log1p(_ew.exp(_ew.neg(_ew.abs(delta))))))

    def no_posinf(v):   # JAX's _replace_inf: +inf -> 0, so inf - inf gives no NaN
        return _ew.select(_bw.eq(v, _full_like(v, np.inf)), _full_like(v, 0), v)
    scale = lambda v: _ew.exp(_ew.sub(no_posinf(v), no_posinf(out)))  # noqa: E731
    return out, ad.add_tangents(_ew.mul(tx, scale(x)), _ew.mul(ty, scale(y)))


def _pair_map(f, pair):
    return f(pair[0]), f(pair[1])


def _scan_pairs(combine, elem, axis):
    """``_associative_scan`` (above) on (primal, tangent) pairs, with lax ops."""
    n = get_aval(elem[0]).shape[axis]
    if n < 2:
        return elem
    sl = lambda start, stop, stride=1: (  # noqa: E731
        lambda v: _sl.slice_in_dim(v, start, stop, stride, axis))
    reduced = combine(_pair_map(sl(0, n - 1, 2), elem), _pair_map(sl(1, n, 2), elem))
    odd = _scan_pairs(combine, reduced, axis)
    if n % 2 == 0:
        m = get_aval(odd[0]).shape[axis]
        even = combine(_pair_map(sl(0, m - 1), odd), _pair_map(sl(2, n, 2), elem))
    else:
        even = combine(odd, _pair_map(sl(2, n, 2), elem))
    first = _pair_map(sl(0, 1), elem)
    even = tuple(_shape.concatenate([f, e], axis) for f, e in zip(first, even))
    return _interleave_pair(even, odd, axis)


def _interleave_pair(even, odd, axis):
    same = get_aval(even[0]).shape[axis] == get_aval(odd[0]).shape[axis]
    ndim = get_aval(even[0]).ndim
    cfg_even, cfg_odd = [(0, 0, 0)] * ndim, [(0, 0, 0)] * ndim
    cfg_even[axis], cfg_odd[axis] = (0, 1 if same else 0, 1), (1, 0 if same else 1, 1)
    (x, tx), (y, ty) = even, odd
    return (_ew.add(_shape.pad(x, 0, cfg_even), _shape.pad(y, 0, cfg_odd)),
            ad.add_tangents(_shape.pad(tx, 0, cfg_even), _shape.pad(ty, 0, cfg_odd)))


def _cum_jvp(combine):
    def rule(primals, tangents, *, axis, reverse):
        elem = (primals[0], tangents[0])
        if reverse:
            elem = _pair_map(lambda v: _shape.rev(v, (axis,)), elem)
        out = _scan_pairs(combine, elem, axis)
        if reverse:
            out = _pair_map(lambda v: _shape.rev(v, (axis,)), out)
        return out
    return rule


ad.deflinear(cumsum_p, _cumsum_transpose)
batching.batch_rules[cumsum_p] = _cum_batch_rule(cumsum_p)
ad.jvp_rules[cumprod_p] = _cum_jvp(_mul_pair)
batching.batch_rules[cumprod_p] = _cum_batch_rule(cumprod_p)
ad.jvp_rules[cummax_p] = _cum_jvp(_chooser_pair(_ew.max))
batching.batch_rules[cummax_p] = _cum_batch_rule(cummax_p)
ad.jvp_rules[cummin_p] = _cum_jvp(_chooser_pair(_ew.min))
batching.batch_rules[cummin_p] = _cum_batch_rule(cummin_p)
ad.jvp_rules[cumlogsumexp_p] = _cum_jvp(_logaddexp_pair)
batching.batch_rules[cumlogsumexp_p] = _cum_batch_rule(cumlogsumexp_p)

__all__ = [
    "reduce_sum", "reduce_sum_p", "reduce_prod", "reduce_prod_p", "reduce_max",
    "reduce_max_p", "reduce_min", "reduce_min_p", "reduce_and", "reduce_and_p", "reduce_or",
    "reduce_or_p", "reduce_xor", "reduce_xor_p", "argmax", "argmax_p", "argmin", "argmin_p",
    "cumsum", "cumsum_p", "cumprod", "cumprod_p", "cummax", "cummax_p", "cummin", "cummin_p",
    "cumlogsumexp", "cumlogsumexp_p",
]
