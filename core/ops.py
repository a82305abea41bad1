"""``glassbox.ops``: segment reductions, each one scatter (JAX's ``jax.ops``).

``segment_sum(data, segment_ids, num_segments)`` is ``out[segment_ids[i]] +=
data[i]`` over a ``(num_segments,) + data.shape[1:]`` array filled with the
reduction's identity: 0 for sum, 1 for prod, -inf (or the dtype's minimum,
or False) for max, +inf (or the maximum, or True) for min, so an empty
segment holds the identity. Each is one ``lax.scatter_add`` / ``scatter_mul`` /
``scatter_max`` / ``scatter_min``, so gradients and batching are those
primitives' rules (``segment_prod``'s gradient, as in JAX, needs
``unique_indices=True``).

Segment ids are not wrapped: with the default mode (``"fill"``/``"drop"``,
JAX's FILL_OR_DROP) a negative or too-large id drops its row; ``mode="clip"``
clamps it into range. With ``bucket_size``, rows are first reduced per
bucket of ``bucket_size`` consecutive rows (one scatter into a
``(num_buckets, num_segments, ...)`` array), then across buckets: shorter
sums and products, for accuracy.

Example::

    >>> segment_sum(jnp.array([1., 2., 3., 4.]), jnp.array([0, 0, 1, 2]), 3)
    Array([3., 3., 4.], dtype=float32)
"""
import math

import numpy as np

from . import dtypes, lax
from . import numpy as jnp
from .lax import GatherScatterMode, ScatterDimensionNumbers
from .numpy._util import check_arraylike

__all__ = ["segment_max", "segment_min", "segment_prod", "segment_sum"]


def _identity(reduction, dtype):
    """The value an empty segment holds: the reduction's identity in ``dtype``."""
    if reduction == "sum":
        return 0
    if reduction == "prod":
        return 1
    if dtype == np.bool_:
        return reduction == "min"
    if dtypes.is_int(dtype):
        info = dtypes.iinfo(dtype)
        return int(info.max) if reduction == "min" else int(info.min)
    return float("inf") if reduction == "min" else float("-inf")


_SCATTERS = {"sum": lax.scatter_add, "prod": lax.scatter_mul,
             "max": lax.scatter_max, "min": lax.scatter_min}
_REDUCERS = {"sum": jnp.sum, "prod": jnp.prod, "max": jnp.max, "min": jnp.min}


def _num_segments(name, segment_ids, num_segments):
    if num_segments is None:
        try:
            ids = np.asarray(segment_ids)
        except Exception as e:   # a tracer: the output shape would depend on a traced value
            raise type(e)(f"{name}: num_segments must be given when segment_ids is traced "
                          f"(the output shape depends on it). {e}") from None
        if ids.size == 0:
            raise ValueError(f"{name}: num_segments must be given for empty segment_ids")
        num_segments = int(np.max(ids)) + 1
    try:
        num_segments = int(num_segments)
    except TypeError:
        raise TypeError(f"{name}: num_segments must be a concrete int, got "
                        f"{num_segments!r}") from None
    if num_segments < 0:
        raise ValueError("num_segments must be non-negative.")
    return num_segments


