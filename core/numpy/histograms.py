"""Counting and binning, covariance: ``bincount``, ``digitize``, ``histogram``,
``histogram_bin_edges``, ``histogram2d``, ``histogramdd``, ``cov``, ``corrcoef``.

As in JAX, counts are a scatter-add (``zeros(n).at[idx].add(w)``) and bins are
found with ``searchsorted``; the number of bins must be static: ``bincount``
reads it from the data eagerly, and under ``jit`` needs ``length=`` (else JAX's
``ConcretizationTypeError``). ``cov``/``corrcoef`` are ``average`` plus a ``dot``.
"""
import builtins
import functools
import math
import operator

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..core import Tracer
from ..errors import ConcretizationTypeError
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import check_arraylike, promote_dtypes_inexact

__all__ = ["bincount", "digitize", "histogram", "histogram_bin_edges", "histogram2d",
           "histogramdd", "cov", "corrcoef"]


def _concrete(x, message):
    """The host value of ``x``, or ConcretizationTypeError with ``message``."""
    if isinstance(x, Tracer):
        value = x.to_concrete_value()
        if value is None:
            raise ConcretizationTypeError(x, message)
        return np.asarray(value)
    return np.asarray(x)


# --- bincount, digitize --------------------------------------------------------

def bincount(x, weights=None, minlength=0, *, length=None):
    """Count of each non-negative int in the 1-D ``x`` (``numpy.bincount``), or the sum of
    ``weights`` per value. Negative values count in bin 0 (they are clipped), values
    ``>= length`` are dropped. Under ``jit`` pass a static ``length``."""
    check_arraylike("bincount", x)
    x = jnp.asarray(x)
    if x.dtype == np.bool_:
        x = lax.convert_element_type(x, np.int32)
    if not dtypes.is_int(x.dtype):
        raise TypeError(f"x argument to bincount must have an integer type; got {x.dtype}")
    if x.ndim != 1:
        raise ValueError("only 1-dimensional input supported.")
    minlength = operator.index(_concrete(
        minlength, "The error occurred because of argument 'minlength' of jnp.bincount."))
    if length is None:
        host = _concrete(x, "The error occurred because of argument 'x' of jnp.bincount. "
                            "To avoid this error, pass a static `length` argument.")
        length = builtins.max(minlength, host.size and int(builtins.max(0, host.max())) + 1)
    else:
        length = operator.index(_concrete(
            length, "The error occurred because of argument 'length' of jnp.bincount."))
    if weights is None:
        weights = np.array(1, dtype=dtypes.default_int())
    else:
        check_arraylike("bincount", weights)
        if np.shape(x) != np.shape(weights):
            raise ValueError(f"weights must have the shape of x: got shape {np.shape(weights)} "
                             f"for x of shape {np.shape(x)}")
    dtype = jnp.asarray(weights).dtype
    return jnp.zeros(length, dtype).at[jnp.clip(x, 0)].add(weights, mode="drop")


@functools.partial(jit, static_argnames=("right", "method"))
def _digitize(x, bins, right, method):
    if bins.ndim != 1:
        raise ValueError(f"digitize: bins must be a 1-dimensional array; got bins={bins}")
    if bins.shape[0] == 0:
        return jnp.zeros_like(x, dtype=np.int32)
    side = "left" if right else "right"
    kwds = {} if method is None else {"method": method}
    return jnp.where(bins[-1] >= bins[0], jnp.searchsorted(bins, x, side=side, **kwds),
                     bins.shape[0] - jnp.searchsorted(bins[::-1], x, side=side, **kwds))


def digitize(x, bins, right=False, *, method=None):
    """Index of the bin each value of ``x`` falls in (``numpy.digitize``); ``bins`` is
    monotonic, increasing or decreasing."""
    check_arraylike("digitize", x, bins)
    right = bool(_concrete(right, "right argument of jnp.digitize()"))
    return _digitize(jnp.asarray(x), jnp.asarray(bins), right, method)


# --- histograms ----------------------------------------------------------------

def _inexact_dtype(dtype):
    return dtype if dtypes.is_inexact(dtype) else dtypes.default_float()


