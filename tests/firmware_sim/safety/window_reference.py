"""Rolling-window dose arithmetic: what was delivered plus what is planned, in any 24 h window.

Pure functions over a cumulative dose curve (delivered, piecewise linear between points) and planned
rate pieces (from now on). The dose in a window is F(s + W) - F(s); its maximum over window starts is
reached at a breakpoint or a breakpoint minus W, so only those starts are evaluated.

The arithmetic of the previous firmware_sim/safety/window.py, unchanged; the DoseHistory and RatePiece
containers are the firmware's own.
"""
from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from firmware_sim.safety.window import DoseHistory, RatePiece
from firmware_sim.units import S_PER_H


class _PlannedCumulative:
    """Planned dose from the first piece's start to each x: the piece arrays are built once per check."""

    def __init__(self, pieces: Sequence[RatePiece]) -> None:
        self.empty = not pieces
        self.starts = np.array([p.start_s for p in pieces])
        self.ends = np.array([p.end_s for p in pieces])
        self.rates = np.array([p.rate_mcg_per_h for p in pieces])

    def __call__(self, x_s: np.ndarray) -> np.ndarray:
        if self.empty:
            return np.zeros_like(x_s)
        # clip(x, starts, ends) - starts, times rates, summed per row: in place, one (len(x), len(pieces)) buffer
        covered_s = np.maximum(x_s[:, None], self.starts)
        np.minimum(covered_s, self.ends, out=covered_s)
        covered_s -= self.starts
        covered_s *= self.rates
        return covered_s.sum(axis=1) / S_PER_H


def max_window_dose_mcg(history: DoseHistory, planned: Sequence[RatePiece], window_s: float) -> tuple[float, float]:
    """Largest dose in any window of window_s that starts in [now - window_s, now + window_s].

    Returns (dose_mcg, window_start_s). Planned pieces must start at or after history.now_s.
    """
    now_s = history.now_s
    past_points = history.times_s[history.times_s >= now_s - window_s]
    planned_points = [t for p in planned for t in (p.start_s, p.end_s)]
    points = np.concatenate([past_points, np.array(planned_points, dtype=float), [now_s]])
    starts = np.concatenate([points, points - window_s])
    starts = starts[(starts >= now_s - window_s) & (starts <= now_s + window_s)]
    starts = np.unique(np.append(starts, now_s - window_s))
    planned_cumulative = _PlannedCumulative(planned)
    planned_at_now = float(planned_cumulative(np.array([now_s]))[0])

    def cumulative(x_s: np.ndarray) -> np.ndarray:
        past = history.cumulative_at(np.minimum(x_s, now_s))
        at_s = np.maximum(x_s, now_s)
        # Every x at or before now has the same planned part (the row at now): computed once. Rows are
        # independent, so each value is the one the full matrix would give.
        later = at_s > now_s
        if later.all():
            return past + planned_cumulative(at_s)
        planned_cum = np.full_like(at_s, planned_at_now)
        if later.any():
            planned_cum[later] = planned_cumulative(at_s[later])
        return past + planned_cum

    # The range's right end (now + window_s) is evaluated too (last entry): with planned delivery only near the
    # far end of the plan, the largest window starts there. It is taken only when strictly larger beyond
    # rounding, so which of several equal windows is reported stays as before.
    x_s = np.append(starts, now_s + window_s)
    all_doses = cumulative(x_s + window_s) - cumulative(x_s)
    doses, end_dose = all_doses[:-1], float(all_doses[-1])
    best = int(np.argmax(doses))
    if end_dose > doses[best] + 1e-9 * max(1.0, abs(float(doses[best]))):
        return end_dose, float(x_s[-1])
    return float(doses[best]), float(starts[best])
