"""Tokens: ``create_token`` and ``after_all`` (XLA's token values, for ordering effects).

A token carries no data; XLA threads it between operations to order them. Its type is
``core.abstract_token`` (printed ``Tok`` in a jaxpr, ``!stablehlo.token`` in StableHLO)
and its value a ``core.Token``. As in JAX:

- eagerly, ``create_token()`` and ``after_all(t1, t2, ...)`` return ``Token`` objects;
- under ``jit`` they are ``stablehlo.create_token``/``stablehlo.after_all``, and a
  ``jit`` function may take tokens as arguments and return them (at the boundary a
  token travels as an empty bool buffer, as JAX passes it to XLA);
- they are not differentiable values: ``grad`` of a function that makes a token inside
  works (the token gets no tangent).

    >>> t = lax.create_token()
    >>> jax.make_jaxpr(lambda a: lax.after_all(a, lax.create_token()))(t)
    { lambda ; a:Tok. let b:Tok = create_token ; c:Tok = after_all a b in (c,) }
"""
import numpy as np

from ..array import device_put
from ..core import Primitive, Token, abstract_eval_rules, abstract_token, impl_rules
from ..interpreters.lowering import lowering_rules

__all__ = ["create_token", "create_token_p", "after_all", "after_all_p"]


def _new_token():
    # As JAX: a token value wraps an empty bool buffer (what XLA takes for a token).
    return Token(device_put(np.zeros((0,), np.bool_)))


# --- create_token ---------------------------------------------------------------

def create_token(_=None):
    """A new XLA token, with no preconditions, for sequencing effects. Experimental, as
    in JAX; the argument is ignored (kept for backward compatibility).

    Lowers to ``stablehlo.create_token`` (JAX's spelling of ``stablehlo.after_all``
    with no operands)."""
    return create_token_p.bind()


create_token_p = Primitive("create_token")


def _create_token_abstract_eval():
    return abstract_token


def _create_token_lowering(ctx):
    return ctx.op("stablehlo.create_token", [], abstract_token)


abstract_eval_rules[create_token_p] = _create_token_abstract_eval
impl_rules[create_token_p] = _new_token
lowering_rules[create_token_p] = _create_token_lowering


# --- after_all ------------------------------------------------------------------

def after_all(*operands):
    """A token that comes after every token in ``operands`` (XLA's AfterAll).
    Experimental, as in JAX. Lowers to ``stablehlo.after_all``.

    Raises ``TypeError`` ("Arguments to after_all must be tokens") for anything else."""
    return after_all_p.bind(*operands)


after_all_p = Primitive("after_all")


def _after_all_abstract_eval(*avals):
    if any(a is not abstract_token for a in avals):
        raise TypeError("Arguments to after_all must be tokens")
    return abstract_token


def _after_all_impl(*tokens):
    _after_all_abstract_eval(*(getattr(t, "aval", None) for t in tokens))
    return _new_token()


def _after_all_lowering(ctx, *tokens):
    return ctx.op("stablehlo.after_all", list(tokens), abstract_token)


abstract_eval_rules[after_all_p] = _after_all_abstract_eval
impl_rules[after_all_p] = _after_all_impl
lowering_rules[after_all_p] = _after_all_lowering
