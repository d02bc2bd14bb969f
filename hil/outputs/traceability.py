"""A run's evidence for the traceability matrix: requirement -> scenario, steps, gate decisions, expectations
and envelopes -> outcome (the schema is hil.traceability.model, shared with the pytest plugin).

- scenario: the scenario's own requirement_ids (run_started.scenario_requirement_ids); the evidence's outcome
  is the run's outcome, so a FAIL or ERROR anywhere in the run shows on them.
- step: IDs the scenario names at a step (and those its expectation says the decision must cite); a step nothing
  decided and nothing expected a decision of (inject_fault, wait) is no evidence.
- decision: IDs the gate's decision cites (the findings behind a rejection or an override) that the scenario
  did not name at the step.
- expectation, envelope: their own requirement_ids.
- population: each envelope judged over the scenario's virtual patients (its population_verdict event), with the
  fraction of patients passing; its own requirement_ids.
Nothing read from a record that is not intact is evidence: every item is ERROR, its detail says why.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any
from collections.abc import Iterator, Mapping

from firmware_sim.outcome import Outcome
from hil.records import events as ev
from hil.records.reader import RunRecord
from hil.runner.steps import NO_DECISION
from hil.traceability.files import write_matrix_files
from hil.traceability.model import Evidence, Source, TraceabilityMatrix, build_matrix

TRACEABILITY_FILENAME = "traceability.json"
"""In the run folder, with traceability.csv and traceability.html beside it."""


def step_outcome(step: ev.Step) -> Outcome:
    """PASS if the step decided as expected (or, with no expected decision, the gate approved it); FAIL if it decided
    otherwise than expected; NOT_EVALUATED if the gate rejected a step with no expected decision (what the step
    was meant to show did not happen, and nothing said whether the rejection was right) or decided nothing at all
    (inject_fault, wait: carrying it out shows nothing of the requirements named at it; the expectations do)."""
    expected = step.expected_decision
    if expected is not None:
        return Outcome.PASS if expected == step.decision else Outcome.FAIL
    return Outcome.PASS if step.decision == "approved" else Outcome.NOT_EVALUATED


def step_is_evidence(step: ev.Step) -> bool:
    """False for a step nothing decided and nothing expected a decision of (inject_fault, wait): not evidence."""
    return step.expected_decision is not None or step.decision != NO_DECISION


def step_requirement_ids(step: ev.Step) -> list[str]:
    """The IDs the scenario names at the step, then those the gate's decision cites."""
    return list(dict.fromkeys([*step.requirement_ids, *step.decision_requirement_ids]))


def _step_detail(step: ev.Step) -> str:
    expected = step.expected_decision
    text = f"decision {step.decision}" + (f", expected {expected}" if expected else ", no expected decision")
    return text + (f": {'; '.join(step.reasons)}" if step.reasons else "")


def run_evidence(record: RunRecord, run_outcome: str) -> Iterator[tuple[str, Evidence]]:
    """Each requirement's evidence in the record; all of it ERROR when the record is not evidence (damaged, or cut
    short at a line end: RunRecord.not_evidence_because)."""
    for requirement_id, item in _recorded_evidence(record, run_outcome):
        if record.not_evidence_because is not None:
            outcome, detail = record.as_evidence_with(item.outcome, item.detail)
            item = item.model_copy(update={"outcome": outcome, "detail": detail})
        yield requirement_id, item


def _recorded_evidence(record: RunRecord, run_outcome: str) -> Iterator[tuple[str, Evidence]]:
    started = record.started
    if started is not None:
        for requirement_id in started.scenario_requirement_ids or ():
            yield requirement_id, Evidence(kind="scenario", name=f"scenario {started.scenario_name}",
                                           outcome=Outcome(run_outcome), detail=f"run {started.run_id}")
    for step in filter(step_is_evidence, record.typed(ev.Step)):
        named = set(step.requirement_ids)
        outcome, detail = step_outcome(step), _step_detail(step)
        for requirement_id in step_requirement_ids(step):
            yield requirement_id, Evidence(kind="step" if requirement_id in named else "decision",
                                           name=f"step {step.index} {step.action}", outcome=outcome, detail=detail)
    for expectation in record.typed(ev.Expectation):
        for requirement_id in expectation.requirement_ids:
            yield requirement_id, Evidence(kind="expectation", name=expectation.name,
                                           outcome=ev.recorded_outcome(expectation), detail=expectation.detail)
    for envelope in record.typed(ev.Envelope):
        for requirement_id in envelope.requirement_ids:
            yield requirement_id, Evidence(kind="envelope", name=envelope.name, outcome=ev.recorded_outcome(envelope),
                                           detail=envelope.reason)
    for judged in population_envelopes(record):
        for requirement_id in judged["requirement_ids"]:
            yield requirement_id, Evidence(kind="population", name=f"{judged['name']} over virtual patients",
                                           outcome=Outcome(judged["outcome"]), detail=population_detail(judged))


def population_envelopes(record: RunRecord) -> list[Mapping[str, Any]]:
    """The envelopes of the run's last population_verdict event (none when the scenario names no patients): each a
    firmware_sim.pk.population_verdict.PopulationEnvelope.to_dict(), as the event keeps it."""
    verdicts = record.typed(ev.PopulationVerdictEvent)
    return list(verdicts[-1].envelopes) if verdicts else []


def population_detail(envelope: Mapping[str, Any]) -> str:
    """How many virtual patients passed an envelope, against the fraction required, and the worst value."""
    text = (f"{envelope['n_passing']} of {envelope['n_patients']} virtual patients passed "
            f"({envelope['fraction_passing']:.1%}, required {envelope['min_fraction_passing']:.1%})")
    if envelope.get("worst_value") is not None:
        unit = envelope["unit"]
        text += f"; worst {envelope['worst_value']:.4g} {unit} vs limit {envelope['limit']:.4g} {unit}"
    return f"{text}: {envelope['reason']}"


def build_run_matrix(record: RunRecord, run_outcome: str) -> TraceabilityMatrix:
    """Every registered requirement, with this run's evidence; run_outcome is the run's verdict (PASS, FAIL, ERROR)."""
    started = record.started
    source = Source(kind="run", name=started.run_id if started is not None and started.run_id
                    else record.path.parent.name, taken_utc=started.started_utc if started is not None else None)
    return build_matrix(source, run_evidence(record, run_outcome))


def write_run_matrix(record: RunRecord, run_outcome: str, json_path: Path) -> TraceabilityMatrix:
    """traceability.json and its .csv and .html beside it; returns the matrix (the report's section shows it)."""
    matrix = build_run_matrix(record, run_outcome)
    write_matrix_files(matrix, json_path)
    return matrix
