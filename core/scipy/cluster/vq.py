"""``glassbox.scipy.cluster.vq``: assign observations to their nearest code."""
from ... import numpy as jnp
from ...interpreters.batching import vmap
from ...numpy._util import check_arraylike, promote_dtypes_inexact


def vq(obs, code_book, check_finite=True):
    """For each row of ``obs`` (``(M, N)``, or ``(M,)``), the index of the nearest row
    of ``code_book`` (``(K, N)``, or ``(K,)``) in Euclidean distance, and that
    distance. ``check_finite`` is ignored."""
    del check_finite
    check_arraylike("scipy.cluster.vq.vq", obs, code_book)
    obs, cb = promote_dtypes_inexact(obs, code_book)
    if obs.ndim != cb.ndim:
        raise ValueError("Observation and code_book should have the same rank")
    if obs.ndim == 1:
        obs, cb = obs[..., None], cb[..., None]
    if obs.ndim != 2:
        raise ValueError("ndim different than 1 or 2 are not supported")
    dist = vmap(lambda ob: jnp.linalg.norm(ob[None] - cb, axis=-1))(obs)
    code = jnp.argmin(dist, axis=-1)
    return code, vmap(lambda d, c: d[c])(dist, code)


__all__ = ["vq"]
