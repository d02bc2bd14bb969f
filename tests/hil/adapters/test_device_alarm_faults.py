"""Driver alarm names become the firmware's typed actuator faults; other driver alarms pass under their own name."""
from drivers.errors import DeviceAlarm, DeviceDisconnected, DeviceTimeout, LimitExceeded, ProtocolError
from firmware_sim.pump.actuator_faults import ActuatorFault
from hil.adapters.actuator import DEVICE_ALARM_FAULTS, fault_for_device_alarm, fault_for_error


def test_every_translated_driver_alarm_is_a_typed_fault():
    assert all(isinstance(fault, ActuatorFault) for fault in DEVICE_ALARM_FAULTS.values())
    assert fault_for_device_alarm("stall") is ActuatorFault.MOTOR_STALL
    assert fault_for_device_alarm("reset") is ActuatorFault.POWER_RESET


def test_an_untranslated_driver_alarm_keeps_its_name():
    assert fault_for_device_alarm("out_of_range") == "out_of_range"


def test_driver_errors_become_typed_faults():
    assert fault_for_error(DeviceAlarm("comm_error", "x")) is ActuatorFault.COMMUNICATION_LOST
    assert fault_for_error(DeviceDisconnected("gone")) is ActuatorFault.DISCONNECTED
    assert fault_for_error(DeviceTimeout("late")) is ActuatorFault.COMMUNICATION_LOST
    assert fault_for_error(LimitExceeded("big")) is ActuatorFault.LIMIT_EXCEEDED
    assert fault_for_error(ProtocolError("no")) is ActuatorFault.COMMAND_REJECTED
