"""Supervision: detection over thresholds fixed for the run. One status read every supervision_period_s, checked
against what was commanded, and the reservoir levels.

tick_alarms is the one tick check (what a status read raises); Supervisor.run_ticks is the one tick loop, whichever
way the scheduler reaches it (a run of quiet ticks, or Supervisor.tick for one): it passes a read to tick_alarms only
when the read is not plainly quiet (no fault, the deviation within the tolerance, the 24 h dose below the breach
level), which tick_alarms would find raises nothing.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from firmware_sim.clock import TIME_EPS_S
from firmware_sim.ports import ActuatorError, ActuatorStatus
from firmware_sim.pump.alarms import AlarmName, AlarmSet, alarm_for_actuator_fault
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.engine import DeliveryEngine
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.units import S_PER_H


def allowed_deviation_ul(tolerance_fraction: float, tolerance_floor_ul: float, commanded_ul: float) -> float:
    """The delivery deviation tolerated over a supervision window."""
    allowed_ul = tolerance_fraction * commanded_ul
    return allowed_ul if allowed_ul > tolerance_floor_ul else tolerance_floor_ul


def tick_alarms(tolerance_fraction: float, tolerance_floor_ul: float, dose_breach_mcg: float, window_h: float,
                hard_max_mcg: float, fault: str | None, fault_detail: str | None, commanded_ul: float,
                reported_ul: float, elapsed_s: float, delivered_mcg: float) -> tuple[tuple[AlarmName, str], ...]:
    """The alarms one successful status read raises, in order: actuator fault, delivery deviation over the
    supervision window (commanded_ul, reported_ul over elapsed_s), reported 24 h dose above the hard maximum."""
    found: list[tuple[AlarmName, str]] = []
    allowed_ul = allowed_deviation_ul(tolerance_fraction, tolerance_floor_ul, commanded_ul)
    deviation_ul = reported_ul - commanded_ul
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


@dataclass(frozen=True)
class SupervisionThresholds:
    """What supervision compares against, fixed for the run (from the frozen config and limits)."""

    tolerance_fraction: float
    tolerance_floor_ul: float
    window_restart_s: float
    """The supervision window restarts once this long has elapsed since its start."""
    dose_breach_mcg: float
    """A reported 24 h dose above this breaches the hard maximum (beyond rounding)."""
    window_h: float
    hard_max_daily_dose_mcg: float
    low_reservoir_ul: float

    @classmethod
    def of(cls, config: FirmwareConfig, limits: DrugLimits) -> SupervisionThresholds:
        return cls(config.delivery_tolerance_fraction, config.delivery_tolerance_floor_ul,
                   config.supervision_window_s - TIME_EPS_S, limits.hard_max_daily_dose_mcg * (1 + 1e-9),
                   limits.window_h, limits.hard_max_daily_dose_mcg, config.low_reservoir_threshold_ul)


def _already_there(_t_s: float) -> None:
    """The clock of a tick run at the clock's time: nothing to sleep."""


