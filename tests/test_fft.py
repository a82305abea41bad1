"""``lax.fft`` (the ``fft_p`` primitive), ``glassbox.numpy.fft`` and ``glassbox.scipy.fft``.

Values against ``numpy.fft`` / ``scipy.fft``; gradients by finite differences in float64
(order 2: every transform is linear, so this checks the jvp and the transposes, including
RFFT's and IRFFT's Hermitian masks, for even and odd lengths); ``vmap`` against a Python
loop; ``jit`` against eager. The op table (tests/op_records/fft.py) covers the rest of
the jnp.fft surface.
"""
import numpy as np
import pytest
import scipy.fft

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.scipy import fft as gfft
from glassbox.test_util import check_grads

rng = np.random.default_rng(0)


def randn(*shape, dtype=np.float32):
    x = rng.standard_normal(shape)
    if np.dtype(dtype).kind == "c":
        x = x + 1j * rng.standard_normal(shape)
    return x.astype(dtype)


# --- the primitive ---------------------------------------------------------------------

@pytest.mark.parametrize("typ", ["FFT", "fft", lax.FftType.FFT])
def test_lax_fft_accepts_names(typ):
    x = randn(3, 4, dtype=np.complex64)
    np.testing.assert_allclose(lax.fft(x, typ, (4,)), np.fft.fft(x), rtol=1e-5, atol=1e-5)


def test_lax_fft_kinds_and_dtypes():
    x = randn(2, 3, 5)
    r = lax.fft(x, "RFFT", (3, 5))
    assert r.dtype == np.complex64 and r.shape == (2, 3, 3)
    np.testing.assert_allclose(r, np.fft.rfft2(x), rtol=1e-5, atol=1e-5)
    back = lax.fft(r, lax.FftType.IRFFT, (3, 5))
    assert back.dtype == np.float32 and back.shape == x.shape
    np.testing.assert_allclose(back, x, rtol=1e-5, atol=1e-5)
    assert lax.fft(np.arange(4, dtype=np.int32), "FFT", (4,)).dtype == np.complex64
    assert lax.fft(np.arange(4, dtype=np.int32), "RFFT", (4,)).dtype == np.complex64
    i = lax.fft(x.astype(np.complex64), "IFFT", (3, 5))
    np.testing.assert_allclose(i, np.fft.ifft2(x), rtol=1e-5, atol=1e-6)
    assert lax.fft(x, "FFT", ()).dtype == np.complex64   # no lengths: just the conversion


def test_lax_fft_errors():
    with pytest.raises(ValueError, match="Unknown FFT type"):
        lax.fft(randn(4), "Fft", (4,))
    with pytest.raises(TypeError, match="Unknown FFT type value"):
        lax.fft(randn(4), 7, (4,))
    with pytest.raises(ValueError, match="only real valued inputs"):
        lax.fft(randn(4, dtype=np.complex64), "RFFT", (4,))
    with pytest.raises(ValueError, match="minor dimensions must be equal"):
        lax.fft(randn(4, dtype=np.complex64), "FFT", (5,))
    with pytest.raises(ValueError, match="at least as many"):
        lax.fft(randn(4, dtype=np.complex64), "FFT", (1, 4))
    with pytest.raises(ValueError, match="RFFT input must be float32 or float64"):
        jnp.fft.rfft(np.ones(4, np.float16))


def test_lowering_is_stablehlo_fft():
    text = gb.jit(lambda x: lax.fft(x, "RFFT", (3, 5))).lower(randn(2, 3, 5)).as_text()
    assert "stablehlo.fft" in text
    assert "#stablehlo<fft_type RFFT>" in text and "array<i64: 3, 5>" in text


@pytest.mark.parametrize("n", [4, 5])
@pytest.mark.parametrize("typ", ["FFT", "IFFT", "RFFT", "IRFFT"])
def test_lax_fft_grads_order2(typ, n):
    with gb.enable_x64(True):
        if typ == "RFFT":
            x, lengths = randn(2, 3, n, dtype=np.float64), (3, n)
        elif typ == "IRFFT":
            x, lengths = randn(2, 3, n // 2 + 1, dtype=np.complex128), (3, n)
        else:
            x, lengths = randn(2, 3, n, dtype=np.complex128), (3, n)
        check_grads(lambda a: lax.fft(a, typ, lengths), (x,), order=2)


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fftn",
                                  "rfftn", "irfftn", "fft2", "irfft2"])
def test_jnp_fft_grads_x64(name):
    fn = getattr(jnp.fft, name)
    with gb.enable_x64(True):
        real = name in ("rfft", "ihfft", "rfftn")
        x = randn(3, 5, dtype=np.float64 if real else np.complex128)
        check_grads(lambda a: fn(a, norm="ortho"), (x,), order=2)


