"""A campaign's virtual patients are never made better than measured: the patients of a run that did not reach its
verdict count as not passing (their delivery past where the record ends is not known), and a run whose patients
fall below the campaign's min_fraction_passing is a finding (exit 1), as the same patients are in `itpump run`."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from hil.campaign.collect import finished_line
from hil.campaign.journal import Journal
from hil.campaign.population_summary import envelope_patients, population_not_met
from hil.campaign.specs import PlannedRun, identity_of
from hil.campaign.summary import summarize
from hil.campaign.table import print_summary

pytestmark = pytest.mark.requirements("SR-HIL-006")
EXPECT = {"envelope_without_alarm": True, "beyond_hard_limits": True, "pump_left_running": True,
          "rate_window_min": 15.0, "scenario_expectations": "all_runs"}


def planned(index: int) -> PlannedRun:
    spec = {"campaign": "t", "scenario": {"name": "s", "document": {}}, "rig": {"rig_id": "r", "clock": "virtual"},
            "fault_plan": "none", "fault": None, "repetition": index, "seed": index,
            "patients": {"count": 100, "seed": 1, "min_fraction_passing": 0.95}, "expect": EXPECT}
    return PlannedRun(index, identity_of(spec), spec)


def patients(n_passing: int, outcome: str) -> dict:
    return {"n_patients": 100, "seed": 1, "profile_source": "gravimetric", "envelopes": {"plasma_ceiling": {
        "n_patients": 100, "n_passing": n_passing, "n_not_evaluated": 0, "outcome": outcome, "p5": 1.0, "p50": 2.0,
        "p95": 3.0, "unit": "ng_per_ml", "limit": 5.0, "quantiles": [float(q) for q in range(101)]}}}


def test_the_patients_of_a_run_that_did_not_reach_its_verdict_count_as_not_passing():
    runs = [planned(0), planned(1)]
    lines = [{"run_id": runs[0].run_id, "record_lost": False, "judged": True, "patients": patients(100, "PASS")},
             {"run_id": runs[1].run_id, "record_lost": False, "judged": False, "patients": patients(100, "PASS")}]
    envelopes: dict = {}
    envelope_patients(envelopes, lines, runs)
    pooled = envelopes["plasma_ceiling"]["patients"]
    assert (pooled["n_patients"], pooled["n_passing"], pooled["fraction_passing"]) == (200, 100, 0.5)
    assert population_not_met(lines) == []  # the unjudged run is listed among runs_not_judged, not here


def test_a_run_whose_patients_fell_below_the_fraction_is_a_finding(tmp_path: Path):
    runs = [planned(0), planned(1)]
    journal = Journal.create(tmp_path / "c", {"name": "t"}, runs)
    for run, (n, outcome) in zip(runs, [(100, "PASS"), (93, "FAIL")]):
        line = finished_line(tmp_path / "c", run, {"files": {}})  # a run judged PASS from an intact record:
        line.update(record_lost=False, lost_reason=None, judged=True, outcome="PASS", reason="ok",
                    patients=patients(n, outcome))
        journal.append(line)
    summary = summarize(journal)
    assert [p["run_id"] for p in summary["population_not_met"]] == [runs[1].run_id]
    assert summary["population_not_met"][0]["reason"] == "plasma_ceiling: 93 of 100 virtual patients passed"
    assert summary["expectations_not_met"] == [] and summary["exit_code"] == 1


def test_a_result_without_a_record_removes_an_earlier_attempts_folder(tmp_path: Path):
    """A kill between an attempt's folder and its finished line leaves a whole report; a re-run that brings no record
    back must not leave it standing beside its own record_lost line."""
    from hil.campaign.collect import run_folder

    run = planned(0)
    stale = run_folder(tmp_path / "c", run)
    stale.mkdir(parents=True)
    (stale / "summary.json").write_text('{"outcome": "PASS"}')
    line = finished_line(tmp_path / "c", run, {"files": {}, "error": "worker killed"})
    assert line["record_lost"] and line["folder"] is None and not stale.exists()


def _record_bytes(tmp_path: Path) -> bytes:
    from hil.records import events as ev
    from hil.records.writer import RecordWriter

    path = tmp_path / "made" / "record.jsonl"
    with RecordWriter(path, fsync=False) as record:
        record.write(ev.RunStarted(run_id="r", scenario_name="s", rig_id="r", config_sha256={}, git_revision="g",
                                   seeds={}, tool_version="t", time_compression_factor=1.0, clock="virtual",
                                   started_utc="now"))
        record.write(ev.RunFinished(outcome="PASS", reason="ok", verdict_reached=True))
    return path.read_bytes()


@pytest.mark.parametrize("change", ["truncate", "append", "delete"])
def test_a_record_changed_after_its_run_finished_counts_as_lost_when_the_campaign_is_summarised(tmp_path, change):
    import hashlib
    import shutil

    from hil.campaign.collect import records_changed_since

    run, data = planned(0), _record_bytes(tmp_path)
    journal = Journal.create(tmp_path / "c", {"name": "t"}, [run])
    assessment = {"outcome": "PASS", "reason": "ok", "record_lost": False, "judged": True, "unsafe": [],
                  "fault": None, "envelopes": [], "dose": None, "alarms": [], "patients": None}
    journal.append(finished_line(tmp_path / "c", run, {"files": {"record.jsonl": data}, "assessment": assessment,
                                                        "record_sha256": hashlib.sha256(data).hexdigest()}))
    line = journal.finished[run.run_id]
    assert records_changed_since(tmp_path / "c", [line]) == {}
    assert summarize(journal)["runs_shown_safe"] == 1
    record = tmp_path / "c" / line["folder"] / "record.jsonl"
    if change == "truncate":
        record.write_bytes(data[:40])
    elif change == "append":
        record.write_bytes(data + b"{garbage\n")
    else:
        shutil.rmtree(record.parent)
    changed = records_changed_since(tmp_path / "c", [line])
    assert "checked again at" in changed[run.run_id]
    summary = summarize(journal.with_records_lost(changed))
    assert (summary["records_lost"], summary["runs_shown_safe"], summary["exit_code"]) == (1, 0, 1)


def test_the_pooled_percentiles_carry_their_unit_in_every_output(tmp_path: Path):
    """p5/p50/p95 of envelopes in ng/mL, a ratio and hours were printed as bare numbers."""
    runs = [planned(0)]
    journal = Journal.create(tmp_path / "c", {"name": "t"}, runs)
    line = finished_line(tmp_path / "c", runs[0], {"files": {}})
    line.update(record_lost=False, lost_reason=None, judged=True, outcome="PASS", reason="ok",
                patients=patients(100, "PASS"))
    journal.append(line)
    summary = summarize(journal)
    assert summary["envelopes"]["plasma_ceiling"]["patients"]["unit"] == "ng_per_ml"
    assert summary["patients_by_scenario"]["s"]["plasma_ceiling"]["unit"] == "ng_per_ml"
    console = Console(file=io.StringIO(), width=250)
    print_summary(summary, tmp_path / "c", console)
    assert "patients passing 100 % (100 of 100), p5/p50/p95 5/50/95 ng_per_ml" in console.file.getvalue()
