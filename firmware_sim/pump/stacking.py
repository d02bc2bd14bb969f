"""Periodic boluses stacked on the basal program, over every run they will ever make.

The gate's plan covers two 24 h windows; a periodic bolus whose interval does not divide a day drifts through the
flex schedule (every 23 h: an hour earlier each day) and one whose first run is more than two days away is not in
the plan at all. PeriodicStack says the highest tip rate a periodic bolus reaches on top of the basal program at
any of its runs:

* interval and day commensurate (n runs = m days for a whole n <= MAX_CYCLE_RUNS): the runs repeat the same times
  of day every n runs, so the n runs of one cycle are judged exactly;
* otherwise the runs come arbitrarily close to every time of day: the bolus is judged on the basal peak.
"""
from __future__ import annotations

import math

from firmware_sim.pump.programs import BasalProgram, PeriodicBolus
from firmware_sim.safety.therapy import PeriodicStack
from firmware_sim.units import H_PER_DAY, MIN_PER_DAY, S_PER_H, S_PER_MIN

MAX_CYCLE_RUNS = int(MIN_PER_DAY)
"""Largest cycle judged run by run (an interval in whole minutes always repeats within 1440 runs)."""
_COMMENSURATE_TOL = 1e-9
"""How close n x interval_h / 24 h must come to a whole number of days (dimensionless, relative to one day)."""


def cycle_runs(interval_h: float) -> int | None:
    """The smallest n (<= MAX_CYCLE_RUNS) with n x interval_h a whole number of days; None: no such n."""
    for n in range(1, MAX_CYCLE_RUNS + 1):
        days = n * interval_h / H_PER_DAY
        if days >= 1.0 - _COMMENSURATE_TOL and abs(days - round(days)) <= _COMMENSURATE_TOL * max(1.0, days):
            return n
    return None


def periodic_stack(basal: BasalProgram | None, periodic: PeriodicBolus) -> PeriodicStack:
    """The run of periodic at which basal plus bolus rate is highest, over all its runs (basal None: nothing else
    runs beside the boluses)."""
    bolus_rate = periodic.dose_mcg / (periodic.duration_min * S_PER_MIN / S_PER_H)
    if basal is None:
        return PeriodicStack(bolus_rate, 0.0, periodic.next_s, exact=True)
    runs = cycle_runs(periodic.interval_h)
    if runs is None:
        return PeriodicStack(bolus_rate, basal.peak_rate_mcg_per_h, math.nan, exact=False)
    best = PeriodicStack(bolus_rate, -math.inf, math.nan, exact=True)
    duration_s, interval_s = periodic.duration_min * S_PER_MIN, periodic.interval_h * S_PER_H
    for k in range(runs):
        start_s = periodic.next_s + k * interval_s
        under = max(piece.rate_mcg_per_h for piece in basal.planned(start_s, start_s + duration_s))
        if under > best.basal_rate_mcg_per_h:
            best = PeriodicStack(bolus_rate, under, start_s, exact=True)
    return best
