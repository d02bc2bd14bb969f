"""The NE-1000 command table (identical in Basic and Safe mode), executed against the pump it commands (NE1000Commanded,
implemented by NE1000Core)."""
from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from hil.emulators.ne1000_config import SUPPORTED_BAUDS
from hil.emulators.ne1000_framing import Packet
from hil.emulators.ne1000_arguments import CommandError, count_argument, number_argument
from hil.emulators.ne1000_numbers import RATE_UNITS_UL_PER_H, VOLUME_UNITS_UL, format_number, parse_count
from hil.emulators.ne1000_state import PAUSED, PUMPING, PURGING, STOPPED, NE1000Commanded, Phase
from hil.emulators.syringe import INFUSE, WITHDRAW

MAX_PHASE = 41
_ADDRESS_PREFIX = re.compile(r"^(\d{0,2})(.*)$", re.ASCII)
_RATE = re.compile(r"^([\d.]+)(UM|MM|UH|MH)?$", re.ASCII)
_ADR = re.compile(r"^ADR(?:(\d{1,2})(?:B(\d+))?)?$", re.ASCII)


def normalise(data: bytes) -> str | None:
    """Spaces and control characters stripped, upper-cased; None if not ASCII."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return None
    return "".join(ch for ch in text if ch.isprintable() and not ch.isspace()).upper()


def execute(core: NE1000Commanded, packet: Packet) -> None:
    text = normalise(packet.data)
    if text is None:
        _reply(core, lambda: _raise(CommandError()))
        return
    if text.startswith("*"):
        _system_command(core, text[1:])
        return
    for part in [p for p in text.split("*") if p] or [""]:  # '*' separates a network command burst
        match = _ADDRESS_PREFIX.match(part)
        assert match is not None  # the pattern matches every string
        address = int(match.group(1)) if match.group(1) else 0
        if address == core.settings.address:
            _reply(core, partial(_command, core, match.group(2)))


def _raise(error: Exception) -> str:
    raise error


def _reply(core: NE1000Commanded, run: Callable[[], str | None]) -> None:
    if core.alarm is not None:  # any valid command acknowledges the alarm instead of executing
        kind, core.alarm, core.motor_jammed = core.alarm, None, False
        core.send(core.reply_data(f"A?{kind}"))
        return
    try:
        data = run() or ""
    except CommandError as error:
        data = f"?{error.code}"
    core.send(core.reply_data(core.status_char() + data))


def _command(core: NE1000Commanded, text: str) -> str | None:
    if text == "":
        return None
    for name in _HANDLER_NAMES:
        if text.startswith(name):
            return _HANDLERS[name](core, text[len(name):])
    raise CommandError()


def _system_command(core: NE1000Commanded, text: str) -> None:
    if text == "RESET":
        core.master_reset()
        return
    match = _ADR.match(text)
    if match is None:
        _reply(core, lambda: _raise(CommandError()))
        return

    def adr() -> str | None:
        if match.group(1) is None:
            return str(core.settings.address)
        if match.group(2) is not None:
            baud = parse_count(match.group(2), max(SUPPORTED_BAUDS))
            if baud not in SUPPORTED_BAUDS:
                raise CommandError("OOR")
            core.settings.baud = baud
        core.settings.address = int(match.group(1))
        core.store()
        return None

    _reply(core, adr)


def _running(core: NE1000Commanded) -> bool:
    return core.state in (PUMPING, PURGING, PAUSED)


def _phase(core: NE1000Commanded) -> Phase:
    return core.settings.phases.setdefault(core.selected_phase, Phase(function="STP"))


def _dia(core: NE1000Commanded, arg: str) -> str | None:
    if arg == "":
        return format_number(core.settings.diameter_mm)
    value = number_argument(arg)
    if _running(core):
        raise CommandError("NA")
    if not core.config.min_diameter_mm <= value <= core.config.max_diameter_mm:
        raise CommandError("OOR")
    core.set_diameter_mm(value)
    core.store()
    return None


def _rat(core: NE1000Commanded, arg: str) -> str | None:
    phase = _phase(core)
    if arg == "":
        return format_number(phase.rate_ul_per_h / RATE_UNITS_UL_PER_H[phase.rate_units]) + phase.rate_units
    match = _RATE.match(arg)
    if match is None:
        raise CommandError()
    value, units = number_argument(match.group(1)), match.group(2) or phase.rate_units
    pumping_this_phase = core.state == PUMPING and core.running_phase == core.selected_phase
    if units != phase.rate_units and _running(core):
        raise CommandError("NA")
    rate_ul_per_h = value * RATE_UNITS_UL_PER_H[units]
    low, high = core.rate_limits_ul_per_h()
    if not low <= rate_ul_per_h <= high:
        raise CommandError("OOR")
    phase.rate_ul_per_h, phase.rate_units = rate_ul_per_h, units
    if pumping_this_phase:
        core.rate_ul_per_h = rate_ul_per_h  # takes effect at once and is not written to memory
    else:
        core.store()
    return None


def _vol(core: NE1000Commanded, arg: str) -> str | None:
    phase, units = _phase(core), core.settings.volume_units
    if arg == "":
        return format_number(phase.target_volume_ul / VOLUME_UNITS_UL[units]) + units
    if arg in VOLUME_UNITS_UL:
        core.settings.volume_units = arg
    else:
        value = number_argument(arg)
        if _running(core):
            raise CommandError("NA")
        phase.target_volume_ul = value * VOLUME_UNITS_UL[units]
    core.store()
    return None


def _dir(core: NE1000Commanded, arg: str) -> str | None:
    phase = _phase(core)
    if arg == "":
        return "INF" if phase.direction == INFUSE else "WDR"
    choices = {"INF": INFUSE, "WDR": WITHDRAW, "REV": -phase.direction, "STK": phase.direction}
    if arg not in choices:
        raise CommandError()
    if core.state == PUMPING and phase.target_volume_ul > 0:
        raise CommandError("NA")
    if arg == "STK" and _running(core):
        raise CommandError("NA")
    phase.direction = choices[arg]
    if core.state == PUMPING and core.running_phase == core.selected_phase:
        core.direction = phase.direction
    else:
        core.store()
    return None


def _run(core: NE1000Commanded, arg: str) -> str | None:
    phase = count_argument(arg, 1, MAX_PHASE) if arg else 1
    if core.state == PAUSED and arg == "":
        core.resume()
    elif core.state == STOPPED or core.state == PAUSED:
        core.start_program(phase)
    return None


def _pur(core: NE1000Commanded, arg: str) -> str | None:
    if arg:
        raise CommandError()
    core.purge(core.rate_limits_ul_per_h()[1], _phase(core).direction)
    return None


def _stp(core: NE1000Commanded, arg: str) -> str | None:
    if arg:
        raise CommandError()
    if core.state == PUMPING:
        core.pause()
    else:
        core.stop_program()
    return None


def _dis(core: NE1000Commanded, arg: str) -> str | None:
    if arg:
        raise CommandError()
    units = core.settings.volume_units
    scale = VOLUME_UNITS_UL[units]
    return f"I{format_number(core.infused_ul / scale)}W{format_number(core.withdrawn_ul / scale)}{units}"


def _cld(core: NE1000Commanded, arg: str) -> str | None:
    if arg == "INF":
        core.infused_ul = 0.0
    elif arg == "WDR":
        core.withdrawn_ul = 0.0
    else:
        raise CommandError()
    return None


def _saf(core: NE1000Commanded, arg: str) -> str | None:
    if arg == "":
        return str(core.settings.safe_mode_timeout_s)
    core.settings.safe_mode_timeout_s = count_argument(arg, 0, 255)
    core.store()
    return None


def _phn(core: NE1000Commanded, arg: str) -> str | None:
    if arg == "":
        return str(core.selected_phase)
    core.selected_phase = count_argument(arg, 1, MAX_PHASE)
    return None


def _fun(core: NE1000Commanded, arg: str) -> str | None:
    if arg == "":
        return _phase(core).function
    if arg not in ("RAT", "STP"):  # other phase functions are not emulated
        raise CommandError()
    if _running(core):
        raise CommandError("NA")
    _phase(core).function = arg
    core.store()
    return None


def _switch(name: str) -> Callable[[NE1000Commanded, str], str | None]:
    def handler(core: NE1000Commanded, arg: str) -> str | None:
        if arg == "":
            return str(core.settings.switches[name])
        core.settings.switches[name] = count_argument(arg, 0, 1)
        core.store()
        return None

    return handler


def _trg(core: NE1000Commanded, arg: str) -> str | None:
    if arg == "":
        return core.settings.trigger_mode
    if not re.fullmatch(r"[A-Z0-9]{2}", arg):
        raise CommandError()
    core.settings.trigger_mode = arg
    core.store()
    return None


def _ver(core: NE1000Commanded, arg: str) -> str | None:
    if arg:
        raise CommandError()
    return core.config.firmware_version


_HANDLERS: dict[str, Callable[[NE1000Commanded, str], str | None]] = {
    "DIA": _dia, "RAT": _rat, "VOL": _vol, "DIR": _dir, "RUN": _run, "PUR": _pur, "STP": _stp,
    "DIS": _dis, "CLD": _cld, "SAF": _saf, "PHN": _phn, "FUN": _fun, "TRG": _trg, "VER": _ver,
    "AL": _switch("AL"), "PF": _switch("PF"), "BP": _switch("BP"), "LOC": _switch("LOC"),
}
_HANDLER_NAMES = sorted(_HANDLERS, key=len, reverse=True)
"""Longest first, so a command name is never taken for a shorter one it starts with."""
