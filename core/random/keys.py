"""PRNG keys: typed key arrays and raw ``uint32`` keys, and the operations on them.

JAX has two kinds of keys, and so does glassbox:

* **typed keys** (``key(seed)``): arrays whose dtype is ``key<fry>``; the
  shape counts keys, not words. Here a typed key array is a
  ``PRNGKeyArray`` holding its raw data (``uint32[..., 2]``). It is
  registered as a pytree node with that data as its one leaf, so ``jit``,
  ``vmap``, ``grad``, ``lax.scan``/``while_loop`` carry it as they carry any
  ``uint32`` array and hand back a ``PRNGKeyArray``.
* **raw keys** (``PRNGKey(seed)``): plain ``uint32[2]`` arrays.

Every sampler accepts both (as JAX does with its default
``jax_legacy_prng_key="allow"``); ``split`` and ``fold_in`` return the kind
they were given. The errors JAX raises are raised here too, naming the
function: a key where a seed is expected, key data of the wrong dtype or
trailing shape, a batch of keys where one key is expected.

Differences from JAX, because a typed key here is a pytree node rather than
a leaf: ``tree_leaves(key)`` is ``[key_data(key)]``; ``vmap``'s ``in_axes``
and ``out_axes`` address the key data, so negative axes count the trailing
key dimension.
"""
import operator

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..config import config
from ..core import AbstractValue, Array, Tracer, get_aval
from ..tree_util import register_pytree_node
from .threefry import (threefry_fold_in, threefry_random_bits, threefry_seed,
                       threefry_split)

IMPL_NAME = "threefry2x32"
KEY_SHAPE = (2,)


class KeyTy(dtypes.ExtendedDType):
    """The dtype of typed threefry keys; prints as ``key<fry>`` (as in JAX), and
    ``dtypes.issubdtype(key.dtype, dtypes.prng_key)`` is True."""

    type = dtypes.prng_key
    name = "key<fry>"
    itemsize = 8          # two uint32 words per key
    kind = "V"
    impl = IMPL_NAME

    def __repr__(self):
        return self.name

    __str__ = __repr__

    def __eq__(self, other):
        return isinstance(other, KeyTy) or other == self.name

    def __hash__(self):
        return hash(self.name)


KEY_DTYPE = KeyTy()


class KeyAval(AbstractValue):
    """``typeof`` of a key array: its shape and ``key<fry>`` dtype (keys are a pytree
    over their ``uint32`` data in glassbox, so this type never reaches a jaxpr)."""

    __slots__ = ("shape",)
    dtype = KEY_DTYPE
    weak_type = False
    sharding = None

    def __init__(self, shape):
        self.shape = tuple(shape)

    ndim = property(lambda self: len(self.shape))

    def __eq__(self, other):
        return type(other) is KeyAval and other.shape == self.shape

    def __hash__(self):
        return hash(("key", self.shape))

    def str_short(self):
        return f"{KEY_DTYPE}[{','.join(map(str, self.shape))}]"

    __repr__ = str_short


