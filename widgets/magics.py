"""``%graph EXPR``: the graph view of an expression, as a function of the arrays it reads.

Loaded with the glassbox kernel (its extension calls ``load_ipython_extension``
here) or with ``%load_ext glassbox.widgets`` in any IPython::

    %graph loss(params, x, y)                       # traced, after grad, after vmap, StableHLO
    %graph --stages traced,hlo jnp.sin(x) * w

The expression becomes a function of the notebook arrays it reads (with
``glassbox.kernel.cells``, as ``%jaxpr`` does), and ``graph`` draws it.
"""
import itertools
import linecache

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_magic, magics_class

_STAGES = ("traced", "grad", "vmap", "hlo")
_counter = itertools.count(1)


def expression_function(source, namespace, name="graph"):
    """``(function of the arrays, their values)`` for a Python expression over ``namespace``."""
    from glassbox.core import Array
    from glassbox.kernel.cells import RESULT, is_array_tree, parse_expression
    filename = f"<%graph-{next(_counter)}>"
    text = f"# %graph\n{source}\n"
    # Registered like a cell, so the graph's hover shows the line's code.
    linecache.cache[filename] = (len(text), None, text.splitlines(True), filename)
    try:
        parsed = parse_expression(source, filename, name=name, first_line=2)
    except SyntaxError as err:
        raise UsageError(f"%graph {source!r} is not a Python expression: {err.msg}") from None
    params = tuple(n for n in parsed.reads if n in namespace)
    arrays = [n for n in params if is_array_tree(namespace[n])]
    rest = {n: namespace[n] for n in params if n not in arrays}
    fun = parsed.function(params, namespace)

    def expression(*values):
        out = fun(**dict(zip(arrays, values)), **rest)[RESULT]
        if callable(out) and not isinstance(out, Array):
            raise UsageError(f"%graph needs an expression that computes arrays, e.g. "
                             f"%graph {source}(x)")
        return out
    expression.__name__ = name
    return expression, [namespace[n] for n in arrays]


def _split_options(line):
    stages = _STAGES
    rest = line.strip()
    if rest.startswith("--stages"):
        option, _, rest = rest.partition(" ")
        value = option.partition("=")[2]
        if not value:
            value, _, rest = rest.strip().partition(" ")
        stages = tuple(s.strip() for s in value.split(",") if s.strip())
        unknown = [s for s in stages if s not in _STAGES]
        if unknown or not stages:
            raise UsageError(f"%graph: unknown stage(s) {unknown}; stages are {list(_STAGES)}")
    if not rest.strip():
        raise UsageError("%graph needs an expression, e.g. %graph loss(params, x)")
    return stages, rest.strip()


@magics_class
class GraphMagics(Magics):
    @line_magic
    def graph(self, line):
        """``%graph [--stages traced,grad,vmap,hlo] EXPR``: the graph view of ``EXPR``.

        Tabs: the traced program, after ``grad`` (scalar expressions), after ``vmap``
        (over a new leading axis of every array it reads) and the StableHLO.
        """
        from .graphview import graph
        stages, source = _split_options(line)
        fun, values = expression_function(source, self.shell.user_ns)
        return graph(fun, stages=stages, title=f"%graph {source}")(*values)


def load_ipython_extension(shell):
    """Register ``%graph`` (the glassbox kernel's extension calls this at start-up)."""
    shell.register_magics(GraphMagics)
