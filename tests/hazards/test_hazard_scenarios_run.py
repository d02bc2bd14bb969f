"""Every hazard scenario on the emulated rigs, through the real pty serial path in virtual time: PASS means the
hazard was caught or prevented. A representative subset always runs; the full set (both rigs, about two minutes
on a shared 2-core machine) is marked slow."""
from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.units import S_PER_H
from hil.config.loading import load_model
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from hil.emulators.fault_catalog import FAULTS_BY_KIND
from hil.records import events as ev
from hil.records.reader import read_record
from hil.runner import RunOptions, RunResult, run_scenario
import itertools

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "bench_configs"
HAZARDS = sorted(p.stem for p in (CONFIGS / "scenarios" / "hazards").glob("*.yaml"))
RIGS = ("emulated-ne1000", "emulated-grbl")
ALWAYS = (("hazard-ten-x-rate", "emulated-ne1000"), ("hazard-occlusion-during-bolus", "emulated-ne1000"),
          ("hazard-refill-missed-until-empty", "emulated-ne1000"), ("hazard-motor-stall-caught", "emulated-grbl"),
          ("hazard-concentration-change-without-bridge", "emulated-ne1000"),
          ("hazard-catheter-disconnection", "emulated-ne1000"), ("hazard-gcode-corrupted-to-inches", "emulated-grbl"))
"""A gate refusal, a bolus aborted by an alarm, a withdrawal caught by an alarm, the GRBL balance check, a bridge,
a disconnection only the withdrawal envelope finds, a GRBL move corrupted into inches caught by $G (the PTM
scenario, the longest step list, runs in its own test below)."""

pytestmark = [pytest.mark.timeout(240), pytest.mark.requirements("SR-PK-006")]


def run(scenario: Path, rig: str, out: Path) -> RunResult:
    result = run_scenario(scenario, CONFIGS / "rigs" / f"{rig}.yaml", RunOptions(out_dir=out))
    assert result.output_failures == {}
    return result


def pump_faults_missing(scenario: str, rig: str) -> set[str]:
    """Pump faults the scenario injects that the rig's pump emulator does not have (a GRBL-only corruption)."""
    config = load_model(CONFIGS / "scenarios" / "hazards" / f"{scenario}.yaml", ScenarioConfig)
    rig_config = load_model(CONFIGS / "rigs" / f"{rig}.yaml", RigConfig)
    kind = rig_config.emulators["pump"].kind
    return {step.fault for step in config.steps if step.action == "inject_fault" and step.device == "pump"} \
        - FAULTS_BY_KIND[kind]


def test_only_the_gcode_corruption_scenario_needs_a_grbl_pump():
    assert [s for s in HAZARDS for rig in RIGS if pump_faults_missing(s, rig)] == ["hazard-gcode-corrupted-to-inches"]


def check_passes(scenario: str, rig: str, tmp_path: Path) -> None:
    if pump_faults_missing(scenario, rig):
        pytest.skip(f"{rig}'s pump emulator lacks {sorted(str(f) for f in pump_faults_missing(scenario, rig))}")
    result = run(CONFIGS / "scenarios" / "hazards" / f"{scenario}.yaml", rig, tmp_path / "run")
    assert result.outcome == "PASS", result.reason
    assert result.envelopes[-1].name == "withdrawal"
    record = read_record(tmp_path / "run" / "record.jsonl")
    assert record.finished is not None and record.finished.outcome == "PASS"
    assert all(e.passed for e in record.typed(ev.Expectation))


@pytest.mark.parametrize(("scenario", "rig"), ALWAYS)
def test_representative_hazard_scenarios_pass(scenario: str, rig: str, tmp_path: Path) -> None:
    check_passes(scenario, rig, tmp_path)


@pytest.mark.slow
@pytest.mark.parametrize("rig", RIGS)
@pytest.mark.parametrize("scenario", HAZARDS)
def test_every_hazard_scenario_passes(scenario: str, rig: str, tmp_path: Path) -> None:
    if (scenario, rig) in ALWAYS + (("hazard-ptm-hammering", "emulated-ne1000"),):
        pytest.skip("runs in the tests that always run")
    check_passes(scenario, rig, tmp_path)


@pytest.mark.requirements("SR-PTM-001", "SR-PTM-002", "SR-PTM-003")
def test_ptm_hammering_never_goes_beyond_lockout_or_the_daily_maximum(tmp_path: Path) -> None:
    result = run(CONFIGS / "scenarios" / "hazards" / "hazard-ptm-hammering.yaml", "emulated-ne1000", tmp_path / "run")
    assert result.outcome == "PASS", result.reason
    record = read_record(tmp_path / "run" / "record.jsonl")
    steps = record.typed(ev.Step)
    presses = [s for s in steps if s.action == "ptm_press"]
    approved_h = [s.t_s / S_PER_H for s in presses if s.decision == "approved"]
    assert len(presses) == 24 * 60 and len(approved_h) == 8
    assert all(b - a >= 1.0 - 1e-9 for a, b in itertools.pairwise(approved_h))  # 60 min lockout
    assert all(sum(1 for t in approved_h if start <= t < start + 24.0) <= 8 for start in approved_h)
    started = [e.fields for e in record.typed(ev.FirmwareEvent)
               if e.kind == "dose" and e.fields.get("event") == "bolus_start"]
    assert [f["bolus_kind"] for f in started] == ["ptm"] * 8
    assert sum(f["dose_mcg"] for f in started) <= 200.0  # the library's PTM maximum per 24 h


def test_a_withdrawal_the_scenario_says_is_prevented_fails_the_run(tmp_path: Path) -> None:
    """The envelope's FAIL is a run failure unless the scenario expects the drop and an alarm caught it."""
    text = (CONFIGS / "scenarios" / "hazards" / "hazard-occlusion-continuous.yaml").read_text()
    scenario = tmp_path / "prevented.yaml"
    scenario.write_text(text.replace("withdrawal: caught_by_alarm", "withdrawal: prevented"))
    result = run(scenario, "emulated-ne1000", tmp_path / "run")
    assert result.outcome == "FAIL"
    assert "withdrawal prevented" in result.reason and "envelope withdrawal" in result.reason
    without = tmp_path / "no-expectation.yaml"
    without.write_text(text.replace("  withdrawal: caught_by_alarm\n", ""))
    result = run(without, "emulated-ne1000", tmp_path / "run2")
    assert result.outcome == "FAIL" and "envelope withdrawal: withdrawal:" in result.reason
