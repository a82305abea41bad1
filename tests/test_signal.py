"""``glassbox.scipy.signal`` against ``scipy.signal``: convolutions and correlations in
every mode and method, ``fftconvolve`` with ``axes``, ``detrend``, ``stft``/``istft``,
``welch`` and ``csd``; plus gradients, ``vmap`` against a loop and ``jit`` against eager."""
import numpy as np
import pytest
import scipy.signal as ss

import glassbox as gb
import glassbox.numpy as jnp
from glassbox.scipy import signal as gs
from glassbox.test_util import check_grads

MODES = ["full", "same", "valid"]


def randn(*shape, seed=0, dtype=np.float32):
    r = np.random.default_rng(seed)
    x = r.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * r.standard_normal(shape)
    return x.astype(dtype)


def close(a, b, tol=1e-5):
    b = np.asarray(b)
    assert np.shape(a) == b.shape
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol * max(1.0, np.abs(b).max()))


@pytest.mark.parametrize("method", ["direct", "fft", "auto"])
@pytest.mark.parametrize("mode", MODES)
def test_convolve_correlate_1d(mode, method):
    a, b = randn(10), randn(4, seed=1)
    close(gs.convolve(a, b, mode, method), ss.convolve(a, b, mode))
    close(gs.convolve(b, a, mode, method), ss.convolve(b, a, mode))
    close(gs.correlate(a, b, mode, method), ss.correlate(a, b, mode))
    close(gs.correlate(b, a, mode, method), ss.correlate(b, a, mode))
    c, d = randn(7, dtype=np.complex64), randn(3, seed=1, dtype=np.complex64)
    close(gs.convolve(c, d, mode, method), ss.convolve(c, d, mode))
    close(gs.correlate(c, d, mode, method), ss.correlate(c, d, mode))


@pytest.mark.parametrize("method", ["direct", "fft"])
@pytest.mark.parametrize("mode", MODES)
def test_convolve_nd(mode, method):
    a, b = randn(6, 5, 4), randn(3, 2, 4, seed=1)
    close(gs.convolve(a, b, mode, method), ss.convolve(a, b, mode))
    close(gs.correlate(a, b, mode, method), ss.correlate(a, b, mode))


@pytest.mark.parametrize("mode", MODES)
def test_convolve2d_correlate2d(mode):
    A, B = randn(6, 7), randn(3, 2, seed=1)
    close(gs.convolve2d(A, B, mode), ss.convolve2d(A, B, mode))
    close(gs.correlate2d(A, B, mode), ss.correlate2d(A, B, mode))
    close(gs.correlate2d(B, A, mode), ss.correlate2d(B, A, mode))
    C, D = randn(5, 4, dtype=np.complex64), randn(2, 3, seed=1, dtype=np.complex64)
    close(gs.correlate2d(C, D, mode), ss.correlate2d(C, D, mode))
    close(gs.correlate2d(D, C, mode), ss.correlate2d(D, C, mode))


@pytest.mark.parametrize("mode", MODES)
def test_fftconvolve(mode):
    A, B = randn(6, 7), randn(3, 4, seed=1)
    close(gs.fftconvolve(A, B, mode), ss.fftconvolve(A, B, mode))
    C, D = randn(4, 9), randn(4, 3, seed=1)
    close(gs.fftconvolve(C, D, mode, axes=1), ss.fftconvolve(C, D, mode, axes=1))
    close(gs.fftconvolve(C.T, D.T, mode, axes=[0]), ss.fftconvolve(C.T, D.T, mode, axes=[0]))
    assert gs.fftconvolve(np.arange(3), np.arange(2)).dtype == np.float32


def test_convolve_errors_and_dtypes():
    with pytest.raises(ValueError, match="expected 'auto', 'fft', or 'direct'"):
        gs.convolve(randn(4), randn(2), method="bogus")
    with pytest.raises(ValueError, match="mode must be one of"):
        gs.convolve(randn(4), randn(2), mode="bogus")
    with pytest.raises(ValueError, match="same number of dimensions"):
        gs.convolve(randn(4), randn(2, 2))
    with pytest.raises(ValueError, match="smaller than the other in every dimension"):
        gs.convolve(randn(4, 2), randn(2, 4))
    with pytest.raises(NotImplementedError, match="boundary='fill'"):
        gs.convolve2d(randn(4, 4), randn(2, 2), boundary="wrap")
    with pytest.raises(ValueError, match="2-dimensional"):
        gs.correlate2d(randn(4), randn(2))
    with pytest.raises(ValueError, match="mapped axes must have same shape"):
        gs.fftconvolve(randn(3, 5), randn(2, 5), axes=1)
    assert gs.convolve(np.arange(5), np.arange(2)).dtype == np.float32
    with gb.enable_x64(True):
        out = gs.convolve(randn(5, dtype=np.float64), randn(3, dtype=np.float64))
        assert out.dtype == np.float64


