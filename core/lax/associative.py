"""``associative_scan``: a parallel prefix scan built from slicing, padding and ``fn``.

No primitive of its own: it is a Python function over ``slice``, ``pad``,
``concatenate`` and ``rev``, so every transform goes through those.
"""
import numpy as np

from ..core import get_aval
from ..tree_util import tree_flatten, tree_unflatten
from .bitwise import bitwise_or
from .elementwise import add
from .shape import concatenate, pad, rev
from .slicing import slice_in_dim

__all__ = ["associative_scan"]


def associative_scan(fn, elems, reverse=False, axis=0):
    """All prefix combinations ``[a, fn(a, b), fn(fn(a, b), c), ...]`` along ``axis``.

    ``fn`` must be associative and elementwise along ``axis`` (it is applied to
    whole slices at once). The algorithm (Blelloch 1990) combines adjacent
    pairs, scans that half-size problem recursively, then fills in the
    remaining elements: ``O(log n)`` rounds of ``fn`` instead of ``n`` steps.

    Args:
      fn: ``(a, b) -> c`` on pytrees shaped like ``elems``.
      elems: pytree of arrays sharing the size of ``axis``.
      reverse: scan from the end.
      axis: the axis to scan along.

    Example::

        lax.associative_scan(jnp.add, jnp.arange(4))   # [0, 1, 3, 6]
    """
    if not callable(fn):
        raise TypeError("lax.associative_scan: fn argument should be callable.")
    flat, tree = tree_flatten(elems)
    if not flat:
        return elems
    ndim = get_aval(flat[0]).ndim
    if not -ndim <= axis < ndim:
        raise ValueError(f"associative_scan: axis {axis} is out of bounds for arrays of rank "
                         f"{ndim}")
    axis %= ndim
    sizes = [get_aval(x).shape[axis] for x in flat]
    if any(s != sizes[0] for s in sizes):
        raise ValueError(f"Array inputs to associative_scan must have the same first "
                         f"dimension. (saw: {[get_aval(x).shape for x in flat]})")
    if reverse:
        flat = [rev(x, (axis,)) for x in flat]

    def combine(a, b):
        out, out_tree = tree_flatten(fn(tree_unflatten(tree, a), tree_unflatten(tree, b)))
        if out_tree != tree:
            raise TypeError(f"associative_scan: fn must return the structure of elems {tree}, "
                            f"got {out_tree}")
        return out

    def scan_(xs):
        n = get_aval(xs[0]).shape[axis]
        if n < 2:
            return xs
        # combine adjacent pairs, scan the half-size problem recursively
        odd = scan_(combine([slice_in_dim(x, 0, n - 1, 2, axis) for x in xs],
                            [slice_in_dim(x, 1, n, 2, axis) for x in xs]))
        # even positions: previous odd result combined with the element itself
        if n % 2 == 0:
            even = combine([slice_in_dim(o, 0, get_aval(o).shape[axis] - 1, 1, axis)
                            for o in odd],
                           [slice_in_dim(x, 2, n, 2, axis) for x in xs])
        else:
            even = combine(odd, [slice_in_dim(x, 2, n, 2, axis) for x in xs])
        even = [concatenate([slice_in_dim(x, 0, 1, 1, axis), e], axis)
                for x, e in zip(xs, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    out = scan_(flat)
    if reverse:
        out = [rev(x, (axis,)) for x in out]
    return tree_unflatten(tree, out)


def _interleave(a, b, axis):
    """``a[0], b[0], a[1], b[1], ...`` along ``axis`` (``a`` may be one longer)."""
    na, nb = get_aval(a).shape[axis], get_aval(b).shape[axis]
    ndim = get_aval(a).ndim
    a_cfg = [(0, 0, 0)] * ndim
    b_cfg = [(0, 0, 0)] * ndim
    a_cfg[axis] = (0, 1 if na == nb else 0, 1)
    b_cfg[axis] = (1, 0 if na == nb else 1, 1)
    dtype = get_aval(a).dtype
    zero = np.zeros((), dtype)
    join = bitwise_or if dtype == np.bool_ else add
    return join(pad(a, zero, a_cfg), pad(b, zero, b_cfg))
