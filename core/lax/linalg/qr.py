"""QR: ``geqrf``, ``householder_product`` (``?orgqr``/``?ungqr``), ``qr`` and ``ormqr``
(``?ormqr``/``?unmqr``)."""
import numpy as np

from .. import elementwise as _ew, shape as _shape, slicing as _slicing
from ... import dtypes
from ...core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ...interpreters.ad import Zero, jvp_rules, zero_tangent
from ...interpreters.batching import batch_rules
from ...interpreters.lowering import i64_array, lowering_rules
from ..elementwise import add as _add, mul as _mul, sub as _sub
from ._lapack import (_H, _as, _batch_leading, _check_linalg, _check_matrix, _eye, _eye_t,
                      _ffi_call, _full, _mm, _slice_last2, _target, _tril_t, _triu, _weak)
from .triangular import triangular_solve
from .lu import _lu_solve_t, lu

__all__ = ["geqrf", "geqrf_p", "householder_product", "householder_product_p", "qr", "qr_p",
           "ormqr", "ormqr_p"]


# ---------------------------------------------------------------------------
# geqrf and householder_product


def geqrf(x):
    """QR factorization in LAPACK's compact form. Lowers to ``?geqrf``.

    Returns:
      ``(a, taus)``: ``R`` in the upper triangle of ``a``, Householder reflectors below
      it, and their scale factors ``taus`` (``[..., min(m, n)]``).
    """
    a, taus = geqrf_p.bind(x)
    return a, taus


geqrf_p = Primitive("geqrf", multiple_results=True)


def _geqrf_abstract_eval(x):
    _check_matrix("geqrf", x)
    batch, (m, n) = x.shape[:-2], x.shape[-2:]
    return [x, x.update(shape=batch + (min(m, n),))]


def _emit_geqrf(ctx, x, aval):
    batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
    taus = aval.update(shape=batch + (min(m, n),), weak_type=False)
    return _ffi_call(ctx, _target("geqrf", aval.dtype), [x], [aval], [aval, taus], None, {0: 0})


abstract_eval_rules[geqrf_p] = _geqrf_abstract_eval
lowering_rules[geqrf_p] = lambda ctx, x: _emit_geqrf(ctx, x, ctx.avals_in[0])
batch_rules[geqrf_p] = _batch_leading(geqrf_p)


def householder_product(a, taus):
    """The orthogonal/unitary matrix with the reflectors in ``a``, ``taus`` (``?orgqr``/``?ungqr``).

    Args:
      a: ``[..., m, n]`` with ``m >= n``, reflectors below the diagonal (as ``geqrf`` leaves them).
      taus: ``[..., k]`` scale factors, ``k <= n``.

    Returns:
      ``[..., m, n]`` matrices with orthonormal columns.
    """
    return householder_product_p.bind(a, taus)


householder_product_p = Primitive("householder_product")


def _householder_product_abstract_eval(a, taus):
    _check_matrix("householder_product", a)
    m, n = a.shape[-2:]
    if m < n:
        raise ValueError(f"householder_product: a must have at least as many rows as columns, "
                         f"got shape {a.shape}")
    if taus.dtype != a.dtype or taus.shape[:-1] != a.shape[:-2] or taus.shape[-1] > n:
        raise ValueError(f"householder_product: taus must be {a.dtype.name}[..., k] with a's "
                         f"batch dims and k <= {n}, got {taus.str_short()}")
    return a.update(weak_type=_weak(a, taus))


def _emit_householder_product(ctx, a, taus, a_aval, taus_aval):
    prefix = "ungqr" if dtypes.is_complex(a_aval.dtype) else "orgqr"
    return _ffi_call(ctx, _target(prefix, a_aval.dtype), [a, taus], [a_aval, taus_aval],
                     [a_aval], None, {0: 0})[0]


abstract_eval_rules[householder_product_p] = _householder_product_abstract_eval
lowering_rules[householder_product_p] = lambda ctx, a, taus: _emit_householder_product(
    ctx, a, taus, *ctx.avals_in)
batch_rules[householder_product_p] = _batch_leading(householder_product_p)


# ---------------------------------------------------------------------------
# qr


def qr(x, *, pivoting=False, full_matrices=True):
    """QR decomposition ``x = Q @ R`` (Householder: ``?geqrf`` then ``?orgqr``/``?ungqr``).

    Args:
      x: ``[..., m, n]`` matrices.
      full_matrices: ``Q`` is ``[..., m, m]`` and ``R`` ``[..., m, n]``; if False,
        ``Q`` is ``[..., m, k]`` and ``R`` ``[..., k, n]`` with ``k = min(m, n)``.

    Returns:
      ``(q, r)``.
    """
    if pivoting:
        raise NotImplementedError("qr: pivoting=True (LAPACK geqp3) is not implemented in "
                                  "glassbox yet")
    q, r = qr_p.bind(x, full_matrices=bool(full_matrices))
    return q, r


