"""Configuration of an emulated NE-1000, with units in every name. Defaults marked [U] are unconfirmed
reference values (protocols.md section 1) and are configurable for that reason."""
from __future__ import annotations

import re
from dataclasses import dataclass

from hil.emulators.faults import EmulatorError
from hil.emulators.pump_config_checks import check_plunger_speeds, check_syringe_and_address

SUPPORTED_BAUDS = (300, 1200, 2400, 9600, 19200)
_VERSION = re.compile(r"^NE\d+(X\d*)?V\d+\.\d+$")


@dataclass(frozen=True)
class NE1000Config:
    syringe_diameter_mm: float = 4.699
    """Inner diameter of the syringe physically installed; also the pump's initial DIA setting."""
    syringe_volume_ul: float = 1000.0
    fill_volume_ul: float | None = None
    """Volume in the syringe at start (None: full)."""
    address: int = 0
    safe_mode_timeout_s: int = 0
    """0: Basic mode; 1..255: Safe mode with this communications watchdog."""
    baud: int = 19200
    byte_timing: bool = False
    firmware_version: str = "NE1000V3.928"
    max_plunger_speed_mm_per_min: float = 51.005  # [U] manual 12.5 as cited by labmcp
    min_plunger_speed_mm_per_h: float = 0.04205  # [U]
    min_diameter_mm: float = 0.1
    max_diameter_mm: float = 50.0
    microlitre_units_max_diameter_mm: float = 14.0  # [U] DIA <= this selects uL volume units, else mL
    inter_byte_timeout_s: float = 0.5
    accept_safe_packets_in_basic_mode: bool = True  # [U] nesp-lib relies on it
    power_reset_clears_dispensed: bool = False  # [U]
    occlusion_compliance_ul: float = 2.0
    """Default volume the line takes up during an occlusion before the motor stalls."""

    def __post_init__(self) -> None:
        def bad(name: str, why: str) -> EmulatorError:
            return EmulatorError(f"NE1000Config.{name}={getattr(self, name)!r}: {why}")

        check_syringe_and_address(self, bad, ("_mm", "_ul", "_s", "_per_min", "_per_h"))
        if not (isinstance(self.safe_mode_timeout_s, int) and 0 <= self.safe_mode_timeout_s <= 255):
            raise bad("safe_mode_timeout_s", "must be an integer 0..255 (0 = Basic mode)")
        if self.baud not in SUPPORTED_BAUDS:
            raise bad("baud", f"must be one of {SUPPORTED_BAUDS}")
        if not _VERSION.match(self.firmware_version):
            raise bad("firmware_version", "must look like NE<model>[X[<n>]]V<major>.<minor>")
        check_plunger_speeds(self, bad)
