"""Shared by the host-killed tests (tests/hil/e2e/test_*_host_killed.py): an `itpump emulate` device process, an
`itpump run` process on a wall-clock rig pointing at its pty, and waiting in that run's record for the moment to
kill it (the bolus rate commanded and supervision status reads after it)."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ITPUMP = [sys.executable, "-m", "hil.cli.main"]


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
        if bolus and sum('"kind":"status"' in line for line in lines[bolus[0]:]) >= renewals:
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