def histogram_bin_edges(a, bins=10, range=None, weights=None):
    """The bin edges ``histogram`` would use: ``bins`` given as an array, or ``bins + 1``
    evenly spaced edges over ``range`` (default: the data's min and max)."""
    del weights   # only string bins (unsupported, as in JAX) would use them
    if isinstance(bins, str):
        raise NotImplementedError("string values for `bins` not implemented.")
    check_arraylike("histogram_bin_edges", a, bins)
    arr = jnp.asarray(a)
    dtype = _inexact_dtype(arr.dtype)
    if np.ndim(bins) == 1:
        return jnp.asarray(bins, dtype=dtype)
    nbins = operator.index(_concrete(bins, "bins argument of histogram_bin_edges"))
    if range is None:
        range = [arr.min(), arr.max()]
    range = jnp.asarray(range, dtype=dtype)
    if range.shape != (2,):
        raise ValueError(f"`range` must be either None or a sequence of scalars, got {range}")
    flat = jnp.ptp(range) == 0
    lo = jnp.where(flat, range[0] - 0.5, range[0])
    hi = jnp.where(flat, range[1] + 0.5, range[1])
    return jnp.linspace(lo, hi, nbins + 1, dtype=dtype)


def histogram(a, bins=10, range=None, weights=None, density=None):
    """The histogram of ``a`` (``numpy.histogram``): ``(counts, bin_edges)``.

    The last bin includes its right edge; values outside ``range`` are not counted.
    ``counts`` is float (the sum of ``weights``, default ones); with ``density`` it
    is normalised to integrate to 1.
    """
    if weights is None:
        check_arraylike("histogram", a, bins)
        a, = promote_dtypes_inexact(jnp.asarray(a))
        weights = jnp.ones_like(a)
    else:
        check_arraylike("histogram", a, bins, weights)
        if np.shape(a) != np.shape(weights):
            raise ValueError("weights should have the same shape as a.")
        a, weights = promote_dtypes_inexact(jnp.asarray(a), jnp.asarray(weights))
    edges = histogram_bin_edges(a, bins, range, weights)
    n = edges.shape[0]
    idx = jnp.searchsorted(edges, a, side="right")
    idx = jnp.where(a == edges[-1], n - 1, idx)
    counts = jnp.zeros(n, weights.dtype).at[idx].add(weights)[1:]
    if density:
        counts = counts / jnp.diff(edges) / counts.sum()
    return counts, edges


def histogramdd(sample, bins=10, range=None, weights=None, density=None):
    """The histogram of ``N`` points in ``D`` dimensions (``sample`` of shape ``(N, D)``):
    ``(hist, [edges per dimension])``."""
    if weights is None:
        check_arraylike("histogramdd", sample)
        sample, = promote_dtypes_inexact(jnp.asarray(sample))
    else:
        check_arraylike("histogramdd", sample, weights)
        if np.shape(weights) != np.shape(sample)[:1]:
            raise ValueError("should have one weight for each sample.")
        sample, weights = promote_dtypes_inexact(jnp.asarray(sample), jnp.asarray(weights))
    N, D = sample.shape
    if range is not None and (len(range) != D or any(
            r is not None and np.shape(r)[0] != 2 for r in range)):
        raise ValueError(f"For sample.shape={(N, D)}, range must be a sequence of {D} pairs "
                         f"or Nones; got range={range}")
    try:
        per_dim = list(bins)
    except TypeError:
        per_dim = D * [bins]
    else:
        if len(per_dim) != D:
            raise ValueError("should be a bin for each dimension.")
    indices, edges = [], []
    for i in builtins.range(D):
        e = histogram_bin_edges(sample[:, i], per_dim[i], None if range is None else range[i])
        idx = jnp.searchsorted(e, sample[:, i], side="right")
        indices.append(jnp.where(sample[:, i] == e[-1], idx - 1, idx))
        edges.append(e)
    nbins = tuple(e.shape[0] + 1 for e in edges)
    flat = jnp.ravel_multi_index(tuple(indices), nbins, mode="clip")
    hist = jnp.reshape(bincount(flat, weights, length=math.prod(nbins)), nbins)
    hist = hist[D * (slice(1, -1),)]
    if density:
        hist = hist.astype(sample.dtype)
        hist = hist / hist.sum()
        for norm in jnp.ix_(*[jnp.diff(e) for e in edges]):
            hist = hist / norm
    return hist, edges


def histogram2d(x, y, bins=10, range=None, weights=None, density=None):
    """The 2-D histogram of points ``(x[i], y[i])``: ``(hist, x_edges, y_edges)``."""
    check_arraylike("histogram2d", x, y)
    try:
        N = len(bins)
    except TypeError:
        N = 1
    if N != 1 and N != 2:
        edges = jnp.asarray(bins)
        bins = [edges, edges]
    sample = jnp.transpose(jnp.asarray([x, y]))
    hist, edges = histogramdd(sample, bins, range, weights, density)
    return hist, edges[0], edges[1]


# --- cov, corrcoef --------------------------------------------------------------

