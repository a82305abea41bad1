"""``glassbox.numpy.fft``: NumPy's discrete Fourier transforms (``jnp.fft``).

Every transform is ``lax.fft`` (one ``stablehlo.fft``) on the trailing axes, with
JAX's bookkeeping around it: the requested ``axes`` are moved to the end and back,
``n``/``s`` crop or zero-pad the input first, and ``norm`` multiplies the result by a
scale computed as JAX computes it (in the result's dtype). XLA transforms at most
three axes at once, so ``fftn`` over four or more is done in stages.

Dtypes are JAX's: ints, bools and float32 give complex64 (float64 and, under x64, the
ints give complex128); ``rfft`` needs real input; ``irfft`` returns the matching real
type. ``hfft``/``ihfft`` are the Hermitian pair (``irfft``/``rfft`` of the conjugate).
"""
import operator

import numpy as np

from .. import dtypes
from ..lax import fft as _lax_fft  # the function (glassbox.lax re-exports it)
from ..lax import FftType
from ._util import check_arraylike
from .. import numpy as jnp  # this package, partly imported now: names are read at call time

__all__ = ["fft", "ifft", "fft2", "ifft2", "fftn", "ifftn", "rfft", "irfft", "rfft2",
           "irfft2", "rfftn", "irfftn", "hfft", "ihfft", "fftfreq", "rfftfreq", "fftshift",
           "ifftshift"]


def _fft_norm(s, func_name, norm):
    """The factor ``norm`` multiplies the result by; ``s`` holds the transform lengths
    in the result's dtype (JAX's order of operations, so the last bit agrees)."""
    if norm == "backward":
        return None
    if norm == "ortho":
        root = jnp.sqrt(jnp.prod(s))
        return root if func_name.startswith("i") else 1 / root
    if norm == "forward":
        size = jnp.prod(s)
        return size if func_name.startswith("i") else 1 / size
    raise ValueError(f'Invalid norm value {norm}; should be "backward","ortho" or "forward".')


def _fft_core(func_name, fft_type, a, s, axes, norm):
    full_name = f"jax.numpy.fft.{func_name}"
    check_arraylike(full_name, a)
    arr = jnp.asarray(a)
    if s is not None:
        s = tuple(map(operator.index, s))
        if any(n <= 0 for n in s):
            raise ValueError("Shape should be positive.")
    if s is not None and axes is not None and len(s) != len(axes):
        raise ValueError("Shape and axes have different lengths.")
    orig_axes = axes
    if axes is None:
        axes = range(arr.ndim) if s is None else range(arr.ndim - len(s), arr.ndim)
    axes = tuple(axes)
    if len(axes) != len(set(axes)):
        raise ValueError(f"{full_name} does not support repeated axes. Got axes {axes}.")
    if orig_axes is not None:
        axes = tuple(range(arr.ndim - len(axes), arr.ndim))
        arr = jnp.moveaxis(arr, orig_axes, axes)
    if s is not None:
        in_s = list(arr.shape)
        for axis, n in zip(axes, s):
            in_s[axis] = n
        if fft_type == FftType.IRFFT:
            in_s[-1] = in_s[-1] // 2 + 1
        arr = arr[tuple(slice(n) for n in in_s)]
        arr = jnp.pad(arr, [(0, n - m) for n, m in zip(in_s, arr.shape)])
    elif fft_type == FftType.IRFFT:
        s = [arr.shape[axis] for axis in axes[:-1]]
        if axes:
            s += [max(0, 2 * (arr.shape[axes[-1]] - 1))]
    else:
        s = [arr.shape[axis] for axis in axes]
    out = _fft_core_nd(arr, fft_type, s)
    if norm is not None:
        factor = _fft_norm(jnp.array(s, dtype=out.dtype), func_name, norm)
        if factor is not None:
            out = out * factor
    if orig_axes is not None:
        out = jnp.moveaxis(out, axes, orig_axes)
    return out


