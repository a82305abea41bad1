"""``debug.breakpoint()`` through a real glassbox kernel, the front end played by the test.

The test does what JupyterLab does with the debugger widget: it reads the widget's
``comm_open`` and state updates on iopub and sends its buttons as ``comm_msg``
(ipywidgets' ``custom`` messages) on the shell channel while the cell is still
running. It checks that the stop's values reach the front end, that an expression
is evaluated on them, that Step goes to the next example under ``vmap`` and Continue
runs to the end, that a cell queued meanwhile runs afterwards, that Quit and an
interrupt leave the program with their own exceptions and the kernel alive, and that
``debug.print`` lines arrive in the cell's stream in order. The same widget in a
browser is tested in tests/widgets/test_browser.py.
"""
import json
import time
from queue import Empty

import numpy as np
import pytest

from .client import KernelSession, strip_ansi

WIDGET = "application/vnd.jupyter.widget-view+json"

DEFINE = """import glassbox as jax, glassbox.numpy as jnp
def f(x):
    y = jnp.sin(x) * 2
    jax.debug.breakpoint()
    return jnp.sum(y)
xs = jnp.arange(6.).reshape(3, 2)
"""


class FrontEnd:
    """One cell's messages as a widget front end sees them."""

    def __init__(self, session, code, allow_stdin=True):
        self.client = session.client
        self.msg_id = self.client.execute(code, allow_stdin=allow_stdin)
        self.state, self.model_id, self.stdout, self.done = {}, None, "", False

    def read(self, until, timeout=60):
        """Read iopub (applying widget updates) until ``until(self)`` is true."""
        deadline = time.monotonic() + timeout
        while not until(self):
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {timeout} s; widget state: {self.state}")
            try:
                msg = self.client.get_iopub_msg(timeout=0.1)
            except Empty:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if msg["parent_header"].get("msg_id") != self.msg_id:
                continue
            if kind in ("display_data", "update_display_data") and WIDGET in content["data"]:
                self.model_id = content["data"][WIDGET]["model_id"]
                self.html = content["data"].get("text/html", "")   # the saved picture
            elif kind == "comm_msg" and content["comm_id"] == self.model_id:
                self.state.update(content["data"].get("state", {}))
            elif kind == "comm_open" and content["data"]["state"].get("_anywidget_id", "").endswith(
                    "DebuggerView"):
                self.state.update(content["data"]["state"])
            elif kind == "stream" and content["name"] == "stdout":
                self.stdout += content["text"]
            elif kind == "status" and content["execution_state"] == "idle":
                self.done = True

    def paused_at(self, hit):
        return self.state.get("status") == "paused" and self.state.get("stop", {}).get("hit") == hit

    def click(self, **content):
        message = self.client.session.msg("comm_msg", {
            "comm_id": self.model_id, "data": {"method": "custom", "content": content}})
        self.client.shell_channel.send(message)

    def reply(self, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            msg = self.client.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.01))
            if msg["parent_header"].get("msg_id") == self.msg_id:
                return msg["content"]


@pytest.fixture
def session(glassbox_kernel_name):
    """A kernel of its own: a test that fails while paused must not leave a stuck kernel
    to the other tests."""
    s = KernelSession(glassbox_kernel_name)
    assert s.execute(DEFINE).status == "ok"
    yield s
    s.shutdown()


def _locals(state):
    return {v["name"]: v for v in state["stop"]["frames"][0]["locals"]}


def test_the_widget_shows_each_example_evaluates_and_steps_then_continues(session):
    cell = FrontEnd(session, "print(jax.jit(jax.vmap(f))(xs))")
    cell.read(lambda c: c.paused_at(1))
    stop = cell.state["stop"]
    assert stop["example"] == [0] and stop["transforms"] == ["jit(f)", "vmap"]
    assert (_locals(cell.state)["x"]["type"], _locals(cell.state)["x"]["value"]) == ("f32[2]", "[0. 1.]")
    frame = stop["frames"][0]
    assert frame["function"] == "f" and frame["lineno"] == 4
    assert [text for n, text in frame["source"] if n == 4] == ["    jax.debug.breakpoint()"]

    cell.click(action="eval", expr="float(jnp.sum(y))")
    cell.read(lambda c: c.state.get("history"))
    [entry] = cell.state["history"]
    assert entry["expr"] == "float(jnp.sum(y))" and entry["ok"]
    assert float(entry["result"]) == pytest.approx(2 * np.sin(1.0), rel=1e-6)
    # a cell run while paused waits for this one (it would deadlock if it did not)
    queued = session.client.execute("print('queued ran')")

    cell.click(action="step")
    cell.read(lambda c: c.paused_at(2))
    assert cell.state["stop"]["example"] == [1]
    assert _locals(cell.state)["x"]["value"] == "[2. 3.]"

    cell.click(action="continue")
    cell.read(lambda c: c.done)
    cell_reply = cell.reply()
    assert cell_reply["status"] == "ok"
    assert cell.stdout.startswith("[ 1.6829419")
    assert cell.state["status"] == "finished"
    assert [row["example"] for row in cell.state["table"]] == [[0], [1], [2]]  # 3rd not paused

    queued_reply = session._reply(queued, 30)["content"]   # it ran after the cell
    assert queued_reply["status"] == "ok"
    assert queued_reply["execution_count"] == cell_reply["execution_count"] + 1


