"""Eigendecompositions: ``eigh`` (``?syevd``/``?heevd``) and ``eig`` (``?geev``), with JAX's
implementation-choice enums (CPU runs LAPACK only)."""
import enum
import warnings

from .. import bitwise as _bitwise, elementwise as _ew, reductions as _reductions, shape as _shape
from ... import dtypes
from ...core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ...interpreters.ad import Zero, jvp_rules, zero_tangent
from ...interpreters.batching import batch_rules
from ...interpreters.lowering import lowering_rules
from ..elementwise import add as _add, conj as _conj, div as _div, mul as _mul
from ..elementwise import neg as _neg, sub as _sub
from ._lapack import (_H, _I32, _T, _as, _batch_leading, _char_attr, _check_matrix, _complex_dtype,
                      _diag_part, _eye_t, _ffi_call, _info_ok, _mm, _nan_where_failed, _real_dtype,
                      _real_part, _target, symmetrize)
from .lu import _solve_t

__all__ = ["eig", "eig_p", "eigh", "eigh_p", "EigImplementation", "EighImplementation"]


class EigImplementation(enum.Enum):
    """Which library ``eig`` calls: ``LAPACK`` is the only one on CPU (``CUSOLVER`` and
    ``MAGMA`` are GPU libraries; asking for them on CPU is JAX's ``ValueError``)."""
    CUSOLVER = "cusolver"
    MAGMA = "magma"
    LAPACK = "lapack"


class EighImplementation(enum.Enum):
    """Which algorithm ``eigh`` runs: ``QR`` (LAPACK on CPU) is the only one on CPU;
    ``JACOBI`` (GPU/TPU) and ``QDWH`` (TPU) raise ``NotImplementedError`` here, as in JAX."""
    QR = "qr"
    JACOBI = "jacobi"
    QDWH = "qdwh"


# ---------------------------------------------------------------------------
# eigh


def eigh(x, *, lower=True, symmetrize_input=True, sort_eigenvalues=True, subset_by_index=None,
         implementation=None):
    """Eigendecomposition of Hermitian (real symmetric) matrices. Lowers to ``?syevd``/``?heevd``.

    Args:
      x: ``[..., n, n]`` Hermitian matrices.
      lower: which triangle is read when ``symmetrize_input`` is False.
      symmetrize_input: use ``(x + x^H) / 2``.
      sort_eigenvalues: accepted for compatibility; LAPACK always sorts (ascending).
      subset_by_index: only ``None`` or ``(0, n)`` (all eigenvalues) is supported on CPU.
      implementation: ``None`` or ``EighImplementation.QR`` (LAPACK); ``JACOBI`` and
        ``QDWH`` raise ``NotImplementedError`` on CPU, as in JAX.

    Returns:
      ``(v, w)``: eigenvectors as columns ``v[..., :, i]`` and real eigenvalues ``w``
      in ascending order. Failed decompositions give NaNs.
    """
    if symmetrize_input:
        x = symmetrize(x)
    n = get_aval(x).shape[-1] if get_aval(x).ndim else 0
    if implementation == EighImplementation.QDWH:
        raise NotImplementedError("QDWH implementation is only supported on TPU")
    if implementation == EighImplementation.JACOBI:
        raise NotImplementedError("Jacobi implementation is not supported on CPU")
    if subset_by_index is not None and tuple(subset_by_index) != (0, n):
        raise NotImplementedError("eigh: subset_by_index is not supported on CPU (as in JAX)")
    v, w = eigh_p.bind(x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues))
    return v, w


eigh_p = Primitive("eigh", multiple_results=True)


def _eigh_abstract_eval(x, *, lower, sort_eigenvalues):
    _check_matrix("eigh", x, square=True)
    return [x, ShapedArray(x.shape[:-1], _real_dtype(x.dtype), x.weak_type)]


def _eigh_lowering(ctx, x, *, lower, sort_eigenvalues):
    (aval,) = ctx.avals_in
    v_aval, w_aval = ctx.avals_out
    batch = aval.shape[:-2]
    prefix = "heevd" if dtypes.is_complex(aval.dtype) else "syevd"
    v, w, info = _ffi_call(ctx, _target(prefix, aval.dtype), [x], [aval],
                           [v_aval, w_aval, ShapedArray(batch, _I32)],
                           {"uplo": _char_attr("L" if lower else "U"), "mode": _char_attr("V")},
                           {0: 0})
    ok = _info_ok(ctx, info, batch)
    return [_nan_where_failed(ctx, ok, batch, v, v_aval), _nan_where_failed(ctx, ok, batch, w,
                                                                             w_aval)]


