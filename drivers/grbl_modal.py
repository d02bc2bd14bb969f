"""GRBL's G-code parser state (`$G` -> `[GC:...]`) and the check that a move left the modes the driver relies on.

A line corrupted on the wire into other *valid* G-code (G21 -> G20: every number read in inches, 25.4x the travel
and the feed; G91 -> G90: an absolute move; G1 -> G0: a rapid at the axis maximum) is accepted with `ok`, so only
the parser state shows it. After each move the driver asks `$G` in the same write and checks the modes below and
the feed; a mismatch is a GrblModalStateError, a typed driver error the firmware turns into a high-priority alarm
that stops the pump [SR-DRV-012].

`$G` is answered in every state, during motion too (GRBL 1.1 system.c blocks only `$$` during a cycle). Stock
GRBL prints the feed in mm/min with N_DECIMAL_RATEVALUE_MM = 0 decimals (config.h), so the feed is compared within
half a unit of the last digit printed: a feed below 0.5 mm/min prints as F0 and a scaled feed is not visible there
(drivers.grbl_run's position check still bounds it to the motion horizon). No I/O here.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from drivers.errors import FramingError, ProtocolError
from drivers.grbl_protocol import GrblCommandError, LineReply
from drivers.reply_numbers import finite_number

GC_PREFIX = "[GC:"
EXPECTED_MODES = {"motion": "G1", "plane": "G17", "units": "G21", "distance": "G91", "feed_mode": "G94"}
"""The modal groups a syringe move depends on, with the mode the driver's move line sets or assumes."""
_GROUP_OF = {"G0": "motion", "G1": "motion", "G2": "motion", "G3": "motion", "G38.2": "motion", "G38.3": "motion",
             "G38.4": "motion", "G38.5": "motion", "G80": "motion", "G17": "plane", "G18": "plane", "G19": "plane",
             "G20": "units", "G21": "units", "G90": "distance", "G91": "distance", "G93": "feed_mode",
             "G94": "feed_mode"}
_FEED = re.compile(r"^F([-+]?\d+(?:\.(\d*))?)$", re.ASCII)


class GrblModalStateError(ProtocolError):
    """GRBL's parser state after a move is not the one the move line set: the line was changed on the way."""

    def __init__(self, mismatches: list[str], move_line: str, gc_line: str) -> None:
        super().__init__(f"GRBL parser state after {move_line!r} is not what the line sets: {'; '.join(mismatches)} "
                         f"({gc_line!r}); the move was not the one sent [SR-DRV-012]")
        self.mismatches = mismatches


@dataclass(frozen=True)
class ModalState:
    modes: dict[str, str]
    """Modal group -> the G word reported for it (only the groups in _GROUP_OF)."""
    feed_text: str | None
    """The F word's number as printed, None if the report has none."""

    @property
    def feed_mm_per_min(self) -> float | None:
        return None if self.feed_text is None else float(self.feed_text)


def parse_gc_line(line: str) -> ModalState:
    """`[GC:G1 G54 G17 G21 G91 G94 M5 M9 T0 F0 S0]` -> ModalState; FramingError for anything else."""
    if not (line.startswith(GC_PREFIX) and line.endswith("]")):
        raise FramingError(f"GRBL parser state must be [GC:...], got {line[:120]!r}")
    modes: dict[str, str] = {}
    feed_text = None
    for word in line[len(GC_PREFIX):-1].split():
        group = _GROUP_OF.get(word)
        if group is not None:
            if group in modes:
                raise FramingError(f"GRBL parser state names two {group} modes: {line[:120]!r}")
            modes[group] = word
        elif word.startswith("F"):
            match = _FEED.match(word)
            if match is None:
                raise FramingError(f"GRBL parser state has a malformed feed {word[:40]!r}: {line[:120]!r}")
            finite_number(match.group(1), "F", line)
            feed_text = match.group(1)
    return ModalState(modes, feed_text)


def feed_tolerance_mm_per_min(feed_text: str) -> float:
    """Half a unit of the last digit printed (GRBL rounds the feed it prints)."""
    _, _, decimals = feed_text.partition(".")
    return 0.5 * 10.0 ** -len(decimals) * (1 + 1e-9)


def check_move_modes(gc_line: str, move_line: str, feed_mm_per_min: float) -> None:
    """GrblModalStateError unless the parser state after move_line has EXPECTED_MODES and the feed it was sent."""
    mismatches = modal_mismatches(gc_line, feed_mm_per_min)
    if mismatches:
        raise GrblModalStateError(list(mismatches), move_line, gc_line)


@functools.lru_cache(maxsize=64)
def modal_mismatches(gc_line: str, feed_mm_per_min: float) -> tuple[str, ...]:
    """How the parser state differs from EXPECTED_MODES and the feed (empty: as the move set it). Remembered: during
    a run at one rate every move's `$G` prints the same line (a malformed line raises each time)."""
    state = parse_gc_line(gc_line)
    mismatches = [f"{group} {state.modes.get(group, 'missing')} instead of {mode}"
                  for group, mode in EXPECTED_MODES.items() if state.modes.get(group) != mode]
    if state.feed_text is None:
        mismatches.append("no feed reported")
    elif abs(float(state.feed_text) - feed_mm_per_min) > feed_tolerance_mm_per_min(state.feed_text):
        mismatches.append(f"feed F{state.feed_text} mm/min instead of {feed_mm_per_min:.6g}")
    return tuple(mismatches)


def check_move_replies(move: LineReply, modes: LineReply, move_line: str, feed_mm_per_min: float) -> None:
    """The replies to `move_line` and the `$G` sent after it: GrblCommandError if the move was refused,
    ProtocolError without a parser state, GrblModalStateError if the state is not what the line sets."""
    if move.error_code is not None:
        raise GrblCommandError(move.error_code, move_line)
    gc_lines = [text for text in modes.lines if text.startswith(GC_PREFIX)]
    if modes.error_code is not None or not gc_lines:
        raise ProtocolError(f"GRBL gave no parser state for $G after {move_line!r}"
                            + (f" (error:{modes.error_code})" if modes.error_code is not None else ""))
    check_move_modes(gc_lines[-1], move_line, feed_mm_per_min)
