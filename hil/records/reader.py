"""Read record.jsonl back, whatever state it is in. Never raises for what the file holds (only OSError if it
cannot be read): every readable, well-formed event is kept, and every problem is listed in `damage` with its
line number. A record with damage is not intact, and the outputs make such a run ERROR.

Problems found: bytes that are not UTF-8, lines that are not JSON objects, unknown event kinds, missing fields
or fields of the wrong type, an outcome (run_finished, envelope) outside its vocabulary, a broken chain (a line
altered, dropped, repeated or moved; hil.records.integrity),
a first line that is not run_started, a second run_started or run_finished, events after run_finished (other
than an operator interrupt while the outputs were rendered), a last line without its line end.
Records written before lines were chained (no line carries a chain) are read without the chain check.
A volume sample that carries the firmware's status event of its moment (`firmware_status`, hil.records.carried_status)
is read as that firmware_event followed by the sample, both with the sample's line number.

Each line is read into its event dataclass (hil.records.event_types), once, as it is read: `RunRecord.typed(ev.Alarm)`
gives the events of one kind (list[Alarm]), `events` all of them in record order, `started`, `finished` and
`interrupts_after_finish()` the ones the outcome depends on. `parse_line` reads one line into its dataclass and raises
RecordFormatError naming the file, the line and the field.
"""
from __future__ import annotations

import contextlib
import gc
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar, cast

from firmware_sim.outcome import Outcome
from hil.records import events as ev
from hil.records.carried_status import carried_status
from hil.records.strict_json import decode_strict
from hil.records.integrity import CHAIN_FIELD, GENESIS, chain_of, split_chained_line

E = TypeVar("E", bound=ev.RecordEvent)
MAX_LISTED_DAMAGED_LINES = 200
"""Problems kept in RunRecord.damage (a record of garbage would otherwise list every line)."""


