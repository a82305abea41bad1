"""Shift-Tab: what glassbox knows about the name under the cursor.

The notebook's inspect request (``inspect_request``: the cell's text and the
cursor) gets, besides IPython's docstring:

* for a name inside a function that was traced (``jit``, ``make_jaxpr``,
  ``%%jit``, ``vmap``...), its aval in the **last trace** of that code: shape,
  dtype, weak type, the batch axis under ``vmap``, and the equation that made it
  (primitive and line). Equations record the user's file and line
  (``source_info``); the cell is parsed with ``ast`` to find the statement that
  assigns the name, and the last equation traced at that statement's lines is
  the value assigned.
* for an ``Array`` in the namespace: shape, dtype, weak type, sharding, devices,
  committed or not;
* for a ``jit``-compiled function: its cache entries and why each was traced.

:class:`TraceLog` keeps a bounded record of the traces: the core's ``traced``
and ``batched`` events (``glassbox.events``), which only Python work emits, so
listening to them leaves jaxlib's C++ fast paths on. Anything that goes wrong
here leaves IPython's reply as it was: Shift-Tab never breaks.
"""
import ast
import collections
import html
import inspect as pyinspect
import re

from glassbox import events, runtime
from glassbox.api import JITTED_TYPES
from glassbox.array import ArrayImpl
from glassbox.core import subjaxprs

MAX_FUNCTIONS = 64     # functions (by name) whose last trace is kept
MAX_SIGNATURES = 32    # traced signatures remembered per function name, for the reasons
MAX_LINES = 4096       # source lines whose last vmap batching rule is kept
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_MONO = "font-family:var(--jp-code-font-family,monospace);font-size:var(--jp-code-font-size,12px)"


# ---------------------------------------------------------------------------
# The record of traces


class _Trace:
    __slots__ = ("stamp", "since", "fun_name", "jaxpr")

    def __init__(self, stamp, since, fun_name, jaxpr):
        self.stamp, self.since, self.fun_name, self.jaxpr = stamp, since, fun_name, jaxpr


