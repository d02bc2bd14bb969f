"""What an unfinished or ERROR run did and did not do, said in sentences instead of empty tables.

    coverage = run_coverage(summary)
    coverage.executed_steps      # [(index, action, t_h)] the record holds
    coverage.missing_steps       # [(index, action, at_h)] planned (run_started.planned_steps) but never recorded
    coverage.lines()             # ["Steps executed: 2 of 5 (0 prime, 1 start_continuous).", ...]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hil.outputs.report_format import hours_text


@dataclass(frozen=True)
class RunCoverage:
    planned_known: bool
    executed_steps: list[tuple[int, str, float]]
    missing_steps: list[tuple[int, str, float]]
    n_expectations_evaluated: int
    n_expectations_planned: int | None
    n_envelopes_evaluated: int
    n_envelopes_not_evaluated: int
    interrupts: list[str]

    def lines(self) -> list[str]:
        executed = ", ".join(f"{i} {action} at {hours_text(t)} h" for i, action, t in self.executed_steps)
        lines = []
        if self.planned_known:
            total = len(self.executed_steps) + len(self.missing_steps)
            lines.append(
                f"Steps executed: {len(self.executed_steps)} of {total}" + (f" ({executed})." if executed else ".")
            )
            if self.missing_steps:
                lines.append("Steps NOT executed: " + ", ".join(
                    f"{i} {action} (planned at {hours_text(at)} h)" for i, action, at in self.missing_steps) + ".")
        else:
            lines.append(f"Steps executed: {len(self.executed_steps)}" + (f" ({executed})" if executed else "")
                         + "; the record does not hold the scenario's plan, so the steps not run cannot be named.")
        planned = "" if self.n_expectations_planned is None else f" of {self.n_expectations_planned} planned"
        if self.n_expectations_evaluated:
            lines.append(f"Expectations evaluated: {self.n_expectations_evaluated}{planned}.")
        else:
            lines.append(f"Expectations NOT evaluated (none of {self.n_expectations_planned or 0} planned "
                         "were checked)."
                         if self.n_expectations_planned is not None else "Expectations NOT evaluated.")
        if self.n_envelopes_evaluated:
            lines.append(
                f"PK verdict evaluated: {self.n_envelopes_evaluated} envelope(s) judged"
                + (f", {self.n_envelopes_not_evaluated} not evaluated." if self.n_envelopes_not_evaluated else ".")
            )
        elif self.n_envelopes_not_evaluated:
            lines.append(f"PK verdict evaluated, but none of its {self.n_envelopes_not_evaluated} envelope(s) could be "
                         f"judged (see the envelope reasons).")
        else:
            lines.append("PK verdict NOT evaluated: no PK prediction and no envelope in the record.")
        lines += [f"Interrupted: {detail}" for detail in self.interrupts]
        return lines


def run_coverage(summary: dict[str, Any]) -> RunCoverage:
    started = summary.get("provenance") or {}
    plan = started.get("planned_steps")
    executed = [(s["index"], s["action"], s["t_h"]) for s in summary.get("steps", [])]
    done = {index for index, _, _ in executed}
    missing = [(p["index"], p["action"], p["at_h"]) for p in plan or [] if p.get("index") not in done]
    planned_expectations = started.get("planned_expectations")
    envelopes = summary.get("envelopes", [])
    not_evaluated = sum(1 for e in envelopes if e.get("outcome") == "NOT_EVALUATED")
    return RunCoverage(planned_known=isinstance(plan, list), executed_steps=executed, missing_steps=missing,
                       n_expectations_evaluated=len(summary.get("expectations", [])),
                       n_expectations_planned=len(planned_expectations) if isinstance(planned_expectations,
                                                                                    list) else None,
                       n_envelopes_evaluated=len(envelopes) - not_evaluated, n_envelopes_not_evaluated=not_evaluated,
                       interrupts=[i["detail"] for i in summary.get("interrupts", [])])
