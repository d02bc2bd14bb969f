"""Supervision ticks: one status read every supervision_period_s, checked against what was commanded.

tick_is_quiet is the one check (tick_alarms names what a tick that is not quiet raises). FirmwareRuntime runs
ticks on two paths: the general event loop (_supervise, one tick among other due events) and, for an
actuator that can preview its reads (ports.StatusPreview) while nothing but ticks can fall due, in bulk
(_run_quiet_ticks with tick_batch), up to the first tick that raises an alarm, which the general loop runs.
"""
from __future__ import annotations

import math
from functools import partial

import numpy as np

from firmware_sim.clock import TIME_EPS_S
from firmware_sim.ports import ActuatorError
from firmware_sim.pump.alarms import AlarmName, alarm_for_actuator_fault
from firmware_sim.pump.states import PumpState
from firmware_sim.pump.tick_batch import plan_ticks, quiet_prefix

QUIET_MARGIN_S = 1e-3
"""The bulk path stops this far before any timed event (1000x TIME_EPS_S)."""
QUIET_MARGIN_UL = 1e-3
"""... and this far before any volume event (far beyond VOLUME_EPS_UL and float drift of the reservoir)."""
BULK_TICKS_MAX = 2048
"""Ticks planned at once by the bulk path."""
_QUIET: tuple = ()


def allowed_deviation_ul(tolerance_fraction: float, tolerance_floor_ul: float, commanded_ul):
    """The delivery deviation tolerated over a supervision window (floats or numpy arrays, elementwise)."""
    return np.maximum(tolerance_fraction * commanded_ul, tolerance_floor_ul)


def tick_is_quiet(tolerance_fraction: float, tolerance_floor_ul: float, dose_breach_mcg: float, commanded_ul,
                  reported_ul, delivered_mcg):
    """A tick without an actuator fault raises nothing: the reported volume is within tolerance of the
    commanded one and the reported dose over the window is not above the breach level (elementwise)."""
    within = np.abs(reported_ul - commanded_ul) <= allowed_deviation_ul(tolerance_fraction, tolerance_floor_ul,
                                                                       commanded_ul)
    return np.logical_and(within, np.logical_not(delivered_mcg > dose_breach_mcg))


def tick_alarms(tolerance_fraction: float, tolerance_floor_ul: float, dose_breach_mcg: float, window_h: float,
                hard_max_mcg: float, fault: str | None, fault_detail: str | None, commanded_ul: float,
                reported_ul: float, elapsed_s: float, delivered_mcg: float) -> tuple[tuple[AlarmName, str], ...]:
    """The alarms one successful status read raises, in order: actuator fault, delivery deviation over the
    supervision window (commanded_ul, reported_ul over elapsed_s), reported 24 h dose above the hard maximum."""
    if not fault and tick_is_quiet(tolerance_fraction, tolerance_floor_ul, dose_breach_mcg, commanded_ul,
                                   reported_ul, delivered_mcg):
        return _QUIET
    allowed_ul = allowed_deviation_ul(tolerance_fraction, tolerance_floor_ul, commanded_ul)
    deviation_ul = reported_ul - commanded_ul
    found = []
    if fault:
        found.append((alarm_for_actuator_fault(fault, False),
                      fault_detail or f"actuator reports {fault}"))
    if deviation_ul > allowed_ul or -deviation_ul > allowed_ul:
        name = AlarmName.UNDER_DELIVERY if deviation_ul < 0 else AlarmName.OVER_DELIVERY
        found.append((name, f"actuator reports {reported_ul:.6g} uL against {commanded_ul:.6g} uL commanded "
                      f"in the last {elapsed_s:.0f} s (allowed +-{allowed_ul:.6g} uL)"))
    if delivered_mcg > dose_breach_mcg:
        found.append((AlarmName.DOSE_LIMIT_BREACH, f"{delivered_mcg:.6g} mcg reported delivered in the last "
                      f"{window_h:g} h exceeds {hard_max_mcg:g} mcg"))
    return tuple(found)


