"""The threefry2x32 counter-based hash, and the key operations built on it.

Threefry-2x32 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3",
SC 2011; the Random123 library) maps a 64-bit key ``(k1, k2)`` and a 64-bit
counter ``(x1, x2)`` to 64 random bits with 20 rounds of add/rotate/xor. JAX
draws all its randomness from it, so glassbox does the same, in the same
order, to give the same bits:

* ``threefry2x32_p``: the hash, as one primitive over four ``uint32``
  arrays of one shape. Its lowering is the unrolled rounds, written in lax
  (``_threefry2x32_rounds``) and inlined; every op is an integer op, so XLA
  gives identical bits however it fuses them.
* ``iota_2x32_shape_p``: a ``uint64`` iota of a shape, as two ``uint32``
  halves (``hi, lo``): the counters of JAX's *partitionable* mode.
* On raw key data (``uint32[2]``): ``threefry_seed``, ``threefry_split``,
  ``threefry_fold_in``, ``threefry_random_bits``. JAX 0.10.2 defaults to
  ``jax_threefry_partitionable=True``, so ``split`` and ``bits`` hash the
  counters ``iota_2x32_shape(shape)`` with the key and (for 32 bits) xor the
  two output words; ``fold_in`` hashes the seed made from the data.

Everything here works on *raw* key data; ``keys.py`` wraps it in typed keys.
"""
import math

import numpy as np

from .. import dtypes, lax
from ..interpreters import batching
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..lax._families import lower_traced
from ..interpreters.lowering import lowering_rules

_U32 = np.dtype(np.uint32)
_U64 = np.dtype(np.uint64)
UINT_DTYPES = {8: np.dtype(np.uint8), 16: np.dtype(np.uint16), 32: _U32, 64: _U64}

# --- threefry2x32_p ------------------------------------------------------------

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_KS_PARITY = 0x1BD11BDA   # Threefry's key-schedule constant


def threefry2x32(k1, k2, x1, x2):
    """The Threefry-2x32 hash (20 rounds) of counters ``(x1, x2)`` under key ``(k1, k2)``.

    Args:
      k1, k2: the two ``uint32`` words of the key (scalars or arrays).
      x1, x2: the two ``uint32`` words of the counters.

    Returns:
      ``[y1, y2]``: two ``uint32`` arrays of the broadcast shape.

    Lowers to the unrolled rounds (``stablehlo.add``/``shift_left``/
    ``shift_right_logical``/``or``/``xor``). Example (a Random123 test vector)::

        threefry2x32(np.uint32(0), np.uint32(0), np.uint32(0), np.uint32(0))
        # -> [0x6b200159, 0x99ba4efe]
    """
    args = [x if hasattr(x, "aval") else np.asarray(x) for x in (k1, k2, x1, x2)]
    avals = [get_aval(a) for a in args]
    _check_uint32("threefry2x32", avals)
    shape = np.broadcast_shapes(*(a.shape for a in avals))
    args = [a if av.shape == shape else lax.broadcast_in_dim(
        a, shape, tuple(range(len(shape) - av.ndim, len(shape))))
        for a, av in zip(args, avals)]
    return threefry2x32_p.bind(*args)


threefry2x32_p = Primitive("threefry2x32", multiple_results=True)


def _check_uint32(name, avals):
    for i, a in enumerate(avals):
        if a.dtype != _U32:
            raise TypeError(f"{name} requires uint32 arguments; argument {i} has dtype "
                            f"{a.dtype.name}")


def _threefry2x32_abstract_eval(k1, k2, x1, x2):
    avals = (k1, k2, x1, x2)
    _check_uint32("threefry2x32", avals)
    if len({a.shape for a in avals}) != 1:
        raise TypeError("threefry2x32 requires arguments of one shape (the wrapper "
                        "broadcasts), got " + ", ".join(str(a.shape) for a in avals))
    aval = ShapedArray(k1.shape, _U32)
    return [aval, aval]


def _rotate_left(x, d):
    return lax.bitwise_or(lax.shift_left(x, np.uint32(d)),
                          lax.shift_right_logical(x, np.uint32(32 - d)))