class TraceLog:
    """The last trace of each function name, the signatures each name was traced for (and
    what changed from the one before), and the last vmap rule run at each source line.

    Keeps jaxprs without their constants (``ClosedJaxpr.jaxpr``), and only the avals
    of vmap's results: never a tracer or an array's value.
    """

    def __init__(self):
        self.stamp = 0
        self.last_traced = 0
        self.traces = collections.OrderedDict()     # fun_name -> _Trace, most recent last
        self.signatures = collections.OrderedDict()  # fun_name -> deque of (avals, reason)
        self.batched = collections.OrderedDict()    # (file, line) -> (stamp, event)
        self._unsubscribe = None

    def start(self):
        if self._unsubscribe is None:
            self._unsubscribe = events.subscribe(self.record, kinds=events.TRACE_KINDS)
        return self

    def stop(self):
        """Stop listening and forget the traces: their jaxprs keep the traced functions'
        bodies (and closed-over arrays) alive."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        for record in (self.traces, self.signatures, self.batched):
            record.clear()

    def record(self, event):
        try:   # a listener must never break the user's program
            self.stamp += 1
            if event.kind == "traced":
                self._traced(event["fun_name"], event["jaxpr"])
            else:
                info = event["source_info"]
                key = (info.file, info.line)
                self.batched[key] = (self.stamp, event)
                self.batched.move_to_end(key)
                _bound(self.batched, MAX_LINES)
        except Exception:   # noqa: BLE001
            pass

    def _traced(self, name, closed):
        self.traces[name] = _Trace(self.stamp, self.last_traced, name, closed.jaxpr)
        self.traces.move_to_end(name)
        _bound(self.traces, MAX_FUNCTIONS)
        self.last_traced = self.stamp
        avals = tuple(closed.in_avals)
        seen = self.signatures.setdefault(name, collections.deque(maxlen=MAX_SIGNATURES))
        self.signatures.move_to_end(name)
        _bound(self.signatures, MAX_FUNCTIONS)
        seen.append((avals, _what_changed(seen[-1][0], avals) if seen else "first call"))

    def last_eqns(self, matches, lines):
        """``(trace, eqns)``: the equations recorded at ``lines`` of a file ``matches``
        accepts, in the most recent trace that has any (the backward pass left out)."""
        for trace in reversed(self.traces.values()):
            found = [e for e in _post_order(trace.jaxpr)
                     if e.source_info.line in lines and matches(e.source_info.file)
                     and not any(n == "transpose" for n in e.source_info.name_stack)]
            if found:
                return trace, found
        return None, []

    def last_batched(self, matches, lines, after=0, before=None):
        """``(stamp, event)`` of the last vmap rule run at ``lines`` (between the stamps)."""
        best = None
        for (file, line), (stamp, event) in self.batched.items():
            if (line in lines and stamp > after and (before is None or stamp < before)
                    and matches(file) and (best is None or stamp > best[0])):
                best = (stamp, event)
        return best


def _bound(table, size):
    while len(table) > size:
        table.popitem(last=False)


def _post_order(jaxpr):
    """Every equation, nested bodies first: a call's equation comes after its body's."""
    for eqn in jaxpr.eqns:
        for sub in subjaxprs(eqn):
            yield from _post_order(sub)
        yield eqn


def _what_changed(old, new):
    if len(old) != len(new):
        return f"number of inputs changed: {len(old)} -> {len(new)}"
    diffs = [f"input {i}: {a.str_short()} -> {b.str_short()}"
             for i, (a, b) in enumerate(zip(old, new)) if a != b]
    return "; ".join(diffs) or "static arguments, argument structure or x64 changed"


# ---------------------------------------------------------------------------
# Where the cursor is: the name, its statement, the file and lines it ran as


class _Place:
    """The name under the cursor and the lines, in the file it ran from, of the statement
    that gave it its value (or the parameter it is)."""

    def __init__(self, name, matches, lines, line, text, function, param=None):
        self.name, self.matches, self.lines = name, matches, lines
        self.line, self.text, self.function, self.param = line, text, function, param


def identifier_at(code, cursor_pos):
    """The identifier the cursor is in or just after (not an attribute), or None."""
    start = end = min(max(cursor_pos, 0), len(code))
    while start > 0 and (code[start - 1].isalnum() or code[start - 1] == "_"):
        start -= 1
    while end < len(code) and (code[end].isalnum() or code[end] == "_"):
        end += 1
    name = code[start:end]
    if not name.isidentifier() or code[:start].rstrip(" ").endswith("."):
        return None
    return name, code.count("\n", 0, start) + 1


def _parse(code):
    """The cell's AST, with magic and shell lines (``%%jit``, ``!ls``) blanked out."""
    masked = [re.sub(r"^(\s*)[%!].*$", r"\1pass", line) for line in code.split("\n")]
    try:
        return ast.parse("\n".join(masked))
    except SyntaxError:
        return None


def _contains(node, line):
    first = min([d.lineno for d in getattr(node, "decorator_list", ())] + [node.lineno])
    return first <= line <= node.end_lineno


_SCOPES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)


def _own_nodes(scope):
    """The nodes of ``scope``'s body, not those of functions or classes nested in it."""
    todo = list(scope.body) if isinstance(scope.body, list) else [scope.body]
    while todo:
        node = todo.pop()
        yield node
        if not isinstance(node, _SCOPES):
            todo.extend(ast.iter_child_nodes(node))


def _binds(target, name):
    return any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(target))


def _bindings(scope, name):
    """``(first line, last line)`` of each statement in ``scope`` that assigns ``name``."""
    spans = []
    for node in _own_nodes(scope):
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)) and node.value is not None:
            targets = [node.target]
        elif isinstance(node, ast.NamedExpr):
            targets = [node.target]
        if any(_binds(t, name) for t in targets):
            spans.append((node.lineno, node.end_lineno))
    return sorted(spans)


def _params(fn):
    args = fn.args
    return [a.arg for a in args.posonlyargs + args.args]


