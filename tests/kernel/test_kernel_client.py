"""The glassbox kernel through a real Jupyter client: the installed kernelspec, a kernel
process, execute requests, iopub messages, interrupts.

One kernel serves the whole module (``kernel`` fixture, session-scoped); each test
uses its own variable names. Its start-up time is measured and printed (run
``pytest -s`` to see it), never asserted.
"""
import json
import re
import sys

import numpy as np

import glassbox

from .client import KernelSession


def _scalar(plain):
    """The number in ``Array(1.5, dtype=float32)``."""
    return float(re.fullmatch(r"Array\((.+), dtype=\w+\)", plain).group(1))


def test_kernel_starts_and_reports_its_start_time(kernel, record_property):
    record_property("kernel_start_seconds", round(kernel.start_seconds, 3))
    print(f"\nglassbox kernel: ready {kernel.start_seconds:.2f} s after start_kernel()")
    assert kernel.start_seconds > 0


def test_kernel_info_fields(kernel):
    info = kernel.kernel_info()
    assert info["status"] == "ok"
    assert info["implementation"] == "glassbox"
    assert info["implementation_version"] == glassbox.__version__
    lang = info["language_info"]
    assert lang["name"] == "python"
    assert lang["file_extension"] == ".py"
    assert lang["glassbox_version"] == glassbox.__version__
    assert "glassbox" in info["banner"] and "%%jit" in info["banner"]


def test_namespace_has_gb_and_gnp(kernel):
    result = kernel.execute("gb.__name__, gnp.__name__")
    assert result.status == "ok"
    assert result.result["text/plain"] == "('glassbox', 'glassbox.numpy')"


def test_jit_cell_results_cache_and_recompile_note(kernel):
    assert kernel.execute("kc_x = gnp.arange(3.0)\nkc_w = gnp.ones(3) * 2").status == "ok"
    cell = "%%jit\nkc_y = gnp.sin(kc_x) * kc_w\nkc_total = kc_y.sum()\nkc_total"
    first = kernel.execute(cell)
    assert first.status == "ok", first.error
    expected = (np.sin(np.arange(3.0, dtype=np.float32)) * 2).sum()
    assert np.isclose(_scalar(first.result["text/plain"]), expected, rtol=1e-6)
    assert "recompiled" not in first.stdout      # a first compile is silent

    again = kernel.execute(cell)                 # same shapes: a cache hit, no note
    assert again.status == "ok" and "recompiled" not in again.stdout

    kernel.execute("kc_x = gnp.arange(5.0)\nkc_w = gnp.ones(5) * 2")
    changed = kernel.execute(cell)
    assert changed.status == "ok"
    assert "recompiled" in changed.stdout
    assert "kc_x: f32[3] -> f32[5]" in changed.stdout
    assert "kc_w: f32[3] -> f32[5]" in changed.stdout

    outputs = kernel.execute("kc_y.shape, type(kc_total).__name__")
    assert outputs.result["text/plain"] == "((5,), 'ArrayImpl')"


def test_rich_mime_types(kernel):
    kernel.execute("mt_x = gnp.arange(4.0).reshape(2, 2)\nmt_f = gb.jit(lambda a: a * 2)\n"
                   "_ = mt_f(mt_x)")
    array = kernel.execute("mt_x").result
    assert set(array) >= {"text/plain", "text/html"}
    assert array["text/plain"].startswith("Array(")
    assert "f32[2,2]" in array["text/html"] and "CPU:0" in array["text/html"]

    jaxpr = kernel.execute("%jaxpr gnp.sin(mt_x) * 2").result
    assert set(jaxpr) >= {"text/plain", "text/html"}
    assert "sin" in jaxpr["text/plain"] and "gb-eqn" in jaxpr["text/html"]

    jitted = kernel.execute("mt_f").result
    assert "(f32[2,2])" in jitted["text/html"] and "compiled" in jitted["text/plain"]

    hlo = kernel.execute("%hlo gnp.sin(mt_x)").result
    assert "stablehlo.sine" in hlo["text/plain"] and "<pre" in hlo["text/html"]

    devices = kernel.execute("%devices").result
    assert "cpu" in devices["text/plain"] and "<table>" in devices["text/html"]


def test_error_cell_is_short_and_the_kernel_stays_alive(kernel):
    failing = kernel.execute("er_f = gb.jit(lambda a: a if a > 0 else -a)\ner_f(gnp.ones(2))")
    assert failing.status == "error"
    ename, evalue, traceback = failing.error
    assert ename == "TracerBoolConversionError"
    assert "core/api.py" not in traceback and "core/tracing.py" not in traceback
    assert "internal frames hidden" in traceback
    assert "er_f(gnp.ones(2))" in traceback          # the user's own line stays

    full = kernel.execute("%tb")                     # the full traceback on request
    assert "core/api.py" in full.stdout + full.stderr + str(full.messages)

    working = kernel.execute("er_g = gb.jit(lambda a: gnp.abs(a))\ner_g(-gnp.ones(2))")
    assert working.status == "ok"
    assert working.result["text/plain"] == "Array([1., 1.], dtype=float32)"


def test_python_control_flow_in_jit_cell_names_the_cell_line(kernel):
    kernel.execute("cf_x = gnp.ones(3)")
    result = kernel.execute("%%jit\ncf_y = cf_x * 2\nif cf_y.sum() > 0:\n    cf_y = -cf_y\n")
    assert result.status == "error"
    ename, evalue, traceback = result.error
    assert ename == "TracerBoolConversionError"
    assert "if cf_y.sum() > 0:" in traceback
    assert "line 3" in traceback                      # the notebook cell's line


