"""The pump-reported volume the run ends with (the sample after the final stop, summary.json's delivered volumes) is
the one the firmware's status reads counted, carried across a pump power reset mid-run: on the GRBL rig the reset
zeroes the machine position, and a read past the actuator recorded 0 uL for 530 uL delivered."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from hil.records import events as ev
from hil.records.reader import read_record
from hil.runner import RunOptions, run_scenario

pytestmark = pytest.mark.timeout(240)


@pytest.mark.parametrize("rig", ["emulated-grbl", "emulated-ne1000"])
def test_final_pump_volume_is_carried_across_a_power_reset(rig: str, bundled_configs: Path, tmp_path: Path) -> None:
    result = run_scenario(bundled_configs / "scenarios" / "hazards" / "hazard-power-reset-mid-infusion.yaml",
                          bundled_configs / "rigs" / f"{rig}.yaml", RunOptions(out_dir=tmp_path / "run"))
    assert result.outcome == "PASS", result.reason
    record = read_record(tmp_path / "run" / "record.jsonl")
    assert "actuator_fault" in {alarm.name for alarm in record.typed(ev.Alarm)}
    samples = record.typed(ev.VolumeSample)
    final, last_tick = samples[-1], samples[-2]
    assert final.after_pump_stop and last_tick.pump_reported_ul is not None and final.pump_reported_ul is not None
    assert last_tick.pump_reported_ul > 500.0  # 400 mcg/day for 3 h before the reset and the hours since
    assert last_tick.pump_reported_ul <= final.pump_reported_ul <= last_tick.pump_reported_ul + 1.0
    assert final.gravimetric_ul is not None and abs(final.pump_reported_ul - final.gravimetric_ul) < 2.0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert summary["delivered"]["pump_reported_ul"] == final.pump_reported_ul
