"""Operators and methods shared by concrete arrays and tracers.

Every operator is the matching ``glassbox.numpy`` function, so ``x + y`` on
an Array and on a tracer goes through exactly the same primitives. ``jnp`` is
filled in by ``glassbox/__init__.py`` once ``glassbox.numpy`` is importable.
"""
import operator

from .dtypes import PYTHON_SCALARS

jnp = None  # set by glassbox/__init__.py (avoids an import cycle)


def _ok(other):
    # Lists and tuples are not arrays in JAX: `x + [1, 2]` is a TypeError, as there.
    return hasattr(other, "aval") or type(other) in PYTHON_SCALARS or hasattr(other, "__array__")


def _binary(name, reflected=False):
    fn = None   # the jnp function, looked up on first use (jnp is set after this module)

    def method(self, other):
        nonlocal fn
        if not _ok(other):
            return NotImplemented
        if fn is None:
            fn = getattr(jnp, name)
        return fn(other, self) if reflected else fn(self, other)
    method.__name__ = f"__{'r' if reflected else ''}{name}__"
    return method


def _unary(name):
    def method(self):
        return getattr(jnp, name)(self)
    return method


class ArrayMethods:
    __slots__ = ()
    __array_priority__ = 100

    # arithmetic (reflected forms included)
    __add__, __radd__ = _binary("add"), _binary("add", True)
    __sub__, __rsub__ = _binary("subtract"), _binary("subtract", True)
    __mul__, __rmul__ = _binary("multiply"), _binary("multiply", True)
    __truediv__, __rtruediv__ = _binary("true_divide"), _binary("true_divide", True)
    __floordiv__, __rfloordiv__ = _binary("floor_divide"), _binary("floor_divide", True)
    __mod__, __rmod__ = _binary("remainder"), _binary("remainder", True)
    __divmod__, __rdivmod__ = _binary("divmod"), _binary("divmod", True)
    __pow__, __rpow__ = _binary("power"), _binary("power", True)
    __matmul__, __rmatmul__ = _binary("matmul"), _binary("matmul", True)
    __and__, __rand__ = _binary("bitwise_and"), _binary("bitwise_and", True)
    __or__, __ror__ = _binary("bitwise_or"), _binary("bitwise_or", True)
    __xor__, __rxor__ = _binary("bitwise_xor"), _binary("bitwise_xor", True)
    __lshift__, __rlshift__ = _binary("left_shift"), _binary("left_shift", True)
    __rshift__, __rrshift__ = _binary("right_shift"), _binary("right_shift", True)
    # comparisons
    __eq__, __ne__ = _binary("equal"), _binary("not_equal")
    __lt__, __le__ = _binary("less"), _binary("less_equal")
    __gt__, __ge__ = _binary("greater"), _binary("greater_equal")
    # unary
    __neg__, __pos__ = _unary("negative"), _unary("positive")
    __abs__, __invert__ = _unary("abs"), _unary("invert")

    def __hash__(self):
        raise TypeError("glassbox arrays are unhashable (as in JAX)")

    def __getitem__(self, index):
        return jnp.indexing.getitem(self, index)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d array")
        return (self[i] for i in range(self.shape[0]))

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of unsized object (a 0-d array)")
        return self.shape[0]

    def __setitem__(self, index, value):
        raise TypeError("glassbox arrays are immutable: `x[idx] = y` is not supported. "
                        "Use `x = x.at[idx].set(y)` instead (it returns a new array).")

    @property
    def at(self):
        """Functional updates: ``x.at[idx].set(y)``, ``.add``, ``.multiply``, ``.min``, ``.max``, ``.get``."""
        return jnp.indexing.IndexUpdateHelper(self)

    # shape and type
    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    ndim = property(lambda self: len(self.aval.shape))
    size = property(lambda self: self.aval.size)
    weak_type = property(lambda self: self.aval.weak_type)
    T = property(lambda self: jnp.transpose(self))
    mT = property(lambda self: jnp.swapaxes(self, -1, -2))
    real = property(lambda self: jnp.real(self))
    imag = property(lambda self: jnp.imag(self))
    nbytes = property(lambda self: self.aval.nbytes)
    itemsize = property(lambda self: self.aval.dtype.itemsize)

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not isinstance(shape[0], int) and shape[0] is not None:
            shape = shape[0]
        return jnp.reshape(self, shape, order=order)

    def astype(self, dtype):
        return jnp.astype(self, dtype)

    def transpose(self, *axes):
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = axes[0]
        return jnp.transpose(self, axes or None)

    def conj(self):
        return jnp.conjugate(self)

    conjugate = conj

    def swapaxes(self, a, b):
        return jnp.swapaxes(self, a, b)

    def squeeze(self, axis=None):
        return jnp.squeeze(self, axis)

    def flatten(self):
        return jnp.ravel(self)

    ravel = flatten

    def __round__(self, ndigits=None):
        return jnp.round(self, ndigits or 0)

    def round(self, decimals=0):
        return jnp.round(self, decimals)

    def clip(self, min=None, max=None):
        return jnp.clip(self, min, max)

    def dot(self, other, *, precision=None, preferred_element_type=None):
        return jnp.dot(self, other, precision=precision,
                       preferred_element_type=preferred_element_type)

    def copy(self):   # concrete arrays have their own (array.py); this is for tracers
        return jnp.array(self, copy=True)

    def take(self, indices, axis=None):
        return jnp.take(self, indices, axis=axis)

    def repeat(self, repeats, axis=None):
        return jnp.repeat(self, repeats, axis=axis)


def _reduction(name):
    def method(self, *args, **kwargs):
        return getattr(jnp, name)(self, *args, **kwargs)
    method.__name__ = name
    return method


for _name in ("sum", "mean", "max", "min", "prod", "argmax", "argmin", "all", "any", "std",
              "var", "cumsum", "cumprod", "sort", "argsort", "nonzero"):
    setattr(ArrayMethods, _name, _reduction(_name))

del _name, operator
