"""Traceability matrix: requirement -> the steps, expectations and envelopes that verify it -> outcome."""
from __future__ import annotations

from typing import Any

from firmware_sim.outcome import combine
from hil.records import events as ev
from hil.records.reader import RunRecord


def step_passed(step: dict[str, Any]) -> bool:
    expected = step.get("expected_decision")
    return expected is None or expected == step["decision"]


def build_matrix(record: RunRecord) -> dict[str, dict[str, Any]]:
    """{requirement_id: {"verified_by": [{"kind", "name", "passed"}], "outcome": "PASS"|"FAIL"|"NOT_EVALUATED"}}

    A requirement's outcome is the worst of its items (firmware_sim.outcome.combine): an envelope that had nothing
    to judge (NOT_EVALUATED) leaves its requirements NOT_EVALUATED unless something failed, never PASS.
    """
    matrix: dict[str, dict[str, Any]] = {}

    def add(requirement_ids: list[str], kind: str, name: str, passed: bool, outcome: str | None = None) -> None:
        outcome = outcome or ("PASS" if passed else "FAIL")
        for requirement_id in requirement_ids:
            entry = matrix.setdefault(requirement_id, {"verified_by": [], "outcome": outcome})
            entry["verified_by"].append({"kind": kind, "name": name, "passed": passed})
            entry["outcome"] = combine([entry["outcome"], outcome]).value

    for step in record.of_kind(ev.STEP):
        add(step["requirement_ids"], "step", f"step {step['index']} {step['action']}", step_passed(step))
    for expectation in record.of_kind(ev.EXPECTATION):
        add(expectation["requirement_ids"], "expectation", expectation["name"], bool(expectation["passed"]))
    for envelope in record.of_kind(ev.ENVELOPE):
        add(envelope["requirement_ids"], "envelope", envelope["name"], bool(envelope["passed"]), envelope.get("outcome"))
    return dict(sorted(matrix.items()))
