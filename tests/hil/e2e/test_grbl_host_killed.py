"""Hazard: the host dies mid-bolus on a GRBL rig. GRBL has no watchdog, so what bounds the overrun is the motion
horizon the driver keeps queued and renews while the host lives [SR-DRV-010].

Met the way a user meets it: `itpump emulate grbl` serves the device on a pty (a process, wall clock),
`itpump run` delivers a bolus through a wall-clock rig file pointing at that pty (ITPUMP_PUMP_PORT), the run
process is killed with SIGKILL mid-bolus, then a client written from the GRBL protocol description (send `?`,
read `<State|MPos:x,y,z|...>`) watches the stepper. This measures a device's overrun against its safety bound,
with generous slack for a loaded 2-core machine; nothing here times the test suite itself.
"""
from __future__ import annotations

import math
import re
import time
from pathlib import Path

import pytest
import serial
from host_killed import kill_host_mid_bolus_and_watch

pytestmark = [pytest.mark.timeout(240), pytest.mark.requirements("SR-DRV-010")]
DATA = Path(__file__).parent / "data"
AREA_MM2 = math.pi * 2.0**2 / 4  # the 2 mm syringe the emulator is started with and the rig file names
BOLUS_UL_PER_H = 400.0  # 100 mcg over 30 min at 500 mcg/mL
FEED_MM_PER_S = BOLUS_UL_PER_H / 3600 / AREA_MM2
HORIZON_S = 6.0  # the rig sets none: max(three supervision periods of 2 s, hil.rig.motion_horizon's 5 s floor)
SLACK_S = 5.0  # process death, pty reopening and scheduling delays on a loaded machine
_REPORT = re.compile(r"^<([A-Za-z]+)(?::\d)?\|[MW]Pos:(-?\d+\.\d+),")


def query(port: serial.Serial) -> tuple[str, float]:
    """One `?` status query: (state, X position in mm). Other lines (ok, banners, [MSG:]) are skipped."""
    port.reset_input_buffer()
    port.write(b"?")
    deadline_s = time.monotonic() + 5.0
    while time.monotonic() < deadline_s:
        match = _REPORT.match(port.readline().decode("ascii", errors="replace").strip())
        if match:
            return match.group(1), float(match.group(2))
    raise AssertionError("the GRBL emulator sent no status report within 5 s")


def idle_twice_at_one_position(seen: list[tuple[float, str, float]]) -> bool:
    return len(seen) >= 2 and seen[-1][1] == seen[-2][1] == "Idle" and seen[-1][2] == seen[-2][2]


def test_a_host_killed_mid_bolus_leaves_the_stepper_at_most_the_motion_horizon(bundled_configs: Path,
                                                                               tmp_path: Path) -> None:
    killed_s, seen, alarms = kill_host_mid_bolus_and_watch(
        "grbl", DATA / "host-killed-mid-bolus.yaml", DATA / "grbl-wall-pty.yaml", bundled_configs, tmp_path / "run",
        BOLUS_UL_PER_H, HORIZON_S + 60.0, query, idle_twice_at_one_position)
    assert alarms == [], "while the host lived, renewal on each supervision tick kept the delivery continuous"
    first_s, first_state, first_mm = seen[0]
    assert first_state == "Run", f"the stepper was not moving after the kill, nothing was measured: {seen[:3]}"
    stopped = next(((t_s, x_mm) for t_s, state, x_mm in seen if state == "Idle"), None)
    assert stopped is not None, f"the stepper still ran {seen[-1][0] - killed_s:.0f} s after the host was killed"
    stopped_s, stopped_mm = stopped
    assert stopped_s - killed_s <= HORIZON_S + SLACK_S
    # the travel between the kill and the first report, at the bolus feed, plus what was measured after it
    overrun_ul = ((stopped_mm - first_mm) + FEED_MM_PER_S * (first_s - killed_s)) * AREA_MM2
    assert overrun_ul <= BOLUS_UL_PER_H / 3600 * (HORIZON_S + SLACK_S), overrun_ul
    assert (stopped_mm - first_mm) * AREA_MM2 <= BOLUS_UL_PER_H / 3600 * HORIZON_S + 4 / 800 * AREA_MM2
