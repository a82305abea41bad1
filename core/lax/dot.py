"""Contraction primitives: ``dot_general`` (plus the ``dot`` and ``batch_matmul`` wrappers).

``dot_general`` contracts chosen dimensions of two arrays and keeps batch
dimensions paired. The result's dimensions are ordered: batch dims, then the
lhs's free dims, then the rhs's free dims. It lowers to one
``stablehlo.dot_general``; ``jnp.dot``, ``matmul``, ``tensordot`` and ``einsum``
are all built from it.

It is bilinear: the jvp is ``dot(t_lhs, rhs) + dot(lhs, t_rhs)`` and the
transpose with respect to either operand is another ``dot_general`` (plus a
transpose). Under vmap the batch dimension becomes a ``dot_general`` batch
dimension (both operands batched) or a free dimension (one batched).
"""
import enum
import operator

import numpy as np

from .. import dtypes
from ..interpreters import ad, batching
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval, sharding_rules
from ..interpreters.lowering import lowering_rules
from .elementwise import convert_element_type
from .shape import transpose
from . import typed_shardings
from ..sharding import NamedSharding, PartitionSpec, current_mesh


class Precision(enum.Enum):
    """Matmul precision hint (``lax.Precision``). The CPU backend ignores it."""

    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2

    def __repr__(self):
        return f"Precision.{self.name}"

    __str__ = __repr__


_PRECISION_NAMES = {"default": Precision.DEFAULT, "fastest": Precision.DEFAULT,
                    "bfloat16": Precision.DEFAULT, "high": Precision.HIGH,
                    "tensorfloat32": Precision.HIGH, "bfloat16_3x": Precision.HIGH,
                    "highest": Precision.HIGHEST, "float32": Precision.HIGHEST}


def canonicalize_precision(precision):
    """``None``, a ``Precision``, a name like ``'highest'`` or a pair -> ``None`` or a pair."""
    if precision is None:
        return None
    if isinstance(precision, (tuple, list)) and len(precision) == 2:
        return tuple(canonicalize_precision(p)[0] if p is not None else Precision.DEFAULT
                     for p in precision)
    if isinstance(precision, str):
        if precision.lower() not in _PRECISION_NAMES:
            raise ValueError(f"precision {precision!r} is not recognised; use one of "
                             + ", ".join(sorted(_PRECISION_NAMES)))
        precision = _PRECISION_NAMES[precision.lower()]
    if not isinstance(precision, Precision):
        raise ValueError(f"precision must be None, a lax.Precision, a string or a pair of "
                         f"them, got {precision!r}")
    return (precision, precision)


# --- dot_general -------------------------------------------------------------

def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None,
                out_sharding=None):
    """General tensor contraction. Lowers to ``stablehlo.dot_general``.

    Args:
      lhs, rhs: arrays.
      dimension_numbers: ``((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch))``,
        each a sequence of dimension indices.
      precision: ``None``, a ``lax.Precision`` or a pair of them (a hint; CPU ignores it).
      preferred_element_type: the result (accumulation) dtype; defaults to the operands'.
      out_sharding: over a mesh with Explicit axes, the result's sharding (a
        ``NamedSharding``, or a ``PartitionSpec`` of the mesh set with ``set_mesh``):
        needed where the operands' shardings leave it ambiguous (a split contraction).

    Returns:
      An array with dimensions ``batch + lhs free + rhs free``.

    Example: a batched matmul of ``(b, m, k)`` and ``(b, k, n)`` is
    ``dot_general(x, y, (((2,), (1,)), ((0,), (0,))))`` with shape ``(b, m, n)``.
    """
    (lc, rc), (lb, rb) = _parse_dimension_numbers(dimension_numbers)
    pref = None if preferred_element_type is None else \
        dtypes.canonicalize_dtype(preferred_element_type)
    lhs, rhs = _scalar_operands(lhs, rhs)
    # Only when given, so that jaxprs of code not asking for it print as before.
    extra = {} if out_sharding is None else {"out_sharding": _named(out_sharding)}
    return dot_general_p.bind(lhs, rhs, dimension_numbers=((lc, rc), (lb, rb)),
                              precision=canonicalize_precision(precision),
                              preferred_element_type=pref, **extra)


