"""``glassbox.scipy.interpolate``: ``RegularGridInterpolator`` (linear and nearest
interpolation on a rectilinear grid), a pytree, as ``jax.scipy.interpolate``."""
import itertools

import numpy as np

from .. import numpy as jnp
from ..numpy._util import check_arraylike, promote_dtypes_inexact
from ..tree_util import register_pytree_node


def _ndim_coords_from_arrays(points, ndim=None):
    """Points as an array ``(..., ndim)``, from a tuple of coordinate arrays or one array."""
    if isinstance(points, tuple) and len(points) == 1:
        points = points[0]
    if isinstance(points, tuple):
        p = jnp.broadcast_arrays(*points)
        for other in p[1:]:
            if other.shape != p[0].shape:
                raise ValueError("coordinate arrays do not have the same shape")
        out = jnp.empty(p[0].shape + (len(points),), dtype=float)
        for j, item in enumerate(p):
            out = out.at[..., j].set(item)
        return out
    check_arraylike("_ndim_coords_from_arrays", points)
    points = jnp.asarray(points)
    if points.ndim == 1:
        points = points.reshape(-1, 1) if ndim is None else points.reshape(-1, ndim)
    return points


class RegularGridInterpolator:
    """Interpolate ``values`` given on the grid ``points`` (a tuple of strictly
    ascending 1-D arrays, one per leading axis of ``values``). ``method`` is
    ``"linear"`` or ``"nearest"``; points outside the grid get ``fill_value`` (default
    ``nan``), or are extrapolated when it is ``None``. ``bounds_error=True`` is not
    supported (it could not act under ``jit``)."""

    def __init__(self, points, values, method="linear", bounds_error=False,
                 fill_value=np.nan):
        if method not in ("linear", "nearest"):
            raise ValueError(f"method {method!r} is not defined")
        self.method = method
        self.bounds_error = bounds_error
        if self.bounds_error:
            raise NotImplementedError("`bounds_error` takes no effect under JIT")
        check_arraylike("RegularGridInterpolator", values)
        if len(points) > values.ndim:
            raise ValueError(f"there are {len(points)} point arrays, but values has "
                             f"{values.ndim} dimensions")
        values, = promote_dtypes_inexact(values)
        if fill_value is not None:
            check_arraylike("RegularGridInterpolator", fill_value)
            fill_value = jnp.asarray(fill_value)
            if not jnp.can_cast(fill_value.dtype, values.dtype, casting='same_kind'):
                raise ValueError("fill_value must be either 'None' or of a type compatible "
                                 "with values")
        self.fill_value = fill_value
        check_arraylike("RegularGridInterpolator", *points)
        self.grid = tuple(jnp.asarray(p) for p in points)
        self.values = values

    def __call__(self, xi, method=None):
        """Interpolated values at ``xi`` (``(..., ndim)`` or a tuple of coordinate arrays)."""
        method = self.method if method is None else method
        if method not in ("linear", "nearest"):
            raise ValueError(f"method {method!r} is not defined")
        ndim = len(self.grid)
        xi = _ndim_coords_from_arrays(xi, ndim=ndim)
        if xi.shape[-1] != ndim:
            raise ValueError(f"the requested sample points xi have dimension {xi.shape[1]}, "
                             f"but this RegularGridInterpolator has dimension {ndim}")
        xi_shape = xi.shape
        xi = xi.reshape(-1, xi_shape[-1])
        indices, distances, out_of_bounds = self._find_indices(xi.T)
        if method == "linear":
            result = self._evaluate_linear(indices, distances)
        else:
            result = self._evaluate_nearest(indices, distances)
        if self.fill_value is not None:
            bshape = result.shape[:1] + (1,) * (result.ndim - 1)
            result = jnp.where(out_of_bounds.reshape(bshape), self.fill_value, result)
        return result.reshape(xi_shape[:-1] + self.values.shape[ndim:])

    def _evaluate_linear(self, indices, distances):
        vslice = (slice(None),) + (None,) * (self.values.ndim - len(indices))
        values = jnp.asarray(0.)
        for edge in itertools.product(*[[i, i + 1] for i in indices]):
            weight = jnp.asarray(1.)
            for ei, i, yi in zip(edge, indices, distances):
                weight = weight * jnp.where(ei is i, 1 - yi, yi)
            values = values + self.values[edge] * weight[vslice]
        return values

    def _evaluate_nearest(self, indices, distances):
        return self.values[tuple(jnp.where(yi <= .5, i, i + 1)
                                 for i, yi in zip(indices, distances))]

    def _find_indices(self, xi):
        indices, distances = [], []
        out_of_bounds = jnp.zeros((xi.shape[1],), dtype=bool)
        for x, g in zip(xi, self.grid):
            i = jnp.searchsorted(g, x) - 1
            i = jnp.where(i < 0, 0, i)
            i = jnp.where(i > g.size - 2, g.size - 2, i)
            indices.append(i)
            distances.append((x - g[i]) / (g[i + 1] - g[i]))
            out_of_bounds = out_of_bounds | (x < g[0]) | (x > g[-1])
        return indices, distances, out_of_bounds


register_pytree_node(
    RegularGridInterpolator,
    lambda obj: ((obj.grid, obj.values, obj.fill_value), (obj.method, obj.bounds_error)),
    lambda aux, children: RegularGridInterpolator(*children[:2], *aux, *children[2:]),
)

__all__ = ["RegularGridInterpolator"]
