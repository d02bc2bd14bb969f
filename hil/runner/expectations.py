"""Scenario expectations checked against what happened: step decisions, alarms in windows, states at times."""
from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from firmware_sim.clock import TIME_EPS_S
from firmware_sim.pump.alarms import ALARM_PRIORITY, AlarmName, AlarmPriority
from firmware_sim.pump.states import PumpState
from firmware_sim.units import S_PER_H
from hil.config.scenario import AlarmExpectation, Expectations, StateExpectation
from hil.config.scenario_steps import StepExpectation
from hil.runner.steps import StepResult


@dataclass(frozen=True)
class ExpectationResult:
    name: str
    passed: bool
    detail: str
    requirement_ids: list[str]


@dataclass
class StateTimeline:
    """Firmware state over time, from its state-change events."""

    initial: str = "idle"
    times_s: list[float] = field(default_factory=list)
    states: list[str] = field(default_factory=list)

    def changed(self, t_s: float, state: str) -> None:
        self.times_s.append(t_s)
        self.states.append(state)

    def at(self, t_s: float) -> str:
        index = bisect.bisect_right(self.times_s, t_s) - 1
        return self.states[index] if index >= 0 else self.initial


def check_step(index: int, action: str, expect: StepExpectation, result: StepResult,
               requirement_ids: list[str]) -> ExpectationResult:
    problems = []
    if result.decision != expect.decision:
        problems.append(f"decision {result.decision}, expected {expect.decision}")
    missing = [i for i in expect.cites_requirement_ids if i not in result.decision_requirement_ids]
    if missing:
        problems.append(
            f"decision does not cite {', '.join(missing)} (cites {result.decision_requirement_ids or 'none'})"
        )
    if expect.reason_contains and not any(expect.reason_contains in r for r in result.reasons):
        problems.append(f"no reason contains {expect.reason_contains!r}")
    reasons = "; ".join(result.reasons) or "no reasons"
    detail = ("; ".join(problems) if problems else f"{result.decision} as expected") + f" ({reasons})"
    overridden = result.details.get("overridden") or []
    if overridden:
        detail += f"; soft limits overridden: {'; '.join(overridden)}"
    return ExpectationResult(f"step {index} {action}: {expect.decision}", not problems, detail, requirement_ids)


def check_alarm(expectation: AlarmExpectation, alarms: list[tuple[float, str]], duration_h: float) -> ExpectationResult:
    to_h = expectation.to_h if expectation.to_h is not None else duration_h
    seen = [t_s / S_PER_H for t_s, name in alarms if name == expectation.name
            and expectation.from_h * S_PER_H - TIME_EPS_S <= t_s <= to_h * S_PER_H + TIME_EPS_S]
    window = f"{expectation.from_h:g}-{to_h:g} h"
    if expectation.occurs:
        passed = bool(seen)
        detail = f"raised at {seen[0]:.3f} h" if seen else f"not raised in {window}"
        name = f"alarm {expectation.name} occurs in {window}"
    else:
        passed = not seen
        detail = f"not raised in {window}" if passed else f"raised at {seen[0]:.3f} h"
        name = f"alarm {expectation.name} absent in {window}"
    return ExpectationResult(name, passed, detail, list(expectation.requirement_ids))


def check_state(expectation: StateExpectation, timeline: StateTimeline) -> ExpectationResult:
    state = timeline.at(expectation.at_h * S_PER_H)
    passed = state == expectation.state
    detail = f"state {state} at {expectation.at_h:g} h" + ("" if passed else f", expected {expectation.state}")
    return ExpectationResult(f"state {expectation.state} at {expectation.at_h:g} h", passed, detail,
                             list(expectation.requirement_ids))


def high_priority_alarms(alarms: Sequence[tuple[float, str]]) -> list[tuple[float, str]]:
    """The (t_s, name) of alarms that are high priority, in time order."""
    return sorted((t_s, name) for t_s, name in alarms
                  if name in AlarmName._value2member_map_ and ALARM_PRIORITY[AlarmName(name)] is AlarmPriority.HIGH)


def unexpected_high_alarms(alarms: Sequence[tuple[float, str]], expected: Expectations,
                           first_fault_s: float) -> tuple[list[str], list[str]]:
    """The high-priority alarms no alarm expectation names (delivery stopped at each), one phrase each: (those that
    fail the run, before any injected fault in a scenario that expects no stop by an alarm: the therapy it describes
    stopped for a reason it does not name; the others, which a PASS's reason says). A scenario expects a stop by an
    alarm when it expects the alarm state or a withdrawal caught by an alarm; an alarm from the first injected fault
    on is that fault's detection."""
    named = {a.name for a in expected.alarms}
    stop_expected = expected.withdrawal == "caught_by_alarm" or any(
        s.state == PumpState.ALARM.value for s in expected.states)
    unprovoked, said = [], []
    for t_s, name in high_priority_alarms(alarms):
        if name in named:
            continue
        phrase = f"high-priority alarm {name} at {t_s / S_PER_H:.3f} h, which no expectation names (delivery stopped)"
        if t_s >= first_fault_s:
            said.append(f"{phrase}, after the fault injected at {first_fault_s / S_PER_H:.3f} h")
        elif stop_expected:
            said.append(f"{phrase}, where the scenario expects a stop by an alarm")
        else:
            unprovoked.append(f"{phrase}, and no injected fault preceded it")
    return unprovoked, said
