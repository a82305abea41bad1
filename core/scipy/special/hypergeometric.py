"""The confluent (``hyp1f1``) and Gauss (``hyp2f1``) hypergeometric functions."""

import numpy as np

from ... import dtypes, lax
from ... import numpy as jnp
from ...api import jit
from ...custom_derivatives import custom_jvp
from ._util import _c, _no_complex, _promote_inexact
from .gamma import digamma, gamma


# --- confluent hypergeometric function 1F1 ------------------------------------------------

def _series(x, init, first, term_ratio, weight=None):
    """``init + sum_{k >= 1} weight(k) t_k`` with ``t_1 = first`` and
    ``t_{k+1} = t_k * term_ratio(k)``, stopped when ``|t_k / sum|`` falls below the
    float epsilon or after 250 terms (JAX's loops)."""
    eps = dtypes.finfo(x.dtype).eps
    weight = weight or (lambda k: 1)

    def body(state):
        total, k, term = state
        return total + term * weight(k), k + 1, term * term_ratio(k)

    def cond(state):
        total, k, term = state
        return (k < 250) & (lax.abs(term) / lax.abs(total) > eps)

    return lax.while_loop(cond, body, (_c(x, init), np.int32(1), first))[0]


def _hyp1f1_series(a, b, x):
    # the defining series, |x| < 100 (Pearson, Olver and Porter, arXiv:1407.7786)
    return _series(x, 1., a / b * x, lambda k: (a + k) / (b + k) * x / (k + 1))


def _hyp1f1_asymptotic(a, b, x):
    # the asymptotic expansion for large |x|
    total = _series(x, 1., (b - a) * (1 - a) / x,
                    lambda k: (b - a + k) * (1 - a + k) / (k + 1) / x)
    return gamma(b) / gamma(a) * lax.exp(x) * x ** (a - b) * total


@jit
@jnp.vectorize
def _hyp1f1_a_derivative(a, b, x):
    return _series(x, 0., a / b * x, lambda k: (a + k) / (b + k) * x / (k + 1),
                   lambda k: digamma(a + k) - digamma(a))


@jit
@jnp.vectorize
def _hyp1f1_b_derivative(a, b, x):
    return _series(x, 0., a / b * x, lambda k: (a + k) / (b + k) * x / (k + 1),
                   lambda k: digamma(b) - digamma(b + k))


@jit
@jnp.vectorize
def _hyp1f1_impl(a, b, x):
    result = lax.cond(lax.abs(x) < 100, _hyp1f1_series, _hyp1f1_asymptotic, a, b, x)
    index = (a == 0) * 1 + ((a == b) & (a != 0)) * 2 + ((b == 0) & (a != 0)) * 3
    return lax.select_n(index, result, jnp.array(1, dtype=x.dtype), jnp.exp(x),
                        jnp.array(np.inf, dtype=x.dtype))


@custom_jvp
def _hyp1f1(a, b, x):
    return _hyp1f1_impl(a, b, x)


_hyp1f1.defjvps(
    lambda g, ans, a, b, x: _hyp1f1_a_derivative(a, b, x) * g,
    lambda g, ans, a, b, x: _hyp1f1_b_derivative(a, b, x) * g,
    lambda g, ans, a, b, x: a / b * _hyp1f1(a + 1, b + 1, x) * g)


def hyp1f1(a, b, x):
    """Kummer's confluent hypergeometric function ``1F1(a; b; x) = sum_k (a)_k / (b)_k
    x**k / k!`` (the series for ``|x| < 100``, the asymptotic expansion beyond; 1 at
    ``a == b == 0``, unlike SciPy; large values are inaccurate in float32)."""
    a, b, x = _promote_inexact("hyp1f1", a, b, x)
    _no_complex("hyp1f1", x)
    return _hyp1f1(a, b, x)


# --- Gauss's hypergeometric function 2F1 ------------------------------------------------

