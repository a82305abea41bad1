"""Dtypes as glassbox.numpy spells them: scalar types, promotion, finfo/iinfo, constants.

``jnp.float32`` is a *scalar type*: a class that is also a dtype specifier
(``np.dtype(jnp.float32)`` is float32, because the class carries a ``dtype``
attribute) and that makes arrays when called (``jnp.float32(1.5)`` is a
strongly typed float32 Array). As in JAX, 64-bit scalar types make 32-bit
arrays while x64 is off.

Promotion itself (JAX's lattice, weak types) lives in ``glassbox.dtypes``;
this module only adapts it to NumPy's spelling: Python's ``int``, ``float``
and ``complex`` given as types are *weak* (``promote_types('uint8', int)`` is
uint8), exactly as in JAX.
"""
import builtins
import math
import warnings

import ml_dtypes
import numpy as np

from .. import dtypes
from .. import numpy as jnp  # this package, partly imported now: names are read at call time

__all__ = [
    # scalar types
    "bool_", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
    "bfloat16", "float16", "float32", "float64", "complex64", "complex128",
    "float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3",
    "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2", "float8_e5m2fnuz",
    "float8_e8m0fnu", "int1", "int2", "int4", "uint1", "uint2", "uint4",
    "float_", "int_", "uint", "complex_", "single", "double", "half", "csingle", "cdouble",
    # numpy's abstract scalar types
    "generic", "number", "integer", "signedinteger", "unsignedinteger", "inexact",
    "floating", "complexfloating", "character", "flexible",
    # functions
    "dtype", "result_type", "promote_types", "can_cast", "issubdtype", "isdtype",
    "finfo", "iinfo", "iscomplexobj", "isrealobj", "isscalar",
    # constants
    "pi", "e", "euler_gamma", "inf", "nan", "newaxis",
]

# ---------------------------------------------------------------------------
# Scalar types


class _ScalarMeta(type):
    """Metaclass of ``jnp.float32`` and friends: a dtype specifier you can call."""

    def __hash__(cls):
        return hash(cls.dtype.type)

    def __eq__(cls, other):
        return cls is other or cls.dtype.type == other

    def __ne__(cls, other):
        return not cls == other

    def __call__(cls, x):
        return jnp.asarray(x, dtype=cls.dtype)

    def __instancecheck__(cls, instance):
        return isinstance(instance, cls.dtype.type)

    def __repr__(cls):
        return f"<class 'glassbox.numpy.{cls.__name__}'>"


def _make_scalar_type(np_type, name=None):
    name = name or np.dtype(np_type).name
    doc = (f"The {name} scalar type: a dtype (``np.dtype(jnp.{name})``) and a constructor.\n\n"
           f"``jnp.{name}(x)`` is ``jnp.asarray(x, dtype=jnp.{name})``: a strongly typed\n"
           f"Array (64-bit types become 32-bit while x64 is off, as in JAX).")
    return _ScalarMeta(name, (object,), {"dtype": np.dtype(np_type), "__doc__": doc,
                                         "__module__": "glassbox.numpy"})


bool_ = _make_scalar_type(np.bool_, "bool_")
# ``jnp.bool`` (NumPy 2's name); this module never calls the builtin ``bool``.
bool = _make_scalar_type(np.bool_, "bool")  # noqa: A001
int8, int16, int32, int64 = (_make_scalar_type(t) for t in (np.int8, np.int16, np.int32, np.int64))
uint8, uint16, uint32, uint64 = (_make_scalar_type(t)
                                 for t in (np.uint8, np.uint16, np.uint32, np.uint64))
bfloat16 = _make_scalar_type(ml_dtypes.bfloat16)
float16, float32, float64 = (_make_scalar_type(t) for t in (np.float16, np.float32, np.float64))
complex64, complex128 = _make_scalar_type(np.complex64), _make_scalar_type(np.complex128)

