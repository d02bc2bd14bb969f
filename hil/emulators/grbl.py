"""EmulatedGrbl: a GRBL 1.1 stepper syringe pump on a pseudo-terminal, driven by the harness clock."""
from __future__ import annotations

from dataclasses import replace
from collections.abc import Iterable
from typing import Any

from firmware_sim.clock import Clock
from hil.emulators.device import EmulatedSyringePump, FaultSpec
from hil.emulators.grbl_config import GrblConfig
from hil.emulators.grbl_core import GrblCore


class EmulatedGrbl(EmulatedSyringePump[GrblCore]):
    """Keyword overrides are GrblConfig fields, e.g.
    EmulatedGrbl(clock, steps_per_mm=800, syringe_diameter_mm=4.699, syringe_volume_ul=1000)."""

    device_name = "grbl"

    def __init__(
        self,
        clock: Clock,
        config: GrblConfig | None = None,
        *,
        faults: Iterable[FaultSpec] = (),
        poll_interval_s: float = 0.01,
        **overrides: Any,
    ) -> None:
        config = replace(config or GrblConfig(), **overrides)
        self.config = config
        super().__init__(clock, GrblCore(config, clock.now_s()), config.byte_timing, faults, poll_interval_s)

    def position_mm(self) -> tuple[float, float, float]:
        """Machine position as GRBL believes it (MPos)."""
        with self._lock:
            self._advance()
            x, y, z = self.core.motion.position_mm
            return x, y, z