def _hyp2f1_terminal(a, b, c, x):
    # the polynomial when a (or b, swapped in) is a non-positive integer
    eps = dtypes.finfo(x.dtype).eps * 50
    ib = jnp.round(b)
    swap = (b < a) & (jnp.abs(b - ib) < eps) & ~((c % 1 == 0) & (c <= 0) & (c > b))
    a, b = jnp.where(swap, b, a), jnp.where(swap, a, b)
    a = jnp.abs(a)

    def body(i, state):
        total, term = state
        term = term * (-(a - i + 1) / (c + i - 1) * (b + i - 1) / i * x)
        return total + term, term

    one = jnp.array(1, dtype=x.dtype)
    return lax.fori_loop(jnp.array(1, dtype=a.dtype), a + 1, body, (one, one))[0]


def _hyp2f1_series(a, b, c, x):
    rtol = dtypes.finfo(x.dtype).eps

    def body(state):
        total, k, term = state
        return (total + term, k + 1,
                term * ((a + k - 1) * (b + k - 1) / (c + k - 1) / k * x))

    def cond(state):
        total, k, term = state
        return (k < 250) & (lax.abs(term) > rtol * lax.abs(total))

    init = tuple(jnp.array(v, dtype=x.dtype) for v in (0, 1, 1))
    return lax.while_loop(cond, body, init)[0]


def _hyp2f1_digamma_transform(a, b, c, x):
    # x near 1 with c - a - b (nearly) an integer: the logarithmic case of the 1 - x
    # transformation (Abramowitz and Stegun 15.3.10-12, as Cephes' hys2f1)
    rtol = dtypes.finfo(x.dtype).eps
    d = c - a - b
    s = 1 - x
    rd = jnp.round(d)
    e = jnp.where(rd >= 0, d, -d)
    d1 = jnp.where(rd >= 0, d, jnp.array(0, dtype=d.dtype))
    d2 = jnp.where(rd >= 0, jnp.array(0, dtype=d.dtype), d)
    ard = jnp.where(rd >= 0, rd, -rd).astype("int32")
    ax = jnp.log(s)
    y = digamma(1.0) + digamma(1.0 + e) - digamma(a + d1) - digamma(b + d1) - ax
    y = y / gamma(e + 1.0)
    p = (a + d1) * (b + d1) * s / gamma(e + 2.0)

    def cond(state):
        p, q, t, y = state
        return (t < 250) & (jnp.abs(q) >= rtol * jnp.abs(y))

    def body(state):
        p, q, t, y = state
        r = (digamma(1.0 + t) + digamma(1.0 + t + e) - digamma(a + t + d1)
             - digamma(b + t + d1) - ax)
        q = p * r
        y = y + q
        p = p * (s * (a + t + d1) / (t + 1.0))
        p = p * ((b + t + d1) / (t + 1.0 + e))
        return p, q, t + 1.0, y

    _, _, _, y = lax.while_loop(cond, body, (p, y, jnp.array(1, dtype=x.dtype), y))

    def finite_sum(y):
        def for_body(i, state):
            p, t, y1 = state
            p = p * (s * (a + t + d2) * (b + t + d2) / (1.0 - e + t))
            t = t + 1.0
            p = p / t
            return p, t, y1 + p

        one = jnp.array(1, dtype=x.dtype)
        y1 = lax.fori_loop(1, ard, for_body, (one, jnp.array(0, dtype=x.dtype), one))[-1]
        g = gamma(c)
        y1 = y1 * (gamma(e) * g / (gamma(a + d1) * gamma(b + d1)))
        y = y * (g / (gamma(a + d2) * gamma(b + d2)))
        y = jnp.where((ard & 1) != 0, -y, y)
        q = s ** rd
        return jnp.where(rd > 0, y * q + y1, y + y1 * q)

    return jnp.where(rd == 0, y * gamma(c) / (gamma(a) * gamma(b)), finite_sum(y))


