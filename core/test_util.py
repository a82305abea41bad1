"""``check_grads``: verify derivatives against finite differences, as ``jax.test_util`` does.

Forward mode is checked directly: ``jvp(f)(x, t)`` against the central
difference ``(f(x + eps t) - f(x - eps t)) / 2 eps`` along a random direction
``t``. Reverse mode is checked through the adjoint identity
``<J t, c> == <t, J^T c>`` for random ``t`` and ``c``. Higher orders apply the
same checks to the jvp/vjp functions themselves.
"""
import ml_dtypes
import numpy as np

from . import dtypes
from .core import get_aval
from .tree_util import tree_flatten, tree_map

EPS = 1e-4
# atol = rtol per dtype, JAX's defaults: finite differences in low precision are noisy
_TOLERANCE = {np.dtype(ml_dtypes.bfloat16): 1e-1, np.dtype(np.float16): 1e-2,
              np.dtype(np.float32): 2e-3, np.dtype(np.float64): 1e-5,
              np.dtype(np.complex64): 1e-3, np.dtype(np.complex128): 1e-5}


def _tol(leaves, given):
    if given is not None:
        return given
    found = [_TOLERANCE.get(np.dtype(get_aval(x).dtype), 1e-1) for x in leaves
             if dtypes.is_inexact(get_aval(x).dtype)]
    return max(found, default=1e-5)


def _rand_like(rng, tree):
    def one(x):
        aval = get_aval(x)
        if not dtypes.is_inexact(aval.dtype):
            return np.zeros(aval.shape, aval.dtype)
        v = rng.standard_normal(aval.shape)
        if dtypes.is_complex(aval.dtype):
            v = v + 1j * rng.standard_normal(aval.shape)
        return np.asarray(v, dtype=aval.dtype)
    return tree_map(one, tree)


def _host(tree):
    return [_host_leaf(x) for x in tree_flatten(tree)[0]]


def _host_leaf(x):
    """A leaf as float64/complex128 on the host; float0 (integer inputs' cotangents) -> 0."""
    a = np.asarray(x)
    if a.dtype.kind == "V":
        return np.zeros(a.shape)
    return a.astype(np.complex128 if np.iscomplexobj(a) else np.float64)


def _axpy(alpha, t, x):
    def one(xi, ti):
        aval = get_aval(xi)
        if not dtypes.is_inexact(aval.dtype):
            return xi
        return (xi + alpha * ti).astype(aval.dtype) if hasattr(xi, "astype") else xi + alpha * ti
    return tree_map(one, x, t)


def numerical_jvp(f, primals, tangents, eps=EPS):
    """Central finite difference of ``f`` at ``primals`` along ``tangents`` (host float64)."""
    plus = _host(f(*_axpy(eps, tangents, primals)))
    minus = _host(f(*_axpy(-eps, tangents, primals)))
    return [(p - m) / (2 * eps) for p, m in zip(plus, minus)]


def _inner(xs, ys):
    return sum(np.vdot(np.asarray(x, np.complex128), np.asarray(y, np.complex128)).real
               for x, y in zip(xs, ys))


def _assert_close(what, actual, expected, tol):
    for i, (a, e) in enumerate(zip(actual, expected)):
        a, e = np.asarray(a, np.complex128), np.asarray(e, np.complex128)
        if not np.allclose(a, e, atol=tol, rtol=tol, equal_nan=True):
            err = np.max(np.abs(a - e)) if a.size else 0.0
            raise AssertionError(f"check_grads: {what} mismatch in output {i} (max abs error "
                                 f"{err:.3g}, tolerance {tol:g}).\nactual:   {a}\nexpected: {e}")


def check_jvp(f, f_jvp, args, atol=None, rtol=None, eps=EPS, rng=None):
    rng = rng or np.random.default_rng(0)
    tangents = _rand_like(rng, args)
    value, tangent_out = f_jvp(args, tangents)
    tol = _tol(tree_flatten(args)[0], atol)
    _assert_close("primal output of jvp", _host(value), _host(f(*args)), tol)
    _assert_close("jvp vs finite differences", _host(tangent_out),
                  numerical_jvp(f, args, tangents, eps), tol)


def check_vjp(f, f_vjp, args, atol=None, rtol=None, eps=EPS, rng=None):
    rng = rng or np.random.default_rng(1)
    value, vjp_fun = f_vjp(*args)
    tol = _tol(tree_flatten(args)[0], atol)
    _assert_close("primal output of vjp", _host(value), _host(f(*args)), tol)
    tangents = _rand_like(rng, args)
    jt = numerical_jvp(f, args, tangents, eps)
    ct = _rand_like(rng, value)
    ct_in = vjp_fun(ct)
    lhs = _inner(_host(tangents), _host(ct_in))
    rhs = _inner(jt, _host(ct))
    scale = max(1.0, abs(lhs), abs(rhs))
    if abs(lhs - rhs) > tol * scale:
        raise AssertionError(f"check_grads: vjp disagrees with finite differences: "
                             f"<t, vjp(c)> = {lhs:.6g} but <jvp(t), c> = {rhs:.6g} "
                             f"(tolerance {tol:g})")


def check_grads(f, args, order, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Check ``f``'s derivatives up to ``order`` against finite differences.

    Args:
      f: function of the positional ``args`` (pytrees of arrays).
      args: tuple of arguments.
      order: highest derivative order to check (1: jvp/vjp; 2: their derivatives...).
      modes: ``"fwd"`` (jvp) and/or ``"rev"`` (vjp).
      atol, rtol: tolerances (default: by dtype as in JAX, 2e-3 for float32, 1e-5 for float64).
      eps: finite-difference step (default 1e-4).

    Raises AssertionError describing the first mismatch.

    Example::

        check_grads(jnp.sin, (0.5,), order=2)
    """
    from .autodiff import jvp, vjp
    eps = eps or EPS
    args = tuple(args)

    def check(f, args, order):
        if "fwd" in modes:
            check_jvp(f, lambda a, t: jvp(f, a, t), args, atol, rtol, eps)
            if order > 1:
                tangents = _rand_like(np.random.default_rng(2), args)
                check(lambda *a: jvp(f, a, tangents)[1], args, order - 1)
        if "rev" in modes:
            check_vjp(f, lambda *a: vjp(f, *a), args, atol, rtol, eps)
            if order > 1:
                ct = _rand_like(np.random.default_rng(3), f(*args))
                check(lambda *a: vjp(f, *a)[1](ct), args, order - 1)
    check(f, args, order)
