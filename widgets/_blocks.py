"""Large graphs: groups of consecutive equations, collapsed by default.

A small graph's groups follow provenance wherever it leads: one box per source
line and per name stack, however far apart their equations sit. For thousands
of equations that stops being a picture of the program: a loop's line recurs in
every iteration, so its group, collapsed, has edges to and from every other
group, and graphviz spends seconds untangling a hairball.

A graph of more than ``max_nodes`` nodes (``Graph.large``) is regrouped here
in program order, so that every group holds consecutive equations and, folded,
the program reads as a chain of blocks, top to bottom, the way it runs:

1. each equation's *frame*: the structural groups around it (a ``jit`` call's
   body, a loop body or branch, the gradient view's forward and backward parts)
   and its name-stack groups (``jvp``, ``transpose``, ...). A detour of at most
   ``DETOUR`` equations with another name stack, between two stretches of one
   frame, stays in that frame (grad's cotangent sums, which carry a name stack
   of their own, sit between the backward pass's equations);
2. the groups are the maximal stretches of equal frames, nested as frames are;
3. inside each, ``MIN_LINE`` or more consecutive equations of one source line
   form a line group;
4. a group of more than ``BLOCK`` members is split into blocks of consecutive
   members (and blocks of blocks), so that opening any group shows at most
   ``BLOCK`` things, labelled with the source lines they span;
5. ``collapsed_to_fit``: every group starts collapsed, and groups open from the
   top, breadth first and in program order, while at most ``max_nodes`` nodes
   show and graphviz's budget (``Graph.layout_cost``) holds.

Opening a collapsed group (a click in the front end, ``GraphView.toggle``:
``opened``) shows its members, and the groups among them that fit in ``BLOCK``
more items (a block's three-equation source lines); the others stay collapsed.
The layout is redone for what is then visible, never for the whole program.
"""
import collections

from ._source import span_label

# Groups open to at most this many members (blocks of blocks beyond that).
BLOCK = 40
# A name-stack detour of at most this many equations stays in the frame around it.
DETOUR = 2
# Consecutive equations of one source line get a box from this many on.
MIN_LINE = 3
# Groups that say where an equation sits (kept even with a single member).
STRUCTURAL = ("part", "sub", "body")
# Value nodes above this many at the top are folded into groups of their own.
MANY_VALUES = BLOCK


def regroup(graph):
    """Replace ``graph.groups`` (and every node's ``groups``) by program-order groups;
    sets ``graph.children``: group id (``None`` for the top) -> its members in order
    (node ids and group ids)."""
    old = graph.groups
    order, frames, lines = _sequence(graph)
    _absorb_detours(frames, old)
    graph.groups = {}
    members = _stretches(graph, order, frames, lines, old)
    for gid in list(members):
        members[gid] = _line_groups(graph, gid, members[gid], old, members)
    blocks = _Blocks(graph, members)
    for gid in list(members):
        members[gid] = blocks.split(gid, members[gid])
    values = [nid for nid, node in graph.nodes.items() if not node.groups]
    inputs = [n for n in values if graph.nodes[n].kind in ("input", "const")]
    outputs = [n for n in values if graph.nodes[n].kind not in ("input", "const")]
    members[None] = (_fold_values(graph, blocks, inputs, "inputs") + members[None]
                     + _fold_values(graph, blocks, outputs, "outputs"))
    _drop_single(graph, members)
    _place(graph, members)
    graph.children = members


def collapsed_to_fit(graph, max_nodes, cost_budget):
    """The groups of a regrouped graph to keep collapsed: all but those opened from the
    top, breadth first, while at most ``max_nodes`` items show; fewer while
    ``graph.layout_cost`` is over ``cost_budget``. Folded inputs and outputs open only
    on request (hundreds of parameters in a row say little)."""
    budget = max_nodes
    while True:
        collapsed = set(graph.groups) - _open_from_top(graph, budget)
        if budget <= 20 or graph.layout_cost(collapsed) <= cost_budget:
            return collapsed
        budget = int(budget * 0.6)


