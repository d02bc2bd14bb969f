"""Alarm conditions with their IEC 60601-1-8 priorities, and the latched set of active alarms (AlarmSet: the one
place alarms are latched, logged and cleared)."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from collections.abc import Callable, Iterable

from firmware_sim.event_log import EventKind, EventLog

from firmware_sim.pump.actuator_faults import ActuatorFault, parse_actuator_fault


class AlarmPriority(str, Enum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


class AlarmName(str, Enum):
    MOTOR_STALL = "motor_stall"
    OCCLUSION = "occlusion"
    ACTUATOR_COMMUNICATION_LOSS = "actuator_communication_loss"
    ACTUATOR_FAULT = "actuator_fault"
    UNDER_DELIVERY = "under_delivery"
    OVER_DELIVERY = "over_delivery"
    GRAVIMETRIC_DEVIATION = "gravimetric_deviation"
    EMPTY_RESERVOIR = "empty_reservoir"
    DOSE_LIMIT_BREACH = "dose_limit_breach"
    FIRMWARE_FAULT = "firmware_fault"
    LOW_RESERVOIR = "low_reservoir"
    ELECTIVE_REPLACEMENT = "elective_replacement"


ALARM_PRIORITY: dict[AlarmName, AlarmPriority] = {
    AlarmName.MOTOR_STALL: AlarmPriority.HIGH,
    AlarmName.OCCLUSION: AlarmPriority.HIGH,
    AlarmName.ACTUATOR_COMMUNICATION_LOSS: AlarmPriority.HIGH,
    AlarmName.ACTUATOR_FAULT: AlarmPriority.HIGH,
    AlarmName.UNDER_DELIVERY: AlarmPriority.HIGH,
    AlarmName.OVER_DELIVERY: AlarmPriority.HIGH,
    AlarmName.GRAVIMETRIC_DEVIATION: AlarmPriority.HIGH,
    AlarmName.EMPTY_RESERVOIR: AlarmPriority.HIGH,
    AlarmName.DOSE_LIMIT_BREACH: AlarmPriority.HIGH,
    AlarmName.FIRMWARE_FAULT: AlarmPriority.HIGH,
    AlarmName.LOW_RESERVOIR: AlarmPriority.LOW,
    AlarmName.ELECTIVE_REPLACEMENT: AlarmPriority.LOW,
}

ALARM_REQUIREMENT: dict[AlarmName, str] = {
    AlarmName.MOTOR_STALL: "SR-ALM-004",
    AlarmName.OCCLUSION: "SR-ALM-004",
    AlarmName.ACTUATOR_COMMUNICATION_LOSS: "SR-ALM-004",
    AlarmName.ACTUATOR_FAULT: "SR-ALM-004",
    AlarmName.UNDER_DELIVERY: "SR-SUP-001",
    AlarmName.OVER_DELIVERY: "SR-SUP-001",
    AlarmName.GRAVIMETRIC_DEVIATION: "SR-SUP-006",
    AlarmName.EMPTY_RESERVOIR: "SR-RES-003",
    AlarmName.DOSE_LIMIT_BREACH: "SR-SUP-002",
    AlarmName.FIRMWARE_FAULT: "SR-ALM-005",
    AlarmName.LOW_RESERVOIR: "SR-RES-002",
    AlarmName.ELECTIVE_REPLACEMENT: "SR-ALM-006",
}

ALARM_FOR_ACTUATOR_FAULT: dict[ActuatorFault, AlarmName] = {
    ActuatorFault.MOTOR_STALL: AlarmName.MOTOR_STALL,
    ActuatorFault.OCCLUSION: AlarmName.OCCLUSION,
    ActuatorFault.COMMUNICATION_LOST: AlarmName.ACTUATOR_COMMUNICATION_LOSS,
    ActuatorFault.DISCONNECTED: AlarmName.ACTUATOR_COMMUNICATION_LOSS,
    # the actuator answered but refused or could not carry out the command
    ActuatorFault.ACTUATOR_FAULT: AlarmName.ACTUATOR_FAULT,
    ActuatorFault.COMMAND_REJECTED: AlarmName.ACTUATOR_FAULT,
    ActuatorFault.LIMIT_EXCEEDED: AlarmName.ACTUATOR_FAULT,
    ActuatorFault.INVALID_COMMAND: AlarmName.ACTUATOR_FAULT,
    ActuatorFault.POWER_RESET: AlarmName.ACTUATOR_FAULT,
    ActuatorFault.GRAVIMETRIC_DEVIATION: AlarmName.GRAVIMETRIC_DEVIATION,
}
"""Every actuator fault's alarm (one entry per ActuatorFault; aliases resolve through parse_actuator_fault)."""


def alarm_for_actuator_fault(fault: str, from_exception: bool) -> AlarmName:
    """Map a fault name reported by the actuator to an alarm; unknown faults are generic actuator faults."""
    known = parse_actuator_fault(fault)
    if known is None:
        return AlarmName.ACTUATOR_COMMUNICATION_LOSS if from_exception else AlarmName.ACTUATOR_FAULT
    return ALARM_FOR_ACTUATOR_FAULT[known]


@dataclass(frozen=True)
class ActiveAlarm:
    name: AlarmName
    priority: AlarmPriority
    t_s: float
    detail: str
    requirement_id: str

    @staticmethod
    def raised(name: AlarmName, t_s: float, detail: str) -> ActiveAlarm:
        return ActiveAlarm(name, ALARM_PRIORITY[name], t_s, detail, ALARM_REQUIREMENT[name])

    def to_record(self) -> dict[str, object]:
        return {"alarm": self.name.value, "priority": self.priority.value, "alarm_t_s": self.t_s,
                "detail": self.detail, "requirement_id": self.requirement_id}


class AlarmSet:
    """The latched alarms: latched and logged once each, kept until clear() names them."""

    def __init__(self, log: EventLog, now_s: Callable[[], float]) -> None:
        self._log = log
        self._now_s = now_s
        self._active: dict[AlarmName, ActiveAlarm] = {}
        self.on_high: Callable[[AlarmName], None] = lambda name: None
        """Called after a high-priority alarm is latched (set by the firmware when it is composed)."""

    def __contains__(self, name: object) -> bool:
        return name in self._active

    def __bool__(self) -> bool:
        return bool(self._active)

    @property
    def active(self) -> tuple[ActiveAlarm, ...]:
        return tuple(self._active.values())

    @property
    def names(self) -> list[AlarmName]:
        return list(self._active)

    def raise_alarm(self, name: AlarmName, detail: str) -> None:
        """Latch and log the alarm (once); a high-priority one calls on_high, where the firmware aborts a running
        bolus and stops delivery at once [SR-ALM-001]."""
        if name in self._active:
            return
        t_s = self._now_s()
        alarm = ActiveAlarm.raised(name, t_s, detail)
        self._active[name] = alarm
        self._log.append(t_s, EventKind.ALARM, **alarm.to_record())
        if alarm.priority is AlarmPriority.HIGH:
            self.on_high(name)

    def clear(self, names: Iterable[AlarmName]) -> None:
        for name in list(names):
            if self._active.pop(name, None) is not None:
                self._log.append(self._now_s(), EventKind.ALARM_CLEARED, alarm=name.value)
