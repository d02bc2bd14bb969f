"""Hazard: the host dies mid-bolus on a Harvard rig. A Harvard pump has no watchdog, so what stops it is the target
volume the driver keeps at most the dead-host horizon ahead of the pump's counter and raises while the host lives
[SR-DRV-013].

Met the way a user meets it: `itpump emulate harvard` serves the pump on a pty (a process, wall clock), `itpump run`
delivers a bolus through a wall-clock rig file pointing at that pty (ITPUMP_PUMP_PORT), the run process is killed
with SIGKILL mid-bolus, then a client written from the pump-chain protocol description (send `ivolume` CR, read
lines `LF 00 text CR` up to the unterminated prompt `LF 00 >`, `:` or `T*`) watches the pump. This measures a device's
overrun against its safety bound, with generous slack for a loaded 2-core machine; nothing here times the test suite.
"""
from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
import serial
from host_killed import kill_host_mid_bolus_and_watch

pytestmark = [pytest.mark.timeout(240), pytest.mark.requirements("SR-DRV-013")]
DATA = Path(__file__).parent / "data"
BOLUS_UL_PER_H = 400.0  # 100 mcg over 30 min at 500 mcg/mL
HORIZON_S = 6.0  # the rig sets none: max(three supervision periods of 2 s, hil.rig.motion_horizon's 5 s floor)
SLACK_S = 5.0  # process death, pty reopening and scheduling delays on a loaded machine
_PROMPT = re.compile(rb"\n(\d\d)(T\*|[:<>*])$")
_VOLUME = re.compile(r"^\n\d\d (\d+\.\d+) ul\r$")


def query(port: serial.Serial) -> tuple[str, float]:
    """One `ivolume` query: (prompt, infused uL)."""
    port.reset_input_buffer()
    port.write(b"ivolume\r")
    data = b""
    deadline_s = time.monotonic() + 5.0
    while not _PROMPT.search(data):
        assert time.monotonic() < deadline_s, f"the Harvard emulator sent no prompt within 5 s: {data!r}"
        data += port.read(1)
    prompt = _PROMPT.search(data)
    assert prompt is not None
    volume = _VOLUME.match(data[: prompt.start()].decode("ascii"))
    assert volume is not None, f"not one volume line: {data!r}"
    return prompt.group(2).decode("ascii"), float(volume.group(1))


def not_moving(seen: list[tuple[float, str, float]]) -> bool:
    return seen[-1][1] not in (">", "<")


def test_a_host_killed_mid_bolus_leaves_the_pump_at_most_the_dead_host_horizon(bundled_configs: Path,
                                                                               tmp_path: Path) -> None:
    killed_s, seen, alarms = kill_host_mid_bolus_and_watch(
        "harvard", DATA / "harvard-host-killed-mid-bolus.yaml", DATA / "harvard-wall-pty.yaml", bundled_configs,
        tmp_path / "run", BOLUS_UL_PER_H, HORIZON_S + 60.0, query, not_moving)
    assert alarms == [], "while the host lived, the target raised on the supervision reads kept delivery continuous"
    first_s, first_prompt, first_ul = seen[0]
    assert first_prompt == ">", f"the pump was not infusing after the kill, nothing was measured: {seen[:3]}"
    stopped = next(((t_s, prompt, ul) for t_s, prompt, ul in seen if prompt != ">"), None)
    assert stopped is not None, f"the pump still infused {seen[-1][0] - killed_s:.0f} s after the host was killed"
    stopped_s, stopped_prompt, stopped_ul = stopped
    assert stopped_prompt == "T*"  # it stopped itself at the target volume
    assert stopped_s - killed_s <= HORIZON_S + SLACK_S
    # what it infused between the kill and the first reading, at the bolus rate, plus what was measured after it
    overrun_ul = (stopped_ul - first_ul) + BOLUS_UL_PER_H / 3600 * (first_s - killed_s)
    assert overrun_ul <= BOLUS_UL_PER_H / 3600 * (HORIZON_S + SLACK_S), overrun_ul
    assert stopped_ul - first_ul <= BOLUS_UL_PER_H / 3600 * HORIZON_S + 1e-3
