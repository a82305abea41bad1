"""Condensed forms: ``schur`` (``?gees``), ``hessenberg`` (``?gehrd``) and ``tridiagonal``
(``?sytrd``/``?hetrd``).

Each reduces a square matrix by unitary similarity to a simpler one: upper
triangular (quasi-triangular for real input, 2x2 blocks for complex-conjugate
eigenvalue pairs), upper Hessenberg, or (for Hermitian input) tridiagonal. As in
JAX they are CPU-only LAPACK calls with no derivative rules; ``vmap`` maps over
leading batch dimensions. ``glassbox.scipy.linalg.schur``/``hessenberg`` build on them.
"""
from ...core import Primitive, ShapedArray, abstract_eval_rules
from ...interpreters.batching import batch_rules
from ...interpreters.lowering import lowering_rules
from ._lapack import (_I32, _batch_leading, _char_attr, _check_linalg, _ffi_call, _info_ok,
                      _is_real, _nan_where_failed, _real_dtype, _target)

__all__ = ["schur", "schur_p", "hessenberg", "hessenberg_p", "tridiagonal", "tridiagonal_p"]


# ---------------------------------------------------------------------------
# schur


def schur(x, *, compute_schur_vectors=True, sort_eig_vals=False, select_callable=None):
    """Schur decomposition ``x = Q @ T @ Q^H``. Lowers to LAPACK ``?gees`` (CPU only, as in JAX).

    Args:
      x: ``[..., n, n]`` matrices (float32/64, complex64/128).
      compute_schur_vectors: also return the unitary ``Q``.
      sort_eig_vals: LAPACK's eigenvalue sorting is not wired (JAX raises
        ``NotImplementedError`` when it is True; so does glassbox).
      select_callable: unused (as in JAX).

    Returns:
      ``(T, Q)`` if ``compute_schur_vectors`` else ``T``. For real input ``T`` is
      quasi-upper-triangular (real Schur form: 2x2 diagonal blocks hold complex pairs);
      for complex input it is upper triangular. Failed decompositions give NaNs.

    Example:
      >>> t, q = schur(a)            # a == q @ t @ q.conj().T, up to rounding
    """
    out = schur_p.bind(x, compute_schur_vectors=bool(compute_schur_vectors),
                       sort_eig_vals=bool(sort_eig_vals), select_callable=select_callable)
    return tuple(out) if compute_schur_vectors else out[0]


schur_p = Primitive("schur", multiple_results=True)


def _schur_abstract_eval(x, *, compute_schur_vectors, sort_eig_vals, select_callable):
    _check_linalg("schur", [x], [2])
    if x.shape[-1] != x.shape[-2]:
        raise ValueError(f"The input to schur must be a square matrix. Got shape "
                         f"{x.shape[-2:]}.")
    return [x] * (2 if compute_schur_vectors else 1)


def _schur_lowering(ctx, x, *, compute_schur_vectors, sort_eig_vals, select_callable):
    if sort_eig_vals:
        raise NotImplementedError("The sort feature of LAPACK's gees routine is not implemented.")
    (aval,) = ctx.avals_in
    aval = aval.strip_weak_type()
    batch = aval.shape[:-2]
    info = ShapedArray(batch, _I32)
    w = aval.update(shape=aval.shape[:-1])
    # Real input returns the eigenvalues as (real parts, imaginary parts); then the
    # number of selected eigenvalues (unused: no sorting), then LAPACK's info.
    eigvals = [w, w] if _is_real(aval.dtype) else [w]
    t, q, *_, info = _ffi_call(ctx, _target("gees", aval.dtype), [x], [aval],
                               [aval, aval] + eigvals + [info, info],
                               {"mode": _char_attr("V" if compute_schur_vectors else "N"),
                                "sort": _char_attr("N")}, {0: 0})
    ok = _info_ok(ctx, info, batch)
    out = [_nan_where_failed(ctx, ok, batch, t, aval)]
    if compute_schur_vectors:
        out.append(_nan_where_failed(ctx, ok, batch, q, aval))
    return out


abstract_eval_rules[schur_p] = _schur_abstract_eval
lowering_rules[schur_p] = _schur_lowering
batch_rules[schur_p] = _batch_leading(schur_p)


# ---------------------------------------------------------------------------
# hessenberg


