"""The scatter family: scatter, scatter_add, scatter_sub, scatter_mul, scatter_min,
scatter_max (XLA's Scatter with different update regions), with all their rules.

Split from slicing.py (which re-exports every name here) for module size; the
gather these rules use to read windows back lives there. Out-of-bounds
windows: ``FILL_OR_DROP`` (the default) drops them, as ``stablehlo.scatter``
does natively; ``CLIP`` clamps the indices first.
"""
from typing import NamedTuple

import numpy as np

from .. import dtypes
from ..interpreters import ad, batching
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..interpreters.lowering import lowering_rules
from . import bitwise as _bw
from . import elementwise as _ew
from . import shape as _shape
from .slicing import (GatherDimensionNumbers, GatherScatterMode, _adjoint_mode, _bool_attr,
                      _check_dims, _check_disjoint, _check_indices, _dims_attr, _dnums_tuple,
                      _inline, _shift, _zero_like, gather)

# --- scatter, scatter_add, scatter_sub, scatter_mul, scatter_min, scatter_max --

class ScatterDimensionNumbers(NamedTuple):
    """How a scatter's operand, indices and updates dimensions relate (XLA's Scatter).

    update_window_dims: dimensions of ``updates`` that are window dimensions.
    inserted_window_dims: operand dimensions of window size 1 absent from ``updates``.
    scatter_dims_to_operand_dims: for each index vector entry, the operand dimension.
    operand_batching_dims / scatter_indices_batching_dims: paired batch dimensions.

    The index vector is always the last dimension of ``scatter_indices``.
    """
    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()


def _scatter_abstract_eval(name, accepts_bool):
    def rule(x, indices, updates, *, dimension_numbers, indices_are_sorted, unique_indices,
             mode):
        d = dimension_numbers
        _check_indices(name, indices)
        if updates.dtype != x.dtype:
            raise TypeError(f"{name}: operand and updates must have the same dtype, got "
                            f"{x.dtype.name} and {updates.dtype.name}")
        if x.dtype == np.bool_ and not accepts_bool:
            raise TypeError(f"{name} does not accept dtype bool")
        batch_shape = indices.shape[:-1]
        if updates.ndim != len(batch_shape) + len(d.update_window_dims):
            raise TypeError(f"{name}: updates must have rank {len(batch_shape)} (index batch "
                            f"dims) + {len(d.update_window_dims)} (update_window_dims) = "
                            f"{len(batch_shape) + len(d.update_window_dims)}, got shape "
                            f"{updates.shape}")
        _check_dims(name, "update_window_dims", d.update_window_dims, updates.ndim)
        _check_dims(name, "inserted_window_dims", d.inserted_window_dims, x.ndim)
        _check_dims(name, "operand_batching_dims", d.operand_batching_dims, x.ndim)
        _check_dims(name, "scatter_indices_batching_dims", d.scatter_indices_batching_dims,
                    len(batch_shape), sorted_=False)
        _check_disjoint(name, "inserted_window_dims", d.inserted_window_dims,
                        "operand_batching_dims", d.operand_batching_dims)
        _check_disjoint(name, "scatter_dims_to_operand_dims", d.scatter_dims_to_operand_dims,
                        "operand_batching_dims", d.operand_batching_dims)
        if (len(d.update_window_dims) + len(d.inserted_window_dims)
                + len(d.operand_batching_dims) != x.ndim):
            raise TypeError(f"{name}: update_window_dims, inserted_window_dims and "
                            f"operand_batching_dims must account for the {x.ndim} operand "
                            f"dimensions, got {d}")
        if len(d.scatter_dims_to_operand_dims) != indices.shape[-1]:
            raise TypeError(f"{name}: scatter_dims_to_operand_dims "
                            f"{d.scatter_dims_to_operand_dims} needs one entry per index "
                            f"vector element (indices.shape[-1] = {indices.shape[-1]})")
        _check_dims(name, "scatter_dims_to_operand_dims", d.scatter_dims_to_operand_dims,
                    x.ndim, sorted_=False)
        if ([x.shape[i] for i in d.operand_batching_dims]
                != [indices.shape[i] for i in d.scatter_indices_batching_dims]):
            raise TypeError(f"{name}: operand and indices batching dimensions must have equal "
                            f"sizes (operand {x.shape}, indices {indices.shape})")
        window_bounds = [n for i, n in enumerate(x.shape)
                         if i not in d.inserted_window_dims and i not in d.operand_batching_dims]
        for bound, dim in zip(window_bounds, d.update_window_dims):
            if updates.shape[dim] > bound:
                raise TypeError(f"{name}: updates dimension {dim} has size "
                                f"{updates.shape[dim]}, larger than the operand's window "
                                f"bound {bound} (operand {x.shape}, updates {updates.shape})")
        scatter_sizes = [n for i, n in enumerate(updates.shape) if i not in d.update_window_dims]
        if tuple(scatter_sizes) != batch_shape:
            raise TypeError(f"{name}: the non-window dimensions of updates {updates.shape} "
                            f"must equal the batch dimensions of indices {batch_shape}")
        return ShapedArray(x.shape, x.dtype, x.weak_type)
    rule.__name__ = f"_{name}_abstract_eval"
    return rule


