"""Supervision: detection over thresholds fixed for the run. One status read every supervision_period_s, checked
against what was commanded, and the reservoir levels.

tick_alarms is the one tick check (what a status read raises). The ticks themselves run in DeliveryEngine.run_ticks,
whichever way the scheduler reaches them (a run of quiet ticks, or Supervisor.tick for one): it settles a plainly
quiet read (no fault, the deviation within the tolerance, the 24 h dose below the breach level), of which tick_alarms
would find nothing, and hands every other read to Supervisor.check_read.
"""
from __future__ import annotations

import math
from collections.abc import Callable

from firmware_sim.ports import ActuatorError, ActuatorStatus
from firmware_sim.pump.alarms import AlarmName, AlarmSet, alarm_for_actuator_fault
from firmware_sim.pump.engine import DeliveryEngine
from firmware_sim.pump.supervision_thresholds import SupervisionThresholds
from firmware_sim.units import S_PER_H

__all__ = ["SupervisionThresholds", "Supervisor", "allowed_deviation_ul", "tick_alarms"]


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

    def read_failed(self, exc: Exception) -> None:
        """Raise the alarm of a status read that failed."""
        if isinstance(exc, ActuatorError):
            self._alarms.raise_alarm(alarm_for_actuator_fault(exc.fault, True), f"status read failed: {exc}")
        else:  # an adapter bug or transport error: the actuator cannot be trusted
            self._alarms.raise_alarm(AlarmName.ACTUATOR_COMMUNICATION_LOSS, f"status read failed: {exc!r}")

    def tick(self, t_s: float) -> bool:
        """The supervision tick at t_s, the clock already there (run_ticks for that one tick); whether it raised an
        alarm."""
        return self._engine.run_ticks(t_s, math.inf, t_s, math.inf, _already_there, lambda: t_s, self)[1]

    def run_ticks(self, tick_s: float, limit_s: float, end_s: float, period_s: float,
                  sleep_until_s: Callable[[float], None], now_s: Callable[[], float]) -> tuple[float, bool]:
        """The supervision ticks from tick_s (DeliveryEngine.run_ticks): the engine settles the plainly quiet reads
        and hands every other one to check_read. Returns the time of the next tick and whether the last one raised
        an alarm."""
        return self._engine.run_ticks(tick_s, limit_s, end_s, period_s, sleep_until_s, now_s, self)

    def check_read(self, status: ActuatorStatus, commanded_ul: float, reported_ul: float, elapsed_s: float) -> bool:
        """Raise the alarms tick_alarms finds in a read that is not plainly quiet; whether there were any."""
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
