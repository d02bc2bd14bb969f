"""What GRBL's G-code and system-command handlers (grbl_gcode, grbl_system) read and drive of the controller,
implemented by hil.emulators.grbl_core.GrblCore: the handlers depend on this, the core imports the handlers."""
from __future__ import annotations

from typing import Any, Protocol

from hil.emulators.grbl_config import GrblConfig
from hil.emulators.grbl_motion import Motion


class GrblCommanded(Protocol):
    config: GrblConfig
    settings: dict[int, float]
    motion: Motion
    modal: dict[str, Any]
    alarm: bool
    _out: list[str]

    def state_name(self) -> str: ...
