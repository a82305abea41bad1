"""Escaping, graphviz and the static HTML fallback shared by every view.

Everything that reaches HTML or SVG passes through here: labels come from user
code (function names, pytree keys, axis names, string parameters), so they are
escaped on the way into DOT, graphviz escapes them again on the way into SVG,
and ``sanitize_svg`` drops anything script-like from what comes back. The
front end inserts only that sanitized SVG as markup; every other string it
shows goes in with ``textContent``.
"""
import functools
import hashlib
import html
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
ET.register_namespace("", SVG_NS)
ET.register_namespace("xlink", XLINK_NS)


class GraphvizMissing(RuntimeError):
    """graphviz's ``dot`` is not on PATH (``apt-get install graphviz``; ``make test`` does it)."""


class LayoutTimeout(RuntimeError):
    """graphviz took longer than ``DOT_TIMEOUT`` seconds (collapse more groups)."""


DOT_TIMEOUT = 20.0


def escape_html(text):
    """``text`` (any object) as HTML text: ``<``, ``>``, ``&`` and quotes become entities."""
    return html.escape(str(text), quote=True)


def dot_string(text):
    """A DOT double-quoted string whose content graphviz shows as ``text``, literally.

    Backslashes are doubled (DOT would read ``\\l``, ``\\N`` as escapes), quotes and
    ``& < >`` become entities (graphviz keeps entities as they are in SVG), so the
    SVG shows exactly ``text`` and never markup from it. Newlines split lines.
    """
    lines = str(text).split("\n")
    body = "\\n".join(escape_html(line.replace("\\", "\\\\")) for line in lines)
    return f'"{body}"'


def dot_id(text):
    """An identifier safe to use unquoted in DOT and as an SVG/HTML id (letters, digits, _ -)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(text))


@functools.lru_cache(maxsize=1)
def dot_executable():
    path = shutil.which("dot")
    if path is None:
        raise GraphvizMissing(
            "the graph views lay out graphs with graphviz's `dot`, which is not installed: "
            "run `apt-get install graphviz` (or `make test`, which installs it)")
    return path


@functools.lru_cache(maxsize=64)
def _run_dot_cached(digest, source):
    try:
        done = subprocess.run([dot_executable(), "-Tsvg"], input=source.encode(),
                              capture_output=True, timeout=DOT_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise LayoutTimeout(f"graphviz needed more than {DOT_TIMEOUT:g} s for this graph; "
                            f"collapse more groups") from None
    if done.returncode != 0:
        raise RuntimeError(f"graphviz dot failed: {done.stderr.decode(errors='replace')[:500]}")
    return sanitize_svg(done.stdout.decode())


def run_dot(source):
    """SVG text for the DOT ``source`` (sanitized; identical sources are laid out once)."""
    digest = hashlib.sha1(source.encode()).hexdigest()
    return _run_dot_cached(digest, source)


# Elements and attributes graphviz's SVG output uses; anything else is dropped.
_SVG_ELEMENTS = {"svg", "g", "title", "path", "polygon", "polyline", "ellipse", "circle",
                 "text", "a", "rect", "line", "defs", "linearGradient", "radialGradient",
                 "stop", "tspan"}
_SAFE_HREF = re.compile(r"^#[A-Za-z0-9_-]*$")


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def sanitize_svg(svg):
    """Keep graphviz's drawing elements only: no scripts, event handlers, foreign objects,
    external references, DOCTYPE or comments (comments carry raw node names)."""
    start = svg.find("<svg")
    if start < 0:
        raise ValueError("graphviz returned no <svg> element")
    root = ET.fromstring(svg[start:])
    _clean(root)
    return ET.tostring(root, encoding="unicode")


def _clean(element):
    for child in list(element):
        if _local(child.tag) not in _SVG_ELEMENTS:
            element.remove(child)
        else:
            _clean(child)
    for name in list(element.attrib):
        local = _local(name).lower()
        value = element.attrib[name]
        if local.startswith("on") or local == "style" and "url(" in value:
            del element.attrib[name]
        elif local == "href" and not _SAFE_HREF.match(value):
            del element.attrib[name]   # graphviz links only when asked (URL/href attrs)


# ---------------------------------------------------------------------------
# Static fallback: one self-contained HTML fragment, no script, no external file

# The static picture is a light card with its own colours: it reads on white pages and
# on dark ones (JupyterLab's dark theme, GitHub's dark mode) alike.
_STATIC_CSS = (
    "font-family:system-ui,-apple-system,'Segoe UI',sans-serif;font-size:12px;"
    "background:#fff;color:#1f2328;"
    "border:1px solid #d0d7de;border-radius:6px;padding:8px;max-width:100%;overflow:auto")


def static_page(title, sections):
    """An HTML fragment showing ``sections`` [(heading, html_body)] under ``title``.

    Headings are escaped here; bodies must already be safe (sanitized SVG or escaped).
    """
    parts = [f"<div class='gb-static' style=\"{_STATIC_CSS}\">",
             f"<div style='font-weight:600;margin-bottom:4px'>{escape_html(title)}</div>"]
    for heading, body in sections:
        parts.append(f"<div style='margin:6px 0 2px;color:#57606a'>{escape_html(heading)}</div>")
        parts.append(f"<div style='overflow:auto;max-height:640px'>{body}</div>")
    parts.append("</div>")
    return "".join(parts)


def html_table(columns, rows, bar_column=None):
    """An escaped HTML table; ``bar_column`` (index) draws a bar from a row's ``_bar`` (0..1)."""
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{escape_html(c)}</th>"
                   for c in columns)
    body = []
    for row in rows:
        cells = []
        for i, value in enumerate(row["cells"]):
            text = escape_html(value)
            if i == bar_column and row.get("bar") is not None:
                width = max(0.0, min(1.0, float(row["bar"]))) * 120
                text = (f"<span style='display:inline-block;width:{width:.0f}px;height:8px;"
                        f"background:{_FLAG_COLOURS.get(row.get('flag'), '#4c8bf5')};"
                        f"margin-right:6px'></span>{text}")
            cells.append(f"<td style='padding:2px 8px;font-family:monospace'>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f"<table style='border-collapse:collapse'><tr>{head}</tr>" + "".join(body)
            + "</table>")


# Okabe-Ito's colour-blind-safe palette (the same in gradflow.py and graphview.js); every
# flag is also written out in words beside its bar.
_FLAG_COLOURS = {"vanishing": "#56B4E9", "exploding": "#E69F00", "nonfinite": "#D55E00",
                 None: "#0072B2"}


def text_block(lines):
    """Escaped preformatted text (StableHLO, ...)."""
    return ("<pre style='font-size:11px;line-height:1.35;margin:0'>"
            + "\n".join(escape_html(line) for line in lines) + "</pre>")
