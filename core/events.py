"""A tiny observer API: the core announces what it does, views listen.

Events (name: payload keys):
    traced:         fun_name, jaxpr, seconds
    lowered:        fun_name, text, seconds
    compiled:       fun_name, seconds, cache_hit (bool), reason (why it recompiled or None),
                    from_disk (bool: loaded from the persistent compilation cache)
    executed:       fun_name, seconds
    array_created:  id, shape, dtype, nbytes, device, producer
    array_freed:    id, nbytes, device
    batched:        primitive, in_dims, out_dims, out_avals, axis_name, axis_size,
                    source_info -- from vmap's BatchTrace each time a batching rule runs
                    (not for primitives whose operands are all unbatched): the batch
                    dim of each operand and result (None: unbatched) and the avals of
                    the results holding the whole batch (batch dim at ``out_dims``).

Payloads are plain data (names, numbers, avals, jaxprs, source info), never
tracers: a listener cannot keep a trace's values alive or reach into them.

With nobody subscribed, ``emit`` is never called: emitters test the
module-level ``listening`` flag first, so the cost is one global lookup.
"""
from . import runtime

listening = False
_subscribers = []


class Event(dict):
    """A payload dict with the event's ``kind``; ``event.kind`` and ``event["key"]``."""

    def __init__(self, kind, **payload):
        super().__init__(payload)
        self.kind = kind

    def __repr__(self):
        return f"Event({self.kind!r}, {dict.__repr__(self)})"


def subscribe(callback):
    """Call ``callback(event)`` for every event from now on. Returns an unsubscribe function."""
    _subscribers.append(callback)
    _set_listening(True)

    def unsubscribe():
        if callback in _subscribers:
            _subscribers.remove(callback)
        _set_listening(bool(_subscribers))
    return unsubscribe


def _set_listening(flag):
    # jaxlib's C++ jit fast path runs without emitting: it must not while anyone listens.
    global listening
    listening = flag
    runtime.set_listening(flag)


def emit(kind, **payload):
    event = Event(kind, **payload)
    for callback in list(_subscribers):
        callback(event)


class record:
    """Context manager collecting events into a list: ``with events.record() as log: ...``."""

    def __init__(self, *kinds):
        self.kinds = set(kinds)
        self.events = []

    def __enter__(self):
        self._unsubscribe = subscribe(self._collect)
        return self.events

    def _collect(self, event):
        if not self.kinds or event.kind in self.kinds:
            self.events.append(event)

    def __exit__(self, *exc):
        self._unsubscribe()
