"""Convolutions: ``conv_general_dilated`` and its wrappers (``conv``, ``conv_transpose``,
``conv_with_general_padding``, ``conv_general_dilated_patches``/``_local``).

``conv_general_dilated`` is one primitive lowering to ``stablehlo.convolution``. Its
dimension numbers say which axis of each operand is the batch (``N``), the feature
(``C``; the kernel's ``O``/``I``) and the spatial axes; inside the rules everything is
phrased in the canonical order ``(N, C, spatial...)`` by the ``ConvDimensionNumbers``
permutations, as in JAX.

It is bilinear, so its jvp is ``conv(t_lhs, rhs) + conv(lhs, t_rhs)`` and it has a
transpose for each operand, both convolutions again (JAX's rules):

- for ``lhs``: the cotangent convolved with the spatially reversed kernel (its ``O``/``I``
  roles swapped), with ``lhs_dilation = window_strides`` (a "fractionally strided" conv);
- for ``rhs``: ``lhs`` convolved with the cotangent, where the batch axis plays the role
  of the feature axis and ``rhs_dilation = window_strides``.

Feature groups (depthwise convs) and batch groups trade places in the transposes. Under
``vmap`` the batch axis is folded into ``N`` (lhs batched), into ``O`` (rhs batched) or
into the feature groups (both batched), so one convolution serves the whole batch.

On CPU, complex convolutions lower as three real ones (Gauss's trick), as JAX does.
"""
import enum
import math
import operator
from typing import NamedTuple, Sequence, Union

import numpy as np

from .. import dtypes
from ..core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ..interpreters import ad, batching
from ..interpreters.lowering import i64_array, lowering_rules
from .dot import Precision, canonicalize_precision, dot_general
from .elementwise import convert_element_type
from .shape import full, reshape, rev, transpose

__all__ = [
    "ConvDimensionNumbers", "ConvGeneralDilatedDimensionNumbers", "conv_general_dilated",
    "conv_general_dilated_p", "conv", "conv_with_general_padding", "conv_transpose",
    "conv_dimension_numbers", "conv_general_permutations", "conv_shape_tuple",
    "conv_general_shape_tuple", "conv_transpose_shape_tuple", "padtype_to_pads",
    "conv_general_dilated_patches", "conv_general_dilated_local",
]


# ---------------------------------------------------------------------------
# Dimension numbers and padding


class ConvDimensionNumbers(NamedTuple):
    """Where batch, feature and spatial dimensions are, per operand.

    ``lhs_spec``: ``(batch dim, feature dim, spatial dims...)`` of the input;
    ``rhs_spec``: ``(out feature dim, in feature dim, spatial dims...)`` of the kernel;
    ``out_spec``: ``(batch dim, feature dim, spatial dims...)`` of the result.
    """

    lhs_spec: Sequence[int]
    rhs_spec: Sequence[int]
    out_spec: Sequence[int]


ConvGeneralDilatedDimensionNumbers = Union[tuple, ConvDimensionNumbers, None]


