"""An emulator's options dataclass from a rig: the values its sections imply, overridden by `emulators.<n>.options`.

Used when a rig file is loaded (hil.config.rig.RigConfig.cross_check: bad options are reported with file, key and
line) and when its emulators are built (hil.devices.building).
"""
from __future__ import annotations

import re
from typing import Any
from collections.abc import Mapping

from hil.devices.kind import DeviceKind
from hil.devices.rig_sections import RigSections

_FIELD_IN_MESSAGE = re.compile(r"^\w+Config\.(\w+)=")
"""Emulator config errors start `<Type>.<field>=<value>: ...` (hil.emulators.*_config)."""


class EmulatorOptionsError(ValueError):
    """option: the option the problem is about (None: a value implied by the rig's other sections)."""

    def __init__(self, option: str | None, message: str, unknown: bool = False) -> None:
        super().__init__(message)
        self.option = option
        self.unknown = unknown


def emulator_config(kind: DeviceKind, rig: RigSections, fill_ul: float, options: Mapping[str, Any],
                    extra: Mapping[str, Any] | None = None) -> Any:
    """kind.emulator_config_type built from the rig and the options; EmulatorOptionsError naming the option."""
    unknown = sorted(set(options) - kind.option_names)
    if unknown:
        raise EmulatorOptionsError(unknown[0], f"unknown option(s) {unknown} for a {kind.name} emulator; "
                                               f"known: {', '.join(sorted(kind.option_names))}", unknown=True)
    try:
        return kind.emulator_config_type(**{**kind.emulator_base(rig, fill_ul), **(extra or {}), **options})
    except (TypeError, ValueError) as exc:
        match = _FIELD_IN_MESSAGE.match(str(exc))
        option = match.group(1) if match is not None and match.group(1) in options else None
        raise EmulatorOptionsError(option, str(exc)) from exc
