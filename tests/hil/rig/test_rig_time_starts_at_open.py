"""On a wall-clock rig, scenario time starts once the rig is open: the wall time spent opening the devices (a GRBL
banner wait, a balance settling) is not taken from the scenario's first steps, multiplied by the compression."""
from __future__ import annotations

import time
from pathlib import Path

from hil.config.loading import load_model
from hil.config.rig import RigConfig
from hil.rig import Rig
from hil.rig.clocks import CompressedWallClock

COMPRESSION = 50.0
OPEN_DELAY_S = 2.0
RIG = """\
rig_id: wall-emulated
clock: wall
pump:
  driver: ne1000
  transport: {url: "emulator:pump", timeout_s: 1.0}
  safe_mode: false
syringe: {diameter_mm: 14.43, volume_ul: 10000}
max_rate_ul_per_h: 100000
features: []
time_compression: {allowed: true, max_factor: 100}
emulators:
  pump: {kind: ne1000}
"""


def test_time_spent_opening_the_rig_is_not_scenario_time(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "rig.yaml"
    path.write_text(RIG, encoding="utf-8")
    rig = Rig(load_model(path, RigConfig), time_compression_factor=COMPRESSION)
    open_pump = Rig._open_pump

    def slow_open_pump(self, stack):  # a device that takes its time to answer at open
        open_pump(self, stack)
        time.sleep(OPEN_DELAY_S)

    monkeypatch.setattr(Rig, "_open_pump", slow_open_pump)
    assert isinstance(rig.clock, CompressedWallClock)
    with rig:
        scenario_s_at_ready = rig.clock.now_s()
    # Without the restart the clock would read at least OPEN_DELAY_S x COMPRESSION (100 s) here.
    assert scenario_s_at_ready < OPEN_DELAY_S * COMPRESSION / 2
