"""The graph view: a traced program as a graph, in stages (traced, grad, vmap, StableHLO).

    import glassbox.widgets as gbw
    gbw.graph(loss)(params, x)            # tabs: traced, after grad, after vmap, StableHLO
    gbw.graph_for_jaxpr(closed_jaxpr)     # one jaxpr (what %graph and %%jit --show graph use)

Equations are nodes (primitive name; hover or click for the source line, the
parameters, the name stack and the rule that produced it), values are edges
(shape and dtype). Sub-jaxprs and name-stack groups are boxes; clicking a box's
label collapses it to one node and clicking that node expands it again. Hovering
a node marks every node and StableHLO line that came from the same source line,
in every stage.

A program of more than ``max_nodes`` nodes starts collapsed into blocks of
consecutive equations (``_blocks.py``): the first layout shows at most
``max_nodes`` nodes, and opening a block lays out again what is then visible.
"""
import inspect
import pathlib
import time

import numpy as np
import traitlets

import glassbox
from glassbox.core import ClosedJaxpr
from glassbox.tree_util import keystr, tree_flatten_with_path, tree_map

from ._base import View
from ._graph import DEFAULT_MAX_NODES, Annotations, Graph
from ._hlo import tagged_lines
from ._render import LayoutTimeout, escape_html, html_table, text_block
from ._interp import fun_name

_HERE = pathlib.Path(__file__).parent


