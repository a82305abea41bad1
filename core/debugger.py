"""``debug.breakpoint()``: stop inside a traced program and look at its values.

When ``breakpoint()`` is traced (inside ``jit``, ``vmap``, ``grad``, a loop body...),
it notes the user's frames: for each, its source line and its local variables. The
locals that are traced values become the operands of one ``debug_callback``
equation; the others (numbers, strings, modules) are kept as they are. When the
program runs and reaches that equation, XLA calls back with the values, and a
``Stop`` is handed to a debugger *backend*:

- ``"cli"`` (always there, as JAX's): a text prompt on stdin, ``(gbdb)``, with pdb's
  commands ``p``, ``pp``, ``u``/``d``, ``l``/``ll``, ``w``, ``c`` and ``q``; any other
  line is evaluated on the frame's values.
- ``"jupyter"`` (registered by the glassbox kernel and ``%load_ext glassbox``): the
  debugger widget in the cell's output (``glassbox.kernel.breakpoints``).

Under ``vmap`` the callback runs once per example, so the program stops once per
example, and the stop knows which one (``Stop.example``, the index along each
``vmap``, outermost first). Under ``grad`` it sees the primal values. ``q`` raises
``DebuggerQuit`` (a ``KeyboardInterrupt``), which leaves the program and is raised
to the caller as itself, as an interrupt (Ctrl-C, the kernel's stop button) is.
"""
import cmd
import dataclasses
import linecache
import pprint
import sys
import traceback

import numpy as np

from . import source_info, tree_util
from .core import Tracer, get_aval
from .lax.callbacks import debug_callback_p

__all__ = ["breakpoint", "DebuggerQuit", "DebuggerFrame", "Stop", "register_debugger"]


class DebuggerQuit(KeyboardInterrupt):
    """Raised by the debugger's quit: it leaves the running program, as Ctrl-C does."""


# --- what a stop holds ---------------------------------------------------------------

@dataclasses.dataclass
class DebuggerFrame:
    """One user frame at the breakpoint: where it is and its values."""
    filename: str
    lineno: int
    function: str
    locals: dict
    globals: dict

    def source(self, context=5):
        """``[(line number, text)]`` around the frame's line (what linecache knows:
        files, and notebook cells, which IPython registers there)."""
        lines = linecache.getlines(self.filename, self.globals)
        lo, hi = max(self.lineno - context, 1), min(self.lineno + context, len(lines))
        return [(n, lines[n - 1].rstrip("\n")) for n in range(lo, hi + 1)]

    def evaluate(self, expression):
        """``expression`` evaluated on this frame's values (a statement is executed)."""
        scope = dict(self.locals)
        try:
            code = compile(expression, "<breakpoint>", "eval")
        except SyntaxError:
            exec(compile(expression, "<breakpoint>", "exec"), self.globals, scope)
            return None
        return eval(code, self.globals, scope)


@dataclasses.dataclass
class Stop:
    """The program at a breakpoint: its frames (innermost first), the transforms it
    was traced under (``("jit(f)", "vmap", "grad(f)")``), the example it is at under
    ``vmap`` (``()`` outside), and which stop of this breakpoint it is."""
    frames: list
    transforms: tuple
    example: tuple = ()
    hit: int = 1

    @property
    def location(self):
        frame = self.frames[0] if self.frames else None
        return f"{frame.filename}:{frame.lineno} ({frame.function})" if frame else "?"

    def evaluate(self, expression, frame=0):
        return self.frames[frame].evaluate(expression)


