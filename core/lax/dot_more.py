"""Ragged (grouped) matrix products, and the names JAX uses to describe dot algorithms.

``ragged_dot(lhs[m, k], rhs[g, k, n], group_sizes[g])`` multiplies consecutive row
groups of ``lhs`` by their own matrix ``rhs[i]`` (the mixture-of-experts product).
Here it is written in lax, as JAX's CPU fallback computes it: a ``[g, m]`` mask of
which rows fall in which group, one batched ``dot_general`` over the groups and a sum,
so it differentiates and batches through those primitives. Rows past
``sum(group_sizes)`` are zero, as in JAX. (JAX makes it one ``ragged_dot_general``
primitive; a jaxpr here shows its parts instead.)

``DotAlgorithm``, ``DotAlgorithmPreset``, ``AccuracyMode`` and ``Tolerance`` are
JAX's descriptions of how a backend should compute a dot; the CPU backend has one
algorithm, so they are accepted as names only.
"""
import enum
from typing import NamedTuple

import numpy as np

from .. import dtypes
from ..core import get_aval
from .bitwise import bitwise_and, ge, lt
from .dot import dot_general
from .elementwise import convert_element_type
from .reductions import cumsum, reduce_sum
from .shape import broadcast_in_dim, broadcasted_iota


class _RaggedDims(NamedTuple):
    dot_dimension_numbers: tuple
    lhs_ragged_dimensions: tuple
    rhs_group_dimensions: tuple


class RaggedDotDimensionNumbers(_RaggedDims):
    """Ragged, group and dot dimensions of ``ragged_dot_general``.

    ``dot_dimension_numbers`` is ``((lhs_contracting, rhs_contracting), (lhs_batch,
    rhs_batch))``; ``lhs_ragged_dimensions`` the lhs dimension split into groups;
    ``rhs_group_dimensions`` the rhs dimension indexing the groups.
    """
    dot_dimension_numbers: tuple
    lhs_ragged_dimensions: tuple
    rhs_group_dimensions: tuple

    def __new__(cls, dot_dimension_numbers, lhs_ragged_dimensions, rhs_group_dimensions):
        (lc, rc), (lb, rb) = dot_dimension_numbers
        dims = ((tuple(lc), tuple(rc)), (tuple(lb), tuple(rb)))
        return super().__new__(cls, dims, tuple(lhs_ragged_dimensions),
                               tuple(rhs_group_dimensions))


_RAGGED_DOT_DIMS = RaggedDotDimensionNumbers((((1,), (1,)), ((), ())), (0,), (0,))


def ragged_dot(lhs, rhs, group_sizes, precision=None, preferred_element_type=None,
               group_offset=None, out_sharding=None):
    """``out[i] = lhs[i] @ rhs[group(i)]``: rows of ``lhs[m, k]`` in consecutive groups of
    ``group_sizes[g]`` rows, each times its own ``rhs[g, k, n]``. Returns ``[m, n]``."""
    return ragged_dot_general(lhs, rhs, group_sizes, _RAGGED_DOT_DIMS, precision,
                              preferred_element_type, group_offset)


