"""The outputs of one fixed record are the same bytes as the golden files (data/outputs_golden/): summary.json,
junit.xml, the CSV series, the run's traceability evidence and the campaign assessment. The record holds every
event kind the outputs read (a rejected step, an older envelope line without outcome, a NOT_EVALUATED envelope,
unmeasured volumes, virtual patients, what stopping the pump did, an interrupt after run_finished), so a change in
how the outputs read the record shows here as a byte difference.

The golden files were written by the code before the outputs read typed events (dataclasses) instead of the lines'
dicts. Rewrite them on purpose only (a change of output that is meant), from the repository root:
    .venv/bin/python tests/hil/outputs/test_outputs_golden.py --write
"""
from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from firmware_sim.safety.limits import DrugLimits
from hil.campaign.assess import assess
from hil.outputs.render import render_all
from hil.outputs.traceability import run_evidence
from hil.records import events as ev
from hil.records.integrity import chained_line, split_chained_line
from hil.records.reader import read_record
from hil.records.writer import RecordWriter

GOLDEN = Path(__file__).with_name("data") / "outputs_golden"
COMPARED = ("summary.json", "junit.xml", "volumes.csv", "balance.csv", "pk_delivered.csv", "pk_programmed.csv",
            "evidence.json", "assessment.json")
"""evidence.json: the run's traceability evidence (traceability.json lists every registered requirement beside it,
which changes whenever one is registered)."""
SPEC = {"expect": {"envelope_without_alarm": True, "beyond_hard_limits": True, "pump_left_running": True,
                   "rate_window_min": 15.0},
        "fault": {"label": "stall", "device": "pump", "fault": "stall", "at_h": 1.5}}
T_H = (0.0, 0.5, 1.0, 1.5, 2.0)


