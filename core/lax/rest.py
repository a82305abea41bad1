"""The last ``jax.lax`` names: ``scatter_apply`` (a scatter whose update is a function),
``scaled_dot`` (block-scaled, "microscaling" matrix products) and ``shape_as_value``.

What is exact: ``scatter_apply`` lowers to the same ``stablehlo.scatter`` JAX emits, with
``func`` as the update region, so repeated indices apply ``func`` repeatedly, as in
JAX. ``scaled_dot`` computes what JAX 0.10.2's CPU/GPU fallback computes, step for step
(scales repeated along the contracting dimensions, operands and scales rounded to
bfloat16, multiplied, then ``dot_general`` with ``preferred_element_type``), so the
numbers are JAX's; JAX wraps those steps in a ``composite`` named ``xla.scaled_dot``
that a TPU may replace, where glassbox emits the steps alone.
"""
import functools
import weakref

import numpy as np

from .. import dtypes
from ..api import jit
from ..core import Primitive, ShapedArray, abstract_eval, abstract_eval_rules, get_aval
from ..interpreters import batching
from ..interpreters.lowering import lowering_rules
from ..interpreters.tracing import trace_to_jaxpr
from . import elementwise as _ew
from . import shape as _shape
from .dot import dot_general
from .scatter import ScatterDimensionNumbers, _scatter_batch, lower_scatter, scatter_p
from .slicing import GatherScatterMode, _dnums_tuple

__all__ = ["scatter_apply", "scaled_dot", "shape_as_value"]


# --- scatter_apply ----------------------------------------------------------------

_update_jaxprs = weakref.WeakKeyDictionary()   # func -> {dtype: its jaxpr on a scalar}


def _update_jaxpr(func, dtype):
    """``func`` traced on a scalar of ``dtype``, once per function and dtype (so an eager
    ``scatter_apply`` with the same function compiles once)."""
    def build():
        return trace_to_jaxpr(lambda v: [func(v)], [ShapedArray((), dtype)],
                              name=getattr(func, "__name__", "scatter_apply"))
    try:
        per_func = _update_jaxprs.setdefault(func, {})
    except TypeError:   # not weakly referenceable: trace every time
        return build()
    if dtype not in per_func:
        per_func[dtype] = build()
    return per_func[dtype]


def scatter_apply(operand, scatter_indices, func, dimension_numbers, *, update_shape=(),
                  indices_are_sorted=False, unique_indices=False, mode=None):
    """``operand`` with ``func`` applied at the positions ``scatter_indices`` selects
    (XLA's Scatter with ``func`` as its update computation); a position selected twice
    gets ``func`` twice.

    Args: ``operand``; ``scatter_indices`` (index vectors in the last dimension); ``func``,
    a unary function of a scalar of ``operand``'s dtype; a :class:`ScatterDimensionNumbers`;
    ``update_shape``, the shape the updates would have (``indices.shape[:-1]`` plus the
    window); the hints ``indices_are_sorted``/``unique_indices``; ``mode``
    (``"drop"``/``None`` drops out-of-bounds positions, ``"clip"`` clamps them).
    As in JAX, it is not differentiable. Lowers to ``stablehlo.scatter``.

        >>> dn = lax.ScatterDimensionNumbers((), (0,), (0,))
        >>> lax.scatter_apply(jnp.arange(4.), jnp.array([[1], [1]]), lambda v: v * 2, dn,
        ...                   update_shape=(2,))
        Array([0., 4., 2., 3.], dtype=float32)
    """
    dtype = get_aval(operand).dtype
    operand = _ew.convert_element_type(operand, dtype)
    unused = _shape.full(tuple(update_shape), 0, dtype)
    dnums = _dnums_tuple(ScatterDimensionNumbers, dimension_numbers, "scatter_apply")
    return scatter_apply_p.bind(operand, scatter_indices, unused,
                                update_jaxpr=_update_jaxpr(func, dtype),
                                dimension_numbers=dnums,
                                indices_are_sorted=bool(indices_are_sorted),
                                unique_indices=bool(unique_indices),
                                mode=GatherScatterMode.from_any(mode))


scatter_apply_p = Primitive("scatter-apply")