def test_quit_raises_debugger_quit_in_the_cell_and_the_kernel_goes_on(session):
    cell = FrontEnd(session, "jax.jit(f)(xs[0])")
    cell.read(lambda c: c.paused_at(1))
    cell.click(action="quit")
    cell.read(lambda c: c.done)
    reply = cell.reply()
    assert reply["status"] == "error" and reply["ename"] == "DebuggerQuit"
    assert "quit at the breakpoint" in reply["evalue"]
    assert cell.state["status"] == "quit"
    assert session.execute("print(1 + 1)").stdout == "2\n"


def test_an_interrupt_while_paused_raises_keyboard_interrupt(session):
    cell = FrontEnd(session, "jax.jit(f)(xs[0])")
    cell.read(lambda c: c.paused_at(1))
    session.manager.interrupt_kernel()
    cell.read(lambda c: c.done)
    assert cell.reply()["ename"] == "KeyboardInterrupt"
    assert session.execute("print(float(jax.jit(jnp.sum)(xs)))").stdout == "15.0\n"


def test_a_front_end_without_input_gets_the_values_and_the_cell_runs_on(session):
    """nbclient and nbconvert --execute send allow_stdin=False: nothing could answer."""
    cell = FrontEnd(session, "print(jax.jit(f)(xs[0]))", allow_stdin=False)
    cell.read(lambda c: c.done)
    assert cell.reply()["status"] == "ok" and cell.stdout == "1.6829419\n"
    assert cell.state["status"] == "finished"
    assert "x" in _locals(cell.state)
    assert "not paused (1 stop)" in cell.html and "jax.debug.breakpoint()" in cell.html
    assert "[0. 1.]" in cell.html and "f32[2]" in cell.html   # the values, as nbconvert saves them


def test_breakpoint_text_mode_uses_the_front_ends_input(session):
    assert session.execute("%gb_config breakpoint=text").status == "ok"
    cell = FrontEnd(session, "jax.jit(f)(xs[0])")
    answers = iter(["p y", "c"])
    deadline = time.monotonic() + 60
    while True:
        try:
            msg = session.client.get_stdin_msg(timeout=0.1)
        except Empty:
            assert time.monotonic() < deadline, "no input request from the text debugger"
            continue
        assert msg["content"]["prompt"] == "(gbdb) "
        answer = next(answers)
        session.client.input(answer)
        if answer == "c":
            break
    cell.read(lambda c: c.done)
    assert cell.reply()["status"] == "ok"
    assert "Stopped at" in cell.stdout and "Array([0.       , 1.6829419], dtype=float32)" in cell.stdout


def test_debug_print_lines_arrive_in_the_cells_stream_in_order(kernel):
    result = kernel.execute(
        "import glassbox as jax, glassbox.numpy as jnp\n"
        "def g(x):\n"
        "    jax.debug.print('x = {}', x)\n"
        "    y = x * 10\n"
        "    jax.debug.print('y = {y}', y=y)\n"
        "    return y\n"
        "print('before')\n"
        "jax.jit(g)(jnp.float32(1.5))\n"
        "jax.jit(jax.vmap(g))(jnp.arange(3.0))\n"
        "print('after')\n")
    assert result.status == "ok", strip_ansi(json.dumps(result.reply))
    assert result.stdout.splitlines() == [
        "before", "x = 1.5", "y = 15.0",
        "x = 0.0", "x = 1.0", "x = 2.0", "y = 0.0", "y = 10.0", "y = 20.0", "after"]
