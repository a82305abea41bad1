"""Printing jaxprs the way JAX does, plus an HTML form with source lines on hover.

    { lambda ; a:f32[3]. let
        b:f32[3] = sin a
        c:f32[] = reduce_sum[axes=(0,)] b
      in (c,) }
"""
import html
import re

import numpy as np

from .core import ClosedJaxpr, Jaxpr, Literal


class VarNames:
    """Names variables ``a, b, c, ...`` in order of first use, as ``print(jaxpr)`` does
    (the graph view shares one with ``pp_jaxpr`` to show the same names)."""

    def __init__(self):
        self.names = {}

    def __call__(self, var):
        if type(var) is Literal:
            return _literal(var)
        name = self.names.get(var)
        if name is None:
            name = self.names[var] = _letters(len(self.names))
        return name


def _letters(n):
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(ord("a") + r) + s
    return s


def _literal(lit):
    v = lit.val
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    text = repr(v.item() if hasattr(v, "item") else v)
    return text + (":" + lit.aval.str_short() if not lit.aval.weak_type else "")


def _param(value, names, indent):
    if isinstance(value, (ClosedJaxpr, Jaxpr)):
        jaxpr = value.jaxpr if isinstance(value, ClosedJaxpr) else value
        return "\n" + pp_jaxpr(jaxpr, indent + 4, names)
    if isinstance(value, tuple) and value and isinstance(value[0], (ClosedJaxpr, Jaxpr)):
        return "(" + ", ".join(_param(v, names, indent) for v in value) + ")"
    if isinstance(value, np.dtype):
        return value.name
    if callable(value) and hasattr(value, "__name__"):
        return value.__name__
    return repr(value) if not isinstance(value, str) else value


def pp_eqn(eqn, names=None, indent=0):
    names = names or VarNames()
    lhs = " ".join(f"{names(v)}:{v.aval.str_short()}" for v in eqn.outvars) or "_"
    params = ""
    if eqn.params:
        params = "[" + " ".join(f"{k}={_param(v, names, indent)}"
                                for k, v in eqn.params.items()) + "]"
    args = " ".join(names(v) for v in eqn.invars)
    return f"{lhs} = {eqn.primitive.name}{params} {args}".rstrip()


def pp_jaxpr(jaxpr, indent=0, names=None):
    names = names or VarNames()
    pad = " " * indent
    consts = " ".join(f"{names(v)}:{v.aval.str_short()}" for v in jaxpr.constvars)
    ins = " ".join(f"{names(v)}:{v.aval.str_short()}" for v in jaxpr.invars)
    lines = [f"{pad}{{ lambda {consts}; {ins}. let"]
    for eqn in jaxpr.eqns:
        lines.append(f"{pad}    " + pp_eqn(eqn, names, indent + 4))
    outs = ", ".join(names(v) for v in jaxpr.outvars)
    lines.append(f"{pad}  in ({outs}{',' if len(jaxpr.outvars) == 1 else ''}) }}")
    return "\n".join(lines)


_TYPE = re.compile(r":([a-z]+[0-9]*\[[0-9,]*\](?:\{weak\})?)")


def _typed_html(text):
    """Escape ``text`` and colour its ``:f32[3]`` type annotations."""
    return _TYPE.sub(r":<span class='gb-type'>\1</span>", html.escape(text))


def jaxpr_html(jaxpr):
    """The printed jaxpr as coloured HTML; hovering an equation shows its source line.

    Variables are named in the same order as the text form (constants, inputs,
    then equations), so the two agree.
    """
    names = VarNames()
    consts = _typed_html(" ".join(f"{names(v)}:{v.aval.str_short()}" for v in jaxpr.constvars))
    ins = _typed_html(" ".join(f"{names(v)}:{v.aval.str_short()}" for v in jaxpr.invars))
    rows = []
    for eqn in jaxpr.eqns:
        info = eqn.source_info
        where = html.escape(f"{info} {'/'.join(info.name_stack)}".strip() if info else "",
                            quote=True)
        text = _typed_html(pp_eqn(eqn, names))
        prim = html.escape(eqn.primitive.name)
        text = text.replace(f" = {prim}", f" = <span class='gb-prim'>{prim}</span>", 1)
        rows.append(f"<div class='gb-eqn' title=\"{where}\">    {text}</div>")
    outs = html.escape(", ".join(names(v) for v in jaxpr.outvars))
    style = ("<style>.gb-jaxpr{font-family:monospace;white-space:pre}"
             ".gb-prim{color:#0b5cad;font-weight:bold}.gb-type{color:#7a5d00}"
             ".gb-eqn:hover{background:#fff3c4}</style>")
    return (f"{style}<div class='gb-jaxpr'>{{ lambda {consts}; {ins}. let\n" + "".join(rows)
            + f"  in ({outs}{',' if len(jaxpr.outvars) == 1 else ''}) }}</div>")
