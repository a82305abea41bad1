"""``glassbox.typing``: static type annotations, as ``jax.typing``.

``ArrayLike`` is anything that converts to an array without a copy of a Python
container: a ``glassbox.Array`` (tracers included), a NumPy array, a NumPy scalar
or a Python ``bool``/``int``/``float``/``complex``; lists and strings are not.
``DTypeLike`` is anything that names a dtype: ``'float32'``, ``np.float32``,
``float``, ``np.dtype('int8')``, or an object with a ``dtype`` (``jnp.float32``).
Both are ``typing.Union``s, so ``isinstance(x, ArrayLike)`` works::

    def norm(x: ArrayLike) -> glassbox.Array:
        return jnp.sqrt(jnp.sum(jnp.asarray(x) ** 2))
"""
import typing
from typing import Any, Protocol, Union

import numpy as np

from .core import Array

__all__ = ["ArrayLike", "DTypeLike"]

DType = np.dtype


@typing.runtime_checkable
class SupportsDType(Protocol):
    @property
    def dtype(self, /) -> DType: ...


StaticScalar = Union[np.bool_, np.number, bool, int, float, complex]
ArrayLike = Union[Array, np.ndarray, StaticScalar]
DTypeLike = Union[str, type[Any], np.dtype, SupportsDType]
