"""The Schur form and what is built on it, for ``glassbox.scipy.linalg``: ``schur``,
``hessenberg``, ``rsf2csf``, ``sqrtm`` (complex Schur form, then the triangular square
root), ``funm`` (Parlett's recurrence) and ``solve_sylvester`` (Bartels-Stewart). LAPACK's
?gees and ?gehrd run on the CPU only and have no derivative, as in JAX."""
import functools

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..lax import linalg as lax_linalg
from .. import numpy as jnp
from ..numpy import linalg as jnp_linalg
from ..numpy._util import check_arraylike, promote_dtypes_inexact
from ._linalg_util import H as _H, inexact as _inexact, precise_dot as _precise_dot


# ---------------------------------------------------------------------------
# Schur and Hessenberg forms (LAPACK ?gees and ?gehrd: CPU only, not differentiable, as JAX)


def schur(a, output="real"):
    """Schur decomposition ``a = Z @ T @ Z^H`` of (batched) square matrices (LAPACK ``?gees``).

    Args:
      a: ``[..., n, n]`` float32/64 or complex64/128 matrices (with ``output='real'`` no
        other dtype is accepted, as in JAX).
      output: ``'real'``: for real ``a``, ``T`` is quasi-upper-triangular with a 2x2
        diagonal block per complex-conjugate eigenvalue pair. ``'complex'``: ``a`` is
        first cast to complex, and ``T`` is upper triangular.

    Returns:
      ``(T, Z)``, ``Z`` unitary. Only defined on CPU; no derivative (as JAX).

    Example:
      >>> T, Z = schur(a, output="complex")    # jnp.diag(T): the eigenvalues of a
    """
    if output not in ("real", "complex"):
        raise ValueError(f"Expected 'output' to be either 'real' or 'complex', got "
                         f"output={output!r}.")
    return _schur(a, output)


@functools.partial(jit, static_argnames=("output",))
def _schur(a, output):
    check_arraylike("jax.scipy.linalg.schur", a)
    a = jnp.asarray(a)
    if output == "complex":
        a = a.astype(_complex_dtype(_inexact("jax.scipy.linalg.schur", a).dtype))
    return lax_linalg.schur(a)


def hessenberg(a, *, calc_q=False, overwrite_a=False, check_finite=True):
    """Upper Hessenberg form ``a = Q @ H @ Q^H`` (``H`` zero below the first subdiagonal),
    from LAPACK ``?gehrd``; ``Q`` from its reflectors with ``householder_product``.

    Args:
      a: ``[..., n, n]`` float32/64 or complex64/128 matrices.
      calc_q: also return the unitary ``Q``.

    Returns:
      ``H``, or ``(H, Q)`` with ``calc_q=True``; both ``[..., n, n]``.
    """
    del overwrite_a, check_finite
    return _hessenberg(a, bool(calc_q))


@functools.partial(jit, static_argnames=("calc_q",))
def _hessenberg(a, calc_q):
    check_arraylike("jax.scipy.linalg.hessenberg", a)
    a = jnp.asarray(a)
    if a.ndim >= 2 and a.shape[-1] == 0:
        return (jnp.zeros_like(a), jnp.zeros_like(a)) if calc_q else jnp.zeros_like(a)
    packed, taus = lax_linalg.hessenberg(a)
    h = jnp.triu(packed, -1)
    if not calc_q:
        return h
    # the reflectors start one row below the diagonal: Q = diag(1, Q'), Q' from the rest
    q = lax_linalg.householder_product(packed[..., 1:, :-1], taus)
    q = jnp.pad(q, [(0, 0)] * (a.ndim - 2) + [(1, 0), (1, 0)])
    return h, q.at[..., 0, 0].set(1)


# ---------------------------------------------------------------------------
# Real to complex Schur form


def rsf2csf(T, Z, check_finite=True):
    """The complex Schur form ``(T, Z)`` (``T`` upper triangular) from a real one (``T``
    quasi-upper-triangular, with 2x2 blocks for complex eigenvalue pairs), as
    ``scipy.linalg.rsf2csf``: each 2x2 block is split by a Givens rotation built from
    its eigenvalues, applied to ``T`` from both sides and to ``Z`` from the right.
    Batch dimensions of ``T`` and ``Z`` broadcast."""
    del check_finite
    T, Z = jnp.asarray(T), jnp.asarray(Z)
    if T.ndim < 2 or T.shape[-1] != T.shape[-2]:
        raise ValueError("Input 'T' must be square.")
    if Z.ndim < 2 or Z.shape[-1] != Z.shape[-2]:
        raise ValueError("Input 'Z' must be square.")
    if T.shape[-1] != Z.shape[-1]:
        raise ValueError(f"Input array shapes must match: Z: {Z.shape} vs. T: {T.shape}")
    return jnp.vectorize(_rsf2csf_2d, signature="(n,n),(n,n)->(n,n),(n,n)")(T, Z)


