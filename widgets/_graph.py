"""A jaxpr as a graph: equations are nodes, values are edges, and groups collapse.

``build_graph(closed_jaxpr)`` walks the IR once into a ``Graph``: one node per
equation (primitive name, source line, name stack, parameters), one node per
input, constant and output, one edge per use of a value (its shape and dtype).
Sub-jaxprs become groups: a call-like equation (``jit``, ``checkpoint``,
custom rules: one body taking exactly the equation's operands) is drawn as its
body inside a box; other bodies (branches, loop bodies) as boxes beside their
equation. Within each jaxpr, equations are also grouped by name stack (what
``jvp``, ``transpose``, ``vmap`` ... produced) and by source line, so a graph
of thousands of equations collapses to a few dozen boxes.

``Graph.layout(collapsed)`` draws the graph with some groups collapsed into
single nodes and returns the SVG from graphviz plus, per node id, the data the
front end shows on hover (everything the views show is in the IR).
"""
import linecache
import os
import re

import numpy as np

from glassbox.interpreters import ad, batching, lowering
from glassbox import core as gb_core
from glassbox.core import ClosedJaxpr, Jaxpr, Literal
from glassbox.pretty import VarNames, pp_jaxpr

from ._interp import is_call
from ._render import dot_id, dot_string, run_dot

# Fill colours by node kind (in the DOT, so the static SVG has them without CSS).
COLOURS = {"input": "#dbeafe", "const": "#e5e7eb", "output": "#dcfce7", "eqn": "#ffffff",
           "group": "#fef3c7", "port": "#f3f4f6"}
# Name-stack entries that mark a transform (the rest are jit(name), grad(name), ...).
TRANSFORMS = ("jvp", "transpose", "batch_move", "batch_broadcast")
# Above this many visible nodes, groups collapse until the graph fits.
DEFAULT_MAX_NODES = 250
# Groups with fewer visible members are not boxed (they still collapse on request).
MIN_BOX = 3
# A source line with more equations than this is split into runs of consecutive ones.
CHUNK = 40
# Automatic collapsing keeps ``layout_cost`` under this (measured: dot then takes well
# under a second; at ten thousand it can take minutes).
COST_BUDGET = 3000


class Node:
    __slots__ = ("id", "kind", "label", "info", "groups", "fill", "classes")

    def __init__(self, id, kind, label, info, groups, fill=None, classes=()):
        self.id, self.kind, self.label, self.info = id, kind, label, info
        self.groups = groups          # group ids, outermost first
        self.fill = fill or COLOURS[kind]
        self.classes = list(classes)


class Edge:
    __slots__ = ("src", "dst", "var", "label", "tooltip", "classes", "colour", "style")

    def __init__(self, src, dst, var, label, tooltip, classes=(), colour=None, style=None):
        self.src, self.dst, self.var = src, dst, var
        self.label, self.tooltip = label, tooltip
        self.classes, self.colour, self.style = list(classes), colour, style


class Group:
    __slots__ = ("id", "kind", "label", "parent", "title", "classes", "fill")

    def __init__(self, id, kind, label, parent, title="", classes=(), fill=None):
        self.id, self.kind, self.label, self.parent = id, kind, label, parent
        self.title, self.classes, self.fill = title, list(classes), fill


class Annotations:
    """Extra marks a view puts on the IR before layout (all keyed by IR objects).

    var_label: Var -> text replacing the edge's ``f32[3]`` label.
    var_note:  Var -> text appended to the edge label (e.g. a cotangent norm).
    var_class: Var -> (css class, colour) for the edge.
    eqn_class: JaxprEqn -> (css class, fill colour) for the node.
    eqn_notes: JaxprEqn -> list of lines shown in the node's info.
    ns_group:  name-stack entry -> (label, css class, fill) for that group's box.
    """

    def __init__(self):
        self.var_label, self.var_note, self.var_class = {}, {}, {}
        self.eqn_class, self.eqn_notes, self.ns_group = {}, {}, {}


def var_type(aval):
    return aval.str_short()


