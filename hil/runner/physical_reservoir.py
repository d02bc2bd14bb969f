"""What is really in the implanted reservoir (the rig's stand-in), as opposed to the firmware's estimate.

The firmware is told what the clinician injected; only what reached the reservoir is there. At a refill the
clinician aspirates the true residual, which the firmware compares with its estimate (SR-RES-005), so a
pocket fill shows at the next refill. Where a balance weighs the output, the residual is measured from what the
balance weighed (SR-SUP-006): a pump running fast reports (and the firmware computes) less than really left, so
only the measured residual shows the over-infusion. Without a balance reading it follows the pump-reported volume.
"""
from __future__ import annotations


class PhysicalReservoir:
    def __init__(self, initial_ul: float) -> None:
        self._content_ul = initial_ul
        self._delivered_at_fill_ul = 0.0
        self._weighed_at_fill_ul: float | None = 0.0
        """Balance volume at the last fill (the run's first reading is 0); None: that fill was not weighed."""

    def residual_ul(self, delivered_ul: float, weighed_ul: float | None = None) -> float:
        """Content now, given the volume the pump reported since the run started and, if the balance was read now,
        the volume it weighed since the run started (taken when the last fill was weighed too)."""
        if weighed_ul is not None and self._weighed_at_fill_ul is not None:
            return max(self._content_ul - (weighed_ul - self._weighed_at_fill_ul), 0.0)
        return max(self._content_ul - (delivered_ul - self._delivered_at_fill_ul), 0.0)

    def refilled(self, reached_ul: float, delivered_ul: float, weighed_ul: float | None = None) -> None:
        """The residual was aspirated and reached_ul entered the reservoir."""
        self._content_ul = reached_ul
        self._delivered_at_fill_ul = delivered_ul
        self._weighed_at_fill_ul = weighed_ul
