"""The step-through view: a traced program one equation at a time, for the classroom.

    gbw.step(f)(x, y)                  # First / Previous / Next / Last through make_jaxpr(f)
    gbw.step(f, predict=True)(x, y)    # type each result's type (f32[3,4]) before it shows
    gbw.step(loss, grad=True)(w, x)    # the forward pass, then the backward pass: the
                                       # cotangent arriving at every forward value

Each step is one equation of ``make_jaxpr(f)(*args)``, in order: the user's
source line it came from is highlighted among the lines around it, the jaxpr
grows (the equations so far, the current one marked, later ones not shown yet),
and the current result's type (shape, dtype, weak type) and value are shown.

With ``grad=True`` (``f`` returns one float scalar, as for ``grad``) the forward
steps are followed by the backward pass, walked the way reverse mode does it by
hand: the equations in reverse order, each transposed on its own with
``glassbox.vjp`` at the forward values. A backward step says which forward value's
cotangent has arrived (all its uses are done), and which values it sends
cotangents to, with their types, norms and the backward equations of that one
transposition. The cotangents reaching the inputs are the gradient (the tests
compare them with ``grad``). ``gbw.step(glassbox.grad(f))(x)`` also works: it steps
through grad's own program as traced, its backward (``transpose``) equations marked.

Python holds all state (the front end only draws the traits and sends button
clicks), so ``next()``, ``prev()``, ``first()``, ``last()``, ``goto(i)``,
``check("f32[3]")`` and ``reveal()`` drive the view from Python and from tests.
"""
import inspect
import linecache
import os
import pathlib
import re
from dataclasses import dataclass, field

import numpy as np
import traitlets

import glassbox
import glassbox.numpy as jnp
from glassbox.core import Literal, dtype_short_name
from glassbox.pretty import VarNames, pp_eqn, pp_jaxpr
from glassbox.tree_util import tree_flatten

from ._base import View
from ._graph import is_backward
from ._interp import fun_name, interpret
from ._render import escape_html, html_table
from ._source import short_source
from .graphview import arg_labels

_HERE = pathlib.Path(__file__).parent
MAX_FUNCTION_LINES = 40   # a function this long or shorter is shown whole; else a window


# ---------------------------------------------------------------------------
# What a step shows


@dataclass
class Shown:
    """One value a step shows: an equation's result, or a cotangent.

    ``name`` is the jaxpr's name of the (primal) value (``d``), ``label`` what the
    user calls it when it is an input (``x``, ``params['w']``), ``value`` the
    concrete array (None when the arguments were abstract).
    """
    name: str
    aval: object
    value: object = None
    label: str = ""

    @property
    def norm(self):
        """The 2-norm of the value (None when there is none, or it is not numeric)."""
        array = _host(self.value)
        if array is None or not np.issubdtype(array.dtype, np.number):
            return None
        return float(np.linalg.norm(array.astype(np.complex128 if np.iscomplexobj(array)
                                                  else np.float64).ravel()))

    def state(self):
        aval, norm = self.aval, self.norm
        return {"name": self.name, "label": self.label, "type": aval.str_short(),
                "shape": list(aval.shape), "dtype": aval.dtype.name,
                "weak_type": bool(aval.weak_type), "value": _preview(self.value),
                "norm": "" if norm is None else f"{norm:.4g}"}


