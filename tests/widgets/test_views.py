"""The views without a browser: widget state, SVG content, escaping, events.

Widgets talk through a comm; here a capturing comm records every message a view
sends, and front-end messages are fed to the view the way ipywidgets delivers them.
"""
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import comm
import numpy as np
import pytest
import traitlets

import glassbox
import glassbox.numpy as jnp
import glassbox.widgets as gbw
from glassbox import events
from glassbox.widgets._graph import Graph
from glassbox.widgets._render import dot_string, sanitize_svg

EVIL = "<script>alert(1)</script>"


class CapturingComm(comm.base_comm.BaseComm):
    """A comm that keeps what the kernel side would send to the front end."""

    def __init__(self, *args, **kwargs):
        self.sent = []
        super().__init__(*args, **kwargs)

    def publish_msg(self, msg_type, data=None, metadata=None, buffers=None, **keys):
        self.sent.append((msg_type, data))


@pytest.fixture(autouse=True)
def capturing_comm(monkeypatch):
    monkeypatch.setattr(comm, "create_comm", CapturingComm)


def from_frontend(view, content=None, state=None):
    """Deliver a message the way ipywidgets' comm handler does."""
    if state is not None:
        data = {"method": "update", "state": state, "buffer_paths": []}
    else:
        data = {"method": "custom", "content": content}
    view._handle_msg({"content": {"data": data}, "buffers": []})


def updates(view, trait):
    return [d["state"][trait] for t, d in view.comm.sent
            if t == "comm_msg" and d.get("method") == "update" and trait in d.get("state", {})]


def svg_texts(svg):
    root = ET.fromstring(svg)
    return [t.text or "" for t in root.iter("{http://www.w3.org/2000/svg}text")]


def no_markup_from_user(html_or_svg):
    assert "<script" not in html_or_svg.lower()
    assert not re.search(r"\son\w+\s*=", html_or_svg), "an event-handler attribute leaked"


def loss(w, x):
    return jnp.sum(jnp.tanh(x @ w))


W = np.arange(6, dtype=np.float32).reshape(3, 2) / 10
X = np.linspace(-1, 1, 12, dtype=np.float32).reshape(4, 3)


# ---------------------------------------------------------------------------
# graph view


def test_graph_view_has_four_stages_with_the_programs_equations():
    view = gbw.graph(loss)(W, X)
    names = [s["name"] for s in view.stages]
    assert names == ["traced", "grad", "vmap", "hlo"]
    assert view.stage == "traced"
    traced, grad, vmapped, hlo = view.stages
    assert traced["kind"] == grad["kind"] == vmapped["kind"] == "graph"
    texts = "\n".join(svg_texts(traced["svg"]))
    for prim in ("dot_general", "tanh", "reduce_sum"):
        assert prim in texts
    assert "f32[4,3]" in texts and "w: f32[3,2]" in texts
    eqns = [n for n in traced["nodes"].values() if n["kind"] == "eqn"]
    assert len(eqns) == traced["equations"] == 3
    tanh = next(n for n in eqns if n["prim"] == "tanh")
    assert tanh["code"] == "return jnp.sum(jnp.tanh(x @ w))"
    assert tanh["function"] == "loss" and tanh["file"].endswith("test_views.py")
    assert "jvp yes" in tanh["rules"] and "lowering yes" in tanh["rules"]
    back = [n for n in grad["nodes"].values() if n.get("name_stack", "").endswith("transpose")]
    assert back and all("transpose rule" in n["produced_by"] for n in back)
    assert "f32[2,4,3]" in "\n".join(svg_texts(vmapped["svg"]))


def test_stablehlo_tab_is_the_real_lowering_tagged_by_source_line():
    view = gbw.graph(loss, stages=("traced", "hlo"))(W, X)
    hlo = view.stages[1]
    text = "\n".join(line["text"] for line in hlo["lines"])
    assert text == glassbox.jit(loss).lower(W, X).as_text().rstrip("\n")
    tagged = [line for line in hlo["lines"] if line["key"]]
    assert {line["prim"] for line in tagged} >= {"dot_general", "tanh", "reduce_sum"}
    node_keys = {n["key"] for n in view.stages[0]["nodes"].values() if n.get("key")}
    assert {line["key"] for line in tagged} <= node_keys   # cross-linked by source line
    assert all("stablehlo.tanh" in line["text"] for line in tagged if line["prim"] == "tanh")


