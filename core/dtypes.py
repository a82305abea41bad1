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

# ml_dtypes' narrow types. They are outside NumPy's type hierarchy (their kind is
# 'V'), so the predicates below know them by name. As in JAX they sit on the
# lattice with no edge upward: weak scalars (and whatever is below the weak type,
# e.g. int8 below f*) promote into them; nothing promotes out of them.
FLOAT8 = tuple(np.dtype(getattr(ml_dtypes, n)) for n in (
    "float8_e3m4", "float8_e4m3", "float8_e8m0fnu", "float8_e4m3b11fnuz", "float8_e4m3fn",
    "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz"))
FLOAT6 = tuple(np.dtype(getattr(ml_dtypes, n)) for n in ("float6_e2m3fn", "float6_e3m2fn"))
FLOAT4 = (np.dtype(ml_dtypes.float4_e2m1fn),)
SMALL_FLOATS = FLOAT4 + FLOAT6 + FLOAT8
_NO_INF = tuple(np.dtype(getattr(ml_dtypes, n)) for n in (
    "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2fnuz"))
int2, int4 = np.dtype(ml_dtypes.int2), np.dtype(ml_dtypes.int4)
uint2, uint4 = np.dtype(ml_dtypes.uint2), np.dtype(ml_dtypes.uint4)
SMALL_SIGNED, SMALL_UNSIGNED = (int2, int4), (uint2, uint4)
SMALL_INTS = SMALL_SIGNED + SMALL_UNSIGNED
# int1/uint1 exist as names (jnp.int1) but, as in JAX 0.10.2, arrays of them are not
# supported: XLA would lower them to i1, which is bool's type.

SUPPORTED = (bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
             bfloat16, float16, float32, float64, complex64, complex128) + SMALL_INTS + SMALL_FLOATS


class TypePromotionError(ValueError):
    """Raised when types have no common type on JAX's lattice (e.g. float8 with float32)."""


# Weak categories are represented by the Python types themselves.
_WEAK = {int: "i*", float: "f*", complex: "c*"}


def _lattice(x64=True):
    """The lattice, as edges "a -> b" meaning b is above a (JAX's ``_type_promotion_lattice``).

    With x64 off JAX avoids the one join that makes a 64-bit type from 32-bit inputs:
    uint32 with a signed int goes to int32 instead of int64 (so ``promote_types(uint32,
    int32)`` is int32 there, and int64 with x64 on)."""
    edges = {
        bool_: ["i*"],
        "i*": [uint8, int8, *SMALL_INTS],
        uint8: [int16, uint16], uint16: [int32, uint32],
        uint32: [int64, uint64], uint64: ["f*"],
        int8: [int16], int16: [int32], int32: [int64], int64: ["f*"],
        "f*": ["c*", float16, bfloat16, *SMALL_FLOATS],
        float16: [float32], bfloat16: [float32], float32: [float64, complex64],
        float64: [complex128],
        "c*": [complex64], complex64: [complex128], complex128: [],
    }
    edges.update({t: [] for t in SMALL_INTS + SMALL_FLOATS})
    if not x64:
        edges[uint32] = [int32, uint64]
    return edges


def _upper_sets(edges):
    ups = {}

    def visit(node):
        if node not in ups:
            s = {node}
            for above in edges[node]:
                s |= visit(above)
            ups[node] = frozenset(s)
        return ups[node]
    for node in edges:
        visit(node)
    return ups


def _strict_lattice():
    """``numpy_dtype_promotion="strict"``: only weak scalars promote (into any type of
    their kind or above); two different strong dtypes have no join."""
    ints = [*SMALL_INTS, uint8, uint16, uint32, uint64, int8, int16, int32, int64]
    floats = [*SMALL_FLOATS, bfloat16, float16, float32, float64]
    edges = {"i*": ["f*", *ints], "f*": ["c*", *floats], "c*": [complex64, complex128]}
    edges.update({t: [] for t in SUPPORTED})
    return edges


_UPS = {True: _upper_sets(_lattice(True)), False: _upper_sets(_lattice(False)),
        "strict": _upper_sets(_strict_lattice())}
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


