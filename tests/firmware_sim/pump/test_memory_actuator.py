"""The in-memory actuator's communications watchdog: an unreachable actuator stops by itself."""
from __future__ import annotations

import pytest

from firmware_sim.clock import VirtualClock
from firmware_sim.ports import ActuatorError
from firmware_sim.pump.alarms import AlarmName, alarm_for_actuator_fault
from firmware_sim.pump.memory_actuator import InMemoryActuator

H = 3600.0


def test_unreachable_actuator_stops_when_its_watchdog_expires():
    clock = VirtualClock()
    actuator = InMemoryActuator(clock, watchdog_s=600.0)
    actuator.command_rate_ul_per_h(360.0)          # 0.1 uL/s
    clock.advance_s(100.0)
    actuator.communication_lost = True
    clock.advance_s(5 * H)
    with pytest.raises(ActuatorError):
        actuator.read_status()
    assert actuator.delivered_ul == pytest.approx(0.1 * 600.0)   # ran until 600 s after the last contact at t=0
    assert actuator.watchdog_stops_s == [600.0]
    actuator.communication_lost = False
    status = actuator.read_status()
    assert (status.running, status.fault) == (False, "watchdog")
    assert alarm_for_actuator_fault(status.fault, False) is AlarmName.ACTUATOR_COMMUNICATION_LOSS


def test_watchdog_never_fires_while_the_controller_keeps_in_touch():
    clock = VirtualClock()
    actuator = InMemoryActuator(clock, watchdog_s=600.0)
    actuator.command_rate_ul_per_h(36.0)
    for _ in range(100):
        clock.advance_s(300.0)
        assert actuator.read_status().running
    assert actuator.delivered_ul == pytest.approx(36.0 * 100 * 300.0 / H)
    assert actuator.watchdog_stops_s == []


def test_without_a_watchdog_an_unreachable_actuator_keeps_running():
    clock = VirtualClock()
    actuator = InMemoryActuator(clock)
    actuator.command_rate_ul_per_h(36.0)
    actuator.communication_lost = True
    clock.advance_s(10 * H)
    assert actuator.delivered_ul == pytest.approx(360.0)


def test_watchdog_must_be_positive():
    with pytest.raises(ValueError, match="watchdog_s"):
        InMemoryActuator(VirtualClock(), watchdog_s=0.0)
