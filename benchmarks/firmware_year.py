"""One year of therapy in virtual time through the firmware state machine and safety gate.

Hourly flex steps, four PTM presses a day, a refill every 30 days (suspend, refill, resume), with an
in-memory actuator on a virtual clock. Prints the simulated-to-wall-time ratio for several
supervision periods measured side by side in one run (--repeat runs each, interleaved; best and median): the
firmware default (60 s) first, then 600 s and 3600 s (pass others as arguments). Target >= 1e7 at the default
period.

--baseline REV (default 1ba58cf, the firmware before the one event clock) also runs the firmware_sim package of
that git revision, exported to a temporary directory and imported in a child process (as is this tree's), each
year in its own process, interleaved with this tree's; it prints both and the ratio baseline / this tree of the
wall times (> 1: this tree is faster), and of the CPU times of the child processes (steadier on a shared machine).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

from firmware_sim.clock import VirtualClock
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import FlexSchedule, FlexStep, PumpFirmware
from firmware_sim.pump.memory_actuator import InMemoryActuator
from firmware_sim.pump.states import PumpState
from firmware_sim.safety.limits import DrugLimits

H = 3600.0
DAY = 86400.0
DAYS = 365
PTM_HOURS = (8.0, 12.5, 17.0, 21.5)
CONC_MCG_PER_ML = 2000.0
SCHEDULE = FlexSchedule(tuple(FlexStep(float(h), 18.0 + 6.0 * ((h // 6) % 2)) for h in range(24)))  # 504 mcg/day


def one_year(supervision_period_s: float) -> tuple[float, PumpFirmware, InMemoryActuator]:
    clock = VirtualClock()
    actuator = InMemoryActuator(clock)
    fw = PumpFirmware(FirmwareConfig(supervision_period_s=supervision_period_s), DrugLimits(), actuator, clock)
    started = time.perf_counter()
    assert fw.refill(20000, CONC_MCG_PER_ML, 0).approved
    assert fw.prime().approved
    fw.run_until_s(DAY)
    assert fw.configure_ptm(20, 10, 60, 6).approved
    assert fw.start_flex(SCHEDULE).approved, fw.events[-1]
    for day in range(1, DAYS):
        t_day = day * DAY
        if day % 30 == 0:
            fw.run_until_s(t_day + 10 * H)
            assert fw.suspend().approved
            assert fw.refill(20000, CONC_MCG_PER_ML, fw.reservoir_volume_ul).approved
            assert fw.resume().approved
        for hour in PTM_HOURS:
            fw.run_until_s(t_day + hour * H)
            assert fw.press_ptm().approved, fw.events[-1]
    fw.run_until_s(DAYS * DAY)
    wall_s = time.perf_counter() - started
    assert fw.state is PumpState.CONTINUOUS and not fw.active_alarms, fw.active_alarms
    return wall_s, fw, actuator


ROOT = Path(__file__).resolve().parents[1]


def _export(revision: str, into: Path) -> None:
    """firmware_sim/ of a git revision, written under into."""
    archive = subprocess.run(["git", "archive", "--format=tar", revision, "firmware_sim"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")


def _child_year(package_root: Path, period_s: float) -> tuple[float, float]:
    """One year in a child process importing firmware_sim from package_root: (wall_s, cpu_s)."""
    env = dict(os.environ, PYTHONPATH=str(package_root))
    out = subprocess.run([sys.executable, __file__, "--child", str(period_s)], env=env, check=True,
                         capture_output=True, text=True, cwd=package_root).stdout
    result = json.loads(out.splitlines()[-1])
    if Path(result["package"]).resolve() != (package_root / "firmware_sim").resolve():
        raise RuntimeError(f"the child imported firmware_sim from {result['package']}, not {package_root}")
    return result["wall_s"], result["cpu_s"]


def compare(revision: str, periods_s: list[float], repeat: int) -> None:
    print(f"firmware_year: this tree against {revision}, {repeat} runs per period, interleaved, each year in its "
          "own process")
    walls: dict[tuple[str, float], list[float]] = {}
    cpus: dict[tuple[str, float], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        _export(revision, Path(tmp))
        trees = {revision: Path(tmp), "this tree": ROOT}
        for _ in range(repeat):
            for period_s in periods_s:
                for name, root in trees.items():
                    wall_s, cpu_s = _child_year(root, period_s)
                    walls.setdefault((name, period_s), []).append(wall_s)
                    cpus.setdefault((name, period_s), []).append(cpu_s)
    print(f"{'supervision_period_s':>21} {'tree':>10} {'best_s':>7} {'median_s':>9} {'sim/wall median':>16} "
          f"{'wall ratio':>11} {'cpu median_s':>13} {'cpu ratio':>10}")
    for period_s in periods_s:
        base, base_cpu = statistics.median(walls[(revision, period_s)]), statistics.median(cpus[(revision, period_s)])
        for name in trees:
            runs, cpu_s = walls[(name, period_s)], statistics.median(cpus[(name, period_s)])
            median_s = statistics.median(runs)
            print(f"{period_s:>21.0f} {name:>10} {min(runs):>7.2f} {median_s:>9.2f} {DAYS * DAY / median_s:>16.3g} "
                  f"{base / median_s:>11.2f} {cpu_s:>13.2f} {base_cpu / cpu_s:>10.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("periods_s", nargs="*", type=float, help="supervision periods (default: 60 600 3600)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per period, interleaved (default 3)")
    parser.add_argument("--baseline", default=None, metavar="REV",
                        help="also run the firmware of this git revision side by side (e.g. 1ba58cf)")
    parser.add_argument("--child", type=float, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        import firmware_sim
        cpu_started = time.process_time()
        wall_s, _fw, actuator = one_year(args.child)
        print(json.dumps({"wall_s": wall_s, "cpu_s": time.process_time() - cpu_started,
                          "package": str(Path(firmware_sim.__file__).parent)}))
        return
    periods_s = args.periods_s or [FirmwareConfig().supervision_period_s, 600.0, 3600.0]
    if args.baseline is not None:
        compare(args.baseline, periods_s, args.repeat)
        return
    print(f"firmware_year: {DAYS} days, hourly flex steps, {len(PTM_HOURS)} PTM presses/day, refill every 30 days; "
          f"{args.repeat} runs per period, interleaved")
    walls_s: dict[float, list[float]] = {period_s: [] for period_s in periods_s}
    last: dict[float, tuple[PumpFirmware, InMemoryActuator]] = {}
    for _ in range(args.repeat):
        for period_s in periods_s:
            wall_s, fw, actuator = one_year(period_s)
            walls_s[period_s].append(wall_s)
            last[period_s] = fw, actuator
    print(f"{'supervision_period_s':>21} {'best_s':>7} {'median_s':>9} {'sim/wall best':>14} {'sim/wall median':>16} "
          f"{'status_reads':>13} {'commands':>9} {'events':>8} {'delivered_mcg':>14}")
    for period_s in periods_s:
        fw, actuator = last[period_s]
        best_s, median_s = min(walls_s[period_s]), statistics.median(walls_s[period_s])
        print(f"{period_s:>21.0f} {best_s:>7.2f} {median_s:>9.2f} {DAYS * DAY / best_s:>14.3g} "
              f"{DAYS * DAY / median_s:>16.3g} {actuator.status_reads:>13d} {len(actuator.commands):>9d} "
              f"{fw.event_count:>8d} {fw.delivery_profile().total_dose_mcg():>14.1f}")
    print("target: sim/wall >= 1e7 at the default period (a year in about 3 s)")


if __name__ == "__main__":
    main()
