"""Device placement: a live panel of the devices and the arrays on them.

    glassbox.config.update("cpu_device_count", 4)   # before the first array exists
    panel = gbw.devices()                          # display it; it follows the events

Built from the core's events only: ``array_created`` / ``array_freed`` (id,
shape, dtype, bytes, device), ``compiled`` and ``executed`` (which function ran).
An array created between a function's ``compiled`` and ``executed`` events is
that function's output; others come from eager operations or transfers. The
panel tracks arrays created while it is open (the core keeps no registry of
older ones). An array over several devices (its event lists ``shards``: (device,
index, bytes) triples, with ``shard_shape`` and a ``sharding`` label) shows up in the
column of every device holding a block of it, as that block (``f32[8,4] [0:2, 0:2]``)
and its bytes there, and once more in the "sharded arrays" table: which slice lives on
which device.
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


def _fmt_index(index):
    """``[0:2, :]``: the block of an array a device holds, as NumPy slices it."""
    parts = []
    for s in index:
        if isinstance(s, slice):
            parts.append(":" if s.start is None and s.stop is None
                         else f"{s.start or 0}:{'' if s.stop is None else s.stop}")
        else:
            parts.append(str(s))
    return f"[{', '.join(parts)}]"


def _short_type(shape, dtype):
    return f"{glassbox.core.dtype_short_name(dtype)}[{','.join(map(str, shape))}]"


class DevicePanel(LivePanel):
    """Devices (columns) with their live arrays, fed by events.

    Traits: ``devices`` (per device: name, id, arrays, bytes, rows of its arrays and
    shards), ``sharded`` (per array over several devices: type, sharding, shard type and
    its shards as [device, index, bytes]), ``log`` (recent events as text), ``totals``
    (created, freed, live, bytes).
    """

    _esm = _HERE / "devicepanel.js"
    kinds = ("array_created", "array_freed", "compiled", "executed")

    devices = traitlets.List(traitlets.Dict()).tag(sync=True)
    sharded = traitlets.List(traitlets.Dict()).tag(sync=True)
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
                   "shards": [[_device_name(d), _fmt_index(i), int(n)]
                              for d, i, n in event.get("shards") or ()],
                   "sharding": event.get("sharding") or "",
                   "shard_type": _short_type(event.get("shard_shape") or (), event["dtype"])}
            for name, _, _ in rec["shards"]:
                if name not in self._devices:
                    self._devices.append(name)
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

    def _on_devices(self):
        """``{device name: [(record, index or None, bytes there)]}``: an array over several
        devices is listed on each, as the block it holds there."""
        per_device = {d: [] for d in self._devices}
        for rec in self._arrays.values():
            if rec["shards"]:
                for name, index, nbytes in rec["shards"]:
                    per_device.setdefault(name, []).append((rec, index, nbytes))
            else:
                per_device.setdefault(rec["device"], []).append((rec, None, rec["nbytes"]))
        return per_device

    def state(self):
        devices = []
        for name, held in self._on_devices().items():
            rows = [{"type": r["type"] + ("" if index is None else f" {index}"),
                     "bytes": _fmt_bytes(nbytes),
                     "producer": r["producer"] or "eager op or transfer", "id": str(r["id"]),
                     "shard": index or ""}
                    for r, index, nbytes in held[-MAX_ROWS:]]
            devices.append({"name": name, "arrays": len(held),
                            "bytes": _fmt_bytes(sum(n for _, _, n in held)), "rows": rows})
        sharded = [{"id": str(r["id"]), "type": r["type"], "sharding": r["sharding"],
                    "shard_type": r["shard_type"], "producer": r["producer"] or
                    "eager op or transfer",
                    "shards": [[d, i, _fmt_bytes(n)] for d, i, n in r["shards"]]}
                   for r in self._arrays.values() if r["shards"]][-MAX_ROWS:]
        live_bytes = sum(r["nbytes"] for r in self._arrays.values())
        return {"devices": devices, "sharded": sharded, "log": list(self._log),
                "totals": {"created": self._created, "freed": self._freed,
                           "live": len(self._arrays), "bytes": _fmt_bytes(live_bytes)}}

    def arrays_on(self, device_name):
        """Live arrays on a device, or with a shard there (as records: type, nbytes,
        producer, shards...)."""
        return [r for r, _, _ in self._on_devices().get(device_name, ())]

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
        for a in self.sharded:
            rows = [{"cells": [device, index, nbytes]} for device, index, nbytes in a["shards"]]
            sections.append((f"{a['type']} sharded {a['sharding']}: {len(a['shards'])} shards "
                             f"of {a['shard_type']}",
                             html_table(["device", "slice", "bytes"], rows)))
        return sections


def devices(title="device placement"):
    """A live ``DevicePanel``: devices and the arrays on them, updated as arrays come
    and go and as compiled functions run. Set ``glassbox.config.cpu_device_count``
    before the first array is created to get several CPU devices."""
    return DevicePanel(title=title)