def type_of(value):
    """An array's aval (``f32[3]``), or another value's Python type name."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        try:
            return get_aval(value).str_short()
        except TypeError:
            return f"{np.dtype(value.dtype).name}{list(value.shape)}"
    return type(value).__name__


def short_value(value, width=60, with_type=True):
    """A local's value on one line: ``f32[3] [0. 1. 2.]`` for arrays (without the type
    when ``with_type`` is false)."""
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        text = np.array2string(np.asarray(value), threshold=8, edgeitems=2,
                               max_line_width=10_000).replace("\n", "")
        text = text if len(text) <= width else f"{text[:width - 1]}…"
        return f"{type_of(value)} {text}" if with_type else text
    text = repr(value)
    return text if len(text) <= width else text[:width - 1] + "…"


# --- tracing the breakpoint ------------------------------------------------------------

def _user_frames(frame, filter_frames, num_frames):
    frames = []
    while frame is not None and (num_frames is None or len(frames) < num_frames):
        if not filter_frames or source_info.is_user_file(frame.f_code.co_filename):
            frames.append(frame)
        frame = frame.f_back
    return frames


def _frame_locals(frame):
    """A frame's locals; none at module level (its locals are the globals, which
    expressions can still reach)."""
    return {} if frame.f_code.co_name == "<module>" else dict(frame.f_locals)


class _Breakpoint:
    """The ``debug_callback`` of one traced breakpoint: rebuilds its frames from the
    values XLA sends and hands the stop to the debugger.

    ``for_example(i)`` is asked for by ``debug_callback``'s ``vmap`` rule, which calls
    one copy per example; the copy knows its example's index."""

    def __init__(self, frames, in_tree, static, transforms, backend, example=()):
        self.frames, self.in_tree, self.static = frames, in_tree, static
        self.transforms, self.backend, self.example = transforms, backend, example
        self.hits = [0]   # shared by the copies: how often this breakpoint stopped

    def for_example(self, i):
        copy = _Breakpoint(self.frames, self.in_tree, self.static, self.transforms,
                           self.backend, (i,) + self.example)
        copy.hits = self.hits
        return copy

    def __call__(self, *dynamic):
        dynamic = iter(dynamic)   # a token's leaves, if any, come last and are unused
        leaves = [self.static[i] if i in self.static else next(dynamic)
                  for i in range(self.in_tree.num_leaves)]
        all_locals = tree_util.tree_unflatten(self.in_tree, leaves)
        frames = [DebuggerFrame(f, line, fn, scope, g)
                  for (f, line, fn, g), scope in zip(self.frames, all_locals)]
        self.hits[0] += 1
        run_debugger(Stop(frames, self.transforms, self.example, self.hits[0]), self.backend)
        return ()

    # Equal parameters let a retrace of the same function find the same equation.
    def __eq__(self, other):
        return self is other

    def __hash__(self):
        return id(self)


def breakpoint(*, backend=None, filter_frames=True, num_frames=None, ordered=False,
               token=None, **kwargs):
    """Stop here when the program runs, and open a debugger on the values in scope.

    Works eagerly and inside ``jit``, ``vmap`` (one stop per example), ``grad`` (the
    primal values) and loops (one stop per iteration). ``backend`` names a debugger
    (``"cli"``, or ``"jupyter"`` in a notebook; by default the best one available).
    ``filter_frames`` hides glassbox's own frames; ``num_frames`` limits how many
    frames are kept. Stops are always in program order (``ordered`` is accepted for
    JAX's signature: a breakpoint is ordered whatever it says), so the examples of a
    ``vmap`` come in order. ``token`` (a pytree of arrays) makes it run once that
    value exists and is returned unchanged, as in JAX.
    """
    if kwargs:
        raise TypeError(f"breakpoint() got unexpected keyword arguments {sorted(kwargs)}")
    if backend is not None:
        _backend(backend)   # an unknown name fails here, while tracing
    frames = _user_frames(sys._getframe(1), filter_frames, num_frames)
    where = [(f.f_code.co_filename, f.f_lineno, f.f_code.co_name, f.f_globals)
             for f in frames]
    leaves, in_tree = tree_util.tree_flatten([_frame_locals(f) for f in frames])
    dynamic = [x for x in leaves if isinstance(x, Tracer)]
    static = {i: x for i, x in enumerate(leaves) if not isinstance(x, Tracer)}
    if token is not None:
        dynamic += tree_util.tree_leaves(token)
    hit = _Breakpoint(where, in_tree, static, source_info.current().name_stack, backend)
    # Always ordered: XLA may run unordered callbacks in any order, and stepping through
    # the examples of a vmap should go 0, 1, 2.
    del ordered
    debug_callback_p.bind(*dynamic, callback=hit, ordered=True, partitioned=False)
    return token


# --- backends ---------------------------------------------------------------------------

_debuggers = {}   # name -> (priority, available(), run(stop))


def register_debugger(name, run, *, priority=0, available=lambda: True):
    """Add a debugger backend: ``run(stop)`` returns when the program may go on. The
    available one of highest priority is used unless ``breakpoint(backend=...)``
    names one."""
    _debuggers[name] = (priority, available, run)


