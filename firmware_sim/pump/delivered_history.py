"""The delivered-dose history: cumulative dose at the catheter tip, at its breakpoints.

Each supervision tick commits a point; a point on the line of the segment before it (within BREAKPOINT_TOL_MCG,
the swinging-door test: every dropped point lies within the tolerance of the segment that replaces it) moves the
segment's end instead of adding a point, so steady delivery keeps its breakpoints only (rate changes, faults,
drifting reports). Kept in numpy buffers that grow by doubling; points older than the span are dropped when a
buffer fills. The gate's rolling window and the after-the-fact dose check read it; DoseHistory is the gate's
immutable view.
"""
from __future__ import annotations

import math

import numpy as np

from firmware_sim.safety.checks import DOSE_ROUNDING_MCG
from firmware_sim.safety.window import DoseHistory

INITIAL_CAPACITY_POINTS = 4096
BREAKPOINT_TOL_MCG = DOSE_ROUNDING_MCG / 4
"""How far a dropped point may lie off the segment that replaces it: a quarter of the rounding a 24 h window dose
is allowed (checks.DOSE_ROUNDING_MCG), so window doses read from the breakpoints are those of every tick."""
N_SEGMENTS_PER_WINDOW = 24
"""A segment spans at most window_s / N_SEGMENTS_PER_WINDOW, so the dose since the point at or before a window's start
is at most the dose of 1 + 1/24 windows: a tight bound of the window dose (DeliveredHistory.window_floor_mcg)."""
_CLOSED = (math.inf, -math.inf)