def source_text(info):
    """The user's line of code an equation came from ('' when unknown)."""
    if info is None or not info.line:
        return ""
    return linecache.getline(info.file, info.line).strip()


def line_key(info):
    return f"{info.file}:{info.line}" if info is not None and info.line else ""


_CELL_FILE = re.compile(r"(ipykernel_\d+[/\\]\d+\.py|<ipython-input-[\d-]+.*>)$")


def short_source(info):
    """``model.py:12``, or ``cell line 3`` for code typed into a notebook cell."""
    if info is None or not info.line:
        return "?"
    if _CELL_FILE.search(info.file):
        return f"cell line {info.line}"
    return f"{os.path.basename(info.file)}:{info.line}"


def _line_label(info):
    code = source_text(info)
    if len(code) > 48:
        code = code[:45] + "..."
    return f"{short_source(info)}: {code}" if code else short_source(info)


def _param_text(value):
    if isinstance(value, (ClosedJaxpr, Jaxpr)):
        j = value.jaxpr if isinstance(value, ClosedJaxpr) else value
        return f"<jaxpr: {len(j.eqns)} equations>"
    if isinstance(value, tuple) and value and isinstance(value[0], (ClosedJaxpr, Jaxpr)):
        return "(" + ", ".join(_param_text(v) for v in value) + ")"
    if isinstance(value, np.dtype):
        return value.name
    if callable(value) and hasattr(value, "__name__"):
        return f"<function {value.__name__}>"
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 300 else text[:297] + "..."


# Rules are data: each interpretation's public table, Primitive -> rule.
RULE_TABLES = (("shape", gb_core.abstract_eval_rules), ("jvp", ad.jvp_rules),
               ("transpose", ad.transpose_rules), ("vmap", batching.batch_rules),
               ("lowering", lowering.lowering_rules))


def rule_coverage(prim):
    """Which interpretations have a rule for ``prim``: ``"shape yes, jvp yes, ..."``."""
    return ", ".join(f"{name} {'yes' if prim in table else 'no'}"
                     for name, table in RULE_TABLES)


def produced_by(stack):
    """What made an equation, read from its name stack (innermost transform wins)."""
    for entry in reversed(stack):
        if entry == "transpose":
            return "transpose rule (reverse pass): cotangent of the forward equation at this line"
        if entry == "jvp":
            return "jvp rule (forward pass, linearized)"
        if entry == "batch_move":
            return "vmap batching rule: moves a batch dimension (transpose)"
        if entry == "batch_broadcast":
            return "vmap batching rule: broadcasts an unbatched operand along the batch axis"
        if entry.startswith("vmap"):
            return "vmap: a batching rule, or an op on unbatched values under vmap"
        if entry.startswith("jit("):
            return f"traced inside {entry}"
    return "traced from user code"


