"""The one outcome vocabulary of checks and runs: PASS, FAIL, ERROR, NOT_EVALUATED.

A str Enum, so an outcome compares equal to its name and serialises to it in JSON. It sits at the top of
firmware_sim (no imports) so that the PK envelopes and the harness's run verdicts share it without a cycle.

- PASS: evaluated, and within its limit.
- FAIL: evaluated, and outside its limit.
- ERROR: could not be completed (an exception, an interrupted run, a failing output).
- NOT_EVALUATED: nothing to evaluate (e.g. no drug reached the patient, so there is no exposure to judge).
  It is never a PASS: `combine` ranks it below PASS, so a verdict made only of NOT_EVALUATED parts is
  NOT_EVALUATED, not PASS.
"""
from __future__ import annotations

from enum import Enum
from collections.abc import Iterable


class Outcome(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"
    ERROR = "ERROR"
    NOT_EVALUATED = "NOT_EVALUATED"

    @property
    def passed(self) -> bool:
        return self is Outcome.PASS


_SEVERITY = (Outcome.PASS, Outcome.NOT_EVALUATED, Outcome.FAIL, Outcome.ERROR)


def combine(outcomes: Iterable[Outcome]) -> Outcome:
    """The overall outcome of several checks: the worst of them, ERROR > FAIL > NOT_EVALUATED > PASS.

    No checks at all is NOT_EVALUATED (nothing was shown to pass); PASS needs at least one PASS and nothing worse.
    """
    worst = None
    for outcome in outcomes:
        outcome = Outcome(outcome)
        if worst is None or _SEVERITY.index(outcome) > _SEVERITY.index(worst):
            worst = outcome
    return Outcome.NOT_EVALUATED if worst is None else worst
