"""When to sample: supervision ticks (three volumes side by side) and the 30 s gravimetric window."""
from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Sequence

from firmware_sim.clock import TIME_EPS_S
from firmware_sim.units import S_PER_H
from hil.runner.steps import DELIVERY_ACTIONS


@dataclass(frozen=True)
class GravimetricWindow:
    start_s: float
    end_s: float
    interval_s: float

    @property
    def sample_count(self) -> int:
        """How many readings times_s() plans (check it before building them)."""
        return math.floor((self.end_s - self.start_s) / self.interval_s + 1e-9) + 1

    def times_s(self) -> list[float]:
        return [self.start_s + i * self.interval_s for i in range(self.sample_count)]


def gravimetric_window(steps: Sequence[object], start_h: float | None, duration_h: float, interval_s: float,
                       scenario_end_h: float) -> GravimetricWindow | None:
    """The window the balance is sampled every interval_s; None if it has no length."""
    if start_h is None:
        starts = [s.at_h for s in steps if getattr(s, "action", None) in DELIVERY_ACTIONS]  # type: ignore[attr-defined]
        if not starts:
            return None
        start_h = starts[0]
    end_h = min(start_h + duration_h, scenario_end_h)
    if end_h <= start_h:
        return None
    return GravimetricWindow(start_h * S_PER_H, end_h * S_PER_H, interval_s)


def supervision_times_s(start_s: float, period_s: float, end_s: float) -> list[float]:
    """The firmware's supervision ticks up to end_s: it counts them from its start, one period at a time
    (start_s + period_s + period_s ..., summed as the firmware sums them, so the times match to the bit)."""
    times: list[float] = []
    t_s = start_s + period_s
    while t_s <= end_s + TIME_EPS_S:
        times.append(t_s)
        t_s += period_s
    return times


def merged_times_s(*series: Sequence[float]) -> list[float]:
    """Sorted union of sample times, times closer than TIME_EPS_S counted once."""
    merged: list[float] = []
    for t in sorted(t for s in series for t in s):
        if not merged or t - merged[-1] > TIME_EPS_S:
            merged.append(t)
    return merged
