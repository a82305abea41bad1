"""Dtypes, weak types and JAX's type-promotion lattice.

JAX does not promote like NumPy. It defines a lattice over dtypes plus three
"weak" categories for Python scalars (``i*``, ``f*``, ``c*``); the result of
combining types is their least upper bound. A weakly typed value adopts the
other operand's dtype (``float16 + 1.0 -> float16``), so Python scalars never
widen an array. With x64 off, 64-bit results are canonicalized to 32 bits.
"""
import functools

import ml_dtypes
import numpy as np

from .config import config

# The Python types that are array values (weakly typed scalars).
PYTHON_SCALARS = (bool, int, float, complex)

bool_ = np.dtype(np.bool_)
int8, int16, int32, int64 = (np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64))
uint8, uint16, uint32, uint64 = (np.dtype(t) for t in (np.uint8, np.uint16, np.uint32, np.uint64))
float16, float32, float64 = (np.dtype(t) for t in (np.float16, np.float32, np.float64))
bfloat16 = np.dtype(ml_dtypes.bfloat16)
complex64, complex128 = np.dtype(np.complex64), np.dtype(np.complex128)

SUPPORTED = (bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
             bfloat16, float16, float32, float64, complex64, complex128)

# Weak categories are represented by the Python types themselves.
_WEAK = {int: "i*", float: "f*", complex: "c*"}

# The lattice, as edges "a -> b" meaning b is above a (from JAX's documentation).
_EDGES = {
    bool_: ["i*"],
    "i*": [uint8, int8],
    uint8: [int16, uint16], uint16: [int32, uint32], uint32: [int64, uint64], uint64: ["f*"],
    int8: [int16], int16: [int32], int32: [int64], int64: ["f*"],
    "f*": ["c*", float16, bfloat16],
    float16: [float32], bfloat16: [float32], float32: [float64, complex64], float64: [complex128],
    "c*": [complex64], complex64: [complex128], complex128: [],
}


def _upper_sets():
    ups = {}

    def visit(node):
        if node not in ups:
            s = {node}
            for above in _EDGES[node]:
                s |= visit(above)
            ups[node] = frozenset(s)
        return ups[node]
    for node in _EDGES:
        visit(node)
    return ups


_UP = _upper_sets()
_CATEGORY_DEFAULT = {"i*": int64, "f*": float64, "c*": complex128}
_X64_OFF = {int64: int32, uint64: uint32, float64: float32, complex128: complex64}


_canonical_cache = {}


def canonicalize_dtype(dtype):
    """The dtype values of ``dtype`` actually get: 64-bit types shrink when x64 is off."""
    try:
        return _canonical_cache[dtype, config.enable_x64]
    except (KeyError, TypeError):
        pass
    result = _canonicalize(dtype)
    try:
        _canonical_cache[dtype, config.enable_x64] = result
    except TypeError:
        pass
    return result


def _canonicalize(dtype):
    dtype = np.dtype(dtype)
    if dtype not in SUPPORTED:
        raise TypeError(f"glassbox does not support dtype {dtype}; supported dtypes are "
                        + ", ".join(str(d) for d in SUPPORTED))
    if not config.enable_x64:
        return _X64_OFF.get(dtype, dtype)
    return dtype


def default_int():
    return canonicalize_dtype(int64)


def default_float():
    return canonicalize_dtype(float64)


def default_complex():
    return canonicalize_dtype(complex128)


def issubdtype(a, b):
    """``np.issubdtype`` that also knows bfloat16 is a floating type."""
    if b in (np.floating, np.inexact) and np.dtype(a) == bfloat16:
        return True
    return np.issubdtype(a, b)


def is_float(dtype):
    return issubdtype(dtype, np.floating)


def is_complex(dtype):
    return np.issubdtype(dtype, np.complexfloating)


def is_inexact(dtype):
    return is_float(dtype) or is_complex(dtype)


def is_int(dtype):
    return np.issubdtype(dtype, np.integer)


def is_unsigned(dtype):
    return np.issubdtype(dtype, np.unsignedinteger)


