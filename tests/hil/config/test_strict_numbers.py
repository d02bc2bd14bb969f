"""Numbers in configs are finite, never booleans, and within the harness's bounds; refusals name key and line."""
from __future__ import annotations

from pathlib import Path

import pytest

from hil.config import bounds
from hil.config.loading import ConfigError, load_model
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig
from hil.paths import bench_configs_dir

pytestmark = pytest.mark.requirements("SR-CFG-004")

SCENARIOS = bench_configs_dir() / "scenarios"
RIGS = bench_configs_dir() / "rigs"


def edited(tmp_path: Path, source: Path, old: str, new: str) -> Path:
    text = source.read_text()
    assert old in text, old
    path = tmp_path / source.name
    path.write_text(text.replace(old, new, 1))
    return path


def refusal(path: Path, model) -> tuple[str, int | None, str]:
    with pytest.raises(ConfigError) as info:
        load_model(path, model, environ={})
    issue = info.value.issues[0]
    return issue.dotted_key, issue.line, issue.message


@pytest.mark.parametrize("source, old, new, key", [
    ("ptm-use.yaml", "weight_kg: 68", "weight_kg: true", "patient.weight_kg"),
    ("ptm-use.yaml", "duration_h: 48", "duration_h: 48\nseed: false", "seed"),
    ("ptm-use.yaml", "rate_mcg_per_day: 400", "rate_mcg_per_day: .inf", "steps.1.rate_mcg_per_day"),
    ("ptm-use.yaml", "duration_h: 48", "duration_h: .nan", "duration_h"),
    ("adult-maintenance-flex.yaml", "rate_mcg_per_day: 450", "rate_mcg_per_day: .inf",
     "steps.2.schedule.0.rate_mcg_per_day"),
])
def test_scenario_numbers_refuse_booleans_and_non_finite(tmp_path, source, old, new, key):
    path = edited(tmp_path, SCENARIOS / source, old, new)
    dotted, line, message = refusal(path, ScenarioConfig)
    assert dotted.replace("[", ".").replace("]", "") == key
    assert line == next(i for i, text in enumerate(path.read_text().splitlines(), 1) if new.splitlines()[-1] in text)
    assert any(word in message for word in ("boolean", "finite", "nan"))


@pytest.mark.parametrize("source, old, new, key", [
    ("emulated-ne1000.yaml", "timeout_s: 1.0", "timeout_s: .inf", "pump.transport.timeout_s"),
    ("emulated-ne1000.yaml", "max_rate_ul_per_h: 30000", "max_rate_ul_per_h: .inf", "max_rate_ul_per_h"),
    ("emulated-ne1000.yaml", "address: 0", "address: true", "pump.address"),
    ("emulated-grbl.yaml", "min_feed_mm_per_min: 0.0001", "min_feed_mm_per_min: .inf", "pump.min_feed_mm_per_min"),
    ("emulated-grbl.yaml", "startup_wait_s: 0.0", "startup_wait_s: .inf", "pump.startup_wait_s"),
    ("emulated-ne1000.yaml", "density_g_per_ml: 0.998", "density_g_per_ml: true", "balance.density_g_per_ml"),
    ("emulated-ne1000.yaml", "options: {seed: 2}", "options: {seed: .inf}", "emulators.balance.options.seed"),
])
def test_rig_numbers_refuse_booleans_and_non_finite(tmp_path, source, old, new, key):
    path = edited(tmp_path, RIGS / source, old, new)
    dotted, line, _message = refusal(path, RigConfig)
    assert dotted == key
    assert line == next(i for i, text in enumerate(path.read_text().splitlines(), 1) if new in text)


def test_balance_sample_interval_has_a_floor(tmp_path):
    path = edited(tmp_path, RIGS / "emulated-ne1000.yaml", "sample_interval_s: 30", "sample_interval_s: 1e-6")
    dotted, line, message = refusal(path, RigConfig)
    assert dotted == "balance.sample_interval_s" and line is not None
    assert f"greater than or equal to {bounds.MIN_BALANCE_SAMPLE_INTERVAL_S:g}" in message


def test_supervision_period_has_the_harness_floor(tmp_path):
    path = edited(tmp_path, SCENARIOS / "ptm-use.yaml", "supervision_period_s: 240", "supervision_period_s: 0.5")
    dotted, line, message = refusal(path, ScenarioConfig)
    assert dotted == "supervision_period_s" and line == 7
    assert f"greater than or equal to {bounds.MIN_HARNESS_SUPERVISION_PERIOD_S:g}" in message


def test_supervision_ticks_are_bounded_over_long_scenarios(tmp_path):
    path = edited(tmp_path, SCENARIOS / "ptm-use.yaml", "duration_h: 48", "duration_h: 720")
    path.write_text(path.read_text().replace("supervision_period_s: 240", "supervision_period_s: 10"))
    dotted, _, message = refusal(path, ScenarioConfig)
    assert dotted == "supervision_period_s"
    assert f"at most {bounds.MAX_SUPERVISION_TICKS}" in message and "at least 25.9 s" in message


def test_tiny_weight_is_refused(tmp_path):
    path = edited(tmp_path, SCENARIOS / "ptm-use.yaml", "weight_kg: 68", "weight_kg: 5e-324")
    dotted, _, message = refusal(path, ScenarioConfig)
    assert dotted == "patient.weight_kg" and f"{bounds.MIN_PATIENT_WEIGHT_KG:g}" in message


def test_numbers_written_plainly_still_load(tmp_path):
    path = edited(tmp_path, SCENARIOS / "ptm-use.yaml", "weight_kg: 68", "weight_kg: 70.5")
    assert load_model(path, ScenarioConfig, environ={}).patient.weight_kg == 70.5


@pytest.mark.parametrize("source, old, new, key, said", [
    ("ptm-use.yaml", "weight_kg: 68", 'weight_kg: "68"', "patient.weight_kg", "got the string '68'"),
    ("ptm-use.yaml", "rate_mcg_per_day: 400", 'rate_mcg_per_day: "4e2"', "steps.1.rate_mcg_per_day",
     "got the string '4e2'"),
    ("ptm-use.yaml", "{name: occlusion, occurs: false}", '{name: occlusion, occurs: "off"}',
     "expectations.alarms.0.occurs", "expected true or false, got 'off'"),
    ("ptm-use.yaml", "{name: occlusion, occurs: false}", "{name: occlusion, occurs: 0}",
     "expectations.alarms.0.occurs", "expected true or false, got 0"),
])
def test_quoted_numbers_and_flags_that_are_not_true_or_false_are_refused(tmp_path, source, old, new, key, said):
    """Read leniently, a quoted "off" (or 0) turned an expectation's or a check's flag off, and a quoted number passed
    as whatever the string converted to."""
    path = edited(tmp_path, SCENARIOS / source, old, new)
    dotted, line, message = refusal(path, ScenarioConfig)
    assert dotted.replace("[", ".").replace("]", "") == key and said in message
    assert line == next(i for i, text in enumerate(path.read_text().splitlines(), 1) if new in text)


def test_a_quoted_rig_flag_is_refused(tmp_path):
    path = edited(tmp_path, RIGS / "bench-ne1000-usb.yaml", "  allowed: true", '  allowed: "yes"')
    dotted, line, message = refusal(path, RigConfig)
    assert dotted == "time_compression.allowed" and "expected true or false, got 'yes'" in message
    assert line == 31
