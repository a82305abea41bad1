"""Notebook source as a function of the arrays it reads (for ``%%jit``, ``%jaxpr``, ``%hlo``).

A ``%%jit`` cell such as::

    y = gnp.sin(x) * w
    total = y.sum()

is turned, with ``ast``, into::

    def jit_cell(x, w, gnp):          # every notebook name it reads before assigning it
        y = gnp.sin(x) * w
        total = y.sum()
        return {"y": y, "total": total}   # what it assigns (those that are bound)

The function's globals are the notebook namespace, and its code carries the
cell's own filename and line numbers, so a traceback (or glassbox's "traced
value used in a Python ``if``" error) points at the line the user wrote.

Which of the names read become *traced inputs* is decided per call by their
values (:func:`is_array_tree`): arrays and pytrees of arrays are traced, the
rest (Python numbers, functions, modules, ...) are passed as they are.

This module knows nothing about IPython; the magics (``%%jit``, and ``%jaxpr``,
``%hlo``, ``%graph`` on expressions) call :func:`parse_cell` / :func:`parse_expression`.
"""
import ast
import builtins
import sys
from dataclasses import dataclass, field

import numpy as np

from glassbox.core import Array
from glassbox.tree_util import tree_leaves

RESULT = "__gb_result__"   # holds the value of a cell's last expression
_LOCALS = "__gb_locals__"  # builtins.locals, from a closure so user names cannot shadow it


class CellSyntaxError(ValueError):
    """The source cannot be compiled as a function body (``return`` at top level, ...)."""


@dataclass
class ParsedCell:
    """What a cell reads and assigns, and a factory for its function.

    Attributes:
      reads: names read before the cell assigns them, in order of first use.
      assigned: names the cell binds at top level (not inside nested functions
        or comprehensions), in order.
      has_result: the last statement is an expression, whose value the
        function returns under ``RESULT`` (a notebook shows it).
    """

    tree: ast.Module
    filename: str
    reads: tuple
    assigned: tuple
    has_result: bool
    name: str = "jit_cell"
    _functions: dict = field(default_factory=dict, repr=False)

    def function(self, params, namespace):
        """The cell as ``f(**params) -> {assigned name: value}``, globals ``namespace``.

        ``params`` is a tuple of names (a subset of ``reads``); the function is
        built once per tuple.
        """
        key = (tuple(params), id(namespace))
        fun = self._functions.get(key)
        if fun is None:
            fun = self._functions[key] = _make_function(self, tuple(params), namespace)
        return fun


def parse_cell(source, filename="<cell>", first_line=1, name="jit_cell"):
    """Parse a cell body. ``first_line`` is the line of the body's first line in the cell.

    Raises:
      SyntaxError: the source is not valid Python.
      CellSyntaxError: it uses ``return``, ``yield``, ``global`` or ``nonlocal``
        at the top level (a cell is not a function body).
    """
    tree = ast.parse(source, filename, "exec")
    if first_line != 1:
        ast.increment_lineno(tree, first_line - 1)
    _check_top_level(tree)
    reads, assigned = _reads_and_assigned(tree.body)
    has_result = bool(tree.body) and isinstance(tree.body[-1], ast.Expr)
    if has_result:
        last = tree.body[-1]
        tree.body[-1] = ast.copy_location(
            ast.Assign(targets=[ast.Name(RESULT, ast.Store())], value=last.value), last)
        assigned = assigned + (RESULT,)
    return ParsedCell(tree, filename, reads, assigned, has_result, name)


def parse_expression(source, filename="<expr>", name="expr", first_line=1):
    """Parse one expression (for ``%jaxpr EXPR``) as a cell whose result is that expression.

    Raises:
      SyntaxError: ``source`` is not a single Python expression.
    """
    ast.parse(source.strip(), filename, "eval")
    return parse_cell(source.strip(), filename, first_line, name)


def is_array_tree(value):
    """True for an Array / NumPy array, or a pytree whose leaves are all arrays or numbers
    with at least one array among them: the values ``%%jit`` traces."""
    if isinstance(value, (Array, np.ndarray, np.generic)):
        return True
    if not isinstance(value, (list, tuple, dict)):
        return False
    try:
        leaves = tree_leaves(value)
    except Exception:  # a user container whose flatten fails: not ours to trace
        return False
    has_array = False
    for leaf in leaves:
        if isinstance(leaf, (Array, np.ndarray, np.generic)):
            has_array = True
        elif type(leaf) not in (bool, int, float, complex):
            return False
    return has_array


# ---------------------------------------------------------------------------
# Analysis


