"""Convolutions: values against a direct NumPy reference, conv_transpose/patches/local and a
small CNN's gradient against real JAX (tests/conv_golden.json, written by
tests/make_conv_golden.py), gradients against finite differences, vmap against a loop, jit
against eager, and JAX's errors."""
import json
import pathlib

import numpy as np
import pytest

import glassbox as gb
import glassbox.numpy as jnp
from glassbox import lax
from glassbox.test_util import check_grads
from tests.make_conv_golden import PATCH_CASES, TRANSPOSE_CASES, conv_inputs

GOLDEN = json.loads(pathlib.Path(__file__).with_name("conv_golden.json").read_text())


# --- a direct NumPy reference -----------------------------------------------------------

def _dilate(x, dil, axes):
    for ax, d in zip(axes, dil):
        if d > 1 and x.shape[ax] > 0:
            shape = list(x.shape)
            shape[ax] = (x.shape[ax] - 1) * d + 1
            out = np.zeros(shape, x.dtype)
            idx = [slice(None)] * x.ndim
            idx[ax] = slice(None, None, d)
            out[tuple(idx)] = x
            x = out
    return x


def _pad(x, pads):
    """Zero padding in the spatial dims (negative pads crop)."""
    lo = [max(p, 0) for p, _ in pads]
    hi = [max(p, 0) for _, p in pads]
    x = np.pad(x, [(0, 0), (0, 0)] + list(zip(lo, hi)))
    idx = [slice(None), slice(None)] + [slice(-min(a, 0), x.shape[i + 2] + min(b, 0))
                                        for i, (a, b) in enumerate(pads)]
    return x[tuple(idx)]


