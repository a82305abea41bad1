"""``glassbox.image``: ``resize`` and ``scale_and_translate`` against values recorded from
JAX 0.10.2 (``tests/image_golden.json``, made by ``tests/make_image_golden.py``), plus
properties that need no reference: antialiasing averages, identity resizes, gradients,
``vmap`` against a loop and ``jit`` against eager."""
import json
import pathlib

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox.image import ResizeMethod, resize, scale_and_translate
from glassbox.test_util import check_grads

GOLDEN = json.loads(pathlib.Path(__file__).with_name("image_golden.json").read_text())["values"]
METHODS = ["nearest", "linear", "cubic", "lanczos3", "lanczos5", "cubic-pytorch", "area"]
SHAPES = [(9, 4, 2), (3, 11, 2), (5, 7, 2)]


def image():
    return np.random.default_rng(0).standard_normal((5, 7, 2)).astype(np.float32)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("method", METHODS)
def test_resize_matches_jax(method, antialias, shape):
    out = resize(image(), shape, method, antialias=antialias)
    want = np.array(GOLDEN[f"{method}-{antialias}-{shape}"], np.float32)
    assert out.shape == want.shape and out.dtype == np.float32
    # nearest is a gather: exact; the others differ from JAX by the order of the
    # einsum's float32 contractions at most
    np.testing.assert_allclose(out, want, rtol=1e-6 if method != "nearest" else 0,
                               atol=1e-6 if method != "nearest" else 0)


@pytest.mark.parametrize("antialias", [True, False])
@pytest.mark.parametrize("method", ["linear", "cubic", "lanczos3"])
def test_scale_and_translate_matches_jax(method, antialias):
    out = scale_and_translate(image(), (6, 6, 2), (0, 1), jnp.array([1.3, 0.4]),
                              jnp.array([0.5, -1.0]), method, antialias=antialias)
    want = np.array(GOLDEN[f"st-{method}-{antialias}"], np.float32)
    np.testing.assert_allclose(out, want, rtol=1e-6, atol=1e-6)


def test_antialias_averages_when_downsampling():
    # a checkerboard shrunk 4x: antialiased linear resampling averages it to ~0.5, while
    # without antialiasing the triangle kernel only sees the two nearest pixels
    board = (np.indices((16, 16)).sum(0) % 2).astype(np.float32)
    smooth = np.asarray(resize(board, (4, 4), "linear", antialias=True))
    np.testing.assert_allclose(smooth, 0.5, atol=0.07)
    sharp = np.asarray(resize(board, (4, 4), "linear", antialias=False))
    np.testing.assert_allclose(sharp, 0.5, atol=1e-6)   # pixel centres fall between two
    lanczos = np.asarray(resize(board, (4, 4), "lanczos3", antialias=True))
    assert np.abs(lanczos - 0.5).max() < 0.1


def test_upsampling_constant_and_identity():
    ones = np.ones((3, 4), np.float32)
    for method in METHODS:
        np.testing.assert_allclose(resize(ones, (7, 9), method), 1.0, rtol=1e-6)
    x = image()
    np.testing.assert_array_equal(resize(x, x.shape, "linear"), x)


def test_linear_upsampling_against_numpy_interp():
    x = np.array([0., 1., 4., 9.], np.float32)
    out = resize(x, (8,), "linear")
    centres = (np.arange(8) + 0.5) / 2 - 0.5
    np.testing.assert_allclose(out, np.interp(centres, np.arange(4), x), rtol=1e-6)


def test_resize_method_names_and_errors():
    assert ResizeMethod.from_string("bilinear") is ResizeMethod.LINEAR
    assert ResizeMethod.from_string("tricubic") is ResizeMethod.CUBIC
    with pytest.raises(ValueError, match="Unknown resize method"):
        resize(image(), (3, 3, 2), "bogus")
    with pytest.raises(ValueError, match="shape must have length"):
        resize(image(), (3, 3), "linear")
    with pytest.raises(ValueError, match="Nearest neighbor"):
        scale_and_translate(image(), (3, 3, 2), (0, 1), jnp.ones(2), jnp.zeros(2), "nearest")
    np.testing.assert_array_equal(resize(image(), (3, 11, 2), ResizeMethod.LINEAR),
                                  resize(image(), (3, 11, 2), "linear"))


def test_int_image_becomes_float():
    out = resize(np.arange(12, dtype=np.int32).reshape(3, 4), (6, 8), "linear")
    assert out.dtype == np.float32


def test_grads_vmap_jit():
    x = image()[..., 0].astype(np.float64)
    with gb.enable_x64(True):
        check_grads(lambda a: resize(a, (3, 9), "cubic"), (x,), order=2)
        # in scale and translation: lanczos3 is smooth there (with the triangle or cubic
        # kernels finite differences straddle kinks, for JAX too)
        check_grads(lambda s, t: scale_and_translate(x, (4, 6), (0, 1), s, t, "lanczos3"),
                    (np.array([0.8, 1.1]), np.array([0.3, -0.2])), order=1)
    batch = np.stack([image(), image() * 2, -image()])
    f = lambda a: resize(a, (3, 11, 2), "lanczos3")  # noqa: E731
    out = gb.vmap(f)(batch)
    np.testing.assert_allclose(out, np.stack([np.asarray(f(b)) for b in batch]), rtol=1e-6,
                               atol=1e-6)
    np.testing.assert_allclose(gb.jit(f)(batch[0]), f(batch[0]), rtol=1e-6, atol=1e-6)
