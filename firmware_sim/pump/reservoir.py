"""Reservoir accounting. Like SynchroMed, the volume is computed from what was commanded, not sensed."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Reservoir:
    capacity_ul: float
    volume_ul: float = 0.0
    conc_mcg_per_ml: float = 0.0
    filled_total_ul: float = 0.0
    discarded_total_ul: float = 0.0
    """Estimated residual replaced at each refill (the clinician aspirates it)."""
    drawn_total_ul: float = 0.0

    def draw(self, volume_ul: float) -> None:
        self.volume_ul -= volume_ul
        self.drawn_total_ul += volume_ul

    def refill(self, volume_ul: float, conc_mcg_per_ml: float) -> float:
        """Replace the residual with a fresh fill; returns the estimated residual that was replaced."""
        residual_ul = self.volume_ul
        self.discarded_total_ul += residual_ul
        self.filled_total_ul += volume_ul
        self.volume_ul = volume_ul
        self.conc_mcg_per_ml = conc_mcg_per_ml
        return residual_ul

    def balance_error_ul(self) -> float:
        """Fills minus what was drawn, discarded and remains: zero when volume is conserved."""
        return self.filled_total_ul - self.drawn_total_ul - self.discarded_total_ul - self.volume_ul

