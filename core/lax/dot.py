"""Contraction primitives: ``dot_general`` (plus the ``dot`` and ``batch_matmul`` wrappers).

``dot_general`` contracts chosen dimensions of two arrays and keeps batch
dimensions paired. The result's dimensions are ordered: batch dims, then the
lhs's free dims, then the rhs's free dims. It lowers to one
``stablehlo.dot_general``; ``jnp.dot``, ``matmul``, ``tensordot`` and ``einsum``
are all built from it.
"""
import enum
import operator

import numpy as np

from .. import dtypes
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..lowering import lowering_rules


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

def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    """General tensor contraction. Lowers to ``stablehlo.dot_general``.

    Args:
      lhs, rhs: arrays.
      dimension_numbers: ``((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch))``,
        each a sequence of dimension indices.
      precision: ``None``, a ``lax.Precision`` or a pair of them (a hint; CPU ignores it).
      preferred_element_type: the result (accumulation) dtype; defaults to the operands'.

    Returns:
      An array with dimensions ``batch + lhs free + rhs free``.

    Example: a batched matmul of ``(b, m, k)`` and ``(b, k, n)`` is
    ``dot_general(x, y, (((2,), (1,)), ((0,), (0,))))`` with shape ``(b, m, n)``.
    """
    (lc, rc), (lb, rb) = _parse_dimension_numbers(dimension_numbers)
    pref = None if preferred_element_type is None else \
        dtypes.canonicalize_dtype(preferred_element_type)
    lhs, rhs = _scalar_operands(lhs, rhs)
    return dot_general_p.bind(lhs, rhs, dimension_numbers=((lc, rc), (lb, rb)),
                              precision=canonicalize_precision(precision),
                              preferred_element_type=pref)


def _scalar_operands(lhs, rhs):
    # Python scalars take the other operand's dtype (weakly), as lax ops accept them.
    from .elementwise import convert_element_type
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
                               preferred_element_type):
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
                          preferred_element_type):
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
lowering_rules[dot_general_p] = _dot_general_lowering


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
