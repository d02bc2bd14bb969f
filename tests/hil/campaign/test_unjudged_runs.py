"""A run that did not reach its verdict (its rig did not open, the firmware refused its set-up, it crashed or was
aborted) shows nothing about its safety: it is never among the runs shown safe, summary.json lists it under
runs_not_judged, and a fault injected in it and not detected is of unknown harm. A run that reached its verdict and
ended ERROR only because its pump's stop could not be confirmed (a pulled cable) is judged as before."""
from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from rich.console import Console

from hil.campaign.assess import reached_verdict
from hil.campaign.collect import finished_line
from hil.campaign.journal import Journal
from hil.campaign.report import write_report
from hil.campaign.specs import PlannedRun, identity_of
from hil.campaign.summary import summarize
from hil.campaign.table import print_summary
from hil.records import events as ev
from hil.records.reader import RunRecord, read_record
from hil.rig import Rig, RigError
from hil.runner import RunOptions, run_scenario
from hil.runner import execution as execution_module
from tests.support.scenario_yaml import adult_scenario_yaml

EXPECT = {"envelope_without_alarm": True, "beyond_hard_limits": True, "pump_left_running": True,
          "rate_window_min": 15.0, "scenario_expectations": "all_runs"}
STALL = {"label": "pump.stall", "device": "pump", "fault": "stall", "at_h": 1.0, "params": {}, "requirement_ids": []}
ENVELOPE = ev.Envelope(name="plasma_ceiling", passed=True, value=1.0, limit=5.0, unit="ng_per_ml",
                       requirement_ids=(), reason="")


def _record(*events: ev.RecordEvent) -> RunRecord:
    return RunRecord(Path("record.jsonl"), list(events))


def test_a_verdict_is_reached_by_the_envelopes_or_an_alarm_stop_and_never_by_an_aborted_run() -> None:
    finished_error = ev.RunFinished(outcome="ERROR", reason="rig emulated-ne1000: no reply")
    assert not reached_verdict(_record(finished_error))
    assert reached_verdict(_record(ENVELOPE, ev.RunFinished(outcome="ERROR", reason="pump stop FAILED")))
    stopped = ev.StoppedOnAlarm(t_s=60.0, alarm="motor_stall", priority="high", alarm_t_s=60.0, stop_on_alarm="high",
                                detail="")
    assert reached_verdict(_record(stopped, finished_error))
    interrupt = ev.Interrupt(phase="the verdict", detail="Ctrl-C")
    assert not reached_verdict(_record(ENVELOPE, interrupt, finished_error))
    assert reached_verdict(_record(ENVELOPE, ev.RunFinished(outcome="PASS", reason=""), interrupt))  # while rendering


def _planned(index: int, fault: dict | None) -> PlannedRun:
    spec = {"campaign": "t", "scenario": {"name": "s", "document": {}}, "rig": {"rig_id": "r", "clock": "virtual"},
            "fault_plan": fault["label"] if fault else "none", "fault": fault, "repetition": index, "seed": index,
            "patients": None, "expect": EXPECT}
    return PlannedRun(index, identity_of(spec), spec)


def _result(outcome: str, reason: str, judged: bool, injected: bool) -> dict:
    data = b'{"event":"run_started"}\n'
    fault = {"label": "pump.stall", "injected": injected, "detected": False, "alarm": None,
             "time_to_detection_h": None}
    return {"files": {"record.jsonl": data}, "record_sha256": hashlib.sha256(data).hexdigest(), "worker": "w",
            "error": None, "assessment": {"outcome": outcome, "reason": reason, "record_lost": False, "judged": judged,
                                          "fault": fault, "envelopes": [], "dose": None, "unsafe": [], "alarms": [],
                                          "patients": None}}