@dataclass
class Step:
    """One step: a forward equation, or (``phase == "backward"``) its transposition.

    Forward: ``results`` are the equation's outputs. Backward: ``received`` are the
    cotangents of the equation's outputs (complete: every later use is done),
    ``results`` the cotangents it sends to its inputs (one per input value),
    ``complete`` says for each whether that input's cotangent is now whole (this was
    its first use), ``totals`` is that whole cotangent where it is, and
    ``backward_text`` the backward equations of this one transposition.
    """
    index: int
    phase: str
    eqn: object
    eqn_index: int   # the equation's position in the jaxpr
    text: str
    results: list
    received: list = field(default_factory=list)
    complete: list = field(default_factory=list)
    totals: list = field(default_factory=list)
    backward_text: str = ""

    @property
    def primitive(self):
        return self.eqn.primitive.name

    @property
    def source_info(self):
        return self.eqn.source_info

    @property
    def avals(self):
        """The types a prediction is checked against: the results' avals."""
        return [r.aval for r in self.results]

    def question(self):
        names = ", ".join(r.name for r in self.results)
        if self.phase == "forward":
            return f"the type of {names}" if self.results else ""
        return f"the type of the cotangents sent to {names}"


def _host(value):
    if value is None:
        return None
    try:
        return np.asarray(value)
    except Exception:   # a key array, a token: nothing numeric to show
        return None


def _preview(value):
    array = _host(value)
    if array is None:
        return ""
    text = np.array2string(array, precision=4, threshold=24, edgeitems=3, suppress_small=True,
                           max_line_width=72)
    return text if len(text) <= 600 else text[:597] + "..."


# ---------------------------------------------------------------------------
# Reading a typed guess: "f32[3,4]", "float32[3, 4]", "f32[] i32[2]", "(f32[3], f32[3])"

_TYPE = re.compile(r"([A-Za-z][A-Za-z0-9_]*)\s*(?:\[([^\]]*)\])?\s*(\{\s*weak\s*\})?")
_DTYPE_NAMES = ("bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                "uint64", "float16", "bfloat16", "float32", "float64", "complex64",
                "complex128")


def _dtype_table():
    table = {"pred": np.dtype(bool), "bool_": np.dtype(bool)}
    for name in _DTYPE_NAMES:
        dtype = np.dtype(getattr(jnp, name))
        table[name] = table[dtype_short_name(dtype)] = dtype
    return table


_DTYPES = _dtype_table()


def parse_types(text):
    """``[(shape, dtype)]`` from a typed guess such as ``f32[3,4]`` (a scalar: ``f32[]``
    or ``f32``; several results: ``f32[3], i32[]``). Raises ``ValueError`` with what
    could not be read."""
    found, end = [], 0
    text = text.strip()
    for match in _TYPE.finditer(text):
        gap = text[end:match.start()]
        if gap.strip(" \t,()"):
            raise ValueError(f"could not read {gap.strip()!r} in {text!r}")
        end = match.end()
        name, dims = match.group(1), match.group(2)
        dtype = _DTYPES.get(name.lower())
        if dtype is None:
            raise ValueError(f"{name!r} is not a dtype; write one like f32, i32, bool, "
                             f"bf16 or float32")
        shape = []
        for dim in (dims or "").split(","):
            dim = dim.split("@")[0].strip()   # 8@x: a sharded dimension is still 8
            if not dim:
                continue
            if not dim.isdigit():
                raise ValueError(f"dimension {dim!r} in {match.group(0)!r} is not a "
                                 f"whole number")
            shape.append(int(dim))
        found.append((tuple(shape), dtype))
    if text[end:].strip(" \t,()"):
        raise ValueError(f"could not read {text[end:].strip()!r} in {text!r}")
    if not found:
        raise ValueError("type a shape and dtype, like f32[3,4] (or f32[] for a scalar)")
    return found


def _short(shape, dtype):
    return f"{dtype_short_name(dtype)}[{','.join(map(str, shape))}]"


def compare_types(guess, avals):
    """``(right, explanation)`` for a parsed guess against the true avals (shape and
    dtype compared; weak types are not asked for)."""
    truth = [(tuple(a.shape), np.dtype(a.dtype)) for a in avals]
    said = ", ".join(_short(*g) for g in guess)
    answer = ", ".join(_short(*t) for t in truth)
    if len(guess) != len(truth):
        return False, (f"you gave {len(guess)} type(s), there are {len(truth)}: "
                       f"{answer}")
    wrong = [("shape" if g[0] != t[0] else "") + (" and " if g[0] != t[0] and g[1] != t[1]
                                                  else "") + ("dtype" if g[1] != t[1] else "")
             for g, t in zip(guess, truth) if g != t]
    if not wrong:
        return True, f"right: {answer}"
    return False, f"not quite: you said {said}, it is {answer} (the {wrong[0]} differs)"


