"""Singular value decomposition (``?gesdd``)."""
import enum

import numpy as np

from .. import bitwise as _bitwise, shape as _shape
from ...core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ...interpreters.ad import Zero, jvp_rules, zero_tangent
from ...interpreters.batching import batch_rules
from ...interpreters.lowering import lowering_rules
from ..elementwise import add as _add, div as _div, mul as _mul, sub as _sub
from ._lapack import (_H, _I32, _as, _batch_leading, _char_attr, _check_matrix, _diag_matrix,
                      _diag_part, _eye, _eye_t, _ffi_call, _full, _info_ok, _mm, _nan_where_failed,
                      _real_dtype, _real_part, _target)

__all__ = ["svd", "svd_p", "SvdAlgorithm"]


class SvdAlgorithm(enum.Enum):
    """Which SVD algorithm ``svd`` runs. On CPU: ``DEFAULT`` and ``DIVIDE_AND_CONQUER`` are
    LAPACK ``?gesdd``, ``QR`` is ``?gesvd``; ``JACOBI`` and ``POLAR`` exist on GPU/TPU only
    (``NotImplementedError`` here, as in JAX)."""
    DEFAULT = "default"
    QR = "QR"
    JACOBI = "Jacobi"
    POLAR = "polar"
    DIVIDE_AND_CONQUER = "divide_and_conquer"


# ---------------------------------------------------------------------------
# svd


def svd(x, *, full_matrices=True, compute_uv=True, subset_by_index=None, algorithm=None):
    """Singular value decomposition ``x = U @ diag(s) @ Vh``. Lowers to ``?gesdd`` (``?gesvd``
    with ``algorithm=SvdAlgorithm.QR``).

    Args:
      x: ``[..., m, n]`` matrices.
      full_matrices: ``U`` is ``[..., m, m]`` and ``Vh`` ``[..., n, n]``; else
        ``[..., m, k]`` and ``[..., k, n]`` with ``k = min(m, n)``.
      compute_uv: also return ``U`` and ``Vh``.
      subset_by_index: only ``None`` or ``(0, min(m, n))`` is supported on CPU.
      algorithm: ``None`` or a ``SvdAlgorithm``; ``JACOBI``/``POLAR`` (and anything
        else, a plain string included) raise ``NotImplementedError`` on CPU, as in JAX.

    Returns:
      ``(u, s, vh)`` if ``compute_uv`` else ``s``; ``s`` is real, descending.
    """
    if subset_by_index is not None:
        m, n = get_aval(x).shape[-2:]
        if tuple(subset_by_index) != (0, min(m, n)):
            raise NotImplementedError("svd: subset_by_index is not supported on CPU (as in JAX)")
    result = svd_p.bind(x, full_matrices=bool(full_matrices), compute_uv=bool(compute_uv),
                        algorithm=algorithm)
    if compute_uv:
        s, u, vh = result
        return u, s, vh
    return result[0]


svd_p = Primitive("svd", multiple_results=True)


def _svd_shapes(aval, full_matrices):
    batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
    k = min(m, n)
    return batch + (k,), batch + (m, m if full_matrices else k), batch + (
        n if full_matrices else k, n)


def _svd_abstract_eval(x, *, full_matrices, compute_uv, algorithm=None):
    _check_matrix("svd", x)
    s, u, vh = _svd_shapes(x, full_matrices)
    out = [ShapedArray(s, _real_dtype(x.dtype), x.weak_type)]
    return out + [x.update(shape=u), x.update(shape=vh)] if compute_uv else out


