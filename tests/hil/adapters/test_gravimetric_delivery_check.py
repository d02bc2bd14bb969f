"""The gravimetric delivery-accuracy check (SR-SUP-006): weighed vs pump-reported volume over each window, on any
pump with a balance, sharing the stall check's weighing."""
from __future__ import annotations

import pytest

from firmware_sim.pump.alarms import (ALARM_PRIORITY, ALARM_REQUIREMENT, AlarmName, AlarmPriority,
                                      alarm_for_actuator_fault)
from hil.adapters.balance import GravimetricReading
from hil.adapters.stall_check import DeliveryAccuracy, GravimetricStallCheck

pytestmark = pytest.mark.requirements("SR-SUP-006")


class Balance:
    """Weighs gain x what the pump reported (a pump running fast or slow), counting its readings."""

    def __init__(self, gain: float) -> None:
        self.gain, self.reported_ul, self.reads, self.power_up_count = gain, 0.0, 0, 0

    def __call__(self) -> GravimetricReading:
        self.reads += 1
        volume_ul = self.gain * self.reported_ul
        return GravimetricReading(self.reads * 60.0, volume_ul / 1000.0, True, volume_ul, self.power_up_count)


def run(check: GravimetricStallCheck, balance: Balance, upto_ul: float, step_ul: float = 1.0) -> list[tuple]:
    faults = []
    while balance.reported_ul < upto_ul - 1e-9:
        balance.reported_ul += step_ul
        fault = check.fault(balance.reported_ul)
        if fault:
            faults.append((balance.reported_ul, fault, check.detail))
    return faults


def accuracy_check(balance: Balance, **kw) -> GravimetricStallCheck:
    return GravimetricStallCheck(balance, accuracy=DeliveryAccuracy(**kw), stall=False)


def test_a_pump_running_8_percent_fast_is_found_at_the_first_full_window_with_both_volumes_named():
    balance = Balance(1.08)
    faults = run(accuracy_check(balance), balance, 60.0)
    assert [f[:2] for f in faults] == [(51.0, "gravimetric_deviation")]
    detail = faults[0][2]
    assert "weighed 54 uL" in detail and "reported 50 uL" in detail and "+8.0%" in detail and "SR-SUP-006" in detail
    assert "over-delivery" in detail


def test_a_slow_pump_is_under_delivery_and_an_accurate_one_passes_every_window():
    slow = Balance(0.9)
    assert "under-delivery" in run(accuracy_check(slow), slow, 60.0)[0][2]
    accurate = Balance(1.03)
    assert run(accuracy_check(accurate), accurate, 500.0) == []


def test_the_tolerance_and_window_are_configurable_and_checked():
    balance = Balance(1.03)
    assert [f[0] for f in run(accuracy_check(balance, tolerance_fraction=0.02, window_volume_ul=10.0), balance,
                              35.0)] == [11.0, 21.0, 31.0]  # each window judged afresh
    for bad in ({"tolerance_fraction": 0.0}, {"tolerance_fraction": 1.0}, {"window_volume_ul": 0.0}):
        with pytest.raises(ValueError):
            DeliveryAccuracy(**bad)


def test_the_balance_is_read_only_once_per_window_without_the_stall_check():
    balance = Balance(1.0)
    run(accuracy_check(balance), balance, 200.0)
    assert balance.reads == 4  # the first reading (at 1 uL), then at 51, 101 and 151 uL reported


def test_with_the_stall_check_a_stall_is_still_a_motor_stall_and_a_restart_starts_both_afresh():
    stalled = Balance(0.0)
    check = GravimetricStallCheck(stalled, accuracy=DeliveryAccuracy())
    assert run(check, stalled, 5.0)[0][1] == "motor_stall"
    balance = Balance(1.08)
    check = GravimetricStallCheck(balance, accuracy=DeliveryAccuracy())
    run(check, balance, 30.0)
    balance.power_up_count = 1  # the balance restarts: the interval around it was not weighed
    assert [f[:2] for f in run(check, balance, 90.0)] == [(81.0, "gravimetric_deviation")]


@pytest.mark.requirements("SR-ALM-001")
def test_the_fault_is_the_high_priority_gravimetric_deviation_alarm():
    alarm = alarm_for_actuator_fault("gravimetric_deviation", from_exception=False)
    assert alarm is AlarmName.GRAVIMETRIC_DEVIATION
    assert ALARM_PRIORITY[alarm] is AlarmPriority.HIGH and ALARM_REQUIREMENT[alarm] == "SR-SUP-006"
