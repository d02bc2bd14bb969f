"""Balance readings across a restart, and the gravimetric stall check that confirms an open-loop pump's motion."""
from __future__ import annotations

import pytest

from drivers.errors import DeviceAlarm, DeviceDisconnected, DeviceTimeout
from drivers.mtsics import MassReading
from hil.adapters.balance import MAX_N_FAILURES_IN_A_ROW, RETRY_FIRST_S, RETRY_MAX_S, BalanceSampler
from hil.adapters.stall_check import GravimetricStallCheck


class ScriptedBalance:
    """Answers read_mass_immediately() from a list: a mass in g, or an exception to raise."""

    def __init__(self, answers: list) -> None:
        self.answers = list(answers)

    def read_mass_immediately(self) -> MassReading:
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return MassReading(answer, True)


RESET = DeviceAlarm("reset", "balance announced a power-up (I4)")


def sampler(answers: list) -> BalanceSampler:
    return BalanceSampler(ScriptedBalance(answers), density_g_per_ml=1.0)


def test_volumes_carry_on_across_a_restart_and_the_unweighed_interval_is_not_counted():
    # 100 g vessel; +0.010 g per reading; the restart re-zeroes, so the balance then reads from about 0 g
    s = sampler([100.000, 100.010, 100.020, RESET, 0.005, 0.015])
    volumes = [s.read(t).volume_ul for t in (0.0, 60.0, 120.0, 180.0, 240.0)]
    assert volumes == pytest.approx([0.0, 10.0, 20.0, 20.0, 30.0])
    assert s.power_up_count == 1


def test_a_balance_that_comes_up_before_the_first_reading_is_no_restart_during_the_run():
    s = sampler([RESET, 100.0, 100.001])
    assert [s.read(t).volume_ul for t in (0.0, 60.0)] == pytest.approx([0.0, 1.0])
    assert s.power_up_count == 0


def test_two_announcements_in_one_reading_are_two_restarts_and_the_series_carries_on():
    s = sampler([100.0, 100.002, RESET, RESET, 0.0, 0.001])
    assert [s.read(t).volume_ul for t in (0.0, 60.0, 120.0, 180.0)] == pytest.approx([0.0, 2.0, 2.0, 3.0])
    assert s.power_up_count == 2 and s.errors == 0


def test_a_failed_first_reading_after_a_restart_is_counted_and_the_next_one_carries_on():
    s = sampler([100.0, 100.002, RESET, DeviceTimeout("no reply"), 0.0, 0.001])
    assert s.read(0.0).volume_ul == 0.0 and s.read(60.0).volume_ul == pytest.approx(2.0)
    assert s.read(120.0) is None and s.errors == 1 and s.power_up_count == 1
    assert [s.read(t).volume_ul for t in (180.0, 240.0)] == pytest.approx([2.0, 3.0])


def test_readings_count_the_restarts_before_them():
    s = sampler([100.0, RESET, 5.0, 5.001])
    assert [s.read(t).power_up_count for t in (0.0, 60.0, 120.0)] == [0, 1, 1]


def test_a_failed_reading_is_counted_and_kept_and_the_next_one_continues():
    s = sampler([100.0, DeviceTimeout("no reply to 'SI' within 2 s"), 100.002])
    assert s.read(0.0).volume_ul == 0.0
    assert s.read(60.0) is None
    assert s.errors == 1 and "t=60 s" in s.last_error and "DeviceTimeout" in s.last_error
    assert s.read(120.0).volume_ul == pytest.approx(2.0)


def test_failed_readings_short_of_the_limit_in_a_row_leave_the_balance_read_at_every_call():
    timeouts = [DeviceTimeout("no reply")] * (MAX_N_FAILURES_IN_A_ROW - 1)
    s = sampler([100.0, *timeouts, 100.001, *timeouts, 100.002])
    volumes = [s.read(60.0 * i) for i in range(2 * MAX_N_FAILURES_IN_A_ROW + 1)]
    assert s.lost is None and s.errors == 2 * (MAX_N_FAILURES_IN_A_ROW - 1) and s.balance.answers == []
    assert volumes[-1].volume_ul == pytest.approx(2.0)


def test_a_balance_failing_in_a_row_is_read_less_often_and_lost_while_it_keeps_failing():
    timeout = DeviceTimeout("no reply to 'SI' within 2 s")
    s = sampler([100.0, *[timeout] * (MAX_N_FAILURES_IN_A_ROW + 1), 100.003])
    assert s.read(0.0) is not None
    for i in range(1, MAX_N_FAILURES_IN_A_ROW + 1):  # one a minute: each is asked
        assert s.read(60.0 * i) is None
    last_s = 60.0 * MAX_N_FAILURES_IN_A_ROW
    assert s.lost == (f"from t=60 s on, its last {MAX_N_FAILURES_IN_A_ROW} readings failed (the last at t={last_s:.0f} "
                      f"s: DeviceTimeout: no reply to 'SI' within 2 s)")
    assert s.read(last_s + RETRY_FIRST_S - 1) is None and len(s.balance.answers) == 2  # skipped: not asked
    assert s.read(last_s + RETRY_FIRST_S) is None and len(s.balance.answers) == 1  # asked, failed: wait doubles
    assert s.errors == MAX_N_FAILURES_IN_A_ROW + 1
    assert s.read(last_s + 3 * RETRY_FIRST_S - 1) is None and len(s.balance.answers) == 1
    s.retry_now()  # the run's last reading is always asked
    back = s.read(last_s + 3 * RETRY_FIRST_S - 1)
    assert back is not None and back.volume_ul == pytest.approx(3.0)  # cumulative: nothing collected is lost
    assert s.lost is None


