"""``glassbox.scipy.linalg``: SciPy's linear algebra on glassbox arrays (``jax.scipy.linalg``).

The factorizations are ``glassbox.lax.linalg``'s (LAPACK through jaxlib) with SciPy's
signatures as JAX offers them: ``overwrite_*`` and ``check_finite`` are accepted and
ignored; ``lower=`` picks the triangle. Everything is differentiable where JAX's is
(``expm`` by differentiating its Padé approximant and squarings, so ``expm_frechet``
is its jvp). ``schur``, ``hessenberg`` and what is built on the Schur form (``sqrtm``,
``funm``, ``solve_sylvester``), like ``qr_multiply`` (``geqrf`` + ``ormqr``), are CPU-only
LAPACK calls with no derivative, as in JAX. The special matrices (``toeplitz``,
``hilbert``, ``pascal``...) are built with ``jnp`` as JAX builds them, with JAX's dtypes.
"""
import functools
import math

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..interpreters.ad import instantiate, jvp_flat
from ..lax import linalg as lax_linalg
from .. import numpy as jnp
from .. import random as _random
from ..numpy import linalg as jnp_linalg
from ..numpy._util import check_arraylike, promote_dtypes_inexact

__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "circulant", "companion",
           "convolution_matrix", "det", "dft", "eigh", "eigh_tridiagonal", "expm",
           "expm_frechet", "fiedler", "fiedler_companion", "funm", "hadamard", "hankel",
           "helmert", "hessenberg", "hilbert", "inv", "invhilbert", "invpascal", "leslie", "lu",
           "lu_factor", "lu_solve", "pascal", "polar", "qr", "qr_multiply", "rsf2csf", "schur",
           "solve", "solve_sylvester", "solve_triangular", "sqrtm", "svd", "toeplitz"]


def _H(x):
    return jnp.conjugate(jnp.swapaxes(x, -1, -2))


def _inexact(fun_name, *args):
    check_arraylike(fun_name, *args)
    out = promote_dtypes_inexact(*(jnp.asarray(a) for a in args))
    return out[0] if len(out) == 1 else out


def _square(fun_name, a):
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise ValueError(f"{fun_name}: expected a (batched) square matrix [..., n, n], got "
                         f"shape {a.shape}")


# ---------------------------------------------------------------------------
# Cholesky


@functools.partial(jit, static_argnames=("lower",))
def _cholesky(a, lower):
    a = _inexact("jax.scipy.linalg.cholesky", a)
    _square("jax.scipy.linalg.cholesky", a)
    L = lax_linalg.cholesky(a)
    return L if lower else _H(L)


def cholesky(a, lower=False, overwrite_a=False, check_finite=True):
    """Cholesky factor: upper ``U`` (``a = U^H U``) by default, lower ``L`` with ``lower=True``."""
    del overwrite_a, check_finite
    return _cholesky(a, bool(lower))


def cho_factor(a, lower=False, overwrite_a=False, check_finite=True):
    """``(c, lower)`` for ``cho_solve``: the Cholesky factor and which triangle it is."""
    del overwrite_a, check_finite
    return _cholesky(a, bool(lower)), bool(lower)


@functools.partial(jit, static_argnames=("lower",))
def _cho_solve(c, b, lower):
    c, b = _inexact("jax.scipy.linalg.cho_solve", c, b)
    _check_solve_shapes("jax.scipy.linalg.cho_solve", c, b)
    b = lax_linalg.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=not lower,
                                    conjugate_a=not lower)
    return lax_linalg.triangular_solve(c, b, left_side=True, lower=lower, transpose_a=lower,
                                       conjugate_a=lower)


def cho_solve(c_and_lower, b, overwrite_b=False, check_finite=True):
    """Solve ``a @ x = b`` given ``cho_factor(a)``."""
    del overwrite_b, check_finite
    c, lower = c_and_lower
    return _cho_solve(c, b, bool(lower))


def _check_solve_shapes(fun_name, a, b):
    if not (a.ndim >= 2 and b.ndim in (a.ndim, a.ndim - 1) and
            a.shape[-1] == a.shape[-2] == b.shape[a.ndim - 2]):
        raise ValueError(f"{fun_name}: the arguments must have shapes a=[..., m, m] and "
                         f"b=[..., m, k] or b=[..., m]; got a={a.shape} and b={b.shape}")


# ---------------------------------------------------------------------------
# LU


def lu_factor(a, overwrite_a=False, check_finite=True):
    """``(lu, piv)``: the packed LU factors and LAPACK's 0-based row swaps."""
    del overwrite_a, check_finite
    return _lu_factor(a)


@jit
def _lu_factor(a):
    a = _inexact("jax.scipy.linalg.lu_factor", a)
    lu_, pivots, _ = lax_linalg.lu(a)
    return lu_, pivots


def lu_solve(lu_and_piv, b, trans=0, overwrite_b=False, check_finite=True):
    """Solve ``a x = b`` (``trans`` 0), ``a^T x = b`` (1) or ``a^H x = b`` (2) from ``lu_factor``."""
    del overwrite_b, check_finite
    if trans not in (0, 1, 2):
        raise ValueError(f"'trans' value must be 0, 1, or 2, got {trans}")
    lu_, pivots = lu_and_piv
    return _lu_solve(lu_, pivots, b, trans)


