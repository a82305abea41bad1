"""``jax.api_util``: flattening a ``WrappedFun``'s arguments and results, debug info.

flax (``lazy_init``, ``nn.scan``) and numpyro (``eval_provenance``) build a
``linear_util.WrappedFun`` that takes flat leaves, trace it, and read the result's tree
afterwards; these are the transformations they use for that.
"""
import inspect

from .extend.linear_util import DebugInfo, transformation_with_aux2
from .tree_util import tree_flatten, tree_unflatten


def debug_info(traced_for, fun, args, kwargs, *, static_argnums=(), static_argnames=(),
               result_paths_thunk=None, sourceinfo=None, signature=None):
    """What ``fun`` was traced for, where it is defined, and its argument names."""
    try:
        code = inspect.unwrap(fun).__code__
        src = f"{getattr(fun, '__qualname__', fun)} at {code.co_filename}:{code.co_firstlineno}"
    except AttributeError:
        src = getattr(fun, "__name__", repr(fun))
    try:
        names = tuple(inspect.signature(fun).parameters)
    except (TypeError, ValueError):
        names = None
    return DebugInfo(traced_for, sourceinfo or src, names, None)


@transformation_with_aux2
def flatten_fun(f, store, in_tree, *args_flat):
    """``f(*args, **kwargs)`` taking the leaves of ``(args, kwargs)`` under ``in_tree``
    and returning its results' leaves; the results' tree goes to the store."""
    args, kwargs = tree_unflatten(in_tree, args_flat)
    leaves, out_tree = tree_flatten(f(*args, **kwargs))
    store.store(out_tree)
    return leaves


@transformation_with_aux2
def flatten_fun_nokwargs(f, store, in_tree, *args_flat):
    """``flatten_fun`` for a function of positional arguments only (``in_tree`` of a
    tuple of arguments)."""
    leaves, out_tree = tree_flatten(f(*tree_unflatten(in_tree, args_flat)))
    store.store(out_tree)
    return leaves