def test_grad_of_rfft_matches_jax_convention():
    # d/dx of sum(re(rfft(x))) + sum(im(rfft(x))**2) at arange(5), from JAX 0.10.2
    f = lambda x: jnp.fft.rfft(x).real.sum() + (jnp.fft.rfft(x).imag ** 2).sum()  # noqa
    g = gb.grad(f)(np.arange(5, dtype=np.float32))
    np.testing.assert_allclose(g, [3., -7., -2., 3., 8.], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("typ,shape,lengths", [
    ("FFT", (4, 6), (6,)), ("RFFT", (4, 3, 5), (3, 5)), ("IRFFT", (4, 5), (8,))])
def test_vmap_matches_loop(typ, shape, lengths):
    x = randn(*shape, dtype=np.float32 if typ == "RFFT" else np.complex64)
    for axis in (0, 1):
        batched = np.moveaxis(x, 0, axis)
        out = gb.vmap(lambda a: lax.fft(a, typ, lengths), in_axes=axis)(batched)
        want = np.stack([np.asarray(lax.fft(x[i], typ, lengths)) for i in range(4)])
        np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-6)


def test_jit_matches_eager():
    x = randn(3, 8)
    for f in (jnp.fft.rfft, jnp.fft.fft2, lambda a: jnp.fft.irfft(jnp.fft.rfft(a), n=8)):
        np.testing.assert_allclose(gb.jit(f)(x), f(x), rtol=1e-6, atol=1e-6)


# --- jnp.fft -------------------------------------------------------------------------

@pytest.mark.parametrize("norm", [None, "backward", "ortho", "forward"])
@pytest.mark.parametrize("n", [None, 3, 8, 9])
def test_numpy_fft_norms_and_lengths(norm, n):
    x = randn(4, 7)
    c = randn(4, 7, dtype=np.complex64)
    for name, arg in [("fft", c), ("ifft", c), ("rfft", x), ("irfft", c), ("hfft", c),
                      ("ihfft", x)]:
        out = getattr(jnp.fft, name)(arg, n=n, axis=0, norm=norm)
        want = getattr(np.fft, name)(arg, n=n, axis=0, norm=norm)
        assert out.shape == want.shape, name
        np.testing.assert_allclose(out, want, rtol=2e-5, atol=2e-5, err_msg=name)


@pytest.mark.parametrize("norm", [None, "ortho", "forward"])
def test_numpy_fftn_axes_and_s(norm):
    x = randn(2, 3, 4, 5)
    c = randn(2, 3, 4, 5, dtype=np.complex64)
    cases = [("fftn", c, dict(axes=(0, 2))), ("fftn", c, dict(s=(4, 6))),
             ("ifftn", c, dict()), ("rfftn", x, dict(axes=(3, 1))),
             ("irfftn", c, dict(s=(3, 7))), ("fft2", c, dict(axes=(1, 0))),
             ("rfft2", x, dict(s=(5, 5))), ("irfft2", c, dict()), ("ifft2", c, dict())]
    for name, arg, kw in cases:
        out = getattr(jnp.fft, name)(arg, norm=norm, **kw)
        ref_kw = dict(kw)
        if "s" in kw and "axes" not in kw:   # NumPy 2 wants the axes spelled out
            ref_kw["axes"] = tuple(range(arg.ndim - len(kw["s"]), arg.ndim))
        want = getattr(np.fft, name)(arg, norm=norm, **ref_kw)
        assert out.shape == want.shape, (name, kw)
        np.testing.assert_allclose(out, want, rtol=1e-4, atol=1e-4, err_msg=f"{name} {kw}")


