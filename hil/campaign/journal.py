"""campaign.jsonl: the campaign's own record, append-only, each line flushed and fsynced as it is written.

Lines, in order: one `campaign` line (name, file, sha256, runs planned and the sha256 of their identities), one
`planned` line per run (index, identity, full spec), then one `finished` line per run as it completes (after its
run folder is complete; it keeps the sha256 of its own content), and a `resumed` line each time the campaign is
resumed. The header and the plan are written to a temporary file and renamed: a kill leaves the whole plan or no
campaign file. A line cut short by a kill is dropped on resume (its run has no finished line, so it runs again);
any other unreadable line, a line without a key it must hold, a planned line that no longer hashes to its run_id or
a finished line that no longer hashes to its line_sha256 is an error naming the file and the line. A plan whose
planned lines are not the header's runs_planned runs, indexed 0..n-1 in order, is a DamagedPlan
(hil.campaign.plan_repair may complete it).

    journal = Journal.create(folder, header, planned)        # a new campaign folder
    journal = Journal.open(folder)                          # resume: header, planned, finished so far
    journal.append({"kind": "finished", ...})
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hil.campaign.journal_shapes import line_problem
from hil.campaign.lost_record import unmeasured
from hil.campaign.specs import PlannedRun, canonical_json, identity_of
from hil.records.strict_json import decode_strict

JOURNAL_FILENAME = "campaign.jsonl"
CAMPAIGN, PLANNED, FINISHED, RESUMED = "campaign", "planned", "finished", "resumed"
JOURNAL_FORMAT_VERSION = 2
"""2: the header keeps plan_sha256 and every finished line its line_sha256 (a finished line without it is damaged)."""
LINE_HASH_KEY = "line_sha256"


class JournalError(ValueError):
    """campaign.jsonl cannot be used (missing, damaged in the middle, or not a campaign record)."""


class DamagedPlan(JournalError):
    """The planned lines are not the header's plan (fewer, more, out of order or repeated): a kill while the plan was
    written (before it was written atomically) or an edit. `cut` when they are the plan's first runs, in order."""

    def __init__(self, message: str, path: Path, header: dict[str, Any], planned: list[PlannedRun], cut: bool,
                 dropped_partial_line: bool) -> None:
        super().__init__(message)
        self.path, self.header, self.planned, self.cut = path, header, planned, cut
        self.dropped_partial_line = dropped_partial_line


def plan_sha256(run_ids: list[str]) -> str:
    """The identity of a whole plan: the sha256 of its run identities in plan order."""
    return hashlib.sha256("\n".join(run_ids).encode("ascii")).hexdigest()


def finished_line_sha256(line: Mapping[str, Any]) -> str:
    """The sha256 of a finished line's content (every key but the hash itself)."""
    return hashlib.sha256(canonical_json({k: v for k, v in line.items() if k != LINE_HASH_KEY}).encode()).hexdigest()


def write_lines(stream: Any, lines: list[dict[str, Any]]) -> None:
    for line in lines:
        stream.write(json.dumps(line, allow_nan=False) + "\n")
    stream.flush()
    os.fsync(stream.fileno())


