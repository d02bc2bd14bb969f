"""The scenario withdrawal expectation: a drop counts as caught only when a high-priority alarm came at or
before the time it began and therapy was not started again between them (SR-PK-006)."""
from __future__ import annotations

from pathlib import Path

import pytest

from firmware_sim.outcome import Outcome
from firmware_sim.pk.envelopes import EnvelopeResult
from hil.runner import RunOptions, run_scenario
from hil.runner.expectations import StateTimeline
from hil.runner.withdrawal_check import check_withdrawal, first_high_priority_alarm, therapy_starts_s
from tests.support.scenario_yaml import adult_scenario_yaml

pytestmark = pytest.mark.requirements("SR-PK-006")


def envelope(outcome: Outcome, began_h: float | None = None) -> EnvelopeResult:
    value = None if outcome is Outcome.NOT_EVALUATED else (0.0 if began_h is None else 9.0)
    details = {} if began_h is None else {"drop_began_h": began_h}
    return EnvelopeResult("withdrawal", value, 6.0, "h", outcome, f"{outcome.value} reason", ("SR-PK-006",), details)


DROP = envelope(Outcome.FAIL, began_h=10.0)


def test_a_high_priority_alarm_before_the_drop_catches_it():
    alarms = [(3600.0, "low_reservoir"), (5 * 3600.0, "occlusion")]
    result, excused = check_withdrawal("caught_by_alarm", DROP, alarms, ())
    assert result.passed and excused
    assert "occlusion at 5.000 h" in result.detail and result.requirement_ids == ["SR-PK-006"]


def test_an_alarm_after_the_drop_or_a_low_priority_one_does_not():
    for alarms in ([(11 * 3600.0, "motor_stall")], [(3600.0, "low_reservoir")], []):
        result, excused = check_withdrawal("caught_by_alarm", DROP, alarms, ())
        assert not result.passed and not excused, alarms
        assert "not caught" in result.detail


def test_an_alarm_at_the_moment_the_drop_began_catches_it():
    result, excused = check_withdrawal("caught_by_alarm", DROP, [(10 * 3600.0, "empty_reservoir")], ())
    assert result.passed and excused


def test_no_drop_passes_caught_and_prevented_but_not_detected():
    no_drop = envelope(Outcome.PASS)
    assert check_withdrawal("caught_by_alarm", no_drop, [], ())[0].passed
    assert check_withdrawal("prevented", no_drop, [], ())[0].passed
    result, excused = check_withdrawal("detected_by_envelope", no_drop, [], ())
    assert not result.passed and not excused


def test_prevented_fails_on_a_drop_even_if_alarmed():
    result, excused = check_withdrawal("prevented", DROP, [(0.0, "motor_stall")], ())
    assert not result.passed and not excused


def test_detected_by_envelope_needs_the_drop_and_says_nothing_else_caught_it():
    result, excused = check_withdrawal("detected_by_envelope", DROP, [], ())
    assert result.passed and excused and "only the envelope caught it" in result.detail


def test_not_evaluated_never_passes():
    for expected in ("prevented", "caught_by_alarm", "detected_by_envelope"):
        result, excused = check_withdrawal(expected, envelope(Outcome.NOT_EVALUATED), [], ())
        assert not result.passed and not excused


def test_a_drop_still_under_way_at_the_end_is_caught_by_an_alarm_before_it_but_never_prevented():
    """Not evaluated (its length lies beyond the run), the drop has begun: an alarm before it announced it; that it
    stays short cannot be shown, nor that the envelope found a drop over the limit."""
    under_way = envelope(Outcome.NOT_EVALUATED, began_h=10.0)
    caught, _ = check_withdrawal("caught_by_alarm", under_way, [(5 * 3600.0, "motor_stall")], ())
    assert caught.passed and "caught: the high-priority alarm motor_stall at 5.000 h" in caught.detail
    assert not check_withdrawal("caught_by_alarm", under_way, [(11 * 3600.0, "motor_stall")], ())[0].passed
    assert not check_withdrawal("prevented", under_way, [(5 * 3600.0, "motor_stall")], ())[0].passed
    assert not check_withdrawal("detected_by_envelope", under_way, [], ())[0].passed


