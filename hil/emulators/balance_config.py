"""Configuration of an emulated MT-SICS balance, units in every name."""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

from hil.emulators.faults import EmulatorError


@dataclass(frozen=True)
class BalanceEmulatorConfig:
    density_g_per_ml: float = 1.0
    container_mass_g: float = 50.0
    """Mass on the pan at power-up; the balance zeroes on it."""
    capacity_g: float = 220.0
    underload_below_g: float = -1.0
    """Readings below this (relative to the power-up zero) are underload."""
    readability_g: float = 0.0001
    noise_sd_g: float = 0.00002
    seed: int = 0
    drift_g_per_h: float = 0.0
    evaporation_g_per_h: float = 0.0
    settling_time_constant_s: float = 0.2
    stability_band_g: float = 0.00005
    stable_timeout_s: float = 3.0
    """S, Z and T wait this long for a stable reading, then answer I (not executable)."""
    stability_check_interval_s: float = 0.1
    sir_interval_s: float = 0.25
    unit: str = "g"
    serial_number: str = "0123456789"
    model: str = "XS205DU"
    software_version: str = "2.10"
    baud: int = 9600
    byte_timing: bool = False
    identity_on_power_up: bool = True  # [U] the balance announces I4 after a power cycle (power_reset), like @

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name.endswith(("_g", "_per_ml", "_per_h", "_s")) and f.name != "underload_below_g" \
                    and (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)
                         or value < 0):
                raise EmulatorError(f"BalanceEmulatorConfig.{f.name}={value!r}: must be a finite number >= 0")
        for name in ("readability_g", "capacity_g", "settling_time_constant_s", "stability_check_interval_s",
                     "sir_interval_s", "density_g_per_ml"):
            if getattr(self, name) <= 0:
                raise EmulatorError(f"BalanceEmulatorConfig.{name}={getattr(self, name)!r}: must be > 0")
        if self.unit != "g":
            raise EmulatorError(f"BalanceEmulatorConfig.unit={self.unit!r}: the emulator weighs and prints in g only")
        if self.underload_below_g >= 0:
            raise EmulatorError(f"BalanceEmulatorConfig.underload_below_g={self.underload_below_g!r}: must be < 0")

    @property
    def decimals(self) -> int:
        return max(0, -math.floor(math.log10(self.readability_g) + 1e-9))
