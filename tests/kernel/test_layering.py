"""Dependencies point one way: core <- widgets <- kernel (read from the source with ``ast``).

The core never imports the notebook layers, and the widgets never import the
kernel; the kernel may import the widgets (lazily, as they pull in ipywidgets).
"""
import pathlib

from ..import_reader import import_statements

ROOT = pathlib.Path(__file__).resolve().parents[2]
# folder -> import name (pyproject.toml maps the folders onto one namespace)
PACKAGES = {"core": "glassbox", "kernel": "glassbox.kernel", "widgets": "glassbox.widgets"}
# ``%load_ext glassbox`` calls these hooks of the top-level package: the one place the
# core names the kernel, inside a function, so ``import glassbox`` never loads it.
ENTRY_POINTS = {("core/__init__.py", "load_ipython_extension"),
                ("core/__init__.py", "unload_ipython_extension")}


def package_of(relative):
    """The package relative imports in ``relative`` (a path under ROOT) resolve against:
    ``core/lax/shape.py`` -> ``glassbox.lax``; ``widgets/__init__.py`` -> ``glassbox.widgets``."""
    folder, *rest = pathlib.PurePosixPath(relative).parts
    return ".".join([PACKAGES[folder]] + rest[:-1])


def imports(source, package):
    """``(imported module, enclosing function or None)`` for every import in ``source``."""
    found = []
    for base, names, function, _ in import_statements(source, package):
        if base is None:
            found.extend((name, function) for name in names)
        else:
            found.append((base, function))
            # ``from glassbox import kernel`` imports a submodule too
            found.extend((f"{base}.{name}", function) for name in names)
    return found


def violations(relative, source, forbidden):
    bad = []
    for name, function in imports(source, package_of(relative)):
        hit = any(name == f or name.startswith(f + ".") for f in forbidden)
        if hit and (relative, function) not in ENTRY_POINTS:
            bad.append(f"{relative}: imports {name}" + (f" (in {function})" if function else ""))
    return bad


def offenders(folder, forbidden):
    bad = []
    for path in sorted((ROOT / folder).rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        bad.extend(violations(relative, path.read_text(), forbidden))
    return bad


def test_the_core_imports_neither_kernel_nor_widgets():
    assert offenders("core", ["glassbox.kernel", "glassbox.widgets"]) == []


def test_the_widgets_never_import_the_kernel():
    assert offenders("widgets", ["glassbox.kernel"]) == []


def test_the_checker_sees_relative_absolute_and_function_level_imports():
    """The rule is only as good as the reader: it must catch every spelling."""
    sample = ("from .. import kernel\nimport glassbox.kernel.cells\n"
              "from ..kernel.magics import GlassboxMagics\n"
              "def f():\n    from glassbox.kernel import magics\n")
    bad = violations("widgets/sample.py", sample, ["glassbox.kernel"])
    assert bad == ["widgets/sample.py: imports glassbox.kernel",
                   "widgets/sample.py: imports glassbox.kernel.cells",
                   "widgets/sample.py: imports glassbox.kernel.magics",
                   "widgets/sample.py: imports glassbox.kernel.magics.GlassboxMagics",
                   "widgets/sample.py: imports glassbox.kernel (in f)",
                   "widgets/sample.py: imports glassbox.kernel.magics (in f)"]
    assert package_of("core/lax/shape.py") == "glassbox.lax"
    hook = "def load_ipython_extension(ip):\n    from .kernel import load_ipython_extension\n"
    assert violations("core/__init__.py", hook, ["glassbox.kernel"]) == []
    assert violations("core/api.py", hook, ["glassbox.kernel"]) != []
