"""The outcome of one run, as `itpump run`, `itpump report` and the pytest plugin report it.

RunResult (hil.results.run) is the run's summary.json plus its folder: built from the rendered record, so a
run's JSON and the summary.json of its folder say the same thing with the same names.
"""
from __future__ import annotations

from collections.abc import Mapping

from hil.outputs.summary import build_summary_model
from hil.records.reader import RunRecord
from hil.results.run import RunResult

__all__ = ["RunResult", "run_result"]


def run_result(record: RunRecord, outcome: str, reason: str, run_dir: object, failures: Mapping[str, str],
               missing: Mapping[str, str]) -> RunResult:
    summary = build_summary_model(record, outcome, reason, failures, missing)
    return RunResult(**dict(summary), report_dir=str(run_dir) if run_dir is not None else None)
