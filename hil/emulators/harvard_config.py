"""Configuration of an emulated Harvard pump-chain pump (PHD ULTRA / Pump 11 Elite, or the KDS Legato dialect), with
units in every name. Defaults marked [U] are unconfirmed (protocols.md section 2.1/2.2) and configurable for that
reason."""
from __future__ import annotations

from dataclasses import dataclass

from hil.emulators.faults import EmulatorError
from hil.emulators.pump_config_checks import check_plunger_speeds, check_syringe_and_address

DIALECTS = ("phd_ultra", "legato")
SUPPORTED_BAUDS = (9600, 19200, 38400, 57600, 115200)


@dataclass(frozen=True)
class HarvardConfig:
    syringe_diameter_mm: float = 14.43
    """Inner diameter of the syringe physically installed; also the pump's initial `diameter` setting."""
    syringe_volume_ul: float = 10_000.0
    fill_volume_ul: float | None = None
    """Volume in the syringe at start (None: full)."""
    address: int = 0
    dialect: str = "phd_ultra"
    """phd_ultra: `12:cmd` (also accepted without the colon), status time in s and 5 flags; legato: `12cmd`, an
    unaddressed command is answered whatever the address (USB), status time in ms and 6 flags."""
    baud: int = 115200
    byte_timing: bool = False
    version_text: str = "11 ELITE I/W Single 3.0.4"
    text_line_address: bool = True  # [U] `LF 00 text CR`; False: `LF text CR`
    max_plunger_speed_mm_per_min: float = 190.0  # [U]
    min_plunger_speed_mm_per_h: float = 0.0216  # [U]
    min_diameter_mm: float = 0.1  # [U]
    max_diameter_mm: float = 50.0  # [U]
    microlitre_volume_max_ul: float = 1000.0  # [U] syringes up to this volume report volumes in ul, larger in ml
    power_reset_clears_volumes: bool = False  # [U]
    occlusion_compliance_ul: float = 2.0
    """Default volume the line takes up during an occlusion before the motor stalls."""

    def __post_init__(self) -> None:
        def bad(name: str, why: str) -> EmulatorError:
            return EmulatorError(f"HarvardConfig.{name}={getattr(self, name)!r}: {why}")

        check_syringe_and_address(self, bad, ("_mm", "_ul", "_per_min", "_per_h"))
        if self.dialect not in DIALECTS:
            raise bad("dialect", f"must be one of {DIALECTS}")
        if self.baud not in SUPPORTED_BAUDS:
            raise bad("baud", f"must be one of {SUPPORTED_BAUDS}")
        if not self.version_text.isascii() or not self.version_text.isprintable():
            raise bad("version_text", "must be printable ASCII")
        check_plunger_speeds(self, bad)
