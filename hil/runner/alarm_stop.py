"""`--stop-on-alarm PRIORITY`: end the run when an alarm of that IEC 60601-1-8 priority or higher latches.

The runner notes the first such alarm as it is written to the record, takes no further step, stops the pump,
records a `stopped_on_alarm` event and finishes the run as ERROR with the alarm named in the reason.
"""
from __future__ import annotations

from dataclasses import dataclass

from firmware_sim.pump.alarms import AlarmPriority
from firmware_sim.units import S_PER_H
from hil.records.event_types import StoppedOnAlarm

PRIORITY_ORDER: tuple[AlarmPriority, ...] = (AlarmPriority.LOW, AlarmPriority.MEDIUM, AlarmPriority.HIGH)
"""Lowest first (IEC 60601-1-8: low < medium < high)."""


def at_or_above(priority: str, threshold: AlarmPriority) -> bool:
    """Whether an alarm of `priority` (an AlarmPriority value) reaches `threshold`; an unknown priority is
    treated as high, so it never slips past a stop."""
    try:
        rank = PRIORITY_ORDER.index(AlarmPriority(priority))
    except ValueError:
        rank = len(PRIORITY_ORDER)
    return rank >= PRIORITY_ORDER.index(threshold)



@dataclass(frozen=True)
class AlarmStop:
    """The alarm a run was stopped on."""
    alarm_t_s: float
    name: str
    priority: str
    threshold: AlarmPriority

    def describe(self) -> str:
        return (
            f"stopped on alarm {self.name} ({self.priority} priority, latched at t={self.alarm_t_s / S_PER_H:.3f} h;"
            f" --stop-on-alarm {self.threshold.value})"
        )

    def record_event(self, t_s: float, pump_stop: str) -> StoppedOnAlarm:
        """The stopped_on_alarm record event (t_s: when the run was stopped)."""
        return StoppedOnAlarm(t_s=t_s, alarm=self.name, priority=self.priority, alarm_t_s=self.alarm_t_s,
                              stop_on_alarm=self.threshold.value, detail=f"run {self.describe()}; {pump_stop}")