def _named(sharding):
    if isinstance(sharding, PartitionSpec):
        mesh = current_mesh()
        if mesh is None:
            raise ValueError(f"Using PartitionSpec when you are not under a mesh context is "
                             f"not allowed. Please pass a NamedSharding instance or enter "
                             f"into a mesh context via `glassbox.set_mesh`. Got {sharding}")
        return NamedSharding(mesh, sharding)
    return sharding


def _scalar_operands(lhs, rhs):
    # Python scalars take the other operand's dtype (weakly), as lax ops accept them.
    scalars = (bool, int, float, complex)
    if type(lhs) in scalars and type(rhs) not in scalars:
        lhs = convert_element_type(lhs, get_aval(rhs).dtype, weak_type=True)
    elif type(rhs) in scalars and type(lhs) not in scalars:
        rhs = convert_element_type(rhs, get_aval(lhs).dtype, weak_type=True)
    return lhs, rhs


def _parse_dimension_numbers(dimension_numbers):
    try:
        (lc, rc), (lb, rb) = dimension_numbers
        return tuple(tuple(operator.index(d) for d in dims) for dims in (lc, rc)), \
            tuple(tuple(operator.index(d) for d in dims) for dims in (lb, rb))
    except (TypeError, ValueError):
        raise TypeError("dot_general: dimension_numbers must be ((lhs_contracting, "
                        "rhs_contracting), (lhs_batch, rhs_batch)) with tuples of ints, got "
                        f"{dimension_numbers!r}") from None


dot_general_p = Primitive("dot_general")


def _check_dims(side, dims, ndim, what):
    for d in dims:
        if not 0 <= d < ndim:
            raise TypeError(f"dot_general: {side} {what} dimension {d} is out of bounds for "
                            f"an operand of rank {ndim}")


def _dot_general_shape(lhs, rhs, dimension_numbers):
    (lc, rc), (lb, rb) = dimension_numbers
    if len(lc) != len(rc):
        raise TypeError(f"dot_general requires equal numbers of lhs and rhs contracting "
                        f"dimensions, got {lc} and {rc}")
    if len(lb) != len(rb):
        raise TypeError(f"dot_general requires equal numbers of lhs and rhs batch "
                        f"dimensions, got {lb} and {rb}")
    for side, aval, c, b in (("lhs", lhs, lc, lb), ("rhs", rhs, rc, rb)):
        _check_dims(side, c, aval.ndim, "contracting")
        _check_dims(side, b, aval.ndim, "batch")
        if len(set(c + b)) != len(c) + len(b):
            raise TypeError(f"dot_general requires {side} batch dimensions {b} and "
                            f"contracting dimensions {c} to be distinct")
    lb_shape = tuple(lhs.shape[d] for d in lb)
    rb_shape = tuple(rhs.shape[d] for d in rb)
    if lb_shape != rb_shape:
        raise TypeError(f"dot_general requires lhs batch dimensions and rhs batch dimensions "
                        f"to have the same shape, got {lb_shape} and {rb_shape} (lhs shape "
                        f"{lhs.shape}, rhs shape {rhs.shape})")
    lc_shape = tuple(lhs.shape[d] for d in lc)
    rc_shape = tuple(rhs.shape[d] for d in rc)
    if lc_shape != rc_shape:
        raise TypeError(f"dot_general requires contracting dimensions to have the same "
                        f"shape, got {lc_shape} and {rc_shape} (lhs shape {lhs.shape}, rhs "
                        f"shape {rhs.shape})")
    lhs_free = tuple(d for i, d in enumerate(lhs.shape) if i not in lc + lb)
    rhs_free = tuple(d for i, d in enumerate(rhs.shape) if i not in rc + rb)
    return lb_shape + lhs_free + rhs_free