def test_unknown_expectations_and_alarm_priorities():
    with pytest.raises(ValueError, match="unknown withdrawal expectation"):
        check_withdrawal("ignored", DROP, [], ())
    assert first_high_priority_alarm([(9.0, "low_reservoir"), (7.0, "occlusion"), (5.0, "elective_replacement")]) == (
        7.0, "occlusion")


def test_an_alarm_whose_therapy_was_started_again_before_the_drop_does_not_catch_it():
    restarted = [1 * 3600.0, 2.2 * 3600.0]  # therapy started, the occlusion at 1.75 h cleared, therapy resumed
    result, excused = check_withdrawal("caught_by_alarm", DROP, [(1.75 * 3600.0, "occlusion")], restarted)
    assert not result.passed and not excused
    assert "started again after every high-priority alarm" in result.detail
    result, _ = check_withdrawal("detected_by_envelope", DROP, [(1.75 * 3600.0, "occlusion")], restarted)
    assert "only the envelope caught it" in result.detail


def test_the_alarm_of_the_episode_that_led_to_the_drop_catches_it():
    alarms = [(1.75 * 3600.0, "occlusion"), (6 * 3600.0, "motor_stall")]
    result, excused = check_withdrawal("caught_by_alarm", DROP, alarms, [3600.0, 2.2 * 3600.0])
    assert result.passed and excused and "motor_stall at 6.000 h" in result.detail
    result, excused = check_withdrawal("caught_by_alarm", DROP, [(5 * 3600.0, "occlusion")], [3600.0, 11 * 3600.0])
    assert result.passed and excused  # therapy started again only after the drop had begun


def test_therapy_starts_are_entries_into_a_delivering_state():
    states = StateTimeline()
    for t_s, state in [(0.0, "priming"), (600.0, "idle"), (3600.0, "continuous"), (7200.0, "bolus"),
                       (9000.0, "continuous"), (9500.0, "alarm"), (9900.0, "idle"), (10000.0, "bridge"),
                       (11000.0, "continuous")]:
        states.changed(t_s, state)
    assert therapy_starts_s(states) == [3600.0, 10000.0]


def test_a_run_whose_occlusion_was_cleared_and_therapy_resumed_does_not_pass_a_later_unalarmed_leak(
        tmp_path, monkeypatch):
    bundled_configs = Path(__file__).resolve().parents[2] / "bench_configs"
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(bundled_configs))
    scenario = tmp_path / "leak-after-a-cleared-occlusion.yaml"
    scenario.write_text(adult_scenario_yaml("leak-after-a-cleared-occlusion", 24.0, [
        "{at_h: 0.0, action: prime}", "{at_h: 1.0, action: start_continuous, rate_mcg_per_day: 400}",
        "{at_h: 1.5, action: inject_fault, device: pump, fault: occlusion}",
        "{at_h: 2.0, action: inject_fault, device: pump, fault: clear_occlusion}",
        "{at_h: 2.1, action: clear_alarm}", "{at_h: 2.2, action: start_continuous, rate_mcg_per_day: 400}",
        "{at_h: 6.6, action: inject_fault, device: pump, fault: leak, params: {fraction: 1.0}}",
        "{at_h: 24.0, action: wait}"], supervision_period_s=60,
        expectations="expectations:\n  withdrawal: caught_by_alarm\n"))
    result = run_scenario(scenario, bundled_configs / "rigs" / "emulated-ne1000.yaml",
                          RunOptions(out_dir=tmp_path / "run"))
    assert result.outcome == "FAIL", result.reason
    assert "withdrawal caught_by_alarm: not caught: therapy was started again" in result.reason