# ---------------------------------------------------------------------------
# Building the steps


class _Program:
    """``f``'s jaxpr at the arguments, its printed lines, the forward values and, for
    grad, the backward walk."""

    def __init__(self, fun, args, grad, argnums):
        leaves = tree_flatten(tuple(args))[0]
        self.closed = glassbox.make_jaxpr(fun)(*args)
        jaxpr = self.closed.jaxpr
        # Named in the order print(jaxpr) names them (constants, inputs, then equations),
        # so the lines read exactly as the printed jaxpr.
        self.names = names = VarNames()
        self.header = pp_jaxpr(jaxpr, names=names).split("\n", 1)[0].strip()
        self.lines = [pp_eqn(eqn, names) for eqn in jaxpr.eqns]
        outs = ", ".join(names(v) for v in jaxpr.outvars)
        self.footer = f"in ({outs}{',' if len(jaxpr.outvars) == 1 else ''}) }}"
        self.labels = dict(zip(jaxpr.invars, arg_labels(fun, args)))
        concrete = not any(isinstance(x, glassbox.ShapeDtypeStruct) for x in leaves)
        if grad and not concrete:
            raise TypeError("step(f, grad=True) needs concrete arguments (arrays), not "
                            "ShapeDtypeStructs: the backward pass shows real cotangents")
        self.env, self.note = {}, ""
        if concrete:
            try:   # the forward values, equation by equation
                interpret(jaxpr, self.closed.consts, leaves, self.env.__setitem__)
            except Exception as err:   # types are still worth stepping through
                if grad:
                    raise
                self.env = {}
                self.note = f"values not shown: running the program failed: {err}"
        self.steps = [self._forward_step(i, eqn) for i, eqn in enumerate(jaxpr.eqns)]
        self.gradients = self.seed = self.diff_inputs = None
        if grad:
            self.steps += self._backward_steps(fun, args, argnums)

    def shown(self, var, value=None):
        name = self.names(var)
        return Shown(name, var.aval, self.env.get(var) if value is None else value,
                     self.labels.get(var, ""))

    def _forward_step(self, i, eqn):
        phase = "backward" if is_backward(eqn) else "forward"   # step(grad(f)) marks them
        return Step(i, phase, eqn, i, self.lines[i], [self.shown(v) for v in eqn.outvars])

    # --- the backward walk: each equation transposed on its own, last to first
    def _backward_steps(self, fun, args, argnums):
        jaxpr = self.closed.jaxpr
        if len(jaxpr.outvars) != 1 or jaxpr.outvars[0].aval.shape != () or \
                not np.issubdtype(jaxpr.outvars[0].aval.dtype, np.floating):
            outs = ", ".join(v.aval.str_short() for v in jaxpr.outvars)
            raise TypeError(f"step(f, grad=True) needs f to return one float scalar, as "
                            f"grad does; {fun_name(fun)} returns {outs or 'nothing'}")
        diff = self._diff_inputs(fun, args, argnums)
        active = set(diff)   # the values that depend on a differentiated input
        for eqn in jaxpr.eqns:
            if any(type(v) is not Literal and v in active for v in eqn.invars):
                active.update(v for v in eqn.outvars
                              if np.issubdtype(v.aval.dtype, np.inexact))
        out = jaxpr.outvars[0]
        seeded = type(out) is not Literal and out in active
        # Which equations the walk transposes (some output's cotangent is nonzero, some
        # input is differentiated), and where each value is first used by one of them:
        # there, last in the walk, its cotangent is complete.
        live, walk, first_use = {out} if seeded else set(), [], {}
        for k in reversed(range(len(jaxpr.eqns))):
            eqn = jaxpr.eqns[k]
            outs = [i for i, v in enumerate(eqn.outvars) if v in live]
            ins = [p for p, v in enumerate(eqn.invars) if type(v) is not Literal and v in active]
            if outs and ins:
                walk.append((k, eqn, outs, ins))
                for p in ins:
                    live.add(eqn.invars[p])
                    first_use[eqn.invars[p]] = k
        ct = {out: jnp.ones((), out.aval.dtype)} if seeded else {}
        self.seed = self.shown(out, ct[out]) if seeded else None
        steps = []
        for k, eqn, outs, ins in walk:
            steps.append(self._transpose(len(self.steps) + len(steps), k, eqn, outs, ins,
                                         ct, first_use))
        self.gradients = [ct.get(v, jnp.zeros(v.aval.shape, v.aval.dtype)) for v in diff]
        self.diff_inputs = diff
        return steps

    def _diff_inputs(self, fun, args, argnums):
        nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
        bad = [n for n in nums if not -len(args) <= n < len(args)]
        if bad:
            raise ValueError(f"step(f, grad=True): argnums {argnums!r} is out of range for "
                             f"{len(args)} positional argument(s)")
        counts = [len(tree_flatten(a)[0]) for a in args]
        invars, diff, start = self.closed.jaxpr.invars, [], 0
        for i, n in enumerate(counts):
            if i in nums or i - len(args) in nums:
                for v in invars[start:start + n]:
                    if not np.issubdtype(v.aval.dtype, np.inexact):
                        raise TypeError(f"step(f, grad=True): input {self.labels[v]} is "
                                        f"{v.aval.str_short()}; grad needs float inputs "
                                        f"(pick others with argnums=)")
                    diff.append(v)
            start += n
        return diff

    def _transpose(self, index, k, eqn, outs, ins, ct, first_use):
        vals = [v.val if type(v) is Literal else self.env[v] for v in eqn.invars]

        def one_equation(*xs):
            full = list(vals)
            for p, x in zip(ins, xs):
                full[p] = x
            results = eqn.primitive.bind(*full, **eqn.params)
            results = results if eqn.primitive.multiple_results else [results]
            return [results[i] for i in outs]
        received = [ct.pop(eqn.outvars[i]) for i in outs]
        try:
            _, backward = glassbox.vjp(one_equation, *[vals[p] for p in ins])
            sent = backward(received)
            backward_jaxpr = glassbox.make_jaxpr(backward)(received)
        except Exception as err:
            message = (f"step(f, grad=True): cannot transpose '{eqn.primitive.name}' "
                       f"(equation {k}, {short_source(eqn.source_info)}): {err}")
            try:
                error = type(err)(message)
            except Exception:   # an error class whose constructor wants more
                error = RuntimeError(message)
            raise error from err
        per_var = {}   # one cotangent per input value (x used twice: its two parts summed)
        for p, c in zip(ins, sent):
            v = eqn.invars[p]
            per_var[v] = per_var[v] + c if v in per_var else c
        results, complete, totals = [], [], []
        for v, c in per_var.items():
            ct[v] = ct[v] + c if v in ct else c
            results.append(self.shown(v, c))
            done = first_use[v] == k
            complete.append(done)
            totals.append(self.shown(v, ct[v]) if done else None)
        text = (", ".join(f"ct_{r.name}:{r.aval.str_short()}" for r in results) + " <- "
                + f"transpose({eqn.primitive.name}) "
                + " ".join(f"ct_{self.names(eqn.outvars[i])}" for i in outs))
        return Step(index, "backward", eqn, k, text, results,
                    received=[self.shown(eqn.outvars[i], c) for i, c in zip(outs, received)],
                    complete=complete, totals=totals,
                    backward_text=_backward_text(backward_jaxpr.jaxpr,
                                                 [self.names(eqn.outvars[i]) for i in outs],
                                                 [self.names(eqn.invars[p]) for p in ins]))


