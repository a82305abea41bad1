"""Polynomials as coefficient arrays (highest power first) and 1-D convolution:
``polyval``, ``polyfit``, ``roots``, ``poly``, ``polyadd``, ``polysub``, ``polymul``,
``polydiv``, ``polyder``, ``polyint``, ``vander``, ``trim_zeros``, ``convolve``,
``correlate``.

As in JAX: ``roots`` are the eigenvalues of the companion matrix (``eigvals``;
leading zeros need concrete input, or ``strip_zeros=False`` gives NaN roots),
``polyfit`` is a column-scaled ``lstsq`` on a Vandermonde matrix, ``polyval`` is
Horner's rule in a ``scan``, and ``convolve``/``correlate`` are one
``lax.conv_general_dilated``.
"""
import functools
import operator

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..core import Tracer
from ..errors import ConcretizationTypeError
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import broadcast_shapes, check_arraylike, promote_dtypes, promote_dtypes_inexact

__all__ = ["polyval", "polyfit", "roots", "poly", "polyadd", "polysub", "polymul", "polydiv",
           "polyder", "polyint", "vander", "trim_zeros", "convolve", "correlate"]


def _concrete(x, message):
    if isinstance(x, Tracer):
        value = x.to_concrete_value()
        if value is None:
            raise ConcretizationTypeError(x, message)
        return value
    return x


def _complex_dtype(dtype):
    return dtypes.result_type(dtype, np.complex64) if not dtypes.is_complex(dtype) else dtype


# --- convolve, correlate --------------------------------------------------------