def _complex_dtype(dtype):
    """JAX's ``to_complex_dtype``: complex128 for 64-bit types, else complex64."""
    if dtypes.is_complex(dtype):
        return np.dtype(dtype)
    return np.dtype(np.complex128 if np.dtype(dtype) == np.float64 else np.complex64)


@jit
def _rsf2csf_2d(T, Z):
    T, Z = promote_dtypes_inexact(T, Z)
    T, Z = (x.astype(_complex_dtype(T.dtype)) for x in (T, Z))
    eps = dtypes.finfo(T.dtype).eps
    n = T.shape[0]
    if n == 1:
        return T, Z

    def split_block(m, T, Z):           # rotate rows/columns m-1, m to zero T[m, m-1]
        mu = jnp_linalg.eigvals(lax.dynamic_slice(T, (m - 1, m - 1), (2, 2))) - T[m, m]
        r = jnp_linalg.norm(jnp.array([mu[0], T[m, m - 1]])).astype(T.dtype)
        c, s = mu[0] / r, T[m, m - 1] / r
        G = jnp.array([[c.conj(), s], [-s, c]], dtype=T.dtype)
        rows = lax.dynamic_slice_in_dim(T, m - 1, 2, axis=0)
        right_of = jnp.arange(n) >= m - 1
        rows = jnp.where(right_of, G @ jnp.where(right_of, rows, 0), rows)
        T = lax.dynamic_update_slice_in_dim(T, rows, m - 1, axis=0)
        cols = lax.dynamic_slice_in_dim(T, m - 1, 2, axis=1)
        above = jnp.arange(n)[:, None] < m + 1
        cols = jnp.where(above, jnp.where(above, cols, 0) @ G.conj().T, cols)
        T = lax.dynamic_update_slice_in_dim(T, cols, m - 1, axis=1)
        z_cols = lax.dynamic_slice_in_dim(Z, m - 1, 2, axis=1)
        Z = lax.dynamic_update_slice_in_dim(Z, z_cols @ G.conj().T, m - 1, axis=1)
        return T, Z

    def from_bottom(i, TZ):
        m = n - i
        T, Z = TZ
        T, Z = lax.cond(jnp.abs(T[m, m - 1]) > eps * (jnp.abs(T[m - 1, m - 1])
                                                      + jnp.abs(T[m, m])),
                        split_block, lambda m, T, Z: (T, Z), m, T, Z)
        return T.at[m, m - 1].set(0.0), Z

    return lax.fori_loop(1, n, from_bottom, (T, Z))


# ---------------------------------------------------------------------------
# Matrix functions through the Schur form: sqrtm, funm


def sqrtm(A, blocksize=1):
    """Principal square root of a square matrix (complex result), by the complex Schur form
    ``A = Z T Z^H`` and Björck and Hammarling's recurrence for the triangular root of ``T``.

    Args:
      A: an ``(n, n)`` matrix (any numeric dtype: it is cast to complex).
      blocksize: only 1 (JAX has no blocked version: larger raises ``NotImplementedError``).

    Returns:
      The complex ``(n, n)`` matrix ``X`` with ``X @ X == A`` (for a singular ``A`` the
      root may not exist; the recurrence then gives zeros where it meets 0/0, as JAX).

    Example:
      >>> sqrtm(jnp.array([[4., 0.], [0., 9.]]))    # [[2, 0], [0, 3]] (complex64)
    """
    if blocksize > 1:
        raise NotImplementedError("Blocked version is not implemented yet.")
    return _sqrtm(A)


@jit
def _sqrtm(A):
    check_arraylike("jax.scipy.linalg.sqrtm", A)
    A = jnp.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError(f"jax.scipy.linalg.sqrtm: expected a square matrix (n, n), got shape "
                         f"{A.shape} (map over batches with vmap)")
    T, Z = _schur(A, "complex")
    return _precise_dot(_precise_dot(Z, _sqrtm_triangular(T)), _H(Z))


