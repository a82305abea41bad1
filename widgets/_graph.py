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

A graph of more than ``max_nodes`` nodes is regrouped in program order instead
(``_blocks.py``: consecutive equations, blocks of blocks) and starts collapsed,
so its first layout shows at most ``max_nodes`` nodes whatever the program's size.

``Graph.layout(collapsed)`` draws the graph with some groups collapsed into
single nodes and returns the SVG from graphviz plus, per node id, the data the
front end shows on hover (everything the views show is in the IR; a node's
details are computed when it is first drawn).
"""
import numpy as np

from glassbox.interpreters import ad, batching, lowering
from glassbox import core as gb_core
from glassbox.core import ClosedJaxpr, Jaxpr, Literal
from glassbox.pretty import VarNames

from . import _blocks
from ._interp import is_call
from ._render import dot_id, dot_string, run_dot
from ._source import line_key, line_label as _line_label, short_source, source_text

# Fill colours by node kind (in the DOT, so the static SVG has them without CSS).
COLOURS = {"input": "#dbeafe", "const": "#e5e7eb", "output": "#dcfce7", "eqn": "#ffffff",
           "group": "#fef3c7", "port": "#f3f4f6"}
# Name-stack entries that mark a transform (the rest are jit(name), grad(name), ...).
TRANSFORMS = ("jvp", "transpose", "batch_move", "batch_broadcast")
# Above this many visible nodes, groups collapse until the graph fits; a graph of more
# nodes than this is regrouped in program order (``_blocks.py``) and starts collapsed.
DEFAULT_MAX_NODES = 250
# Groups with fewer visible members are not boxed (they still collapse on request).
MIN_BOX = 3
# In a large graph, an input used by more visible nodes than this is drawn beside each use.
HUB = 4
# A source line with more equations than this is split into runs of consecutive ones.
CHUNK = 40
# Automatic collapsing keeps ``layout_cost`` under this (measured: dot then takes well
# under a second; at ten thousand it can take minutes).
COST_BUDGET = 3000


class Node:
    """One equation or value. ``info`` (the details the front end shows) may be given
    as a function, called the first time it is read: most nodes of a large graph are
    never drawn."""
    __slots__ = ("id", "kind", "label", "_info", "groups", "fill", "classes", "eqn")

    def __init__(self, id, kind, label, info, groups, fill=None, classes=(), eqn=None):
        self.id, self.kind, self.label, self._info = id, kind, label, info
        self.groups = groups          # group ids, outermost first
        self.fill = fill or COLOURS[kind]
        self.classes = list(classes)
        self.eqn = eqn

    @property
    def info(self):
        if callable(self._info):
            self._info = self._info()
        return self._info


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
    eqn_mark:  JaxprEqn -> text put before the node's label (``✖`` on a failing one).
    eqn_notes: JaxprEqn -> list of lines shown in the node's info.
    ns_group:  name-stack entry -> (label, css class, fill) for that group's box.
    """

    def __init__(self):
        self.var_label, self.var_note, self.var_class = {}, {}, {}
        self.eqn_class, self.eqn_notes, self.ns_group = {}, {}, {}
        self.eqn_mark = {}


_TYPE_TEXT = {}


def var_type(aval):
    """``f32[3]``: an aval's short type (memoized: a large graph has thousands of edges)."""
    try:
        text = _TYPE_TEXT.get(aval)
    except TypeError:   # an unhashable aval
        return aval.str_short()
    if text is None:
        if len(_TYPE_TEXT) > 4096:
            _TYPE_TEXT.clear()
        text = _TYPE_TEXT[aval] = aval.str_short()
    return text


def name_vars(jaxpr, names):
    """Name ``jaxpr``'s variables with ``names`` (a ``VarNames``) in the order
    ``print(jaxpr)`` does (``pp_jaxpr``), without formatting any text: constants, inputs,
    then per equation its results, the variables of its sub-jaxprs, its operands."""
    for v in jaxpr.constvars:
        names(v)
    for v in jaxpr.invars:
        names(v)
    for eqn in jaxpr.eqns:
        for v in eqn.outvars:
            names(v)
        for value in eqn.params.values():
            if isinstance(value, (ClosedJaxpr, Jaxpr)):
                name_vars(value.jaxpr if isinstance(value, ClosedJaxpr) else value, names)
            elif isinstance(value, tuple) and value and isinstance(value[0], (ClosedJaxpr, Jaxpr)):
                for item in value:
                    if isinstance(item, (ClosedJaxpr, Jaxpr)):
                        name_vars(item.jaxpr if isinstance(item, ClosedJaxpr) else item, names)
        for v in eqn.invars:
            if type(v) is not Literal:
                names(v)
    for v in jaxpr.outvars:
        if type(v) is not Literal:
            names(v)


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