class _BackwardNames(VarNames):
    """Names for a transposition's jaxpr: ``ct_<value>`` for cotangents, ``r0, r1, ...``
    for the forward values it reads, ``t0, t1, ...`` for the rest (letters would be
    mistaken for the forward program's values)."""

    def __init__(self, jaxpr, out_names, in_names):
        super().__init__()
        for i, v in enumerate(jaxpr.constvars):
            self.names[v] = f"r{i}"
        for v, name in zip(jaxpr.invars, out_names):
            self.names[v] = f"ct_{name}"
        repeated = {n for n in in_names if in_names.count(n) > 1}
        seen = {}
        for v, name in zip(jaxpr.outvars, in_names):
            if name in repeated:   # x used twice (mul x x): one part per use, then summed
                seen[name] = seen.get(name, 0) + 1
                name = f"{name}_{seen[name]}"
            if type(v) is not Literal and v not in self.names:
                self.names[v] = f"ct_{name}"
        self.temporaries = 0

    def __call__(self, var):
        if type(var) is not Literal and var not in self.names:
            self.names[var] = f"t{self.temporaries}"
            self.temporaries += 1
        return super().__call__(var)


def _backward_text(jaxpr, out_names, in_names):
    """The backward equations of one transposition, as ``print`` writes a jaxpr."""
    return pp_jaxpr(jaxpr, names=_BackwardNames(jaxpr, out_names, in_names))


