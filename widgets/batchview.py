"""Batching axes: where each vmap's batch axis sits in every value of a program.

    gbw.batching(predict, in_axes=(None, 0))(params, xs)
    gbw.batching(f, levels=[gbw.Level((0, None), "i"), gbw.Level((None, 0), "j")])(a, b)

Two tabs. **per example**: the program ``f`` traces to for one example, every
value labelled with its shape after batching, each vmap's axis marked by name
and colour (``f32[i:4,3]``: batched by ``i`` at dim 0) or left unbatched, each
equation marked when its batching rule moved a batch dim or broadcast an
unbatched operand, each input marked where its axis was introduced. **after
vmap**: the program ``vmap`` really produced, with the ``batch_move`` and
``batch_broadcast`` equations its rules added highlighted. Both are cross-linked
by source line.

Batch axes come from the batching module, never from tracer internals: the view
re-runs the per-example jaxpr under nested ``vmap`` and asks
``glassbox.interpreters.batching.batch_dims`` where each vmap holds every value it defines.
"""
import glassbox
from glassbox.core import Literal

from ._graph import DEFAULT_MAX_NODES, Annotations, Graph
from ._interp import Level, all_eqns, batch_axes, fun_name
from .graphview import GraphView, Stage, arg_labels

# One colour per nesting level (innermost first); nested vmaps read as distinct axes.
AXIS_COLOURS = ["#7c3aed", "#d97706", "#0d9488", "#db2777", "#2563eb"]
MOVED = ("gb-moved", "#ffedd5")
BROADCAST = ("gb-broadcast", "#ccfbf1")
BATCHED = ("gb-batched", "#f5f3ff")


def _axis_colour(levels):
    if not levels:
        return None
    if len(levels) == 1:
        return AXIS_COLOURS[levels[0] % len(AXIS_COLOURS)]
    return "#374151"   # batched by several vmaps: dark, the label says which


def _label(axes, var, names, sizes):
    parts = []
    for kind, value in axes.axes_of(var):
        parts.append(f"{names[value]}:{sizes[value]}" if kind == "axis" else str(value))
    return f"{glassbox.core.dtype_short_name(var.aval.dtype)}[{','.join(parts)}]"


def _eqn_marks(eqn, axes, n_levels, names):
    """Notes and a mark ('moved' / 'broadcast' / 'batched' / None) for one equation."""
    notes, mark = [], None
    operands = [v for v in eqn.invars if type(v) is not Literal]
    for k in range(n_levels):
        ins = [axes.dims.get(v, {}).get(k) for v in operands]
        outs = [axes.dims.get(v, {}).get(k) for v in eqn.outvars]
        batched_in = [d for d in ins if d is not None]
        if not batched_in and all(d is None for d in outs):
            continue
        mark = mark or "batched"
        name = names[k]
        notes.append(f"{name}: operand dims {tuple(ins)} -> result dims {tuple(outs)}")
        shapes = {v.aval.shape for v in operands}
        if batched_in and any(d is None for d in ins) and len(shapes) == 1 and \
                len(operands) > 1:
            notes.append(f"{name}: an unbatched operand was broadcast along the batch axis")
            mark = "broadcast" if mark != "moved" else mark
        out_dims = {d for d in outs if d is not None}
        if len(set(batched_in)) > 1 or (out_dims and not out_dims <= set(batched_in)):
            notes.append(f"{name}: the batch dim moved")
            mark = "moved"
    return notes, mark


