"""The firmware's append-only delivery and event log.

Each event goes to the sink the moment it is appended (the harness writes record.jsonl from it and
flushes as it writes); the firmware keeps its own copy to build the delivery profile from.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple
from collections.abc import Callable, Mapping

import numpy as np

EventSink = Callable[["Event"], None]


class EventKind:
    STATE = "state"
    DECISION = "decision"
    ALARM = "alarm"
    ALARM_CLEARED = "alarm_cleared"
    STOP_FAILED = "stop_failed"
    """A high-priority alarm could not stop the actuator (it keeps running until its own watchdog stops it)."""
    RATE_COMMAND = "rate_command"
    STATUS = "status"
    REFILL = "refill"
    DOSE = "dose"


@dataclass(frozen=True, slots=True)
class Event:
    t_s: float
    kind: str
    fields: Mapping[str, Any]
    """Unit-named values (rate_ul_per_h, dose_mcg, conc_mcg_per_ml, ...)."""

    def to_record(self) -> dict[str, Any]:
        return {"t_s": self.t_s, "kind": self.kind, **self.fields}


# The status event is appended once per supervision tick (525,600 a year at the default period): build it
# without the frozen dataclass __init__ (three object.__setattr__ calls); the slot setters give the same Event.
_new_event = object.__new__
_set_t_s = Event.__dict__["t_s"].__set__
_set_kind = Event.__dict__["kind"].__set__
_set_fields = Event.__dict__["fields"].__set__


def _status_event(t_s: float, delivered_ul: float, commanded_ul: float) -> Event:
    event = _new_event(Event)
    _set_t_s(event, t_s)
    _set_kind(event, EventKind.STATUS)
    _set_fields(event, {"delivered_ul": delivered_ul, "commanded_ul": commanded_ul})
    return event


class _StatusRun(NamedTuple):
    """The status events of a run of ticks, kept as the arrays they were computed in."""

    t_s: np.ndarray
    delivered_ul: np.ndarray
    commanded_ul: np.ndarray


class EventLog:
    """Events in order. Without a sink, status events (one per supervision tick) are kept as plain
    (t_s, delivered_ul, commanded_ul) tuples, or runs of them as arrays, and built into Events the first time
    the log is read, so a quiet tick allocates no Event or dict; with a sink each event is built and passed
    on at once."""

    def __init__(self, sink: EventSink | None = None) -> None:
        self._events: list[Event | tuple[float, float, float] | _StatusRun] = []
        self._built = 0
        """Entries before this index are all Events."""
        self._unbuilt_run_ticks = 0
        """Status events held in _StatusRun entries beyond the one entry each counts for."""
        self._sink = sink

    def append(self, t_s: float, kind: str, **fields: Any) -> Event:
        event = Event(t_s, kind, fields)
        self._events.append(event)
        if self._sink is not None:
            self._sink(event)
        return event

    def append_status(self, t_s: float, delivered_ul: float, commanded_ul: float) -> None:
        """append(t_s, EventKind.STATUS, delivered_ul=..., commanded_ul=...), the per-tick fast path."""
        if self._sink is None:
            self._events.append((t_s, delivered_ul, commanded_ul))
        else:
            event = _status_event(t_s, delivered_ul, commanded_ul)
            self._events.append(event)
            self._sink(event)

    def append_statuses(self, t_s: np.ndarray, delivered_ul: np.ndarray, commanded_ul: np.ndarray) -> None:
        """append_status for each of a run of ticks, in order. The arrays are kept, not copied: the caller
        must not change them afterwards."""
        if self._sink is None:
            self._events.append(_StatusRun(t_s, delivered_ul, commanded_ul))
            self._unbuilt_run_ticks += len(t_s) - 1
        else:
            for entry in zip(t_s.tolist(), delivered_ul.tolist(), commanded_ul.tolist()):
                self.append_status(*entry)

    def _all(self) -> list[Event]:
        events = self._events
        if self._built < len(events):
            built: list[Event] = []
            for entry in events[self._built:]:
                if type(entry) is tuple:
                    built.append(_status_event(*entry))
                elif type(entry) is _StatusRun:
                    built += map(_status_event, entry.t_s.tolist(), entry.delivered_ul.tolist(),
                                 entry.commanded_ul.tolist())
                else:
                    built.append(entry)  # type: ignore[arg-type]
            del events[self._built:]
            events += built
            self._built, self._unbuilt_run_ticks = len(events), 0
        return events  # type: ignore[return-value]

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(self._all())

    def __len__(self) -> int:
        return len(self._events) + self._unbuilt_run_ticks
