"""``pad``: NumPy's padding modes (constant, empty, edge, reflect, symmetric, wrap).

Every mode is built from ``lax.pad`` (constant), slices, ``rev`` and
``concatenate``; pad widths must be static. Part of ``glassbox.numpy``'s
manipulation functions (re-exported there).
"""
import builtins
import functools

import numpy as np

from .. import lax
from ..api import jit
from ..core import Tracer, get_aval
from ..errors import ConcretizationTypeError
from ._util import check_arraylike
from .creation import asarray

__all__ = ["pad"]


def _shape(x):
    return get_aval(x).shape


def _ndim(x):
    return len(get_aval(x).shape)


def _concrete(x):
    if isinstance(x, Tracer):
        v = x.to_concrete_value()
        return None if v is None else np.asarray(v)
    return np.asarray(x)


def _pad_widths(pad_width, nd):
    if isinstance(pad_width, Tracer) and pad_width.to_concrete_value() is None:
        raise ConcretizationTypeError(pad_width, "pad: pad_width must be static")
    pw = np.asarray(pad_width)
    if pw.dtype.kind not in "iu":
        raise TypeError(f"pad: pad_width must be of integral type, got {pw.dtype}")
    try:
        pw = np.broadcast_to(pw, (nd, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} cannot be broadcast to ({nd}, 2)") \
            from None
    if (pw < 0).any():
        raise ValueError(f"pad: pad_width must be non-negative, got {pad_width!r}")
    return [tuple(int(v) for v in row) for row in pw]


def _pad_constant(x, widths, constant_values):
    dtype = get_aval(x).dtype
    if hasattr(constant_values, "aval") and _ndim(constant_values) == 0:
        value = lax.convert_element_type(constant_values, dtype)
        return lax.pad(x, value, [(lo, hi, 0) for lo, hi in widths])
    cv = _concrete(constant_values)
    if cv is None:
        raise ConcretizationTypeError(constant_values, "pad: per-axis constant_values must be "
                                                       "concrete")
    cv = np.broadcast_to(cv, (len(widths), 2))
    for ax, ((lo, hi), (vlo, vhi)) in enumerate(zip(widths, cv)):
        cfg = [(0, 0, 0)] * len(widths)
        cfg[ax] = (lo, 0, 0)
        x = lax.pad(x, np.array(vlo).astype(dtype)[()], cfg)
        cfg[ax] = (0, hi, 0)
        x = lax.pad(x, np.array(vhi).astype(dtype)[()], cfg)
    return x


def _pad_edge(x, widths):
    for ax, (lo, hi) in enumerate(widths):
        n = _shape(x)[ax]
        if n == 0:
            if lo or hi:
                raise ValueError("pad: can't extend an empty axis in 'edge' mode")
            continue
        parts = []
        for count, (start, stop) in ((lo, (0, 1)), (hi, (n - 1, n))):
            edge = lax.slice_in_dim(x, start, stop, axis=ax)
            s = list(_shape(edge))
            s[ax] = count
            parts.append(lax.broadcast_in_dim(edge, tuple(s), tuple(range(len(s)))))
        x = lax.concatenate([parts[0], x, parts[1]], ax)
    return x


def _pad_wrap(x, widths):
    for ax, (lo, hi) in enumerate(widths):
        n = _shape(x)[ax]
        if n == 0:
            if lo or hi:
                raise ValueError("pad: can't extend an empty axis in 'wrap' mode")
            continue
        before, after = -(-lo // n), -(-hi // n)
        tiled = lax.concatenate([x] * (before + 1 + after), ax)
        start = before * n - lo
        x = lax.slice_in_dim(tiled, start, start + lo + n + hi, axis=ax)
    return x


def _edge_slice(x, ax, before):
    n = _shape(x)[ax]
    return lax.slice_in_dim(x, 0, 1, axis=ax) if before else lax.slice_in_dim(x, n - 1, n,
                                                                              axis=ax)


def _reflect_side(x, ax, count, before, mode, odd):
    """Extend one side of axis ``ax`` by ``count`` mirrored elements (NumPy's chunks)."""
    n = _shape(x)[ax]
    offset = 1 if (mode == "reflect" and n > 1) else 0   # reflect skips the edge itself
    edge = _edge_slice(x, ax, before)
    while count > 0:
        # Each chunk mirrors at most n - offset elements of the array padded so far.
        chunk = builtins.min(count, n - offset)
        count -= chunk
        size = _shape(x)[ax]
        lo = offset if before else size - chunk - offset
        part = lax.rev(lax.slice_in_dim(x, lo, lo + chunk, axis=ax), (ax,))
        if odd:   # point reflection through the edge value: 2 * edge - part
            two_edge = lax.mul(np.array(2, get_aval(x).dtype)[()], lax.broadcast_in_dim(
                edge, _shape(part), tuple(range(_ndim(part)))))
            part = lax.sub(two_edge, part)
            if n > 1:
                edge = _edge_slice(part, ax, before)
        x = lax.concatenate([part, x] if before else [x, part], ax)
    return x


def _pad_reflect(x, widths, mode, reflect_type):
    for ax, (lo, hi) in enumerate(widths):
        if _shape(x)[ax] == 0:
            if lo or hi:
                raise ValueError(f"pad: can't extend an empty axis in '{mode}' mode")
            continue
        x = _reflect_side(x, ax, lo, True, mode, reflect_type == "odd")
        x = _reflect_side(x, ax, hi, False, mode, reflect_type == "odd")
    return x


def pad(array, pad_width, mode="constant", **kwargs):
    """Pad ``array`` with ``pad_width`` elements before/after each axis.

    Args:
      array: the array.
      pad_width: an int, a ``(before, after)`` pair, or one pair per axis (static).
      mode: ``"constant"`` (``constant_values``, default 0), ``"empty"`` (zeros),
        ``"edge"``, ``"reflect"``/``"symmetric"`` (``reflect_type`` ``"even"`` or
        ``"odd"``) or ``"wrap"``.

    >>> jnp.pad(jnp.array([1, 2, 3]), (2, 1), mode="reflect")
    Array([3, 2, 1, 2, 3, 2], dtype=int32)
    """
    check_arraylike("pad", array)
    x = asarray(array)
    widths = _pad_widths(pad_width, _ndim(x))
    allowed = {"constant": {"constant_values"}, "empty": set(), "edge": set(),
               "wrap": set(), "reflect": {"reflect_type"}, "symmetric": {"reflect_type"}}
    if mode not in allowed:
        raise NotImplementedError(f"pad: mode {mode!r} is not supported; supported modes are "
                                  + ", ".join(repr(m) for m in allowed))
    unknown = set(kwargs) - allowed[mode]
    if unknown:
        raise ValueError(f"pad: unsupported keyword arguments for mode {mode!r}: "
                         + ", ".join(sorted(unknown)))
    if mode == "constant":
        return _pad_constant(x, widths, kwargs.get("constant_values", 0))
    if mode == "empty":
        return _pad_constant(x, widths, 0)
    reflect_type = kwargs.get("reflect_type", "even")
    if reflect_type not in ("even", "odd"):
        raise ValueError(f"pad: reflect_type must be 'even' or 'odd', got {reflect_type!r}")
    return _pad(x, tuple(widths), mode, reflect_type)


@functools.partial(jit, static_argnames=("widths", "mode", "reflect_type"))
def _pad(x, widths, mode, reflect_type):
    # The copying modes take many slices and concatenations: compiled as one
    # program (as JAX's jnp.pad is), eager calls cost one dispatch.
    if mode == "edge":
        return _pad_edge(x, widths)
    if mode == "wrap":
        return _pad_wrap(x, widths)
    return _pad_reflect(x, widths, mode, reflect_type)