def conv_general_permutations(dimension_numbers):
    """``(lhs_perm, rhs_perm, out_perm)`` from three spec strings such as
    ``('NHWC', 'HWIO', 'NHWC')``: each lists the ``N``/``C`` (``O``/``I``) axis, then the
    spatial axes in the order they appear in the kernel spec."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    charpairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (a, b) in enumerate(charpairs):
        if not dimension_numbers[i].count(a) == dimension_numbers[i].count(b) == 1:
            raise TypeError(f"convolution dimension_numbers[{i}] must contain the characters "
                            f"'{a}' and '{b}' exactly once, got {dimension_numbers[i]}.")
        if len(dimension_numbers[i]) != len(set(dimension_numbers[i])):
            raise TypeError(f"convolution dimension_numbers[{i}] cannot have duplicate "
                            f"characters, got {dimension_numbers[i]}.")
    if not (set(lhs_spec) - set("NC") == set(rhs_spec) - set("OI") == set(out_spec) - set("NC")):
        raise TypeError("convolution dimension_numbers elements must each have the same set "
                        f"of spatial characters, got {dimension_numbers}.")

    def perm(spec, pair):
        spatial = [i for i, c in enumerate(spec) if c not in pair]
        if spec is not rhs_spec:
            spatial.sort(key=lambda i: rhs_spec.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(spatial)
    return tuple(perm(s, p) for s, p in zip(dimension_numbers, charpairs))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers):
    """``dimension_numbers`` (``None``, three spec strings, or a ``ConvDimensionNumbers``)
    as a ``ConvDimensionNumbers``. ``None`` means ``('NCHW', 'OIHW', 'NCHW')`` (for any
    number of spatial dims)."""
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if len(lhs_shape) != len(rhs_shape):
        raise TypeError(f"convolution requires lhs and rhs ndim to be equal, got "
                        f"{len(lhs_shape)} and {len(rhs_shape)}.")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if not isinstance(dimension_numbers, (list, tuple)):
        raise TypeError(f"convolution dimension_numbers must be tuple/list or None, got "
                        f"{type(dimension_numbers)}.")
    if len(dimension_numbers) != 3:
        raise TypeError(f"convolution dimension_numbers list/tuple must be length 3, got "
                        f"{len(dimension_numbers)}.")
    if not all(isinstance(s, str) for s in dimension_numbers):
        raise TypeError(f"convolution dimension_numbers elements must be strings, got "
                        f"{tuple(map(type, dimension_numbers))}.")
    for i, s in enumerate(dimension_numbers):
        if len(s) != len(lhs_shape):
            raise TypeError(f"convolution dimension_numbers[{i}] must have len equal to the "
                            f"ndim of lhs and rhs, got {len(s)} for lhs and rhs shapes "
                            f"{tuple(lhs_shape)} and {tuple(rhs_shape)}.")
    return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))


class PaddingType(enum.Enum):
    """The string paddings: ``VALID`` (none), ``SAME`` (output size ``ceil(in/stride)``,
    an odd total put at the end) and ``SAME_LOWER`` (the odd one at the start)."""

    VALID = 1
    SAME = 2
    SAME_LOWER = 3


def padtype_to_pads(in_shape, window_shape, window_strides, padding):
    """``[(low, high), ...]`` per spatial dim for ``'VALID'``, ``'SAME'``, ``'SAME_LOWER'``.

    Example: ``padtype_to_pads((5,), (2,), (1,), 'SAME')`` is ``[(0, 1)]``.
    """
    if isinstance(padding, str):
        try:
            padding = PaddingType[padding.upper()]
        except KeyError:
            raise RuntimeError(f"Unrecognized padding type: expected 'VALID', 'SAME', or "
                               f"'SAME_LOWER', got {padding}.") from None
    if padding is PaddingType.VALID:
        return [(0, 0)] * len(in_shape)
    if padding not in (PaddingType.SAME, PaddingType.SAME_LOWER):
        raise TypeError(f"Unknown padding type: {padding}.")
    pads = []
    for d, w, s in zip(in_shape, window_shape, window_strides):
        d, w, s = int(d), int(w), int(s)
        total = max((-(-d // s) - 1) * s + w - d, 0)
        small, big = total // 2, total - total // 2
        pads.append((small, big) if padding is PaddingType.SAME else (big, small))
    return pads


def _dilate_dim(d, r):
    return 0 if d == 0 else 1 + r * (d - 1)


def _dilate_shape(shape, dilation):
    return tuple(_dilate_dim(int(d), int(r)) for d, r in zip(shape, dilation))


def _stride_dim(d, window, stride):
    return max(0, (d - window) // stride + 1)


def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1):
    """Result shape of a conv whose operands are in canonical ``(N, C, spatial...)`` /
    ``(O, I, spatial...)`` order; ``pads`` is a string or ``(low, high)`` pairs."""
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != len(lhs_shape) - 2:
        raise TypeError(f"Wrong number of explicit pads for convolution: expected "
                        f"{len(lhs_shape) - 2}, got {len(pads)}.")
    padded = [int(d) + int(lo) + int(hi) for d, (lo, hi) in zip(lhs_shape[2:], pads)]
    if any(p < 0 for p in padded):
        raise ValueError(f"Negative padding is larger than the size of the corresponding "
                         f"dimension: got padding={pads} for lhs_shape[2:]={lhs_shape[2:]}")
    space = tuple(_stride_dim(p, int(k), int(s)) for p, k, s in zip(padded, rhs_shape[2:],
                                                                   strides))
    n = int(lhs_shape[0]) // batch_group_count if batch_group_count > 1 else int(lhs_shape[0])
    return (n, int(rhs_shape[0])) + space


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding,
                             dimension_numbers):
    """Result shape of ``conv_general_dilated`` (no dilation) for the given spec strings."""
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    out = conv_shape_tuple(np.take(lhs_shape, lhs_perm), np.take(rhs_shape, rhs_perm),
                           window_strides, padding)
    return tuple(int(d) for d in np.take(out, np.argsort(out_perm)))


def _conv_transpose_padding(k, s, padding):
    """``(before, after)`` padding of one spatial dim of ``conv_transpose``."""
    if padding == "SAME":
        pad_len = k + s - 2
        pad_a = k - 1 if s > k - 1 else int(np.ceil(pad_len / 2))
    elif padding == "VALID":
        pad_len = k + s - 2 + max(k - s, 0)
        pad_a = k - 1
    elif isinstance(padding, tuple):
        pads = tuple(k - p - 1 for p in padding)
        pad_a, pad_len = pads[0], sum(pads)
    else:
        raise ValueError(f"Invalid padding mode: {padding}")
    return pad_a, pad_len - pad_a


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding,
                               dimension_numbers):
    """Result shape of ``conv_transpose`` for the given spec strings."""
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    lhs_t, rhs_t = np.take(lhs_shape, lhs_perm), np.take(rhs_shape, rhs_perm)
    if isinstance(padding, str):
        padding = [_conv_transpose_padding(int(k), int(s), padding)
                   for k, s in zip(rhs_t[2:], window_strides)]
    space = [(int(i) - 1) * int(s) - int(k) + 2 + int(np.sum(p))
             for i, k, s, p in zip(lhs_t[2:], rhs_t[2:], window_strides, padding)]
    out = (int(lhs_t[0]), int(rhs_t[0])) + tuple(space)
    return tuple(int(d) for d in np.take(out, np.argsort(out_perm)))


# --- conv_general_dilated ----------------------------------------------------

def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None,
                         rhs_dilation=None, dimension_numbers=None, feature_group_count=1,
                         batch_group_count=1, precision=None, preferred_element_type=None):
    """General n-dimensional convolution with dilations. Lowers to ``stablehlo.convolution``.

    Args:
      lhs: the input, rank ``n + 2``.
      rhs: the kernel, rank ``n + 2``.
      window_strides: ``n`` ints.
      padding: ``'SAME'``, ``'SAME_LOWER'``, ``'VALID'`` or ``n`` ``(low, high)`` pairs.
      lhs_dilation: ``n`` ints (dilating the input: a transposed convolution), or None.
      rhs_dilation: ``n`` ints (dilating the kernel: an atrous convolution), or None.
      dimension_numbers: ``None`` (``('NCHW', 'OIHW', 'NCHW')``), three spec strings such
        as ``('NHWC', 'HWIO', 'NHWC')``, or a ``ConvDimensionNumbers``. Strides follow
        the order of the spatial characters in the kernel spec.
      feature_group_count: split the features into this many groups (depthwise: = C).
      batch_group_count: split the batch into this many groups (used by gradients).
      precision: a ``lax.Precision`` hint (CPU ignores it).
      preferred_element_type: the accumulation/result dtype.

    Example::

        x = jnp.ones((1, 1, 4, 4)); w = jnp.ones((1, 1, 2, 2))
        lax.conv_general_dilated(x, w, (1, 1), 'VALID')   # shape (1, 1, 3, 3), all 4.
    """
    lhs_aval, rhs_aval = get_aval(lhs), get_aval(rhs)
    dnums = conv_dimension_numbers(lhs_aval.shape, rhs_aval.shape, dimension_numbers)
    nspatial = lhs_aval.ndim - 2
    if lhs_dilation is None:
        lhs_dilation = (1,) * nspatial
    elif isinstance(padding, str) and any(d != 1 for d in lhs_dilation):
        raise ValueError("String padding is not implemented for transposed convolution "
                         "using this op. Please either exactly specify the required padding "
                         "or use conv_transpose.")
    if rhs_dilation is None:
        rhs_dilation = (1,) * (rhs_aval.ndim - 2)
    if isinstance(padding, str):
        k = np.take(rhs_aval.shape, dnums.rhs_spec)[2:]
        padding = padtype_to_pads(np.take(lhs_aval.shape, dnums.lhs_spec)[2:],
                                  _dilate_shape(k, rhs_dilation), window_strides, padding)
    try:
        padding = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    except (TypeError, ValueError):
        raise ValueError(f"padding argument to conv_general_dilated should be a string or a "
                         f"sequence of (low, high) pairs, got {padding}") from None
    pref = None if preferred_element_type is None else \
        dtypes.canonicalize_dtype(preferred_element_type)
    return conv_general_dilated_p.bind(
        lhs, rhs, window_strides=tuple(int(s) for s in window_strides), padding=padding,
        lhs_dilation=tuple(int(d) for d in lhs_dilation),
        rhs_dilation=tuple(int(d) for d in rhs_dilation),
        dimension_numbers=ConvDimensionNumbers(*(tuple(int(i) for i in s) for s in dnums)),
        feature_group_count=operator.index(feature_group_count),
        batch_group_count=operator.index(batch_group_count),
        precision=canonicalize_precision(precision), preferred_element_type=pref)


conv_general_dilated_p = Primitive("conv_general_dilated")


def _conv_general_dilated_shape(lhs, rhs, window_strides, padding, lhs_dilation,
                                rhs_dilation, dimension_numbers, feature_group_count,
                                batch_group_count):
    """JAX's shape rule: the group-count checks, then the canonical-order shape."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    if lhs.ndim != rhs.ndim:
        raise ValueError(f"conv_general_dilated lhs and rhs must have the same number of "
                         f"dimensions, but got {lhs.shape} and {rhs.shape}.")
    if not feature_group_count > 0:
        raise ValueError(f"conv_general_dilated feature_group_count must be a positive "
                         f"integer, got {feature_group_count}.")
    lhs_features = lhs.shape[lhs_spec[1]]
    quot, rem = divmod(lhs_features, feature_group_count)
    if rem:
        raise ValueError(f"conv_general_dilated feature_group_count must divide lhs feature "
                         f"dimension size, but {feature_group_count} does not divide "
                         f"{lhs_features}.")
    if quot != rhs.shape[rhs_spec[1]]:
        raise ValueError(f"conv_general_dilated lhs feature dimension size divided by "
                         f"feature_group_count must equal the rhs input feature dimension "
                         f"size, but {lhs_features} // {feature_group_count} != "
                         f"{rhs.shape[rhs_spec[1]]}.")
    out_features = rhs.shape[rhs_spec[0]]
    if out_features % feature_group_count:
        raise ValueError(f"conv_general_dilated rhs output feature dimension size must be a "
                         f"multiple of feature_group_count, but {out_features} is not a "
                         f"multiple of {feature_group_count}.")
    if not batch_group_count > 0:
        raise ValueError(f"conv_general_dilated batch_group_count must be a positive "
                         f"integer, got {batch_group_count}.")
    batch = lhs.shape[lhs_spec[0]]
    if batch_group_count > 1 and batch % batch_group_count:
        raise ValueError(f"conv_general_dilated batch_group_count must divide lhs batch "
                         f"dimension size, but {batch_group_count} does not divide {batch}.")
    if out_features % batch_group_count:
        raise ValueError(f"conv_general_dilated rhs output feature dimension size must be a "
                         f"multiple of batch_group_count, but {out_features} is not a "
                         f"multiple of {batch_group_count}.")
    if batch_group_count > 1 and feature_group_count > 1:
        raise ValueError(f"At most one of batch_group_count and feature_group_count may be "
                         f"> 1, got batch_group_count={batch_group_count} and "
                         f"feature_group_count={feature_group_count}")
    nspatial = len(rhs_spec) - 2
    if nspatial != len(window_strides):
        raise ValueError(f"conv_general_dilated window and window_strides must have the same "
                         f"number of dimensions, but got {nspatial} and {len(window_strides)}")
    for name, v in (("lhs_dilation", lhs_dilation), ("rhs_dilation", rhs_dilation),
                    ("padding", padding)):
        if len(v) != nspatial:
            raise ValueError(f"conv_general_dilated {name} must have one entry per spatial "
                             f"dimension ({nspatial}), got {v}")
    for name, v in (("window_strides", window_strides), ("lhs_dilation", lhs_dilation),
                    ("rhs_dilation", rhs_dilation)):
        if any(d <= 0 for d in v):
            raise ValueError(f"conv_general_dilated {name} must be positive, got {v}")
    lhs_t = _dilate_shape(np.take(lhs.shape, lhs_spec), (1, 1) + tuple(lhs_dilation))
    rhs_t = _dilate_shape(np.take(rhs.shape, rhs_spec), (1, 1) + tuple(rhs_dilation))
    out_t = conv_shape_tuple(lhs_t, rhs_t, window_strides, padding, batch_group_count)
    return tuple(int(d) for d in np.take(out_t, np.argsort(out_spec)))


