"""Supervision ticks in bulk, for a stretch in which nothing but ticks falls due.

The general loop runs each tick as: advance the commanded volume to the tick (DeliveryEngine.advance_to),
read the actuator (read_status), commit the interval to the delivered-dose history (commit_tick), and check
it (supervision.tick_alarms). plan_ticks does the same arithmetic in the same order for a whole stretch at
once, elementwise with numpy, from the actuator's previewed reads. Running sums use ufunc.accumulate, which
works left to right as the loop does, so each value is bit-identical to the loop's
(tests/firmware_sim/pump/test_quiet_tick_equivalence.py). Nothing is changed here: quiet_prefix finds how
many ticks raise nothing and DeliveryEngine.commit_ticks applies them.
"""
from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Callable, NamedTuple

import numpy as np

from firmware_sim.units import S_PER_H, UL_PER_ML

if TYPE_CHECKING:
    from firmware_sim.pump.concentration import ConcentrationTrack
    from firmware_sim.pump.engine import DeliveryEngine

SupervisionWindow = tuple[float, float, float]
"""(start_s, commanded_q0_ul, reported0_ul): where the supervision window began."""


class TickPlan(NamedTuple):
    """Per tick of the stretch (arrays of equal length): the engine's bookkeeping after that tick."""

    t_s: np.ndarray
    q_ul: np.ndarray
    """Commanded outlet volume."""
    reservoir_ul: np.ndarray
    drawn_total_ul: np.ndarray
    reported_ul: np.ndarray
    """Actuator-reported volume since the firmware first talked to it."""
    cum_mcg: np.ndarray
    """The delivered-dose history point committed at the tick."""
    window_dose_mcg: np.ndarray | float
    """Reported dose over the rolling window ending at each tick (DeliveryEngine.delivered_in_last_s), or one
    float that none of them exceeds, when that bound is itself not above the dose breach level."""

    @property
    def ticks(self) -> int:
        return len(self.t_s)


def plan_ticks(engine: DeliveryEngine, times_s: np.ndarray, delivered_ul: np.ndarray, window_s: float,
               dose_breach_mcg: float) -> TickPlan:
    """The bookkeeping of a supervision tick at each of times_s, where the actuator reports delivered_ul.

    Shorter than times_s from the first tick the bulk arithmetic does not cover: where the general loop would
    take another branch (the interval leaves the concentration plug cached in the track, or adds nothing;
    a tick at or before the last history point) or would need history points this stretch adds (a window
    start past the last point before the stretch). The general loop runs those ticks.
    """
    history = engine.delivered
    last_point_s = history.last_t_s
    n = min(len(times_s), len(delivered_ul))
    if not n or not times_s[0] > last_point_s:
        n = 0
    elif not times_s[n - 1] - window_s < last_point_s:
        n = int((times_s[:n] - window_s).searchsorted(last_point_s))
    times_s = times_s[:n]
    reservoir = engine.reservoir
    reported_ul = np.empty(n + 1)  # [the last tick's, then each tick's]
    reported_ul[0] = engine._tick_reported_ul
    np.subtract(delivered_ul[:n], engine._baseline_ul or 0.0, out=reported_ul[1:])
    interval_ul = reported_ul[1:] - reported_ul[:-1]
    cum_mcg = np.empty(n + 1)
    cum_mcg[0] = history.last_cum_mcg
    mcg = cum_mcg[1:]
    if engine.rate_ul_per_h > 0:
        # columns: commanded volume, drawn total, reservoir (subtracting dq is adding -dq, exactly)
        volumes = np.empty((n + 1, 3))
        volumes[0] = (engine.t_s, reservoir.drawn_total_ul, reservoir.volume_ul)
        volumes[1:, 0] = times_s
        dq_ul = np.subtract(times_s, volumes[:-1, 0])
        dq_ul *= engine.rate_ul_per_h
        dq_ul /= S_PER_H
        volumes[0, 0] = engine.q_ul
        volumes[1:, 0] = dq_ul
        volumes[1:, 1] = dq_ul
        np.negative(dq_ul, out=volumes[1:, 2])
        np.add.accumulate(volumes, axis=0, out=volumes)
        q_ul, drawn_total_ul, reservoir_ul = volumes[1:, 0], volumes[1:, 1], volumes[1:, 2]
        pending_mcg = q_ul - volumes[:-1, 0]
        n = min(n, _ticks_in_plug(engine.track, volumes[:, 0], pending_mcg))
        pending_mcg *= engine.track._plug[2]
        pending_mcg /= UL_PER_ML
        if n:
            pending_mcg[0] += engine._pending_mcg
            dq_ul[0] += engine._pending_ul
        np.multiply(pending_mcg, interval_ul, out=mcg)
        mcg /= dq_ul
    else:
        q_ul = np.full(n, engine.q_ul)
        reservoir_ul, drawn_total_ul = np.full(n, reservoir.volume_ul), np.full(n, reservoir.drawn_total_ul)
        np.multiply(interval_ul, engine.tip_conc_now(), out=mcg)
        mcg /= UL_PER_ML
        if n and engine._pending_ul > 0:
            mcg[0] = engine._pending_mcg * interval_ul[0] / engine._pending_ul
    np.maximum(mcg, 0.0, out=mcg)  # 0.0 if mcg < 0.0 else mcg (a zero's sign cannot change the sum: cum >= +0.0)
    np.add.accumulate(cum_mcg, out=cum_mcg)
    cum_mcg = cum_mcg[1:n + 1]
    times_s = times_s[:n]
    return TickPlan(times_s, q_ul[:n], reservoir_ul[:n], drawn_total_ul[:n], reported_ul[1:n + 1], cum_mcg,
                    _window_dose_mcg(history.times_s, history.cum_mcg, times_s, window_s, cum_mcg, dose_breach_mcg))


