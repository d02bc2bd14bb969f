"""Render every output of a run folder from its record.jsonl.

A failing output makes the run ERROR (never PASS): the returned outcome and summary.json say so, and junit.xml and
the traceability matrix, written before report.html and summary.json, are written again when an output after them
fails (none of them says PASS for an ERROR run). A damaged
record renders whatever is readable, as ERROR with the damage named. An operator interrupt (Ctrl-C) while
rendering skips the outputs not yet written, names them in summary.json and report.html (which are always
written last) and, through on_interrupt, in the record: the run is then ERROR.

    result = render_all(run_dir)
    result.outcome        # the record's outcome, or ERROR if the record is damaged or incomplete or an output failed
    result.failures       # {output name: error text}
    result.missing        # {output name: why it was not written} (interrupted)
"""
from __future__ import annotations

import contextlib
import os
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from collections.abc import Callable

from hil.outputs.csv_series import write_csv_series
from hil.outputs.html_report import write_html
from hil.outputs.junit import write_junit
from hil.outputs.plots import PlotResult, write_plots
from hil.outputs.summary import build_summary, record_outcome
from hil.outputs.traceability import TRACEABILITY_FILENAME, write_run_matrix
from hil.records import events as ev
from hil.records.reader import RunRecord, read_record
from hil.records.writer import RECORD_FILENAME
from hil.results.base import dump_json
from hil.traceability.files import companion_paths
from hil.traceability.model import TraceabilityMatrix

SUMMARY_FILENAME = "summary.json"
JUNIT_FILENAME = "junit.xml"
HTML_FILENAME = "report.html"
RENDERING_PHASE = "rendering the outputs"
SKIPPED = "not written: the operator interrupted the rendering (Ctrl-C) before it"
CUT = "not written: the operator interrupted the rendering (Ctrl-C) while it was written (any file left is incomplete)"


@dataclass
class RenderResult:
    run_dir: Path
    outcome: str
    reason: str
    record: RunRecord
    """The record the outputs were rendered from (callers reuse it instead of reading the file again)."""
    outputs: list[Path] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    interrupt_recorded: bool = False
    interrupted: bool = False
    """The operator interrupted the rendering (Ctrl-C)."""

    @property
    def report_html(self) -> Path:
        return self.run_dir / HTML_FILENAME


def _attempt(name: str, failures: dict[str, str], action: Callable[[], object]) -> object:
    try:
        return action()
    except Exception as exc:  # an output failure must be recorded, never hidden
        failures[name] = f"{type(exc).__name__}: {exc}"
        failures[name] += "\n" + "".join(traceback.format_exception(exc)[-3:]).strip()
        return None


def render_all(run_dir: Path | str, *, interrupted: Callable[[], bool] = lambda: False,
               on_interrupt: Callable[[str], ev.RecordEvent | None] | None = None,
               shield: Callable[[],
                                contextlib.AbstractContextManager[object]] = contextlib.nullcontext) -> RenderResult:
    """interrupted(): has the operator asked to stop since rendering began; on_interrupt(what): record the
    interrupt, what saying which outputs it left unwritten (returns the event written); shield(): a context in
    which Ctrl-C does not raise (the final writes)."""
    directory = Path(run_dir)
    record = read_record(directory / RECORD_FILENAME)
    outcome, reason = record_outcome(record)
    result = RenderResult(run_dir=directory, outcome=outcome, reason=reason, record=record)
    failures, missing = result.failures, result.missing
    made: dict[str, object] = {}
    verdict_used: dict[str, str] = {}
    """The outcome the verdict-bearing outputs (junit, traceability) were written with."""

    def verdict_for(name: str) -> tuple[str, str]:
        current = _current(result)
        verdict_used[name] = current[0]
        return current

    outputs: list[tuple[str, Callable[[], object]]] = [
        ("csv", lambda: write_csv_series(record, directory)),
        ("plots", lambda: write_plots(record, directory)),
        ("junit", lambda: write_junit(record, *verdict_for("junit"), directory / JUNIT_FILENAME)),
        ("traceability", lambda: write_run_matrix(record, verdict_for("traceability")[0],
                                                  directory / TRACEABILITY_FILENAME)),
    ]
    for name, action in outputs:
        result.interrupted = result.interrupted or interrupted()
        if result.interrupted:
            missing[name] = SKIPPED
            continue
        try:
            made[name] = _attempt(name, failures, action)
        except KeyboardInterrupt:
            missing[name], result.interrupted = CUT, True
    result.interrupted = result.interrupted or interrupted()
    if result.interrupted:
        _note_interrupt(result, on_interrupt, shield,
                        f"not written: {', '.join(missing)}" if missing else "every output was still written")
    plots = made.get("plots")
    matrix = made.get("traceability")
    matrix = matrix if isinstance(matrix, TraceabilityMatrix) else None
    csv_paths = made.get("csv")
    images = plots.written if isinstance(plots, PlotResult) else []
    notes = plots.notes if isinstance(plots, PlotResult) else []
    _write_final(result, matrix, images, notes, interrupted, on_interrupt, shield)
    stale = [name for name, used in verdict_used.items() if used != _current(result)[0] and name not in failures]
    if stale and not result.interrupted:  # an output failed after them: they must not say PASS for an ERROR run
        for name, action in outputs:
            if name in stale:
                made[name] = _attempt(name, failures, action)
        rewritten = made.get("traceability")
        _write_final(result, rewritten if isinstance(rewritten, TraceabilityMatrix) else None, images, notes,
                     interrupted, on_interrupt, shield)
    _remove_stale(directory, failures)
    result.outcome, result.reason = _current(result)
    result.outputs = [p for p in [*(csv_paths if isinstance(csv_paths, list) else []), *images,
                                  *companion_paths(directory / TRACEABILITY_FILENAME),
                                  directory / JUNIT_FILENAME, directory / HTML_FILENAME,
                                  directory / SUMMARY_FILENAME] if p.exists() and p.name not in _missing_files(result)]
    return result