# ---------------------------------------------------------------------------
# Source lines around a step


def _function_lines(fun):
    """``(file, first line, last line)`` of ``fun``'s source, or None."""
    try:
        target = inspect.unwrap(fun)
        lines, start = inspect.getsourcelines(target)
        return os.path.abspath(inspect.getsourcefile(target)), start, start + len(lines) - 1
    except (TypeError, OSError):
        return None


def _source_window(info, function=None, context=3):
    """``{"where", "line", "lines": [[n, text]]}``: the lines around ``info``'s line
    (all of ``function`` when the line is inside it and it is short enough)."""
    if info is None or not info.line:
        return {"where": "source unknown", "line": 0, "lines": []}
    lo, hi = info.line - context, info.line + context
    if function is not None and function[0] == os.path.abspath(info.file) and \
            function[1] <= info.line <= function[2] and \
            function[2] - function[1] < MAX_FUNCTION_LINES:
        lo, hi = function[1], function[2]
    lines = [[n, linecache.getline(info.file, n).rstrip("\n")] for n in range(max(1, lo), hi + 1)]
    while lines and not lines[-1][1].strip() and lines[-1][0] > info.line:
        lines.pop()
    stack = "/".join(info.name_stack)
    return {"where": short_source(info), "line": info.line, "lines": lines,
            "function": info.function, "name_stack": stack}


# ---------------------------------------------------------------------------
# The view


