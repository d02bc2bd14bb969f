"""The in-memory actuator's communications watchdog: an unreachable actuator stops by itself."""
from __future__ import annotations

import numpy as np
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


def _running_actuator(gain: float = 1.0, watchdog_s: float | None = None) -> tuple[VirtualClock, InMemoryActuator]:
    clock = VirtualClock()
    actuator = InMemoryActuator(clock, gain=gain, watchdog_s=watchdog_s)
    actuator.command_rate_ul_per_h(13.7)
    clock.advance_s(5.0)
    return clock, actuator


def _read_one_by_one(clock: VirtualClock, actuator: InMemoryActuator, times_s: np.ndarray) -> list[float]:
    delivered = []
    for t_s in times_s:
        clock.sleep_until_s(t_s)
        delivered.append(actuator.read_status().delivered_ul)
    return delivered


TIMES_S = np.add.accumulate(np.r_[37.5, np.full(99, 61.3)])


@pytest.mark.parametrize("gain", [1.0, 0.87])
def test_preview_gives_the_reads_bit_for_bit_and_take_counts_them(gain):
    clock, actuator = _running_actuator(gain)
    twin_clock, twin = _running_actuator(gain)
    actuator.preview_reads(TIMES_S[:50])  # previewing changes nothing: the second preview starts from the same state
    preview = actuator.preview_reads(TIMES_S)
    assert actuator.status_reads == 0
    expected = _read_one_by_one(twin_clock, twin, TIMES_S)
    assert preview.delivered_ul.tolist() == expected
    clock.sleep_until_s(TIMES_S[59])
    preview.take(60)
    assert actuator.status_reads == 60
    assert actuator.read_status().delivered_ul == expected[59]  # the clock stands at the 60th read
    assert _read_one_by_one(clock, actuator, TIMES_S[60:]) == expected[60:]  # and reads go on from there


def test_take_refuses_a_changed_actuator_or_a_clock_not_yet_there():
    clock, actuator = _running_actuator()
    preview = actuator.preview_reads(TIMES_S)
    with pytest.raises(ValueError, match="clock is not yet"):
        preview.take(3)
    with pytest.raises(ValueError, match="holds 100 reads"):
        preview.take(101)
    clock.sleep_until_s(TIMES_S[2])
    actuator.command_rate_ul_per_h(20.0)
    with pytest.raises(ValueError, match="changed since the preview"):
        preview.take(3)
    assert actuator.status_reads == 0


def test_preview_stops_before_a_read_that_is_not_plain():
    _clock, actuator = _running_actuator(watchdog_s=200.0)
    late = np.r_[TIMES_S[:10], TIMES_S[9] + 250.0, TIMES_S[9] + 260.0]  # a 250 s silence lets the watchdog fire
    assert len(actuator.preview_reads(late).delivered_ul) == 10
    actuator.fault = "occlusion"
    assert len(actuator.preview_reads(TIMES_S).delivered_ul) == 0
    actuator.fault, actuator.communication_lost = None, True
    assert len(actuator.preview_reads(TIMES_S).delivered_ul) == 0
