"""The views in a real browser: JupyterLab runs tutorials/05-seeing-transforms.ipynb.

JupyterLab is started on a free loopback port with the notebook's kernel (read
from the notebook's kernelspec; ``python3`` means ipykernel on this interpreter),
and Debian's Chromium, driven by Playwright through ``executable_path`` (Playwright's
own browser download is not used), opens the notebook and runs every cell. The
test checks that each of the four views rendered as a live widget (not the static
fallback), that their SVGs hold the expected nodes, and that the browser logged
no errors. A screenshot is kept in test-artifacts/. A second, one-cell notebook
(written by the test, run in the same JupyterLab) draws the grad of a 2,000-equation
program: it must start collapsed, and a click on a collapsed block must open it.

Needs: jupyterlab, ipywidgets, anywidget and playwright in this environment (the
``test`` extra) and ``chromium`` on PATH (``make test`` installs it with apt-get).
"""
import contextlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "tutorials" / "05-seeing-transforms.ipynb"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-dev-shm-usage"]
RUN_TIMEOUT = 240   # seconds for all cells (the first jit compiles dominate)


def _chromium():
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Debian's chromium is not installed: run `make test` (or "
                "`apt-get install -y chromium`)", pytrace=False)


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _kernel_name():
    spec = json.loads(NOTEBOOK.read_text())["metadata"].get("kernelspec", {})
    return spec.get("name", "python3")