class StepView(View):
    """A traced program shown one equation at a time (see the module docstring).

    Traits (synced; Python computes everything the front end draws):
      index, count: the current step (0-based) and how many there are.
      current: the current step as drawn: phase, primitive, text, results (empty and
        ``revealed`` false while a prediction is pending), received, backward...
      source: the source lines around the current step's line (``line`` is marked).
      program: the jaxpr so far: ``header``, ``forward`` and ``backward`` lines (each
        ``{"n", "text", "state"}``, state "done" or "current", or "transposing" for
        the forward equation a backward step transposes), ``footer`` once complete.
      cotangents: in the backward pass, every forward value whose cotangent has arrived.
      predict, grad: the modes. score: ``{"right", "wrong", "shown", "steps"}``.
      feedback: the last check's ``{"ok", "text"}``; note: why a button did nothing.

    Front-end messages: ``{"action": "next" | "prev" | "first" | "last" | "reveal"}``,
    ``{"action": "goto", "index": i}``, ``{"action": "check", "guess": "f32[3]"}``.
    """

    _esm = _HERE / "stepper.js"

    index = traitlets.Int(0).tag(sync=True)
    count = traitlets.Int(0).tag(sync=True)
    predict = traitlets.Bool(False).tag(sync=True)
    grad = traitlets.Bool(False).tag(sync=True)
    current = traitlets.Dict().tag(sync=True)
    source = traitlets.Dict().tag(sync=True)
    program = traitlets.Dict().tag(sync=True)
    cotangents = traitlets.List(traitlets.Dict()).tag(sync=True)
    score = traitlets.Dict().tag(sync=True)
    feedback = traitlets.Dict().tag(sync=True)
    note = traitlets.Unicode("").tag(sync=True)

    def __init__(self, fun, args, *, predict=False, grad=False, argnums=0, context=3,
                 title=None):
        self._program = _Program(fun, args, grad, argnums)
        self.steps = self._program.steps
        self.jaxpr = self._program.closed
        self._function = _function_lines(fun)
        self._context = context
        self._revealed = set() if predict else set(range(len(self.steps)))
        self._revealed.update(i for i, s in enumerate(self.steps) if not s.results)
        self._scored = {}   # step -> (guess, right) of its first check
        self._shown = set()   # steps revealed without a guess
        what = f"grad of {fun_name(fun)}" if grad else fun_name(fun)
        super().__init__(title=title or f"step through {what}", predict=predict, grad=grad,
                         count=len(self.steps), note=self._program.note)
        self._sync()
        self.on_msg(self._on_msg)

    # --- Python API (the buttons call these)
    @property
    def step(self):
        """The current ``Step``."""
        return self.steps[self.index] if self.steps else None

    @property
    def gradients(self):
        """With ``grad=True``: the cotangents that reached the differentiated inputs (one
        per leaf), i.e. ``grad(f, argnums)(*args)`` flattened."""
        return self._program.gradients

    @property
    def frontier(self):
        """The furthest step one may go to: in predict mode, the first step not revealed."""
        for i in range(len(self.steps)):
            if i not in self._revealed:
                return i
        return max(len(self.steps) - 1, 0)

    def goto(self, index):
        """Go to step ``index`` (not past an unrevealed step in predict mode). Returns
        whether the step changed."""
        index = int(index)
        target = max(0, min(index, self.frontier))
        blocked = target < index < len(self.steps)
        self.note = ("check your prediction (or press Reveal) before going on"
                     if blocked else self._program.note)
        if target == self.index:
            return False
        self.index = target
        self.feedback = {}
        self._sync()
        return True

    def next(self):
        return self.goto(self.index + 1)

    def prev(self):
        return self.goto(self.index - 1)

    def first(self):
        return self.goto(0)

    def last(self):
        return self.goto(len(self.steps) - 1)

    def check(self, guess):
        """Compare ``guess`` (``"f32[3,4]"``; several results: ``"f32[3], i32[]"``) with
        the current step's result types, then reveal them. The first check of a step is
        scored. Returns True or False, or None when the guess could not be read (nothing
        revealed then: try again)."""
        step = self.step
        if step is None or not step.results:
            return None
        try:
            parsed = parse_types(str(guess))
        except ValueError as err:
            self.feedback = {"ok": None, "text": str(err), "guess": str(guess)}
            return None
        right, text = compare_types(parsed, step.avals)
        scored = self.index not in self._scored and self.index not in self._revealed
        if scored:
            self._scored[self.index] = (str(guess), right)
        elif self.index in self._revealed:
            text += " (not scored: it was already shown)"
        self._revealed.add(self.index)
        self.feedback = {"ok": right, "text": text, "guess": str(guess)}
        self.note = self._program.note
        self._sync()
        return right

    def reveal(self):
        """Show the current step's result without a guess (counted as shown)."""
        if self.index not in self._revealed:
            self._revealed.add(self.index)
            self._shown.add(self.index)
        self.note = self._program.note
        self._sync()

    def _on_msg(self, _widget, content, _buffers):
        if not isinstance(content, dict):
            return
        action = content.get("action")
        if action in ("next", "prev", "first", "last", "reveal"):
            getattr(self, action)()
        elif action == "goto":
            try:
                self.goto(int(content.get("index", self.index)))
            except (TypeError, ValueError):
                pass
        elif action == "check":
            self.check(str(content.get("guess", "")))

    # --- state sent to the front end
    def _sync(self):
        with self.hold_sync():
            self.current = self._current_state()
            self.source = self._source_state()
            self.program = self._program_state()
            self.cotangents = self._cotangent_state()
            right = sum(ok for _, ok in self._scored.values())
            self.score = {"right": right, "wrong": len(self._scored) - right,
                          "shown": len(self._shown),
                          "steps": sum(1 for s in self.steps if s.results)}

    def _revealed_now(self):
        return self.index in self._revealed

    def _current_state(self):
        step = self.step
        if step is None:
            return {"phase": "empty", "text": "the program has no equations", "results": []}
        revealed = self._revealed_now()
        state = {"index": step.index, "phase": step.phase, "primitive": step.primitive,
                 "text": step.text if revealed else _hidden(step),
                 "question": step.question(), "revealed": revealed,
                 "results": [r.state() for r in step.results] if revealed else [],
                 "where": short_source(step.source_info)}
        if step.phase == "backward" and self.grad:
            state["received"] = [r.state() for r in step.received]
            state["complete"] = list(step.complete) if revealed else []
            state["backward"] = step.backward_text.split("\n") if revealed else []
            state["transposes"] = self._program.lines[step.eqn_index]
        return state

    def _source_state(self):
        step = self.step
        return _source_window(step.source_info if step else None, self._function,
                             self._context)

    def _program_state(self):
        forward, backward = [], []
        n_forward = len(self._program.lines)
        transposing = None
        if self.step is not None and self.grad and self.index >= n_forward:
            transposing = self.step.eqn_index
        for i in range(min(self.index + 1, n_forward)):
            state = "current" if i == self.index else "done"
            if i == transposing:
                state = "transposing"
            text = self._program.lines[i] if i != self.index or self._revealed_now() \
                else _hidden(self.steps[i])
            forward.append({"n": i, "text": text, "state": state, "phase": self.steps[i].phase})
        for i in range(n_forward, self.index + 1):
            step = self.steps[i]
            backward.append({"n": i, "state": "current" if i == self.index else "done",
                             "phase": "backward",
                             "text": step.text if i != self.index or self._revealed_now()
                             else _hidden(step)})
        done = self.index >= n_forward - 1 and (self.index >= n_forward or
                                                self._revealed_now())
        return {"header": self._program.header, "forward": forward, "backward": backward,
                "footer": self._program.footer if done else "",
                "forward_count": n_forward}

    def _cotangent_state(self):
        if not self.grad:
            return []
        n_forward = len(self._program.lines)
        arrived = []
        seed = self._program.seed
        if seed is not None and self.index >= n_forward:
            arrived.append(dict(seed.state(), step=None,
                                note="the seed: the output's own cotangent, 1"))
        for step in self.steps[n_forward:self.index + 1]:
            if step.index == self.index and not self._revealed_now():
                break
            for total in step.totals:
                if total is not None:
                    note = f"the gradient for {total.label}" if total.label else ""
                    arrived.append(dict(total.state(), step=step.index, note=note))
        return arrived

    # --- the static picture (nbconvert, GitHub)
    def static_sections(self):
        step, current = self.step, self.current
        if step is None:
            return [("no equations", "")]
        head = (f"step {self.index + 1} of {self.count} ({step.phase} pass): "
                f"{step.primitive} at {current['where']}")
        src = self.source
        body = ""
        if src["lines"]:
            text = "\n".join(f"{'→' if n == src['line'] else ' '} {n:4d}  {t}"
                             for n, t in src["lines"])
            body += f"<pre style='margin:2px 0'>{escape_html(text)}</pre>"
        body += f"<pre style='margin:2px 0;font-weight:600'>{escape_html(current['text'])}</pre>"
        if current.get("received"):
            body += "<div>cotangent arrived:</div>" + _values_table(current["received"])
        if current["results"]:
            if current.get("received") is not None:
                body += "<div>sends cotangents to:</div>" + _values_table(current["results"])
            else:
                body += "<div>result:</div>" + _values_table(current["results"], "name")
        elif current.get("question"):
            body += f"<div><i>predict {escape_html(current['question'])}</i></div>"
        sections = [(head, body)]
        program = self.program
        lines = [program["header"]]
        lines += [("→ " if ln["state"] != "done" else "  ") + ln["text"]
                  for ln in program["forward"]]
        if program["footer"]:
            lines.append("  " + program["footer"])
        if program["backward"]:
            lines.append("backward pass:")
            lines += [("→ " if ln["state"] != "done" else "  ") + ln["text"]
                      for ln in program["backward"]]
        sections.append(("the program so far", "<pre style='margin:0'>"
                         + escape_html("\n".join(lines)) + "</pre>"))
        if self.cotangents:
            sections.append(("cotangents arrived", _values_table(self.cotangents)))
        if self.predict:
            s = self.score
            sections.append(("score", escape_html(
                f"{s['right']} right, {s['wrong']} wrong, {s['shown']} shown "
                f"of {s['steps']} steps")))
        return sections