def _sqrtm_triangular(T):
    """The upper-triangular ``U`` with ``U @ U == T`` (Björck & Hammarling 1983): the
    diagonal is ``sqrt(diag(T))``; then column by column, from the diagonal up,
    ``U[i, j] = (T[i, j] - sum_{i<k<j} U[i, k] U[k, j]) / (U[i, i] + U[j, j])``, set to 0
    where the numerator is exactly 0 (JAX's guard against 0/0)."""
    n = T.shape[0]
    diag = jnp.sqrt(jnp.diagonal(T))
    ks = jnp.arange(n)

    def entry(l, state):                 # U[i, j] for i = j-1, j-2, ..., 0
        j, U = state
        i = j - 1 - l
        s = jnp.sum(jnp.where((ks > i) & (ks < j), U[i, :] * U[:, j], 0))
        value = jnp.where(T[i, j] == s, 0, (T[i, j] - s) / (diag[i] + diag[j]))
        return j, U.at[i, j].set(value)

    def column(j, U):
        return lax.fori_loop(0, j, entry, (j, U))[1]

    return lax.fori_loop(1, n, column, jnp.diag(diag))


def funm(A, func, disp=True):
    """``func`` of a square matrix: ``func`` is applied to the eigenvalues on the diagonal
    of the complex Schur form ``T`` (``schur`` then ``rsf2csf``) and Parlett's recurrence
    fills in the rest of ``F = func(T)``; the result is ``Z F Z^H``.

    Args:
      A: an ``(n, n)`` float32/64 or complex64/128 matrix.
      func: a function of an array of eigenvalues, elementwise (``jnp.exp``, ``jnp.sin``...).
      disp: if False, also return SciPy's estimate of the relative error (glassbox, like
        JAX, prints nothing either way).

    Returns:
      The complex ``(n, n)`` matrix ``func(A)``; with ``disp=False``, ``(func(A), err)``.
      Parlett's recurrence divides by differences of eigenvalues: repeated or close
      eigenvalues give inaccurate results (and a large ``err``), as in SciPy and JAX.

    Example:
      >>> funm(a, jnp.exp)            # close to expm(a), as a complex array
    """
    A = jnp.asarray(A)
    if A.ndim != 2 or A.shape[0] != A.shape[1]:
        raise ValueError("expected square array_like input")
    T, Z = rsf2csf(*schur(A))
    F = jnp.diag(func(jnp.diagonal(T))).astype(T.dtype)
    F, minden = _parlett(F, T)
    F = Z @ F @ _H(Z)
    if disp:
        return F
    tol = np.finfo(F.dtype).eps
    minden = jnp.where(minden == 0, tol, minden)
    err = jnp.where(jnp.any(jnp.isinf(F)), np.inf,
                    jnp.minimum(1, jnp.maximum(tol, (tol / minden)
                                               * jnp_linalg.norm(jnp.triu(T, 1), 1))))
    return F, err


@jit
def _parlett(F, T):
    """Golub & Van Loan's Algorithm 11.1.1 (Parlett's recurrence): the strict upper part of
    ``F = f(T)`` for upper-triangular ``T``, given ``F``'s diagonal. With ``j = i + p``,

        F[i, j] = (T[i, j] (F[j, j] - F[i, i])
                   + sum_{i<k<j} (T[i, k] F[k, j] - F[i, k] T[k, j])) / (T[j, j] - T[i, i])

    (left undivided where the denominator is 0, as JAX). The entries of superdiagonal
    ``p`` need only those of lower ones, so each superdiagonal is one vectorized step.
    Also returns the smallest ``|T[j, j] - T[i, i]|`` (starting from ``|T[0, 0]|``, as
    SciPy), for ``funm``'s error estimate."""
    n = T.shape[0]
    rows = jnp.arange(n)
    t_diag, f_diag = jnp.diagonal(T), jnp.diagonal(F)

    def superdiagonal(p, state):
        F, minden = state
        cols = jnp.minimum(rows + p, n - 1)          # j for each row i, clipped past the end
        between = (rows[None, :] > rows[:, None]) & (rows[None, :] < rows[:, None] + p)
        t_cols, f_cols = jnp.take(T, cols, axis=1).T, jnp.take(F, cols, axis=1).T  # [i, k]: X[k, j]
        inner = jnp.sum(jnp.where(between, T * f_cols - F * t_cols, 0), axis=1)
        s = jnp.diagonal(t_cols) * (f_diag[cols] - f_diag) + inner
        den = t_diag[cols] - t_diag
        s = jnp.where(den != 0, s / den, s)
        F = jnp.where(rows[None, :] - rows[:, None] == p, s[:, None], F)
        den_abs = jnp.where(rows + p < n, jnp.abs(den), np.inf)
        return F, jnp.minimum(minden, jnp.min(den_abs))

    return lax.fori_loop(1, n, superdiagonal, (F, jnp.abs(T[0, 0])))


