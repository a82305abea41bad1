"""The glassbox extension in-process, in IPython's test shell (fast; no kernel process).

Values are compared with NumPy; notes and messages by their content.
"""
import html as html_lib
import re

import numpy as np
import pytest
from IPython.core.error import UsageError
from IPython.testing.globalipapp import start_ipython
from IPython.utils.capture import capture_output

import glassbox
import glassbox.numpy as gnp
from glassbox.kernel import cells, tracebacks
from glassbox.kernel.kernel import namespace_wanted


@pytest.fixture(scope="module")
def ip():
    shell = start_ipython() or __import__("IPython").get_ipython()
    shell.run_cell("%load_ext glassbox", store_history=False)
    shell.run_cell("import glassbox\nimport glassbox.numpy as gnp", store_history=False)
    html_formatter = shell.display_formatter.formatters["text/html"]
    enabled, html_formatter.enabled = html_formatter.enabled, True   # off in terminals
    yield shell
    html_formatter.enabled = enabled
    # The extension's trace log keeps the last traces' jaxprs: unloaded, this worker's
    # later tests (tests/test_caches.py checks that jaxprs die) see none of it.
    shell.run_cell("%unload_ext glassbox", store_history=False)


def run(ip, code):
    """Run a cell; ``(result value, captured output)``; raises the cell's exception."""
    with capture_output() as out:
        result = ip.run_cell(code, store_history=True)
    return result, out


def ok(ip, code):
    result, out = run(ip, code)
    assert result.success, (code, result.error_before_exec or result.error_in_exec, out.stdout)
    return result.result, out


def html(ip, obj):
    return ip.display_formatter.formatters["text/html"](obj)


# ---------------------------------------------------------------------------
# Reading a cell


def test_cell_reads_before_assigning_and_what_it_assigns():
    parsed = cells.parse_cell("y = gnp.sin(x) * w\nfor i in range(n):\n    y = y + i\n"
                              "def g(a):\n    b = a * k\n    return b\nz = g(y)\nz += 1\nz")
    assert parsed.reads == ("gnp", "x", "w", "range", "n", "k")
    assert parsed.assigned == ("y", "i", "g", "z", cells.RESULT)
    assert parsed.has_result


def test_cell_comprehension_and_lambda_variables_stay_local():
    parsed = cells.parse_cell("s = [v * 2 for v in xs]\nf = lambda q: q + c\n")
    assert set(parsed.assigned) == {"s", "f"}
    assert "xs" in parsed.reads and "c" in parsed.reads and "v" not in parsed.assigned


def test_cell_rejects_return_and_global():
    with pytest.raises(cells.CellSyntaxError, match="return"):
        cells.parse_cell("return 1")
    with pytest.raises(cells.CellSyntaxError, match="global"):
        cells.parse_cell("global a\na = 1")


def test_is_array_tree():
    assert cells.is_array_tree(gnp.ones(2)) and cells.is_array_tree(np.ones(2))
    assert cells.is_array_tree({"w": gnp.ones(2), "n": 3})
    assert not cells.is_array_tree([1, 2]) and not cells.is_array_tree(3.0)
    assert not cells.is_array_tree(("relu", gnp.ones(2)))


# ---------------------------------------------------------------------------
# %%jit


def test_jit_cell_outputs_and_result_match_numpy(ip):
    ok(ip, "jm_x = gnp.arange(4.0)\njm_n = 2")
    value, out = ok(ip, "%%jit\njm_y = gnp.cos(jm_x)\nfor jm_i in range(jm_n):\n"
                        "    jm_y = jm_y * 2\njm_y.sum()")
    x = np.arange(4.0, dtype=np.float32)
    np.testing.assert_allclose(np.asarray(ip.user_ns["jm_y"]), np.cos(x) * 4, rtol=1e-6)
    np.testing.assert_allclose(float(value), (np.cos(x) * 4).sum(), rtol=1e-6)
    assert type(ip.user_ns["jm_i"]) is int          # Python values stay Python values
    assert "recompiled" not in out.stdout            # first compile: no note


def test_jit_cell_cache_hit_and_recompile_notes_name_the_inputs(ip):
    ok(ip, "rc_p = {'w': gnp.ones((2, 3)), 'b': gnp.zeros(3)}\nrc_x = gnp.ones((4, 2))\n"
           "rc_scale = 2.0")
    cell = "%%jit\nrc_h = (rc_x @ rc_p['w'] + rc_p['b']) * rc_scale"
    ok(ip, cell)
    _, out = ok(ip, cell)
    assert "recompiled" not in out.stdout
    ok(ip, "rc_x = gnp.ones((5, 2))")
    _, out = ok(ip, cell)
    assert "recompiled" in out.stdout and "rc_x: f32[4,2] -> f32[5,2]" in out.stdout
    ok(ip, "rc_p['w'] = gnp.ones((2, 3), dtype=gnp.int32)")
    _, out = ok(ip, cell)
    assert "rc_p['w']: f32[2,3] -> i32[2,3]" in out.stdout
    ok(ip, "rc_scale = 3.0")
    _, out = ok(ip, cell)
    assert "rc_scale: 2.0 -> 3.0" in out.stdout
    np.testing.assert_allclose(np.asarray(ip.user_ns["rc_h"]), np.full((5, 3), 6.0))


