"""``glassbox.lax.linalg``: matrix factorizations, lowered to jaxlib's LAPACK kernels.

Each primitive lowers, as JAX does on CPU, to a ``stablehlo.custom_call`` of a
typed-FFI LAPACK kernel shipped in jaxlib (``lapack_spotrf_ffi``,
``lapack_dgesdd_ffi``...; ``api_version = 4``, attributes in a dictionary
``backend_config``). The kernels work on column-major matrices, so the call
states column-major ``operand_layouts``/``result_layouts`` for the matrix
operands and XLA inserts the transposes. Kernels report failure in an
``info`` output; like JAX, the lowering turns failed batch elements into NaNs.

Leading dimensions are batch dimensions: every primitive here takes
``[..., m, n]`` matrices and the kernels loop over the batch.

The runtime registers the kernels with XLA the first time a module that
mentions ``lapack_`` is compiled (``runtime.register_lapack``).

One module per family, each primitive's rules beside it:

==================  =====================================================================
``_lapack``         shared checks, the FFI call, StableHLO emitters, traceable helpers
``cholesky``        ``cholesky_p``, ``cholesky_update_p``, ``symmetric_product_p``
``triangular``      ``triangular_solve_p``
``lu``              ``lu_p``, ``lu_pivots_to_permutation_p``
``qr``              ``geqrf_p``, ``householder_product_p``, ``qr_p``, ``ormqr_p``
``eigen``           ``eigh_p``, ``eig_p`` and the implementation enums
``svd``             ``svd_p``, ``SvdAlgorithm``
``condensed``       ``schur_p``, ``hessenberg_p``, ``tridiagonal_p`` (condensed forms)
``tridiagonal_solve``  ``tridiagonal_solve_p``
``polar``           ``qdwh`` (a composition)
==================  =====================================================================
"""
from ._lapack import symmetrize
from .cholesky import (cholesky, cholesky_p, cholesky_update, cholesky_update_p,
                       symmetric_product, symmetric_product_p)
from .triangular import triangular_solve, triangular_solve_p
from .lu import lu, lu_p, lu_pivots_to_permutation, lu_pivots_to_permutation_p
from .qr import (geqrf, geqrf_p, householder_product, householder_product_p, ormqr, ormqr_p,
                 qr, qr_p)
from .eigen import EigImplementation, EighImplementation, eig, eig_p, eigh, eigh_p
from .svd import SvdAlgorithm, svd, svd_p
from .condensed import hessenberg, hessenberg_p, schur, schur_p, tridiagonal, tridiagonal_p
from .tridiagonal_solve import tridiagonal_solve, tridiagonal_solve_p
from .polar import qdwh

__all__ = ["cholesky", "cholesky_p", "cholesky_update", "cholesky_update_p",
           "symmetric_product", "symmetric_product_p", "symmetrize",
           "triangular_solve", "triangular_solve_p",
           "lu", "lu_p", "lu_pivots_to_permutation", "lu_pivots_to_permutation_p",
           "geqrf", "geqrf_p", "householder_product", "householder_product_p", "qr", "qr_p",
           "ormqr", "ormqr_p",
           "eig", "eig_p", "eigh", "eigh_p", "EigImplementation", "EighImplementation",
           "svd", "svd_p", "SvdAlgorithm",
           "schur", "schur_p", "hessenberg", "hessenberg_p", "tridiagonal", "tridiagonal_p",
           "tridiagonal_solve", "tridiagonal_solve_p", "qdwh"]
