"""The delivered-dose history: cumulative dose at the catheter tip at each supervision tick.

Kept in numpy buffers that grow by doubling; points older than the span are dropped when a buffer fills, so a
year of ticks keeps about two spans of points. The gate's rolling window and the after-the-fact dose check
read it; DoseHistory is the gate's immutable view.
"""
from __future__ import annotations

import numpy as np

from firmware_sim.safety.window import DoseHistory

INITIAL_CAPACITY = 4096


class DeliveredHistory:
    def __init__(self, t0_s: float, span_s: float) -> None:
        self.span_s = span_s
        """Points older than this before the newest may be dropped."""
        self._t_s = np.empty(INITIAL_CAPACITY)
        self._cum_mcg = np.empty(INITIAL_CAPACITY)
        self._t_s[0], self._cum_mcg[0], self._n = t0_s, 0.0, 1

    @property
    def times_s(self) -> np.ndarray:
        """A view: valid until the next change."""
        return self._t_s[:self._n]

    @property
    def cum_mcg(self) -> np.ndarray:
        """A view: valid until the next change."""
        return self._cum_mcg[:self._n]

    @property
    def last_t_s(self) -> float:
        return float(self._t_s[self._n - 1])

    @property
    def last_cum_mcg(self) -> float:
        return float(self._cum_mcg[self._n - 1])

    def commit(self, t_s: float, cum_mcg: float) -> None:
        """The point at t_s; one at or before the last point replaces the last point's dose."""
        if t_s <= self._t_s[self._n - 1]:
            self._cum_mcg[self._n - 1] = cum_mcg
        else:
            self._make_room(1)
            self._t_s[self._n], self._cum_mcg[self._n] = t_s, cum_mcg
            self._n += 1

    def extend(self, times_s: np.ndarray, cum_mcg: np.ndarray) -> None:
        """Points after the last one, in order."""
        k = len(times_s)
        self._make_room(k)
        self._t_s[self._n:self._n + k] = times_s
        self._cum_mcg[self._n:self._n + k] = cum_mcg
        self._n += k

    def dose_in_last_s(self, span_s: float) -> float:
        """Dose over the span ending at the last point (linear between points)."""
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
        if self._n + k <= len(self._t_s):
            return
        n = self._n
        keep_from = self._last_point_before(self._t_s[n - 1] - self.span_s)
        kept = n - keep_from
        capacity = len(self._t_s)
        while kept + k > capacity // 2:
            capacity *= 2
        t_s, cum_mcg = np.empty(capacity), np.empty(capacity)
        t_s[:kept], cum_mcg[:kept] = self._t_s[keep_from:n], self._cum_mcg[keep_from:n]
        self._t_s, self._cum_mcg, self._n = t_s, cum_mcg, kept
