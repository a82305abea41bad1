"""Index helpers: ``mgrid``, ``ogrid``, ``r_``, ``c_``, ``s_``, ``index_exp``, ``ix_``,
``tril_indices``/``triu_indices`` (and ``_from``), ``diag_indices`` (and ``_from``),
``mask_indices``, ``fill_diagonal``.

The grids and concatenators are objects indexed with slices, as in NumPy:
``jnp.mgrid[0:3, 0:2]``, ``jnp.r_[1:4, 0, jnp.array([7, 8])]``; a complex step
(``0:1:5j``) means a ``linspace`` with that many points, endpoint included.
Their slice bounds must be concrete. Index arrays are the default int type.
"""
import math
import operator

import numpy as np

from .. import dtypes, lax
from ..core import Tracer
from ..errors import ConcretizationTypeError
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import check_arraylike, promote_dtypes

__all__ = ["mgrid", "ogrid", "r_", "c_", "s_", "index_exp", "ix_", "tril_indices",
           "triu_indices", "tril_indices_from", "triu_indices_from", "diag_indices",
           "diag_indices_from", "mask_indices", "fill_diagonal"]


def _concrete(x, what):
    if isinstance(x, Tracer):
        value = x.to_concrete_value()
        if value is None:
            raise ConcretizationTypeError(x, f"The error occurred for the {what}")
        return value.item() if np.ndim(value) == 0 else value
    return x


def _static_dim(x, what):
    return operator.index(_concrete(x, what))


def _grid_from_slice(s, op_name):
    start = _concrete(s.start, f"slice start of jnp.{op_name}") or 0
    stop = _concrete(s.stop, f"slice stop of jnp.{op_name}")
    step = _concrete(s.step, f"slice step of jnp.{op_name}") or 1
    if np.iscomplex(step):
        return jnp.linspace(start, stop, int(abs(step)))
    return jnp.arange(start, stop, step)


class _Mgrid:
    """``jnp.mgrid[slices]``: a dense grid, one stacked coordinate array per slice."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _grid_from_slice(key, "mgrid")
        grids = promote_dtypes(*[_grid_from_slice(k, "mgrid") for k in key])
        if not grids:
            return jnp.arange(0)
        return jnp.stack(jnp.meshgrid(*grids, indexing="ij", sparse=False), 0)


class _Ogrid:
    """``jnp.ogrid[slices]``: an open grid, coordinate arrays that broadcast together."""

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _grid_from_slice(key, "ogrid")
        grids = promote_dtypes(*[_grid_from_slice(k, "ogrid") for k in key])
        return jnp.meshgrid(*grids, indexing="ij", sparse=True)


class _AxisConcat:
    """Concatenate slices (as ranges), scalars and arrays along ``axis``; a leading
    string ``"axis,ndmin,trans1d"`` (or ``"r"``/``"c"``) changes how."""
    axis = 0
    ndmin = 1
    trans1d = -1
    op_name = ""

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        params = [self.axis, self.ndmin, self.trans1d, -1]
        directive = items[0] if items else None
        if isinstance(directive, str):
            items = items[1:]
            if directive == "r":
                params[-1] = 0
            elif directive == "c":
                params[-1] = 1
            else:
                vec = directive.split(",")
                vec = vec + params[len(vec):] if len(vec) < 4 else vec[:3] + [params[-1]]
                try:
                    params = [int(v) for v in vec]
                except ValueError as err:
                    raise ValueError(f"could not understand directive {directive!r}") from err
        axis, ndmin, trans1d, matrix = params
        output = []
        for item in items:
            if isinstance(item, slice):
                obj, item_ndim = _grid_from_slice(item, self.op_name), 0
            elif isinstance(item, str):
                raise ValueError("string directive must be placed at the beginning")
            else:
                obj = jnp.array(item, copy=False)
                item_ndim = obj.ndim
            obj = jnp.array(obj, copy=False, ndmin=ndmin)
            if trans1d != -1 and ndmin - item_ndim > 0:
                order = tuple(range(ndmin))
                shift = ndmin - abs(ndmin + trans1d + 1) % ndmin
                obj = jnp.transpose(obj, order[shift:] + order[:shift])
            output.append(obj)
        result = jnp.concatenate(tuple(output), axis=axis)
        if matrix != -1 and result.ndim == 1:
            result = jnp.expand_dims(result, matrix)
        return result

    def __len__(self):
        return 0


class RClass(_AxisConcat):
    """``jnp.r_[...]``: concatenate along the first axis."""
    axis, ndmin, trans1d, op_name = 0, 1, -1, "r_"


class CClass(_AxisConcat):
    """``jnp.c_[...]``: concatenate along the last axis, 1-D items as columns."""
    axis, ndmin, trans1d, op_name = -1, 2, 0, "c_"


mgrid = _Mgrid()
ogrid = _Ogrid()
r_ = RClass()
c_ = CClass()
s_ = np.s_
index_exp = np.index_exp


def ix_(*args):
    """Open-mesh index arrays from 1-D sequences: ``x[jnp.ix_(rows, cols)]`` picks the
    sub-matrix of those rows and columns."""
    check_arraylike("ix_", *args)
    n = len(args)
    output = []
    for i, a in enumerate(args):
        a = jnp.asarray(a)
        if a.ndim != 1:
            raise ValueError(f"Arguments to jax.numpy.ix_ must be 1-dimensional, got shape "
                             f"{a.shape}")
        if a.dtype == np.bool_:
            raise NotImplementedError("Boolean arguments to jax.numpy.ix_ are not implemented")
        shape = [1] * n
        shape[i] = a.shape[0]
        if a.shape[0] == 0:
            output.append(lax.full(shape, 0, dtypes.canonicalize_dtype(np.intp)))
        else:
            output.append(lax.broadcast_in_dim(a, tuple(shape), (i,)))
    return tuple(output)


# --- triangle and diagonal indices --------------------------------------------------

def _as_index_arrays(*host):
    return tuple(jnp.asarray(h.astype(dtypes.default_int())) for h in host)


def triu_indices(n, k=0, m=None):
    """Row and column indices of the upper triangle (from diagonal ``k``) of an
    ``(n, m)`` matrix."""
    n = _static_dim(n, "n argument of jnp.triu_indices")
    k = _static_dim(k, "k argument of jnp.triu_indices")
    m = n if m is None else _static_dim(m, "m argument of jnp.triu_indices")
    return _as_index_arrays(*np.triu_indices(n, k, m))


def tril_indices(n, k=0, m=None):
    """Row and column indices of the lower triangle (to diagonal ``k``) of an
    ``(n, m)`` matrix."""
    n = _static_dim(n, "n argument of jnp.tril_indices")
    k = _static_dim(k, "k argument of jnp.tril_indices")
    m = n if m is None else _static_dim(m, "m argument of jnp.tril_indices")
    return _as_index_arrays(*np.tril_indices(n, k, m))


def _shape_2d(arr, name):
    if not hasattr(arr, "shape"):
        check_arraylike(name, arr)
    shape = np.shape(arr)
    if len(shape) != 2:
        raise ValueError("Only 2-D inputs are accepted")
    return shape


def triu_indices_from(arr, k=0):
    """``triu_indices`` for ``arr``'s (2-D) shape."""
    rows, cols = _shape_2d(arr, "triu_indices_from")
    return triu_indices(rows, k=k, m=cols)