class PRNGKeyArray(Array):
    """An array of typed PRNG keys (dtype ``key<fry>``), backed by ``uint32[*shape, 2]`` data.

    Behaves like a small array (and is a ``glassbox.Array``, as in JAX):
    ``shape``, ``ndim``, ``size``, indexing, ``reshape``, ``ravel``/``flatten``,
    ``T``/``mT``/``swapaxes``, iteration and ``==``. Numeric methods and
    ``glassbox.numpy`` functions reject it. Pass it to ``glassbox.random``
    functions; ``key_data(k)`` gives the raw words.
    """

    __slots__ = ("_base_array",)
    __array_priority__ = 1001

    def __init__(self, base_array):
        self._base_array = base_array

    def _typeof(self):   # jax.typeof(keys)
        return KeyAval(self.shape)

    # --- array-like attributes
    dtype = KEY_DTYPE

    @property
    def shape(self):
        return tuple(get_aval(self._base_array).shape[:-1])

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))
    itemsize = KEY_DTYPE.itemsize
    nbytes = property(lambda self: self.size * self.itemsize)

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of unsized object (a single PRNG key)")
        return self.shape[0]

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a single PRNG key (shape ())")
        return (self[i] for i in range(self.shape[0]))

    def __getitem__(self, idx):
        # A trailing full slice keeps the key words whole, with or without an Ellipsis.
        idx = idx if isinstance(idx, tuple) else (idx,)
        return PRNGKeyArray(self._base_array[idx + (slice(None),)])

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        shape = _resolve_reshape(self.shape, shape)
        return PRNGKeyArray(lax.reshape(self._base_array, (*shape, *KEY_SHAPE)))

    def ravel(self, order="C"):
        return self.reshape(self.size)

    flatten = ravel

    def transpose(self, *axes):
        if not axes or axes == (None,):
            axes = tuple(reversed(range(self.ndim)))
        elif len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        axes = tuple(a % self.ndim for a in axes)
        return PRNGKeyArray(lax.transpose(self._base_array, (*axes, self.ndim)))

    T = property(lambda self: self.transpose())
    mT = property(lambda self: self.swapaxes(-1, -2))

    def swapaxes(self, a, b):
        axes = list(range(self.ndim))
        axes[a], axes[b] = axes[b], axes[a]
        return self.transpose(axes)

    def squeeze(self, axis=None):
        shape = self.shape
        axes = [i for i, d in enumerate(shape) if d == 1] if axis is None else \
            [a % self.ndim for a in ((axis,) if isinstance(axis, int) else axis)]
        return self.reshape(tuple(d for i, d in enumerate(shape) if i not in axes))

    def __eq__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return lax.reduce_and(lax.eq(*_broadcast_data(self, other)), (self.ndim,))

    def __ne__(self, other):
        if not isinstance(other, PRNGKeyArray):
            return NotImplemented
        return lax.reduce_or(lax.ne(*_broadcast_data(self, other)), (self.ndim,))

    __hash__ = None   # unhashable, like arrays

    def block_until_ready(self):
        self._base_array.block_until_ready()
        return self

    def __repr__(self):
        data = self._base_array
        if isinstance(data, Tracer):
            return f"Traced<key<fry>[{','.join(map(str, self.shape))}]>with<{data!r}>"
        if isinstance(data, (Array, np.ndarray)):
            return f"Array({self.shape}, dtype={KEY_DTYPE}) overlaying:\n{np.asarray(data)}"
        return f"PRNGKeyArray(data={data!r})"   # e.g. eval_shape's ShapeDtypeStruct

    __str__ = __repr__

    def __array__(self, dtype=None, copy=None):
        raise TypeError("a PRNG key array cannot be converted to a NumPy array; use "
                        "glassbox.random.key_data(key) to get its uint32 words")

    # Arithmetic on keys is meaningless; say so instead of a confusing AttributeError.
    def _no_math(self, *args, **kwargs):
        raise TypeError("arithmetic on PRNG keys is not allowed (dtype key<fry>); use "
                        "glassbox.random.key_data(key) to get its uint32 words")

    __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _no_math
    __truediv__ = __rtruediv__ = __floordiv__ = __mod__ = __pow__ = _no_math
    __neg__ = __pos__ = __abs__ = __invert__ = __xor__ = __and__ = __or__ = _no_math
    __lt__ = __le__ = __gt__ = __ge__ = __matmul__ = _no_math
    astype = sum = mean = max = min = prod = cumsum = dot = clip = round = _no_math
    real = imag = property(_no_math)


def _broadcast_data(a, b):
    shape = np.broadcast_shapes(a.shape, b.shape) + KEY_SHAPE
    return [lax.broadcast_in_dim(k._base_array, shape,
                                 tuple(range(len(shape) - k.ndim - 1, len(shape))))
            if k.shape + KEY_SHAPE != shape else k._base_array for k in (a, b)]


def _resolve_reshape(old, new):
    new = [int(d) for d in new]
    if new.count(-1) == 1:
        known = int(np.prod([d for d in new if d != -1], dtype=np.int64))
        new[new.index(-1)] = int(np.prod(old, dtype=np.int64)) // max(known, 1)
    if int(np.prod(new, dtype=np.int64)) != int(np.prod(old, dtype=np.int64)):
        raise TypeError(f"cannot reshape a key array of shape {old} into shape {tuple(new)}")
    return tuple(new)


register_pytree_node(PRNGKeyArray, lambda k: ((k._base_array,), None),
                     lambda _, children: PRNGKeyArray(children[0]))


def is_typed_key(x):
    return isinstance(x, PRNGKeyArray)


# --- checking what callers pass ------------------------------------------------------