def _conv_result_dtype(lhs, rhs, preferred_element_type):
    if lhs.dtype != rhs.dtype:
        raise TypeError(f"conv_general_dilated requires arguments to have the same dtypes, "
                        f"got {lhs.dtype.name}, {rhs.dtype.name}.")
    dtype = lhs.dtype
    pref = preferred_element_type
    if pref is None or pref == dtype:
        return dtype
    pref = np.dtype(pref)
    if dtypes.is_int(dtype) and dtypes.is_float(pref):
        return pref
    kind = lambda d: ("b" if d == np.bool_ else "i" if dtypes.is_int(d) else  # noqa: E731
                      "c" if dtypes.is_complex(d) else "f")
    if kind(dtype) != kind(pref) or (kind(dtype) == "i" and
                                     dtypes.is_unsigned(dtype) != dtypes.is_unsigned(pref)):
        raise TypeError(f"Input type is incompatible with `preferred_element_type`. The "
                        f"compatible combinations of (input_type, preferred_element_type) "
                        f"are (integral, integral), (integral, floating), (floating, "
                        f"floating), (complex, complex). Got ({dtype.name}, {pref.name}).")
    if pref.itemsize < dtype.itemsize:
        raise TypeError("`preferred_element_type` must not be narrower than the original "
                        f"type, got preferred_element_type of {pref.name} for result type "
                        f"of {dtype.name}.")
    return pref


