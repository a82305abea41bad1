"""Op records for ``glassbox.numpy.fft`` (see tests/op_table.py), against ``numpy.fft``.

NumPy computes in float64/complex128; glassbox returns JAX's dtypes (complex64 for the
forward and complex transforms, float32 for ``irfft``/``hfft``), so each record names
its result dtype. Shapes have at least one axis (a transform needs one); odd and even
lengths both appear. Every transform is linear, so it is checked to order 2.
"""
import numpy as np

import glassbox.numpy as jnp
from tests.op_table import C64, F32, Op

SHAPES_1D = ((5,), (2, 4))
SHAPES_ND = ((3, 4), (2, 3, 5))
TOL = {F32: 1e-4, C64: 1e-4}
to_complex = lambda d: C64  # noqa: E731
to_real = lambda d: F32  # noqa: E731


def _ref(fn, out):
    return lambda *args, **kw: np.asarray(fn(*args, **kw)).astype(out)


def _op(name, fn, ref, out, shapes=SHAPES_1D, dtypes=(F32, C64), **kwargs):
    return Op(f"fft.{name}", fn, _ref(ref, out), 1, dtypes, shapes, kwargs=kwargs, tol=TOL,
              out_dtype=lambda d: np.dtype(out), grad=2)


OPS = [
    _op("fft", jnp.fft.fft, np.fft.fft, C64),
    _op("fft_n_ortho", jnp.fft.fft, np.fft.fft, C64, n=6, norm="ortho"),
    _op("ifft", jnp.fft.ifft, np.fft.ifft, C64),
    _op("ifft_forward", jnp.fft.ifft, np.fft.ifft, C64, norm="forward", n=3),
    _op("rfft", jnp.fft.rfft, np.fft.rfft, C64, dtypes=(F32,)),
    _op("rfft_n_ortho", jnp.fft.rfft, np.fft.rfft, C64, dtypes=(F32,), n=7, norm="ortho"),
    _op("irfft", jnp.fft.irfft, np.fft.irfft, F32),
    _op("irfft_odd", jnp.fft.irfft, np.fft.irfft, F32, n=7, norm="forward"),
    _op("hfft", jnp.fft.hfft, np.fft.hfft, F32),
    _op("ihfft", jnp.fft.ihfft, np.fft.ihfft, C64, dtypes=(F32,)),
    _op("fft2", jnp.fft.fft2, np.fft.fft2, C64, SHAPES_ND),
    _op("ifft2", jnp.fft.ifft2, np.fft.ifft2, C64, SHAPES_ND, norm="ortho"),
    _op("rfft2", jnp.fft.rfft2, np.fft.rfft2, C64, SHAPES_ND, dtypes=(F32,)),
    _op("irfft2", jnp.fft.irfft2, np.fft.irfft2, F32, SHAPES_ND),
    _op("fftn", jnp.fft.fftn, np.fft.fftn, C64, SHAPES_ND),
    _op("ifftn_axes", jnp.fft.ifftn, np.fft.ifftn, C64, ((2, 3, 5),), axes=(0, 2)),
    _op("rfftn", jnp.fft.rfftn, np.fft.rfftn, C64, SHAPES_ND, dtypes=(F32,)),
    _op("irfftn_s", jnp.fft.irfftn, np.fft.irfftn, F32, ((2, 3, 5),), s=(4, 5), axes=(1, 2)),
    _op("fftshift", jnp.fft.fftshift, np.fft.fftshift, F32, SHAPES_ND, dtypes=(F32,)),
    _op("ifftshift", jnp.fft.ifftshift, np.fft.ifftshift, F32, SHAPES_ND, dtypes=(F32,)),
]