def opened(graph, collapsed, gid):
    """``collapsed`` less ``gid`` and, level by level, the groups inside it while a whole
    level fits in ``BLOCK`` more items: a click on a block shows its equations, not a
    row of three-equation source lines to click again; a click on a block of blocks
    shows the blocks."""
    members = graph.children
    collapsed = set(collapsed)
    collapsed.discard(gid)
    level, room = [gid], BLOCK
    while True:
        level = [item for g in level for item in members[g] if item in members]
        grow = sum(len(members[g]) - 1 for g in level)
        if not level or grow > room:
            return collapsed
        collapsed.difference_update(level)
        room -= grow


def _open_from_top(graph, budget):
    """Groups to open, breadth first from the top, while at most ``budget`` items show."""
    members = graph.children
    opened = set()
    visible = len(members[None])
    queue = collections.deque(item for item in members[None]
                              if item in members and graph.groups[item].kind != "values")
    while queue:
        gid = queue.popleft()
        grow = len(members[gid]) - 1
        if visible + grow > budget:
            continue   # stays collapsed; a smaller group further on may still open
        opened.add(gid)
        visible += grow
        queue.extend(item for item in members[gid] if item in members)
    return opened


def _sequence(graph):
    """Nodes inside groups, in program order (a constant that joined its consumer's
    groups just before that consumer), with each one's frame and source-line group."""
    ahead = collections.defaultdict(list)
    for nid, consumer in graph._followers.items():
        ahead[consumer].append(nid)
    order = []
    for nid, node in graph.nodes.items():
        if node.groups and nid not in graph._followers:
            order.extend(ahead.get(nid, ()))
            order.append(nid)
    frames, lines = [], []
    for nid in order:
        groups = graph.nodes[nid].groups
        frames.append(tuple(g for g in groups if graph.groups[g].kind != "line"))
        lines.append(next((g for g in groups if graph.groups[g].kind == "line"), None))
    return order, frames, lines


def _absorb_detours(frames, old):
    """A stretch of at most ``DETOUR`` equations in another frame, between two stretches
    of one frame, joins that frame, unless it differs in more than name stacks."""
    runs = []   # [frame, start, end]
    for i, frame in enumerate(frames):
        if runs and runs[-1][0] == frame:
            runs[-1][2] = i + 1
        else:
            runs.append([frame, i, i + 1])
    current = None
    k = 0
    while k < len(runs):
        frame, start, end = runs[k]
        if (current is not None and frame != current and end - start <= DETOUR
                and k + 1 < len(runs) and runs[k + 1][0] == current
                and _structure(frame, old) == _structure(current, old)):
            for i in range(start, runs[k + 1][2]):
                frames[i] = current
            k += 2
            continue
        current = frame
        k += 1


def _structure(frame, old):
    return tuple(g for g in frame if old[g].kind in STRUCTURAL)


def _stretches(graph, order, frames, lines, old):
    """A new group per maximal stretch of one frame, nested as frames nest. Returns
    group id -> members: ``(node id, line group)`` pairs and group ids."""
    members = {None: []}
    stack = []   # [(old group id, new group id)], outermost first
    for nid, frame, line in zip(order, frames, lines):
        common = 0
        while common < min(len(stack), len(frame)) and stack[common][0] == frame[common]:
            common += 1
        del stack[common:]
        for gid in frame[common:]:
            g = old[gid]
            parent = stack[-1][1] if stack else None
            new = graph._group(g.kind, g.label, parent, g.title, g.classes, g.fill)
            members[parent].append(new)
            members[new] = []
            stack.append((gid, new))
        members[stack[-1][1] if stack else None].append((nid, line))
    return members


def _line_groups(graph, gid, items, old, members):
    """One group's members as ids: ``MIN_LINE`` or more consecutive equations of one
    source line (short of the whole group) become a line group."""
    out, i, n_items = [], 0, len(items)
    while i < n_items:
        item = items[i]
        if not isinstance(item, tuple):
            out.append(item)
            i += 1
            continue
        line = item[1]
        j = i + 1
        while (line is not None and j < n_items and isinstance(items[j], tuple)
               and items[j][1] == line):
            j += 1
        if line is not None and MIN_LINE <= j - i < n_items:
            g = old[line]
            new = graph._group("line", g.label, gid, g.title)
            members[new] = [items[k][0] for k in range(i, j)]
            out.append(new)
        else:
            out.extend(items[k][0] for k in range(i, j))
        i = j
    return out