def _note_interrupt(result: RenderResult, on_interrupt: Callable[[str], ev.RecordEvent | None] | None,
                    shield: Callable[[], contextlib.AbstractContextManager[object]], what: str) -> None:
    """Record the interrupt (once): the record's outcome becomes ERROR, naming it."""
    if on_interrupt is None or result.interrupt_recorded:
        return
    result.interrupt_recorded = True
    with shield():
        event = on_interrupt(what)
    if event is not None:
        result.record.add(event)
        result.outcome, result.reason = record_outcome(result.record)


def _write_final(result: RenderResult, matrix: TraceabilityMatrix | None, images: list[Path], notes: list[str],
                 interrupted: Callable[[], bool], on_interrupt: Callable[[str], ev.RecordEvent | None] | None,
                 shield: Callable[[], contextlib.AbstractContextManager[object]]) -> None:
    """report.html and summary.json, which name every output not written; written again if interrupted."""
    record, directory = result.record, result.run_dir
    cut: list[str] = []
    rig = next(iter(record.typed(ev.RigOpened)), None)
    for _ in range(2):
        cut = []
        with shield():
            for name, action in (("html", lambda: write_html(_summary(record, result), matrix, images, notes,
                                                             result.failures, directory / HTML_FILENAME, rig=rig)),
                                 ("summary", lambda: _write_summary(record, result))):
                try:
                    _attempt(name, result.failures, action)
                except KeyboardInterrupt:
                    cut.append(name)
        result.interrupted = result.interrupted or bool(cut) or interrupted()
        if not cut and (result.interrupt_recorded or not result.interrupted or on_interrupt is None):
            return
        _note_interrupt(result, on_interrupt, shield, "report.html and summary.json written again")
    for name in cut:
        result.missing[name] = CUT


_FILES = {"html": HTML_FILENAME, "summary": SUMMARY_FILENAME, "junit": JUNIT_FILENAME,
          "traceability": TRACEABILITY_FILENAME}


def _output_files(directory: Path, name: str) -> tuple[Path, ...]:
    """The files an output writes (the traceability: its .json, .csv, .html and needs.json)."""
    if name == "traceability":
        return companion_paths(directory / TRACEABILITY_FILENAME)
    return (directory / _FILES[name],) if name in _FILES else ()


def _remove_stale(directory: Path, failures: dict[str, str]) -> None:
    """The files of a verdict-bearing output that failed this time: an earlier rendering's (a PASS, say) must not
    stand for this one (itpump report of a damaged record left junit.xml and the traceability saying PASS). The
    failure is named in report.html and summary.json, and the record renders them again."""
    for name in failures:
        for path in _output_files(directory, name):
            path.unlink(missing_ok=True)


def _missing_files(result: RenderResult) -> set[str]:
    return {path.name for name in result.missing for path in _output_files(Path(), name)}


def _current(result: RenderResult) -> tuple[str, str]:
    outcome, reason = result.outcome, result.reason
    if result.interrupted and not result.interrupt_recorded:  # no record to say so (itpump report)
        missing = f"; not written: {', '.join(result.missing)}" if result.missing else ""
        outcome, reason = "ERROR", (f"interrupted by the operator (Ctrl-C) while {RENDERING_PHASE}{missing} "
                                    f"(verdict before: {outcome}: {reason})")
    if not result.failures:
        return outcome, reason
    names = ", ".join(sorted(result.failures))
    return "ERROR", f"output failed: {names} (run verdict before rendering: {outcome}: {reason})"


def _summary(record: RunRecord, result: RenderResult) -> dict[str, Any]:
    return build_summary(record, *_current(result), output_failures=result.failures, outputs_missing=result.missing)


def _write_summary(record: RunRecord, result: RenderResult) -> None:
    """Written whole or not at all (a temporary file renamed over the old one)."""
    path = result.run_dir / SUMMARY_FILENAME
    partial = path.with_suffix(".json.partial")
    partial.write_text(dump_json(_summary(record, result), indent=2), encoding="utf-8")
    os.replace(partial, path)
