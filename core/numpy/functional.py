"""Functions of functions: ``vectorize``, ``apply_along_axis``, ``apply_over_axes``,
``piecewise``, ``frompyfunc`` and the ``ufunc`` class.

``vectorize`` is built on ``vmap``, as in JAX: each broadcast dimension becomes one
``vmap``, and a gufunc ``signature`` (``"(n),(n)->()"``) keeps its core dimensions
for the function. ``piecewise`` evaluates every branch through ``lax.switch``
under ``vectorize``, so it works under ``jit``. A ``ufunc`` made by ``frompyfunc``
has ``__call__`` (vectorized), ``outer``, ``reduce``, ``accumulate`` and ``at``
(all loops over ``lax`` control flow, as JAX's).
"""
import functools
import operator
import re

import numpy as np

from .. import lax
from ..interpreters.batching import vmap
from .. import numpy as jnp  # this package, partly imported now: names are read at call time
from ._util import broadcast_shapes, canonicalize_axis, check_arraylike

__all__ = ["vectorize", "apply_along_axis", "apply_over_axes", "piecewise", "frompyfunc",
           "ufunc"]


# --- vectorize -------------------------------------------------------------------

_DIM = r"\w+"
_CORE_DIMS = "(?:{0}(?:,{0})*)?".format(_DIM)
_ARG = rf"\({_CORE_DIMS}\)"
_ARGS = "{0}(?:,{0})*".format(_ARG)
_SIGNATURE = "^{0}->{0}$".format(_ARGS)


def _parse_signature(signature):
    """``"(m,n),(n)->(m)"`` -> ([("m", "n"), ("n",)], [("m",)])."""
    if not re.match(_SIGNATURE, signature):
        raise ValueError(f"not a valid gufunc signature: {signature}")
    return tuple([tuple(re.findall(_DIM, arg)) for arg in re.findall(_ARG, part)]
                 for part in signature.split("->"))


def _update_dim_sizes(sizes, shape, core_dims, context, *, is_input):
    n = len(core_dims)
    if is_input and len(shape) < n:
        raise ValueError(f"input with shape {shape!r} does not have enough dimensions for all "
                         f"core dimensions {core_dims!r} {context}")
    if not is_input and len(shape) != n:
        raise ValueError(f"output shape {shape!r} does not match core dimensions "
                         f"{core_dims!r} {context}")
    for dim, size in zip(core_dims, shape[len(shape) - n:] if n else ()):
        if sizes.setdefault(dim, size) != size:
            raise ValueError(f"inconsistent size for core dimension {dim!r}: {size!r} vs "
                             f"{sizes[dim]!r} {context}")


def _check_output_dims(func, sizes, out_core_dims, context):
    def checked(*args):
        out = func(*args)
        shapes = [np.shape(o) for o in (out if isinstance(out, tuple) else [out])]
        if len(out_core_dims) > 1 and not isinstance(out, tuple):
            raise TypeError(f"output must be a tuple when multiple outputs are expected, got: "
                            f"{out!r}\n{context}")
        if len(shapes) != len(out_core_dims):
            raise TypeError(f"wrong number of output arguments: expected {len(out_core_dims)!r}, "
                            f"got {len(shapes)!r} {context}")
        seen = dict(sizes)
        for shape, dims in zip(shapes, out_core_dims):
            _update_dim_sizes(seen, shape, dims, context, is_input=False)
        return out
    return checked


def _apply_excluded(func, excluded, args, kwargs):
    """Bind the excluded positional/keyword arguments; return the rest."""
    if not excluded:
        return func, args, kwargs
    dynamic = [a for i, a in enumerate(args) if i not in excluded]
    dynamic_kw = {k: v for k, v in kwargs.items() if k not in excluded}
    static = [(i, args[i]) for i in sorted(e for e in excluded if isinstance(e, int))
              if i < len(args)]
    static_kw = {k: v for k, v in kwargs.items() if k in excluded}

    def bound(*args, **kwargs):
        args = list(args)
        for i, a in static:
            args.insert(i, a)
        return func(*args, **kwargs, **static_kw)
    return bound, dynamic, dynamic_kw