def _type_rank(dtype):
    """XLA's 'higher precision type' order (complex > float by range/mantissa > int by width)."""
    dtype = np.dtype(dtype)
    real = np.real(np.zeros((), dtype)).dtype if dtypes.is_complex(dtype) else dtype
    fin = dtypes.finfo(real) if dtypes.is_float(real) else None
    return (dtypes.is_complex(dtype), fin.maxexp if fin else -1, fin.nmant if fin else -1,
            8 * real.itemsize if real != np.bool_ else 1, not dtypes.is_unsigned(real))


def _dot_general_dtype(lhs, rhs, preferred_element_type):
    lr, rr = _type_rank(lhs.dtype), _type_rank(rhs.dtype)
    if lr == rr and lhs.dtype != rhs.dtype:
        raise TypeError(f"dot_general argument type error: {lhs.dtype.name}, {rhs.dtype.name}")
    result = lhs.dtype if lr >= rr else rhs.dtype
    pref = preferred_element_type
    if pref is None or pref == result:
        return result
    if not dtypes.is_float(result) and np.dtype(pref).itemsize < result.itemsize:
        raise TypeError(f"dot_general: preferred_element_type must not be narrower than the "
                        f"operands' type, got preferred_element_type={np.dtype(pref).name} for "
                        f"a result of type {result.name}")
    return np.dtype(pref)


def _dot_general_abstract_eval(lhs, rhs, *, dimension_numbers, precision,
                               preferred_element_type, out_sharding=None):
    shape = _dot_general_shape(lhs, rhs, dimension_numbers)
    dtype = _dot_general_dtype(lhs, rhs, preferred_element_type)
    return ShapedArray(shape, dtype, lhs.weak_type and rhs.weak_type)


def _dims_attr(dimension_numbers):
    (lc, rc), (lb, rb) = dimension_numbers
    fields = [("lhs_batching_dimensions", lb), ("rhs_batching_dimensions", rb),
              ("lhs_contracting_dimensions", lc), ("rhs_contracting_dimensions", rc)]
    body = ", ".join(f"{k} = [{', '.join(map(str, v))}]" for k, v in fields if v)
    return f"#stablehlo.dot<{body}>"


def _dot_general_lowering(ctx, lhs, rhs, *, dimension_numbers, precision,
                          preferred_element_type, out_sharding=None):
    (lhs_aval, rhs_aval), (aval_out,) = ctx.avals_in, ctx.avals_out
    if lhs_aval.dtype != rhs_aval.dtype:
        # XLA's CPU codegen wants equal operand types: convert both to the result type,
        # as JAX does on CPU and GPU.
        lhs = ctx.convert(lhs, lhs_aval.update(dtype=aval_out.dtype))
        rhs = ctx.convert(rhs, rhs_aval.update(dtype=aval_out.dtype))
    prec = precision or (Precision.DEFAULT, Precision.DEFAULT)
    return ctx.op("stablehlo.dot_general", [lhs, rhs], aval_out, attrs={
        "dot_dimension_numbers": _dims_attr(dimension_numbers),
        "precision_config": "[" + ", ".join(f"#stablehlo<precision {p.name}>" for p in prec)
                            + "]"})


abstract_eval_rules[dot_general_p] = _dot_general_abstract_eval
sharding_rules[dot_general_p] = typed_shardings.dot_general
lowering_rules[dot_general_p] = _dot_general_lowering


# dot_general is bilinear: its jvp is dot(t_lhs, rhs) + dot(lhs, t_rhs), and it is
# transposed with respect to whichever operand is the (linear) tangent.

def _remaining(ndim, *removed):
    gone = set(d for dims in removed for d in dims)
    return [d for d in range(ndim) if d not in gone]


