"""Differences, numerical derivatives and integrals, interpolation: ``diff``,
``ediff1d``, ``gradient``, ``trapezoid``, ``unwrap``, ``interp``.

Each is composed from ``jnp`` functions as ``jax.numpy`` composes it, and jitted
where JAX jits it (``n``/``axis`` static), so values, dtypes and weak types match.
``gradient`` is second-order central differences inside and first-order at the
edges (JAX has no ``edge_order``); ``interp`` is a ``searchsorted`` plus a linear
blend, with JAX's ``'extrapolate'`` for ``left``/``right``.
"""
import functools

import numpy as np

from .. import dtypes, lax
from ..api import jit
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import (canonicalize_axis, check_arraylike, promote_dtypes,
                    promote_dtypes_inexact, static_int)

__all__ = ["diff", "ediff1d", "gradient", "trapezoid", "unwrap", "interp"]


def _slice_axis(x, start, stop, axis):
    return lax.slice_in_dim(x, start, stop, axis=axis)


# --- diff ----------------------------------------------------------------------

@functools.partial(jit, static_argnames=("n", "axis"))
def _diff(arr, prepend, append, *, n, axis):
    axis = canonicalize_axis(axis, arr.ndim, "jnp.diff")
    pieces = []
    for extra in (prepend, append):
        if extra is not None:
            extra = jnp.asarray(extra)
            if extra.ndim == 0:
                shape = list(arr.shape)
                shape[axis] = 1
                extra = jnp.broadcast_to(extra, tuple(shape))
        pieces.append(extra)
    pieces = [p for p in (pieces[0], arr, pieces[1]) if p is not None]
    if len(pieces) > 1:
        arr = jnp.concatenate(pieces, axis)
    op = lax.ne if arr.dtype == np.bool_ else jnp.subtract
    for _ in range(n):
        size = arr.shape[axis]
        arr = op(_slice_axis(arr, 1, size, axis), _slice_axis(arr, 0, max(size - 1, 0), axis))
    return arr


def diff(a, n=1, axis=-1, prepend=None, append=None):
    """The ``n``-th discrete difference along ``axis`` (``numpy.diff``).

    ``out[i] = a[i+1] - a[i]``, applied ``n`` times; booleans use ``!=``.
    ``prepend``/``append`` are joined to ``a`` first (scalars are broadcast to one
    slice). ``n`` and ``axis`` must be static.

    >>> jnp.diff(jnp.array([1, 4, 9, 16]))
    Array([3, 5, 7], dtype=int32)
    """
    check_arraylike("diff", a)
    for extra in (prepend, append):
        if extra is not None:
            check_arraylike("diff", extra)
    n = static_int(n, "'n' argument of jnp.diff")
    axis = static_int(axis, "'axis' argument of jnp.diff")
    arr = jnp.asarray(a)
    if n == 0:
        return arr
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n}")
    if arr.ndim == 0:
        raise ValueError(f"diff requires input that is at least one dimensional; got {a}")
    return _diff(arr, prepend, append, n=n, axis=axis)


@jit
def _ediff1d(arr, to_end, to_begin):
    arr = jnp.ravel(arr)
    size = arr.shape[0]
    result = lax.sub(arr[1:], arr[:max(size - 1, 0)])
    if to_begin is not None:
        result = jnp.concatenate((jnp.ravel(jnp.asarray(to_begin).astype(arr.dtype)), result))
    if to_end is not None:
        result = jnp.concatenate((result, jnp.ravel(jnp.asarray(to_end).astype(arr.dtype))))
    return result


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences of consecutive elements of the flattened ``ary``, with optional
    values before (``to_begin``) and after (``to_end``), cast to ``ary``'s dtype."""
    check_arraylike("ediff1d", ary)
    for extra in (to_end, to_begin):
        if extra is not None:
            check_arraylike("ediff1d", extra)
    return _ediff1d(jnp.asarray(ary), to_end, to_begin)


# --- gradient ------------------------------------------------------------------

