"""Shared helpers for glassbox.numpy: argument checking, promotion, broadcasting.

jnp functions accept arrays, NumPy arrays and Python scalars, promote them
with JAX's lattice (``dtypes.result_type``), broadcast NumPy-style, then call
lax primitives, which need equal shapes and dtypes.
"""
import functools
import operator
import warnings

import numpy as np

from .. import dtypes, lax
from ..array import ArrayImpl
from ..config import config
from ..core import Tracer, current_trace, eval_trace, get_aval, is_array_like
from ..interpreters.dispatch import eager_op
from ..dtypes import PYTHON_SCALARS
from ..errors import ConcretizationTypeError


def check_arraylike(fun_name, *args):
    """Lists/tuples are not arrays in JAX; say so with the function's name."""
    for i, a in enumerate(args):
        if not is_array_like(a):
            kind = type(a).__name__
            hint = " (use jnp.array(x) or jnp.asarray(x) first)" if isinstance(
                a, (list, tuple)) else ""
            raise TypeError(f"{fun_name} requires ndarray or scalar arguments, got {kind} at "
                            f"position {i}{hint}")


def eager_lane(prim, kinds):
    """Decorate a binary jnp function with the eager fast lane: two concrete arrays of
    one type (a dtype of a kind in ``kinds``), outside every transform, need no
    promotion or broadcasting, so they go straight to ``prim``'s C++ op, the one
    promotion, lax and ``bind`` would reach (a third of the Python time of ``x + y``).
    Anything else, and any error (so it is raised the usual way), takes the function."""
    def wrap(fun):
        @functools.wraps(fun)
        def lane(x1, x2, /):
            if type(x1) is ArrayImpl and type(x2) is ArrayImpl and current_trace() is eval_trace:
                aval = x1.aval
                if (aval is x2.aval or aval == x2.aval) and aval.dtype.kind in kinds:
                    try:
                        return eager_op(prim)(x1, x2)
                    except Exception:   # noqa: BLE001 - raised again, clearly, below
                        pass
            return fun(x1, x2)
        return lane
    return wrap


def check_python_ints(args):
    """A Python int argument is a weak value of the default int type (int32 with x64
    off), as JAX's jitted jnp functions parse it: one that does not fit raises
    OverflowError even where the result is a float (``f32_array + 2**40``). One that
    fits then wraps when converted to a narrower dtype (``int8_array + 300`` is 45)."""
    for a in args:
        if type(a) is int:
            dtypes.check_python_int(a, dtypes.default_int())


def promote_dtypes(*args):
    """Convert all args to their common dtype (JAX's lattice, weak types honoured)."""
    if len(args) < 2:
        return list(args)
    check_python_ints(args)
    dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    return [lax.convert_element_type(a, dtype, weak) for a in args]


def promote_dtypes_inexact(*args):
    """Promote, then to a floating dtype if the result is an integer or bool one."""
    check_python_ints(args)
    dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    if not dtypes.is_inexact(dtype):
        dtype = dtypes.default_float()
    return [lax.convert_element_type(a, dtype, weak) for a in args]


def promote_dtypes_numeric(*args):
    """Promote; bool becomes the default int (for sum, cumsum...)."""
    check_python_ints(args)
    dtype, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    if dtype == np.bool_:
        dtype = dtypes.default_int()
    return [lax.convert_element_type(a, dtype, weak) for a in args]


def broadcast_shapes(*shapes, fun_name="broadcast"):
    """NumPy broadcasting of shapes, with an error that names the operation."""
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for dims in zip(*[(1,) * (ndim - len(s)) + tuple(s) for s in shapes]):
        sizes = {d for d in dims if d != 1}
        if len(sizes) > 1:
            raise ValueError(f"{fun_name}: shapes " + ", ".join(str(tuple(s)) for s in shapes)
                             + " cannot be broadcast together (NumPy broadcasting rules)")
        result.append(sizes.pop() if sizes else 1)
    return tuple(result)


# The lax primitive JAX's jnp binary functions reach first: its shape rule raises JAX's
# TypeError "<lax name> got incompatible shapes for broadcasting: ..." for equal ranks.
_LAX_NAMES = {
    "add": "add", "subtract": "sub", "multiply": "mul", "true_divide": "div",
    "maximum": "max", "minimum": "min", "power": "pow", "float_power": "pow",
    "arctan2": "atan2", "equal": "eq", "not_equal": "ne", "greater": "gt",
    "greater_equal": "ge", "less": "lt", "less_equal": "le", "logical_and": "and",
    "logical_or": "or", "logical_xor": "xor", "bitwise_and": "and", "bitwise_or": "or",
    "bitwise_xor": "xor", "left_shift": "shift_left", "right_shift": "shift_right_arithmetic",
    "remainder": "rem", "fmod": "rem", "floor_divide": "rem", "divmod": "rem",
    "nextafter": "nextafter", "logaddexp": "max", "logaddexp2": "max", "hypot": "or",
    "isclose": "and",
}


