"""``glassbox.scipy.optimize``: ``minimize(fun, x0, method="BFGS")``, as
``jax.scipy.optimize``: BFGS with a strong-Wolfe line search (Nocedal & Wright,
algorithms 3.5 and 3.6, the zoom interpolating by cubic, then quadratic, then
bisection), each loop a ``lax.while_loop``, so that the whole minimization traces once
and runs under ``jit`` and ``vmap`` as one compiled program.

The outer loop and line search are written from JAX's definitions, in the same order
of operations, so that the iterates are JAX's.
"""
import functools
from typing import Any, NamedTuple

import numpy as np

from .. import dtypes, lax
from .. import numpy as jnp
from ..numpy._util import promote_dtypes_inexact

_dot = functools.partial(jnp.dot, precision=lax.Precision.HIGHEST)


class OptimizeResults(NamedTuple):
    """What ``minimize`` returns: the solution ``x``, ``success`` (converged and the
    line search did not fail), ``status`` (0 converged, 1 ``maxiter`` reached, 2 + the
    line search's status when it failed, -1 otherwise), the value ``fun`` and
    gradient ``jac`` at ``x``, the inverse-Hessian estimate ``hess_inv``, and the counts
    ``nfev``, ``njev`` (function and gradient evaluations) and ``nit`` (iterations)."""
    x: Any
    success: Any
    status: Any
    fun: Any
    jac: Any
    hess_inv: Any
    nfev: Any
    njev: Any
    nit: Any


def _replace_where(bit, state, new, keys=None):
    """``state``'s fields in ``keys`` (default: ``new``'s) replaced by ``new``'s where ``bit``."""
    keys = new.keys() if keys is None else keys
    return {k: jnp.where(bit, new[k], state[k]) for k in keys}


def value_and_grad(fun):
    """``glassbox.value_and_grad(fun)``. ``autodiff`` is layer 5, above this library, so
    it is imported here, when a minimization is traced (listed in tests/test_layers.py)."""
    from ..autodiff import value_and_grad as _value_and_grad
    return _value_and_grad(fun)


# --- line search -----------------------------------------------------------------------

def _cubicmin(a, fa, fpa, b, fb, c, fc):
    """Minimizer of the cubic through ``(a, fa)`` with slope ``fpa`` there, ``(b, fb)``
    and ``(c, fc)``."""
    dtype = dtypes.result_type(a, fa, fpa, b, fb, c, fc)
    C = fpa
    db = b - a
    dc = c - a
    denom = (db * dc) ** 2 * (db - dc)
    d1 = jnp.array([[dc ** 2, -db ** 2], [-dc ** 3, db ** 3]], dtype=dtype)
    d2 = jnp.array([fb - fa - C * db, fc - fa - C * dc], dtype=dtype)
    A, B = _dot(d1, d2) / denom
    radical = B * B - 3. * A * C
    return a + (-B + jnp.sqrt(radical)) / (3. * A)


def _quadmin(a, fa, fpa, b, fb):
    """Minimizer of the parabola through ``(a, fa)`` with slope ``fpa`` and ``(b, fb)``."""
    db = b - a
    B = (fb - fa - fpa * db) / (db ** 2)
    return a - fpa / (2. * B)


class _ZoomState(NamedTuple):
    done: Any
    failed: Any
    j: Any
    a_lo: Any
    phi_lo: Any
    dphi_lo: Any
    a_hi: Any
    phi_hi: Any
    dphi_hi: Any
    a_rec: Any
    phi_rec: Any
    a_star: Any
    phi_star: Any
    dphi_star: Any
    g_star: Any
    nfev: Any
    ngev: Any


