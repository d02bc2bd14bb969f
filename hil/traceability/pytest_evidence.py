"""The pytest side of traceability, free of pytest itself: the requirements marker's IDs checked against the
registry, and test reports turned into evidence (a test node id with its outcome).

Test outcomes map onto firmware_sim.outcome, never better than what the test showed:
passed -> PASS; failed in the test -> FAIL; failed in setup or teardown -> ERROR; skipped -> NOT_EVALUATED;
an expected failure (xfail) -> FAIL (the test shows the requirement is not met); an xfail test that passed
(non-strict XPASS) -> NOT_EVALUATED (its author marked its result as not to be trusted: no PASS until the marker goes).
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any
from collections.abc import Iterable, Iterator, Mapping

from firmware_sim.outcome import Outcome, combine
from firmware_sim.requirements import REQUIREMENTS
from hil.traceability.model import Evidence


def marker_problems(nodeid: str, marker_args: Iterable[tuple[Any, ...]],
                    registry: Mapping[str, str] = REQUIREMENTS) -> list[str]:
    """Why a test's @pytest.mark.requirements(...) cannot be traced: an unknown ID, a non-text ID, no ID at all."""
    problems = []
    for args in marker_args:
        if not args:
            problems.append(f"{nodeid}: @pytest.mark.requirements() names no requirement ID")
        for value in args:
            if not isinstance(value, str):
                problems.append(f"{nodeid}: requirement ID {value!r} is not text")
            elif value not in registry:
                close = difflib.get_close_matches(value, list(registry), n=1)
                hint = f"; did you mean {close[0]}?" if close else ""
                problems.append(f"{nodeid}: unknown requirement ID {value!r} in @pytest.mark.requirements "
                                f"(not in firmware_sim/requirements.py{hint})")
    return problems


def phase_outcome(when: str, outcome: str, wasxfail: str | None) -> tuple[Outcome, str] | None:
    """The outcome one report phase (setup, call, teardown) shows, with a note; None if it shows nothing."""
    if wasxfail is not None and outcome == "skipped":
        return Outcome.FAIL, f"expected failure (xfail){': ' + wasxfail if wasxfail else ''}"
    if wasxfail is not None and outcome == "passed" and when == "call":
        return (Outcome.NOT_EVALUATED, f"passed though marked xfail{': ' + wasxfail if wasxfail else ''} (not "
                "counted as PASS while the marker stands)")
    if outcome == "skipped":
        return Outcome.NOT_EVALUATED, f"skipped in {when}"
    if outcome == "failed":
        return (Outcome.FAIL, "failed") if when == "call" else (Outcome.ERROR, f"error in {when}")
    if when == "call":
        return Outcome.PASS, ""
    return None


@dataclass
class NodeResult:
    requirement_ids: tuple[str, ...]
    phases: list[tuple[Outcome, str]] = field(default_factory=list)

    def evidence(self, nodeid: str) -> Evidence:
        details = "; ".join(note for _, note in self.phases if note)
        return Evidence(kind="test", name=nodeid, outcome=combine(o for o, _ in self.phases), detail=details)


def node_evidence(results: Mapping[str, NodeResult]) -> Iterator[tuple[str, Evidence]]:
    for nodeid, result in sorted(results.items()):
        if not result.phases:
            continue  # never reached its call (e.g. the session stopped): no evidence either way
        item = result.evidence(nodeid)
        for requirement_id in result.requirement_ids:
            yield requirement_id, item
