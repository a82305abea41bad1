"""Shift-Tab (the inspect request) through a real kernel client: avals of traced names,
arrays, jitted functions' caches, and IPython's own reply for everything else."""
import pytest

from .client import KernelSession


@pytest.fixture(scope="module")
def session(glassbox_kernel_name):
    """A kernel of this module's own: the traces it records don't leak to other tests."""
    kernel = KernelSession(glassbox_kernel_name)
    try:
        yield kernel
    finally:
        kernel.shutdown()


def run(session, code):
    result = session.execute(code)
    assert result.error is None and result.status == "ok", result.error
    return result


def inspect_at(session, cell, marker, offset=1):
    """Inspect ``cell`` with the cursor ``offset`` characters into the last ``marker``,
    as JupyterLab sends it (the whole cell's text and the cursor)."""
    reply = session.inspect(cell, cell.rindex(marker) + offset)
    assert reply["status"] == "ok"
    return reply


def plain(reply):
    return reply["data"].get("text/plain", "")


def html(reply):
    return reply["data"].get("text/html", "")


def f_cell(name):
    return f"def {name}(x):\n    h = gnp.sin(x) * 2\n    return h.sum()\n"


def test_a_name_traced_by_jit_shows_its_aval_and_equation(session):
    cell = f_cell("f_jit")
    run(session, cell)
    run(session, "y = gb.jit(f_jit)(gnp.ones(3))")
    for marker in ("h = ", "h.sum"):   # where it is assigned, and where it is used
        reply = inspect_at(session, cell, marker)
        assert reply["found"] is True
        text = plain(reply)
        assert "h: f32[3]" in text and "mul at line 2: h = gnp.sin(x) * 2" in text
        assert "jit(f_jit)" in text and "weak type: False" in text
        page = html(reply)
        assert "<table" in page and "var(--jp-" in page and "mul at line 2" in page


def test_a_parameter_shows_the_traced_input(session):
    cell = f_cell("f_param")
    run(session, cell)
    run(session, "gb.make_jaxpr(f_param)(gnp.ones((2, 5)))")
    text = plain(inspect_at(session, cell, "sin(x)", offset=4))
    assert "x: f32[2,5]" in text and "argument 0 of f_param" in text


def test_under_jit_of_grad_the_forward_equation_is_shown(session):
    cell = f_cell("f_grad")
    run(session, cell)
    run(session, "g = gb.jit(gb.grad(f_grad))(gnp.ones(7))")
    text = plain(inspect_at(session, cell, "h = "))
    assert "h: f32[7]" in text and "mul at line 2" in text and "transpose" not in text


def test_under_vmap_the_batch_axis_is_shown(session):
    cell = f_cell("f_vmap")
    run(session, cell)
    run(session, "ys = gb.vmap(f_vmap)(gnp.ones((4, 3)))")
    text = plain(inspect_at(session, cell, "h = "))
    assert "h: f32[3]" in text   # per example, as the function sees it
    assert "batch axis 0 of size 4" in text and "f32[4,3]" in text and "mul" in text


def test_jit_of_vmap_shows_the_batched_value_and_its_axis(session):
    cell = f_cell("f_jv")
    run(session, cell)
    run(session, "ys = gb.jit(gb.vmap(f_jv, in_axes=1))(gnp.ones((3, 6)))")
    text = plain(inspect_at(session, cell, "h = "))
    assert "h: f32[3,6]" in text and "batch axis 1 of size 6" in text


def test_the_last_trace_wins(session):
    cell = f_cell("f_last")
    run(session, cell)
    run(session, "gb.jit(f_last)(gnp.ones(3)); gb.jit(f_last)(gnp.ones((2, 2), dtype=gnp.int32))")
    text = plain(inspect_at(session, cell, "h = "))
    assert "h: f32[2,2]" in text   # sin of int32 is float32


def test_a_jit_cell_name_shows_its_aval(session):
    run(session, "xc = gnp.ones(5)")
    cell = "%%jit\nzc = gnp.cos(xc) + 1\nwc = zc * 3\n"
    run(session, cell)
    text = plain(inspect_at(session, cell, "zc ="))
    assert "zc: f32[5]" in text and "add at line 2" in text
    named = "%%jit --name sq\nsc = gnp.square(xc[:2])\n"
    run(session, named)
    text = plain(inspect_at(session, named, "sc ="))
    assert "sc: f32[2]" in text and "jit(sq)" in text


def test_an_array_shows_shape_dtype_device_and_commitment(session):
    run(session, "xa = gnp.arange(3.0)\nxc2 = gb.device_put(gnp.ones((2, 2)), gb.devices()[0])")
    reply = inspect_at(session, "xa", "xa")
    assert reply["found"] is True
    text = plain(reply)
    assert "xa: Array f32[3]" in text and "shape: (3,)" in text and "dtype: float32" in text
    assert "devices: CPU:0" in text and "Sharding" in text and "committed:" in text
    assert "ArrayImpl" in text   # IPython's own reply follows
    assert "<table" in html(reply)
    assert "committed: True" in plain(inspect_at(session, "xc2", "xc2"))


def test_a_weak_typed_array_says_so(session):
    run(session, "xw = gnp.asarray(2.0) * 1")
    text = plain(inspect_at(session, "print(xw)", "xw"))
    assert "weak type: True" in text


def test_a_jitted_function_lists_its_cache_and_why(session):
    run(session, "def f_cache(x):\n    return x * 2\n"
                 "gj = gb.jit(f_cache)\ngj(gnp.ones(3)); gj(gnp.ones(5))")
    reply = inspect_at(session, "gj", "gj")
    text = plain(reply)
    assert "2 cached signatures" in text
    assert "(f32[3])" in text and "(f32[5])" in text
    assert "first call" in text and "input 0: f32[3] -> f32[5]" in text
    page = html(reply)
    assert page.count("<tr>") >= 3 and "why it was traced" in page


def test_plain_python_names_keep_ipythons_reply(session):
    reply = inspect_at(session, "len", "len")
    assert reply["found"] is True
    assert "Return the number of items" in plain(reply)
    assert "gb-inspect" not in html(reply)


def test_untraced_or_unknown_names_fall_back(session):
    cell = "def f_never(x):\n    q = x + 1\n    return q\n"
    run(session, cell)
    reply = inspect_at(session, cell, "q = ")
    assert reply["found"] is False   # IPython's reply: no local 'q' in the namespace
    for code in ("def (", "", "x.", "%%jit\nh = ", "gnp.sin(no_such_name"):
        reply = session.inspect(code, len(code))
        assert reply["status"] == "ok"


def test_listening_to_traces_keeps_the_fast_path(session):
    result = run(session, "from glassbox import events\n"
                          "print(events.listening, events.listening_to_traces)")
    assert result.stdout.split() == ["False", "True"]


def test_load_ext_in_a_stock_ipykernel():
    kernel = KernelSession("python3")
    try:
        run(kernel, "%load_ext glassbox\nimport glassbox as gb, glassbox.numpy as gnp")
        cell = f_cell("f_stock")
        run(kernel, cell)
        run(kernel, "gb.jit(f_stock)(gnp.ones(4))")
        text = plain(inspect_at(kernel, cell, "h = "))
        assert "h: f32[4]" in text and "mul at line 2" in text
        assert "Return the number of items" in plain(inspect_at(kernel, "len", "len"))
        run(kernel, "%unload_ext glassbox")
        assert "h: f32[4]" not in plain(inspect_at(kernel, cell, "h = "))
    finally:
        kernel.shutdown()