def _scatter_apply_abstract_eval(x, indices, unused, *, update_jaxpr, **params):
    if update_jaxpr.out_avals[0].shape != () or update_jaxpr.out_avals[0].dtype != x.dtype:
        raise TypeError(f"scatter_apply: func must map a scalar {x.dtype.name} to a scalar "
                        f"{x.dtype.name}, got {update_jaxpr.out_avals[0].str_short()}")
    return abstract_eval(scatter_p, [x, indices, unused], params)[0]


def _scatter_apply_lowering(ctx, x, indices, unused, *, update_jaxpr, **params):
    def update(inner, old, _new, _s):   # the update region: a function of the old value
        return inner.lower_jaxpr(update_jaxpr.jaxpr, update_jaxpr.consts, [old])[0]
    return lower_scatter(ctx, x, indices, unused, update, **params)


class _WithUpdate:
    """``scatter_apply_p`` with its ``update_jaxpr`` fixed: what scatter's batching rule
    (which knows only the scatter parameters) binds."""

    def __init__(self, update_jaxpr):
        self.update_jaxpr = update_jaxpr

    def bind(self, *args, **params):
        return scatter_apply_p.bind(*args, update_jaxpr=self.update_jaxpr, **params)


def _scatter_apply_batch(axis_data, args, dims, *, update_jaxpr, **params):
    return _scatter_batch(_WithUpdate(update_jaxpr))(axis_data, args, dims, **params)


abstract_eval_rules[scatter_apply_p] = _scatter_apply_abstract_eval
lowering_rules[scatter_apply_p] = _scatter_apply_lowering
batching.batch_rules[scatter_apply_p] = _scatter_apply_batch


# --- scaled_dot -------------------------------------------------------------------

def _check_scale(side, shape, scale_shape, contracting):
    for i, size in enumerate(shape):
        if i in contracting:
            if size % scale_shape[i] != 0:
                raise TypeError(f"{side} contracting dim {i} of size {size} must be divisible "
                                f"by its scale's dim size {scale_shape[i]}.")
            if size // scale_shape[i] < 2:
                raise TypeError(f"The ratio of {side} contracting dim {i} to its scale's dim "
                                f"size ({size // scale_shape[i]}) must be at least 2.")
        elif scale_shape[i] != size:
            raise TypeError(f"{side} dim {i} of size {size} does not match scale dim size "
                            f"{scale_shape[i]}.")


def _check_scaled_dot(lhs, rhs, lhs_scale, rhs_scale, dimension_numbers):
    (lc, rc), (lb, rb) = dimension_numbers
    ranks = [lhs.ndim, rhs.ndim] + [s.ndim for s in (lhs_scale, rhs_scale) if s is not None]
    if max(ranks) != min(ranks):
        # A missing scale counts as JAX's stand-in of ones, of its operand's rank.
        ls = lhs if lhs_scale is None else lhs_scale
        rs = rhs if rhs_scale is None else rhs_scale
        raise TypeError(f"All input tensors must have the same rank. Got lhs rank: "
                        f"{lhs.ndim} rhs rank: {rhs.ndim} lhs_scale rank: {ls.ndim} "
                        f"rhs_scale rank: {rs.ndim}.")
    if len(lb) != len(rb):
        raise TypeError(f"LHS and RHS must have the same number of batch dimensions, got "
                        f"{len(lb)} and {len(rb)}.")
    if len(lc) != len(rc):
        raise TypeError(f"LHS and RHS must have the same number of contracting dimensions, "
                        f"got {len(lc)} and {len(rc)}.")
    for i, j in zip(lb, rb):
        sizes = {lhs.shape[i], rhs.shape[j]}
        sizes |= {lhs_scale.shape[i]} if lhs_scale is not None else set()
        sizes |= {rhs_scale.shape[j]} if rhs_scale is not None else set()
        if len(sizes) != 1:
            raise TypeError(f"All input tensors must have the same batch dimension size for "
                            f"batch dims ({i}, {j}).")
    for i, j in zip(lc, rc):
        if lhs.shape[i] != rhs.shape[j]:
            raise TypeError(f"LHS contracting dim {i} of size {lhs.shape[i]} does not match "
                            f"RHS contracting dim {j} of size {rhs.shape[j]}.")
    if lhs_scale is not None:
        _check_scale("LHS", lhs.shape, lhs_scale.shape, lc)
    if rhs_scale is not None:
        _check_scale("RHS", rhs.shape, rhs_scale.shape, rc)