def _ticks_in_plug(track: ConcentrationTrack, q_ul: np.ndarray, steps_ul: np.ndarray) -> int:
    """How many intervals q_ul[k] -> q_ul[k + 1] from the start add volume and lie in the fill cached in
    track._plug (where ConcentrationTrack.tip_dose_mcg takes its fast path)."""
    lo, hi, _ = track._plug
    dead_ul = track.dead_volume_ul
    if not len(steps_ul):
        return 0
    first_ul, (before_last_ul, last_ul) = float(q_ul[0]), q_ul[-2:].tolist()
    if steps_ul.min() > 0 and lo <= first_ul - dead_ul and before_last_ul - dead_ul < hi and last_ul - dead_ul <= hi:
        return len(steps_ul)  # q rises strictly, so the bounds hold for every interval if they hold at the ends
    r_ul = q_ul - dead_ul
    fits = (steps_ul > 0) & (lo <= r_ul[:-1]) & (r_ul[:-1] < hi) & (r_ul[1:] <= hi)
    return len(steps_ul) if fits.all() else int(fits.argmin())


def _window_dose_mcg(hist_t: np.ndarray, hist_cum: np.ndarray, times_s: np.ndarray, window_s: float,
                     cum_mcg: np.ndarray, dose_breach_mcg: float) -> np.ndarray | float:
    """DeliveredHistory.dose_in_last_s at each tick, every window start lying before the last point of hist_t;
    or, if it is not above dose_breach_mcg, the bound cum_mcg[-1] - (history at the first window start), which
    none of them exceeds (the history is non-decreasing and float rounding is monotonic)."""
    if not len(times_s):
        return cum_mcg
    first = int(hist_t.searchsorted(times_s[0] - window_s, "right"))
    bound_mcg = float(cum_mcg[-1] - hist_cum[first - 1 if first else 0])
    if bound_mcg <= dose_breach_mcg:
        return bound_mcg
    window_start_s = times_s - window_s
    j = hist_t.searchsorted(window_start_s, "right")
    t0, t1, c0, c1 = hist_t[j - 1], hist_t[j], hist_cum[j - 1], hist_cum[j]
    with np.errstate(divide="ignore", invalid="ignore"):  # the j == 0 lanes are discarded
        interpolated = cum_mcg - (c0 + (c1 - c0) * (window_start_s - t0) / (t1 - t0))
    return np.where(j == 0, cum_mcg - hist_cum[0], interpolated)


def quiet_prefix(plan: TickPlan, window: SupervisionWindow, restart_s: float,
                 is_quiet: Callable[..., np.ndarray]) -> tuple[int, SupervisionWindow]:
    """How many ticks from the start raise no alarm, and the supervision window after the last of them.

    is_quiet(commanded_ul, reported_ul, window_dose_mcg) is the tick check (supervision.tick_is_quiet with the
    thresholds bound); the window restarts after each tick at which restart_s has elapsed since its start.
    """
    t_s, q_ul, reported_ul, n = plan.t_s, plan.q_ul, plan.reported_ul, plan.ticks
    windows, ends = [window], []  # windows[i] holds for ticks ends[i - 1] .. ends[i] - 1
    while not ends or ends[-1] < n:
        k = ends[-1] if ends else 0
        end = k + int((t_s[k:] - windows[-1][0]).searchsorted(restart_s)) + 1  # through the tick that restarts it
        ends.append(min(end, n))
        if end <= n:
            windows.append((float(t_s[end - 1]), float(q_ul[end - 1]), float(reported_ul[end - 1])))
    if ends[0] == n:
        q0_ul, reported0_ul = window[1], window[2]
    else:
        q0_ul, reported0_ul = np.empty(n), np.empty(n)
        for (_, q0, reported0), start, end in zip(windows, [0] + ends, ends):
            q0_ul[start:end], reported0_ul[start:end] = q0, reported0
    quiet = is_quiet(q_ul - q0_ul, reported_ul - reported0_ul, plan.window_dose_mcg)
    if quiet.all():
        return n, windows[-1]
    first = int(quiet.argmin())
    return first, windows[bisect.bisect_right(ends, first)]