def _fft_core_nd(arr, fft_type, s):
    """``lax.fft`` over the trailing ``len(s)`` axes, in stages of at most three."""
    if len(s) <= 3:
        return _lax_fft(arr, fft_type, tuple(s))
    n = 2 if len(s) == 4 else 3
    src = tuple(range(arr.ndim - len(s), arr.ndim - n))
    dst = tuple(range(arr.ndim - len(s) + n, arr.ndim))
    if fft_type in (FftType.RFFT, FftType.FFT):
        arr = _lax_fft(arr, fft_type, tuple(s)[-n:])
        arr = jnp.moveaxis(arr, src, dst)
        arr = _fft_core_nd(arr, FftType.FFT, s[:-n])
        return jnp.moveaxis(arr, dst, src)
    arr = jnp.moveaxis(arr, src, dst)
    arr = _fft_core_nd(arr, FftType.IFFT, s[:-n])
    arr = jnp.moveaxis(arr, dst, src)
    return _lax_fft(arr, fft_type, tuple(s)[-n:])


def _axis_check_1d(func_name, axis):
    if isinstance(axis, (list, tuple)):
        full_name = f"jax.numpy.fft.{func_name}"
        raise ValueError(f"{full_name} does not support multiple axes. Please use "
                         f"{full_name}n. Got axis = {axis!r}.")


def _fft_core_1d(func_name, fft_type, a, n, axis, norm):
    _axis_check_1d(func_name, axis)
    return _fft_core(func_name, fft_type, a, None if n is None else [n],
                     None if axis is None else [axis], norm)


def _fft_core_2d(func_name, fft_type, a, s, axes, norm):
    if len(axes) != 2:
        raise ValueError(f"jax.numpy.fft.{func_name} only supports 2 axes. "
                         f"Got axes = {axes!r}.")
    return _fft_core(func_name, fft_type, a, s, axes, norm)


# --- one axis --------------------------------------------------------------------

def fft(a, n=None, axis=-1, norm=None):
    """1-D discrete Fourier transform along ``axis`` (cropped or zero-padded to ``n``).

    ``norm``: ``"backward"`` (default: no scaling), ``"ortho"`` (``1/sqrt(n)``) or
    ``"forward"`` (``1/n``). Example: ``jnp.fft.fft(jnp.array([1., 0, 0, 0]))`` is
    ``[1+0j, 1+0j, 1+0j, 1+0j]``.
    """
    return _fft_core_1d("fft", FftType.FFT, a, n, axis, norm)


def ifft(a, n=None, axis=-1, norm=None):
    """Inverse of ``fft`` (divides by ``n`` with the default ``norm="backward"``)."""
    return _fft_core_1d("ifft", FftType.IFFT, a, n, axis, norm)


def rfft(a, n=None, axis=-1, norm=None):
    """FFT of a real array along ``axis``: the ``n // 2 + 1`` non-negative frequencies."""
    return _fft_core_1d("rfft", FftType.RFFT, a, n, axis, norm)


def irfft(a, n=None, axis=-1, norm=None):
    """Inverse of ``rfft``: a real array of length ``n`` (default ``2 * (m - 1)``)."""
    return _fft_core_1d("irfft", FftType.IRFFT, a, n, axis, norm)


def hfft(a, n=None, axis=-1, norm=None):
    """FFT of a Hermitian-symmetric signal given by its first half: a real spectrum of
    length ``n`` (default ``2 * (m - 1)``)."""
    conj_a = jnp.conj(a)
    _axis_check_1d("hfft", axis)
    nn = (conj_a.shape[axis] - 1) * 2 if n is None else n
    return _fft_core_1d("hfft", FftType.IRFFT, conj_a, n, axis, norm) * nn


def ihfft(a, n=None, axis=-1, norm=None):
    """Inverse of ``hfft``: the ``n // 2 + 1`` first terms of a Hermitian spectrum."""
    _axis_check_1d("ihfft", axis)
    arr = jnp.asarray(a)
    nn = arr.shape[axis] if n is None else n
    out = _fft_core_1d("ihfft", FftType.RFFT, arr, n, axis, norm)
    return jnp.conj(out) * (1 / nn)


# --- two and n axes ----------------------------------------------------------------

def fft2(a, s=None, axes=(-2, -1), norm=None):
    """2-D FFT over ``axes`` (default the last two); ``s`` crops/pads them."""
    return _fft_core_2d("fft2", FftType.FFT, a, s, axes, norm)