def _svd_lowering(ctx, x, *, full_matrices, compute_uv, algorithm=None):
    if algorithm in (None, SvdAlgorithm.DEFAULT, SvdAlgorithm.DIVIDE_AND_CONQUER):
        routine = "gesdd"
    elif algorithm == SvdAlgorithm.QR:
        routine = "gesvd"
    else:
        raise NotImplementedError("The SVD Jacobi and Polar algorithms are not implemented on "
                                  "CPU.")
    (aval,) = ctx.avals_in
    aval = aval.strip_weak_type()
    batch, (m, n) = aval.shape[:-2], aval.shape[-2:]
    s_shape, u_shape, vh_shape = _svd_shapes(aval, full_matrices)
    s_aval = ShapedArray(s_shape, _real_dtype(aval.dtype))
    u_aval, vh_aval = aval.update(shape=u_shape), aval.update(shape=vh_shape)
    if m == 0 or n == 0:
        s = _full(ctx, 0, s_aval)
        return [s, _eye(ctx, u_aval), _eye(ctx, vh_aval)] if compute_uv else [s]
    mode = "N" if not compute_uv else ("A" if full_matrices else "S")
    _, s, u, vh, info = _ffi_call(ctx, _target(routine, aval.dtype), [x], [aval],
                                  [aval, s_aval, u_aval, vh_aval, ShapedArray(batch, _I32)],
                                  {"mode": _char_attr(mode)}, {0: 0})
    ok = _info_ok(ctx, info, batch)
    s = _nan_where_failed(ctx, ok, batch, s, s_aval)
    if not compute_uv:
        return [s]
    return [s, _nan_where_failed(ctx, ok, batch, u, u_aval),
            _nan_where_failed(ctx, ok, batch, vh, vh_aval)]


abstract_eval_rules[svd_p] = _svd_abstract_eval
lowering_rules[svd_p] = _svd_lowering
batch_rules[svd_p] = _batch_leading(svd_p)


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv, algorithm=None):
    """Tangents of the thin SVD (Townsend 2016; Giles 2008), as JAX; the full-matrices
    case of non-square input has no rule (as in JAX)."""
    (a,), (da,) = primals, tangents
    aval = get_aval(a)
    m, n = aval.shape[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError("Singular value decomposition JVP not implemented for full "
                                  "matrices")
    s, u, vt = svd_p.bind(a, full_matrices=False, compute_uv=True, algorithm=algorithm)
    primal = [s, u, vt] if compute_uv else [s]
    if type(da) is Zero:
        return primal, [zero_tangent(get_aval(x)) for x in primal]
    dtype, nd = aval.dtype, aval.ndim
    s_aval = get_aval(s)
    k = s_aval.shape[-1]
    ut, v = _H(u), _H(vt)
    ds_full = _mm(_mm(ut, da), v)
    ds = _diag_part(_real_part(ds_full))
    if not compute_uv:
        return primal, [ds]
    kk = s_aval.shape + (k,)
    s_row = _shape.broadcast_in_dim(s, kk, tuple(range(nd - 2)) + (nd - 1,))   # s_j
    s_col = _shape.broadcast_in_dim(s, kk, tuple(range(nd - 1)))               # s_i
    s_diffs = _mul(_add(s_row, s_col), _sub(s_row, s_col))
    eye = _eye_t(s_aval.dtype, k, s_aval.shape[:-1])
    f = _sub(_div(_shape.full(kk, 1, s_aval.dtype), _add(s_diffs, eye)), eye)
    dss = _mul(_as(s_row, dtype), ds_full)
    sds = _mul(_as(s_col, dtype), ds_full)
    s_zeros = _as(_bitwise.eq(s, _shape.full(s_aval.shape, 0, s_aval.dtype)), s_aval.dtype)
    s_inv = _sub(_div(_shape.full(s_aval.shape, 1, s_aval.dtype), _add(s, s_zeros)), s_zeros)
    dudv_diag = _mul(_mul(_sub(ds_full, _H(ds_full)), np.array(0.5, dtype)),
                     _as(_diag_matrix(s_inv), dtype))
    f_c = _as(f, dtype)
    du = _mm(u, _add(_mul(f_c, _add(dss, _H(dss))), dudv_diag))
    dv = _mm(v, _mul(f_c, _add(sds, _H(sds))))
    if m > n:
        dav = _mm(da, v)
        du = _add(du, _div(_sub(dav, _mm(u, _mm(ut, dav))),
                           _as(_shape.broadcast_in_dim(s, aval.shape[:-2] + (m, k),
                                                       tuple(range(nd - 2)) + (nd - 1,)), dtype)))
    if n > m:
        dahu = _mm(_H(da), u)
        dv = _add(dv, _div(_sub(dahu, _mm(v, _mm(vt, dahu))),
                           _as(_shape.broadcast_in_dim(s, aval.shape[:-2] + (n, k),
                                                       tuple(range(nd - 2)) + (nd - 1,)), dtype)))
    return primal, [ds, du, _H(dv)]


jvp_rules[svd_p] = _svd_jvp