def test_the_wait_between_attempts_is_capped():
    s = sampler([100.0, *[DeviceTimeout("no reply")] * 40])
    t_s, asked = 0.0, []
    for _ in range(200000):
        t_s += 60.0
        before = len(s.balance.answers)
        s.read(t_s)
        if len(s.balance.answers) < before:
            asked.append(t_s)
        if len(asked) == 25:
            break
    assert asked[-1] - asked[-2] == RETRY_MAX_S


def test_a_port_gone_loses_the_balance_at_once_and_for_good():
    s = sampler([100.0, DeviceDisconnected("[Errno 5] Input/output error"), 100.001])
    assert s.read(0.0) is not None and s.read(60.0) is None
    s.retry_now()
    assert s.read(120.0) is None and s.balance.answers == [100.001]
    assert s.lost == "at t=60 s, its port gone (DeviceDisconnected: [Errno 5] Input/output error)"


class Weighings:
    """The stall check's view of the balance: volume_ul per call (None = no reading), via a real sampler."""

    def __init__(self, masses_g: list) -> None:
        self.sampler = sampler(masses_g)
        self.t_s = 0.0

    def __call__(self):  # noqa: ANN204
        self.t_s += 60.0
        return self.sampler.read(self.t_s)


def test_motion_the_balance_does_not_see_is_a_motor_stall_with_what_was_weighed_in_the_detail():
    check = GravimetricStallCheck(Weighings([100.0, 100.001, 100.001, 100.001]))
    assert check.fault(0.0) is None       # first confirmation point
    assert check.fault(1.0) is None       # below min_volume_ul: not judged yet
    assert check.fault(2.5) == "motor_stall"   # 1 uL weighed of 2.5 uL moved
    assert "1 uL weighed while the pump reported 2.5 uL moved since t=60 s" in check.detail


def test_motion_the_balance_sees_is_confirmed_and_the_reference_moves_on():
    # 2.6 uL is 0.1 uL past the confirmation at 2.5 uL: not judged, so not weighed (the readings are at 0, 2.5, 5 uL)
    check = GravimetricStallCheck(Weighings([100.0, 100.0025, 100.005]))
    assert [check.fault(v) for v in (0.0, 2.5, 2.6, 5.0)] == [None, None, None, None]


def test_the_balance_is_read_only_when_the_check_can_decide():
    weighed_at_ul = []
    readings = Weighings([100.0, 100.002, 100.004, 0.0])

    def weigh():  # noqa: ANN202
        weighed_at_ul.append(reported_ul)
        return readings()

    check = GravimetricStallCheck(weigh)
    for reported_ul in (0.0, 0.5, 1.0, 1.9, 2.0, 2.1, 3.9, 4.0, 1.0):
        assert check.fault(reported_ul) is None
    # the first confirmation, 2 uL past it, 2 uL past that, and a counter that went back (a new reference)
    assert weighed_at_ul == [0.0, 2.0, 4.0, 1.0]


def test_a_balance_restart_starts_the_confirmation_afresh_instead_of_raising_a_false_stall():
    # the restart's interval was not weighed: 4 uL moved, only 2 uL weighed across it
    masses = [100.0, 100.002, RESET, 0.0, 0.003]
    check = GravimetricStallCheck(Weighings(masses))
    assert [check.fault(v) for v in (0.0, 2.0, 6.0, 9.0)] == [None, None, None, None]
    without_restart_handling = GravimetricStallCheck(Weighings([100.0, 100.002, 100.002, 100.005]))
    assert [without_restart_handling.fault(v) for v in (0.0, 2.0, 6.0)] == [None, None, "motor_stall"]


def test_no_reading_neither_confirms_nor_refutes():
    readings = iter([None, None])
    check = GravimetricStallCheck(lambda: next(readings))
    assert check.fault(0.0) is None and check.fault(50.0) is None


@pytest.mark.requirements("SR-HIL-005")
@pytest.mark.parametrize("bad_g", [float("nan"), float("inf"), float("-inf")])
def test_a_non_finite_mass_is_a_failed_reading_not_a_volume(bad_g):
    s = sampler([100.0, bad_g, 100.002])
    assert s.read(0.0).volume_ul == 0.0
    assert s.read(60.0) is None and s.errors == 1 and repr(bad_g) in s.last_error
    assert s.read(120.0).volume_ul == pytest.approx(2.0)
