"""EmulatedBalance: an MT-SICS balance on a pseudo-terminal whose load follows a linked pump."""
from __future__ import annotations

from dataclasses import replace
from collections.abc import Iterable
from typing import Any

from firmware_sim.clock import Clock
from hil.emulators.balance_config import BalanceEmulatorConfig
from hil.emulators.balance_physics import VolumeSource
from hil.emulators.device import EmulatedDevice, FaultSpec
from hil.emulators.mtsics_core import MtSicsCore


class EmulatedBalance(EmulatedDevice):
    """volume_source_ul: the linked pump emulator (its outflow followed exactly), a volume callable, or None (a
    static load).
    Keyword overrides are BalanceEmulatorConfig fields, e.g. density_g_per_ml=1.0, noise_sd_g=0.0001, seed=3."""

    device_name = "balance"

    def __init__(
        self,
        clock: Clock,
        volume_source_ul: VolumeSource = None,
        config: BalanceEmulatorConfig | None = None,
        *,
        faults: Iterable[FaultSpec] = (),
        poll_interval_s: float = 0.01,
        **overrides: Any,
    ) -> None:
        config = replace(config or BalanceEmulatorConfig(), **overrides)
        self.config = config
        core = MtSicsCore(config, clock, volume_source_ul, clock.now_s())
        super().__init__(clock, core, config.byte_timing, faults, poll_interval_s)

    @property
    def weighs_outflow(self) -> bool:
        """Whether a pump (or a volume callable) feeds the pan; False: no pump is linked, nothing flows onto it."""
        return bool(self.core.cell.weighs_outflow)

    def add_load_g(self, mass_g: float) -> None:
        """Put a mass on the pan now (negative: take one off); the display settles to it."""
        with self._lock:
            self.core.add_load_g(mass_g, self._sync())

    def true_net_mass_g(self) -> float:
        """Noise- and lag-free load minus the balance's zero and tare: what a perfect reading shows."""
        with self._lock:
            now = self._sync()
            return self.core.cell.load_g(now) - self.core.zero_g - self.core.tare_g
