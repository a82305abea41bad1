"""The compile cache, live: hits, misses and compile times as they happen.

    panel = gbw.compile_cache()      # display it, then call jitted functions

Fed by the core's ``compiled`` events (function name, seconds, cache hit or
miss, and why it recompiled: which input's shape or dtype changed) and
``executed`` events. Eager operations compile one small executable per
primitive and signature; they are listed too, marked "eager op".
"""
import collections
import pathlib
import time

import traitlets

from ._base import LivePanel
from ._render import escape_html, html_table

_HERE = pathlib.Path(__file__).parent
LOG_LINES = 60


class CompileCachePanel(LivePanel):
    """Per function: calls, cache hits, misses, compile time, last reason to recompile.

    Traits: ``rows`` (one dict per function name, most recent first), ``log``
    (recent compile events as text), ``totals`` (hits, misses, compile seconds).
    """

    _esm = _HERE / "cachepanel.js"
    kinds = ("compiled", "executed")

    rows = traitlets.List(traitlets.Dict()).tag(sync=True)
    log = traitlets.List(traitlets.Unicode()).tag(sync=True)
    totals = traitlets.Dict().tag(sync=True)

    def __init__(self, title="compile cache", **kwargs):
        self._stats = collections.OrderedDict()
        self._log = collections.deque(maxlen=LOG_LINES)
        self._start = time.perf_counter()
        super().__init__(title=title, **kwargs)
        self.sync()

    def _row(self, name):
        row = self._stats.get(name)
        if row is None:
            row = self._stats[name] = {"name": name, "kind": "eager op", "hits": 0, "misses": 0,
                                       "runs": 0, "compile_s": 0.0, "reason": ""}
        self._stats.move_to_end(name, last=False)
        return row

    def handle(self, event):
        row = self._row(event["fun_name"])
        stamp = f"{time.perf_counter() - self._start:7.2f}s"
        if event.kind == "executed":
            row["kind"] = "jit"
            row["runs"] += 1
            return
        if event["cache_hit"]:
            row["hits"] += 1
            self._log.append(f"{stamp} hit  {row['name']}")
        else:
            row["misses"] += 1
            row["compile_s"] += float(event["seconds"])
            row["reason"] = event.get("reason") or ("first call" if row["misses"] == 1 else "")
            why = f" ({row['reason']})" if row["reason"] else ""
            done = "loaded from the disk cache" if event.get("from_disk") else "compiled"
            self._log.append(f"{stamp} MISS {row['name']}: {done} in "
                             f"{event['seconds'] * 1e3:.1f} ms{why}")

    def state(self):
        rows = [dict(r, compile_ms=round(r["compile_s"] * 1e3, 1)) for r in self._stats.values()]
        return {"rows": rows, "log": list(self._log),
                "totals": {"hits": sum(r["hits"] for r in rows),
                           "misses": sum(r["misses"] for r in rows),
                           "compile_ms": round(sum(r["compile_s"] for r in rows) * 1e3, 1)}}

    def row(self, name):
        """The counters for one function name (``None`` if it never compiled or ran)."""
        return self._stats.get(name)

    def static_sections(self):
        rows = [{"cells": [r["name"], r["kind"], r["hits"], r["misses"], r["compile_ms"],
                           r["reason"]]} for r in self.rows]
        t = self.totals
        return [(f"{t.get('hits', 0)} hits, {t.get('misses', 0)} misses, "
                 f"{t.get('compile_ms', 0)} ms compiling",
                 html_table(["function", "kind", "hits", "misses", "compile ms",
                             "last reason"], rows)),
                ("recent", "<pre>" + escape_html("\n".join(self.log)) + "</pre>")]


def compile_cache(title="compile cache"):
    """A live ``CompileCachePanel`` (hits, misses, compile times, recompile reasons)."""
    return CompileCachePanel(title=title)
