"""All outputs render from a synthetic record alone; a failing output makes the run ERROR."""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import numpy as np
import pytest

import hil.outputs.render as render_module
from hil.cli.main import main
from hil.outputs.render import render_all
from hil.records import events as ev
from hil.records.integrity import chained_line, split_chained_line
from hil.records.writer import RecordWriter
from hil.traceability.files import load_matrix

RATE_UL_PER_H = 10.4


def write_record(run_dir, outcome="PASS", finished=True, with_balance=True, step_decision="rejected",
                 sample_interval_s=30.0, time_compression_factor=1.0, evaporation_mg_per_wall_h=0.0,
                 scenario_requirement_ids=()):
    with RecordWriter(run_dir / "record.jsonl", fsync=False) as record:
        record.write(ev.RunStarted(run_id="run-1", scenario_name="adult-maintenance-flex", rig_id="emulated-ne1000",
                                   config_sha256={"scenario.yaml": "aa", "rig.yaml": "bb"}, git_revision="deadbeef",
                                   seeds={"scenario": 1}, tool_version="0.1.0",
                                   time_compression_factor=time_compression_factor,
                                   clock="virtual", started_utc="2025-01-01T00:00:00Z", balance_density_g_per_ml=0.998,
                                   balance_sample_interval_s=sample_interval_s,
                                   balance_evaporation_rate_mg_per_h=evaporation_mg_per_wall_h,
                                   scenario_requirement_ids=tuple(scenario_requirement_ids)))
        record.write(ev.Step(t_s=0.0, index=0, action="prime", params={}, decision="approved", reasons=[],
                             requirement_ids=["SR-PRM-001"], expected_decision=None))
        record.write(ev.Step(t_s=3600.0, index=1, action="change_rate", params={"rate_mcg_per_day": 5000},
                             decision=step_decision, reasons=["5000 mcg/day above hard maximum [SR-DOSE-002]"],
                             requirement_ids=["SR-DOSE-002"], expected_decision="rejected"))
        volume_ul = 0.0
        for i in range(int(7200 / sample_interval_s) + 1):
            t_s = sample_interval_s * i
            record.write(ev.VolumeSample(t_s=t_s, commanded_ul=volume_ul, pump_reported_ul=volume_ul,
                                         gravimetric_ul=volume_ul * 1.01 if with_balance else None,
                                         rate_ul_per_h=RATE_UL_PER_H))
            if with_balance:
                evaporated_g = evaporation_mg_per_wall_h * 1e-3 * t_s / time_compression_factor / 3600.0
                record.write(ev.BalanceSample(t_s=t_s, mass_g=10.0 + volume_ul * 1.01 * 0.998e-3 - evaporated_g,
                                              stable=True))
            volume_ul += RATE_UL_PER_H * sample_interval_s / 3600.0
        record.write(ev.Alarm(t_s=5400.0, name="low_reservoir", priority="low"))
        t_h = np.linspace(0, 2, 25)
        for label, scale in (("delivered", 1.0), ("programmed", 1.02)):
            record.write(ev.PkSeries(label=label, t_h=t_h, lumbar_csf_ng_per_ml=scale * 600 * (1 - np.exp(-t_h)),
                                     cisternal_csf_ng_per_ml=scale * 150 * (1 - np.exp(-t_h)),
                                     plasma_ng_per_ml=scale * 1.0 * (1 - np.exp(-t_h))))
        record.write(ev.Envelope(name="plasma_ceiling", passed=True, value=0.9, limit=5.0, unit="ng_per_ml",
                                 requirement_ids=["SR-PK-002"], reason="peak plasma below ceiling"))
        record.write(ev.Expectation(name="alarm occlusion does not occur", passed=outcome == "PASS", detail="none seen",
                                    requirement_ids=["SR-ALM-002"]))
        if finished:
            record.write(ev.RunFinished(outcome=outcome,
                                        reason="all expectations met" if outcome == "PASS" else "failed"))


