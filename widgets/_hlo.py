"""StableHLO text with each line tagged by the source line of the equation that emitted it.

The lowering writes no locations, so this walks the jaxpr the way
``glassbox.lowering`` does, with the same rules and builders, and notes which
lines each equation's rule appended. The result is checked against the real
lowering's text: if the two ever differ (the lowering changed), the text is
shown untagged rather than wrongly tagged.
"""
from glassbox import lowering
from glassbox.core import Literal

from ._graph import line_key, short_source


def _emit_tagged(fb, jaxpr, args, tags):
    env = {}
    ctx0 = lowering.RuleContext(fb, [], [], "    ")
    for v, a in zip(jaxpr.invars, args):
        env[v] = a

    def read(atom):
        if type(atom) is Literal:
            return ctx0.constant(atom.val, atom.aval)
        return env[atom]
    for eqn in jaxpr.eqns:
        rule = lowering.lowering_rules[eqn.primitive]
        start = len(fb.lines)
        ctx = lowering.RuleContext(fb, [v.aval for v in eqn.invars],
                                   [v.aval for v in eqn.outvars], "    ")
        outs = rule(ctx, *map(read, eqn.invars), **eqn.params)
        outs = outs if eqn.primitive.multiple_results else [outs]
        for v, o in zip(eqn.outvars, outs):
            env[v] = o
        for i in range(start, len(fb.lines)):
            tags[i] = (line_key(eqn.source_info), eqn.primitive.name,
                       short_source(eqn.source_info))
    return [read(v) for v in jaxpr.outvars]


def tagged_lines(closed, module_name, real_text):
    """``[(text, line key, primitive, short source)]`` for ``real_text``, the lowering of
    ``closed`` (a jit-hoisted jaxpr without consts); '' where nothing is known."""
    plain = [(line, "", "", "") for line in real_text.splitlines()]
    jaxpr = closed.jaxpr
    if jaxpr.constvars or closed.consts:
        return plain
    try:
        module = lowering.ModuleBuilder(lowering._module_name(module_name))
        module.func_names.add("main")
        module.lowered_subs[id(jaxpr)] = "main"
        fb = lowering.FunctionBuilder(module)
        args = []
        for i, v in enumerate(jaxpr.invars):
            args.append(f"%arg{i}")
            fb.types[f"%arg{i}"] = lowering.tensor_type(v.aval)
        tags = {}
        outs = _emit_tagged(fb, jaxpr, args, tags)
        out_types = ", ".join(lowering.tensor_type(v.aval) for v in jaxpr.outvars)
        fb.lines.append(f'    "func.return"({", ".join(outs)}) : ({out_types}) -> ()')
        params = ", ".join(f"{a}: {fb.types[a]}" for a in args)
        head = f"  func.func public @main({params}) -> ({out_types}) {{"
        module.functions.append(head + "\n" + "\n".join(fb.lines) + "\n  }")
        text = module.text()
    except Exception:   # a rule we cannot replay: show the real text untagged
        return plain
    if text != real_text:
        return plain
    # One entry of fb.lines may span several text lines (ops with regions).
    none = ("", "", "")
    physical = [none]   # the function header
    for i, entry in enumerate(fb.lines):
        physical.extend([tags.get(i, none)] * (entry.count("\n") + 1))
    physical.append(none)   # the closing brace
    lines = text.splitlines()
    first = len(lines) - 1 - len(physical)   # main is the last function, then the module's "}"
    out = []
    for i, line in enumerate(lines):
        out.append((line,) + (physical[i - first] if 0 <= i - first < len(physical) else none))
    return out
