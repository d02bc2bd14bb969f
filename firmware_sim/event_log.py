"""The firmware's append-only delivery and event log.

Each event goes to the sink the moment it is appended (the harness writes record.jsonl from it and
flushes as it writes); the firmware keeps its own copy to build the delivery profile from.
"""
from __future__ import annotations

from array import array
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from collections.abc import Callable, Mapping

EventSink = Callable[["Event"], None]


class EventKind(StrEnum):
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
    kind: EventKind
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


def _status_events(statuses: array[float], first: int, end: int) -> list[Event]:
    """The status events first to end (exclusive) of a flat (t_s, delivered_ul, commanded_ul) array."""
    lo, hi = 3 * first, 3 * end
    return [_status_event(t_s, delivered_ul, commanded_ul) for t_s, delivered_ul, commanded_ul in
            zip(statuses[lo:hi:3], statuses[lo + 1:hi:3], statuses[lo + 2:hi:3])]


PENDING_STATUS_FLOATS = 3 * 4096
"""Status numbers kept as Python floats before an event moves them into the array (about 400 kB)."""


class EventLog:
    """Events in order. Status events (one per supervision tick) are kept as three doubles each (t_s, delivered_ul,
    commanded_ul) in one array and built into Events the first time the log is read, so a quiet tick allocates no
    Event or dict; with a sink each status event is also built and passed on at once. A tick
    appends its three numbers to a list (a third of the cost of an array extend); they move into the array when the
    log is read, or at the next other event once there are more than PENDING_STATUS_FLOATS."""

    def __init__(self, sink: EventSink | None = None) -> None:
        self._others: list[Event] = []
        """Every event that is not a status event, in order."""
        self._statuses_before: list[int] = []
        """For each of _others, how many status events came before it."""
        self._statuses = array("d")
        """(t_s, delivered_ul, commanded_ul) of each status event, flat."""
        self._pending_statuses: list[float] = []
        """Status events not yet in _statuses, flat like it (they come after it)."""
        self._built: list[Event] = []
        """The merged log as far as it was read: the first _built_others of _others and the statuses among them."""
        self._built_others = 0
        self._sink = sink

    def append(self, t_s: float, kind: EventKind, **fields: Any) -> Event:
        event = Event(t_s, kind, fields)
        self._others.append(event)
        pending = self._pending_statuses
        if len(pending) > PENDING_STATUS_FLOATS:
            self._flush_pending_statuses()
        self._statuses_before.append((len(self._statuses) + len(pending)) // 3)
        if self._sink is not None:
            self._sink(event)
        return event

    def append_status(self, t_s: float, delivered_ul: float, commanded_ul: float) -> None:
        """append(t_s, EventKind.STATUS, delivered_ul=..., commanded_ul=...)."""
        self.status_appender()((t_s, delivered_ul, commanded_ul))

    def status_appender(self) -> Callable[[tuple[float, float, float]], None]:
        """The per-tick fast path: a function taking (t_s, delivered_ul, commanded_ul) that appends that status
        event (without a sink, the pending list's own extend: no Python call per tick)."""
        if self._sink is None:
            return self._pending_statuses.extend
        extend, sink = self._pending_statuses.extend, self._sink

        def append_and_sink(status: tuple[float, float, float]) -> None:
            extend(status)
            sink(_status_event(*status))
        return append_and_sink

    def _flush_pending_statuses(self) -> int:
        """Move the pending status numbers into the array; how many status events there are."""
        pending = self._pending_statuses
        if pending:
            self._statuses.fromlist(pending)
            pending.clear()
        return len(self._statuses) // 3

    def _all(self) -> list[Event]:
        built, others, statuses = self._built, self._others, self._statuses
        n_statuses = self._flush_pending_statuses()
        done_statuses = len(built) - self._built_others
        if self._built_others == len(others) and done_statuses == n_statuses:
            return built
        for i in range(self._built_others, len(others)):
            before = self._statuses_before[i]
            built += _status_events(statuses, done_statuses, before)
            built.append(others[i])
            done_statuses = before
        built += _status_events(statuses, done_statuses, n_statuses)
        self._built_others = len(others)
        return built

    @property
    def events(self) -> tuple[Event, ...]:
        return tuple(self._all())

    def __len__(self) -> int:
        return len(self._others) + self._flush_pending_statuses()
