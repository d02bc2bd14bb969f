"""What a run saw on its way, for the verdict: alarms, states, the balance's delivered-profile points, failures."""
from __future__ import annotations

from dataclasses import dataclass, field

from hil.runner import expectations as expect


@dataclass
class Observations:
    alarms: list[tuple[float, str]] = field(default_factory=list)
    states: expect.StateTimeline = field(default_factory=expect.StateTimeline)
    last_status_t_s: float | None = None
    gravimetric_at_tick: dict[float, float] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    checked_expectation_count: int = 0
    unexpected: list[str] = field(default_factory=list)
    """What the run met that the scenario expects nothing of (a refused step): said in a PASS's reason."""
    overrides: list[str] = field(default_factory=list)
    """Steps approved over soft limits (override_soft_limits: true), with what they overrode: said in every reason."""
