"""The therapy as programmed over time (basal program and periodic boluses), for the gate's window limits.

A program runs from its approval to the next program or a clinician stop; suspension, alarms and faults do not end
it (as hil's ProgramTimeline for the withdrawal envelope). Clinician boluses, PTM presses, priming and bridges are
not part of it. The gate judges the soft maximum and the titration cap on the 24 h windows of this history followed
by the plan (SR-DOSE-009, SR-TIT-003): what was programmed, whatever the pump delivered meanwhile.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from firmware_sim.pump.programs import BasalProgram, PeriodicBolus
from firmware_sim.safety.limits import DrugLimits
from firmware_sim.safety.window import RatePiece
from firmware_sim.units import S_PER_H, S_PER_MIN


@dataclass
class ProgrammedHistory:
    span_s: float = math.inf
    """How far back the window limits read it (read_span_s): older changes are dropped as new ones come."""
    changes: list[tuple[float, BasalProgram | None, PeriodicBolus | None]] = field(default_factory=list)
    """(t_s, basal program, periodic boluses as set up) from then on, in time order."""

    def note(self, t_s: float, basal: BasalProgram | None, periodic: PeriodicBolus | None) -> None:
        if not self.changes or self.changes[-1][1:] != (basal, periodic):
            self.changes.append((t_s, basal, periodic))
            self._forget_before(t_s - self.span_s)

    def pieces(self, from_s: float, to_s: float, overlapping_runs: bool = True) -> list[RatePiece]:
        """What the programs placed at the tip in [from_s, to_s), as programmed. A periodic run goes on past a
        change of the therapy as the firmware's does (it is a bolus under way) and is cut short by a stop (which
        aborts it). Two runs overlap only when the earlier was not given (aborted by a suspension or an alarm, or
        refused while another bolus ran) and the periodic was set up again meanwhile; which of them the pump gave is
        not programmed. overlapping_runs: count both (the windows a command is judged on: never fewer doses than
        given), else only the earlier (the titration reference: a periodic set up six times while suspended is not
        six runs, and never more than given)."""
        pieces: list[RatePiece] = []
        runs: list[RatePiece] = []
        stops_s: list[float] = []
        ends = [t for t, _, _ in self.changes[1:]] + [to_s]
        for (start_s, basal, periodic), end_s in zip(self.changes, ends):
            end_s = min(end_s, to_s)
            if basal is None and periodic is None:
                stops_s.append(start_s)
            if basal is not None and end_s > max(start_s, from_s):
                pieces += basal.planned(max(start_s, from_s), end_s)
            if periodic is not None and end_s > start_s:
                runs += _runs_starting(periodic, start_s, end_s, from_s)
        return pieces + _runs_within(runs, stops_s, from_s, to_s, overlapping_runs)

    def _forget_before(self, t_s: float) -> None:
        """Drop the changes no piece from t_s on needs (all but the last one at or before t_s)."""
        kept_from = max((i for i, (start_s, _, _) in enumerate(self.changes) if start_s <= t_s), default=0)
        del self.changes[:kept_from]


def read_span_s(limits: DrugLimits) -> float:
    """How far back the window limits read the programmed therapy: the last window and the one before it, or the
    window before the start of a titration interval longer than a window."""
    window_s = limits.window_h * S_PER_H
    return max(2 * window_s, limits.titration_min_interval_h * S_PER_H + window_s)


def _runs_starting(periodic: PeriodicBolus, start_s: float, end_s: float, reach_s: float) -> list[RatePiece]:
    """The whole runs of the periodic bolus that start in [start_s, end_s) and last beyond reach_s."""
    runs = _from_run_near(periodic, max(start_s, reach_s)).planned(-math.inf, end_s)
    return [run for run in runs if run.start_s >= start_s and run.end_s > reach_s]


def _runs_within(runs: list[RatePiece], stops_s: list[float], from_s: float, to_s: float,
                 overlapping_runs: bool) -> list[RatePiece]:
    """The runs, each cut at the first stop after its start, within [from_s, to_s); without overlapping_runs, a run
    starting while an earlier one runs is left out."""
    kept: list[RatePiece] = []
    busy_until_s = -math.inf
    for run in sorted(runs):
        if run.start_s < busy_until_s and not overlapping_runs:
            continue
        end_s = min([run.end_s] + [t_s for t_s in stops_s if t_s > run.start_s])
        busy_until_s = max(busy_until_s, end_s)
        start_s, end_s = max(run.start_s, from_s), min(end_s, to_s)
        if end_s > start_s:
            kept.append(RatePiece(start_s, end_s, run.rate_mcg_per_h))
    return kept


def _from_run_near(periodic: PeriodicBolus, t_s: float) -> PeriodicBolus:
    """The same runs, counted from the last one that can still reach t_s (set up long ago, the runs before it
    would be stepped through at every call)."""
    interval_s = periodic.interval_h * S_PER_H
    skipped = math.floor((t_s - periodic.duration_min * S_PER_MIN - periodic.next_s) / interval_s) - 1
    return replace(periodic, next_s=periodic.next_s + skipped * interval_s) if skipped > 0 else periodic
