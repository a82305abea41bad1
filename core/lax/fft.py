"""Fast Fourier transforms: ``lax.fft`` and its primitive ``fft_p``.

One primitive, four kinds (``FftType``), acting on the trailing ``len(fft_lengths)`` axes
and lowering to ``stablehlo.fft``:

- ``FFT`` / ``IFFT``: complex to complex, same shape (``IFFT`` divides by the size);
- ``RFFT``: real to complex, the last axis becomes ``n // 2 + 1`` (the other half is the
  complex conjugate of this one, so it is not stored);
- ``IRFFT``: its inverse, complex to real, the last axis back to ``fft_lengths[-1]``.

Every kind is linear, so the jvp applies the same transform to the tangent. The
transposes are JAX's: the DFT matrix is symmetric, so ``FFT`` and ``IFFT`` transpose to
themselves; ``RFFT`` and ``IRFFT`` transpose to each other, scaled and with the
Hermitian-duplicated bins weighted by a mask (1 for the zero and Nyquist bins, 2 for the
others). Under ``vmap`` the batch axis goes first, outside the transformed axes.
"""
import enum
import math
import operator

import numpy as np

from .. import dtypes
from ..core import Primitive, abstract_eval_rules, get_aval
from ..interpreters import ad, batching
from ..interpreters.lowering import i64_array, lowering_rules
from .elementwise import conj, convert_element_type, div, mul
from .shape import broadcast_in_dim, concatenate, full

__all__ = ["FftType", "fft", "fft_p"]


class FftType(enum.IntEnum):
    """Which FFT to perform (the values are XLA's)."""

    FFT = 0     #: forward complex-to-complex
    IFFT = 1    #: inverse complex-to-complex
    RFFT = 2    #: forward real-to-complex
    IRFFT = 3   #: inverse complex-to-real


_FFT_TYPE_NAMES = {"fft": FftType.FFT, "ifft": FftType.IFFT, "rfft": FftType.RFFT,
                   "irfft": FftType.IRFFT}


def _fft_type(fft_type):
    if isinstance(fft_type, FftType):
        return fft_type
    if isinstance(fft_type, str):
        if fft_type.lower() in _FFT_TYPE_NAMES and (fft_type.islower() or fft_type.isupper()):
            return _FFT_TYPE_NAMES[fft_type.lower()]   # 'fft' or 'FFT', as JAX
        raise ValueError(f"Unknown FFT type '{fft_type}'")
    raise TypeError(f"Unknown FFT type value '{fft_type}'")


def _real_dtype(dtype):
    return np.dtype(np.finfo(dtype).dtype)


def _complex_dtype(dtype):
    wide = np.dtype(dtype) in (np.float64, np.complex128)
    return np.dtype(np.complex128) if wide else np.dtype(np.complex64)


def _to_inexact(dtype):
    """JAX's ``to_inexact_dtype``: ints and bools become the default float."""
    return np.dtype(dtype) if dtypes.is_inexact(dtype) else dtypes.default_float()


def _to_complex(dtype):
    """JAX's ``to_complex_dtype``: float64 (and ints under x64) -> complex128, the rest
    of the reals -> complex64."""
    dtype = _to_inexact(dtype)
    if dtypes.is_complex(dtype):
        return dtype
    return np.dtype(np.complex128) if dtype == np.float64 else np.dtype(np.complex64)


# --- fft -----------------------------------------------------------------------

def fft(x, fft_type, fft_lengths):
    """The FFT of kind ``fft_type`` over the trailing ``len(fft_lengths)`` axes of ``x``.

    Lowers to ``stablehlo.fft``.

    Args:
      x: the input. ``FFT``/``IFFT``/``IRFFT`` convert it to complex (ints and float32
        to complex64, float64 to complex128); ``RFFT`` needs it real (a complex ``x``
        is a ``ValueError``) and converts ints to the default float.
      fft_type: a ``FftType`` or its name (``'FFT'``, ``'fft'``, ``'IRFFT'``...).
      fft_lengths: the transform sizes of the trailing axes (at most 3). For ``RFFT``
        and ``FFT`` they must equal those axes; for ``IRFFT`` the last one is the
        length of the real output (the input's last axis is ``n // 2 + 1``).

    Example::

        lax.fft(jnp.ones(4), "FFT", (4,))   # [4+0j, 0j, 0j, 0j]
    """
    typ = _fft_type(fft_type)
    dtype = get_aval(x).dtype
    if typ == FftType.RFFT:
        if dtypes.is_complex(dtype):
            raise ValueError("only real valued inputs supported for rfft")
        x = convert_element_type(x, _to_inexact(dtype))
    else:
        x = convert_element_type(x, _to_complex(dtype))
    fft_lengths = tuple(operator.index(n) for n in fft_lengths)
    if not fft_lengths:
        return x   # XLA has no rank-0 FFT
    return fft_p.bind(x, fft_type=typ, fft_lengths=fft_lengths)


