"""An MT-SICS balance client written from the command reference (protocols.md 4.1) alone.

Commands go out in upper case ending CRLF; replies end CRLF. A weight reply is `<ID> <status> <value> <unit>` with
the value right-aligned in a 10-character field; general errors are `ES`, `ET`, `EL` alone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import serial

WEIGHT_STATUSES = "SDI+-"
GENERAL_ERRORS = ("ES", "ET", "EL")
DECIMAL = re.compile(r"^-?\d+(?:\.\d+)?$")


class ReferenceViolation(AssertionError):
    """A reply that does not have the form the MT-SICS reference gives."""


@dataclass(frozen=True)
class Weight:
    status: str
    value: float | None
    unit: str | None


def parse_weight(line: str, reply_id: str) -> Weight:
    """`S S     100.00 g` -> Weight("S", 100.0, "g"); `S I` (no value) -> Weight("I", None, None)."""
    head = f"{reply_id} "
    if not line.startswith(head) or len(line) < len(head) + 1 or line[len(head)] not in WEIGHT_STATUSES:
        raise ReferenceViolation(f"weight reply {line!r} is not '{reply_id} <status> ...'")
    status, rest = line[len(head)], line[len(head) + 1:]
    if rest == "":
        return Weight(status, None, None)
    if not rest.startswith(" ") or len(rest) < 13 or rest[11] != " ":
        raise ReferenceViolation(f"weight reply {line!r}: value is not a 10-character field followed by a space")
    field, unit = rest[1:11], rest[12:]
    if not DECIMAL.match(field.lstrip(" ")) or not 1 <= len(unit) <= 3 or " " in unit:
        raise ReferenceViolation(f"weight reply {line!r}: field {field!r} / unit {unit!r}")
    return Weight(status, float(field), unit)


class ManualMTSICSClient:
    def __init__(self, url: str, baudrate: int = 9600, timeout_s: float = 2.0) -> None:
        self.port = serial.serial_for_url(url, baudrate=baudrate, timeout=timeout_s)

    def close(self) -> None:
        self.port.close()

    def read_line(self) -> str:
        raw = self.port.read_until(b"\r\n")
        if not raw.endswith(b"\r\n"):
            raise ReferenceViolation(f"reply {raw!r} does not end with CRLF (or nothing came)")
        return raw[:-2].decode("ascii")

    def query(self, command: str) -> str:
        self.port.write(command.encode("ascii") + b"\r\n")
        return self.read_line()

    def weight(self, command: str = "S") -> Weight:
        """S (stable) or SI (immediate); both reply with ID S."""
        return parse_weight(self.query(command), "S")

    def serial_number(self, command: str = "I4") -> str:
        """I4 (or @, which answers like I4): `I4 A "<SNR>"`."""
        line = self.query(command)
        match = re.match(r'^I4 A "([^"]*)"$', line)
        if match is None:
            raise ReferenceViolation(f"{command} reply {line!r} is not I4 A \"<serial number>\"")
        return match.group(1)