class BatchingView(GraphView):
    """A ``GraphView`` with the per-example program annotated by batch axes, and the
    batched program. Python-side state: ``axes`` (a ``BatchAxes``: per-var dims)."""

    def __init__(self, fun, args, levels, title=None, max_nodes=None):
        self.fun, self.levels = fun, list(levels)
        self.axes = batch_axes(fun, args, self.levels)
        names = [lv["name"] for lv in self.axes.levels]
        sizes = [lv["size"] for lv in self.axes.levels]
        ann = Annotations()
        jaxpr = self.axes.jaxpr.jaxpr
        for var, dims in self.axes.dims.items():
            if type(var) is Literal:
                continue
            ann.var_label[var] = _label(self.axes, var, names, sizes)
            ann.var_class[var] = ((f"gb-axis-{'-'.join(map(str, sorted(dims)))}",
                                   _axis_colour(sorted(dims))) if dims else ("gb-unbatched", None))
        self.marks = {}
        for eqn in all_eqns(jaxpr):
            notes, mark = _eqn_marks(eqn, self.axes, len(names), names)
            self.marks[eqn] = mark
            if notes:
                ann.eqn_notes[eqn] = notes
            if mark:
                ann.eqn_class[eqn] = {"moved": MOVED, "broadcast": BROADCAST,
                                      "batched": BATCHED}[mark]
        labels = arg_labels(fun, args)
        in_labels = []
        leaf_dims = self.axes.in_dims
        for i, dims in enumerate(leaf_dims):
            intro = ", ".join(f"{names[k]} at dim {d}" for k, d in sorted(dims.items()))
            base = labels[i] if i < len(labels) else f"arg{i}"
            in_labels.append(base + (f" (vmap introduces {intro})" if intro else " (unbatched)"))
        per_example = Stage("example", "per example",
                            Graph(self.axes.jaxpr, arg_labels=in_labels, annotations=ann,
                                  max_nodes=max_nodes or DEFAULT_MAX_NODES),
                            note="one example's program; edges: shape after every vmap, "
                                 "batch axes by name")
        stages = [per_example,
                  self._after_vmap_stage(fun, args, labels, max_nodes or DEFAULT_MAX_NODES)]
        if max_nodes:
            for s in stages:
                s.max_nodes = max_nodes
        super().__init__(stages, title=title or f"batching axes of {fun_name(fun)}",
                         panels=self._panels(names, sizes), kind="batching")

    def _after_vmap_stage(self, fun, args, labels, max_nodes):
        wrapped = fun
        for lv in self.levels:
            wrapped = glassbox.vmap(wrapped, in_axes=lv.in_axes, out_axes=lv.out_axes,
                                    axis_name=lv.axis_name)
        try:
            closed = glassbox.make_jaxpr(wrapped)(*args)
        except Exception as err:
            return Stage("vmap", "after vmap", error=f"{type(err).__name__}: {err}")
        ann = Annotations()
        ann.ns_group["batch_move"] = ("batch_move", MOVED[0], MOVED[1])
        ann.ns_group["batch_broadcast"] = ("batch_broadcast", BROADCAST[0], BROADCAST[1])
        for eqn in all_eqns(closed.jaxpr):
            stack = eqn.source_info.name_stack if eqn.source_info else ()
            if "batch_move" in stack:
                ann.eqn_class[eqn] = MOVED
            elif "batch_broadcast" in stack:
                ann.eqn_class[eqn] = BROADCAST
        return Stage("vmap", "after vmap", Graph(closed, arg_labels=labels, annotations=ann,
                                                 max_nodes=max_nodes),
                     note="the program vmap produced; highlighted: equations its batching "
                          "rules added to move or broadcast batch dims")

    def _panels(self, names, sizes):
        items = [{"label": f"axis {n} (size {s}, vmap level {k}{', innermost' if k == 0 else ''})",
                  "colour": AXIS_COLOURS[k % len(AXIS_COLOURS)]}
                 for k, (n, s) in enumerate(zip(names, sizes))]
        items += [{"label": "batch dim moved", "colour": MOVED[1]},
                  {"label": "unbatched operand broadcast", "colour": BROADCAST[1]},
                  {"label": "batched equation", "colour": BATCHED[1]}]
        rows = []
        jaxpr = self.axes.jaxpr.jaxpr
        for var in list(jaxpr.invars) + [v for e in all_eqns(jaxpr) for v in e.outvars]:
            dims = self.axes.dims.get(var, {})
            where = ", ".join(f"{names[k]}@{d}" for k, d in sorted(dims.items())) or "unbatched"
            rows.append({"cells": [_label(self.axes, var, names, sizes), where,
                                   str(self.axes.final.get(var))], "bar": None})
        return [{"kind": "legend", "name": "legend", "title": "", "items": items},
                {"kind": "table", "name": "values", "title": "every value of the per-example "
                 "program", "columns": ["value (batched shape)", "batch axes", "shape"],
                 "rows": rows}]


def batching(fun, in_axes=0, axis_name=None, *, out_axes=0, levels=None, max_nodes=None):
    """``batching(f, in_axes)(*batched_args)``: a ``BatchingView`` of ``vmap(f, in_axes)``.

    Args:
      fun: the per-example function.
      in_axes: an int, None, or one int/None per positional argument (as in ``vmap``).
      axis_name: the vmap's axis name (shown on every batched value).
      levels: for nested vmaps, ``[Level(in_axes, axis_name), ...]`` innermost first:
        ``levels=[Level((0, None), "i"), Level((None, 0), "j")]`` views
        ``vmap(vmap(f, (0, None), axis_name="i"), (None, 0), axis_name="j")``.

    Example::

        gbw.batching(predict, in_axes=(None, 0), axis_name="batch")(params, xs)
    """
    if levels is None:
        levels = [Level(in_axes, axis_name, out_axes)]
    levels = [lv if isinstance(lv, Level) else Level(*lv) for lv in levels]

    def make(*args):
        return BatchingView(fun, args, levels, max_nodes=max_nodes)
    return make
