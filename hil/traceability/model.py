"""The one traceability schema, for runs and for the pytest plugin: requirement -> evidence -> outcome.

    matrix = build_matrix(Source(kind="run", name=run_id), [("SR-DOSE-001", Evidence(...)), ...])
    matrix.requirement("SR-DOSE-001").outcome      # Outcome.PASS, ... or NOT_COVERED
    coverage_line(matrix)    # "requirements: 48 of 58 covered, 46 PASS, 1 FAIL, 1 NOT_EVALUATED, 10 NOT COVERED"

Every requirement of the registry (firmware_sim/requirements.py) is a row, in registry order; one that no evidence
names is NOT_COVERED. An ID the evidence names but the registry does not know is a row too (registered=False),
after the registry's, so nothing cited is dropped. A requirement's outcome is the worst of its evidence
(firmware_sim.outcome.combine): it never looks better than its worst evidence.
"""
from __future__ import annotations

from typing import Literal
from collections.abc import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from firmware_sim.outcome import Outcome, combine
from firmware_sim.requirements import REQUIREMENTS

SCHEMA = "itpump.traceability/1"
NOT_COVERED = "NOT_COVERED"
UNREGISTERED_TEXT = "NOT IN THE REGISTRY (firmware_sim/requirements.py)"
EvidenceKind = Literal["test", "scenario", "step", "decision", "expectation", "envelope", "population",
                       "campaign"]
"""test: a pytest node id; scenario: a run named by the scenario's requirement_ids (its outcome is the run's);
step: a step the scenario names the ID at; decision: a gate decision whose findings cite the ID;
expectation and envelope: the run's checks; population: an envelope judged over a run's virtual patients
(FAIL when fewer than the required fraction pass); campaign: a campaign's runs provoking a hazard the requirement
controls (PASS: all safe, FAIL: one unsafe, ERROR: a record lost)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Evidence(_Frozen):
    kind: EvidenceKind
    name: str
    outcome: Outcome
    detail: str = ""


class RequirementTrace(_Frozen):
    requirement_id: str
    text: str
    registered: bool = True
    outcome: Outcome | Literal["NOT_COVERED"]
    evidence: tuple[Evidence, ...] = ()

    @property
    def covered(self) -> bool:
        return bool(self.evidence)


class Source(_Frozen):
    kind: Literal["run", "pytest", "campaign"]
    name: str
    """The run id, or what the pytest session ran."""
    git_revision: str | None = None
    """The code the evidence came from (hil.runner.provenance.git_revision; None in files written before it was
    kept): outcomes of other code are not evidence for this code."""
    taken_utc: str | None = None
    """When the evidence was taken, ISO 8601 UTC (a run's start, a pytest session's start): needs.json's `created`,
    the same however often it is rendered. None: a campaign's evidence, which grows run by run (the time written)."""


class Coverage(_Frozen):
    registered: int
    covered: int
    by_outcome: dict[str, int]
    """Covered registered requirements per outcome (PASS, FAIL, ERROR, NOT_EVALUATED), and NOT_COVERED."""
    unregistered_ids: tuple[str, ...] = ()


class TraceabilityMatrix(_Frozen):
    schema_id: str = SCHEMA
    source: Source
    coverage: Coverage
    requirements: tuple[RequirementTrace, ...]

    def requirement(self, requirement_id: str) -> RequirementTrace:
        for row in self.requirements:
            if row.requirement_id == requirement_id:
                return row
        raise KeyError(f"requirement {requirement_id!r} is not in this matrix")

    @property
    def covered(self) -> tuple[RequirementTrace, ...]:
        return tuple(row for row in self.requirements if row.covered)


def build_matrix(source: Source, evidence: Iterable[tuple[str, Evidence]],
                 registry: Mapping[str, str] = REQUIREMENTS) -> TraceabilityMatrix:
    by_id: dict[str, list[Evidence]] = {}
    for requirement_id, item in evidence:
        items = by_id.setdefault(requirement_id, [])
        if item not in items:
            items.append(item)
    unregistered = tuple(sorted(set(by_id) - set(registry)))
    rows = [_row(rid, registry[rid], True, by_id.get(rid, [])) for rid in registry]
    rows += [_row(rid, UNREGISTERED_TEXT, False, by_id[rid]) for rid in unregistered]
    registered_rows = rows[:len(registry)]
    counts = {outcome.value: 0 for outcome in Outcome}
    counts[NOT_COVERED] = 0
    for row in registered_rows:
        counts[_status(row.outcome)] += 1
    coverage = Coverage(registered=len(registry), covered=sum(1 for r in registered_rows if r.covered),
                        by_outcome=counts, unregistered_ids=unregistered)
    return TraceabilityMatrix(source=source, coverage=coverage, requirements=tuple(rows))


def _row(requirement_id: str, text: str, registered: bool, evidence: list[Evidence]) -> RequirementTrace:
    outcome = combine(e.outcome for e in evidence) if evidence else NOT_COVERED
    return RequirementTrace(requirement_id=requirement_id, text=text, registered=registered, outcome=outcome,
                            evidence=tuple(evidence))


def _status(outcome: Outcome | str) -> str:
    return outcome.value if isinstance(outcome, Outcome) else str(outcome)


def status(row: RequirementTrace) -> str:
    """PASS, FAIL, ERROR, NOT_EVALUATED or NOT_COVERED, as text."""
    return _status(row.outcome)


def coverage_line(matrix: TraceabilityMatrix) -> str:
    """One line for the terminal: how many registered requirements have evidence, and how they came out."""
    c = matrix.coverage
    parts = [f"requirements: {c.covered} of {c.registered} covered"]
    for outcome in Outcome:
        count = c.by_outcome.get(outcome.value, 0)
        if count or outcome is Outcome.PASS:
            parts.append(f"{count} {outcome.value}")
    parts.append(f"{c.by_outcome.get(NOT_COVERED, 0)} NOT COVERED")
    line = ", ".join(parts)
    if c.unregistered_ids:
        line += f"; not in the registry: {', '.join(c.unregistered_ids)}"
    return line