class _Blocks:
    """Splits groups of more than ``BLOCK`` members into blocks (adding them to
    ``members``), with each item's equations memoized."""

    def __init__(self, graph, members):
        self.graph, self.members, self._eqns = graph, members, {}

    def eqns(self, item):
        """The equations in ``item`` (a node id or a group id), in order."""
        got = self._eqns.get(item)
        if got is None:
            if item in self.members:
                got = [e for sub in self.members[item] for e in self.eqns(sub)]
            else:
                eqn = self.graph.nodes[item].eqn
                got = [eqn] if eqn is not None else []
            self._eqns[item] = got
        return got

    def split(self, parent, items):
        """``items`` as at most ``BLOCK`` ids. A member holding at least ``1/BLOCK`` of
        the group's equations (the backward pass beside the forward pass's equations)
        stays a member; each stretch of the others between such members becomes one
        block; blocks hold runs of consecutive members, nested when there are more than
        ``BLOCK`` runs."""
        if len(items) <= BLOCK:
            return items
        counts = [len(self.eqns(item)) for item in items]
        total = sum(counts)
        heavy = [max(1, c) * BLOCK >= total for c in counts]
        if not any(heavy):
            return self._runs(parent, items, counts)
        out, start = [], 0
        for k in range(len(items) + 1):
            if k < len(items) and not heavy[k]:
                continue
            if k - start > 1:
                out.append(self._block(parent, items, counts, start, k))
            else:
                out.extend(items[start:k])
            if k < len(items):
                out.append(items[k])
            start = k + 1
        if len(out) <= BLOCK:
            return out
        return self._runs(parent, out, [len(self.eqns(item)) for item in out])

    def _runs(self, parent, items, counts):
        size = BLOCK
        while size * BLOCK < len(items):
            size *= BLOCK
        n_runs = -(-len(items) // size)
        bounds = [round(k * len(items) / n_runs) for k in range(n_runs + 1)]
        return [self._block(parent, items, counts, lo, hi) for lo, hi in zip(bounds, bounds[1:])]

    def _block(self, parent, items, counts, lo, hi):
        """A block of ``items[lo:hi]``, labelled with the source lines its equations come
        from and their positions among the equations of ``items``."""
        part = items[lo:hi]
        eqns = [e for item in part for e in self.eqns(item)]
        first, total = sum(counts[:lo]) + 1, sum(counts)
        where = self.graph.groups[parent].label if parent is not None else "the program"
        if eqns:
            last = first + len(eqns) - 1
            label = f"{span_label(e.source_info for e in eqns)} [{first}-{last}]"
            title = f"equations {first} to {last} of {total} in {where}"
        else:
            label = title = f"values {lo + 1} to {hi} in {where}"
        gid = self.graph._group("run", label, parent, title)
        self.members[gid] = self.split(gid, part)
        self._eqns[gid] = eqns
        return gid


def _fold_values(graph, blocks, ids, label):
    """More than ``MANY_VALUES`` inputs (or outputs) at the top go into one group."""
    if len(ids) <= MANY_VALUES:
        return ids
    gid = graph._group("values", label, None, f"the program's {len(ids)} {label}")
    blocks.members[gid] = blocks.split(gid, ids)
    return [gid]


def _drop_single(graph, members):
    """A name-stack, line or block group with one member is that member (a name stack
    holding just another name stack lends it its label: ``grad(f)/jvp``)."""
    def resolve(item):
        while (item in members and len(members[item]) == 1
               and graph.groups[item].kind not in STRUCTURAL):
            only = members.pop(item)[0]
            dropped = graph.groups.pop(item)
            if dropped.kind == "ns" and only in members and graph.groups[only].kind == "ns":
                graph.groups[only].label = f"{dropped.label}/{graph.groups[only].label}"
            item = only
        return item
    for gid in list(members):
        if gid in members:
            members[gid] = [resolve(item) for item in members[gid]]


def _place(graph, members):
    """Set each group's parent and each node's groups (outermost first) from ``members``."""
    def visit(gid, path):
        for item in members[gid]:
            if item in members:
                graph.groups[item].parent = gid
                visit(item, path + (item,))
            else:
                graph.nodes[item].groups = path
    visit(None, ())
