"""Supervision ticks: one status read every supervision_period_s, checked against what was commanded.

tick_alarms is the one check (both paths call it). FirmwareRuntime runs ticks on two paths: the general
event loop (_supervise, one tick among other due events) and, while nothing but ticks can fall due, the
quiet-tick loop (_run_quiet_ticks), which does the same arithmetic in the same order with the engine's
bookkeeping held in locals (one clock read per tick, no method dispatch for the accounting).
"""
from __future__ import annotations

import math
from bisect import bisect_right
from functools import partial
from typing import Callable

from firmware_sim.ports import ActuatorError
from firmware_sim.pump.alarms import AlarmName, alarm_for_actuator_fault
from firmware_sim.pump.engine import HISTORY_TRIM_BATCH, TIP_LOOKAHEAD_UL
from firmware_sim.pump.states import PumpState
from firmware_sim.units import S_PER_H, UL_PER_ML

TIME_EPS_S = 1e-6
THERAPY_STATES = (PumpState.CONTINUOUS, PumpState.BOLUS, PumpState.BRIDGE)
QUIET_MARGIN_S = 1e-3
"""The quiet-tick fast path stops this far before any timed event (1000x TIME_EPS_S)."""
QUIET_MARGIN_UL = 1e-3
"""... and this far before any volume event (far beyond VOLUME_EPS_UL and float drift of the reservoir)."""
_QUIET: tuple = ()
_TRIM_INDEX = HISTORY_TRIM_BATCH + 1


def tick_alarms(tolerance_fraction: float, tolerance_floor_ul: float, dose_breach_mcg: float, window_h: float,
                hard_max_mcg: float, fault: str | None, commanded_ul: float, reported_ul: float, elapsed_s: float,
                delivered_mcg: float) -> tuple[tuple[AlarmName, str], ...]:
    """The alarms one successful status read raises, in order: actuator fault, delivery deviation over the
    supervision window (commanded_ul, reported_ul over elapsed_s), reported 24 h dose above the hard maximum."""
    allowed_ul = tolerance_fraction * commanded_ul
    if allowed_ul < tolerance_floor_ul:
        allowed_ul = tolerance_floor_ul
    deviation_ul = reported_ul - commanded_ul
    if not fault and -allowed_ul <= deviation_ul <= allowed_ul and not delivered_mcg > dose_breach_mcg:
        return _QUIET
    found = []
    if fault:
        found.append((alarm_for_actuator_fault(fault, False), f"actuator reports {fault}"))
    if deviation_ul > allowed_ul or -deviation_ul > allowed_ul:
        name = AlarmName.UNDER_DELIVERY if deviation_ul < 0 else AlarmName.OVER_DELIVERY
        found.append((name, f"actuator reports {reported_ul:.6g} uL against {commanded_ul:.6g} uL commanded "
                      f"in the last {elapsed_s:.0f} s (allowed +-{allowed_ul:.6g} uL)"))
    if delivered_mcg > dose_breach_mcg:
        found.append((AlarmName.DOSE_LIMIT_BREACH, f"{delivered_mcg:.6g} mcg reported delivered in the last "
                      f"{window_h:g} h exceeds {hard_max_mcg:g} mcg"))
    return tuple(found)