abstract_eval_rules[eigh_p] = _eigh_abstract_eval
lowering_rules[eigh_p] = _eigh_lowering
batch_rules[eigh_p] = _batch_leading(eigh_p)


def _eigh_jvp(primals, tangents, *, lower, sort_eigenvalues):
    """Non-degenerate perturbation theory (Giles 2008, sec. 3.1), as JAX: with distinct
    eigenvalues, ``w' = diag(V^H A' V)`` and ``V' = V (F * V^H A' V)``,
    ``F_ij = 1 / (w_j - w_i)`` off the diagonal."""
    (a,), (a_dot,) = primals, tangents
    v, w_real = eigh_p.bind(symmetrize(a), lower=lower, sort_eigenvalues=sort_eigenvalues)
    if type(a_dot) is Zero:
        return [v, w_real], [zero_tangent(get_aval(v)), zero_tangent(get_aval(w_real))]
    aval = get_aval(a)
    n, nd = aval.shape[-1], aval.ndim
    w = _as(w_real, aval.dtype)
    eye = _eye_t(aval.dtype, n, aval.shape[:-2])
    w_row = _shape.broadcast_in_dim(w, aval.shape, tuple(range(nd - 2)) + (nd - 1,))
    w_col = _shape.broadcast_in_dim(w, aval.shape, tuple(range(nd - 1)))
    fmat = _sub(_ew.integer_pow(_sub(_add(eye, w_row), w_col), -1), eye)
    vdag_adot_v = _mm(_mm(_H(v), a_dot), v)
    dv = _mm(v, _mul(fmat, vdag_adot_v))
    dw = _diag_part(_real_part(vdag_adot_v))
    return [v, w_real], [dv, dw]


jvp_rules[eigh_p] = _eigh_jvp


# ---------------------------------------------------------------------------
# eig


def eig(x, *, compute_left_eigenvectors=True, compute_right_eigenvectors=True,
        enable_eigvec_derivs=False, implementation=None, use_magma=None):
    """Eigendecomposition of general square matrices. Lowers to LAPACK ``?geev``.

    Args:
      x: ``[..., n, n]`` matrices.
      compute_left_eigenvectors, compute_right_eigenvectors: which eigenvectors to return.
      enable_eigvec_derivs: allow derivatives of the eigenvectors (valid only for distinct
        eigenvalues, which cannot be checked); eigenvalues are always differentiable.
      implementation: ``None`` or ``EigImplementation.LAPACK``; the GPU libraries raise
        JAX's ``ValueError`` on CPU.
      use_magma: deprecated (a ``DeprecationWarning``, as in JAX): True means MAGMA.

    Returns:
      ``[w, vl, vr]`` (the eigenvector entries only if requested): complex eigenvalues
      ``w`` (``[..., n]``, in LAPACK's order) and complex eigenvectors as columns.
      Failed decompositions (including non-finite input) give NaNs.
    """
    if use_magma is not None:
        warnings.warn("use_magma is deprecated, please use implementation=EigImplementation.MAGMA "
                      "instead.", DeprecationWarning, stacklevel=2)
        implementation = EigImplementation.MAGMA if use_magma else EigImplementation.LAPACK
    if implementation and implementation != EigImplementation.LAPACK:
        raise ValueError("Only the lapack implementation is supported on CPU.")
    return eig_p.bind(x, compute_left_eigenvectors=bool(compute_left_eigenvectors),
                      compute_right_eigenvectors=bool(compute_right_eigenvectors),
                      enable_eigvec_derivs=bool(enable_eigvec_derivs))


eig_p = Primitive("eig", multiple_results=True)


def _eig_abstract_eval(x, *, compute_left_eigenvectors, compute_right_eigenvectors,
                       enable_eigvec_derivs=False):
    _check_matrix("eig", x, square=True)
    dtype = _complex_dtype(x.dtype)
    vecs = [ShapedArray(x.shape, dtype, x.weak_type)] * (compute_left_eigenvectors
                                                         + compute_right_eigenvectors)
    return [ShapedArray(x.shape[:-1], dtype, x.weak_type)] + vecs