qr_p = Primitive("qr", multiple_results=True)


def _qr_abstract_eval(x, *, full_matrices):
    _check_matrix("qr", x)
    batch, (m, n) = x.shape[:-2], x.shape[-2:]
    k = m if full_matrices else min(m, n)
    return [x.update(shape=batch + (m, k)), x.update(shape=batch + (k, n))]


def _qr_lowering(ctx, x, *, full_matrices):
    (aval,) = ctx.avals_in
    q_aval, r_aval = (a.update(weak_type=False) for a in ctx.avals_out)
    aval = aval.update(weak_type=False)
    batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
    if m == 0 or n == 0:
        return [_eye(ctx, q_aval), _full(ctx, 0, r_aval)]
    r, taus = _emit_geqrf(ctx, x, aval)
    taus_aval = aval.update(shape=batch + (min(m, n),))
    if m < n:
        q_in, q_in_aval = _slice_last2(ctx, r, aval, m, m)
    elif full_matrices and m > n:
        q_in_aval = aval.update(shape=batch + (m, m))
        zero = ctx.constant(np.array(0, aval.dtype), ShapedArray((), aval.dtype))
        q_in = ctx.op("stablehlo.pad", [r, zero], q_in_aval, attrs={
            "edge_padding_low": i64_array([0] * aval.ndim),
            "edge_padding_high": i64_array([0] * (aval.ndim - 1) + [m - n]),
            "interior_padding": i64_array([0] * aval.ndim)})
    else:
        q_in, q_in_aval = r, aval
        if not full_matrices and m > n:
            r, _ = _slice_last2(ctx, r, aval, n, n)
    q = _emit_householder_product(ctx, q_in, taus, q_in_aval, taus_aval)
    return [q, _triu(ctx, r, r_aval)]


abstract_eval_rules[qr_p] = _qr_abstract_eval
lowering_rules[qr_p] = _qr_lowering
batch_rules[qr_p] = _batch_leading(qr_p)


def _thin_qr_jvp(q, r, dx):
    """Tangents of ``x = q r`` for ``[..., m, n]`` with ``m >= n`` (J. Townsend's derivation)."""
    dx_rinv = triangular_solve(r, dx)                  # dx @ inv(r)
    qt_dx_rinv = _mm(_H(q), dx_rinv)
    lower = _tril_t(qt_dx_rinv, -1)
    do = _sub(lower, _H(lower))                        # skew-Hermitian
    aval = get_aval(qt_dx_rinv)
    if dtypes.is_complex(aval.dtype):                  # the imaginary diagonal, for complex
        n = get_aval(r).shape[-1]
        imag = _sub(qt_dx_rinv, _as(_ew.real(qt_dx_rinv), aval.dtype))
        do = _add(do, _mul(_eye_t(aval.dtype, n, aval.shape[:-2]), imag))
    dq = _add(_mm(q, _sub(do, qt_dx_rinv)), dx_rinv)
    dr = _mm(_sub(qt_dx_rinv, do), r)
    return dq, dr


def _slice_cols(x, start, stop):
    aval = get_aval(x)
    return _slicing.slice(x, (0,) * (aval.ndim - 1) + (start,), aval.shape[:-1] + (stop,))


def _slice_rows(x, start, stop):
    aval = get_aval(x)
    return _slicing.slice(x, (0,) * (aval.ndim - 2) + (start, 0),
                          aval.shape[:-2] + (stop, aval.shape[-1]))


