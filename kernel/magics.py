"""Notebook magics: ``%%jit``, ``%jaxpr``, ``%hlo``, ``%graph``, ``%devices``, ``%gb_config``.

``%%jit`` compiles a whole cell: the arrays it reads from the notebook become
inputs, the names it assigns become outputs, and the cell runs as one XLA
executable, cached by the inputs' shapes and dtypes like ``glassbox.jit``::

    %%jit
    h = gnp.tanh(x @ w + b)
    loss = ((h - y) ** 2).mean()

Bad usage (unknown option, missing expression) raises IPython's
``UsageError``: a one-line message, no traceback.

Every magic lives here, in one ``Magics`` class, registered by the extension
(``%load_ext glassbox``, which the glassbox kernel loads at start). ``%graph``
and ``%%jit --show graph`` draw with ``glassbox.widgets``, imported when first
used: the widgets never import the kernel.
"""
import collections
import linecache
import re
import sys
import time
import types

import numpy as np
from IPython.core.compilerop import code_name
from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring
from IPython.display import display

import glassbox
from glassbox import compilation_cache, events
from glassbox.config import config
from glassbox.core import Array, Tracer, get_aval
from glassbox.tree_util import keystr, tree_flatten, tree_flatten_with_path

from . import display as gbdisplay
from .cells import RESULT, CellSyntaxError, is_array_tree, parse_cell, parse_expression

_MAX_CELLS = 64   # compiled cells remembered (their executables stay cached)
_ALIASES = {"x64": "enable_x64", "nans": "debug_nans", "devices": "cpu_device_count"}


class Settings:
    """Options of the notebook layer itself (``%gb_config`` shows them beside glassbox.config).

    Attributes:
      traceback: "filtered" (hide glassbox's frames, the default) or "full".
      breakpoint: what ``debug.breakpoint()`` does in a cell: "auto" (the debugger
        widget waits where the front end can answer, otherwise the values are shown
        and the program goes on), "widget" (always wait), "show" (never wait),
        "text" (the text debugger, through the front end's input box).
    """

    CHOICES = {"traceback": ("filtered", "full"),
               "breakpoint": ("auto", "widget", "show", "text")}

    def __init__(self):
        self.traceback = "filtered"
        self.breakpoint = "auto"

    def values(self):
        return {name: getattr(self, name) for name in self.CHOICES}


# ---------------------------------------------------------------------------
# %%jit machinery


class _Statics:
    """The cell's untraced inputs as one hashable value (jit's static argument).

    Numbers, strings and functions compare by value (a redefined function is a
    new value); unhashable objects by identity; arrays marked ``--static`` by
    their contents.
    """

    __slots__ = ("array_names", "items", "_key", "_hash")

    def __init__(self, array_names, items):
        self.array_names = tuple(array_names)
        self.items = tuple(items)
        self._key = (self.array_names, tuple((n, _token(v)) for n, v in self.items))
        self._hash = hash(self._key)

    def __eq__(self, other):
        return type(other) is _Statics and self._key == other._key

    def __hash__(self):
        return self._hash

    def __repr__(self):
        return "statics(" + ", ".join(n for n, _ in self.items) + ")"


def _token(value):
    if isinstance(value, (Array, np.ndarray)):
        host = np.asarray(value)
        return ("array", host.shape, host.dtype.str, host.tobytes())
    try:
        hash(value)
    except TypeError:
        return ("id", id(value))
    return (type(value), value)


def _short(value, limit=40):
    if isinstance(value, (types.FunctionType, type)):
        return f"<{type(value).__name__} {value.__qualname__}>"
    text = repr(value)
    return text if len(text) <= limit else text[:limit - 3] + "..."


def _describe(arrays, statics):
    """``{leaf name: (text, identity)}`` for the recompilation diff."""
    desc = {}
    for name, value in arrays:
        for path, leaf in tree_flatten_with_path(value)[0]:
            desc[name + keystr(path)] = (get_aval(leaf).str_short(), None)
    for name, value in statics.items:
        if isinstance(value, types.ModuleType):
            continue
        desc[name] = (_short(value), _token(value))
    return desc


def signature_diff(old, new):
    """``"x: f32[3] -> f32[5]; n: 3 -> 4"``: what changed between two cell signatures."""
    parts = []
    for name in list(old) + [n for n in new if n not in old]:
        a, b = old.get(name), new.get(name)
        if a == b:
            continue
        if a is None:
            parts.append(f"{name}: new input {b[0]}")
        elif b is None:
            parts.append(f"{name}: no longer read")
        elif a[0] == b[0]:
            parts.append(f"{name}: redefined")
        else:
            parts.append(f"{name}: {a[0]} -> {b[0]}")
    return "; ".join(parts)