def _append_envelope_line_without_outcome(path: Path) -> None:
    """An envelope line as records written before envelopes carried `outcome` have it, chained like any line."""
    fields = {"event": "envelope", "name": "cisternal_csf_ceiling", "passed": False, "value": 900.0, "limit": 750.0,
              "unit": "ng_per_ml", "requirement_ids": ["SR-PK-004"], "reason": "above the ceiling"}
    split = split_chained_line(path.read_text(encoding="utf-8").splitlines()[-1])
    assert split is not None
    line, _ = chained_line(json.dumps(fields, separators=(",", ":")), split[1])
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def write_record(run_dir: Path) -> Path:
    path = run_dir / "record.jsonl"
    with RecordWriter(path, fsync=False) as record:
        record.write(ev.RunStarted(
            run_id="golden-1", scenario_name="golden", rig_id="emulated-ne1000", config_sha256={"s.yaml": "aa"},
            git_revision="deadbeef", seeds={"scenario": 1}, tool_version="0.1.0", time_compression_factor=1.0,
            clock="virtual", started_utc="2025-01-01T00:00:00Z", balance_density_g_per_ml=0.998,
            balance_evaporation_rate_mg_per_h=0.0, balance_sample_interval_s=600.0, duration_h=2.0,
            supervision_period_s=600.0, scenario_requirement_ids=("SR-ALM-004",), operator="QA", dut_id=None,
            git_dirty=False, dependency_versions={"python": "3.11"}, scenario_description="every kind",
            pass_means="PASS means the stall was caught", planned_steps=({"index": 0, "at_h": 0.0, "action": "prime"},),
            planned_expectations=("alarm motor_stall raised",), trumpet_limits={"mean_error_percent": 5}))
        record.write(ev.DrugLimitsEvent(
            drug_name="baclofen", library_file="baclofen.yaml", acknowledge_beyond_label="bench study",
            overrides=({"key": "hard_max_daily_dose_mcg", "library_value": 1200, "scenario_value": 2500,
                        "beyond_label": "above the label's 1000 mcg/day"},)))
        record.write(ev.RigOpened(findings=("watchdog alarm cleared",), ports={"pump": "/dev/pts/1"},
                                  devices={"pump": {"model": "NE-1000", "firmware_version": "3.928"}}))
        record.write(ev.Step(t_s=0.0, index=0, action="prime", params={}, decision="approved", reasons=(),
                             requirement_ids=("SR-PRM-001",)))
        record.write(ev.Step(t_s=1800.0, index=1, action="change_rate", params={"rate_mcg_per_day": 5000},
                             decision="rejected", reasons=("5000 mcg/day above the hard maximum [SR-DOSE-002]",),
                             requirement_ids=(), expected_decision=None, decision_requirement_ids=("SR-DOSE-002",)))
        record.write(ev.Step(t_s=5400.0, index=2, action="inject_fault", params={"device": "pump", "fault": "stall"},
                             decision="none", reasons=(), requirement_ids=("SR-ALM-004",), expected_decision="none",
                             extra={"fault_params": {}}))
        record.write(ev.FirmwareEvent(t_s=0.0, kind="rate_command", fields={"rate_ul_per_h": 15.0, "q_ul": 0.0}))
        record.write(ev.FirmwareEvent(t_s=600.0, kind="dose", fields={"event": "bolus_start", "bolus_kind": "clinician",
                                                                      "dose_mcg": 900.0, "duration_min": 1.0}))
        for i in range(13):
            t_s = 600.0 * i
            record.write(ev.FirmwareEvent(t_s=t_s, kind="status",
                                          fields={"delivered_ul": 2.5 * i, "commanded_ul": 2.5 * i}))
            record.write(ev.VolumeSample(t_s=t_s, commanded_ul=2.5 * i, pump_reported_ul=None if i == 3 else 2.5 * i,
                                         gravimetric_ul=None if i < 2 else 2.5 * i + 0.01, rate_ul_per_h=15.0,
                                         after_pump_stop=True if i == 12 else None))
            record.write(ev.BalanceSample(t_s=t_s, mass_g=10.0 + 0.0025 * i, stable=i != 5))
        record.write(ev.Alarm(t_s=5460.0, name="motor_stall", priority="high", detail="no motion",
                              requirement_id="SR-ALM-004"))
        record.write(ev.Alarm(t_s=6000.0, name="low_reservoir", priority="low"))
        for label, scale in (("delivered", 1.0), ("programmed", 1.1)):
            record.write(ev.PkSeries(
                label=label, t_h=T_H, lumbar_csf_ng_per_ml=tuple(scale * 400 * t for t in T_H),
                cisternal_csf_ng_per_ml=(0.0, None, 50.0 * scale, 80.0, 90.0),
                plasma_ng_per_ml=tuple(scale * t for t in T_H),
                peaks_ng_per_ml={"lumbar_csf_ng_per_ml": 800 * scale, "plasma_ng_per_ml": 2.0 * scale},
                sustained_program=({"start_h": 0.0, "duration_h": 2.0, "rate_mcg_per_h": 20.0},)
                if label == "programmed" else None))
        record.write(ev.Envelope(name="plasma_ceiling", passed=True, value=2.0, limit=5.0, unit="ng_per_ml",
                                 requirement_ids=("SR-PK-002",), reason="below the ceiling",
                                 details={"peak_t_h": 2.0}))
        record.write(ev.Envelope(name="lumbar_csf_ceiling", passed=False, value=800.0, limit=600.0, unit="ng_per_ml",
                                 requirement_ids=("SR-PK-003",), reason="above the ceiling"))
        record.write(ev.Envelope(name="withdrawal", passed=False, value=None, limit=6.0, unit="h",
                                 requirement_ids=("SR-PK-006",), reason="not evaluated", outcome="NOT_EVALUATED"))
    _append_envelope_line_without_outcome(path)
    with RecordWriter(path, fsync=False) as record:
        record.write(ev.Expectation(name="alarm motor_stall raised", passed=True, detail="at 1.517 h",
                                    requirement_ids=("SR-ALM-004",)))
        record.write(ev.Expectation(name="step 1 change_rate: approved", passed=False, detail="rejected",
                                    requirement_ids=()))
        record.write(ev.PopulationVerdictEvent(
            n_patients=10, seed=3, horizon_h=2.0, min_fraction_passing=0.9, outcome="FAIL", t_h=T_H,
            bands={"plasma_ng_per_ml": {"p5": [0.0] * 5, "p50": [0.5] * 5, "p95": [1.0] * 5}},
            envelopes=({"name": "plasma_ceiling", "outcome": "FAIL", "n_patients": 10, "n_passing": 8,
                        "n_not_evaluated": 0, "fraction_passing": 0.8, "min_fraction_passing": 0.9, "p5": 1.0,
                        "p50": 2.0, "p95": 6.0, "worst_value": 7.5, "limit": 5.0, "unit": "ng_per_ml",
                        "requirement_ids": ["SR-PK-002"], "reason": "2 patients above the ceiling", "passed": False,
                        "worst_patient_index": 4, "worst_patient_params": {"weight_kg": 75.0}},)))
        record.write(ev.RunFinished(outcome="FAIL", reason="an envelope failed",
                                    extra={"pump_stop": "pump stopped (status running=False)",
                                           "pump_running_after_stop": False, "rig_teardown_errors": []}))
        record.write(ev.Interrupt(phase="rendering the outputs", detail="interrupted while rendering the outputs"))
    return path


def outputs_of(run_dir: Path) -> dict[str, bytes]:
    """The compared outputs of the record in run_dir, as bytes."""
    path = write_record(run_dir)
    rendered = render_all(run_dir)
    record = read_record(path)
    evidence = [[requirement_id, item.model_dump(mode="json")]
                for requirement_id, item in run_evidence(record, rendered.outcome)]
    (run_dir / "evidence.json").write_text(json.dumps(evidence, indent=1), encoding="utf-8")
    judged = assess(record, SPEC, dead_volume_ul=10.0, duration_h=2.0, library_limits=DrugLimits())
    (run_dir / "assessment.json").write_text(json.dumps(judged, indent=1, sort_keys=True), encoding="utf-8")
    return {name: (run_dir / name).read_bytes() for name in COMPARED}


def test_the_outputs_of_a_fixed_record_are_the_golden_bytes(tmp_path: Path) -> None:
    made = outputs_of(tmp_path)
    for name in COMPARED:
        assert made[name] == (GOLDEN / name).read_bytes(), f"{name} differs from {GOLDEN / name}"


def _write_golden() -> None:
    folder = Path(tempfile.mkdtemp())
    try:
        GOLDEN.mkdir(parents=True, exist_ok=True)
        for name, data in outputs_of(folder).items():
            (GOLDEN / name).write_bytes(data)
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the golden files")
    if parser.parse_args().write:
        _write_golden()
