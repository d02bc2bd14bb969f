"""EmulatedHarvard: a Harvard pump-chain syringe pump (PHD ULTRA / Pump 11 Elite, or the KDS Legato dialect) served
on a pseudo-terminal, driven by the harness clock."""
from __future__ import annotations

from dataclasses import replace
from collections.abc import Iterable
from typing import Any

from firmware_sim.clock import Clock
from hil.emulators.device import EmulatedSyringePump, FaultSpec
from hil.emulators.harvard_config import HarvardConfig
from hil.emulators.harvard_core import HarvardCore


class EmulatedHarvard(EmulatedSyringePump[HarvardCore]):
    """Keyword overrides are HarvardConfig fields, e.g. EmulatedHarvard(clock, dialect="legato", address=3)."""

    device_name = "harvard"

    def __init__(
        self,
        clock: Clock,
        config: HarvardConfig | None = None,
        *,
        faults: Iterable[FaultSpec] = (),
        poll_interval_s: float = 0.01,
        **overrides: Any,
    ) -> None:
        config = replace(config or HarvardConfig(), **overrides)
        self.config = config
        super().__init__(clock, HarvardCore(config, clock.now_s()), config.byte_timing, faults, poll_interval_s)

    def pump_counted_ul(self) -> tuple[float, float]:
        """(infused_ul, withdrawn_ul) as the pump's own counters hold them (what ivolume / wvolume report)."""
        with self._lock:
            self._advance()
            return self.core.infused_ul, self.core.withdrawn_ul

    def prompt(self) -> str:
        """The prompt the pump would send now (its state)."""
        with self._lock:
            self._advance()
            return self.core.state.prompt
