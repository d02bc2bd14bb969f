"""The firmware's append-only delivery and event log.

Each event goes to the sink the moment it is appended (the harness writes record.jsonl from it and
flushes as it writes); the firmware keeps its own copy to build the delivery profile from.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from collections.abc import Callable, Mapping

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
_set_t_s = Event.t_s.__set__  # type: ignore[attr-defined,misc]
_set_kind = Event.kind.__set__  # type: ignore[attr-defined,misc]
_set_fields = Event.fields.__set__  # type: ignore[attr-defined,misc]


def _status_event(t_s: float, delivered_ul: float, commanded_ul: float) -> Event:
    event = _new_event(Event)
    _set_t_s(event, t_s)
    _set_kind(event, EventKind.STATUS)
    _set_fields(event, {"delivered_ul": delivered_ul, "commanded_ul": commanded_ul})
    return event


class EventLog:
    """Events in order. Without a sink, status events (one per supervision tick) are kept as plain
    (t_s, delivered_ul, commanded_ul) tuples and built into Events the first time the log is read, so a quiet
    tick allocates no Event or dict; with a sink each event is built and passed on at once."""

    def __init__(self, sink: EventSink | None = None) -> None:
        self._events: list[Event | tuple[float, float, float]] = []
        self._built = 0
        """Entries before this index are all Events."""
        self._sink = sink

    def append(self, t_s: float, kind: str, **fields: Any) -> Event:
        event = Event(t_s, kind, fields)
        self._events.append(event)
        if self._sink is not None:
            self._sink(event)
        return event

    def append_status(self, t_s: float, delivered_ul: float, commanded_ul: float) -> None:
        """append(t_s, EventKind.STATUS, delivered_ul=..., commanded_ul=...)."""
        self.status_appender()((t_s, delivered_ul, commanded_ul))

    def status_appender(self) -> Callable[[tuple[float, float, float]], None]:
        """The per-tick fast path: a function taking (t_s, delivered_ul, commanded_ul) that appends that status
        event (without a sink, the list's own append: no Python call per tick)."""
        if self._sink is None:
            return self._events.append
        events_append, sink = self._events.append, self._sink

        def append_and_sink(status: tuple[float, float, float]) -> None:
            event = _status_event(*status)
            events_append(event)
            sink(event)
        return append_and_sink

    def _all(self) -> list[Event]:
        events = self._events
        if self._built < len(events):
            built: list[Event] = []
            for entry in events[self._built:]:
                built.append(_status_event(*entry) if type(entry) is tuple else entry)  # type: ignore[arg-type]
            del events[self._built:]
            events += built
            self._built = len(events)
        return events  # type: ignore[return-value]

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(self._all())

    def __len__(self) -> int:
        return len(self._events)
