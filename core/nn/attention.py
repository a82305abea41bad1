"""``glassbox.nn.dot_product_attention``: scaled dot-product attention, as JAX's 'xla' path.

Layout ``(B, T, N, H)`` for queries and ``(B, S, K, H)`` for keys and values (batch,
sequence, heads, head size); ``N`` must be a multiple of ``K`` (grouped-query attention:
each key/value head serves ``G = N // K`` query heads). The computation is JAX's:
logits in at least float32, scaled, plus ``bias``, masked with a large negative number
(``-0.7 * finfo.max``, capped at float32's) where ``mask``/``is_causal``/sequence
lengths/``local_window_size`` say so, softmax in float32, then the weighted sum of values.
JAX vmaps its core over the ``G`` query heads of each key/value head; here the group
is an explicit axis of the einsums, which is the same computation.
"""
import numpy as np

from .. import lax
from .. import numpy as jnp
from .functions import logsumexp, softmax

__all__ = ["dot_product_attention"]


def _large_negative(dtype):
    big = min(float(jnp.finfo(dtype).max), float(np.finfo(np.float32).max))
    return jnp.asarray(-0.7 * big, dtype=dtype)


def _combined_mask(T, S, mask, is_causal, q_seqlen, kv_seqlen, local_window_size):
    """The boolean mask (broadcastable to ``(B, K, G, T, S)``), or None for no masking."""
    combined = None

    def both(a, b):
        return b if a is None else jnp.logical_and(a, b)

    if mask is not None:
        combined = both(combined, mask)
    if is_causal:
        combined = both(combined, jnp.tril(jnp.ones((T, S), dtype=bool)))
    if local_window_size is not None:
        left, right = local_window_size
        q_pos = jnp.arange(T)[:, None]
        k_pos = jnp.arange(S)[None, :]
        combined = both(combined, (q_pos <= k_pos + left) & (q_pos >= k_pos - right))
    if q_seqlen is not None or kv_seqlen is not None:
        pad = True
        if q_seqlen is not None:
            pad = jnp.arange(T)[None, :, None] < q_seqlen[:, None, None]
        if kv_seqlen is not None:
            pad = jnp.logical_and(pad, jnp.arange(S)[None, None, :] < kv_seqlen[:, None, None])
        combined = both(combined, pad[:, None, None, :, :])
    return combined


def _attention_xla(query, key, value, bias, mask, is_causal, scale, q_seqlen, kv_seqlen,
                   local_window_size, return_residual):
    B, T, N, H = query.shape
    _, S, K, _ = key.shape
    G = N // K
    query = jnp.reshape(query, (B, T, K, G, H))

    def grouped(t):    # (b, n, t, s) -> (b, K, G, t, s), or (b, 1, 1, t, s) for one head
        if t is None:
            return None
        tB, tN, tT, tS = t.shape
        if tN == 1:
            return t[:, :, None]
        return jnp.reshape(t, (tB, K, G, tT, tS))

    bias, mask = grouped(bias), grouped(mask)
    logits_dtype = jnp.promote_types(query.dtype, np.float32)
    logits = jnp.einsum("BTKGH,BSKH->BKGTS", query, key, preferred_element_type=logits_dtype)
    logits = logits * jnp.array(scale, dtype=logits.dtype)
    if bias is not None:
        logits = (logits + bias).astype(logits.dtype)
    combined = _combined_mask(T, S, mask, is_causal, q_seqlen, kv_seqlen, local_window_size)
    if combined is not None:
        logits = jnp.where(combined, logits, _large_negative(logits.dtype))
    logits = logits.astype(np.float32)
    probs = softmax(logits, axis=-1).astype(key.dtype)
    encoded = jnp.einsum("BKGTS,BSKH->BTKGH", probs, value)
    if q_seqlen is not None:
        keep = jnp.arange(T)[None, :] < q_seqlen[:, None]
        encoded = encoded * keep[:, :, None, None, None].astype(encoded.dtype)
    encoded = jnp.reshape(encoded, (B, T, N, H))
    if not return_residual:
        return encoded
    lse = logsumexp(logits, axis=-1).astype(key.dtype)            # (B, K, G, T)
    lse = jnp.reshape(jnp.transpose(lse, (0, 3, 1, 2)), (B, T, N))
    return encoded, lax.stop_gradient(lse)