def _hyp2f1_terminal_or_series(a, b, c, x):
    eps = dtypes.finfo(x.dtype).eps * 50
    d = c - a - b
    neg_int_a = (a <= 0) & (jnp.abs(a - jnp.round(a)) < eps)
    neg_int_b = (b <= 0) & (jnp.abs(b - jnp.round(b)) < eps)
    neg_int = neg_int_a | neg_int_b
    index = jnp.where((x > 0.9) & ~neg_int,
                      jnp.where(jnp.abs(d - jnp.round(d)) >= eps, 0, 1),
                      jnp.where(neg_int, 2, 0))
    return lax.select_n(index, _hyp2f1_series(a, b, c, x),
                        _hyp2f1_digamma_transform(a, b, c, x),
                        _hyp2f1_terminal(a, b, c, x))


def _hyp2f1_param_derivative(weight):
    @jit
    @jnp.vectorize
    def derivative(a, b, c, x):
        return _series(x, 0., a * b / c * x,
                       lambda k: (a + k) * (b + k) / (c + k) / (k + 1) * x,
                       lambda k: weight(a, b, c, k))
    return derivative


_hyp2f1_a_derivative = _hyp2f1_param_derivative(lambda a, b, c, k: digamma(a + k) - digamma(a))
_hyp2f1_b_derivative = _hyp2f1_param_derivative(lambda a, b, c, k: digamma(b + k) - digamma(b))
_hyp2f1_c_derivative = _hyp2f1_param_derivative(lambda a, b, c, k: digamma(c) - digamma(c + k))


@jit
@jnp.vectorize
def _hyp2f1_impl(a, b, c, x):
    eps = dtypes.finfo(x.dtype).eps * 50
    d, s, ca, cb = c - a - b, 1 - x, c - a, c - b
    near_int_d = jnp.abs(d - jnp.round(d)) >= eps
    index = jnp.where(
        (x == 0) | (((a == 0) | (b == 0)) & (c != 0)), 0,
        jnp.where((c == 0) | ((c < 0) & (c % 1 == 0)), 1,
        jnp.where((d <= -1) & ~(near_int_d & (s < 0)), 2,
        jnp.where((d <= 0) & (x == 1), 1,
        jnp.where((x < 1) & (b == c), 3,
        jnp.where((x < 1) & (a == c), 4,
        jnp.where(x > 1, 1,
        jnp.where(x == 1, 5, 6))))))))
    return lax.select_n(index,
                        jnp.array(1, dtype=x.dtype),
                        jnp.array(np.inf, dtype=x.dtype),
                        s ** d * _hyp2f1_terminal_or_series(ca, cb, c, x),
                        s ** (-a),
                        s ** (-b),
                        gamma(c) * gamma(d) / (gamma(ca) * gamma(cb)),
                        _hyp2f1_terminal_or_series(a, b, c, x))


@custom_jvp
def _hyp2f1(a, b, c, x):
    return _hyp2f1_impl(a, b, c, x)


_hyp2f1.defjvps(
    lambda g, ans, a, b, c, x: _hyp2f1_a_derivative(a, b, c, x) * g,
    lambda g, ans, a, b, c, x: _hyp2f1_b_derivative(a, b, c, x) * g,
    lambda g, ans, a, b, c, x: _hyp2f1_c_derivative(a, b, c, x) * g,
    lambda g, ans, a, b, c, x: a * b / c * _hyp2f1(a + 1, b + 1, c + 1, x) * g)


def hyp2f1(a, b, c, x):
    """Gauss's hypergeometric function ``2F1(a, b; c; x) = sum_k (a)_k (b)_k / (c)_k
    x**k / k!`` for real arguments, ``x <= 1`` (inf beyond, as JAX): the series, the
    terminating polynomial, Euler's transformation, and the logarithmic ``1 - x``
    transformation near ``x = 1``."""
    a, b, c, x = _promote_inexact("hyp2f1", a, b, c, x)
    return _hyp2f1(a, b, c, x)
