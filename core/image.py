"""``glassbox.image``: image resampling (``jax.image``): ``resize``, ``scale_and_translate``
and ``ResizeMethod``.

As JAX computes it (``jax/_src/image/scale.py``): for each axis whose size changes, a
weight matrix ``W[input, output]`` is built by evaluating the method's kernel
(triangle for ``linear``, Keys cubic, Lanczos 3/5, OpenCV's cubic for
``cubic-pytorch``, box overlap for ``area``) at the distance from each output sample's
centre to each input pixel, normalized so each column sums to 1, and zeroed where the
sample falls outside the input. With ``antialias`` (the default) a downsampling kernel
is stretched by the inverse scale, so it averages over every input pixel it covers. One
``einsum`` then contracts the image with all the weight matrices. ``nearest`` gathers
the pixel at ``floor((i + 0.5) * in / out)`` instead.
"""
import enum
import functools
import math

import numpy as np

from . import dtypes, lax
from . import numpy as jnp
from .api import jit
from .core import Tracer
from .numpy._util import canonicalize_axis, promote_dtypes_inexact

__all__ = ["ResizeMethod", "resize", "scale_and_translate"]


# --- kernels ---------------------------------------------------------------------------

def _fill_lanczos_kernel(radius, x):
    y = radius * jnp.sin(np.pi * x) * jnp.sin(np.pi * x / radius)
    out = jnp.where(x > 1e-3, jnp.divide(y, jnp.where(x != 0, np.pi ** 2 * x ** 2, 1)), 1)
    return jnp.where(x > radius, 0., out)


def _fill_keys_cubic_kernel(x):
    out = ((1.5 * x - 2.5) * x) * x + 1.
    out = jnp.where(x >= 1., ((-0.5 * x + 2.5) * x - 4.) * x + 2., out)
    return jnp.where(x >= 2., 0., out)


def _fill_opencv_cubic_kernel(x):
    a = -0.75
    out = ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
    out = jnp.where(x >= 1.0, ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a, out)
    return jnp.where(x >= 2.0, 0.0, out)


def _fill_triangle_kernel(x):
    return jnp.maximum(0, 1 - jnp.abs(x))


_area_kernel = object()   # a marker: area weights are box overlaps, not a kernel of x


def _normalize_columns(weights):
    total = jnp.sum(weights, axis=0, keepdims=True)
    return jnp.where(jnp.abs(total) > 1000. * float(np.finfo(np.float32).eps),
                     jnp.divide(weights, jnp.where(total != 0, total, 1)), 0)


def compute_weight_mat(input_size, output_size, scale, translation, kernel, antialias,
                       edge_padding, radius):
    """The ``(input_size, output_size)`` resampling weights of one axis."""
    dtype = dtypes.result_type(scale, translation)
    inv_scale = 1. / scale
    kernel_scale = jnp.maximum(inv_scale, 1.) if antialias else 1.
    sample_f = ((jnp.arange(output_size, dtype=dtype) + 0.5) * inv_scale
                - translation * inv_scale - 0.5)
    if edge_padding:
        if antialias:
            if isinstance(scale, Tracer):
                scale = scale.to_concrete_value()
                if scale is None:
                    raise ValueError("Antialiasing with edge padding requires a static scale.")
            k = math.ceil(radius * max(1.0 / float(scale), 1.0))
        else:
            k = radius
    else:
        k = 0
    expanded = jnp.arange(-k, input_size + k, dtype=dtype)
    if kernel is _area_kernel:
        L_i = jnp.arange(output_size, dtype=dtype) * inv_scale - translation * inv_scale
        R_i = L_i + inv_scale
        L_j = jnp.arange(input_size, dtype=dtype)
        R_j = L_j + 1.0
        weights = jnp.maximum(0.0, jnp.minimum(R_i[np.newaxis, :], R_j[:, np.newaxis])
                              - jnp.maximum(L_i[np.newaxis, :], L_j[:, np.newaxis]))
    else:
        x = jnp.abs(sample_f[np.newaxis, :] - expanded[:, np.newaxis]) / kernel_scale
        weights = kernel(x)
    if edge_padding:
        # out-of-range taps fold onto the edge pixels (OpenCV / PyTorch behaviour)
        clamped = jnp.clip(expanded.astype(jnp.int32), 0, input_size - 1)
        out_idx = lax.broadcast_in_dim(jnp.arange(output_size),
                                       (expanded.shape[0], output_size), (1,))
        weight_mat = jnp.zeros((input_size, output_size), dtype=dtype)
        weight_mat = weight_mat.at[clamped[:, np.newaxis], out_idx].add(weights)
        return _normalize_columns(weight_mat)
    weights = _normalize_columns(weights)
    inside = jnp.logical_and(sample_f >= -0.5, sample_f <= input_size - 0.5)
    return jnp.where(inside[np.newaxis, :], weights, 0)


