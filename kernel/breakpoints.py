"""``debug.breakpoint()`` in a notebook: the debugger widget, answered while the cell runs.

A breakpoint stops the program inside XLA's call back to Python, on the kernel's
main thread, in the middle of the cell. The kernel's own loop cannot run there,
so the front end's clicks (comm messages) would wait until the cell ends, and the
cell waits for the clicks. ``ShellPump`` reads the kernel's shell messages itself
while the stop waits: comm messages (the widget's buttons, any other widget) are
handled at once; every other request (the next cell, completions) is kept and
handed back to the kernel, in order, to run after this cell. An interrupt (the
stop button: SIGINT) raises ``KeyboardInterrupt`` in the wait, which leaves the
program as itself (``runtime.note_callback_interrupt``).

Whether to wait at all: a front end that lets the cell read input
(``allow_stdin``, as JupyterLab, Notebook 7 and VS Code do) can answer. One that
cannot (nbclient, ``jupyter nbconvert --execute``) gets the stop's values shown and
the program goes on: a notebook with a breakpoint still runs from top to bottom.
``%gb_config breakpoint=...`` overrides: ``widget`` (always wait), ``show`` (never
wait), ``text`` (the text debugger, through the front end's input box). Without the
widget libraries (anywidget) the text debugger is used; where nothing can answer, the
stop is printed.

One ``DebuggerView`` per cell run: the first stop displays it, later stops update
it, and the end of the cell (``post_run_cell``) marks it finished.
"""
import importlib.util
import threading

import zmq
from IPython.display import display

from glassbox import debugger

POLL_SECONDS = 0.05
COMM_MESSAGES = ("comm_open", "comm_msg", "comm_close")


class ShellPump:
    """Handles the front end's comm messages while the main thread is busy in a cell.

    ipykernel 7 receives shell messages on its shell-channel thread and passes those
    for the main shell over an inproc socket pair; the main thread's loop reads them.
    While that loop is blocked, this reads the same socket."""

    def __init__(self, kernel):
        self.kernel = kernel
        self.pair = kernel.shell_channel_thread.manager.get_shell_channel_to_subshell_pair(None)
        self.socket = self.pair.to_socket
        self.stream = kernel.shell_channel_thread.manager.get_subshell_to_shell_channel_socket(None)
        self.kept = []

    def wait(self, done):
        """Handle comm messages until ``done()`` is true."""
        while not done():
            if self.socket.poll(int(POLL_SECONDS * 1000)):
                self._handle(self.socket.recv_multipart(zmq.NOBLOCK, copy=False))

    def _handle(self, frames):
        if len(frames) == 1:   # ipykernel's own "stop aborting" marker: the kernel's
            self.kept.append(frames)
            return
        session = self.kernel.session
        idents, rest = session.feed_identities(frames, copy=False)
        # Only the header is read to sort it: deserializing checks (and remembers) the
        # signature, and the kernel would refuse a kept request as a replay.
        kind = session.unpack(rest[1].bytes).get("msg_type")
        if kind in COMM_MESSAGES:
            message = session.deserialize(rest, content=True, copy=False)
            self.kernel.shell_handlers[kind](self.stream, idents, message)
        else:
            self.kept.append(frames)

    def release(self):
        """Give the kept requests back to the kernel: they run after this cell, in order
        (each waits for the shell's lock, which the running cell holds)."""
        for frames in self.kept:
            self.kernel.io_loop.add_callback(self.kernel.shell_main, None, frames)
        self.kept = []
        # The kernel's stream on this socket waits for its file descriptor, which zmq
        # signals on edges: after reads it did not make, it would sleep through the next
        # message. Reading EVENTS re-arms the descriptor; the stream then looks once more.
        self.socket.EVENTS
        stream = self.pair.to_stream
        if stream is not None:
            self.kernel.io_loop.add_callback(stream._handle_events, stream.socket, 0)


class _CellRun:
    """The debugger view of one cell run, and whether the user said "continue" or left."""

    def __init__(self):
        from glassbox.widgets.debugger import DebuggerView
        self.view = DebuggerView()
        self.skip = self.left = False
        self.handle = display(self.view, display_id=True)


class JupyterDebugger:
    """The ``"jupyter"`` debugger backend of one IPython shell with a kernel."""

    def __init__(self, shell, settings):
        self.shell, self.settings = shell, settings
        self.run = None

    def available(self):
        return getattr(self.shell, "kernel", None) is not None

    def install(self):
        debugger.register_debugger("jupyter", self, priority=10, available=self.available)
        self.shell.events.register("post_run_cell", self._cell_done)

    def uninstall(self):
        debugger.unregister_debugger("jupyter")
        self.shell.events.unregister("post_run_cell", self._cell_done)

    def _cell_done(self, result=None):
        if self.run is None:
            return
        run, self.run = self.run, None
        view = run.view
        stops = f"{view.stops} stop{'s' if view.stops != 1 else ''}"
        if view.status == "not paused":
            view.finish("finished", f"not paused ({stops}): this front end cannot answer a "
                                    "breakpoint (it sends no input), so the values were "
                                    "shown and the program went on")
        elif view.status in ("paused", "running"):
            view.finish("finished", f"the cell ended after {stops}")
        run.handle.update(view)   # the saved notebook's picture: the last stop

    def _mode(self):
        """widget, show, text, or print (text where nothing can answer)."""
        mode, can_answer = self.settings.breakpoint, self.shell.kernel._allow_stdin
        if mode == "auto":
            mode = "widget" if can_answer else "show"
        if mode != "text" and importlib.util.find_spec("anywidget") is None:
            mode = "text"   # no widget library in this kernel's environment
        if mode == "text" and not can_answer:
            mode = "print"
        return mode

    def __call__(self, stop):
        mode = self._mode()
        if mode == "print":
            print(debugger.describe(stop))
            return None
        if mode == "text":
            return debugger.run_debugger(stop, "cli")
        if self.run is None:
            self.run = _CellRun()
        view = self.run.view
        if self.run.left:
            # XLA may still call the program's later stops after an interrupt or a quit:
            # each leaves again at once.
            raise debugger.DebuggerQuit("the program was left at an earlier stop")
        if threading.current_thread() is not threading.main_thread():
            mode = "show"   # only the main thread may read the kernel's messages
        if mode == "show" or self.run.skip:
            view.show(stop, paused=False, status="running" if self.run.skip else "not paused")
            return
        view.show(stop, paused=True)
        pump = ShellPump(self.shell.kernel)
        try:
            pump.wait(lambda: view.action is not None)
        except KeyboardInterrupt:
            self.run.left = True
            view.finish("quit", "interrupted")
            raise
        finally:
            pump.release()
        if view.action == "quit":
            self.run.left = True
            view.finish("quit", "the program was left at this stop")
            raise debugger.DebuggerQuit(f"quit at the breakpoint in {stop.location}")
        if view.action == "continue":
            self.run.skip = True


def install(shell, settings):
    """Register the notebook debugger for ``shell``; returns the function undoing it."""
    backend = JupyterDebugger(shell, settings)
    backend.install()
    return backend.uninstall


