"""A run's traceability: scenario-level and step-level IDs and the IDs a gate decision cites reach
traceability.json/.csv/.html, junit.xml (property `requirements`) and the report's traceability section."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from firmware_sim.outcome import Outcome
from firmware_sim.requirements import REQUIREMENTS
from hil.outputs.render import render_all
from hil.records import events as ev
from hil.records.writer import RecordWriter
from hil.traceability.files import load_matrix


def write_record(run_dir, outcome="PASS", bolus_decision="rejected"):
    with RecordWriter(run_dir / "record.jsonl", fsync=False) as record:
        record.write(ev.RunStarted(run_id="run-7", scenario_name="hazard-overdose-rejected", rig_id="emulated-ne1000",
                                   config_sha256={}, git_revision="abc", seeds={"scenario": 1}, tool_version="0.1.0",
                                   time_compression_factor=1.0, clock="virtual", started_utc="2025-01-01T00:00:00Z",
                                   scenario_requirement_ids=["SR-DOSE-001", "SR-BOL-001"]))
        record.write(ev.Step(t_s=0.0, index=0, action="prime", params={}, decision="approved", reasons=[],
                             requirement_ids=[]))
        # the scenario names SR-DOSE-001; the gate's findings cite SR-DOSE-003 and SR-DOSE-006 as well
        record.write(ev.Step(t_s=3600.0, index=1, action="change_rate", params={"rate_mcg_per_day": 5000},
                             decision="rejected",
                             reasons=["above hard maximum [SR-DOSE-001]", "24 h window [SR-DOSE-003]",
                                      "rate [SR-DOSE-006]"],
                             requirement_ids=["SR-DOSE-001"], expected_decision="rejected",
                             decision_requirement_ids=["SR-DOSE-001", "SR-DOSE-003", "SR-DOSE-006"]))
        record.write(ev.Step(t_s=7200.0, index=2, action="clinician_bolus", params={"dose_mcg": 1000},
                             decision=bolus_decision,
                             reasons=["above maximum bolus [SR-BOL-001]"] if bolus_decision == "rejected" else [],
                             requirement_ids=["SR-BOL-001"], expected_decision="rejected",
                             decision_requirement_ids=["SR-BOL-001"] if bolus_decision == "rejected" else []))
        # no expected decision, and the gate said no: nothing showed whether that was right
        record.write(ev.Step(t_s=7300.0, index=3, action="stop", params={}, decision="rejected",
                             reasons=["not allowed in idle [SR-SUP-003]"], requirement_ids=["SR-RES-006"],
                             decision_requirement_ids=["SR-SUP-003"]))
        record.write(ev.Envelope(name="plasma_ceiling", passed=True, value=0.9, limit=5.0, unit="ng_per_ml",
                                 requirement_ids=["SR-PK-002"], reason="below", outcome="PASS"))
        record.write(ev.Envelope(name="cisternal_csf_ceiling", passed=False, value=None, limit=750.0, unit="ng_per_ml",
                                 requirement_ids=["SR-PK-002", "SR-PK-004"], reason="not evaluated",
                                 outcome="NOT_EVALUATED"))
        record.write(ev.Expectation(name="state continuous at 40 h", passed=True, detail="ok",
                                    requirement_ids=["SR-ALM-002"]))
        record.write(ev.RunFinished(outcome=outcome, reason="as expected" if outcome == "PASS" else "bolus approved"))


def junit_requirements(path):
    suite = ET.parse(path).getroot().find("testsuite")
    return {c.get("name"): ([p.get("value") for p in c.iter("property") if p.get("name") == "requirements"],
                            [child.tag for child in c if child.tag != "properties"]) for c in suite.findall("testcase")}


def test_scenario_step_and_decision_ids_reach_every_output(tmp_path):
    write_record(tmp_path)
    result = render_all(tmp_path)
    assert result.failures == {} and result.outcome == "PASS"
    matrix = load_matrix(tmp_path / "traceability.json")
    assert [r.requirement_id for r in matrix.requirements] == list(REQUIREMENTS)

    dose = matrix.requirement("SR-DOSE-001")
    assert dose.outcome == Outcome.PASS
    assert {(e.kind, e.name) for e in dose.evidence} == {("scenario", "scenario hazard-overdose-rejected"),
                                                         ("step", "step 1 change_rate")}
    window = matrix.requirement("SR-DOSE-003")     # cited only by the gate's decision
    assert [(e.kind, e.name, e.outcome) for e in window.evidence] == [("decision", "step 1 change_rate", Outcome.PASS)]
    assert "24 h window" in window.evidence[0].detail
    assert matrix.requirement("SR-DOSE-006").outcome == Outcome.PASS
    # a rejection nobody expected shows nothing: NOT_EVALUATED, never PASS
    assert matrix.requirement("SR-RES-006").outcome == Outcome.NOT_EVALUATED
    assert matrix.requirement("SR-SUP-003").evidence[0].kind == "decision"
    assert matrix.requirement("SR-PK-002").outcome == Outcome.NOT_EVALUATED   # PASS + NOT_EVALUATED
    assert matrix.requirement("SR-PRM-001").outcome == "NOT_COVERED"
    assert matrix.coverage.covered == 9

    cases = junit_requirements(tmp_path / "junit.xml")
    assert cases["001 change_rate at 1.000 h"] == (["SR-DOSE-001,SR-DOSE-003,SR-DOSE-006"], [])
    assert cases["003 stop at 2.028 h"] == (["SR-RES-006,SR-SUP-003"], ["skipped"])
    assert cases["run verdict"] == (["SR-DOSE-001,SR-BOL-001"], [])
    assert cases["cisternal_csf_ceiling"] == (["SR-PK-002,SR-PK-004"], ["skipped"])
    assert cases["000 prime at 0.000 h"] == ([], [])
    assert not any(p.get("name") == "requirement_id" for p in ET.parse(tmp_path / "junit.xml").iter("property"))

    page = (tmp_path / "report.html").read_text()
    section = page[page.index("<h2>Traceability</h2>"):]
    assert "requirements: 9 of" in section and "decision step 1 change_rate: PASS" in section
    assert "NOT COVERED by this run: SR-PK-001" in section
    assert {"traceability.csv", "traceability.html"} <= {p.name for p in result.outputs}


def test_a_failing_run_fails_its_scenario_requirements(tmp_path):
    write_record(tmp_path, outcome="FAIL", bolus_decision="approved")
    render_all(tmp_path)
    matrix = load_matrix(tmp_path / "traceability.json")
    assert matrix.requirement("SR-BOL-001").outcome == Outcome.FAIL
    # the scenario's own IDs take the run's verdict: SR-DOSE-001's step passed, the run did not
    assert matrix.requirement("SR-DOSE-001").outcome == Outcome.FAIL
    assert matrix.requirement("SR-DOSE-003").outcome == Outcome.PASS
    cases = junit_requirements(tmp_path / "junit.xml")
    assert cases["run verdict"] == (["SR-DOSE-001,SR-BOL-001"], ["failure"])
    assert cases["002 clinician_bolus at 2.000 h"] == (["SR-BOL-001"], ["failure"])


@pytest.mark.requirements("SR-HIL-004")
def test_an_output_failing_before_the_matrix_makes_the_scenario_requirements_error(tmp_path, monkeypatch):
    import hil.outputs.render as render_module

    def broken(record, run_dir):
        raise RuntimeError("disk full")

    monkeypatch.setattr(render_module, "write_plots", broken)
    write_record(tmp_path)
    assert render_all(tmp_path).outcome == "ERROR"
    matrix = load_matrix(tmp_path / "traceability.json")
    assert matrix.requirement("SR-BOL-001").outcome == Outcome.ERROR


@pytest.mark.requirements("SR-HIL-004")
def test_a_failing_matrix_makes_the_run_error_and_the_report_says_so(tmp_path, monkeypatch):
    import hil.outputs.render as render_module

    def broken(record, outcome, json_path):
        raise RuntimeError("registry unreadable")

    monkeypatch.setattr(render_module, "write_run_matrix", broken)
    write_record(tmp_path)
    result = render_all(tmp_path)
    assert result.outcome == "ERROR" and "traceability" in result.failures
    page = (tmp_path / "report.html").read_text()
    assert "The traceability matrix could not be built" in page and "registry unreadable" in page


@pytest.mark.parametrize("kind, fields", [
    ("run_started", {"scenario_requirement_ids": "SR-DOSE-001"}),
    ("step", {"decision_requirement_ids": "SR-DOSE-001"}),
])
def test_requirement_id_lists_the_matrix_reads_are_type_checked(tmp_path, kind, fields):
    # a bare string would be read as a list of one-letter IDs: refused on write (and on read, as damage)
    from hil.records.events import RecordFormatError

    with RecordWriter(tmp_path / "record.jsonl", fsync=False) as record:
        with pytest.raises(RecordFormatError, match=f"{kind} field {next(iter(fields))} is .*not a list of strings"):
            if kind == "run_started":
                record.write(ev.RunStarted(run_id="r", scenario_name="s", rig_id="x", config_sha256={},
                                           git_revision="g",
                                           seeds={}, tool_version="0", time_compression_factor=1.0, clock="virtual",
                                           started_utc="2025-01-01T00:00:00Z", **fields))
            else:
                record.write(ev.Step(t_s=0.0, index=0, action="stop", params={}, decision="approved", reasons=[],
                                     requirement_ids=[], **fields))
