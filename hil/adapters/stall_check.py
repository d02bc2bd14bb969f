"""Open-loop pumps (a GRBL stepper) report the motion they commanded, not what moved: a stalled motor or a
blocked line looks like delivery. Where a balance weighs the output, it confirms the motion: when the pump
reports at least min_volume_ul more than at the last confirmation and the balance saw less than min_fraction
of it, the status carries the fault motor_stall (the firmware latches the high-priority alarm, SR-ALM-004).
A balance restart starts the confirmation afresh: the interval around it was not weighed.

The balance is read only when the check can decide something: to set the first confirmation, after the pump's
counter went back, and once the pump reports min_volume_ul more than at the last confirmation (below that every
reading would be ignored). A balance restart is therefore noticed at the next such reading."""
from __future__ import annotations

from typing import Callable

from hil.adapters.balance import GravimetricReading

DEFAULT_MIN_VOLUME_UL = 2.0
DEFAULT_MIN_FRACTION = 0.5


class GravimetricStallCheck:
    def __init__(self, weigh: Callable[[], GravimetricReading | None], min_volume_ul: float = DEFAULT_MIN_VOLUME_UL,
                 min_fraction: float = DEFAULT_MIN_FRACTION) -> None:
        self._weigh = weigh
        self.min_volume_ul = min_volume_ul
        self.min_fraction = min_fraction
        self._reported0_ul: float | None = None
        self._confirmed: GravimetricReading | None = None
        self.detail: str | None = None
        """What the last motor_stall was found from."""

    def fault(self, reported_ul: float) -> str | None:
        if (self._reported0_ul is not None and self._confirmed is not None
                and 0.0 <= reported_ul - self._reported0_ul < self.min_volume_ul):
            return None  # too little reported motion to judge: the balance is not read (each reading is an exchange)
        reading = self._weigh()
        if reading is None:
            return None  # no reading: nothing confirmed, nothing refuted
        confirmed = self._confirmed
        if (self._reported0_ul is None or confirmed is None or reported_ul < self._reported0_ul
                or reading.power_ups != confirmed.power_ups):
            self._reported0_ul, self._confirmed = reported_ul, reading
            return None
        moved_ul = reported_ul - self._reported0_ul
        if moved_ul < self.min_volume_ul:
            return None
        weighed_ul = reading.volume_ul - confirmed.volume_ul
        if weighed_ul < self.min_fraction * moved_ul:
            self.detail = (f"balance check: {weighed_ul:.3g} uL weighed while the pump reported {moved_ul:.3g} uL moved "
                           f"since t={confirmed.t_s:.0f} s (less than {self.min_fraction:.0%} of it)")
            return "motor_stall"
        self._reported0_ul, self._confirmed = reported_ul, reading
        return None