def check_key_data(name, data):
    """Raise a TypeError unless ``data`` is ``uint32[..., 2]`` (what a raw key must be)."""
    if isinstance(data, PRNGKeyArray):
        raise TypeError(f"{name}: expected raw key data (a uint32 array), but got a typed "
                        f"PRNG key array (dtype key<fry>); use key_data(key) to unwrap it")
    try:
        aval = get_aval(data)
    except TypeError:
        raise TypeError(f"{name}: invalid PRNG key data: expected a uint32 array of shape "
                        f"(..., 2), got {type(data).__name__} {data!r:.60}") from None
    if aval.ndim < 1:
        raise TypeError(f"{name}: invalid PRNG key data: expected key_data.ndim >= 1; got "
                        f"ndim={aval.ndim} (a raw key is uint32[2], as from PRNGKey(seed))")
    if aval.shape[-1:] != KEY_SHAPE:
        raise TypeError(f"{name}: invalid PRNG key data: expected key_data.shape to end with "
                        f"(2,); got shape={aval.shape} (impl={IMPL_NAME})")
    if aval.dtype != np.uint32:
        raise TypeError(f"{name}: invalid PRNG key data: expected key_data.dtype = uint32; "
                        f"got dtype={aval.dtype.name}")


def check_prng_key(name, key, allow_batched=False):
    """``(typed key array, was_raw)`` for a typed key or raw ``uint32[..., 2]`` key data.

    Raises TypeError for anything else, and ValueError for a batch of keys
    unless ``allow_batched``.
    """
    if isinstance(key, PRNGKeyArray):
        typed, was_raw = key, False
    elif hasattr(key, "aval") or isinstance(key, (np.ndarray, np.generic, int)):
        check_key_data(name, key)
        data = key if hasattr(key, "aval") else np.asarray(key)
        typed, was_raw = PRNGKeyArray(data), True
    else:
        raise TypeError(f"{name}: unexpected PRNG key type {type(key).__name__}; pass a key "
                        f"from glassbox.random.key(seed) (or a raw uint32[2] key from "
                        f"PRNGKey(seed))")
    if not allow_batched and typed.ndim:
        shape = get_aval(key).shape if was_raw else typed.shape
        raise ValueError(f"{name} accepts a single key, but was given a key array of shape "
                         f"{shape} != (). Use glassbox.vmap for batching.")
    return typed, was_raw


def _return_keys(was_raw, typed):
    return typed._base_array if was_raw else typed


def _check_impl(name, impl):
    if impl is None or impl == IMPL_NAME or isinstance(impl, KeyTy):
        return
    raise ValueError(f'{name}: unrecognized PRNG implementation "{impl}". glassbox '
                     f'implements "{IMPL_NAME}" (JAX\'s default) only.')


# --- key construction -------------------------------------------------------------------

_seed = jit(threefry_seed)


def _seed_data(ctor_name, seed):
    if isinstance(seed, PRNGKeyArray):
        raise TypeError(f"{ctor_name} accepts a scalar seed, but was given a PRNG key.")
    if isinstance(seed, int):   # Python ints and bools, as JAX
        # As JAX: go through int64 (wrapping to 32 bits when x64 is off), so Python
        # hashes and large ints are usable seeds.
        seed = np.int64(seed)
        if not config.enable_x64:
            seed = seed.astype(np.int32)
    try:
        aval = get_aval(seed)
    except TypeError:
        raise TypeError(f"{ctor_name} accepts an integer scalar seed, got "
                        f"{type(seed).__name__} {seed!r:.60}") from None
    if aval.ndim:
        raise TypeError(f"{ctor_name} accepts a scalar seed, but was given an array of shape "
                        f"{aval.shape} != (). Use glassbox.vmap for batching")
    if not dtypes.is_int(aval.dtype):
        raise TypeError(f"{ctor_name}: PRNG key seed must be an integer; got dtype "
                        f"{aval.dtype.name}")
    return _seed(seed)


def key(seed, *, impl=None, dtype=None):
    """A typed PRNG key (dtype ``key<fry>``, shape ``()``) from an integer seed.

    Args:
      seed: a Python int or an integer scalar array (64-bit seeds use both
        key words; 32-bit seeds give ``[0, seed]``).
      impl / dtype: only ``"threefry2x32"`` (the default) is implemented.

    Returns:
      A ``PRNGKeyArray`` of shape ``()``, for ``split``, ``fold_in`` and the samplers.

    Example::

        k = glassbox.random.key(0)
        glassbox.random.normal(k, (3,))   # [ 1.6226422,  2.0252647, -0.43359444]
    """
    _check_impl("key", dtype if impl is None else impl)
    return PRNGKeyArray(_seed_data("key", seed))


def PRNGKey(seed, *, impl=None):
    """A raw (legacy) PRNG key: ``uint32[2]`` data, ``[0, seed]`` for a 32-bit seed.

    Example::

        glassbox.random.PRNGKey(0)   # Array([0, 0], dtype=uint32)
    """
    _check_impl("PRNGKey", impl)
    return _seed_data("PRNGKey", seed)