def _gradient_along_axis(a, h, axis):
    sliced = functools.partial(_slice_axis, a, axis=axis)
    n = a.shape[axis]
    upper = sliced(1, 2) - sliced(0, 1)
    lower = sliced(n - 1, n) - sliced(n - 2, n - 1)
    if np.ndim(h) == 0:
        inner = (sliced(2, n) - sliced(0, n - 2)) * 0.5 / h
        lower = lower / h
        upper = upper / h
    elif np.ndim(h) == 1:
        if h.shape[0] != n:
            raise ValueError("Spacing arrays must have the same length as the dimension along "
                             "which the gradient is calculated.")
        shape = [1] * a.ndim
        shape[axis] = n
        h = jnp.reshape(h, shape)
        sx = functools.partial(_slice_axis, h, axis=axis)
        upper = upper / (sx(1, 2) - sx(0, 1))
        lower = lower / (sx(n - 1, n) - sx(n - 2, n - 1))
        dx1 = sx(1, n - 1) - sx(0, n - 2)
        dx2 = sx(2, n) - sx(1, n - 1)
        wa = -dx2 / (dx1 * (dx1 + dx2))
        wb = (dx2 - dx1) / (dx1 * dx2)
        wc = dx1 / (dx2 * (dx1 + dx2))
        inner = wa * sliced(0, n - 2) + wb * sliced(1, n - 1) + wc * sliced(2, n)
    else:
        raise ValueError("Spacing arrays must be 1D arrays or scalars.")
    return jnp.concatenate((upper, inner, lower), axis=axis)


@functools.partial(jit, static_argnames=("axis",))
def _gradient(f, *varargs, axis):
    a, *spacing = promote_dtypes_inexact(f, *varargs)
    if a.ndim == 0 and not axis:
        return []
    axes = tuple(range(a.ndim)) if axis is None else tuple(
        canonicalize_axis(i, a.ndim, "jnp.gradient") for i in
        (axis if isinstance(axis, (tuple, list)) else (axis,)))
    if not axes:
        return []
    if min(a.shape[i] for i in axes) < 2:
        raise ValueError("Shape of array too small to calculate a numerical gradient, "
                         "at least 2 elements are required.")
    if not spacing:
        dx = [1.0] * len(axes)
    elif len(spacing) == 1:
        dx = spacing * len(axes)
    elif len(spacing) == len(axes):
        dx = spacing
    else:
        raise TypeError(f"Invalid number of spacing arguments {len(spacing)} for axis={axis}")
    out = [_gradient_along_axis(a, h, ax) for ax, h in zip(axes, dx)]
    return out[0] if len(axes) == 1 else out


def gradient(f, *varargs, axis=None, edge_order=None):
    """The numerical gradient of sampled values ``f`` (``numpy.gradient``).

    Central differences inside, one-sided first-order differences at the edges.
    ``varargs``: nothing (unit spacing), one scalar for every axis, or one scalar or
    coordinate array per axis. Returns one array per axis (a list when several).
    ``edge_order`` is not supported, as in JAX.
    """
    if edge_order is not None:
        raise NotImplementedError("The 'edge_order' argument to jnp.gradient is not supported.")
    check_arraylike("gradient", f, *varargs)
    if isinstance(axis, list):
        axis = tuple(axis)
    return _gradient(f, *varargs, axis=axis)


# --- trapezoid -----------------------------------------------------------------

@functools.partial(jit, static_argnames=("axis",))
def _trapezoid(y, x, dx, *, axis):
    if x is None:
        y, = promote_dtypes_inexact(y)
        dx = jnp.asarray(dx)
        if dx.ndim > 0:
            dx = lax.expand_dims(dx, tuple(range(y.ndim - dx.ndim)))
            dx = jnp.moveaxis(dx, axis, -1)
    else:
        y, x = promote_dtypes_inexact(y, x)
        dx = jnp.diff(x) if x.ndim == 1 else jnp.moveaxis(jnp.diff(x, axis=axis), axis, -1)
    y = jnp.moveaxis(y, axis, -1)
    if dx.ndim == 0 or dx.shape[-1] == 1:
        step = dx if dx.ndim == 0 else dx[..., 0]
        return step * (y.sum(-1) - 0.5 * (y[..., 0] + y[..., -1]))
    return 0.5 * (dx * (y[..., 1:] + y[..., :-1])).sum(-1)


def trapezoid(y, x=None, dx=1.0, axis=-1):
    """Integral of ``y`` along ``axis`` by the trapezoidal rule (``numpy.trapezoid``),
    at sample points ``x`` or with uniform spacing ``dx``."""
    check_arraylike("trapezoid", y, *(() if x is None else (x,)))
    return _trapezoid(y, x, dx, axis=static_int(axis, "'axis' argument of jnp.trapezoid"))