def test_a_stage_that_cannot_be_built_shows_its_error():
    view = gbw.graph(lambda x: jnp.sin(x), stages=("traced", "grad"))(np.ones(3, np.float32))
    grad = view.stages[1]
    # what grad traced before it refused (sin, its jvp's cos), the refusal marked
    assert grad["kind"] == "graph" and "scalar" in grad["note"]
    assert "✖" in grad["svg"] and "sin" in grad["svg"]


def test_graph_for_jaxpr_is_what_the_magics_call():
    traced = glassbox.jit(loss).trace(W, X)
    view = gbw.graph_for_jaxpr(traced.jaxpr, hlo_text=traced.lower().as_text(),
                               hlo_jaxpr=traced.jaxpr, title="cell")
    assert isinstance(view, gbw.GraphView) and view.title == "cell"
    assert [s["kind"] for s in view.stages] == ["graph", "text"]
    assert any(line["key"] for line in view.stages[1]["lines"])
    plain = gbw.graph_for_jaxpr(glassbox.make_jaxpr(loss)(W, X).jaxpr)
    assert plain.stages[0]["equations"] == 3


def test_sub_jaxprs_are_clusters_that_collapse_and_expand_on_a_message():
    @glassbox.jit
    def inner(a):
        return jnp.sin(a) * 2.0

    def outer(w, x):
        return jnp.sum(inner(x @ w))
    view = gbw.graph(outer, stages=("traced",))(W, X)
    nodes = view.stages[0]["nodes"]
    cluster = next(n for n in nodes.values() if n["kind"] == "cluster" and n["label"] == "jit(inner)")
    assert cluster["title"].startswith("jit(inner): 3 equations")
    before = len(view.comm.sent)
    from_frontend(view, {"type": "toggle", "stage": "traced", "group": cluster["group"]})
    stage = view.stages[0]
    assert cluster["group"] in stage["collapsed"]
    group = stage["nodes"][cluster["group"]]
    assert group["kind"] == "group" and group["count"] == 3
    assert "sin" not in "\n".join(svg_texts(stage["svg"]))
    assert len(view.comm.sent) > before and updates(view, "stages")   # sent to the front end
    from_frontend(view, {"type": "toggle", "stage": "traced", "group": cluster["group"]})
    assert "sin" in "\n".join(svg_texts(view.stages[0]["svg"]))
    from_frontend(view, {"type": "toggle", "stage": "nope", "group": "g1"})   # ignored


def test_selection_from_the_front_end_is_python_state():
    view = gbw.graph(loss, stages=("traced",))(W, X)
    node = next(n for n in view.stages[0]["nodes"].values() if n["kind"] == "eqn")
    from_frontend(view, state={"selected": dict(node, stage="traced")})
    assert view.selected["prim"] == node["prim"]
    from_frontend(view, state={"stage": "traced"})
    assert view.stage == "traced"


def test_thousands_of_equations_collapse_to_a_usable_graph():
    def long_loop(x):
        for _ in range(600):
            x = jnp.sin(x) * 1.01 + 0.1
        return x
    closed = glassbox.make_jaxpr(long_loop)(np.ones(3, np.float32))
    assert len(closed.eqns) >= 1800
    graph = Graph(closed)
    svg, info, collapsed = graph.layout(max_nodes=200)
    assert collapsed and len(info) <= 260
    groups = [n for n in info.values() if n["kind"] == "group"]
    assert sum(g["count"] for g in groups) >= 1700   # the loop's lines fold into a few nodes
    ET.fromstring(svg)


def test_mime_bundle_carries_the_widget_and_a_static_picture():
    view = gbw.graph(loss, stages=("traced", "hlo"))(W, X)
    data, _ = view._repr_mimebundle_()
    assert data["application/vnd.jupyter.widget-view+json"]["model_id"] == view.model_id
    static = data["text/html"]
    assert "class='gb-static'" in static and "<svg" in static and "stablehlo.tanh" in static
    assert "tanh" in static
    no_markup_from_user(static)


# ---------------------------------------------------------------------------
# escaping: names from user code never become markup


