"""``glassbox.experimental.sparse``: JAX's ``BCOO`` sparse matrix, for 2-D matrices.

A ``BCOO`` holds ``data`` (``nse`` stored values) and ``indices`` (``nse x 2`` row and
column numbers), as JAX's batched-COO format with no batch and no dense dimensions.
Products with dense arrays are a gather, a multiply and a scatter-add (``.at[].add``),
so they differentiate with respect to ``data`` and the dense operand, batch and jit
like any glassbox code. JAX's batched and dense dimensions, the ``bcoo_*`` primitives
and ``sparsify`` are not here: the README's coverage table says so.
"""
import numpy as np

from .. import numpy as jnp
from ..tree_util import register_pytree_node_class


@register_pytree_node_class
class BCOO:
    """A sparse 2-D matrix: ``BCOO((data, indices), shape=(rows, cols))``."""

    __array_ufunc__ = None   # NumPy operands defer to __rmatmul__

    def __init__(self, args, *, shape, indices_sorted=False, unique_indices=False):
        data, indices = args
        shape = tuple(int(d) for d in shape)
        if len(shape) != 2 or np.ndim(indices) != 2 or np.shape(indices)[-1] != 2:
            raise NotImplementedError(
                f"glassbox's BCOO holds 2-D matrices with indices of shape (nse, 2); got "
                f"shape={shape} and indices of shape {np.shape(indices)} (JAX's batch and "
                f"dense dimensions are not implemented)")
        self.data, self.indices, self.shape = jnp.asarray(data), jnp.asarray(indices), shape
        self.indices_sorted, self.unique_indices = indices_sorted, unique_indices

    # --- construction ----------------------------------------------------------------
    @classmethod
    def fromdense(cls, mat, *, nse=None, index_dtype=np.int32):
        """The nonzeros of a dense 2-D array (``nse`` fixes their number, for ``jit``)."""
        mat = jnp.asarray(mat)
        rows, cols = jnp.nonzero(mat, size=nse, fill_value=0)
        nz = mat[rows, cols]
        if nse is not None:   # padding entries point at (0, 0) with value 0
            nz = jnp.where(jnp.arange(nse) < jnp.count_nonzero(mat), nz, 0)
        indices = jnp.stack([rows, cols], axis=1).astype(index_dtype)
        return cls((nz, indices), shape=mat.shape, indices_sorted=True, unique_indices=True)

    @classmethod
    def from_scipy_sparse(cls, mat, *, index_dtype=np.int32):
        """A ``scipy.sparse`` matrix, converted through its COO form."""
        coo = mat.tocoo()
        indices = np.stack([coo.row, coo.col], axis=1).astype(index_dtype)
        return cls((coo.data, indices), shape=coo.shape)

    # --- pytree ----------------------------------------------------------------------
    def tree_flatten(self):
        return (self.data, self.indices), (self.shape, self.indices_sorted,
                                           self.unique_indices)

    @classmethod
    def tree_unflatten(cls, aux, children):
        shape, indices_sorted, unique_indices = aux
        return cls(children, shape=shape, indices_sorted=indices_sorted,
                   unique_indices=unique_indices)

    # --- what it is ------------------------------------------------------------------
    dtype = property(lambda self: self.data.dtype)
    ndim = property(lambda self: 2)
    nse = property(lambda self: self.indices.shape[0])
    size = property(lambda self: self.shape[0] * self.shape[1])

    def __repr__(self):
        return f"BCOO({self.dtype}{list(self.shape)}, nse={self.nse})"

    def todense(self):
        """The dense matrix (repeated indices add up)."""
        out = jnp.zeros(self.shape, self.dtype)
        return out.at[self.indices[:, 0], self.indices[:, 1]].add(self.data)

    def transpose(self, axes=None):
        if axes is not None and tuple(axes) != (1, 0):
            raise ValueError(f"a 2-D BCOO transposes with axes (1, 0), not {axes}")
        return BCOO((self.data, self.indices[:, ::-1]), shape=self.shape[::-1])

    T = property(transpose)

    # --- products with dense arrays ----------------------------------------------------
    def __matmul__(self, other):
        other = jnp.asarray(other)
        if other.ndim not in (1, 2) or other.shape[0] != self.shape[1]:
            raise TypeError(f"matmul: a BCOO of shape {self.shape} cannot multiply an "
                            f"array of shape {other.shape}")
        rows, cols = self.indices[:, 0], self.indices[:, 1]
        terms = self.data.reshape((-1,) + (1,) * (other.ndim - 1)) * other[cols]
        out = jnp.zeros((self.shape[0],) + other.shape[1:], terms.dtype)
        return out.at[rows].add(terms)

    def __rmatmul__(self, other):
        other = jnp.asarray(other)
        if other.ndim == 1:
            return self.T @ other
        return (self.T @ other.T).T


def bcoo_fromdense(mat, *, nse=None, index_dtype=np.int32):
    """``BCOO.fromdense``."""
    return BCOO.fromdense(mat, nse=nse, index_dtype=index_dtype)


def bcoo_todense(mat):
    """``mat.todense()``."""
    return mat.todense()
