"""The bundled drug library loads into DrugLimits; bad files name the file, key and line."""
from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from firmware_sim.safety.limits import DrugLimits, Indication
from hil.config.drug_library import load_drug_limits
from hil.config.loading import ConfigError


def test_bundled_baclofen_matches_reference_defaults():
    limits = load_drug_limits("baclofen")
    assert limits == DrugLimits()
    assert limits.titration_cap_fraction[Indication.CEREBRAL] == 0.15


def _write(tmp_path, text):
    path = tmp_path / "drug.yaml"
    path.write_text(text)
    return path


BASE = (Path(__file__).parents[3] / "bench_configs" / "drugs" / "baclofen.yaml").read_text()


def test_unknown_key_names_file_key_and_line(tmp_path):
    path = _write(tmp_path, BASE + "max_bolus_mg: 1\n")
    with pytest.raises(ConfigError) as info:
        load_drug_limits(path)
    text = str(info.value)
    assert "max_bolus_mg" in text and str(path) in text and f":{len(BASE.splitlines()) + 1}:" in text


def test_inconsistent_limits_are_reported(tmp_path):
    path = _write(tmp_path, BASE.replace("soft_max_daily_dose_mcg: 800", "soft_max_daily_dose_mcg: 5000"))
    with pytest.raises(ConfigError, match="soft_max_daily_dose_mcg must not exceed"):
        load_drug_limits(path)


def test_bad_indication_key(tmp_path):
    path = _write(tmp_path, BASE.replace("  cerebral: 0.15", "  cranial: 0.15"))
    with pytest.raises(ConfigError, match="titration_cap_fraction"):
        load_drug_limits(path)


@pytest.mark.requirements("SR-BOL-002", "SR-PTM-001", "SR-TIT-001")
@pytest.mark.parametrize("override, named", [
    ({"min_bolus_duration_min": float("nan")}, "min_bolus_duration_min"),
    ({"ptm_min_lockout_min": float("nan")}, "ptm_min_lockout_min"),
    ({"titration_cap_fraction": {Indication.SPINAL: float("nan"), Indication.CEREBRAL: 0.15}},
     "titration_cap_fraction[spinal]"),
    ({"titration_cap_fraction": {Indication.SPINAL: -0.1, Indication.CEREBRAL: 0.15}},
     "titration_cap_fraction[spinal]"),
    ({"ptm_max_count_per_24h": 2.5}, "ptm_max_count_per_24h"),
])
def test_a_limit_that_would_switch_its_check_off_is_refused_by_name(override, named):
    with pytest.raises(ValueError, match=re.escape(named)):
        dataclasses.replace(DrugLimits(), **override)
