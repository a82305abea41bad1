"""glassbox never needs the `jax` package: jaxlib alone is the backend.

jaxlib itself tries ``import jax`` in a few places (see DESIGN.md), so the
check that matters is behavioural: in a process where every import of
``jax`` or ``jax.*`` fails, glassbox imports, computes eagerly and under
``jit``, and ``jax`` never lands in ``sys.modules``.
"""
import pathlib
import re
import subprocess
import sys
import textwrap

try:
    import tomllib
except ImportError:  # Python 3.10: the test extra installs tomli
    import tomli as tomllib

REPO = pathlib.Path(__file__).resolve().parents[1]

# Runs in a fresh interpreter: a meta-path finder placed first makes any
# import of jax fail as if it were not installed, then glassbox does work.
_CHILD = textwrap.dedent("""
    import importlib.abc, sys

    blocked = []

    class NoJax(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "jax" or name.startswith("jax."):
                blocked.append(name)
                raise ImportError(f"No module named {name!r} (blocked by test_no_jax)")
            return None

    sys.meta_path.insert(0, NoJax())
    try:
        import jax  # noqa: F401
    except ImportError:
        pass
    else:
        raise SystemExit("the import blocker did not block `import jax`")

    import numpy as np
    import glassbox
    import glassbox.numpy as jnp

    x = jnp.arange(3.)
    eager = jnp.sin(x)
    jitted = glassbox.jit(lambda v: jnp.sin(v))(x)
    expected = np.sin(np.arange(3., dtype=np.float32))
    np.testing.assert_allclose(np.asarray(eager), expected, rtol=1e-6)
    np.testing.assert_allclose(np.asarray(jitted), expected, rtol=1e-6)
    assert eager.dtype == np.float32 and jitted.dtype == np.float32

    leaked = sorted(m for m in sys.modules if m == "jax" or m.startswith("jax."))
    assert not leaked, f"jax modules were imported: {leaked}"
    print("ok", len(blocked))
""")


def test_glassbox_works_where_import_jax_fails():
    result = subprocess.run([sys.executable, "-c", _CHILD], capture_output=True, text=True,
                            cwd=REPO, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("ok"), result.stdout


_IMPORTS_JAX = re.compile(r"^\s*(import\s+jax\b(?!lib)|from\s+jax\b(?!lib))", re.MULTILINE)


def test_no_source_file_imports_jax():
    # The behavioural test above covers executed paths; this covers the rest.
    offenders = []
    for folder in ("core", "kernel", "widgets"):
        for path in (REPO / folder).rglob("*.py"):
            if _IMPORTS_JAX.search(path.read_text()):
                offenders.append(str(path.relative_to(REPO)))
    assert not offenders, f"these modules import jax: {offenders}"


def test_jax_is_not_a_dependency():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        requirements += extra
    names = [re.split(r"[\s<>=!~\[;]", r, maxsplit=1)[0].lower() for r in requirements]
    assert "jax" not in names
    assert "jaxlib==0.10.2" in [r.replace(" ", "") for r in project["dependencies"]]