def _conv_general_dilated_abstract_eval(lhs, rhs, *, window_strides, padding, lhs_dilation,
                                        rhs_dilation, dimension_numbers, feature_group_count,
                                        batch_group_count, precision, preferred_element_type):
    shape = _conv_general_dilated_shape(lhs, rhs, window_strides, padding, lhs_dilation,
                                        rhs_dilation, dimension_numbers, feature_group_count,
                                        batch_group_count)
    dtype = _conv_result_dtype(lhs, rhs, preferred_element_type)
    return ShapedArray(shape, dtype, lhs.weak_type and rhs.weak_type)


def _conv_attrs(window_strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
                feature_group_count, batch_group_count, precision):
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    nspatial = len(lhs_spec) - 2

    def layout(spec, first, second):
        names = {spec[0]: first, spec[1]: second}
        names.update({d: str(i) for i, d in enumerate(spec[2:])})
        return "[" + ", ".join(names[i] for i in range(len(spec))) + "]"
    dnums = (f"#stablehlo.conv<{layout(lhs_spec, 'b', 'f')}x{layout(rhs_spec, 'o', 'i')}"
             f"->{layout(out_spec, 'b', 'f')}>")
    pads = ", ".join(f"[{lo}, {hi}]" for lo, hi in padding)
    prec = precision or (Precision.DEFAULT, Precision.DEFAULT)
    return {
        "batch_group_count": f"{batch_group_count} : i64",
        "dimension_numbers": dnums,
        "feature_group_count": f"{feature_group_count} : i64",
        "lhs_dilation": i64_array(lhs_dilation),
        "padding": f"dense<[{pads}]> : tensor<{nspatial}x2xi64>" if nspatial
                   else "dense<> : tensor<0x2xi64>",
        "precision_config": "[" + ", ".join(f"#stablehlo<precision {p.name}>" for p in prec)
                            + "]",
        "rhs_dilation": i64_array(rhs_dilation),
        "window_reversal": "array<i1" + (": " + ", ".join(["false"] * nspatial)
                                         if nspatial else "") + ">",
        "window_strides": i64_array(window_strides),
    }