@functools.partial(jit, static_argnames=("trans",))
def _lu_solve(lu_, pivots, b, trans):
    lu_, b = _inexact("jax.scipy.linalg.lu_solve", lu_, b)
    m = lu_.shape[-1]
    perm = lax_linalg.lu_pivots_to_permutation(jnp.asarray(pivots, np.int32), m)
    vector = lu_.ndim == b.ndim + 1
    if vector:
        b = b[..., None]
    if b.shape[-2] != m:
        raise ValueError(f"jax.scipy.linalg.lu_solve: b must have {m} rows, got shape {b.shape}")
    batch = np.broadcast_shapes(lu_.shape[:-2], perm.shape[:-1], b.shape[:-2])
    lu_ = jnp.broadcast_to(lu_, batch + lu_.shape[-2:])
    perm = jnp.broadcast_to(perm, batch + (m,))
    b = jnp.broadcast_to(b, batch + b.shape[-2:])
    if trans == 0:
        x = jnp.take_along_axis(b, perm[..., :, None], axis=-2)
        x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True)
        x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=False)
    else:
        conj = trans == 2
        x = lax_linalg.triangular_solve(lu_, b, left_side=True, lower=False, transpose_a=True,
                                        conjugate_a=conj)
        x = lax_linalg.triangular_solve(lu_, x, left_side=True, lower=True, unit_diagonal=True,
                                        transpose_a=True, conjugate_a=conj)
        inverse = jnp.argsort(perm, axis=-1)
        x = jnp.take_along_axis(x, inverse[..., :, None], axis=-2)
    return x[..., 0] if vector else x


def lu(a, permute_l=False, overwrite_a=False, check_finite=True):
    """``(p, l, u)`` with ``a = p @ l @ u`` (or ``(p @ l, u)`` with ``permute_l``)."""
    del overwrite_a, check_finite
    return _lu(a, bool(permute_l))


@functools.partial(jit, static_argnames=("permute_l",))
def _lu(a, permute_l):
    a = _inexact("jax.scipy.linalg.lu", a)
    lu_, _, perm = lax_linalg.lu(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    p = jnp.real((perm[..., None, :] == jnp.arange(m, dtype=perm.dtype)[:, None])
                 .astype(a.dtype))
    l = jnp.tril(lu_[..., :, :k], -1) + jnp.eye(m, k, dtype=a.dtype)
    u = jnp.triu(lu_[..., :k, :])
    if permute_l:
        return jnp.matmul(p, l, precision=lax.Precision.HIGHEST), u
    return p, l, u


# ---------------------------------------------------------------------------
# Solving, inverting, determinants


def solve_triangular(a, b, trans=0, lower=False, unit_diagonal=False, overwrite_b=False,
                     debug=None, check_finite=True):
    """Solve ``op(a) x = b`` for triangular ``a``; ``trans`` 0/'N', 1/'T' or 2/'C'."""
    del overwrite_b, debug, check_finite
    if trans not in (0, 1, 2, "N", "T", "C"):
        raise ValueError(f"Invalid 'trans' value {trans}")
    return _solve_triangular(a, b, trans, bool(lower), bool(unit_diagonal))


@functools.partial(jit, static_argnames=("trans", "lower", "unit_diagonal"))
def _solve_triangular(a, b, trans, lower, unit_diagonal):
    transpose_a = trans in (1, 2, "T", "C")
    conjugate_a = trans in (2, "C")
    a, b = _inexact("jax.scipy.linalg.solve_triangular", a, b)
    _square("jax.scipy.linalg.solve_triangular", a)
    vector = b.ndim == 1 or (a.ndim == b.ndim + 1 and a.shape[-1] == b.shape[-1])
    if vector:
        b = b[..., None]
    if b.shape[-2] != a.shape[-1]:
        raise ValueError(f"jax.scipy.linalg.solve_triangular: incompatible shapes a={a.shape} "
                         f"and b={b.shape}")
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    a = jnp.broadcast_to(a, batch + a.shape[-2:])
    b = jnp.broadcast_to(b, batch + b.shape[-2:])
    x = lax_linalg.triangular_solve(a, b, left_side=True, lower=lower, transpose_a=transpose_a,
                                    conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)
    return x[..., 0] if vector else x


def solve(a, b, lower=False, overwrite_a=False, overwrite_b=False, debug=False,
          check_finite=True, assume_a="gen"):
    """Solve ``a @ x = b``; ``assume_a='pos'`` uses Cholesky, the others LU (as JAX)."""
    del overwrite_a, overwrite_b, debug, check_finite
    if assume_a not in ("gen", "sym", "her", "pos"):
        raise ValueError(f"Expected assume_a to be one of ['gen', 'sym', 'her', 'pos']; "
                         f"got {assume_a!r}")
    return _solve(a, b, assume_a, bool(lower))


@functools.partial(jit, static_argnames=("assume_a", "lower"))
def _solve(a, b, assume_a, lower):
    if assume_a != "pos":
        return jnp_linalg.solve(a, b)
    a, b = _inexact("jax.scipy.linalg.solve", a, b)
    _check_solve_shapes("jax.scipy.linalg.solve", a, b)
    return _cho_solve(_cholesky(a, lower), b, lower)


def inv(a, overwrite_a=False, check_finite=True):
    """Inverse of square matrices (``jnp.linalg.inv``)."""
    del overwrite_a, check_finite
    return jnp_linalg.inv(a)


def det(a, overwrite_a=False, check_finite=True):
    """Determinant of square matrices (``jnp.linalg.det``)."""
    del overwrite_a, check_finite
    return jnp_linalg.det(a)


# ---------------------------------------------------------------------------
# Decompositions


def svd(a, full_matrices=True, compute_uv=True, overwrite_a=False, check_finite=True,
        lapack_driver="gesdd"):
    """``(u, s, vh)``, or ``s`` if ``compute_uv`` is False (LAPACK ``gesdd``)."""
    del overwrite_a, check_finite, lapack_driver
    return _svd(a, bool(full_matrices), bool(compute_uv))


@functools.partial(jit, static_argnames=("full_matrices", "compute_uv"))
def _svd(a, full_matrices, compute_uv):
    a = _inexact("jax.scipy.linalg.svd", a)
    return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)


def eigh(a, b=None, lower=True, eigvals_only=False, overwrite_a=False, overwrite_b=False,
         turbo=True, eigvals=None, type=1, check_finite=True):  # noqa: A002 (scipy's name)
    """Eigenvalues ``w`` (ascending) and eigenvectors ``v`` (columns) of Hermitian ``a``."""
    del overwrite_a, overwrite_b, turbo, check_finite
    if b is not None:
        raise NotImplementedError("Only the b=None case of eigh is implemented")
    if type != 1:
        raise NotImplementedError("Only the type=1 case of eigh is implemented.")
    if eigvals is not None:
        raise NotImplementedError("Only the eigvals=None case of eigh is implemented.")
    return _eigh(a, bool(lower), bool(eigvals_only))


