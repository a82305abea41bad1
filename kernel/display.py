"""Rich display in notebooks: arrays, compiled functions, code, device and config tables.

Every object gets a ``text/html`` form for JupyterLab and a ``text/plain`` one
for terminals, nbconvert and logs. Jaxprs bring their own HTML
(``ClosedJaxpr._repr_html_`` in ``glassbox.pretty``: coloured, with each
equation's source line on hover), so they work in a plain ipykernel too.

Registered on a shell by :func:`register` (the extension does it).
"""
import html

import numpy as np

from glassbox import runtime
from glassbox.api import JITTED_TYPES
from glassbox.array import ArrayImpl
from glassbox.config import config
from glassbox.tree_util import tree_leaves

_MONO = "font-family:var(--jp-code-font-family,monospace);font-size:var(--jp-code-font-size,12px)"
_MUTED = "color:var(--jp-ui-font-color2,#666)"


# ---------------------------------------------------------------------------
# Waiting for results without blocking Ctrl-C


def wait_until_ready(tree):
    """Wait until every Array in ``tree`` is computed, in short sleeps.

    XLA runs asynchronously: a call returns at once and the wait happens when a
    value is needed. Blocking inside jaxlib would make SIGINT (the notebook's
    interrupt button) wait for the whole computation; sleeping in Python lets
    ``KeyboardInterrupt`` through between naps. The computation itself keeps
    running in XLA's threads until it finishes.
    """
    for leaf in tree_leaves(tree):
        if isinstance(leaf, ArrayImpl):
            leaf.block_until_ready()   # the runtime waits in interruptible naps
    return tree


# ---------------------------------------------------------------------------
# Arrays


def array_summary(x):
    """``f32[3,4] · float32 · CPU:0`` (plus ``weak_type`` when set)."""
    aval = x.aval
    parts = [aval.str_short().replace("{weak}", ""), aval.dtype.name]
    if x.is_deleted():
        parts.append("deleted")
    else:
        parts.append(runtime.describe_device(x.device))
    if aval.weak_type:
        parts.append("weak_type")
    return " · ".join(parts)


def array_text(x, p=None, cycle=False):
    """``text/plain``: the usual ``Array([...], dtype=float32)`` repr, waited for interruptibly."""
    text = "Array(<deleted>)" if x.is_deleted() else repr(wait_until_ready(x))
    if p is None:
        return text
    p.text(text)


def array_html(x):
    """``text/html``: a header line with shape, dtype and device over the values."""
    head = f"<span style='{_MUTED}'>Array</span> <b>{html.escape(array_summary(x))}</b>"
    if x.is_deleted():
        return f"<div style='{_MONO}'>{head}</div>"
    value = np.asarray(wait_until_ready(x))
    if value.size == 0:
        body = f"[] (shape {value.shape})"
    else:
        body = np.array2string(value, separator=", ")
    return (f"<div class='gb-array' style='{_MONO}'>{head}"
            f"<pre style='margin:2px 0 0 0;padding:0'>{html.escape(body)}</pre></div>")


# ---------------------------------------------------------------------------
# Compiled functions


def jitted_text(f, p=None, cycle=False):
    """``<jit(f) with 2 cached signature(s)>`` and one line per cache entry."""
    lines = [repr(f)]
    for signature, compiled in f.cache_entries():
        lines.append(f"  {signature}  {'compiled' if compiled else 'traced'}")
    text = "\n".join(lines)
    if p is None:
        return text
    p.text(text)


def jitted_html(f):
    """A table of the cache: one row per input signature, compiled or traced only."""
    entries = f.cache_entries()
    rows = "".join(
        f"<tr><td style='text-align:left'><code>{html.escape(sig)}</code></td>"
        f"<td style='text-align:left'>{'compiled' if compiled else 'traced'}</td></tr>"
        for sig, compiled in entries)
    head = f"<b>jit({html.escape(f.name)})</b> <span style='{_MUTED}'>· {len(entries)} cached " \
           f"signature{'s' if len(entries) != 1 else ''}</span>"
    if not entries:
        return f"<div style='{_MONO}'>{head}<br><span style='{_MUTED}'>not called yet</span></div>"
    return (f"<div style='{_MONO}'>{head}<table><thead><tr><th style='text-align:left'>inputs"
            f"</th><th style='text-align:left'>state</th></tr></thead><tbody>{rows}</tbody>"
            f"</table></div>")


# ---------------------------------------------------------------------------
# Code listings (StableHLO, optimised HLO)


class Code:
    """Program text with a title: plain text for terminals, a ``<pre>`` block for notebooks.

    Lines of StableHLO/HLO get their op names in bold.
    """

    def __init__(self, text, title=""):
        self.text, self.title = text, title

    def __repr__(self):
        return self.text

    def _repr_pretty_(self, p, cycle):
        p.text(self.text)

    def _repr_html_(self):
        body = html.escape(self.text)
        for dialect in ("stablehlo", "chlo", "func", "mhlo"):
            body = body.replace(f"{dialect}.", f"<b>{dialect}.</b>")
        title = f"<div style='{_MUTED}'>{html.escape(self.title)}</div>" if self.title else ""
        return (f"<div style='{_MONO}'>{title}<pre style='margin:2px 0;max-height:40em;"
                f"overflow:auto'>{body}</pre></div>")


# ---------------------------------------------------------------------------
# Tables (%devices, %gb_config)


class Table:
    """Rows of cells with a header; ``text/plain`` aligned columns, ``text/html`` a table."""

    def __init__(self, header, rows, caption=""):
        self.header = [str(h) for h in header]
        self.rows = [[str(c) for c in row] for row in rows]
        self.caption = caption

    def __repr__(self):
        table = [self.header] + self.rows
        widths = [max(len(row[i]) for row in table) for i in range(len(self.header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in table]
        lines.insert(1, "  ".join("-" * w for w in widths))
        if self.caption:
            lines.append(self.caption)
        return "\n".join(lines)

    def _repr_pretty_(self, p, cycle):
        p.text(repr(self))

    def _repr_html_(self):
        th = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.header)
        body = "".join("<tr>" + "".join(f"<td style='text-align:left'><code>{html.escape(c)}"
                                        f"</code></td>" for c in row) + "</tr>"
                       for row in self.rows)
        caption = f"<div style='{_MUTED}'>{html.escape(self.caption)}</div>" if self.caption else ""
        return (f"<div><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"
                f"{caption}</div>")


def devices_table(devices):
    rows = [(d.id, getattr(d, "platform", "?"), getattr(d, "device_kind", "?"),
             getattr(d, "process_index", 0)) for d in devices]
    caption = (f"{len(rows)} device(s); glassbox.config.cpu_device_count = "
               f"{config.cpu_device_count} (set it with %gb_config before the first array)")
    return Table(["id", "platform", "kind", "process"], rows, caption)


# ---------------------------------------------------------------------------
# Registration


def register(shell):
    """Add the formatters to ``shell``'s display formatter; returns an undo function."""
    formatters = shell.display_formatter.formatters
    plain, rich = formatters["text/plain"], formatters["text/html"]
    added = [(plain, ArrayImpl, array_text), (rich, ArrayImpl, array_html)]
    for jitted_type in JITTED_TYPES:
        added += [(plain, jitted_type, jitted_text), (rich, jitted_type, jitted_html)]
    previous = [(fmt, cls, fmt.for_type(cls, fun)) for fmt, cls, fun in added]

    def unregister():
        for fmt, cls, old in previous:
            fmt.pop(cls, None)
            if old is not None:
                fmt.for_type(cls, old)
    return unregister