@pytest.mark.requirements("SR-HIL-006")
def test_a_run_that_did_not_reach_its_verdict_is_never_shown_safe(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("hil.campaign.collect._record_check", lambda folder, sha256: None)  # the records are stand-ins
    runs = [_planned(0, STALL), _planned(1, STALL), _planned(2, STALL)]
    results = [_result("PASS", "fine", judged=True, injected=True),
               _result("ERROR", "crashed: RuntimeError: boom\ntraceback", judged=False, injected=True),
               _result("ERROR", "pump stop FAILED: disconnected", judged=True, injected=True)]
    journal = Journal.create(tmp_path / "c", {"name": "t"}, runs)
    for run, result in zip(runs, results):
        journal.append(finished_line(tmp_path / "c", run, result))
    summary = summarize(journal)
    assert summary["runs_done"] == 3 and summary["unsafe_outcomes"] == [] and summary["records_lost"] == 0
    assert summary["runs_shown_safe"] == 2
    assert [(r["index"], r["reason"]) for r in summary["runs_not_judged"]] == [(1, "crashed: RuntimeError: boom")]
    harm = {u["index"]: (u["harmless"], u["why"]) for u in summary["faults_undetected"]}
    assert harm[0] == (True, "no high-priority alarm after the injection")
    assert harm[1][0] is None and "did not reach its verdict: crashed" in harm[1][1]
    assert harm[2][0] is True
    assert summary["exit_code"] == 1
    write_report(tmp_path / "c", journal, summary)
    html = (tmp_path / "c" / "report.html").read_text()
    section = html[html.index("did not reach their verdict"):html.index("did not meet their scenario")]
    assert "#1 s / r / pump.stall r1" in section and "crashed: RuntimeError: boom" in section
    console = Console(file=io.StringIO(), width=200)
    print_summary(summary, tmp_path / "c", console)
    text = console.file.getvalue()
    assert "runs shown safe / not judged" in text and "2 / 1" in text and "not judged #1 s/r/pump.stall r1" in text


@pytest.mark.requirements("SR-HIL-006")
def test_a_run_with_an_envelope_not_evaluated_is_not_shown_safe_and_its_fault_harm_is_unknown(
        tmp_path: Path, monkeypatch) -> None:
    """A catheter disconnected and not detected, the withdrawal still under way at the end (NOT_EVALUATED), the run
    PASS on its expectations: it was counted among the runs shown safe and its fault harmless, though the envelope
    that would show the harm judged nothing."""
    monkeypatch.setattr("hil.campaign.collect._record_check", lambda folder, sha256: None)
    runs = [_planned(0, STALL), _planned(1, STALL)]
    judged_all = _result("PASS", "fine", judged=True, injected=True)
    judged_all["assessment"]["envelopes"] = [{"name": "withdrawal", "outcome": "PASS"}]
    partly = _result("PASS", "all 1 expectations met and 4 of 5 envelopes passed", judged=True, injected=True)
    partly["assessment"]["envelopes"] = [{"name": "plasma_ceiling", "outcome": "PASS"},
                                         {"name": "withdrawal", "outcome": "NOT_EVALUATED"}]
    journal = Journal.create(tmp_path / "c", {"name": "t"}, runs)
    for run, result in zip(runs, (judged_all, partly)):
        journal.append(finished_line(tmp_path / "c", run, result))
    summary = summarize(journal)
    assert summary["runs_shown_safe"] == 1 and summary["unsafe_outcomes"] == []
    assert [(r["index"], r["envelopes"]) for r in summary["runs_envelopes_not_evaluated"]] == [(1, ["withdrawal"])]
    harm = {u["index"]: (u["harmless"], u["why"]) for u in summary["faults_undetected"]}
    assert harm[0] == (True, "no high-priority alarm after the injection")
    assert harm[1][0] is None and "envelope withdrawal not evaluated, so its harm is unknown" in harm[1][1]
    write_report(tmp_path / "c", journal, summary)
    assert "1 runs with an envelope not evaluated: not shown safe" in (tmp_path / "c" / "report.html").read_text()
    console = Console(file=io.StringIO(), width=200)
    print_summary(summary, tmp_path / "c", console)
    text = console.file.getvalue()
    assert "1 / 0 / 1" in text and "envelope not evaluated #1 s/r/pump.stall r1: withdrawal" in text


def test_a_line_written_before_judged_existed_is_taken_as_not_judged(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("hil.campaign.collect._record_check", lambda folder, sha256: None)
    run = _planned(0, None)
    journal = Journal.create(tmp_path / "c", {"name": "t"}, [run])
    line = finished_line(tmp_path / "c", run, _result("PASS", "fine", judged=True, injected=False))
    del line["judged"]
    journal.append(line)
    summary = summarize(journal)
    assert summary["runs_shown_safe"] == 0 and len(summary["runs_not_judged"]) == 1


def test_real_runs_judged_or_not_a_good_one_one_whose_rig_does_not_open_one_whose_verdict_crashes(
        tmp_path: Path, monkeypatch) -> None:
    bundled_configs = Path(__file__).resolve().parents[3] / "bench_configs"
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(bundled_configs))
    scenario = tmp_path / "short.yaml"
    scenario.write_text(adult_scenario_yaml("short", 1.0, ["{at_h: 0.0, action: prime}", "{at_h: 1.0, action: wait}"],
                                            expectations="expectations:\n  states:\n    - {at_h: 0.9, state: idle}\n"))
    rig = bundled_configs / "rigs" / "emulated-ne1000.yaml"
    good = run_scenario(scenario, rig, RunOptions(out_dir=tmp_path / "good"))
    assert good.outcome == "PASS", good.reason
    good_record = read_record(tmp_path / "good" / "record.jsonl")
    assert good_record.finished is not None and good_record.finished.verdict_reached is True
    assert reached_verdict(good_record)

    judge = execution_module.judge_envelopes

    def judged_then_crashed(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202 - judge_envelopes' signature
        judge(*args, **kwargs)
        raise RuntimeError("the population check fell over")

    with monkeypatch.context() as patched:
        patched.setattr(execution_module, "judge_envelopes", judged_then_crashed)
        crashed = run_scenario(scenario, rig, RunOptions(out_dir=tmp_path / "crashed"))
    assert crashed.outcome == "ERROR" and "crashed: RuntimeError" in crashed.reason
    record = read_record(tmp_path / "crashed" / "record.jsonl")
    assert record.typed(ev.Envelope)  # the single-patient envelopes were written; the verdict was not finished
    assert record.finished is not None and record.finished.verdict_reached is False
    assert not reached_verdict(record)

    def no_first_reply(self, stack) -> None:  # noqa: ANN001 - Rig._open_pump's signature
        raise RigError("pump: expected 2 bytes within 1 s, got b''")

    monkeypatch.setattr(Rig, "_open_pump", no_first_reply)
    bad = run_scenario(scenario, rig, RunOptions(out_dir=tmp_path / "bad"))
    assert bad.outcome == "ERROR" and "expected 2 bytes" in bad.reason
    assert not reached_verdict(read_record(tmp_path / "bad" / "record.jsonl"))


@pytest.mark.requirements("SR-HIL-006")
@pytest.mark.parametrize("rule", ["all_runs", "fault_free_runs"])
def test_a_fault_run_whose_verdict_judged_nothing_is_never_shown_safe_nor_harmless(tmp_path: Path, monkeypatch,
                                                                                   rule: str) -> None:
    """NOT_EVALUATED (say the scenario's delivery was refused, so the fault met an idle pump): the run showed nothing,
    under either rule for the scenario's expectations, and the campaign does not exit OK."""
    monkeypatch.setattr("hil.campaign.collect._record_check", lambda folder, sha256: None)
    run = PlannedRun(0, identity_of({**_planned(0, STALL).spec, "expect": {**EXPECT, "scenario_expectations": rule}}),
                     {**_planned(0, STALL).spec, "expect": {**EXPECT, "scenario_expectations": rule}})
    journal = Journal.create(tmp_path / "c", {"name": "t"}, [run])
    journal.append(finished_line(tmp_path / "c", run, _result("NOT_EVALUATED", "nothing was judged", judged=True,
                                                              injected=True)))
    summary = summarize(journal)
    assert summary["runs_shown_safe"] == 0
    [undetected] = summary["faults_undetected"]
    assert undetected["harmless"] is None and "judged nothing" in undetected["why"]
    assert [r["outcome"] for r in summary["expectations_not_met"]] == ["NOT_EVALUATED"]
    assert summary["exit_code"] == 1
