"""Runner building blocks: expectations, the state timeline, the gravimetric window, the physical reservoir."""
from __future__ import annotations

import pytest

from hil.config.scenario import AlarmExpectation, StateExpectation
from hil.config.scenario_steps import StepExpectation
from hil.runner.expectations import StateTimeline, check_alarm, check_state, check_step
from hil.runner.physical_reservoir import PhysicalReservoir
from hil.runner.sampling import gravimetric_window, merged_times_s
from hil.runner.steps import StepResult


class Step:
    def __init__(self, at_h: float, action: str) -> None:
        self.at_h, self.action = at_h, action


def test_alarm_expectation_windows() -> None:
    alarms = [(30.5 * 3600, "motor_stall")]
    assert check_alarm(AlarmExpectation(name="motor_stall", occurs=True, from_h=30, to_h=31), alarms, 36).passed
    assert not check_alarm(AlarmExpectation(name="motor_stall", occurs=True, from_h=31, to_h=32), alarms, 36).passed
    absent = check_alarm(AlarmExpectation(name="motor_stall", occurs=False), alarms, 36)
    assert not absent.passed and "30.500 h" in absent.detail


def test_state_at_a_time_follows_the_changes() -> None:
    timeline = StateTimeline()
    timeline.changed(0.0, "priming")
    timeline.changed(1800.0, "idle")
    timeline.changed(3600.0, "continuous")
    assert timeline.at(900.0) == "priming"
    assert check_state(StateExpectation(at_h=2.0, state="continuous"), timeline).passed
    failed = check_state(StateExpectation(at_h=0.75, state="continuous"), timeline)
    assert not failed.passed and "state idle" in failed.detail


def test_step_expectation_checks_decision_citations_and_reason() -> None:
    result = StepResult("rejected", ["too much [SR-DOSE-001]"], ["SR-DOSE-001"])
    ok = check_step(3, "change_rate", StepExpectation(decision="rejected", cites_requirement_ids=["SR-DOSE-001"],
                                                      reason_contains="too much"), result, ["SR-DOSE-001"])
    assert ok.passed
    wrong = check_step(3, "change_rate", StepExpectation(decision="rejected", cites_requirement_ids=["SR-TIT-001"]),
                       result, [])
    assert not wrong.passed and "does not cite SR-TIT-001" in wrong.detail


def test_gravimetric_window_starts_at_the_first_delivery_step() -> None:
    steps = [Step(0.0, "prime"), Step(1.0, "start_continuous"), Step(30.0, "wait")]
    window = gravimetric_window(steps, None, 2.0, 30.0, 48.0)
    assert window is not None and window.start_s == 3600.0 and window.end_s == 3 * 3600.0
    times = window.times_s()
    assert len(times) == 241 and times[1] - times[0] == 30.0
    assert gravimetric_window([Step(0.0, "prime")], None, 2.0, 30.0, 48.0) is None
    assert gravimetric_window(steps, 47.5, 2.0, 30.0, 48.0).end_s == 48 * 3600.0


def test_merged_times_count_near_equal_times_once() -> None:
    assert merged_times_s([60.0, 120.0], [60.0 + 1e-9, 90.0], [120.0]) == [60.0, 90.0, 120.0]


def test_physical_reservoir_keeps_what_really_reached_it() -> None:
    reservoir = PhysicalReservoir(4000.0)
    assert reservoir.residual_ul(1000.0) == pytest.approx(3000.0)
    reservoir.refilled(6000.0, delivered_ul=1000.0)  # 10 mL injected, 6 mL reached
    assert reservoir.residual_ul(1250.0) == pytest.approx(5750.0)
