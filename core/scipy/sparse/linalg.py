"""``glassbox.scipy.sparse.linalg``: iterative solvers of ``A x = b`` (``cg``,
``bicgstab``, ``gmres``), as ``jax.scipy.sparse.linalg``. ``A`` (and the preconditioner
``M``) may be a matrix or a function computing the matrix-vector product, and ``b`` any
pytree of arrays. Each solver is a ``lax.while_loop`` wrapped in
``lax.custom_linear_solve``, so the solution is differentiated implicitly (by solving the
transposed system), not through the iterations. The second result (``info``) is ``None``
for ``cg`` and ``bicgstab`` and ``-1`` for a ``nan`` result of ``gmres``, as in JAX."""
import functools
import operator

import numpy as np

from ... import dtypes, lax
from ... import numpy as jnp
from ...tree_util import Partial, tree_leaves, tree_map, tree_reduce, tree_structure
from .. import linalg as sp_linalg

_dot = functools.partial(jnp.dot, precision=lax.Precision.HIGHEST)
_vdot = functools.partial(jnp.vdot, precision=lax.Precision.HIGHEST)


def _vdot_real_part(x, y):
    """``real(vdot(x, y))`` without complex products."""
    result = _vdot(x.real, y.real)
    if jnp.iscomplexobj(x) or jnp.iscomplexobj(y):
        result += _vdot(x.imag, y.imag)
    return result


def _vdot_real_tree(x, y):
    return sum(tree_leaves(tree_map(_vdot_real_part, x, y)))


def _vdot_tree(x, y):
    return sum(tree_leaves(tree_map(_vdot, x, y)))


def _norm(x):
    xs = tree_leaves(x)
    return jnp.sqrt(sum(map(_vdot_real_part, xs, xs)))


def _mul(scalar, tree):
    return tree_map(functools.partial(operator.mul, scalar), tree)


_add = functools.partial(tree_map, operator.add)
_sub = functools.partial(tree_map, operator.sub)


@Partial
def _identity(x):
    return x


def _normalize_matvec(f):
    """A matrix (or anything with ``@``) as its matrix-vector product; functions as they are."""
    if callable(f):
        return f
    if isinstance(f, (np.ndarray, jnp.ndarray)):
        if f.ndim != 2 or f.shape[0] != f.shape[1]:
            raise ValueError(f'linear operator must be a square matrix, but has shape: {f.shape}')
        return functools.partial(_dot, f)
    if hasattr(f, '__matmul__'):
        if hasattr(f, 'shape') and len(f.shape) != 2 or f.shape[0] != f.shape[1]:
            raise ValueError(f'linear operator must be a square matrix, but has shape: {f.shape}')
        return functools.partial(operator.matmul, f)
    raise TypeError(f'linear operator must be either a function or ndarray: {f}')


def _result_dtype(tree):
    return dtypes.result_type(*tree_leaves(tree))


# --- conjugate gradients and BiCGSTAB ----------------------------------------------------

def _cg_solve(A, b, x0=None, *, maxiter, tol=1e-5, atol=0.0, M=_identity):
    bs = _vdot_real_tree(b, b)
    atol2 = jnp.maximum(jnp.square(tol) * bs, jnp.square(atol))
    r0 = _sub(b, A(x0))
    p0 = z0 = M(r0)
    dtype = _result_dtype(p0)
    gamma0 = _vdot_real_tree(r0, z0).astype(dtype)

    def cond(value):
        _, r, gamma, _, k = value
        rs = gamma.real if M is _identity else _vdot_real_tree(r, r)
        return (rs > atol2) & (k < maxiter)

    def body(value):
        x, r, gamma, p, k = value
        Ap = A(p)
        alpha = gamma / _vdot_real_tree(p, Ap).astype(dtype)
        x_ = _add(x, _mul(alpha, p))
        r_ = _sub(r, _mul(alpha, Ap))
        z_ = M(r_)
        gamma_ = _vdot_real_tree(r_, z_).astype(dtype)
        p_ = _add(z_, _mul(gamma_ / gamma, p))
        return x_, r_, gamma_, p_, k + 1

    return lax.while_loop(cond, body, (x0, r0, gamma0, p0, 0))[0]