def ragged_dot_general(lhs, rhs, group_sizes, ragged_dot_dimension_numbers, precision=None,
                       preferred_element_type=None, group_offset=None, out_sharding=None):
    """``ragged_dot`` with explicit dimension numbers. Supported: the ``ragged_dot``
    layout (lhs ``[m, k]`` ragged in ``m``, rhs ``[g, k, n]`` grouped in ``g``)."""
    l, r, gs = get_aval(lhs), get_aval(rhs), get_aval(group_sizes)
    if group_offset is not None:
        raise NotImplementedError("ragged_dot_general: group_offset is not supported")
    if not dtypes.issubdtype(gs.dtype, np.integer):
        raise TypeError("ragged_dot_general requires that group_sizes.dtype is subtype of "
                        "np.integer.")
    dims = RaggedDotDimensionNumbers(*ragged_dot_dimension_numbers)
    if dims != _RAGGED_DOT_DIMS or l.ndim != 2 or r.ndim != 3:
        raise NotImplementedError(
            f"ragged_dot_general: only the ragged_dot layout (lhs [m, k], rhs [g, k, n], "
            f"{_RAGGED_DOT_DIMS}) is supported, got lhs {l.str_short()}, rhs "
            f"{r.str_short()} and {dims}")
    if gs.shape != (r.shape[0],):
        raise TypeError(f"expected rhs group dimension size to be {gs.shape[0] if gs.ndim else 0}"
                        f", got {r.shape[0]}.")
    if l.shape[1] != r.shape[1]:
        raise TypeError(f"ragged_dot: contracting dimensions must match, got lhs "
                        f"{l.str_short()} and rhs {r.str_short()}")
    g, m = r.shape[0], l.shape[0]
    sizes = convert_element_type(group_sizes, np.int32)
    ends = cumsum(sizes)
    starts = ends - sizes
    row = broadcasted_iota(np.int32, (g, m), 1)
    mask = bitwise_and(ge(row, broadcast_in_dim(starts, (g, m), (0,))),
                       lt(row, broadcast_in_dim(ends, (g, m), (0,))))
    masked = broadcast_in_dim(lhs, (g,) + l.shape, (1, 2)) * \
        convert_element_type(broadcast_in_dim(mask, (g,) + l.shape, (0, 1)), l.dtype)
    per_group = dot_general(masked, rhs, (((2,), (1,)), ((0,), (0,))), precision,
                            preferred_element_type)     # [g, m, n]
    return reduce_sum(per_group, (0,))


class AccuracyMode(enum.Enum):
    """How accurate a transcendental function must be (a backend hint)."""
    HIGHEST = 1
    DEFAULT = 2


class Tolerance:
    """Tolerances for a transcendental function's accuracy (a backend hint)."""

    def __init__(self, atol=0.0, rtol=0.0, ulps=0):
        if atol < 0.0 or rtol < 0.0 or ulps < 0:
            raise ValueError("Tolerances must be non-negative.")
        self.atol, self.rtol, self.ulps = atol, rtol, ulps

    def __repr__(self):
        return f"Tolerance(atol={self.atol}, rtol={self.rtol}, ulps={self.ulps})"


class DotAlgorithm(NamedTuple):
    """How a dot computes: input precisions, accumulation type, component counts."""
    lhs_precision_type: object
    rhs_precision_type: object
    accumulation_type: object
    lhs_component_count: int = 1
    rhs_component_count: int = 1
    num_primitive_operations: int = 1
    allow_imprecise_accumulation: bool = False


class DotAlgorithmPreset(enum.Enum):
    """Named dot algorithms (input types, output type, passes), as JAX lists them."""
    DEFAULT = enum.auto()
    ANY_F8_ANY_F8_F32 = enum.auto()
    ANY_F8_ANY_F8_F32_FAST_ACCUM = enum.auto()
    ANY_F8_ANY_F8_ANY = enum.auto()
    ANY_F8_ANY_F8_ANY_FAST_ACCUM = enum.auto()
    F16_F16_F16 = enum.auto()
    F16_F16_F32 = enum.auto()
    BF16_BF16_BF16 = enum.auto()
    BF16_BF16_F32 = enum.auto()
    BF16_BF16_F32_X3 = enum.auto()
    BF16_BF16_F32_X6 = enum.auto()
    BF16_BF16_F32_X9 = enum.auto()
    TF32_TF32_F32 = enum.auto()
    TF32_TF32_F32_X3 = enum.auto()
    F32_F32_F32 = enum.auto()
    F64_F64_F64 = enum.auto()

    def __repr__(self):
        return f"{type(self).__name__}.{self.name}"

    __str__ = __repr__


__all__ = ["RaggedDotDimensionNumbers", "ragged_dot", "ragged_dot_general", "AccuracyMode",
           "Tolerance", "DotAlgorithm", "DotAlgorithmPreset"]