def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """Vectorize ``pyfunc`` over the broadcast leading dimensions of its arguments, with
    ``vmap`` (``numpy.vectorize``'s interface, JAX's semantics).

    Args:
      pyfunc: a function of arrays.
      excluded: positions or names of arguments passed through unvectorized.
      signature: a gufunc signature such as ``"(n),(n)->()"`` naming the core
        dimensions ``pyfunc`` sees; without one, ``pyfunc`` sees scalars.

    >>> jnp.vectorize(jnp.dot, signature="(n),(n)->()")(jnp.ones((4, 3)), jnp.ones(3))
    Array([3., 3., 3., 3.], dtype=float32)
    """
    if any(not isinstance(e, (str, int)) for e in excluded):
        raise TypeError(f"jax.numpy.vectorize can only exclude integer or string arguments, "
                        f"but excluded={excluded!r}")
    if any(isinstance(e, int) and e < 0 for e in excluded):
        raise ValueError(f"excluded={excluded!r} contains negative numbers")

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        context = f"on vectorized function with excluded={excluded!r} and " \
                  f"signature={signature!r}"
        func, args, kwargs = _apply_excluded(pyfunc, excluded, args, kwargs)
        if signature is not None:
            in_core, out_core = _parse_signature(signature)
        else:
            in_core, out_core = [()] * len(args), None
        none_args = {i for i, a in enumerate(args) if a is None}
        if none_args:
            if any(in_core[i] != () for i in none_args):
                raise ValueError(f"Cannot pass None at locations {none_args} with "
                                 f"signature={signature!r}")
            func, args, _ = _apply_excluded(func, none_args, args, {})
            in_core = [d for i, d in enumerate(in_core) if i not in none_args]
        args = tuple(jnp.asarray(a) for a in args)
        if len(args) != len(in_core):
            raise TypeError(f"wrong number of positional arguments: expected {len(in_core)!r}, "
                            f"got {len(args)!r} {context}")
        sizes, shapes = {}, []
        for arg, dims in zip(args, in_core):
            _update_dim_sizes(sizes, arg.shape, dims, context, is_input=True)
            shapes.append(arg.shape[:arg.ndim - len(dims)])
        shape = broadcast_shapes(*shapes, fun_name="jnp.vectorize")
        if out_core is not None:
            func = _check_output_dims(func, sizes, out_core, context)
        squeezed, rev_shapes = [], []
        for arg, dims in zip(args, in_core):
            noncore = arg.shape[:arg.ndim - len(dims)]
            rev_shapes.append(((len(shape) - len(noncore)) * (1,) + noncore)[::-1])
            squeezed.append(jnp.squeeze(arg, axis=tuple(i for i, s in enumerate(noncore)
                                                         if s == 1)))
        batched, expand = func, []
        for negdim, axis_sizes in enumerate(zip(*rev_shapes)):
            in_axes = tuple(None if s == 1 else 0 for s in axis_sizes)
            if all(a is None for a in in_axes):
                expand.append(len(shape) - 1 - negdim)
            else:
                batched = vmap(batched, in_axes)
        result = batched(*squeezed)
        if not expand:
            return result
        if isinstance(result, tuple):
            return tuple(jnp.expand_dims(r, axis=expand) for r in result)
        return jnp.expand_dims(result, axis=expand)
    return wrapped


# --- apply_along_axis, apply_over_axes --------------------------------------------

def apply_along_axis(func1d, axis, arr, *args, **kwargs):
    """``func1d`` applied to every 1-D slice of ``arr`` along ``axis`` (one ``vmap`` per
    other axis); its outputs take the place of that axis."""
    check_arraylike("apply_along_axis", arr)
    ndim = np.ndim(arr)
    axis = canonicalize_axis(axis, ndim, "jnp.apply_along_axis")
    func = lambda a: func1d(a, *args, **kwargs)  # noqa: E731
    for i in range(1, ndim - axis):
        func = vmap(func, in_axes=i, out_axes=-1)
    for _ in range(axis):
        func = vmap(func, in_axes=0, out_axes=0)
    return func(arr)