def _check_top_level(tree):
    for node in _walk_own_scope(tree.body):
        if isinstance(node, (ast.Return, ast.Yield, ast.YieldFrom)):
            what = "return" if isinstance(node, ast.Return) else "yield"
            raise CellSyntaxError(f"line {node.lineno}: `{what}` outside a function; a "
                                  f"compiled cell's outputs are the names it assigns")
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            kind = type(node).__name__.lower()
            raise CellSyntaxError(f"line {node.lineno}: `{kind}` is not allowed in a compiled "
                                  f"cell; the names it assigns already go to the notebook")


def _walk_own_scope(stmts):
    """Every node of ``stmts`` except the insides of nested functions, classes and lambdas."""
    stack = list(stmts)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        stack.extend(ast.iter_child_nodes(node))


class _Scan:
    """Names a block reads before assigning them, and names it assigns, in execution order.

    Statements are followed in order (a ``for`` loop's target is bound before
    its body runs), so ``for i in ...: y = y + i`` reads ``y`` but not ``i``.
    Nested functions, lambdas, classes and comprehensions contribute only
    their *free* names (what they read from outside); their parameters and
    locals are theirs. Branches are not told apart: a name assigned in one
    branch counts as assigned afterwards.
    """

    def __init__(self):
        self.reads, self.assigned = {}, {}

    def load(self, name):
        if name not in self.assigned:
            self.reads.setdefault(name, None)

    def store(self, name):
        self.assigned.setdefault(name, None)

    # --- statements
    def stmts(self, body):
        for stmt in body:
            self.stmt(stmt)

    def stmt(self, s):
        if isinstance(s, (ast.For, ast.AsyncFor)):
            self.expr(s.iter)
            self.target(s.target)
            self.stmts(s.body)
            self.stmts(s.orelse)
        elif isinstance(s, (ast.While, ast.If)):
            self.expr(s.test)
            self.stmts(s.body)
            self.stmts(s.orelse)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            for item in s.items:
                self.expr(item.context_expr)
                if item.optional_vars is not None:
                    self.target(item.optional_vars)
            self.stmts(s.body)
        elif isinstance(s, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            self.stmts(s.body)
            for handler in s.handlers:
                if handler.type is not None:
                    self.expr(handler.type)
                if handler.name:
                    self.store(handler.name)
                self.stmts(handler.body)
            self.stmts(s.orelse)
            self.stmts(s.finalbody)
        elif isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for name in _free_names(s, self):
                self.load(name)
            self.store(s.name)
        elif isinstance(s, ast.Assign):
            self.expr(s.value)
            for target in s.targets:
                self.target(target)
        elif isinstance(s, ast.AugAssign):
            self.expr(s.value)
            if isinstance(s.target, ast.Name):
                self.load(s.target.id)   # `x += 1` reads x first
            self.target(s.target)
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.expr(s.value)
            self.target(s.target)
        elif isinstance(s, (ast.Import, ast.ImportFrom)):
            for alias in s.names:
                self.store(alias.asname or alias.name.split(".")[0])
        elif isinstance(s, ast.Delete):
            for target in s.targets:
                self.target(target)
        elif isinstance(s, getattr(ast, "Match", ())):
            self.expr(s.subject)
            for case in s.cases:
                for node in ast.walk(case.pattern):
                    if isinstance(node, ast.expr):
                        self.expr(node)
                    for attr in ("name", "rest"):
                        if isinstance(getattr(node, attr, None), str):
                            self.store(getattr(node, attr))
                if case.guard is not None:
                    self.expr(case.guard)
                self.stmts(case.body)
        else:   # Expr, Assert, Raise, Pass, ...: only expressions inside
            for child in ast.iter_child_nodes(s):
                if isinstance(child, ast.expr):
                    self.expr(child)

    def target(self, t):
        if isinstance(t, ast.Name):
            self.store(t.id)
        elif isinstance(t, ast.Starred):
            self.target(t.value)
        elif isinstance(t, (ast.Tuple, ast.List)):
            for element in t.elts:
                self.target(element)
        else:   # x[i] = ..., x.a = ...: reads x (and i)
            self.expr(t)

    # --- expressions
    def expr(self, e):
        if isinstance(e, ast.Name):
            if isinstance(e.ctx, ast.Load):
                self.load(e.id)
            else:
                self.store(e.id)
        elif isinstance(e, ast.NamedExpr):
            self.expr(e.value)
            self.store(e.target.id)
        elif isinstance(e, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp,
                            ast.GeneratorExp)):
            for name in _free_names(e, self):
                self.load(name)
        else:
            for child in ast.iter_child_nodes(e):
                if isinstance(child, (ast.expr, ast.comprehension, ast.keyword, ast.arg,
                                      ast.arguments)):
                    self.expr(child) if isinstance(child, ast.expr) else self._parts(child)

    def _parts(self, node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.expr):
                self.expr(child)


