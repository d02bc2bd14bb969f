"""The hazard matrix: hazard -> requirement -> the checks in code -> tests and campaign runs -> last outcome.

    rows = hazard_rows(runs)       # runs: (spec, finished line or None) of a campaign, in plan order
    text = hazard_csv(rows)        # traceability.csv of a campaign folder; report.html shows the same cells

Everything is derived: hazards and their requirements from firmware_sim/hazards.py, checks and tests from the code
(hil.traceability.code_checks), test outcomes from the last pytest traceability file (test-results/
junit.traceability.json, written by `make test`) when there is one, campaign outcomes from the campaign's own
runs. A run belongs to a hazard through its group's hazard_id or its scenario's hazard_id. A run's outcome for its
hazard: PASS when its record is intact, nothing was unsafe and it met what the campaign expects of it (a hazard
scenario its own expectations), FAIL when an unsafe rule fired or a hazard scenario did not catch its hazard, ERROR
when its record was lost or it did not reach its verdict, NOT_EVALUATED when it has not finished or judged nothing.
The last outcome is the worst of the known ones, never better than any: NOT_EVALUATED when neither tests nor runs
gave one.
"""
from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from collections.abc import Iterable, Mapping

from firmware_sim.hazards import HAZARDS
from firmware_sim.outcome import Outcome, combine
from hil.campaign.summary import envelopes_not_evaluated, judged_by_unsafe_rules_alone
from hil.traceability.code_checks import ROOT, requirement_checks, requirement_tests

log = logging.getLogger(__name__)
TEST_EVIDENCE = ROOT / "test-results" / "junit.traceability.json"
NOT_RUN = "NOT_RUN"
CSV_COLUMNS = ("hazard_id", "hazard", "requirement_id", "checks", "tests", "test_outcome", "campaign_runs",
               "campaign_outcome", "last_outcome")
SEPARATOR = " ; "


@dataclass(frozen=True)
class HazardRow:
    hazard_id: str
    hazard: str
    requirement_id: str
    checks: tuple[str, ...]
    tests: tuple[str, ...]
    test_outcome: str
    campaign_runs: int
    campaign_outcome: str
    last_outcome: str

    def cells(self) -> tuple[str, ...]:
        return (self.hazard_id, self.hazard, self.requirement_id, SEPARATOR.join(self.checks),
                SEPARATOR.join(self.tests), self.test_outcome, str(self.campaign_runs), self.campaign_outcome,
                self.last_outcome)


def _scenario_hazard(spec: Mapping[str, Any]) -> str | None:
    """The hazard the run's scenario itself names (a hazard scenario), None for a therapy scenario."""
    return (spec["scenario"].get("document") or {}).get("hazard_id")


def run_hazard(spec: Mapping[str, Any]) -> str | None:
    """The hazard a campaign run provokes: its group's, else its scenario's (None: neither names one)."""
    return spec.get("hazard_id") or _scenario_hazard(spec)


def provoked(spec: Mapping[str, Any], line: Mapping[str, Any] | None) -> bool:
    """Whether the run provoked its hazard: a hazard scenario does by its own steps; a group's hazard only through
    the group's fault, and only once it was injected (a run without a fault, or whose fault never took effect,
    tested nothing of it). Unknown (no finished line, a lost record) counts as provoked: run_outcome says why."""
    if _scenario_hazard(spec):
        return True
    if spec.get("fault") is None:
        return False
    fault = line.get("fault") if line is not None else None
    return fault is None or bool(fault.get("injected"))


def run_outcome(spec: Mapping[str, Any], line: Mapping[str, Any] | None) -> Outcome:
    """A campaign run's outcome for its hazard: ERROR if its record was lost or it did not reach its verdict (a line
    without `judged` counts as not judged: hil.campaign.summary), FAIL if an unsafe rule found something,
    NOT_EVALUATED if its verdict judged nothing, else the run's own outcome (a hazard scenario that did not catch its
    hazard FAILs) except for a fault run the campaign judges by the unsafe rules alone (scenario_expectations
    fault_free_runs: its scenario's verdict is reported, not required), which is PASS, or NOT_EVALUATED when one of
    its envelopes was not judged (the unsafe rules saw nothing of it); an ERROR of such a run (a pulled cable: the
    pump's stop not confirmed) still keeps the campaign from exit 0 (hil.campaign.summary)."""
    if line is None:
        return Outcome.NOT_EVALUATED
    if line["record_lost"]:
        return Outcome.ERROR
    if line["unsafe"]:
        return Outcome.FAIL
    if not line.get("judged"):
        return Outcome.ERROR
    outcome = Outcome(line["outcome"])
    if outcome is Outcome.NOT_EVALUATED:
        return outcome
    if not judged_by_unsafe_rules_alone(line, spec["expect"]["scenario_expectations"]):
        return outcome
    return Outcome.NOT_EVALUATED if envelopes_not_evaluated(line) else Outcome.PASS


def last_test_outcomes(path: Path = TEST_EVIDENCE, revision: str | None = None) -> dict[str, str]:
    """Requirement ID -> its outcome in the last pytest traceability file; {} when there is none, it cannot be read
    (say a file an older version wrote) or it came from other code than `revision` (default: this checkout's): its
    tests then show NOT_RUN, and a warning names the file and why."""
    if not path.is_file():
        return {}
    from pydantic import ValidationError

    from hil.traceability.files import load_matrix
    from hil.traceability.model import status

    try:
        matrix = load_matrix(path)
    except (OSError, ValueError, ValidationError) as exc:
        log.warning("test outcomes not read from %s (shown NOT_RUN): %s", path, str(exc).splitlines()[0])
        return {}
    if revision is None:
        from hil.runner.provenance import git_revision
        revision = git_revision()
    if matrix.source.git_revision != revision:
        log.warning("test outcomes not taken from %s (shown NOT_RUN): its tests ran on %s, this code is %s; run "
                    "make test again", path, matrix.source.git_revision or "an unrecorded revision", revision)
        return {}
    return {row.requirement_id: status(row) for row in matrix.requirements if row.covered}


def hazard_rows(runs: Iterable[tuple[Mapping[str, Any], Mapping[str, Any] | None]],
                tests_outcome: Mapping[str, str] | None = None) -> list[HazardRow]:
    """One row per hazard and requirement, in registry order."""
    by_hazard: dict[str, list[Outcome]] = {}
    for spec, line in runs:
        hazard_id = run_hazard(spec)
        if hazard_id is not None and provoked(spec, line):  # a run that provoked nothing is no evidence either way
            by_hazard.setdefault(hazard_id, []).append(run_outcome(spec, line))
    outcomes = last_test_outcomes() if tests_outcome is None else tests_outcome
    checks, tests = requirement_checks(), requirement_tests()
    rows = []
    for hazard in HAZARDS.values():
        campaign = by_hazard.get(hazard.hazard_id, [])
        campaign_outcome = combine(campaign).value if campaign else NOT_RUN
        for rid in hazard.requirement_ids:
            known = [o for o in (outcomes.get(rid, NOT_RUN), campaign_outcome) if o != NOT_RUN]
            rows.append(HazardRow(hazard.hazard_id, hazard.title, rid, tuple(c.name for c in checks.get(rid, ())),
                                  tests.get(rid, ()), outcomes.get(rid, NOT_RUN), len(campaign), campaign_outcome,
                                  combine(Outcome(o) for o in known).value if known else Outcome.NOT_EVALUATED.value))
    return rows


def hazard_csv(rows: Iterable[HazardRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(row.cells() for row in rows)
    return buffer.getvalue()