def _scale_and_translate(x, output_shape, spatial_dims, scale, translation, kernel,
                         antialias, precision, edge_padding=False, radius=None):
    if len(spatial_dims) == 0:
        return x
    n = len(output_shape)
    contractions = []
    in_indices = list(range(n))
    out_indices = list(range(n))
    for i, d in enumerate(spatial_dims):
        d = canonicalize_axis(d, x.ndim, "scale_and_translate")
        w = compute_weight_mat(x.shape[d], output_shape[d], scale[i], translation[i], kernel,
                               antialias, edge_padding=edge_padding, radius=radius)
        contractions += [w.astype(x.dtype), [d, n + i]]
        out_indices[d] = n + i
    contractions.append(out_indices)
    return jnp.einsum(x, in_indices, *contractions, precision=precision)


class ResizeMethod(enum.Enum):
    """Image resize methods: ``NEAREST``, ``LINEAR``, ``LANCZOS3``, ``LANCZOS5``,
    ``CUBIC`` (Keys, a = -0.5), ``CUBIC_PYTORCH`` (a = -0.75, edges clamped), ``AREA``."""

    NEAREST = 0
    LINEAR = 1
    LANCZOS3 = 2
    LANCZOS5 = 3
    CUBIC = 4
    CUBIC_PYTORCH = 5
    AREA = 6

    @staticmethod
    def from_string(s):
        names = {"nearest": ResizeMethod.NEAREST, "linear": ResizeMethod.LINEAR,
                 "bilinear": ResizeMethod.LINEAR, "trilinear": ResizeMethod.LINEAR,
                 "triangle": ResizeMethod.LINEAR, "lanczos3": ResizeMethod.LANCZOS3,
                 "lanczos5": ResizeMethod.LANCZOS5, "cubic": ResizeMethod.CUBIC,
                 "bicubic": ResizeMethod.CUBIC, "tricubic": ResizeMethod.CUBIC,
                 "cubic-pytorch": ResizeMethod.CUBIC_PYTORCH,
                 "bicubic-pytorch": ResizeMethod.CUBIC_PYTORCH, "area": ResizeMethod.AREA}
        if s not in names:
            raise ValueError(f'Unknown resize method "{s}"')
        return names[s]


_kernels = {
    ResizeMethod.LINEAR: (1, _fill_triangle_kernel),
    ResizeMethod.LANCZOS3: (3, functools.partial(_fill_lanczos_kernel, 3.)),
    ResizeMethod.LANCZOS5: (5, functools.partial(_fill_lanczos_kernel, 5.)),
    ResizeMethod.CUBIC: (2, _fill_keys_cubic_kernel),
    ResizeMethod.CUBIC_PYTORCH: (2, _fill_opencv_cubic_kernel),
    ResizeMethod.AREA: (1, _area_kernel),
}


def _canonical_shape(shape):
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(f"shape must be a sequence of ints, got {shape!r}") from None


