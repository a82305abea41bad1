"""Every notebook in tutorials/ runs end to end, in a real glassbox kernel.

The kernel is the installed ``glassbox`` kernelspec (``make test`` installs it
into the virtual environment; the fixture checks that it runs this
interpreter, and installs it when it is missing). Each notebook must also
name that kernel in its metadata, so JupyterLab opens it with the glassbox
kernel. A cell that raises fails the test with the cell's traceback.
"""
import pathlib
import re

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from .kernel.kernelspec import KERNEL_NAME, ensure_kernelspec

TUTORIALS = pathlib.Path(__file__).resolve().parents[1] / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


@pytest.fixture
def glassbox_kernel(tmp_path, monkeypatch):
    """The glassbox kernelspec's name, checked to run ``sys.executable``."""
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # silence jupyter_core's migration warning
    return ensure_kernelspec(tmp_path, monkeypatch.setenv)


def test_there_are_tutorials():
    assert NOTEBOOKS, f"no notebooks found in {TUTORIALS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tutorial_runs(path, glassbox_kernel):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name=glassbox_kernel,
                            resources={"metadata": {"path": str(TUTORIALS)}})
    try:
        client.execute()
    except CellExecutionError as err:  # the message shows the cell and its traceback
        pytest.fail(f"{path.name}: {_ANSI.sub('', str(err))}", pytrace=False)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tutorial_saved_without_outputs(path):
    # Outputs in git make noisy diffs and go stale; the tests produce them fresh.
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    stale = [i for i, cell in enumerate(notebook.cells)
             if cell.cell_type == "code" and (cell.outputs or cell.execution_count)]
    assert not stale, f"{path.name}: code cells {stale} have saved outputs; clear them"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tutorial_uses_the_glassbox_kernel(path):
    spec = nbformat.read(path, as_version=4).metadata.get("kernelspec", {})
    assert spec.get("name") == KERNEL_NAME, f"{path.name}: kernelspec is {spec}, not glassbox"