def test_all_outputs_render_from_the_record(tmp_path):
    write_record(tmp_path)
    result = render_all(tmp_path)
    assert result.failures == {}
    assert result.outcome == "PASS"
    names = {p.name for p in result.outputs}
    assert {"summary.json", "junit.xml", "report.html", "traceability.json", "traceability.csv",
            "traceability.html", "volumes.csv", "balance.csv",
            "pk_delivered.csv", "pk_programmed.csv", "volumes.png", "pk.png", "alarms.png", "trumpet.png",
            "startup.png"} <= names

    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["outcome"] == "PASS"
    assert summary["alarms"] == [{"t_h": 1.5, "name": "low_reservoir", "priority": "low"}]
    assert summary["delivered"]["commanded_ul"] == pytest.approx(RATE_UL_PER_H * 2)
    assert summary["provenance"]["git_revision"] == "deadbeef"

    header = (tmp_path / "volumes.csv").read_text().splitlines()[0]
    assert header == "t_s,t_h,commanded_ul,pump_reported_ul,gravimetric_ul,rate_ul_per_h"

    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["rig_id"] == "emulated-ne1000" and props["git_revision"] == "deadbeef"
    cases = suite.findall("testcase")
    assert suite.get("tests") == str(len(cases)) == "4" and suite.get("failures") == "0"
    case_ids = {p.get("value") for c in cases for p in c.iter("property")}
    assert {"SR-PRM-001", "SR-DOSE-002", "SR-PK-002", "SR-ALM-002"} == case_ids

    matrix = load_matrix(tmp_path / "traceability.json")
    assert matrix.requirement("SR-DOSE-002").outcome == "PASS"
    assert matrix.requirement("SR-DOSE-002").evidence[0].kind == "step"

    page = (tmp_path / "report.html").read_text()
    assert page.count("data:image/png;base64,") == 6  # volumes, residuals, pk, alarms, trumpet, start-up
    assert "SR-DOSE-002" in page and "deadbeef" in page and "low_reservoir" in page
    assert "src=\"volumes.png\"" not in page  # self-contained


def test_needs_json_is_dated_by_the_run_and_a_re_render_writes_the_same_file(tmp_path):
    """needs.json's `created` was the time of rendering: every `itpump report` of the same record differed."""
    write_record(tmp_path)
    render_all(tmp_path)
    first = (tmp_path / "needs.json").read_text()
    render_all(tmp_path)
    assert (tmp_path / "needs.json").read_text() == first
    assert json.loads(first)["created"] == "2025-01-01T00:00:00Z"


def test_trumpet_from_the_record_sees_the_one_percent_over_delivery(tmp_path):
    write_record(tmp_path)
    from hil.outputs.plots import run_trumpet
    from hil.records.reader import read_record
    result = run_trumpet(read_record(tmp_path / "record.jsonl"))
    assert result.rate_ul_per_h == RATE_UL_PER_H
    assert result.mean_error_percent == pytest.approx(1.0, abs=1e-6)


def test_trumpet_uses_the_rigs_balance_sample_interval(tmp_path):
    write_record(tmp_path, sample_interval_s=15.0)
    from hil.outputs.plots import run_trumpet
    from hil.records.reader import read_record
    result = run_trumpet(read_record(tmp_path / "record.jsonl"))
    assert result.mean_error_percent == pytest.approx(1.0, abs=1e-6)


def test_trumpet_corrects_evaporation_in_wall_time_on_a_time_compressed_run(tmp_path):
    # 10x compression: a scenario hour is 6 wall minutes, so the balance lost a tenth of the hourly rate
    write_record(tmp_path, time_compression_factor=10.0, evaporation_mg_per_wall_h=5.0)
    from hil.outputs.plots import run_trumpet
    from hil.records.reader import read_record
    result = run_trumpet(read_record(tmp_path / "record.jsonl"))
    assert result.mean_error_percent == pytest.approx(1.0, abs=1e-6)


def test_step_with_the_wrong_decision_fails_its_testcase_and_requirement(tmp_path):
    write_record(tmp_path, outcome="FAIL", step_decision="approved")
    result = render_all(tmp_path)
    assert result.outcome == "FAIL"
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite.get("failures") == "2"
    assert load_matrix(tmp_path / "traceability.json").requirement("SR-DOSE-002").outcome == "FAIL"


@pytest.mark.requirements("SR-HIL-003")
def test_record_without_run_finished_is_error(tmp_path):
    write_record(tmp_path, finished=False, with_balance=False)
    result = render_all(tmp_path)
    assert result.outcome == "ERROR"
    assert "interrupted" in result.reason
    assert json.loads((tmp_path / "summary.json").read_text())["outcome"] == "ERROR"
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    assert suite.get("errors") == suite.get("tests") != "0"  # cut short: none of its cases is evidence
    assert not (tmp_path / "trumpet.png").exists()


