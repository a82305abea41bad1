"""Loading the glassbox extension into an IPython shell (``%load_ext glassbox``).

One extension registers every notebook magic (``%graph`` included: it imports
``glassbox.widgets`` only when used), the display formatters and the traceback
filter, and makes waits for XLA interruptible (``config.interruptible_waits``:
the notebook's stop button cuts into a long computation). It also keeps a record
of the last traces (``inspection.TraceLog``) for Shift-Tab, in a stock
ipykernel routes the kernel's inspect requests through ``inspection``, and
registers the notebook debugger that ``debug.breakpoint()`` opens
(``breakpoints``).
"""
from glassbox.config import config

from . import breakpoints, display, inspection, tracebacks
from .magics import GlassboxMagics, Settings


class _Loaded:
    """What one shell got, to undo it on unload."""

    def __init__(self, shell):
        self.settings = Settings()
        self.magics = GlassboxMagics(shell, self.settings)
        self.filter = tracebacks.TracebackFilter(shell, self.settings)
        self.unregister_display = None
        self.traces = inspection.TraceLog()   # what Shift-Tab reads
        self.uninstall_inspect = None
        self.uninstall_debugger = None
        self.interruptible_waits = config.interruptible_waits   # restored on unload


def load(shell):
    if getattr(shell, "_glassbox_extension", None) is not None:
        return shell._glassbox_extension
    loaded = _Loaded(shell)
    shell.register_magics(loaded.magics)
    loaded.unregister_display = display.register(shell)
    loaded.filter.install()
    loaded.traces.start()
    loaded.uninstall_inspect = inspection.install(shell, loaded.traces)
    loaded.uninstall_debugger = breakpoints.install(shell, loaded.settings)
    config.update("interruptible_waits", True)
    shell._glassbox_extension = loaded
    return loaded


def unload(shell):
    loaded = getattr(shell, "_glassbox_extension", None)
    if loaded is None:
        return
    loaded.filter.uninstall()
    loaded.unregister_display()
    loaded.traces.stop()
    loaded.uninstall_inspect()
    loaded.uninstall_debugger()
    config.update("interruptible_waits", loaded.interruptible_waits)
    shell._glassbox_extension = None

