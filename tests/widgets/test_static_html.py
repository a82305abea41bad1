"""The views' static pictures after ``jupyter nbconvert --to html``.

tutorials/09-debugging-transforms.ipynb is executed as JupyterLab saves a notebook by
default, without the widgets' state (nbclient's ``store_widget_state=False``), and
converted by the real ``jupyter nbconvert --to html``. nbconvert then shows each
output's ``text/html``: the static picture every view carries. The test checks that
the debugger's, the failure graphs', the gradient-flow view's and the stepper's
pictures are there, and that each is a card with its own background and text colour,
so it reads on a dark page too. (With the widgets' state saved, as ``nbconvert
--execute`` does unless ``--ExecutePreprocessor.store_widget_state=False``, nbconvert
embeds the live widgets instead, which need the widget libraries from a CDN.)
"""
import pathlib
import re
import subprocess
import sys

import nbformat
from nbclient import NotebookClient

from tests.kernel.kernelspec import ensure_kernelspec

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "tutorials" / "09-debugging-transforms.ipynb"


def test_static_pictures_render_after_nbconvert_to_html(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    kernel = ensure_kernelspec(tmp_path / "jupyter", monkeypatch.setenv)
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name=kernel, store_widget_state=False,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    executed = tmp_path / NOTEBOOK.name
    nbformat.write(notebook, executed)
    subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html",
                    str(executed)], check=True, capture_output=True, timeout=120)
    html = executed.with_suffix(".html").read_text()

    assert "application/vnd.jupyter.widget-view+json" not in html
    cards = re.findall(r"class=.gb-static. style=\"([^\"]*)\"", html)
    assert len(cards) >= 5, len(cards)
    assert all("background:#fff" in c and "color:#1f2328" in c for c in cards)
    assert "glassbox.debug.breakpoint" in html and "not paused (3 stops)" in html
    assert "✖ div" in html and "✖ matmul" in html          # debug_nans, the failed trace
    assert "gradient flow" in html and html.count("<svg") >= 3   # nans, failure, flow
    assert "step 1 of" in html                                # the classroom stepper
