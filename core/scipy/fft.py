"""``glassbox.scipy.fft``: SciPy's discrete cosine transforms (``jax.scipy.fft``).

``dct``/``dctn`` and their inverses ``idct``/``idctn``, type 2 only (the type JAX
implements; other types raise ``NotImplementedError``, as in JAX), with ``norm=None``
(``"backward"``) or ``"ortho"``. Each is Makhoul's algorithm, as JAX computes it: the
input is reordered (even samples, then the odd ones reversed), transformed with one FFT
and rotated by the quarter-wave twiddles ``exp(-i pi k / 2N)``; ``dctn`` over two axes
is one 2-D FFT, over more it goes two axes at a time. Complex input: real and
imaginary parts are transformed separately.
"""
import math
import operator
from collections.abc import Sequence

import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from ..numpy import fft as jnp_fft
from ..numpy._util import canonicalize_axis, check_arraylike

__all__ = ["dct", "dctn", "idct", "idctn"]


def _check(name, x, type, norm):  # noqa: A002 (SciPy's name)
    check_arraylike(name, x)
    if type != 2:
        raise NotImplementedError("Only DCT type 2 is implemented.")
    if norm is not None and norm not in ("backward", "ortho"):
        raise ValueError(f"jax.scipy.fft.{name}: norm={norm!r} is not implemented")
    return jnp.asarray(x)


def _other_axes(ndim, axis):
    return [a for a in range(ndim) if a != axis]


def _W4(N, k):
    """The twiddles ``exp(-i pi k / (2N))`` in the complex type of ``k``."""
    cdtype = dtypes.result_type(k.dtype, np.complex64)
    return jnp.exp(-.5j * np.pi * k.astype(cdtype) / jnp.asarray(N, cdtype))


def _dct_interleave(x, axis):
    v0 = lax.slice_in_dim(x, None, None, 2, axis)
    v1 = lax.rev(lax.slice_in_dim(x, 1, None, 2, axis), (axis,))
    return lax.concatenate([v0, v1], axis)


def _dct_deinterleave(x, axis):
    half = math.ceil(x.shape[axis] / 2)
    at = lambda s: tuple(s if i == axis else slice(None) for i in range(x.ndim))  # noqa
    v0 = x[at(slice(None, half))]
    v1 = lax.rev(x[at(slice(half, None))], (axis,))
    out = jnp.zeros(x.shape, dtype=x.dtype)
    return out.at[at(slice(None, None, 2))].set(v0).at[at(slice(1, None, 2))].set(v1)


def _dct_ortho_norm(out, axis):
    factor = lax.concatenate([lax.full((1,), 4, out.dtype),
                              lax.full((out.shape[axis] - 1,), 2, out.dtype)], 0)
    factor = lax.expand_dims(factor, _other_axes(out.ndim, axis))
    return out / lax.sqrt(factor * out.shape[axis])


def _pad_to(x, sizes):
    """Zero-pad (or crop, with negative padding) each axis in ``sizes`` to its size."""
    pads = [(0, sizes[a] - x.shape[a] if a in sizes else 0, 0) for a in range(x.ndim)]
    return lax.pad(x, jnp.array(0, x.dtype), pads)


def _shape_arg(s, ndim):
    if s is None:
        return None
    s = list(s) if isinstance(s, Sequence) else [operator.index(s)]
    if len(s) > ndim:
        raise ValueError(f"s must have at most x.ndim ({ndim}) elements, got {len(s)}")
    return s


def _axes_arg(axes, s, ndim):
    if axes is None:
        return tuple(range(ndim - len(s), ndim)) if s is not None else tuple(range(ndim))
    return tuple(canonicalize_axis(a, ndim, "axes") for a in axes)


def dct(x, type=2, n=None, axis=-1, norm=None):  # noqa: A002 (SciPy's name)
    """Discrete cosine transform (type 2) along ``axis``, like ``scipy.fft.dct``.

    ``y[k] = 2 * sum_n x[n] cos(pi k (2n + 1) / (2N))``; ``norm="ortho"`` scales it to
    an orthonormal transform. ``n`` crops or zero-pads the axis first.
    """
    x = _check("dct", x, type, norm)
    if dtypes.is_complex(x.dtype):
        return lax.complex(dct(x.real, type=type, n=n, norm=norm, axis=axis),
                           dct(x.imag, type=type, n=n, norm=norm, axis=axis))
    axis = canonicalize_axis(axis, x.ndim, "jax.scipy.fft.dct")
    if n is not None:
        x = _pad_to(x, {axis: n})
    N = x.shape[axis]
    V = jnp_fft.fft(_dct_interleave(x, axis), axis=axis)
    k = lax.expand_dims(jnp.arange(N, dtype=V.real.dtype), _other_axes(x.ndim, axis))
    out = 2 * (V * _W4(N, k)).real
    return _dct_ortho_norm(out, axis) if norm == "ortho" else out


