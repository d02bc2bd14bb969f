"""How far a wall-clock run fell behind its scenario. On a wall clock the scenario's time is the wall's (times the
compression factor) and the pump keeps pumping while the harness waits for a device, so a slow or silent device
delays every step after it: a priming meant to end at a step runs on, a program starts late, the pump runs past the
scenario's end. A step (or the end) reached more than the tolerance (one supervision period, or WALL_SLACK_S of wall
time, the longer) after its time makes the run ERROR, naming it and how late: the run did not do what the scenario
says, whatever its envelopes show."""
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
    first_late: str = ""
    """The first step (or the end) that came later than the tolerance, and how late."""
    worst_late_s: float = 0.0
    worst_reached: str = ""
    """The latest of them, and how late."""

    def step(self, index: int, action: str, planned_s: float, ran_s: float) -> None:
        self._reached(f"step {index} {action}", "ran", planned_s, ran_s)

    def end(self, planned_s: float, reached_s: float) -> None:
        """The scenario's end, reached (the pump about to be stopped) at reached_s."""
        self._reached("the scenario's end", "was reached", planned_s, reached_s)

    def _reached(self, what: str, verb: str, planned_s: float, ran_s: float) -> None:
        late_s = ran_s - planned_s
        if late_s <= self.tolerance_s:
            return
        described = f"{what} (at {planned_s / S_PER_H:g} h) {verb} {late_s:.3g} s of scenario time late"
        if not self.first_late:
            self.first_late = described
        if late_s > self.worst_late_s:
            self.worst_late_s, self.worst_reached = late_s, described

    def judged(self, outcome: str, reason: str) -> tuple[str, str]:
        """The run's outcome and reason, ERROR when a step or the end came later than the tolerance."""
        if not self.first_late:
            return outcome, reason
        worst = "" if self.worst_reached == self.first_late else f" (the latest: {self.worst_reached})"
        return "ERROR", (f"the run fell behind its scenario: {self.first_late}{worst}, more than the "
                         f"{self.tolerance_s:g} s allowed; a device answered too slowly for the time compression (on a "
                         f"wall clock the pump runs on while the harness waits). The verdict otherwise: {outcome}: "
                         f"{reason}")