def _clamp_scatter_indices(x_shape, updates_shape, d, indices):
    """Indices clamped so every update window lies inside the operand (mode CLIP)."""
    sizes, window = [], iter(d.update_window_dims)
    for i in range(len(x_shape)):
        inserted = i in d.inserted_window_dims or i in d.operand_batching_dims
        sizes.append(1 if inserted else updates_shape[next(window)])
    indices = _ew.convert_element_type(indices, dtypes.default_int())
    idx = get_aval(indices)
    upper = np.array([x_shape[i] - sizes[i] for i in d.scatter_dims_to_operand_dims], idx.dtype)
    upper = _shape.broadcast_in_dim(upper, idx.shape, (idx.ndim - 1,))
    return _ew.clamp(_shape.full(idx.shape, 0, idx.dtype), indices, upper)


def lower_scatter(ctx, x, indices, updates, update, *, dimension_numbers,
                  indices_are_sorted, unique_indices, mode):
    """``stablehlo.scatter`` whose region is ``update(inner, old, new, scalar_aval)``
    (how an update meets the old value); every scatter primitive lowers through it."""
    d = dimension_numbers
    x_aval, idx_aval, upd_aval = ctx.avals_in
    if mode == GatherScatterMode.CLIP:
        indices = _inline(ctx, lambda i: _clamp_scatter_indices(
            x_aval.shape, upd_aval.shape, d, i), [indices], [idx_aval], "scatter_clip")
        idx_aval = idx_aval.update(dtype=dtypes.default_int())
    attr = _dims_attr("scatter", (
        ("update_window_dims", d.update_window_dims),
        ("inserted_window_dims", d.inserted_window_dims),
        ("input_batching_dims", d.operand_batching_dims),
        ("scatter_indices_batching_dims", d.scatter_indices_batching_dims),
        ("scatter_dims_to_operand_dims", d.scatter_dims_to_operand_dims)), idx_aval.ndim - 1)
    s = ShapedArray((), x_aval.dtype)
    attrs = {"scatter_dimension_numbers": attr,
             "indices_are_sorted": _bool_attr(indices_are_sorted),
             "unique_indices": _bool_attr(unique_indices)}
    return ctx.op("stablehlo.scatter", [x, indices, updates],
                  regions=[ctx.region([s, s], lambda inner, old, new: update(inner, old, new, s))],
                  attrs=attrs)


def _scatter_lowering(combine_op):
    def update(inner, old, new, s):
        return new if combine_op is None else inner.op(combine_op, [old, new], s)

    def rule(ctx, x, indices, updates, **params):
        return lower_scatter(ctx, x, indices, updates, update, **params)
    rule.__name__ = f"_lower_scatter_{combine_op or 'set'}"
    return rule


