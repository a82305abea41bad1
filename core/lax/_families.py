"""Registrar helpers for the common primitive shapes (rules are data).

``unop``/``binop``/``naryop`` make an elementwise primitive in one line: they
build the Primitive, its shape/dtype rule (operands must share shape and
dtype, as in JAX's lax; the result is weak only if every operand is) and,
when given an op name, its lowering. jvp/transpose/batch rules are
registered beside each primitive by the autodiff and vmap layers.
"""
import numpy as np

from .. import dtypes
from ..core import Primitive, ShapedArray, abstract_eval_rules
from ..lowering import lowering_rules, simple_lowering

# dtype groups accepted by elementwise primitives
def _kinds(*preds):
    def accepts(dtype):
        return any(p(dtype) for p in preds)
    return accepts


is_bool = lambda d: np.dtype(d) == np.bool_  # noqa: E731
floating = _kinds(dtypes.is_float)
inexact = _kinds(dtypes.is_float, dtypes.is_complex)
integer = _kinds(dtypes.is_int)
int_or_bool = _kinds(dtypes.is_int, is_bool)
signed_num = _kinds(lambda d: dtypes.is_int(d) and not dtypes.is_unsigned(d),
                    dtypes.is_float, dtypes.is_complex)
numeric = _kinds(dtypes.is_int, dtypes.is_float, dtypes.is_complex)
real_num = _kinds(dtypes.is_int, dtypes.is_float)
any_dtype = _kinds(lambda d: True)

_GROUP_NAMES = {floating: "floating", inexact: "floating or complex", integer: "integer",
                int_or_bool: "integer or boolean", signed_num: "signed numeric",
                numeric: "numeric", real_num: "integer or floating", any_dtype: "any"}


def check_dtypes(prim_name, accepts, avals):
    for i, a in enumerate(avals):
        if not accepts(a.dtype):
            raise TypeError(f"{prim_name} does not accept dtype {a.dtype.name} (argument {i}); "
                            f"it accepts {_GROUP_NAMES.get(accepts, 'other')} dtypes")


def check_same(prim_name, avals):
    """Elementwise lax ops need equal shapes and dtypes (jnp broadcasts and promotes first)."""
    shape, dtype = avals[0].shape, avals[0].dtype
    for i, a in enumerate(avals[1:], 1):
        if a.shape != shape:
            raise TypeError(f"{prim_name} got incompatible shapes for broadcasting: "
                            + ", ".join(str(b.shape) for b in avals)
                            + " (lax ops need equal shapes; glassbox.numpy broadcasts)")
        if a.dtype != dtype:
            raise TypeError(f"{prim_name} requires arguments to have the same dtypes, got "
                            + ", ".join(b.dtype.name for b in avals)
                            + " (convert one with .astype, or use glassbox.numpy)")


def elementwise_abstract_eval(prim_name, accepts, result_dtype=None):
    def rule(*avals, **params):
        check_dtypes(prim_name, accepts, avals)
        check_same(prim_name, avals)
        dtype = avals[0].dtype if result_dtype is None else result_dtype(avals[0].dtype)
        weak = all(a.weak_type for a in avals) and result_dtype is None
        return ShapedArray(avals[0].shape, dtype, weak)
    return rule


def naryop(name, accepts, lowering=None, result_dtype=None, **attrs):
    prim = Primitive(name)
    abstract_eval_rules[prim] = elementwise_abstract_eval(name, accepts, result_dtype)
    if lowering is not None:
        lowering_rules[prim] = simple_lowering(lowering, **attrs)
    return prim


unop = binop = naryop
