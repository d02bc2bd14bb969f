"""What GRBL's G-code and system-command handlers (grbl_gcode, grbl_system) read and drive of the controller,
implemented by hil.emulators.grbl_core.GrblCore: the handlers depend on this, the core imports the handlers."""
from __future__ import annotations

from typing import Protocol, TypedDict

from hil.emulators.grbl_config import GrblConfig
from hil.emulators.grbl_motion import Motion


class GrblParserState(TypedDict):
    """GRBL's parser state that persists between lines (what `$G` reports)."""

    motion: str
    distance: str
    units: str
    feed_mm_per_min: float


class GrblCommanded(Protocol):
    config: GrblConfig
    settings: dict[int, float]
    motion: Motion
    modal: GrblParserState
    alarm: bool
    _out: list[str]

    def state_name(self) -> str: ...