class Stage:
    """One tab: a graph of a jaxpr (``graph``), text (``lines``), or an error message."""

    def __init__(self, name, title, graph=None, lines=None, error=None, note=""):
        self.name, self.title = name, title
        self.graph, self.lines, self.error, self.note = graph, lines, error, note
        self.collapsed = None   # None: choose automatically at the first layout
        self.max_nodes = DEFAULT_MAX_NODES
        self.layout_seconds = 0.0
        self._rendered = None

    def render(self, uid):
        """The JSON-able dict the front end draws (cached until ``collapsed`` changes)."""
        if self._rendered is not None:
            return self._rendered
        out = {"name": self.name, "title": self.title, "note": self.note}
        if self.error is not None:
            out.update(kind="error", error=self.error)
        elif self.graph is not None:
            start = time.perf_counter()
            try:
                svg, nodes, collapsed = self.graph.layout(self.collapsed, f"{uid}-{self.name}",
                                                          self.max_nodes)
            except LayoutTimeout as err:   # the groups opened by hand were too many: fold
                svg, nodes, collapsed = self.graph.layout(None, f"{uid}-{self.name}",
                                                          max(20, self.max_nodes // 3))
                out["note"] = (self.note + " · " if self.note else "") + str(err)
            self.collapsed = collapsed
            self.layout_seconds = time.perf_counter() - start
            folded = self.graph.effective_collapsed(collapsed)
            out.update(kind="graph", svg=svg, nodes=nodes, collapsed=sorted(collapsed),
                       equations=self.graph.eqn_count,
                       shown=sum(1 for n in nodes.values() if n["kind"] != "cluster"),
                       folded=len(folded), large=self.graph.large,
                       layout_ms=round(self.layout_seconds * 1000, 1))
        else:
            out.update(kind="text", lines=[{"text": t, "key": k, "prim": p, "source": src}
                                           for t, k, p, src in self.lines or ()])
        self._rendered = out
        return out

    def toggle(self, group):
        if self.graph is None or group not in self.graph.groups:
            return False
        collapsed = set(self.collapsed or ())
        if group in collapsed:
            collapsed = self.graph.expanded(collapsed, group)
        else:
            collapsed.add(group)
        self.collapsed = collapsed
        self._rendered = None
        return True

    def set_collapsed(self, groups):
        self.collapsed = set(groups)
        self._rendered = None

    def static_section(self, uid):
        data = self.render(uid)
        heading = self.title + (f" ({data['equations']} equations)" if "equations" in data else "")
        if data.get("folded"):
            heading += (f"; {data['folded']} groups collapsed, {data['shown']} nodes shown "
                        f"(run the notebook to open them)")
        if data["kind"] == "error":
            return heading, f"<pre style='color:#cf222e'>{escape_html(data['error'])}</pre>"
        if data["kind"] == "graph":
            return heading, data["svg"]
        return heading, text_block([line["text"] for line in data["lines"]])


class GraphView(View):
    """Stages of a program as tabs of graphs (and text), with hover/click details.

    Traits (synced with the front end):
      stages: list of dicts, one per tab: name, title, kind ('graph', 'text', 'error'),
        svg and nodes (id -> details) for graphs, lines for text.
      stage: the name of the tab shown.
      panels: extra tables/legends under the graph (gradient norms, batch axes...).
      selected: details of the node last clicked (``{}`` when none).

    Front-end messages: ``{"type": "toggle", "stage": name, "group": id}`` collapses or
    expands a group; ``{"type": "collapse", "stage": name, "groups": [...]}`` sets them all.
    """

    _esm = _HERE / "graphview.js"

    kind = traitlets.Unicode("graph").tag(sync=True)   # which view: graph, gradflow, batching
    stages = traitlets.List(traitlets.Dict()).tag(sync=True)
    stage = traitlets.Unicode("").tag(sync=True)
    panels = traitlets.List(traitlets.Dict()).tag(sync=True)
    selected = traitlets.Dict().tag(sync=True)

    def __init__(self, stages, title="", panels=(), **kwargs):
        super().__init__(title=title, **kwargs)
        self._stages = list(stages)
        self.panels = list(panels)
        self.refresh()
        if self._stages and not self.stage:
            self.stage = self._stages[0].name
        self.on_msg(self._on_msg)

    # --- state
    def refresh(self):
        """Re-send every stage (after a stage's graph or collapsed groups changed)."""
        self.stages = [s.render(self.uid) for s in self._stages]

    def stage_named(self, name):
        for s in self._stages:
            if s.name == name:
                return s
        raise KeyError(f"no stage named {name!r}; stages: {[s.name for s in self._stages]}")

    def toggle(self, stage, group):
        """Collapse ``group`` of ``stage`` (or expand it if collapsed) and re-draw."""
        if self.stage_named(stage).toggle(group):
            self.refresh()

    def _on_msg(self, _widget, content, _buffers):
        if not isinstance(content, dict):
            return
        kind = content.get("type")
        try:
            if kind == "toggle":
                self.toggle(str(content.get("stage")), str(content.get("group")))
            elif kind == "collapse":
                groups = [str(g) for g in content.get("groups", [])]
                self.stage_named(str(content.get("stage"))).set_collapsed(groups)
                self.refresh()
        except KeyError:
            pass   # a message about a stage this view no longer has

    @property
    def layout_seconds(self):
        """Seconds each graph stage took to lay out (graphviz included), by stage name."""
        return {s.name: s.layout_seconds for s in self._stages if s.graph is not None}

    def static_sections(self):
        sections = [s.static_section(self.uid) for s in self._stages]
        for panel in self.panels:
            sections.append(_static_panel(panel))
        return sections


def _static_panel(panel):
    if panel.get("kind") == "table":
        return panel.get("title", ""), html_table(panel["columns"], panel["rows"],
                                                   panel.get("bar_column"))
    if panel.get("kind") == "legend":
        items = "".join(
            f"<span style='display:inline-block;margin-right:12px'><span style='display:inline-"
            f"block;width:10px;height:10px;background:{escape_html(item.get('colour', '#fff'))};"
            f"border:1px solid #888;margin-right:4px'></span>{escape_html(item['label'])}</span>"
            for item in panel["items"])
        return panel.get("title", ""), f"<div>{items}</div>"
    return panel.get("title", ""), f"<pre>{escape_html(panel.get('text', ''))}</pre>"


# ---------------------------------------------------------------------------
# Entry points


def graph_for_jaxpr(jaxpr, *, title=None, hlo_text=None, hlo_jaxpr=None, arg_labels=None,
                    name="traced", max_nodes=DEFAULT_MAX_NODES):
    """A ``GraphView`` of one jaxpr: what the kernel's ``%graph`` and
    ``%%jit --show graph`` magics call.

    Args:
      jaxpr: a ``ClosedJaxpr`` (or ``Jaxpr``), e.g. from ``make_jaxpr(f)(*args)`` or
        ``jit(f).trace(*args).jaxpr``.
      title: the view's title (default: the jaxpr's name).
      hlo_text: StableHLO text to show as a second tab (e.g. ``jit(f).lower(*args)
        .as_text()``); with ``hlo_jaxpr`` (the jaxpr it was lowered from, as
        ``jit(f).trace(*args).jaxpr``) its lines are tagged with source lines.
      arg_labels: a label per input (e.g. pytree paths).
      max_nodes: a graph of more nodes starts collapsed into blocks of consecutive
        equations, showing at most this many (click a block to open it).

    Returns:
      A ``GraphView`` (display it, or read ``.stages`` / ``.static_html()``).
    """
    closed = jaxpr if isinstance(jaxpr, ClosedJaxpr) else ClosedJaxpr(jaxpr, [])
    name_of = closed.jaxpr.name or "jaxpr"
    stages = [Stage(name, "traced program",
                    Graph(closed, arg_labels=arg_labels, max_nodes=max_nodes))]
    stages[0].max_nodes = max_nodes
    if hlo_text is not None:
        stages.append(_hlo_stage(hlo_text, hlo_jaxpr, f"jit_{name_of}"))
    return GraphView(stages, title=title or f"graph of {name_of}")


# The failing equation: Okabe-Ito vermillion, light enough for black text; the ✖ mark
# says it without colour.
FAILING_FILL = "#f6c8a8"


def graph_of_failure(partial, max_nodes=DEFAULT_MAX_NODES):
    """A ``GraphView`` of what was traced before an error (``error.glassbox_partial``, a
    ``glassbox.errors.PartialTrace``): the failing equation marked ✖ and filled, the
    error message in a panel beside the graph. The kernel shows it above a traceback."""
    stage = _failure_stage(partial, max_nodes)
    name = partial.jaxpr.jaxpr.name or "the function"
    return GraphView([stage], title=f"where {name} failed",
                     panels=[{"kind": "text", "name": "error", "title": "error",
                              "text": f"{partial.message}\n\n({stage.note})"}])


def _failure_stage(partial, max_nodes):
    ann = Annotations()
    failing = partial.failing
    if failing is not None:
        ann.eqn_class[failing] = ("gb-failing", FAILING_FILL)
        ann.eqn_mark[failing] = "✖ "
        ann.eqn_notes[failing] = [partial.message]
    eqns = partial.jaxpr.jaxpr.eqns
    where = f" at {failing.source_info.short}" if failing is not None and failing.source_info \
        else ""
    before = len(eqns) - (1 if failing is not None and failing in eqns[-1:] else 0)
    note = (f"{before} equation{'s' if before != 1 else ''} traced before the error; "
            f"✖ marks where it failed{where}")
    stage = Stage("traced", "what was traced", Graph(partial.jaxpr, annotations=ann,
                                                    max_nodes=max_nodes), note=note)
    stage.max_nodes = max_nodes
    return stage


def _hlo_stage(text, jaxpr, module_name):
    if jaxpr is not None:
        lines = tagged_lines(jaxpr, module_name, text)
    else:
        lines = [(line, "", "", "") for line in text.splitlines()]
    return Stage("hlo", "StableHLO", lines=lines)


def positional_names(fun, n):
    """Names of ``fun``'s first ``n`` positional parameters (``arg{i}`` where unknown)."""
    try:
        params = [p.name for p in inspect.signature(fun).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"arg{i}" for i in range(n)]


def arg_labels(fun, args):
    """A readable label per leaf of ``args``: ``x``, ``params['w1']``, ``batch[0]``."""
    names = positional_names(fun, len(args))
    return [names[path[0].idx] + keystr(path[1:])
            for path, _ in tree_flatten_with_path(tuple(args))[0]]


def _stage(name, title, build):
    try:
        return build()
    except Exception as err:   # a missing rule, a non-scalar loss: say so in that tab
        partial = getattr(err, "glassbox_partial", None)
        if partial is None:
            return Stage(name, title, error=f"{type(err).__name__}: {err}")
        stage = _failure_stage(partial, DEFAULT_MAX_NODES)   # what traced, failing marked
        stage.name, stage.title = name, f"{title}: failed"
        stage.note = f"{partial.message}\n({stage.note})"
        return stage


def _traced_stage(f, args, labels, max_nodes):
    closed = glassbox.make_jaxpr(f)(*args)
    return Stage("traced", "traced",
                 Graph(closed, arg_labels=labels, title="traced", max_nodes=max_nodes),
                 note=f"make_jaxpr({fun_name(f)})")


def _grad_stage(f, args, labels, argnums, max_nodes):
    closed = glassbox.make_jaxpr(glassbox.grad(f, argnums=argnums))(*args)
    return Stage("grad", "after grad", Graph(closed, arg_labels=labels, max_nodes=max_nodes),
                 note=f"make_jaxpr(grad({fun_name(f)}, argnums={argnums!r}))")


def _vmap_stage(f, args, labels, batch_size, max_nodes):
    batched = tree_map(lambda x: np.broadcast_to(np.asarray(x)[None],
                                                 (batch_size,) + np.shape(x)), list(args))
    closed = glassbox.make_jaxpr(glassbox.vmap(f))(*batched)
    return Stage("vmap", "after vmap", Graph(closed, arg_labels=labels, max_nodes=max_nodes),
                 note=f"make_jaxpr(vmap({fun_name(f)})) over a new leading axis of size "
                      f"{batch_size} on every argument")


def _hlo_stage_of(f, args):
    traced = glassbox.jit(f).trace(*args)
    text = traced.lower().as_text()
    return _hlo_stage(text, traced.jaxpr, f"jit_{fun_name(f)}")


STAGES = ("traced", "grad", "vmap", "hlo")   # the tabs graph() can draw, in order


def graph(f, *, stages=STAGES, argnums=0, batch_size=2,
          max_nodes=DEFAULT_MAX_NODES, title=None):
    """``graph(f)(*args)``: a ``GraphView`` of ``f`` at ``args``, one tab per stage.

    Args:
      f: a function of arrays (pytrees of arrays).
      stages: which tabs: ``"traced"`` (the jaxpr of ``f``), ``"grad"`` (of
        ``grad(f, argnums)``; needs a scalar float output), ``"vmap"`` (of ``vmap(f)``
        over a new leading axis of size ``batch_size`` on every argument) and
        ``"hlo"`` (the StableHLO ``jit(f)`` compiles). A stage that cannot be built
        (a missing rule, a non-scalar output) shows the error in its tab.
      max_nodes: above this many nodes, groups start collapsed (click to expand); a
        program of more nodes is regrouped into blocks of consecutive equations.
      title: the view's title (default: "graph of <f's name>").

    Example::

        gbw.graph(loss)(params, x)
    """
    def make(*args):
        labels = arg_labels(f, args)
        builders = {
            "traced": ("traced", lambda: _traced_stage(f, args, labels, max_nodes)),
            "grad": ("after grad", lambda: _grad_stage(f, args, labels, argnums, max_nodes)),
            "vmap": ("after vmap", lambda: _vmap_stage(f, args, labels, batch_size, max_nodes)),
            "hlo": ("StableHLO", lambda: _hlo_stage_of(f, args)),
        }
        made = []
        for name in stages:
            if name not in builders:
                raise ValueError(f"graph: unknown stage {name!r}; stages are "
                                 f"{list(builders)}")
            stage_title, build = builders[name]
            stage = _stage(name, stage_title, build)
            stage.max_nodes = max_nodes
            made.append(stage)
        panels = []
        from . import shardview   # imports this module: the view it adds to
        if shardview.is_partitioned(args):   # over several devices: where values live
            stage, panels = shardview.partitioned_parts(f, args, max_nodes)
            made.append(stage)
        return GraphView(made, title=title or f"graph of {fun_name(f)}", panels=panels)
    return make

