"""EmulatedBalance: an MT-SICS balance on a pseudo-terminal whose load follows a linked pump."""
from __future__ import annotations

from dataclasses import replace
from collections.abc import Iterable
from typing import Any, Protocol

from firmware_sim.clock import Clock
from hil.emulators.balance_config import BalanceConfig
from hil.emulators.balance_physics import VolumeSource, WeighingCell
from hil.emulators.device import DeviceCore, EmulatedDevice, FaultSpec
from hil.emulators.mtsics_core import MtSicsCore


class BalanceCore(DeviceCore, Protocol):
    """What EmulatedBalance reads of its core (MT-SICS or Sartorius)."""

    cell: WeighingCell
    zero_g: float
    tare_g: float

    def add_load_g(self, mass_g: float, t_s: float) -> None: ...


class EmulatedBalance(EmulatedDevice[BalanceCore]):
    """volume_source_ul: the linked pump emulator (its outflow followed exactly), a volume callable, or None (a
    static load).
    Keyword overrides are BalanceConfig fields, e.g. density_g_per_ml=1.0, noise_sd_g=0.0001, seed=3."""

    device_name = "balance"

    def __init__(
        self,
        clock: Clock,
        volume_source_ul: VolumeSource = None,
        config: BalanceConfig | None = None,
        *,
        faults: Iterable[FaultSpec] = (),
        poll_interval_s: float = 0.01,
        **overrides: Any,
    ) -> None:
        config = replace(config or BalanceConfig(), **overrides)
        self.config = config
        core = MtSicsCore(config, clock, volume_source_ul, clock.now_s())
        super().__init__(clock, core, config.byte_timing, faults, poll_interval_s)

    def add_load_g(self, mass_g: float) -> None:
        """Put a mass on the pan now (negative: take one off); the display settles to it."""
        with self._lock:
            self.core.add_load_g(mass_g, self._sync())

    def true_net_mass_g(self) -> float:
        """Noise- and lag-free load minus the balance's zero and tare: what a perfect reading shows."""
        with self._lock:
            now = self._sync()
            return self.core.cell.load_g(now) - self.core.zero_g - self.core.tare_g
