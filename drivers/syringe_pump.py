"""The device seam: what the harness needs from any syringe pump (NE-1000, GRBL stepper, ...)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import TracebackType
from typing import Protocol

from drivers.arguments import require_positive
from drivers.errors import LimitExceeded


@dataclass(frozen=True)
class PumpStatus:
    running: bool
    infused_ul: float
    """Volume infused since the accumulator was last cleared, as the device reports it."""
    alarm: str | None = None
    """None, or the device's alarm: "reset", "stall", "watchdog", "comm_error", "out_of_range", ..."""


class SyringePump(Protocol):
    def open(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> SyringePump: ...

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...

    def set_syringe_diameter_mm(self, diameter_mm: float) -> None: ...

    def set_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        """Set the infusion rate; applied at once if running. Raises LimitExceeded above the rig maximum."""
        ...

    def set_target_volume_ul(self, volume_ul: float | None) -> None:
        """Stop after this volume; None means no target."""
        ...

    def clear_infused_volume(self) -> None: ...

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def status(self) -> PumpStatus: ...


def pop_oldest_alarm(pending: list[str]) -> str | None:
    """The alarm a status reports: the oldest pending one (an alarm seen twice counts once). It is taken out of
    pending in place; the others wait for the next status."""
    unique = list(dict.fromkeys(pending))
    pending[:] = unique[1:]
    return unique[0] if unique else None


def check_rate_ul_per_h(rate_ul_per_h: float, max_rate_ul_per_h: float) -> None:
    """A rate every pump driver refuses before sending anything: not a positive number, or above the rig
    maximum [SR-DRV-001]."""
    require_positive("rate_ul_per_h", rate_ul_per_h, " (use stop() for zero)")
    if rate_ul_per_h > max_rate_ul_per_h:
        raise LimitExceeded(f"rate {rate_ul_per_h} uL/h exceeds the rig maximum {max_rate_ul_per_h} uL/h; "
                            "nothing sent [SR-DRV-001]")


def check_target_volume_ul(volume_ul: float | None) -> None:
    if volume_ul is not None:
        require_positive("volume_ul", volume_ul, " or None")


def plunger_area_mm2(diameter_mm: float) -> float:
    """Cross-section of a syringe of this inner diameter: uL per mm of plunger travel."""
    return math.pi * diameter_mm**2 / 4.0
