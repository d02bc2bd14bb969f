"""Shared by the host-killed tests (tests/hil/e2e/test_*_host_killed.py): an `itpump emulate` device process, an
`itpump run` process on a wall-clock rig pointing at its pty, and waiting in that run's record for the moment to
kill it (the bolus rate commanded and supervision status reads after it)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import serial

ITPUMP = [sys.executable, "-m", "hil.cli.main"]
Reading = tuple[float, str, float]
"""(monotonic time, the device's state, its position or volume) of one query."""


def record_lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def wait_for_bolus_and_renewals(record: Path, run: subprocess.Popen, bolus_ul_per_h: float, renewals: int = 2) -> None:
    """Until the bolus rate is commanded and `renewals` supervision status reads followed it."""
    deadline_s = time.monotonic() + 120.0
    while time.monotonic() < deadline_s:
        assert run.poll() is None, run.communicate()
        lines = record_lines(record)
        bolus = [i for i, line in enumerate(lines)
                 if '"rate_command"' in line and f'"rate_ul_per_h":{bolus_ul_per_h}' in line]
        after = lines[bolus[0]:] if bolus else []
        statuses = sum('"kind":"status"' in line or '"firmware_status":true' in line for line in after)  # or carried
        if bolus and statuses >= renewals:
            return
        time.sleep(0.1)
    raise AssertionError("the run did not reach the bolus in time")


def start_emulator(kind: str, *options: str) -> tuple[subprocess.Popen, str]:
    """`itpump emulate KIND OPTIONS...` and the pty path it announces."""
    emulator = subprocess.Popen([*ITPUMP, "emulate", kind, *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    announced = emulator.stdout.readline().strip() if emulator.stdout else ""
    if not announced.startswith(f"{kind}: /dev/"):
        emulator.kill()
        raise AssertionError((announced, emulator.communicate(timeout=30)))
    return emulator, announced.split(": ", 1)[1]


def run_and_kill_mid_bolus(scenario: Path, rig: Path, pty_path: str, bundled_configs: Path, out_dir: Path,
                           bolus_ul_per_h: float) -> float:
    """`itpump run SCENARIO --rig RIG` on the pty; SIGKILL once the bolus is under way. The monotonic kill time."""
    env = {**os.environ, "ITPUMP_PUMP_PORT": pty_path, "ITPUMP_BENCH_CONFIGS": str(bundled_configs)}
    run = subprocess.Popen([*ITPUMP, "run", str(scenario), "--rig", str(rig), "--out", str(out_dir), "--json",
                            "--no-progress"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_bolus_and_renewals(out_dir / "record.jsonl", run, bolus_ul_per_h)
        killed_s = time.monotonic()
        run.send_signal(signal.SIGKILL)
        run.wait(timeout=30)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait(timeout=30)
    return killed_s


def watch_until_stopped(path: str, until_s: float, query: Callable[[serial.Serial], tuple[str, float]],
                        stopped: Callable[[list[Reading]], bool]) -> list[Reading]:
    """query(port) every 0.1 s on the pty at 115200 baud until stopped(readings so far), or until_s."""
    seen: list[Reading] = []
    with serial.Serial(path, 115200, timeout=0.5) as port:
        while time.monotonic() < until_s:
            state, value = query(port)
            seen.append((time.monotonic(), state, value))
            if stopped(seen):
                break
            time.sleep(0.1)
    return seen


def kill_host_mid_bolus_and_watch(kind: str, scenario: Path, rig: Path, bundled_configs: Path, out_dir: Path,
                                  bolus_ul_per_h: float, watch_s: float,
                                  query: Callable[[serial.Serial], tuple[str, float]],
                                  stopped: Callable[[list[Reading]], bool]) -> tuple[float, list[Reading], list[str]]:
    """`itpump emulate KIND` with a 2 mm, 500 uL syringe, the run killed mid-bolus, then the device watched for
    watch_s: (kill time, readings, the record's alarm lines)."""
    emulator, pty_path = start_emulator(kind, "--syringe-diameter-mm", "2", "--syringe-volume-ul", "500")
    try:
        killed_s = run_and_kill_mid_bolus(scenario, rig, pty_path, bundled_configs, out_dir, bolus_ul_per_h)
        seen = watch_until_stopped(pty_path, killed_s + watch_s, query, stopped)
    finally:
        emulator.send_signal(signal.SIGTERM)
        emulator.communicate(timeout=30)
    alarms = [line for line in record_lines(out_dir / "record.jsonl") if line.startswith('{"event":"alarm"')]
    return killed_s, seen, alarms
