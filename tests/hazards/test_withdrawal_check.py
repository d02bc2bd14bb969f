"""The scenario withdrawal expectation: a drop counts as caught only when a high-priority alarm came at or
before the time it began (SR-PK-006)."""
from __future__ import annotations

import pytest

from firmware_sim.outcome import Outcome
from firmware_sim.pk.envelopes import EnvelopeResult
from hil.runner.withdrawal_check import check_withdrawal, first_high_priority_alarm

pytestmark = pytest.mark.requirements("SR-PK-006")


def envelope(outcome: Outcome, began_h: float | None = None) -> EnvelopeResult:
    value = None if outcome is Outcome.NOT_EVALUATED else (0.0 if began_h is None else 9.0)
    details = {} if began_h is None else {"drop_began_h": began_h}
    return EnvelopeResult("withdrawal", value, 6.0, "h", outcome, f"{outcome.value} reason", ("SR-PK-006",), details)


DROP = envelope(Outcome.FAIL, began_h=10.0)


def test_a_high_priority_alarm_before_the_drop_catches_it():
    result, excused = check_withdrawal("caught_by_alarm", DROP, [(3600.0, "low_reservoir"), (5 * 3600.0, "occlusion")])
    assert result.passed and excused
    assert "occlusion at 5.000 h" in result.detail and result.requirement_ids == ["SR-PK-006"]


def test_an_alarm_after_the_drop_or_a_low_priority_one_does_not():
    for alarms in ([(11 * 3600.0, "motor_stall")], [(3600.0, "low_reservoir")], []):
        result, excused = check_withdrawal("caught_by_alarm", DROP, alarms)
        assert not result.passed and not excused, alarms
        assert "not caught" in result.detail


def test_an_alarm_at_the_moment_the_drop_began_catches_it():
    result, excused = check_withdrawal("caught_by_alarm", DROP, [(10 * 3600.0, "empty_reservoir")])
    assert result.passed and excused


def test_no_drop_passes_caught_and_prevented_but_not_detected():
    no_drop = envelope(Outcome.PASS)
    assert check_withdrawal("caught_by_alarm", no_drop, [])[0].passed
    assert check_withdrawal("prevented", no_drop, [])[0].passed
    result, excused = check_withdrawal("detected_by_envelope", no_drop, [])
    assert not result.passed and not excused


def test_prevented_fails_on_a_drop_even_if_alarmed():
    result, excused = check_withdrawal("prevented", DROP, [(0.0, "motor_stall")])
    assert not result.passed and not excused


def test_detected_by_envelope_needs_the_drop_and_says_nothing_else_caught_it():
    result, excused = check_withdrawal("detected_by_envelope", DROP, [])
    assert result.passed and excused and "only the envelope caught it" in result.detail


def test_not_evaluated_never_passes():
    for expected in ("prevented", "caught_by_alarm", "detected_by_envelope"):
        result, excused = check_withdrawal(expected, envelope(Outcome.NOT_EVALUATED), [])
        assert not result.passed and not excused


def test_unknown_expectations_and_alarm_priorities():
    with pytest.raises(ValueError, match="unknown withdrawal expectation"):
        check_withdrawal("ignored", DROP, [])
    assert first_high_priority_alarm([(9.0, "low_reservoir"), (7.0, "occlusion"), (5.0, "elective_replacement")]) == (
        7.0, "occlusion")