class JitCell:
    """One ``%%jit`` cell: its parsed source, its ``glassbox.jit`` function and cache state."""

    def __init__(self, parsed, name):
        self.parsed, self.name = parsed, name
        self.side = {}        # signature -> non-array values the cell assigned (ints, functions)
        self.last = None      # the previous call's signature description
        self.leaf_names = []  # flat input index -> name, to translate jit's own notes
        self.jitted = glassbox.jit(self._traced, static_argnums=1)
        self.jitted.name = name

    def _traced(self, arrays, statics):
        values = dict(zip(statics.array_names, arrays))
        values.update(statics.items)
        fun = self.parsed.function(tuple(values), self._namespace)
        outs, side = {}, {}
        for key, value in fun(**values).items():
            if _is_output(value):
                outs[key] = value
            elif any(isinstance(x, Tracer) for x in tree_flatten(value)[0]):
                shown = "the last expression" if key == RESULT else f"`{key}`"
                raise TypeError(
                    f"%%jit {self.name}: {shown} mixes traced arrays with other values "
                    f"({_short(value, 60)}); a compiled cell's outputs must be arrays or "
                    f"pytrees (lists, tuples, dicts) of arrays only")
            else:
                side[key] = value
        self.side[_side_key(arrays, statics)] = side
        return outs

    def inputs(self, namespace, static_names):
        """``(arrays, statics)`` for this call: ``[(name, value)]`` and a ``_Statics``."""
        params = [n for n in self.parsed.reads if n in namespace]
        unknown = [n for n in static_names if n not in params]
        if unknown:
            raise UsageError(f"%%jit --static {unknown[0]}: the cell reads no notebook variable "
                             f"named {unknown[0]!r} (it reads: {', '.join(params) or 'none'})")
        arrays = [(n, namespace[n]) for n in params
                  if n not in static_names and is_array_tree(namespace[n])]
        array_names = {n for n, _ in arrays}
        statics = _Statics([n for n, _ in arrays],
                           [(n, namespace[n]) for n in params if n not in array_names])
        return arrays, statics

    def run(self, namespace, static_names=(), show=(), timed=False):
        """Run the cell compiled; assign its outputs into ``namespace``; return its result."""
        self._namespace = namespace
        arrays, statics = self.inputs(namespace, static_names)
        leaves = tuple(v for _, v in arrays)
        with events.record("traced", "compiled") as log:
            start = time.perf_counter()
            outs = self.jitted(leaves, statics)
            if timed:
                gbdisplay.wait_until_ready(outs)
            seconds = time.perf_counter() - start
        values = dict(self.side.get(_side_key(leaves, statics), {}))
        values.update(outs)
        desc = _describe(arrays, statics)
        self._report(log, desc, arrays, timed, seconds)
        self.last = desc
        result = values.pop(RESULT, None)
        namespace.update(values)
        for what in show:
            display(self.show(what, leaves, statics))
        return result if self.parsed.has_result else None

    def _report(self, log, desc, arrays, timed, seconds):
        compiled = [e for e in log if e.kind == "compiled" and e["fun_name"] == self.name]
        recompiled = [e for e in compiled if not e["cache_hit"]]
        if recompiled and self.last is not None:
            why = signature_diff(self.last, desc) or self._translate(recompiled[-1]["reason"],
                                                                      arrays)
            print(f"%%jit {self.name}: recompiled ({why or 'new signature'})")
        if timed:
            traced = sum(e["seconds"] for e in log if e.kind == "traced")
            compile_s = sum(e["seconds"] for e in recompiled)
            run = max(seconds - traced - compile_s, 0.0)
            if recompiled:
                print(f"%%jit {self.name}: traced in {traced * 1e3:.1f} ms, lowered and compiled "
                      f"in {compile_s * 1e3:.1f} ms, ran in {run * 1e3:.2f} ms")
            else:
                print(f"%%jit {self.name}: cache hit, ran in {run * 1e3:.2f} ms")

    @staticmethod
    def _translate(reason, arrays):
        """jit's own note (``input 1: ...``) with flat input indices replaced by names."""
        if not reason:
            return reason
        names = [name + keystr(path) for name, value in arrays
                 for path, _ in tree_flatten_with_path(value)[0]]
        return re.sub(r"input (\d+)", lambda m: names[int(m.group(1))]
                      if int(m.group(1)) < len(names) else m.group(0), reason)

    def show(self, what, leaves, statics):
        if what == "jaxpr":
            return self.jitted.trace(leaves, statics).jaxpr
        lowered = self.jitted.lower(leaves, statics)
        if what == "graph":   # imported here: the widgets pull in ipywidgets and anywidget
            from glassbox.widgets import graph_for_jaxpr
            jaxpr = self.jitted.trace(leaves, statics).jaxpr
            return graph_for_jaxpr(jaxpr, title=f"%%jit {self.name}", hlo_text=lowered.as_text(),
                                   hlo_jaxpr=jaxpr)
        if what == "hlo":
            return gbdisplay.Code(lowered.as_text(), f"StableHLO of %%jit {self.name}")
        return gbdisplay.Code(lowered.compile().as_text(), f"optimised HLO of %%jit {self.name}")


