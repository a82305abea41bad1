"""Gradient flow: the forward and backward halves of grad's program, with real cotangents.

    view = gbw.grad_flow(loss)(params, x, y)
    view.bind(slider, lambda s: (params, x * s, y))   # re-runs, updates the picture

The program is ``make_jaxpr(value_and_grad(loss))``: equations whose name stack
holds ``transpose`` are the backward pass (cotangents), the rest the forward
pass. A recording interpreter evaluates that jaxpr at the given inputs and
returns the norm of every value; it is jitted, so moving a slider re-runs one
compiled executable (watch the compile-cache panel: hits). Backward edges show
their cotangent's norm; norms below ``vanishing`` or above ``exploding`` (or
not finite) are flagged, and a table lists each parameter's gradient norm.
"""
import math

import numpy as np

import glassbox
from glassbox.tree_util import keystr, tree_flatten, tree_flatten_with_path

from ._graph import DEFAULT_MAX_NODES, Annotations, Graph, is_backward
from ._interp import all_eqns, fun_name, is_call, norms_function, watchable
from .graphview import GraphView, Stage, arg_labels, positional_names

FORWARD = ("forward pass", "gb-forward", "#f8fafc")
BACKWARD = ("backward pass (transpose: cotangents)", "gb-backward", "#faf5ff")
COLOURS = {"backward": "#7c3aed", "vanishing": "#56B4E9", "exploding": "#E69F00",
           "nonfinite": "#D55E00"}   # Okabe-Ito: told apart without red-green vision


def _defined_vars(jaxpr, backward_only, inside_backward=False):
    """Vars defined by equations (inlining call-like bodies), in program order."""
    out = []
    for eqn in jaxpr.eqns:
        back = inside_backward or is_backward(eqn)
        if is_call(eqn):
            out.extend(_defined_vars(next(glassbox.core.subjaxprs(eqn)), backward_only, back))
        for v in eqn.outvars:
            if watchable(v) and (back or not backward_only):
                out.append((v, back))
    return out


def flag_of(norm, vanishing, exploding):
    """'nonfinite', 'exploding', 'vanishing' or None for a norm."""
    if not math.isfinite(norm):
        return "nonfinite"
    if norm > exploding:
        return "exploding"
    if norm < vanishing:
        return "vanishing"
    return None


def _fmt(x):
    return f"{x:.3g}" if math.isfinite(x) else str(x)


