"""States of an emulated Harvard pump, each shown on the wire by its prompt (protocols.md 2.1); and what the command
set (harvard_commands) reads and drives of the pump, implemented by hil.emulators.harvard_core.HarvardCore: the
commands depend on this module, the core imports the commands."""
from __future__ import annotations

from enum import Enum
from typing import Any, Protocol


class HarvardState(Enum):
    """The pump's state; its value is the prompt that shows it (`LF NN<prompt>` after every reply)."""

    IDLE = ":"
    INFUSING = ">"
    WITHDRAWING = "<"
    STALLED = "*"
    TARGET_REACHED = "T*"

    @property
    def prompt(self) -> str:
        return self.value


class HarvardCommanded(Protocol):
    config: Any
    address: int
    state: HarvardState
    direction: int
    diameter_mm: float
    syringe_volume_ul: float
    target_volume_ul: float | None
    infuse_rate_ul_per_h: float
    infuse_rate_units: str
    withdraw_rate_ul_per_h: float
    withdraw_rate_units: str
    infused_ul: float
    withdrawn_ul: float
    infuse_time_s: float
    withdraw_time_s: float
    nvram: bool
    t_s: float

    @property
    def moving(self) -> bool: ...
    def rate_ul_per_h(self) -> float: ...
    def counted_ul(self) -> float: ...
    def run(self, direction: int) -> None: ...
    def stop(self) -> None: ...
    def rate_limits_ul_per_h(self) -> tuple[float, float]: ...
    def volume_units(self) -> str: ...
    def store_setting(self) -> None: ...
    def reply(self, lines: list[str]) -> None: ...
    def advance_to(self, t_s: float) -> None: ...