def _scatter_primitive(name, combine_op, accepts_bool):
    prim = Primitive(name)
    abstract_eval_rules[prim] = _scatter_abstract_eval(name, accepts_bool)
    lowering_rules[prim] = _scatter_lowering(combine_op)
    return prim


def _scatter_bind(prim, operand, scatter_indices, updates, dimension_numbers,
                  indices_are_sorted, unique_indices, mode):
    dnums = _dnums_tuple(ScatterDimensionNumbers, dimension_numbers, prim.name)
    return prim.bind(operand, scatter_indices, updates, dimension_numbers=dnums,
                     indices_are_sorted=bool(indices_are_sorted),
                     unique_indices=bool(unique_indices), mode=GatherScatterMode.from_any(mode))


scatter_p = _scatter_primitive("scatter", None, True)
scatter_add_p = _scatter_primitive("scatter-add", "stablehlo.add", False)
scatter_sub_p = _scatter_primitive("scatter-sub", "stablehlo.subtract", False)
scatter_mul_p = _scatter_primitive("scatter-mul", "stablehlo.multiply", False)
scatter_min_p = _scatter_primitive("scatter-min", "stablehlo.minimum", True)
scatter_max_p = _scatter_primitive("scatter-max", "stablehlo.maximum", True)

_SCATTER_DOC = """Scatter-{what}: XLA's Scatter, where {how}.

    Prefer ``x.at[idx].{method}(...)``, which builds the dimension numbers.
    Args: ``operand``, ``scatter_indices`` (index vectors in the last
    dimension), ``updates``, a :class:`ScatterDimensionNumbers`, the hints
    ``indices_are_sorted``/``unique_indices``, and ``mode``: ``None``/``"drop"``
    drops out-of-bounds updates, ``"clip"`` clamps the indices.
    Lowers to ``stablehlo.scatter`` with a ``{region}`` update region.
    """


def _scatter_wrapper(prim, what, how, method, region):
    def wrapper(operand, scatter_indices, updates, dimension_numbers, *,
                indices_are_sorted=False, unique_indices=False, mode=None):
        return _scatter_bind(prim, operand, scatter_indices, updates, dimension_numbers,
                             indices_are_sorted, unique_indices, mode)
    wrapper.__doc__ = _SCATTER_DOC.format(what=what, how=how, method=method, region=region)
    return wrapper


scatter = _scatter_wrapper(scatter_p, "update", "updates replace operand values (with "
                           "repeated indices, one of them wins)", "set", "return update")
scatter.__name__ = "scatter"
scatter_add = _scatter_wrapper(scatter_add_p, "add", "updates are added (repeated indices "
                               "all add)", "add", "stablehlo.add")
scatter_add.__name__ = "scatter_add"
scatter_sub = _scatter_wrapper(scatter_sub_p, "subtract", "updates are subtracted",
                               "subtract", "stablehlo.subtract")
scatter_sub.__name__ = "scatter_sub"
scatter_mul = _scatter_wrapper(scatter_mul_p, "multiply", "operand values are multiplied "
                               "by the updates", "multiply", "stablehlo.multiply")
scatter_mul.__name__ = "scatter_mul"
scatter_min = _scatter_wrapper(scatter_min_p, "min", "the smaller of operand and update "
                               "is kept", "min", "stablehlo.minimum")
scatter_min.__name__ = "scatter_min"
scatter_max = _scatter_wrapper(scatter_max_p, "max", "the larger of operand and update "
                               "is kept", "max", "stablehlo.maximum")
scatter_max.__name__ = "scatter_max"


# --- scatter rules -----------------------------------------------------------
#
# scatter_add/scatter_sub are linear in (operand, updates); their transposes gather
# the cotangent back out. scatter (set), scatter_mul and scatter_min/max follow JAX's
# jvp rules (below). All six share one batching rule.


