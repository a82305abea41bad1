"""Block-scaled matrix products: ``scaled_matmul``, ``scaled_dot_general`` and their
configurations (JAX's ``jax.nn`` helpers for MXFP8 / NVFP4 on recent NVIDIA GPUs).

JAX runs these through cuDNN only: on CPU its ``scaled_matmul`` raises
``NotImplementedError`` once its arguments are checked, and so does glassbox's.
``scaled_dot_general`` without ``configs`` is a plain ``lax.dot_general``, which runs
everywhere; ``get_scaled_dot_general_config`` returns JAX's configuration records.
"""
import dataclasses
import warnings

import ml_dtypes
import numpy as np

from .. import lax
from .. import numpy as jnp

__all__ = ["BlockScaleConfig", "get_scaled_dot_general_config", "scaled_dot_general",
           "scaled_matmul"]


@dataclasses.dataclass
class BlockScaleConfig:
    """How one operand is quantized: blocks of ``block_size`` elements of ``data_type``
    share one scale of ``scale_type`` (times ``global_scale`` for NVFP4)."""
    mode: str
    block_size: int
    data_type: object
    scale_type: object
    global_scale: object
    infer_only: bool


def _no_cpu_kernel():
    raise NotImplementedError("MLIR translation rule for primitive 'scaled_matmul' not found "
                              "for platform cpu (JAX runs it with cuDNN on NVIDIA GPUs only)")


def scaled_matmul(lhs, rhs, lhs_scales, rhs_scales, preferred_element_type=np.float32):
    """``lhs @ rhs^T`` per batch with block scales: ``lhs`` is ``(B, M, K)``, ``rhs``
    ``(B, N, K)``, the scales ``(B, M, K // block)`` and ``(B, N, K // block)``.

    The arguments are checked as JAX checks them; the product itself needs cuDNN, so
    on CPU this raises ``NotImplementedError``, as JAX does.
    """
    if not all(x.ndim == 3 for x in (lhs, rhs, lhs_scales, rhs_scales)):
        raise ValueError("scaled_matmul requires all inputs to be 3-dimensional arrays")
    B_a, M_a, K_a = lhs.shape
    B_b, N_b, K_b = rhs.shape
    if K_a != K_b or B_a != B_b:
        raise ValueError("scaled_matmul requires inputs a and b to have matching batch (B) "
                         f"and contract (K) dimensions, but got shapes {lhs.shape} and "
                         f"{rhs.shape}")
    B_as, M_as, K_as = lhs_scales.shape
    B_bs, N_bs, K_bs = rhs_scales.shape
    if K_as != K_bs or B_as != B_bs:
        raise ValueError("scaled_matmul requires scales to have matching batch (B) and "
                         f"contract (K) dimensions, but got shapes {lhs_scales.shape} and "
                         f"{rhs_scales.shape}")
    if M_as != M_a or N_bs != N_b:
        raise ValueError("scaled_matmul requires scales to match non-contract dimensions of "
                         f"inputs, but got shapes a: {lhs.shape}, b: {rhs.shape}, a_scales: "
                         f"{lhs_scales.shape}, b_scales: {rhs_scales.shape}")
    _no_cpu_kernel()


def get_scaled_dot_general_config(mode, global_scale=None):
    """The ``BlockScaleConfig`` of ``mode``: ``'nvfp4'`` (float4_e2m1fn data, float8_e4m3fn
    scales per 16) or ``'mxfp8'`` (float8_e4m3fn data, float8_e8m0fnu scales per 32)."""
    if mode == "nvfp4":
        one = jnp.ones((1,), dtype=np.float32)
        return BlockScaleConfig(mode="nvfp4", block_size=16, data_type=ml_dtypes.float4_e2m1fn,
                                scale_type=ml_dtypes.float8_e4m3fn,
                                global_scale=one if global_scale is None else global_scale,
                                infer_only=False)
    if mode == "mxfp8":
        return BlockScaleConfig(mode="mxfp8", block_size=32, data_type=ml_dtypes.float8_e4m3fn,
                                scale_type=ml_dtypes.float8_e8m0fnu, global_scale=None,
                                infer_only=False)
    raise ValueError(f"Unsupported mode: {mode}")


def scaled_dot_general(lhs, rhs, dimension_numbers, preferred_element_type=np.float32,
                       configs=None, implementation=None):
    """``lax.dot_general`` with operands quantized per ``configs`` (three
    ``BlockScaleConfig``: lhs, rhs, gradient). Without ``configs`` it is exactly
    ``lax.dot_general(lhs, rhs, dimension_numbers, preferred_element_type=...)``; with
    them it needs cuDNN (``NotImplementedError`` on CPU, as in JAX)."""
    if implementation is not None:
        warnings.warn("Backend selector, now ignored. The system chooses the backend "
                      "automatically.", DeprecationWarning)
    if configs is None:
        return lax.dot_general(lhs, rhs, dimension_numbers,
                               preferred_element_type=preferred_element_type)
    _no_cpu_kernel()