def apply_over_axes(func, a, axes):
    """``a = func(a, axis)`` for each axis in turn; a result one rank lower gets the axis
    back with size 1 (``apply_over_axes(jnp.sum, x, [0, 2])``)."""
    check_arraylike("apply_over_axes", a)
    a = jnp.asarray(a)
    for axis in axes:
        b = func(a, axis)
        if b.ndim == a.ndim:
            a = b
        elif b.ndim == a.ndim - 1:
            a = jnp.expand_dims(b, axis)
        else:
            raise ValueError("function is not returning an array of the correct shape")
    return a


# --- piecewise ----------------------------------------------------------------------

def piecewise(x, condlist, funclist, *args, **kw):
    """Evaluate a piecewise function of ``x``: where ``condlist[i]`` holds (the first that
    does), ``funclist[i]`` (a function of ``x``, or a constant); elsewhere the extra last
    entry of ``funclist`` if given, else 0. The result has ``x``'s dtype."""
    check_arraylike("piecewise", x)
    x = jnp.asarray(x)
    nc, nf = len(condlist), len(funclist)
    if nf == nc + 1:
        funclist = list(funclist[-1:]) + list(funclist[:-1])
    elif nf == nc:
        funclist = [0] + list(funclist)
    else:
        raise ValueError(f"with {nc} condition(s), either {nc} or {nc + 1} functions are "
                         f"expected; got {nf}")
    conds = jnp.asarray(condlist, dtype=bool)
    indices = jnp.argmax(jnp.cumsum(jnp.concatenate([jnp.zeros_like(conds[:1]), conds], 0),
                                    0), 0)
    dtype = x.dtype

    def branch(f):
        if callable(f):
            return lambda v: jnp.asarray(f(v, *args, **kw)).astype(dtype)
        return lambda v: jnp.array(f, dtype=dtype)
    branches = [branch(f) for f in funclist]
    return vectorize(lax.switch, excluded=(1,))(indices, branches, x)


# --- frompyfunc, ufunc --------------------------------------------------------------