def _eig_lowering(ctx, x, *, compute_left_eigenvectors, compute_right_eigenvectors,
                  enable_eigvec_derivs=False):
    (aval,) = ctx.avals_in
    aval = aval.strip_weak_type()
    batch, real = aval.shape[:-2], not dtypes.is_complex(aval.dtype)
    cdtype = _complex_dtype(aval.dtype)
    w_aval = ShapedArray(aval.shape[:-1], cdtype)
    v_aval = ShapedArray(aval.shape, cdtype)
    # Real input: eigenvalues come back as (real parts, imaginary parts).
    vals = [aval.update(shape=aval.shape[:-1])] * 2 if real else [w_aval]
    mode = lambda on: _char_attr("V" if on else "N")  # noqa: E731
    outs = _ffi_call(ctx, _target("geev", aval.dtype), [x], [aval],
                     vals + [v_aval, v_aval, ShapedArray(batch, _I32)],
                     {"compute_left": mode(compute_left_eigenvectors),
                      "compute_right": mode(compute_right_eigenvectors)})
    *w, vl, vr, info = outs
    w = ctx.op("stablehlo.complex", w, w_aval) if real else w[0]
    ok = _info_ok(ctx, info, batch)
    result = [_nan_where_failed(ctx, ok, batch, w, w_aval)]
    for wanted, v in ((compute_left_eigenvectors, vl), (compute_right_eigenvectors, vr)):
        if wanted:
            result.append(_nan_where_failed(ctx, ok, batch, v, v_aval))
    return result


abstract_eval_rules[eig_p] = _eig_abstract_eval
lowering_rules[eig_p] = _eig_lowering
batch_rules[eig_p] = _batch_leading(eig_p)


def _eig_vec_jvp(w, v, da):
    """Tangents of eigenvalues and of eigenvectors normalised as LAPACK's ``geev`` does
    (unit 2-norm, real largest component), by non-degenerate perturbation theory (as JAX)."""
    aval = get_aval(v)
    n, nd = aval.shape[-1], aval.ndim
    eye = _eye_t(aval.dtype, n, aval.shape[:-2])
    w_row = _shape.broadcast_in_dim(w, aval.shape, tuple(range(nd - 2)) + (nd - 1,))
    w_col = _shape.broadcast_in_dim(w, aval.shape, tuple(range(nd - 1)))
    fmat = _sub(_ew.reciprocal(_sub(_add(eye, w_row), w_col)), eye)
    p = _mm(_solve_t(v, da), v)
    dw = _diag_part(p)
    u = _mm(v, _mul(fmat, p))
    k = _reductions.argmax(_ew.abs(v), nd - 2, _I32)
    mask = _as(_bitwise.eq(_shape.broadcasted_iota(_I32, aval.shape, nd - 2),
                           _shape.expand_dims(k, (nd - 2,))), aval.dtype)
    col_sum = lambda x: _reductions.reduce_sum(x, (nd - 2,))  # noqa: E731
    c = _ew.complex(_neg(_ew.real(col_sum(_mul(_conj(v), u)))),
                    _div(_neg(_ew.imag(col_sum(_mul(mask, u)))), _ew.real(col_sum(_mul(mask, v)))))
    return dw, _add(u, _mul(v, _shape.broadcast_in_dim(
        c, aval.shape, tuple(range(nd - 2)) + (nd - 1,))))


def _eig_jvp(primals, tangents, *, compute_left_eigenvectors, compute_right_eigenvectors,
             enable_eigvec_derivs=False):
    (a,), (da,) = primals, tangents
    vectors = compute_left_eigenvectors or compute_right_eigenvectors
    if vectors and not enable_eigvec_derivs:
        raise NotImplementedError(
            "Derivatives of non-symmetric eigenvectors are only valid under assumptions on the "
            "input that JAX cannot check (see the enable_eigvec_derivs argument to "
            "jax.lax.linalg.eig). Pass enable_eigvec_derivs=True to jax.lax.linalg.eig to opt "
            "in. See https://github.com/jax-ml/jax/issues/2748 for discussion.")
    outs = eig_p.bind(a, compute_left_eigenvectors=compute_left_eigenvectors,
                      compute_right_eigenvectors=True, enable_eigvec_derivs=enable_eigvec_derivs)
    w, vr = outs[0], outs[-1]
    primal = [w] + ([outs[1]] if compute_left_eigenvectors else []) + (
        [vr] if compute_right_eigenvectors else [])
    if type(da) is Zero:
        return primal, [zero_tangent(get_aval(x)) for x in primal]
    da = _as(da, get_aval(vr).dtype)
    if not vectors:
        nd = get_aval(vr).ndim
        return primal, [_reductions.reduce_sum(_mul(_solve_t(vr, da), _T(vr)), (nd - 1,))]
    dw, dvr = _eig_vec_jvp(w, vr, da)
    tangent = [dw]
    if compute_left_eigenvectors:
        tangent.append(_eig_vec_jvp(_conj(w), outs[1], _H(da))[1])
    if compute_right_eigenvectors:
        tangent.append(dvr)
    return primal, tangent


jvp_rules[eig_p] = _eig_jvp