class Supervisor:
    """Detection: the supervision tick (status read against the commanded volume and the 24 h dose) and the reservoir
    levels; what it finds goes to the AlarmSet."""

    def __init__(self, thresholds: SupervisionThresholds, engine: DeliveryEngine, alarms: AlarmSet) -> None:
        self.thresholds = thresholds
        self._engine = engine
        self._alarms = alarms
        self._window_s = thresholds.window_h * S_PER_H
        # the thresholds a tick reads (frozen for the run), one attribute each
        self._fraction, self._floor_ul = thresholds.tolerance_fraction, thresholds.tolerance_floor_ul
        self._window_restart_s, self._breach_mcg = thresholds.window_restart_s, thresholds.dose_breach_mcg

    def _status_read_failed(self, exc: Exception) -> None:
        if isinstance(exc, ActuatorError):
            self._alarms.raise_alarm(alarm_for_actuator_fault(exc.fault, True), f"status read failed: {exc}")
        else:  # an adapter bug or transport error: the actuator cannot be trusted
            self._alarms.raise_alarm(AlarmName.ACTUATOR_COMMUNICATION_LOSS, f"status read failed: {exc!r}")

    def tick(self, t_s: float) -> bool:
        """The supervision tick at t_s, the clock already there (run_ticks for that one tick); whether it raised an
        alarm."""
        return self.run_ticks(t_s, math.inf, t_s, math.inf, _already_there, lambda: t_s)[1]

    def run_ticks(self, tick_s: float, limit_s: float, end_s: float, period_s: float,
                  sleep_until_s: Callable[[float], None], now_s: Callable[[], float]) -> tuple[float, bool]:
        """Supervision ticks at tick_s, tick_s + period_s, ... before limit_s, the clock moved to each first
        (sleep_until_s): read the actuator, commit the interval to the delivered history and check it. Stops after
        the first tick at or after end_s and after the first that raises an alarm (the state may have changed), and
        before one the clock has already passed (another party moved it on: not run). Returns the time of the next
        tick and whether the last one raised an alarm.

        The 24 h dose is computed only when its bound could reach the breach level: a read with no fault, the
        deviation within the tolerance and the dose below the breach level raises nothing (tick_alarms would find
        nothing) and goes no further."""
        engine = self._engine
        read, delivered = engine.supervision_read, engine.delivered
        restart_s, fraction, floor_ul, breach_mcg = (self._window_restart_s, self._fraction, self._floor_ul,
                                                     self._breach_mcg)
        while tick_s < limit_s:
            sleep_until_s(tick_s)
            if now_s() != tick_s:
                return tick_s, False
            try:
                status, commanded_ul, reported_ul, elapsed_s = read(tick_s)
            except Exception as exc:
                self._status_read_failed(exc)
                return tick_s + period_s, True
            if elapsed_s >= restart_s:
                engine.restart_window()
            allowed_ul = fraction * commanded_ul  # allowed_deviation_ul, inlined: one tick per supervision period
            if allowed_ul < floor_ul:
                allowed_ul = floor_ul
            if not (-allowed_ul <= reported_ul - commanded_ul <= allowed_ul and not status.fault and
                    delivered.last_cum_mcg - delivered.window_floor_mcg <= breach_mcg) and \
                    self._raise_found(status, commanded_ul, reported_ul, elapsed_s):
                return tick_s + period_s, True
            if tick_s >= end_s:
                return tick_s + period_s, False
            tick_s += period_s
        return tick_s, False

    def _raise_found(self, status: ActuatorStatus, commanded_ul: float, reported_ul: float, elapsed_s: float) -> bool:
        """The alarms of a read that is not plainly quiet (tick_alarms), raised; whether there were any."""
        th = self.thresholds
        found = tick_alarms(th.tolerance_fraction, th.tolerance_floor_ul, th.dose_breach_mcg, th.window_h,
                            th.hard_max_daily_dose_mcg, status.fault, status.fault_detail, commanded_ul, reported_ul,
                            elapsed_s, self._engine.delivered.dose_in_last_s(self._window_s))
        for name, detail in found:
            self._alarms.raise_alarm(name, detail)
        return bool(found)

    def check_reservoir(self, volume_slack_ul: float) -> bool:
        """Raise the empty (while delivering) or low reservoir alarm the estimate has reached (within
        volume_slack_ul); whether one was raised."""
        engine, alarms = self._engine, self._alarms
        reservoir = engine.reservoir
        if engine.rate_ul_per_h > 0 and reservoir.volume_ul <= volume_slack_ul:
            alarms.raise_alarm(AlarmName.EMPTY_RESERVOIR, f"reservoir estimate {reservoir.volume_ul:.6g} uL")
            return True
        low_ul = self.thresholds.low_reservoir_ul
        if (AlarmName.LOW_RESERVOIR not in alarms and reservoir.conc_mcg_per_ml > 0 and
                reservoir.volume_ul - low_ul <= volume_slack_ul):
            alarms.raise_alarm(AlarmName.LOW_RESERVOIR, f"reservoir estimate {reservoir.volume_ul:.6g} uL at the "
                               f"programmed rate is at or below {low_ul:g} uL")
            return True
        return False