# ---------------------------------------------------------------------------
# The Sylvester equation A X + X B = C


def solve_sylvester(A, B, C, *, method="schur", tol=1e-8):
    """Solve ``A X + X B = C`` for ``X``.

    ``method='schur'`` (Bartels-Stewart): with the complex Schur forms ``A = U R U^H`` and
    ``B^H = V S V^H`` the equation becomes ``R Y + Y S^H = U^H C V`` with triangular ``R``
    and ``S^H``, solved column by column from the last, one triangular solve each; then
    ``X = U Y V^H``. ``method='eigen'`` diagonalizes ``A`` and ``B`` with ``eig`` (faster,
    less accurate when the eigenvectors are ill-conditioned).

    Args:
      A: ``[..., m, m]``; B: ``[..., n, n]``; C: ``[..., m, n]``; batch dimensions broadcast.
      method: ``'schur'`` (default) or ``'eigen'``.
      tol: if some sum of an eigenvalue of ``A`` and one of ``B`` is smaller than ``tol`` in
        modulus (no unique solution), the result is all NaN.

    Returns:
      ``X``, ``[..., m, n]``, real when all inputs are real.

    Example:
      >>> solve_sylvester(jnp.eye(2), 2 * jnp.eye(2), jnp.ones((2, 2)))   # ones / 3
    """
    if method not in ("schur", "eigen"):
        raise ValueError(f'Unrecognized method {method}. The two valid methods are either '
                         f'"schur" or "eigen".')
    return _solve_sylvester(jnp.asarray(A), jnp.asarray(B), jnp.asarray(C), method, tol)


@functools.partial(jit, static_argnames=("method",))
def _solve_sylvester(A, B, C, method, tol):
    A, B, C = _inexact("jax.scipy.linalg.solve_sylvester", A, B, C)
    m, n = C.shape[-2:] if C.ndim >= 2 else (-1, -1)
    if m < 0 or A.shape[-2:] != (m, m) or B.shape[-2:] != (n, n):
        raise ValueError(f"Incompatible shapes for Sylvester equation:\nA: {A.shape}\n"
                         f"B: {B.shape}\nC: {C.shape}")
    solve_2d = functools.partial(_solve_sylvester_2d, method=method, tol=tol)
    return jnp.vectorize(solve_2d, signature="(m,m),(n,n),(m,n)->(m,n)")(A, B, C)


def _solve_sylvester_2d(A, B, C, method, tol):
    if method == "schur":
        R, U = _schur(A, "complex")
        S, V = _schur(_H(B), "complex")
        F = _H(U) @ C.astype(R.dtype) @ V
        X = U @ _sylvester_triangular(R, _H(jnp.triu(S)), F) @ _H(V)
        eig_a, eig_b = jnp.diagonal(R), jnp.conj(jnp.diagonal(S))
    else:
        eig_a, UA = jnp_linalg.eig(A)
        eig_b, UB = jnp_linalg.eig(B)
        F = jnp_linalg.solve(UA, C.astype(eig_a.dtype) @ UB)
        X = UA @ (F / (eig_a[:, None] + eig_b[None, :])) @ jnp_linalg.inv(UB)
    if not dtypes.is_complex(C.dtype):
        X = jnp.real(X)
    singular = jnp.any(jnp.abs(eig_a[:, None] + eig_b[None, :]) < tol)
    return jnp.where(singular, np.nan, X)


def _sylvester_triangular(R, L, F):
    """Solve ``R Y + Y L = F`` for upper-triangular ``R`` and lower-triangular ``L``
    (Bartels-Stewart's back substitution): column ``j`` of ``Y`` needs only the columns
    after it, ``(R + L[j, j] I) Y[:, j] = F[:, j] - Y[:, j+1:] @ L[j+1:, j]``, so the
    columns are solved from the last, one triangular solve each."""
    m, n = F.shape
    eye = jnp.eye(m, dtype=R.dtype)

    def column(t, Y):
        j = n - 1 - t
        rhs = F[:, j] - Y @ L[:, j]               # Y's columns j and before are still zero
        y = lax_linalg.triangular_solve(R + L[j, j] * eye, rhs[:, None], left_side=True,
                                        lower=False)
        return lax.dynamic_update_slice(Y, y, (0, j))

    return lax.fori_loop(0, n, column, jnp.zeros_like(F))
