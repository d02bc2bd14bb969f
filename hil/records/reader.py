"""Read record.jsonl back. A truncated last line (a run killed mid-write) is tolerated and reported;
a corrupt line anywhere else is an error naming the file and line."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hil.records import events as ev


@dataclass
class RunRecord:
    path: Path
    events: list[dict[str, Any]]
    truncated_last_line: bool = False
    _by_kind: dict[str, list[dict[str, Any]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for event in self.events:
            self._by_kind.setdefault(event["event"], []).append(event)

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return self._by_kind.get(kind, [])

    @property
    def started(self) -> dict[str, Any] | None:
        found = self.of_kind(ev.RUN_STARTED)
        return found[0] if found else None

    @property
    def finished(self) -> dict[str, Any] | None:
        found = self.of_kind(ev.RUN_FINISHED)
        return found[-1] if found else None


def read_record(path: Path | str) -> RunRecord:
    file = Path(path)
    text = file.read_text(encoding="utf-8")
    lines = text.split("\n")
    complete_ending = text.endswith("\n")
    events: list[dict[str, Any]] = []
    truncated = False
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
        except json.JSONDecodeError as exc:
            if number == len(lines) and not complete_ending:
                truncated = True
                break
            raise ev.RecordFormatError(f"{file}:{number}: not valid JSON ({exc.msg})") from None
        if not isinstance(event, dict):
            raise ev.RecordFormatError(f"{file}:{number}: an event must be a JSON object")
        events.append(ev.validate_event(event, where=f"{file}:{number}: "))
    return RunRecord(path=file, events=events, truncated_last_line=truncated)
