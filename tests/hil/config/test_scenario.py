"""Scenario schema: every shipped scenario validates; step and expectation mistakes are located."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hil.config.loading import ConfigError, load_model
from hil.config.scenario import MAX_SCENARIO_DURATION_H, ScenarioConfig
from hil.config.scenario_steps import ACTIONS, RefillStep, StartFlexStep, step_params
from hil.paths import bench_configs_dir
from scenario_yaml import PUMP_SETTINGS

SHIPPED = sorted((bench_configs_dir() / "scenarios").glob("*.yaml"))

MINIMAL = """\
name: t
duration_h: 48
patient: {weight_kg: 70, age_group: adult, age_years: 40, indication: spinal}
drug: {name: baclofen, conc_mcg_per_ml: 2000, library_file: drug.yaml}
""" + PUMP_SETTINGS + """steps:
  - {at_h: 0, action: prime}
  - {at_h: 1, action: start_continuous, rate_mcg_per_day: 500, expect: {decision: approved}}
"""


def write(tmp_path: Path, text: str) -> Path:
    shutil.copy(bench_configs_dir() / "drugs" / "baclofen.yaml", tmp_path / "drug.yaml")
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load_text(tmp_path: Path, text: str) -> ScenarioConfig:
    return load_model(write(tmp_path, text), ScenarioConfig, environ={})


def test_required_scenarios_are_shipped():
    names = {p.stem for p in SHIPPED}
    assert {"screening-bolus", "post-implant-titration", "adult-maintenance-flex", "pediatric-maintenance",
            "ptm-use", "refill-concentration-change", "hazard-pocket-fill", "hazard-motor-stall",
            "hazard-occlusion", "hazard-overdose-rejected"} <= names


@pytest.mark.skipif(not (bench_configs_dir() / "drugs" / "baclofen.yaml").is_file(),
                    reason="bench_configs/drugs/baclofen.yaml (the drug library) is not in the tree yet")
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_validates(path):
    scenario = load_model(path, ScenarioConfig, environ={})
    assert scenario.name == path.stem
    assert scenario.duration_h <= MAX_SCENARIO_DURATION_H
    assert scenario.all_requirement_ids(), "every shipped scenario traces to requirement IDs"


def test_minimal_scenario_loads_with_typed_steps(tmp_path):
    scenario = load_text(tmp_path, MINIMAL)
    assert [s.action for s in scenario.steps] == ["prime", "start_continuous"]
    assert step_params(scenario.steps[1]) == {"rate_mcg_per_day": 500.0, "override_soft_limits": False}
    assert scenario.drug.library_path() == tmp_path / "drug.yaml"


def test_unknown_action_is_named_with_line(tmp_path):
    text = MINIMAL.replace("action: prime", "action: flush")
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    issue = info.value.issues[0]
    assert issue.dotted_key == "steps[0]" and issue.line == 12
    assert "flush" in issue.message and "prime" in issue.message


def test_missing_action_parameter_is_located(tmp_path):
    text = MINIMAL.replace(", rate_mcg_per_day: 500", "")
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    issue = info.value.issues[0]
    assert issue.dotted_key == "steps[1].rate_mcg_per_day" and issue.line == 13


def test_unitless_rate_key_is_unknown(tmp_path):
    text = MINIMAL.replace("rate_mcg_per_day: 500", "rate: 500")
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    keys = {i.dotted_key for i in info.value.issues}
    assert "steps[1].rate" in keys


def test_steps_out_of_time_order_are_rejected(tmp_path):
    text = MINIMAL.replace("{at_h: 1, action: start_continuous", "{at_h: -1, action: start_continuous")
    with pytest.raises(ConfigError, match="greater than or equal to 0"):
        load_text(tmp_path, text)
    text = MINIMAL + "  - {at_h: 0.5, action: wait}\n"
    with pytest.raises(ConfigError, match="time order"):
        load_text(tmp_path, text)


def test_step_after_the_end_is_located(tmp_path):
    text = MINIMAL + "  - {at_h: 49, action: wait}\n"
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    issue = info.value.issues[0]
    assert (issue.dotted_key, issue.line) == ("steps[2].at_h", 14)


@pytest.mark.parametrize("window", ["from_h: 50", "from_h: 48", "from_h: 10, to_h: 10"])
def test_an_alarm_window_that_is_empty_is_located_not_judged_vacuously(tmp_path, window):
    """`absent` over an empty window would pass whatever happened: refused at load, naming the key and line."""
    text = MINIMAL + "expectations:\n  alarms:\n    - {name: occlusion, occurs: false, " + window + "}\n"
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    issue = info.value.issues[0]
    assert (issue.dotted_key, issue.line) == ("expectations.alarms[0].from_h", 16)
    assert "the window is empty" in str(info.value)


def test_duration_is_capped_at_thirty_days(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, MINIMAL.replace("duration_h: 48", "duration_h: 721"))
    assert info.value.issues[0].dotted_key == "duration_h"


def test_pediatric_group_needs_pediatric_age(tmp_path):
    text = MINIMAL.replace("age_group: adult", "age_group: pediatric")
    with pytest.raises(ConfigError, match="does not match age_group"):
        load_text(tmp_path, text)


def test_flex_schedule_must_start_at_midnight_and_increase(tmp_path):
    text = MINIMAL + ("  - at_h: 24\n    action: start_flex\n    schedule:\n"
                      "      - {start_h_of_day: 6, rate_mcg_per_day: 400}\n")
    with pytest.raises(ConfigError, match="start_h_of_day: 0"):
        load_text(tmp_path, text)
    good = MINIMAL + ("  - at_h: 24\n    action: start_flex\n    schedule:\n"
                      "      - {start_h_of_day: 0, rate_mcg_per_day: 400}\n"
                      "      - {start_h_of_day: 7, rate_mcg_per_day: 550}\n")
    step = load_text(tmp_path, good).steps[2]
    assert isinstance(step, StartFlexStep) and step.schedule[1].rate_mcg_per_day == 550


def test_the_start_time_of_day_reaches_the_firmware_and_must_be_a_time_of_day(tmp_path):
    from hil.runner.firmware_setup import firmware_config
    scenario = load_text(tmp_path, "start_time_of_day_h: 14.5\n" + MINIMAL)
    assert firmware_config(scenario).midnight_s == -14.5 * 3600
    assert firmware_config(load_text(tmp_path, MINIMAL)).midnight_s == 0.0
    with pytest.raises(ConfigError, match="start_time_of_day_h") as info:
        load_text(tmp_path, "start_time_of_day_h: 24\n" + MINIMAL)
    assert info.value.issues[0].line == 1


def test_unknown_fault_lists_known_ones(tmp_path):
    text = MINIMAL + "  - {at_h: 2, action: inject_fault, device: pump, fault: explode}\n"
    with pytest.raises(ConfigError, match=r"unknown fault 'explode'.*occlusion"):
        load_text(tmp_path, text)


def test_ptm_press_needs_ptm_settings(tmp_path):
    text = MINIMAL + "  - {at_h: 2, action: ptm_press}\n"
    with pytest.raises(ConfigError, match=r"ptm_press needs pump_settings\.ptm"):
        load_text(tmp_path, text)


def test_bad_requirement_id_format(tmp_path):
    text = MINIMAL.replace("name: t\n", "name: t\nrequirement_ids: [REQ-1]\n")
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    assert info.value.issues[0].dotted_key == "requirement_ids[0]"


def test_missing_drug_library_is_reported(tmp_path):
    text = MINIMAL.replace("library_file: drug.yaml", "library_file: nowhere.yaml")
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    issue = info.value.issues[0]
    assert issue.dotted_key == "drug.library_file" and "nowhere.yaml" in issue.message


def test_limits_override_keys_need_units(tmp_path):
    text = MINIMAL.replace("library_file: drug.yaml", "library_file: drug.yaml, limits_override: {max_daily: 800}")
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, text)
    assert info.value.issues[0].dotted_key.startswith("drug.limits_override")
    ok = MINIMAL.replace("library_file: drug.yaml",
                         "library_file: drug.yaml, limits_override: {hard_max_daily_dose_mcg: 800}")
    assert load_text(tmp_path, ok).drug.limits_override.model_dump(exclude_none=True) == {
        "hard_max_daily_dose_mcg": 800.0
    }


def test_refill_carries_expected_volume(tmp_path):
    text = MINIMAL + ("  - {at_h: 30, action: refill, volume_ul: 6000, expected_volume_ul: 10000,"
                      " conc_mcg_per_ml: 2000, expect: {decision: rejected}}\n")
    step = load_text(tmp_path, text).steps[2]
    assert isinstance(step, RefillStep) and step.expected_volume_ul - step.volume_ul == 4000
    assert step.expect is not None and step.expect.decision == "rejected"


def test_shipped_scenarios_use_only_known_actions():
    used = set()
    for path in SHIPPED:
        used |= {line.split("action:")[1].split(",")[0].split("}")[0].strip()
                 for line in path.read_text().splitlines() if "action:" in line}
    assert used <= set(ACTIONS)


def test_the_runner_carries_out_every_action_the_schema_accepts():
    from hil.runner.steps import ACTIONS as RUNNER_ACTIONS
    assert set(ACTIONS) == set(RUNNER_ACTIONS)


def test_shipped_scenarios_name_only_registered_requirements():
    import re

    from firmware_sim.requirements import REQUIREMENTS
    for path in SHIPPED:
        ids = set(re.findall(r"SR-[A-Z0-9]+-[0-9]+", path.read_text()))
        assert ids, f"{path.name} names no requirement"
        assert ids <= set(REQUIREMENTS), f"{path.name}: unknown {sorted(ids - set(REQUIREMENTS))}"


def test_supervision_period_below_the_firmware_minimum_is_located(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, MINIMAL.replace("duration_h: 48\n", "duration_h: 48\nsupervision_period_s: 0.001\n"))
    issue = info.value.issues[0]
    assert issue.dotted_key == "supervision_period_s" and issue.line == 3
    assert "greater than or equal to 1" in issue.message


def test_patients_load_with_the_default_fraction(tmp_path):
    scenario = load_text(tmp_path, MINIMAL + "patients: {count: 1000, seed: 7}\n")
    assert (scenario.patients.count, scenario.patients.seed, scenario.patients.min_fraction_passing) == (1000, 7, 0.95)
    assert load_text(tmp_path, MINIMAL).patients is None


@pytest.mark.parametrize("patients, key, message", [
    ("{count: 0, seed: 1}", "patients.count", "greater than or equal to 1"),
    ("{count: -5, seed: 1}", "patients.count", "greater than or equal to 1"),
    ("{count: 1000001, seed: 1}", "patients.count", "less than or equal to 1000000"),
    ("{count: 2.5, seed: 1}", "patients.count", "integer"),
    ("{count: 10, seed: -1}", "patients.seed", "greater than or equal to 0"),
    ("{count: 10, min_fraction_passing: 0}", "patients.min_fraction_passing", "greater than 0"),
    ("{count: 10, min_fraction_passing: -0.5}", "patients.min_fraction_passing", "greater than 0"),
    ("{count: 10, min_fraction_passing: 1.01}", "patients.min_fraction_passing", "less than or equal to 1"),
    ("{count: 10, min_fraction_passing: .nan}", "patients.min_fraction_passing", "(got nan)"),
    ("{count: 10, fraction: 0.9}", "patients.fraction", "unknown key"),
])
def test_bad_patients_are_refused_by_name(tmp_path, patients, key, message):
    with pytest.raises(ConfigError) as info:
        load_text(tmp_path, MINIMAL + f"patients: {patients}\n")
    issue = info.value.issues[0]
    assert issue.dotted_key == key and message in issue.message and issue.line == 14  # the patients line


@pytest.mark.requirements("SR-TIT-001")
def test_a_pediatric_patient_reaches_the_firmware_and_its_library_cap_is_loaded():
    from hil.config.loading import load_model
    from hil.config.scenario import ScenarioConfig
    from hil.runner.firmware_setup import effective_drug_limits, firmware_config
    child = load_model(bench_configs_dir() / "scenarios" / "pediatric-maintenance.yaml", ScenarioConfig)
    adult = load_model(bench_configs_dir() / "scenarios" / "adult-maintenance-flex.yaml", ScenarioConfig)
    assert firmware_config(child).pediatric_patient and not firmware_config(adult).pediatric_patient
    assert effective_drug_limits(child).limits.pediatric_titration_cap_fraction == 0.15