def _tick_times_s(tick_s: float, period_s: float, limit_s: float, end_s: float) -> np.ndarray:
    """The ticks from tick_s on before limit_s (at most BULK_TICKS_MAX, ending with the first at or after end_s),
    and the tick after the last: tick_s + period_s + period_s ..., summed one period at a time as the general
    loop steps _next_tick_s."""
    count = min(BULK_TICKS_MAX, int((limit_s - tick_s) / period_s) + 1)
    times_s = np.full(count + 1, period_s)
    times_s[0] = tick_s
    np.add.accumulate(times_s, out=times_s)
    count = min(int(times_s.searchsorted(limit_s)), int(times_s.searchsorted(end_s)) + 1, count)
    return times_s[:count + 1]


class Supervision:
    """Mixin of FirmwareRuntime: the supervision tick on the general path and the bulk path."""

    def _status_read_failed(self, exc: Exception) -> None:
        if isinstance(exc, ActuatorError):
            self._raise_alarm(alarm_for_actuator_fault(exc.fault, True), f"status read failed: {exc}")
        else:  # an adapter bug or transport error: the actuator cannot be trusted
            self._raise_alarm(AlarmName.ACTUATOR_COMMUNICATION_LOSS, f"status read failed: {exc!r}")

    def _supervise(self) -> None:
        engine = self._engine
        try:
            status = engine.read_status()
        except Exception as exc:
            self._status_read_failed(exc)
            return
        engine.commit_tick()
        commanded_ul, reported_ul, elapsed_s = engine.window_volumes_ul()
        found = tick_alarms(self._tolerance_fraction, self._tolerance_floor_ul, self._dose_breach_mcg,
                            self._limits.window_h, self._limits.hard_max_daily_dose_mcg, status.fault,
                            status.fault_detail, commanded_ul, reported_ul, elapsed_s,
                            engine.delivered_in_last_s(self._window_s))
        if elapsed_s >= self._window_restart_s:
            engine.restart_window()
        for name, detail in found:
            self._raise_alarm(name, detail)

    def _run_quiet_ticks(self, t_s: float) -> None:
        """The bulk path of run_until_s: the supervision ticks before t_s while nothing else can fall due.

        Only for an actuator that previews its reads (ports.StatusPreview). Each stretch is planned from the
        preview (tick_batch.plan_ticks); the ticks up to the first that raises an alarm, or that the plan does
        not cover, are taken at once: the clock is moved to the last of them, the actuator counts the reads
        and the engine commits the bookkeeping. The general loop goes on from there (and, if another party
        moved the clock on past that tick meanwhile, finds it ahead, as after any late wake-up).
        """
        engine, clock = self._engine, self._clock
        preview_reads = getattr(engine.actuator, "preview_reads", None)
        if preview_reads is None or engine._baseline_ul is None:
            return
        period_s, end_s = self._config.supervision_period_s, t_s - TIME_EPS_S
        limit_s = min(t_s, self._quiet_until_s())
        is_quiet = partial(tick_is_quiet, self._tolerance_fraction, self._tolerance_floor_ul, self._dose_breach_mcg)
        while True:
            tick_s = self._next_tick_s
            if not (engine.t_s < tick_s < limit_s and clock.now_s() <= tick_s):
                return
            times_s = _tick_times_s(tick_s, period_s, limit_s, end_s)
            try:
                preview = preview_reads(times_s[:-1])
            except Exception:  # an actuator that cannot preview now is read tick by tick, as any other
                return
            plan = plan_ticks(engine, times_s[:-1], preview.delivered_ul, self._window_s, self._dose_breach_mcg)
            window = (engine.window_start_s, engine.window_q0_ul, engine.window_reported0_ul)
            n, window = quiet_prefix(plan, window, self._window_restart_s, is_quiet)
            if n == 0:
                return
            last_s = float(times_s[n - 1])
            clock.sleep_until_s(last_s)
            preview.take(n)
            engine.commit_ticks(plan, n, window)
            self._next_tick_s = float(times_s[n])
            if n < len(times_s) - 1 or last_s >= end_s:
                return

    def _quiet_until_s(self) -> float:
        """Before this time nothing but supervision ticks can fall due (with margins far beyond the loop's
        tolerances); the horizon holds until the state, rate, alarms or programs change. -inf in priming or
        bridging without a boundary ahead or without flow (the general loop settles those)."""
        engine, state = self._engine, self._model.state
        if (state is PumpState.PRIMING or state is PumpState.BRIDGE) and (
                engine.rate_ul_per_h <= 0 or self._line_boundary_ul() is None):
            return -math.inf
        return self._next_event_besides_ticks_s(QUIET_MARGIN_S, QUIET_MARGIN_UL)
