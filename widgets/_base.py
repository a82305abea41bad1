"""The base of every view: an anywidget whose mime bundle also carries static HTML.

Front ends that run widgets (JupyterLab, Notebook 7, VS Code, Colab) pick the
widget mime type; everything else (nbconvert, GitHub, a notebook opened without
the kernel) shows ``text/html``, a self-contained picture of the same state.
"""
import itertools
import time

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
    (slightly slower) event-emitting path; ``stop()`` a panel to end that.
    """

    interval = 0.1
    kinds = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._dirty = False
        self._last_sync = 0.0
        self._unsubscribe = events.subscribe(self._on_event)
        self._ipython = _ipython()
        if self._ipython is not None:
            self._ipython.events.register("post_run_cell", self._after_cell)

    def _on_event(self, event):
        if self.kinds and event.kind not in self.kinds:
            return
        self.handle(event)
        self._dirty = True
        if event.kind != "array_freed" and time.perf_counter() - self._last_sync > self.interval:
            self.sync()

    def _after_cell(self, *_):
        if self._dirty:
            self.sync()

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

    def stop(self):
        """Stop listening to events (the panel keeps its last state)."""
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._ipython is not None:
            try:
                self._ipython.events.unregister("post_run_cell", self._after_cell)
            except ValueError:
                pass
            self._ipython = None

    def close(self):
        self.stop()
        super().close()


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
