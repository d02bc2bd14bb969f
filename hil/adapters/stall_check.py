"""Open-loop pumps (a GRBL stepper) report the motion they commanded, not what moved: a stalled motor or a
blocked line looks like delivery. Where a balance weighs the output, it confirms the motion: when the pump
reports at least min_volume_ul more than at the last confirmation and the balance saw less than min_fraction
of it, the status carries the fault motor_stall (the firmware latches the high-priority alarm, SR-ALM-004)."""
from __future__ import annotations

from typing import Callable

DEFAULT_MIN_VOLUME_UL = 2.0
DEFAULT_MIN_FRACTION = 0.5


class GravimetricStallCheck:
    def __init__(self, measured_ul: Callable[[], float | None], min_volume_ul: float = DEFAULT_MIN_VOLUME_UL,
                 min_fraction: float = DEFAULT_MIN_FRACTION) -> None:
        self._measured_ul = measured_ul
        self.min_volume_ul = min_volume_ul
        self.min_fraction = min_fraction
        self._reported0_ul: float | None = None
        self._measured0_ul = 0.0

    def fault(self, reported_ul: float) -> str | None:
        measured = self._measured_ul()
        if measured is None:
            return None  # no reading: nothing confirmed, nothing refuted
        if self._reported0_ul is None or reported_ul < self._reported0_ul:
            self._reported0_ul, self._measured0_ul = reported_ul, measured
            return None
        moved_ul = reported_ul - self._reported0_ul
        if moved_ul < self.min_volume_ul:
            return None
        if measured - self._measured0_ul < self.min_fraction * moved_ul:
            return "motor_stall"
        self._reported0_ul, self._measured0_ul = reported_ul, measured
        return None