def _file_of(shell, top):
    """``(matches, offset)`` for a top-level ``def``/``class`` of the cell: the file its code
    ran from (the namespace's function of that name) and how far its lines moved."""
    if not isinstance(top, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return None
    obj = shell.user_ns.get(top.name)
    if obj is None:
        return None
    code, node = None, top
    if isinstance(top, ast.ClassDef) and isinstance(obj, type):
        for child in top.body:
            fun = vars(obj).get(getattr(child, "name", None))
            fun = getattr(fun, "__func__", fun)
            if getattr(fun, "__code__", None) is not None:
                code, node = pyinspect.unwrap(fun).__code__, child
                break
    else:
        try:
            code = getattr(pyinspect.unwrap(obj), "__code__", None)
        except ValueError:
            code = None
    if code is None:
        return None
    first = min([d.lineno for d in getattr(node, "decorator_list", ())] + [node.lineno])
    filename = code.co_filename
    return (lambda f: f == filename), code.co_firstlineno - first


def _cell_files(shell, code):
    """Accepts the files this cell's text ran as: ipykernel's name for it, and the name
    ``%%jit`` gives its body (``# %%jit ...`` then the cell, IPython's ``code_name``)."""
    names = set()
    get_code_name = getattr(getattr(shell, "compile", None), "get_code_name", None)
    if get_code_name is not None:
        try:
            names.add(get_code_name(code, code, 0))
        except Exception:   # noqa: BLE001
            pass
    suffix = None
    first, _, rest = code.partition("\n")
    if first.startswith("%%jit"):
        from IPython.core.compilerop import code_name
        line = first[2:].rstrip().partition(" ")[2]   # what IPython hands the magic
        source = f"# %%jit {line}".rstrip() + "\n" + rest
        suffix = code_name(source, 0).rsplit("-", 1)[1]
    return lambda f: f in names or (suffix is not None and f.endswith("-" + suffix))


def locate(shell, code, cursor_pos):
    """The :class:`_Place` of the name under the cursor, or None (not a plain name, the
    cell does not parse, or nothing assigns it before the cursor)."""
    found = identifier_at(code, cursor_pos)
    if found is None:
        return None
    name, line = found
    tree = _parse(code)
    if tree is None:
        return None
    top = next((n for n in tree.body if _contains(n, line)), None)
    scope, node = tree, tree
    while node is not None:   # the innermost function around the cursor
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            scope = node
        node = next((n for n in _own_nodes(node) if isinstance(n, _SCOPES)
                     and _contains(n, line)), None)
    where = _file_of(shell, top) if top is not None else None
    matches, offset = where if where is not None else (_cell_files(shell, code), 0)
    lines = code.split("\n")
    function = getattr(scope, "name", "<lambda>" if isinstance(scope, ast.Lambda) else None)
    spans = [] if isinstance(scope, ast.Lambda) else _bindings(scope, name)
    here = [s for s in spans if s[0] <= line <= s[1]]
    before = [s for s in spans if s[1] < line]
    span = (here or before or [None])[-1]
    if span is None:
        if scope is tree or name not in _params(scope):
            return None
        return _Place(name, matches, set(), line, lines[line - 1].strip(), function,
                      param=_params(scope).index(name))
    return _Place(name, matches, set(range(span[0] + offset, span[1] + offset + 1)), span[0],
                  lines[span[0] - 1].strip(), function)


# ---------------------------------------------------------------------------
# What to show: sections of (label, value) rows


class Section:
    """A title, ``(label, value)`` rows and an optional table: plain text and HTML (themed
    with JupyterLab's ``--jp-*`` variables)."""

    def __init__(self, title, rows, table=None):
        self.title, self.rows, self.table = title, rows, table   # table: (header, rows)

    def text(self):
        out = [self.title] + [f"  {label}: {value}" for label, value in self.rows]
        if self.table is not None:
            header, rows = self.table
            widths = [max(len(str(r[i])) for r in [header] + rows) for i in range(len(header))]
            out += ["  " + "  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip()
                    for r in [header] + rows]
        return "\n".join(out)

    def html(self):
        cell = "padding:1px 8px;text-align:left;border-bottom:1px solid var(--jp-border-color2)"
        label = f"{cell};color:var(--jp-ui-font-color2)"
        body = "".join(f"<tr><th style='{label};font-weight:normal'>{html.escape(k)}</th>"
                       f"<td style='{cell}'>{html.escape(str(v))}</td></tr>"
                       for k, v in self.rows)
        out = (f"<div style='margin:0 0 6px 0'><div style='color:var(--jp-ui-font-color0);"
               f"font-weight:bold'>{html.escape(self.title)}</div>")
        if body:
            out += f"<table style='border-collapse:collapse'><tbody>{body}</tbody></table>"
        if self.table is not None:
            header, rows = self.table
            head = "".join(f"<th style='{cell};background:var(--jp-layout-color2)'>"
                           f"{html.escape(h)}</th>" for h in header)
            trs = "".join("<tr>" + "".join(f"<td style='{cell}'>{html.escape(str(c))}</td>"
                                           for c in r) + "</tr>" for r in rows)
            out += (f"<table style='border-collapse:collapse'><thead><tr>{head}</tr></thead>"
                    f"<tbody>{trs}</tbody></table>")
        return out + "</div>"


def _aval_rows(aval):
    rows = [("aval", aval.str_short()),
            ("shape", str(tuple(aval.shape))), ("dtype", aval.dtype.name),
            ("weak type", str(bool(aval.weak_type)))]
    if getattr(aval, "sharding", None) is not None:
        rows.append(("sharding", str(aval.sharding)))
    return rows


def _per_example(aval, bdim):
    shape = tuple(aval.shape)
    return aval.update(shape=shape[:bdim] + shape[bdim + 1:])


def _vmap_row(event, index=-1):
    bdim = event["out_dims"][index]
    if bdim is None:
        return "unbatched (the same for every example)"
    axis = f", axis name {event['axis_name']!r}" if event["axis_name"] is not None else ""
    return (f"batch axis {bdim} of size {event['axis_size']}{axis} (the whole batch: "
            f"{event['out_avals'][index].str_short()})")


def _made_by(prim, place):
    return f"{prim} at line {place.line}: {place.text}"


def traced_section(log, place):
    """What the last trace says of the name at ``place``, or None if no trace has it."""
    if place.param is not None:
        return _param_section(log, place)
    trace, eqns = log.last_eqns(place.matches, place.lines)
    batched = log.last_batched(place.matches, place.lines)
    if batched is not None and (trace is None or batched[0] > trace.stamp):
        stamp, event = batched   # an eager vmap ran this line after any trace of it
        aval = event["out_avals"][-1]
        bdim = event["out_dims"][-1]
        per = _per_example(aval, bdim) if bdim is not None else aval
        rows = _aval_rows(per) + [("vmap", _vmap_row(event)),
                                  ("made by", _made_by(event["primitive"].name, place)),
                                  ("from", "the last vmap of this code (per example, as the "
                                           "function sees it)")]
        return Section(f"{place.name}: {per.str_short()}  (in {place.function or 'the cell'})",
                       rows)
    if trace is None:
        return None
    eqn = eqns[-1]
    aval = eqn.outvars[-1].aval
    rows = _aval_rows(aval)
    stack = eqn.source_info.name_stack
    if any(str(n).startswith("vmap") for n in stack):
        batched = log.last_batched(place.matches, place.lines, trace.since, trace.stamp)
        if batched is not None:
            rows.append(("vmap", _vmap_row(batched[1])))
    rows.append(("made by", _made_by(eqn.primitive.name, place)))
    if stack:
        rows.append(("under", " / ".join(map(str, stack))))
    if len(eqns) > 1:
        rows.append(("at this line", ", ".join(
            f"{e.primitive.name} -> {' '.join(v.aval.str_short() for v in e.outvars)}"
            for e in eqns[-8:])))
    rows.append(("from", f"the last trace of {trace.fun_name}"))
    return Section(f"{place.name}: {aval.str_short()}  (in {place.function or 'the cell'})",
                   rows)


def _param_section(log, place):
    trace = log.traces.get(place.function)
    if trace is None or place.param >= len(trace.jaxpr.invars):
        return None
    if not any(place.matches(e.source_info.file) for e in _post_order(trace.jaxpr)):
        return None
    aval = trace.jaxpr.invars[place.param].aval
    rows = _aval_rows(aval) + [("is", f"argument {place.param} of {place.function}"),
                               ("from", f"the last trace of {trace.fun_name}")]
    return Section(f"{place.name}: {aval.str_short()}  (argument of {place.function})", rows)


def array_section(name, x):
    aval = x.aval
    if x.is_deleted():
        return Section(f"{name}: Array {aval.str_short()} (deleted)", _aval_rows(aval))
    devices = sorted(x.devices(), key=lambda d: d.id)
    rows = _aval_rows(aval) + [
        ("devices", ", ".join(runtime.describe_device(d) for d in devices)),
        ("sharding", str(x.sharding)),
        ("committed", str(bool(x.committed))),
    ]
    return Section(f"{name}: Array {aval.str_short()}", rows)


def jitted_section(log, name, f):
    entries = f.cache_entries()
    seen = list(log.signatures.get(f.name, ()))
    rows = []
    for signature, compiled in entries:
        why = next((reason for avals, reason in reversed(seen)
                    if _signature_text(avals, signature)), "traced before the kernel listened")
        rows.append((signature, "compiled" if compiled else "traced", why))
    s = "s" if len(entries) != 1 else ""
    title = f"{name}: jit({f.name}), {len(entries)} cached signature{s}"
    if not entries:
        return Section(title, [("cache", "empty: not called yet")])
    return Section(title, [], (["inputs", "state", "why it was traced"], rows))


def _signature_text(avals, signature):
    text = "(" + ", ".join(a.str_short() for a in avals)
    return signature == text + ")" or signature.startswith(text + ", static=")


# ---------------------------------------------------------------------------
# The reply


def _object_at(shell, code, cursor_pos):
    """``(name, value)`` of what IPython would inspect there, if the namespace has it."""
    from IPython.utils.tokenutil import token_at_cursor
    name = token_at_cursor(code, cursor_pos)
    parts = name.split(".") if name else []
    if not parts or not all(p.isidentifier() for p in parts) or parts[0] not in shell.user_ns:
        return None
    value = shell.user_ns[parts[0]]
    for part in parts[1:]:
        attribute = pyinspect.getattr_static(value, part, None)
        if attribute is None or isinstance(attribute, property):
            return None   # no user code (properties) runs on a keystroke
        value = getattr(value, part)
    return name, value


def sections(shell, log, code, cursor_pos):
    out = []
    place = locate(shell, code, cursor_pos)
    if place is not None:
        section = traced_section(log, place)
        if section is not None:
            out.append(section)
    found = _object_at(shell, code, cursor_pos)
    if found is not None:
        name, value = found
        if isinstance(value, ArrayImpl):
            out.append(array_section(name, value))
        elif isinstance(value, JITTED_TYPES):
            out.append(jitted_section(log, name, value))
    return out


def add_to_reply(shell, log, reply, code, cursor_pos):
    """IPython's inspect ``reply`` with glassbox's sections first; ``reply`` itself when
    there is nothing to add or anything fails."""
    try:
        found = sections(shell, log, code, cursor_pos)
        if not found or not isinstance(reply, dict) or reply.get("status") != "ok":
            return reply
        data = dict(reply.get("data") or {})
        ipython = _ANSI.sub("", data.get("text/plain", "")) if reply.get("found") else ""
        text = "\n\n".join(s.text() for s in found)
        page = "".join(s.html() for s in found)
        if ipython:
            text = text + "\n\n" + data["text/plain"]
            page += (f"<pre style='margin:4px 0 0 0;color:var(--jp-content-font-color1)'>"
                     f"{html.escape(ipython)}</pre>")
        data["text/plain"] = text
        data["text/html"] = (f"<div class='gb-inspect' style='{_MONO};"
                             f"color:var(--jp-content-font-color1)'>{page}</div>")
        return dict(reply, data=data, found=True)
    except Exception:   # noqa: BLE001
        return reply


async def inspect_reply(kernel, log, do_inspect, code, cursor_pos, detail_level=0,
                        omit_sections=()):
    """Run the kernel's own ``do_inspect`` and add glassbox's sections to its reply."""
    reply = do_inspect(code, cursor_pos, detail_level, omit_sections)
    if pyinspect.isawaitable(reply):
        reply = await reply
    return add_to_reply(kernel.shell, log, reply, code, cursor_pos)


def install(shell, log):
    """Route ``shell``'s kernel's inspect requests through :func:`inspect_reply` (a stock
    ipykernel after ``%load_ext glassbox``; the glassbox kernel does it itself). Returns
    an undo function."""
    kernel = getattr(shell, "kernel", None)
    own = getattr(type(kernel), "do_inspect", None)
    if kernel is None or own is None or getattr(own, "glassbox_inspect", False):
        return lambda: None
    original = kernel.do_inspect

    async def do_inspect(code, cursor_pos, detail_level=0, omit_sections=()):
        return await inspect_reply(kernel, log, original, code, cursor_pos, detail_level,
                                   omit_sections)
    kernel.do_inspect = do_inspect

    def uninstall():
        if kernel.__dict__.get("do_inspect") is do_inspect:
            del kernel.do_inspect
    return uninstall