def _node(dtype, weak):
    if weak:
        if dtype == bool_:
            return bool_
        if is_int(dtype):
            return "i*"
        if is_float(dtype):
            return "f*"
        return "c*"
    return np.dtype(dtype)


@functools.lru_cache(maxsize=4096)
def _join(nodes):
    common = functools.reduce(lambda a, b: a & b, (_UP[n] for n in nodes))
    # The least upper bound is the element of ``common`` below all the others.
    for candidate in common:
        if all(other in _UP[candidate] for other in common):
            return candidate
    raise TypeError(f"no common type for {nodes}")  # unreachable: the lattice has a top


def lattice_join(*typed):
    """The least upper bound of ``(dtype, weak_type)`` pairs, *not* canonicalized for x64.

    Returns ``(dtype, weak)``; weak categories come back as their 64-bit default.
    """
    nodes = tuple({_node(np.dtype(d), w) for d, w in typed})
    for node in nodes:
        if not isinstance(node, str) and node not in SUPPORTED:
            raise TypeError(f"glassbox does not support dtype {node}")
    node = nodes[0] if len(nodes) == 1 else _join(tuple(sorted(nodes, key=str)))
    if isinstance(node, str):
        return np.dtype(_CATEGORY_DEFAULT[node]), True
    return node, False


def promote(*typed):
    """Promote ``(dtype, weak_type)`` pairs; returns the ``(dtype, weak_type)`` of the result.

    The join happens first and canonicalization after, as in JAX: uint64 with int8
    is a weak float even with x64 off.
    """
    dtype, weak = lattice_join(*typed)
    return canonicalize_dtype(dtype), weak


def dtype_and_weak(x):
    """The ``(dtype, weak_type)`` a value would have as a glassbox array."""
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval.dtype, aval.weak_type
    t = type(x)
    if t is bool:
        return bool_, False
    if t is int:
        return default_int(), True
    if t is float:
        return default_float(), True
    if t is complex:
        return default_complex(), True
    if x is int or x is float or x is complex:   # the Python types themselves are weak
        return dtype_and_weak(x(0))
    # Join first, canonicalize after (in ``promote``): keep dtypes as given here.
    if isinstance(x, (type, np.dtype, str)):
        return _supported(np.dtype(x)), False
    if hasattr(x, "dtype"):
        return _supported(np.dtype(x.dtype)), False
    return _supported(np.asarray(x).dtype), False


def _supported(dtype):
    canonicalize_dtype(dtype)   # raises a clear TypeError for unsupported dtypes
    return dtype


def result_type(*args, return_weak_type_flag=False):
    """``jnp.result_type``: the dtype JAX's lattice gives for combining ``args``.

    Args may be arrays, Python scalars or dtypes (dtypes count as strongly typed).
    """
    if not args:
        raise ValueError("result_type needs at least one argument")
    dtype, weak = promote(*(dtype_and_weak(a) for a in args))
    return (dtype, weak) if return_weak_type_flag else dtype


def promote_types(a, b):
    """``jnp.promote_types``: promote two dtypes (never weak)."""
    return promote((np.dtype(a), False), (np.dtype(b), False))[0]


def finfo(dtype):
    return ml_dtypes.finfo(canonicalize_dtype(dtype))


def iinfo(dtype):
    return ml_dtypes.iinfo(canonicalize_dtype(dtype))


def python_scalar_dtype(x):
    return dtype_and_weak(x)[0]


def check_python_int(x, dtype):
    """A Python int must fit ``dtype`` where JAX parses it as a value of that dtype
    (an argument, ``jnp.array(300, int8)``): OverflowError, as in JAX. Conversions
    (``lax.convert_element_type``) wrap instead."""
    if type(x) is int and is_int(dtype):
        info = np.iinfo(dtype)
        if not info.min <= x <= info.max:
            raise OverflowError(f"Python int {x} is too large to convert to {dtype}; "
                                f"use an explicit dtype (e.g. int64 with x64 enabled) or a float")