def _kernel_env(tmp_path, env):
    """Make the notebook's kernel run on this interpreter; returns its name.

    ``python3``: a kernelspec running ipykernel here, first on JUPYTER_PATH (a user's own
    python3 spec elsewhere cannot win). ``glassbox``: the kernel tests' helper checks the
    installed spec (installing it, or redirecting JUPYTER_PATH, when needed).
    """
    name = _kernel_name()
    share = tmp_path / "share"
    if name == "python3":
        spec_dir = share / "kernels" / name
        spec_dir.mkdir(parents=True)
        spec = {"argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                "display_name": "Python 3 (glassbox browser test)", "language": "python"}
        (spec_dir / "kernel.json").write_text(json.dumps(spec))
        env["JUPYTER_PATH"] = str(share)
    elif name == "glassbox":
        from tests.kernel.kernelspec import ensure_kernelspec
        ensure_kernelspec(str(share), env.__setitem__)
    return name


# A notebook the test writes: one cell drawing the grad of a 2,000-equation program.
LARGE_CELL = """\
import numpy as np
import glassbox.numpy as jnp
import glassbox.widgets as gbw

def chain(x, w):
    for _ in range(500):
        a = x @ w
        x = jnp.tanh(a) * x + a
    return jnp.sum(x)

gbw.graph(chain, stages=("grad",))(np.ones((8, 8), np.float32), np.full((8, 8), 0.01, np.float32))
"""
LARGE_NOTEBOOK = "large-graph.ipynb"

# A notebook the test writes: a kernel with 8 CPU devices shows a sharded array's device
# panel and its visualize_array_sharding grid.
SHARDED_CELL = """\
import glassbox
glassbox.config.update("cpu_device_count", 8)
import numpy as np
import glassbox.widgets as gbw
from glassbox.sharding import NamedSharding, PartitionSpec as P, make_mesh

panel = gbw.devices()
mesh = make_mesh((4, 2), ("x", "y"))
x = glassbox.device_put(np.arange(32, dtype=np.float32).reshape(8, 4),
                        NamedSharding(mesh, P("x", "y")))
glassbox.debug.visualize_array_sharding(x)
panel
"""
SHARDED_NOTEBOOK = "sharded.ipynb"


def _write_large_notebook(path, source=LARGE_CELL):
    spec = json.loads(NOTEBOOK.read_text())["metadata"].get("kernelspec", {})
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": source}
    path.write_text(json.dumps({"cells": [cell], "metadata": {"kernelspec": spec},
                                "nbformat": 4, "nbformat_minor": 5}))


@contextlib.contextmanager
def _jupyterlab(tmp_path):
    port, token = _free_port(), "glassbox-browser-test"
    work = tmp_path / "notebooks"
    work.mkdir()
    shutil.copy(NOTEBOOK, work / NOTEBOOK.name)   # the tracked notebook is never saved into
    _write_large_notebook(work / LARGE_NOTEBOOK)
    _write_large_notebook(work / SHARDED_NOTEBOOK, SHARDED_CELL)
    settings = tmp_path / "settings" / "@jupyterlab" / "notebook-extension"
    settings.mkdir(parents=True)
    # Render every cell (no virtual scrolling), so every output is in the DOM.
    (settings / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    apputils = tmp_path / "settings" / "@jupyterlab" / "apputils-extension"
    apputils.mkdir(parents=True)
    (apputils / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(os.environ)
    kernel = _kernel_env(tmp_path, env)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "config")
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
           f"--port={port}", f"--IdentityProvider.token={token}", "--ServerApp.port_retries=0",
           f"--ServerApp.root_dir={work}", f"--LabApp.user_settings_dir={tmp_path / 'settings'}",
           f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
           "--LabApp.news_url=", "--LabApp.expose_app_in_browser=True"]
    if hasattr(os, "getuid") and os.getuid() == 0:
        cmd.append("--allow-root")
    with serving(cmd, env, work, tmp_path / "jupyterlab.log", port, token, "JupyterLab") as url:
        yield url, token, kernel


@contextlib.contextmanager
def serving(cmd, env, cwd, log_path, port, token, what, seconds=90):
    """Run the Jupyter server ``cmd`` until the block ends; yields its base URL once it
    answers (the test fails with the end of its log if it never does)."""
    with open(log_path, "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=cwd)
        try:
            url = f"http://127.0.0.1:{port}"
            deadline = time.time() + seconds
            while True:
                try:
                    urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2)
                    break
                except OSError:
                    if proc.poll() is not None or time.time() > deadline:
                        log.flush()
                        pytest.fail(f"{what} did not start:\n" + log_path.read_text()[-3000:])
                    time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """One JupyterLab and one headless Chromium for this module's tests."""
    from playwright import sync_api as playwright   # in the test extra
    chromium = _chromium()
    with _jupyterlab(tmp_path_factory.mktemp("lab")) as (url, token, kernel), \
            playwright.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        yield url, token, browser
        browser.close()


def _open_and_run(lab, notebook, errors):
    url, token, browser = lab
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    # A workspace of its own, reset: JupyterLab would reopen the notebooks an earlier
    # test left open, and the checks below look at the whole page.
    workspace = pathlib.Path(notebook).stem
    page.goto(f"{url}/lab/workspaces/{workspace}/tree/{notebook}?reset&token={token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    _wait_kernel_ready(page, 90)
    _run_all(page)
    _wait_all_ran(page, RUN_TIMEOUT)
    stderr = page.eval_on_selector_all(
        ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']",
        "els => els.map(e => e.textContent)")
    assert not stderr, "a cell failed or wrote to stderr:\n" + "\n".join(stderr)
    return page


def test_tutorial_views_render_in_jupyterlab(lab):
    errors = []
    page = _open_and_run(lab, NOTEBOOK.name, errors)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "05-seeing-transforms.png"), full_page=True)
    views = _collect_views(page)
    _screenshot_views(page)
    interactions = _interact(page)
    page.close()
    _check_views(views)
    _check_interactions(interactions)
    assert not errors, "console errors:\n" + "\n".join(errors)


