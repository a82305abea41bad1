"""``glassbox.scipy.ndimage``: ``map_coordinates``, as ``jax.scipy.ndimage``: nearest
(``order=0``) and linear (``order=1``) interpolation of an n-D array at given
coordinates, with SciPy's boundary modes ``constant``, ``nearest``, ``wrap``, ``mirror``
and ``reflect``. Each output is a weighted sum of gathers, so it is differentiable in
the values and (for ``order=1``) in the coordinates."""
import functools
import itertools
import operator

import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from ..api import jit


def _mirror(index, size):
    s = size - 1  # half-wavelength of the triangular wave
    return jnp.abs((index + s) % (2 * s) - s)


def _reflect(index, size):
    return jnp.floor_divide(_mirror(2 * index + 1, 2 * size + 1) - 1, 2)


_INDEX_FIXERS = {
    'constant': lambda index, size: index,
    'nearest': lambda index, size: jnp.clip(index, 0, size - 1),
    'wrap': lambda index, size: index % size,
    'mirror': _mirror,
    'reflect': _reflect,
}


def _round_half_away(a):
    return a if dtypes.issubdtype(a.dtype, np.integer) else lax.round(a)


def _nearest(coordinate):
    return [(_round_half_away(coordinate).astype(np.int32), coordinate.dtype.type(1))]


def _linear(coordinate):
    lower = jnp.floor(coordinate)
    upper_weight = coordinate - lower
    index = lower.astype(np.int32)
    return [(index, 1 - upper_weight), (index + 1, upper_weight)]


@functools.partial(jit, static_argnums=(2, 3, 4))
def _map_coordinates(input, coordinates, order, mode, cval):
    input = jnp.asarray(input)
    coordinates = [jnp.asarray(c) for c in coordinates]
    cval = jnp.asarray(cval, input.dtype)
    if len(coordinates) != input.ndim:
        raise ValueError('coordinates must be a sequence of length input.ndim, but '
                         f'{len(coordinates)} != {input.ndim}')
    fix = _INDEX_FIXERS.get(mode)
    if fix is None:
        raise NotImplementedError(
            f'jax.scipy.ndimage.map_coordinates does not yet support mode {mode}. '
            f'Currently supported modes are {set(_INDEX_FIXERS)}.')
    if mode == 'constant':
        is_valid = lambda index, size: (0 <= index) & (index < size)  # noqa: E731
    else:
        is_valid = lambda index, size: True  # noqa: E731
    if order == 0:
        nodes = _nearest
    elif order == 1:
        nodes = _linear
    else:
        raise NotImplementedError('jax.scipy.ndimage.map_coordinates currently requires order<=1')

    per_axis = [[(fix(index, size), is_valid(index, size), weight)
                 for index, weight in nodes(coordinate)]
                for coordinate, size in zip(coordinates, input.shape)]
    outputs = []
    for items in itertools.product(*per_axis):
        indices, validities, weights = zip(*items)
        if all(v is True for v in validities):
            contribution = input[indices]
        else:
            contribution = jnp.where(functools.reduce(operator.and_, validities),
                                     input[indices], cval)
        outputs.append(functools.reduce(operator.mul, weights) * contribution)
    result = sum(outputs[1:], outputs[0])
    if dtypes.issubdtype(input.dtype, np.integer):
        result = _round_half_away(result)
    return result.astype(input.dtype)


def map_coordinates(input, coordinates, order, mode='constant', cval=0.0):
    """Values of ``input`` at ``coordinates`` (a sequence of ``input.ndim`` arrays of
    one shape, the result's shape), interpolated with spline ``order`` 0 or 1; points
    outside the array follow ``mode`` (``cval`` for ``'constant'``). Integer inputs
    are rounded half away from zero."""
    return _map_coordinates(input, coordinates, order, mode, cval)


__all__ = ["map_coordinates"]