def _inverse_gather(dnums, operand_shape, updates_shape):
    """The gather that reads back the windows a scatter with ``dnums`` writes."""
    gdnums = GatherDimensionNumbers(
        offset_dims=dnums.update_window_dims, collapsed_slice_dims=dnums.inserted_window_dims,
        start_index_map=dnums.scatter_dims_to_operand_dims,
        operand_batching_dims=dnums.operand_batching_dims,
        start_indices_batching_dims=dnums.scatter_indices_batching_dims)
    sizes, window = [], iter(dnums.update_window_dims)
    for i in range(len(operand_shape)):
        inserted = i in dnums.inserted_window_dims or i in dnums.operand_batching_dims
        sizes.append(1 if inserted else updates_shape[next(window)])
    return gdnums, tuple(sizes)


def _read_windows(x, indices, dnums, updates_shape, mode, fill=0):
    """``x``'s values in each scatter window (``fill`` where a dropped window was)."""
    gdnums, sizes = _inverse_gather(dnums, get_aval(x).shape, updates_shape)
    mode = _adjoint_mode(mode)
    return gather(x, indices, gdnums, sizes, mode=mode,
                  fill_value=fill if mode == GatherScatterMode.FILL_OR_DROP else None)


def _scatter_params(dimension_numbers, indices_are_sorted, unique_indices, mode):
    return dict(dimension_numbers=dimension_numbers, indices_are_sorted=indices_are_sorted,
                unique_indices=unique_indices, mode=mode)


def _linear_scatter_jvp(prim):
    def rule(primals, tangents, **params):
        x, indices, updates = primals
        out = prim.bind(x, indices, updates, **params)
        tx, _, tu = tangents
        if ad.is_zero(tx) and ad.is_zero(tu):
            return out, _zero_like(out)
        return out, prim.bind(ad.instantiate(tx), indices, ad.instantiate(tu), **params)
    return rule


def _linear_scatter_transpose(negate):
    def rule(ct, x, indices, updates, *, dimension_numbers, indices_are_sorted,
             unique_indices, mode):
        u_aval = updates.aval if ad.is_undefined(updates) else get_aval(updates)
        ct_x = ct_u = None
        if ad.is_undefined(x):
            ct_x = ad.Zero(x.aval) if ad.is_zero(ct) else ct
        if ad.is_undefined(updates):
            if ad.is_zero(ct):
                ct_u = ad.Zero(u_aval)
            else:
                ct_u = _read_windows(ct, indices, dimension_numbers, u_aval.shape, mode)
                ct_u = _ew.neg(ct_u) if negate else ct_u
        return [ct_x, None, ct_u]
    return rule


def _scatter_set_jvp(primals, tangents, *, dimension_numbers, indices_are_sorted,
                     unique_indices, mode):
    # With repeated indices one update "wins" each place. As JAX: scatter a distinct id
    # per update window, read the ids back to learn which update won, mask the losing
    # updates' tangents and the overwritten operand tangents, then scatter-add.
    x, indices, updates = primals
    tx, _, tu = tangents
    params = _scatter_params(dimension_numbers, indices_are_sorted, unique_indices, mode)
    out = scatter_p.bind(x, indices, updates, **params)
    if ad.is_zero(tx) and ad.is_zero(tu):
        return out, _zero_like(out)
    tx, tu = ad.instantiate(tx), ad.instantiate(tu)
    if unique_indices:
        return out, scatter_p.bind(tx, indices, tu, **params)
    d = dimension_numbers
    x_shape, u_shape = get_aval(x).shape, get_aval(updates).shape
    id_shape = tuple(1 if i in d.update_window_dims else n for i, n in enumerate(u_shape))
    ids = _shape.reshape(_shape.iota(np.uint32, int(np.prod(id_shape, dtype=np.int64))),
                         id_shape)
    ids = _shape.broadcast_in_dim(_ew.add(ids, np.uint32(1)), u_shape,
                                  tuple(range(len(u_shape))))
    written = scatter_p.bind(_shape.full(x_shape, 0, np.uint32), indices, ids, **params)
    won = _bw.eq(_read_windows(written, indices, d, u_shape, mode), ids)
    kept = _bw.eq(written, np.uint32(0))
    tx = _ew.select(kept, tx, _shape.full(x_shape, 0, get_aval(tx).dtype))
    tu = _ew.select(won, tu, _shape.full(u_shape, 0, get_aval(tu).dtype))
    return out, scatter_add_p.bind(tx, indices, tu, **params)


