"""The partitioned program: where a jitted function's values live and what moves between
devices.

    gbw.partitioned(step)(params, batch)   # arguments over a mesh (or under set_mesh)

One graph tab, the traced program, with each input and output labelled by its sharding
(the arguments' own; the outputs' as XLA laid them out when it compiled the function
over the mesh) and the collective equations of the program (``psum``, ``all_gather``...)
and its sharding constraints marked. Two tables beside it: the shardings of inputs and
outputs, and the collectives XLA inserted when it partitioned the program (all-reduce,
all-gather, reduce-scatter, all-to-all, collective-permute, read from the optimised HLO
of the compiled executable), with the devices each one groups. ``gbw.graph(f)(*args)``
adds the same tab and tables when an argument lies over several devices.
"""
import re

import glassbox
from glassbox import core as gb_core

from ._graph import DEFAULT_MAX_NODES, Annotations, Graph
from .graphview import GraphView, Stage, arg_labels
from ._interp import fun_name

# Equations that move data between devices, and those that only pin a layout.
COLLECTIVES = frozenset({
    "psum", "pmax", "pmin", "pmean", "all_gather", "all_to_all", "ppermute", "psum_scatter",
    "reduce_scatter", "pbroadcast", "all_gather_invariant", "psum_invariant",
    "ragged_all_to_all", "pshuffle", "pswapaxes"})
LAYOUT = frozenset({"sharding_constraint", "reshard", "mesh_cast"})
COLLECTIVE_FILL = "#fde68a"
LAYOUT_FILL = "#c7d2fe"

# An HLO instruction line: ``%name = type op-name(operands), attrs``.
_HLO_OP = re.compile(
    r"^\s*(?:ROOT\s+)?%?(?P<name>[\w.\-]+)\s*=\s*(?P<type>.+?)\s+"
    r"(?P<op>all-reduce|all-gather|reduce-scatter|all-to-all|collective-permute|"
    r"ragged-all-to-all|collective-broadcast)(?P<start>-start)?\(")
_DIMS = re.compile(r"dimensions=\{([^}]*)\}")
_OP_NAME = re.compile(r'op_name="([^"]*)"')


def _attr(line, name):
    """The value of ``name=`` in an HLO line, up to the comma that ends it at the top
    level (``{{0,1},{2,3}}``, ``[4,2]<=[8]``, ``mesh['a'=4] {'a'}``); '' if absent."""
    start = line.find(name + "=")
    if start < 0:
        return ""
    i = start + len(name) + 1
    depth, quote, out = 0, False, []
    while i < len(line):
        c = line[i]
        if c == "'" or c == '"':
            quote = not quote
        elif not quote and c in "{[(":
            depth += 1
        elif not quote and c in "}])":
            depth -= 1
        elif not quote and c == "," and depth == 0:
            break
        out.append(c)
        i += 1
    return "".join(out).strip()


def hlo_collectives(hlo_text):
    """The collectives in an optimised HLO module: ``[{"op", "name", "type", "groups",
    "dims", "origin", "line"}]`` in program order (an async ``-start``/``-done`` pair
    counts once); ``origin`` is the StableHLO op XLA made it for (``dot.1``)."""
    found = []
    for line in hlo_text.splitlines():
        m = _HLO_OP.match(line)
        if m is None:
            continue
        dims = _DIMS.search(line)
        origin = _OP_NAME.search(line)
        found.append({"op": m["op"], "name": m["name"], "type": m["type"].strip(),
                      "groups": (_attr(line, "replica_groups")
                                 or _attr(line, "source_target_pairs")),
                      "dims": dims.group(1) if dims else "",
                      "origin": origin.group(1) if origin else "", "line": line.strip()})
    return found


def _jaxpr_eqns(jaxpr):
    for eqn in jaxpr.eqns:
        yield eqn
        for sub in gb_core.subjaxprs(eqn):
            yield from _jaxpr_eqns(sub)


def _spec_text(sharding):
    """``P('x', 'y')`` for a NamedSharding, ``replicated``/``cpu:0`` otherwise."""
    if sharding is None:
        return ""
    spec = getattr(sharding, "spec", None)
    if spec is not None:
        return repr(spec)
    devices = sorted(sharding.device_set, key=lambda d: d.id)
    if len(devices) == 1:
        return str(devices[0])
    return repr(sharding)


def _leaf_sharding(x):
    sharding = getattr(x, "sharding", None)
    return sharding if isinstance(sharding, glassbox.sharding.Sharding) else None