def tril_indices_from(arr, k=0):
    """``tril_indices`` for ``arr``'s (2-D) shape."""
    rows, cols = _shape_2d(arr, "tril_indices_from")
    return tril_indices(rows, k=k, m=cols)


def mask_indices(n, mask_func, k=0, *, size=None):
    """Indices where ``mask_func(ones((n, n)), k)`` is non-zero (e.g. ``jnp.triu``)."""
    i, j = jnp.nonzero(mask_func(jnp.ones((n, n)), k), size=size)
    return i, j


def diag_indices(n, ndim=2):
    """``ndim`` copies of ``arange(n)``: the indices of the main diagonal of an
    ``n x ... x n`` array."""
    n = _static_dim(n, "'n' argument of jnp.diag_indices()")
    ndim = _static_dim(ndim, "'ndim' argument of jnp.diag_indices()")
    if n < 0:
        raise ValueError(f"n argument to diag_indices must be nonnegative, got {n}")
    if ndim < 0:
        raise ValueError(f"ndim argument to diag_indices must be nonnegative, got {ndim}")
    dtype = dtypes.default_int() if n <= np.iinfo(np.int32).max else np.dtype(np.int64)
    return (lax.iota(dtype, n),) * ndim


def diag_indices_from(arr):
    """``diag_indices`` for ``arr``, whose dimensions must all be equal."""
    check_arraylike("diag_indices_from", arr)
    shape = np.shape(arr)
    if len(shape) < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(shape)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(shape[0], ndim=len(shape))


def fill_diagonal(a, val, wrap=False, *, inplace=True):
    """A copy of ``a`` with its main diagonal set to ``val`` (a scalar, or values used in
    order and repeated). JAX arrays are immutable: pass ``inplace=False``."""
    if inplace:
        raise NotImplementedError("JAX arrays are immutable, must use inplace=False")
    if wrap:
        raise NotImplementedError("wrap=True is not implemented, must use wrap=False")
    check_arraylike("fill_diagonal", a, val)
    a, val = jnp.asarray(a), jnp.asarray(val)
    if a.ndim < 2:
        raise ValueError("array must be at least 2-d")
    if a.ndim > 2 and not all(n == a.shape[0] for n in a.shape[1:]):
        raise ValueError("All dimensions of input must be of equal length")
    n = min(a.shape)
    if val.ndim:
        flat = jnp.ravel(val)
        val = jnp.tile(flat, math.ceil(n / flat.shape[0]) if flat.shape[0] else 0)[:n]
    return a.at[diag_indices(n, a.ndim)].set(val)
