"""Device placement: a live panel of the devices and the arrays on them.

    glassbox.config.update("cpu_device_count", 4)   # before the first array exists
    panel = gbw.devices()                          # display it; it follows the events

Built from the core's events only: ``array_created`` / ``array_freed`` (id,
shape, dtype, bytes, device), ``compiled`` and ``executed`` (which function ran).
An array created between a function's ``compiled`` and ``executed`` events is
that function's output; others come from eager operations or transfers. The
panel tracks arrays created while it is open (the core keeps no registry of
older ones). Arrays here live on one device each; if an event lists ``shards``
(device, index) pairs, the panel shows which shard lives where.
"""
import collections
import pathlib

import traitlets

import glassbox

from ._base import LivePanel
from ._render import escape_html, html_table

_HERE = pathlib.Path(__file__).parent
MAX_ROWS = 200   # arrays listed per device (totals always count every array)
LOG_LINES = 40
# Arrays awaiting their producer. An eager op that hits its cached executable sends no
# event after its output, so this bound is what settles those (oldest first) in a loop
# of eager ops; a jit call's outputs (between its compiled and executed events) fit.
MAX_PENDING = 4096


def _fmt_bytes(n):
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"


def _device_name(device):
    return str(device)


def _short_type(shape, dtype):
    return f"{glassbox.core.dtype_short_name(dtype)}[{','.join(map(str, shape))}]"


class DevicePanel(LivePanel):
    """Devices (columns) with their live arrays, fed by events.

    Traits: ``devices`` (per device: name, id, arrays, bytes, rows of its arrays),
    ``log`` (recent events as text), ``totals`` (created, freed, live, bytes).
    """

    _esm = _HERE / "devicepanel.js"
    kinds = ("array_created", "array_freed", "compiled", "executed")

    devices = traitlets.List(traitlets.Dict()).tag(sync=True)
    log = traitlets.List(traitlets.Unicode()).tag(sync=True)
    totals = traitlets.Dict().tag(sync=True)

    def __init__(self, title="device placement", **kwargs):
        self._devices = [_device_name(d) for d in glassbox.devices()]
        self._arrays = collections.OrderedDict()   # id -> record
        self._pending = collections.deque()   # ids created since the last compiled event
        self._log = collections.deque(maxlen=LOG_LINES)
        self._created = self._freed = 0
        self._seq = 0
        super().__init__(title=title, **kwargs)
        self.sync()

    def handle(self, event):
        kind = event.kind
        if kind == "array_created":
            self._seq += 1
            device = _device_name(event["device"])
            if device not in self._devices:
                self._devices.append(device)
            rec = {"id": event["id"], "type": _short_type(event["shape"], event["dtype"]),
                   "nbytes": int(event["nbytes"]), "device": device,
                   "producer": event.get("producer") or "", "seq": self._seq,
                   "shards": [[_device_name(d), str(i)] for d, i in event.get("shards") or ()]}
            self._arrays[event["id"]] = rec
            self._created += 1
            if not rec["producer"]:
                self._pending.append(event["id"])
                if len(self._pending) > MAX_PENDING:
                    self._label(self._pending.popleft(), "eager op or transfer")
        elif kind == "array_freed":
            rec = self._arrays.pop(event["id"], None)
            if rec is not None:
                self._freed += 1
        elif kind == "compiled":
            self._settle("eager op or transfer")
        elif kind == "executed":
            self._settle(f"jit({event['fun_name']})")
            self._log.append(f"ran jit({event['fun_name']}) in {event['seconds'] * 1e3:.2f} ms")

    def _settle(self, producer):
        while self._pending:
            self._label(self._pending.popleft(), producer)

    def _label(self, array_id, producer):
        rec = self._arrays.get(array_id)
        if rec is not None and not rec["producer"]:
            rec["producer"] = producer
            self._log.append(f"{rec['type']} on {rec['device']} from {producer}")

    def state(self):
        per_device = {d: [] for d in self._devices}
        for rec in self._arrays.values():
            per_device.setdefault(rec["device"], []).append(rec)
        devices = []
        for name, recs in per_device.items():
            rows = [{"type": r["type"], "bytes": _fmt_bytes(r["nbytes"]),
                     "producer": r["producer"] or "eager op or transfer", "id": str(r["id"]),
                     "shards": r["shards"]}
                    for r in recs[-MAX_ROWS:]]
            devices.append({"name": name, "arrays": len(recs),
                            "bytes": _fmt_bytes(sum(r["nbytes"] for r in recs)), "rows": rows})
        live_bytes = sum(r["nbytes"] for r in self._arrays.values())
        return {"devices": devices, "log": list(self._log),
                "totals": {"created": self._created, "freed": self._freed,
                           "live": len(self._arrays), "bytes": _fmt_bytes(live_bytes)}}

    def arrays_on(self, device_name):
        """Live arrays on a device (as records: type, nbytes, producer...)."""
        return [r for r in self._arrays.values() if r["device"] == device_name]

    def static_sections(self):
        sections = []
        t = self.totals
        sections.append(("totals", escape_html(
            f"{t.get('live', 0)} live arrays, {t.get('bytes', '0 B')}; created "
            f"{t.get('created', 0)}, freed {t.get('freed', 0)} while this panel was open")))
        for d in self.devices:
            rows = [{"cells": [r["type"], r["bytes"], r["producer"]]} for r in d["rows"]]
            sections.append((f"{d['name']}: {d['arrays']} arrays, {d['bytes']}",
                             html_table(["array", "bytes", "produced by"], rows)))
        return sections


def devices(title="device placement"):
    """A live ``DevicePanel``: devices and the arrays on them, updated as arrays come
    and go and as compiled functions run. Set ``glassbox.config.cpu_device_count``
    before the first array is created to get several CPU devices."""
    return DevicePanel(title=title)
