"""A pump running a few percent fast (HAZ-DEL-005): caught by the gravimetric delivery check on both emulated rigs,
missed without it; at a refill the aspirated residual is measured from the balance, so the over-infusion shows
there too (SR-SUP-006, SR-RES-005)."""
from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.units import S_PER_H
from hil.records import events as ev
from hil.records.reader import read_record
from hil.runner import RunOptions, run_scenario
from hil.runner.physical_reservoir import PhysicalReservoir

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / "bench_configs"
SCENARIO = CONFIGS / "scenarios" / "hazards" / "hazard-pump-runs-fast.yaml"

pytestmark = [pytest.mark.timeout(240), pytest.mark.requirements("SR-SUP-006")]


@pytest.mark.parametrize("rig", ["emulated-ne1000", "emulated-grbl"])
def test_the_balance_catches_the_fast_pump_naming_both_volumes(rig: str, tmp_path: Path) -> None:
    result = run_scenario(SCENARIO, CONFIGS / "rigs" / f"{rig}.yaml", RunOptions(out_dir=tmp_path / "run"))
    assert result.outcome == "PASS", result.reason
    first = read_record(tmp_path / "run" / "record.jsonl").typed(ev.Alarm)[0]
    assert first.name == "gravimetric_deviation" and first.priority == "high"
    assert 2.0 < first.t_s / S_PER_H < 5.5  # a day before the reservoir would run dry (about 27.6 h)
    assert "the balance weighed" in first.detail and "while the pump reported" in first.detail
    deviation_percent = float(first.detail.split("(+")[1].split("%")[0])
    assert 5.0 < deviation_percent <= 8.5


def test_without_the_check_the_fast_pump_goes_unnoticed(tmp_path: Path) -> None:
    rig = tmp_path / "rig.yaml"
    text = (CONFIGS / "rigs" / "emulated-ne1000.yaml").read_text()
    rig.write_text(
        text.replace("  sample_interval_s: 30\n", "  sample_interval_s: 30\n  delivery_check: {enabled: false}\n", 1)
    )
    result = run_scenario(SCENARIO, rig, RunOptions(out_dir=tmp_path / "run"))
    assert result.outcome == "FAIL" and "gravimetric_deviation" in result.reason


@pytest.mark.requirements("SR-RES-005")
def test_the_refill_residual_is_measured_from_the_balance_when_there_is_a_reading():
    reservoir = PhysicalReservoir(1500.0)
    assert reservoir.residual_ul(delivered_ul=500.0, weighed_ul=540.0) == pytest.approx(960.0)
    assert reservoir.residual_ul(delivered_ul=500.0) == pytest.approx(1000.0)  # no reading: the pump's count
    reservoir.refilled(2000.0, delivered_ul=500.0, weighed_ul=540.0)
    assert reservoir.residual_ul(delivered_ul=600.0, weighed_ul=648.0) == pytest.approx(1892.0)
    reservoir.refilled(2000.0, delivered_ul=600.0)  # a fill that was not weighed: the pump's count from there
    assert reservoir.residual_ul(delivered_ul=700.0, weighed_ul=760.0) == pytest.approx(1900.0)
