"""The pump adapter turns driver errors and device alarms into the firmware's actuator faults."""
from __future__ import annotations

import pytest

from drivers.errors import DeviceAlarm, DeviceDisconnected, DeviceTimeout, FramingError, LimitExceeded, ProtocolError
from drivers.syringe_pump import PumpStatus
from firmware_sim.ports import ActuatorError
from firmware_sim.pump.alarms import AlarmName, alarm_for_actuator_fault
from hil.adapters import PumpActuator


class FakePump:
    def __init__(self) -> None:
        self.calls: list[tuple] = []
        self.error: Exception | None = None
        self.status_reply = PumpStatus(running=True, infused_ul=50.0)

    def _do(self, *call: object) -> None:
        self.calls.append(call)
        if self.error is not None:
            raise self.error

    def set_rate_ul_per_h(self, rate: float) -> None:
        self._do("rate", rate)

    def start(self) -> None:
        self._do("start")

    def stop(self) -> None:
        self._do("stop")

    def status(self) -> PumpStatus:
        self._do("status")
        return self.status_reply


def test_first_rate_starts_the_pump_later_rates_only_change_it() -> None:
    pump = FakePump()
    actuator = PumpActuator(pump)
    actuator.command_rate_ul_per_h(10.0)
    actuator.command_rate_ul_per_h(20.0)
    actuator.stop()
    assert pump.calls == [("rate", 10.0), ("start",), ("rate", 20.0), ("stop",)]


def test_time_compression_scales_rates_up_and_passes_volumes_on_unscaled() -> None:
    """Scenario time runs 10x faster: the pump runs at 10x the rate for a tenth of the wall time, so the volume it
    reports is the scenario's volume."""
    pump = FakePump()
    actuator = PumpActuator(pump, rate_scale=10.0)
    actuator.command_rate_ul_per_h(10.0)
    assert pump.calls[0] == ("rate", 100.0)
    assert actuator.read_status().delivered_ul == pytest.approx(50.0)


@pytest.mark.parametrize("error, fault, alarm", [
    (DeviceAlarm("stall"), "motor_stall", AlarmName.MOTOR_STALL),
    (DeviceTimeout("silent"), "communication_lost", AlarmName.ACTUATOR_COMMUNICATION_LOSS),
    (DeviceDisconnected("unplugged"), "disconnected", AlarmName.ACTUATOR_COMMUNICATION_LOSS),
    (FramingError("crc"), "communication_lost", AlarmName.ACTUATOR_COMMUNICATION_LOSS),
    (LimitExceeded("too fast"), "limit_exceeded", AlarmName.ACTUATOR_FAULT),
    (ProtocolError("?OOR data out of range"), "command_rejected", AlarmName.ACTUATOR_FAULT),
    (DeviceAlarm("reset"), "power_reset", AlarmName.ACTUATOR_FAULT),
])
def test_driver_errors_become_actuator_errors_with_a_fault_the_firmware_maps(error, fault, alarm) -> None:
    pump = FakePump()
    pump.error = error
    with pytest.raises(ActuatorError) as caught:
        PumpActuator(pump).command_rate_ul_per_h(10.0)
    assert caught.value.fault == fault
    assert alarm_for_actuator_fault(caught.value.fault, True) is alarm


def test_device_alarm_in_a_status_is_reported_as_a_fault() -> None:
    pump = FakePump()
    pump.status_reply = PumpStatus(running=False, infused_ul=3.0, alarm="stall")
    status = PumpActuator(pump).read_status()
    assert status.fault == "motor_stall" and status.running is False and status.delivered_ul == 3.0


def test_the_runners_own_read_holds_a_device_alarm_for_the_firmwares_next_read() -> None:
    pump = FakePump()
    actuator = PumpActuator(pump)
    pump.status_reply = PumpStatus(running=False, infused_ul=3.0, alarm="stall")
    own = actuator.read_status_unsupervised()
    assert own.delivered_ul == 3.0 and own.volume_problem is None
    pump.status_reply = PumpStatus(running=False, infused_ul=3.0, alarm="reset")
    assert actuator.read_status().fault == "motor_stall"  # the held alarm first, in the order the pump gave them
    pump.status_reply = PumpStatus(running=False, infused_ul=3.0)
    assert actuator.read_status().fault == "power_reset"
    assert actuator.read_status().fault is None


def test_the_runners_own_read_carries_the_volume_across_a_reset_as_the_firmwares_reads_do() -> None:
    pump = FakePump()
    actuator = PumpActuator(pump)
    pump.status_reply = PumpStatus(running=True, infused_ul=40.0)
    assert actuator.read_status().delivered_ul == 40.0
    pump.status_reply = PumpStatus(running=False, infused_ul=0.0, alarm="reset")  # the counter starts again from 0
    assert actuator.read_status().delivered_ul == 40.0
    pump.status_reply = PumpStatus(running=False, infused_ul=2.5)
    assert actuator.read_status_unsupervised().delivered_ul == 42.5
    pump.status_reply = PumpStatus(running=False, infused_ul=1.0)  # falls without a reset: no number is made up
    read = actuator.read_status_unsupervised()
    assert read.running is False and read.delivered_ul is None and "less than" in (read.volume_problem or "")