class Graph:
    """Nodes, edges and groups of one jaxpr; ``layout`` draws it with groups collapsed."""

    def __init__(self, closed, arg_labels=None, annotations=None, title="", out_labels=None,
                 inline_calls=True, part_of=None, name_stack_groups=True):
        """``part_of(eqn) -> (label, css class, fill) or None`` splits the top level into
        parts (the gradient view's forward and backward halves)."""
        self.title = title
        self._part_of = part_of
        self._ns_groups = name_stack_groups
        self._parts = {}
        self.nodes, self.edges, self.groups = {}, [], {}
        self.ann = annotations or Annotations()
        self._names = VarNames()
        jaxpr = closed.jaxpr if isinstance(closed, ClosedJaxpr) else closed
        consts = closed.consts if isinstance(closed, ClosedJaxpr) else []
        pp_jaxpr(jaxpr, 0, self._names)   # names a, b, c... exactly as print(jaxpr) shows them
        self._count = 0
        self._inline_calls = inline_calls
        self.eqn_count = 0
        self.var_nodes = {}               # Var -> node id of its producer (top level)
        env = {}
        for i, v in enumerate(jaxpr.constvars):
            value = consts[i] if i < len(consts) else None
            env[v] = self._value_node("const", v, f"const {self._names(v)}", (), value)
        for i, v in enumerate(jaxpr.invars):
            extra = arg_labels[i] if arg_labels and i < len(arg_labels) else ""
            env[v] = self._value_node("input", v, f"{self._names(v)}{' ' + extra if extra else ''}",
                                      ())
        self._walk(jaxpr, env, (), None)
        for i, v in enumerate(jaxpr.outvars):
            extra = out_labels[i] if out_labels and i < len(out_labels) else f"out {i}"
            nid = self._new_id("o")
            self.nodes[nid] = Node(nid, "output", f"{extra}: {var_type(v.aval)}",
                                   {"id": nid, "kind": "output", "label": extra,
                                    "type": var_type(v.aval)}, ())
            self._edge(env, v, nid)
        self.var_nodes = env
        self._constants_follow_consumers()
        self._chunk_big_groups()

    # --- walking the IR
    def _new_id(self, prefix):
        self._count += 1
        return f"{prefix}{self._count}"

    def _value_node(self, kind, var, label, groups, value=None):
        nid = self._new_id("v")
        info = {"id": nid, "kind": kind, "label": label, "type": var_type(var.aval)}
        if value is not None and np.ndim(value) == 0:
            info["value"] = repr(np.asarray(value).item())
        self.nodes[nid] = Node(nid, kind, f"{label}: {var_type(var.aval)}", info, groups)
        return nid

    def _edge(self, env, atom, dst):
        if type(atom) is Literal:
            return
        src = env.get(atom)
        if src is None:
            return
        label = self.ann.var_label.get(atom, var_type(atom.aval))
        note = self.ann.var_note.get(atom)
        tip = f"{self._names(atom)}: {var_type(atom.aval)}" + (f"  {note}" if note else "")
        cls, colour = self.ann.var_class.get(atom, (None, None))
        self.edges.append(Edge(src, dst, atom, label + (f"\n{note}" if note else ""), tip,
                               [cls] if cls else [], colour))

    def _group(self, kind, label, parent, title="", classes=(), fill=None):
        gid = self._new_id("g")
        self.groups[gid] = Group(gid, kind, label, parent, title, classes, fill)
        return gid

    def _walk(self, jaxpr, env, groups, parent):
        """Add ``jaxpr``'s equations under ``groups``; ``env`` maps its vars to node ids."""
        stacks = [e.source_info.name_stack if e.source_info else () for e in jaxpr.eqns]
        base = _common_prefix(stacks)
        ns_by_part = {}   # part group -> (relative stack prefix -> group id)
        line_groups = {}
        for eqn, stack in zip(jaxpr.eqns, stacks):
            gpath = list(groups)
            rel = stack[len(base):]
            owner = parent
            part = self._part_of(eqn) if self._part_of and parent is None else None
            if part is not None:
                owner = self._parts.get(part)
                if owner is None:
                    label, cls, fill = part
                    owner = self._parts[part] = self._group("part", label, None, title=label,
                                                            classes=[cls], fill=fill)
                gpath.append(owner)
                ns_groups = ns_by_part.setdefault(owner, {})
            else:
                ns_groups = ns_by_part.setdefault(None, {})
            for k in range(1, len(rel) + 1 if self._ns_groups else 1):
                key = rel[:k]
                gid = ns_groups.get(key)
                if gid is None:
                    label, cls, fill = self.ann.ns_group.get(rel[k - 1], (rel[k - 1], None, None))
                    gid = ns_groups[key] = self._group(
                        "ns", label, owner, title="name stack: " + "/".join(stack[:len(base) + k]),
                        classes=[cls] if cls else [], fill=fill)
                gpath.append(gid)
                owner = gid
            if self._is_call(eqn):   # its body gets its own box; no source-line box around it
                self._inline_call(eqn, next(gb_core.subjaxprs(eqn)), env, tuple(gpath), owner)
                continue
            key = (owner, line_key(eqn.source_info))
            lgid = line_groups.get(key)
            if lgid is None:
                lgid = line_groups[key] = self._group(
                    "line", _line_label(eqn.source_info), owner,
                    title=source_text(eqn.source_info))
            gpath.append(lgid)
            self._add_eqn(eqn, env, tuple(gpath), lgid)

    def _is_call(self, eqn):
        return self._inline_calls and is_call(eqn)

    def _add_eqn(self, eqn, env, gpath, owner):
        subs = _labelled_subjaxprs(eqn)
        self.eqn_count += 1
        nid = self._new_id("n")
        info = self._eqn_info(nid, eqn)
        lits = [_literal_label(v) for v in eqn.invars if type(v) is Literal]
        label = eqn.primitive.name + (" · " + ", ".join(lits) if lits else "")
        cls, fill = self.ann.eqn_class.get(eqn, (None, None))
        self.nodes[nid] = Node(nid, "eqn", label, info, gpath, fill, [cls] if cls else [])
        for v in eqn.invars:
            self._edge(env, v, nid)
        for v in eqn.outvars:
            env[v] = nid
        for label, sub in subs:   # branches and bodies: boxes beside the equation, with ports
            self._body(eqn, label, sub, gpath, owner, nid)

    def _inline_call(self, eqn, body, env, gpath, owner):
        name = eqn.params.get("name")
        label = f"{eqn.primitive.name}({name})" if name else eqn.primitive.name
        gid = self._group("sub", label, owner, title=f"{label}: {len(body.eqns)} equations "
                          f"({short_source(eqn.source_info)})")
        inner = {}
        for sv, ov in zip(body.invars, eqn.invars):
            if type(ov) is Literal:
                inner[sv] = self._value_node("port", sv, self._names(ov), gpath + (gid,))
            else:
                inner[sv] = env.get(ov)
        # Edges into the body carry the outer value's label: map the body var to the outer var.
        self._alias_labels(body.invars, eqn.invars)
        self._walk(body, inner, gpath + (gid,), gid)
        for ov, sv in zip(eqn.outvars, body.outvars):
            if type(sv) is Literal:
                env[ov] = self._value_node("port", ov, self._names(sv), gpath + (gid,))
            else:
                env[ov] = inner.get(sv)

    def _alias_labels(self, body_vars, outer_vars):
        for sv, ov in zip(body_vars, outer_vars):
            if type(ov) is Literal:
                continue
            for table in (self.ann.var_label, self.ann.var_note, self.ann.var_class):
                if ov in table and sv not in table:
                    table[sv] = table[ov]

    def _body(self, eqn, label, sub, gpath, owner, eqn_node):
        gid = self._group("body", f"{eqn.primitive.name}: {label}", owner,
                          title=f"{label}, a sub-jaxpr of {eqn.primitive.name} "
                                f"({short_source(eqn.source_info)})")
        inner = {}
        g = gpath + (gid,)
        for v in sub.constvars:
            inner[v] = self._value_node("port", v, f"const {self._names(v)}", g)
        for v in sub.invars:
            inner[v] = self._value_node("port", v, f"in {self._names(v)}", g)
        first = next(iter(inner.values()), None)
        if first:
            self.edges.append(Edge(eqn_node, first, None, "", "body", ["gb-body-link"],
                                   "#9ca3af", "dashed"))
        self._walk(sub, inner, g, gid)
        for v in sub.outvars:
            nid = self._value_node("port", v, f"out {self._names(v)}", g)
            self._edge(inner, v, nid)

    def _eqn_info(self, nid, eqn):
        src = eqn.source_info
        stack = src.name_stack if src else ()
        info = {
            "id": nid, "kind": "eqn", "prim": eqn.primitive.name,
            "eqn": _pp_eqn(eqn, self._names),
            "source": short_source(src), "file": src.file if src else "",
            "line": src.line if src else 0, "function": src.function if src else "",
            "key": line_key(src), "code": source_text(src),
            "name_stack": "/".join(stack), "produced_by": produced_by(stack),
            "params": [[k, _param_text(v)] for k, v in eqn.params.items()],
            "rules": rule_coverage(eqn.primitive),
            "outputs": [f"{self._names(v)}: {var_type(v.aval)}" for v in eqn.outvars],
        }
        notes = self.ann.eqn_notes.get(eqn)
        if notes:
            info["notes"] = list(notes)
        return info

    def _constants_follow_consumers(self):
        """An equation with no variable inputs (``broadcast_in_dim`` of a literal) joins
        the groups of its first consumer: a loop's constants then sit beside the
        operation that uses them, rather than in one box (or, collapsed, one hub node
        with an edge to every iteration, which no layout untangles)."""
        fed = {e.dst for e in self.edges}
        first_use = {}
        for e in self.edges:
            first_use.setdefault(e.src, e.dst)
        for node in self.nodes.values():
            if node.kind == "eqn" and node.id not in fed and node.id in first_use:
                node.groups = self.nodes[first_use[node.id]].groups

    def _chunk_big_groups(self):
        """Split source-line groups of more than ``CHUNK`` equations (a Python loop
        unrolled into thousands of equations from one line) into runs of consecutive
        equations, and runs of runs, so collapsing never folds a whole loop into one
        node and expanding one node never floods the graph."""
        members = {}
        for node in self.nodes.values():   # in program order
            if node.groups and self.groups[node.groups[-1]].kind == "line":
                members.setdefault(node.groups[-1], []).append(node)
        for gid, nodes in members.items():
            if len(nodes) > CHUNK:
                self._runs(gid, nodes)

    def _runs(self, parent, nodes):
        """Group ``nodes`` (all inside ``parent``) into runs of at most CHUNK**depth."""
        size = CHUNK
        while size * CHUNK < len(nodes):
            size *= CHUNK
        for start in range(0, len(nodes), size):
            run = nodes[start:start + size]
            rid = self._group("run", f"{self.groups[parent].label} [{start + 1}-"
                              f"{start + len(run)}]", parent,
                              title=f"equations {start + 1} to {start + len(run)} of "
                                    f"{len(nodes)} from {self.groups[parent].label}")
            for n in run:
                k = n.groups.index(parent) + 1
                n.groups = n.groups[:k] + (rid,) + n.groups[k:]
            if size > CHUNK:
                self._runs(rid, run)

    # --- layout
    def default_collapsed(self, max_nodes=DEFAULT_MAX_NODES):
        """Groups to collapse so that at most about ``max_nodes`` nodes show.

        Finest first: runs of a long source line, then source lines, then name
        stacks, then sub-jaxprs; within a kind, groups of unconnected nodes first,
        then the deepest and biggest, until the graph fits.
        """
        members = self._members()
        collapsed = set()
        hidden = set()
        visible = len(self.nodes)
        pairs = {(e.src, e.dst): None for e in self.edges}
        scattered = {gid for gid, inside in members.items()
                     if not self._connected(inside, pairs)}
        # Scattered groups (constants broadcast in every iteration of a loop) fold first:
        # they have no internal structure to show.
        order = sorted(self.groups.values(),
                       key=lambda g: (_FOLD_ORDER[g.kind], g.id not in scattered,
                                      -len(self._ancestors(g.id)),
                                      -len(members.get(g.id, ())), g.id))
        for g in order:
            if visible <= max_nodes:
                break
            inside = [n for n in members.get(g.id, ()) if n not in hidden]
            nested = [c for c in collapsed if g.id in self._ancestors(c)]
            gain = len(inside) + len(nested) - 1
            if gain <= 0:
                continue
            collapsed.difference_update(nested)
            hidden.update(inside)
            collapsed.add(g.id)
            visible -= gain
        return collapsed

    def effective_collapsed(self, collapsed):
        """``collapsed`` without groups already inside another collapsed group."""
        collapsed = {g for g in collapsed if g in self.groups}
        return {g for g in collapsed if not any(a in collapsed for a in self._ancestors(g))}

    def _members(self):
        out = {}
        for node in self.nodes.values():
            for gid in node.groups:
                out.setdefault(gid, []).append(node.id)
        return out

    def _ancestors(self, gid):
        out = []
        parent = self.groups[gid].parent
        while parent is not None:
            out.append(parent)
            parent = self.groups[parent].parent
        return out

    def _hidden(self, nid, collapsed):
        return any(g in collapsed for g in self.nodes[nid].groups)

    def representative(self, nid, collapsed):
        for gid in self.nodes[nid].groups:   # outermost first
            if gid in collapsed:
                return gid
        return nid

    def to_dot(self, collapsed=(), uid="g", edge_labels=None):
        """DOT text with ``collapsed`` groups drawn as single nodes. Returns (dot, nodes_info)."""
        collapsed = self.effective_collapsed(collapsed)
        members = self._members()
        visible_nodes = [n for n in self.nodes.values() if not self._hidden(n.id, collapsed)]
        n_visible = len(visible_nodes) + len(collapsed)
        if edge_labels is None:
            edge_labels = n_visible <= 400
        # Which group box each visible node or collapsed group sits in.
        box_of = {}
        boxed_count = {}
        for n in visible_nodes:
            box_of[n.id] = [g for g in n.groups]
        for gid in collapsed:
            box_of[gid] = list(reversed(self._ancestors(gid)))
        for path in box_of.values():
            for g in path:
                boxed_count[g] = boxed_count.get(g, 0) + 1
        total = len(box_of)
        edges = self._visible_edges(collapsed)

        def worth_a_box(g, count):
            kind = self.groups[g].kind
            if kind in ("sub", "body", "part"):
                return True
            parent = self.groups[g].parent
            # A box around everything its parent box holds says nothing new.
            if not MIN_BOX <= count < (boxed_count.get(parent, 0) if parent else total):
                return False
            # A source line's equations need not touch (constants broadcast for a loop's
            # every iteration); boxing scattered nodes together wrecks the layout.
            return kind == "ns" or self._connected(
                [item for item, path in box_of.items() if g in path], edges)
        drawn = {g for g, c in boxed_count.items() if worth_a_box(g, c)}
        tree = {}   # group id or None -> list of child items (node ids / group ids)
        for item, path in box_of.items():
            boxes = [g for g in path if g in drawn]
            parent = None
            for g in boxes:
                tree.setdefault(parent, [])
                if g not in tree[parent]:
                    tree[parent].append(g)
                parent = g
            tree.setdefault(parent, []).append(item)
        info = {}
        lines = ["digraph G {",
                 '  graph [rankdir=TB, fontname="Helvetica", fontsize=10, nodesep=0.25, '
                 'ranksep=0.32, bgcolor="transparent", id="' + dot_id(uid) + '"];',
                 '  node [shape=box, style="rounded,filled", fontname="Helvetica", fontsize=10,'
                 ' height=0.28, margin="0.08,0.03", penwidth=0.8, color="#6b7280"];',
                 '  edge [fontname="Helvetica", fontsize=8, arrowsize=0.55, penwidth=0.8, '
                 'color="#6b7280", fontcolor="#374151"];']

        def emit(parent, indent):
            for item in tree.get(parent, []):
                if item in self.groups and item not in collapsed:
                    g = self.groups[item]
                    lines.append(f'{indent}subgraph "cluster_{dot_id(uid)}_{item}" {{')
                    style = "rounded,dashed" if g.kind in ("line", "run") else "rounded"
                    lines.append(
                        f'{indent}  id="{dot_id(uid)}-{item}"; class="gb-cluster gb-{g.kind} '
                        f'{" ".join(g.classes)}"; label={dot_string(g.label)}; '
                        f'tooltip={dot_string(g.title or g.label)}; style="{style},filled"; '
                        f'fillcolor="{g.fill or _BOX_FILL[g.kind]}"; color="#9ca3af"; '
                        f'fontsize=9; labeljust=l;')
                    info[item] = {"id": item, "kind": "cluster", "group": item,
                                  "label": g.label, "title": g.title}
                    emit(item, indent + "  ")
                    lines.append(f"{indent}}}")
                elif item in self.groups:
                    g = self.groups[item]
                    count = len([m for m in members.get(item, ())
                                 if self.nodes[m].kind == "eqn"])
                    label = f"{g.label}\n{count} equations" if count != 1 else g.label
                    lines.append(
                        f'{indent}{item} [id="{dot_id(uid)}-{item}", class="gb-node gb-group '
                        f'{" ".join(g.classes)}", shape=box3d, style="filled", '
                        f'fillcolor="{g.fill or COLOURS["group"]}", label={dot_string(label)}, '
                        f'tooltip={dot_string((g.title or g.label) + " (click to expand)")}];')
                    info[item] = {"id": item, "kind": "group", "group": item, "label": g.label,
                                  "title": g.title, "count": count}
                else:
                    n = self.nodes[item]
                    shape = {"input": "box", "const": "box", "output": "box", "port": "plain",
                             "eqn": "box"}[n.kind]
                    style = {"input": "filled", "const": "filled,dashed", "output": "filled,bold",
                             "port": "filled", "eqn": "rounded,filled"}[n.kind]
                    tip = _node_tooltip(n.info)
                    lines.append(
                        f'{indent}{n.id} [id="{dot_id(uid)}-{n.id}", class="gb-node gb-{n.kind} '
                        f'{" ".join(n.classes)}", shape={shape}, style="{style}", '
                        f'fillcolor="{n.fill}", label={dot_string(n.label)}, '
                        f'tooltip={dot_string(tip)}];')
                    info[n.id] = n.info
        emit(None, "  ")
        for i, ((src, dst), (e, count)) in enumerate(edges.items()):
            label = e.label if count == 1 else f"{count} values"
            attrs = [f'id="{dot_id(uid)}-e{i}"',
                     f'class="gb-edge {" ".join(e.classes)}"',
                     f"tooltip={dot_string(e.tooltip if count == 1 else label)}"]
            if edge_labels and label:
                attrs.append(f"label={dot_string(label)}")
            if e.colour:
                attrs.append(f'color="{e.colour}", fontcolor="{e.colour}"')
            if e.style:
                attrs.append(f'style="{e.style}"')
            lines.append(f"  {src} -> {dst} [{', '.join(attrs)}];")
        lines.append("}")
        return "\n".join(lines), info

    def _visible_edges(self, collapsed):
        """``{(src, dst): [first edge, count]}`` between visible nodes and collapsed groups."""
        seen = {}
        for e in self.edges:
            src = self.representative(e.src, collapsed)
            dst = self.representative(e.dst, collapsed)
            if src == dst:
                continue
            key = (src, dst)
            if key in seen:
                seen[key][1] += 1
            else:
                seen[key] = [e, 1]
        return seen

    def layout_cost(self, collapsed):
        """A cheap estimate of graphviz's work: visible nodes plus the ranks every edge
        spans (dot routes a long edge through one virtual node per rank it crosses, and
        its crossing minimisation grows with their number). Ranks are longest paths."""
        collapsed = self.effective_collapsed(collapsed)
        edges = list(self._visible_edges(collapsed))
        n_items = len([n for n in self.nodes if not self._hidden(n, collapsed)]) + len(collapsed)
        order = _topological(edges)
        pos = {item: i for i, item in enumerate(order)}
        depth = {}
        for src, dst in sorted(edges, key=lambda e: pos[e[0]]):
            if pos[src] < pos[dst]:   # edges against the order close cycles: dot reverses them
                depth[dst] = max(depth.get(dst, 0), depth.get(src, 0) + 1)
        span = sum(max(0, depth.get(dst, 0) - depth.get(src, 0) - 1) for src, dst in edges)
        return n_items + span

    @staticmethod
    def _connected(items, edges):
        """Whether ``items`` form one piece through the edges among them."""
        items = set(items)
        parent = {i: i for i in items}

        def find(i):
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i
        for src, dst in edges:
            if src in items and dst in items:
                parent[find(src)] = find(dst)
        return len({find(i) for i in items}) <= 1

    def auto_collapsed(self, max_nodes=DEFAULT_MAX_NODES):
        """``default_collapsed``, folding further while ``layout_cost`` is over budget
        (a few hundred nodes can still take dot minutes when edges span many ranks)."""
        collapsed = self.default_collapsed(max_nodes)
        while self.layout_cost(collapsed) > COST_BUDGET and max_nodes > 20:
            max_nodes = int(max_nodes * 0.6)
            collapsed = self.default_collapsed(max_nodes)
        return collapsed

    def layout(self, collapsed=None, uid="g", max_nodes=DEFAULT_MAX_NODES):
        """``(svg, nodes_info, collapsed)``; ``collapsed=None`` picks groups to fit ``max_nodes``
        (and graphviz's budget). Raises ``LayoutTimeout`` if dot runs too long."""
        if collapsed is None:
            collapsed = self.auto_collapsed(max_nodes)
        dot, info = self.to_dot(collapsed, uid)
        return run_dot(dot), info, set(collapsed)