def test_jit_cell_recompiles_when_a_function_it_calls_is_redefined(ip):
    ok(ip, "rd_x = gnp.ones(3)\ndef rd_f(a):\n    return a + 1")
    cell = "%%jit\nrd_y = rd_f(rd_x)"
    ok(ip, cell)
    ok(ip, "def rd_f(a):\n    return a + 10")
    _, out = ok(ip, cell)
    assert "rd_f: redefined" in out.stdout
    np.testing.assert_allclose(np.asarray(ip.user_ns["rd_y"]), np.full(3, 11.0))


def test_jit_cell_static_array_and_bad_static_name(ip):
    ok(ip, "st_x = gnp.ones(3)\nst_k = gnp.array(2)")
    ok(ip, "%%jit --static st_k\nst_y = st_x * int(st_k)")   # int() needs a concrete value
    np.testing.assert_allclose(np.asarray(ip.user_ns["st_y"]), np.full(3, 2.0))
    with pytest.raises(UsageError, match="st_nope"):
        ip.run_cell_magic("jit", "--static st_nope", "st_y = st_x")


def test_jit_cell_show_and_time_options(ip):
    ok(ip, "sh_x = gnp.arange(3.0)")
    _, out = ok(ip, "%%jit --show jaxpr --show hlo --show optimized-hlo --time\n"
                    "sh_y = gnp.exp(sh_x)")
    shown = "\n".join(o.data["text/plain"] for o in out.outputs)
    assert "exp" in shown and "stablehlo.exponential" in shown and "HloModule" in shown
    assert "traced in" in out.stdout and "compiled in" in out.stdout
    _, out = ok(ip, "%%jit --time\nsh_y = gnp.exp(sh_x)")
    assert "cache hit" in out.stdout


def test_jit_cell_show_graph_draws_the_cell(ip):
    ok(ip, "gr_x = gnp.arange(3.0)")
    _, out = ok(ip, "%%jit --show graph\ngr_y = gnp.exp(gr_x) * 2")
    (shown,) = out.outputs
    html = shown.data["text/html"]                 # the static picture: an SVG per stage
    assert "%%jit cell" in html and "<svg" in html and "exp" in html and "mul" in html
    assert "stablehlo.exponential" in html         # the StableHLO tab rides along


def test_jit_cell_python_if_on_traced_value_points_at_the_cell_line(ip):
    ok(ip, "cf_x = gnp.ones(3)")
    with pytest.raises(glassbox.TracerBoolConversionError) as err:
        ip.run_cell_magic("jit", "", "cf_y = cf_x * 2\nif cf_y.sum() > 0:\n    cf_y = -cf_y\n")
    assert ":3." in str(err.value)    # line 3 of the notebook cell (the %%jit line is 1)


def test_jit_cell_usage_errors(ip):
    with pytest.raises(UsageError):
        ip.run_cell_magic("jit", "--no-such-option", "a = 1")
    with pytest.raises(UsageError, match="return"):
        ip.run_cell_magic("jit", "", "return 1")
    with pytest.raises(UsageError, match="identifier"):
        ip.run_cell_magic("jit", "--name 'a b'", "a = 1")


# ---------------------------------------------------------------------------
# %jaxpr, %hlo, %devices, %gb_config


def test_jaxpr_magic_of_an_expression(ip):
    ok(ip, "jx_x = gnp.ones(3)\njx_y = gnp.ones(3)")
    jaxpr = ip.run_line_magic("jaxpr", "gnp.sin(jx_y) * jx_x")
    assert [str(a.str_short()) for a in jaxpr.in_avals] == ["f32[3]", "f32[3]"]
    assert [e.primitive.name for e in jaxpr.eqns] == ["sin", "mul"]
    assert "gb-eqn" in html(ip, jaxpr)


def test_hlo_magic_stablehlo_and_optimized(ip):
    ok(ip, "hl_x = gnp.ones(3)")
    text = repr(ip.run_line_magic("hlo", "gnp.sin(hl_x)"))
    assert "stablehlo.sine" in text and "func.func" in text
    optimized = repr(ip.run_line_magic("hlo", "--optimized gnp.sin(hl_x)"))
    assert "HloModule" in optimized


