"""``check_grads``: verify derivatives against finite differences, as ``jax.test_util`` does.

A port of JAX's ``public_test_util``, so that a check passes here exactly when it
passes in JAX: the same random directions (``np.random.RandomState(0)``), finite
differences computed in the arguments' own dtypes, and the same tolerances, which
JAX scales with the number of elements of each compared array.

Forward mode compares ``jvp(f)(x, t)`` with the central difference
``(f(x + eps t) - f(x - eps t)) / 2 eps``. Reverse mode checks the adjoint
identity ``<t, vjp(c)> == <jvp(t), c>``. Higher orders apply the same checks to
the jvp/vjp functions themselves.
"""
import functools
import operator

import ml_dtypes
import numpy as np

from . import dtypes
from .autodiff import jvp, linearize, vjp
from .dtypes import PYTHON_SCALARS
from .tree_util import tree_map, tree_reduce

EPS = 1e-4

# JAX's default_gradient_tolerance (atol and rtol per dtype); other dtypes (integers,
# bool, float0) compare exactly, as JAX's default_tolerance has them at 0.
_GRAD_TOLERANCE = {np.dtype(ml_dtypes.bfloat16): 1e-1, np.dtype(np.float16): 1e-2,
                   np.dtype(np.float32): 2e-3, np.dtype(np.float64): 1e-5,
                   np.dtype(np.complex64): 1e-3, np.dtype(np.complex128): 1e-5}


def _dtype(x):
    if hasattr(x, "dtype"):
        return np.dtype(x.dtype)
    if type(x) in PYTHON_SCALARS:
        return dtypes.python_scalar_dtype(x)
    return np.asarray(x).dtype


def _is_python_scalar(x):
    return not isinstance(x, np.generic) and isinstance(x, (bool, int, float, complex))


def _tolerance(dtype, tol):
    if not isinstance(tol, dict):
        return tol
    dtype = dtypes.canonicalize_dtype(np.dtype(dtype)) if dtype.kind != "V" else dtype
    return tol.get(dtype, 0)


def _merge_tolerance(tol, default):
    if tol is None:
        return default
    if not isinstance(tol, dict):
        return tol
    return {**default, **{np.dtype(k): v for k, v in tol.items()}}