def hessenberg(a):
    """Reduce square matrices to upper Hessenberg form. Lowers to LAPACK ``?gehrd`` (CPU only).

    Args:
      a: ``[..., n, n]`` matrices, ``n >= 1``.

    Returns:
      ``(a, taus)``: the upper triangle and first subdiagonal of ``a`` hold the
      Hessenberg matrix ``H``, the entries below hold Householder reflectors, and
      ``taus`` (``[..., n - 1]``) their scale factors, so that
      ``householder_product`` of the reflectors shifted one row down is the ``Q``
      with ``a = Q @ H @ Q^H``.
    """
    a, taus = hessenberg_p.bind(a)
    return a, taus


hessenberg_p = Primitive("hessenberg", multiple_results=True)


def _hessenberg_abstract_eval(a):
    _check_linalg("hessenberg", [a], [2])
    n = a.shape[-1]
    if a.shape[-2] != n:
        raise ValueError(f"Argument to Hessenberg reduction must have shape [..., n, n], got "
                         f"shape {a.shape}")
    if n == 0:   # JAX fails while compiling (a taus of length -1); say so here instead
        raise ValueError(f"hessenberg: the matrices must be at least 1x1, got shape {a.shape}")
    return [a, a.update(shape=a.shape[:-2] + (n - 1,))]


def _hessenberg_lowering(ctx, a):
    (aval,) = ctx.avals_in
    aval = aval.strip_weak_type()
    a_out, taus_out = (v.strip_weak_type() for v in ctx.avals_out)
    batch, n = aval.shape[:-2], aval.shape[-1]
    a, taus, info = _ffi_call(ctx, _target("gehrd", aval.dtype), [a], [aval],
                              [a_out, taus_out, ShapedArray(batch, _I32)],
                              {"low": "1 : i32", "high": f"{n} : i32"}, {0: 0})
    ok = _info_ok(ctx, info, batch)
    return [_nan_where_failed(ctx, ok, batch, a, a_out),
            _nan_where_failed(ctx, ok, batch, taus, taus_out)]


abstract_eval_rules[hessenberg_p] = _hessenberg_abstract_eval
lowering_rules[hessenberg_p] = _hessenberg_lowering
batch_rules[hessenberg_p] = _batch_leading(hessenberg_p)


# ---------------------------------------------------------------------------
# tridiagonal


def tridiagonal(a, *, lower=True):
    """Reduce Hermitian (real symmetric) matrices to tridiagonal form ``a = Q T Q^H``.

    Lowers to LAPACK ``?sytrd`` (real) / ``?hetrd`` (complex), CPU only.

    Args:
      a: ``[..., n, n]`` matrices, ``n >= 1``.
      lower: which triangle of ``a`` is read (the other is not accessed).

    Returns:
      ``(a, d, e, taus)``: ``a`` holds ``T``'s diagonal and first sub- (``lower``) or
      super-diagonal and the Householder reflectors beyond it; ``d`` (real,
      ``[..., n]``) the diagonal, ``e`` (real, ``[..., n - 1]``) the off-diagonal, and
      ``taus`` (``[..., n - 1]``, ``a``'s dtype) the reflectors' scale factors.
    """
    return tuple(tridiagonal_p.bind(a, lower=bool(lower)))


tridiagonal_p = Primitive("tridiagonal", multiple_results=True)


def _tridiagonal_abstract_eval(a, *, lower):
    _check_linalg("tridiagonal", [a], [2])
    n = a.shape[-1]
    if a.shape[-2] != n or n == 0:
        raise ValueError(f"The input to tridiagonal must be a square matrix. Got shape "
                         f"{a.shape[-2:]}.")
    batch, real = a.shape[:-2], _real_dtype(a.dtype)
    return [a, a.update(shape=batch + (n,), dtype=real),
            a.update(shape=batch + (n - 1,), dtype=real), a.update(shape=batch + (n - 1,))]


def _tridiagonal_lowering(ctx, a, *, lower):
    (aval,) = ctx.avals_in
    aval = aval.strip_weak_type()
    avals_out = [v.strip_weak_type() for v in ctx.avals_out]
    batch = aval.shape[:-2]
    name = "sytrd" if _is_real(aval.dtype) else "hetrd"
    *outs, info = _ffi_call(ctx, _target(name, aval.dtype), [a], [aval],
                            avals_out + [ShapedArray(batch, _I32)],
                            {"uplo": _char_attr("L" if lower else "U")}, {0: 0})
    ok = _info_ok(ctx, info, batch)
    return [_nan_where_failed(ctx, ok, batch, x, v) for x, v in zip(outs, avals_out)]


abstract_eval_rules[tridiagonal_p] = _tridiagonal_abstract_eval
lowering_rules[tridiagonal_p] = _tridiagonal_lowering
batch_rules[tridiagonal_p] = _batch_leading(tridiagonal_p)

