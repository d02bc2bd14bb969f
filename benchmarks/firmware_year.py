"""One year of therapy in virtual time through the firmware state machine and safety gate.

Hourly flex steps, four PTM presses a day, a refill every 30 days (suspend, refill, resume), with an
in-memory actuator on a virtual clock. Prints the simulated-to-wall-time ratio for several
supervision periods measured side by side in one run (--repeat runs each, interleaved; best and median): the
firmware default (60 s) first, then 600 s and 3600 s (pass others as arguments). Target >= 1e7 at the default
period.
"""
from __future__ import annotations

import argparse
import statistics
import time

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("periods_s", nargs="*", type=float, help="supervision periods (default: 60 600 3600)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per period, interleaved (default 3)")
    args = parser.parse_args()
    periods_s = args.periods_s or [FirmwareConfig().supervision_period_s, 600.0, 3600.0]
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
