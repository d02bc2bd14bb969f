"""NE-1000 program state, settings records and the core's interface to its command table (ne1000_commands), which
the core (ne1000_core) implements: the commands depend on this module, not on the core."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol

from hil.emulators.syringe import INFUSE


class ProgramState(Enum):
    """What the pumping program is doing. The wire shows a letter (NE1000Core.status_char): the state's own, or for
    PUMPING the direction's (I infuse, W withdraw)."""

    STOPPED = "S"
    PAUSED = "P"
    PUMPING = "I/W"
    PURGING = "X"


STOPPED, PAUSED, PUMPING, PURGING = (
    ProgramState.STOPPED,
    ProgramState.PAUSED,
    ProgramState.PUMPING,
    ProgramState.PURGING,
)


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


class NE1000Commanded(Protocol):
    """What the command table reads and drives of the pump (implemented by hil.emulators.ne1000_core.NE1000Core)."""

    config: Any
    settings: Settings
    state: ProgramState
    alarm: str | None
    motor_jammed: bool
    direction: int
    rate_ul_per_h: float
    infused_ul: float
    withdrawn_ul: float
    selected_phase: int
    running_phase: int

    def status_char(self) -> str: ...
    def start_program(self, phase: int) -> None: ...
    def purge(self, max_rate_ul_per_h: float, direction: int) -> None: ...
    def pause(self) -> None: ...
    def resume(self) -> None: ...
    def stop_program(self) -> None: ...
    def master_reset(self) -> None: ...
    def set_diameter_mm(self, diameter_mm: float) -> None: ...
    def rate_limits_ul_per_h(self) -> tuple[float, float]: ...
    def store(self) -> None: ...
    def reply_data(self, body: str) -> bytes: ...
    def send(self, data: bytes) -> None: ...