class Supervision:
    """Mixin of FirmwareRuntime: the supervision tick on the general path and the quiet-tick loop."""

    def _status_read_failed(self, exc: Exception) -> None:
        if isinstance(exc, ActuatorError):
            self._raise_alarm(alarm_for_actuator_fault(exc.fault, True), f"status read failed: {exc}")
        else:  # an adapter bug or transport error: the actuator cannot be trusted
            self._raise_alarm(AlarmName.ACTUATOR_COMMUNICATION_LOSS, f"status read failed: {exc!r}")

    def _tick_check(self) -> Callable[..., tuple[tuple[AlarmName, str], ...]]:
        """tick_alarms with this firmware's thresholds bound: (fault, commanded_ul, reported_ul, elapsed_s,
        delivered_mcg) -> alarms."""
        return partial(tick_alarms, self._tolerance_fraction, self._tolerance_floor_ul, self._dose_breach_mcg,
                       self._limits.window_h, self._limits.hard_max_daily_dose_mcg)

    def _supervise(self) -> None:
        engine = self._engine
        try:
            status = engine.read_status()
        except Exception as exc:
            self._status_read_failed(exc)
            return
        engine.commit_tick()
        commanded_ul, reported_ul, elapsed_s = engine.window_volumes_ul()
        found = self._tick_check()(status.fault, commanded_ul, reported_ul, elapsed_s,
                                  engine.delivered_in_last_s(self._window_s))
        if elapsed_s >= self._window_restart_s:
            engine.restart_window()
        for name, detail in found:
            self._raise_alarm(name, detail)

    def _run_quiet_ticks(self, t_s: float) -> None:
        """The fast path of run_until_s: supervision ticks while no other event is near.

        Each pass is exactly one iteration of the general loop (sleep to the tick, advance, supervise)
        for the case where the tick is the only thing due, which holds while the clock stays before
        _quiet_until_s(). It stops at the first tick at or after that horizon (or t_s), when the clock
        ran past the horizon, or when a tick raised an alarm; the general loop then handles it.
        Engine.advance_to and Engine.commit_tick are inlined with the same arithmetic in the same order.
        """
        quiet_until_s = self._quiet_until_s()
        limit_s = min(t_s, quiet_until_s)
        tick_s = self._next_tick_s
        if tick_s >= limit_s:
            return
        engine, alarms, clock = self._engine, self._alarms, self._clock
        reservoir, track, check = engine.reservoir, engine.track, self._tick_check()
        sleep_until_s, now_s, read_status = clock.sleep_until_s, clock.now_s, engine.actuator.read_status
        dead_ul, (plug_lo, plug_hi, plug_conc) = track.dead_volume_ul, track._plug
        period_s, half_period_s = self._config.supervision_period_s, self._config.supervision_period_s / 2
        rate, t, q, base_ul = engine.rate_ul_per_h, engine.t_s, engine.q_ul, engine._baseline_ul
        pending_mcg, pending_ul, tick_reported_ul = engine._pending_mcg, engine._pending_ul, engine._tick_reported_ul
        times, cums, span_s, window_s = engine._hist_t_s, engine._hist_cum_mcg, engine._history_span_s, self._window_s
        w_start_s, w_q0_ul, w_reported0_ul = engine.window_start_s, engine.window_q0_ul, engine.window_reported0_ul
        append_status, restart_s, end_s = self._log.append_status, self._window_restart_s, t_s - TIME_EPS_S
        total_ul = engine.reported_ul
        j = bisect_right(times, times[-1] - window_s)  # bisect_right(times, times[-1] - window_s), kept incrementally

        while tick_s < limit_s:
            sleep_until_s(tick_s if tick_s > t else t)
            now = now_s()
            if now - t > 0:  # engine.advance_to(now)
                dq_ul = rate * (now - t) / S_PER_H
                if dq_ul > 0:
                    reservoir.volume_ul -= dq_ul
                    reservoir.drawn_total_ul += dq_ul
                    q1 = q + dq_ul
                    r0 = q - dead_ul
                    if q1 > q and plug_lo <= r0 < plug_hi and q1 - dead_ul <= plug_hi:  # track.tip_dose_mcg
                        pending_mcg += (q1 - q) * plug_conc / UL_PER_ML
                    else:
                        pending_mcg += track.tip_dose_mcg(q, q1)
                        plug_lo, plug_hi, plug_conc = track._plug
                    pending_ul += dq_ul
                    q = q1
                t = now
            n_alarms = len(alarms)
            if now >= quiet_until_s:  # the clock ran ahead (wall clock, shared clock): general processing
                engine.take_back(t, q, total_ul, tick_reported_ul, pending_mcg, pending_ul, w_start_s, w_q0_ul, w_reported0_ul)
                self._process_due()
                return
            try:  # engine.read_status()
                if base_ul is None:
                    engine.take_back(t, q, total_ul, tick_reported_ul, pending_mcg, pending_ul, w_start_s, w_q0_ul, w_reported0_ul)
                    engine._ensure_baseline()
                    base_ul = engine._baseline_ul
                status = read_status()
            except Exception as exc:
                engine.take_back(t, q, total_ul, tick_reported_ul, pending_mcg, pending_ul, w_start_s, w_q0_ul, w_reported0_ul)
                self._status_read_failed(exc)
            else:
                total_ul = status.delivered_ul - (base_ul or 0.0)
                # engine.commit_tick()
                reported_ul = total_ul - tick_reported_ul
                if pending_ul > 0:
                    mcg = pending_mcg * reported_ul / pending_ul
                else:
                    mcg = reported_ul * track.tip_conc_after(q + TIP_LOOKAHEAD_UL) / UL_PER_ML  # engine.tip_conc_now()
                cum_mcg = cums[-1] + (0.0 if mcg < 0.0 else mcg)
                if t <= times[-1]:
                    cums[-1] = cum_mcg
                else:
                    times.append(t)
                    cums.append(cum_mcg)
                    if len(times) > _TRIM_INDEX + 1 and times[_TRIM_INDEX] < t - span_s:
                        engine._trim_history(t)
                        j = bisect_right(times, times[-1] - window_s)
                tick_reported_ul = total_ul
                pending_ul = pending_mcg = 0.0
                append_status(t, total_ul, q)
                # engine.delivered_in_last_s(window_s) (dose_in_last_s), with j moved on instead of a bisect
                tw = times[-1] - window_s
                n = len(times)
                while j < n and times[j] <= tw:
                    j += 1
                if j == 0:
                    delivered_mcg = cums[-1] - cums[0]
                elif j == n:
                    delivered_mcg = 0.0
                else:
                    t0, c0, c1 = times[j - 1], cums[j - 1], cums[j]
                    delivered_mcg = cums[-1] - (c0 + (c1 - c0) * (tw - t0) / (times[j] - t0))
                elapsed_s = t - w_start_s
                found = check(status.fault, q - w_q0_ul, total_ul - w_reported0_ul, elapsed_s, delivered_mcg)
                if elapsed_s >= restart_s:  # engine.restart_window()
                    w_start_s, w_q0_ul, w_reported0_ul = t, q, total_ul
                if found:
                    engine.take_back(t, q, total_ul, tick_reported_ul, pending_mcg, pending_ul, w_start_s, w_q0_ul, w_reported0_ul)
                    for name, detail in found:
                        self._raise_alarm(name, detail)
            next_s = tick_s + period_s
            self._next_tick_s = tick_s = next_s if next_s >= now + half_period_s else now + half_period_s
            if len(alarms) != n_alarms:
                engine.take_back(t, q, total_ul, tick_reported_ul, pending_mcg, pending_ul, w_start_s, w_q0_ul, w_reported0_ul)
                self._process_due()
                return
            if t >= end_s:
                break
        engine.take_back(t, q, total_ul, tick_reported_ul, pending_mcg, pending_ul, w_start_s, w_q0_ul, w_reported0_ul)

    def _quiet_until_s(self) -> float:
        """Before this time nothing but supervision ticks can fall due (with margins far beyond the loop's
        tolerances); the horizon holds until the state, rate, alarms or programs change."""
        engine, state = self._engine, self._model.state
        rate, until_s = engine.rate_ul_per_h, math.inf
        if state is PumpState.PRIMING or state is PumpState.BRIDGE:
            boundary = engine.track.next_tip_change_ul(engine.q_ul)
            if boundary is None or rate <= 0:
                return -math.inf
            until_s = self._quiet_volume_s(boundary - engine.q_ul)
        if rate > 0:
            volume_ul = engine.reservoir.volume_ul
            if AlarmName.LOW_RESERVOIR not in self._alarms:
                until_s = min(until_s, self._quiet_volume_s(volume_ul - self._config.low_reservoir_threshold_ul))
            until_s = min(until_s, self._quiet_volume_s(volume_ul))
        if self._bolus is not None:
            until_s = min(until_s, self._bolus.end_s - QUIET_MARGIN_S)
        if self._periodic is not None:
            until_s = min(until_s, self._periodic.next_s - QUIET_MARGIN_S)
        if state in THERAPY_STATES:
            until_s = min(until_s, self._next_flex_s - QUIET_MARGIN_S)
        if self._config.elective_replacement_at_s is not None and not self._eri_raised:
            until_s = min(until_s, self._config.elective_replacement_at_s - QUIET_MARGIN_S)
        return until_s

    def _quiet_volume_s(self, remaining_ul: float) -> float:
        engine = self._engine
        return engine.t_s + (remaining_ul - QUIET_MARGIN_UL) / engine.rate_ul_per_h * S_PER_H - QUIET_MARGIN_S