@functools.partial(jit, static_argnames=("lower", "eigvals_only"))
def _eigh(a, lower, eigvals_only):
    a = _inexact("jax.scipy.linalg.eigh", a)
    v, w = lax_linalg.eigh(a, lower=lower)
    return w if eigvals_only else (w, v)


def qr(a, overwrite_a=False, lwork=None, mode="full", pivoting=False, check_finite=True):
    """QR decomposition: ``mode`` 'full' (square ``q``), 'economic', or 'r' (``(r,)`` only)."""
    del overwrite_a, lwork, check_finite
    if mode not in ("full", "r", "economic"):
        raise ValueError(f"Unsupported QR decomposition mode '{mode}'")
    if pivoting:
        raise NotImplementedError("jax.scipy.linalg.qr: pivoting=True (LAPACK geqp3) is not "
                                  "implemented in glassbox yet")
    return _qr(a, mode)


@functools.partial(jit, static_argnames=("mode",))
def _qr(a, mode):
    a = _inexact("jax.scipy.linalg.qr", a)
    q, r = lax_linalg.qr(a, full_matrices=(mode != "economic"))
    return (r,) if mode == "r" else (q, r)


def qr_multiply(a, c, mode="right", pivoting=False, conjugate=False, overwrite_a=False,
                overwrite_c=False):
    """``(Q @ c, R)`` (``mode='left'``) or ``(c @ Q, R)`` (``'right'``) for ``a = Q R``,
    applying the Householder reflectors of ``geqrf`` with ``ormqr`` (``Q`` is never formed).

    Args:
      a: ``[..., m, n]`` matrices; ``k = min(m, n)``.
      c: ``[..., k, p]`` (``'left'``) or ``[..., p, m]`` (``'right'``); a 1-D ``c`` is a
        column (``'left'``) or a row (``'right'``) and the product comes back 1-D. Batch
        dimensions of ``a`` and ``c`` broadcast.
      mode: ``'right'`` (default) or ``'left'``.
      pivoting: column pivoting (LAPACK ``geqp3``) is not built in glassbox: raises
        ``NotImplementedError``.
      conjugate: use ``conj(Q)`` in place of ``Q``.

    Returns:
      ``(Q @ c, R)`` with shapes ``[..., m, p]`` and ``[..., k, n]``, or
      ``(c @ Q[:, :k], R)`` with shapes ``[..., p, k]`` and ``[..., k, n]``.

    Example:
      >>> qtb, r = qr_multiply(A, b)           # least squares: solve_triangular(r, qtb)
    """
    del overwrite_a, overwrite_c
    if mode not in ("right", "left"):
        raise ValueError(f"mode must be 'right' or 'left', got {mode!r}")
    if pivoting:
        raise NotImplementedError("jax.scipy.linalg.qr_multiply: pivoting=True (LAPACK geqp3) "
                                  "is not implemented in glassbox yet")
    return _qr_multiply(jnp.asarray(a), jnp.asarray(c), mode, bool(conjugate))


@functools.partial(jit, static_argnames=("mode", "conjugate"))
def _qr_multiply(a, c, mode, conjugate):
    a, c = _inexact("jax.scipy.linalg.qr_multiply", a, c)
    if a.ndim < 2:
        raise ValueError(f"jax.scipy.linalg.qr_multiply: a must be a (batched) matrix "
                         f"[..., m, n], got shape {a.shape}")
    vector = c.ndim == 1
    if vector:
        c = c[:, None] if mode == "left" else c[None, :]
    m, n = a.shape[-2:]
    k = min(m, n)
    if mode == "left" and c.shape[-2] != k:
        raise ValueError(f"Array shapes are not compatible for Q @ c operation: a has shape "
                         f"{a.shape} so Q has {k} columns, but c has {c.shape[-2]} rows "
                         f"(expected {k}).")
    if mode == "right" and c.shape[-1] != m:
        raise ValueError(f"Array shapes are not compatible for c @ Q operation: a has shape "
                         f"{a.shape} so Q has {m} rows, but c has {c.shape[-1]} columns "
                         f"(expected {m}).")
    batch = np.broadcast_shapes(a.shape[:-2], c.shape[:-2])
    a = jnp.broadcast_to(a, batch + a.shape[-2:])
    c = jnp.broadcast_to(c, batch + c.shape[-2:])
    r, taus = lax_linalg.geqrf(a)
    if mode == "left" and m > k:          # Q @ c for the first k columns of Q: pad c to m rows
        c = jnp.pad(c, [(0, 0)] * len(batch) + [(0, m - k), (0, 0)])
    # conj(Q) @ c == (c^T @ Q^H)^T and c @ conj(Q) == (Q^H @ c^T)^T: transposing c swaps the
    # side ormqr applies Q on and asks for Q^H, so no conjugate is ever computed
    if conjugate:
        c = jnp.swapaxes(c, -1, -2)
    out = lax_linalg.ormqr(r, taus, c, left=(mode == "left") != conjugate, transpose=conjugate)
    if conjugate:
        out = jnp.swapaxes(out, -1, -2)
    if mode == "right":
        out = out[..., :k]
    if vector:
        out = out[..., :, 0] if mode == "left" else out[..., 0, :]
    return out, jnp.triu(r[..., :k, :])


def polar(a, side="right", *, method="qdwh", eps=None, max_iterations=None):
    """Polar decomposition ``a = u p`` (``side='right'``) or ``p u`` (``'left'``), via the SVD.

    ``u`` has orthonormal columns and ``p`` is Hermitian positive semi-definite.
    ``method='svd'`` and ``'qdwh'`` give the same factors (glassbox uses the SVD for both).
    """
    del eps, max_iterations
    if side not in ("right", "left"):
        raise ValueError(f"side={side!r} was invalid.")
    if method not in ("qdwh", "svd"):
        raise ValueError(f"Unknown polar decomposition method {method}.")
    return _polar(a, side)


