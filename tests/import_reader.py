"""Reading a module's imports from its source with ``ast`` (nothing is imported).

Shared by the layering tests: ``tests/test_layers.py`` (layers inside the core) and
``tests/kernel/test_layering.py`` (core <- widgets <- kernel).
"""
import ast


def import_statements(source, package):
    """``(module, names, enclosing function or None, line)`` for every import in ``source``.

    ``package`` is what relative imports resolve against. ``import a.b`` gives
    ``(None, ["a.b"], ...)``; ``from ..x import y`` gives ``("<package up one>.x",
    ["y"], ...)``. Imports inside nested functions name the outermost function.
    """
    found = []

    def visit(node, function):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, function or child.name)
            elif isinstance(child, ast.Import):
                found.append((None, [a.name for a in child.names], function, child.lineno))
            elif isinstance(child, ast.ImportFrom):
                found.append((absolute(child, package), [a.name for a in child.names],
                              function, child.lineno))
            else:
                visit(child, function)
    visit(ast.parse(source), None)
    return found


def absolute(node, package):
    """The module an ``ImportFrom`` node reads, with its leading dots resolved."""
    if not node.level:
        return node.module
    parts = package.split(".")
    base = parts[:len(parts) - node.level + 1]
    return ".".join(base + ([node.module] if node.module else []))