def _zoom(phi_dphi, wolfe_one, wolfe_two, a_lo, phi_lo, dphi_lo, a_hi, phi_hi, dphi_hi,
          g_0, pass_through):
    """Shrink ``[a_lo, a_hi]`` (which brackets a step satisfying the strong Wolfe
    conditions) until a step satisfies them; skipped entirely when ``pass_through``."""
    state = _ZoomState(done=False, failed=False, j=0, a_lo=a_lo, phi_lo=phi_lo,
                       dphi_lo=dphi_lo, a_hi=a_hi, phi_hi=phi_hi, dphi_hi=dphi_hi,
                       a_rec=(a_lo + a_hi) / 2., phi_rec=(phi_lo + phi_hi) / 2.,
                       a_star=1., phi_star=phi_lo, dphi_star=dphi_lo, g_star=g_0,
                       nfev=0, ngev=0)
    delta1, delta2 = 0.2, 0.1

    def body(s):
        dalpha = s.a_hi - s.a_lo
        a = jnp.minimum(s.a_hi, s.a_lo)
        b = jnp.maximum(s.a_hi, s.a_lo)
        cchk = delta1 * dalpha
        qchk = delta2 * dalpha
        threshold = jnp.where(dtypes.finfo(dalpha.dtype).bits < 64, 1e-5, 1e-10)
        s = s._replace(failed=s.failed | (dalpha <= threshold))
        a_cubic = _cubicmin(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi, s.a_rec, s.phi_rec)
        use_cubic = (s.j > 0) & (a_cubic > a + cchk) & (a_cubic < b - cchk)
        a_quad = _quadmin(s.a_lo, s.phi_lo, s.dphi_lo, s.a_hi, s.phi_hi)
        use_quad = (~use_cubic) & (a_quad > a + qchk) & (a_quad < b - qchk)
        use_bisection = (~use_cubic) & (~use_quad)
        a_j = jnp.where(use_cubic, a_cubic, s.a_rec)
        a_j = jnp.where(use_quad, a_quad, a_j)
        a_j = jnp.where(use_bisection, (s.a_lo + s.a_hi) / 2., a_j)
        phi_j, dphi_j, g_j = phi_dphi(a_j)
        phi_j = phi_j.astype(s.phi_lo.dtype)
        dphi_j = dphi_j.astype(s.dphi_lo.dtype)
        g_j = g_j.astype(s.g_star.dtype)
        s = s._replace(nfev=s.nfev + 1, ngev=s.ngev + 1)

        hi_to_j = wolfe_one(a_j, phi_j) | (phi_j >= s.phi_lo)
        star_to_j = wolfe_two(dphi_j) & (~hi_to_j)
        hi_to_lo = (dphi_j * (s.a_hi - s.a_lo) >= 0.) & (~hi_to_j) & (~star_to_j)
        lo_to_j = (~hi_to_j) & (~star_to_j)

        s = s._replace(**_replace_where(hi_to_j, s._asdict(), dict(
            a_hi=a_j, phi_hi=phi_j, dphi_hi=dphi_j, a_rec=s.a_hi, phi_rec=s.phi_hi)))
        s = s._replace(done=star_to_j | s.done, **_replace_where(star_to_j, s._asdict(), dict(
            a_star=a_j, phi_star=phi_j, dphi_star=dphi_j, g_star=g_j)))
        s = s._replace(**_replace_where(hi_to_lo, s._asdict(), dict(
            a_hi=s.a_lo, phi_hi=s.phi_lo, dphi_hi=s.dphi_lo, a_rec=s.a_hi, phi_rec=s.phi_hi)))
        s = s._replace(**_replace_where(lo_to_j & ~hi_to_lo, s._asdict(), dict(
            a_rec=s.a_lo, phi_rec=s.phi_lo)))
        s = s._replace(**_replace_where(lo_to_j, s._asdict(), dict(
            a_lo=a_j, phi_lo=phi_j, dphi_lo=dphi_j)))
        s = s._replace(j=s.j + 1)
        return s._replace(failed=s.failed | (s.j >= 30))

    return lax.while_loop(lambda s: (~s.done) & (~pass_through) & (~s.failed), body, state)


class _LineSearchState(NamedTuple):
    done: Any
    failed: Any
    i: Any
    a_i1: Any
    phi_i1: Any
    dphi_i1: Any
    nfev: Any
    ngev: Any
    a_star: Any
    phi_star: Any
    dphi_star: Any
    g_star: Any


class _LineSearchResults(NamedTuple):
    failed: Any
    nit: Any
    nfev: Any
    ngev: Any
    k: Any
    a_k: Any
    f_k: Any
    g_k: Any
    status: Any