def is_backward(eqn):
    """Equations made by transposition (the reverse pass) carry ``transpose`` in their stack."""
    return eqn.source_info is not None and "transpose" in eqn.source_info.name_stack


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
                 inline_calls=True, part_of=None, name_stack_groups=True,
                 max_nodes=DEFAULT_MAX_NODES):
        """``part_of(eqn) -> (label, css class, fill) or None`` splits the top level into
        parts (the gradient view's forward and backward halves). A graph of more than
        ``max_nodes`` nodes is ``large``: regrouped in program order, collapsed by default."""
        self.title = title
        self._part_of = part_of
        self._ns_groups = name_stack_groups
        self._parts = {}
        self.nodes, self.edges, self.groups = {}, [], {}
        self.ann = annotations or Annotations()
        self._names = VarNames()
        jaxpr = closed.jaxpr if isinstance(closed, ClosedJaxpr) else closed
        consts = closed.consts if isinstance(closed, ClosedJaxpr) else []
        name_vars(jaxpr, self._names)     # names a, b, c... exactly as print(jaxpr) shows them
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
        self._followers = {}   # node id -> the consumer whose groups it joined
        self._constants_follow_consumers()
        self.max_nodes = max_nodes
        self.large = len(self.nodes) > max_nodes
        self.children = None   # large graphs: group id (None: the top) -> its members, in order
        if self.large:
            _blocks.regroup(self)
        else:
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
        lits = [_literal_label(v) for v in eqn.invars if type(v) is Literal]
        label = (self.ann.eqn_mark.get(eqn, "") + eqn.primitive.name
                 + (" · " + ", ".join(lits) if lits else ""))
        cls, fill = self.ann.eqn_class.get(eqn, (None, None))
        self.nodes[nid] = Node(nid, "eqn", label, lambda: self._eqn_info(nid, eqn), gpath, fill,
                               [cls] if cls else [], eqn)
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
                self._followers[node.id] = first_use[node.id]

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

    def expanded(self, collapsed, group):
        """``collapsed`` with ``group`` opened (in a large graph, with the small groups
        inside it: ``_blocks.opened``)."""
        if self.large:
            return _blocks.opened(self, collapsed, group)
        return set(collapsed) - {group}

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
        box_of, edges, proxies, backward = self._drawn(collapsed, members, visible_nodes)
        boxed_count = {}
        for path in box_of.values():
            for g in path:
                boxed_count[g] = boxed_count.get(g, 0) + 1
        total = len(box_of)

        def worth_a_box(g, count):
            kind = self.groups[g].kind
            if kind in ("sub", "body", "part"):
                return True
            parent = self.groups[g].parent
            # A box around everything its parent box holds says nothing new.
            if not MIN_BOX <= count < (boxed_count.get(parent, 0) if parent else total):
                return False
            # A source line's equations need not touch (constants broadcast for a loop's
            # every iteration); boxing scattered nodes together wrecks the layout. (A large
            # graph's groups hold consecutive equations: they are boxed as they are.)
            return kind == "ns" or self.large or self._connected(
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
                 # 8.5 pt is 11.3 px in the SVG: no smaller than the notebook's small font
                 '  edge [fontname="Helvetica", fontsize=8.5, arrowsize=0.55, penwidth=0.8, '
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
                    if self.large and not count:   # folded inputs or outputs
                        label = f"{g.label}\n{len(members.get(item, ()))} values"
                    lines.append(
                        f'{indent}{item} [id="{dot_id(uid)}-{item}", class="gb-node gb-group '
                        f'{" ".join(g.classes)}", shape=box3d, style="filled", '
                        f'fillcolor="{g.fill or COLOURS["group"]}", label={dot_string(label)}, '
                        f'tooltip={dot_string((g.title or g.label) + " (click to expand)")}];')
                    info[item] = {"id": item, "kind": "group", "group": item, "label": g.label,
                                  "title": g.title, "count": count}
                elif item in proxies:
                    lines.append(self._proxy_line(item, proxies, members, uid, indent))
                    info[item] = dict(self._item_info(proxies[item], members),
                                      id=item, proxy_of=proxies[item])
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
                # A large graph's edge labels are xlabels, placed after the layout: dot
                # gives a label a rank of its own, which doubles every long edge's cost
                # (two labelled edges took 0.3 s of a 0.4 s layout).
                attrs.append(f"{'xlabel' if self.large else 'label'}={dot_string(label)}")
            if e.colour:
                attrs.append(f'color="{e.colour}", fontcolor="{e.colour}"')
            if e.style:
                attrs.append(f'style="{e.style}"')
            if src in backward and dst in backward:
                # The backward pass climbs back up beside the forward pass (a ladder), so
                # the values it reads from the forward pass arrive from next door.
                attrs.append("dir=back")
                src, dst = dst, src
            lines.append(f"  {src} -> {dst} [{', '.join(attrs)}];")
        lines.append("}")
        return "\n".join(lines), info

    def _proxy_line(self, pid, proxies, members, uid, indent):
        """The DOT statement of a proxy: its item again, dashed."""
        hub = proxies[pid]
        if hub in self.groups:
            g = self.groups[hub]
            kind, fill, classes = "group", g.fill or COLOURS["group"], g.classes
            label = g.label
            tip = f"{g.title or g.label} (click to expand)"
        else:
            n = self.nodes[hub]
            kind, fill, classes, label = n.kind, n.fill, n.classes, n.label
            tip = _node_tooltip(n.info)
        tip += "\n(a copy, drawn beside what it is connected to; the original is elsewhere)"
        return (f'{indent}{pid} [id="{dot_id(uid)}-{pid}", class="gb-node gb-{kind} gb-proxy '
                f'{" ".join(classes)}", shape=box, style="filled,dashed", fillcolor="{fill}", '
                f'label={dot_string(label)}, tooltip={dot_string(tip)}];')

    def _item_info(self, item, members):
        """The front end's details of a node, or of a collapsed group."""
        if item not in self.groups:
            return self.nodes[item].info
        g = self.groups[item]
        count = len([m for m in members.get(item, ()) if self.nodes[m].kind == "eqn"])
        return {"id": item, "kind": "group", "group": item, "label": g.label,
                "title": g.title, "count": count}

    def _drawn(self, collapsed, members, visible_nodes, cut=True):
        """What the DOT holds: ``box_of`` (each visible node, collapsed group and proxy ->
        the group boxes around it, outermost first), the edges between them
        (``{(src, dst): [first edge, count]}``), the proxies (``_proxy_hubs``, and with
        ``cut``, ``_cut_long_edges``) and, in a large graph, the items of the backward
        pass (``_backward_items``)."""
        box_of = {}
        if self.large:   # in program order, collapsed groups where their first node was
            for n in self.nodes.values():
                item = self.representative(n.id, collapsed)
                if item not in box_of:
                    box_of[item] = (list(n.groups) if item == n.id
                                    else list(reversed(self._ancestors(item))))
        else:
            for n in visible_nodes:
                box_of[n.id] = [g for g in n.groups]
            for gid in sorted(collapsed, key=lambda g: _order_of(members.get(g))):
                box_of[gid] = list(reversed(self._ancestors(gid)))
        edges = self._visible_edges(collapsed)
        if not self.large:
            return box_of, edges, {}, set()
        proxies = self._proxy_hubs(edges, box_of)
        backward = self._backward_items(box_of, members)
        if cut:
            self._cut_long_edges(edges, box_of, proxies, backward)
        return box_of, edges, proxies, backward

    def _cut_long_edges(self, edges, box_of, proxies, backward):
        """Large graphs over graphviz's budget (``COST_BUDGET``; groups opened by hand):
        the edges spanning the most ranks (the values the backward pass reads from far up
        the forward pass) are drawn from a copy of their source beside their destination,
        longest first, until the estimate fits. Rewrites ``edges``, ``box_of``, ``proxies``."""
        spans = _spans(_oriented(edges, backward))
        cost = len(box_of) + sum(spans.values())
        if cost <= COST_BUDGET:
            return
        for (a, b), span in sorted(spans.items(), key=lambda kv: -kv[1]):
            if cost <= COST_BUDGET or span <= 1:
                break
            src, dst = (b, a) if a in backward and b in backward else (a, b)
            pid = f"{src}_to_{dst}"
            proxies[pid] = proxies.get(src, src)
            box_of[pid] = list(box_of[dst])
            edges[(pid, dst)] = edges.pop((src, dst))
            cost -= span - 1

    def _backward_items(self, box_of, members):
        """Large graphs: the visible nodes and collapsed groups made by transposition only
        (``transpose`` in every equation's name stack): the reverse pass."""
        out = set()
        for item in box_of:
            if item in self.groups:
                eqns = [self.nodes[m].eqn for m in members.get(item, ())]
                eqns = [e for e in eqns if e is not None]
            else:
                node = self.nodes.get(item)
                eqns = [node.eqn] if node is not None and node.eqn is not None else []
            if eqns and all(is_backward(e) for e in eqns):
                out.add(item)
        return out

    def _proxy_hubs(self, edges, box_of):
        """Large graphs: a value at the top (an input, constant or output, or a folded
        group of them) with more than ``HUB`` visible neighbours (a weight every block of
        a loop reads) is drawn again beside each neighbour after the first, so that no
        edge crosses the whole graph. Rewrites ``edges`` and ``box_of``; returns
        proxy id -> the item it stands for."""
        def is_value(item):
            if item in self.groups:
                return self.groups[item].kind == "values"
            node = self.nodes.get(item)
            return node is not None and node.kind in ("input", "const", "output") \
                and not node.groups
        degree = {}
        for src, dst in edges:
            for item in (src, dst):
                if is_value(item):
                    degree[item] = degree.get(item, 0) + 1
        hubs = {item for item, count in degree.items() if count > HUB}
        proxies, seen = {}, {}
        for key in list(edges):
            src, dst = key
            hub, other = (src, dst) if src in hubs else (dst, src) if dst in hubs else (None, None)
            if hub is None:
                continue
            seen[hub] = k = seen.get(hub, 0) + 1
            if k > 1:
                pid = f"{hub}_{k}"
                proxies[pid] = hub
                box_of[pid] = list(box_of[other])
                edges[(pid, dst) if hub == src else (src, pid)] = edges.pop(key)
        return proxies

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
        its crossing minimisation grows with their number). Ranks are longest paths.
        For a large graph, the edges as drawn (hubs beside their users, the backward pass
        upwards), before any long edge is cut (``_cut_long_edges``)."""
        collapsed = self.effective_collapsed(collapsed)
        if self.large:
            box_of, drawn, _, backward = self._drawn(collapsed, self._members(), None,
                                                     cut=False)
            n_items = len(box_of)
            edges = _oriented(drawn, backward)
        else:
            edges = list(self._visible_edges(collapsed))
            n_items = (len([n for n in self.nodes if not self._hidden(n, collapsed)])
                       + len(collapsed))
        return n_items + sum(_spans(edges).values())

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
        (a few hundred nodes can still take dot minutes when edges span many ranks).
        A large graph opens its program-order groups from the top instead
        (``_blocks.collapsed_to_fit``)."""
        if self.large:
            return _blocks.collapsed_to_fit(self, max_nodes, COST_BUDGET)
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
             "part": "#ffffff", "run": "#ffffff", "values": "#ffffff"}


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


def _order_of(node_ids):
    """Where the first of ``node_ids`` (``n12``, ``v3``, ``o40``) was made: ids count up."""
    return int(node_ids[0][1:]) if node_ids else 0


def _oriented(edges, backward):
    """``edges`` as dot gets them: those inside the backward pass reversed (the ladder)."""
    return [(dst, src) if src in backward and dst in backward else (src, dst)
            for src, dst in edges]


def _spans(edges):
    """``{edge: ranks it crosses}``, ranks being longest paths (``layout_cost``)."""
    order = _topological(edges)
    pos = {item: i for i, item in enumerate(order)}
    depth = {}
    for src, dst in sorted(edges, key=lambda e: pos[e[0]]):
        if pos[src] < pos[dst]:   # edges against the order close cycles: dot reverses them
            depth[dst] = max(depth.get(dst, 0), depth.get(src, 0) + 1)
    return {(src, dst): max(0, depth.get(dst, 0) - depth.get(src, 0) - 1)
            for src, dst in edges}


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