# ml_dtypes' narrow types. Nothing is above them on JAX's lattice: Python scalars
# (and bool, and for the floats the standard ints) promote into them (``f8 + 1.0``
# stays float8), other mixes raise TypePromotionError (``f8 + f32``, ``int4 + int8``).
# int1/uint1 are names only, as in JAX 0.10.2: arrays of them are not supported.
(float4_e2m1fn, float6_e2m3fn, float6_e3m2fn, float8_e3m4, float8_e4m3, float8_e4m3b11fnuz,
 float8_e4m3fn, float8_e4m3fnuz, float8_e5m2, float8_e5m2fnuz, float8_e8m0fnu,
 int1, int2, int4, uint1, uint2, uint4) = (_make_scalar_type(getattr(ml_dtypes, n)) for n in (
     "float4_e2m1fn", "float6_e2m3fn", "float6_e3m2fn", "float8_e3m4", "float8_e4m3",
     "float8_e4m3b11fnuz", "float8_e4m3fn", "float8_e4m3fnuz", "float8_e5m2",
     "float8_e5m2fnuz", "float8_e8m0fnu", "int1", "int2", "int4", "uint1", "uint2", "uint4"))

# NumPy's aliases, as JAX defines them (the "default" types are the 64-bit ones;
# they canonicalize to 32 bits while x64 is off).
float_, int_, uint, complex_ = float64, int64, uint64, complex128
single, double, half = float32, float64, float16
csingle, cdouble = complex64, complex128

# NumPy's abstract scalar types, for issubdtype(x.dtype, jnp.floating) and friends.
generic, number, integer = np.generic, np.number, np.integer
signedinteger, unsignedinteger = np.signedinteger, np.unsignedinteger
inexact, floating, complexfloating = np.inexact, np.floating, np.complexfloating
character, flexible = np.character, np.flexible

# ---------------------------------------------------------------------------
# Constants

pi, e, euler_gamma = math.pi, math.e, 0.5772156649015329
inf, nan = float("inf"), float("nan")
newaxis = None

# ---------------------------------------------------------------------------
# Functions

dtype = np.dtype  # as in JAX: jnp.dtype is NumPy's dtype constructor

_WEAK_TYPES = (builtins.int, builtins.float, builtins.complex)
_WEAK_EXAMPLE = {builtins.int: 0, builtins.float: 0.0, builtins.complex: 0j}


def _is_weak_type_object(x):
    # Identity, not equality: np.dtype.__eq__ says np.dtype('int64') == int.
    return any(x is t for t in _WEAK_TYPES)


def _as_dtype(x):
    """The NumPy dtype ``x`` denotes (a dtype, scalar type, string, array or scalar)."""
    if isinstance(x, np.dtype):
        return x
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval.dtype
    if isinstance(x, (type, str)):
        return np.dtype(x)
    if hasattr(x, "dtype"):
        return np.dtype(x.dtype)
    return np.asarray(x).dtype


def result_type(*args, return_weak_type_flag=False):
    """The dtype JAX's promotion lattice gives for combining ``args``.

    Args:
      *args: arrays, Python scalars, dtypes, scalar types or dtype strings.
        Python scalars and the types ``int``/``float``/``complex`` are weak.
      return_weak_type_flag: also return whether the result is weakly typed.

    Returns:
      A NumPy dtype, canonicalized for the current x64 setting (and the weak flag
      if asked for).

    Example::

        >>> jnp.result_type(jnp.int8, 2)       # a Python int does not widen int8
        dtype('int8')
        >>> jnp.result_type(jnp.int32, 1.0)    # int with a weak float: float32
        dtype('float32')
    """
    args = [_WEAK_EXAMPLE[a] if _is_weak_type_object(a) else
            (a.dtype if isinstance(a, _ScalarMeta) else a) for a in args]
    if not args:
        raise ValueError("result_type: at least one array or dtype is required")
    return dtypes.result_type(*args, return_weak_type_flag=return_weak_type_flag)


def promote_types(a, b):
    """The dtype a binary operation casts ``a`` and ``b`` to (JAX's lattice, not NumPy's).

    As in JAX the result is *not* canonicalized for x64 (``promote_types(int32,
    float64)`` is float64 even while x64 is off), and the Python types ``int``,
    ``float`` and ``complex`` are weak: ``promote_types('uint8', int)`` is uint8.

    Example::

        >>> jnp.promote_types('int32', 'float32')
        dtype('float32')
        >>> jnp.promote_types(jnp.bfloat16, jnp.float16)
        dtype('float32')
    """
    try:
        # The raw lattice join: JAX does not canonicalize promote_types for x64.
        return dtypes.lattice_join(*((np.dtype(t), _is_weak_type_object(t)) for t in (a, b)))[0]
    except TypeError as err:
        raise TypeError(f"promote_types: {err}") from None


def can_cast(from_, to, casting="safe"):
    """``np.can_cast`` on dtypes (arrays and scalar types are reduced to their dtype)."""
    return np.can_cast(_as_dtype(from_), _as_dtype(to), casting)