def _repeat_scale(scale, shape, contracting):
    """``scale`` repeated along each contracting dimension up to the operand's size (each
    scale covers a block of ``shape[i] // scale.shape[i]`` consecutive elements)."""
    for i in contracting:
        sshape = get_aval(scale).shape
        if sshape[i] != shape[i]:
            k = shape[i] // sshape[i]
            wide = sshape[:i + 1] + (k,) + sshape[i + 1:]
            keep = tuple(d for d in range(len(wide)) if d != i + 1)
            scale = _shape.broadcast_in_dim(scale, wide, keep)
            scale = _shape.reshape(scale, sshape[:i] + (sshape[i] * k,) + sshape[i + 1:])
    return scale


def scaled_dot(lhs, rhs, *, lhs_scale=None, rhs_scale=None, dimension_numbers=None,
               preferred_element_type=None):
    """``dot_general(lhs * lhs_scale, rhs * rhs_scale)`` with block scales (microscaling).

    Each scale has the operand's rank; along a contracting dimension it is at least 2x
    smaller than the operand and each of its entries scales a block of consecutive
    elements; elsewhere it matches the operand. Operands and scales are rounded to
    bfloat16 before the product (as JAX does off TPU); the result (and the accumulation)
    is ``preferred_element_type``: bfloat16 (the default) or float32.
    ``dimension_numbers`` defaults to a matmul over the last two dimensions, the others
    batch dimensions. A missing scale is 1. Not differentiable, as in JAX.
    """
    lhs_aval, rhs_aval = get_aval(lhs), get_aval(rhs)
    if dimension_numbers is None:
        n = lhs_aval.ndim
        if n < 2:
            raise TypeError("scaled_dot does not support 0-rank and 1-rank operands.")
        dimension_numbers = (((n - 1,), (n - 2,)), (tuple(range(n - 2)), tuple(range(n - 2))))
    (lc, rc), (lb, rb) = dimension_numbers
    dimension_numbers = ((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb)))
    lhs_scale_aval = get_aval(lhs_scale) if lhs_scale is not None else None
    rhs_scale_aval = get_aval(rhs_scale) if rhs_scale is not None else None
    _check_scaled_dot(lhs_aval, rhs_aval, lhs_scale_aval, rhs_scale_aval, dimension_numbers)
    out_dtype = np.dtype(dtypes.bfloat16 if preferred_element_type is None
                         else preferred_element_type)
    dtypes.canonicalize_dtype(out_dtype)   # a clear TypeError for an unsupported dtype
    return _scaled_dot_impl(lhs, rhs, lhs_scale, rhs_scale,
                            dimension_numbers=dimension_numbers,
                            preferred_element_type=out_dtype)


@functools.partial(jit, static_argnames=("dimension_numbers", "preferred_element_type"))
def _scaled_dot_impl(lhs, rhs, lhs_scale, rhs_scale, *, dimension_numbers,
                     preferred_element_type):
    # One compiled program, as JAX's (its ``xla.scaled_dot`` composite): XLA may then keep
    # the bfloat16 products unrounded where it fuses them into the dot, as it does for JAX.
    bf16 = np.dtype(dtypes.bfloat16)

    def scaled(x, scale, contracting):
        x = _ew.convert_element_type(x, bf16)
        if scale is None:
            return x
        scale = _repeat_scale(scale, get_aval(x).shape, contracting)
        return _ew.mul(x, _ew.convert_element_type(scale, bf16))
    return dot_general(scaled(lhs, lhs_scale, dimension_numbers[0][0]),
                       scaled(rhs, rhs_scale, dimension_numbers[0][1]),
                       dimension_numbers, preferred_element_type=preferred_element_type)


# --- shape_as_value ---------------------------------------------------------------

def shape_as_value(shape):
    """``shape`` as an int32 value (JAX's helper for shapes that may hold symbolic
    dimensions; glassbox's are all constant): a NumPy array, or an empty ``int32[0]``
    array for ``()``, as JAX returns them."""
    shape = tuple(shape)
    dtype = np.int32 if all(int(d) <= np.iinfo(np.int32).max for d in shape) else np.int64
    if not shape:
        return _shape.full((0,), np.array(0, dtype=np.int32))
    return np.asarray(shape, dtype=dtype)
