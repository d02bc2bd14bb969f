"""Loosening `drug.limits_override`s beyond what the label (or, where it has no figure, a stated assumption) supports
need `drug.acknowledge_beyond_label`: the PTM lockout and daily count, the soft maximum daily doses and the maximum
drug rate. Values at the bound, or tighter, need none. The bounds are in hil/config/bounds.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from hil.config import bounds
from hil.config.drug_library import DrugLibraryEntry
from hil.config.drug_overrides import effective_limits
from hil.config.loading import ConfigError, load_model
from hil.config.scenario import ScenarioConfig
from hil.paths import bench_configs_dir

LIBRARY = bench_configs_dir() / "drugs" / "baclofen.yaml"
SCENARIO = bench_configs_dir() / "scenarios" / "ptm-use.yaml"
DRUG_LINE = 9  # ptm-use.yaml: drug: {...}
ACK = 'acknowledge_beyond_label: "bench study of the loosened limit"'

PROBES = [  # the probe's overrides, each loaded without an acknowledgement before
    ("ptm_min_lockout_min: 0", "ptm_min_lockout_min", "0 min is shorter than the label's bolus onset (up to 60 min"),
    ("ptm_max_count_per_24h: 100", "ptm_max_count_per_24h", "100 per 24 h is above the most PTM boluses"),
    ("soft_max_daily_dose_mcg: 1200", "soft_max_daily_dose_mcg",
     "1200 mcg/day is above the label's usual spinal-origin maintenance dose"),
    ("max_rate_mcg_per_h: 6000", "max_rate_mcg_per_h", "6000 mcg/h is above the highest drug rate within the label"),
    ("cerebral_soft_max_daily_dose_mcg: 1200", "cerebral_soft_max_daily_dose_mcg",
     "1200 mcg/day is above the label's usual cerebral-origin maintenance dose"),
]


def scenario_with(tmp_path: Path, drug_extra: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(SCENARIO.read_text().replace("conc_mcg_per_ml: 2000}", f"conc_mcg_per_ml: 2000, {drug_extra}}}", 1))
    return path


def only_issue(path: Path, model: type = ScenarioConfig):
    with pytest.raises(ConfigError) as info:
        load_model(path, model, environ={})
    assert len(info.value.issues) == 1, info.value
    return info.value.issues[0]


@pytest.mark.requirements("SR-CFG-001")
@pytest.mark.parametrize("override, key, why", PROBES, ids=[key for _, key, _ in PROBES])
def test_a_loosening_override_beyond_the_label_needs_the_acknowledgement(tmp_path, override, key, why):
    issue = only_issue(scenario_with(tmp_path, f"limits_override: {{{override}}}"))
    assert issue.dotted_key == f"drug.limits_override.{key}" and issue.line == DRUG_LINE
    assert issue.message.startswith("beyond the label's range: ") and why in issue.message
    assert "drug.acknowledge_beyond_label" in issue.message


@pytest.mark.requirements("SR-CFG-001", "SR-CFG-002")
@pytest.mark.parametrize("override, key, why", PROBES, ids=[key for _, key, _ in PROBES])
def test_an_acknowledged_loosening_override_loads_and_records_why(tmp_path, override, key, why):
    path = scenario_with(tmp_path, f"limits_override: {{{override}}}, {ACK}")
    effective = effective_limits(load_model(path, ScenarioConfig, environ={}).drug)
    [recorded] = effective.overrides
    assert recorded.key == key and why in (recorded.beyond_label or "")
    assert effective.record_fields()["acknowledge_beyond_label"] == "bench study of the loosened limit"


AT_THE_BOUND = [
    f"ptm_min_lockout_min: {bounds.LABEL_MIN_PTM_LOCKOUT_MIN:g}",
    f"ptm_max_count_per_24h: {bounds.LABEL_MAX_PTM_COUNT_PER_24H}",
    f"soft_max_daily_dose_mcg: {bounds.LABEL_MAX_MAINTENANCE_DAILY_DOSE_MCG['spinal']:g}",
    f"cerebral_soft_max_daily_dose_mcg: {bounds.LABEL_MAX_MAINTENANCE_DAILY_DOSE_MCG['cerebral']:g}",
    f"max_rate_mcg_per_h: {bounds.LABEL_MAX_RATE_MCG_PER_H:g}",
    "ptm_min_lockout_min: 120", "ptm_max_count_per_24h: 4", "soft_max_daily_dose_mcg: 600",
    "cerebral_soft_max_daily_dose_mcg: 500", "max_rate_mcg_per_h: 100",
]


@pytest.mark.requirements("SR-CFG-001")
@pytest.mark.parametrize("override", AT_THE_BOUND)
def test_an_override_at_the_bound_or_tighter_needs_no_acknowledgement(tmp_path, override):
    effective = effective_limits(load_model(scenario_with(tmp_path, f"limits_override: {{{override}}}"),
                                            ScenarioConfig, environ={}).drug)
    [recorded] = effective.overrides
    assert recorded.key == override.split(":")[0] and recorded.beyond_label is None


@pytest.mark.requirements("SR-CFG-001")
def test_a_needless_acknowledgement_of_a_tightened_override_is_still_refused(tmp_path):
    issue = only_issue(scenario_with(tmp_path, f"limits_override: {{ptm_min_lockout_min: 120}}, {ACK}"))
    assert issue.dotted_key == "drug.acknowledge_beyond_label" and "remove the acknowledgement" in issue.message


@pytest.mark.requirements("SR-CFG-001")
def test_a_soft_maximum_above_the_highest_daily_dose_keeps_that_reason(tmp_path):
    path = scenario_with(tmp_path, f"limits_override: {{hard_max_daily_dose_mcg: 2500, "
                                   f"soft_max_daily_dose_mcg: 2400}}, {ACK}")
    reasons = {o.key: o.beyond_label for o in effective_limits(load_model(path, ScenarioConfig, environ={}).drug)
               .overrides}
    assert reasons["soft_max_daily_dose_mcg"] == ("2400 mcg/day is above the label's highest daily dose "
                                                  f"({bounds.LABEL_MAX_DAILY_DOSE_MCG:g} mcg/day)")


@pytest.mark.requirements("SR-CFG-001")
@pytest.mark.parametrize("old, new, key", [
    ("ptm_min_lockout_min: 60", "ptm_min_lockout_min: 0", "ptm_min_lockout_min"),
    ("ptm_max_count_per_24h: 8", "ptm_max_count_per_24h: 100", "ptm_max_count_per_24h"),
    ("soft_max_daily_dose_mcg: 800", "soft_max_daily_dose_mcg: 1200", "soft_max_daily_dose_mcg"),
    ("max_rate_mcg_per_h: 200", "max_rate_mcg_per_h: 6000", "max_rate_mcg_per_h"),
])
def test_a_library_file_with_a_loosened_limit_needs_its_own_acknowledgement(tmp_path, old, new, key):
    text = LIBRARY.read_text()
    assert old in text
    path = tmp_path / "baclofen.yaml"
    path.write_text(text.replace(old, new, 1))
    issue = only_issue(path, DrugLibraryEntry)
    line = next(number for number, text_line in enumerate(text.splitlines(), 1) if text_line.startswith(old))
    assert issue.dotted_key == key and issue.line == line and "beyond the label's range" in issue.message
    path.write_text(path.read_text() + ACK + "\n")
    acknowledged = load_model(path, DrugLibraryEntry, environ={})
    assert acknowledged.acknowledge_beyond_label == "bench study of the loosened limit"
