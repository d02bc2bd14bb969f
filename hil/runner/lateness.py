"""How far a wall-clock run fell behind its scenario. On a wall clock the scenario's time is the wall's (times the
compression factor) and the pump keeps pumping while the harness waits for a device, so a slow or silent device
delays every step after it: a priming meant to end at a step runs on, a program starts late. A step that ran more
than the tolerance (one supervision period, or WALL_SLACK_S of wall time, the longer) after its time makes the run
ERROR, naming the step and how late: the run did not do what the scenario says, whatever its envelopes show."""
from __future__ import annotations

import math
from dataclasses import dataclass

from firmware_sim.units import S_PER_H


WALL_SLACK_S = 1.0
"""Wall seconds a loaded machine may start a step late without it counting (times the compression factor)."""


def lateness_tolerance_s(wall_clock: bool, supervision_period_s: float, compression_factor: float) -> float:
    """Scenario seconds a step may run late: inf on a virtual clock (steps run at their times exactly)."""
    return max(supervision_period_s, WALL_SLACK_S * compression_factor) if wall_clock else math.inf


@dataclass
class Lateness:
    tolerance_s: float
    """Scenario seconds a step may run after its time (inf: never judged, as on a virtual clock)."""
    worst_late_s: float = 0.0
    worst_step: str = ""

    def step(self, index: int, action: str, planned_s: float, ran_s: float) -> None:
        late_s = ran_s - planned_s
        if late_s > self.worst_late_s:
            self.worst_late_s = late_s
            self.worst_step = f"step {index} {action} (at {planned_s / S_PER_H:g} h)"

    def judged(self, outcome: str, reason: str) -> tuple[str, str]:
        """The run's outcome and reason, ERROR when a step ran later than the tolerance."""
        if math.isinf(self.tolerance_s) or self.worst_late_s <= self.tolerance_s:
            return outcome, reason
        return "ERROR", (f"the run fell behind its scenario: {self.worst_step} ran {self.worst_late_s:.3g} s of "
                         f"scenario time late, more than the {self.tolerance_s:g} s allowed; a device "
                         f"answered too slowly for the time compression (on a wall clock the pump runs on while the "
                         f"harness waits). The verdict otherwise: {outcome}: {reason}")
