"""Nothing an output shows as evidence is better than what was measured: a record with an altered line gives no PASS
anywhere (traceability, junit.xml, summary.json's envelopes and expectations), and a step that decides nothing
(inject_fault, wait) with no expected decision is no evidence of the requirements named at it."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

from firmware_sim.outcome import Outcome
from hil.outputs.junit import write_junit
from hil.outputs.summary import build_summary_model, record_outcome
from hil.outputs.traceability import run_evidence
from hil.records import events as ev
from hil.records.reader import RunRecord, read_record
from tests.hil.outputs.test_outputs_golden import write_record


def _altered(run_dir: Path) -> Path:
    """The golden record with the plasma ceiling's value set to 50 (limit 5), the line not re-chained."""
    path = write_record(run_dir)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if '"name":"plasma_ceiling","passed":true' in line)
    lines[index] = lines[index].replace('"value":2.0', '"value":50.0')
    path.write_text("".join(lines), encoding="utf-8")
    return path


def test_an_altered_record_gives_no_pass_in_any_evidence(tmp_path):
    record = read_record(_altered(tmp_path))
    assert not record.intact
    outcome, reason = record_outcome(record)
    assert outcome == "ERROR"
    evidence = list(run_evidence(record, outcome))
    assert evidence and {item.outcome for _, item in evidence} == {Outcome.ERROR}
    plasma = next(item for rid, item in evidence if rid == "SR-PK-002" and item.kind == "envelope")
    assert "not intact" in plasma.detail and "recorded PASS" in plasma.detail

    write_junit(record, outcome, reason, tmp_path / "junit.xml")
    cases = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    assert all(case.find("error") is not None for case in cases)

    summary = build_summary_model(record, outcome, reason)
    assert {e.outcome for e in summary.envelopes} == {Outcome.ERROR}
    assert {x.outcome for x in summary.expectations} == {Outcome.ERROR}
    assert json.loads(summary.model_dump_json())["envelopes"][0]["value"] == 50.0  # the value shown, not trusted


def test_a_record_cut_at_a_line_end_gives_no_pass_in_any_evidence(tmp_path):
    """Cut after a whole line (no damaged line), the lines kept passed a requirement a lost later line failed: the
    traceability showed it PASS and junit.xml passing cases, under a run shown ERROR."""
    path = write_record(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    finished = next(i for i, line in enumerate(lines) if '"event":"run_finished"' in line)
    path.write_text("".join(lines[:finished]), encoding="utf-8")
    record = read_record(path)
    assert record.intact and record.finished is None
    outcome, reason = record_outcome(record)
    evidence = list(run_evidence(record, outcome))
    assert outcome == "ERROR" and evidence and {item.outcome for _, item in evidence} == {Outcome.ERROR}
    assert all("ends without run_finished" in item.detail for _, item in evidence)
    write_junit(record, outcome, reason, tmp_path / "junit.xml")
    cases = list(ET.parse(tmp_path / "junit.xml").getroot().iter("testcase"))
    assert cases and all(case.find("error") is not None for case in cases)
    summary = build_summary_model(record, outcome, reason)
    assert {e.outcome for e in summary.envelopes} <= {Outcome.ERROR}


def test_the_intact_record_keeps_its_recorded_outcomes(tmp_path):
    record = read_record(write_record(tmp_path))
    assert record.intact
    evidence = list(run_evidence(record, record_outcome(record)[0]))
    assert Outcome.PASS in {item.outcome for _, item in evidence}


def _step_record(expected_decision: str | None) -> RunRecord:
    step = ev.Step(t_s=3600.0, index=0, action="inject_fault", params={"device": "pump", "fault": "stall"},
                   decision="none", reasons=(), requirement_ids=("SR-ALM-004",), expected_decision=expected_decision)
    return RunRecord(Path("record.jsonl"), [step, ev.RunFinished(outcome="PASS", reason="")])


def test_a_step_that_decides_nothing_is_no_evidence_of_the_requirements_named_at_it(tmp_path):
    record = _step_record(None)
    assert [rid for rid, item in run_evidence(record, "PASS") if item.kind == "step"] == []
    write_junit(record, "PASS", "", tmp_path / "junit.xml")
    [case] = ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")
    assert case.find("skipped") is not None  # never a passed case


def test_a_step_whose_decision_was_expected_stays_evidence(tmp_path):
    record = _step_record("none")
    assert [(rid, item.outcome) for rid, item in run_evidence(record, "PASS") if item.kind == "step"] == [
        ("SR-ALM-004", Outcome.PASS)]


def test_a_record_stripped_of_its_chain_says_so_in_the_report(tmp_path):
    """Reads as a record written before lines were chained (so an edit could not be found): the report says it."""
    import re

    from hil.outputs.render import render_all

    path = write_record(tmp_path)
    path.write_text(re.sub(r',"chain":"[0-9a-f]{16}"', "", path.read_text(encoding="utf-8")), encoding="utf-8")
    render_all(tmp_path)
    assert json.loads((tmp_path / "summary.json").read_text())["record_chained"] is False
    assert "Record not chained" in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_a_control_character_in_a_recorded_text_leaves_junit_xml_well_formed(tmp_path):
    """XML 1.0 forbids it: a scenario description with \\x01 made junit.xml unreadable to CI and requirements tools."""
    step = ev.Step(t_s=3600.0, index=0, action="start_continuous", params={}, decision="rejected",
                   reasons=("rate \x01 refused\x1f",), requirement_ids=("SR-DOSE-001",), expected_decision="approved")
    record = RunRecord(Path("record.jsonl"), [step, ev.RunFinished(outcome="PASS", reason="ok \x0b")])
    write_junit(record, "PASS", "ok \x0b", tmp_path / "junit.xml")
    root = ET.parse(tmp_path / "junit.xml").getroot()
    texts = [value for element in root.iter() for value in element.attrib.values()] + [
        element.text or "" for element in root.iter()]
    assert any("rate \\x01 refused\\x1f" in text for text in texts)
    assert any("ok \\x0b" in text for text in texts)