def broadcast_shapes_jnp(fun_name, shapes):
    """The broadcast shape of a jnp function's operands, failing as JAX's jnp does: when
    every non-scalar operand has one rank, JAX leaves broadcasting to the lax primitive,
    whose ``TypeError`` names it (``add got incompatible shapes for broadcasting: (3,),
    (4,).``); across ranks it is ``broadcast_shapes``'s ``ValueError``."""
    try:
        return broadcast_shapes(*shapes, fun_name=fun_name)
    except ValueError:
        pass
    shapes = [tuple(s) for s in shapes]
    nonscalar = [s for s in shapes if s]
    if fun_name in _LAX_NAMES and len({len(s) for s in nonscalar}) == 1:
        raise TypeError(f"{_LAX_NAMES[fun_name]} got incompatible shapes for broadcasting: "
                        + ", ".join(map(str, nonscalar)) + ".") from None
    raise ValueError(f"Incompatible shapes for broadcasting: shapes={shapes}") from None


def broadcast_to(x, shape):
    """``x`` broadcast to ``shape`` (Python scalars are left as they are: lax accepts them)."""
    shape = tuple(shape)
    aval = get_aval(x)
    if aval.shape == shape:
        return x
    if type(x) in PYTHON_SCALARS:
        x = lax.convert_element_type(x, aval.dtype, aval.weak_type)
    nlead = len(shape) - aval.ndim
    if nlead < 0:
        raise ValueError(f"cannot broadcast array of shape {aval.shape} to {shape}")
    keep = [i for i, d in enumerate(aval.shape) if d == shape[nlead + i]]
    for i, d in enumerate(aval.shape):
        if d != 1 and d != shape[nlead + i]:
            raise ValueError(f"cannot broadcast array of shape {aval.shape} to shape {shape}")
    if len(keep) != aval.ndim:
        x = lax.reshape(x, tuple(aval.shape[i] for i in keep))
    return lax.broadcast_in_dim(x, shape, tuple(nlead + i for i in keep))


def promote_and_broadcast(fun_name, *args, inexact=False):
    """The usual preamble of a binary jnp function."""
    if len(args) == 2 and not inexact:
        # Fast path: two arrays of the very same type need no promotion or broadcasting.
        a = getattr(args[0], "aval", None)
        if a is not None:
            b = getattr(args[1], "aval", None)
            if a is b or a == b:
                return list(args)
    check_arraylike(fun_name, *args)
    args = promote_dtypes_inexact(*args) if inexact else promote_dtypes(*args)
    shapes = [np.shape(a) if type(a) in PYTHON_SCALARS else get_aval(a).shape for a in args]
    if config.numpy_rank_promotion != "allow" and len({len(s) for s in shapes if s}) > 1:
        _rank_promotion_warning_or_error(fun_name, shapes)
    shape = broadcast_shapes_jnp(fun_name, shapes)
    return [a if type(a) in PYTHON_SCALARS and shape == () else broadcast_to(a, shape) for a in args]


def _rank_promotion_warning_or_error(fun_name, shapes):
    """``config.numpy_rank_promotion`` "warn"/"raise": JAX's warning or error for
    broadcasting operands of different ranks."""
    if config.numpy_rank_promotion == "warn":
        warnings.warn(f"Following NumPy automatic rank promotion for {fun_name} on shapes "
                      f"{' '.join(map(str, shapes))}. Set the jax_numpy_rank_promotion config "
                      "option to 'allow' to disable this warning; for more information, see "
                      "https://docs.jax.dev/en/latest/rank_promotion_warning.html.")
    else:
        raise ValueError(f"Operands could not be broadcast together for {fun_name} on shapes "
                         f"{' '.join(map(str, shapes))} and with the config option "
                         "jax_numpy_rank_promotion='raise'. For more information, see "
                         "https://docs.jax.dev/en/latest/rank_promotion_warning.html.")


def canonicalize_axis(axis, ndim, fun_name="axis"):
    """A non-negative axis, or a clear ``ValueError`` naming the function."""
    try:
        axis = operator.index(axis)
    except TypeError:
        raise TypeError(f"{fun_name}: axis must be an int, got {axis!r}") from None
    if not -ndim <= axis < max(ndim, 1) or (ndim == 0 and axis not in (0, -1)):
        raise ValueError(f"{fun_name}: axis {axis} is out of bounds for an array of "
                         f"dimension {ndim}")
    return axis % ndim if ndim else 0


def canonicalize_axes(axis, ndim, fun_name="axis"):
    """``None`` -> all axes; an int or sequence -> sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (tuple, list)):
        axes = tuple(canonicalize_axis(a, ndim, fun_name) for a in axis)
        if len(set(axes)) != len(axes):
            raise ValueError(f"{fun_name}: repeated axis in {axis}")
        return tuple(sorted(axes))
    return (canonicalize_axis(axis, ndim, fun_name),)


def static_int(x, what):
    """``operator.index(x)``, or an error saying ``x`` must be static (a shape, a count).
    A tracer with a known value (under ``grad`` of concrete inputs) gives that value."""
    if isinstance(x, Tracer):
        value = x.to_concrete_value()
        if value is None:
            raise ConcretizationTypeError(x, f"{what} must be a static (concrete) integer")
        x = value
    try:
        return operator.index(x)
    except TypeError:
        raise TypeError(f"{what} must be an integer, got {x!r}") from None