@functools.partial(jit, static_argnames=("side",))
def _polar(a, side):
    a = _inexact("jax.scipy.linalg.polar", a)
    if a.ndim != 2:
        raise ValueError(f"The input `a` must be a 2-D array, got shape {a.shape}")
    u_svd, s, vh = lax_linalg.svd(a, full_matrices=False)
    unitary = u_svd @ vh
    s = s.astype(a.dtype)
    if side == "right":
        posdef = (_H(vh) * s[None, :]) @ vh
    else:
        posdef = (u_svd * s[None, :]) @ _H(u_svd)
    return unitary, posdef


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
# The matrix exponential (Higham 2005: Padé approximants with scaling and squaring)


def expm(A, *, upper_triangular=False, max_squarings=16):
    """Matrix exponential of (batched) square matrices, JAX's algorithm: scale ``A`` by a
    power of two, a Padé approximant of degree 3-13 chosen by ``||A||_1``, then square.

    Returns NaNs when more than ``max_squarings`` squarings would be needed.
    """
    return _expm(A, bool(upper_triangular), int(max_squarings))


@functools.partial(jit, static_argnames=("upper_triangular", "max_squarings"))
def _expm(A, upper_triangular, max_squarings):
    A = _inexact("jax.scipy.linalg.expm", A)
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise ValueError(f"Expected A to be a (batched) square matrix, got A.shape={A.shape}.")
    if A.ndim > 2:
        return jnp.vectorize(functools.partial(_expm, upper_triangular=upper_triangular,
                                               max_squarings=max_squarings),
                             signature="(n,n)->(n,n)")(A)
    P, Q, n_squarings = _calc_P_Q(A)

    def nan(args):
        return jnp.full_like(args[0], np.nan)

    def compute(args):
        _, P, Q = args
        R = solve_triangular(Q, P) if upper_triangular else jnp_linalg.solve(Q, P)
        return _squaring(R, n_squarings, max_squarings)
    return lax.cond(n_squarings > max_squarings, nan, compute, (A, P, Q))


def _precise_dot(A, B):
    return jnp.dot(A, B, precision=lax.Precision.HIGHEST)


def _calc_P_Q(A):
    A_L1 = jnp_linalg.norm(A, 1)
    if A.dtype in (np.float64, np.complex128):
        maxnorm = 5.371920351148152
        conds = [1.495585217958292e-002, 2.539398330063230e-001, 9.504178996162932e-001,
                 2.097847961257068e+000]
        branches = [_pade3, _pade5, _pade7, _pade9, _pade13]
    elif A.dtype in (np.float32, np.complex64):
        maxnorm = 3.925724783138660
        conds = [4.258730016922831e-001, 1.880152677804762e+000]
        branches = [_pade3, _pade5, _pade7]
    else:
        raise TypeError(f"A.dtype={A.dtype} is not supported.")
    n_squarings = jnp.maximum(0, jnp.floor(jnp.log2(A_L1 / maxnorm)))
    A = A / (2 ** n_squarings.astype(A.dtype))
    idx = jnp.digitize(A_L1, jnp.array(conds, dtype=A_L1.dtype))
    U, V = lax.switch(idx, branches, A)
    return U + V, -U + V, n_squarings


def _squaring(R, n_squarings, max_squarings):
    def step(c, i):
        return lax.cond(i < n_squarings, lambda x: _precise_dot(x, x), lambda x: x, c), None
    res, _ = lax.scan(step, R, jnp.arange(max_squarings, dtype=n_squarings.dtype))
    return res


def _pade_powers(A, count):
    ident = jnp.eye(*A.shape, dtype=A.dtype)
    A2 = _precise_dot(A, A)
    powers = [ident, A2]
    for _ in range(count - 1):
        powers.append(_precise_dot(powers[-1], A2) if len(powers) > 2 else
                      _precise_dot(A2, A2))
    return powers


