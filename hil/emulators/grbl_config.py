"""Configuration of an emulated GRBL 1.1 stepper syringe pump, units in every name."""
from __future__ import annotations

import math
from dataclasses import dataclass

from hil.emulators.faults import EmulatorError


@dataclass(frozen=True)
class GrblConfig:
    steps_per_mm: float = 800.0
    """Motor steps per mm of plunger travel of the real mechanics; also the initial $100."""
    syringe_diameter_mm: float = 4.699
    syringe_volume_ul: float = 1000.0
    fill_volume_ul: float | None = None
    infuse_axis_sign: int = 1
    """+1: moving X towards positive pushes the plunger in (infuses)."""
    max_rate_mm_per_min: float = 500.0
    max_travel_mm: float = 200.0
    hard_limits: bool = True
    """An end-stop switch at the empty/full syringe: reaching it gives ALARM:1. Without it the motor
    just loses steps there (open loop: GRBL cannot tell)."""
    version: str = "1.1h"
    build_date: str = "20190830"
    baud: int = 115200
    byte_timing: bool = False
    rx_buffer_bytes: int = 128
    planner_blocks: int = 16
    line_buffer_bytes: int = 80
    occlusion_compliance_ul: float = 2.0

    def __post_init__(self) -> None:
        positive = ("steps_per_mm", "syringe_diameter_mm", "syringe_volume_ul", "max_rate_mm_per_min",
                    "max_travel_mm", "baud", "rx_buffer_bytes", "planner_blocks", "line_buffer_bytes")
        for name in positive:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
                    or value <= 0:
                raise EmulatorError(f"GrblConfig.{name}={value!r}: must be a finite positive number")
        if self.infuse_axis_sign not in (1, -1):
            raise EmulatorError(f"GrblConfig.infuse_axis_sign={self.infuse_axis_sign!r}: must be +1 or -1")
        for name in ("fill_volume_ul", "occlusion_compliance_ul"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                      or not math.isfinite(value) or value < 0):
                raise EmulatorError(f"GrblConfig.{name}={value!r}: must be a finite number >= 0")
        if self.fill_volume_ul is not None and self.fill_volume_ul > self.syringe_volume_ul:
            raise EmulatorError(f"GrblConfig.fill_volume_ul={self.fill_volume_ul!r}: must be 0..syringe_volume_ul")