def _dot_general_transpose_lhs(ct, x, y, *, dimension_numbers, precision,
                               preferred_element_type, swap_ans=False, out_sharding=None):
    """Cotangent of ``x`` in ``dot_general(x, y)``: contract ``ct`` with ``y`` over the
    result's y-free dims, then permute to ``x``'s layout (JAX's rule)."""
    (x_contract, y_contract), (x_batch, y_batch) = dimension_numbers
    x_aval, y_ndim = x.aval, get_aval(y).ndim
    x_kept = _remaining(x_aval.ndim, x_contract, x_batch)
    y_kept = _remaining(y_ndim, y_contract, y_batch)
    nb = len(x_batch)
    if swap_ans:   # the result is (batch, y free, x free)
        ans_y = tuple(range(nb, nb + len(y_kept)))
    else:          # the result is (batch, x free, y free)
        ans_y = tuple(range(nb + len(x_kept), nb + len(x_kept) + len(y_kept)))
    dims = ((ans_y, tuple(y_kept)), (tuple(range(nb)), tuple(y_batch)))
    x_contract_by_y = [x_contract[i] for i in np.argsort(y_contract)]
    out_axes = np.argsort(list(x_batch) + x_kept + x_contract_by_y)
    x_bar = transpose(dot_general_p.bind(ct, y, dimension_numbers=dims, precision=precision,
                                         preferred_element_type=preferred_element_type,
                                         **_cotangent_sharding(x_aval, out_axes, get_aval(ct),
                                                              get_aval(y))),
                      tuple(int(a) for a in out_axes))
    if get_aval(x_bar).dtype != x_aval.dtype:
        x_bar = convert_element_type(x_bar, x_aval.dtype, x_aval.weak_type)
    return x_bar


def _cotangent_sharding(x_aval, out_axes, *others):
    """Over Explicit axes the cotangent is laid out as ``x`` is (JAX's rule): the
    contraction that makes it may sum over a split dimension (a data-parallel
    gradient), which alone would be ambiguous. ``x`` replicated has no sharding in its
    type: then the mesh is that of ``others`` (the cotangent, the other operand).
    Empty when none of them lies over Explicit axes."""
    typed = x_aval.sharding or next((a.sharding for a in others if a.sharding), None)
    if typed is None:
        return {}
    spec = (x_aval.sharding.spec._padded(x_aval.ndim) if x_aval.sharding
            else (None,) * x_aval.ndim)
    dot_spec = [None] * x_aval.ndim
    for j, axis in enumerate(out_axes):   # transpose(dot, out_axes) is laid out as x
        dot_spec[axis] = spec[j]
    return {"out_sharding": typed.with_spec(PartitionSpec(*dot_spec))}


def _dot_general_transpose_rhs(ct, x, y, *, dimension_numbers, precision,
                               preferred_element_type, out_sharding=None):
    (x_contract, y_contract), (x_batch, y_batch) = dimension_numbers
    swapped = ((y_contract, x_contract), (y_batch, x_batch))
    return _dot_general_transpose_lhs(ct, y, x, dimension_numbers=swapped,
                                      precision=precision,
                                      preferred_element_type=preferred_element_type,
                                      swap_ans=True)


def _dot_general_transpose(ct, x, y, **params):
    if ad.is_undefined(x) and ad.is_undefined(y):
        raise NotImplementedError("dot_general: transposing with respect to both operands "
                                  "(the function is not linear)")
    if ad.is_zero(ct):
        return [ad.Zero(x.aval) if ad.is_undefined(x) else None,
                ad.Zero(y.aval) if ad.is_undefined(y) else None]
    if ad.is_undefined(x):
        return [_dot_general_transpose_lhs(ct, x, y, **params), None]
    return [None, _dot_general_transpose_rhs(ct, x, y, **params)]


