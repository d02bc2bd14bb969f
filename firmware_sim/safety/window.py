"""Rolling-window dose arithmetic: what was delivered plus what is planned, in any 24 h window.

Pure functions over a cumulative dose curve (delivered, piecewise linear between points) and planned
rate pieces (from now on). The dose in a window is F(s + W) - F(s); its maximum over window starts is
reached at a breakpoint or a breakpoint minus W, so only those starts are evaluated.

Speed without changing a value: an error-bounded estimate of every start's dose (one interpolation, _DoseScreen)
picks the starts that can be the largest; only those get the reference arithmetic (the previous code, kept in
tests/firmware_sim/safety/window_reference.py), so the maximum and the start reported, also among equal
windows, are those of evaluating every start. max_window_dose_above_mcg (the gate's check) stops at the
estimate when the maximum is certainly within the limit.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import NamedTuple
from collections.abc import Sequence

import numpy as np

from firmware_sim.units import S_PER_H

_EPS = float(np.finfo(float).eps)
_TINY = 1e-290  # absorbs underflow in the error bounds
_PIECE_FIELDS = attrgetter("start_s", "end_s", "rate_mcg_per_h")
_MAX_BUFFER_ELEMENTS = 1 << 22
"""The reference arithmetic's (rows x pieces) buffer in blocks of at most this many floats (32 MiB)."""


class RatePiece(NamedTuple):
    """Planned delivery at the catheter tip: rate_mcg_per_h from start_s to end_s (a plan holds a piece per flex
    step for two days, built for every gate call: a NamedTuple is the cheapest immutable record)."""

    start_s: float
    end_s: float
    rate_mcg_per_h: float

    @property
    def dose_mcg(self) -> float:
        return self.rate_mcg_per_h * (self.end_s - self.start_s) / S_PER_H


def peak_rate_mcg_per_h(pieces: Sequence[RatePiece]) -> float:
    """Highest summed rate of overlapping pieces (pieces cover [start_s, end_s); a piece ending where another
    starts does not overlap it)."""
    live = [p for p in pieces if p[1] > p[0]]  # (start_s, end_s, rate_mcg_per_h) by index: the cheaper access
    edges = sorted([(p[0], 1, p[2]) for p in live] + [(p[1], 0, -p[2]) for p in live])
    rate = peak = 0.0
    for _t_s, _starts, change in edges:  # at equal times ends (0) sort before starts (1)
        rate += change
        if rate > peak:
            peak = rate
    return peak


@dataclass(frozen=True)
class DoseHistory:
    """Cumulative dose at the tip delivered up to now: cum_mcg[i] at times_s[i], non-decreasing."""

    times_s: np.ndarray
    cum_mcg: np.ndarray

    @staticmethod
    def empty(now_s: float) -> DoseHistory:
        return DoseHistory(np.array([now_s]), np.array([0.0]))

    @property
    def now_s(self) -> float:
        return float(self.times_s[-1])

    def cumulative_at(self, t_s: np.ndarray | float) -> np.ndarray:
        return np.asarray(np.interp(t_s, self.times_s, self.cum_mcg))