# NumPy's abstract types each narrow type belongs to (NumPy itself says none).
_ABSTRACT_OF = {}
for _d in (bfloat16,) + SMALL_FLOATS:
    _ABSTRACT_OF[_d] = (np.generic, np.number, np.inexact, np.floating)
for _d in SMALL_SIGNED:
    _ABSTRACT_OF[_d] = (np.generic, np.number, np.integer, np.signedinteger)
for _d in SMALL_UNSIGNED:
    _ABSTRACT_OF[_d] = (np.generic, np.number, np.integer, np.unsignedinteger)
del _d


# --- dtypes outside NumPy's: float0 and extended dtypes ---------------------

# The tangent type of integer and boolean values: a gradient with respect to an
# integer input (``grad(f, allow_int=True)``) is an array of it, of zero bytes.
float0 = np.dtype([("float0", np.void, 0)])


class extended(np.generic):
    """Scalar class of every extended dtype, for ``issubdtype(key.dtype, extended)``;
    never instantiated."""


class prng_key(extended):
    """Scalar class of typed PRNG key dtypes (``random.key(0).dtype``), for
    ``issubdtype(x.dtype, dtypes.prng_key)``; never instantiated."""


class ExtendedDType:
    """Base class of dtypes NumPy does not have (``key<fry>``); ``type`` is the scalar
    class that places it in NumPy's hierarchy (a subclass of ``extended``)."""
    type = extended


def issubdtype(a, b):
    """``np.issubdtype`` that also places ml_dtypes' types (bfloat16, float8, int4, ...)
    and extended dtypes: ``issubdtype(random.key(0).dtype, prng_key)`` is True."""
    if isinstance(b, type) and issubclass(b, extended):
        if isinstance(a, ExtendedDType):
            return issubclass(a.type, b)
        if isinstance(a, type) and issubclass(a, np.generic):
            return issubclass(a, b)
        return issubclass(np.dtype(a).type, b)
    if isinstance(b, ExtendedDType):
        return isinstance(a, ExtendedDType) and a == b
    if isinstance(a, ExtendedDType):
        b = b if isinstance(b, type) and issubclass(b, np.generic) else np.dtype(b).type
        return issubclass(a.type, b)
    a = np.dtype(a)
    abstract = _ABSTRACT_OF.get(a)
    if abstract is not None:
        if isinstance(b, type) and issubclass(b, np.generic) and b in abstract:
            return True
        try:
            return np.dtype(b) == a
        except TypeError:
            return False
    return np.issubdtype(a, b)


def supports_inf(dtype):
    """JAX's ``supports_inf``: False for the float8 types that lack infinities
    (e4m3fn, e4m3fnuz, e4m3b11fnuz, e5m2fnuz) and for non-inexact types.

    A reduction's identity (the init of ``max``) is ``finfo.min`` where this is False.
    """
    dtype = np.dtype(dtype)
    return dtype not in _NO_INF and is_inexact(dtype)


def is_float(dtype):
    return issubdtype(dtype, np.floating)


def is_complex(dtype):
    return np.issubdtype(dtype, np.complexfloating)


def is_inexact(dtype):
    return is_float(dtype) or is_complex(dtype)


def is_int(dtype):
    return issubdtype(dtype, np.integer)


def is_unsigned(dtype):
    return issubdtype(dtype, np.unsignedinteger)


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
def _join(nodes, x64):
    ups = _UPS[x64]
    common = functools.reduce(lambda a, b: a & b, (ups[n] for n in nodes))
    # The least upper bound is the element of ``common`` below all the others.
    for candidate in common:
        if all(other in ups[candidate] for other in common):
            return candidate
    if x64 == "strict":
        names = tuple(_WEAK_NAMES.get(n, str(n)) for n in nodes)
        raise TypePromotionError(
            f"Input dtypes {names} have no available implicit dtype promotion path when "
            "jax_numpy_dtype_promotion=strict. Try explicitly casting inputs to the desired "
            "output type, or set jax_numpy_dtype_promotion=standard.")
    raise TypePromotionError(_no_join_message(nodes))


_WEAK_NAMES = {"i*": "<class 'int'>", "f*": "<class 'float'>", "c*": "<class 'complex'>"}


