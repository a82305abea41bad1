"""A small synchronous driver for a real kernel: start, execute, collect iopub, interrupt."""
import re
import time
from dataclasses import dataclass, field
from queue import Empty

from jupyter_client.manager import KernelManager

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def strip_ansi(text):
    return _ANSI.sub("", text)


@dataclass
class Result:
    """What one execute request produced on iopub, plus its shell reply."""

    reply: dict
    messages: list = field(default_factory=list)   # (msg_type, content), in order

    @property
    def status(self):
        return self.reply.get("status")

    @property
    def stdout(self):
        return "".join(c["text"] for t, c in self.messages
                       if t == "stream" and c["name"] == "stdout")

    @property
    def stderr(self):
        return "".join(c["text"] for t, c in self.messages
                       if t == "stream" and c["name"] == "stderr")

    @property
    def data(self):
        """Mime bundles of execute_result and display_data messages."""
        return [c["data"] for t, c in self.messages if t in ("execute_result", "display_data")]

    @property
    def result(self):
        """The execute_result bundle (the cell's last expression), or None."""
        found = [c["data"] for t, c in self.messages if t == "execute_result"]
        return found[-1] if found else None

    @property
    def error(self):
        """``(ename, evalue, traceback text without colours)`` or None."""
        for t, c in self.messages:
            if t == "error":
                return c["ename"], c["evalue"], strip_ansi("\n".join(c["traceback"]))
        return None


class KernelSession:
    """One kernel process from a kernelspec, with a blocking client."""

    def __init__(self, kernel_name, startup_timeout=60):
        start = time.perf_counter()
        self.manager = KernelManager(kernel_name=kernel_name)
        self.manager.start_kernel()
        self.client = self.manager.client()
        self.client.start_channels()
        self.client.wait_for_ready(timeout=startup_timeout)
        self.start_seconds = time.perf_counter() - start

    def kernel_info(self, timeout=30):
        msg_id = self.client.kernel_info()
        return self._reply(msg_id, timeout)["content"]

    def execute(self, code, timeout=120, interrupt_after=None):
        """Run ``code``; after ``interrupt_after`` seconds (if given), interrupt the kernel
        (SIGINT, what the notebook's stop button sends)."""
        msg_id = self.client.execute(code, store_history=True)
        messages, start, interrupted = [], time.monotonic(), False
        while True:
            elapsed = time.monotonic() - start
            if interrupt_after is not None and not interrupted and elapsed >= interrupt_after:
                self.manager.interrupt_kernel()
                interrupted = True
            if elapsed > timeout:
                raise TimeoutError(f"no idle status within {timeout} s for: {code[:80]!r}")
            try:
                msg = self.client.get_iopub_msg(timeout=0.05)
            except Empty:
                continue
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            kind, content = msg["msg_type"], msg["content"]
            if kind == "status":
                if content["execution_state"] == "idle":
                    break
                continue
            if kind != "execute_input":
                messages.append((kind, content))
        reply = self._reply(msg_id, timeout)["content"]
        return Result(reply, messages)

    def inspect(self, code, cursor_pos=None, detail_level=0, timeout=30):
        """The ``inspect_reply`` content for ``code`` with the cursor at ``cursor_pos``
        (default: the end), what Shift-Tab in JupyterLab asks for."""
        cursor_pos = len(code) if cursor_pos is None else cursor_pos
        msg_id = self.client.inspect(code, cursor_pos, detail_level)
        return self._reply(msg_id, timeout)["content"]

    def _reply(self, msg_id, timeout):
        deadline = time.monotonic() + timeout
        while True:
            msg = self.client.get_shell_msg(timeout=max(deadline - time.monotonic(), 0.01))
            if msg["parent_header"].get("msg_id") == msg_id:
                return msg

    def shutdown(self):
        self.client.stop_channels()
        self.manager.shutdown_kernel(now=True)
