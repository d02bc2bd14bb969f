"""The firmware's append-only delivery and event log.

Each event goes to the sink the moment it is appended (the harness writes record.jsonl from it and
flushes as it writes); the firmware keeps its own copy to build the delivery profile from.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

EventSink = Callable[["Event"], None]


class EventKind:
    STATE = "state"
    DECISION = "decision"
    ALARM = "alarm"
    ALARM_CLEARED = "alarm_cleared"
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


class EventLog:
    def __init__(self, sink: EventSink | None = None) -> None:
        self._events: list[Event] = []
        self._sink = sink

    def append(self, t_s: float, kind: str, **fields: Any) -> Event:
        event = Event(t_s, kind, fields)
        self._events.append(event)
        if self._sink is not None:
            self._sink(event)
        return event

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(self._events)

    def of_kind(self, kind: str) -> list[Event]:
        return [e for e in self._events if e.kind == kind]

    def __len__(self) -> int:
        return len(self._events)