def _values_table(rows, heading="cotangent of"):
    notes = any(r.get("note") for r in rows)
    return html_table([heading, "type", "norm", "value"] + ["note"] * notes, [
        {"cells": [r["name"] + (f" ({r['label']})" if r.get("label") else ""), r["type"],
                   r["norm"], r["value"]] + [r.get("note", "")] * notes} for r in rows])


def _hidden(step):
    """The step's line with its result types replaced by ``?`` (awaiting a prediction)."""
    text = step.text
    for r in step.results:
        if step.phase == "backward":
            text = text.replace(f"ct_{r.name}:{r.aval.str_short()}", f"ct_{r.name}:?", 1)
        else:
            text = text.replace(f"{r.name}:{r.aval.str_short()}", f"{r.name}:?", 1)
    return text


def step(f, *, predict=False, grad=False, argnums=0, context=3, title=None):
    """``step(f)(*args)``: a ``StepView`` walking through ``make_jaxpr(f)(*args)`` one
    equation at a time (buttons First, Previous, Next, Last).

    Args:
      f: a function of arrays (pytrees of arrays). ``glassbox.grad(f)`` works too: its
        program's backward equations are marked as such.
      predict: before each result is shown, the student types its type (``f32[3,4]``)
        and presses Check (or Reveal); the view says right or wrong and keeps a score.
      grad: after the forward pass, step through the backward pass: each equation
        transposed, last to first, with the cotangent arriving at each forward value.
        ``f`` must return one float scalar (as for ``grad``); the cotangents reaching
        the inputs are ``grad(f, argnums)(*args)``.
      argnums: with ``grad``, which positional arguments are differentiated.
      context: source lines shown above and below the current one (a function of
        fewer than 40 lines is shown whole).

    Returns:
      A function of ``*args`` returning the ``StepView`` (display it; drive it with
      ``next()``, ``prev()``, ``check("f32[3]")``...).

    Example::

        view = gbw.step(loss, grad=True, predict=True)(w, x)
        view.next(); view.check("f32[4,2]")
    """
    def make(*args):
        return StepView(f, args, predict=predict, grad=grad, argnums=argnums,
                        context=context, title=title)
    return make
