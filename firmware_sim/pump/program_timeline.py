"""The running therapy program over time, and the tip profile it sustains (the withdrawal envelope's reference).

A program is what the clinician set (continuous or flex); it runs from its approval to the next program or a
clinician stop. Alarms, suspension and faults do not end it: a pump that stops delivering in an alarm still has
the patient on that program, and the under-delivery is what the withdrawal envelope (firmware_sim/pk/withdrawal.py)
judges. Boluses are not part of the sustained program.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
from firmware_sim.pump.programs import BasalProgram
from firmware_sim.units import S_PER_H


@dataclass
class ProgramTimeline:
    changes: list[tuple[float, BasalProgram | None]] = field(default_factory=list)
    """(t_s, program from then on), in time order; None: no program (stopped)."""

    def note(self, t_s: float, program: BasalProgram | None) -> None:
        """The program running from t_s (kept as one change only if it differs from the last)."""
        if self.changes and t_s < self.changes[-1][0]:
            raise ValueError(f"program changes must come in time order: t={t_s} s after t={self.changes[-1][0]} s")
        last = self.changes[-1][1] if self.changes else None
        if program != last:
            self.changes.append((t_s, program))

    def sustained_profile(self, end_s: float) -> DeliveryProfile:
        """The tip delivery of the programs alone, as programmed, up to end_s."""
        segments = []
        for (start_s, program), nxt in zip(self.changes, self.changes[1:] + [(end_s, None)]):
            stop_s = min(nxt[0], end_s)
            if program is None or stop_s <= start_s:
                continue
            for piece in program.planned(start_s, stop_s):
                if piece.rate_mcg_per_h > 0 and piece.end_s > piece.start_s:
                    segments.append(InfusionSegment(piece.start_s / S_PER_H, (piece.end_s - piece.start_s) / S_PER_H,
                                                    piece.rate_mcg_per_h))
        return DeliveryProfile(segments=tuple(segments))
