"""The actuator fault vocabulary: one enum, one explicit alias map, one alarm per fault."""
import pytest

from firmware_sim.pump.actuator_faults import ACTUATOR_FAULT_ALIASES, ActuatorFault, parse_actuator_fault
from firmware_sim.pump.alarms import ALARM_FOR_ACTUATOR_FAULT, AlarmName, alarm_for_actuator_fault

# The names the firmware mapped before the vocabulary was typed, with their alarms: still accepted, same alarms.
ACCEPTED_BEFORE = {
    "motor_stall": AlarmName.MOTOR_STALL, "stall": AlarmName.MOTOR_STALL, "occlusion": AlarmName.OCCLUSION,
    "communication_lost": AlarmName.ACTUATOR_COMMUNICATION_LOSS,
    "communication_loss": AlarmName.ACTUATOR_COMMUNICATION_LOSS, "timeout": AlarmName.ACTUATOR_COMMUNICATION_LOSS,
    "disconnected": AlarmName.ACTUATOR_COMMUNICATION_LOSS, "watchdog": AlarmName.ACTUATOR_COMMUNICATION_LOSS,
    "actuator_fault": AlarmName.ACTUATOR_FAULT, "command_rejected": AlarmName.ACTUATOR_FAULT,
    "limit_exceeded": AlarmName.ACTUATOR_FAULT, "invalid_command": AlarmName.ACTUATOR_FAULT,
    "power_reset": AlarmName.ACTUATOR_FAULT, "gravimetric_deviation": AlarmName.GRAVIMETRIC_DEVIATION,
}


def test_every_fault_has_exactly_one_alarm():
    assert set(ALARM_FOR_ACTUATOR_FAULT) == set(ActuatorFault)


def test_an_alias_is_never_a_fault_name_and_always_names_a_fault():
    assert not set(ACTUATOR_FAULT_ALIASES) & {fault.value for fault in ActuatorFault}
    assert all(isinstance(fault, ActuatorFault) for fault in ACTUATOR_FAULT_ALIASES.values())


def test_the_accepted_names_are_the_faults_and_their_aliases():
    assert set(ACCEPTED_BEFORE) == {fault.value for fault in ActuatorFault} | set(ACTUATOR_FAULT_ALIASES)


@pytest.mark.parametrize("name", sorted(ACCEPTED_BEFORE))
@pytest.mark.parametrize("from_exception", [False, True])
def test_every_accepted_spelling_keeps_its_alarm(name, from_exception):
    assert alarm_for_actuator_fault(name, from_exception) is ACCEPTED_BEFORE[name]
    assert alarm_for_actuator_fault(f"  {name.upper()} ", from_exception) is ACCEPTED_BEFORE[name]


def test_aliases_resolve_to_their_fault():
    assert parse_actuator_fault("stall") is ActuatorFault.MOTOR_STALL
    assert parse_actuator_fault("Watchdog") is ActuatorFault.COMMUNICATION_LOST
    assert parse_actuator_fault("motor_stall") is ActuatorFault.MOTOR_STALL


def test_an_unknown_name_is_a_generic_fault_or_a_communication_loss():
    assert parse_actuator_fault("out_of_range") is None
    assert alarm_for_actuator_fault("out_of_range", from_exception=False) is AlarmName.ACTUATOR_FAULT
    assert alarm_for_actuator_fault("out_of_range", from_exception=True) is AlarmName.ACTUATOR_COMMUNICATION_LOSS


def test_a_fault_reads_and_formats_as_its_name():
    assert f"{ActuatorFault.MOTOR_STALL}: detail" == "motor_stall: detail"
    assert ActuatorFault.POWER_RESET == "power_reset"
