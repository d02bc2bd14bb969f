"""The Harvard pump-chain command set (protocols.md 2.1), executed against a HarvardCommanded.

A line is `[<address>[:]]<command>[ <arguments>]`, case-insensitive; a command may be abbreviated to its first 4
letters (or more). Errors are reply lines: Unknown command, Argument error, Out of range, Command error (not now).
A line addressed to another pump is not answered (another pump in the chain answers it).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable

from firmware_sim.units import MS_PER_S, S_PER_H
from hil.emulators.harvard_state import HarvardCommanded, HarvardState
from hil.emulators.syringe import INFUSE, WITHDRAW

_ADDRESSED = re.compile(r"^(\d{1,2})(:?)(.*)$", re.DOTALL | re.ASCII)
_DECIMAL = re.compile(r"^(?:\d+\.?\d*|\.\d+)$", re.ASCII)
RATE_UNITS_UL_PER_H = {"ml/min": 60_000.0, "ul/min": 60.0, "nl/min": 0.06, "pl/min": 6e-5,
                       "ml/hr": 1000.0, "ul/hr": 1.0, "nl/hr": 0.001, "pl/hr": 1e-6}
SHORT_RATE_UNITS = {"m/m": "ml/min", "u/m": "ul/min", "n/m": "nl/min", "p/m": "pl/min",
                    "m/h": "ml/hr", "u/h": "ul/hr", "n/h": "nl/hr", "p/h": "pl/hr"}
VOLUME_UNITS_UL = {"ml": 1000.0, "ul": 1.0, "nl": 0.001, "pl": 1e-6}
FEMTOLITRES_PER_UL = 1e9


class HarvardErrorReply(Exception):
    """Its text is the error line the pump sends."""


def execute(core: HarvardCommanded, line: bytes, overflow: bool) -> None:
    """Run one received line and queue its reply (none if addressed to another pump)."""
    try:
        text = line.decode("ascii").strip()
    except UnicodeDecodeError:
        text = None
    if text is not None and not text.isprintable():
        text = None
    address, command = _split_address(core, text or "")
    if address is not None and address != core.address:
        return
    if address is None and core.address != 0 and core.config.dialect != "legato":
        return  # unaddressed lines are for the first pump of the chain (address 0) [U]
    try:
        if text is None or overflow:
            raise HarvardErrorReply("Unknown command")
        lines = _run(core, command)
    except HarvardErrorReply as error:
        lines = [str(error)]
    core.reply(lines)


def _split_address(core: HarvardCommanded, text: str) -> tuple[int | None, str]:
    match = _ADDRESSED.match(text)
    if match is None:
        return None, text
    if match.group(2) and core.config.dialect == "legato":
        return int(match.group(1)), ":" + match.group(3)  # Legato has no separator: ':' starts the command
    return int(match.group(1)), match.group(3)


def _run(core: HarvardCommanded, command: str) -> list[str]:
    words = command.split()
    if not words:
        return []
    name, args = _resolve(words[0].lower()), [w.lower() for w in words[1:]]
    return _HANDLERS[name](core, args) or []


def _resolve(word: str) -> str:
    if word in _HANDLERS:
        return word
    if len(word) >= 4:
        matches = [name for name in _HANDLERS if name.startswith(word)]
        if len(matches) == 1:
            return matches[0]
    raise HarvardErrorReply("Unknown command")


def _number(text: str) -> float:
    if not _DECIMAL.match(text):
        raise HarvardErrorReply("Argument error")
    value = float(text)
    if not math.isfinite(value):
        raise HarvardErrorReply("Out of range")
    return value


def _quantity(args: list[str], units: dict[str, float]) -> tuple[float, str]:
    if len(args) != 2:
        raise HarvardErrorReply("Argument error")
    unit = SHORT_RATE_UNITS.get(args[1], args[1])
    if unit not in units:
        raise HarvardErrorReply("Argument error")
    return _number(args[0]) * units[unit], unit


def _show(value: float, unit: str, units: dict[str, float]) -> str:
    return f"{value / units[unit]:.4f} {unit}"


def _rate(infuse: bool) -> Callable[[HarvardCommanded, list[str]], list[str] | None]:
    def handler(core: HarvardCommanded, args: list[str]) -> list[str] | None:
        units = core.infuse_rate_units if infuse else core.withdraw_rate_units
        current = core.infuse_rate_ul_per_h if infuse else core.withdraw_rate_ul_per_h
        low, high = core.rate_limits_ul_per_h()
        if not args:
            return [_show(current, units, RATE_UNITS_UL_PER_H)]
        if args == ["lim"]:
            return [f"{_show(low, units, RATE_UNITS_UL_PER_H)} to {_show(high, units, RATE_UNITS_UL_PER_H)}"]
        if args in (["min"], ["max"]):
            value, unit = (low if args == ["min"] else high), units
        else:
            value, unit = _quantity(args, RATE_UNITS_UL_PER_H)
            if not low <= value <= high:
                raise HarvardErrorReply("Out of range")
        if infuse:
            core.infuse_rate_ul_per_h, core.infuse_rate_units = value, unit
        else:
            core.withdraw_rate_ul_per_h, core.withdraw_rate_units = value, unit
        if not core.moving:
            core.store_setting()
        return None
    return handler


def _run_direction(direction: str) -> Callable[[HarvardCommanded, list[str]], None]:
    def handler(core: HarvardCommanded, args: list[str]) -> None:
        if args:
            raise HarvardErrorReply("Argument error")
        wanted = {"i": INFUSE, "w": WITHDRAW, "r": -core.direction, "": core.direction}[direction]
        rate = core.infuse_rate_ul_per_h if wanted == INFUSE else core.withdraw_rate_ul_per_h
        if rate <= 0:
            raise HarvardErrorReply("Command error")
        core.run(wanted)
    return handler


def _stop(core: HarvardCommanded, args: list[str]) -> None:
    if args:
        raise HarvardErrorReply("Argument error")
    core.stop()


def _diameter(core: HarvardCommanded, args: list[str]) -> list[str] | None:
    if not args:
        return [f"{core.diameter_mm:.4f} mm"]
    if len(args) != 1:
        raise HarvardErrorReply("Argument error")
    value = _number(args[0])
    if core.moving:
        raise HarvardErrorReply("Command error")
    if not core.config.min_diameter_mm <= value <= core.config.max_diameter_mm:
        raise HarvardErrorReply("Out of range")
    core.diameter_mm = value
    core.store_setting()
    return None


def _svolume(core: HarvardCommanded, args: list[str]) -> list[str] | None:
    if not args:
        return [_show(core.syringe_volume_ul, core.volume_units(), VOLUME_UNITS_UL)]
    value, _ = _quantity(args, VOLUME_UNITS_UL)
    if not value > 0:
        raise HarvardErrorReply("Out of range")
    core.syringe_volume_ul = value
    return None


def _tvolume(core: HarvardCommanded, args: list[str]) -> list[str] | None:
    if not args:
        if core.target_volume_ul is None:
            return ["Target volume not set"]
        return [_show(core.target_volume_ul, core.volume_units(), VOLUME_UNITS_UL)]
    value, _ = _quantity(args, VOLUME_UNITS_UL)
    if not value > 0:
        raise HarvardErrorReply("Out of range")
    core.target_volume_ul = value
    core.advance_to(core.t_s)  # a target at or below the counter stops an infusing pump at once (prompt T*)
    return None


def _counter(infused: bool) -> Callable[[HarvardCommanded, list[str]], list[str]]:
    def handler(core: HarvardCommanded, args: list[str]) -> list[str]:
        if args:
            raise HarvardErrorReply("Argument error")
        value = core.infused_ul if infused else core.withdrawn_ul
        return [_show(value, core.volume_units(), VOLUME_UNITS_UL)]
    return handler


def _clear(what: str) -> Callable[[HarvardCommanded, list[str]], None]:
    def handler(core: HarvardCommanded, args: list[str]) -> None:
        if args:
            raise HarvardErrorReply("Argument error")
        if what in ("i", "both"):
            core.infused_ul = 0.0
        if what in ("w", "both"):
            core.withdrawn_ul = 0.0
        if what == "t":
            core.target_volume_ul = None
    return handler


def _status(core: HarvardCommanded, args: list[str]) -> list[str]:
    """`<rate fL/s> <time> <volume fL> <flags>` for the current direction. PHD ULTRA: time in s, 5 flags; Legato:
    time in ms, 6 flags, the direction flag upper case while the motor runs, the 6th T when a target is reached [U]."""
    if args:
        raise HarvardErrorReply("Argument error")
    infusing = core.direction == INFUSE
    rate_fl_per_s = round(core.rate_ul_per_h() * FEMTOLITRES_PER_UL / S_PER_H)
    time_s = core.infuse_time_s if infusing else core.withdraw_time_s
    volume_fl = round(core.counted_ul() * FEMTOLITRES_PER_UL)
    direction = "i" if infusing else "w"
    flags = [direction, ".", "S" if core.state is HarvardState.STALLED else ".", ".", direction.upper()]
    if core.config.dialect == "legato":
        flags[0] = direction.upper() if core.moving else direction
        flags.append("T" if core.state is HarvardState.TARGET_REACHED else ".")
        return [f"{rate_fl_per_s} {round(time_s * MS_PER_S)} {volume_fl} {''.join(flags)}"]
    return [f"{rate_fl_per_s} {round(time_s)} {volume_fl} {''.join(flags)}"]


def _version(core: HarvardCommanded, args: list[str]) -> list[str]:
    return [core.config.version_text]


def _accept(core: HarvardCommanded, args: list[str]) -> None:
    """Settings the emulator takes but does not model (echo, poll)."""


def _nvram(core: HarvardCommanded, args: list[str]) -> list[str] | None:
    """`nvram none` / `rsave off`: stop writing settings to memory; `nvram`/`rsave` alone: show it."""
    if not args:
        return ["on" if core.nvram else "off"]
    if args not in (["none"], ["off"], ["on"], ["all"]):
        raise HarvardErrorReply("Argument error")
    core.nvram = args[0] in ("on", "all")
    return None


_HANDLERS: dict[str, Callable[[HarvardCommanded, list[str]], list[str] | None]] = {
    "irate": _rate(True), "wrate": _rate(False),
    "irun": _run_direction("i"), "wrun": _run_direction("w"), "rrun": _run_direction("r"), "run": _run_direction(""),
    "stp": _stop, "stop": _stop, "diameter": _diameter, "svolume": _svolume, "tvolume": _tvolume,
    "ctvolume": _clear("t"), "ivolume": _counter(True), "wvolume": _counter(False), "civolume": _clear("i"),
    "cwvolume": _clear("w"), "cvolume": _clear("both"), "status": _status, "ver": _version,
    "echo": _accept, "poll": _accept, "nvram": _nvram, "rsave": _nvram,
}