def _conv_general_dilated_lowering(ctx, lhs, rhs, *, preferred_element_type, **params):
    (lhs_aval, rhs_aval), (aval_out,) = ctx.avals_in, ctx.avals_out
    attrs = _conv_attrs(**params)
    if not dtypes.is_complex(lhs_aval.dtype):
        return ctx.op("stablehlo.convolution", [lhs, rhs], aval_out, attrs=attrs)
    # XLA's CPU backend has no complex convolution: three real ones (JAX's _complex_mul).
    real = lambda a: a.update(dtype=np.real(np.zeros((), a.dtype)).dtype)  # noqa: E731
    lr, rr, outr = real(lhs_aval), real(rhs_aval), real(aval_out)
    part = lambda op, x, a: ctx.op(op, [x], a)  # noqa: E731
    xr, xi = part("stablehlo.real", lhs, lr), part("stablehlo.imag", lhs, lr)
    yr, yi = part("stablehlo.real", rhs, rr), part("stablehlo.imag", rhs, rr)
    conv = lambda a, b: ctx.op("stablehlo.convolution", [a, b], outr, attrs=attrs)  # noqa
    k1 = conv(ctx.op("stablehlo.add", [xr, xi], lr), yr)
    k2 = conv(xr, ctx.op("stablehlo.subtract", [yi, yr], rr))
    k3 = conv(xi, ctx.op("stablehlo.add", [yr, yi], rr))
    return ctx.op("stablehlo.complex", [ctx.op("stablehlo.subtract", [k1, k3], outr),
                                        ctx.op("stablehlo.add", [k1, k2], outr)], aval_out)


abstract_eval_rules[conv_general_dilated_p] = _conv_general_dilated_abstract_eval
lowering_rules[conv_general_dilated_p] = _conv_general_dilated_lowering


def _reshape_axis_into(src, dst, x):
    """Merge axis ``src`` of ``x`` into axis ``dst`` (as the major part of it)."""
    shape = get_aval(x).shape
    perm = [i for i in range(len(shape)) if i != src]
    perm.insert(dst, src)
    new_shape = [d for i, d in enumerate(shape) if i != src]
    new_shape[dst] *= shape[src]
    return reshape(transpose(x, perm), tuple(new_shape))