class DeliveredHistory:
    def __init__(self, t0_s: float, span_s: float, window_s: float | None = None) -> None:
        self.span_s = span_s
        """Points older than this before the newest may be dropped."""
        self.window_s = span_s / 2 if window_s is None else window_s
        """The rolling window (<= span_s) whose dose last_cum_mcg - window_floor_mcg bounds."""
        self._max_segment_s = self.window_s / N_SEGMENTS_PER_WINDOW
        self._t_s = np.empty(INITIAL_CAPACITY_POINTS)
        self._cum_mcg = np.empty(INITIAL_CAPACITY_POINTS)
        self._t_s[0], self._cum_mcg[0], self._n = t0_s, 0.0, 1
        self.last_t_s, self.last_cum_mcg = float(t0_s), 0.0
        """The newest point (as Python floats: it moves at every tick; the buffer's last slot gets it when read,
        _flush)."""
        self._anchor_t_s, self._anchor_mcg = math.nan, math.nan
        """The point before the newest one, where the newest one's segment starts."""
        self._door_lo, self._door_hi = _CLOSED
        """Slopes (mcg/s) from the anchor that keep every point dropped since within the tolerance; closed while
        the newest point is a breakpoint that must stay."""
        self._floor, self.window_floor_mcg, self._floor_next_s = 0, 0.0, math.inf
        """Index and dose of a point at or before the start of the window ending at the newest point (so
        last_cum_mcg - window_floor_mcg is at least the dose over that window: the history does not decrease), and
        the time of the point after it (inf: the newest point, which moves)."""

    def _flush(self) -> None:
        self._t_s[self._n - 1], self._cum_mcg[self._n - 1] = self.last_t_s, self.last_cum_mcg

    @property
    def times_s(self) -> np.ndarray:
        """A view: valid until the next change."""
        self._flush()
        return self._t_s[:self._n]

    @property
    def cum_mcg(self) -> np.ndarray:
        """A view: valid until the next change."""
        self._flush()
        return self._cum_mcg[:self._n]

    def commit(self, t_s: float, cum_mcg: float) -> None:
        """The point at t_s (dropped if it lies on the last segment, which then ends at it); one at or before the
        last point replaces the last point's dose."""
        if t_s <= self.last_t_s:
            self.last_cum_mcg = cum_mcg
            self._door_lo, self._door_hi = _CLOSED
            return
        t0_s, c0_mcg = self._anchor_t_s, self._anchor_mcg
        dt_s = t_s - t0_s
        rise_mcg = cum_mcg - c0_mcg
        tol = BREAKPOINT_TOL_MCG
        if self._door_lo * dt_s <= rise_mcg <= self._door_hi * dt_s and dt_s <= self._max_segment_s:
            # the newest point (and those dropped before it) lie within tol of the new segment: narrow the door
            low, high = (rise_mcg - tol) / dt_s, (rise_mcg + tol) / dt_s
            if low > self._door_lo:
                self._door_lo = low
            if high < self._door_hi:
                self._door_hi = high
        else:  # the newest point stays: a breakpoint
            self._flush()
            self._make_room(1)
            self._n += 1
            t0_s = self._anchor_t_s = self.last_t_s
            c0_mcg = self._anchor_mcg = self.last_cum_mcg
            dt_s, rise_mcg = t_s - t0_s, cum_mcg - c0_mcg
            self._door_lo, self._door_hi = (rise_mcg - tol) / dt_s, (rise_mcg + tol) / dt_s
            if self._floor_next_s == math.inf and self._floor + 1 < self._n - 1:
                self._floor_next_s = float(self._t_s[self._floor + 1])
        self.last_t_s, self.last_cum_mcg = t_s, cum_mcg
        if t_s - self.window_s >= self._floor_next_s:
            self._move_floor()

    def extend(self, times_s: np.ndarray, cum_mcg: np.ndarray) -> None:
        """Points after the last one, in order, each kept as a breakpoint."""
        k = len(times_s)
        if not k:
            return
        self._flush()
        self._make_room(k)
        self._t_s[self._n:self._n + k] = times_s
        self._cum_mcg[self._n:self._n + k] = cum_mcg
        self._n += k
        self.last_t_s, self.last_cum_mcg = float(times_s[-1]), float(cum_mcg[-1])
        self._door_lo, self._door_hi = _CLOSED
        self._floor_next_s = float(self._t_s[self._floor + 1]) if self._floor + 1 < self._n - 1 else math.inf
        if self.last_t_s - self.window_s >= self._floor_next_s:
            self._move_floor()

    def _move_floor(self) -> None:
        """The floor moves on to the last point at or before the window's start, never to the newest (which moves)."""
        start_s, times, f, last = self.last_t_s - self.window_s, self._t_s, self._floor, self._n - 1
        while f + 1 < last and times[f + 1] <= start_s:
            f += 1
        self._floor, self.window_floor_mcg = f, float(self._cum_mcg[f])
        self._floor_next_s = float(times[f + 1]) if f + 1 < last else math.inf

    def dose_in_last_s(self, span_s: float) -> float:
        """Dose over the span ending at the last point (linear between points)."""
        self._flush()
        times, cums, n = self._t_s, self._cum_mcg, self._n
        t = times[n - 1] - span_s
        i = int(times[:n].searchsorted(t, "right"))
        if i == 0:
            return float(cums[n - 1] - cums[0])
        if i == n:
            return 0.0
        t0, t1, c0, c1 = times[i - 1], times[i], cums[i - 1], cums[i]
        return float(cums[n - 1] - (c0 + (c1 - c0) * (t - t0) / (t1 - t0)))

    def tail(self, now_s: float, pending_mcg: float, span_s: float | None = None) -> DoseHistory:
        """The history up to now_s, with pending_mcg delivered since the last point if now_s is later; with span_s,
        only from the last point before now_s - span_s (what a rolling window of span_s needs)."""
        self._flush()
        n = self._n
        first = 0 if span_s is None else self._last_point_before(now_s - span_s)
        pending = now_s > self._t_s[n - 1]
        times_s = np.empty(n - first + pending)
        cum_mcg = np.empty(n - first + pending)
        times_s[:n - first], cum_mcg[:n - first] = self._t_s[first:n], self._cum_mcg[first:n]
        if pending:
            times_s[-1], cum_mcg[-1] = now_s, self._cum_mcg[n - 1] + pending_mcg
        return DoseHistory(times_s, cum_mcg)

    def _last_point_before(self, t_s: float) -> int:
        """Index of the last point before t_s (0 if none): a span starting at t_s needs the points from it on."""
        return max(int(self.times_s.searchsorted(t_s, "left")) - 1, 0)

    def _make_room(self, k: int) -> None:
        """Room for k more points (the buffer's points are up to date: _flush)."""
        if self._n + k <= len(self._t_s):
            return
        n = self._n
        keep_from = min(self._last_point_before(self._t_s[n - 1] - self.span_s), n - 2 if n >= 2 else 0)
        kept = n - keep_from
        capacity = len(self._t_s)
        while kept + k > capacity // 2:
            capacity *= 2
        t_s, cum_mcg = np.empty(capacity), np.empty(capacity)
        t_s[:kept], cum_mcg[:kept] = self._t_s[keep_from:n], self._cum_mcg[keep_from:n]
        self._t_s, self._cum_mcg, self._n = t_s, cum_mcg, kept
        self._floor, self.window_floor_mcg = 0, float(cum_mcg[0])
        self._floor_next_s = float(t_s[1]) if kept - 1 > 1 else math.inf
