"""StableHLO text with each line tagged by the source line of the equation that emitted it.

The lowering writes no locations, so the jaxpr is lowered again with
``lower_jaxpr``'s ``on_eqn`` hook, which reports the ops each equation's rule
emitted. The result is checked against the real lowering's text: if the two
ever differ, the text is shown untagged rather than wrongly tagged.
"""
from glassbox.interpreters import lowering

from ._source import line_key, short_source


def tagged_lines(closed, module_name, real_text):
    """``[(text, line key, primitive, short source)]`` for ``real_text``, the lowering of
    ``closed`` (a jit-hoisted jaxpr without consts); '' where nothing is known."""
    plain = [(line, "", "", "") for line in real_text.splitlines()]
    if closed.jaxpr.constvars or closed.consts:
        return plain
    none = ("", "", "")
    physical = [none]   # main's header, then each equation's ops (one may span lines)

    def on_eqn(eqn, emitted):
        tag = (line_key(eqn.source_info), eqn.primitive.name, short_source(eqn.source_info))
        physical.extend([tag] * sum(op.count("\n") + 1 for op in emitted))
    try:
        text = lowering.lower_jaxpr(closed, module_name, on_eqn=on_eqn)
    except Exception:   # a rule we cannot replay: show the real text untagged
        return plain
    if text != real_text:
        return plain
    physical += [none, none]   # func.return and the closing brace
    lines = text.splitlines()
    first = len(lines) - 1 - len(physical)   # main is the last function, then the module's "}"
    out = []
    for i, line in enumerate(lines):
        out.append((line,) + (physical[i - first] if 0 <= i - first < len(physical) else none))
    return out