def test_user_strings_are_escaped_everywhere():
    def f(params, x):
        return jnp.sum(jnp.tanh(x @ params[EVIL]))
    f.__name__ = EVIL
    inner = glassbox.jit(f)
    params = {EVIL: W}

    def g(params, x):
        return inner(params, x)
    views = [gbw.graph(g)(params, X), gbw.graph(f)(params, X), gbw.grad_flow(f)(params, X),
             gbw.batching(f, in_axes=(None, 0), axis_name=EVIL)(params, X)]
    for view in views:
        assert EVIL in json.dumps(view.stages) or EVIL in json.dumps(view.panels)
        for stage in view.stages:
            if stage["kind"] == "graph":
                no_markup_from_user(stage["svg"])
                assert "&lt;script&gt;" in stage["svg"]
        no_markup_from_user(view.static_html())
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in view.static_html()


def test_dot_strings_and_svg_sanitizer():
    assert dot_string('a"b\\l<c>&\nd') == '"a&quot;b\\\\l&lt;c&gt;&amp;\\nd"'
    dirty = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
             '<script>alert(1)</script><g onclick="x()"><a xlink:href="javascript:x()">'
             '<text>ok</text></a></g><foreignObject><div/></foreignObject></svg>')
    clean = sanitize_svg(dirty)
    assert "script" not in clean and "onclick" not in clean and "javascript" not in clean
    assert "foreignObject" not in clean and ">ok<" in clean


# ---------------------------------------------------------------------------
# gradient flow


def test_gradient_flow_norms_match_numpy():
    params = {"w": W, "b": np.full(2, 0.1, np.float32)}

    def model_loss(params, x):
        return jnp.sum(jnp.tanh(x @ params["w"] + params["b"]))
    view = gbw.grad_flow(model_loss)(params, X)
    t = np.tanh(X @ W + 0.1)
    dz = 1 - t ** 2
    expect = {"params['b']": np.linalg.norm(dz.sum(0)), "params['w']": np.linalg.norm(X.T @ dz)}
    got = {path: norm for path, shape, norm, flag in view.param_norms}
    assert got.keys() == expect.keys()
    for k in expect:
        np.testing.assert_allclose(got[k], expect[k], rtol=1e-5)
    assert view.loss == pytest.approx(float(t.sum()), rel=1e-5)
    stage = view.stages[0]
    texts = "\n".join(svg_texts(stage["svg"]))
    assert "forward pass" in texts and "backward pass" in texts and "‖ct‖" in texts
    # the cotangent reaching tanh's output is all ones: its norm is sqrt(4 * 2)
    assert f"‖ct‖ {np.sqrt(8):.3g}" in texts
    table = next(p for p in view.panels if p.get("name") == "params")
    assert [r["cells"][0] for r in table["rows"]] == ["params['b']", "params['w']"]


def test_vanishing_and_exploding_gradients_are_flagged():
    def deep(w, x):
        h = x
        for _ in range(3):
            h = jnp.tanh(h @ w)
        return jnp.sum(h)
    w = np.eye(3, dtype=np.float32)
    view = gbw.grad_flow(deep)(w * 50, X[:, :3])
    flags = {flag for _, _, _, flag in view.param_norms}
    assert "vanishing" in flags   # saturated tanh: (1 - tanh^2) underflows
    assert "gb-vanishing" in view.stages[0]["svg"]
    view = gbw.grad_flow(lambda w, x: jnp.sum((x @ w) ** 2) * 1e6)(w, X[:, :3] * 10)
    assert [f for _, _, _, f in view.param_norms] == ["exploding"]


class FakeSlider(traitlets.HasTraits):
    value = traitlets.Float(1.0)


def test_a_bound_slider_reruns_the_compiled_function_and_updates():
    view = gbw.grad_flow(loss)(W, X)
    slider = FakeSlider()
    view.bind(slider, lambda s: (W * s, X))
    first = view.param_norms[0][2]
    with events.record("compiled", "traced") as log:
        slider.value = 3.0
    assert [e.kind for e in log] == ["compiled"] and log[0]["cache_hit"]   # no retrace
    assert view.param_norms[0][2] != first
    t = np.tanh(X @ (W * 3))
    np.testing.assert_allclose(view.param_norms[0][2], np.linalg.norm(X.T @ (1 - t ** 2)),
                               rtol=1e-5)
    assert updates(view, "panels") and updates(view, "stages")


# ---------------------------------------------------------------------------
# batching axes


def mlp(w, x):
    return jnp.tanh(x @ w) * 2.0