def _assert_close(a, b, atol, rtol, err_msg):
    """JAX's ``_assert_numpy_close``: the tolerances grow with the array's size."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, f"{err_msg}: shapes {a.shape} and {b.shape} differ"
    if a.dtype.kind == "V" and b.dtype.kind == "V":      # float0 against float0
        return
    atol = max(_tolerance(a.dtype, atol), _tolerance(b.dtype, atol)) * a.size
    rtol = max(_tolerance(a.dtype, rtol), _tolerance(b.dtype, rtol)) * b.size
    a, b = (x.astype(np.float32) if x.dtype == ml_dtypes.bfloat16 else x for x in (a, b))
    kw = {k: v for k, v in (("atol", atol), ("rtol", rtol)) if v}
    with np.errstate(invalid="ignore"):
        np.testing.assert_allclose(a, b, **kw, err_msg=f"check_grads: {err_msg}")


def check_close(xs, ys, atol=None, rtol=None, err_msg=""):
    tree_map(functools.partial(_assert_close, atol=atol, rtol=rtol, err_msg=err_msg), xs, ys)


def _check_dtypes_match(xs, ys):
    def match(x, y):
        dx, dy = _dtype(x), _dtype(y)
        if dx.kind != "V" and dy.kind != "V":
            dx, dy = dtypes.canonicalize_dtype(dx), dtypes.canonicalize_dtype(dy)
        assert dx == dy, f"check_grads: dtypes differ: {dx} and {dy}"
    tree_map(match, xs, ys)


# --- arithmetic on pytrees, in each leaf's own dtype (as JAX's helpers) ------------

def _differentiable(x):
    return dtypes.is_inexact(_dtype(x))


def _preserve_input_types(f):
    def wrapped(*args):
        if not _differentiable(args[0]):   # integer/bool args and float0 cotangents: as is
            return args[0]
        result = np.array(f(*args), dtype=_dtype(args[0]))
        return result.item() if all(_is_python_scalar(a) for a in args) else result
    return wrapped


add = functools.partial(tree_map, _preserve_input_types(operator.add))
sub = functools.partial(tree_map, _preserve_input_types(operator.sub))
conj = functools.partial(tree_map, _preserve_input_types(np.conj))


def _safe_sub_leaf(x, y):
    """``x - y`` with ``inf - inf == 0``."""
    dtype = _dtype(x)
    x, y = np.asarray(x), np.asarray(y)
    with np.errstate(invalid="ignore"):
        return np.where(np.equal(x, y), np.array(0, dtype), np.subtract(x, y, dtype=dtype))


safe_sub = functools.partial(tree_map, _safe_sub_leaf)


def scalar_mul(xs, a):
    def mul(x):
        dtype = _dtype(x)
        result = np.multiply(np.asarray(x), np.array(a, dtype=dtype), dtype=dtype)
        return result.item() if _is_python_scalar(x) else result
    return tree_map(mul, xs)


def rand_like(rng, x):
    shape, dtype = np.shape(x), _dtype(x)
    draw = rng.randn(*shape)              # drawn for every leaf, keeping JAX's sequence
    if not dtypes.is_inexact(dtype):
        # integer/bool: no direction (JAX's random ints vanish in eps * t anyway, and
        # their float0 cotangents contribute nothing to the inner products)
        return np.zeros(shape, dtype)
    result = np.asarray(draw, dtype=dtype)
    if dtypes.is_complex(dtype):
        result = result + dtype.type(1j) * np.asarray(rng.randn(*shape), dtype=dtype)
    return result.item() if _is_python_scalar(x) else result


def inner_prod(xs, ys):
    def contract(x, y):
        x, y = (np.zeros(np.shape(v)) if np.asarray(v).dtype.kind == "V" else np.asarray(v)
                for v in (x, y))                 # float0 (integer inputs): no contribution
        return np.real(np.dot(np.conj(x).reshape(-1), y.reshape(-1)))
    return tree_reduce(np.add, tree_map(contract, xs, ys))


def numerical_jvp(f, primals, tangents, eps=EPS):
    """Central finite difference of ``f`` at ``primals`` along ``tangents``, a pytree like
    ``f``'s output, computed in the output's dtype as JAX does."""
    delta = scalar_mul(tangents, eps)
    f_pos = f(*add(primals, delta))
    f_neg = f(*sub(primals, delta))
    return scalar_mul(safe_sub(f_pos, f_neg), 0.5 / eps)


# --- the checks ----------------------------------------------------------------------

def check_jvp(f, f_jvp, args, atol=None, rtol=None, eps=EPS, err_msg=""):
    """Check ``f_jvp`` (typically ``partial(jvp, f)``) against finite differences.

    Raises AssertionError if they differ beyond the (size-scaled) tolerance.
    """
    atol = _merge_tolerance(atol, _GRAD_TOLERANCE)
    rtol = _merge_tolerance(rtol, _GRAD_TOLERANCE)
    rng = np.random.RandomState(0)
    tangent = tree_map(functools.partial(rand_like, rng), args)
    v_out, t_out = f_jvp(args, tangent)
    _check_dtypes_match(v_out, t_out)
    v_out_expected = f(*args)
    _check_dtypes_match(v_out, v_out_expected)
    t_out_expected = numerical_jvp(f, args, tangent, eps=eps)
    check_close(v_out, v_out_expected, atol, rtol, f"{err_msg} primal" if err_msg else "primal")
    check_close(t_out, t_out_expected, atol, rtol,
                f"{err_msg} tangent" if err_msg else "tangent")


def check_vjp(f, f_vjp, args, atol=None, rtol=None, eps=EPS, err_msg=""):
    """Check ``f_vjp`` (typically ``partial(vjp, f)``) through ``<t, vjp(c)> == <jvp(t), c>``.

    Raises AssertionError if they differ beyond the (size-scaled) tolerance.
    """
    atol = _merge_tolerance(atol, _GRAD_TOLERANCE)
    rtol = _merge_tolerance(rtol, _GRAD_TOLERANCE)
    rand = functools.partial(rand_like, np.random.RandomState(0))
    v_out, vjp_fun = f_vjp(*args)
    check_close(v_out, f(*args), atol, rtol, f"{err_msg} primal" if err_msg else "primal")
    tangent = tree_map(rand, args)
    tangent_out = numerical_jvp(f, args, tangent, eps=eps)
    cotangent = tree_map(rand, v_out)
    cotangent_out = conj(vjp_fun(conj(cotangent)))
    ip = inner_prod(tangent, cotangent_out)
    ip_expected = inner_prod(tangent_out, cotangent)
    check_close(ip, ip_expected, atol, rtol,
                f"{err_msg} cotangent projection" if err_msg else "cotangent projection")


def check_grads(f, args, order, modes=("fwd", "rev"), atol=None, rtol=None, eps=None):
    """Check ``f``'s derivatives up to ``order`` against finite differences, as JAX does.

    Args:
      f: function of the positional ``args`` (pytrees of arrays).
      args: tuple of arguments.
      order: highest derivative order to check (1: jvp/vjp; 2: their derivatives...).
      modes: ``"fwd"`` (jvp), ``"rev"`` (vjp) and/or ``"lin"`` (linearize).
      atol, rtol: a number or a ``{dtype: tol}`` dict (default: JAX's per dtype, 2e-3
        for float32, 1e-5 for float64), multiplied by each compared array's size.
      eps: finite-difference step (default 1e-4).

    Raises AssertionError describing the first mismatch.

    Example::

        check_grads(jnp.sin, (0.5,), order=2)
    """
    args, eps = tuple(args), eps or EPS
    fwd_check = functools.partial(check_jvp, atol=atol, rtol=rtol, eps=eps)
    rev_check = functools.partial(check_vjp, atol=atol, rtol=rtol, eps=eps)

    def jvp_from_lin(f, primals, tangents):
        primal_out, f_lin = linearize(f, *primals)
        return primal_out, f_lin(*tangents)

    def check(f, args, order, err_msg=""):
        if "fwd" in modes:
            msg = f"JVP of {err_msg}" if err_msg else "JVP"
            fwd_check(f, functools.partial(jvp, f), args, err_msg=msg)
            if order > 1:
                check(functools.partial(jvp, f), (args, args), order - 1, msg)
        if "rev" in modes:
            msg = f"VJP of {err_msg}" if err_msg else "VJP"
            rev_check(f, functools.partial(vjp, f), args, err_msg=msg)
            if order > 1:
                def f_vjp(*args):
                    out, vjp_fun = vjp(f, *args)
                    return vjp_fun(out)
                check(f_vjp, args, order - 1, msg)
        if "lin" in modes:
            msg = f"LIN of {err_msg}" if err_msg else "LIN"
            fwd_check(f, functools.partial(jvp_from_lin, f), args, err_msg=msg)
            if order > 1:
                check(functools.partial(jvp_from_lin, f), (args, args), order - 1, msg)
    check(f, args, order)
