"""GRBL `$` system commands: $$, $N=value, $X, $H, $I, $G, $J=."""
from __future__ import annotations

import math
import re

from hil.emulators.grbl_commanded import GrblCommanded
from hil.emulators.grbl_gcode import GcodeError, execute_gcode
from hil.emulators.grbl_settings import format_setting, is_integer_setting

_SET = re.compile(r"^\$(\d{1,3})=(.*)$", re.ASCII)
_NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)$", re.ASCII)


def execute_system(core: GrblCommanded, line: str) -> str:
    """Run one `$` line; returns the final `ok`, with any report lines queued before it."""
    idle = core.state_name() in ("Idle", "Alarm")
    if line == "$$":
        core._out += [format_setting(n, v) for n, v in sorted(core.settings.items())]
    elif line == "$X":
        if core.alarm:
            core.alarm = False
            core._out.append("[MSG:Caution: Unlocked]")
    elif line == "$H":
        raise GcodeError(5)  # homing is not enabled on a syringe rig ($22=0)
    elif line == "$I":
        core._out += [f"[VER:{core.config.version}.{core.config.build_date}:]",
                      f"[OPT:V,{core.config.planner_blocks - 1},{core.config.rx_buffer_bytes}]"]
    elif line == "$G":
        modal = core.modal
        # answered in every state, during motion too (only $$ waits for idle); the feed in mm/min with no decimals,
        # as stock GRBL prints rates (config.h N_DECIMAL_RATEVALUE_MM 0)
        core._out.append(f"[GC:{modal['motion']} G54 G17 {modal['units']} {modal['distance']} G94 M5 M9 T0 "
                         f"F{modal['feed_mm_per_min']:.0f} S0]")
    elif line.startswith("$J="):
        if core.alarm or core.state_name() not in ("Idle", "Jog"):
            raise GcodeError(8)
        execute_gcode(core, line[3:], jog=True)
    elif (match := _SET.match(line)) is not None:
        if not idle:
            raise GcodeError(8)
        number, text = int(match.group(1)), match.group(2)
        if number not in core.settings:
            raise GcodeError(3)
        if not _NUMBER.match(text):
            raise GcodeError(2)
        value = float(text)
        if not math.isfinite(value):
            raise GcodeError(2)
        if value < 0:
            raise GcodeError(4)
        core.settings[number] = int(value) if is_integer_setting(number) else value
    else:
        raise GcodeError(3)  # other $ commands ($C, $N, $#, $RST, $SLP) are not emulated
    return "ok"
