"""Elementwise primitives: math, comparisons, bitwise ops, conversions.

One section per primitive: the public wrapper (with its docstring), the
``*_p`` object, and its rules. jvp/transpose/batch rules for these are added
by ``glassbox.ad`` and ``glassbox.batching`` tables when those layers land.
"""
import numpy as np

from .. import dtypes
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..lowering import lowering_rules
from ._families import floating, inexact, naryop, numeric

_SCALARS = (bool, int, float, complex)


def _like(x, ref):
    """Python scalar ``x`` converted to ``ref``'s dtype (lax ops accept weak scalars)."""
    if type(x) in _SCALARS and type(ref) not in _SCALARS:
        return convert_element_type(x, get_aval(ref).dtype, weak_type=get_aval(ref).weak_type)
    return x


def _binary_args(x, y):
    return _like(x, y), _like(y, x)


# --- add ---------------------------------------------------------------------

def add(x, y):
    """Elementwise ``x + y``. Lowers to ``stablehlo.add``."""
    return add_p.bind(*_binary_args(x, y))


add_p = naryop("add", numeric, "stablehlo.add")


# --- sin ---------------------------------------------------------------------

def sin(x):
    """Elementwise sine. Lowers to ``stablehlo.sine``."""
    return sin_p.bind(x)


sin_p = naryop("sin", inexact, "stablehlo.sine")


# --- convert_element_type ----------------------------------------------------

def convert_element_type(x, new_dtype, weak_type=False):
    """Convert ``x`` to ``new_dtype``. Lowers to ``stablehlo.convert``.

    Python scalars are converted on the host (no primitive is bound), as JAX does.
    """
    new_dtype = dtypes.canonicalize_dtype(new_dtype)
    if type(x) in _SCALARS:
        if weak_type:
            py = {"b": bool, "i": int, "u": int, "f": float, "c": complex}[new_dtype.kind]
            if dtypes.dtype_and_weak(py(x)) == (new_dtype, True):
                return py(x)
        return np.array(x, dtype=new_dtype)[()]
    aval = get_aval(x)
    if aval.dtype == new_dtype and aval.weak_type == weak_type:
        return x
    return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=bool(weak_type))


convert_element_type_p = Primitive("convert_element_type")


def _convert_abstract_eval(x, *, new_dtype, weak_type):
    return ShapedArray(x.shape, new_dtype, weak_type)


def _convert_lowering(ctx, x, *, new_dtype, weak_type):
    (aval_in,), (aval_out,) = ctx.avals_in, ctx.avals_out
    if dtypes.is_complex(aval_in.dtype) and not dtypes.is_complex(new_dtype):
        aval_in = aval_in.update(dtype=np.real(np.zeros((), aval_in.dtype)).dtype)
        x = ctx.op("stablehlo.real", [x], aval_in)
    if new_dtype == np.bool_ and aval_in.dtype != np.bool_:
        # XLA's convert to i1 truncates; NumPy's bool() means "is nonzero".
        zero = ctx.constant(0, aval_in.update(shape=()))
        zeros = ctx.op("stablehlo.broadcast_in_dim", [zero], aval_in,
                       attrs={"broadcast_dimensions": "array<i64>"})
        return ctx.op("stablehlo.compare", [x, zeros], aval_out,
                      attrs={"comparison_direction": "#stablehlo<comparison_direction NE>"})
    return ctx.op("stablehlo.convert", [x], aval_out)


abstract_eval_rules[convert_element_type_p] = _convert_abstract_eval
lowering_rules[convert_element_type_p] = _convert_lowering

__all__ = ["add", "add_p", "sin", "sin_p", "convert_element_type", "convert_element_type_p"]