class ufunc:
    """A universal function made from a scalar function (JAX's ``jnp.ufunc``).

    ``ufunc(func, nin, nout, name=..., nargs=..., identity=...)``; calls broadcast
    and vectorize ``func``; ``outer``, ``reduce``, ``accumulate`` and ``at`` loop
    with ``lax`` control flow (binary ufuncs with one output).
    """

    def __init__(self, func, /, nin, nout, *, name=None, nargs=None, identity=None,
                 call=None, reduce=None, accumulate=None, at=None, reduceat=None):
        self.__doc__ = getattr(func, "__doc__", None)
        self.__name__ = name or getattr(func, "__name__", "<ufunc>")
        self._func = func
        self.nin = operator.index(nin)
        self.nout = operator.index(nout)
        self.nargs = self.nin if nargs is None else operator.index(nargs)
        self.identity = identity
        self._call = call or vectorize(func)

    def __repr__(self):
        return f"<jnp.ufunc '{self.__name__}'>"

    def __call__(self, *args, out=None, where=None):
        if out is not None:
            raise NotImplementedError(f"out argument of {self}")
        if where is not None:
            raise NotImplementedError(f"where argument of {self}")
        check_arraylike(self.__name__, *args)
        return self._call(*args)

    def _binary(self, method):
        if self.nin != 2:
            raise ValueError(f"{method} only supported for binary ufuncs")
        if self.nout != 1:
            raise ValueError(f"{method} only supported for functions returning a single value")

    def outer(self, A, B, /):
        """``self(A[..., None...], B)``: every pair of elements."""
        self._binary("outer")
        check_arraylike(f"{self.__name__}.outer", A, B)
        A, B = jnp.asarray(A), jnp.asarray(B)
        return self(A.reshape(A.shape + (1,) * B.ndim), B)

    def reduce(self, a, axis=0, dtype=None, out=None, keepdims=False, initial=None,
               where=None):
        """Fold the function over ``axis`` (``None``: all axes), left to right."""
        self._binary("reduce")
        if out is not None:
            raise NotImplementedError(f"out argument of {self}.reduce()")
        if where is not None:
            raise NotImplementedError(f"where argument of {self}.reduce()")
        check_arraylike(f"{self.__name__}.reduce", a)
        a = jnp.asarray(a, dtype=dtype)
        if axis is None or a.ndim == 0:
            flat = jnp.ravel(a)
            result = self._fold(flat, initial)
            return jnp.reshape(result, (1,) * a.ndim) if keepdims else result
        if isinstance(axis, tuple):
            axes = sorted((canonicalize_axis(ax, a.ndim) for ax in axis), reverse=True)
            for ax in axes:
                a = self.reduce(a, ax, keepdims=True, initial=initial)
            return a if keepdims else jnp.squeeze(a, tuple(axes))
        axis = canonicalize_axis(axis, a.ndim, f"{self.__name__}.reduce")
        result = self._fold(jnp.moveaxis(a, axis, 0), initial)
        return jnp.expand_dims(result, axis) if keepdims else result

    def _fold(self, v, initial):
        n = v.shape[0]
        if initial is None:
            if n == 0:
                if self.identity is None:
                    raise ValueError("zero-size array to reduction operation "
                                     f"{self.__name__} which has no identity")
                return jnp.full(v.shape[1:], self.identity, dtype=v.dtype)
            start, rest = v[0], v[1:]
        else:
            start, rest = jnp.full(v.shape[1:], initial, dtype=v.dtype), v
        body = lambda i, acc: self._call(acc, rest[i]).astype(v.dtype)  # noqa: E731
        return lax.fori_loop(0, rest.shape[0], body, start)

    def accumulate(self, a, axis=0, dtype=None, out=None):
        """The running fold along ``axis``: ``out[i] = f(out[i-1], a[i])``."""
        self._binary("accumulate")
        if out is not None:
            raise NotImplementedError(f"out argument of {self}.accumulate()")
        check_arraylike(f"{self.__name__}.accumulate", a)
        a = jnp.asarray(a, dtype=dtype)
        axis = canonicalize_axis(axis, a.ndim, f"{self.__name__}.accumulate")
        moved = jnp.moveaxis(a, axis, 0)
        if moved.shape[0] == 0:
            return a

        def step(acc, x):
            acc = self._call(acc, x).astype(a.dtype)
            return acc, acc
        _, rest = lax.scan(step, moved[0], moved[1:])
        return jnp.moveaxis(jnp.concatenate([moved[:1], rest], 0), 0, axis)

    def at(self, a, indices, b=None, /, *, inplace=True):
        """A copy of ``a`` with ``a[indices] = f(a[indices], b)`` applied one index at a
        time (repeated indices accumulate). Pass ``inplace=False``."""
        if inplace:
            raise NotImplementedError("jnp.ufunc.at does not support inplace=True, because "
                                      "JAX arrays are immutable. Pass inplace=False.")
        a = jnp.asarray(a)
        if b is None:
            if self.nin != 1:
                raise ValueError(f"{self.__name__}.at requires b for a binary ufunc")
        idx = jnp.asarray(indices) if not isinstance(indices, tuple) else \
            tuple(jnp.asarray(i) for i in indices)
        idx = idx if isinstance(idx, tuple) else (idx,)
        idx = jnp.broadcast_arrays(*idx)
        count = idx[0].size
        flat = [jnp.ravel(i) for i in idx]
        vals = None if b is None else jnp.ravel(jnp.broadcast_to(jnp.asarray(b),
                                                                 idx[0].shape))

        def body(k, arr):
            where = tuple(i[k] for i in flat)
            args = (arr[where],) if vals is None else (arr[where], vals[k])
            return arr.at[where].set(self._call(*args).astype(arr.dtype))
        return lax.fori_loop(0, count, body, a)


def frompyfunc(func, /, nin, nout, *, identity=None):
    """A ``jnp.ufunc`` from a function of scalars (``numpy.frompyfunc``); its results keep
    their dtypes (JAX's, not NumPy's object arrays)."""
    return ufunc(func, nin, nout, identity=identity)