def _plan_problem(header: dict[str, Any], planned: list[PlannedRun]) -> tuple[str, bool] | None:
    """(what is wrong, whether the plan is only cut short) when the planned lines are not the header's plan."""
    expected = header["runs_planned"]
    indices = [run.index for run in planned]
    repeated = len({run.run_id for run in planned}) != len(planned)
    if indices == list(range(expected)) and not repeated:
        return None
    cut = indices == list(range(len(planned))) and len(planned) < expected and not repeated
    if cut:
        return f"it holds {len(planned)} planned lines of the {expected} runs its header planned (runs " \
               f"{len(planned)}..{expected - 1} are missing: the plan was cut short while it was written)", True
    shown = ", ".join(map(str, indices[:8])) + (" ..." if len(indices) > 8 else "")
    return f"its {len(planned)} planned lines (indices {shown or 'none'}) are not the {expected} runs its header " \
           f"planned, indexed from 0, each once and in order", False


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
        journal = cls(path, {"kind": CAMPAIGN, **header, "runs_planned": len(planned),
                             "plan_sha256": plan_sha256([run.run_id for run in planned]),
                             "journal_format": JOURNAL_FORMAT_VERSION}, planned)
        partial = path.with_name(JOURNAL_FILENAME + ".partial")
        try:
            with open(partial, "w", encoding="utf-8") as stream:
                write_lines(stream, [journal.header] + [{"kind": PLANNED, **run.to_json()} for run in planned])
            os.link(partial, path)  # the whole plan or nothing; never over a campaign file written meanwhile
        except FileExistsError:
            raise JournalError(f"{path} exists: resume it with --resume {folder}, or choose a new --out folder") \
                from None
        finally:
            partial.unlink(missing_ok=True)
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
        parsed = [_parsed(path, number, raw) for number, raw in enumerate(lines[:-1], start=1)]
        if not parsed or parsed[0][1]["kind"] != CAMPAIGN:
            raise JournalError(f"{path} does not begin with a campaign line: not a campaign folder")
        header = parsed[0][1]
        planned = [PlannedRun(line["index"], line["run_id"], line["spec"]) for _, line in parsed
                   if line["kind"] == PLANNED]
        edited = [run.index for run in planned if identity_of(run.spec) != run.run_id]
        if edited:
            raise JournalError(f"{path}: the planned run(s) {', '.join(map(str, edited[:5]))} no longer match their "
                               f"run_id (the plan was edited after it was written); the campaign record is damaged")
        finished = _finished_lines(path, header, parsed)
        problem = _plan_problem(header, planned)
        if problem is not None:
            raise DamagedPlan(f"{path}: the campaign's plan is damaged: {problem[0]}", path, header, planned,
                              problem[1], partial)
        by_id = {run.run_id: run for run in planned}
        for number, line in parsed:
            run = by_id.get(line["run_id"]) if line["kind"] == FINISHED else None
            if run is not None and run.index != line["index"]:
                raise JournalError(f"{path} line {number}: the finished line of run {line['run_id']} says index "
                                   f"{line['index']}, its planned line {run.index}; the campaign record is damaged")
        unknown = sorted(set(finished) - set(by_id))
        if unknown:
            raise JournalError(f"{path}: finished runs that were never planned: {', '.join(unknown[:5])}")
        return cls(path, header, planned, finished, partial, [line for _, line in parsed if line["kind"] == RESUMED])

    def append(self, line: dict[str, Any]) -> None:
        if line.get("kind") == FINISHED:
            line = {**line, LINE_HASH_KEY: finished_line_sha256(line)}
        with open(self.path, "a", encoding="utf-8") as stream:
            write_lines(stream, [line])
        if line.get("kind") == FINISHED:
            self.finished[line["run_id"]] = line
        elif line.get("kind") == RESUMED:
            self.resumed.append(line)

    def missing(self) -> list[PlannedRun]:
        return [run for run in self.planned if run.run_id not in self.finished]

    def with_records_lost(self, changed: Mapping[str, str]) -> Journal:
        """The journal as every output must judge it: each run in changed (run_id -> why, from
        hil.campaign.collect.records_changed_since: its record changed after it finished) has a lost record, and
        every run with a lost record shows nothing of it as measured (hil.campaign.lost_record.unmeasured: ERROR, no
        envelope outcome, fault detection unknown). A view for the outputs; the file is not touched and nothing is
        appended through it."""
        finished = {run_id: unmeasured(line, changed.get(run_id, line["lost_reason"]))
                    if run_id in changed or line["record_lost"] else line for run_id, line in self.finished.items()}
        return replace(self, finished=finished)


def _parsed(path: Path, number: int, raw: bytes) -> tuple[int, dict[str, Any]]:
    """(line number, line) of one line, checked for its shape (hil.campaign.journal_shapes)."""
    try:
        line = decode_strict(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:  # ValueError: bad JSON, or a number no writer writes
        raise JournalError(f"{path} line {number} is not a JSON line ({exc}); the campaign record is damaged") from exc
    if not isinstance(line, dict) or "kind" not in line:
        raise JournalError(f"{path} line {number} is not a campaign record line")
    problem = line_problem(line)
    if problem is not None:
        raise JournalError(f"{path} line {number} ({line['kind']!s:.20} line): {problem}; the campaign record is "
                           f"damaged")
    return number, line


def _finished_lines(path: Path, header: dict[str, Any], parsed: list[tuple[int, dict[str, Any]]]
                    ) -> dict[str, dict[str, Any]]:
    """run_id -> finished line, each checked against its line_sha256 (required from JOURNAL_FORMAT_VERSION 2 on)."""
    hashed = header.get("journal_format", 1) >= JOURNAL_FORMAT_VERSION
    finished = {}
    for number, line in parsed:
        if line["kind"] != FINISHED:
            continue
        kept = line.get(LINE_HASH_KEY)
        if (kept is None and hashed) or (kept is not None and kept != finished_line_sha256(line)):
            what = "has no line_sha256" if kept is None else "no longer matches its line_sha256"
            raise JournalError(f"{path} line {number}: the finished line of run {line['index']} ({line['run_id']}) "
                               f"{what}: it was edited after it was written, so its outcome cannot be trusted; the "
                               f"campaign record is damaged (restore the line as written, or run the campaign again)")
        finished[line["run_id"]] = line
    return finished
