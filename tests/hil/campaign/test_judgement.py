"""A campaign never makes a number look better than measured: lost and unjudged records, the unsafe rules, and
the dose windows they are measured with."""
from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment, InstantBolus
from firmware_sim.safety.limits import DrugLimits
from hil.campaign.assess import _unsafe_doses, _unsafe_envelopes, _unsafe_pump
from hil.campaign.collect import finished_line
from hil.campaign.journal import Journal
from hil.campaign.record_profile import max_window_dose
from hil.campaign.specs import PlannedRun, identity_of
from hil.campaign.stop_evidence import balance_shows_stopped
from hil.campaign.summary import summarize
from hil.records import events as ev
from hil.records.reader import RunRecord

EXPECT = {"envelope_without_alarm": True, "beyond_hard_limits": True, "pump_left_running": True,
          "rate_window_min": 15.0, "scenario_expectations": "all_runs"}


def planned(index: int, fault: dict | None = None) -> PlannedRun:
    spec = {"campaign": "t", "scenario": {"name": "s", "document": {}}, "rig": {"rig_id": "r", "clock": "virtual"},
            "fault_plan": fault["label"] if fault else "none", "fault": fault, "repetition": index, "seed": index,
            "patients": None, "expect": EXPECT}
    return PlannedRun(index, identity_of(spec), spec)


def journal_with(tmp_path: Path, runs: list[PlannedRun], results: list[dict]) -> Journal:
    journal = Journal.create(tmp_path / "c", {"name": "t"}, runs)
    for run, result in zip(runs, results):
        journal.append(finished_line(tmp_path / "c", run, result))
    return journal


@pytest.mark.requirements("SR-HIL-006")
def test_a_run_whose_record_is_damaged_counts_as_lost_and_never_as_safe(tmp_path):
    record = b'{"event":"run_started"\n'  # not a record: cut JSON
    run = planned(0, {"label": "pump.stall", "device": "pump", "fault": "stall", "at_h": 1.0, "params": {},
                      "requirement_ids": []})
    result = {"files": {"record.jsonl": record}, "record_sha256": hashlib.sha256(record).hexdigest(),
              "assessment": {"outcome": "PASS", "reason": "claimed", "record_lost": False, "fault": None,
                             "envelopes": [], "dose": None, "unsafe": [], "alarms": [], "patients": None},
              "worker": "w", "error": None}
    journal = journal_with(tmp_path, [run], [result])
    line = next(iter(journal.finished.values()))
    assert line["record_lost"] and line["outcome"] == "ERROR" and "damaged" in line["lost_reason"]
    summary = summarize(journal)
    assert summary["records_lost"] == 1 and summary["runs_shown_safe"] == 0
    assert summary["faults_undetected"][0]["harmless"] is None  # unknown, never "harmless"
    assert summary["exit_code"] == 1


@pytest.mark.requirements("SR-HIL-006")
def test_a_record_that_differs_from_the_one_judged_counts_as_lost(tmp_path):
    result = {"files": {"record.jsonl": b"x\n"}, "record_sha256": "0" * 64, "assessment": None, "error": None}
    line = next(iter(journal_with(tmp_path, [planned(0)], [result]).finished.values()))
    assert line["record_lost"] and "sha256 mismatch" in line["lost_reason"]


@pytest.mark.requirements("SR-HIL-006")
def test_a_run_with_no_record_or_no_judgement_is_lost_or_unsafe(tmp_path):
    no_record = {"files": {}, "error": "KilledWorker: the worker died", "assessment": None}
    journal = journal_with(tmp_path, [planned(0)], [no_record])
    summary = summarize(journal)
    assert summary["records_lost"] == 1 and "KilledWorker" in summary["records_lost_runs"][0]["why"]
    assert summary["exit_code"] == 1