@functools.partial(jit, static_argnames=("mode", "op", "precision", "preferred_element_type"))
def _conv(x, y, mode, op, precision, preferred_element_type):
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"{op}() only support 1-dimensional inputs.")
    if preferred_element_type is None:
        x, y = promote_dtypes_inexact(x, y)
    else:
        x, y = promote_dtypes(x, y)
    if x.shape[0] == 0 or y.shape[0] == 0:
        raise ValueError(f"{op}: inputs cannot be empty, got shapes {x.shape} and {y.shape}.")
    reverse = False
    if op == "correlate":
        y = jnp.conj(y)
        if x.shape[0] < y.shape[0]:
            x, y, reverse = y, x, True
    else:
        if x.shape[0] < y.shape[0]:
            x, y = y, x
        y = jnp.flip(y)
    n = y.shape[0]
    if mode == "valid":
        padding = [(0, 0)]
    elif mode == "same":
        padding = [(n // 2, n - n // 2 - 1)]
    elif mode == "full":
        padding = [(n - 1, n - 1)]
    else:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    out = lax.conv_general_dilated(x[None, None, :], y[None, None, :], (1,), padding,
                                   precision=precision,
                                   preferred_element_type=preferred_element_type)[0, 0]
    return out[::-1] if reverse else out


def convolve(a, v, mode="full", *, precision=None, preferred_element_type=None):
    """Discrete linear convolution of two 1-D arrays (``numpy.convolve``); ``mode`` is
    ``'full'``, ``'same'`` or ``'valid'``. Integer inputs give floats, as in JAX."""
    check_arraylike("convolve", a, v)
    return _conv(jnp.asarray(a), jnp.asarray(v), mode=mode, op="convolve",
                 precision=precision, preferred_element_type=preferred_element_type)


def correlate(a, v, mode="valid", *, precision=None, preferred_element_type=None):
    """Cross-correlation of two 1-D arrays (``numpy.correlate``): ``v`` conjugated and
    slid over ``a``."""
    check_arraylike("correlate", a, v)
    return _conv(jnp.asarray(a), jnp.asarray(v), mode=mode, op="correlate",
                 precision=precision, preferred_element_type=preferred_element_type)


# --- vander, trim_zeros ----------------------------------------------------------

@functools.partial(jit, static_argnames=("N", "increasing"))
def _vander(x, N, increasing):
    iota = lax.iota(x.dtype, N)
    if not increasing:
        iota = lax.sub(np.array(N - 1, x.dtype), iota)
    return jnp.power(x[..., None], iota[None, :])


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of the 1-D ``x``: columns ``x**(N-1), ..., x**0`` (or
    increasing powers)."""
    check_arraylike("vander", x)
    x = jnp.asarray(x)
    if x.ndim != 1:
        raise ValueError("x must be a one-dimensional array")
    N = x.shape[0] if N is None else operator.index(
        _concrete(N, "'N' argument of jnp.vander()"))
    if N < 0:
        raise ValueError("N must be nonnegative")
    return _vander(x, N, bool(increasing))


def trim_zeros(filt, trim="fb", axis=None):
    """``filt`` without its leading (``'f'``) and/or trailing (``'b'``) zeros along
    ``axis`` (all axes by default). Needs concrete input (the size depends on it)."""
    check_arraylike("trim_zeros", filt)
    filt = jnp.asarray(filt)
    _concrete(filt, "Error arose in the `filt` argument of trim_zeros()")
    if axis is None:
        axes = set(range(filt.ndim))
    else:
        axes = {a % filt.ndim for a in ((axis,) if isinstance(axis, int) else axis)}
    trim = trim.lower()
    if not axes or ("f" not in trim and "b" not in trim):
        return filt
    host = np.asarray(filt)

    def bounds(ax):
        if ax not in axes:
            return slice(None)
        mask = host.any(axis=tuple(i for i in range(host.ndim) if i != ax))
        if not mask.any():
            return slice(0, 0)
        start = int(mask.argmax()) if "f" in trim else None
        stop = host.shape[ax] - int(mask[::-1].argmax()) if "b" in trim else None
        return slice(start, stop)
    return filt[tuple(bounds(ax) for ax in range(filt.ndim))]


# --- evaluation and fitting ---------------------------------------------------------

@functools.partial(jit, static_argnames=("unroll",))
def _polyval(p, x, unroll):
    p, x = promote_dtypes(p, x)
    shape = broadcast_shapes(p.shape[1:], x.shape, fun_name="polyval")
    y = jnp.zeros(shape, dtype=x.dtype)
    y, _ = lax.scan(lambda y, c: (y * x + c, None), y, p, unroll=unroll)
    return y


def polyval(p, x, *, unroll=16):
    """The polynomial with coefficients ``p`` (highest power first) at ``x``, by
    Horner's rule."""
    check_arraylike("polyval", p, x)
    return _polyval(jnp.asarray(p), jnp.asarray(x), unroll)


@functools.partial(jit, static_argnames=("deg", "rcond", "full", "cov"))
def _polyfit(x, y, deg, rcond, full, w, cov):
    order = deg + 1
    if rcond is None:
        rcond = x.shape[0] * float(dtypes.finfo(x.dtype).eps)
    lhs = vander(x, order)
    rhs = y
    if w is not None:
        w, = promote_dtypes_inexact(w)
        if w.ndim != 1:
            raise TypeError("expected a 1-d array for weights")
        if w.shape[0] != y.shape[0]:
            raise TypeError("expected w and y to have the same length")
        lhs = lhs * w[:, None]
        rhs = rhs * (w[:, None] if rhs.ndim == 2 else w)
    scale = jnp.sqrt((lhs * lhs).sum(axis=0))
    lhs = lhs / scale[None, :]
    c, resids, rank, s = jnp.linalg.lstsq(lhs, rhs, rcond)
    c = (c.T / scale[None, :]).T if c.ndim > 1 else c / scale
    if full:
        return c, resids, rank, s, jnp.asarray(rcond)
    if cov:
        base = jnp.linalg.inv(jnp.dot(lhs.T, lhs)) / jnp.outer(scale, scale)
        if cov == "unscaled":
            fac = jnp.array(1.0)
        else:
            if x.shape[0] <= order:
                raise ValueError("the number of data points must exceed order to scale the "
                                 "covariance matrix")
            fac = resids / (x.shape[0] - order)
        if y.ndim == 1:
            return c, base * jnp.atleast_1d(fac)[None]
        return c, base[:, :, None] * jnp.atleast_1d(fac)[None, None, :]
    return c


def polyfit(x, y, deg, rcond=None, full=False, w=None, cov=False):
    """Least-squares polynomial fit of degree ``deg`` (``numpy.polyfit``): coefficients,
    highest power first; ``full`` adds residuals, rank, singular values and rcond;
    ``cov`` adds the covariance of the coefficients."""
    check_arraylike("polyfit", x, y, *(() if w is None else (w,)))
    x, y = jnp.asarray(x), jnp.asarray(y)
    deg = int(_concrete(deg, "deg must be int"))
    if deg < 0:
        raise ValueError("expected deg >= 0")
    if x.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if x.size == 0:
        raise TypeError("expected non-empty vector for x")
    if y.ndim < 1 or y.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if x.shape[0] != y.shape[0]:
        raise TypeError("expected x and y to have same length")
    if rcond is not None:
        rcond = float(_concrete(rcond, "rcond must be float"))
    return _polyfit(x, y, deg, rcond, full, None if w is None else jnp.asarray(w), cov)


@jit
def _roots_no_zeros(p):
    if p.size < 2:
        return jnp.array([], dtype=_complex_dtype(p.dtype))
    A = jnp.diag(jnp.ones((p.size - 2,), p.dtype), -1)
    A = A.at[0, :].set(-p[1:] / p[0])
    return jnp.linalg.eigvals(A)


@jit
def _roots_with_zeros(p, num_leading_zeros):
    p = jnp.where(p.shape[0] == num_leading_zeros, 1.0, p)
    r = _roots_no_zeros(jnp.roll(p, -num_leading_zeros))
    r = lax.sort_key_val(r == 0, r)[1]
    return jnp.where(jnp.arange(r.size) < r.size - num_leading_zeros, r,
                     complex(np.nan, np.nan))


def roots(p, *, strip_zeros=True):
    """The roots of the polynomial with coefficients ``p`` (complex), as the eigenvalues of
    its companion matrix. Leading zeros are stripped (concrete input needed); with
    ``strip_zeros=False`` (for ``jit``) they give NaN roots instead."""
    check_arraylike("roots", p)
    p, = promote_dtypes_inexact(jnp.asarray(p))
    p = jnp.atleast_1d(p)
    if p.ndim != 1:
        raise ValueError("Input must be a rank-1 array.")
    if p.size < 2:
        return jnp.array([], dtype=_complex_dtype(p.dtype))
    leading = jnp.where(jnp.all(p == 0), p.shape[0], jnp.argmin(p == 0))
    if strip_zeros:
        leading = int(_concrete(
            leading, "The error occurred in the jnp.roots() function. To use this within a "
                     "JIT-compiled context, pass strip_zeros=False, but be aware that leading "
                     "zeros will result in some returned roots being set to NaN."))
        return _roots_no_zeros(p[leading:])
    return _roots_with_zeros(p, leading)


@jit
def _poly(zeros):
    zeros, = promote_dtypes_inexact(zeros)
    zeros = jnp.atleast_1d(zeros)
    sh = zeros.shape
    if len(sh) == 2 and sh[0] == sh[1] and sh[0] != 0:
        zeros = jnp.linalg.eigvals(zeros)
    if zeros.ndim != 1:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    dt = zeros.dtype
    if zeros.shape[0] == 0:
        return jnp.ones((), dtype=dt)
    a = jnp.ones((1,), dtype=dt)
    for k in range(zeros.shape[0]):
        a = convolve(a, jnp.stack([jnp.ones((), dt), -zeros[k]]), mode="full")
    return a


def poly(seq_of_zeros):
    """The coefficients of the monic polynomial with the given roots (or with the
    eigenvalues of a square matrix as roots)."""
    check_arraylike("poly", seq_of_zeros)
    return _poly(jnp.asarray(seq_of_zeros))


# --- arithmetic ------------------------------------------------------------------------

@jit
def _polyadd(a1, a2):
    a1, a2 = promote_dtypes(a1, a2)
    if a2.shape[0] <= a1.shape[0]:
        return a1.at[a1.shape[0] - a2.shape[0]:].add(a2)
    return a2.at[a2.shape[0] - a1.shape[0]:].add(a1)


def polyadd(a1, a2):
    """The sum of two polynomials (aligned at the constant term)."""
    check_arraylike("polyadd", a1, a2)
    return _polyadd(jnp.asarray(a1), jnp.asarray(a2))


@jit
def _polysub(a1, a2):
    a1, a2 = promote_dtypes(a1, a2)
    return _polyadd(a1, -a2)


def polysub(a1, a2):
    """The difference of two polynomials."""
    check_arraylike("polysub", a1, a2)
    return _polysub(jnp.asarray(a1), jnp.asarray(a2))


def polymul(a1, a2, *, trim_leading_zeros=False):
    """The product of two polynomials (a full convolution)."""
    check_arraylike("polymul", a1, a2)
    a1, a2 = promote_dtypes_inexact(jnp.asarray(a1), jnp.asarray(a2))
    if trim_leading_zeros and (a1.shape[0] > 1 or a2.shape[0] > 1):
        a1, a2 = trim_zeros(a1, trim="f"), trim_zeros(a2, trim="f")
    if a1.shape[0] == 0:
        a1 = jnp.zeros(1, dtype=a2.dtype)
    if a2.shape[0] == 0:
        a2 = jnp.zeros(1, dtype=a1.dtype)
    return convolve(a1, a2, mode="full")


def polydiv(u, v, *, trim_leading_zeros=False):
    """Quotient and remainder of polynomial division ``u / v``."""
    check_arraylike("polydiv", u, v)
    u, v = promote_dtypes_inexact(jnp.asarray(u), jnp.asarray(v))
    m, n = u.shape[0] - 1, v.shape[0] - 1
    scale = 1. / v[0]
    q = jnp.zeros(max(m - n + 1, 1), dtype=u.dtype)
    for k in range(0, m - n + 1):
        d = scale * u[k]
        q = q.at[k].set(d)
        u = u.at[k:k + n + 1].add(-d * v)
    if trim_leading_zeros:
        tol = float(np.sqrt(dtypes.finfo(u.dtype).eps))
        host = np.asarray(_concrete(u, "Error arose in the `u` argument of polydiv()"))
        nz = np.nonzero(np.abs(host) >= tol)[0]
        u = u[nz[0]:] if nz.size else u[:0]
    return q, u


def _static_order(m, what):
    return operator.index(_concrete(m, f"'m' argument of jnp.{what}"))


@functools.partial(jit, static_argnames=("m",))
def _polyder(p, m):
    p, = promote_dtypes_inexact(p)
    if m == 0:
        return p
    n = p.shape[0]
    coeff = (jnp.arange(m, n, dtype=p.dtype)[None]
             - jnp.arange(m, dtype=p.dtype)[:, None]).prod(0)
    return p[:n - m] * coeff[::-1]


def polyder(p, m=1):
    """The ``m``-th derivative of a polynomial."""
    check_arraylike("polyder", p)
    m = _static_order(m, "polyder")
    if m < 0:
        raise ValueError("Order of derivative must be positive")
    return _polyder(jnp.asarray(p), m)


@functools.partial(jit, static_argnames=("m",))
def _polyint(p, k, m):
    p, k = promote_dtypes_inexact(p, k)
    k = jnp.atleast_1d(k)
    if k.shape[0] == 1:
        k = jnp.full((m,), k[0])
    if k.shape != (m,):
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or m.")
    if m == 0:
        return p
    grid = (jnp.arange(p.shape[0] + m, dtype=p.dtype)[None]
            - jnp.arange(m, dtype=p.dtype)[:, None])
    coeff = jnp.maximum(1, grid).prod(0)[::-1]
    return jnp.true_divide(jnp.concatenate((p, k)), coeff)


def polyint(p, m=1, k=None):
    """The ``m``-th antiderivative of a polynomial, with integration constants ``k``
    (a scalar or ``m`` values, default 0)."""
    m = _static_order(m, "polyint")
    k = 0 if k is None else k
    check_arraylike("polyint", p, k)
    if m < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    return _polyint(jnp.asarray(p), jnp.asarray(k), m)