def ifft2(a, s=None, axes=(-2, -1), norm=None):
    """Inverse of ``fft2``."""
    return _fft_core_2d("ifft2", FftType.IFFT, a, s, axes, norm)


def rfft2(a, s=None, axes=(-2, -1), norm=None):
    """2-D FFT of a real array (the last axis halved, as ``rfft``)."""
    return _fft_core_2d("rfft2", FftType.RFFT, a, s, axes, norm)


def irfft2(a, s=None, axes=(-2, -1), norm=None):
    """Inverse of ``rfft2``."""
    return _fft_core_2d("irfft2", FftType.IRFFT, a, s, axes, norm)


def fftn(a, s=None, axes=None, norm=None):
    """N-D FFT over ``axes`` (default: all, or the last ``len(s)``)."""
    return _fft_core("fftn", FftType.FFT, a, s, axes, norm)


def ifftn(a, s=None, axes=None, norm=None):
    """Inverse of ``fftn``."""
    return _fft_core("ifftn", FftType.IFFT, a, s, axes, norm)


def rfftn(a, s=None, axes=None, norm=None):
    """N-D FFT of a real array (the last transformed axis halved)."""
    return _fft_core("rfftn", FftType.RFFT, a, s, axes, norm)


def irfftn(a, s=None, axes=None, norm=None):
    """Inverse of ``rfftn``."""
    return _fft_core("irfftn", FftType.IRFFT, a, s, axes, norm)


# --- frequencies and shifts ---------------------------------------------------------

def _check_freq_args(name, n, d):
    if isinstance(n, (list, tuple)):
        raise ValueError(f"The n argument of jax.numpy.fft.{name} only takes an int. "
                         f"Got n = {list(n)}.")
    if isinstance(d, (list, tuple)):
        raise ValueError(f"The d argument of jax.numpy.fft.{name} only takes a single "
                         f"value. Got d = {list(d)}.")


def fftfreq(n, d=1.0, *, dtype=None, device=None):
    """Sample frequencies of an ``n``-point FFT with spacing ``d``:
    ``[0, 1, ..., n//2 - 1 (or (n-1)//2), -n//2, ..., -1] / (d * n)``."""
    dtype = dtype or dtypes.default_float()
    _check_freq_args("fftfreq", n, d)
    out_dtype = dtype
    dtype = np.finfo(dtypes.canonicalize_dtype(
        dtype if dtypes.is_inexact(dtype) else dtypes.default_float())).dtype
    i = jnp.arange(n, dtype=dtype)
    k = (i + n // 2) % n - n // 2
    result = k.astype(dtype) / jnp.array(d * n, dtype=dtype)
    result = result.astype(out_dtype)
    return result if device is None else jnp.asarray(result, device=device)


def rfftfreq(n, d=1.0, *, dtype=None, device=None):
    """Sample frequencies of an ``n``-point ``rfft``: ``[0, 1, ..., n//2] / (d * n)``."""
    dtype = dtype or dtypes.default_float()
    _check_freq_args("rfftfreq", n, d)
    k = jnp.arange(0, n // 2 + 1 if n % 2 == 0 else (n - 1) // 2 + 1, dtype=dtype)
    result = k / jnp.array(d * n, dtype=dtype)
    return result if device is None else jnp.asarray(result, device=device)


def fftshift(x, axes=None):
    """Move the zero frequency to the centre (a ``roll`` by half of each axis)."""
    check_arraylike("fftshift", x)
    x = jnp.asarray(x)
    if axes is None:
        axes = tuple(range(x.ndim))
        shift = [dim // 2 for dim in x.shape]
    elif isinstance(axes, int):
        shift = x.shape[axes] // 2
    else:
        shift = [x.shape[ax] // 2 for ax in axes]
    return jnp.roll(x, shift, axes)


def ifftshift(x, axes=None):
    """Inverse of ``fftshift`` (they differ for odd lengths)."""
    check_arraylike("ifftshift", x)
    x = jnp.asarray(x)
    if axes is None:
        axes = tuple(range(x.ndim))
        shift = [-(dim // 2) for dim in x.shape]
    elif isinstance(axes, int):
        shift = -(x.shape[axes] // 2)
    else:
        shift = [-(x.shape[ax] // 2) for ax in axes]
    return jnp.roll(x, shift, axes)