@pytest.mark.requirements("SR-HIL-006")
def test_a_readable_record_that_could_not_be_judged_is_an_unsafe_outcome(tmp_path):
    from hil.records.writer import RecordWriter

    path = tmp_path / "record.jsonl"
    with RecordWriter(path) as writer:
        writer.write(ev.RunStarted(run_id="r", scenario_name="s", rig_id="r", config_sha256={}, git_revision="g",
                                   seeds={}, tool_version="t", time_compression_factor=1.0, clock="virtual",
                                   started_utc="now"))
        writer.write(ev.RunFinished(outcome="PASS", reason="fine"))
    data = path.read_bytes()
    result = {"files": {"record.jsonl": data}, "record_sha256": hashlib.sha256(data).hexdigest(), "assessment": None,
              "error": "assessment failed: ValueError: boom"}
    summary = summarize(journal_with(tmp_path, [planned(0)], [result]))
    assert summary["records_lost"] == 0
    assert [u["rule"] for u in summary["unsafe_outcomes"]] == ["not_assessed"]
    assert "boom" in summary["unsafe_outcomes"][0]["detail"]
    assert summary["runs_shown_safe"] == 0 and summary["exit_code"] == 1


def record(*events: ev.RecordEvent) -> RunRecord:
    return RunRecord(Path("record.jsonl"), list(events))


def rate_command(t_s: float, rate_ul_per_h: float) -> ev.FirmwareEvent:
    return ev.FirmwareEvent(t_s=t_s, kind="rate_command", fields={"rate_ul_per_h": rate_ul_per_h})


def envelope(value: float, limit: float = 5.0) -> dict:
    return {"name": "plasma_ceiling", "outcome": "FAIL", "value": value, "limit": limit, "unit": "ng_per_ml",
            "exceeded_at_h": 10.0}


@pytest.mark.requirements("SR-ALM-001", "SR-PK-002")
def test_an_envelope_exceeded_is_unsafe_unless_a_high_priority_alarm_came_before_it():
    late = record(ev.Alarm(t_s=11 * 3600.0, name="motor_stall", priority="high"))
    early = record(ev.Alarm(t_s=9 * 3600.0, name="motor_stall", priority="high"))
    low = record(ev.Alarm(t_s=9 * 3600.0, name="low_reservoir", priority="low"))
    assert [u["rule"] for u in _unsafe_envelopes(late, [envelope(6.0)])] == ["envelope_without_alarm"]
    assert [u["rule"] for u in _unsafe_envelopes(low, [envelope(6.0)])] == ["envelope_without_alarm"]
    assert _unsafe_envelopes(early, [envelope(6.0)]) == []


@pytest.mark.requirements("SR-DOSE-001", "SR-DOSE-006", "SR-BOL-001")
def test_doses_beyond_the_library_hard_limits_are_unsafe():
    limits = DrugLimits()
    fine = {"max_window_dose_mcg": limits.hard_max_daily_dose_mcg, "window_start_h": 0.0, "max_rate_mcg_per_h": 200.0,
            "max_rate_at_h": 0.0, "source": "gravimetric", "rate_window_min": 15.0}
    assert _unsafe_doses(record(), fine, limits) == []
    over = {**fine, "max_window_dose_mcg": 1200.5, "max_rate_mcg_per_h": 200.5}
    bolus = record(ev.FirmwareEvent(t_s=0.0, kind="dose",
                                    fields={"event": "bolus_start", "bolus_kind": "clinician", "dose_mcg": 150.0}))
    details = [u["detail"] for u in _unsafe_doses(bolus, over, limits)]
    assert len(details) == 3
    assert "150 mcg" in details[0] and "1200.5 mcg" in details[1] and "200.5 mcg/h" in details[2]


@pytest.mark.requirements("SR-HIL-001")
def test_a_pump_left_running_or_not_shown_stopped_is_unsafe():
    started = rate_command(0.0, 10.0)
    running = ev.RunFinished(outcome="PASS", reason="", extra={"pump_running_after_stop": True})
    stopped = ev.RunFinished(outcome="PASS", reason="", extra={"pump_running_after_stop": False})
    silent = ev.RunFinished(outcome="ERROR", reason="crashed")
    assert _unsafe_pump(record(started, running))[0]["rule"] == "pump_left_running"
    assert _unsafe_pump(record(started, silent))[0]["rule"] == "pump_left_running"
    assert _unsafe_pump(record(started, stopped)) == []
    assert _unsafe_pump(record(silent)) == []  # never commanded: nothing to stop


