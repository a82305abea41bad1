"""A failing trace in the notebook shows the graph of what was traced, its failing
equation marked, above the short traceback: through a real glassbox kernel, for a
``jit`` call, a ``%%jit`` cell, ``%graph`` and a NaN found by ``debug_nans``."""
import pytest

from .client import strip_ansi

SETUP = """import glassbox as jax, glassbox.numpy as jnp
W = jnp.ones((4, 3))
def layer(x):
    h = jnp.tanh(x * 2.0)
    z = h @ W
    return jnp.sum(z)
x = jnp.ones(3)
"""


@pytest.fixture(scope="module")
def session(kernel):
    assert kernel.execute(SETUP).status == "ok"
    return kernel


def _graph_html(result):
    html = [d["text/html"] for d in result.data
            if "text/html" in d and "application/vnd.jupyter.widget-view+json" in d]
    assert len(html) == 1, result.data
    return html[0]


def _check(result, prim, ename):
    assert result.status == "error" and result.reply["ename"] == ename
    html = _graph_html(result)
    assert "gb-failing" in html and f"✖ {prim}" in html
    # the graph comes before the traceback, and the traceback is still there
    kinds = [kind for kind, _ in result.messages]
    assert kinds.index("display_data") < kinds.index("error")
    return html


def test_a_failing_jit_call_shows_what_was_traced_and_where_it_failed(session):
    result = session.execute("jax.jit(layer)(x)")
    html = _check(result, "matmul", "TypeError")
    assert "tanh" in html and "mul" in html           # traced before the failure
    assert "2 equations traced before the error" not in html
    assert "3 equations traced before the error; ✖ marks where it failed at" in html
    assert "contracting dimension" in html             # the message beside it
    assert "contracting dimension" in strip_ansi("".join(result.reply["traceback"]))


def test_a_failing_jit_cell(session):
    result = session.execute("%%jit\nh = jnp.sin(x)\nz = jax.lax.add(h, W)\n")
    html = _check(result, "add", "TypeError")
    assert "sin" in html


def test_a_failing_graph_magic_draws_what_traced_in_its_tab(session):
    result = session.execute("%graph layer(x)")
    assert result.status == "ok"   # the view itself says what failed, tab by tab
    html = _graph_html(result)
    assert "✖ matmul" in html and "gb-failing" in html and "contracting dimension" in html


def test_debug_nans_marks_the_equation_that_made_the_nan(session):
    result = session.execute(
        "def normalize(v):\n"
        "    centered = v - jnp.mean(v)\n"
        "    return centered / jnp.std(centered)\n"
        "with jax.debug_nans(True):\n"
        "    jax.jit(normalize)(jnp.full(3, 4.0))\n")
    html = _check(result, "div", "FloatingPointError")
    assert "sqrt" in html   # the whole program, the producing equation marked


def test_a_successful_cell_shows_no_graph(session):
    result = session.execute("jax.jit(jnp.sin)(x)")
    assert result.status == "ok"
    assert not any("gb-failing" in d.get("text/html", "") for d in result.data)