def test_batching_axes_per_value():
    xs = np.ones((5, 3), np.float32)
    view = gbw.batching(mlp, in_axes=(None, 0), axis_name="batch")(W, xs)
    axes = view.axes
    w_var, x_var = axes.jaxpr.jaxpr.invars
    assert axes.dims[w_var] == {} and axes.dims[x_var] == {0: 0}
    out = axes.jaxpr.jaxpr.outvars[0]
    assert axes.final[out] == (5, 2)
    vmapped = glassbox.make_jaxpr(glassbox.vmap(mlp, in_axes=(None, 0)))(W, xs)
    assert axes.final[out] == vmapped.out_avals[0].shape
    rows = next(p for p in view.panels if p.get("name") == "values")["rows"]
    assert rows[0]["cells"][:2] == ["f32[3,2]", "unbatched"]
    assert rows[1]["cells"][:2] == ["f32[batch:5,3]", "batch@0"]
    texts = "\n".join(svg_texts(view.stages[0]["svg"]))
    assert "f32[batch:5,2]" in texts and "vmap introduces batch at dim 0" in texts
    assert view.stages[1]["name"] == "vmap" and view.stages[1]["kind"] == "graph"
    # The multiplication by an unbatched constant broadcast it along the batch axis.
    marks = {e.primitive.name: m for e, m in view.marks.items()}
    assert marks["dot_general"] == "batched"


def test_nested_vmaps_are_distinct_axes():
    def f(a, b):
        return jnp.sin(a) * b
    a, b = np.ones(3, np.float32), np.ones(4, np.float32)
    view = gbw.batching(f, levels=[gbw.Level((0, None), "i"), gbw.Level((None, 0), "j")])(a, b)
    axes = view.axes
    out = axes.jaxpr.jaxpr.outvars[0]
    assert axes.dims[out] == {0: 0, 1: 0}
    assert axes.final[out] == (4, 3)
    expect = glassbox.vmap(glassbox.vmap(f, (0, None)), (None, 0))(a, b)
    assert expect.shape == axes.final[out]
    rows = next(p for p in view.panels if p.get("name") == "values")["rows"]
    labels = [r["cells"][0] for r in rows]
    assert labels == ["f32[i:3]", "f32[j:4]", "f32[i:3]", "f32[j:4,i:3]"]
    assert [e.primitive.name for e, m in view.marks.items() if m == "broadcast"] == ["mul"]


def test_moved_batch_dims_are_marked():
    def f(x, y):
        return jnp.sin(x) + y
    x = np.ones((3, 5), np.float32)   # batched along axis 1
    y = np.ones((5, 3), np.float32)   # batched along axis 0
    view = gbw.batching(f, in_axes=(1, 0))(x, y)
    marks = {e.primitive.name: m for e, m in view.marks.items()}
    assert marks["add"] == "moved"
    after = view.stages[1]["nodes"].values()
    assert any("batch_move" in n.get("name_stack", "") for n in after)


def test_the_batched_event_reports_dims():
    with events.record("batched") as log:
        glassbox.make_jaxpr(glassbox.vmap(lambda x, y: x * y, in_axes=(0, None)))(
            np.ones((4, 3), np.float32), np.ones(3, np.float32))
    (event,) = log
    assert event["primitive"].name == "mul"
    assert event["in_dims"] == (0, None) and event["out_dims"] == (0,)
    assert event["axis_size"] == 4 and event["source_info"].function == "<lambda>"
    assert event["out_avals"][0].shape == (4, 3)


