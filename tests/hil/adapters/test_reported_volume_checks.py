"""The pump adapter hands the firmware only volumes supervision can compute with [SR-HIL-005]: a pump that
reports NaN, a negative volume or a volume that falls without a reset latches a high-priority actuator fault;
a reset or clear the pump explains carries the volume on. End to end: the reliability probe's pump that
over-delivers 3x while every status says `infused_ul = nan` is stopped at the first supervision tick."""
from __future__ import annotations

import math

import pytest

from drivers.errors import NonFiniteValue
from firmware_sim.clock import VirtualClock
from firmware_sim.event_log import Event
from firmware_sim.ports import ActuatorError
from firmware_sim.pump.alarms import AlarmName, AlarmPriority
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import PumpFirmware
from firmware_sim.pump.states import PumpState
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.units import S_PER_H
from hil.adapters import PumpActuator
from tests.support.reporting_pump import ReportingPump

req = pytest.mark.requirements


def readings(reported: list, alarms: dict[int, str] | None = None) -> list:
    """delivered_ul of each read of a pump reporting these volumes in turn, or the ActuatorError a read raised."""
    pump = ReportingPump(VirtualClock())
    actuator = PumpActuator(pump)
    out = []
    for i, volume in enumerate(reported):
        pump.report, pump.alarm = (lambda _pump, v=volume: v), (alarms or {}).get(i)
        try:
            out.append(actuator.read_status().delivered_ul)
        except ActuatorError as exc:
            out.append(exc)
    return out


@req("SR-HIL-005", "SR-ALM-004")
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_non_finite_volume_is_an_actuator_fault_naming_the_value_at_every_read(bad):
    out = readings([1.0, bad, bad, 2.0])
    assert out[0] == 1.0 and out[3] == 2.0
    for error in out[1:3]:
        assert isinstance(error, ActuatorError) and error.fault == "actuator_fault"
        assert repr(bad) in error.detail and "not a finite number" in error.detail


@req("SR-HIL-005")
def test_a_negative_first_volume_and_an_unexplained_fall_are_faults_reported_once():
    out = readings([-3.0, -2.0, 5.0, 4.0, 4.5])
    assert isinstance(out[0], ActuatorError) and "negative" in out[0].detail and "-3" in out[0].detail
    assert out[1:3] == [1.0, 8.0]  # counted from the faulted reading on
    assert isinstance(out[3], ActuatorError) and "less than the 5 uL" in out[3].detail
    assert out[4] == pytest.approx(8.5)  # judged against the lower reading: the fall alarmed once


@req("SR-HIL-005")
def test_a_power_reset_the_pump_reports_restarts_the_counter_and_the_volume_carries_on():
    # NE-1000 whose DIS restarts at 0, and a GRBL whose position origin is lost (negative after the reset)
    assert readings([10.0, 12.0, 0.0, 1.5], alarms={2: "reset"}) == [10.0, 12.0, 12.0, 13.5]
    assert readings([10.0, 12.0, -40.0, -39.0], alarms={2: "reset"}) == [10.0, 12.0, 12.0, 13.0]


@req("SR-HIL-005")
def test_clearing_the_counter_through_the_adapter_carries_the_volume_on():
    clock = VirtualClock()
    pump = ReportingPump(clock)
    pump.report = lambda p: p.delivered_ul - p.cleared_ul
    actuator = PumpActuator(pump)
    actuator.command_rate_ul_per_h(3600.0)
    clock.sleep_until_s(10.0)
    assert actuator.read_status().delivered_ul == pytest.approx(10.0)
    actuator.clear_infused_volume()
    clock.sleep_until_s(12.0)
    assert actuator.read_status().delivered_ul == pytest.approx(12.0)


@req("SR-HIL-005", "SR-DRV-009")
def test_a_non_finite_reading_raised_by_the_driver_is_an_actuator_fault():
    pump = ReportingPump(VirtualClock())
    pump.error = NonFiniteValue("MPos axis 0", "nan", "<Idle|MPos:nan,0.000,0.000|FS:0,0>")
    with pytest.raises(ActuatorError) as caught:
        PumpActuator(pump).read_status()
    assert caught.value.fault == "actuator_fault" and "MPos:nan" in caught.value.detail


def firmware_on(pump: ReportingPump, clock: VirtualClock) -> tuple[PumpFirmware, list[Event]]:
    events: list[Event] = []
    fw = PumpFirmware(FirmwareConfig(), DrugLimits(), PumpActuator(pump), clock, events.append)
    assert fw.refill(20000.0, 500.0, aspirated_ul=0.0).approved
    assert fw.prime().approved
    fw.run_until_s(fw.now_s + 2 * 3600)
    assert not fw.active_alarms
    return fw, events


@req("SR-HIL-005", "SR-ALM-004", "SR-ALM-001")
def test_a_pump_over_delivering_3x_that_reports_nan_is_stopped_at_the_first_supervision_tick():
    """The probe's pump ran 30 h in continuous, 1392 uL delivered against 788 commanded, without an alarm."""
    clock = VirtualClock()
    pump = ReportingPump(clock)
    fw, _events = firmware_on(pump, clock)  # primes with honest reports
    pump.gain, pump.report = 3.0, (lambda _pump: math.nan)
    t_start_s = fw.now_s
    assert fw.start_continuous(240).approved
    fw.run_until_s(t_start_s + 30 * 3600)
    assert fw.state is PumpState.ALARM
    (alarm,) = fw.active_alarms
    assert alarm.name is AlarmName.ACTUATOR_FAULT and alarm.priority is AlarmPriority.HIGH
    assert alarm.t_s - t_start_s <= FirmwareConfig().supervision_period_s and "nan" in alarm.detail
    assert not pump.running
    delivered_in_therapy_ul = pump.delivered_ul - fw.actuator_reported_volume_ul
    rate_ul_per_h = 240 / 500.0 / 24 * 1000  # 240 mcg/day of 500 mcg/mL
    assert delivered_in_therapy_ul <= 3 * rate_ul_per_h * FirmwareConfig().supervision_period_s / S_PER_H + 1e-9
