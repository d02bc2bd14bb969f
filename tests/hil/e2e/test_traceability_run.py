"""`itpump run` end to end: the IDs the gate's decisions cite, the scenario's own IDs and the steps' IDs reach
traceability.json/.csv/.html and junit.xml, and the terminal shows the coverage line."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from firmware_sim.outcome import Outcome
from firmware_sim.requirements import REQUIREMENTS
from hil.cli.main import main
from hil.records import events as ev
from hil.records.reader import read_record
from hil.traceability.files import load_matrix
from hil.traceability.model import coverage_line
from hil.traceability.needs import needs_problems

pytestmark = pytest.mark.timeout(120)


def test_a_hazard_run_traces_scenario_step_and_decision_ids(tmp_path: Path, capsys) -> None:
    run_dir = tmp_path / "run"
    assert main(["run", "hazard-overdose-rejected", "--out", str(run_dir), "--no-progress"]) == 0
    out = capsys.readouterr().out
    matrix = load_matrix(run_dir / "traceability.json")
    assert coverage_line(matrix) in out and f"of {len(REQUIREMENTS)} covered" in out
    assert (run_dir / "traceability.csv").is_file() and (run_dir / "traceability.html").is_file()
    needs = json.loads((run_dir / "needs.json").read_text(encoding="utf-8"))  # sphinx-needs export of the same matrix
    assert needs_problems(needs) == []
    exported = needs["versions"][needs["current_version"]]["needs"]
    assert exported["SR-DOSE-001"]["status"] == "PASS" and any(n["type"] == "haz" for n in exported.values())

    rate_step = next(s for s in read_record(run_dir / "record.jsonl").typed(ev.Step) if s.action == "change_rate")
    cited = list(rate_step.decision_requirement_ids)
    assert "SR-DOSE-001" in cited and len(cited) > 1      # the gate's findings, more than the scenario named
    for requirement_id in cited:
        names = {(e.kind, e.name, e.outcome) for e in matrix.requirement(requirement_id).evidence}
        kind = "step" if requirement_id in rate_step.requirement_ids else "decision"
        assert (kind, f"step {rate_step.index} change_rate", Outcome.PASS) in names
    dose = {e.kind for e in matrix.requirement("SR-DOSE-001").evidence}
    assert dose == {"scenario", "step", "expectation"}
    assert matrix.requirement("SR-PRM-001").outcome == "NOT_COVERED"

    properties = {c.get("name"): p.get("value") for c in ET.parse(run_dir / "junit.xml").iter("testcase")
                  for p in c.iter("property") if p.get("name") == "requirements"}
    assert properties[f"{rate_step.index:03d} change_rate at 26.000 h"].split(",") == \
        list(dict.fromkeys([*rate_step.requirement_ids, *cited]))
    assert properties["run verdict"] == "SR-DOSE-001,SR-BOL-001"
