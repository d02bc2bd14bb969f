"""A GRBL 1.1 client written from the interface description (protocols.md 3.1) alone, as a G-code sender would be.

Lines go out ending in LF only; every line comes back ending in CRLF. A line is answered by `ok` or `error:<code>`
(codes 1..38), possibly after push messages; `?` is a realtime byte answered by one `<State|...>` status report.
`$G` (GRBL 1.1 commands.md, "View gcode parser state") is answered by one `[GC:...]` line of the active modal words,
one per modal group, with the active T, S and F, then ok.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import serial

STATES = ("Idle", "Run", "Hold", "Jog", "Alarm", "Door", "Check", "Home", "Sleep")
ERROR = re.compile(r"^error:(\d+)$")
SETTING = re.compile(r"^\$(\d+)=(-?\d+(?:\.\d+)?)$")
DECIMAL = re.compile(r"^-?\d+(?:\.\d+)?$")
MODAL_GROUPS = {
    "motion": {"G0", "G1", "G2", "G3", "G38.2", "G38.3", "G38.4", "G38.5", "G80"},
    "coordinate_system": {"G54", "G55", "G56", "G57", "G58", "G59"},
    "plane": {"G17", "G18", "G19"}, "distance": {"G90", "G91"}, "feed_mode": {"G93", "G94"}, "units": {"G20", "G21"},
    "tool_length": {"G43.1", "G49"}, "program": {"M0", "M1", "M2", "M30"}, "spindle": {"M3", "M4", "M5"},
    "coolant": {"M7", "M8", "M9"},
}
"""commands.md's modal groups; the parser reports one word of each group it shows."""


class InterfaceViolation(AssertionError):
    """Bytes that are not what the GRBL interface description says."""


@dataclass(frozen=True)
class Response:
    ok: bool
    error_code: int | None
    pushed: tuple[str, ...]
    """Lines the controller sent before ok/error (settings, [MSG:...], ...)."""


@dataclass(frozen=True)
class Status:
    state: str
    machine_position_mm: tuple[float, float, float]
    fields: dict[str, str]


def parse_status(line: str) -> Status:
    """`<Idle|MPos:0.000,0.000,0.000|FS:0,0>` -> Status; the state may carry a sub-state (`Hold:0`)."""
    if not (line.startswith("<") and line.endswith(">")):
        raise InterfaceViolation(f"status report {line!r} is not <...>")
    state, *rest = line[1:-1].split("|")
    if state.split(":")[0] not in STATES:
        raise InterfaceViolation(f"status report {line!r}: unknown state {state!r}")
    fields = {}
    for item in rest:
        name, sep, value = item.partition(":")
        if not sep:
            raise InterfaceViolation(f"status report {line!r}: field {item!r} is not Name:value")
        fields[name] = value
    position = fields.get("MPos", fields.get("WPos"))
    if position is None:
        raise InterfaceViolation(f"status report {line!r} has neither MPos nor WPos")
    axes = position.split(",")
    if len(axes) != 3 or not all(DECIMAL.match(a) for a in axes):
        raise InterfaceViolation(f"status report {line!r}: position {position!r} is not three decimals")
    return Status(state, (float(axes[0]), float(axes[1]), float(axes[2])), fields)


class ManualGrblClient:
    def __init__(self, url: str, baudrate: int = 115200, timeout_s: float = 2.0) -> None:
        self.port = serial.serial_for_url(url, baudrate=baudrate, timeout=timeout_s)

    def close(self) -> None:
        self.port.close()

    def read_line(self) -> str:
        raw = self.port.read_until(b"\r\n")
        if not raw.endswith(b"\r\n"):
            raise InterfaceViolation(f"line {raw!r} does not end with CRLF (or nothing came)")
        return raw[:-2].decode("ascii")

    def wait_for_banner(self) -> str:
        """After reset: an empty line, then `Grbl 1.1<letter> ['$' for help]`."""
        while True:
            line = self.read_line()
            if line.startswith("Grbl "):
                if not re.match(r"^Grbl 1\.1[a-z] \['\$' for help\]$", line):
                    raise InterfaceViolation(f"banner {line!r}")
                return line

    def send_line(self, line: str) -> Response:
        """One line (LF only); the lines pushed before it, then its ok or error:N."""
        self.port.write(line.encode("ascii") + b"\n")
        pushed = []
        while True:
            text = self.read_line()
            if text == "ok":
                return Response(True, None, tuple(pushed))
            match = ERROR.match(text)
            if match:
                code = int(match.group(1))
                if not 1 <= code <= 38:
                    raise InterfaceViolation(f"error code {code} outside 1..38")
                return Response(False, code, tuple(pushed))
            pushed.append(text)

    def status(self) -> Status:
        """Realtime `?` (no newline): one status report line."""
        self.port.write(b"?")
        return parse_status(self.read_line())

    def settings(self) -> dict[int, float]:
        """`$$`: one `$n=value` line per setting, then ok."""
        response = self.send_line("$$")
        if not response.ok:
            raise InterfaceViolation(f"$$ answered error:{response.error_code}")
        values = {}
        for line in response.pushed:
            match = SETTING.match(line)
            if match is None:
                raise InterfaceViolation(f"settings line {line!r} is not $n=value")
            values[int(match.group(1))] = float(match.group(2))
        return values


@dataclass(frozen=True)
class ParserState:
    modes: dict[str, str]
    """Modal group -> active word."""
    values: dict[str, float]
    """T, S and F."""


def parse_parser_state(line: str) -> ParserState:
    """`[GC:G0 G54 G17 G21 G90 G94 M5 M9 T0 F0 S0]` -> ParserState; words in any order, one per modal group."""
    if not (line.startswith("[GC:") and line.endswith("]")):
        raise InterfaceViolation(f"parser state {line!r} is not [GC:...]")
    modes, values = {}, {}
    for word in line[4:-1].split(" "):
        group = next((name for name, words in MODAL_GROUPS.items() if word in words), None)
        if group is not None:
            if group in modes:
                raise InterfaceViolation(f"parser state {line!r}: two {group} words")
            modes[group] = word
        elif word[:1] in ("T", "S", "F") and DECIMAL.match(word[1:]):
            values[word[0]] = float(word[1:])
        else:
            raise InterfaceViolation(f"parser state {line!r}: {word!r} is no modal word nor T/S/F value")
    if set(values) != {"T", "S", "F"}:
        raise InterfaceViolation(f"parser state {line!r} lacks one of T, S, F")
    return ParserState(modes, values)


def parser_state(client: ManualGrblClient) -> ParserState:
    """`$G`: one [GC:...] line, then ok."""
    response = client.send_line("$G")
    if not response.ok or len(response.pushed) != 1:
        raise InterfaceViolation(f"$G answered {response!r}")
    return parse_parser_state(response.pushed[0])
