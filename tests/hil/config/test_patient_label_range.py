"""A scenario patient outside the label's population (younger than 4 years, lighter than the weight floor) needs
`patient.acknowledge_beyond_label: "<reason>"`, or the scenario is refused at load naming the key and line; an
acknowledgement with nothing outside the label is refused too. The bounds are in hil/config/bounds.py."""
from __future__ import annotations

from pathlib import Path

import pytest

from hil.cli.main import main
from hil.config import bounds
from hil.config.loading import ConfigError, load_model
from hil.config.scenario import ScenarioConfig
from hil.paths import bench_configs_dir

pytestmark = pytest.mark.requirements("SR-CFG-001")

SCENARIO = bench_configs_dir() / "scenarios" / "ptm-use.yaml"
PATIENT = "patient: {weight_kg: 68, age_group: adult, age_years: 51, indication: spinal}"
PATIENT_LINE = 8  # ptm-use.yaml: patient: {...}
ACK = 'acknowledge_beyond_label: "bench study of a patient outside the label"'


def scenario_with_patient(tmp_path: Path, patient: str, drug_extra: str = "") -> Path:
    text = SCENARIO.read_text()
    assert PATIENT in text and text.splitlines()[PATIENT_LINE - 1] == PATIENT
    text = text.replace(PATIENT, f"patient: {{{patient}}}", 1)
    if drug_extra:
        text = text.replace("conc_mcg_per_ml: 2000}", f"conc_mcg_per_ml: 2000, {drug_extra}}}", 1)
    path = tmp_path / "scenario.yaml"
    path.write_text(text)
    return path


def issues(path: Path) -> dict[str, str]:
    with pytest.raises(ConfigError) as info:
        load_model(path, ScenarioConfig, environ={})
    assert all(issue.line == PATIENT_LINE for issue in info.value.issues if issue.dotted_key.startswith("patient"))
    return {issue.dotted_key: issue.message for issue in info.value.issues}


@pytest.mark.parametrize("age_years", [0, 1, 3.9])
def test_a_patient_younger_than_4_years_needs_the_acknowledgement(tmp_path, age_years):
    path = scenario_with_patient(tmp_path, f"weight_kg: 16, age_group: pediatric, age_years: {age_years}, "
                                           "indication: cerebral")
    found = issues(path)
    assert list(found) == ["patient.age_years"]
    assert f"{age_years:g} years is below the label's youngest patients (4 years" in found["patient.age_years"]
    assert "patient.acknowledge_beyond_label" in found["patient.age_years"]


@pytest.mark.parametrize("weight_kg", [2, 11.9])
def test_a_patient_lighter_than_the_weight_floor_needs_the_acknowledgement(tmp_path, weight_kg):
    path = scenario_with_patient(tmp_path, f"weight_kg: {weight_kg}, age_group: adult, age_years: 51, "
                                           "indication: spinal")
    found = issues(path)
    assert list(found) == ["patient.weight_kg"]
    assert f"{weight_kg:g} kg is below" in found["patient.weight_kg"]
    assert f"({bounds.LABEL_MIN_PATIENT_WEIGHT_KG:g} kg" in found["patient.weight_kg"]


def test_a_newborn_is_refused_for_age_and_weight_and_check_names_both(tmp_path, capsys):
    path = scenario_with_patient(tmp_path, "weight_kg: 3.5, age_group: pediatric, age_years: 0, indication: spinal")
    assert set(issues(path)) == {"patient.age_years", "patient.weight_kg"}
    assert main(["check", str(path)]) == 2
    out = capsys.readouterr().out
    assert f"{path}:{PATIENT_LINE}: patient.age_years: beyond the label's range" in out
    assert f"{path}:{PATIENT_LINE}: patient.weight_kg: beyond the label's range" in out


def test_an_acknowledged_patient_outside_the_label_loads_and_check_says_so(tmp_path, capsys):
    path = scenario_with_patient(tmp_path, f"weight_kg: 3.5, age_group: pediatric, age_years: 0, "
                                           f"indication: spinal, {ACK}")
    patient = load_model(path, ScenarioConfig, environ={}).patient
    assert (patient.age_years, patient.weight_kg) == (0, 3.5)
    assert patient.acknowledge_beyond_label == "bench study of a patient outside the label"
    assert main(["check", str(path)]) == 0
    assert ("patient outside the label's population, acknowledged: bench study of a patient outside the label"
            in capsys.readouterr().out)


def test_a_patient_at_the_label_floors_needs_no_acknowledgement(tmp_path):
    path = scenario_with_patient(tmp_path, f"weight_kg: {bounds.LABEL_MIN_PATIENT_WEIGHT_KG:g}, "
                                           f"age_group: pediatric, age_years: {bounds.LABEL_MIN_AGE_YEARS:g}, "
                                           "indication: cerebral")
    patient = load_model(path, ScenarioConfig, environ={}).patient
    assert patient.age_years == 4 and patient.acknowledge_beyond_label is None


def test_a_needless_patient_acknowledgement_is_refused(tmp_path):
    path = scenario_with_patient(tmp_path, f"weight_kg: 68, age_group: adult, age_years: 51, indication: spinal, {ACK}")
    found = issues(path)
    assert list(found) == ["patient.acknowledge_beyond_label"]
    assert "remove the acknowledgement" in found["patient.acknowledge_beyond_label"]


def test_a_patient_acknowledgement_gives_a_reason(tmp_path):
    path = scenario_with_patient(tmp_path, "weight_kg: 10, age_group: pediatric, age_years: 2, indication: spinal, "
                                           "acknowledge_beyond_label: 'yes'")
    found = issues(path)
    assert list(found) == ["patient.acknowledge_beyond_label"]
    assert f"at least {bounds.MIN_ACKNOWLEDGEMENT_CHARS} characters" in found["patient.acknowledge_beyond_label"]


def test_the_drug_acknowledgement_does_not_cover_the_patient(tmp_path):
    path = scenario_with_patient(tmp_path, "weight_kg: 14, age_group: pediatric, age_years: 3, indication: spinal",
                                 drug_extra=ACK)
    found = issues(path)
    assert set(found) == {"patient.age_years", "drug.acknowledge_beyond_label"}
    assert "patient.acknowledge_beyond_label" in found["patient.age_years"]


def test_below_the_pk_models_weight_the_patient_is_refused_even_when_acknowledged(tmp_path):
    path = scenario_with_patient(tmp_path, f"weight_kg: 1.5, age_group: pediatric, age_years: 0, "
                                           f"indication: spinal, {ACK}")
    found = issues(path)
    assert list(found) == ["patient.weight_kg"]
    assert f"{bounds.MIN_PATIENT_WEIGHT_KG:g}" in found["patient.weight_kg"]