def _line_search(f, xk, pk, old_fval=None, old_old_fval=None, gfk=None, c1=1e-4, c2=0.9,
                 maxiter=20):
    """A step along ``pk`` from ``xk`` satisfying the strong Wolfe conditions
    (sufficient decrease ``c1``, curvature ``c2``)."""
    xk, pk = promote_dtypes_inexact(xk, pk)

    def phi_dphi(t):
        t = jnp.array(t, dtype=pk.dtype)
        phi, g = value_and_grad(f)(xk + t * pk)
        return phi, jnp.real(_dot(g, pk)), g

    evaluated_here = old_fval is None or gfk is None
    if evaluated_here:
        phi_0, dphi_0, gfk = phi_dphi(0)
    else:
        phi_0 = old_fval
        dphi_0 = jnp.real(_dot(gfk, pk))
    if old_old_fval is not None:
        candidate = 1.01 * 2 * (phi_0 - old_old_fval) / dphi_0
        start_value = jnp.where(candidate > 1, 1.0, candidate)
    else:
        start_value = 1

    def wolfe_one(a_i, phi_i):
        return phi_i > phi_0 + c1 * a_i * dphi_0

    def wolfe_two(dphi_i):
        return jnp.abs(dphi_i) <= -c2 * dphi_0

    state = _LineSearchState(
        done=jnp.array(False, dtype=bool), failed=jnp.array(False, dtype=bool), i=1,
        a_i1=0., phi_i1=phi_0, dphi_i1=dphi_0, nfev=1 if evaluated_here else 0,
        ngev=1 if evaluated_here else 0, a_star=0., phi_star=phi_0, dphi_star=dphi_0,
        g_star=gfk)
    star_keys = ['a_star', 'phi_star', 'dphi_star', 'g_star']

    def body(s):
        a_i = jnp.where(s.i == 1, start_value, s.a_i1 * 2.)
        phi_i, dphi_i, g_i = phi_dphi(a_i)
        s = s._replace(nfev=s.nfev + 1, ngev=s.ngev + 1)
        star_to_zoom1 = wolfe_one(a_i, phi_i) | ((phi_i >= s.phi_i1) & (s.i > 1))
        star_to_i = wolfe_two(dphi_i) & (~star_to_zoom1)
        star_to_zoom2 = (dphi_i >= 0.) & (~star_to_zoom1) & (~star_to_i)
        zoom1 = _zoom(phi_dphi, wolfe_one, wolfe_two, s.a_i1, s.phi_i1, s.dphi_i1,
                      a_i, phi_i, dphi_i, gfk, ~star_to_zoom1)
        s = s._replace(nfev=s.nfev + zoom1.nfev, ngev=s.ngev + zoom1.ngev)
        zoom2 = _zoom(phi_dphi, wolfe_one, wolfe_two, a_i, phi_i, dphi_i,
                      s.a_i1, s.phi_i1, s.dphi_i1, gfk, ~star_to_zoom2)
        s = s._replace(nfev=s.nfev + zoom2.nfev, ngev=s.ngev + zoom2.ngev)
        s = s._replace(done=star_to_zoom1 | s.done,
                       failed=(star_to_zoom1 & zoom1.failed) | s.failed,
                       **_replace_where(star_to_zoom1, s._asdict(), zoom1._asdict(), star_keys))
        s = s._replace(done=star_to_i | s.done, **_replace_where(star_to_i, s._asdict(), dict(
            a_star=a_i, phi_star=phi_i, dphi_star=dphi_i, g_star=g_i)))
        s = s._replace(done=star_to_zoom2 | s.done,
                       failed=(star_to_zoom2 & zoom2.failed) | s.failed,
                       **_replace_where(star_to_zoom2, s._asdict(), zoom2._asdict(), star_keys))
        return s._replace(i=s.i + 1, a_i1=a_i, phi_i1=phi_i, dphi_i1=dphi_i)

    state = lax.while_loop(lambda s: (~s.done) & (s.i <= maxiter) & (~s.failed), body, state)
    status = jnp.where(state.failed, jnp.array(1),
                       jnp.where(state.i > maxiter, jnp.array(3), jnp.array(0)))
    alpha_k = jnp.asarray(state.a_star)
    alpha_k = jnp.where((dtypes.finfo(alpha_k.dtype).bits != 64) & (jnp.abs(alpha_k) < 1e-8),
                        jnp.sign(alpha_k) * 1e-8, alpha_k)
    return _LineSearchResults(failed=state.failed | (~state.done), nit=state.i - 1,
                              nfev=state.nfev, ngev=state.ngev, k=state.i, a_k=alpha_k,
                              f_k=state.phi_star, g_k=state.g_star, status=status)


