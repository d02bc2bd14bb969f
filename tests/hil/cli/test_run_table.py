"""`itpump run`'s verdict tables never cut a name short: at a narrow width, to a file, names wrap whole."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from hil.cli.main import main
from hil.cli.run_table import print_verdict
from hil.cli.tables import make_console
from hil.results import RunResult

LONG_EXPECTATION = "alarm reservoir_low_with_a_deliberately_long_name occurs in 24-25 h after the refill"


def result() -> RunResult:
    envelope = dict(value=215.1, limit=100.0, unit="ratio", requirement_ids=("SR-PK-001", "SR-PK-005"), reason="r")
    return RunResult.model_validate({
        "outcome": "PASS", "reason": "all passed", "provenance": {"time_compression_factor": 1.0},
        "drug_limits": None, "record_truncated": False, "record_damage": [], "record_chained": True,
        "envelopes": [{"name": "plasma_reduction_vs_oral", "outcome": "PASS", **envelope},
                      {"name": "cisternal_csf_ceiling", "outcome": "NOT_EVALUATED", **envelope, "value": None}],
        "expectations": [{"name": LONG_EXPECTATION, "outcome": "FAIL", "detail": "raised at 24.250 h",
                          "requirement_ids": []}],
        "alarms": [], "steps": [], "delivered": {"commanded_ul": 1.0}, "interrupts": [],
        "pk_peaks": {"plasma_ng_per_ml": {"delivered_ng_per_ml": 1.0, "programmed_ng_per_ml": 0.0,
                                          "difference_percent": None}},
        "report_dir": None})


def column(printed: str, index: int) -> str:
    """The text of one column of every table, row after row, folded pieces joined (spaces dropped)."""
    rows = [line.split("│")[1:-1] for line in printed.splitlines() if line.startswith("│")]
    return "".join(row[index] for row in rows if len(row) > index).replace(" ", "")


def first_column(printed: str) -> str:
    return column(printed, 0)


@pytest.mark.parametrize("columns", [50, 60, 80, 120])
def test_names_wrap_whole_at_a_narrow_width_in_a_file(monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    out = io.StringIO()
    print_verdict(result(), Path("s.yaml"), Path("r.yaml"), make_console(out))
    printed = out.getvalue()
    assert "\u2026" not in printed
    assert max(len(line) for line in printed.splitlines() if line[:1] in "┏┃┡│└") <= columns  # nothing cropped
    assert ("plasma_reduction_vs_oral" in printed) == (columns >= 80)  # on one line where the width allows
    assert "plasma_reduction_vs_oral" in first_column(printed)
    assert LONG_EXPECTATION.replace(" ", "") in first_column(printed)
    assert "FAIL" in column(printed, 1)  # the expectation's outcome
    assert "PASSNOT_EVALUATED" in column(printed, 2) and column(printed, 3).count("SR-PK-001SR-PK-005") == 2
    assert "no percentage: the programmed peak is 0" in printed


def test_itpump_run_redirected_at_a_narrow_width_cuts_no_name(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("COLUMNS", "60")
    assert main(["run", "hazard-occlusion", "--out", str(tmp_path / "run")]) == 0
    printed = capsys.readouterr().out
    assert "\u2026" not in printed
    for name in ("plasma_reduction_vs_oral", "plasma_ceiling", "cisternal_csf_ceiling", "lumbar_csf_ceiling",
                 "alarmmotor_stalloccursin24-25h", "step1start_continuous:approved"):
        assert name in first_column(printed)
    assert max(len(line) for line in printed.splitlines() if line[:1] in "┏┃┡│└") <= 60
