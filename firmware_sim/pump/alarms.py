"""Alarm conditions with their IEC 60601-1-8 priorities, and the latched set of active alarms."""
from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


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

_ACTUATOR_FAULTS = {"motor_stall": AlarmName.MOTOR_STALL, "stall": AlarmName.MOTOR_STALL,
                    "occlusion": AlarmName.OCCLUSION,
                    "communication_lost": AlarmName.ACTUATOR_COMMUNICATION_LOSS,
                    "communication_loss": AlarmName.ACTUATOR_COMMUNICATION_LOSS,
                    "timeout": AlarmName.ACTUATOR_COMMUNICATION_LOSS,
                    "disconnected": AlarmName.ACTUATOR_COMMUNICATION_LOSS,
                    "watchdog": AlarmName.ACTUATOR_COMMUNICATION_LOSS,
                    # the actuator answered but refused or could not carry out the command
                    "actuator_fault": AlarmName.ACTUATOR_FAULT,
                    "command_rejected": AlarmName.ACTUATOR_FAULT,
                    "limit_exceeded": AlarmName.ACTUATOR_FAULT,
                    "invalid_command": AlarmName.ACTUATOR_FAULT,
                    "power_reset": AlarmName.ACTUATOR_FAULT,
                    # the balance weighed another volume than the pump reported (hil/adapters/stall_check.py)
                    "gravimetric_deviation": AlarmName.GRAVIMETRIC_DEVIATION}


def alarm_for_actuator_fault(fault: str, from_exception: bool) -> AlarmName:
    """Map a fault name reported by the actuator to an alarm; unknown faults are generic actuator faults."""
    default = AlarmName.ACTUATOR_COMMUNICATION_LOSS if from_exception else AlarmName.ACTUATOR_FAULT
    return _ACTUATOR_FAULTS.get(fault.strip().lower(), default)


@dataclass(frozen=True)
class ActiveAlarm:
    name: AlarmName
    priority: AlarmPriority
    t_s: float
    detail: str
    requirement_id: str

    @staticmethod
    def raised(name: AlarmName, t_s: float, detail: str) -> "ActiveAlarm":
        return ActiveAlarm(name, ALARM_PRIORITY[name], t_s, detail, ALARM_REQUIREMENT[name])

    def to_record(self) -> dict[str, object]:
        return {"alarm": self.name.value, "priority": self.priority.value, "alarm_t_s": self.t_s,
                "detail": self.detail, "requirement_id": self.requirement_id}