class GradFlowView(GraphView):
    """A ``GraphView`` of grad's program annotated with the norms of its values.

    Extra state (Python side): ``norms`` (Var -> float), ``param_norms``
    (list of (path, shape, norm, flag)), ``loss`` (the value at the inputs).
    """

    def __init__(self, fun, args, argnums=0, vanishing=1e-6, exploding=1e3, has_aux=False,
                 max_nodes=None, title=None):
        self._fun, self._argnums, self._has_aux = fun, argnums, has_aux
        self.vanishing, self.exploding = float(vanishing), float(exploding)
        self._max_nodes = max_nodes
        self._signature = None
        self._prepare(args)
        stage = Stage("grad", "gradient flow", note=self._note)
        if max_nodes:
            stage.max_nodes = max_nodes
        super().__init__([stage], title=title or f"gradient flow of {fun_name(fun)}",
                         kind="gradflow")
        self._stage = stage
        self._evaluate(args)

    # --- tracing and compiling (once per input signature)
    def _prepare(self, args):
        leaves = tree_flatten(tuple(args))[0]
        signature = (tuple(glassbox.core.get_aval(x) for x in leaves),
                     tree_flatten(tuple(args))[1])
        if signature == self._signature:
            return
        self._signature = signature
        vg = glassbox.value_and_grad(self._fun, argnums=self._argnums, has_aux=self._has_aux)
        self.jaxpr = glassbox.make_jaxpr(vg)(*args)
        self._watch = _defined_vars(self.jaxpr.jaxpr, backward_only=False)
        self._backward = {v for v, back in self._watch if back}
        self._run = glassbox.jit(norms_function(self.jaxpr, [v for v, _ in self._watch]))
        diff = (args[self._argnums] if isinstance(self._argnums, int)
                else tuple(args[i] for i in self._argnums))
        self._param_paths = _param_paths(self._fun, diff, self._argnums)
        self._n_grads = len(self._param_paths)
        self._arg_labels = arg_labels(self._fun, args)
        self._note = (f"make_jaxpr(value_and_grad({fun_name(self._fun)}, argnums="
                      f"{self._argnums!r})); norms from a jitted recording interpreter")

    def _evaluate(self, args):
        leaves = tree_flatten(tuple(args))[0]
        outs, norms = self._run(*leaves)
        self.loss = float(np.asarray(outs[0]))
        grads = outs[len(outs) - self._n_grads:]
        self.norms = {v: float(np.asarray(n)) for (v, _), n in zip(self._watch, norms)}
        self.param_norms = []
        for path, g in zip(self._param_paths, grads):
            g = np.asarray(g, dtype=np.float64)
            norm = float(np.sqrt(np.sum(np.abs(g) ** 2)))
            self.param_norms.append((path, tuple(g.shape), norm,
                                     flag_of(norm, self.vanishing, self.exploding)))
        self._redraw()

    def _redraw(self):
        ann = Annotations()
        backward = self._backward
        for v, norm in self.norms.items():
            flag = flag_of(norm, self.vanishing, self.exploding) if v in backward else None
            if v in backward:
                ann.var_note[v] = f"‖ct‖ {_fmt(norm)}" + (f" {flag}" if flag else "")
                ann.var_class[v] = (f"gb-{flag or 'backward'}", COLOURS[flag or "backward"])
        for eqn in all_eqns(self.jaxpr.jaxpr):
            notes = [f"‖{'ct' if v in backward else 'value'}‖ = {_fmt(self.norms[v])}"
                     for v in eqn.outvars if v in self.norms]
            if notes:
                ann.eqn_notes[eqn] = notes
            flags = {flag_of(self.norms[v], self.vanishing, self.exploding)
                     for v in eqn.outvars if v in backward and v in self.norms} - {None}
            if flags:
                worst = "nonfinite" if "nonfinite" in flags else sorted(flags)[0]
                ann.eqn_class[eqn] = (f"gb-flag-{worst}",
                                      "#fee2e2" if worst != "vanishing" else "#eef0f3")
        n_out = len(self.jaxpr.jaxpr.outvars)
        out_labels = ["loss"] + [f"aux {i}" for i in range(n_out - 1 - self._n_grads)] + \
            [f"grad {p}" for p in self._param_paths]
        graph = Graph(self.jaxpr, arg_labels=self._arg_labels, annotations=ann,
                      out_labels=out_labels,
                      part_of=lambda e: BACKWARD if is_backward(e) else FORWARD,
                      name_stack_groups=False,   # the two parts say what the stacks would
                      max_nodes=self._max_nodes or DEFAULT_MAX_NODES)
        self._stage.graph = graph
        self._stage.note = self._note
        self._stage._rendered = None
        self.panels = self._panels()
        self.refresh()

    def _panels(self):
        norms = [n for _, _, n, _ in self.param_norms if math.isfinite(n) and n > 0]
        top = max(norms) if norms else 1.0
        lo = math.log10(self.vanishing)
        span = max(math.log10(top) - lo, 1e-9)
        rows = []
        for path, shape, norm, flag in self.param_norms:
            bar = (math.log10(norm) - lo) / span if math.isfinite(norm) and norm > 0 else 0.0
            rows.append({"cells": [path, str(shape), _fmt(norm), flag or ""],
                         "bar": max(0.0, min(1.0, bar)), "flag": flag})
        backward_norms = [(v, n) for v, n in self.norms.items() if v in self._backward]
        counts = {}
        for _, n in backward_norms:
            f = flag_of(n, self.vanishing, self.exploding)
            counts[f] = counts.get(f, 0) + 1
        summary = (f"loss = {_fmt(self.loss)} · {len(backward_norms)} cotangents: "
                   f"{counts.get('vanishing', 0)} vanishing (< {self.vanishing:g}), "
                   f"{counts.get('exploding', 0) + counts.get('nonfinite', 0)} exploding "
                   f"(> {self.exploding:g} or not finite)")
        return [
            {"kind": "text", "name": "summary", "title": "", "text": summary},
            {"kind": "table", "name": "params", "title": "gradient norm per parameter",
             "columns": ["parameter", "shape", "‖grad‖", "flag"], "rows": rows,
             "bar_column": 2},
            {"kind": "legend", "name": "legend", "title": "", "items": [
                {"label": "forward pass", "colour": FORWARD[2]},
                {"label": "backward pass (edges: ‖cotangent‖)", "colour": COLOURS["backward"]},
                {"label": f"vanishing (< {self.vanishing:g})", "colour": COLOURS["vanishing"]},
                {"label": f"exploding (> {self.exploding:g}, inf, nan)",
                 "colour": COLOURS["exploding"]}]},
        ]

    # --- live
    def update(self, *args):
        """Re-evaluate at new inputs (same shapes: no retrace, a compile-cache hit) and redraw."""
        self._prepare(args)
        self._evaluate(args)

    def bind(self, control, make_args, name="value"):
        """Re-run whenever ``control``'s ``name`` trait changes (e.g. an ipywidgets slider):
        ``make_args(new_value)`` returns the arguments. Returns ``self``."""
        def on_change(change):
            self.update(*make_args(change["new"]))
        control.observe(on_change, names=name)
        self._bindings = getattr(self, "_bindings", []) + [(control, on_change, name)]
        return self



def _param_paths(fun, diff, argnums):
    if isinstance(argnums, int):
        name = positional_names(fun, argnums + 1)[argnums]
        return [name + keystr(path) for path, _ in tree_flatten_with_path(diff)[0]]
    names = positional_names(fun, max(argnums) + 1)
    return [names[argnums[path[0].idx]] + keystr(path[1:])
            for path, _ in tree_flatten_with_path(diff)[0]]


def grad_flow(fun, argnums=0, *, vanishing=1e-6, exploding=1e3, has_aux=False, max_nodes=None):
    """``grad_flow(loss)(*args)``: a ``GradFlowView`` of ``value_and_grad(loss)`` at ``args``.

    Args:
      fun: a scalar-valued function (the loss).
      argnums: which argument(s) to differentiate (pytrees of parameters welcome).
      vanishing / exploding: norms below / above these are flagged.
      has_aux: ``fun`` returns ``(loss, aux)``.

    Example::

        view = grad_flow(loss)(params, x, y)
        view.update(params, x * 2, y)    # same shapes: re-runs the compiled function
    """
    def make(*args):
        return GradFlowView(fun, args, argnums, vanishing, exploding, has_aux, max_nodes)
    return make