def _pade(b, A):
    """U (odd part) and V (even part) of the Padé approximant with coefficients ``b``."""
    powers = _pade_powers(A, (len(b) - 1) // 2)     # I, A^2, A^4, ...
    terms = list(enumerate(powers[1:], start=1))[::-1]   # highest power first, as JAX sums
    odd, even = b[2 * terms[0][0] + 1] * terms[0][1], b[2 * terms[0][0]] * terms[0][1]
    for i, p in terms[1:]:
        odd, even = odd + b[2 * i + 1] * p, even + b[2 * i] * p
    U = _precise_dot(A, odd + b[1] * powers[0])
    V = even + b[0] * powers[0]
    return U, V


def _pade3(A):
    return _pade((120., 60., 12., 1.), A)


def _pade5(A):
    return _pade((30240., 15120., 3360., 420., 30., 1.), A)


def _pade7(A):
    return _pade((17297280., 8648640., 1995840., 277200., 25200., 1512., 56., 1.), A)


def _pade9(A):
    return _pade((17643225600., 8821612800., 2075673600., 302702400., 30270240., 2162160.,
                  110880., 3960., 90., 1.), A)


def _pade13(A):
    b = (64764752532480000., 32382376266240000., 7771770303897600., 1187353796428800.,
         129060195264000., 10559470521600., 670442572800., 33522128640., 1323241920.,
         40840800., 960960., 16380., 182., 1.)
    ident = jnp.eye(*A.shape, dtype=A.dtype)
    A2 = _precise_dot(A, A)
    A4 = _precise_dot(A2, A2)
    A6 = _precise_dot(A4, A2)
    U = _precise_dot(A, _precise_dot(A6, b[13] * A6 + b[11] * A4 + b[9] * A2) + b[7] * A6
                     + b[5] * A4 + b[3] * A2 + b[1] * ident)
    V = _precise_dot(A6, b[12] * A6 + b[10] * A4 + b[8] * A2) + b[6] * A6 + b[4] * A4 \
        + b[2] * A2 + b[0] * ident
    return U, V


def expm_frechet(A, E, *, method=None, compute_expm=True):
    """Fréchet derivative of ``expm`` at ``A`` in direction ``E``: ``jvp(expm, (A,), (E,))``.

    Returns:
      ``(expm(A), L(A, E))``, or only ``L(A, E)`` with ``compute_expm=False``.
    """
    del method
    A, E = jnp.asarray(A), jnp.asarray(E)
    if A.ndim < 2 or A.shape[-2] != A.shape[-1]:
        raise ValueError(f"expected A to be a (batched) square matrix, got A.shape={A.shape}")
    if E.ndim < 2 or E.shape[-2] != E.shape[-1]:
        raise ValueError(f"expected E to be a (batched) square matrix, got E.shape={E.shape}")
    if A.shape != E.shape:
        raise ValueError(f"expected A and E to be the same shape, got A.shape={A.shape} "
                         f"E.shape={E.shape}")
    if A.dtype != E.dtype:
        A, E = promote_dtypes_inexact(A, E)
    (expm_A,), (frechet,) = jvp_flat(lambda x: [expm(x)], [A], [E])
    frechet = instantiate(frechet)
    return (expm_A, frechet) if compute_expm else frechet


# ---------------------------------------------------------------------------
# Special matrices


def block_diag(*arrs):
    """The block-diagonal matrix of the given arrays (scalars and 1-D arrays are 1-row blocks)."""
    if not arrs:
        return jnp.zeros((1, 0))
    check_arraylike("jax.scipy.linalg.block_diag", *arrs)
    blocks = [jnp.atleast_2d(a) for a in arrs]
    bad = [i for i, b in enumerate(blocks) if b.ndim > 2]
    if bad:
        raise ValueError(f"Arguments to jax.scipy.linalg.block_diag must have at most 2 "
                         f"dimensions, got {arrs[bad[0]]} at argument {bad[0]}.")
    dtype = jnp.result_type(*blocks)
    cols = sum(b.shape[1] for b in blocks)
    rows, left = [], 0
    for b in blocks:
        right = cols - left - b.shape[1]
        rows.append(jnp.pad(b.astype(dtype), ((0, 0), (left, right))))
        left += b.shape[1]
    return jnp.concatenate(rows, axis=0)


def _index_gather(vals, idx):
    return jnp.take(vals, jnp.asarray(idx, np.int32), axis=-1)


@jit
def toeplitz(c, r=None):
    """Toeplitz matrix with first column ``c`` and first row ``r`` (default ``conj(c)``);
    ``r[0]`` is ignored. Leading dimensions are batch dimensions."""
    if r is None:
        check_arraylike("toeplitz", c)
        c = jnp.asarray(c)
        r = jnp.conjugate(c)
    else:
        check_arraylike("toeplitz", c, r)
        c, r = jnp.asarray(c), jnp.asarray(r)
    c, r = jnp.atleast_1d(c), jnp.atleast_1d(r)
    dtype = jnp.result_type(c, r)
    c, r = c.astype(dtype), r.astype(dtype)
    batch = np.broadcast_shapes(c.shape[:-1], r.shape[:-1])
    c = jnp.broadcast_to(c, batch + c.shape[-1:])
    r = jnp.broadcast_to(r, batch + r.shape[-1:])
    nr, nc = c.shape[-1], r.shape[-1]
    vals = jnp.concatenate([jnp.flip(r[..., 1:], axis=-1), c], axis=-1)
    idx = (nc - 1) + np.arange(nr)[:, None] - np.arange(nc)[None, :]
    return _index_gather(vals, idx)


@jit
def hankel(c, r=None):
    """Hankel matrix with first column ``c`` and last row ``r`` (default zeros)."""
    check_arraylike("hankel", c)
    c = jnp.atleast_1d(jnp.asarray(c))
    r = jnp.zeros_like(c) if r is None else jnp.atleast_1d(jnp.asarray(r))
    dtype = jnp.result_type(c, r)
    vals = jnp.concatenate([c.astype(dtype), r[..., 1:].astype(dtype)], axis=-1)
    idx = np.arange(c.shape[-1])[:, None] + np.arange(r.shape[-1])[None, :]
    return _index_gather(vals, idx)


@jit
def circulant(c):
    """Circulant matrix with first column ``c``: ``C[i, j] = c[(i - j) % n]``."""
    check_arraylike("circulant", c)
    c = jnp.atleast_1d(jnp.asarray(c))
    n = c.shape[-1]
    return _index_gather(c, (np.arange(n)[:, None] - np.arange(n)[None, :]) % n)


def hilbert(n):
    """The ``n x n`` Hilbert matrix ``1 / (i + j + 1)``."""
    a = lax.broadcasted_iota(np.float64 if _x64() else np.float32, (n, 1), 0)
    return 1 / (a + a.T + 1)


def _x64():
    return dtypes.canonicalize_dtype(np.float64) == np.float64


def _float():
    return np.dtype(np.float64 if _x64() else np.float32)


@jit
def companion(a):
    """Companion matrix of the polynomial with coefficients ``a`` (highest degree first)."""
    check_arraylike("companion", a)
    a = jnp.asarray(a)
    if a.ndim != 1:
        raise ValueError(f"Incorrect shape for `a`. `a` must be one-dimensional, got {a.shape}")
    if a.size < 2:
        raise ValueError("The length of `a` must be at least 2.")
    first = -a[1:] / (1.0 * a[0])
    n = a.size
    return jnp.concatenate([first[None, :], jnp.eye(n - 2, n - 1, dtype=first.dtype)], axis=0)


def dft(n, scale=None, *, dtype=None):
    """The ``n``-point DFT matrix ``exp(-2 pi i j k / n)``; ``scale`` None, 'sqrtn' or 'n'."""
    if scale not in (None, "sqrtn", "n"):
        raise ValueError(f"scale must be None, 'sqrtn', or 'n'; got {scale!r}")
    dtype = np.dtype(dtype) if dtype is not None else np.dtype(
        np.complex128 if _x64() else np.complex64)
    jk = np.outer(np.arange(n), np.arange(n)) % max(n, 1)
    m = np.exp(-2j * np.pi * jk / max(n, 1))
    if scale == "sqrtn":
        m = m / math.sqrt(n)
    elif scale == "n":
        m = m / n
    return jnp.asarray(m.astype(dtype))


def hadamard(n, dtype=int):
    """Sylvester's ``n x n`` Hadamard matrix (``n`` a power of 2)."""
    if n < 1 or n & (n - 1):
        raise ValueError("n must be a positive power of 2.")
    h = np.array([[1]])
    while h.shape[0] < n:
        h = np.block([[h, h], [h, -h]])
    return jnp.asarray(h, dtype=dtype)


def helmert(n, full=False):
    """The Helmert matrix (orthogonal; without its first row unless ``full``)."""
    h = np.tril(np.ones((n, n)), -1) - np.diag(np.arange(n))
    d = np.arange(n) * np.arange(1, n + 1)
    if n:
        h[0] = 1
        d[0] = n
    h = h / np.sqrt(d)[:, None]
    return jnp.asarray(h if full else h[1:], dtype=_float())


@jit
def leslie(f, s):
    """Leslie matrix: fecundities ``f`` on the first row, survivals ``s`` on the subdiagonal."""
    check_arraylike("leslie", f, s)
    f, s = jnp.asarray(f), jnp.asarray(s)
    if f.ndim != 1 or s.ndim != 1 or f.shape[0] != s.shape[0] + 1:
        raise ValueError(f"Incorrect lengths for f and s: f must be 1-D of length n and s of "
                         f"length n - 1, got shapes {f.shape} and {s.shape}")
    dtype = jnp.result_type(f, s, 1.0)
    n = f.shape[0]
    sub = jnp.concatenate([jnp.diag(s.astype(dtype)), jnp.zeros((n - 1, 1), dtype)], axis=1)
    return jnp.concatenate([f[None, :].astype(dtype), sub], axis=0)


@jit
def fiedler(a):
    """Fiedler matrix ``|a_i - a_j|``."""
    check_arraylike("fiedler", a)
    a = jnp.atleast_1d(jnp.asarray(a))
    return jnp.abs(a[..., :, None] - a[..., None, :])


@jit
def fiedler_companion(a):
    """Fiedler's pentadiagonal companion matrix of the polynomial ``a`` (SciPy's layout)."""
    check_arraylike("fiedler_companion", a)
    a = jnp.asarray(a)
    if a.ndim != 1:
        raise ValueError("Input 'a' must be a 1-D array.")
    if a.size < 2:
        raise ValueError("Input 'a' must have at least 2 elements.")
    a = a / (1.0 * a[0])
    n = a.size - 1
    c = jnp.zeros((n, n), a.dtype)
    c = c.at[np.arange(3, n, 2), np.arange(1, n - 2, 2)].set(1)        # subdiagonals
    c = c.at[np.arange(2, n, 2), np.arange(1, n - 1, 2)].set(-a[3::2])
    c = c.at[np.arange(0, n - 2, 2), np.arange(2, n, 2)].set(1)        # superdiagonals
    c = c.at[np.arange(0, n - 1, 2), np.arange(1, n, 2)].set(-a[2::2])
    c = c.at[0, 0].set(-a[1])
    return c.at[1, 0].set(1) if n > 1 else c


def _binomials(n):
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(i + 1):
            out[i, j] = math.comb(i, j)
    return out


def pascal(n, kind=None):
    """Pascal matrix: 'symmetric' (default), 'lower' or 'upper' (binomial coefficients)."""
    kind = "symmetric" if kind is None else kind
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError(f"Expected kind to be one of 'symmetric', 'lower', or 'upper'; "
                         f"got {kind!r}")
    low = _binomials(n)
    out = {"lower": low, "upper": low.T, "symmetric": low @ low.T}[kind]
    return jnp.asarray(out, dtype=_float())


def invpascal(n, kind=None):
    """Inverse of ``pascal(n, kind)`` (exact integers)."""
    kind = "symmetric" if kind is None else kind
    if kind not in ("symmetric", "lower", "upper"):
        raise ValueError(f"Expected kind to be one of 'symmetric', 'lower', or 'upper'; "
                         f"got {kind!r}")
    low_inv = _binomials(n) * ((-1.0) ** np.add.outer(np.arange(n), np.arange(n)))
    out = {"lower": low_inv, "upper": low_inv.T, "symmetric": low_inv.T @ low_inv}[kind]
    return jnp.asarray(out, dtype=_float())


def invhilbert(n):
    """Inverse of ``hilbert(n)`` from its closed form (exact integers, then converted)."""
    out = np.zeros((n, n))
    for i in range(n):
        for j in range(n):
            s = i + j
            out[i, j] = ((-1) ** s * (s + 1) * math.comb(n + i, n - j - 1)
                         * math.comb(n + j, n - i - 1) * math.comb(s, i) ** 2)
    return jnp.asarray(out, dtype=_float())


def convolution_matrix(a, n, mode="full"):
    """The matrix ``A`` with ``A @ v == jnp.convolve(a, v, mode)`` for length-``n`` ``v``."""
    if n <= 0:
        raise ValueError("n must be a positive integer.")
    if mode not in ("full", "valid", "same"):
        raise ValueError(f"mode must be one of ('full', 'valid', 'same'), got {mode!r}")
    check_arraylike("convolution_matrix", a)
    a = jnp.asarray(a)
    if a.ndim != 1:
        raise ValueError("convolution_matrix expects a one-dimensional argument.")
    m = a.shape[0]
    if mode == "full":
        start, rows = 0, m + n - 1
    elif mode == "valid":
        start, rows = min(n, m) - 1, max(m, n) - min(m, n) + 1
    else:
        start, rows = (min(n, m) - 1) // 2, max(m, n)
    r = jnp.zeros(n, a.dtype).at[0].set(a[0])
    c = jnp.concatenate([a, jnp.zeros(n - 1, a.dtype)])
    return toeplitz(c, r)[start:start + rows]


# ---------------------------------------------------------------------------
# Symmetric tridiagonal eigenproblems: bisection on Sturm counts, inverse iteration


def eigh_tridiagonal(d, e, *, eigvals_only=False, select="a", select_range=None, tol=None,
                     key=None):
    """Eigenvalues (and eigenvectors) of the Hermitian tridiagonal matrix with diagonal ``d``
    (shape ``(n,)``) and off-diagonal ``e`` (shape ``(n - 1,)``), JAX's algorithm.

    The eigenvalues come from parallel bisections on the Sturm sequence counts, started on a
    widened Gershgorin interval and stopped at ``max(tol, eps * ||T||)``; the eigenvectors
    from inverse iteration (at most 5 steps, as LAPACK's ``xSTEIN``) started from
    ``random.normal(key)`` vectors (``key=None`` means ``random.key(42)``, as in JAX), with
    clusters of close eigenvalues re-orthogonalized by QR.

    Args:
      d, e: float32/float64 (or complex, Hermitian) arrays of one dtype.
      eigvals_only: return only the eigenvalues.
      select: ``'a'`` for all eigenvalues, ``'i'`` for those with indices
        ``select_range[0] <= i <= select_range[1]``; ``'v'`` raises ``NotImplementedError``
        as in JAX.
      tol: an absolute tolerance for the eigenvalues.
      key: a PRNG key for the starting vectors of inverse iteration.

    Returns:
      The eigenvalues in ascending order, and with ``eigvals_only=False`` also the
      eigenvectors as the columns of an ``(n, k)`` matrix.

    Example:
      >>> eigh_tridiagonal(jnp.array([1., 2., 3., 4.]), jnp.array([1., 1., 1.]),
      ...                  eigvals_only=True)   # [0.2547188, 1.8227171, 3.1772828, 4.745281]
    """
    alpha, beta = jnp.asarray(d), jnp.asarray(e)
    if alpha.dtype != beta.dtype:
        raise TypeError("diagonal and off-diagonal values must have same dtype, "
                        f"got {alpha.dtype} and {beta.dtype}")
    supported = (np.float32, np.float64, np.complex64, np.complex128)
    if alpha.dtype not in supported:
        raise TypeError("Only float32 and float64 inputs are supported as inputs to "
                        f"jax.scipy.linalg.eigh_tridiagonal, got {alpha.dtype} and "
                        f"{beta.dtype}")
    n = alpha.shape[0]
    if n <= 1:
        return jnp.real(alpha) if eigvals_only else (jnp.real(alpha),
                                                     jnp.eye(n, dtype=alpha.dtype))
    if select == "a":
        first, count = 0, n
    elif select == "i":
        if select_range is None:
            raise ValueError("for select='i', select_range must be specified.")
        if select_range[0] > select_range[1]:
            raise ValueError("Got empty index range in select_range.")
        first, count = int(select_range[0]), int(select_range[1]) - int(select_range[0]) + 1
    elif select == "v":
        raise NotImplementedError("eigh_tridiagonal(..., select='v') is not implemented")
    else:
        raise ValueError("'select must have a value in {'a', 'i', 'v'}.")
    eigvals = _tridiagonal_bisection(alpha, beta, tol, first, count)
    if eigvals_only:
        return eigvals
    if key is None:
        key = _random.key(42)
    return eigvals, _tridiagonal_eigenvectors(alpha, beta, eigvals, key).T


def _sturm_counts(alpha, beta_sq, pivmin, alpha0_perturbation, x):
    """How many eigenvalues of the tridiagonal matrix lie below each ``x`` (the number of
    negative pivots of ``T - x I``), with LAPACK's guard ``pivmin`` against tiny pivots."""
    q = alpha[0] - x
    count = jnp.where(q < 0, 1, 0).astype(np.int32)
    q = jnp.where(alpha[0] == x, alpha0_perturbation, q)

    def step(i, state):
        q, count = state
        q = alpha[i] - beta_sq[i - 1] / q - x
        small = q <= pivmin
        return jnp.where(small, jnp.minimum(q, -pivmin), q), jnp.where(small, count + 1, count)

    return lax.fori_loop(1, alpha.shape[0], step, (q, count))[1]


@functools.partial(jit, static_argnames=("first", "count"))
def _tridiagonal_bisection(alpha, beta, tol, first, count):
    n = alpha.shape[0]
    if dtypes.is_complex(alpha.dtype):
        alpha = jnp.real(alpha)
        beta_sq = jnp.real(beta * jnp.conj(beta))
        beta_abs = jnp.sqrt(beta_sq)
    else:
        beta_abs, beta_sq = jnp.abs(beta), jnp.square(beta)
    # Gershgorin bounds on the spectrum, and the 2-norm bound they give
    row_sums = jnp.concatenate([beta_abs[:1], beta_abs[:-1] + beta_abs[1:], beta_abs[-1:]])
    est_max = jnp.amax(alpha + row_sums)
    est_min = jnp.amin(alpha - row_sums)
    t_norm = jnp.maximum(jnp.abs(est_min), jnp.abs(est_max))
    finfo = np.finfo(alpha.dtype)
    one = np.ones([], alpha.dtype)
    safemin = np.maximum(one / finfo.max, (one + finfo.eps) * finfo.tiny)
    pivmin = safemin * jnp.maximum(1, jnp.amax(beta_sq))
    alpha0_perturbation = jnp.square(finfo.eps * beta_abs[0])
    abs_tol = finfo.eps * t_norm
    if tol is not None:
        abs_tol = jnp.maximum(tol, abs_tol)
    max_it = finfo.nmant + 1           # enough halvings for the widest interval
    targets = jnp.arange(first, first + count, dtype=np.int32)
    fudge = 2.1
    slack = jnp.array(n, alpha.dtype) * fudge * finfo.eps * t_norm
    lower = jnp.broadcast_to(est_min - slack - 2 * fudge * pivmin, (count,))
    upper = jnp.broadcast_to(est_max + slack + fudge * pivmin, (count,))
    mid = 0.5 * (upper + lower)
    pivmin = jnp.broadcast_to(pivmin, (count,))
    alpha0_perturbation = jnp.broadcast_to(alpha0_perturbation, (count,))

    def unfinished(state):
        i, lower, _, upper = state
        return jnp.logical_and(i < max_it, abs_tol < jnp.amax(upper - lower))

    def halve(state):
        i, lower, mid, upper = state
        counts = _sturm_counts(alpha, beta_sq, pivmin, alpha0_perturbation, mid)
        lower = jnp.where(counts <= targets, mid, lower)
        upper = jnp.where(counts > targets, mid, upper)
        return i + 1, lower, 0.5 * (lower + upper), upper

    return lax.while_loop(unfinished, halve, (0, lower, mid, upper))[2]


def _tridiagonal_solve_pivoted(dl, d, du, b):
    """Solve the tridiagonal systems ``T x = b`` along the last axis (batched over the
    first), Gaussian elimination with partial pivoting as LAPACK's ``gtsv``; a zero pivot
    is replaced by ``eps * max|T|`` so that a singular ``T`` (inverse iteration at an exact
    eigenvalue) still gives a finite, large solution."""
    eps = np.finfo(np.finfo(d.dtype).dtype).eps
    scale = jnp.maximum(jnp.max(jnp.abs(d), axis=-1), jnp.max(jnp.abs(du), axis=-1))
    tiny = jnp.where(scale == 0, 1, scale) * eps

    def guard(p):
        return jnp.where(p == 0, tiny.astype(p.dtype), p)

    def eliminate(row, nxt):
        rd, rdu, rb = row                       # the pending row i: entries at i, i+1
        nl, nd, ndu, nb = nxt                   # row i+1: entries at i, i+1, i+2
        swap = jnp.abs(rd) < jnp.abs(nl)
        piv = guard(jnp.where(swap, nl, rd))
        fact = jnp.where(swap, rd, nl) / piv
        kept = (piv, jnp.where(swap, nd, rdu), jnp.where(swap, ndu, 0),
                jnp.where(swap, nb, rb))
        pending = (jnp.where(swap, rdu, nd) - fact * jnp.where(swap, nd, rdu),
                   jnp.where(swap, 0, ndu) - fact * jnp.where(swap, ndu, 0),
                   jnp.where(swap, rb, nb) - fact * jnp.where(swap, nb, rb))
        return pending, kept

    xs = tuple(jnp.moveaxis(v[..., 1:], -1, 0) for v in (dl, d, du, b))
    last, (u0, u1, u2, bb) = lax.scan(eliminate, (d[..., 0], du[..., 0], b[..., 0]), xs)
    x_last = last[2] / guard(last[0])

    def substitute(carry, row):
        x1, x2 = carry
        p, q, r, c = row
        x = (c - q * x1 - r * x2) / p
        return (x, x1), x

    _, xs_back = lax.scan(substitute, (x_last, jnp.zeros_like(x_last)), (u0, u1, u2, bb),
                          reverse=True)
    return jnp.concatenate([jnp.moveaxis(xs_back, 0, -1), x_last[..., None]], axis=-1)


@jit
def _tridiagonal_eigenvectors(alpha, beta, eigvals, key):
    """Inverse iteration for all eigenvectors at once (JAX's, after LAPACK's ``xSTEIN``)."""
    n, k = alpha.shape[0], eigvals.shape[0]
    dl, du = jnp.pad(jnp.conj(beta), (1, 0)), jnp.pad(beta, (0, 1))
    # clusters of eigenvalues closer than sqrt(eps) ||T||: their vectors are orthogonalized
    eps = np.finfo(eigvals.dtype).eps
    t_norm = jnp.maximum(jnp.abs(eigvals[0]), jnp.abs(eigvals[-1]))
    close = eigvals[1:] - eigvals[:-1] < np.sqrt(eps) * t_norm
    left = jnp.pad(close, (1, 0), constant_values=False)
    right = jnp.pad(close, (0, 1), constant_values=False)
    starts = jnp.nonzero(~left & right, size=k // 2 + 1)[0]
    ends = jnp.nonzero(left & ~right, size=k // 2 + 1)[0] + 1
    num_clusters = jnp.sum(~left & right)
    arange_k = jnp.arange(k)
    dtype = np.result_type(alpha.dtype, beta.dtype)
    v = _random.normal(key, (k, n), dtype=np.finfo(dtype).dtype).astype(dtype)
    v = v / jnp.linalg.norm(v, axis=-1, keepdims=True).astype(dtype)

    def orthogonalize_cluster(i, ev):
        start, size = starts[i], ends[i] - starts[i]
        block = lax.dynamic_slice(jnp.pad(ev, ((0, k), (0, 0))), (start, 0), (k, n))
        mask = (arange_k < size).astype(ev.dtype)[:, None]
        q, _ = jnp_linalg.qr((block * mask).T)
        update = lax.dynamic_update_slice(jnp.zeros((2 * k, n), ev.dtype), q.T * mask,
                                          (start, 0))[:k]
        inside = (arange_k >= start) & (arange_k < ends[i])
        return jnp.where(inside[:, None], update, ev)

    shifted = (alpha[None, :] - eigvals[:, None]).astype(dtype)
    dl_k = jnp.broadcast_to(dl[None, :], (k, n)).astype(dtype)
    du_k = jnp.broadcast_to(du[None, :], (k, n)).astype(dtype)

    def step(state):
        i, v, norm, _ = state
        v_new = _tridiagonal_solve_pivoted(dl_k, shifted, du_k, v)
        norm_new = jnp.linalg.norm(v_new, axis=-1, keepdims=True)
        v_new = v_new / norm_new.astype(v_new.dtype)
        v_new = lax.fori_loop(0, num_clusters, orthogonalize_cluster, v_new)
        return i + 1, v_new, jnp.squeeze(norm_new, -1), norm

    def growing(state):                 # at most 5 steps, while some norm grows by 10%
        i, _, norm, norm_old = state
        return jnp.logical_and(i < 5, jnp.any(norm >= 1.1 * norm_old))

    init = (0, v, jnp.ones(k, eigvals.dtype), jnp.zeros(k, eigvals.dtype))
    return lax.while_loop(growing, step, init)[1]


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