def test_the_largest_window_dose_is_exact_on_overlapping_segments_and_boluses():
    profile = DeliveryProfile(segments=(InfusionSegment(0.0, 48.0, 10.0), InfusionSegment(30.0, 2.0, 100.0)),
                              instant_boluses=(InstantBolus(40.0, 50.0),))
    dose, start_h = max_window_dose(profile, 24.0)
    assert dose == pytest.approx(24 * 10.0 + 200.0 + 50.0)
    assert 16.0 <= start_h <= 30.0
    assert max_window_dose(profile, 0.25)[0] == pytest.approx(0.25 * 110.0 + 0.0) or \
        max_window_dose(profile, 0.25)[0] == pytest.approx(0.25 * 10.0 + 50.0)


@pytest.mark.requirements("SR-HIL-006", "SR-PK-005")
def test_the_patients_of_a_lost_run_count_as_not_passing():
    from hil.campaign.population_summary import envelope_patients

    runs = [planned(0), planned(1)]
    for run in runs:
        run.spec["patients"] = {"count": 100, "seed": 1}
    judged = {"plasma_ceiling": {"n_passing": 100, "quantiles": [float(q) for q in range(101)]}}
    lines = [{"run_id": runs[0].run_id, "record_lost": False, "judged": True, "patients": {"envelopes": judged}},
             {"run_id": runs[1].run_id, "record_lost": True, "judged": True, "patients": {"envelopes": judged}}]
    envelopes: dict = {}
    envelope_patients(envelopes, lines, runs)
    pooled = envelopes["plasma_ceiling"]["patients"]
    assert (pooled["n_patients"], pooled["n_passing"], pooled["fraction_passing"]) == (200, 100, 0.5)
    assert pooled["p50"] == pytest.approx(50.0)


def _weighed(masses_g: list[float], interval_s: float = 600.0, rate_ul_per_h: float = 10.0) -> RunRecord:
    """A run that commanded rate_ul_per_h, could not show the pump stopped, and weighed masses_g at the end."""
    events: list[ev.RecordEvent] = [
        ev.RunStarted(run_id="r", scenario_name="s", rig_id="r", config_sha256={}, git_revision="g", seeds={},
                      tool_version="t", time_compression_factor=1.0, clock="virtual", started_utc="now",
                      balance_density_g_per_ml=1.0),
        rate_command(0.0, rate_ul_per_h),
        rate_command(3600.0, 0.0),
    ]
    events += [ev.BalanceSample(t_s=7200.0 + i * interval_s, mass_g=m, stable=True) for i, m in enumerate(masses_g)]
    events.append(ev.RunFinished(outcome="ERROR", reason="pump stop FAILED: disconnected"))
    return record(*events)


@pytest.mark.requirements("SR-HIL-001")
def test_a_pump_the_harness_lost_is_shown_stopped_only_by_weighing_nothing_added_at_the_end():
    flat = _weighed([0.5000, 0.5001, 0.5000, 0.5001])  # 0.5 h at 10 uL/h would have added 5 uL: it stopped
    assert _unsafe_pump(flat) == []
    assert "had stopped" in (balance_shows_stopped(flat) or "")
    rising = _weighed([0.5000, 0.5017, 0.5033, 0.5050])  # still running at 10 uL/h
    assert _unsafe_pump(rising)[0]["rule"] == "pump_left_running"
    too_short = _weighed([0.5000, 0.5000], interval_s=600.0)  # 10 min weighed: no evidence
    assert _unsafe_pump(too_short)[0]["rule"] == "pump_left_running"
    too_slow = _weighed([0.5000, 0.5000, 0.5000, 0.5000], rate_ul_per_h=1.0)  # 0.5 uL: not told from noise
    assert _unsafe_pump(too_slow)[0]["rule"] == "pump_left_running"


@pytest.mark.requirements("SR-HIL-006")
def test_a_firmware_event_of_an_unknown_kind_stops_the_profile_rebuild_with_its_name():
    from hil.campaign.record_profile import delivered_profile
    from hil.records.event_fields import RecordFormatError

    unknown = record(rate_command(0.0, 10.0), ev.FirmwareEvent(t_s=7200.0, kind="dose_v2", fields={"dose_mcg": 90.0}))
    with pytest.raises(RecordFormatError, match=r"t=7200 s has kind 'dose_v2'.*not rebuilt"):
        delivered_profile(unknown, dead_volume_ul=0.0, duration_h=4.0)
    assert delivered_profile(record(rate_command(0.0, 10.0)), dead_volume_ul=0.0, duration_h=4.0)[1] == "pump_reported"