def _no_join_message(nodes):
    """JAX's message for types with no common type (the float8 one first, as JAX checks)."""
    names = tuple(_WEAK_NAMES.get(n, str(n)) for n in nodes)
    head = f"Input dtypes {names} have no available implicit dtype promotion path."
    for group, what in ((FLOAT8, "8-bit floats"), (FLOAT6, "6-bit floats"),
                        (FLOAT4, "4-bit floats")):
        if any(n in group for n in nodes):
            return (f"{head} To avoid unintended promotion, {what} do not support implicit "
                    "promotion. If you'd like your inputs to be promoted to another type, "
                    "you can do so explicitly using e.g. x.astype('float32')")
    if any(n in SMALL_INTS for n in nodes):
        return (f"{head} To avoid unintended promotion, 1-bit, 2-bit and 4-bit integers do "
                "not support implicit promotion. If you'd like your inputs to be promoted to "
                "another type, you can do so explicitly using e.g. x.astype('int32')")
    return f"{head} Try explicitly casting inputs to the desired output type."


def lattice_join(*typed):
    """The least upper bound of ``(dtype, weak_type)`` pairs, *not* canonicalized for x64.

    Returns ``(dtype, weak)``; weak categories come back as their 64-bit default.
    """
    nodes = tuple({_node(np.dtype(d), w) for d, w in typed})
    for node in nodes:
        if not isinstance(node, str) and node not in SUPPORTED:
            raise TypeError(f"glassbox does not support dtype {node}")
    node = (nodes[0] if len(nodes) == 1
            else _join(tuple(sorted(nodes, key=str)),
                       "strict" if config.numpy_dtype_promotion == "strict"
                       else bool(config.enable_x64)))
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


def extremes(dtype):
    """``(lowest, highest)`` of ``dtype`` as the identities of ``max``/``min``: -inf and
    inf where the type has them, else its finite extremes (the float8 types without
    infinities, and every integer type, int4 included); False and True for bool."""
    dtype = np.dtype(dtype)
    if dtype == bool_:
        return False, True
    if is_inexact(dtype):
        if supports_inf(dtype):
            return -np.inf, np.inf
        info = ml_dtypes.finfo(dtype)
        return info.min, info.max
    info = ml_dtypes.iinfo(dtype)
    return info.min, info.max


def itemsize_bits(dtype):
    """Bits per element (``int4``: 4; ``bool``: 8, its storage)."""
    if dtype is None:
        raise ValueError("dtype cannot be None.")
    if dtype == np.dtype(bool):
        return 8
    if issubdtype(dtype, np.integer):
        return ml_dtypes.iinfo(dtype).bits
    if issubdtype(dtype, np.floating):
        return ml_dtypes.finfo(dtype).bits
    if issubdtype(dtype, np.complexfloating):
        return 2 * ml_dtypes.finfo(dtype).bits
    raise ValueError(f"unexpected input: dtype={dtype!r}")


def scalar_type_of(x):
    """The Python scalar type of a value's dtype: ``bool``, ``int``, ``float`` or
    ``complex`` (bfloat16 and float8 are ``float``, int4 ``int``)."""
    dtype = np.dtype(dtype_and_weak(x)[0])
    for kind, scalar in ((np.bool_, bool), (np.integer, int), (np.floating, float),
                         (np.complexfloating, complex)):
        if issubdtype(dtype, kind):
            return scalar
    raise TypeError(f"Invalid scalar value {x}")


def python_scalar_dtype(x):
    return dtype_and_weak(x)[0]


def check_python_int(x, dtype):
    """A Python int must fit ``dtype`` where JAX parses it as a value of that dtype
    (an argument, ``jnp.array(300, int8)``): OverflowError, as in JAX. Conversions
    (``lax.convert_element_type``) wrap instead."""
    if type(x) is int and is_int(dtype) and dtype not in SMALL_INTS:
        # (JAX wraps for int2/int4: jnp.array(8, jnp.int4) is -8)
        info = np.iinfo(dtype)
        if not info.min <= x <= info.max:
            raise OverflowError(f"Python int {x} is too large to convert to {dtype}; "
                                f"use an explicit dtype (e.g. int64 with x64 enabled) or a float")
