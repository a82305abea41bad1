"""Comparison, logical/bitwise, shift and bitcast primitives.

One section per primitive: the public wrapper (with its docstring), the
``*_p`` object, and its rules. Wrappers take arrays or Python scalars (which
adopt an array operand's dtype) and broadcast scalars and size-1 dimensions,
as lax does (see ``_families.nary_args``).

None of these is differentiable: comparisons give bools, the others take
integers, so every jvp rule is a zero tangent (``defjvp_zero``, as JAX's
``ad.defjvp_zero``). Batching: ``naryop`` gives the elementwise rule;
``bitcast_convert_type`` has its own (it can add or remove a trailing axis).
"""
import numpy as np

from .. import dtypes
from ..interpreters import batching
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..interpreters.lowering import lowering_rules
from ._families import (any_dtype, compare_op, defjvp_zero, int_or_bool, integer, nary_args,
                        naryop, ordered)


def _binary(prim, x, y):
    return prim.bind(*nary_args(prim.name, (x, y)))


# --- eq / ne / lt / le / gt / ge ---------------------------------------------
# stablehlo.compare with compare_type FLOAT (floating, complex), SIGNED or
# UNSIGNED (unsigned integers and bool), as JAX emits. nan compares unequal.

def eq(x, y):
    """Elementwise ``x == y`` (bool result). Lowers to ``stablehlo.compare EQ``."""
    return _binary(eq_p, x, y)


eq_p = compare_op("eq", any_dtype, "EQ")
defjvp_zero(eq_p)


def ne(x, y):
    """Elementwise ``x != y`` (bool result). Lowers to ``stablehlo.compare NE``."""
    return _binary(ne_p, x, y)


ne_p = compare_op("ne", any_dtype, "NE")
defjvp_zero(ne_p)


def lt(x, y):
    """Elementwise ``x < y`` (bool result; not for complex). Lowers to ``stablehlo.compare LT``."""
    return _binary(lt_p, x, y)


lt_p = compare_op("lt", ordered, "LT")
defjvp_zero(lt_p)


def le(x, y):
    """Elementwise ``x <= y`` (bool result; not for complex). Lowers to ``stablehlo.compare LE``."""
    return _binary(le_p, x, y)


le_p = compare_op("le", ordered, "LE")
defjvp_zero(le_p)


def gt(x, y):
    """Elementwise ``x > y`` (bool result; not for complex). Lowers to ``stablehlo.compare GT``."""
    return _binary(gt_p, x, y)


gt_p = compare_op("gt", ordered, "GT")
defjvp_zero(gt_p)


def ge(x, y):
    """Elementwise ``x >= y`` (bool result; not for complex). Lowers to ``stablehlo.compare GE``."""
    return _binary(ge_p, x, y)


ge_p = compare_op("ge", ordered, "GE")
defjvp_zero(ge_p)


# --- not / and / or / xor ----------------------------------------------------
# Python keywords, so the wrappers are bitwise_*; the primitives keep lax's names.

def bitwise_not(x):
    """Elementwise bitwise NOT (logical NOT for bool). Lowers to ``stablehlo.not``."""
    return not_p.bind(x)


not_p = naryop("not", int_or_bool, "stablehlo.not")
defjvp_zero(not_p)


def bitwise_and(x, y):
    """Elementwise bitwise AND (logical AND for bool). Lowers to ``stablehlo.and``."""
    return _binary(and_p, x, y)


and_p = naryop("and", int_or_bool, "stablehlo.and")
defjvp_zero(and_p)


def bitwise_or(x, y):
    """Elementwise bitwise OR (logical OR for bool). Lowers to ``stablehlo.or``."""
    return _binary(or_p, x, y)


or_p = naryop("or", int_or_bool, "stablehlo.or")
defjvp_zero(or_p)


def bitwise_xor(x, y):
    """Elementwise bitwise XOR (logical XOR for bool). Lowers to ``stablehlo.xor``."""
    return _binary(xor_p, x, y)


xor_p = naryop("xor", int_or_bool, "stablehlo.xor")
defjvp_zero(xor_p)


# --- population_count / clz ----------------------------------------------------

def population_count(x):
    """Elementwise number of set bits (integer dtypes). Lowers to ``stablehlo.popcnt``."""
    return population_count_p.bind(x)


population_count_p = naryop("population_count", integer, "stablehlo.popcnt")
defjvp_zero(population_count_p)


def clz(x):
    """Elementwise number of leading zero bits (integer dtypes).

    Lowers to ``stablehlo.count_leading_zeros``.
    """
    return clz_p.bind(x)


clz_p = naryop("clz", integer, "stablehlo.count_leading_zeros")
defjvp_zero(clz_p)