def test_fftn_over_four_axes_goes_in_stages():
    c = randn(2, 3, 2, 3, 2, dtype=np.complex64)
    np.testing.assert_allclose(jnp.fft.fftn(c), np.fft.fftn(c), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(jnp.fft.ifftn(c), np.fft.ifftn(c), rtol=1e-4, atol=1e-5)
    x = c.real
    np.testing.assert_allclose(jnp.fft.rfftn(x), np.fft.rfftn(x), rtol=1e-4, atol=1e-4)
    r = np.fft.rfftn(x)
    np.testing.assert_allclose(jnp.fft.irfftn(r, x.shape),
                               np.fft.irfftn(r, x.shape, axes=tuple(range(5))),
                               rtol=1e-4, atol=1e-5)


def test_fft_dtypes():
    assert jnp.fft.fft(np.arange(4, dtype=np.int8)).dtype == np.complex64
    assert jnp.fft.fft(np.ones(4, bool)).dtype == np.complex64
    assert jnp.fft.irfft(np.ones(3, np.float32)).dtype == np.float32
    assert jnp.fft.fftfreq(4).dtype == np.float32
    with gb.enable_x64(True):
        assert jnp.fft.fft(np.ones(4)).dtype == np.complex128
        assert jnp.fft.fft(np.arange(4)).dtype == np.complex128
        assert jnp.fft.irfft(np.ones(3, np.complex128)).dtype == np.float64
        x = randn(6, dtype=np.float64)
        np.testing.assert_allclose(jnp.fft.rfft(x), np.fft.rfft(x), rtol=1e-12, atol=1e-12)


def test_freqs_and_shifts():
    for n in (1, 4, 7):
        np.testing.assert_allclose(jnp.fft.fftfreq(n, 0.3), np.fft.fftfreq(n, 0.3), rtol=1e-6)
        np.testing.assert_allclose(jnp.fft.rfftfreq(n, 2.0), np.fft.rfftfreq(n, 2.0),
                                   rtol=1e-6)
    x = np.arange(35).reshape(5, 7)
    for axes in (None, 0, (1,), (0, 1)):
        np.testing.assert_array_equal(jnp.fft.fftshift(x, axes), np.fft.fftshift(x, axes))
        np.testing.assert_array_equal(jnp.fft.ifftshift(x, axes), np.fft.ifftshift(x, axes))
    assert jnp.fft.fftfreq(4, dtype=np.int32).dtype == np.int32


def test_jnp_fft_errors():
    with pytest.raises(ValueError, match="Invalid norm value"):
        jnp.fft.fft(randn(4), norm="bogus")
    with pytest.raises(ValueError, match="does not support multiple axes"):
        jnp.fft.fft(randn(4, 4), axis=(0, 1))
    with pytest.raises(ValueError, match="only supports 2 axes"):
        jnp.fft.fft2(randn(4, 4, 4), axes=(0, 1, 2))
    with pytest.raises(ValueError, match="repeated axes"):
        jnp.fft.fftn(randn(4, 4), axes=(0, 0))
    with pytest.raises(ValueError, match="Shape should be positive"):
        jnp.fft.fft(randn(4), n=0)
    with pytest.raises(ValueError, match="Shape and axes have different lengths"):
        jnp.fft.fftn(randn(4, 4), s=(2,), axes=(0, 1))
    with pytest.raises(TypeError, match="requires ndarray"):
        jnp.fft.fft([1.0, 2.0])
    with pytest.raises(ValueError, match="only takes an int"):
        jnp.fft.fftfreq([4])


def test_jnp_fft_is_an_attribute():
    import glassbox.numpy.fft as mod
    assert jnp.fft is mod and gb.numpy.fft.rfft is mod.rfft


# --- scipy.fft: the DCT ----------------------------------------------------------------

@pytest.mark.parametrize("norm", [None, "backward", "ortho"])
def test_dct_idct_against_scipy(norm):
    x = randn(4, 5, 6)
    for axis in (0, -1):
        for n in (None, 3, 8):
            np.testing.assert_allclose(gfft.dct(x, n=n, axis=axis, norm=norm),
                                       scipy.fft.dct(x, n=n, axis=axis, norm=norm),
                                       rtol=1e-4, atol=1e-4)
            np.testing.assert_allclose(gfft.idct(x, n=n, axis=axis, norm=norm),
                                       scipy.fft.idct(x, n=n, axis=axis, norm=norm),
                                       rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(gfft.idct(gfft.dct(x, norm=norm), norm=norm), x, rtol=1e-4,
                               atol=1e-5)


@pytest.mark.parametrize("norm", [None, "ortho"])
def test_dctn_idctn_against_scipy(norm):
    x = randn(3, 4, 5)
    for kw in (dict(), dict(axes=(0, 2)), dict(s=(3, 6)), dict(axes=(1,)),
               dict(axes=(2, 0, 1))):
        np.testing.assert_allclose(gfft.dctn(x, norm=norm, **kw),
                                   scipy.fft.dctn(x, norm=norm, **kw), rtol=1e-4, atol=1e-4)
        np.testing.assert_allclose(gfft.idctn(x, norm=norm, **kw),
                                   scipy.fft.idctn(x, norm=norm, **kw), rtol=1e-4, atol=1e-5)


def test_dct_complex_grads_and_errors():
    c = randn(6, dtype=np.complex64)
    np.testing.assert_allclose(gfft.dct(c), scipy.fft.dct(c), rtol=1e-4, atol=1e-4)
    assert gfft.dct(np.arange(4, dtype=np.int32)).dtype == np.float32
    with gb.enable_x64(True):
        check_grads(lambda a: gfft.dctn(a, norm="ortho"), (randn(3, 4, dtype=np.float64),), 2)
        check_grads(lambda a: gfft.idct(a), (randn(5, dtype=np.float64),), 2)
    with pytest.raises(NotImplementedError, match="Only DCT type 2"):
        gfft.dct(randn(4), type=3)
    with pytest.raises(ValueError, match="is not implemented"):
        gfft.dct(randn(4), norm="forward")
    x = randn(3, 8)
    out = gb.vmap(gfft.dct)(x)
    np.testing.assert_allclose(out, np.stack([np.asarray(gfft.dct(r)) for r in x]), rtol=1e-6)
    np.testing.assert_allclose(gb.jit(gfft.dctn)(x), gfft.dctn(x), rtol=1e-6, atol=1e-6)
