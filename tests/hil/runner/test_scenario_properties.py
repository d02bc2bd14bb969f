"""Property-based scenarios through `itpump run` (in process, emulated rigs in virtual time).

- A random *valid* scenario (a random command sequence: starts, rate changes, boluses, stops, waits, alarm clears,
  pump faults) always ends in a verdict: exit 0 or 1, never bad input, never ERROR, never a traceback.
- Checked from the run record alone, independently of the verdict: an envelope whose value is beyond its limit is a
  FAIL envelope and the run is FAIL (these scenarios expect nothing, so nothing excuses it); a PASS run has no FAIL
  envelope.
- A random *invalid* scenario (one key of a valid one broken: wrong type, out of range, unknown, missing, an
  unknown action) exits 2 with a message naming the file and the key, and runs nothing.
Example counts are small: a valid run costs seconds.
"""
from __future__ import annotations

import contextlib
import copy
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hil.cli.main import main

pytestmark = [pytest.mark.timeout(600)]

BASE: dict[str, Any] = {
    "name": "property-scenario",
    "duration_h": 4,
    "supervision_period_s": 120,
    "patient": {"weight_kg": 75, "age_group": "adult", "age_years": 52, "indication": "spinal"},
    "drug": {"name": "baclofen", "conc_mcg_per_ml": 2000},
    "pump_settings": {"reservoir_volume_ul": 8000, "reservoir_capacity_ul": 20000,
                      "catheter": {"length_cm": 110, "volume_ul_per_cm": 2.6}, "pump_tubing_volume_ul": 220,
                      "low_reservoir_threshold_ul": 2000},
    "steps": [{"at_h": 0.0, "action": "prime"}, {"at_h": 0.5, "action": "start_continuous", "rate_mcg_per_day": 400}],
}
ENVELOPE_IS_A_MINIMUM = {"plasma_reduction_vs_oral": True, "plasma_ceiling": False, "lumbar_csf_ceiling": False,
                         "cisternal_csf_ceiling": False, "withdrawal": False}
"""Envelope name -> True if its value must stay at or above the limit (else at or below). A new envelope must be added
here, so that it is checked too."""
WITHDRAWAL_EXAMPLE = "property-withdrawal-beyond-limit"
"""An example always run: a stall at 2 h of a 10 h run, a withdrawal drop beyond the 6 h limit (measured 6.24 h)."""
PUMP_FAULTS = ("stall", "clear_stall", "occlusion", "clear_occlusion")

commands = st.one_of(
    st.builds(lambda r: {"action": "start_continuous", "rate_mcg_per_day": r}, st.integers(20, 1500)),
    st.builds(lambda r: {"action": "change_rate", "rate_mcg_per_day": r}, st.integers(20, 1500)),
    st.builds(lambda d, m: {"action": "clinician_bolus", "dose_mcg": d, "duration_min": m},
              st.integers(5, 200), st.integers(10, 120)),
    st.just({"action": "stop"}), st.just({"action": "wait"}), st.just({"action": "clear_alarm"}),
    st.builds(lambda f: {"action": "inject_fault", "device": "pump", "fault": f}, st.sampled_from(PUMP_FAULTS)),
)


@st.composite
def valid_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """Priming, a continuous program after it (mostly), then up to four random commands in quarter hours."""
    scenario = copy.deepcopy(BASE)
    duration_h = draw(st.integers(3, 10))
    scenario["duration_h"] = duration_h
    scenario["supervision_period_s"] = draw(st.sampled_from([60, 120, 240]))
    steps: list[dict[str, Any]] = [{"at_h": 0.0, "action": "prime"}]
    if draw(st.integers(0, 4)):  # mostly: a therapy program once priming is done (hazard scenarios start at 1 h)
        steps.append({"at_h": 1.0, "action": "start_continuous", "rate_mcg_per_day": draw(st.integers(20, 1500))})
    times_h = sorted(draw(st.lists(st.integers(5, duration_h * 4), max_size=4)))
    scenario["steps"] = steps + [{"at_h": t / 4, **draw(commands)} for t in times_h]
    return scenario


def run_cli(scenario: dict[str, Any], rig: str, folder: Path) -> tuple[int, str, str, Path]:
    path = folder / "scenario.yaml"
    path.write_text(yaml.safe_dump(scenario, sort_keys=False))
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["run", str(path), "--rig", rig, "--out", str(folder / "run"), "--no-progress", "--json"])
    return code, out.getvalue(), err.getvalue(), path


def record_events(run_dir: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (run_dir / "record.jsonl").read_text().splitlines() if line.strip()]


def beyond_limit(envelope: dict[str, Any]) -> bool:
    name = envelope["name"]
    assert name in ENVELOPE_IS_A_MINIMUM, f"envelope {name!r} has no direction in this test: add it"
    value, limit = envelope["value"], envelope["limit"]
    if value is None:
        return False
    return value < limit if ENVELOPE_IS_A_MINIMUM[name] else value > limit