fft_p = Primitive("fft")


def _fft_abstract_eval(x, *, fft_type, fft_lengths):
    k = len(fft_lengths)
    if k > x.ndim:
        raise ValueError(f"FFT input shape {x.shape} must have at least as many input "
                         f"dimensions as fft_lengths {fft_lengths}.")
    if fft_type == FftType.RFFT:
        if x.dtype not in (np.float32, np.float64):
            raise ValueError(f"RFFT input must be float32 or float64, got {x.dtype}")
        if x.shape[-k:] != fft_lengths:
            raise ValueError(f"RFFT input shape {x.shape} minor dimensions must be equal "
                             f"to fft_lengths {fft_lengths}")
        shape = x.shape[:-k] + fft_lengths[:-1] + (fft_lengths[-1] // 2 + 1,)
        dtype = _complex_dtype(x.dtype)
    elif fft_type == FftType.IRFFT:
        if not dtypes.is_complex(x.dtype):
            raise ValueError(f"IRFFT input must be complex64 or complex128, got {x.dtype}")
        if x.shape[-k:-1] != fft_lengths[:-1]:
            raise ValueError(f"IRFFT input shape {x.shape} minor dimensions must be equal "
                             f"to all except the last fft_length, got "
                             f"fft_lengths={fft_lengths}")
        shape = x.shape[:-k] + fft_lengths
        dtype = _real_dtype(x.dtype)
    else:
        if not dtypes.is_complex(x.dtype):
            raise ValueError(f"FFT input must be complex64 or complex128, got {x.dtype}")
        if x.shape[-k:] != fft_lengths:
            raise ValueError(f"FFT input shape {x.shape} minor dimensions must be equal "
                             f"to fft_lengths {fft_lengths}")
        shape, dtype = x.shape, x.dtype
    return x.update(shape=shape, dtype=dtype)


def _fft_lowering(ctx, x, *, fft_type, fft_lengths):
    return ctx.op("stablehlo.fft", [x], ctx.avals_out[0],
                  attrs={"fft_type": f"#stablehlo<fft_type {fft_type.name}>",
                         "fft_length": i64_array(fft_lengths)})


def _hermitian_mask(n_out, n, dtype):
    """Weights of the stored RFFT bins: 1 for bin 0 (and the Nyquist bin when ``n`` is
    even), 2 for the bins that stand for a conjugate pair."""
    is_odd = n % 2
    parts = [full((1,), 1.0, dtype), full((n_out - 2 + is_odd,), 2.0, dtype)]
    if not is_odd:
        parts.append(full((1,), 1.0, dtype))
    return concatenate([p for p in parts if get_aval(p).shape[0]], 0) if n_out > 1 \
        else full((n_out,), 1.0, dtype)


def _expand_last(mask, ndim):
    return broadcast_in_dim(mask, (1,) * (ndim - 1) + get_aval(mask).shape, (ndim - 1,))


def _rfft_transpose(t, fft_lengths):
    # N * irfft(conj(t) / mask): each stored bin other than 0 and Nyquist stands for two.
    aval = get_aval(t)
    mask = _expand_last(_hermitian_mask(aval.shape[-1], fft_lengths[-1], aval.dtype),
                        aval.ndim)
    out = fft(div(conj(t), mask), FftType.IRFFT, fft_lengths)
    return mul(np.array(math.prod(fft_lengths), get_aval(out).dtype), out)


def _irfft_transpose(t, fft_lengths):
    # conj(rfft(t) * mask / N), JAX's convention for complex cotangents.
    x = fft(t, FftType.RFFT, fft_lengths)
    aval = get_aval(x)
    mask = _expand_last(_hermitian_mask(aval.shape[-1], fft_lengths[-1], aval.dtype),
                        aval.ndim)
    scale = np.array(1 / math.prod(fft_lengths), aval.dtype)
    return conj(mul(mul(scale, mask), x))


def _fft_transpose(ct, x, *, fft_type, fft_lengths):
    if ad.is_zero(ct):
        return [ad.Zero(x.aval)]
    if fft_type == FftType.RFFT:
        return [_rfft_transpose(ct, fft_lengths)]
    if fft_type == FftType.IRFFT:
        return [_irfft_transpose(ct, fft_lengths)]
    return [fft(ct, fft_type, fft_lengths)]   # the DFT matrix is symmetric


def _fft_batch(axis_data, args, dims, *, fft_type, fft_lengths):
    x, = args
    return fft(batching.moveaxis(x, dims[0], 0), fft_type, fft_lengths), 0


abstract_eval_rules[fft_p] = _fft_abstract_eval
lowering_rules[fft_p] = _fft_lowering
ad.deflinear(fft_p, _fft_transpose)
batching.batch_rules[fft_p] = _fft_batch
