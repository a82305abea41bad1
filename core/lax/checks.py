"""Runtime checks: the ``check`` primitive that ``glassbox.experimental.checkify`` uses.

``check_p`` takes the flat leaves of an *error value* (``checkify.Error``: per kind of
error a bool "it happened", an int32 code saying which check fired first, and the
values its message needs) and raises on the host when one of them is set. It has no
results and is effectful (never pruned). As in JAX:

- eagerly it raises ``JaxRuntimeError`` with the error's message at once;
- under ``vmap`` the batch is reduced to one failing example, then checked;
- under ``jvp``/``grad`` it checks the primal values (tangents are not checked);
- staged into a program (``jit``, ``scan`` bodies...) it cannot be compiled: XLA has no
  way to raise, so lowering it fails with JAX's "Cannot abstractly evaluate a
  checkify.check which was not functionalized" unless ``checkify.checkify`` has
  *functionalized* it first (replaced it by error values returned as outputs);
- ``debug=True`` (``checkify.debug_check``) makes it a no-op outside ``checkify``.

Parameters: ``err_tree``, the pytree structure of the error value (its leaves are the
operands), and ``debug``. The error class lives a layer up (in ``checkify``); the rules
here only unflatten ``err_tree`` and call two of its methods: ``get_exception()`` (the
Python exception to raise, or None) and ``_reduced()`` (a batched error reduced to one
example, with the batch axis first on every leaf).

    >>> from glassbox.experimental import checkify
    >>> checkify.check(jnp.float32(-1.) > 0, "{} must be positive", jnp.float32(-1.))
    JaxRuntimeError: -1.0 must be positive (`check` failed)
"""
from .. import tree_util
from ..core import Primitive, abstract_eval_rules, effectful_primitives, impl_rules
from ..interpreters import ad, batching
from ..interpreters.lowering import lowering_rules

__all__ = ["check_p", "JaxRuntimeError", "functionalization_error_message"]


class JaxRuntimeError(ValueError):
    """A failed ``checkify.check`` (or an error value thrown with ``Error.throw()`` or
    ``checkify.check_error``). As in JAX's checkify, a ``ValueError``; not the same class
    as ``glassbox.errors.JaxRuntimeError`` (what XLA raises)."""


functionalization_error_message = (
    "Cannot abstractly evaluate a checkify.check which was not functionalized. This "
    "probably means you tried to stage (jit/scan/pmap/...) a `check` without "
    "functionalizing it through `checkify.checkify`.")


check_p = Primitive("check", multiple_results=True)   # zero results


def _check_abstract_eval(*avals, err_tree, debug):
    return []


def _check_impl(*args, err_tree, debug):
    if debug:   # a debug_check only fires when checkify discharges it
        return []
    exc = tree_util.tree_unflatten(err_tree, args).get_exception()
    if exc is not None:
        raise JaxRuntimeError(str(exc)) from exc
    return []


def _check_lowering(ctx, *args, err_tree, debug):
    if debug:
        return []
    raise ValueError(functionalization_error_message)


def _check_jvp(primals, tangents, *, err_tree, debug):
    """Check the primal values; tangents are not checked and there are no outputs."""
    check_p.bind(*primals, err_tree=err_tree, debug=debug)
    return [], []


def _check_batch(axis_data, args, dims, *, err_tree, debug):
    """Reduce the batched error to one failing example (JAX picks the last one), then
    check it: a check under ``vmap`` raises once, for one example."""
    args = [batching.bdim_at_front(a, d, axis_data.size) for a, d in zip(args, dims)]
    error = tree_util.tree_unflatten(err_tree, args)._reduced()
    leaves, tree = tree_util.tree_flatten(error)
    check_p.bind(*leaves, err_tree=tree, debug=debug)
    return [], []


abstract_eval_rules[check_p] = _check_abstract_eval
impl_rules[check_p] = _check_impl
lowering_rules[check_p] = _check_lowering
ad.jvp_rules[check_p] = _check_jvp
batching.batch_rules[check_p] = _check_batch
effectful_primitives.add(check_p)