def _apply_round(v, rot):
    v0 = lax.add(v[0], v[1])
    return [v0, lax.bitwise_xor(v0, _rotate_left(v[1], rot))]


def _threefry2x32_rounds(k1, k2, x1, x2):
    """The 20 rounds, unrolled: 5 groups of 4 rounds, each followed by a key injection."""
    ks = [k1, k2, lax.bitwise_xor(lax.bitwise_xor(k1, k2), np.uint32(_KS_PARITY))]
    x = [lax.add(x1, ks[0]), lax.add(x2, ks[1])]
    for i in range(5):
        for r in _ROTATIONS[i % 2]:
            x = _apply_round(x, r)
        x = [lax.add(x[0], ks[(i + 1) % 3]),
             lax.add(lax.add(x[1], ks[(i + 2) % 3]), np.uint32(i + 1))]
    return x


def _threefry2x32_lowering(ctx, k1, k2, x1, x2):
    return lower_traced(ctx, _threefry2x32_rounds, [k1, k2, x1, x2])


def _threefry2x32_batch(axis_data, args, dims):
    # Elementwise: align the batch dims (broadcasting unbatched operands), hash as one.
    args, bdim = batching.match_bdims(axis_data.size, args, dims)
    return threefry2x32_p.bind(*args), [bdim, bdim]


abstract_eval_rules[threefry2x32_p] = _threefry2x32_abstract_eval
lowering_rules[threefry2x32_p] = _threefry2x32_lowering
batching.batch_rules[threefry2x32_p] = _threefry2x32_batch
# No jvp rule: its operands and results are integers, so tangents are always symbolic zeros.


# --- iota_2x32_shape_p -----------------------------------------------------------

def iota_2x32_shape(shape):
    """A row-major ``uint64`` iota of ``shape`` as two ``uint32`` arrays ``[hi, lo]``.

    ``hi * 2**32 + lo`` counts ``0, 1, ..., prod(shape) - 1`` in row-major
    order. These are the counters of JAX's partitionable threefry mode.
    Lowers to ``stablehlo.iota`` (one per dimension, in ``uint64``), a
    weighted sum, ``stablehlo.shift_right_logical`` and ``stablehlo.convert``.
    """
    shape = tuple(int(d) for d in shape)
    if not shape:
        zero = np.zeros((), _U32)
        return [zero, zero]
    return iota_2x32_shape_p.bind(shape=shape)


iota_2x32_shape_p = Primitive("iota_2x32_shape", multiple_results=True)


def _iota_2x32_shape_abstract_eval(*, shape):
    if any(d < 0 for d in shape):
        raise ValueError(f"iota_2x32_shape: shape {shape} has a negative dimension")
    aval = ShapedArray(shape, _U32)
    return [aval, aval]


def _iota_2x32_shape_lowering(ctx, *, shape):
    u64 = ShapedArray(shape, _U64)
    strides = [int(np.prod(shape[i + 1:], dtype=np.int64)) for i in range(len(shape))]
    counts = None
    for dim, stride in enumerate(strides):
        term = ctx.op("stablehlo.iota", [], u64, attrs={"iota_dimension": f"{dim} : i64"})
        if stride != 1:
            term = ctx.op("stablehlo.multiply", [term, ctx.constant(np.full(shape, stride, _U64),
                                                                    u64)], u64)
        counts = term if counts is None else ctx.op("stablehlo.add", [counts, term], u64)
    hi = ctx.op("stablehlo.shift_right_logical",
                [counts, ctx.constant(np.full(shape, 32, _U64), u64)], u64)
    out = ShapedArray(shape, _U32)
    return [ctx.convert(hi, out), ctx.convert(counts, out)]


abstract_eval_rules[iota_2x32_shape_p] = _iota_2x32_shape_abstract_eval
lowering_rules[iota_2x32_shape_p] = _iota_2x32_shape_lowering


# --- operations on raw key data (uint32[2]) ------------------------------------------

def key_words(key):
    """The two ``uint32`` scalars of raw key data ``uint32[2]`` (``k1, k2 = key`` in JAX)."""
    return [lax.reshape(lax.slice(key, (i,), (i + 1,)), ()) for i in (0, 1)]


