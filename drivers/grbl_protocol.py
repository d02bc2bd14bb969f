"""GRBL 1.1 wire format: realtime bytes, response/push lines, status reports, code tables. No I/O."""
from __future__ import annotations

import re
from dataclasses import dataclass

from drivers.errors import FramingError, ProtocolError

STATUS_QUERY = b"?"
FEED_HOLD = b"!"
SOFT_RESET = b"\x18"
LINE_END = b"\n"  # LF only: GRBL ends a line at CR *and* at LF, so CRLF would earn a second `ok`
LINE_BUFFER_BYTES = 80

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

_BANNER = re.compile(r"^Grbl (\S+) \['\$' for help\]$")
_ALARM = re.compile(r"^ALARM:(\d+)$")
_ERROR = re.compile(r"^error:(\d+)$")
_SETTING = re.compile(r"^\$(\d+)=(-?[\d.]+)")


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


def alarm_name(code: int) -> str:
    return ALARM_NAMES.get(code, f"alarm_{code}")


def banner_version(line: str) -> str | None:
    match = _BANNER.match(line)
    return match.group(1) if match else None


def alarm_code(line: str) -> int | None:
    match = _ALARM.match(line)
    return int(match.group(1)) if match else None


def error_code(line: str) -> int | None:
    match = _ERROR.match(line)
    return int(match.group(1)) if match else None


def parse_setting(line: str) -> tuple[int, float] | None:
    match = _SETTING.match(line)
    return (int(match.group(1)), float(match.group(2))) if match else None


@dataclass(frozen=True)
class StatusReport:
    state: str
    """Idle, Run, Hold, Jog, Alarm, Door, Check, Home, Sleep."""
    substate: int | None
    """Hold:0 hold complete, Hold:1 decelerating; Door:0..3."""
    position_mm: tuple[float, ...]
    """MPos or WPos, whichever the report carries ($10)."""
    feed_mm_per_min: float | None

    @property
    def moving(self) -> bool:
        return self.state in ("Run", "Jog", "Home") or (self.state == "Hold" and self.substate == 1)


_STATES = ("Idle", "Run", "Hold", "Jog", "Alarm", "Door", "Check", "Home", "Sleep")


def parse_status_report(line: str) -> StatusReport:
    """`<Idle|MPos:0.000,0.000,0.000|FS:0,0>` -> StatusReport."""
    if not (line.startswith("<") and line.endswith(">")):
        raise FramingError(f"GRBL status report must be <...>, got {line!r}")
    fields = line[1:-1].split("|")
    state, _, sub = fields[0].partition(":")
    if state not in _STATES:
        raise FramingError(f"unknown GRBL state {fields[0]!r} in {line!r}")
    position: tuple[float, ...] | None = None
    feed: float | None = None
    try:
        for field in fields[1:]:
            name, _, value = field.partition(":")
            if name in ("MPos", "WPos"):
                position = tuple(float(v) for v in value.split(","))
            elif name in ("FS", "F"):
                feed = float(value.split(",")[0])
        substate = int(sub) if sub else None
    except ValueError:
        raise FramingError(f"malformed number in GRBL status report {line!r}") from None
    if position is None:
        raise FramingError(f"GRBL status report without MPos/WPos: {line!r}")
    return StatusReport(state, substate, position, feed)
