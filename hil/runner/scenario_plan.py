"""What a scenario sets out to do, recorded in run_started so a report can say it even when the run stops early:
its description, what PASS means for it (derived from its expectations) and its planned steps.

    scenario_plan_fields(scenario)
    # {"scenario_description": "...", "pass_means": "PASS means ...", "planned_steps": [{"index": 0, ...}],
    #  "planned_expectations": ["step 3 ptm_press: rejected", "alarm occlusion not raised in 0-48 h", ...]}
"""
from __future__ import annotations

from typing import Any

from hil.config.scenario import ScenarioConfig

HAZARD_PREFIX = "hazard-"
HAZARD_MEANING = "PASS means the hazard was caught or prevented"
THERAPY_MEANING = "PASS means every expectation listed here was met and every envelope that could be judged held"


def _window(from_h: float, to_h: float | None, duration_h: float) -> str:
    return f"{from_h:g}-{duration_h if to_h is None else to_h:g} h"


def planned_expectations(scenario: ScenarioConfig) -> list[str]:
    """One phrase per expectation the runner records as an expectation event (steps, alarms, states), in its
    order; the envelopes are judged in the PK verdict (envelope events)."""
    phrases = [f"step {i} {step.action}: {step.expect.decision}" for i, step in enumerate(scenario.steps)
               if step.expect is not None]
    expectations = scenario.expectations
    phrases += [f"alarm {a.name} {'raised' if a.occurs else 'not raised'} in "
                f"{_window(a.from_h, a.to_h, scenario.duration_h)}" for a in expectations.alarms]
    phrases += [f"state {s.state} at {s.at_h:g} h" for s in expectations.states]
    return phrases


def pass_meaning(scenario: ScenarioConfig) -> str:
    """The sentence a report opens with: what PASS means for this scenario, naming what the verdict checks."""
    is_hazard = scenario.name.startswith(HAZARD_PREFIX)
    sentence = HAZARD_MEANING if is_hazard else THERAPY_MEANING
    if is_hazard:
        caught = [f"step {i} {step.action} {step.expect.decision}" for i, step in enumerate(scenario.steps)
                  if step.expect is not None and step.expect.decision == "rejected"]
        caught += [f"alarm {a.name} raised in {_window(a.from_h, a.to_h, scenario.duration_h)}"
                   for a in scenario.expectations.alarms if a.occurs]
        caught += [f"state {s.state} at {s.at_h:g} h" for s in scenario.expectations.states]
        detail = "; ".join(caught)
    else:
        detail = "; ".join(planned_expectations(scenario)
                           + [f"envelope {e.name} holds" for e in scenario.expectations.envelopes])
    return f"{sentence}: {detail}" if detail else sentence


def scenario_plan_fields(scenario: ScenarioConfig) -> dict[str, Any]:
    return {"scenario_description": scenario.description, "pass_means": pass_meaning(scenario),
            "planned_steps": [{"index": i, "at_h": step.at_h, "action": step.action}
                              for i, step in enumerate(scenario.steps)],
            "planned_expectations": planned_expectations(scenario)}