def test_convolve_grads_vmap_jit():
    a, b = randn(8).astype(np.float64), randn(3, seed=1).astype(np.float64)
    with gb.enable_x64(True):
        for method in ("direct", "fft"):
            check_grads(lambda x, y: gs.convolve(x, y, "same", method), (a, b), order=2)
    xs = randn(3, 8)
    f = lambda x: gs.correlate(x, randn(3, seed=1), "valid")  # noqa: E731
    close(gb.vmap(f)(xs), np.stack([np.asarray(f(x)) for x in xs]), 1e-6)
    close(gb.jit(gs.fftconvolve)(xs, xs[:2]), gs.fftconvolve(xs, xs[:2]), 1e-6)


def test_detrend():
    x = randn(3, 50) + np.linspace(0, 5, 50, dtype=np.float32)
    close(gs.detrend(x), ss.detrend(x), 1e-4)
    close(gs.detrend(x, type="constant"), ss.detrend(x, type="constant"), 1e-5)
    close(gs.detrend(x, axis=0), ss.detrend(x, axis=0), 1e-4)
    close(gs.detrend(x, bp=[10, 30]), ss.detrend(x, bp=[10, 30]), 1e-4)
    with pytest.raises(ValueError, match="Trend type"):
        gs.detrend(x, type="quadratic")


@pytest.mark.parametrize("nperseg,noverlap", [(16, None), (15, 5), (32, 24)])
def test_stft_istft(nperseg, noverlap):
    x = randn(2, 100)
    f, t, Z = gs.stft(x, nperseg=nperseg, noverlap=noverlap)
    f2, t2, Z2 = ss.stft(x, nperseg=nperseg, noverlap=noverlap)
    assert Z.dtype == np.complex64
    close(f, f2), close(t, t2), close(Z, Z2)
    t, xr = gs.istft(Z, nperseg=nperseg, noverlap=noverlap)
    t2, xr2 = ss.istft(Z2, nperseg=nperseg, noverlap=noverlap)
    close(t, t2), close(xr, xr2, 1e-4)
    np.testing.assert_allclose(np.asarray(xr)[:, :100], x, atol=1e-4)   # round trip


def test_stft_options():
    x = randn(64)
    for kw in (dict(window="hamming", nperseg=20), dict(boundary=None, padded=False),
               dict(return_onesided=False), dict(nfft=40, nperseg=20), dict(fs=8.0)):
        f, t, Z = gs.stft(x, **kw)
        f2, t2, Z2 = ss.stft(x, **kw)
        close(f, f2), close(t, t2), close(Z, Z2)
    xt = randn(40, 3)
    close(gs.stft(xt, nperseg=8, axis=0)[2], ss.stft(xt, nperseg=8, axis=0)[2])


@pytest.mark.parametrize("kw", [dict(), dict(nperseg=32), dict(nperseg=32, average="median"),
                                dict(window="hamming", nperseg=40, scaling="spectrum"),
                                dict(nperseg=25, noverlap=10, nfft=64, detrend="linear"),
                                dict(nperseg=32, return_onesided=False, fs=10.0)])
def test_welch_csd(kw):
    x, y = randn(2, 128), randn(2, 128, seed=1)
    f, P = gs.welch(x, **kw)
    f2, P2 = ss.welch(x, **kw)
    close(f, f2), close(P, P2, 1e-4)
    f, C = gs.csd(x, y, **kw)
    f2, C2 = ss.csd(x, y, **kw)
    assert np.iscomplexobj(np.asarray(C))
    close(f, f2), close(C, C2, 1e-4)


def test_welch_grads_and_jit():
    x = randn(64).astype(np.float64)
    with gb.enable_x64(True):
        check_grads(lambda a: gs.welch(a, nperseg=16)[1], (x,), order=1)
    f = lambda a: gs.welch(a, nperseg=16)[1]  # noqa: E731
    close(gb.jit(f)(x.astype(np.float32)), f(x.astype(np.float32)), 1e-6)
    with pytest.raises(ValueError, match="noverlap must be less than nperseg"):
        gs.welch(x, nperseg=16, noverlap=16)
    with pytest.raises(ValueError, match="average must be"):
        gs.welch(x, nperseg=16, average="mode")
    with pytest.raises(ValueError, match="Must specify differing"):
        gs.istft(jnp.ones((3, 4), jnp.complex64), time_axis=0, freq_axis=0)