def unregister_debugger(name):
    _debuggers.pop(name, None)


def _backend(name):
    if name not in _debuggers:
        raise ValueError(f"breakpoint(backend={name!r}): no such debugger; the registered "
                         f"ones are {sorted(_debuggers)}")
    return _debuggers[name][2]


def run_debugger(stop, backend=None):
    if backend is not None:
        return _backend(backend)(stop)
    ready = [(p, name) for name, (p, available, _) in _debuggers.items() if available()]
    return _backend(max(ready)[1])(stop)


# --- the text debugger --------------------------------------------------------------------

def describe(stop, frame=0):
    """The stop as text: where, under which transforms, and the frame's values."""
    f = stop.frames[frame]
    lines = [f"Stopped at {f.filename}:{f.lineno} ({f.function})"]
    if stop.transforms:
        lines.append("  transforms: " + " > ".join(stop.transforms))
    if stop.example:
        lines.append("  example: " + ", ".join(map(str, stop.example)) + " (index under vmap)")
    for name, value in f.locals.items():
        lines.append(f"  {name} = {short_value(value)}")
    return "\n".join(lines)


class TextDebugger(cmd.Cmd):
    """JAX's command-line debugger, on a ``Stop``: ``(gbdb)`` prompt, pdb's commands."""

    prompt = "(gbdb) "

    def __init__(self, stop, stdin=None, stdout=None):
        super().__init__(stdin=stdin, stdout=stdout)
        self.use_rawinput = stdin is None
        self.stop, self.frame = stop, 0

    def _print(self, *args):
        print(*args, file=self.stdout)

    def _source(self, context):
        f = self.stop.frames[self.frame]
        for n, text in f.source(context):
            self._print(f"{'->' if n == f.lineno else '  '} {n:4d} {text}")

    def default(self, line):
        try:
            result = self.stop.evaluate(line, self.frame)
            if result is not None:
                self._print(repr(result))
        except Exception:
            self._print(traceback.format_exc(limit=0).rstrip())

    def do_p(self, arg):
        """p EXPR: print the value of EXPR in the current frame."""
        self.default(arg)

    def do_pp(self, arg):
        """pp EXPR: pretty-print the value of EXPR."""
        try:
            self._print(pprint.pformat(self.stop.evaluate(arg, self.frame)))
        except Exception:
            self._print(traceback.format_exc(limit=0).rstrip())

    def do_up(self, _):
        """u(p): move to the calling frame."""
        if self.frame + 1 >= len(self.stop.frames):
            self._print("*** At topmost frame")
        else:
            self.frame += 1
            self._source(1)
    do_u = do_up

    def do_down(self, _):
        """d(own): move back towards the breakpoint's frame."""
        if self.frame == 0:
            self._print("*** At bottommost frame")
        else:
            self.frame -= 1
            self._source(1)
    do_d = do_down

    def do_list(self, _):
        """l(ist): the source around the current line."""
        self._source(5)
    do_l = do_list

    def do_longlist(self, _):
        """ll: the whole source around the frame (20 lines each side)."""
        self._source(20)
    do_ll = do_longlist

    def do_where(self, _):
        """w(here): the frames, the transforms and the example."""
        for i, f in reversed(list(enumerate(self.stop.frames))):
            self._print(f"{'>' if i == self.frame else ' '} {f.filename}:{f.lineno} ({f.function})")
        self._print(describe(self.stop, self.frame).split("\n", 1)[-1])
    do_w = do_where

    def do_continue(self, _):
        """c(ontinue): let the program run on (it stops at the next breakpoint)."""
        return True
    do_c = do_cont = do_continue

    def do_quit(self, _):
        """q(uit): leave the program (DebuggerQuit is raised to its caller)."""
        raise DebuggerQuit(f"quit at the breakpoint in {self.stop.location}")
    do_q = do_exit = do_quit

    def do_EOF(self, _):
        self._print()
        return True


def _run_text_debugger(stop):
    debugger = TextDebugger(stop)
    debugger.cmdloop(describe(stop) + "\n" + "\n".join(
        f"{'->' if n == stop.frames[0].lineno else '  '} {n:4d} {text}"
        for n, text in stop.frames[0].source(2)) if stop.frames else "Stopped")


register_debugger("cli", _run_text_debugger, priority=0)