# --- unwrap --------------------------------------------------------------------

@functools.partial(jit, static_argnames=("axis",))
def _unwrap(p, discont, period, *, axis):
    p, period = promote_dtypes(p, period)
    if dtypes.is_complex(p.dtype):
        raise ValueError("jnp.unwrap does not support complex inputs.")
    if p.shape[axis] == 0:
        return p
    if discont is None:
        discont = period / 2
    interval = period // 2 if dtypes.is_int(p.dtype) else period / 2
    dd = jnp.diff(p, axis=axis)
    ddmod = jnp.mod(dd + interval, period) - interval
    ddmod = jnp.where((ddmod == -interval) & (dd > 0), interval, ddmod)
    correction = jnp.where(jnp.abs(dd) < discont, 0, ddmod - dd)
    n = p.shape[axis]
    return jnp.concatenate((_slice_axis(p, 0, 1, axis),
                            _slice_axis(p, 1, n, axis) + jnp.cumsum(correction, axis=axis)),
                           axis=axis)


def unwrap(p, discont=None, axis=-1, period=2 * np.pi):
    """Unwrap phase angles: add multiples of ``period`` where consecutive values along
    ``axis`` jump by more than ``discont`` (default ``period/2``)."""
    check_arraylike("unwrap", p)
    return _unwrap(p, discont, period, axis=static_int(axis, "'axis' argument of jnp.unwrap"))


# --- interp --------------------------------------------------------------------

def _interp(x, xp, fp, left, right, period):
    if np.shape(xp) != np.shape(fp) or np.ndim(xp) != 1:
        raise ValueError("xp and fp must be one-dimensional arrays of equal size")
    x, xp = promote_dtypes_inexact(x, xp)
    fp, = promote_dtypes_inexact(fp)
    extrapolate = []
    for name, side in (("left", left), ("right", right)):
        if isinstance(side, str) and side != "extrapolate":
            raise ValueError(f"the only valid string value of `{name}` is 'extrapolate', but "
                             f"got: {side!r}")
        extrapolate.append(isinstance(side, str))
    if dtypes.is_complex(x.dtype):
        raise ValueError("jnp.interp: complex x values not supported.")
    if period is not None:
        if np.ndim(period) != 0:
            raise ValueError(f"period must be a scalar; got {period}")
        period = jnp.abs(period)
        x = x % period
        xp = xp % period
        xp, fp = lax.sort_key_val(xp, fp)
        xp = jnp.concatenate([xp[-1:] - period, xp, xp[:1] + period])
        fp = jnp.concatenate([fp[-1:], fp, fp[:1]])
    i = jnp.clip(jnp.searchsorted(xp, x, side="right"), 1, xp.shape[0] - 1)
    df = fp[i] - fp[i - 1]
    dx = xp[i] - xp[i - 1]
    delta = x - xp[i - 1]
    epsilon = np.spacing(dtypes.finfo(xp.dtype).eps)
    dx0 = lax.abs(dx) <= epsilon   # no NaN gradients where two xp coincide
    f = jnp.where(dx0, fp[i - 1], fp[i - 1] + (delta / jnp.where(dx0, 1, dx)) * df)
    if not extrapolate[0] and period is None:
        f = jnp.where(x < xp[0], fp[0] if left is None else left, f)
    if not extrapolate[1] and period is None:
        f = jnp.where(x > xp[-1], fp[-1] if right is None else right, f)
    return f


def interp(x, xp, fp, left=None, right=None, period=None):
    """One-dimensional linear interpolation of ``(xp, fp)`` at ``x`` (``numpy.interp``).

    ``xp`` must be increasing (unless ``period`` is given). Outside ``xp``, ``left`` /
    ``right`` (default ``fp[0]`` / ``fp[-1]``) or, with ``'extrapolate'``, the end
    segments' lines.
    """
    check_arraylike("interp", x, xp, fp)
    static = [name for name, v in (("left", left), ("right", right))
              if isinstance(v, str) or v is None]
    if period is None:
        static.append("period")
    return jit(_interp, static_argnames=tuple(static))(x, xp, fp, left, right, period)
