"""An emulator's options dataclass from a rig: the values its sections imply, overridden by `emulators.<n>.options`.

Used when a rig file is loaded (hil.config.rig.RigConfig.cross_check: bad options are reported with file, key and
line) and when its emulators are built (hil.devices.building).
"""
from __future__ import annotations

import re
from types import UnionType
from typing import Any, Union, get_args, get_origin, get_type_hints
from collections.abc import Callable, Mapping

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
    for name, value in options.items():
        problem = _type_problem(kind.emulator_config_type, name, value)
        if problem is not None:
            raise EmulatorOptionsError(name, f"{kind.emulator_config_type.__name__}.{name}={value!r}: {problem}")
    try:
        return kind.emulator_config_type(**{**kind.emulator_base(rig, fill_ul), **(extra or {}), **options})
    except (TypeError, ValueError) as exc:
        match = _FIELD_IN_MESSAGE.match(str(exc))
        option = match.group(1) if match is not None and match.group(1) in options else None
        raise EmulatorOptionsError(option, str(exc)) from exc


_TYPE_WORDS = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}
_FITS: dict[type, Callable[[Any], bool]] = {
    bool: lambda v: isinstance(v, bool), int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), str: lambda v: isinstance(v, str)}
"""A YAML value fits a declared field type: a boolean is no number."""


def _type_problem(config_type: type, name: str, value: Any) -> str | None:
    """Why value cannot be the config field `name` by its declared type (bool, int, float, str, optional), None if it
    can or the type is another (Literal, enum: judged by the config itself). A YAML string, boolean or 1e308 for an
    integer seed was taken and failed only when the emulator was built, or not at all."""
    hint = get_type_hints(config_type)[name]
    allowed = get_args(hint) if get_origin(hint) in (Union, UnionType) else (hint,)
    if value is None and type(None) in allowed:
        return None
    plain = [t for t in allowed if t in _TYPE_WORDS]
    if len(plain) != len([t for t in allowed if t is not type(None)]):
        return None
    if any(_FITS[t](value) for t in plain):
        return None
    return "must be " + " or ".join(_TYPE_WORDS[t] for t in plain)