_FOLD_ORDER = {"run": 0, "line": 1, "ns": 2, "body": 3, "sub": 3, "part": 4}
_BOX_FILL = {"sub": "#f8fafc", "body": "#f8fafc", "ns": "#fbfbfe", "line": "#ffffff",
             "part": "#ffffff", "run": "#ffffff"}


def _node_tooltip(info):
    if info.get("kind") != "eqn":
        return info.get("label", "") + (": " + info["type"] if info.get("type") else "")
    parts = [info["eqn"], f"at {info['source']} ({info['function']})"]
    if info.get("code"):
        parts.append(info["code"])
    if info.get("name_stack"):
        parts.append("name stack: " + info["name_stack"])
    for note in info.get("notes", ()):
        parts.append(note)
    return "\n".join(parts)


def _pp_eqn(eqn, names):
    from glassbox.pretty import pp_eqn
    text = pp_eqn(eqn, names)
    return text if len(text) <= 400 else text[:397] + "..."


def _literal_label(lit):
    """A literal as a short label: ``1.01`` (float32's shortest repr), ``2:i32``."""
    try:
        value = np.asarray(lit.val, dtype=lit.aval.dtype)
    except (TypeError, ValueError):
        value = np.asarray(lit.val)
    if value.dtype.kind == "f":
        size = abs(float(value))
        scalar = value[()]
        text = (np.format_float_positional(scalar, trim="-") if size == 0 or 1e-4 <= size < 1e6
                else np.format_float_scientific(scalar, trim="-"))
    else:
        text = str(value.item())
    return text if lit.aval.weak_type else f"{text}:{var_type(lit.aval)}"


