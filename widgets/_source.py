"""Where an equation came from, as the views write it: ``model.py:12``, ``cell line 3``."""
import linecache
import os
import re


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


def line_label(info):
    """``model.py:12: y = f(x)`` (the code cut at 48 characters)."""
    code = source_text(info)
    if len(code) > 48:
        code = code[:45] + "..."
    return f"{short_source(info)}: {code}" if code else short_source(info)


def span_label(infos):
    """The source lines of a stretch of equations: ``model.py:6-9``, ``cell lines 6-9``,
    ``model.py:12`` for one line, ``model.py:6-9, util.py:3-40`` for two files, ``?``
    when unknown."""
    by_file = {}
    for info in infos:
        if info is not None and info.line:
            lines = by_file.setdefault(info.file, [info.line, info.line, info])
            lines[0], lines[1] = min(lines[0], info.line), max(lines[1], info.line)
    parts = []
    for lo, hi, info in by_file.values():
        if lo == hi:
            parts.append(short_source(info))
        elif _CELL_FILE.search(info.file):
            parts.append(f"cell lines {lo}-{hi}")
        else:
            parts.append(f"{os.path.basename(info.file)}:{lo}-{hi}")
    if len(parts) > 2:
        parts[2:] = [f"+{len(parts) - 2} files"]
    return ", ".join(parts) or "?"
