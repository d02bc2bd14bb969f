"""campaign.jsonl: the campaign's own record, append-only, each line flushed and fsynced as it is written.

Lines, in order: one `campaign` line (name, file, sha256, runs planned), one `planned` line per run (index,
identity, full spec), then one `finished` line per run as it completes (after its run folder is complete), and
a `resumed` line each time the campaign is resumed. A line cut short by a kill is dropped on resume (its run has
no finished line, so it runs again); any other unreadable line is an error naming it.

    journal = Journal.create(folder, header, planned)        # a new campaign folder
    journal = Journal.open(folder)                          # resume: header, planned, finished so far
    journal.append({"kind": "finished", ...})
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hil.campaign.specs import PlannedRun, identity_of
from hil.records.strict_json import decode_strict

JOURNAL_FILENAME = "campaign.jsonl"
CAMPAIGN, PLANNED, FINISHED, RESUMED = "campaign", "planned", "finished", "resumed"


class JournalError(ValueError):
    """campaign.jsonl cannot be used (missing, damaged in the middle, or not a campaign record)."""


@dataclass
class Journal:
    path: Path
    header: dict[str, Any]
    planned: list[PlannedRun]
    finished: dict[str, dict[str, Any]] = field(default_factory=dict)
    dropped_partial_line: bool = False
    resumed: list[dict[str, Any]] = field(default_factory=list)
    """The `resumed` lines, in order."""

    def software(self) -> list[str]:
        """Every software the campaign ran with (tool version and git revision of its start and of each resume),
        in order, each once: more than one means its runs were not all made by the same code."""
        seen = [f"itpump {line.get('tool_version', '?')} at {line.get('git_revision', 'unknown revision')}"
                for line in [self.header, *self.resumed]]
        return list(dict.fromkeys(seen))

    @classmethod
    def create(cls, folder: Path, header: dict[str, Any], planned: list[PlannedRun]) -> Journal:
        path = folder / JOURNAL_FILENAME
        if path.exists():
            raise JournalError(f"{path} exists: resume it with --resume {folder}, or choose a new --out folder")
        folder.mkdir(parents=True, exist_ok=True)
        journal = cls(path, {"kind": CAMPAIGN, **header}, planned)
        with open(path, "x", encoding="utf-8") as stream:
            for line in [journal.header] + [{"kind": PLANNED, **run.to_json()} for run in planned]:
                stream.write(json.dumps(line, allow_nan=False) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        return journal

    @classmethod
    def open(cls, folder: Path) -> Journal:
        path = folder / JOURNAL_FILENAME
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise JournalError(f"cannot read {path}: {exc.strerror or exc}") from None
        lines = data.split(b"\n")
        partial = not data.endswith(b"\n") and bool(data)
        if partial:  # the process was killed while writing this line: it never happened
            with open(path, "r+b") as stream:
                stream.truncate(len(data) - len(lines[-1]))
        lines = lines[:-1]
        parsed = []
        for number, raw in enumerate(lines, start=1):
            try:
                line = decode_strict(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as exc:  # ValueError: bad JSON, or a number no writer writes
                raise JournalError(
                    f"{path} line {number} is not a JSON line ({exc}); the campaign record is damaged"
                ) from exc
            if not isinstance(line, dict) or "kind" not in line:
                raise JournalError(f"{path} line {number} is not a campaign record line")
            parsed.append(line)
        if not parsed or parsed[0]["kind"] != CAMPAIGN:
            raise JournalError(f"{path} does not begin with a campaign line: not a campaign folder")
        planned = [
            PlannedRun(line["index"], line["run_id"], line["spec"]) for line in parsed if line["kind"] == PLANNED
        ]
        edited = [run.index for run in planned if identity_of(run.spec) != run.run_id]
        if edited:
            raise JournalError(f"{path}: the planned run(s) {', '.join(map(str, edited[:5]))} no longer match their "
                               f"run_id (the plan was edited after it was written); the campaign record is damaged")
        finished = {line["run_id"]: line for line in parsed if line["kind"] == FINISHED}
        unknown = sorted(set(finished) - {run.run_id for run in planned})
        if unknown:
            raise JournalError(f"{path}: finished runs that were never planned: {', '.join(unknown[:5])}")
        return cls(path, parsed[0], planned, finished, partial, [line for line in parsed if line["kind"] == RESUMED])

    def append(self, line: dict[str, Any]) -> None:
        with open(self.path, "a", encoding="utf-8") as stream:
            stream.write(json.dumps(line, allow_nan=False) + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        if line.get("kind") == FINISHED:
            self.finished[line["run_id"]] = line
        elif line.get("kind") == RESUMED:
            self.resumed.append(line)

    def missing(self) -> list[PlannedRun]:
        return [run for run in self.planned if run.run_id not in self.finished]

    def with_records_lost(self, changed: Mapping[str, str]) -> Journal:
        """The journal as every output must judge it: each run in changed (run_id -> why, from
        hil.campaign.collect.records_changed_since: its record changed after it finished) has a lost record and the
        outcome ERROR. A view for the outputs; the file is not touched and nothing is appended through it."""
        if not changed:
            return self
        finished = {run_id: {**line, "record_lost": True, "lost_reason": changed[run_id], "outcome": "ERROR"}
                    if run_id in changed else line for run_id, line in self.finished.items()}
        return replace(self, finished=finished)
