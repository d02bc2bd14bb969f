"""A child's dose increases are capped at the drug library's pediatric cap (15 %, [U]) whatever the indication: an
8-year-old with spinal-origin spasticity is not titrated at the adult spinal 30 %."""
from __future__ import annotations

from pathlib import Path

import pytest

from hil.runner import RunOptions, run_scenario

CONFIGS = Path(__file__).resolve().parents[3] / "bench_configs"


SCENARIO = """\
name: child-titration
duration_h: 27
supervision_period_s: 240
patient: {weight_kg: 25, age_group: pediatric, age_years: 8, indication: spinal}
drug: {name: baclofen, conc_mcg_per_ml: 500}
pump_settings:
  reservoir_volume_ul: 5000
  reservoir_capacity_ul: 20000
  catheter: {length_cm: 50, volume_ul_per_cm: 2.6}
  pump_tubing_volume_ul: 220
  low_reservoir_threshold_ul: 1000
steps:
  - {at_h: 0.0, action: prime}
  - {at_h: 1.0, action: start_continuous, rate_mcg_per_day: 200}
  - at_h: 25.5
    action: change_rate
    rate_mcg_per_day: 260
    expect: {decision: rejected, cites_requirement_ids: [SR-TIT-001]}
  - {at_h: 26.0, action: change_rate, rate_mcg_per_day: 230, expect: {decision: approved}}
  - {at_h: 27.0, action: wait}
"""


@pytest.mark.requirements("SR-TIT-001")
def test_a_spinal_origin_child_is_titrated_at_the_pediatric_cap(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(CONFIGS))
    scenario = tmp_path / "child.yaml"
    scenario.write_text(SCENARIO)
    result = run_scenario(scenario, CONFIGS / "rigs" / "emulated-ne1000.yaml", RunOptions(out_dir=tmp_path / "run"))
    assert result.outcome == "PASS", result.reason
