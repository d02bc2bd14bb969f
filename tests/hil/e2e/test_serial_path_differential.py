"""Differential test of the serial path: every shipped scenario on both emulated rigs keeps the verdict, alarms,
state timeline, step decisions, expectations, envelopes and the three volumes that the code before the faster
serial path produced (golden file written then: serial_path_golden.py says how and what is compared).

Changed on purpose (and so not compared): the gravimetric volume of supervision ticks where no measurement needs
the balance (between delivered-profile points, outside the gravimetric window, away from steps) is no longer
weighed, so it is null there; where both weighed, it must agree (within one or two readability steps: fewer
readings draw different noise from the emulated balance). Envelope values follow those draws by up to ~0.3 %;
their pass/fail outcome is compared exactly."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from serial_path_golden import GOLDEN, RIGS, SCENARIOS, differences, run_summary

pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def golden() -> dict:
    return json.loads(GOLDEN.read_text())


def test_the_golden_file_covers_every_shipped_scenario_on_both_rigs(golden: dict) -> None:
    assert sorted(golden) == sorted(f"{s}@{r}" for s in SCENARIOS for r in RIGS)


@pytest.mark.parametrize("rig", RIGS)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_run_keeps_what_the_golden_run_recorded(scenario: str, rig: str, golden: dict, tmp_path: Path) -> None:
    found = differences(golden[f"{scenario}@{rig}"], run_summary(scenario, rig, tmp_path / "run"))
    assert found == [], "\n".join(found[:20])


def test_the_comparison_catches_a_changed_alarm_a_changed_volume_and_a_missing_after_stop_weighing(
    golden: dict,
) -> None:
    expected = golden["hazard-motor-stall@emulated-ne1000"]
    assert differences(expected, json.loads(json.dumps(expected))) == []
    moved_alarm = json.loads(json.dumps(expected))
    moved_alarm["alarms"][0][0] += 60.0
    assert any(line.startswith("alarms:") for line in differences(expected, moved_alarm))
    more_volume = json.loads(json.dumps(expected))
    more_volume["volumes"][-1][2] += 1.0
    assert any("pump_reported_ul" in line for line in differences(expected, more_volume))
    unweighed = json.loads(json.dumps(expected))
    unweighed["volumes"][-1][3] = None
    assert any("gravimetric_ul" in line for line in differences(expected, unweighed))