def _bicgstab_solve(A, b, x0=None, *, maxiter, tol=1e-5, atol=0.0, M=_identity):
    bs = _vdot_real_tree(b, b)
    atol2 = jnp.maximum(jnp.square(tol) * bs, jnp.square(atol))

    def cond(value):
        x, r, *_, k = value
        return (_vdot_real_tree(r, r) > atol2) & (k < maxiter) & (k >= 0)

    def body(value):
        x, r, rhat, alpha, omega, rho, p, q, k = value
        rho_ = _vdot_tree(rhat, r)
        beta = rho_ / rho * alpha / omega
        p_ = _add(r, _mul(beta, _sub(p, _mul(omega, q))))
        phat = M(p_)
        q_ = A(phat)
        alpha_ = rho_ / _vdot_tree(rhat, q_)
        s = _sub(r, _mul(alpha_, q_))
        exit_early = _vdot_real_tree(s, s) < atol2
        shat = M(s)
        t = A(shat)
        omega_ = _vdot_tree(t, s) / _vdot_tree(t, t)
        where = functools.partial(jnp.where, exit_early)
        x_ = tree_map(where, _add(x, _mul(alpha_, phat)),
                      _add(x, _add(_mul(alpha_, phat), _mul(omega_, shat))))
        r_ = tree_map(where, s, _sub(s, _mul(omega_, t)))
        k_ = jnp.where((omega_ == 0) | (alpha_ == 0), -11, k + 1)
        k_ = jnp.where(rho_ == 0, -10, k_)
        return x_, r_, rhat, alpha_, omega_, rho_, p_, q_, k_

    r0 = _sub(b, A(x0))
    one = jnp.asarray(1, _result_dtype(b))
    return lax.while_loop(cond, body, (x0, r0, r0, one, one, one, r0, r0, 0))[0]


def _shapes(tree):
    return [np.shape(x) for x in tree_leaves(tree)]


def _isolve(solve, A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None,
            check_symmetric=False):
    if x0 is None:
        x0 = tree_map(jnp.zeros_like, b)
    b, x0 = tree_map(jnp.asarray, (b, x0))
    if maxiter is None:
        maxiter = 10 * sum(bi.size for bi in tree_leaves(b))  # as SciPy
    M = _identity if M is None else M
    A = _normalize_matvec(A)
    M = _normalize_matvec(M)
    if tree_structure(x0) != tree_structure(b):
        raise ValueError('x0 and b must have matching tree structure: '
                         f'{tree_structure(x0)} vs {tree_structure(b)}')
    if _shapes(x0) != _shapes(b):
        raise ValueError(f'arrays in x0 and b must have matching shapes: '
                         f'{_shapes(x0)} vs {_shapes(b)}')
    isolve = functools.partial(solve, x0=x0, tol=tol, atol=atol, maxiter=maxiter, M=M)
    symmetric = (all(not jnp.iscomplexobj(x) for x in tree_leaves(b))
                 if check_symmetric else False)
    x = lax.custom_linear_solve(A, b, solve=isolve, transpose_solve=isolve,
                                symmetric=symmetric)
    return x, None


def cg(A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None):
    """Conjugate gradients for a Hermitian positive-definite ``A``: stops when
    ``norm(residual) <= max(tol * norm(b), atol)`` or after ``maxiter`` steps (default
    ``10 * size``). Returns ``(x, None)``."""
    return _isolve(_cg_solve, A=A, b=b, x0=x0, tol=tol, atol=atol, maxiter=maxiter, M=M,
                   check_symmetric=True)


def bicgstab(A, b, x0=None, *, tol=1e-5, atol=0.0, maxiter=None, M=None):
    """BiCGSTAB for a general square ``A``; the same stopping rule as ``cg``. Returns
    ``(x, None)``."""
    return _isolve(_bicgstab_solve, A=A, b=b, x0=x0, tol=tol, atol=atol, maxiter=maxiter, M=M)


# --- GMRES ---------------------------------------------------------------------------------

def _safe_normalize(x, thresh=None):
    """``(x / norm(x), norm(x))``, or zeros and 0 when the norm is at most ``thresh``."""
    norm = _norm(x)
    dtype = _result_dtype(x)
    if thresh is None:
        thresh = dtypes.finfo(norm.dtype).eps
    thresh = jnp.asarray(thresh).astype(dtype).real
    use_norm = norm > thresh
    norm_cast = norm.astype(dtype)
    normalized = tree_map(lambda y: jnp.where(use_norm, y / norm_cast, 0.0), x)
    return normalized, jnp.where(use_norm, norm, 0.0)


