"""A high-priority alarm no expectation names fails the run when nothing explains it: no injected fault before it and
no expected stop by an alarm. The therapy the scenario describes stopped; its envelopes then judge less drug than it
programmed, so a PASS would look better than what was asked for."""
from __future__ import annotations

import math

from hil.config.scenario import AlarmExpectation, Expectations, StateExpectation
from hil.runner.expectations import unexpected_high_alarms

ALARMS = [(3600.0, "motor_stall"), (7200.0, "low_reservoir")]  # low_reservoir: low priority, never counted


def test_an_unexplained_high_alarm_fails_the_run() -> None:
    unprovoked, said = unexpected_high_alarms(ALARMS, Expectations(), math.inf)
    assert unprovoked == ["high-priority alarm motor_stall at 1.000 h, which no expectation names (delivery "
                          "stopped), and no injected fault preceded it"]
    assert said == []


def test_after_an_injected_fault_the_alarm_is_its_detection_and_only_said() -> None:
    unprovoked, said = unexpected_high_alarms(ALARMS, Expectations(), 1800.0)
    assert unprovoked == [] and said == ["high-priority alarm motor_stall at 1.000 h, which no expectation names "
                                         "(delivery stopped), after the fault injected at 0.500 h"]
    unprovoked, _ = unexpected_high_alarms(ALARMS, Expectations(), 5400.0)  # the fault came after the alarm
    assert len(unprovoked) == 1


def test_a_named_alarm_or_an_expected_stop_by_an_alarm_is_no_failure() -> None:
    named = Expectations(alarms=[AlarmExpectation(name="motor_stall", occurs=True)])
    assert unexpected_high_alarms(ALARMS, named, math.inf) == ([], [])
    for expected in (Expectations(states=[StateExpectation(at_h=2.0, state="alarm")]),
                     Expectations(withdrawal="caught_by_alarm")):
        unprovoked, said = unexpected_high_alarms(ALARMS, expected, math.inf)
        assert unprovoked == [] and said[0].endswith("where the scenario expects a stop by an alarm")
