"""The G-code subset a syringe rig uses: G0/G1 moves, G4 dwell, G20/G21, G90/G91, F, M2/M30."""
from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from firmware_sim.units import MM_PER_INCH
from hil.emulators.grbl_commanded import GrblCommanded, GrblParserState
from hil.emulators.grbl_motion import Block

_WORD = re.compile(r"([A-Z])([-+]?(?:\d+\.?\d*|\.\d+))", re.ASCII)
_AXES = "XYZ"
_G_CODES = {0: "G0", 1: "G1", 4: "G4", 20: "G20", 21: "G21", 90: "G90", 91: "G91", 94: "G94"}
REMEMBERED_PARSED_LINES = 256
"""Distinct lines parse_line keeps (a run sends a handful)."""


class GcodeError(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(f"error:{code}")
        self.code = code


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """What one G-code line says, before the parser state it applies to: the last word of each modal group wins."""
    motion: str | None
    """The line's motion: the last of G0, G1 and G4 (None: no motion word)."""
    modal_motion: str | None
    """The last of G0 and G1, which stays in the parser state (G4 does not)."""
    units: str | None
    distance: str | None
    feed_line_units_per_min: float | None
    """The F word, in the line's units (mm or inch, per G20/G21) per minute."""
    axes: tuple[tuple[str, float], ...]
    """(letter, value) in the order the letters first appear, each with its last value."""
    dwell_s: float | None


def _words(line: str) -> list[tuple[str, float]]:
    words, position = [], 0
    while position < len(line):
        match = _WORD.match(line, position)
        if match is None:
            raise GcodeError(1 if not line[position].isalpha() else 2)
        value = float(match.group(2))
        if not math.isfinite(value):  # more digits than a float holds (a long line buffer): bad number format
            raise GcodeError(2)
        words.append((match.group(1), value))
        position = match.end()
    return words


@functools.lru_cache(maxsize=REMEMBERED_PARSED_LINES)
def parse_line(line: str) -> ParsedLine:
    """One cleaned line's words; GcodeError with GRBL's code for the first bad word. Pure, so remembered: a run at
    one rate sends the same move line again and again (an error is raised anew every time)."""
    motion = modal_motion = units = distance = None
    axes: dict[str, float] = {}
    dwell_s = feed = None
    for letter, value in _words(line):  # every word is read before any is applied: format errors come first
        if letter == "G":
            code = _G_CODES.get(int(value))
            if code is None or value != int(value):
                raise GcodeError(20)
            if code in ("G0", "G1"):
                modal_motion = motion = code
            elif code in ("G20", "G21"):
                units = code
            elif code in ("G90", "G91"):
                distance = code
            elif code == "G4":
                motion = "G4"
        elif letter == "M" and value in (2, 30):
            pass  # program end: nothing queued
        elif letter == "F":
            if value <= 0:
                raise GcodeError(22)
            feed = value
        elif letter in _AXES:
            axes[letter] = value
        elif letter == "P":
            dwell_s = value
        else:
            raise GcodeError(20)
    return ParsedLine(motion, modal_motion, units, distance, feed, tuple(axes.items()), dwell_s)


def line_state(modal_before: GrblParserState, parsed: ParsedLine) -> tuple[GrblParserState, dict[str, float]]:
    """(the parser state the line sets, its axis words in mm): G20/G21 apply to the whole block."""
    modal = modal_before.copy()
    if parsed.modal_motion is not None:
        modal["motion"] = parsed.modal_motion
    if parsed.units is not None:
        modal["units"] = parsed.units
    if parsed.distance is not None:
        modal["distance"] = parsed.distance
    mm_per_unit = MM_PER_INCH if modal["units"] == "G20" else 1.0
    if parsed.feed_line_units_per_min is not None:
        modal["feed_mm_per_min"] = parsed.feed_line_units_per_min * mm_per_unit
    return modal, {letter: value * mm_per_unit for letter, value in parsed.axes}


def execute_gcode(core: GrblCommanded, line: str, jog: bool) -> None:
    """Parse one line and queue its motion; raises GcodeError with GRBL's code."""
    parsed = parse_line(line)
    modal, axes = line_state(core.modal, parsed)
    motion, dwell_s = parsed.motion, parsed.dwell_s
    if jog and (not axes or "F" not in line):
        raise GcodeError(22 if axes else 1)
    if motion == "G4":
        if dwell_s is None or dwell_s < 0:
            raise GcodeError(28)
        core.motion.planner.append(Block(None, 0.0, dwell_left_s=dwell_s))
        core.modal.update({"distance": modal["distance"], "units": modal["units"],
                           "feed_mm_per_min": modal["feed_mm_per_min"]})
        return
    if axes:
        motion = "G1" if jog else modal["motion"]
        if motion == "G1" and modal["feed_mm_per_min"] <= 0:
            raise GcodeError(22)
        start = next((block.target_mm for block in reversed(core.motion.planner) if block.target_mm is not None),
                     core.motion.position_mm)
        x_mm, y_mm, z_mm = ((start[i] + axes[a] if modal["distance"] == "G91" else axes[a]) if a in axes else start[i]
                            for i, a in enumerate(_AXES))
        target = (x_mm, y_mm, z_mm)
        if jog and abs(target[0]) > core.settings[130]:
            raise GcodeError(15)
        max_rate = core.settings[110]
        speed = max_rate if motion == "G0" else min(modal["feed_mm_per_min"], max_rate)
        if not speed > 0:
            raise GcodeError(22)  # no usable feed (e.g. $110=0): refused, as a missing feed rate is
        core.motion.planner.append(Block(target, speed, jog=jog))
    if not jog:
        core.modal.update(modal)