def _project_on_columns(A, v):
    proj = tree_map(lambda X, y: jnp.einsum("...n,...->n", X.conj(), y,
                                            precision=lax.Precision.HIGHEST), A, v)
    return tree_reduce(operator.add, proj)


def _gram_schmidt(Q, x, xnorm, max_iterations=2):
    """Orthogonalize ``x`` against the columns of ``Q`` by classical Gram-Schmidt,
    repeated (up to ``max_iterations``) while the norm drops by more than 1/sqrt(2)."""
    Q0 = tree_leaves(Q)[0]
    r = jnp.zeros(Q0.shape[-1], dtype=Q0.dtype)

    def body(carry):
        k, q, r, qnorm_scaled = carry
        h = _project_on_columns(Q, q)
        q = _sub(q, tree_map(lambda X: _dot(X, h), Q))
        r = _add(r, h)

        def qnorm(carry):
            k, _, q, _ = carry
            _, n = _safe_normalize(q)
            return k, False, q, n / jnp.sqrt(2.0)

        _, _, q, qnorm_scaled = lax.while_loop(
            lambda c: jnp.logical_and(c[1], c[0] < (max_iterations - 1)), qnorm,
            (k, True, q, qnorm_scaled))
        return k + 1, q, r, qnorm_scaled

    def cond(carry):
        k, _, r, qnorm_scaled = carry
        _, rnorm = _safe_normalize(r)
        return jnp.logical_and(k < (max_iterations - 1), rnorm < qnorm_scaled)

    carry = body((0, x, r, xnorm / jnp.sqrt(2.0)))
    _, q, r, _ = lax.while_loop(cond, body, carry)
    return q, r


def _arnoldi_step(k, A, M, V, H):
    dtype = _result_dtype(V)
    eps = dtypes.finfo(dtype).eps
    v = M(A(tree_map(lambda x: x[..., k], V)))
    _, v_norm_0 = _safe_normalize(v)
    v, h = _gram_schmidt(V, v, v_norm_0, max_iterations=2)
    unit_v, v_norm_1 = _safe_normalize(v, thresh=eps * v_norm_0)
    V = tree_map(lambda X, y: X.at[..., k + 1].set(y), V, unit_v)
    h = h.at[k + 1].set(v_norm_1.astype(dtype))
    return V, H.at[k, :].set(h), v_norm_1 == 0.


def _rotate_vectors(H, i, cs, sn):
    x1, y1 = H[i], H[i + 1]
    H = H.at[i].set(cs.conj() * x1 - sn.conj() * y1)
    return H.at[i + 1].set(sn * x1 + cs * y1)


def _givens_rotation(a, b):
    b_zero = abs(b) == 0
    a_lt_b = abs(a) < abs(b)
    t = -jnp.where(a_lt_b, a, b) / jnp.where(a_lt_b, b, a)
    r = lax.rsqrt(1 + abs(t) ** 2).astype(t.dtype)
    cs = jnp.where(b_zero, 1, jnp.where(a_lt_b, r * t, r))
    sn = jnp.where(b_zero, 0, jnp.where(a_lt_b, r, r * t))
    return cs, sn


def _apply_givens_rotations(H_row, givens, k):
    R_row = lax.fori_loop(0, k, lambda i, row: _rotate_vectors(row, i, *givens[i, :]), H_row)
    factors = _givens_rotation(R_row[k], R_row[k + 1])
    givens = givens.at[k, :].set(factors)
    return _rotate_vectors(R_row, k, *factors), givens


def _krylov_basis(unit_residual, restart):
    return tree_map(lambda x: jnp.pad(x[..., None], ((0, 0),) * x.ndim + ((0, restart),)),
                    unit_residual)


def _gmres_incremental(A, b, x0, unit_residual, residual_norm, ptol, restart, M):
    """One restart cycle, with the QR factorization of the Hessenberg matrix updated by
    Givens rotations at each step (stops as soon as the residual estimate is small)."""
    V = _krylov_basis(unit_residual, restart)
    dtype = _result_dtype(b)
    R = jnp.eye(restart, restart + 1, dtype=dtype)
    givens = jnp.zeros((restart, 2), dtype=dtype)
    beta_vec = jnp.zeros((restart + 1), dtype=dtype).at[0].set(residual_norm.astype(dtype))

    def step(carry):
        k, _, V, R, beta_vec, givens = carry
        V, H, _ = _arnoldi_step(k, A, M, V, R)
        R_row, givens = _apply_givens_rotations(H[k, :], givens, k)
        R = R.at[k, :].set(R_row)
        beta_vec = _rotate_vectors(beta_vec, k, *givens[k, :])
        return k + 1, abs(beta_vec[k + 1]), V, R, beta_vec, givens

    carry = lax.while_loop(lambda c: jnp.logical_and(c[0] < restart, c[1] > ptol), step,
                           (0, residual_norm, V, R, beta_vec, givens))
    _, _, V, R, beta_vec, _ = carry
    y = sp_linalg.solve_triangular(R[:, :-1].T, beta_vec[:-1])
    x = _add(x0, tree_map(lambda X: _dot(X[..., :-1], y), V))
    return (x,) + _safe_normalize(M(_sub(b, A(x))))