def _qr_jvp(primals, tangents, *, full_matrices):
    (x,), (dx,) = primals, tangents
    q, r = qr_p.bind(x, full_matrices=full_matrices)
    if type(dx) is Zero:
        return [q, r], [zero_tangent(get_aval(q)), zero_tangent(get_aval(r))]
    aval = get_aval(x)
    m, n = aval.shape[-2:]
    if m < n:
        # x = q [r1 r2]: the square part is an ordinary QR; r2 = q^H x2.
        dq, dr1 = _thin_qr_jvp(q, _slice_cols(r, 0, m), _slice_cols(dx, 0, m))
        dr2 = _add(_mm(_H(dq), _slice_cols(x, m, n)), _mm(_H(q), _slice_cols(dx, m, n)))
        return [q, r], [dq, _shape.concatenate([dr1, dr2], aval.ndim - 1)]
    q_mn = _slice_cols(q, 0, n) if full_matrices else q
    r_nn = _slice_rows(r, 0, n) if full_matrices else r
    dq_mn, dr_nn = _thin_qr_jvp(q_mn, r_nn, dx)
    if not full_matrices or m == n:
        return [q, r], [dq_mn, dr_nn]
    # The completed columns of q (arXiv:2409.13374, eqs. 32-33), as JAX.
    batch = aval.shape[:-2]
    q_nn, q_pn, q_mp = _slice_rows(q_mn, 0, n), _slice_rows(q_mn, n, m), _slice_cols(q, n, m)
    dq_nn, dq_pn = _slice_rows(dq_mn, 0, n), _slice_rows(dq_mn, n, m)
    lu_, _, perm = lu(_sub(q_nn, _eye_t(aval.dtype, n, batch)))
    z_pn_h = _lu_solve_t(lu_, perm, _H(q_pn), trans=2)
    z_pn = _H(z_pn_h)
    dq_mp = _sub(_mm(dq_mn, z_pn_h), _mm(_add(q_mn, _mm(q_mp, z_pn)),
                                          _H(_sub(dq_pn, _mm(z_pn, dq_nn)))))
    dq = _shape.concatenate([dq_mn, dq_mp], aval.ndim - 1)
    dr = _shape.concatenate([dr_nn, _shape.full(batch + (m - n, n), 0, aval.dtype)],
                            aval.ndim - 2)
    return [q, r], [dq, dr]


jvp_rules[qr_p] = _qr_jvp


# ---------------------------------------------------------------------------
# ormqr


def ormqr(a, taus, c, *, left=True, transpose=False):
    """Multiply ``c`` by the ``Q`` of a QR factorization without forming ``Q``.

    Computes ``Q @ c`` (``left``), ``c @ Q`` (not ``left``), or with ``Q^T`` (``Q^H`` for
    complex) when ``transpose``. Lowers to LAPACK ``?ormqr``/``?unmqr``.

    Args:
      a: ``[..., m, n]`` Householder reflectors below the diagonal, as ``geqrf`` leaves them.
      taus: ``[..., k]`` their scale factors.
      c: ``[..., m, p]`` (``left``) or ``[..., p, m]`` matrices.

    Returns:
      The product, with ``c``'s shape and dtype.

    Example:
      >>> h, taus = geqrf(x)
      >>> ormqr(h, taus, eye)      # == qr(x)[0] (complete)
    """
    return ormqr_p.bind(a, taus, c, left=bool(left), transpose=bool(transpose))


ormqr_p = Primitive("ormqr")


def _ormqr_abstract_eval(a, taus, c, *, left, transpose):
    _check_linalg("ormqr", [a, taus, c], [2, 1, 2])
    if len({a.dtype, taus.dtype, c.dtype}) > 1:
        raise TypeError(f"lax.ormqr requires arguments to have the same dtypes, got "
                        f"{a.dtype.name}, {taus.dtype.name}, {c.dtype.name}.")
    if not a.shape[:-2] == taus.shape[:-1] == c.shape[:-2]:
        raise ValueError(f"ormqr: a, taus and c must have the same batch dimensions, got shapes "
                        f"{a.shape}, {taus.shape} and {c.shape}")
    m = a.shape[-2]
    if left and c.shape[-2] != m:
        raise ValueError(f"ormqr with left=True expects c to have the same number of rows as the "
                         f"Householder matrix a. Got a shape {a.shape[-2:]} and c shape "
                         f"{c.shape[-2:]}.")
    if not left and c.shape[-1] != m:
        raise ValueError(f"ormqr with left=False expects c to have the same number of columns as "
                         f"the Householder matrix a has rows. Got a shape {a.shape[-2:]} and c "
                         f"shape {c.shape[-2:]}.")
    return c.update(weak_type=_weak(a, taus, c))


def _ormqr_lowering(ctx, a, taus, c, *, left, transpose):
    avals = [v.strip_weak_type() for v in ctx.avals_in]
    prefix = "unmqr" if dtypes.is_complex(avals[0].dtype) else "ormqr"
    flag = lambda v: "true" if v else "false"  # noqa: E731
    return _ffi_call(ctx, _target(prefix, avals[0].dtype), [a, taus, c], avals, [avals[2]],
                     {"left": flag(left), "transpose": flag(transpose)}, {2: 0})[0]


abstract_eval_rules[ormqr_p] = _ormqr_abstract_eval
lowering_rules[ormqr_p] = _ormqr_lowering
batch_rules[ormqr_p] = _batch_leading(ormqr_p)
