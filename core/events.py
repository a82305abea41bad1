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
Listening to everything turns jaxlib's C++ fast paths off (the events of cached
calls come from Python). ``TRACE_KINDS`` are only ever emitted by Python work
(tracing, vmap's rules), so ``subscribe(callback, kinds=TRACE_KINDS)`` listens to
them alone and leaves the fast paths on; their emitters test ``listening_to_traces``.
"""
from . import runtime

TRACE_KINDS = frozenset({"traced", "batched"})
listening = False             # someone wants every event: the C++ fast paths are off
listening_to_traces = False   # someone wants the TRACE_KINDS events (always when listening)
_subscribers = []             # callbacks for every event
_trace_subscribers = []       # (callback, kinds) for some TRACE_KINDS events only


class Event(dict):
    """A payload dict with the event's ``kind``; ``event.kind`` and ``event["key"]``."""

    def __init__(self, kind, **payload):
        super().__init__(payload)
        self.kind = kind

    def __repr__(self):
        return f"Event({self.kind!r}, {dict.__repr__(self)})"


def subscribe(callback, kinds=None):
    """Call ``callback(event)`` for every event from now on. Returns an unsubscribe function.

    ``kinds``, a subset of ``TRACE_KINDS``: only those events, with the fast paths left on.
    """
    if kinds is not None:
        kinds = frozenset(kinds)
        if not kinds <= TRACE_KINDS:
            raise ValueError(f"events.subscribe(kinds={sorted(kinds)}): only a subset of "
                             f"{sorted(TRACE_KINDS)} can be listened to alone")
        entry = (callback, kinds)
        _trace_subscribers.append(entry)
    else:
        entry = callback
        _subscribers.append(callback)
    _set_listening()

    def unsubscribe():
        for subscribers in (_subscribers, _trace_subscribers):
            if entry in subscribers:
                subscribers.remove(entry)
        _set_listening()
    return unsubscribe


def _set_listening():
    # jaxlib's C++ jit fast path runs without emitting: it must not while anyone listens.
    global listening, listening_to_traces
    listening = bool(_subscribers)
    listening_to_traces = listening or bool(_trace_subscribers)
    runtime.set_listening(listening)


def emit(kind, **payload):
    event = Event(kind, **payload)
    for callback in list(_subscribers):
        callback(event)
    if kind in TRACE_KINDS:
        for callback, kinds in list(_trace_subscribers):
            if kind in kinds:
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
