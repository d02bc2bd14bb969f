"""Render every output of a run folder from its record.jsonl.

A failing output makes the run ERROR (never PASS): the returned outcome and summary.json say so.

    result = render_all(run_dir)
    result.outcome        # the record's outcome, or ERROR if the record is incomplete or an output failed
    result.failures       # {output name: error text}
"""
from __future__ import annotations

import json
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from hil.outputs.csv_series import write_csv_series
from hil.outputs.html_report import write_html
from hil.outputs.junit import write_junit
from hil.outputs.plots import PlotResult, write_plots
from hil.outputs.summary import build_summary, record_outcome
from hil.outputs.traceability import build_matrix
from hil.records.reader import RunRecord, read_record
from hil.records.writer import RECORD_FILENAME

SUMMARY_FILENAME = "summary.json"
JUNIT_FILENAME = "junit.xml"
HTML_FILENAME = "report.html"
TRACEABILITY_FILENAME = "traceability.json"


@dataclass
class RenderResult:
    run_dir: Path
    outcome: str
    reason: str
    record: RunRecord
    """The record the outputs were rendered from (callers reuse it instead of reading the file again)."""
    outputs: list[Path] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)

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


def render_all(run_dir: Path | str) -> RenderResult:
    directory = Path(run_dir)
    record = read_record(directory / RECORD_FILENAME)
    outcome, reason = record_outcome(record)
    result = RenderResult(run_dir=directory, outcome=outcome, reason=reason, record=record)
    failures = result.failures

    csv_paths = _attempt("csv", failures, lambda: write_csv_series(record, directory))
    plots = _attempt("plots", failures, lambda: write_plots(record, directory))
    matrix = _attempt("traceability", failures, lambda: _write_matrix(record, directory)) or {}
    _attempt("junit", failures, lambda: write_junit(record, *_current(result), directory / JUNIT_FILENAME))
    images = plots.written if isinstance(plots, PlotResult) else []
    notes = plots.notes if isinstance(plots, PlotResult) else []
    _attempt("html", failures, lambda: write_html(build_summary(record, *_current(result)), matrix, images, notes,
                                                   failures, directory / HTML_FILENAME))
    _attempt("summary", failures, lambda: _write_summary(record, result))
    result.outcome, result.reason = _current(result)
    result.outputs = [p for p in [*(csv_paths or []), *images, directory / TRACEABILITY_FILENAME,
                                  directory / JUNIT_FILENAME, directory / HTML_FILENAME,
                                  directory / SUMMARY_FILENAME] if p.exists()]
    return result


def _current(result: RenderResult) -> tuple[str, str]:
    if not result.failures:
        return result.outcome, result.reason
    names = ", ".join(sorted(result.failures))
    return "ERROR", f"output failed: {names} (run verdict before rendering: {result.outcome}: {result.reason})"


def _write_matrix(record: RunRecord, directory: Path) -> dict:
    matrix = build_matrix(record)
    (directory / TRACEABILITY_FILENAME).write_text(json.dumps(matrix, indent=2), encoding="utf-8")
    return matrix


def _write_summary(record: RunRecord, result: RenderResult) -> None:
    summary = build_summary(record, *_current(result))
    summary["output_failures"] = dict(result.failures)
    (result.run_dir / SUMMARY_FILENAME).write_text(json.dumps(summary, indent=2), encoding="utf-8")