def _kernel_for(method, antialias):
    if method == ResizeMethod.CUBIC_PYTORCH and antialias:
        method = ResizeMethod.CUBIC
    radius, kernel = _kernels[method]
    return radius, kernel, method == ResizeMethod.CUBIC_PYTORCH and not antialias


def _check_rank(shape, image):
    if len(shape) != image.ndim:
        raise ValueError("shape must have length equal to the number of dimensions of x; "
                         f" {shape} vs {image.shape}")


def scale_and_translate(image, shape, spatial_dims, scale, translation, method,
                        antialias=True, precision=lax.Precision.HIGHEST):
    """Resample ``image`` into ``shape`` with a scale and translation per spatial dim.

    Output pixel ``o`` along dim ``d`` samples input position
    ``(o + 0.5 - translation) / scale - 0.5``. ``method`` is a ``ResizeMethod`` or its
    name (not ``'nearest'``); ``antialias`` widens the kernel when downsampling.
    Differentiable in ``image``, ``scale`` and ``translation``.
    """
    shape = _canonical_shape(shape)
    image = jnp.asarray(image)
    _check_rank(shape, image)
    if isinstance(method, str):
        method = ResizeMethod.from_string(method)
    if method == ResizeMethod.NEAREST:
        raise ValueError("Nearest neighbor resampling is not currently supported for "
                         "scale_and_translate.")
    radius, kernel, edge_padding = _kernel_for(method, antialias)
    image, = promote_dtypes_inexact(image)
    scale, translation = promote_dtypes_inexact(jnp.asarray(scale), jnp.asarray(translation))
    return _scale_and_translate(image, shape, spatial_dims, scale, translation, kernel,
                                antialias, precision, edge_padding=edge_padding,
                                radius=radius)


def _resize_nearest(x, output_shape):
    for d, (m, n) in enumerate(zip(x.shape, output_shape)):
        if m == n:
            continue
        offsets = (jnp.arange(n, dtype=np.float32) + 0.5) * m / n
        offsets = jnp.floor(offsets.astype(np.float32)).astype(np.int32)
        index = [slice(None)] * x.ndim
        index[d] = offsets
        x = x[tuple(index)]
    return x


@functools.partial(jit, static_argnums=(1, 2, 3, 4))
def _resize(image, shape, method, antialias, precision):
    _check_rank(shape, image)
    if isinstance(method, str):
        method = ResizeMethod.from_string(method)
    if method == ResizeMethod.NEAREST:
        return _resize_nearest(image, shape)
    image, = promote_dtypes_inexact(image)
    spatial_dims = tuple(i for i in range(len(shape)) if image.shape[i] != shape[i])
    radius, kernel, edge_padding = _kernel_for(method, antialias)
    scale = [1.0 if shape[d] == 0 else shape[d] / image.shape[d] for d in spatial_dims]
    return _scale_and_translate(image, shape, spatial_dims, scale, [0.] * len(spatial_dims),
                                kernel, antialias, precision, edge_padding=edge_padding,
                                radius=radius)


def resize(image, shape, method, antialias=True, precision=lax.Precision.HIGHEST):
    """Resize ``image`` to ``shape`` (every dim whose size changes is resampled).

    Args:
      image: the array (any rank; e.g. ``(H, W, C)`` or ``(N, H, W, C)``).
      shape: the output shape, same rank.
      method: ``'nearest'``, ``'linear'`` (``'bilinear'``...), ``'cubic'``,
        ``'lanczos3'``, ``'lanczos5'``, ``'cubic-pytorch'``, ``'area'``, or a
        ``ResizeMethod``.
      antialias: when downsampling, widen the kernel so it averages what it skips.
      precision: of the ``einsum`` contraction.

    Example: ``resize(jnp.ones((4, 4)), (8, 8), 'linear')`` is all ones.
    """
    return _resize(jnp.asarray(image), _canonical_shape(shape), method, antialias, precision)