def key_data(keys):
    """The ``uint32[*keys.shape, 2]`` words of a key array (raw keys pass through)."""
    typed, _ = check_prng_key("key_data", keys, allow_batched=True)
    return typed._base_array


def wrap_key_data(key_bits_array, *, impl=None, dtype=None):
    """A typed key array over ``uint32[..., 2]`` data (the inverse of ``key_data``)."""
    _check_impl("wrap_key_data", dtype if impl is None else impl)
    check_key_data("wrap_key_data", key_bits_array)
    data = key_bits_array if hasattr(key_bits_array, "aval") else \
        lax.convert_element_type(np.asarray(key_bits_array), np.uint32)
    return PRNGKeyArray(data)


def key_impl(keys):
    """The name of the PRNG implementation of ``keys``: ``"threefry2x32"``."""
    check_prng_key("key_impl", keys, allow_batched=True)
    return IMPL_NAME


def key_dtype(impl=None):
    """The dtype of typed keys (``key<fry>``)."""
    _check_impl("key_dtype", impl)
    return KEY_DTYPE


def clone(key):
    """``key`` itself (keys are immutable values here; JAX needs ``clone`` for its refs)."""
    return key


# --- split, fold_in, bits ----------------------------------------------------------------

_split_data = jit(threefry_split, static_argnums=(1,))
_fold_in_data = jit(threefry_fold_in)
_bits_data = jit(threefry_random_bits, static_argnums=(1, 2))


def split_key(typed, num=2):
    """Split one typed key into a typed key array of shape ``num`` (int or tuple)."""
    shape = tuple(num) if isinstance(num, (tuple, list)) else (num,)
    try:
        shape = tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(f"split: num must be an int or a tuple of ints, got {num!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"split: num must be non-negative, got {num!r}")
    return PRNGKeyArray(_split_data(typed._base_array, shape))


def split(key, num=2):
    """Split a key into ``num`` new keys (a new leading axis, or shape ``num`` for a tuple).

    Args:
      key: a single key (typed or raw).
      num: how many keys (an int) or their shape (a tuple of ints). Default 2.

    Returns:
      Keys of the same kind as ``key``: typed keys of shape ``(num,)``, or raw
      keys of shape ``(num, 2)``.

    Example::

        key, subkey = glassbox.random.split(key)
    """
    typed, was_raw = check_prng_key("split", key)
    return _return_keys(was_raw, split_key(typed, num))


def fold_in(key, data):
    """A new key derived from ``key`` and the 32-bit integer ``data`` (e.g. a step number)."""
    typed, was_raw = check_prng_key("fold_in", key)
    if np.ndim(data):
        raise TypeError(f"fold_in accepts a scalar, but was given an array of shape "
                        f"{np.shape(data)} != (). Use glassbox.vmap for batching.")
    if type(data) in (int, float, bool):
        data = np.array(data).astype(np.uint32)
    else:
        data = lax.convert_element_type(data, np.uint32)
    return _return_keys(was_raw, PRNGKeyArray(_fold_in_data(typed._base_array, data)))


def random_bits(typed, bit_width, shape):
    """Raw random bits from a single typed key (used by every sampler)."""
    return _bits_data(typed._base_array, bit_width, tuple(shape))


def canonicalize_shape(name, shape):
    """``shape`` as a tuple of non-negative Python ints (an int means ``(int,)``)."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, bool):
        shape = (shape,)
    try:
        shape = tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"{name}: shape must be a sequence of integers, got {shape!r}") from None
    if any(d < 0 for d in shape):
        raise ValueError(f"{name}: shape {shape} has a negative dimension")
    return shape


def bits(key, shape=(), dtype=None):
    """Uniform random bits as unsigned integers of ``shape``.

    Args:
      key: a single key.
      shape: the result shape (default ``()``).
      dtype: an unsigned integer dtype (default ``uint32``, or ``uint64`` with x64).
    """
    typed, _ = check_prng_key("bits", key)
    dtype = dtypes.canonicalize_dtype(np.uint64 if dtype is None else dtype)
    if not dtypes.is_unsigned(dtype):
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got "
                         f"{dtype.name}")
    shape = canonicalize_shape("bits", shape)
    return random_bits(typed, dtype.itemsize * 8, shape)



__all__ = ["PRNGKeyArray", "KeyTy", "key", "PRNGKey", "key_data", "wrap_key_data", "key_impl",
           "key_dtype", "clone", "split", "fold_in", "bits"]