def _is_output(value):
    """Arrays (traced or concrete) and pytrees of them leave the executable; the rest stays
    Python."""
    leaves, _ = tree_flatten(value)
    return bool(leaves) and all(isinstance(x, (Array, np.ndarray)) for x in leaves)


def _side_key(arrays, statics):
    leaves, tree = tree_flatten(tuple(arrays))
    return (tree, tuple(get_aval(x) for x in leaves), statics, config.enable_x64)


# ---------------------------------------------------------------------------
# The magics


@magics_class
class GlassboxMagics(Magics):
    """The magics of ``%load_ext glassbox`` (the glassbox kernel loads them at start)."""

    def __init__(self, shell, settings=None):
        super().__init__(shell)
        self.settings = settings or Settings()
        self._cells = collections.OrderedDict()

    # --- helpers
    def _filename(self, source):
        """Register ``source`` in ``linecache`` under an IPython-style cell name, numbered as
        the running cell: tracebacks then show its lines as ``Cell In[n], line m``, and
        glassbox's errors point at them.

        Not ``shell.compile.cache``: ipykernel names cached code ``/tmp/.../<hash>.py``,
        a file that does not exist, and IPython then shows the lines of a function
        compiled from it off by some lines.
        """
        number = self._cell_number()
        name = code_name(source, number)
        linecache.cache[name] = (len(source), None,
                                 [line + "\n" for line in source.splitlines()], name)
        numbers = getattr(self.shell.compile, "_filename_map", None)
        if isinstance(numbers, dict):
            numbers[name] = number
        return name

    def _cell_number(self):
        """The ``In[n]`` of the cell running this magic: the nearest frame of cached cell code."""
        numbers = getattr(self.shell.compile, "_filename_map", {})
        frame = sys._getframe(1)
        while frame is not None:
            number = numbers.get(frame.f_code.co_filename)
            if number is not None:
                return number
            frame = frame.f_back
        return max(self.shell.execution_count - 1, 0)

    def _expression(self, magic, source):
        """``(function of the arrays, their values)`` for an expression given to a line magic."""
        source = source.strip()
        if not source:
            raise UsageError(f"%{magic} needs an expression, e.g. %{magic} f(x)")
        filename = self._filename(f"# %{magic}\n{source}")
        try:
            parsed = parse_expression(source, filename, name=magic, first_line=2)
        except SyntaxError as err:
            raise UsageError(f"%{magic} {source!r} is not a Python expression: {err.msg}") from None
        ns = self.shell.user_ns
        params = tuple(n for n in parsed.reads if n in ns)
        arrays = [n for n in params if is_array_tree(ns[n])]
        rest = {n: ns[n] for n in params if n not in arrays}
        fun = parsed.function(params, ns)

        def expression(*values):
            out = fun(**dict(zip(arrays, values)), **rest)[RESULT]
            if callable(out) and not isinstance(out, Array):
                raise UsageError(f"%{magic} needs an expression that computes arrays, e.g. "
                                 f"%{magic} {source}(x); {source!r} is a function")
            return out
        expression.__name__ = magic
        return expression, [ns[n] for n in arrays]

    # --- %%jit
    @magic_arguments()
    @argument("--show", action="append", default=[],
              choices=["jaxpr", "hlo", "optimized-hlo", "graph"],
              help="also display the cell's jaxpr, its StableHLO, XLA's optimised HLO, or "
                   "its graph (glassbox.widgets)")
    @argument("--time", action="store_true", help="print trace, compile and run times")
    @argument("--static", action="extend", nargs="+", default=[], metavar="NAME",
              help="treat these notebook variables as compile-time constants")
    @argument("--name", default="cell", help="name of the compiled function (default: cell)")
    @cell_magic
    def jit(self, line, cell):
        """Compile the cell with XLA, as one function of the arrays it reads.

        The notebook arrays (and pytrees of arrays) the cell reads are its
        inputs; the names it assigns are written back to the notebook. Other
        values it reads (numbers, functions, modules) are compile-time
        constants: when one changes, the cell recompiles. Re-running with
        the same shapes and dtypes reuses the executable; otherwise a note says
        which input changed. A last-line expression is displayed.
        """
        args = parse_argstring(self.jit, line)
        if not args.name.isidentifier():
            raise UsageError(f"%%jit --name {args.name!r}: the name must be a Python identifier")
        key = (cell, args.name)
        entry = self._cells.get(key)
        if entry is None:
            # The magic line as a comment: the cached text must parse for tracebacks to show it.
            filename = self._filename(f"# %%jit {line}".rstrip() + "\n" + cell)
            try:
                parsed = parse_cell(cell, filename, first_line=2, name=f"jit_{args.name}")
            except CellSyntaxError as err:
                raise UsageError(f"%%jit: {err}") from None
            entry = self._cells[key] = JitCell(parsed, args.name)
            while len(self._cells) > _MAX_CELLS:
                self._cells.popitem(last=False)
        self._cells.move_to_end(key)
        return entry.run(self.shell.user_ns, tuple(args.static), args.show, args.time)

    # --- %jaxpr, %hlo
    @line_magic
    def jaxpr(self, line):
        """``%jaxpr EXPR``: the jaxpr of an expression, as a function of the arrays it reads.

        Example: ``%jaxpr f(x, y)`` or ``%jaxpr gnp.sin(x) * 2``.
        """
        fun, values = self._expression("jaxpr", line)
        return glassbox.make_jaxpr(fun)(*values)

    @line_magic
    def hlo(self, line):
        """``%hlo [--optimized] EXPR``: the StableHLO of an expression compiled with ``jit``.

        ``--optimized`` (or ``-O``) shows the HLO after XLA's optimisation passes.
        """
        first, _, rest = line.strip().partition(" ")
        optimized = first in ("-O", "--optimized", "--optimised")
        if first.startswith("-") and not optimized:
            raise UsageError(f"%hlo: unknown option {first!r}; usage: %hlo [--optimized] EXPR")
        fun, values = self._expression("hlo", rest if optimized else line)
        lowered = glassbox.jit(fun).lower(*values)
        if optimized:
            return gbdisplay.Code(lowered.compile().as_text(), "optimised HLO (after XLA passes)")
        return gbdisplay.Code(lowered.as_text(), "StableHLO")

    # --- %graph
    @line_magic
    def graph(self, line):
        """``%graph [--stages traced,grad,vmap,hlo] EXPR``: the graph view of ``EXPR``.

        Tabs: the traced program, after ``grad`` (scalar expressions), after ``vmap``
        (over a new leading axis of every array it reads) and the StableHLO.
        Example: ``%graph --stages traced,hlo loss(params, x)``.
        """
        from glassbox.widgets import graphview   # here: the widgets pull in ipywidgets
        stages, source = _graph_options(line, graphview.STAGES)
        fun, values = self._expression("graph", source)
        return graphview.graph(fun, stages=stages, title=f"%graph {source}")(*values)

    # --- %jax_is_glassbox
    @line_magic
    def jax_is_glassbox(self, line):
        """``%jax_is_glassbox``: from now on ``import jax`` (and optax, flax, equinox...,
        which import it) gives glassbox in this kernel (``glassbox.install_as_jax()``).

        Run it before anything imports the real jax; restart the kernel to undo it.
        """
        if line.strip():
            raise UsageError("%jax_is_glassbox takes no arguments")
        try:
            jax = glassbox.install_as_jax()
        except ImportError as err:
            raise UsageError(str(err)) from None
        print(f"import jax now gives glassbox (JAX API {jax.__version__}); restart the "
              f"kernel to undo")

    # --- %devices
    @line_magic
    def devices(self, line):
        """``%devices``: the devices glassbox runs on."""
        if line.strip():
            raise UsageError("%devices takes no arguments")
        return gbdisplay.devices_table(glassbox.devices())

    # --- %gb_config
    @line_magic
    def gb_config(self, line):
        """``%gb_config [OPTION=VALUE ...]``: show or set glassbox's configuration.

        Options are those of ``glassbox.config`` (``enable_x64`` or ``x64``,
        ``debug_nans``, ``disable_jit``, ``check_jaxprs``, ``cpu_device_count``,
        which must be set before the first array, ``compilation_cache_dir``
        (``none`` turns the disk cache off), ...) and the notebook's own
        ``traceback=filtered|full`` and ``breakpoint=auto|widget|show|text`` (what
        ``debug.breakpoint()`` does, see ``glassbox.kernel.breakpoints``). Example: ``%gb_config x64=True debug_nans=1``.
        The listing ends with the persistent compilation cache: its directory,
        entries, size, and this session's hits and misses. ``%gb_config
        clear_cache`` deletes its entries.
        """
        tokens = line.split()
        if not tokens:
            return self._config_table()
        if tokens == ["clear_cache"]:
            folder = compilation_cache.directory()
            if folder is None:
                print("the compilation cache is off (compilation_cache_dir is None)")
            else:
                print(f"compilation cache: deleted {compilation_cache.clear()} entries "
                      f"from {folder}")
            return None
        updates = [self._parse_option(t) for t in tokens]
        for key, value in updates:
            if key in Settings.CHOICES:
                old = getattr(self.settings, key)
                setattr(self.settings, key, value)
            else:
                old = config.read(key)
                config.update(key, value)
            print(f"{key}: {old} -> {value}")

    def _config_table(self):
        rows = [(k, v, "glassbox.config") for k, v in config.values().items()]
        rows += [(k, v, "notebook") for k, v in self.settings.values().items()]
        rows.append(("compilation cache", _cache_summary(), "disk"))
        return gbdisplay.Table(["option", "value", "of"], rows,
                               "set with %gb_config OPTION=VALUE (x64 is short for enable_x64); "
                               "%gb_config clear_cache empties the compilation cache")

    def _parse_option(self, token):
        usage = ("usage: %gb_config [OPTION=VALUE ...], e.g. %gb_config x64=True; "
                 "%gb_config clear_cache empties the compilation cache")
        name, sep, text = token.partition("=")
        if not sep or not name or not text:
            raise UsageError(f"%gb_config: {token!r} is not OPTION=VALUE; {usage}")
        if name in Settings.CHOICES:
            if text not in Settings.CHOICES[name]:
                raise UsageError(f"%gb_config {name}= takes one of "
                                 f"{', '.join(map(repr, Settings.CHOICES[name]))}")
            return name, text
        key = _ALIASES.get(name, name)
        options = config.values()
        key = key[4:] if key.startswith("jax_") and key[4:] in options else key
        if key not in options:
            raise UsageError(f"%gb_config: no option {name!r}; options: "
                             f"{', '.join(sorted(options))}, {', '.join(Settings.CHOICES)}")
        value = _parse_value(text, type(options[key]))
        if value is _BAD:
            raise UsageError(f"%gb_config {name}= takes a {type(options[key]).__name__}, "
                             f"got {text!r}")
        if key == "cpu_device_count" and value != options[key] and _runtime_started():
            raise UsageError("%gb_config cpu_device_count= must be set before the first array "
                             "is created; restart the kernel and set it first")
        return key, value