def test_graph_magic_draws_an_expression_over_notebook_arrays(ip):
    import glassbox.widgets as gbw
    ok(ip, "gv_w = gnp.ones((3, 2)) / 10\ngv_x = gnp.ones((4, 3))\n"
           "def gv_loss(w, x):\n    return gnp.sum(gnp.tanh(x @ w))")
    view = ip.run_line_magic("graph", "--stages traced,hlo gv_loss(gv_w, gv_x)")
    assert isinstance(view, gbw.GraphView) and view.title == "%graph gv_loss(gv_w, gv_x)"
    assert [s["name"] for s in view.stages] == ["traced", "hlo"]
    assert view.stages[0]["equations"] == 3
    assert "stablehlo.tanh" in "\n".join(line["text"] for line in view.stages[1]["lines"])
    every = ip.run_line_magic("graph", "--stages=traced gv_x * 2")
    assert [s["name"] for s in every.stages] == ["traced"]


@pytest.mark.parametrize("magic, line, match", [
    ("graph", "", "needs an expression"),
    ("graph", "--stages nope gv_x", "unknown stage"),
    ("graph", "--stages traced", "needs an expression"),
    ("jaxpr", "", "needs an expression"),
    ("jaxpr", "gnp.sin(", "not a Python expression"),
    ("jaxpr", "gnp.sin", "is a function"),
    ("hlo", "--bogus x", "unknown option"),
    ("devices", "extra", "no arguments"),
    ("gb_config", "x64", "OPTION=VALUE"),
    ("gb_config", "nope=1", "no option"),
    ("gb_config", "x64=perhaps", "takes a bool"),
    ("gb_config", "traceback=long", "filtered"),
    ("gb_config", "clear_cache now", "clear_cache"),
    ("gb_config", "persistent_cache_min_compile_time_secs=soon", "takes a float"),
])
def test_magic_usage_errors(ip, magic, line, match):
    with pytest.raises(UsageError, match=match):
        ip.run_line_magic(magic, line)


def test_bad_usage_shows_a_message_not_a_traceback(ip):
    result, out = run(ip, "%jaxpr")
    assert not result.success
    assert "UsageError" in out.stderr and "Traceback" not in out.stdout + out.stderr


def test_devices_magic(ip):
    table = ip.run_line_magic("devices", "")
    assert len(table.rows) == len(glassbox.devices())
    assert "cpu" in repr(table) and "<table>" in table._repr_html_()


def test_gb_config_shows_and_sets(ip):
    table = ip.run_line_magic("gb_config", "")
    assert ["enable_x64", "False", "glassbox.config"] in table.rows
    try:
        with capture_output() as out:
            ip.run_line_magic("gb_config", "x64=True debug_nans=on")
        assert glassbox.config.enable_x64 and glassbox.config.debug_nans
        assert "enable_x64: False -> True" in out.stdout
    finally:
        glassbox.config.update("enable_x64", False)
        glassbox.config.update("debug_nans", False)


def test_gb_config_sets_shows_and_clears_the_compilation_cache(ip, tmp_path):
    folder = tmp_path / "xla"
    saved = {k: glassbox.config.read(k) for k in
             ("compilation_cache_dir", "persistent_cache_min_compile_time_secs")}
    try:
        with capture_output() as out:
            ip.run_line_magic("gb_config", f"compilation_cache_dir={folder} "
                                           "jax_persistent_cache_min_compile_time_secs=0")
        assert glassbox.config.compilation_cache_dir == str(folder)
        assert glassbox.config.persistent_cache_min_compile_time_secs == 0.0
        assert f"-> {folder}" in out.stdout
        ok(ip, "gc_y = glassbox.jit(lambda v: gnp.cosh(v) * 1.75 - 3.0)(gnp.arange(3.0))")
        written = len(list(folder.glob("*.xla")))
        assert written >= 1
        row = {r[0]: r[1] for r in ip.run_line_magic("gb_config", "").rows}
        assert row["compilation cache"].startswith(f"{written} entries, ")
        assert str(folder) in row["compilation cache"] and "written" in row["compilation cache"]
        _, out = ok(ip, "%gb_config clear_cache")
        assert f"deleted {written} entries from {folder}" in out.stdout
        assert not list(folder.glob("*.xla")) and folder.is_dir()
        ok(ip, "%gb_config compilation_cache_dir=none")
        assert glassbox.config.compilation_cache_dir is None
        row = {r[0]: r[1] for r in ip.run_line_magic("gb_config", "").rows}
        assert row["compilation cache"] == "off"
        _, out = ok(ip, "%gb_config clear_cache")
        assert "off" in out.stdout
    finally:
        for key, value in saved.items():
            glassbox.config.update(key, value)