def _segment_update(name, reduction, data, segment_ids, num_segments, indices_are_sorted,
                    unique_indices, bucket_size, mode, out_sharding):
    check_arraylike(name, data, segment_ids)
    if out_sharding is not None:
        raise NotImplementedError(f"{name}: out_sharding is not supported by glassbox "
                                  f"(one device); pass None")
    mode = GatherScatterMode.FILL_OR_DROP if mode is None else GatherScatterMode.from_any(mode)
    data = jnp.asarray(data)
    segment_ids = jnp.asarray(segment_ids)
    if not dtypes.is_int(segment_ids.dtype):
        raise TypeError(f"{name}: segment_ids must be integers, got {segment_ids.dtype.name}")
    dtype = data.dtype
    if dtype == np.bool_ and reduction in ("sum", "prod"):
        raise TypeError(f"{name} does not accept dtype bool: add and mul accept integer, "
                        f"floating and complex dtypes")
    num_segments = _num_segments(name, segment_ids, num_segments)
    identity = _identity(reduction, dtype)
    scatter = _SCATTERS[reduction]
    tail = data.shape[1:]
    if bucket_size is None:
        out = jnp.full((num_segments,) + tail, identity, dtype=dtype)
        indices = segment_ids[..., None]
        lead = segment_ids.shape
        scattered_dims = (0,)
    else:
        num_buckets = math.ceil(segment_ids.size / bucket_size)
        out = jnp.full((num_buckets, num_segments) + tail, identity, dtype=dtype)
        buckets = jnp.arange(segment_ids.shape[0]) // bucket_size
        indices = jnp.stack([buckets.astype(segment_ids.dtype), segment_ids], axis=-1)
        lead = segment_ids.shape
        scattered_dims = (0, 1)
    # One update window per id: the row data[i] (the trailing dims of the output).
    updates = jnp.broadcast_to(data, lead + tail)
    dnums = ScatterDimensionNumbers(
        update_window_dims=tuple(range(len(lead), len(lead) + len(tail))),
        inserted_window_dims=scattered_dims, scatter_dims_to_operand_dims=scattered_dims)
    out = scatter(out, indices, updates, dnums, indices_are_sorted=indices_are_sorted,
                  unique_indices=unique_indices, mode=mode)
    if bucket_size is None:
        return out
    return _REDUCERS[reduction](out, axis=0).astype(dtype)


def segment_sum(data, segment_ids, num_segments=None, indices_are_sorted=False,
                unique_indices=False, bucket_size=None, mode=None, out_sharding=None):
    """Sums of ``data``'s rows per segment: ``out[s] = sum(data[i] for segment_ids[i] == s)``.

    Args:
      data: an array; its leading axis is segmented.
      segment_ids: integer ids, one per row of ``data`` (``data.shape[0]`` long).
      num_segments: the number of segments (default ``max(segment_ids) + 1``, which
        needs concrete ids: pass it under ``jit``).
      indices_are_sorted, unique_indices: promises about ``segment_ids`` (passed to
        the scatter).
      bucket_size: reduce buckets of this many rows first, then the buckets.
      mode: out-of-range ids: ``None``/``"fill"``/``"drop"`` drops them, ``"clip"``
        clamps them.

    Returns:
      an array of shape ``(num_segments,) + data.shape[1:]`` and ``data``'s dtype,
      0 in empty segments. Lowers to ``stablehlo.scatter`` with an add region.
    """
    return _segment_update("segment_sum", "sum", data, segment_ids, num_segments,
                           indices_are_sorted, unique_indices, bucket_size, mode, out_sharding)


def segment_prod(data, segment_ids, num_segments=None, indices_are_sorted=False,
                 unique_indices=False, bucket_size=None, mode=None, out_sharding=None):
    """Products of ``data``'s rows per segment (1 in empty segments); see ``segment_sum``.

    As in JAX, its gradient is only implemented with ``unique_indices=True``.
    """
    return _segment_update("segment_prod", "prod", data, segment_ids, num_segments,
                           indices_are_sorted, unique_indices, bucket_size, mode, out_sharding)


def segment_max(data, segment_ids, num_segments=None, indices_are_sorted=False,
                unique_indices=False, bucket_size=None, mode=None, out_sharding=None):
    """Maxima of ``data``'s rows per segment (-inf, the dtype's minimum or False in empty
    segments); see ``segment_sum``."""
    return _segment_update("segment_max", "max", data, segment_ids, num_segments,
                           indices_are_sorted, unique_indices, bucket_size, mode, out_sharding)


def segment_min(data, segment_ids, num_segments=None, indices_are_sorted=False,
                unique_indices=False, bucket_size=None, mode=None, out_sharding=None):
    """Minima of ``data``'s rows per segment (+inf, the dtype's maximum or True in empty
    segments); see ``segment_sum``."""
    return _segment_update("segment_min", "min", data, segment_ids, num_segments,
                           indices_are_sorted, unique_indices, bucket_size, mode, out_sharding)