def _graph_options(line, known):
    """``(stages, expression)`` from ``%graph [--stages a,b] EXPR`` (``--stages=a,b`` too)."""
    stages, rest = known, line.strip()
    if rest.startswith("--stages"):
        option, _, rest = rest.partition(" ")
        value = option.partition("=")[2]
        if not value:
            value, _, rest = rest.strip().partition(" ")
        stages = tuple(s.strip() for s in value.split(",") if s.strip())
        unknown = [s for s in stages if s not in known]
        if unknown or not stages:
            raise UsageError(f"%graph: unknown stage(s) {unknown}; stages are {list(known)}")
    if not rest.strip():
        raise UsageError("%graph needs an expression, e.g. %graph loss(params, x)")
    return stages, rest.strip()


def _cache_summary():
    info = compilation_cache.info()
    if info["directory"] is None:
        return "off"
    return (f"{info['entries']} entries, {_size(info['bytes'])} in {info['directory']}; "
            f"this session: {info['hits']} hits, {info['misses']} misses, "
            f"{info['writes']} written")


def _size(nbytes):
    return f"{nbytes / 1e6:.1f} MB" if nbytes >= 1e6 else f"{nbytes / 1e3:.1f} kB"


_BAD = object()   # what _parse_value returns for text that is not of the option's type


def _parse_value(text, kind):
    lowered = text.lower()
    if kind is bool:
        return {"true": True, "1": True, "on": True, "yes": True,
                "false": False, "0": False, "off": False, "no": False}.get(lowered, _BAD)
    if kind is int:
        return int(text) if re.fullmatch(r"[+-]?\d+", text) else _BAD
    if kind is float:
        try:
            return float(text)
        except ValueError:
            return _BAD
    if kind in (str, type(None)) and lowered == "none":   # an optional path: none is off
        return None
    return text


def _runtime_started():
    from glassbox import runtime
    return runtime.started()
