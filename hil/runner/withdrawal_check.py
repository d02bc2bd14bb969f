"""The scenario's withdrawal expectation, judged on the withdrawal envelope and the alarms [SR-PK-006].

- prevented: the envelope passes (no drop below the sustained fraction for longer than its limit).
- caught_by_alarm: a drop counts as caught only when a high-priority alarm came at or before the time it began and
  therapy was not started again between that alarm and the drop (an alarm whose episode was cleared and whose
  therapy was resumed announces nothing about a later drop), also a drop still under way at the end of the run
  (its envelope not evaluated: how long it lasts lies beyond the run, that it was announced does not). No drop at
  all passes too: the hazard was prevented.
  A caught drop does not fail the run; the envelope is still recorded as FAIL.
- detected_by_envelope: the envelope must find the drop, and nothing in the pump had to (a catheter leak the
  pump cannot see): the run's verification caught the hazard. The detail says whether an alarm came first.
"""
from __future__ import annotations

from collections.abc import Sequence

from firmware_sim.clock import TIME_EPS_S
from firmware_sim.outcome import Outcome
from firmware_sim.pk.envelopes import EnvelopeResult
from firmware_sim.pk.withdrawal import REQUIREMENT_IDS, drop_began_h
from firmware_sim.pump.therapy_control import THERAPY_STATES
from firmware_sim.units import S_PER_H
from hil.runner.expectations import ExpectationResult, StateTimeline, high_priority_alarms

WITHDRAWAL_EXPECTATIONS = ("prevented", "caught_by_alarm", "detected_by_envelope")


def first_high_priority_alarm(alarms: Sequence[tuple[float, str]]) -> tuple[float, str] | None:
    """(t_s, name) of the earliest high-priority alarm, None if there was none."""
    high = high_priority_alarms(alarms)
    return high[0] if high else None


def therapy_starts_s(states: StateTimeline) -> list[float]:
    """When the firmware entered a delivering state (continuous, bolus, bridge) from any other state."""
    delivering = {state.value for state in THERAPY_STATES}
    previous, starts = states.initial, []
    for t_s, state in zip(states.times_s, states.states):
        if state in delivering and previous not in delivering:
            starts.append(t_s)
        previous = state
    return starts


def _announcing_alarm(alarms: Sequence[tuple[float, str]], began_s: float,
                      starts_s: Sequence[float]) -> tuple[float, str] | None:
    """The earliest high-priority alarm at or before began_s with no therapy start after it and up to began_s."""
    for t_s, name in high_priority_alarms(alarms):
        if t_s <= began_s + TIME_EPS_S and not any(t_s < start <= began_s + TIME_EPS_S for start in starts_s):
            return t_s, name
    return None


def check_withdrawal(expected: str, envelope: EnvelopeResult, alarms: Sequence[tuple[float, str]],
                     starts_s: Sequence[float]) -> tuple[ExpectationResult, bool]:
    """(the expectation's result, whether the envelope's FAIL is the expected, caught drop and so not a run failure).
    starts_s: when therapy (re)started (therapy_starts_s)."""
    if expected not in WITHDRAWAL_EXPECTATIONS:
        raise ValueError(f"unknown withdrawal expectation {expected!r}; known: {', '.join(WITHDRAWAL_EXPECTATIONS)}")
    name, ids = f"withdrawal {expected}", list(REQUIREMENT_IDS)
    if envelope.outcome is Outcome.NOT_EVALUATED and (expected != "caught_by_alarm" or drop_began_h(envelope) is None):
        return ExpectationResult(name, False, f"the withdrawal envelope was {envelope.reason}", ids), False
    first = first_high_priority_alarm(alarms)
    alarm_text = "no high-priority alarm" if first is None else (
        f"the first high-priority alarm was {first[1]} at {first[0] / S_PER_H:.3f} h")
    if envelope.outcome is Outcome.PASS:
        passed = expected != "detected_by_envelope"
        detail = f"no withdrawal: {envelope.reason}" + ("" if passed else "; the scenario expects a drop to be found")
        return ExpectationResult(name, passed, detail, ids), False
    began_h = drop_began_h(envelope)
    assert began_h is not None, "a failed withdrawal envelope names when its drop began"
    if expected == "prevented":
        return ExpectationResult(name, False, envelope.reason, ids), False
    announcing = _announcing_alarm(alarms, began_h * S_PER_H, starts_s)
    if expected == "detected_by_envelope":
        detail = (f"found by the withdrawal envelope ({envelope.reason}); {alarm_text}"
                  + (", before the drop" if announcing is not None else ", so only the envelope caught it"))
        return ExpectationResult(name, True, detail, ids), True
    if announcing is not None:
        lead_h = began_h - announcing[0] / S_PER_H
        detail = (f"caught: the high-priority alarm {announcing[1]} at {announcing[0] / S_PER_H:.3f} h, {lead_h:.3g} h "
                  f"before the drop began at {began_h:.3f} h ({envelope.reason})")
        return ExpectationResult(name, True, detail, ids), True
    detail = f"not caught: {alarm_text} at or before the drop began at {began_h:.3f} h ({envelope.reason})"
    if first is not None and first[0] <= began_h * S_PER_H + TIME_EPS_S:
        detail = (f"not caught: therapy was started again after every high-priority alarm before the drop began at "
                  f"{began_h:.3f} h ({alarm_text}); {envelope.reason}")
    elif first is not None:
        detail = f"not caught: the drop began at {began_h:.3f} h, before any high-priority alarm ({alarm_text}); " \
                 f"{envelope.reason}"
    return ExpectationResult(name, False, detail, ids), False
