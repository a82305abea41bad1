"""``glassbox.ad_checkpoint``: checkpoint/remat and a way to see what reverse mode saves."""
from .interpreters import ad
from .core import get_aval
from .custom_derivatives import checkpoint, remat  # noqa: F401
from .tree_util import tree_flatten, tree_unflatten


def saved_residuals(f, *args):
    """What ``grad``/``vjp`` of ``f`` keeps from the forward pass for the backward pass.

    Returns a list of ``(aval, provenance)`` pairs, one per saved value (residual).
    """
    flat, in_tree = tree_flatten(args)

    def flat_f(*leaves):
        return tree_flatten(f(*tree_unflatten(in_tree, leaves)))[0]
    _, linear, _, _ = ad.linearize_flat(flat_f, flat)
    return [(get_aval(c).str_short(), "input" if any(c is a for a in flat) else "intermediate")
            for c in linear.consts]