# --- BFGS ------------------------------------------------------------------------------

class _BFGSState(NamedTuple):
    converged: Any
    failed: Any
    k: Any
    nfev: Any
    ngev: Any
    nhev: Any
    x_k: Any
    f_k: Any
    g_k: Any
    H_k: Any
    old_old_fval: Any
    status: Any
    line_search_status: Any


def _minimize_bfgs(fun, x0, maxiter=None, norm=np.inf, gtol=1e-5, line_search_maxiter=10):
    if maxiter is None:
        maxiter = np.size(x0) * 200
    d = x0.shape[0]
    f_0, g_0 = value_and_grad(fun)(x0)
    state = _BFGSState(
        converged=jnp.linalg.norm(g_0, ord=norm) < gtol, failed=False, k=0, nfev=1, ngev=1,
        nhev=0, x_k=x0, f_k=f_0, g_k=g_0, H_k=jnp.eye(d, dtype=x0.dtype),
        old_old_fval=f_0 + jnp.linalg.norm(g_0) / 2, status=0, line_search_status=0)

    def cond(s):
        return jnp.logical_not(s.converged) & jnp.logical_not(s.failed) & (s.k < maxiter)

    def body(s):
        p_k = -_dot(s.H_k, s.g_k)
        ls = _line_search(fun, s.x_k, p_k, old_fval=s.f_k, old_old_fval=s.old_old_fval,
                          gfk=s.g_k, maxiter=line_search_maxiter)
        s = s._replace(nfev=s.nfev + ls.nfev, ngev=s.ngev + ls.ngev, failed=ls.failed,
                       line_search_status=ls.status)
        s_k = ls.a_k * p_k
        x_kp1 = s.x_k + s_k
        y_k = ls.g_k - s.g_k
        rho_k = jnp.reciprocal(_dot(y_k, s_k))
        sy_k = s_k[:, np.newaxis] * y_k[np.newaxis, :]
        w = jnp.eye(d, dtype=rho_k.dtype) - rho_k * sy_k
        H_kp1 = (jnp.einsum('ij,jk,lk', w, s.H_k, w, precision=lax.Precision.HIGHEST)
                 + rho_k * s_k[:, np.newaxis] * s_k[np.newaxis, :])
        H_kp1 = jnp.where(jnp.isfinite(rho_k), H_kp1, s.H_k)
        return s._replace(converged=jnp.linalg.norm(ls.g_k, ord=norm) < gtol, k=s.k + 1,
                          x_k=x_kp1, f_k=ls.f_k, g_k=ls.g_k, H_k=H_kp1, old_old_fval=s.f_k)

    state = lax.while_loop(cond, body, state)
    status = jnp.where(state.converged, 0,
                       jnp.where(state.k == maxiter, 1,
                                 jnp.where(state.failed, 2 + state.line_search_status, -1)))
    return state._replace(status=status)


def minimize(fun, x0, args=(), *, method, tol=None, options=None):
    """Minimize the scalar function ``fun(x, *args)`` of a 1-D array ``x`` from ``x0``.

    ``method`` must be ``"BFGS"`` (any case); ``options`` may hold ``maxiter`` (default
    ``200 * x0.size``), ``norm`` (of the gradient, default ``inf``), ``gtol`` (default
    1e-5) and ``line_search_maxiter`` (default 10). ``tol`` is accepted and ignored, as
    in JAX. Returns an ``OptimizeResults``."""
    if options is None:
        options = {}
    if not isinstance(args, tuple):
        raise TypeError("args argument to jax.scipy.optimize.minimize must be a tuple, "
                        f"got {args}")
    if method.lower() == "bfgs":
        r = _minimize_bfgs(lambda x: fun(x, *args), x0, **options)
        return OptimizeResults(x=r.x_k, success=r.converged & jnp.logical_not(r.failed),
                               status=r.status, fun=r.f_k, jac=r.g_k, hess_inv=r.H_k,
                               nfev=r.nfev, njev=r.ngev, nit=r.k)
    raise ValueError(f"Method {method} not recognized")


__all__ = ["OptimizeResults", "minimize"]
