"""The live status fed by a real run: the snapshot through hazard-occlusion on the emulated NE-1000 rig (virtual
clock), checked against the run's own record; and `itpump run` on a wall-clock emulated rig with its stderr on a
pseudo-terminal, which shows the live status (and only the run folder line with --no-progress)."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from firmware_sim.units import S_PER_H
from hil.records import events as ev
from hil.records.reader import read_record
from hil.runner import RunOptions, run_scenario
from hil.runner.live_status import StatusSnapshot, StatusTracker
from scenario_yaml import adult_scenario_yaml

pytestmark = pytest.mark.timeout(180)
ITPUMP = [sys.executable, "-m", "hil.cli.main"]


class Recording(StatusTracker):
    """Keeps the snapshot after every time step the runner reports."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[StatusSnapshot] = []

    def at(self, t_s: float) -> None:
        super().at(t_s)
        self.seen.append(self.snapshot)


def at_h(seen: list[StatusSnapshot], t_h: float) -> StatusSnapshot:
    return next(s for s in seen if s.t_s >= t_h * S_PER_H)


def test_the_snapshot_follows_a_real_run(bundled_configs: Path, tmp_path: Path) -> None:
    tracker, run_dir = Recording(), tmp_path / "run"
    result = run_scenario(bundled_configs / "scenarios" / "hazard-occlusion.yaml",
                          bundled_configs / "rigs" / "emulated-ne1000.yaml", RunOptions(out_dir=run_dir), tracker)
    assert result.outcome == "PASS", result.reason
    record = read_record(run_dir / "record.jsonl")
    first, last = tracker.seen[0], tracker.snapshot
    assert first.info.scenario_name == "hazard-occlusion" and first.info.run_dir == run_dir
    assert first.info.clock == "virtual" and first.info.duration_s == 30 * S_PER_H
    # continuous delivery at 400 mcg/day (2000 mcg/mL), no alarm yet, volumes of the last tick, the last weighing
    running = at_h(tracker.seen, 12.0)
    assert running.state == "continuous" and running.conc_mcg_per_ml == 2000.0
    assert running.rate_mcg_per_day == pytest.approx(400.0) and running.alarms == ()
    sample = next(e for e in record.typed(ev.VolumeSample) if e.t_s == running.volumes_t_s)
    assert (running.commanded_ul, running.pump_reported_ul, running.gravimetric_ul) == \
        (sample.commanded_ul, sample.pump_reported_ul, sample.gravimetric_ul)
    assert running.balance is not None and running.balance.stable and running.balance.mass_g > 0
    assert 0 <= running.t_s - running.volumes_t_s <= 60.0  # the volumes of the last tick
    # on a virtual clock the balance is weighed where a measurement needs it: at least every 15 min (PK profile)
    assert 0 <= running.volumes_t_s - running.balance.t_s <= 15 * 60.0
    # the occlusion's alarm as it latched, the state after it, the run carried on to its end
    alarm = record.typed(ev.Alarm)[0]
    latched = next(s for s in tracker.seen if s.alarms)
    assert [(a.name, a.priority, a.t_s) for a in latched.alarms] == [("motor_stall", "high", alarm.t_s)]
    assert latched.state == "alarm" and latched.rate_ul_per_h == 0.0
    assert last.t_s == pytest.approx(30 * S_PER_H) and last.remaining_s == 0.0 and last.remaining_wall_s is None
    final = record.typed(ev.VolumeSample)[-1]
    assert final.after_pump_stop is True
    assert (last.commanded_ul, last.pump_reported_ul, last.gravimetric_ul) == \
        (final.commanded_ul, final.pump_reported_ul, final.gravimetric_ul)


