"""Loading the glassbox extension into an IPython shell (``%load_ext glassbox``)."""
import warnings

from . import display, tracebacks
from .magics import GlassboxMagics, Settings


class _Loaded:
    """What one shell got, to undo it on unload."""

    def __init__(self, shell):
        self.settings = Settings()
        self.magics = GlassboxMagics(shell, self.settings)
        self.filter = tracebacks.TracebackFilter(shell, self.settings)
        self.unregister_display = None


def load(shell):
    if getattr(shell, "_glassbox_extension", None) is not None:
        return shell._glassbox_extension
    loaded = _Loaded(shell)
    shell.register_magics(loaded.magics)
    loaded.unregister_display = display.register(shell)
    loaded.filter.install()
    shell._glassbox_extension = loaded
    _load_widgets(shell)
    return loaded


def unload(shell):
    loaded = getattr(shell, "_glassbox_extension", None)
    if loaded is None:
        return
    loaded.filter.uninstall()
    loaded.unregister_display()
    shell._glassbox_extension = None


def _load_widgets(shell):
    """Let glassbox.widgets add its own magics (``%graph``) when it offers a hook.

    A failure there must not take the kernel down: it becomes a warning, and
    the rest of the extension works.
    """
    try:
        from glassbox import widgets
        hook = getattr(widgets, "load_ipython_extension", None)
        if hook is not None:
            hook(shell)
    except Exception as err:  # noqa: BLE001 - any failure: warn and go on without widgets
        warnings.warn(f"glassbox: the widgets could not be loaded ({type(err).__name__}: "
                      f"{err}); the magics and display work without them", stacklevel=2)