def _dct2(x, axes, norm):
    axis1, axis2 = (canonicalize_axis(a, x.ndim) for a in axes)
    N1, N2 = x.shape[axis1], x.shape[axis2]
    V = jnp_fft.fftn(_dct_interleave(_dct_interleave(x, axis1), axis2), axes=axes)
    k1 = lax.expand_dims(jnp.arange(N1, dtype=V.dtype), _other_axes(x.ndim, axis1))
    k2 = lax.expand_dims(jnp.arange(N2, dtype=V.dtype), _other_axes(x.ndim, axis2))
    flipped = jnp.roll(jnp.flip(V, axis=axis2), shift=1, axis=axis2)
    out = _W4(N1, k1) * (_W4(N2, k2) * V + _W4(N2, -k2) * flipped)
    out = 2 * out.real
    if norm == "ortho":
        return _dct_ortho_norm(_dct_ortho_norm(out, axis1), axis2)
    return out


def dctn(x, type=2, s=None, axes=None, norm=None):  # noqa: A002 (SciPy's name)
    """Multidimensional DCT (type 2) over ``axes`` (default all, or the last
    ``len(s)``); ``s`` crops or zero-pads them first."""
    x = _check("dctn", x, type, norm)
    if dtypes.is_complex(x.dtype):
        return lax.complex(dctn(x.real, type=type, s=s, norm=norm, axes=axes),
                           dctn(x.imag, type=type, s=s, norm=norm, axes=axes))
    s = _shape_arg(s, x.ndim)
    axes = _axes_arg(axes, s, x.ndim)
    if len(axes) == 1:
        return dct(x, n=s[0] if s is not None else None, axis=axes[0], norm=norm)
    if s is not None:
        x = _pad_to(x, dict(zip(axes, s)))
    if len(axes) == 2:
        return _dct2(x, axes, norm)
    for block in [axes[i:i + 2] for i in range(0, len(axes), 2)]:
        x = dctn(x, axes=block, norm=norm)
    return x


def idct(x, type=2, n=None, axis=-1, norm=None):  # noqa: A002 (SciPy's name)
    """Inverse of ``dct`` (SciPy's ``idct`` of type 2, i.e. a scaled DCT-III)."""
    x = _check("idct", x, type, norm)
    if dtypes.is_complex(x.dtype):
        return lax.complex(idct(x.real, type=type, n=n, norm=norm, axis=axis),
                           idct(x.imag, type=type, n=n, norm=norm, axis=axis))
    axis = canonicalize_axis(axis, x.ndim, "jax.scipy.fft.idct")
    if n is not None:
        x = _pad_to(x, {axis: n})
    N = x.shape[axis]
    if not dtypes.is_inexact(x.dtype):
        x = x.astype(dtypes.default_float())
    if norm is None or norm == "backward":
        x = _dct_ortho_norm(x, axis)
    x = _dct_ortho_norm(x, axis)
    k = lax.expand_dims(jnp.arange(N, dtype=x.dtype), _other_axes(x.ndim, axis))
    w4 = _W4(N, k)
    x = x.astype(w4.dtype) / w4
    x = x * 2 * N
    x = jnp_fft.ifft(x, axis=axis)
    return _dct_deinterleave(x.real, axis)


def idctn(x, type=2, s=None, axes=None, norm=None):  # noqa: A002 (SciPy's name)
    """Inverse of ``dctn``: ``idct`` along each axis in turn."""
    x = _check("idctn", x, type, norm)
    if dtypes.is_complex(x.dtype):
        return lax.complex(idctn(x.real, type=type, s=s, norm=norm, axes=axes),
                           idctn(x.imag, type=type, s=s, norm=norm, axes=axes))
    s = _shape_arg(s, x.ndim)
    axes = _axes_arg(axes, s, x.ndim)
    if len(axes) == 1:
        return idct(x, n=s[0] if s is not None else None, axis=axes[0], norm=norm)
    if s is not None:
        x = _pad_to(x, dict(zip(axes, s)))
    for axis in axes:
        x = idct(x, axis=axis, norm=norm)
    return x