def _lstsq(a, b):
    return sp_linalg.solve(_dot(a.T.conj(), a), _dot(a.T.conj(), b), assume_a='pos')


def _gmres_batched(A, b, x0, unit_residual, residual_norm, ptol, restart, M):
    """One restart cycle: the whole Arnoldi basis, then one least-squares solve."""
    V = _krylov_basis(unit_residual, restart)
    dtype = _result_dtype(b)
    H = jnp.eye(restart, restart + 1, dtype=dtype)

    def step(carry):
        V, H, _, k = carry
        V, H, breakdown = _arnoldi_step(k, A, M, V, H)
        return V, H, breakdown, k + 1

    V, H, _, _ = lax.while_loop(lambda c: jnp.logical_and(c[3] < restart, jnp.logical_not(c[2])),
                                step, (V, H, False, 0))
    beta_vec = jnp.zeros((restart + 1,), H.dtype).at[0].set(residual_norm.astype(dtype))
    y = _lstsq(H.T, beta_vec)
    x = _add(x0, tree_map(lambda X: _dot(X[..., :-1], y), V))
    return (x,) + _safe_normalize(M(_sub(b, A(x))))


def _gmres_solve(A, b, x0, atol, ptol, restart, maxiter, M, cycle):
    unit_residual, residual_norm = _safe_normalize(M(_sub(b, A(x0))))

    def body(value):
        x, k, unit_residual, residual_norm = value
        x, unit_residual, residual_norm = cycle(A, b, x, unit_residual, residual_norm, ptol,
                                                restart, M)
        return x, k + 1, unit_residual, residual_norm

    return lax.while_loop(lambda v: jnp.logical_and(v[1] < maxiter, v[3] > atol), body,
                          (x0, 0, unit_residual, residual_norm))[0]


def gmres(A, b, x0=None, *, tol=1e-5, atol=0.0, restart=20, maxiter=None, M=None,
          solve_method='batched'):
    """GMRES with restarts every ``restart`` steps, for a general square ``A``.
    ``solve_method='batched'`` builds each Krylov basis whole and solves one
    least-squares problem; ``'incremental'`` updates a QR factorization step by step and
    may stop early. Returns ``(x, info)``, ``info`` -1 when ``x`` is ``nan``, else 0."""
    if x0 is None:
        x0 = tree_map(jnp.zeros_like, b)
    M = _identity if M is None else M
    A = _normalize_matvec(A)
    M = _normalize_matvec(M)
    b, x0 = tree_map(jnp.asarray, (b, x0))
    size = sum(bi.size for bi in tree_leaves(b))
    if maxiter is None:
        maxiter = 10 * size  # as SciPy
    restart = min(restart, size)
    if tree_structure(x0) != tree_structure(b):
        raise ValueError('x0 and b must have matching tree structure: '
                         f'{tree_structure(x0)} vs {tree_structure(b)}')
    b_norm = _norm(b)
    atol = jnp.maximum(tol * b_norm, atol)
    ptol = _norm(M(b)) * jnp.minimum(1.0, atol / b_norm)
    if solve_method == 'incremental':
        cycle = _gmres_incremental
    elif solve_method == 'batched':
        cycle = _gmres_batched
    else:
        raise ValueError(f"invalid solve_method {solve_method}, must be either "
                         "'incremental' or 'batched'")

    def solve(A, b):
        return _gmres_solve(A, b, x0, atol, ptol, restart, maxiter, M, cycle)

    x = lax.custom_linear_solve(A, b, solve=solve, transpose_solve=solve)
    return x, jnp.where(jnp.isnan(_norm(x)), -1, 0)


__all__ = ["cg", "bicgstab", "gmres"]