def _scatter_set_transpose(ct, x, indices, updates, *, dimension_numbers,
                           indices_are_sorted, unique_indices, mode):
    # Only reached with unique indices (the jvp above uses scatter-add otherwise).
    if not unique_indices:
        raise NotImplementedError("transpose of scatter is only defined for unique_indices=True")
    u_aval = updates.aval if ad.is_undefined(updates) else get_aval(updates)
    params = _scatter_params(dimension_numbers, indices_are_sorted, unique_indices, mode)
    ct_x = ct_u = None
    if ad.is_undefined(x):
        ct_x = ad.Zero(x.aval) if ad.is_zero(ct) else scatter_p.bind(
            ct, indices, _shape.full(u_aval.shape, 0, u_aval.dtype), **params)
    if ad.is_undefined(updates):
        ct_u = ad.Zero(u_aval) if ad.is_zero(ct) else _read_windows(
            ct, indices, dimension_numbers, u_aval.shape, mode)
    return [ct_x, None, ct_u]


def _scatter_mul_jvp(primals, tangents, **params):
    # out = x * prod(updates at each place). Tangent w.r.t. x: the same scatter-mul of
    # the tangent; w.r.t. updates (only with unique indices, as in JAX): x * t there.
    x, indices, updates = primals
    tx, _, tu = tangents
    out = scatter_mul_p.bind(x, indices, updates, **params)
    total = _zero_like(out)
    if not ad.is_zero(tx):
        total = scatter_mul_p.bind(tx, indices, updates, **params)
    if not ad.is_zero(tu):
        if not params["unique_indices"]:
            raise NotImplementedError(
                "scatter_mul gradients with respect to the updates are only implemented "
                "with unique_indices=True (as in JAX)")
        spread = scatter_add_p.bind(_shape.full(get_aval(x).shape, 0, get_aval(tu).dtype),
                                    indices, tu, **params)
        total = ad.add_tangents(total, _ew.mul(x, spread))
    return out, total


def _scatter_mul_transpose(ct, x, indices, updates, **params):
    # Linear in the operand for fixed updates (what the jvp produces); linear in the
    # updates for a fixed operand only with unique indices.
    u_aval = updates.aval if ad.is_undefined(updates) else get_aval(updates)
    ct_x = ct_u = None
    if ad.is_undefined(x):
        ct_x = ad.Zero(x.aval) if ad.is_zero(ct) else scatter_mul_p.bind(
            ct, indices, updates, **params)
    if ad.is_undefined(updates):
        if not params["unique_indices"]:
            raise NotImplementedError("scatter_mul transpose with respect to the updates "
                                      "needs unique_indices=True")
        ct_u = ad.Zero(u_aval) if ad.is_zero(ct) else _read_windows(
            _ew.mul(ct, x), indices, params["dimension_numbers"], u_aval.shape,
            params["mode"])
    return [ct_x, None, ct_u]