def _params(args):
    every = args.posonlyargs + args.args + args.kwonlyargs
    every += [a for a in (args.vararg, args.kwarg) if a is not None]
    return {a.arg for a in every}


def _free_names(node, outer):
    """What a nested scope reads from outside. Parts evaluated outside it (decorators,
    defaults, base classes, a comprehension's first iterable) are scanned by ``outer``."""
    inner = _Scan()
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
        for expr in getattr(node, "decorator_list", []) + node.args.defaults + [
                d for d in node.args.kw_defaults if d is not None]:
            outer.expr(expr)
        local = _params(node.args)
        if isinstance(node, ast.Lambda):
            inner.expr(node.body)
        else:
            inner.stmts(node.body)
    elif isinstance(node, ast.ClassDef):
        for expr in node.decorator_list + node.bases + [k.value for k in node.keywords]:
            outer.expr(expr)
        local = set()
        inner.stmts(node.body)
    else:   # comprehension
        local = set()
        for i, gen in enumerate(node.generators):
            (outer if i == 0 else inner).expr(gen.iter)
            inner.target(gen.target)
            for cond in gen.ifs:
                inner.expr(cond)
        for part in ("elt", "key", "value"):
            if getattr(node, part, None) is not None:
                inner.expr(getattr(node, part))
    local |= set(inner.assigned)
    return [n for n in inner.reads if n not in local]


def _reads_and_assigned(stmts):
    """``(names read before being assigned, names assigned)``, each in order of first use."""
    scan = _Scan()
    scan.stmts(stmts)
    return tuple(scan.reads), tuple(scan.assigned)


# ---------------------------------------------------------------------------
# Building the function


def _make_function(parsed, params, namespace):
    """``def <name>(*params): <body>; return __gb_locals__()``, made inside a factory.

    ``__gb_locals__`` (``builtins.locals``) comes from the factory's closure, so a
    user variable named ``locals`` cannot shadow it and the signature shows only
    the cell's own names. The wrapper keeps the names the cell assigns.
    """
    args = ast.arguments(posonlyargs=[], args=[ast.arg(p) for p in params], vararg=None,
                         kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
    stmts = list(parsed.tree.body)
    first = stmts[0].lineno if stmts else 1
    last = (getattr(stmts[-1], "end_lineno", None) or stmts[-1].lineno) if stmts else 1
    ret = ast.Return(ast.Call(ast.Name(_LOCALS, ast.Load()), [], []))
    extra = {"type_params": []} if sys.version_info >= (3, 12) else {}
    fdef = ast.FunctionDef(name=parsed.name, args=args, body=stmts + [ret], decorator_list=[],
                           returns=None, lineno=first, col_offset=0, **extra)
    factory = ast.FunctionDef(
        name="__gb_factory__", body=[fdef, ast.Return(ast.Name(parsed.name, ast.Load()))],
        args=ast.arguments(posonlyargs=[], args=[ast.arg(_LOCALS)], vararg=None, kwonlyargs=[],
                           kw_defaults=[], kwarg=None, defaults=[]),
        decorator_list=[], returns=None, lineno=first, col_offset=0, **extra)
    module = ast.Module(body=[factory], type_ignores=[])
    for node in (ret, factory.body[1]):   # synthetic statements sit on the cell's last line
        _set_line(node, last)
    for node in (fdef, factory):
        node.end_lineno, node.end_col_offset = last, 0
    ast.fix_missing_locations(module)
    code = compile(module, parsed.filename, "exec")
    scope = {}
    exec(code, namespace, scope)  # noqa: S102 - the user's own cell, run as they asked
    inner = scope["__gb_factory__"](builtins.locals)
    if hasattr(inner.__code__, "co_qualname"):   # tracebacks say `jit_cell`, not the factory's
        inner.__code__ = inner.__code__.replace(co_qualname=parsed.name)
    inner.__qualname__ = parsed.name
    wanted = frozenset(parsed.assigned)

    def cell_function(**kwargs):
        bound = inner(**kwargs)
        return {k: v for k, v in bound.items() if k in wanted}
    cell_function.__name__ = parsed.name
    cell_function.__wrapped__ = inner
    return cell_function


def _set_line(node, line):
    for n in ast.walk(node):
        n.lineno = n.end_lineno = line
        n.col_offset, n.end_col_offset = 0, 0