def _check(t, shape, dtype, name):
    if t is None:
        return
    if t.ndim != len(shape):
        raise ValueError(f"{name} ndim should be {len(shape)}, but got {t.ndim}")
    if dtype is not None and t.dtype != dtype:
        raise ValueError(f"{name} dtype should be {dtype}, but got {t.dtype}")
    for i in range(t.ndim):
        if shape[i] != -1 and t.shape[i] != shape[i]:
            raise ValueError(f"{name} shape should be {shape}: but got {t.shape}")


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None,
                          is_causal=False, query_seq_lengths=None,
                          key_value_seq_lengths=None, local_window_size=None,
                          implementation=None, return_residual=False):
    """Scaled dot-product attention, ``softmax(q k^T * scale + bias) v`` per head.

    Args:
      query: ``(B, T, N, H)`` (or ``(T, N, H)``: missing leading axes are added).
      key, value: ``(B, S, K, H)``, ``N % K == 0`` (grouped-query attention).
      bias: added to the logits, broadcastable to ``(B, N, T, S)``.
      mask: boolean, broadcastable to ``(B, N, T, S)``; False positions are excluded.
      scale: the logits' scale, ``1 / sqrt(H)`` by default.
      is_causal: query ``t`` attends to keys ``s <= t`` only.
      query_seq_lengths, key_value_seq_lengths: int32 ``(B,)`` valid lengths; padded
        query rows give 0.
      local_window_size: ``(left, right)`` (or one int for both): query ``t`` attends
        to keys in ``[t - left, t + right]``.
      implementation: ``None`` or ``'xla'``; ``'cudnn'`` needs an NVIDIA GPU and raises
        ``RuntimeError`` here, as JAX does without one.
      return_residual: also return the per-query log-sum-exp ``(B, T, N)``.

    Returns:
      ``(B, T, N, H)`` in the shape of ``query`` (and the residual if asked).

    Example::

        q = k = v = jnp.ones((2, 5, 4, 8))
        out = jax.nn.dot_product_attention(q, k, v, is_causal=True)   # (2, 5, 4, 8)
    """
    output_shape = jnp.shape(query)

    def four_d(t):
        t = jnp.asarray(t)
        missing = 4 - t.ndim
        return jnp.expand_dims(t, tuple(range(missing))) if missing > 0 else t

    query_arr, key_arr, value_arr = four_d(query), four_d(key), four_d(value)
    bias = four_d(bias) if bias is not None else None
    mask = four_d(mask) if mask is not None else None
    if query_seq_lengths is not None:
        query_seq_lengths = jnp.asarray(query_seq_lengths)
    if key_value_seq_lengths is not None:
        key_value_seq_lengths = jnp.asarray(key_value_seq_lengths)
    if isinstance(local_window_size, int):
        local_window_size = (local_window_size, local_window_size)

    B, S, K, H = key_arr.shape
    _check(value_arr, [B, S, K, H], key_arr.dtype, "value")
    _check(query_arr, [B, -1, -1, H], key_arr.dtype, "query")
    _check(mask, [-1] * 4, np.dtype(bool), "mask")
    _check(bias, [-1] * 4, None, "bias")
    _check(query_seq_lengths, [B], np.dtype("int32"), "query_seq_lengths")
    _check(key_value_seq_lengths, [B], np.dtype("int32"), "key_value_seq_lengths")
    if query_arr.shape[-2] % K != 0:
        raise ValueError("The number of query heads must be a multiple of key/value heads, "
                         f"but got {query_arr.shape[-2]} vs {K}")
    scale_val = 1.0 / np.sqrt(H) if scale is None else scale
    if implementation == "cudnn":
        raise RuntimeError("cuDNN is not detected.")
    if implementation not in (None, "xla"):
        raise ValueError(f"Unsupported implementation option: {implementation}")
    out = _attention_xla(query_arr, key_arr, value_arr, bias, mask, is_causal, scale_val,
                         query_seq_lengths, key_value_seq_lengths, local_window_size,
                         return_residual)
    if return_residual:
        out, residual = out
        return jnp.reshape(out, output_shape), jnp.reshape(residual, output_shape[:-1])
    return jnp.reshape(out, output_shape)
