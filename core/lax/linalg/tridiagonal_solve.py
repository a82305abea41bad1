"""Tridiagonal solves: ``tridiagonal_solve`` (LAPACK ``?gtsv``; ``perturb_singular`` runs
jaxlib's ``tridiagonal_solve_perturbed_ffi``), with JAX's jvp, transpose and batching rules."""
import numpy as np

from .. import elementwise as _ew, shape as _shape, slicing as _slicing
from ... import runtime
from ...core import Primitive, ShapedArray, abstract_eval_rules, get_aval
from ...interpreters import ad, batching
from ...interpreters.ad import Zero, jvp_rules, transpose_rules
from ...interpreters.batching import batch_rules
from ...interpreters.lowering import lowering_rules
from ._lapack import _I32, _check_linalg, _ffi_call, _info_ok, _nan_where_failed, _target, _weak

__all__ = ["tridiagonal_solve", "tridiagonal_solve_p"]


def tridiagonal_solve(dl, d, du, b, *, perturb_singular=False):
    """Solve the tridiagonal system ``A @ X = B`` for ``X``. Lowers to LAPACK ``?gtsv``.

    Args:
      dl: ``[..., m]`` lower diagonal, ``dl[..., i] = A[i, i - 1]`` (``dl[..., 0]`` is unused).
      d: ``[..., m]`` main diagonal, ``d[..., i] = A[i, i]``.
      du: ``[..., m]`` upper diagonal, ``du[..., i] = A[i, i + 1]`` (``du[..., m - 1]`` unused).
      b: ``[..., m, k]`` right-hand sides (a matrix: a vector must be given a last axis).
      perturb_singular: perturb tiny pivots of the partially pivoted LU by about
        ``eps * max|U|`` so that singular systems give a finite answer (inverse iteration).

    Returns:
      ``X`` with ``b``'s shape and dtype. A singular system (without
      ``perturb_singular``) gives NaNs.

    Example:
      >>> x = tridiagonal_solve(dl, d, du, b)   # scipy.linalg.solve_banded((1, 1), ...)
    """
    return tridiagonal_solve_p.bind(dl, d, du, b, perturb_singular=bool(perturb_singular))


tridiagonal_solve_p = Primitive("tridiagonal_solve")


def _tridiagonal_solve_abstract_eval(dl, d, du, b, *, perturb_singular):
    _check_linalg("tridiagonal_solve", [dl, d, du, b], [1, 1, 1, 2])
    if len({dl.dtype, d.dtype, du.dtype, b.dtype}) > 1:
        raise TypeError(f"lax.tridiagonal_solve requires arguments to have the same dtypes, got "
                        f"{', '.join(a.dtype.name for a in (dl, d, du, b))}.")
    if dl.shape != d.shape or dl.shape != du.shape:
        raise TypeError("tridiagonal_solve requires that all diagonal arguments have the same "
                        "shape.")
    if dl.shape != b.shape[:-1]:
        raise TypeError("tridiagonal_solve requires that the leading ndim-1 dimensions of b "
                        "equal the dimensions of the diagonal arguments.")
    return b.update(weak_type=_weak(dl, d, du, b))


def _tridiagonal_solve_lowering(ctx, dl, d, du, b, *, perturb_singular):
    avals = [a.strip_weak_type() for a in ctx.avals_in]
    b_aval = avals[-1]
    batch = b_aval.shape[:-2]
    if perturb_singular:
        # This kernel's name lacks the ``lapack_`` that makes the runtime register
        # jaxlib's CPU kernels before compiling, so register them here.
        runtime.register_lapack()
        return _ffi_call(ctx, "tridiagonal_solve_perturbed_ffi", [dl, d, du, b], avals,
                         [b_aval])[0]
    *_, x, info = _ffi_call(ctx, _target("gtsv", b_aval.dtype), [dl, d, du, b], avals,
                            avals + [ShapedArray(batch, _I32)], None,
                            {0: 0, 1: 1, 2: 2, 3: 3})
    return _nan_where_failed(ctx, _info_ok(ctx, info, batch), batch, x, b_aval)


abstract_eval_rules[tridiagonal_solve_p] = _tridiagonal_solve_abstract_eval
lowering_rules[tridiagonal_solve_p] = _tridiagonal_solve_lowering


