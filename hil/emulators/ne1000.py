"""EmulatedNE1000: the NE-1000 core served on a pseudo-terminal, driven by the harness clock."""
from __future__ import annotations

from dataclasses import replace
from collections.abc import Iterable
from typing import Any

from firmware_sim.clock import Clock
from hil.emulators.device import EmulatedSyringePump, FaultSpec
from hil.emulators.ne1000_config import NE1000Config
from hil.emulators.ne1000_core import NE1000Core


class EmulatedNE1000(EmulatedSyringePump[NE1000Core]):
    """An NE-1000 syringe pump. Keyword overrides are NE1000Config fields, e.g.
    EmulatedNE1000(clock, syringe_diameter_mm=4.699, syringe_volume_ul=1000, safe_mode_timeout_s=10)."""

    device_name = "ne1000"

    def __init__(
        self,
        clock: Clock,
        config: NE1000Config | None = None,
        *,
        faults: Iterable[FaultSpec] = (),
        poll_interval_s: float = 0.01,
        **overrides: Any,
    ) -> None:
        config = replace(config or NE1000Config(), **overrides)
        self.config = config
        super().__init__(clock, NE1000Core(config, clock.now_s()), config.byte_timing, faults, poll_interval_s)

    def pump_counted_ul(self) -> tuple[float, float]:
        """(infused_ul, withdrawn_ul) as the pump's own accumulators hold them (what DIS reports)."""
        with self._lock:
            self._advance()
            return self.core.infused_ul, self.core.withdrawn_ul

    def eeprom_writes(self) -> int:
        """How many times a command wrote the pump's non-volatile memory."""
        with self._lock:
            return self.core.eeprom_writes