# ---------------------------------------------------------------------------
# Tracebacks


def test_errors_hide_glassbox_frames_and_tb_shows_them(ip):
    result, out = run(ip, "tb_f = glassbox.jit(lambda a: a if a > 0 else -a)\n"
                          "tb_f(gnp.ones(2))")
    assert isinstance(result.error_in_exec, glassbox.TracerBoolConversionError)
    short = out.stdout
    assert "tb_f(gnp.ones(2))" in short and "internal frames hidden" in short
    assert "core/api.py" not in short and "core/tracing.py" not in short
    _, full = run(ip, "%tb")
    assert "core/api.py" in full.stdout


def test_traceback_full_setting_and_plain_errors_untouched(ip):
    try:
        ok(ip, "%gb_config traceback=full")
        _, out = run(ip, "glassbox.jit(lambda a: a if a > 0 else -a)(gnp.ones(2))")
        assert "core/api.py" in out.stdout and "hidden" not in out.stdout
    finally:
        ok(ip, "%gb_config traceback=filtered")
    _, out = run(ip, "1 / 0")
    assert "ZeroDivisionError" in out.stdout and "hidden" not in out.stdout


def test_filter_traceback_keeps_user_frames():
    def user_code():
        glassbox.jit(lambda a: a if a > 0 else -a)(gnp.ones(2))
    try:
        user_code()
    except glassbox.TracerBoolConversionError as err:
        tb = err.__traceback__
    short, hidden = tracebacks.filter_traceback(tb)
    names = []
    while short is not None:
        names.append(short.tb_frame.f_code.co_name)
        short = short.tb_next
    assert hidden > 0
    assert "user_code" in names and "<lambda>" in names and "_trace" not in names


# ---------------------------------------------------------------------------
# Display, loading, the kernel's namespace switch


def test_array_display(ip):
    x = gnp.arange(6.0).reshape(2, 3)
    text = html(ip, x)
    assert "f32[2,3]" in text and "float32" in text and "CPU:0" in text
    assert "[3., 4., 5.]" in text
    plain = ip.display_formatter.formatters["text/plain"](x)
    assert plain == repr(x)
    weak = glassbox.device_put(1.0)    # a Python scalar keeps its weak type
    assert weak.aval.weak_type and "weak_type" in html(ip, weak)


def test_jitted_display_lists_cache_entries(ip):
    f = glassbox.jit(lambda a: a + 1)
    assert "not called yet" in html(ip, f)
    f(gnp.ones(2))
    f(gnp.ones(3, dtype=gnp.int32))
    text = html(ip, f)
    assert "(f32[2])" in text and "(i32[3])" in text and "2 cached signatures" in text
    assert "(i32[3])  compiled" in ip.display_formatter.formatters["text/plain"](f)


def test_load_ext_twice_is_harmless(ip):
    loaded = ip._glassbox_extension
    ok(ip, "%load_ext glassbox")
    ok(ip, "%reload_ext glassbox")
    assert ip._glassbox_extension is not None
    assert "jit" in ip.magics_manager.magics["cell"]
    line_magics = set(ip.magics_manager.magics["line"])
    assert {"jaxpr", "hlo", "graph", "devices", "gb_config"} <= line_magics
    assert loaded is not None


def test_namespace_switch(monkeypatch):
    monkeypatch.delenv("GLASSBOX_KERNEL_NAMESPACE", raising=False)
    assert namespace_wanted() and not namespace_wanted(False)
    for off in ("0", "false", "no", "off"):
        monkeypatch.setenv("GLASSBOX_KERNEL_NAMESPACE", off)
        assert not namespace_wanted()
    monkeypatch.setenv("GLASSBOX_KERNEL_NAMESPACE", "1")
    assert namespace_wanted(False)


def test_jaxpr_html_agrees_with_the_text_form_and_shows_source_lines(ip):
    def f(x, y):
        return gnp.sin(x) * y
    jaxpr = glassbox.make_jaxpr(f)(gnp.ones(3), 2.0)
    page = html(ip, jaxpr)
    assert "class='gb-type'" in page and "class='gb-prim'" in page
    assert "test_magics.py:" in page            # hovering an equation shows its line
    body = page.split("</style>", 1)[1]
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", body.replace("</div>", "\n")))
    assert text.split() == str(jaxpr).split()


def test_jit_cell_output_mixing_arrays_and_other_values_is_an_error(ip):
    ok(ip, "mx_x = gnp.ones(2)")
    with pytest.raises(TypeError, match="mx_info.*mixes traced arrays"):
        ip.run_cell_magic("jit", "", "mx_info = {'name': 'double', 'value': mx_x * 2}")
