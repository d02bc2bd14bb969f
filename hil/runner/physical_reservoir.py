"""What is really in the implanted reservoir (the rig's stand-in), as opposed to the firmware's estimate.

The firmware is told what the clinician injected; only what reached the reservoir is there. At a refill the
clinician aspirates the true residual, which the firmware compares with its estimate (SR-RES-005), so a
pocket fill shows at the next refill.
"""
from __future__ import annotations


class PhysicalReservoir:
    def __init__(self, initial_ul: float) -> None:
        self._content_ul = initial_ul
        self._delivered_at_fill_ul = 0.0

    def residual_ul(self, delivered_ul: float) -> float:
        """Content now, given the volume delivered since the run started (pump-reported or measured)."""
        return max(self._content_ul - (delivered_ul - self._delivered_at_fill_ul), 0.0)

    def refilled(self, reached_ul: float, delivered_ul: float) -> None:
        """The residual was aspirated and reached_ul entered the reservoir."""
        self._content_ul = reached_ul
        self._delivered_at_fill_ul = delivered_ul