def threefry_seed(seed):
    """Raw key data ``uint32[2]`` from an integer scalar: ``[seed >> 32, seed & 0xFFFFFFFF]``.

    A 32-bit seed gives ``[0, seed]`` (negative seeds: their two's complement).
    """
    aval = get_aval(seed)
    if aval.shape:
        raise TypeError(f"PRNG key seed must be a scalar; got an array of shape {aval.shape}")
    if not dtypes.is_int(aval.dtype):
        raise TypeError(f"PRNG key seed must be an integer; got dtype {aval.dtype.name}")
    # XLA's shift by >= the bit width gives 0, so a 32-bit seed has a zero high word.
    hi = lax.convert_element_type(lax.shift_right_logical(seed, np.array(32, aval.dtype)), _U32)
    lo = lax.convert_element_type(seed, _U32)   # the low 32 bits, as a bitwise AND would
    return lax.concatenate([lax.expand_dims(hi, (0,)), lax.expand_dims(lo, (0,))], 0)


def threefry_2x32(keypair, count):
    """Hash an array of counters ``count`` (``uint32``, any shape) under one key.

    The original (non-partitionable) scheme: the flattened counters, padded to
    an even length, are split into halves that serve as ``x1`` and ``x2``; the
    two output words are concatenated back. ``fold_in`` uses this.
    """
    key1, key2 = key_words(keypair)
    aval = get_aval(count)
    if aval.dtype != _U32:
        raise TypeError(f"threefry_2x32 requires uint32 counts, got {aval.dtype.name}")
    flat = lax.reshape(count, (aval.size,))
    odd = aval.size % 2
    if odd:
        flat = lax.concatenate([flat, np.zeros((1,), _U32)], 0)
    half = flat.shape[0] // 2
    x1, x2 = lax.slice(flat, (0,), (half,)), lax.slice(flat, (half,), (2 * half,))
    y1, y2 = threefry2x32(key1, key2, x1, x2)
    out = lax.concatenate([y1, y2], 0)
    if odd:
        out = lax.slice(out, (0,), (aval.size,))
    return lax.reshape(out, aval.shape)


def threefry_split(key, shape):
    """Raw key data of shape ``(*shape, 2)``: the partitionable ("foldlike") split."""
    counts_hi, counts_lo = iota_2x32_shape(shape)
    bits1, bits2 = threefry2x32(*key_words(key), counts_hi, counts_lo)
    n = len(shape)
    return lax.concatenate([lax.expand_dims(bits1, (n,)), lax.expand_dims(bits2, (n,))], n)


def threefry_fold_in(key, data):
    """Raw key data: ``key`` hashed with the seed made from the ``uint32`` scalar ``data``."""
    return threefry_2x32(key, threefry_seed(data))


def threefry_random_bits(key, bit_width, shape):
    """``shape`` random unsigned integers of ``bit_width`` bits (partitionable mode).

    Each element hashes its 64-bit row-major index under ``key``; 32-bit
    results are ``y1 ^ y2``, 64-bit ones ``y1 << 32 | y2``, and 8/16-bit ones
    the low bits of ``y1 ^ y2``.
    """
    if bit_width not in UINT_DTYPES:
        raise TypeError(f"random bits: bit_width must be 8, 16, 32 or 64, got {bit_width}")
    if math.prod(shape) > 2 ** 64:
        raise NotImplementedError("random bits array of size exceeding 2 ** 64")
    counts_hi, counts_lo = iota_2x32_shape(shape)
    bits1, bits2 = threefry2x32(*key_words(key), counts_hi, counts_lo)
    dtype = UINT_DTYPES[bit_width]
    if bit_width == 64:
        hi = lax.convert_element_type(bits1, dtype)
        lo = lax.convert_element_type(bits2, dtype)
        return lax.bitwise_or(lax.shift_left(hi, np.array(32, dtype)), lo)
    bits = lax.bitwise_xor(bits1, bits2)
    return bits if bit_width == 32 else lax.convert_element_type(bits, dtype)


__all__ = ["threefry2x32", "threefry2x32_p", "iota_2x32_shape", "iota_2x32_shape_p",
           "threefry_seed", "threefry_2x32", "threefry_split", "threefry_fold_in",
           "threefry_random_bits"]