def _scatter_extremal_jvp(prim):
    def rule(primals, tangents, **params):
        # As JAX: the tangent at each place comes from whichever of the operand and the
        # updates equal the result there, averaged over ties.
        x, indices, updates = primals
        tx, _, tu = tangents
        out = prim.bind(x, indices, updates, **params)
        if ad.is_zero(tx) and ad.is_zero(tu):
            return out, _zero_like(out)
        tx, tu = ad.instantiate(tx), ad.instantiate(tu)
        d, mode = params["dimension_numbers"], params["mode"]
        x_aval, u_aval = get_aval(x), get_aval(updates)
        dtype = x_aval.dtype

        def windows(v, fill=0):
            return _read_windows(v, indices, d, u_aval.shape, mode, fill)

        def count(v):   # per window: the sum of v over the updates hitting its places
            return windows(scatter_add_p.bind(_shape.full(x_aval.shape, 0, dtype), indices, v,
                                              **params), fill=1)
        one, zero = _shape.full(u_aval.shape, 1, dtype), _shape.full(u_aval.shape, 0, dtype)
        target = windows(out)
        won = _bw.eq(updates, target)
        kept = _bw.eq(windows(x), target)
        n_won = count(_ew.select(won, one, zero))
        n_refs = count(one)
        share = _ew.div(one, _ew.add(n_won, _ew.select(kept, one, zero)))
        u_coef = _ew.select(won, share, zero)
        x_coef = _ew.div(_ew.sub(_ew.select(kept, share, zero), one), n_refs)
        t_updates = _ew.add(_ew.mul(windows(tx), x_coef), _ew.mul(tu, u_coef))
        return out, scatter_add_p.bind(tx, indices, t_updates, **params)
    return rule


def _scatter_batch(prim):
    def rule(axis_data, args, dims, *, dimension_numbers, indices_are_sorted,
             unique_indices, mode):
        (x, indices, updates), (xb, ib, ub) = args, dims
        d = dimension_numbers
        x = batching.bdim_at_front(x, xb, axis_data.size)
        updates = batching.bdim_at_front(updates, ub, axis_data.size)
        if ib is None:
            # Same indices for every example: the batch dim is a leading window dim.
            dnums = ScatterDimensionNumbers(
                update_window_dims=(0,) + _shift(d.update_window_dims),
                inserted_window_dims=_shift(d.inserted_window_dims),
                scatter_dims_to_operand_dims=_shift(d.scatter_dims_to_operand_dims),
                operand_batching_dims=_shift(d.operand_batching_dims),
                scatter_indices_batching_dims=d.scatter_indices_batching_dims)
        else:
            # Per-example indices: pair the batch dims with the batching dimension numbers.
            indices = batching.moveaxis(indices, ib, 0)
            dnums = ScatterDimensionNumbers(
                update_window_dims=_shift(d.update_window_dims),
                inserted_window_dims=_shift(d.inserted_window_dims),
                scatter_dims_to_operand_dims=_shift(d.scatter_dims_to_operand_dims),
                operand_batching_dims=(0,) + _shift(d.operand_batching_dims),
                scatter_indices_batching_dims=(0,) + _shift(d.scatter_indices_batching_dims))
        return prim.bind(x, indices, updates, dimension_numbers=dnums,
                         indices_are_sorted=indices_are_sorted, unique_indices=unique_indices,
                         mode=mode), 0
    return rule


ad.jvp_rules[scatter_p] = _scatter_set_jvp
ad.transpose_rules[scatter_p] = _scatter_set_transpose
ad.jvp_rules[scatter_add_p] = _linear_scatter_jvp(scatter_add_p)
ad.transpose_rules[scatter_add_p] = _linear_scatter_transpose(negate=False)
ad.jvp_rules[scatter_sub_p] = _linear_scatter_jvp(scatter_sub_p)
ad.transpose_rules[scatter_sub_p] = _linear_scatter_transpose(negate=True)
ad.jvp_rules[scatter_mul_p] = _scatter_mul_jvp
ad.transpose_rules[scatter_mul_p] = _scatter_mul_transpose
ad.jvp_rules[scatter_min_p] = _scatter_extremal_jvp(scatter_min_p)
ad.jvp_rules[scatter_max_p] = _scatter_extremal_jvp(scatter_max_p)
for _p in (scatter_p, scatter_add_p, scatter_sub_p, scatter_mul_p, scatter_min_p,
           scatter_max_p):
    batching.batch_rules[_p] = _scatter_batch(_p)


__all__ = [
    "ScatterDimensionNumbers", "scatter", "scatter_p", "scatter_add", "scatter_add_p",
    "scatter_sub", "scatter_sub_p", "scatter_mul", "scatter_mul_p", "scatter_min",
    "scatter_min_p", "scatter_max", "scatter_max_p",
]
