"""The base of every view: an anywidget whose mime bundle also carries static HTML.

Front ends that run widgets (JupyterLab, Notebook 7, VS Code, Colab) pick the
widget mime type; everything else (nbconvert, GitHub, a notebook opened without
the kernel) shows ``text/html``, a self-contained picture of the same state.
"""
import itertools
import os
import pathlib
import time
import weakref

import anywidget
import traitlets

from glassbox import events

from ._render import static_page

_uids = itertools.count(1)


class View(anywidget.AnyWidget):
    """An anywidget with a static HTML fallback (``static_html()``) in its mime bundle."""

    title = traitlets.Unicode("").tag(sync=True)
    # Unique per view: DOM ids in the SVGs are prefixed with it, so views never clash.
    uid = traitlets.Unicode("").tag(sync=True)

    def __init__(self, **kwargs):
        kwargs.setdefault("uid", f"gb{next(_uids)}")
        super().__init__(**kwargs)

    def __init_subclass__(cls, **kwargs):
        # anywidget turns a file ``_esm`` into a FileContents and connects every instance
        # to its change signal (for hot reload), which keeps every view alive forever.
        # Hand it the file's text instead, unless hot reload is asked for.
        if os.environ.get("ANYWIDGET_HMR") != "1":
            for key in ("_esm", "_css"):
                if isinstance(cls.__dict__.get(key), pathlib.Path):
                    setattr(cls, key, cls.__dict__[key].read_text())
        super().__init_subclass__(**kwargs)

    def static_sections(self):
        """``[(heading, safe html)]`` for the fallback; subclasses override."""
        return []

    def static_html(self):
        """The fallback: the view's current state as one HTML fragment (no script)."""
        return static_page(self.title, self.static_sections())

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        data = dict(data)
        data["text/html"] = self.static_html()
        return data, metadata


class LivePanel(View):
    """A view fed by the core's event stream while it is open.

    Subclasses implement ``handle(event)`` (update Python-side state, cheap) and
    ``state()`` (a dict of trait values). Events only mark the panel dirty; the
    traits are sent at most every ``interval`` seconds, and once more after each
    notebook cell (IPython's ``post_run_cell``), so a loop that makes ten thousand
    arrays does not send ten thousand messages. ``array_freed`` arrives from the
    garbage collector, where sending is unsafe: it never syncs by itself.

    While any panel listens, the core emits events, so ``jit`` calls take their
    (slightly slower) event-emitting path. A panel stops listening when it is
    stopped (``stop()``), closed (``close()``), garbage-collected, or no longer
    shown: when the notebook cell that displayed it runs again without showing
    it (the front end has cleared that output), it is closed.
    """

    interval = 0.1
    kinds = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._dirty = False
        self._last_sync = 0.0
        self._cells = set()   # ids of the notebook cells whose output shows this panel
        # Subscribed through a weak reference, so the subscription does not keep the
        # panel alive; when the panel is collected the finalizer unsubscribes.
        unsubscribe = events.subscribe(_weak_callback(self))
        self._stop_listening = weakref.finalize(self, unsubscribe)
        self._cell_watch = _cell_watch(_ipython())
        if self._cell_watch is not None:
            self._cell_watch.panels.add(self)

    def _on_event(self, event):
        if self.kinds and event.kind not in self.kinds:
            return
        self.handle(event)
        self._dirty = True
        if event.kind != "array_freed" and time.perf_counter() - self._last_sync > self.interval:
            self.sync()

    def _repr_mimebundle_(self, **kwargs):
        if self._cell_watch is not None:
            self._cell_watch.shown(self)
        return super()._repr_mimebundle_(**kwargs)

    def sync(self):
        """Send the current state to the front end now."""
        self._dirty = False
        self._last_sync = time.perf_counter()
        with self.hold_sync():
            for name, value in self.state().items():
                setattr(self, name, value)

    def handle(self, event):
        raise NotImplementedError

    def state(self):
        raise NotImplementedError

    @property
    def listening(self):
        """Whether the panel still follows the event stream."""
        return self._stop_listening.alive

    def stop(self):
        """Stop listening to events (the panel keeps its last state)."""
        self._stop_listening()
        if self._cell_watch is not None:
            self._cell_watch.panels.discard(self)

    def close(self):
        self.stop()
        super().close()


def _weak_callback(panel):
    ref = weakref.ref(panel)

    def on_event(event):
        panel = ref()
        if panel is not None:
            panel._on_event(event)
    return on_event


class _CellWatch:
    """Follows one IPython shell's cells for the live panels: syncs the dirty ones after
    each cell, and closes those whose only display was cleared by a re-run of its cell.

    Cells are told apart by the id the front end sends with each execution
    (JupyterLab and Notebook 7 do); without one, panels are closed only by
    ``close()`` or collection. ipywidgets keeps every widget alive until it is closed, so dropping
    the last reference to a displayed panel does not free it: closing on re-run is
    what stops a cell run ten times from leaving ten panels listening.
    """

    def __init__(self, shell):
        self.shell = weakref.ref(shell)   # the shell holds the watch (its callbacks)
        self.panels = weakref.WeakSet()   # the listening panels
        self.shown_in = {}                # cell id -> WeakSet of the panels it displayed
        self.cleared = []                 # panels whose display the running cell cleared
        shell.events.register("pre_run_cell", self.pre_run_cell)
        shell.events.register("post_run_cell", self.post_run_cell)

    def current_cell(self):
        result = getattr(getattr(self.shell(), "displayhook", None), "exec_result", None)
        return getattr(getattr(result, "info", None), "cell_id", None)

    def shown(self, panel):
        cell = self.current_cell()
        if cell is not None:
            panel._cells.add(cell)
            self.shown_in.setdefault(cell, weakref.WeakSet()).add(panel)

    def pre_run_cell(self, info):
        cell = getattr(info, "cell_id", None)
        for panel in self.shown_in.pop(cell, ()):
            panel._cells.discard(cell)
            self.cleared.append(weakref.ref(panel))

    def post_run_cell(self, *_):
        for panel in list(self.panels):
            if panel._dirty:
                panel.sync()
        # Closed after the cell, not before: it may have displayed the panel again.
        cleared, self.cleared = self.cleared, []
        for ref in cleared:
            panel = ref()
            if panel is not None and not panel._cells:
                panel.close()


_cell_watches = weakref.WeakKeyDictionary()   # shell -> _CellWatch


def _cell_watch(shell):
    if shell is None:
        return None
    watch = _cell_watches.get(shell)
    if watch is None:
        watch = _cell_watches[shell] = _CellWatch(shell)
    return watch


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
