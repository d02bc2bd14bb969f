"""EmulatedSartorius: a Sartorius SBI balance on a pseudo-terminal whose load follows a linked pump."""
from __future__ import annotations

from dataclasses import replace
from collections.abc import Iterable
from typing import Any

from firmware_sim.clock import Clock
from hil.emulators.balance import EmulatedBalance
from hil.emulators.balance_physics import VolumeSource
from hil.emulators.device import EmulatedDevice, FaultSpec
from hil.emulators.sartorius_config import SartoriusConfig
from hil.emulators.sartorius_core import SartoriusCore


class EmulatedSartorius(EmulatedBalance):
    """volume_source_ul: the linked pump emulator (its outflow followed exactly), a volume callable, or None (a
    static load).
    Keyword overrides are SartoriusConfig fields, e.g. framing="7O1", line_format=22, seed=3."""

    device_name = "sartorius"

    def __init__(
        self,
        clock: Clock,
        volume_source_ul: VolumeSource = None,
        config: SartoriusConfig | None = None,
        *,
        faults: Iterable[FaultSpec] = (),
        poll_interval_s: float = 0.01,
        **overrides: Any,
    ) -> None:
        config = replace(config or SartoriusConfig(), **overrides)
        self.config = config
        core = SartoriusCore(config, clock, volume_source_ul, clock.now_s())
        EmulatedDevice.__init__(self, clock, core, config.byte_timing, faults, poll_interval_s)

    def line_framing(self) -> str:
        return self.config.framing
