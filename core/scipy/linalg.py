"""``glassbox.scipy.linalg``: SciPy's linear algebra on glassbox arrays (``jax.scipy.linalg``).

The factorizations are ``glassbox.lax.linalg``'s (LAPACK through jaxlib) with SciPy's
signatures as JAX offers them: ``overwrite_*`` and ``check_finite`` are accepted and
ignored; ``lower=`` picks the triangle. Everything is differentiable where JAX's is
(``expm`` by differentiating its Padé approximant and squarings, so ``expm_frechet``
is its jvp). ``schur``, ``hessenberg`` and what is built on the Schur form (``sqrtm``,
``funm``, ``solve_sylvester``), like ``qr_multiply`` (``geqrf`` + ``ormqr``), are CPU-only
LAPACK calls with no derivative, as in JAX. The special matrices (``toeplitz``,
``hilbert``, ``pascal``...) live in ``special_matrices.py``.
"""
import functools

import numpy as np

from .. import dtypes, lax
from ..api import jit
from ..interpreters.ad import instantiate, jvp_flat
from ..lax import linalg as lax_linalg
from .. import numpy as jnp
from .. import random as _random
from ..numpy import linalg as jnp_linalg
from ..numpy._util import promote_dtypes_inexact
from ._linalg_util import (H as _H, check_square as _square, inexact as _inexact,
                           precise_dot as _precise_dot)
from .schur_forms import (  # noqa: F401  (in this namespace)
    funm, hessenberg, rsf2csf, schur, solve_sylvester, sqrtm)
from .special_matrices import (  # noqa: F401  (SciPy's special matrices, in this namespace)
    block_diag, toeplitz, hankel, circulant, hilbert, companion,
    dft, hadamard, helmert, leslie, fiedler, fiedler_companion,
    pascal, invpascal, invhilbert, convolution_matrix)

__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "circulant", "companion",
           "convolution_matrix", "det", "dft", "eigh", "eigh_tridiagonal", "expm",
           "expm_frechet", "fiedler", "fiedler_companion", "funm", "hadamard", "hankel",
           "helmert", "hessenberg", "hilbert", "inv", "invhilbert", "invpascal", "leslie", "lu",
           "lu_factor", "lu_solve", "pascal", "polar", "qr", "qr_multiply", "rsf2csf", "schur",
           "solve", "solve_sylvester", "solve_triangular", "sqrtm", "svd", "toeplitz"]


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