def _dot_general_batch_dims(ndims, bdims, dimension_numbers):
    """New dimension numbers and the result's batch dim (JAX's ``_dot_general_batch_dim_nums``).

    Both operands batched: the batch dim becomes a new leading dot_general batch
    dimension. One batched: it becomes a free dimension of that operand.
    """
    (lhs_ndim, rhs_ndim), (lbd, rbd) = ndims, bdims
    (lc, rc), (lb, rb) = dimension_numbers

    def bump(dims, b):
        return tuple(d + (d >= b) for d in dims)
    if lbd is not None and rbd is not None:
        return ((bump(lc, lbd), bump(rc, rbd)), ((lbd,) + bump(lb, lbd), (rbd,) + bump(rb, rbd))), 0
    if rbd is None:
        lhs_free = [d for d in range(lhs_ndim) if d not in lb and d not in lc]
        out = len(lb) + sum(d < lbd for d in lhs_free)
        return ((bump(lc, lbd), rc), (bump(lb, lbd), rb)), out
    rhs_free = [d for d in range(rhs_ndim) if d not in rb and d not in rc]
    out = lhs_ndim - len(lc) + sum(d < rbd for d in rhs_free)
    return ((lc, bump(rc, rbd)), (lb, bump(rb, rbd))), out


def _dot_general_batch_rule(axis_data, args, dims, *, dimension_numbers, **params):
    lhs, rhs = args
    new_dims, out_dim = _dot_general_batch_dims(
        (get_aval(lhs).ndim, get_aval(rhs).ndim), dims, dimension_numbers)
    if "out_sharding" in params:   # the batch dimension is not split
        spec = list(params["out_sharding"].spec)
        spec.insert(out_dim, None)
        params["out_sharding"] = params["out_sharding"].with_spec(PartitionSpec(*spec))
    return dot_general_p.bind(lhs, rhs, dimension_numbers=new_dims, **params), out_dim


ad.defjvp(dot_general_p,
          lambda t, x, y, **params: dot_general_p.bind(t, y, **params),
          lambda t, x, y, **params: dot_general_p.bind(x, t, **params))
ad.transpose_rules[dot_general_p] = _dot_general_transpose
batching.batch_rules[dot_general_p] = _dot_general_batch_rule


def dot(lhs, rhs, precision=None, preferred_element_type=None):
    """Vector/matrix product of rank-1 or rank-2 arrays (``lax.dot``): contracts the last
    dimension of ``lhs`` with the first of ``rhs``. Lowers to ``stablehlo.dot_general``.
    """
    la, ra = get_aval(lhs), get_aval(rhs)
    if not (1 <= la.ndim <= 2 and 1 <= ra.ndim <= 2):
        raise TypeError(f"lax.dot requires rank-1 or rank-2 operands, got shapes {la.shape} "
                        f"and {ra.shape}; use lax.dot_general for other ranks")
    if la.shape[-1] != ra.shape[0]:
        raise TypeError(f"lax.dot: incompatible shapes {la.shape} and {ra.shape} (contracting "
                        f"dimension {la.shape[-1]} != {ra.shape[0]})")
    return dot_general(lhs, rhs, (((la.ndim - 1,), (0,)), ((), ())), precision,
                       preferred_element_type)


def batch_matmul(lhs, rhs, precision=None):
    """Batched matrix product of arrays of equal rank >= 2 and equal leading (batch) dims."""
    la, ra = get_aval(lhs), get_aval(rhs)
    if la.ndim < 2 or la.ndim != ra.ndim:
        raise ValueError(f"batch_matmul requires operands of equal rank >= 2, got shapes "
                         f"{la.shape} and {ra.shape}")
    if la.shape[:-2] != ra.shape[:-2]:
        raise ValueError(f"batch_matmul requires equal batch dimensions, got shapes "
                         f"{la.shape} and {ra.shape}")
    batch = tuple(range(la.ndim - 2))
    return dot_general(lhs, rhs, (((la.ndim - 1,), (ra.ndim - 2,)), (batch, batch)), precision)


__all__ = ["Precision", "dot_general", "dot_general_p", "dot", "batch_matmul"]