@pytest.mark.requirements("SR-PK-001", "SR-PK-002", "SR-PK-003", "SR-PK-004", "SR-PK-006", "SR-HIL-004")
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(scenario=valid_scenarios(), rig=st.sampled_from(["emulated-ne1000", "emulated-grbl"]))
@example(scenario={**BASE, "name": WITHDRAWAL_EXAMPLE, "duration_h": 10, "supervision_period_s": 240,
                   "steps": [{"at_h": 0.0, "action": "prime"},
                             {"at_h": 1.0, "action": "start_continuous", "rate_mcg_per_day": 400},
                             {"at_h": 2.0, "action": "inject_fault", "device": "pump", "fault": "stall"}]},
         rig="emulated-grbl")
def test_a_valid_random_scenario_ends_in_a_verdict_that_reports_every_envelope_beyond_its_limit(scenario, rig):
    with tempfile.TemporaryDirectory() as tmp:
        code, out, err, _ = run_cli(scenario, rig, Path(tmp))
        assert "Traceback" not in out + err
        assert code in (0, 1), f"exit {code} for {scenario['steps']} on {rig}: {out[-600:]} {err[-600:]}"
        verdict = json.loads(out)
        events = record_events(Path(tmp) / "run")
    finished = [e for e in events if e["event"] == "run_finished"][-1]
    assert finished["outcome"] == verdict["outcome"]
    assert (code == 0) == (verdict["outcome"] == "PASS")
    envelopes = [e for e in events if e["event"] == "envelope"]
    if scenario["name"] == WITHDRAWAL_EXAMPLE:  # the branch below is exercised on every run of this test
        assert [e["name"] for e in envelopes if beyond_limit(e)] == ["withdrawal"]
    for envelope in envelopes:
        if beyond_limit(envelope):
            assert envelope["outcome"] == "FAIL", envelope
            assert verdict["outcome"] == "FAIL", (envelope, verdict["reason"])
            assert envelope["name"] in verdict["reason"]
    if verdict["outcome"] == "PASS":
        assert all(e["outcome"] in ("PASS", "NOT_EVALUATED") for e in envelopes)


def test_the_envelope_check_of_this_file_sees_a_value_beyond_its_limit():
    assert beyond_limit({"name": "lumbar_csf_ceiling", "value": 3001.0, "limit": 3000.0})
    assert beyond_limit({"name": "plasma_reduction_vs_oral", "value": 99.0, "limit": 100.0})
    assert not beyond_limit({"name": "withdrawal", "value": 6.0, "limit": 6.0})
    assert not beyond_limit({"name": "withdrawal", "value": None, "limit": 6.0})


HOSTILE_VALUES = st.sampled_from([-5, 0, "abc", None, [], {"x": 1}, 1e300, True])


@st.composite
def broken_scenarios(draw: st.DrawFn) -> tuple[dict[str, Any], list[str]]:
    """A valid scenario with one key broken; the key names the error message must carry (any one of them)."""
    scenario = copy.deepcopy(BASE)
    kind = draw(st.sampled_from(["value", "unknown", "missing", "action"]))
    if kind == "unknown":
        parent = draw(st.sampled_from([(), ("patient",), ("drug",), ("pump_settings",)]))
        name = draw(st.sampled_from(["dose_typo", "rate_mcg_per_hour", "Weight_kg"]))
        target = scenario
        for key in parent:
            target = target[key]
        target[name] = 1
        return scenario, [name]
    if kind == "missing":
        name = draw(st.sampled_from(["name", "duration_h", "patient", "drug", "pump_settings", "steps"]))
        del scenario[name]
        return scenario, [name]
    if kind == "action":
        scenario["steps"][1]["action"] = draw(st.sampled_from(["launch", "bolus", "START_CONTINUOUS", ""]))
        return scenario, ["steps[1]"]
    path = draw(st.sampled_from([("duration_h",), ("supervision_period_s",), ("patient", "weight_kg"),
                                 ("patient", "age_years"), ("drug", "conc_mcg_per_ml"),
                                 ("pump_settings", "reservoir_volume_ul"), ("steps", 1, "rate_mcg_per_day"),
                                 ("steps", 1, "at_h")]))
    value = draw(HOSTILE_VALUES)
    target = scenario
    for key in path[:-1]:
        target = target[key]
    if path[-1] == "at_h" and value in (0, True):  # 0 and 1 are valid step times
        value = -5
    if path[-1] in ("age_years",) and value in (0, True):  # a newborn (0 or 1 year) is a valid patient
        value = -5
    target[path[-1]] = value
    names = [k for k in path if isinstance(k, str)] + (["steps[1]"] if path[0] == "steps" else [])
    return scenario, names


@pytest.mark.requirements("SR-CFG-004")
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(case=broken_scenarios())
def test_an_invalid_random_scenario_is_bad_input_naming_the_file_and_the_key(case):
    scenario, names = case
    with tempfile.TemporaryDirectory() as tmp:
        code, out, err, path = run_cli(scenario, "emulated-ne1000", Path(tmp))
        ran = (Path(tmp) / "run").exists()
    assert "Traceback" not in out + err
    assert code == 2, f"exit {code}: {out[-400:]} {err[-400:]}"
    message = json.loads(out)["message"]
    assert str(path) in message
    assert any(name in message for name in names), (names, message)
    assert not ran
