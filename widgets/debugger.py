"""The debugger widget: what ``glassbox.debug.breakpoint()`` shows in a notebook.

One view per notebook cell run, opened at the cell's first stop and updated at each
later one (one stop per example under ``vmap``, per iteration in a loop). It shows
the stop's frames (the user's source, the breakpoint's line marked), the values in
scope with their types, the transforms the breakpoint was traced under, and an
expression box evaluated on those values. Its buttons answer the stop:

- **Step**: run on to the next stop (JAX's ``c``);
- **Continue**: run to the end of the cell without stopping again (later stops are
  still recorded in the table of stops);
- **Quit**: leave the program (``DebuggerQuit`` is raised in the cell).

The view holds the state (Python is the single source of truth, as in every view);
the kernel's debugger backend (``glassbox.kernel.breakpoints``) waits for
``action`` while it keeps answering the front end. Every control is also a
method (``step()``, ``cont()``, ``quit()``, ``evaluate(expr)``, ``select_frame(i)``),
so the view can be driven from Python and tested without a browser.
"""
import pathlib

import traitlets

from glassbox.debugger import short_value, type_of

from ._base import View
from ._render import escape_html, html_table

_HERE = pathlib.Path(__file__).parent
MAX_TABLE = 200   # stops kept in the table (a vmap over 10,000 examples stops 10,000 times)


def _frame_state(frame):
    return {"function": frame.function, "filename": frame.filename, "lineno": frame.lineno,
            "source": [[n, text] for n, text in frame.source(4)],
            "locals": [{"name": name, "type": type_of(value),
                        "value": short_value(value, 80, with_type=False)}
                       for name, value in frame.locals.items()]}


class DebuggerView(View):
    """A breakpoint's stops in one cell run: values, source, transforms, controls.

    Traits: ``status`` ("paused", "running", "finished", "quit", "not paused": a front
    end that cannot answer), ``stop`` (the current stop), ``frame`` (the frame shown),
    ``history`` (evaluated expressions), ``table`` (every stop so far, one row each),
    ``note``. ``action`` is what the user answered (not synced; read by the backend).
    """

    _esm = _HERE / "debugger.js"

    status = traitlets.Unicode("running").tag(sync=True)
    stop = traitlets.Dict().tag(sync=True)
    frame = traitlets.Int(0).tag(sync=True)
    history = traitlets.List(traitlets.Dict()).tag(sync=True)
    table = traitlets.List(traitlets.Dict()).tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)

    def __init__(self, title="glassbox.debug.breakpoint", **kwargs):
        super().__init__(title=title, **kwargs)
        self.action = None
        self._stop = None
        self.stops = 0
        self.on_msg(self._on_msg)

    # -- what the backend calls --------------------------------------------------------

    def show(self, stop, *, paused, status="running"):
        """Show ``stop``; ``paused``: the program waits for an answer, otherwise the
        view's status becomes ``status``."""
        self._stop, self.action, self.stops = stop, None, self.stops + 1
        frames = [_frame_state(f) for f in stop.frames]
        self.frame = 0
        self.stop = {"hit": stop.hit, "example": list(stop.example),
                     "transforms": list(stop.transforms), "frames": frames,
                     "location": stop.location}
        if len(self.table) < MAX_TABLE:
            values = {name: short_value(v, 40) for name, v in stop.frames[0].locals.items()} \
                if stop.frames else {}
            self.table = self.table + [{"stop": self.stops, "example": list(stop.example),
                                        "values": values}]
        self.status = "paused" if paused else status

    def finish(self, status="finished", note=""):
        self.status, self.note = status, note
        self._stop = None

    # -- the controls ------------------------------------------------------------------

    def step(self):
        self._answer("step")

    def cont(self):
        self._answer("continue")

    def quit(self):
        self._answer("quit")

    def _answer(self, action):
        if self.status == "paused":
            self.action = action
            self.status = "running"

    def select_frame(self, index):
        if self.stop and 0 <= index < len(self.stop["frames"]):
            self.frame = index

    def evaluate(self, expression):
        """Evaluate ``expression`` on the shown frame's values; the result (or the
        error) is added to ``history`` and returned as text."""
        if self._stop is None:
            entry = {"expr": expression, "ok": False,
                     "result": "the program is not stopped here any more"}
        else:
            try:
                result = self._stop.evaluate(expression, self.frame)
                entry = {"expr": expression, "ok": True,
                         "result": "" if result is None else repr(result)}
            except Exception as e:   # the user's expression: any error is an answer
                entry = {"expr": expression, "ok": False, "result": f"{type(e).__name__}: {e}"}
        self.history = self.history + [entry]
        return entry["result"]

    def _on_msg(self, _widget, content, _buffers):
        action = content.get("action") if isinstance(content, dict) else None
        if action == "step":
            self.step()
        elif action == "continue":
            self.cont()
        elif action == "quit":
            self.quit()
        elif action == "frame":
            self.select_frame(int(content.get("index", 0)))
        elif action == "eval":
            self.evaluate(str(content.get("expr", "")))

    # -- the static picture ------------------------------------------------------------

    def static_sections(self):
        stop = self.stop
        if not stop:
            return [("no stop yet", "")]
        frame = stop["frames"][self.frame] if stop["frames"] else None
        head = f"stop {self.stops}: {stop['location']} ({self.status})"
        parts = []
        if stop["transforms"]:
            parts.append("<div>transforms: " + escape_html(" › ".join(stop["transforms"]))
                         + "</div>")
        if stop["example"]:
            parts.append("<div>example under vmap: "
                         + escape_html(", ".join(map(str, stop["example"]))) + "</div>")
        if frame:
            source = "\n".join(f"{'→' if n == frame['lineno'] else ' '} {n:4d} {text}"
                               for n, text in frame["source"])
            parts.append(f"<pre>{escape_html(source)}</pre>")
            parts.append(html_table(["name", "type", "value"], [
                {"cells": [v["name"], v["type"], v["value"]]} for v in frame["locals"]]))
        if self.note:
            parts.append(f"<div><i>{escape_html(self.note)}</i></div>")
        sections = [(head, "".join(parts))]
        if len(self.table) > 1:
            names = sorted({n for row in self.table for n in row["values"]})
            sections.append((f"{len(self.table)} stops", html_table(
                ["stop", "example"] + names,
                [{"cells": [r["stop"], ",".join(map(str, r["example"]))]
                  + [r["values"].get(n, "") for n in names]} for r in self.table])))
        if self.history:
            sections.append(("expressions", "<pre>" + escape_html("\n".join(
                f">>> {h['expr']}\n{h['result']}" for h in self.history)) + "</pre>"))
        return sections
