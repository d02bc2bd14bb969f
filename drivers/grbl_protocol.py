"""GRBL 1.1 wire format: realtime bytes, response/push lines, status reports, code tables. No I/O."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from drivers.errors import FramingError, ProtocolError
from drivers.reply_numbers import finite_number, small_int

STATUS_QUERY = b"?"
FEED_HOLD = b"!"
SOFT_RESET = b"\x18"
LINE_END = b"\n"  # LF only: GRBL ends a line at CR *and* at LF, so CRLF would earn a second `ok`
LINE_BUFFER_BYTES = 80
RX_BUFFER_BYTES = 128
"""GRBL's serial receive buffer (AVR); a host counting characters keeps at most RX_BUFFER_BYTES - 1 unanswered."""

ALARM_NAMES = {
    1: "hard_limit", 2: "soft_limit", 3: "abort_during_cycle", 4: "probe_fail_initial",
    5: "probe_fail_contact", 6: "homing_fail_reset", 7: "homing_fail_door", 8: "homing_fail_pulloff",
    9: "homing_fail_approach",
}
ERROR_MEANINGS = {
    1: "expected command letter", 2: "bad number format", 3: "invalid $ statement", 4: "negative value",
    5: "homing not enabled", 8: "not idle", 9: "G-code locked out during alarm or jog", 10: "soft limits need homing",
    11: "line overflow", 15: "travel exceeded", 17: "setting disabled", 20: "unsupported command",
    22: "feed rate undefined", 24: "axis command conflict", 33: "invalid target",
}

_BANNER = re.compile(r"^Grbl (\S+) \['\$' for help\]$", re.ASCII)
_ALARM = re.compile(r"^ALARM:(\d+)$", re.ASCII)
_ERROR = re.compile(r"^error:(\d+)$", re.ASCII)
_SETTING = re.compile(r"^\$(\d+)=(-?[\d.]+)", re.ASCII)
AXIS_COUNT = 3
"""GRBL 1.1 reports x, y and z in every position field."""


class GrblCommandError(ProtocolError):
    """GRBL answered `error:N`."""

    def __init__(self, code: int, line: str) -> None:
        super().__init__(f"GRBL rejected {line!r}: error:{code} ({ERROR_MEANINGS.get(code, 'see GRBL error table')})")
        self.code = code
        self.line = line


MAX_NUMBER_DIGITS = 8
"""GRBL's read_float keeps at most 8 digits of a number (MAX_INT_DIGITS) and drops the rest."""


def gcode_number(value: float) -> str:
    """`value` with as many decimals as GRBL will read: a slow feed (0.00106 mm/min) keeps its precision."""
    integer_digits = len(str(int(abs(value))))
    decimals = max(0, MAX_NUMBER_DIGITS - integer_digits)
    return f"{value:.{decimals}f}"


@functools.lru_cache(maxsize=256)
def _remembered_move_line(axis: str, distance_mm: float, feed_mm_per_min: float) -> str:
    return f"G21G91G1{axis}{gcode_number(distance_mm)}F{gcode_number(feed_mm_per_min)}"


def relative_move_line(axis: str, distance_mm: float, feed_mm_per_min: float) -> str:
    """`G21G91G1<axis><distance>F<feed>`: a move in mm relative to the last target at a feed in mm/min. Remembered: a
    run at one rate sends the same few moves again and again (0.0 and -0.0 are equal keys, so zero is not)."""
    if distance_mm == 0.0 or feed_mm_per_min == 0.0:
        return _remembered_move_line.__wrapped__(axis, distance_mm, feed_mm_per_min)
    return _remembered_move_line(axis, distance_mm, feed_mm_per_min)


def alarm_name(code: int) -> str:
    return ALARM_NAMES.get(code, f"alarm_{code}")


def banner_version(line: str) -> str | None:
    match = _BANNER.match(line)
    return match.group(1) if match else None


def alarm_code(line: str) -> int | None:
    """N of an `ALARM:N` line, None for other lines; FramingError if N is not a 1-3 digit code."""
    match = _ALARM.match(line)
    return small_int(match.group(1), "alarm code", line) if match else None