WALL_RIG = """\
rig_id: wall-emulated
clock: wall
pump:
  driver: ne1000
  transport: {url: "emulator:pump", timeout_s: 1.0}
  address: 0
  safe_mode: false
  baud_rate_bps: 19200
syringe: {diameter_mm: 14.43, volume_ul: 10000}
balance:
  resource: "emulator:balance"
  backend: "@py"
  density_g_per_ml: 0.998
  evaporation_rate_mg_per_h: 0.0
  sample_interval_s: 30
max_rate_ul_per_h: 100000
features: [balance]
time_compression: {allowed: true, max_factor: 100}
emulators:
  pump: {kind: ne1000}
  balance: {kind: balance, linked_pump: pump, options: {seed: 2, noise_sd_g: 0.0}}
"""
WALL_SCENARIO = adult_scenario_yaml("wall-prime", 0.05, ["{at_h: 0.0, action: prime}", "{at_h: 0.05, action: wait}"],
                                    supervision_period_s=60)
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def run_on_a_terminal(tmp_path: Path, *extra: str) -> tuple[int, str, Path]:
    """`itpump run` (180 s scenario at x50, a few seconds) with stderr on a pty; returns the exit code, what the
    terminal showed (escape codes removed) and the run folder."""
    (tmp_path / "rig.yaml").write_text(WALL_RIG, encoding="utf-8")
    (tmp_path / "scenario.yaml").write_text(WALL_SCENARIO, encoding="utf-8")
    run_dir = tmp_path / f"run{len(list(tmp_path.glob('run*')))}"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR", "TERM")}
    env["TERM"] = "xterm-256color"
    with open(tmp_path / "stdout.txt", "wb") as stdout:
        process = subprocess.Popen([*ITPUMP, "run", str(tmp_path / "scenario.yaml"), "--rig",
                                    str(tmp_path / "rig.yaml"),
                                    "--time-compression", "50", "--out", str(run_dir), *extra],
                                   stdin=subprocess.DEVNULL, stdout=stdout, stderr=slave, env=env)
    os.close(slave)
    shown = bytearray()
    deadline = time.monotonic() + 150
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the pty closes when the process (its last holder) exits
                break
            if not chunk:
                break
            shown += chunk
        elif process.poll() is not None:
            break
    os.close(master)
    code = process.wait(timeout=30)
    return code, ANSI.sub("", shown.decode("utf-8", errors="replace")), run_dir


def test_a_wall_clock_run_on_a_terminal_shows_the_live_status(tmp_path: Path) -> None:
    code, shown, run_dir = run_on_a_terminal(tmp_path)
    record = read_record(run_dir / "record.jsonl")
    assert record.finished is not None and code in (0, 1, 2), shown
    assert "Traceback" not in shown, shown
    assert f"run folder: {run_dir}" in shown.splitlines()[0]
    lines = [" ".join(line.split()) for line in shown.replace("\r", "\n").splitlines()]
    assert "run wall-prime (wall clock, time compression x50)" in lines
    assert f"folder {run_dir}" in lines
    for label in ("pump state ", "rate ", "volumes commanded ", "pump-reported ", "weighed ", "balance ",
                  "alarms ", "scenario ", "wall "):
        assert any(line.startswith(label) for line in lines), (label, shown[-3000:])
    # the last frame stays on the terminal: the whole scenario done, no wall time left, a balance reading shown
    assert "scenario 0.050 h elapsed, 0.000 h left of 0.050 h" in lines, shown[-3000:]
    assert any(line.startswith("wall ") and line.endswith("elapsed, 0:00:00 left") for line in lines)
    assert any(re.fullmatch(r"balance \d+\.\d{4} g (stable|UNSTABLE) age \d+ s", line) for line in lines)
    assert any(line.startswith("pump state priming") for line in lines)


def test_no_progress_leaves_only_the_run_folder_line_on_the_terminal(tmp_path: Path) -> None:
    _code, shown, run_dir = run_on_a_terminal(tmp_path, "--no-progress")
    assert read_record(run_dir / "record.jsonl").finished is not None
    assert shown.strip() == f"run folder: {run_dir}", shown
