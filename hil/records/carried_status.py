"""The firmware's per-tick status event carried by the volume sample of the same moment.

At every supervision tick the firmware logs a status event (delivered_ul, commanded_ul) and the runner, right after
it, a volume sample whose pump_reported_ul and commanded_ul are those same two numbers. Written as one line, the
sample carries `"firmware_status": true` and the status event has no line of its own; the reader gives the event
back just before the sample, so every reader sees the firmware's log as it was. A status event is carried only by a
sample of the same t_s with the same two numbers (bit for bit) and nothing recorded between them; otherwise it is
written as its own line, as before.

    carries(held_status, next_event)                     # whether the sample can carry it
    status = carried_status(sample)                      # the firmware_event it stands for, or None
"""
from __future__ import annotations

import math

from firmware_sim.event_log import EventKind
from hil.records import events as ev

STATUS_FIELDS = ("delivered_ul", "commanded_ul")
CARRY_FIELD = "firmware_status"
CARRIED_SUFFIX = f',"{CARRY_FIELD}":true}}'
"""What a carrying sample's line ends with, in place of its closing brace."""


def is_plain_status(event: ev.FirmwareEvent) -> bool:
    """A status event a volume sample can carry: exactly its two numbers, no extra fields."""
    return event.kind == EventKind.STATUS and not event.extra and tuple(event.fields) == STATUS_FIELDS


def _same(a: object, b: object) -> bool:
    """Equal finite floats, the sign of a zero included (the line must give back the very number: a non-finite one
    is written as null)."""
    return (type(a) is float and type(b) is float and math.isfinite(a) and a == b
            and math.copysign(1.0, a) == math.copysign(1.0, b))


def carries(status: ev.FirmwareEvent, event: ev.RecordEvent) -> bool:
    """Whether event is a volume sample that can carry status: the same moment and numbers, no after_pump_stop, no
    extra field (so firmware_status is the last field of its line). The writer refuses a sample that already claims
    firmware_status before asking."""
    if type(event) is not ev.VolumeSample or event.after_pump_stop or event.extra:
        return False
    fields = status.fields
    return (event.t_s == status.t_s and _same(event.pump_reported_ul, fields["delivered_ul"])
            and _same(event.commanded_ul, fields["commanded_ul"]))


def carried_status(event: ev.RecordEvent) -> ev.FirmwareEvent | None:
    """The firmware status event a volume sample line stands for (None if it carries none)."""
    if type(event) is not ev.VolumeSample or not event.firmware_status:
        return None
    return ev.FirmwareEvent(t_s=event.t_s, kind=EventKind.STATUS.value,
                            fields={"delivered_ul": event.pump_reported_ul, "commanded_ul": event.commanded_ul})