@functools.partial(jit, static_argnames=("rowvar", "bias", "ddof", "dtype"))
def _cov(m, y, fweights, aweights, *, rowvar, bias, ddof, dtype):
    if y is not None:
        m, y = promote_dtypes_inexact(m, y)
        if y.ndim > 2:
            raise ValueError("y has more than 2 dimensions")
    else:
        m, = promote_dtypes_inexact(m)
    if m.ndim > 2:
        raise ValueError("m has more than 2 dimensions")
    X = jnp.atleast_2d(m)
    if not rowvar and m.ndim != 1:
        X = X.T
    if X.shape[0] == 0:
        return jnp.array([]).reshape(0, 0)
    if y is not None:
        y2 = jnp.atleast_2d(y)
        if not rowvar and y2.shape[0] != 1:
            y2 = y2.T
        X = jnp.concatenate((X, y2), axis=0)
    if X.shape[1] == 0:
        shape = () if X.shape[0] == 1 else (X.shape[0], X.shape[0])
        return jnp.full(shape, np.nan, dtype=X.dtype)
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    w = None
    if fweights is not None:
        if fweights.ndim > 1:
            raise RuntimeError("cannot handle multidimensional fweights")
        if fweights.shape[0] != X.shape[1]:
            raise RuntimeError("incompatible numbers of samples and fweights")
        if not dtypes.is_int(fweights.dtype):
            raise TypeError("fweights must be integer.")
        w = jnp.abs(fweights)
    if aweights is not None:
        if aweights.ndim > 1:
            raise RuntimeError("cannot handle multidimensional aweights")
        if aweights.shape[0] != X.shape[1]:
            raise RuntimeError("incompatible numbers of samples and aweights")
        aweights = jnp.abs(aweights)
        w = jnp.asarray(aweights if w is None else w * aweights)
    if dtype is not None:
        X = X.astype(dtype)
        w = None if w is None else w.astype(dtype)
    avg, w_sum = jnp.average(X, axis=1, weights=w, returned=True)
    w_sum = w_sum[0]
    if w is None:
        f = X.shape[1] - ddof
    elif ddof == 0:
        f = w_sum
    elif aweights is None:
        f = w_sum - ddof
    else:
        f = w_sum - ddof * jnp.sum(w * aweights) / w_sum
    X = X - avg[:, None]
    X_T = X.T if w is None else (X * w[None, :]).T
    return jnp.true_divide(jnp.dot(X, X_T.conj()), f).squeeze()


def cov(m, y=None, rowvar=True, bias=False, ddof=None, fweights=None, aweights=None,
        dtype=None):
    """The covariance matrix of the variables in the rows of ``m`` (columns if not
    ``rowvar``), optionally with the rows of ``y`` added (``numpy.cov``)."""
    check_arraylike("cov", m, *[v for v in (y, fweights, aweights) if v is not None])
    if dtype is not None:
        dtype = np.dtype(dtype)
        if not dtypes.is_inexact(dtype):
            raise ValueError(f"cov: dtype must be a subclass of float or complex; got "
                             f"dtype={dtype}")
    as_arr = lambda v: None if v is None else jnp.asarray(v)  # noqa: E731
    return _cov(jnp.asarray(m), as_arr(y), as_arr(fweights), as_arr(aweights),
                rowvar=bool(rowvar), bias=bool(bias),
                ddof=None if ddof is None else operator.index(ddof), dtype=dtype)


@functools.partial(jit, static_argnames=("rowvar", "dtype"))
def _corrcoef(x, y, *, rowvar, dtype):
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return jnp.divide(c, c)
    d = jnp.diag(c)
    stddev = jnp.sqrt(jnp.real(d)).astype(c.dtype)
    c = c / stddev[:, None] / stddev[None, :]
    real = jnp.clip(jnp.real(c), -1, 1)
    if dtypes.is_complex(c.dtype):
        return lax.complex(real, jnp.clip(jnp.imag(c), -1, 1))
    return real


def corrcoef(x, y=None, rowvar=True, dtype=None):
    """Pearson correlation coefficients (``numpy.corrcoef``), clipped to [-1, 1]."""
    check_arraylike("corrcoef", x, *(() if y is None else (y,)))
    if dtype is not None:
        dtype = np.dtype(dtype)
        if not dtypes.is_inexact(dtype):
            raise ValueError(f"corrcoef: dtype must be a subclass of float or complex; got "
                             f"dtype={dtype}")
    return _corrcoef(jnp.asarray(x), None if y is None else jnp.asarray(y),
                     rowvar=bool(rowvar), dtype=dtype)