def issubdtype(arg1, arg2):
    """``np.issubdtype`` that places ml_dtypes' types (bfloat16, float8, int4, ...) and takes
    scalar types.

    Example::

        >>> jnp.issubdtype(jnp.bfloat16, jnp.floating)
        True
        >>> jnp.issubdtype(jnp.int4, jnp.signedinteger)
        True
        >>> jnp.issubdtype(jnp.int8, jnp.unsignedinteger)
        False
    """
    if isinstance(arg2, _ScalarMeta):
        arg2 = arg2.dtype.type
    elif isinstance(arg2, dtypes.ExtendedDType):
        pass
    elif not (isinstance(arg2, type) and issubclass(arg2, np.generic)):
        arg2 = _as_dtype(arg2).type
    if isinstance(arg1, dtypes.ExtendedDType):        # a typed key's dtype
        return dtypes.issubdtype(arg1, arg2)
    return dtypes.issubdtype(_as_dtype(arg1), arg2)


_KINDS = {
    "bool": lambda d: d == np.bool_,
    "signed integer": lambda d: dtypes.issubdtype(d, np.signedinteger),
    "unsigned integer": lambda d: dtypes.issubdtype(d, np.unsignedinteger),
    "integral": lambda d: dtypes.issubdtype(d, np.integer),
    "real floating": dtypes.is_float,
    "complex floating": dtypes.is_complex,
    "numeric": lambda d: d != np.bool_ and dtypes.issubdtype(d, np.number),
}


def isdtype(dtype, kind):
    """Array API ``isdtype``: is ``dtype`` of ``kind`` (a kind name, a dtype, or a tuple of them)?

    Kind names: 'bool', 'signed integer', 'unsigned integer', 'integral',
    'real floating', 'complex floating', 'numeric'.
    """
    d = _as_dtype(dtype)
    kinds = kind if isinstance(kind, tuple) else (kind,)
    for k in kinds:
        if isinstance(k, str):
            if k not in _KINDS:
                raise ValueError(f"isdtype: unknown kind {k!r}; kinds are "
                                 + ", ".join(repr(n) for n in _KINDS))
            if _KINDS[k](d):
                return True
        elif _as_dtype(k) == d:
            return True
    return False


def finfo(dtype):
    """Machine limits of a floating type (``ml_dtypes.finfo``, so bfloat16 works).

    Not canonicalized, as in JAX: ``finfo(jnp.float64).bits`` is 64 even while x64 is off.
    """
    return ml_dtypes.finfo(_as_dtype(dtype))


def iinfo(int_type):
    """Machine limits of an integer type (``ml_dtypes.iinfo``)."""
    return ml_dtypes.iinfo(_as_dtype(int_type))


def iscomplexobj(x):
    """True if ``x`` has a complex dtype (arrays, scalars, or anything with a dtype)."""
    if x is None:
        return False
    return dtypes.is_complex(_as_dtype(x))


def isrealobj(x):
    """True if ``x`` does not have a complex dtype."""
    return not iscomplexobj(x)


def isscalar(element):
    """True for Python/NumPy scalars and 0-d glassbox arrays (JAX's definition)."""
    if hasattr(element, "aval"):
        return element.aval.ndim == 0
    return isinstance(element, (np.generic, builtins.bool, builtins.int, builtins.float,
                                builtins.complex))


# ---------------------------------------------------------------------------
# Helpers for glassbox.numpy functions that take a ``dtype=`` argument (not public)


def canonicalize_user_dtype(dtype, fun_name):
    """The dtype a ``dtype=`` argument really gives, warning when x64 truncates it.

    ``None`` stays ``None``. The Python types ``bool``/``int``/``float``/``complex``
    mean the default types and never warn (as in JAX).
    """
    if dtype is None:
        return None
    if isinstance(dtype, _ScalarMeta):
        dtype = dtype.dtype
    try:
        requested = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{fun_name}: {dtype!r} is not a valid dtype") from None
    canonical = dtypes.canonicalize_dtype(requested)
    if canonical != requested and not _is_weak_type_object(dtype) and dtype is not builtins.bool:
        warnings.warn(
            f"Explicitly requested dtype {requested.name} requested in {fun_name} is not "
            f"available, and will be truncated to dtype {canonical.name}. To enable more "
            f"dtypes, set glassbox.config.update('enable_x64', True) (or use "
            f"glassbox.enable_x64()).", UserWarning, stacklevel=3)
    return canonical