def test_a_large_graph_starts_collapsed_and_a_click_opens_a_block(lab):
    errors = []
    page = _open_and_run(lab, LARGE_NOTEBOOK, errors)
    view = page.locator(".gb-widget[data-view='graph']").first
    view.locator("g.gb-group").first.wait_for(timeout=30_000)
    before = _graph_counts(view)
    assert before["groups"] >= 10 and before["nodes"] <= 300, before
    assert "groups collapsed" in view.locator(".gb-note").first.inner_text()
    # The smallest collapsed block (a run of equations, not a block of blocks).
    target = view.evaluate(
        """(el) => {
             let best = null, fewest = Infinity;
             for (const g of el.querySelectorAll('g.gb-group:not(.gb-proxy)')) {
               const m = /(\\d+) equations/.exec(g.textContent);
               if (m && +m[1] < fewest) { fewest = +m[1]; best = g.id; }
             }
             return best; }""")
    assert target, "no collapsed block with equations"
    view.locator(f"g.gb-group[id='{target}']").click()   # Python lays out again
    page.wait_for_function(
        "(id) => { const g = document.getElementById(id); "
        "return g && g.classList.contains('gb-cluster'); }", arg=target, timeout=30_000)
    after = _graph_counts(view)
    assert after["eqns"] > before["eqns"], (before, after)
    ARTIFACTS.mkdir(exist_ok=True)
    view.screenshot(path=str(ARTIFACTS / "large-graph-opened.png"))
    page.close()
    assert not errors, "console errors:\n" + "\n".join(errors)


def test_a_sharded_array_shows_its_shards_in_the_device_panel(lab):
    errors = []
    page = _open_and_run(lab, SHARDED_NOTEBOOK, errors)
    view = page.locator(".gb-widget[data-view='devices']").first
    view.locator(".gb-sharded-array").first.wait_for(timeout=30_000)
    found = view.evaluate(
        """(el) => ({
             devices: [...el.querySelectorAll('.gb-device')].map(d => d.dataset.device),
             shards: [...el.querySelectorAll('tr.gb-shard-row')].map(
                 r => [...r.querySelectorAll('td')].map(td => td.textContent)),
             head: el.querySelector('.gb-sharded-array .gb-device-head').textContent,
             blocks: [...el.querySelectorAll('.gb-array[data-shard]')].map(
                 a => a.dataset.shard) })""")
    grid = page.evaluate(
        """() => [...document.querySelectorAll('.gb-sharding .gb-shard')].map(
             b => [b.dataset.devices, b.textContent])""")
    ARTIFACTS.mkdir(exist_ok=True)
    view.screenshot(path=str(ARTIFACTS / "sharded-device-panel.png"))
    page.close()
    assert found["devices"] == [f"cpu:{i}" for i in range(8)]
    assert found["shards"] == [[f"cpu:{2 * i + j}",
                                f"[{2 * i}:{2 * i + 2}, {2 * j}:{2 * j + 2}]", "16 B"]
                               for i in range(4) for j in range(2)]
    assert found["head"].startswith("f32[8,4] P('x', 'y')") and "8 shards" in found["head"]
    assert "[6:8, 2:4]" in found["blocks"]
    assert grid == [[str(i), f"CPU {i}f32[2,2] · 16 B"] for i in range(8)]
    assert not errors, "console errors:\n" + "\n".join(errors)


def _graph_counts(view):
    return view.evaluate(
        """(el) => ({ groups: el.querySelectorAll('g.gb-group').length,
                      eqns: el.querySelectorAll('g.gb-eqn').length,
                      nodes: el.querySelectorAll('g.gb-node').length })""")


def _wait_kernel_ready(page, seconds):
    # The notebook's kernel is connected and idle (run-all before that does nothing).
    page.wait_for_function(
        """() => { const app = window.jupyterapp; const w = app && app.shell.currentWidget;
                   const k = w && w.sessionContext && w.sessionContext.session
                             && w.sessionContext.session.kernel;
                   return k && k.connectionStatus === 'connected' && k.status === 'idle'; }""",
        timeout=seconds * 1000)


def _run_all(page):
    # The same command as Run > Run All Cells (the app is exposed for tests).
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands"
                           ".isEnabled('notebook:run-all-cells')", timeout=30_000)
    # Not awaited: the command's promise settles only when every cell has run.
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")


def _wait_all_ran(page, seconds):
    # Every code cell has an execution count and the kernel is idle again, or a cell
    # failed (run-all stops there; the error output is reported below).
    page.wait_for_function(
        """() => {
          const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')];
          const s = document.querySelector('.jp-Notebook-ExecutionIndicator');
          const idle = s && s.getAttribute('data-status') === 'idle';
          const failed = document.querySelector(
              ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']");
          return idle && (failed || (prompts.length > 0
                 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent))));
        }""", timeout=seconds * 1000)
    page.wait_for_timeout(1500)   # widget views render after their comm messages arrive