def conv_reference(lhs, rhs, strides, pads, lhs_dil=None, rhs_dil=None, fgc=1, bgc=1):
    """Canonical layout (lhs NC..., rhs OI..., out NC...), by explicit window sums."""
    ns = lhs.ndim - 2
    lhs_dil, rhs_dil = lhs_dil or (1,) * ns, rhs_dil or (1,) * ns
    x = _pad(_dilate(lhs, lhs_dil, range(2, lhs.ndim)), pads)
    k = _dilate(rhs, rhs_dil, range(2, rhs.ndim))
    n, c = x.shape[:2]
    o = k.shape[0]
    out_sp = [max(0, (x.shape[i + 2] - k.shape[i + 2]) // strides[i] + 1) for i in range(ns)]
    out = np.zeros((n // bgc, o) + tuple(out_sp), np.result_type(lhs, rhs))
    cg, og_f, og_b, nb = c // fgc, o // fgc, o // bgc, n // bgc
    for b in range(n // bgc):
        for oc in range(o):
            g = oc // og_f
            chans = slice(g * cg, (g + 1) * cg)
            src = b + (oc // og_b) * nb if bgc > 1 else b
            for pos in np.ndindex(*out_sp):
                win = tuple(slice(p * s, p * s + kk)
                            for p, s, kk in zip(pos, strides, k.shape[2:]))
                patch = x[(src, chans) + win]
                out[(b, oc) + pos] = np.sum(patch * k[oc])
    return out


def _rand(seed, *shapes, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


CASES = [   # lhs NCHW, rhs OIHW, strides, padding, lhs_dil, rhs_dil, fgc, bgc
    ((2, 3, 6, 5), (4, 3, 3, 2), (1, 1), ((0, 0), (0, 0)), None, None, 1, 1),
    ((1, 2, 7, 6), (3, 2, 2, 3), (2, 3), ((1, 2), (0, 1)), None, None, 1, 1),
    ((2, 2, 5, 5), (2, 2, 2, 2), (1, 1), ((2, 1), (1, 1)), (2, 1), (1, 2), 1, 1),
    ((1, 4, 6, 6), (6, 2, 3, 3), (1, 2), ((1, 1), (1, 1)), None, (2, 1), 2, 1),
    ((4, 3, 5, 4), (6, 3, 2, 2), (1, 1), ((0, 1), (1, 0)), None, None, 1, 2),
    ((2, 4, 5, 5), (4, 1, 3, 3), (1, 1), ((1, 1), (0, 0)), None, None, 4, 1),     # depthwise
    ((2, 2, 6, 5), (3, 2, 3, 2), (1, 1), ((-1, 1), (0, -1)), None, None, 1, 1),   # cropping
    ((2, 3, 7), (2, 3, 3), (2,), ((1, 1),), (1,), (2,), 1, 1),                      # 1-d
]


@pytest.mark.parametrize("case", CASES)
def test_conv_matches_numpy_reference(case):
    ls, rs, st, pads, ld, rd, fgc, bgc = case
    x, w = _rand(0, ls, rs)
    out = lax.conv_general_dilated(x, w, st, pads, ld, rd, feature_group_count=fgc,
                                   batch_group_count=bgc)
    np.testing.assert_allclose(np.asarray(out), conv_reference(x, w, st, pads, ld, rd,
                                                               fgc, bgc),
                               rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("padding", ["SAME", "VALID", "SAME_LOWER"])
def test_string_padding_and_layouts(padding):
    x, w = _rand(1, (2, 3, 7, 6), (4, 3, 3, 2))
    pads = lax.padtype_to_pads((7, 6), (3, 2), (2, 2), padding)
    ref = conv_reference(x, w, (2, 2), pads)
    out = lax.conv(x, w, (2, 2), padding)
    np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-5, atol=1e-5)
    # the same convolution in TensorFlow's layout
    out = lax.conv_general_dilated(x.transpose(0, 2, 3, 1), w.transpose(2, 3, 1, 0), (2, 2),
                                   padding, dimension_numbers=("NHWC", "HWIO", "NHWC"))
    np.testing.assert_allclose(np.asarray(out), ref.transpose(0, 2, 3, 1), rtol=1e-5,
                               atol=1e-5)
    if padding == "SAME":
        assert out.shape[1:3] == (4, 3)


def test_padtype_to_pads_and_shape_tuples():
    assert lax.padtype_to_pads((5, 6), (2, 3), (1, 2), "SAME") == [(0, 1), (0, 1)]
    assert lax.padtype_to_pads((5, 6), (2, 3), (1, 2), "SAME_LOWER") == [(1, 0), (1, 0)]
    assert lax.padtype_to_pads((5,), (2,), (1,), "VALID") == [(0, 0)]
    with pytest.raises(RuntimeError, match="Unrecognized padding type"):
        lax.padtype_to_pads((5,), (2,), (1,), "FULL")
    assert lax.conv_shape_tuple((2, 3, 7, 6), (4, 3, 3, 2), (2, 2), "SAME") == (2, 4, 4, 3)
    assert lax.conv_general_shape_tuple((2, 7, 6, 3), (3, 2, 3, 4), (1, 1), "VALID",
                                        ("NHWC", "HWIO", "NHWC")) == (2, 5, 5, 4)
    assert lax.conv_transpose_shape_tuple((1, 5, 4, 2), (3, 2, 2, 3), (2, 2), "SAME",
                                          ("NHWC", "HWIO", "NHWC")) == (1, 10, 8, 3)
    dn = lax.conv_dimension_numbers((1, 2, 3, 4), (1, 2, 3, 4), ("NHWC", "HWIO", "NCHW"))
    assert dn == lax.ConvDimensionNumbers((0, 3, 1, 2), (3, 2, 0, 1), (0, 1, 2, 3))
    assert lax.conv_general_permutations(("NCHW", "OIHW", "NCHW")) == \
        ((0, 1, 2, 3), (0, 1, 2, 3), (0, 1, 2, 3))


def test_complex_and_preferred_element_type():
    x, w = _rand(2, (1, 2, 4, 4), (3, 2, 2, 2))
    xi, wi = _rand(3, (1, 2, 4, 4), (3, 2, 2, 2))
    xc, wc = (x + 1j * xi).astype(np.complex64), (w + 1j * wi).astype(np.complex64)
    out = lax.conv(xc, wc, (1, 1), "VALID")
    assert out.dtype == np.complex64
    np.testing.assert_allclose(np.asarray(out), conv_reference(xc, wc, (1, 1),
                                                               ((0, 0), (0, 0))),
                               rtol=1e-5, atol=1e-5)
    xi8, wi8 = (np.arange(32).reshape(1, 2, 4, 4) % 5).astype(np.int8), \
        np.ones((3, 2, 2, 2), np.int8)
    out = lax.conv(xi8, wi8, (1, 1), "VALID", preferred_element_type=np.int32)
    assert out.dtype == np.int32
    np.testing.assert_array_equal(np.asarray(out), conv_reference(
        xi8.astype(np.int32), wi8.astype(np.int32), (1, 1), ((0, 0), (0, 0))))


# --- wrappers against real JAX -------------------------------------------------------

@pytest.mark.parametrize("i", range(len(TRANSPOSE_CASES)))
def test_conv_transpose_matches_jax(i):
    ls, rs, st, pad, dil, flip = TRANSPOSE_CASES[i]
    x, w = conv_inputs(i, ls, rs)
    out = lax.conv_transpose(x, w, st, pad, rhs_dilation=dil, transpose_kernel=flip)
    np.testing.assert_allclose(np.asarray(out), np.array(GOLDEN["conv_transpose"][i]),
                               rtol=1e-5, atol=1e-5)


def test_conv_transpose_with_transpose_kernel_is_the_gradient_of_conv():
    x, w = _rand(4, (1, 6, 6, 2), (3, 3, 2, 3))
    dn = ("NHWC", "HWIO", "NHWC")
    y = lax.conv_general_dilated(x, w, (2, 2), "SAME", dimension_numbers=dn)
    ct = _rand(5, y.shape)[0]
    _, vjp = gb.vjp(lambda x: lax.conv_general_dilated(x, w, (2, 2), "SAME",
                                                       dimension_numbers=dn), x)
    (gx,) = vjp(ct)
    out = lax.conv_transpose(ct, w, (2, 2), "SAME", dimension_numbers=dn,
                             transpose_kernel=True)
    np.testing.assert_allclose(np.asarray(out), np.asarray(gx), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("i", range(len(PATCH_CASES)))
def test_patches_and_local_match_jax(i):
    ls, fs, st, pad = PATCH_CASES[i]
    (x,) = conv_inputs(10 + i, ls)
    p = lax.conv_general_dilated_patches(x, fs, st, pad)
    np.testing.assert_allclose(np.asarray(p), np.array(GOLDEN["patches"][i]), rtol=1e-6)
    c = ls[1] * int(np.prod(fs))
    (w,) = conv_inputs(20 + i, p.shape[2:] + (c, 3))
    y = lax.conv_general_dilated_local(x, w, st, pad, fs,
                                       dimension_numbers=("NCHW", "HWIO", "NCHW"))
    np.testing.assert_allclose(np.asarray(y), np.array(GOLDEN["local"][i]), rtol=1e-5,
                               atol=1e-5)


def _cnn(x, w1, w2):
    h = lax.conv_general_dilated(x, w1, (1, 1), "SAME")
    h = jnp.maximum(h, 0.)
    h = lax.reduce_window(h, -jnp.inf, lax.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
    h = lax.conv_general_dilated(h, w2, (2, 1), ((1, 0), (0, 1)), rhs_dilation=(1, 2),
                                 feature_group_count=2)
    h = lax.reduce_window(h, 0., lax.add, (1, 1, 2, 2), (1, 1, 1, 1), "SAME")
    return jnp.sum(jnp.tanh(h) ** 2)


def test_cnn_gradient_matches_jax():
    args = conv_inputs(30, (2, 3, 8, 8), (4, 3, 3, 3), (6, 2, 2, 2))
    np.testing.assert_allclose(float(_cnn(*args)), GOLDEN["cnn_loss"], rtol=1e-5)
    grads = gb.grad(_cnn, (0, 1, 2))(*args)
    for g, ref in zip(grads, GOLDEN["cnn_grads"]):
        np.testing.assert_allclose(np.asarray(g), np.array(ref), rtol=1e-4, atol=1e-5)
    jit_grads = gb.jit(gb.grad(_cnn, (0, 1, 2)))(*args)
    for g, h in zip(grads, jit_grads):
        np.testing.assert_allclose(np.asarray(g), np.asarray(h), rtol=1e-4, atol=1e-5)


# --- gradients, vmap, jit ---------------------------------------------------------------

GRAD_CASES = [CASES[1], CASES[2], CASES[3], CASES[4], CASES[6]]


@pytest.mark.parametrize("case", GRAD_CASES)
def test_conv_grads_both_operands_order_2(case):
    ls, rs, st, pads, ld, rd, fgc, bgc = case
    x, w = _rand(6, ls, rs, dtype=np.float64)
    with gb.config.override(enable_x64=True):
        f = lambda x, w: lax.conv_general_dilated(  # noqa: E731
            x, w, st, pads, ld, rd, feature_group_count=fgc, batch_group_count=bgc)
        check_grads(f, (x, w), order=2, modes=("fwd", "rev"))


def _vmap_cases():
    for ci in (0, 3, 4):
        for axes in ((0, None), (None, 0), (0, 0), (2, 1)):
            for size in (3, 0):
                yield ci, axes, size


@pytest.mark.parametrize("ci, axes, size", list(_vmap_cases()))
def test_conv_vmap_matches_loop(ci, axes, size):
    ls, rs, st, pads, ld, rd, fgc, bgc = CASES[ci]

    def f(x, w):
        return lax.conv_general_dilated(x, w, st, pads, ld, rd, feature_group_count=fgc,
                                        batch_group_count=bgc)
    x, w = _rand(7, ls, rs)
    def batch(a, ax, fn):
        if ax is None:
            return a
        if not size:
            return np.zeros(a.shape[:ax] + (0,) + a.shape[ax:], a.dtype)
        return np.stack([fn(a, i) for i in range(size)], ax)
    xs = batch(x, axes[0], lambda a, i: a + i)
    ws = batch(w, axes[1], lambda a, i: a * (i + 1))
    out = gb.vmap(f, in_axes=axes)(xs, ws)
    take = lambda a, ax, i: a if ax is None else np.take(a, i, ax)  # noqa: E731
    expected = [np.asarray(f(take(xs, axes[0], i), take(ws, axes[1], i)))
                for i in range(size)]
    ref_shape = np.asarray(f(x, w)).shape
    assert out.shape == (size,) + ref_shape
    if size:
        np.testing.assert_allclose(np.asarray(out), np.stack(expected), rtol=1e-5, atol=1e-5)


def test_conv_jit_matches_eager():
    ls, rs, st, pads, ld, rd, fgc, bgc = CASES[3]
    x, w = _rand(8, ls, rs)
    f = lambda x, w: lax.conv_general_dilated(  # noqa: E731
        x, w, st, pads, ld, rd, ("NCHW", "OIHW", "NHWC"), feature_group_count=fgc)
    np.testing.assert_allclose(np.asarray(gb.jit(f)(x, w)), np.asarray(f(x, w)), rtol=1e-6)
    assert "stablehlo.convolution" in gb.jit(f).lower(x, w).as_text()


# --- errors -------------------------------------------------------------------------

def test_errors_match_jax():
    x, w = _rand(9, (1, 4, 5, 5), (2, 3, 2, 2))
    with pytest.raises(ValueError, match="must equal the rhs input feature dimension"):
        lax.conv(x, w, (1, 1), "VALID")
    with pytest.raises(ValueError, match="feature_group_count must divide"):
        lax.conv_general_dilated(x, w, (1, 1), "VALID", feature_group_count=3)
    with pytest.raises(ValueError, match="At most one of batch_group_count"):
        lax.conv_general_dilated(np.ones((2, 4, 5, 5), np.float32),
                                 np.ones((2, 2, 2, 2), np.float32), (1, 1), "VALID",
                                 feature_group_count=2, batch_group_count=2)
    with pytest.raises(TypeError, match="same dtypes"):
        lax.conv(x, np.ones((2, 4, 2, 2), np.float16), (1, 1), "VALID")
    with pytest.raises(TypeError, match="must contain the characters 'N' and 'C'"):
        lax.conv_general_dilated(x, w, (1, 1), "VALID",
                                 dimension_numbers=("NHWX", "OIHW", "NCHW"))
    with pytest.raises(TypeError, match="lhs and rhs ndim to be equal"):
        lax.conv(x, np.ones((2, 4, 2), np.float32), (1, 1), "VALID")
    with pytest.raises(ValueError, match="String padding is not implemented"):
        lax.conv_general_dilated(x, np.ones((2, 4, 2, 2), np.float32), (1, 1), "SAME",
                                 lhs_dilation=(2, 2))
    with pytest.raises(ValueError, match="window_strides must have the same number"):
        lax.conv(x, np.ones((2, 4, 2, 2), np.float32), (1,), ((0, 0), (0, 0)))