@dataclass
class RunRecord:
    path: Path
    events: list[ev.RecordEvent]
    """Every readable event, in record order."""
    truncated_last_line: bool = False
    damage: list[str] = field(default_factory=list)
    """'line N: what is wrong', in line order; empty for an intact record."""
    damage_count: int = 0
    chained: bool = True
    """False for a record written before lines carried a chain (read without the chain check)."""
    _by_class: dict[type[ev.RecordEvent], list[ev.RecordEvent]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for event in self.events:
            self._by_class.setdefault(type(event), []).append(event)
        self.damage_count = max(self.damage_count, len(self.damage))

    def add(self, event: ev.RecordEvent) -> None:
        """An event just appended to the file (e.g. an interrupt while the outputs were rendered)."""
        self.events.append(event)
        self._by_class.setdefault(type(event), []).append(event)

    def typed(self, event_class: type[E]) -> list[E]:
        """The events of one kind as their dataclass (e.g. typed(ev.VolumeSample)), in record order."""
        return cast("list[E]", self._by_class.get(event_class, []))

    @property
    def started(self) -> ev.RunStarted | None:
        found = self.typed(ev.RunStarted)
        return found[0] if found else None

    @property
    def finished(self) -> ev.RunFinished | None:
        found = self.typed(ev.RunFinished)
        return found[-1] if found else None

    @property
    def intact(self) -> bool:
        return not self.damage_count

    @property
    def not_evidence_because(self) -> str | None:
        """Why nothing read from this record is evidence (None: it is): a damaged line (any may be the altered one), or
        no run_finished (cut at a line end: a later line, lost, may have failed what the kept ones passed)."""
        if not self.intact:
            first = self.damage[0] if self.damage else "damaged"
            return f"the record is not intact ({self.damage_count} problem(s), first {first})"
        if self.finished is None:
            return "the record ends without run_finished (cut short: what followed is lost)"
        return None

    def as_evidence(self, outcome: Outcome) -> Outcome:
        """An outcome read from this record as an output may show it: ERROR when the record is not evidence
        (not_evidence_because), else the outcome itself."""
        return outcome if self.not_evidence_because is None else Outcome.ERROR

    def as_evidence_with(self, outcome: Outcome, detail: str) -> tuple[Outcome, str]:
        """as_evidence, and the detail saying why it is not evidence when it is not (and what the line recorded)."""
        why = self.not_evidence_because
        if why is None:
            return outcome, detail
        return Outcome.ERROR, f"{why}: not evidence; recorded {outcome.value}: {detail}"

    def interrupts_after_finish(self) -> list[ev.Interrupt]:
        """Operator interrupts recorded after run_finished (while the outputs were rendered)."""
        finished = self.finished
        if finished is None:
            return []
        position = next(i for i, event in enumerate(self.events) if event is finished)
        return [e for e in self.events[position + 1:] if isinstance(e, ev.Interrupt)]


class _Damage:
    def __init__(self) -> None:
        self.found: list[tuple[int, str]] = []
        self.count = 0

    def add(self, at_line: int, problem: str) -> None:
        self.count += 1
        if len(self.found) < MAX_LISTED_DAMAGED_LINES:
            self.found.append((at_line, problem))

    @property
    def listed(self) -> list[str]:
        return [f"line {number}: {problem}" for number, problem in sorted(self.found, key=lambda item: item[0])]


@contextlib.contextmanager
def _no_cycle_collection() -> Iterator[None]:
    """Reading makes a few objects per line (the line's dict, its event), none in a cycle: the cycle collector would
    walk the growing heap again and again for nothing (a fifth of the time of a 30-day record of 90,000 lines)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def read_record(path: Path | str) -> RunRecord:
    with _no_cycle_collection():
        return _read_record(Path(path))


def _read_record(file: Path) -> RunRecord:
    data = file.read_bytes()
    raw_lines = data.split(b"\n")
    complete_ending = data.endswith(b"\n")
    if complete_ending or not data:
        raw_lines.pop()
    chained = any(f'"{CHAIN_FIELD}":"'.encode() in raw for raw in raw_lines)
    damage = _Damage()
    events: list[tuple[int, ev.RecordEvent]] = []
    previous_chain = GENESIS
    truncated = False
    for number, raw in enumerate(raw_lines, start=1):
        if number == len(raw_lines) and not complete_ending:
            truncated = True
            damage.add(number, "cut short: the last line has no line end (the run was killed while writing it)")
            whole = _Damage()  # its event is kept only if the line is otherwise whole
            event, previous_chain = _parse_line(raw, number, chained, previous_chain, whole)
            event = event if not whole.count else None
        else:
            event, previous_chain = _parse_line(raw, number, chained, previous_chain, damage)
        if event is not None:
            status = carried_status(event)
            if status is not None:
                events.append((number, status))  # the firmware's status event this sample line stands for
            events.append((number, event))
    _check_order(events, damage)
    return RunRecord(path=file, events=[event for _, event in events], truncated_last_line=truncated,
                     damage=damage.listed, damage_count=damage.count, chained=chained)


def parse_line(line: str | bytes, path: Path | str = "record.jsonl", at_line: int = 1) -> ev.RecordEvent:
    """One line (its chain, if any, removed) as its event dataclass. RecordFormatError names the file, the line and
    what is wrong (not JSON, an unknown kind, a missing field or one of the wrong type)."""
    where = f"{path} line {at_line}: "
    try:
        fields = decode_strict(line.decode("utf-8") if isinstance(line, bytes) else line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ev.RecordFormatError(f"{where}not valid JSON ({exc})") from exc
    except ValueError as exc:  # a number no writer writes: not finite, or too many digits for an int
        raise ev.RecordFormatError(f"{where}not a record line: {exc}") from exc
    if not isinstance(fields, dict):
        raise ev.RecordFormatError(f"{where}a JSON {type(fields).__name__}, not an object")
    fields.pop(CHAIN_FIELD, None)
    return ev.event_from_fields(fields, where)


def _parse_line(raw: bytes, number: int, chained: bool, previous_chain: str,
                damage: _Damage) -> tuple[ev.RecordEvent | None, str]:
    """(the event or None, the chain the next line continues from)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        damage.add(number, f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1})")
        split = split_chained_line(raw.decode("utf-8", errors="replace")) if chained else None
        return None, split[1] if split is not None else previous_chain  # the next line is checked on its own
    if not text.strip():
        damage.add(number, "empty line")
        return None, previous_chain
    next_chain = previous_chain
    if chained:
        split = split_chained_line(text)
        if split is None:
            damage.add(number, "does not end with its chain value (the line was altered)")
        else:
            body, next_chain = split
            if chain_of(previous_chain, body) != next_chain:
                damage.add(number, "breaks the chain: this line or the one before it was altered, dropped, "
                                   "repeated or moved")
    try:
        event = decode_strict(text)
    except json.JSONDecodeError as exc:
        damage.add(number, f"not valid JSON ({exc.msg} at column {exc.colno})")
        return None, next_chain
    except ValueError as exc:  # a number no writer writes: not finite, or too many digits for an int
        damage.add(number, f"not a record line: {exc}")
        return None, next_chain
    if not isinstance(event, dict):
        damage.add(number, f"a JSON {type(event).__name__}, not an object")
        return None, next_chain
    event.pop(CHAIN_FIELD, None)
    problem = ev.event_problem(event)
    if problem is not None:
        damage.add(number, problem)
        return None, next_chain
    return ev.event_from_checked_fields(event), next_chain


def _check_order(events: list[tuple[int, ev.RecordEvent]], damage: _Damage) -> None:
    """run_started first and once; run_finished once; after it only operator interrupts."""
    if not events or events[0][1].KIND != ev.RecordKind.RUN_STARTED or events[0][0] != 1:
        damage.add(1, "the record does not begin with run_started")
    finished_at = None
    for index, (number, event) in enumerate(events):
        kind = event.KIND
        if kind == ev.RecordKind.RUN_STARTED and index > 0:
            damage.add(number, "a second run_started")
        elif finished_at is not None and kind == ev.RecordKind.RUN_FINISHED:
            damage.add(number, f"a second run_finished (the first is on line {finished_at})")
        elif finished_at is not None and kind != ev.RecordKind.INTERRUPT:
            damage.add(number, f"{kind} after run_finished (line {finished_at})")
        if kind == ev.RecordKind.RUN_FINISHED and finished_at is None:
            finished_at = number