def error_code(line: str) -> int | None:
    """N of an `error:N` line, None for other lines; FramingError if N is not a 1-3 digit code."""
    match = _ERROR.match(line)
    return small_int(match.group(1), "error code", line) if match else None


def parse_setting(line: str) -> tuple[int, float] | None:
    """(N, value) of a `$N=value` line, None for other lines; FramingError or NonFiniteValue for a bad number."""
    match = _SETTING.match(line)
    if match is None:
        return None
    number = small_int(match.group(1), "setting number", line)
    return number, finite_number(match.group(2), f"${number}", line)


@dataclass(frozen=True)
class StatusReport:
    state: str
    """Idle, Run, Hold, Jog, Alarm, Door, Check, Home, Sleep."""
    substate_code: int | None
    """Hold:0 hold complete, Hold:1 decelerating; Door:0..3."""
    position_mm: tuple[float, ...]
    """MPos or WPos, whichever the report carries ($10)."""
    feed_mm_per_min: float | None

    @property
    def moving(self) -> bool:
        return self.state in ("Run", "Jog", "Home") or (self.state == "Hold" and self.substate_code == 1)


_STATES = ("Idle", "Run", "Hold", "Jog", "Alarm", "Door", "Check", "Home", "Sleep")


_NUMBER = r"([+-]?(?:\d{1,20}\.?\d{0,20}|\.\d{1,20}))"
_USUAL_REPORT = re.compile(rf"<({'|'.join(_STATES)})(?::(\d{{1,3}}))?\|(?:MPos|WPos):{_NUMBER},{_NUMBER},{_NUMBER}"
                           rf"\|(?:Bf:[^|>]*\|)?FS?:{_NUMBER}(?:,[^|>]*)?>", re.ASCII)
"""The report GRBL prints every time: state, one position of x,y,z, the planner/buffer counts at most, the feed; each
number short enough that float() gives a finite value."""


def parse_status_report(line: str) -> StatusReport:
    """`<Idle|MPos:0.000,0.000,0.000|FS:0,0>` -> StatusReport. A malformed report is a FramingError; a
    position or feed that is NaN or infinite is a NonFiniteValue naming the field."""
    usual = _USUAL_REPORT.fullmatch(line)
    if usual is not None:  # the same values _parse_any_report gives, with one regex instead of a loop of them
        state, sub, x, y, z, feed = usual.groups()
        return StatusReport(state, None if sub is None else int(sub), (float(x), float(y), float(z)), float(feed))
    return _parse_any_report(line)


def _parse_any_report(line: str) -> StatusReport:
    if not (line.startswith("<") and line.endswith(">")):
        raise FramingError(f"GRBL status report must be <...>, got {line[:120]!r}")
    fields = line[1:-1].split("|")
    state, _, sub = fields[0].partition(":")
    if state not in _STATES:
        raise FramingError(f"unknown GRBL state {fields[0][:40]!r} in {line[:120]!r}")
    position: tuple[float, ...] | None = None
    feed: float | None = None
    for field in fields[1:]:
        name, _, value = field.partition(":")
        if name in ("MPos", "WPos"):
            values = value.split(",")
            if len(values) < AXIS_COUNT:
                raise FramingError(f"GRBL {name} has {len(values)} values, not x,y,z: {line[:120]!r}")
            position = tuple(finite_number(v, f"{name} axis {i}", line) for i, v in enumerate(values))
        elif name in ("FS", "F"):
            feed = finite_number(value.split(",")[0], f"{name} feed", line)
    substate = small_int(sub, "state detail", line) if sub else None
    if position is None:
        raise FramingError(f"GRBL status report without MPos/WPos: {line[:120]!r}")
    return StatusReport(state, substate, position, feed)


@dataclass(frozen=True)
class LineReply:
    lines: tuple[str, ...]
    """What the device printed for the line before its ok/error (`$$` settings, `[GC:..]` of `$G`)."""
    error_code: int | None
    """N of `error:N`, None for `ok`."""


@dataclass(frozen=True)
class Burst:
    replies: tuple[LineReply, ...]
    """One per line sent, in order."""
    report: StatusReport | None
    """The status report, if `?` was sent."""
    report_after_lines: int
    """How many line replies arrived before the status report (0 if none was asked for)."""