def _shift(x, up):
    """``x`` moved one place along its last axis (``x[..., 1:]`` then a 0, or a 0 then
    ``x[..., :-1]``)."""
    aval = get_aval(x)
    m, nb = aval.shape[-1], aval.ndim - 1
    if up:
        part = _slicing.slice(x, (0,) * nb + (min(1, m),), aval.shape)
        pads = [(0, 0, 0)] * nb + [(0, m - get_aval(part).shape[-1], 0)]
    else:
        part = _slicing.slice(x, (0,) * aval.ndim, aval.shape[:-1] + (max(m - 1, 0),))
        pads = [(0, 0, 0)] * nb + [(m - get_aval(part).shape[-1], 0, 0)]
    return _shape.pad(part, np.array(0, aval.dtype), pads)


def _tridiagonal_product(dl, d, du, b):
    """``A @ b`` for the tridiagonal ``A`` with diagonals ``dl, d, du`` (linear in each)."""
    b_aval = get_aval(b)
    nb = b_aval.ndim - 2
    col = lambda v: _shape.broadcast_in_dim(v, b_aval.shape, tuple(range(nb + 1)))  # noqa: E731
    rows_down = _shift_rows(b, down=True)    # row i holds b[i - 1]
    rows_up = _shift_rows(b, down=False)     # row i holds b[i + 1]
    y = _ew.mul(col(d), b)
    y = _ew.add(y, _ew.mul(col(dl), rows_down))
    # dl[0] and du[m-1] are not part of A: the shifted rows are zero there.
    return _ew.add(y, _ew.mul(col(du), rows_up))


def _shift_rows(b, down):
    aval = get_aval(b)
    nb = aval.ndim - 2
    perm = tuple(range(nb)) + (nb + 1, nb)
    bt = _shape.transpose(b, perm)                  # rows on the last axis
    return _shape.transpose(_shift(bt, up=not down), perm)


def _tridiagonal_solve_jvp(primals, tangents, *, perturb_singular):
    """``X' = A^-1 (B' - A' X)``, as JAX."""
    *diags, b = primals
    *diags_dot, b_dot = tangents
    ans = tridiagonal_solve_p.bind(*primals, perturb_singular=perturb_singular)
    if all(type(t) is Zero for t in diags_dot):
        if type(b_dot) is Zero:
            return ans, Zero(get_aval(ans).strip_weak_type())
        rhs = b_dot
    else:
        matvec_dot = _tridiagonal_product(*map(ad.instantiate, diags_dot), ans)
        rhs = ad.add_tangents(b_dot, _ew.neg(matvec_dot))
    return ans, tridiagonal_solve_p.bind(*diags, ad.instantiate(rhs),
                                         perturb_singular=perturb_singular)


def _tridiagonal_solve_transpose(ct, dl, d, du, b, *, perturb_singular):
    """Linear in ``b`` only: solve with the transposed matrix (``du`` shifted down becomes the
    lower diagonal, ``dl`` shifted up the upper one)."""
    if any(ad.is_undefined(x) for x in (dl, d, du)):
        raise NotImplementedError("transpose rule for 'tridiagonal_solve': the diagonals are not "
                                  "linear arguments (only b is)")
    if type(ct) is Zero:
        return [None, None, None, Zero(b.aval)]
    dl_t, du_t = _shift(du, up=False), _shift(dl, up=True)
    return [None, None, None,
            tridiagonal_solve_p.bind(dl_t, d, du_t, ct, perturb_singular=perturb_singular)]


def _tridiagonal_solve_batch(axis_data, args, dims, *, perturb_singular):
    """Unbatched diagonals solve every batch member at once (the vmapped axis of ``b``
    joins its columns), as in JAX; otherwise the vmapped axis leads everything."""
    dl, d, du, b = args
    if all(dim is None for dim in dims[:3]):
        b = batching.moveaxis(b, dims[3], -2)
        shape = get_aval(b).shape
        flat = _shape.reshape(b, shape[:-2] + (shape[-2] * shape[-1],))
        out = tridiagonal_solve_p.bind(dl, d, du, flat, perturb_singular=perturb_singular)
        return _shape.reshape(out, shape), len(shape) - 2
    args = [batching.bdim_at_front(x, dim, axis_data.size) for x, dim in zip(args, dims)]
    return tridiagonal_solve_p.bind(*args, perturb_singular=perturb_singular), 0


jvp_rules[tridiagonal_solve_p] = _tridiagonal_solve_jvp
transpose_rules[tridiagonal_solve_p] = _tridiagonal_solve_transpose
batch_rules[tridiagonal_solve_p] = _tridiagonal_solve_batch
