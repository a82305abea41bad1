"""Every notebook in tutorials/ runs end to end, in a real Jupyter kernel.

The kernel is a plain ipykernel on this interpreter (the glassbox kernel
replaces it once it exists). A cell that raises fails the test with the
cell's traceback.
"""
import json
import pathlib
import re
import sys

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

TUTORIALS = pathlib.Path(__file__).resolve().parents[1] / "tutorials"
NOTEBOOKS = sorted(TUTORIALS.glob("*.ipynb"))
KERNEL_NAME = "python3"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")  # IPython colours its tracebacks


@pytest.fixture
def kernel_on_this_python(tmp_path, monkeypatch):
    """A kernelspec that runs ipykernel on ``sys.executable``, found before any other.

    A user's own ``python3`` kernelspec might point at another environment;
    the first directory on ``JUPYTER_PATH`` wins the lookup.
    """
    spec_dir = tmp_path / "kernels" / KERNEL_NAME
    spec_dir.mkdir(parents=True)
    spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
            "display_name": "Python 3 (glassbox tests)", "language": "python"}
    (spec_dir / "kernel.json").write_text(json.dumps(spec))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # silence jupyter_core's migration warning
    return KERNEL_NAME


def test_there_are_tutorials():
    assert NOTEBOOKS, f"no notebooks found in {TUTORIALS}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_tutorial_runs(path, kernel_on_this_python):
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name=kernel_on_this_python,
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