def _leaves(value):
    """Every object inside an event payload: containers, jaxprs' consts and params."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, glassbox.core.ClosedJaxpr):
        yield from _leaves(value.consts)
        for eqn in value.jaxpr.eqns:
            yield from _leaves(eqn.params)
    else:
        yield value


def test_no_event_payload_holds_a_tracer():
    @glassbox.jit
    def inner(a, b):
        return jnp.sin(a) * b

    def f(w, x):
        return jnp.sum(glassbox.vmap(inner, in_axes=(0, None))(x, w) ** 2)
    with events.record() as log:
        glassbox.jit(glassbox.grad(f))(np.ones(3, np.float32), np.ones((4, 3), np.float32))
        gbw.batching(mlp, levels=[gbw.Level((None, 0), "i"), gbw.Level((None, 0), "j")])(
            W, np.ones((2, 5, 3), np.float32))
    assert {e.kind for e in log} >= {"traced", "batched", "compiled"}
    leaked = [(e.kind, type(x).__name__) for e in log for x in _leaves(dict(e))
              if isinstance(x, glassbox.core.Tracer)]
    assert not leaked


# ---------------------------------------------------------------------------
# live panels


def test_compile_cache_panel_counts_hits_and_misses_as_they_happen():
    panel = gbw.compile_cache()
    try:
        def cached_fn(x):
            return jnp.cos(x) + 1.0
        f = glassbox.jit(cached_fn)
        f(np.ones(3, np.float32))
        f(np.ones(3, np.float32))
        f(np.ones(4, np.float32))
        panel.sync()
        row = panel.row("cached_fn")
        assert (row["hits"], row["misses"], row["runs"]) == (1, 2, 3)
        assert row["reason"] == "input 0: f32[3] -> f32[4]"
        assert panel.totals["hits"] >= 1 and updates(panel, "rows")
        assert "MISS cached_fn" in "\n".join(panel.log)
        evil = glassbox.jit(lambda x: x + 1.0)
        evil.name = EVIL
        evil(np.ones(2, np.float32))
        panel.sync()
        assert panel.row(EVIL)["misses"] == 1
        no_markup_from_user(panel.static_html())
        assert "&lt;script&gt;" in panel.static_html()
    finally:
        panel.stop()


def test_device_panel_follows_arrays_as_they_are_created_and_freed():
    import gc
    panel = gbw.devices()
    try:
        def double(x):
            return x * 2.0
        f = glassbox.jit(double)
        a = jnp.ones((2, 5))
        b = f(a)
        panel.sync()
        device = panel.devices[0]["name"]
        recs = panel.arrays_on(device)
        producers = [r["producer"] for r in recs]
        assert "jit(double)" in producers and "eager op or transfer" in producers
        assert any(r["type"] == "f32[2,5]" and r["nbytes"] == 40 for r in recs)
        live = panel.totals["live"]
        del b
        gc.collect()
        panel.sync()
        assert panel.totals["live"] == live - 1 and panel.totals["freed"] >= 1
        assert updates(panel, "devices")
    finally:
        panel.stop()
    del a


def test_device_panel_keeps_no_backlog_of_eager_arrays():
    from glassbox.widgets import devicepanel
    panel = gbw.devices()
    try:
        x = jnp.ones(3)
        for _ in range(10_000):   # cache hits: no event settles their outputs
            jnp.add(x, x)
        assert 0 < len(panel._pending) <= devicepanel.MAX_PENDING
        y = glassbox.jit(lambda v: v * 2.0)(x)   # a jit call's output is still told apart
        assert panel._arrays[id(y)]["producer"] == "jit(<lambda>)"
        assert panel._created >= 10_000 and not panel._pending
    finally:
        panel.stop()


@pytest.fixture
def shell():
    from IPython.testing.globalipapp import start_ipython
    ip = start_ipython() or __import__("IPython").get_ipython()
    ip.user_ns["gbw"] = gbw
    yield ip
    ip.run_cell("for _p in list(_panels): _p.close()\ndel _panels, _p", store_history=False)


def run_cell(shell, code, cell_id):
    result = shell.run_cell(code, store_history=True, cell_id=cell_id)
    result.raise_error()


def test_rerunning_a_cell_closes_the_panels_it_displayed(shell):
    before = len(events._subscribers)
    shell.user_ns["_panels"] = made = []
    for _ in range(10):   # a notebook cell `gbw.devices()` run ten times
        run_cell(shell, "_panels.append(gbw.devices()); _panels[-1]", "cell-a")
    assert len(events._subscribers) == before + 1
    assert [p.listening for p in made] == [False] * 9 + [True]
    # shown again by its own cell, or still shown by another cell: kept
    run_cell(shell, "_panels[-1]", "cell-a")
    run_cell(shell, "_panels[-1]", "cell-b")
    run_cell(shell, "1", "cell-a")
    assert made[-1].listening and len(events._subscribers) == before + 1
    run_cell(shell, "2", "cell-b")   # its last display cleared
    assert not made[-1].listening and len(events._subscribers) == before


def test_a_dropped_panel_stops_listening():
    import gc
    import weakref

    import ipywidgets
    before = len(events._subscribers)
    panels = [gbw.devices() for _ in range(5)] + [gbw.compile_cache() for _ in range(5)]
    assert len(events._subscribers) == before + 10
    for p in panels:
        ipywidgets.Widget.close(p)   # closed behind its back (ipywidgets' own close)
    refs = [weakref.ref(p) for p in panels]
    del panels, p
    gc.collect()
    assert all(r() is None for r in refs)
    assert len(events._subscribers) == before


def test_device_panel_shows_several_cpu_devices():
    # The device count is fixed when the first array is made: use a fresh process.
    code = """
