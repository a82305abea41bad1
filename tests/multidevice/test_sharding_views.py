"""Seeing sharded arrays on 8 CPU devices: ``glassbox.debug.visualize_array_sharding`` /
``inspect_array_sharding``, the device panel's shards and the partitioned graph view.

The text pictures are compared with JAX 0.10.2's, recorded from ``.venv-jax`` (with
``rich``) in ``data/visualize_sharding_jax.json`` (how: its ``_note``).
"""
import contextlib
import io
import json
import pathlib

import numpy as np
import pytest

import glassbox as jax
import glassbox.numpy as jnp
import glassbox.widgets as gbw
from glassbox import debug
from glassbox.sharding import AxisType, NamedSharding, PartitionSpec as P, make_mesh, set_mesh

RECORDS = json.loads((pathlib.Path(__file__).parent / "data" /
                      "visualize_sharding_jax.json").read_text())
CASES = sorted(k for k in RECORDS if not k.startswith("_"))


@pytest.fixture(autouse=True)
def _plain_terminal(monkeypatch):
    """rich reads these to decide on colors; the records were made without them."""
    for name in ("FORCE_COLOR", "NO_COLOR", "COLORTERM", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)


def _spec(record):
    return P(*[tuple(s) if isinstance(s, list) else s for s in record["spec"]])


def _printed(fn, *args, **kwargs):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        fn(*args, **kwargs)
    return buf.getvalue()


# --- visualize_array_sharding: JAX's text ----------------------------------------------

@pytest.mark.parametrize("name", CASES)
def test_visualize_array_sharding_prints_jax_s_picture(name, mesh, mesh1d):
    rec = RECORDS[name]
    m = mesh1d if rec["mesh"] == "1d" else mesh
    x = jax.device_put(jnp.zeros(rec["shape"]), NamedSharding(m, _spec(rec)))
    assert _printed(debug.visualize_array_sharding, x, **rec["kwargs"]) == rec["text"]


def test_visualize_sharding_takes_a_shape_and_a_sharding(mesh):
    rec = RECORDS["2d_xy"]
    text = _printed(debug.visualize_sharding, (8, 4), NamedSharding(mesh, P("x", "y")))
    assert text == rec["text"]