def _reshape_axis_out_of(src, size1, x):
    """Split axis ``src`` of ``x`` into ``(size1, rest)``."""
    shape = list(get_aval(x).shape)
    shape[src:src + 1] = [size1, shape[src] // size1]
    return reshape(x, tuple(shape))


def _swap_spec(spec):
    return (spec[1], spec[0]) + tuple(spec[2:])


def conv_vjp_lhs_padding(in_shape, window_dimensions, window_strides, out_shape, padding,
                          lhs_dilation, rhs_dilation):
    """Padding of the lhs-transpose conv (also reduce_window_sum's transpose)."""
    lhs_d = _dilate_shape(in_shape, lhs_dilation)
    rhs_d = _dilate_shape(window_dimensions, rhs_dilation)
    out_d = _dilate_shape(out_shape, window_strides)
    before = [r - lo - 1 for r, (lo, _) in zip(rhs_d, padding)]
    after = [ld + r - 1 - od - b for ld, r, od, b in zip(lhs_d, rhs_d, out_d, before)]
    return tuple(zip(before, after))


def _conv_vjp_rhs_padding(in_shape, window_dimensions, window_strides, out_shape, padding,
                          lhs_dilation, rhs_dilation):
    if not len(in_shape):
        return ()
    lhs_d = _dilate_shape(in_shape, lhs_dilation)
    rhs_d = _dilate_shape(window_dimensions, rhs_dilation)
    out_d = _dilate_shape(out_shape, window_strides)
    los = [lo for lo, _ in padding]
    his = [od - ld + r - lo - 1 for od, ld, r, lo in zip(out_d, lhs_d, rhs_d, los)]
    return tuple(zip(los, his))


def _conv_transpose_lhs(g, lhs_aval, rhs, *, window_strides, padding, lhs_dilation,
                        rhs_dilation, dimension_numbers, feature_group_count,
                        batch_group_count, precision, preferred_element_type):
    """Cotangent of ``lhs``: ``g`` convolved with the reversed kernel, strides as dilation."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    rhs_shape = get_aval(rhs).shape
    if feature_group_count > 1:
        rhs = _reshape_axis_out_of(rhs_spec[0], feature_group_count, rhs)
        rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[1], rhs)
    elif batch_group_count > 1:
        rhs = _reshape_axis_out_of(rhs_spec[0], batch_group_count, rhs)
        rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[1], rhs)
        feature_group_count = batch_group_count
    trans_dnums = ConvDimensionNumbers(out_spec, _swap_spec(rhs_spec), lhs_spec)
    g_shape = get_aval(g).shape
    pads = conv_vjp_lhs_padding(np.take(lhs_aval.shape, lhs_spec[2:]),
                                 np.take(rhs_shape, rhs_spec[2:]), window_strides,
                                 np.take(g_shape, out_spec[2:]), padding, lhs_dilation,
                                 rhs_dilation)
    kernel = rev(rhs, tuple(rhs_spec[2:]))
    if get_aval(kernel).dtype != get_aval(g).dtype:
        kernel = convert_element_type(kernel, get_aval(g).dtype)
    out = conv_general_dilated(g, kernel, window_strides=lhs_dilation, padding=pads,
                               lhs_dilation=window_strides, rhs_dilation=rhs_dilation,
                               dimension_numbers=trans_dnums,
                               feature_group_count=feature_group_count, batch_group_count=1,
                               precision=precision,
                               preferred_element_type=preferred_element_type)
    if get_aval(out).dtype != lhs_aval.dtype:
        out = convert_element_type(out, lhs_aval.dtype)
    if batch_group_count > 1:
        out = _reshape_axis_out_of(lhs_spec[1], batch_group_count, out)
        out = _reshape_axis_into(lhs_spec[1], lhs_spec[0], out)
    return out


def _conv_transpose_rhs(g, lhs, rhs_aval, *, window_strides, padding, lhs_dilation,
                        rhs_dilation, dimension_numbers, feature_group_count,
                        batch_group_count, precision, preferred_element_type):
    """Cotangent of ``rhs``: ``lhs`` convolved with ``g`` (batch as the contracted axis)."""
    if get_aval(g).size == 0:
        return ad.Zero(rhs_aval)
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    if batch_group_count > 1:
        feature_group_count, batch_group_count = batch_group_count, 1
    elif feature_group_count > 1:
        feature_group_count, batch_group_count = 1, feature_group_count
    trans_dnums = ConvDimensionNumbers(_swap_spec(lhs_spec), _swap_spec(out_spec),
                                       _swap_spec(rhs_spec))
    g_aval = get_aval(g)
    pads = _conv_vjp_rhs_padding(np.take(get_aval(lhs).shape, lhs_spec[2:]),
                                 np.take(rhs_aval.shape, rhs_spec[2:]), window_strides,
                                 np.take(g_aval.shape, out_spec[2:]), padding, lhs_dilation,
                                 rhs_dilation)
    if get_aval(lhs).dtype != g_aval.dtype:
        lhs = convert_element_type(lhs, g_aval.dtype)
    out = conv_general_dilated(lhs, g, window_strides=rhs_dilation, padding=pads,
                               lhs_dilation=lhs_dilation, rhs_dilation=window_strides,
                               dimension_numbers=trans_dnums,
                               feature_group_count=feature_group_count,
                               batch_group_count=batch_group_count, precision=precision,
                               preferred_element_type=preferred_element_type)
    if get_aval(out).dtype != rhs_aval.dtype:
        out = convert_element_type(out, rhs_aval.dtype)
    return out


def _conv_general_dilated_transpose(ct, lhs, rhs, **params):
    if ad.is_undefined(lhs) and ad.is_undefined(rhs):
        raise NotImplementedError("conv_general_dilated: transposing with respect to both "
                                  "operands (the function is not linear)")
    if ad.is_undefined(lhs):
        if ad.is_zero(ct):
            return [ad.Zero(lhs.aval), None]
        return [_conv_transpose_lhs(ct, lhs.aval, rhs, **params), None]
    if ad.is_zero(ct):
        return [None, ad.Zero(rhs.aval)]
    return [None, _conv_transpose_rhs(ct, lhs, rhs.aval, **params)]


def _conv_general_dilated_batch(axis_data, args, dims, *, window_strides, padding,
                                lhs_dilation, rhs_dilation, dimension_numbers,
                                feature_group_count, batch_group_count, precision,
                                preferred_element_type):
    """Fold the vmap axis into N (lhs batched), O (rhs batched) or the feature groups."""
    lhs, rhs = args
    lhs_bdim, rhs_bdim = dims
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    size = axis_data.size
    geometry = dict(lhs_dilation=lhs_dilation, rhs_dilation=rhs_dilation,
                    dimension_numbers=dimension_numbers, precision=precision,
                    preferred_element_type=preferred_element_type)
    if size == 0:
        lhs_a, rhs_a = get_aval(lhs), get_aval(rhs)
        unbatched = lambda a, d: ShapedArray(  # noqa: E731
            a.shape if d is None else a.shape[:d] + a.shape[d + 1:], a.dtype)
        out = _conv_general_dilated_abstract_eval(
            unbatched(lhs_a, lhs_bdim), unbatched(rhs_a, rhs_bdim),
            window_strides=window_strides, padding=padding,
            feature_group_count=feature_group_count, batch_group_count=batch_group_count,
            **geometry)
        return full((0,) + out.shape, 0, out.dtype), 0

    def conv(x, y, fgc, bgc):
        return conv_general_dilated(x, y, window_strides, padding,
                                    feature_group_count=fgc, batch_group_count=bgc,
                                    **geometry)
    if lhs_bdim is not None and rhs_bdim is not None:
        if batch_group_count > 1:
            new_lhs = _reshape_axis_into(lhs_bdim, lhs_spec[0], lhs)
            batch_group_count *= size
        else:
            new_lhs = _reshape_axis_into(lhs_bdim, lhs_spec[1], lhs)
            feature_group_count *= size
        new_rhs = _reshape_axis_into(rhs_bdim, rhs_spec[0], rhs)
        out = conv(new_lhs, new_rhs, feature_group_count, batch_group_count)
        return _reshape_axis_out_of(out_spec[1], size, out), out_spec[1]
    if lhs_bdim is not None:
        if batch_group_count == 1:
            new_lhs = _reshape_axis_into(lhs_bdim, lhs_spec[0], lhs)
        else:   # keep the batch groups outermost: (groups, vmap, n/groups) -> N
            new_lhs = _reshape_axis_out_of(lhs_spec[0] + int(lhs_bdim <= lhs_spec[0]),
                                           batch_group_count, lhs)
            new_lhs = _reshape_axis_into(lhs_bdim + int(lhs_spec[0] < lhs_bdim),
                                         lhs_spec[0] + 1, new_lhs)
            new_lhs = _reshape_axis_into(lhs_spec[0], lhs_spec[0], new_lhs)
        out = conv(new_lhs, rhs, feature_group_count, batch_group_count)
        return _reshape_axis_out_of(out_spec[0], size, out), out_spec[0]
    if feature_group_count == 1 and batch_group_count == 1:
        new_rhs = _reshape_axis_into(rhs_bdim, rhs_spec[0], rhs)
        out = conv(lhs, new_rhs, 1, 1)
        return _reshape_axis_out_of(out_spec[1], size, out), out_spec[1]
    groups = feature_group_count if feature_group_count > 1 else batch_group_count
    new_rhs = _reshape_axis_out_of(rhs_spec[0] + int(rhs_bdim <= rhs_spec[0]), groups, rhs)
    new_rhs = _reshape_axis_into(rhs_bdim + int(rhs_spec[0] < rhs_bdim), rhs_spec[0] + 1,
                                 new_rhs)
    new_rhs = _reshape_axis_into(rhs_spec[0], rhs_spec[0], new_rhs)
    out = conv(lhs, new_rhs, feature_group_count, batch_group_count)
    out = _reshape_axis_out_of(out_spec[1], groups, out)
    out = _reshape_axis_out_of(out_spec[1] + 1, size, out)
    return _reshape_axis_into(out_spec[1], out_spec[1] + 1, out), out_spec[1]


ad.defjvp(conv_general_dilated_p,
          lambda t, x, y, **params: conv_general_dilated_p.bind(t, y, **params),
          lambda t, x, y, **params: conv_general_dilated_p.bind(x, t, **params))
ad.transpose_rules[conv_general_dilated_p] = _conv_general_dilated_transpose
batching.batch_rules[conv_general_dilated_p] = _conv_general_dilated_batch


# ---------------------------------------------------------------------------
# Wrappers


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """``conv_general_dilated`` in NCHW/OIHW layout without dilation (``'SAME'``/``'VALID'``
    or explicit padding)."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation, rhs_dilation,
                              precision=None, preferred_element_type=None):
    """``conv_general_dilated`` in NCHW/OIHW layout with explicit dilations."""
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel=False, precision=None, preferred_element_type=None,
                   use_consistent_padding=False):
    """A fractionally strided convolution (``Conv2DTranspose``): ``lhs`` dilated by
    ``strides`` and convolved with ``rhs``.

    ``dimension_numbers`` default to TensorFlow's (``NHWC``, ``HWIO``). ``'SAME'`` and
    ``'VALID'`` name the padding of the forward convolution this one transposes; explicit
    pairs are the transposed conv's own padding, unless ``use_consistent_padding`` (then
    they too are the forward conv's, as in PyTorch). ``transpose_kernel=True`` flips the
    kernel's spatial axes and swaps ``I``/``O``: the gradient of ``conv`` (Keras' behaviour).
    """
    la, ra = get_aval(lhs), get_aval(rhs)
    if la.ndim != ra.ndim or la.ndim < 2:
        raise ValueError(f"conv_transpose requires lhs and rhs of equal rank >= 2, got "
                         f"shapes {la.shape} and {ra.shape}")
    ndims = la.ndim
    if dimension_numbers is None:
        defaults = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"),
                    4: ("NHWC", "HWIO", "NHWC"), 5: ("NHWDC", "HWDIO", "NHWDC")}
        if ndims not in defaults:
            raise ValueError("No 4+ dimensional dimension_number defaults.")
        dimension_numbers = defaults[ndims]
    dn = conv_dimension_numbers(la.shape, ra.shape, dimension_numbers)
    k_sdims = np.take(ra.shape, dn.rhs_spec)[2:]
    if rhs_dilation is None:
        rhs_dilation = (1,) * (ndims - 2)
    if use_consistent_padding or (isinstance(padding, str) and padding in ("SAME", "VALID")):
        eff = [_dilate_dim(int(k), int(r)) for k, r in zip(k_sdims, rhs_dilation)]
        per_dim = [padding] * len(strides) if isinstance(padding, str) else \
            [tuple(p) for p in padding]
        pads = tuple(_conv_transpose_padding(k, int(s), p)
                     for k, s, p in zip(eff, strides, per_dim))
    else:
        pads = padding
    if transpose_kernel:
        rhs = rev(rhs, tuple(dn.rhs_spec[2:]))
        perm = list(range(ndims))
        perm[dn.rhs_spec[0]], perm[dn.rhs_spec[1]] = dn.rhs_spec[1], dn.rhs_spec[0]
        rhs = transpose(rhs, perm)
    return conv_general_dilated(lhs, rhs, (1,) * (ndims - 2), pads, strides, rhs_dilation,
                                dn, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_general_dilated_patches(lhs, filter_shape, window_strides, padding,
                                 lhs_dilation=None, rhs_dilation=None, dimension_numbers=None,
                                 precision=None, preferred_element_type=None):
    """The image patches a ``conv_general_dilated`` with a ``filter_shape`` window sees,
    flattened into the output's feature (``C``) axis in the order ``c`` then the kernel
    spec's spatial axes; size ``prod(filter_shape) * C``.

    A depthwise convolution with a constant identity kernel (JAX's construction).
    """
    la = get_aval(lhs)
    filter_shape = tuple(int(d) for d in filter_shape)
    dn = conv_dimension_numbers(la.shape, (1, 1) + filter_shape, dimension_numbers)
    lhs_spec, rhs_spec, _ = dn
    spatial = math.prod(filter_shape)
    channels = la.shape[lhs_spec[1]]
    kernel = np.broadcast_to(np.eye(spatial, dtype=la.dtype), (channels, spatial, spatial))
    kernel = kernel.reshape((channels * spatial, 1) + filter_shape)
    kernel = np.moveaxis(kernel, (0, 1), (rhs_spec[0], rhs_spec[1]))
    return conv_general_dilated(
        lhs, np.ascontiguousarray(kernel), window_strides, padding, lhs_dilation,
        rhs_dilation, dn, feature_group_count=channels,
        precision=None if precision is None else (precision, Precision.DEFAULT),
        preferred_element_type=preferred_element_type)


def conv_general_dilated_local(lhs, rhs, window_strides, padding, filter_shape,
                               lhs_dilation=None, rhs_dilation=None, dimension_numbers=None,
                               precision=None):
    """An unshared (locally connected) convolution: a separate kernel at each output
    position. ``rhs``'s spatial axes are the output positions and its ``I`` axis holds
    ``C`` times the receptive window (in ``conv_general_dilated_patches``' order)."""
    prec = canonicalize_precision(precision)
    patches = conv_general_dilated_patches(
        lhs, filter_shape, window_strides, padding, lhs_dilation, rhs_dilation,
        dimension_numbers, precision=None if prec is None else prec[0])
    lhs_spec, rhs_spec, out_spec = conv_dimension_numbers(
        get_aval(lhs).shape, (1, 1) + tuple(filter_shape), dimension_numbers)
    lhs_b = list(out_spec[2:])
    rhs_b = list(rhs_spec[2:])
    rhs_b = [rhs_b[i] for i in sorted(range(len(rhs_b)), key=lambda k: lhs_b[k])]
    lhs_b = sorted(lhs_b)
    dn = (((out_spec[1],), (rhs_spec[1],)), (tuple(lhs_b), tuple(rhs_b)))
    out = dot_general(patches, rhs, dn, precision=precision)
    ndim = get_aval(out).ndim
    return _moveaxes(out, (ndim - 2, ndim - 1), (out_spec[0], out_spec[1]))


def _moveaxes(x, src, dst):
    """``np.moveaxis`` for arrays: a transpose."""
    ndim = get_aval(x).ndim
    order = [i for i in range(ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order)
