"""``jax.stages``: the stages a jitted function goes through, as types.

``jit(f).trace(x)`` is a ``Traced``, ``.lower()`` a ``Lowered``, ``.compile()`` a
``Compiled``; libraries (equinox, flax.nnx) name these classes in annotations and
``isinstance`` checks. They are ``glassbox.api``'s classes under JAX's names.
"""
from typing import Any

from .api import CompiledFunction as Compiled, Jitted as Wrapped, Lowered, Traced  # noqa: F401

CompilerOptions = dict[str, Any]   # what `Lowered.compile(compiler_options=...)` takes in JAX