@pytest.mark.parametrize("name", sorted(RECORDS["_colored"]))
def test_colored_picture_is_jax_s(name, mesh, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("COLORTERM", "truecolor")
    rec = RECORDS["_colored"][name]
    x = jax.device_put(jnp.zeros(rec["shape"]), NamedSharding(mesh, _spec(rec)))
    text = _printed(debug.visualize_array_sharding, x,
                    color_map=lambda v: (v, 0.5, 1 - v, 1.0))
    assert "\x1b[" in text and text == rec["text"]


@pytest.mark.parametrize("ndim", ["3", "0"])
def test_more_than_two_or_zero_dimensions_are_refused_as_jax_does(ndim, mesh1d):
    shape = (2, 2, 8) if ndim == "3" else ()
    x = jax.device_put(jnp.zeros(shape), NamedSharding(mesh1d, P()))
    cls, message = RECORDS["_errors"][ndim]
    with pytest.raises(ValueError) as info:
        debug.visualize_array_sharding(x)
    assert type(info.value).__name__ == cls and str(info.value) == message


def test_single_device_array_is_one_box():
    text = _printed(debug.visualize_array_sharding, jnp.zeros(4))
    assert text.count("CPU 0") == 1 and "CPU 1" not in text and text.startswith("┌")


# --- the notebook picture ---------------------------------------------------------------

def _track_px(html, which):
    """The pixel sizes of the grid's ``grid-template-<which>``."""
    start = html.index(f"grid-template-{which}:") + len(f"grid-template-{which}:")
    return [int(t[:-2]) for t in html[start:html.index(";", start)].split()]


def test_html_grid_names_every_device_its_shard_and_bytes(mesh):
    sharding = NamedSharding(mesh, P("x", "y"))
    html = debug._sharding_html((8, 4), sharding, np.float32)
    for i in range(8):
        assert f">CPU {i}<" in html and f'data-devices="{i}"' in html
    assert html.count('class="gb-shard"') == 8
    assert "f32[2,2] · 16 B" in html
    cols = _track_px(html, "columns")
    assert len(cols) == 2 and cols[0] == cols[1] and len(_track_px(html, "rows")) == 4
    # 8 blocks side by side: fitted into max_width characters (8 px each), as rich fits
    # JAX's table to its console, but never narrower than their labels
    wide = debug._sharding_html((8, 64), NamedSharding(mesh, P(None, ("x", "y"))), np.float32)
    cols = _track_px(wide, "columns")
    assert len(cols) == 8 and len(set(cols)) == 1
    assert 7 * len("f32[8,8] · 256 B") < cols[0] <= 8 * 80 // 8 + 7 * len("f32[8,8] · 256 B")
    narrow = debug._sharding_html((8, 64), NamedSharding(mesh, P(None, ("x", "y"))),
                                  np.float32, max_width=40)
    assert _track_px(narrow, "columns") == cols   # the labels' width wins
    # replicated along y: 4 blocks, each held by two devices
    html = debug._sharding_html((8, 4), NamedSharding(mesh, P("x")), np.int8)
    assert html.count('class="gb-shard"') == 4 and ">CPU 0,1<" in html
    assert "i8[2,4] · 8 B" in html
    assert "P(&#x27;x&#x27;,)" in html   # escaped


def test_notebook_shows_html_with_jax_s_text_as_plain_text(mesh, monkeypatch):
    import IPython.display as display
    shown = []
    monkeypatch.setattr(debug, "_in_notebook", lambda: True)
    monkeypatch.setattr(display, "display", shown.append)
    x = jax.device_put(jnp.zeros((8, 4), jnp.bfloat16), NamedSharding(mesh, P("x", "y")))
    assert _printed(debug.visualize_array_sharding, x) == ""
    (picture,) = shown
    bundle = picture._repr_mimebundle_()
    assert bundle["text/plain"] == RECORDS["2d_xy"]["text"]
    assert "bf16[2,2] · 8 B" in bundle["text/html"]
    assert all(f">CPU {i}<" in bundle["text/html"] for i in range(8))


# --- inspect_array_sharding ----------------------------------------------------------------

def test_inspect_array_sharding_calls_back_per_leaf(mesh):
    x = jax.device_put(jnp.zeros((8, 4)), NamedSharding(mesh, P("x", "y")))
    y = jax.device_put(jnp.zeros(8), NamedSharding(mesh, P("y")))
    seen = []
    assert debug.inspect_array_sharding({"a": x, "b": [y]}, callback=seen.append) is None
    assert seen == [x.sharding, y.sharding]
    assert seen[0].spec == P("x", "y") and seen[1].spec == P("y")


def test_inspect_inside_jit_gives_the_type_s_sharding_with_explicit_axes():
    emesh = make_mesh((4, 2), ("x", "y"), axis_types=(AxisType.Explicit,) * 2)
    x = jax.device_put(jnp.zeros((8, 4)), NamedSharding(emesh, P("x", "y")))
    seen = []

    @jax.jit
    def f(x):
        y = jnp.sin(x)
        debug.inspect_array_sharding(y, callback=seen.append)
        return y * 2

    with set_mesh(emesh):
        np.testing.assert_array_equal(np.asarray(f(x)), np.zeros((8, 4)))
        assert len(seen) == 1 and seen[0] == NamedSharding(emesh, P("x", "y"))
        text = _printed(jax.jit(lambda x: (debug.visualize_array_sharding(x), x)[1]), x)
    assert text == RECORDS["2d_xy"]["text"]


def test_inspect_inside_jit_without_a_typed_sharding_says_why(mesh):
    x = jax.device_put(jnp.zeros((8, 4)), NamedSharding(mesh, P("x", "y")))
    with pytest.raises(NotImplementedError, match="Explicit"):
        jax.jit(lambda x: (debug.inspect_array_sharding(x, callback=print), x)[1])(x)


# --- the device panel ----------------------------------------------------------------------

def test_device_panel_lists_the_8_shards_of_a_sharded_array(mesh):
    panel = gbw.devices()
    try:
        x = jax.device_put(np.arange(32, dtype=np.float32).reshape(8, 4),
                           NamedSharding(mesh, P("x", "y")))
        r = jax.device_put(np.arange(16, dtype=np.int32), NamedSharding(mesh, P("x")))
        panel.sync()
        by_type = {a["type"]: a for a in panel.sharded}
        a = by_type["f32[8,4]"]
        assert a["shard_type"] == "f32[2,2]" and a["sharding"].startswith("P('x', 'y')")
        expected = [[f"cpu:{2 * i + j}", f"[{2 * i}:{2 * i + 2}, {2 * j}:{2 * j + 2}]", "16 B"]
                    for i in range(4) for j in range(2)]
        assert a["shards"] == expected
        # with the values: each device holds the block the panel names
        for shard in x.addressable_shards:
            assert f"cpu:{shard.device.id}" == expected[shard.device.id][0]
            np.testing.assert_array_equal(np.asarray(shard.data),
                                          np.asarray(x)[shard.index])
        b = by_type["i32[16]"]
        assert [s[1] for s in b["shards"]] == [f"[{4 * (i // 2)}:{4 * (i // 2) + 4}]"
                                               for i in range(8)]
        assert all(s[2] == "16 B" for s in b["shards"])
        # each device's column holds its block of each array, and counts its bytes
        for d in panel.devices:
            rows = {row["id"]: row for row in d["rows"]}
            assert rows[a["id"]]["shard"] and rows[a["id"]]["bytes"] == "16 B"
            assert rows[b["id"]]["type"].startswith("i32[16] [")
        assert len(panel.arrays_on("cpu:5")) >= 2
        html = panel.static_html()
        assert "[6:8, 2:4]" in html and "f32[8,4] sharded" in html
    finally:
        panel.stop()
    del x, r


def test_device_panel_keeps_one_device_arrays_as_before(mesh):
    panel = gbw.devices()
    try:
        y = jax.device_put(np.ones(5, np.float32), jax.devices()[3])
        panel.sync()
        assert panel.sharded == []
        rows = [row for d in panel.devices if d["name"] == "cpu:3" for row in d["rows"]]
        assert [(row["type"], row["bytes"], row["shard"]) for row in rows] == [
            ("f32[5]", "20 B", "")]
    finally:
        panel.stop()
    del y


# --- the partitioned graph -----------------------------------------------------------------

def _matmul_sum(x, w):
    return jnp.sum(jnp.tanh(x @ w))


def test_partitioned_view_lists_shardings_and_xla_s_collectives(mesh):
    x = jax.device_put(jnp.ones((8, 4)), NamedSharding(mesh, P("x", "y")))
    w = jax.device_put(jnp.ones((4, 3)), NamedSharding(mesh, P("y", None)))
    view = gbw.partitioned(_matmul_sum)(x, w)
    shardings, collectives = view.panels
    assert shardings["rows"] == [
        {"cells": ["x", "f32[8,4]", "P('x', 'y')"]},
        {"cells": ["w", "f32[4,3]", "P('y', None)"]},
        {"cells": ["out 0", "f32[]", "P()"]}]
    ops = [row["cells"][0] for row in collectives["rows"]]
    # the contraction over the split 'y' axis needs a sum across the pairs of devices
    assert ops[0] == "all-reduce" and collectives["rows"][0]["cells"][2] == \
        "{{0,1},{2,3},{4,5},{6,7}}"
    assert set(ops) == {"all-reduce"}
    (stage,) = view.stages
    labels = [n.get("label", "") for n in stage["nodes"].values()]
    assert "out 0 P()" in labels
    assert "2 collectives inserted by XLA" in stage["note"]
    html = view.static_html()
    assert "all-reduce" in html and "P(&#x27;y&#x27;, None)" in html


def test_graph_adds_the_partitioned_tab_for_sharded_arguments(mesh):
    def g(x):
        y = jax.lax.with_sharding_constraint(jnp.sin(x), NamedSharding(mesh, P(None, "y")))
        return y * 2

    x = jax.device_put(jnp.ones((8, 4)), NamedSharding(mesh, P("x", "y")))
    view = gbw.graph(g, stages=("traced",))(x)
    assert [s["name"] for s in view.stages] == ["traced", "partitioned"]
    nodes = view.stages[1]["nodes"].values()
    pinned = [n for n in nodes if n.get("prim") == "sharding_constraint"]
    assert pinned and pinned[0]["notes"] == ["pins a sharding"]
    ops = [row["cells"][0] for row in view.panels[1]["rows"]]
    assert ops == ["all-gather"]   # from rows split over x to whole columns
    # an argument on one device, with no mesh set: no partitioned tab
    one = gbw.graph(g, stages=("traced",))(jnp.ones((8, 4)))
    assert [s["name"] for s in one.stages] == ["traced"] and one.panels == []


def test_hlo_collectives_reads_every_kind_and_its_groups():
    from glassbox.widgets.shardview import hlo_collectives
    text = """ENTRY %main {
  %p = f32[2]{0} parameter(0), sharding={devices=[8]<=[8]}
  %ar = f32[2]{0} all-reduce(%p), channel_id=1, replica_groups={{0,1},{2,3}}, to_apply=%add, metadata={op_name="dot.1"}
  %ag-start = (f32[2]{0}, f32[8]{0}) all-gather-start(%p), replica_groups=[2,4]<=[8], dimensions={0}
  %ag-done = f32[8]{0} all-gather-done(%ag-start)
  %cp = f32[2]{0} collective-permute(%p), source_target_pairs={{0,1},{1,0}}
  %a2a = f32[2]{0} all-to-all(%p), replica_groups=mesh['a'=8] {'a'}, dimensions={0}
  ROOT %rs = f32[1]{0} reduce-scatter(%p), replica_groups={}, dimensions={0}, to_apply=%add
}"""
    found = hlo_collectives(text)
    assert [(c["op"], c["name"]) for c in found] == [
        ("all-reduce", "ar"), ("all-gather", "ag-start"), ("collective-permute", "cp"),
        ("all-to-all", "a2a"), ("reduce-scatter", "rs")]
    assert [c["groups"] for c in found] == [
        "{{0,1},{2,3}}", "[2,4]<=[8]", "{{0,1},{1,0}}", "mesh['a'=8] {'a'}", "{}"]
    assert found[0]["origin"] == "dot.1" and found[1]["dims"] == "0"
    assert found[1]["type"] == "(f32[2]{0}, f32[8]{0})"
