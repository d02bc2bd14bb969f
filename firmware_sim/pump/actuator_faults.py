"""The actuator fault vocabulary: the one set of fault names an actuator reports to the firmware (in
ActuatorStatus.fault or ActuatorError.fault), and the one explicit map of the other spellings still accepted.

The harness translates driver alarm names into these (hil/adapters/actuator.py); the firmware maps each to an
alarm (firmware_sim/pump/alarms.py). A name that is neither a fault nor an alias is unknown: the firmware treats it
as a generic actuator fault (or a communication loss when it came with an exception).
"""
from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType
from collections.abc import Mapping


class ActuatorFault(StrEnum):
    MOTOR_STALL = "motor_stall"
    OCCLUSION = "occlusion"
    COMMUNICATION_LOST = "communication_lost"
    DISCONNECTED = "disconnected"
    ACTUATOR_FAULT = "actuator_fault"
    """The actuator answered but could not carry out the command, or reported a reading no device can measure."""
    COMMAND_REJECTED = "command_rejected"
    LIMIT_EXCEEDED = "limit_exceeded"
    INVALID_COMMAND = "invalid_command"
    POWER_RESET = "power_reset"
    GRAVIMETRIC_DEVIATION = "gravimetric_deviation"
    """The balance weighed another volume than the pump reported (hil/adapters/stall_check.py)."""


ACTUATOR_FAULT_ALIASES: Mapping[str, ActuatorFault] = MappingProxyType({
    "stall": ActuatorFault.MOTOR_STALL,
    "communication_loss": ActuatorFault.COMMUNICATION_LOST,
    "timeout": ActuatorFault.COMMUNICATION_LOST,
    "watchdog": ActuatorFault.COMMUNICATION_LOST,  # the in-memory actuator's watchdog stop (memory_actuator.py)
})
"""Other spellings accepted for a fault (any case, surrounding blanks ignored); never a fault's own name."""


def parse_actuator_fault(name: str) -> ActuatorFault | None:
    """The fault a reported name means (its own name or an alias, any case), or None if it names none."""
    key = name.strip().lower()
    try:
        return ActuatorFault(key)
    except ValueError:
        return ACTUATOR_FAULT_ALIASES.get(key)
