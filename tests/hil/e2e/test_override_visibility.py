"""A run on overridden drug limits says so: in record.jsonl, first in the terminal verdict, first in the report."""
from __future__ import annotations

from pathlib import Path

import pytest

from hil.cli.main import main
from hil.paths import bench_configs_dir
from hil.records import events as ev
from hil.records.reader import read_record
from scenario_yaml import PUMP_SETTINGS

pytestmark = pytest.mark.timeout(120)

SCENARIO = """\
name: override-visible
duration_h: 3
supervision_period_s: 240
patient: {weight_kg: 70, age_group: adult, age_years: 40, indication: spinal}
drug:
  name: baclofen
  conc_mcg_per_ml: 2000
  limits_override: {hard_max_daily_dose_mcg: 2500, soft_max_daily_dose_mcg: 2400}
  acknowledge_beyond_label: "bench study of the high-dose alarm path"
""" + PUMP_SETTINGS + """steps:
  - {at_h: 0, action: prime}
  - {at_h: 1, action: start_continuous, rate_mcg_per_day: 1800, override_soft_limits: true,
     expect: {decision: approved}}
"""


@pytest.mark.requirements("SR-CFG-002", "SR-CFG-003")
def test_overrides_are_recorded_and_shown_first(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "override-visible.yaml"
    scenario.write_text(SCENARIO)
    rig = tmp_path / "emulated-ne1000.yaml"  # safe_mode left out: the rig runs in safe mode, on a virtual clock
    rig.write_text(
        (bench_configs_dir() / "rigs" / "emulated-ne1000.yaml").read_text().replace("  safe_mode: true\n", "")
    )
    run_dir = tmp_path / "run"
    code = main(["run", str(scenario), "--rig", str(rig), "--out", str(run_dir), "--no-progress"])
    out = capsys.readouterr().out
    assert code == 0, out

    record = read_record(run_dir / "record.jsonl")
    assert [e.KIND for e in record.events[:2]] == [ev.RecordKind.RUN_STARTED, ev.RecordKind.DRUG_LIMITS]
    [drug] = record.typed(ev.DrugLimitsEvent)
    assert drug.acknowledge_beyond_label == "bench study of the high-dose alarm path"
    assert [(o["key"], o["library_value"], o["scenario_value"]) for o in drug.overrides] == [
        ("hard_max_daily_dose_mcg", 1200, 2500), ("soft_max_daily_dose_mcg", 800, 2400)]
    assert all("above the label" in o["beyond_label"] for o in drug.overrides)

    first_lines = out.splitlines()[:4]
    assert first_lines[0].startswith("DRUG LIMITS OVERRIDDEN by the scenario")
    assert "hard_max_daily_dose_mcg: library 1200 -> run 2500 BEYOND LABEL" in first_lines[1]
    assert "acknowledged beyond label: bench study of the high-dose alarm path" in first_lines[3]

    report = (run_dir / "report.html").read_text()
    heading = report.index("DRUG LIMITS OVERRIDDEN")
    assert heading < report.index("<h2>Delivered volume</h2>")
    assert "soft_max_daily_dose_mcg: library 800 -&gt; run 2400 BEYOND LABEL" in report


def test_a_run_on_the_library_as_is_shows_no_override_banner(tmp_path: Path, capsys) -> None:
    scenario = tmp_path / "plain.yaml"
    override = ("  limits_override: {hard_max_daily_dose_mcg: 2500, soft_max_daily_dose_mcg: 2400}\n"
                "  acknowledge_beyond_label: \"bench study of the high-dose alarm path\"\n")
    scenario.write_text(SCENARIO.replace(override, "").replace("rate_mcg_per_day: 1800", "rate_mcg_per_day: 500"))
    run_dir = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(run_dir), "--no-progress"]) == 0
    assert "OVERRIDDEN" not in capsys.readouterr().out
    [drug] = read_record(run_dir / "record.jsonl").typed(ev.DrugLimitsEvent)
    assert drug.overrides == () and drug.acknowledge_beyond_label is None


@pytest.mark.requirements("SR-CFG-001")
def test_a_patient_outside_the_label_is_recorded_and_shown_first(tmp_path: Path, capsys) -> None:
    override = ("  limits_override: {hard_max_daily_dose_mcg: 2500, soft_max_daily_dose_mcg: 2400}\n"
                "  acknowledge_beyond_label: \"bench study of the high-dose alarm path\"\n")
    patient = "patient: {weight_kg: 70, age_group: adult, age_years: 40, indication: spinal}"
    young = ('patient: {weight_kg: 14, age_group: pediatric, age_years: 3, indication: spinal, '
             'acknowledge_beyond_label: "bench study of a patient under 4 years"}')
    assert override in SCENARIO and patient in SCENARIO
    scenario = tmp_path / "young.yaml"
    scenario.write_text(SCENARIO.replace(override, "").replace(patient, young)
                        .replace("rate_mcg_per_day: 1800, override_soft_limits: true", "rate_mcg_per_day: 400"))
    run_dir = tmp_path / "run"
    assert main(["run", str(scenario), "--out", str(run_dir), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("PATIENT OUTSIDE THE LABEL'S POPULATION, acknowledged: bench study of a patient "
                                   "under 4 years")
    [drug] = read_record(run_dir / "record.jsonl").typed(ev.DrugLimitsEvent)
    assert drug.patient_acknowledge_beyond_label == "bench study of a patient under 4 years"
    assert drug.overrides == () and drug.acknowledge_beyond_label is None
    assert "PATIENT OUTSIDE THE LABEL&#x27;S POPULATION" in (run_dir / "report.html").read_text()
