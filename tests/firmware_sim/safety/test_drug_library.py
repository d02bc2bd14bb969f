"""The bundled drug library loads into DrugLimits; bad files name the file, key and line."""
from __future__ import annotations

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


BASE = (open(__file__.replace("tests/firmware_sim/safety/test_drug_library.py", "bench_configs/drugs/baclofen.yaml"))
        .read())


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