def _labelled_subjaxprs(eqn):
    """``[(param name, jaxpr)]``: ``branches[0]``, ``body_jaxpr``, ``jaxpr`` ..."""
    out = []
    for key, value in eqn.params.items():
        items = value if isinstance(value, tuple) else (value,)
        for i, item in enumerate(items):
            if isinstance(item, (ClosedJaxpr, Jaxpr)):
                jaxpr = item.jaxpr if isinstance(item, ClosedJaxpr) else item
                out.append((f"{key}[{i}]" if isinstance(value, tuple) else key, jaxpr))
    return out


def _topological(edges):
    """Items of ``edges`` in an order where most edges point forward (Kahn's algorithm;
    on a cycle, the earliest-seen waiting item goes next)."""
    succ, indeg, seen = {}, {}, {}
    for src, dst in edges:
        succ.setdefault(src, []).append(dst)
        indeg[dst] = indeg.get(dst, 0) + 1
        seen.setdefault(src, None)
        seen.setdefault(dst, None)
    ready = [i for i in seen if indeg.get(i, 0) == 0]
    order, done = [], set()
    waiting = iter(list(seen))
    while len(order) < len(seen):
        if not ready:
            item = next(i for i in waiting if i not in done)
        else:
            item = ready.pop()
            if item in done:
                continue
        done.add(item)
        order.append(item)
        for nxt in succ.get(item, ()):
            indeg[nxt] -= 1
            if indeg[nxt] == 0 and nxt not in done:
                ready.append(nxt)
    return order


def _common_prefix(stacks):
    if not stacks:
        return ()
    first = stacks[0]
    n = len(first)
    for s in stacks[1:]:
        n = min(n, len(s))
        for i in range(n):
            if s[i] != first[i]:
                n = i
                break
    return first[:n]