class _PlannedCumulative:
    """Planned dose from the first piece's start to each x: the piece arrays are built once per check."""

    def __init__(self, pieces: Sequence[RatePiece]) -> None:
        self.empty = not pieces
        table = np.fromiter(chain.from_iterable(map(_PIECE_FIELDS, pieces)), float, 3 * len(pieces)).reshape(-1, 3)
        self.points_s = table[:, :2].ravel()
        """Every piece's start and end, in piece order."""
        self.starts, self.ends, self.rates = table.T.copy()

    def __call__(self, x_s: np.ndarray) -> np.ndarray:
        """The reference arithmetic. Each x is one row, whose value does not depend on the other rows."""
        if self.empty:
            return np.zeros_like(x_s)
        rows = max(1, _MAX_BUFFER_ELEMENTS // len(self.starts))
        if len(x_s) > rows:  # rows in blocks: memory bounded whatever the plan's size, each row's value the same
            return np.concatenate([self(x_s[i:i + rows]) for i in range(0, len(x_s), rows)])
        # clip(x, starts, ends) - starts, times rates, summed per row: in place, one (len(x), len(pieces)) buffer
        covered_s = np.maximum(x_s[:, None], self.starts)
        np.minimum(covered_s, self.ends, out=covered_s)
        covered_s -= self.starts
        covered_s *= self.rates
        total_mcg: np.ndarray = covered_s.sum(axis=1) / S_PER_H
        return total_mcg


def _candidate_starts(history: DoseHistory, planned: _PlannedCumulative, window_s: float,
                      unique: bool = True) -> np.ndarray:
    """Window starts in [now - window_s, now + window_s] at a breakpoint or a breakpoint minus window_s (sorted
    and unique, or as found: enough for a maximum)."""
    now_s = history.now_s
    past_points = history.times_s[history.times_s >= now_s - window_s]
    points = np.concatenate([past_points, planned.points_s, [now_s]])
    starts = np.concatenate([points, points - window_s])
    starts = starts[(starts >= now_s - window_s) & (starts <= now_s + window_s)]
    starts = np.append(starts, now_s - window_s)
    return np.unique(starts) if unique else starts


def max_window_dose_mcg(history: DoseHistory, planned: Sequence[RatePiece], window_s: float) -> tuple[float, float]:
    """Largest dose in any window of window_s that starts in [now - window_s, now + window_s].

    Returns (dose_mcg, window_start_s). Planned pieces must start at or after history.now_s.
    """
    planned_cumulative = _PlannedCumulative(planned)
    return _max_window(history, planned_cumulative, window_s, _DoseScreen.build(history, planned_cumulative))


def max_window_dose_above_mcg(history: DoseHistory, planned: Sequence[RatePiece], window_s: float,
                              threshold_mcg: float) -> tuple[float, float] | None:
    """None when max_window_dose_mcg is certainly at most threshold_mcg, else max_window_dose_mcg (the same values).

    The usual case, a dose well within the limit, then needs neither sorted window starts nor exact arithmetic;
    one far within it (window_dose_bound_mcg) not even the estimate.
    """
    if window_dose_bound_mcg(history, planned, window_s) <= threshold_mcg:
        return None
    planned_cumulative = _PlannedCumulative(planned)
    screen = _DoseScreen.build(history, planned_cumulative)
    if screen is not None and math.isfinite(window_s):
        x_s = np.append(_candidate_starts(history, planned_cumulative, window_s, unique=False),
                        history.now_s + window_s)
        # Every exact dose is within tol of its estimate; the extra margin absorbs the rounding of the subtraction.
        if screen.doses(x_s, window_s).max() <= threshold_mcg - 2.0 * screen.tol_mcg - 4.0 * _EPS * abs(threshold_mcg):
            return None
    return _max_window(history, planned_cumulative, window_s, screen)


def window_dose_bound_mcg(history: DoseHistory, planned: Sequence[RatePiece], window_s: float) -> float:
    """A value no window dose max_window_dose_mcg evaluates exceeds (its rounding included), by a bound needing no
    window starts: a window starting at or before now holds at most the delivered rise over the history (the
    largest value less the smallest) plus the plan's dose up to now + window_s (1 s more, for the rounding of the
    window's end), one starting later at most the whole plan's dose after now (rates are not negative). The margin
    is the screen's (_DoseScreen) for the same history and pieces, taken with room to spare for the few sums here:
    the reference arithmetic is within it of these quantities. A negative rate, a non-finite value or history times
    that do not increase: no bound (inf)."""
    cum_mcg = history.cum_mcg
    now_s = float(history.times_s[-1])
    horizon_s = now_s + window_s + 1.0
    in_window_mcg = after_now_mcg = abs_planned_mcg = 0.0
    for start_s, end_s, rate in planned:
        if not rate >= 0.0:
            return math.inf
        abs_planned_mcg += rate * abs(end_s - start_s)
        from_s = start_s if start_s > now_s else now_s
        if end_s > from_s:
            after_now_mcg += rate * (end_s - from_s)
            if horizon_s > from_s:
                in_window_mcg += rate * ((end_s if end_s < horizon_s else horizon_s) - from_s)
    lowest_mcg, highest_mcg = float(cum_mcg.min()), float(cum_mcg.max())
    abs_past_mcg = max(abs(lowest_mcg), abs(highest_mcg))
    bound_mcg = max(highest_mcg - lowest_mcg + in_window_mcg / S_PER_H, after_now_mcg / S_PER_H)
    tol_mcg = _EPS * (128.0 * abs_past_mcg + (8.0 * len(planned) + 128.0) * abs_planned_mcg / S_PER_H) + _TINY
    times_s = history.times_s
    if not (math.isfinite(bound_mcg + abs_planned_mcg + abs_past_mcg + horizon_s + float(times_s[0])) and
            (times_s[1:] > times_s[:-1]).all()):
        return math.inf
    return bound_mcg * (1.0 + 16.0 * _EPS) + 4.0 * tol_mcg


def _max_window(history: DoseHistory, planned: _PlannedCumulative, window_s: float,
                screen: _DoseScreen | None) -> tuple[float, float]:
    now_s = history.now_s
    starts = _candidate_starts(history, planned, window_s)
    # The range's right end (now + window_s) is evaluated too (last entry): with planned delivery only near the
    # far end of the plan, the largest window starts there. It is taken only when strictly larger beyond
    # rounding, so which of several equal windows is reported stays as before.
    x_s = np.append(starts, now_s + window_s)
    end_s = x_s + window_s
    past_end = history.cumulative_at(np.minimum(end_s, now_s))
    past_start = history.cumulative_at(np.minimum(x_s, now_s))
    rows = np.arange(len(x_s))
    if screen is not None and math.isfinite(window_s):
        # Rows whose exact dose may be the largest: one left out has an estimate more than 2 tol below the top, so
        # its exact dose is below the top row's. The first largest exact dose among the rest (rows ascend) is the
        # first largest of all rows, so the reported start is the same.
        est = screen.doses(x_s[:-1], window_s)
        top = est.max()
        if np.isfinite(top):
            rows = np.append(np.flatnonzero(est >= top - 2.0 * screen.tol_mcg), len(x_s) - 1)
    # The reference arithmetic for those rows, value for value: the planned part at or before now is the row at now.
    at_s = np.concatenate([np.maximum(end_s[rows], now_s), np.maximum(x_s[rows], now_s)])
    later = at_s > now_s
    if later.all():
        planned_mcg = planned(at_s)
    else:
        planned_mcg = np.full_like(at_s, float(planned(np.array([now_s]))[0]))
        if later.any():
            planned_mcg[later] = planned(at_s[later])
    cum = np.concatenate([past_end[rows], past_start[rows]]) + planned_mcg
    doses = cum[:len(rows)] - cum[len(rows):]
    end_dose = float(doses[-1])
    best = int(np.argmax(doses[:-1]))
    if end_dose > doses[best] + 1e-9 * max(1.0, abs(float(doses[best]))):
        return end_dose, float(x_s[-1])
    return float(doses[best]), float(starts[rows[best]])


class _DoseScreen:
    """Estimated window doses for screening window starts: the cumulative dose (delivered up to now, then
    planned) is linear between the history times and the planned breakpoints after now, so one interpolation of
    its values there estimates it anywhere, with |estimate - reference arithmetic| <= tol_mcg per window dose.

    Bound (u = eps / 2; P = max |delivered cumulative|, A = sum of |rate| x duration over m pieces): the
    reference interpolates the history (within 16u P), sums the pieces (within gamma(m + 2) A) and adds; the
    screen adds the same two at the knots and interpolates once (within 21u (P + A)). Per window dose the two
    differ by at most eps (41 P + (2m + 31) A); tol_mcg is three times that, rounded up. It needs strictly
    increasing history times and finite values (build returns None otherwise: every start is then evaluated).
    """

    def __init__(self, knots_s: np.ndarray, cum_mcg: np.ndarray, tol_mcg: float) -> None:
        self.knots_s, self.cum_mcg, self.tol_mcg = knots_s, cum_mcg, tol_mcg

    @staticmethod
    def build(history: DoseHistory, planned: _PlannedCumulative) -> _DoseScreen | None:
        times_s, cum_mcg = history.times_s, history.cum_mcg
        now_s = times_s[-1]
        abs_planned_mcg = float(np.sum(np.abs(planned.rates) * np.abs(planned.ends - planned.starts))) / S_PER_H
        abs_past_mcg = float(np.abs(cum_mcg).max())
        # A finite sum means finite rates, starts and ends too (an infinite end or start gives inf or nan).
        if not (math.isfinite(abs_planned_mcg + abs_past_mcg + times_s[0] + now_s)
                and (times_s[1:] > times_s[:-1]).all()):
            return None
        later_s = np.sort(planned.points_s[planned.points_s > now_s])  # repeated knots have equal values
        planned_mcg = planned(np.append(now_s, later_s))
        knots_s = np.concatenate([times_s, later_s])
        knot_mcg = np.concatenate([cum_mcg + planned_mcg[0], cum_mcg[-1] + planned_mcg[1:]])
        tol_mcg = _EPS * (128.0 * abs_past_mcg + (8.0 * len(planned.rates) + 128.0) * abs_planned_mcg) + _TINY
        return _DoseScreen(knots_s, knot_mcg, tol_mcg)

    def doses(self, x_s: np.ndarray, window_s: float) -> np.ndarray:
        later_mcg = np.interp(x_s + window_s, self.knots_s, self.cum_mcg)
        return np.asarray(later_mcg - np.interp(x_s, self.knots_s, self.cum_mcg))
