"""The run's PK envelopes judged against the scenario: recorded, withdrawal excused when an expected alarm caught it,
an expected envelope with nothing to judge counted as an expectation not met."""
from __future__ import annotations

from collections.abc import Callable

from firmware_sim.outcome import Outcome
from hil.config.scenario import ScenarioConfig
from hil.records import events as ev
from hil.records.writer import RecordWriter
from hil.runner import expectations as expect
from hil.runner.pk_verdict import PkOutcome
from hil.runner.withdrawal_check import check_withdrawal, therapy_starts_s


def judge_envelopes(pk: PkOutcome, scenario: ScenarioConfig, record: RecordWriter, alarms: list[tuple[float, str]],
                    states: expect.StateTimeline, expectation: Callable[[expect.ExpectationResult], None],
                    fail: Callable[[str], None]) -> tuple[list[str], set[str]]:
    """(notes, envelopes whose failure the scenario expects and an alarm caught); expectation() records and counts
    each expectation result, fail() each envelope failure, in the order they are found. states: the firmware's
    states over the run (when therapy started again after an alarm)."""
    listed = {e.name: list(e.requirement_ids) for e in scenario.expectations.envelopes}
    notes: list[str] = []
    caught: set[str] = set()
    for envelope in pk.envelopes:
        if envelope.name == "withdrawal" and scenario.expectations.withdrawal is not None:
            result, excused = check_withdrawal(scenario.expectations.withdrawal, envelope, alarms,
                                               therapy_starts_s(states))
            expectation(result)
            caught |= {envelope.name} if excused else set()
    for envelope in pk.envelopes:
        ids = list(dict.fromkeys(list(envelope.requirement_ids) + listed.get(envelope.name, [])))
        record.write(ev.Envelope(name=envelope.name, passed=envelope.passed, value=envelope.value,
                                 limit=envelope.limit, unit=envelope.unit, requirement_ids=tuple(ids),
                                 reason=f"{envelope.reason} (from the {pk.delivered_source} delivered profile)",
                                 outcome=envelope.outcome.value, comparator=envelope.comparator,
                                 details=dict(envelope.details)))
        if envelope.outcome is Outcome.FAIL and envelope.name in caught:
            notes.append(f"envelope {envelope.name} failed as the scenario expects (see the withdrawal "
                         f"expectation): {envelope.reason}")
        elif envelope.outcome is Outcome.FAIL:
            fail(f"envelope {envelope.name}: {envelope.reason}")
        elif envelope.outcome is Outcome.NOT_EVALUATED and envelope.name in listed:
            # the scenario expects this envelope to pass: with nothing to judge, that expectation is not met
            expectation(expect.ExpectationResult(
                f"envelope {envelope.name} evaluated", False,
                f"the scenario expects envelope {envelope.name} to pass, but it was {envelope.reason}", ids))
        elif envelope.outcome is Outcome.NOT_EVALUATED:
            notes.append(f"envelope {envelope.name} {envelope.reason}")
    return notes, caught