# --- shift_left / shift_right_logical / shift_right_arithmetic ---------------
# Shift amounts are read as unsigned: amounts >= the bit width give 0 (or, for
# an arithmetic right shift, the sign fill: 0 or -1), as in XLA and NumPy.

def shift_left(x, y):
    """Elementwise ``x << y`` (integer dtypes). Lowers to ``stablehlo.shift_left``."""
    return _binary(shift_left_p, x, y)


shift_left_p = naryop("shift_left", integer, "stablehlo.shift_left")
defjvp_zero(shift_left_p)


def shift_right_logical(x, y):
    """Elementwise ``x >> y`` filling with zeros. Lowers to ``stablehlo.shift_right_logical``."""
    return _binary(shift_right_logical_p, x, y)


shift_right_logical_p = naryop("shift_right_logical", integer, "stablehlo.shift_right_logical")
defjvp_zero(shift_right_logical_p)


def shift_right_arithmetic(x, y):
    """Elementwise ``x >> y`` filling with the sign bit.

    Lowers to ``stablehlo.shift_right_arithmetic``.
    """
    return _binary(shift_right_arithmetic_p, x, y)


shift_right_arithmetic_p = naryop("shift_right_arithmetic", integer,
                                  "stablehlo.shift_right_arithmetic")
defjvp_zero(shift_right_arithmetic_p)


# --- bitcast_convert_type ----------------------------------------------------

def bitcast_convert_type(operand, new_dtype):
    """Reinterpret the bits of ``operand`` as ``new_dtype`` (``stablehlo.bitcast_convert``).

    Equal widths keep the shape. A narrower ``new_dtype`` adds a trailing
    dimension (float32 -> uint8: shape ``(..., 4)``); a wider one removes a
    trailing dimension that must hold exactly the bytes of one element.
    Bool and complex are accepted only when the dtype does not change.

    >>> lax.bitcast_convert_type(jnp.float32(1.0), jnp.int32)
    Array(1065353216, dtype=int32)
    """
    return bitcast_convert_type_p.bind(operand, new_dtype=dtypes.canonicalize_dtype(new_dtype))


bitcast_convert_type_p = Primitive("bitcast_convert_type")


def _bitcast_convert_type_abstract_eval(x, *, new_dtype):
    old = x.dtype
    if old != new_dtype and any(d == np.bool_ or dtypes.is_complex(d) for d in (old, new_dtype)):
        raise TypeError(f"bitcast_convert_type does not support bool or complex values unless "
                        f"the dtype stays the same, got {old.name} -> {new_dtype.name}")
    old_bits, new_bits = old.itemsize * 8, new_dtype.itemsize * 8
    if old_bits == new_bits:
        shape = x.shape
    elif old_bits > new_bits:
        shape = (*x.shape, old_bits // new_bits)
    else:
        last = x.shape[-1] if x.shape else 1
        if last * old_bits != new_bits:
            raise ValueError(f"bitcast_convert_type: converting shape {x.shape} from "
                             f"{old.name} ({old_bits} bits) to {new_dtype.name} ({new_bits} "
                             f"bits) needs a last dimension of {new_bits // old_bits}, got {last}")
        shape = x.shape[:-1]
    return ShapedArray(shape, new_dtype, False)


def _bitcast_convert_type_batch(axis_data, args, dims, *, new_dtype):
    # Converting to a wider dtype consumes the trailing axis, which must not be the batch
    # axis; a narrower dtype appends a trailing axis, after the batch axis.
    (x,), (bdim,) = args, dims
    aval = get_aval(x)
    if bdim == aval.ndim - 1 and aval.dtype.itemsize < np.dtype(new_dtype).itemsize:
        x, bdim = batching.moveaxis(x, bdim, 0), 0
    return bitcast_convert_type_p.bind(x, new_dtype=new_dtype), bdim


abstract_eval_rules[bitcast_convert_type_p] = _bitcast_convert_type_abstract_eval
lowering_rules[bitcast_convert_type_p] = \
    lambda ctx, x, *, new_dtype: ctx.op("stablehlo.bitcast_convert", [x])
defjvp_zero(bitcast_convert_type_p)
batching.batch_rules[bitcast_convert_type_p] = _bitcast_convert_type_batch

__all__ = [
    "eq", "eq_p", "ne", "ne_p", "lt", "lt_p", "le", "le_p", "gt", "gt_p", "ge", "ge_p",
    "bitwise_not", "not_p", "bitwise_and", "and_p", "bitwise_or", "or_p",
    "bitwise_xor", "xor_p", "population_count", "population_count_p", "clz", "clz_p",
    "shift_left", "shift_left_p", "shift_right_logical", "shift_right_logical_p",
    "shift_right_arithmetic", "shift_right_arithmetic_p",
    "bitcast_convert_type", "bitcast_convert_type_p",
]