def _collect_views(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('.gb-widget')].map(w => ({
             view: w.dataset.view,
             svgText: [...w.querySelectorAll('svg text')].map(t => t.textContent).join('\\n'),
             svgCount: w.querySelectorAll('svg').length,
             tabs: [...w.querySelectorAll('.gb-tab')].map(t => t.textContent),
             devices: [...w.querySelectorAll('.gb-device')].map(d => d.dataset.device),
             arrays: w.querySelectorAll('.gb-array').length,
             rows: [...w.querySelectorAll('tr[data-name]')].map(r => r.dataset.name),
             staticInside: w.querySelectorAll('.gb-static').length,
           }))""") + [{"view": "static", "count": page.locator(".gb-static").count()}]


def _interact(page):
    """Hover, click and switch tabs in the graph view; returns what each step showed."""
    view = page.locator(".gb-widget[data-view='graph']").first
    view.scroll_into_view_if_needed()
    found = {}
    view.locator("g.gb-eqn").first.hover()
    found["info"] = view.locator(".gb-info").inner_text()
    found["linked_after_hover"] = view.locator("g.gb-linked").count()
    # Collapsing a box is a round trip: the front end asks, Python lays out again.
    view.locator("g.gb-cluster text").first.click()
    view.locator("g.gb-group").first.wait_for(timeout=30_000)
    found["groups_after_click"] = view.locator("g.gb-group").count()
    view.locator("g.gb-group").first.click()   # and expanding it again
    page.wait_for_function(
        "(el) => el.querySelectorAll('g.gb-group').length === 0",
        arg=view.element_handle(), timeout=30_000)
    view.locator(".gb-tab", has_text="StableHLO").click()
    tagged = view.locator(".gb-line.gb-tagged").first
    tagged.hover()
    found["hlo_tagged"] = view.locator(".gb-line.gb-tagged").count()
    found["linked_from_hlo"] = view.locator("g.gb-linked").count()
    found["tab_marks"] = view.locator(".gb-tab.gb-has-link").count()
    return found


def _check_interactions(found):
    assert "source" in found["info"] and "cell line" in found["info"], found["info"]
    assert "rules for" in found["info"]
    assert found["linked_after_hover"] >= 1
    assert found["groups_after_click"] >= 1
    assert found["hlo_tagged"] >= 5
    assert found["linked_from_hlo"] >= 1 and found["tab_marks"] >= 2


def _screenshot_views(page):
    for i, handle in enumerate(page.query_selector_all(".gb-widget")):
        view = handle.get_attribute("data-view")
        handle.scroll_into_view_if_needed()
        handle.screenshot(path=str(ARTIFACTS / f"05-view-{i}-{view}.png"))


def _check_views(views):
    static = views.pop()
    assert static["count"] == 0, "a view fell back to its static HTML instead of the widget"
    by_kind = {}
    for v in views:
        by_kind.setdefault(v["view"], []).append(v)
    assert set(by_kind) >= {"graph", "gradflow", "batching", "devices", "cache"}, by_kind.keys()
    graph = by_kind["graph"][0]
    assert graph["tabs"] == ["traced", "after grad", "after vmap", "StableHLO"]
    for name in ("dot_general", "tanh", "reduce_sum", "transpose"):
        assert name in graph["svgText"], name
    flow = by_kind["gradflow"][0]
    assert "backward pass" in flow["svgText"] and "‖ct‖" in flow["svgText"]
    assert "loss" in flow["svgText"] and "grad params['w1']" in flow["svgText"]
    batching = by_kind["batching"]
    assert any("batch:16" in b["svgText"] for b in batching)
    assert any("j:4,i:5" in b["svgText"] for b in batching)
    devices = by_kind["devices"][-1]
    assert devices["devices"] == ["cpu:0", "cpu:1", "cpu:2", "cpu:3"]
    assert devices["arrays"] >= 4
    cache = by_kind["cache"][0]
    assert "<lambda>" in cache["rows"]