def is_partitioned(args):
    """Whether any argument lies over several devices, or a mesh is set."""
    if glassbox.sharding.current_mesh() is not None:
        return True
    return any(s is not None and s.num_devices > 1
               for s in map(_leaf_sharding, glassbox.tree_util.tree_leaves(args)))


def _annotations(jaxpr):
    ann = Annotations()
    for eqn in _jaxpr_eqns(jaxpr):
        name = eqn.primitive.name
        if name in COLLECTIVES:
            ann.eqn_class[eqn] = ("gb-collective", COLLECTIVE_FILL)
            axes = eqn.params.get("axis_name", eqn.params.get("axes"))
            ann.eqn_notes[eqn] = [f"collective over {axes!r}" if axes is not None
                                  else "collective"]
        elif name in LAYOUT:
            ann.eqn_class[eqn] = ("gb-layout", LAYOUT_FILL)
            ann.eqn_notes[eqn] = ["pins a sharding"]
    return ann


def partitioned_parts(f, args, max_nodes=DEFAULT_MAX_NODES):
    """``(stage, panels)``: the partitioned tab of ``f`` at ``args`` and its tables."""
    labels = arg_labels(f, args)
    leaves = glassbox.tree_util.tree_leaves(tuple(args))
    in_specs = [_spec_text(_leaf_sharding(x)) for x in leaves]
    traced = glassbox.jit(f).trace(*args)
    compiled = traced.lower().compile()
    executable = compiled.entry.compiled
    out_shardings = getattr(executable, "out_shardings", None) or \
        [None] * len(traced.jaxpr.jaxpr.outvars)
    out_specs = [_spec_text(s) for s in out_shardings]
    closed = traced.jaxpr
    ann = _annotations(closed.jaxpr)
    graph = Graph(closed, annotations=ann, max_nodes=max_nodes, title="partitioned",
                  arg_labels=[f"{label} {spec}".strip() for label, spec in zip(labels, in_specs)],
                  out_labels=[f"out {i} {spec}".strip() for i, spec in enumerate(out_specs)])
    collectives = hlo_collectives(compiled.as_text())
    marked = sum(1 for _ in ann.eqn_class)
    stage = Stage("partitioned", "partitioned", graph,
                  note=f"jit({fun_name(f)}) over {_devices_text(leaves, out_shardings)}: "
                       f"{marked} collective or layout equations in the program, "
                       f"{len(collectives)} collectives inserted by XLA")
    stage.max_nodes = max_nodes
    types = [gb_core.get_aval(x).str_short() for x in leaves]
    rows = [{"cells": [label, t, spec or "(one device)"]}
            for label, t, spec in zip(labels, types, in_specs)]
    rows += [{"cells": [f"out {i}", v.aval.str_short(), spec or "(XLA's choice)"]}
             for i, (v, spec) in enumerate(zip(closed.jaxpr.outvars, out_specs))]
    panels = [{"kind": "table", "title": "shardings (inputs, then outputs as compiled)",
               "columns": ["value", "type", "sharding"], "rows": rows}]
    panels.append({"kind": "table",
                   "title": f"collectives XLA inserted ({len(collectives)})",
                   "columns": ["collective", "result", "device groups", "dims",
                               "made for"],
                   "rows": [{"cells": [c["op"], c["type"], c["groups"], c["dims"], c["origin"]]}
                            for c in collectives]
                   or [{"cells": ["none: no data moves between devices", "", "", "", ""]}]})
    return stage, panels


def _devices_text(leaves, out_shardings):
    for s in list(map(_leaf_sharding, leaves)) + list(out_shardings):
        if s is not None and s.num_devices > 1:
            mesh = getattr(s, "mesh", None)
            if mesh is not None:
                return ("mesh " + ", ".join(f"{n}={k}" for n, k in
                                            zip(mesh.axis_names, mesh.axis_sizes)))
            return f"{s.num_devices} devices"
    mesh = glassbox.sharding.current_mesh()
    return f"mesh {mesh.shape_tuple}" if mesh is not None else "one device"


def partitioned(f, *, max_nodes=DEFAULT_MAX_NODES, title=None):
    """``partitioned(f)(*args)``: a ``GraphView`` of ``jit(f)`` compiled for ``args``
    over their devices: shardings of inputs and outputs on the graph, collective
    equations marked, and the collectives XLA inserted listed.

    Example::

        x = jax.device_put(x, NamedSharding(mesh, P("x", "y")))
        gbw.partitioned(lambda x: x @ x.T)(x)
    """
    def make(*args):
        stage, panels = partitioned_parts(f, args, max_nodes)
        return GraphView([stage], title=title or f"partitioned {fun_name(f)}", panels=panels)
    return make