import json, glassbox
glassbox.config.update("cpu_device_count", 3)
import glassbox.widgets as gbw, glassbox.numpy as jnp
panel = gbw.devices()
xs = [glassbox.device_put(jnp.arange(4.0) + i, d) for i, d in enumerate(glassbox.devices())]
panel.sync()
print(json.dumps([[d["name"], d["arrays"]] for d in panel.devices]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    devices = json.loads(out.stdout.strip().splitlines()[-1])
    assert [d for d, _ in devices] == ["cpu:0", "cpu:1", "cpu:2"]
    assert all(n >= 1 for _, n in devices)


# ---------------------------------------------------------------------------
# control flow: branches and loop bodies


def branchy(x):
    y = glassbox.lax.cond(x.sum() > 0, lambda a: jnp.sin(a), lambda a: jnp.cos(a) * 2.0, x)

    def body(c, xi):
        return c + xi * 2.0, c * xi
    c, ys = glassbox.lax.scan(body, 0.0, y)
    return c + ys.sum()


def test_branches_and_loop_bodies_are_boxes_beside_their_equation():
    view = gbw.graph(branchy, stages=("traced",))(np.arange(3, dtype=np.float32))
    nodes = view.stages[0]["nodes"].values()
    bodies = sorted(n["label"] for n in nodes if n["kind"] == "cluster" and ": " in n["label"]
                    and n["label"].split(":")[0] in ("cond", "scan"))
    assert bodies == ["cond: branches[0]", "cond: branches[1]", "scan: jaxpr"]
    prims = {n.get("prim") for n in nodes}
    assert {"cond", "scan", "sin", "cos"} <= prims


def test_batching_through_a_scan_follows_its_rule():
    xs = np.ones((4, 3), np.float32)
    view = gbw.batching(branchy)(xs)
    axes = view.axes
    out = axes.jaxpr.jaxpr.outvars[0]
    assert axes.final[out] == glassbox.vmap(branchy)(xs).shape == (4,)
    scan = next(e for e in axes.jaxpr.jaxpr.eqns if e.primitive.name == "scan")
    ys = scan.outvars[1]
    assert axes.final[ys] == (3, 4)   # the scan's batching rule puts ys' batch dim second
    batched = glassbox.make_jaxpr(glassbox.vmap(branchy))(xs)
    real_scan = next(e for e in batched.jaxpr.eqns if e.primitive.name == "scan")
    assert real_scan.outvars[1].aval.shape == axes.final[ys]
    assert view.marks[scan] == "moved"


# ---------------------------------------------------------------------------
# large graphs: regrouped in program order, collapsed by default


def chain(x, w):
    """2,000 equations from a Python loop; its grad has about 7,000."""
    for _ in range(500):
        a = glassbox.lax.dot(x, w)
        b = glassbox.lax.tanh(a)
        c = b * x
        x = c + a
    return jnp.sum(x)


XC = np.ones((8, 8), np.float32)
WC = np.full((8, 8), 0.01, np.float32)


@pytest.fixture(scope="module")
def chain_grad():
    return glassbox.make_jaxpr(glassbox.grad(chain))(XC, WC)


def dot_edges(dot):
    return re.findall(r"^\s+(\S+) -> (\S+) \[(.*)\];$", dot, flags=re.M)


def test_the_grad_of_a_2000_equation_program_starts_collapsed():
    view = gbw.graph(chain, stages=("grad",))(XC, WC)
    stage = view.stages[0]
    assert stage["kind"] == "graph" and stage["large"]
    assert stage["equations"] > 6000
    assert 0 < stage["shown"] <= 250 and stage["folded"] > 0
    nodes = stage["nodes"]
    assert len(nodes) <= 300
    # Every equation is drawn or folded into exactly one collapsed group.
    drawn = sum(1 for n in nodes.values() if n["kind"] == "eqn" and "proxy_of" not in n)
    folded = sum(n["count"] for n in nodes.values() if n["kind"] == "group"
                 and "proxy_of" not in n)
    assert drawn + folded == stage["equations"]
    texts = "\n".join(svg_texts(stage["svg"]))
    assert "test_views.py:" in texts and "equations" in texts
    assert "transpose" in texts   # the backward pass is a box of its own
    ET.fromstring(stage["svg"])
    static = view.static_html()
    assert "groups collapsed" in static and "<svg" in static
    no_markup_from_user(static)


def test_opening_a_collapsed_block_lays_out_its_equations():
    view = gbw.graph(chain, stages=("grad",))(XC, WC)
    stage = view.stages[0]
    graph = view.stage_named("grad").graph
    leaf = min((n for n in stage["nodes"].values() if n["kind"] == "group"
                and "proxy_of" not in n), key=lambda n: n["count"])
    assert 0 < leaf["count"] <= 80
    before = len(view.comm.sent)
    from_frontend(view, {"type": "toggle", "stage": "grad", "group": leaf["group"]})
    after = view.stages[0]
    assert leaf["group"] not in after["collapsed"] and updates(view, "stages")
    assert len(view.comm.sent) > before
    # Its equations are drawn, with the small groups inside it (source lines) open too.
    opened = [n for n in after["nodes"].values() if n["kind"] == "eqn"
              and "proxy_of" not in n and leaf["group"] in graph.nodes[n["id"]].groups]
    assert len(opened) == leaf["count"]
    assert after["nodes"][leaf["group"]]["kind"] == "cluster"   # now a box around them
    texts = "\n".join(svg_texts(after["svg"]))
    assert {n["prim"] for n in opened} <= set(re.findall(r"[a-z_]+", texts))
    # Opening a block of blocks shows its blocks, still collapsed: never the whole program.
    outer = next(g for g in after["collapsed"] if g in after["nodes"]
                 and any(graph.groups.get(m) and graph.groups[m].kind == "run"
                         for m in graph.children[g]))
    view.toggle("grad", outer)
    again = view.stages[0]
    inner = [m for m in graph.children[outer] if m in graph.groups]
    assert inner and all(again["nodes"][m]["kind"] == "group" for m in inner)

    def items(stage):   # nodes and collapsed groups, not the copies drawn beside users
        return sum(1 for n in stage["nodes"].values()
                   if n["kind"] != "cluster" and "proxy_of" not in n)
    assert items(again) == items(after) + len(graph.children[outer]) - 1
    view.toggle("grad", leaf["group"])   # and folding it again
    assert leaf["group"] in view.stages[0]["collapsed"]


def test_large_groups_hold_consecutive_equations(chain_grad):
    graph = Graph(chain_grad)
    assert graph.large and graph.eqn_count == len(chain_grad.eqns)
    # Program order: the order the equations were made in.
    order = {nid: i for i, nid in enumerate(n for n, node in graph.nodes.items()
                                            if node.kind == "eqn")}
    members = graph._members()
    for gid, group in graph.groups.items():
        inside = sorted(order[n] for n in members[gid] if n in order)
        assert inside[-1] - inside[0] + 1 == len(inside), \
            f"{group.kind} {group.label!r} is not consecutive"
        assert len(graph.children[gid]) <= 40   # opening a group shows at most 40 things
    kinds = {g.kind for g in graph.groups.values()}
    assert {"ns", "run"} <= kinds
    # grad's cotangent sums carry another name stack but sit inside the backward pass.
    top = [graph.groups[g].label for g in graph.children[None] if g in graph.groups]
    assert top == ["grad(chain)/jvp"]
    backward = next(g for g in graph.groups.values() if g.label == "transpose")
    sums = [n for n in graph.nodes.values() if n.eqn is not None
            and n.eqn.primitive.name == "add_any"]
    assert sum(backward.id in n.groups for n in sums) >= len(sums) - 1


def test_large_layouts_draw_hubs_beside_their_users_and_the_backward_pass_upwards(chain_grad):
    graph = Graph(chain_grad)
    collapsed = graph.auto_collapsed()
    dot, info = graph.to_dot(collapsed, "t")
    edges = dot_edges(dot)
    proxies = [k for k, n in info.items() if n.get("proxy_of")]
    assert proxies and all(info[p]["label"] == info[info[p]["proxy_of"]]["label"]
                           for p in proxies)
    w_node = next(k for k, n in info.items() if n["kind"] == "input" and n["label"] == "b")
    assert sum(src == w_node for src, _, _ in edges) == 1   # the rest come from its copies
    assert all("xlabel=" in attrs or "label=" not in attrs for _, _, attrs in edges)
    # Open the backward pass: its edges are drawn reversed, so it climbs beside the forward.
    backward = next(g for g, grp in graph.groups.items() if grp.label == "transpose")
    dot, info = graph.to_dot(collapsed - {backward}, "t")
    assert any("dir=back" in attrs for _, _, attrs in dot_edges(dot))
    ET.fromstring(graph.layout(collapsed - {backward}, "t")[0])
    # Opened by hand past graphviz's budget, the longest edges (the values the backward
    # pass reads from far up the forward pass) come from copies beside their readers.
    opened = collapsed - {backward} - set(graph.children[backward])
    assert graph.layout_cost(opened) > 3000
    dot, info = graph.to_dot(opened, "t")
    cuts = {k: n for k, n in info.items() if "_to_" in k}
    assert cuts and all(n["proxy_of"] in graph.nodes or n["proxy_of"] in graph.groups
                        for n in cuts.values())
    assert all(sum(src == k for src, _, _ in dot_edges(dot)) == 1 for k in cuts)


def test_small_graphs_are_drawn_as_before():
    small = glassbox.make_jaxpr(glassbox.grad(loss))(W, X)
    graph = Graph(small)
    assert not graph.large and graph.children is None
    svg, info, collapsed = graph.layout()
    assert collapsed == set()
    dot, _ = graph.to_dot(collapsed, "t")
    assert "xlabel" not in dot and "dir=back" not in dot and "gb-proxy" not in dot
    assert sum(1 for n in info.values() if n["kind"] == "eqn") == len(small.eqns)
    assert {g.kind for g in graph.groups.values()} <= {"ns", "line", "sub", "body", "part"}
    # The threshold is max_nodes: with room for everything, a big program is not regrouped.
    loop = glassbox.make_jaxpr(lambda x: chain(x, WC))(XC)
    assert Graph(loop).large and not Graph(loop, max_nodes=10_000).large


def test_max_nodes_reaches_every_graph_view():
    def model_loss(params, x):
        h = jnp.tanh(x @ params["w"])
        return jnp.sum(h * h) + jnp.sum(params["w"] ** 2)
    params = {"w": W}
    flow = gbw.grad_flow(model_loss, max_nodes=12)(params, X)
    stage = flow.stages[0]
    assert stage["large"] and stage["shown"] <= 12
    labels = [n["label"] for n in stage["nodes"].values() if n["kind"] in ("group", "cluster")]
    assert any("forward" in label for label in labels)
    assert any("backward" in label for label in labels)
    batched = gbw.batching(loss, in_axes=(None, 0), max_nodes=4)(W, X)
    assert all(s["large"] for s in batched.stages if s["kind"] == "graph")
    plain = gbw.graph_for_jaxpr(glassbox.make_jaxpr(glassbox.grad(loss))(W, X), max_nodes=5)
    assert plain.stages[0]["large"] and plain.stages[0]["folded"]
    assert not gbw.graph(loss, stages=("grad",))(W, X).stages[0]["large"]


def test_loop_bodies_and_jit_calls_stay_boxes_in_a_large_graph():
    @glassbox.jit
    def layer(v):
        return jnp.sin(v) * 0.5

    def program(x):
        for _ in range(60):
            x = glassbox.lax.cond(jnp.sum(x) > 0, jnp.sin, jnp.cos, layer(x))
        return jnp.sum(x)
    graph = Graph(glassbox.make_jaxpr(program)(np.ones(3, np.float32)))
    assert graph.large
    kinds = {g.kind for g in graph.groups.values()}
    assert {"sub", "body"} <= kinds
    svg, info, collapsed = graph.layout()
    assert collapsed and len(info) <= 300
    ET.fromstring(svg)


def test_variable_names_are_those_print_gives():
    from glassbox.pretty import VarNames, pp_jaxpr
    from glassbox.widgets._graph import name_vars

    @glassbox.jit
    def inner(a):
        return jnp.sin(a) * 2.0

    def program(w, x):
        y = glassbox.lax.cond(jnp.sum(x) > 0, jnp.sin, jnp.cos, inner(x @ w))
        return jnp.sum(y) + branchy(x[:, 0])
    closed = glassbox.make_jaxpr(glassbox.grad(program))(W, X)
    printed, fast = VarNames(), VarNames()
    pp_jaxpr(closed.jaxpr, 0, printed)
    name_vars(closed.jaxpr, fast)
    assert fast.names == printed.names