def test_bad_magic_usage_is_a_message_not_a_traceback(kernel):
    result = kernel.execute("%%jit --no-such-option\nbm = 1")
    assert "UsageError" in result.stderr
    assert result.error is None                       # no traceback message
    result = kernel.execute("%gb_config x64=perhaps")
    assert "UsageError" in result.stderr and result.error is None
    assert kernel.execute("1 + 1").result["text/plain"] == "2"


def test_interrupt_a_long_loop_of_jitted_calls(kernel):
    code = ("ir_f = gb.jit(lambda v: v * 1.0001)\nir_v = gnp.ones(3)\n"
            "while True:\n    ir_v = ir_f(ir_v)\n")
    result = kernel.execute(code, timeout=60, interrupt_after=1.0)
    assert result.error is not None and result.error[0] == "KeyboardInterrupt"
    assert kernel.execute("ir_v.shape").result["text/plain"] == "(3,)"


def test_interrupt_while_waiting_for_a_long_xla_computation(kernel):
    # XLA runs asynchronously; showing the result waits for it in short sleeps, so
    # the interrupt lands within a fraction of a second.
    setup = ("import time\n"
             "@gb.jit\n"
             "def lx_long(m):\n"
             "    for _ in range(20):\n"
             "        m = gnp.tanh(m @ m * 1e-3)\n"
             "    return m\n"
             "lx_m = gnp.ones((600, 600))\n"
             "lx_long.lower(lx_m).compile()\n"
             "lx_start = time.perf_counter(); lx_long(lx_m).block_until_ready()\n"
             "lx_once = time.perf_counter() - lx_start\n"
             "lx_reps = max(1, int(3.0 / max(lx_once, 1e-3)))\n"
             "lx_once < 3.0")
    assert kernel.execute(setup, timeout=120).result["text/plain"] == "True"
    # Chain enough calls to keep XLA busy ~3 s; the display waits, the interrupt cuts in.
    code = "lx_r = lx_m\nfor _ in range(lx_reps):\n    lx_r = lx_long(lx_r)\nlx_r"
    result = kernel.execute(code, timeout=120, interrupt_after=0.5)
    assert result.error is not None and result.error[0] == "KeyboardInterrupt"
    assert kernel.execute("2 + 3").result["text/plain"] == "5"


def test_load_ext_in_a_stock_ipykernel(tmp_path, monkeypatch):
    # A plain ipykernel on this interpreter, under a name no other spec uses.
    spec_dir = tmp_path / "kernels" / "gb-test-stock-ipykernel"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "stock ipykernel", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    stock = KernelSession("gb-test-stock-ipykernel")
    try:
        assert stock.kernel_info()["implementation"] == "ipython"
        assert stock.execute("%load_ext glassbox").status == "ok"
        stock.execute("import glassbox.numpy as jnp\nsk_x = jnp.arange(3.0)")
        result = stock.execute("%%jit\nsk_y = jnp.exp(sk_x)\nsk_y.sum()")
        assert result.status == "ok", result.error
        np.testing.assert_allclose(_scalar(result.result["text/plain"]),
                                   np.exp(np.arange(3.0, dtype=np.float32)).sum(), rtol=1e-6)
        assert "text/html" in stock.execute("sk_x").result
    finally:
        stock.shutdown()


RESTART_CELL = ("from glassbox import events\n"
                "with events.record('compiled') as rs_log:\n"
                "    rs_y = gb.jit(lambda v: gnp.cos(v) * 7.5 + 0.25)(gnp.arange(4.0))\n"
                "print([e['from_disk'] for e in rs_log if e['fun_name'] == '<lambda>'])\n"
                "print(rs_y.tolist())")


def test_a_restarted_kernel_loads_what_it_compiled_from_the_disk_cache(
        glassbox_kernel_name, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))   # the kernel's default place
    monkeypatch.delenv("JAX_COMPILATION_CACHE_DIR", raising=False)
    outputs = []
    for _ in range(2):   # a kernel, then a new kernel process (a restart)
        session = KernelSession(glassbox_kernel_name)
        try:
            result = session.execute(RESTART_CELL)
            assert result.status == "ok", result.error
            outputs.append(result.stdout.splitlines())
            table = session.execute("%gb_config").data[-1]["text/plain"]
            cleared = session.execute("%gb_config clear_cache").stdout if outputs[1:] else ""
        finally:
            session.shutdown()
    assert [o[0] for o in outputs] == ["[False]", "[True]"]
    assert outputs[0][1] == outputs[1][1]
    np.testing.assert_allclose(json.loads(outputs[1][1]), np.cos(np.arange(4.0)) * 7.5 + 0.25,
                               rtol=1e-6)
    assert str(tmp_path / "glassbox" / "xla") in table and "hits" in table
    assert re.match(r"compilation cache: deleted [1-9]\d* entries", cleared)
    assert not list((tmp_path / "glassbox" / "xla").glob("*.xla"))


def test_jax_is_glassbox_magic_in_a_fresh_kernel(glassbox_kernel_name):
    # A kernel of its own: the import hook stays for the kernel's life.
    session = KernelSession(glassbox_kernel_name)
    try:
        result = session.execute("%jax_is_glassbox")
        assert result.error is None and "import jax now gives glassbox" in result.stdout
        result = session.execute("import jax, jax.numpy as jnp\n"
                                 "(jnp is gnp, jax.__version__, "
                                 "float(jax.grad(lambda v: jnp.sin(v) * v)(2.0)))")
        is_gnp, version, value = eval(result.result["text/plain"])
        assert (is_gnp, version) == (True, "0.10.2")
        assert np.isclose(value, np.cos(2.0) * 2.0 + np.sin(2.0), rtol=1e-6)
        result = session.execute("%jax_is_glassbox now")
        assert "UsageError" in result.stderr and result.error is None
    finally:
        session.shutdown()
