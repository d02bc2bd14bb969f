"""The device seam: what the harness needs from any syringe pump (NE-1000, GRBL stepper, ...)."""
from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType
from typing import Protocol


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

    def __enter__(self) -> "SyringePump": ...

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