def test_an_envelope_line_with_an_unknown_outcome_makes_the_run_error_and_every_output_is_written(tmp_path):
    write_record(tmp_path, with_balance=False)
    path = tmp_path / "record.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    split = split_chained_line(lines[-2])  # the line before run_finished
    assert split is not None
    fields = {"event": "envelope", "name": "lumbar_csf_ceiling", "passed": True, "value": 1.0, "limit": 2.0,
              "unit": "ng_per_ml", "requirement_ids": ["SR-PK-003"], "reason": "r", "outcome": "MAYBE"}
    envelope, _ = chained_line(json.dumps(fields, separators=(",", ":")), split[1])
    path.write_text("\n".join([*lines[:-1], envelope, lines[-1]]) + "\n", encoding="utf-8")
    result = render_all(tmp_path)
    assert result.outcome == "ERROR" and result.failures == {}
    assert f"line {len(lines)}: envelope outcome 'MAYBE' is not one of PASS, FAIL, NOT_EVALUATED" in result.reason
    assert json.loads((tmp_path / "summary.json").read_text())["outcome"] == "ERROR"


@pytest.mark.requirements("SR-HIL-004")
def test_a_failing_output_marks_a_passing_run_error(tmp_path, monkeypatch):
    write_record(tmp_path)

    def broken_plots(record, run_dir):
        raise RuntimeError("disk full")

    monkeypatch.setattr(render_module, "write_plots", broken_plots)
    result = render_all(tmp_path)
    assert result.outcome == "ERROR"
    assert "plots" in result.failures and "disk full" in result.failures["plots"]
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["outcome"] == "ERROR" and "plots" in summary["output_failures"]
    assert "ERROR" in (tmp_path / "report.html").read_text()



@pytest.mark.requirements("SR-HIL-004")
def test_an_output_failing_after_junit_and_the_matrix_were_written_makes_them_error_too(tmp_path, monkeypatch):
    write_record(tmp_path, scenario_requirement_ids=("SR-SUP-001",))

    def broken_html(*args, **kwargs):
        raise OSError("report.html is a directory")

    monkeypatch.setattr(render_module, "write_html", broken_html)
    result = render_all(tmp_path)
    assert result.outcome == "ERROR" and set(result.failures) == {"html"}
    suite = ET.parse(tmp_path / "junit.xml").getroot().find("testsuite")
    props = {p.get("name"): p.get("value") for p in suite.find("properties")}
    assert props["outcome"] == "ERROR" and "output failed: html" in props["outcome_reason"]
    verdict = [c for c in suite.findall("testcase") if c.get("name") == "run verdict"]
    assert len(verdict) == 1 and verdict[0].find("error") is not None and suite.get("errors") == "1"
    assert load_matrix(tmp_path / "traceability.json").requirement("SR-SUP-001").outcome == "ERROR"  # the run's
    assert json.loads((tmp_path / "summary.json").read_text())["outcome"] == "ERROR"

@pytest.mark.requirements("SR-HIL-004")
def test_a_verdict_output_failing_on_a_re_render_leaves_no_earlier_pass_behind(tmp_path, monkeypatch):
    """A damaged line crashed the traceability and junit writers on `itpump report`: the files of the earlier PASS
    rendering stayed, and the folder said PASS in them."""
    write_record(tmp_path, scenario_requirement_ids=("SR-SUP-001",))
    assert render_all(tmp_path).outcome == "PASS"
    assert (tmp_path / "junit.xml").is_file() and (tmp_path / "traceability.csv").is_file()

    def broken(*args, **kwargs):
        raise KeyError("outcome")

    monkeypatch.setattr(render_module, "write_junit", broken)
    monkeypatch.setattr(render_module, "write_run_matrix", broken)
    result = render_all(tmp_path)
    assert result.outcome == "ERROR" and set(result.failures) == {"junit", "traceability"}
    for name in ("junit.xml", "traceability.json", "traceability.csv", "traceability.html", "needs.json"):
        assert not (tmp_path / name).exists(), name
    assert json.loads((tmp_path / "summary.json").read_text())["outcome"] == "ERROR"

# itpump report RUN_DIR re-renders from record.jsonl and prints where report.html is.


def test_report_rerenders_and_exit_code_follows_outcome(tmp_path, capsys):
    write_record(tmp_path, with_balance=False)
    assert main(["report", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"report: {tmp_path / 'report.html'}" in out
    assert (tmp_path / "report.html").is_file()


def test_failed_run_exits_1(tmp_path, capsys):
    write_record(tmp_path, outcome="FAIL", with_balance=False)
    assert main(["report", str(tmp_path)]) == 1


def test_folder_without_record_exits_2(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    assert "record.jsonl not found" in capsys.readouterr().err
