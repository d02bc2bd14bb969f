"""NE-1000 program and settings records shared by the core and the command table."""
from __future__ import annotations

from dataclasses import dataclass, field

from hil.emulators.syringe import INFUSE

STOPPED, PAUSED, PUMPING, PURGING = "S", "P", "pumping", "X"


@dataclass
class Phase:
    function: str = "RAT"
    rate_ul_per_h: float = 0.0
    rate_units: str = "UH"
    target_volume_ul: float = 0.0
    """0: continuous."""
    direction: int = INFUSE


@dataclass
class Settings:
    """What the pump keeps in non-volatile memory (restored on power-up)."""

    address: int
    safe_mode_timeout_s: int
    baud: int
    diameter_mm: float
    volume_units: str
    phases: dict[int, Phase] = field(default_factory=lambda: {1: Phase(), 2: Phase(function="STP")})
    switches: dict[str, int] = field(default_factory=lambda: {"AL": 1, "PF": 0, "BP": 1, "LOC": 0})
    trigger_mode: str = "FT"
