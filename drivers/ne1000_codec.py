"""NE-1000 wire format: basic/safe framing, CRC-16/XMODEM, replies, and the 4-digit number format.

Pure functions on bytes and strings; no I/O. See protocols.md section 1 (New Era).
"""
from __future__ import annotations

import binascii
import math
import re
from dataclasses import dataclass

from drivers.errors import FramingError, ProtocolError

STX = 0x02
ETX = 0x03
CR = b"\r"
SAFE_OVERHEAD_BYTES = 4  # length byte, 2 CRC bytes, ETX: the length byte counts these plus the data

ALARM_NAMES = {
    "R": "reset",
    "S": "stall",
    "T": "watchdog",
    "E": "program_error",
    "O": "out_of_range",
}
ERROR_MEANINGS = {
    "": "command not recognised",
    "NA": "command not applicable now",
    "OOR": "data out of range",
    "COM": "invalid communications packet",
    "IGN": "command ignored (simultaneous new phase start)",
}


class NE1000CommandError(ProtocolError):
    """The pump answered `?<code>`."""

    def __init__(self, code: str, command: str) -> None:
        meaning = ERROR_MEANINGS.get(code, "unknown error code")
        super().__init__(f"NE-1000 rejected {command!r}: ?{code} ({meaning})")
        self.code = code
        self.command = command


def crc16_xmodem(data: bytes) -> int:
    return binascii.crc_hqx(data, 0)


def encode_basic(command: str) -> bytes:
    return command.encode("ascii") + CR


def encode_safe(command: str) -> bytes:
    data = command.encode("ascii")
    if len(data) + SAFE_OVERHEAD_BYTES > 0xFF:
        raise ValueError(f"command too long for a safe-mode packet ({len(data)} bytes): {command!r}")
    return bytes([STX, len(data) + SAFE_OVERHEAD_BYTES]) + data + crc16_xmodem(data).to_bytes(2, "big") + bytes([ETX])


def decode_basic(frame: bytes) -> str:
    """`STX data ETX` -> data. Leading garbage before STX is a framing error, not skipped silently."""
    if len(frame) < 2 or frame[0] != STX or frame[-1] != ETX:
        raise FramingError(f"basic-mode reply must be STX <data> ETX, got {frame!r}")
    return _ascii(frame[1:-1], frame)


def decode_safe(frame: bytes) -> str:
    """`STX len data CRC-hi CRC-lo ETX` -> data, checking length, CRC and terminators."""
    if len(frame) < SAFE_OVERHEAD_BYTES + 1 or frame[0] != STX:
        raise FramingError(f"safe-mode reply must start with STX and hold at least 5 bytes, got {frame!r}")
    if frame[1] != len(frame) - 1:
        raise FramingError(f"safe-mode length byte {frame[1]} does not match packet of {len(frame)} bytes: {frame!r}")
    if frame[-1] != ETX:
        raise FramingError(f"safe-mode reply does not end with ETX: {frame!r}")
    data, crc = frame[2:-3], int.from_bytes(frame[-3:-1], "big")
    if crc16_xmodem(data) != crc:
        raise FramingError(f"safe-mode CRC mismatch: got {crc:#06x}, computed {crc16_xmodem(data):#06x} for {frame!r}")
    return _ascii(data, frame)


def _ascii(data: bytes, frame: bytes) -> str:
    try:
        return data.decode("ascii")
    except UnicodeDecodeError:
        raise FramingError(f"non-ASCII reply data in {frame!r}") from None


@dataclass(frozen=True)
class NE1000Reply:
    address: int
    prompt: str | None
    """Status character (I, W, S, P, T, U, X), None when an alarm replaces it."""
    alarm: str | None
    """Alarm name ("reset", "stall", ...) or None."""
    data: str
    error_code: str | None
    """The code after `?` ("" for a bare `?`), or None."""


_REPLY = re.compile(r"^(\d\d)(?:A\?([A-Z])|([IWSPTUX]))(.*)$", re.DOTALL | re.ASCII)


def parse_reply(text: str) -> NE1000Reply:
    match = _REPLY.match(text)
    if match is None:
        raise FramingError(f"NE-1000 reply {text!r} is not <2-digit address><prompt|A?alarm>[data]")
    address, alarm_char, prompt, rest = match.groups()
    if alarm_char is not None and alarm_char not in ALARM_NAMES:
        raise ProtocolError(f"NE-1000 reply {text!r} carries unknown alarm A?{alarm_char}")
    error_code = rest[1:] if rest.startswith("?") else None
    return NE1000Reply(
        address=int(address),
        prompt=prompt,
        alarm=ALARM_NAMES[alarm_char] if alarm_char else None,
        data="" if error_code is not None else rest,
        error_code=error_code,
    )


MAX_DIGITS = 4
MAX_DECIMAL_DIGITS = 3
_NUMBER = re.compile(r"^(?=.*\d)\d*(?:\.\d*)?$", re.ASCII)


def format_number(value: float) -> str:
    """Most precise text with at most 4 digits and 3 decimals; ValueError if none exists or it rounds to 0."""
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"NE-1000 numbers are finite and >= 0, got {value}")
    for decimals in range(MAX_DECIMAL_DIGITS, -1, -1):
        text = f"{value:.{decimals}f}"
        if sum(ch.isdigit() for ch in text) <= MAX_DIGITS:
            if "." in text:
                text = text.rstrip("0").rstrip(".")
            if value > 0 and float(text) == 0:
                raise ValueError(f"{value} rounds to 0 in the NE-1000 number format (min 0.001)")
            return text
    raise ValueError(f"{value} does not fit the NE-1000 number format (max 9999)")


def parse_number(text: str) -> float:
    if not _NUMBER.match(text) or sum(ch.isdigit() for ch in text) > MAX_DIGITS:
        shown = text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"
        raise FramingError(f"{shown!r} is not an NE-1000 number (at most 4 digits, one point)")
    return float(text)


RATE_UNITS_UL_PER_H = {"UH": 1.0, "UM": 60.0, "MH": 1000.0, "MM": 60000.0}
"""uL/h in one unit of each rate code: UH uL/h, UM uL/min, MH mL/h, MM mL/min."""
VOLUME_UNITS_UL = {"UL": 1.0, "ML": 1000.0}


@dataclass(frozen=True)
class NE1000EncodedQuantity:
    text: str
    unit: str
    base_unit_value: float
    """What the pump will actually use, back in the base unit (uL/h or uL)."""


def encode_in_unit(base_unit_value: float, unit: str, unit_sizes: dict[str, float]) -> NE1000EncodedQuantity:
    text = format_number(base_unit_value / unit_sizes[unit])
    return NE1000EncodedQuantity(text, unit, float(text) * unit_sizes[unit])


def encode_best_unit(base_unit_value: float, unit_sizes: dict[str, float]) -> NE1000EncodedQuantity:
    """The unit (first in dict order on ties) whose 4-digit text is closest to the value."""
    candidates = []
    for unit in unit_sizes:
        try:
            candidates.append(encode_in_unit(base_unit_value, unit, unit_sizes))
        except ValueError:
            continue
    if not candidates:
        raise ValueError(f"{base_unit_value} cannot be expressed in any of {list(unit_sizes)}")
    return min(candidates, key=lambda q: abs(q.base_unit_value - base_unit_value))


_QUANTITY = re.compile(r"^([\d.]+)([A-Z]{2})$", re.ASCII)


def parse_quantity(text: str, unit_sizes: dict[str, float]) -> float:
    """`1.500MM` -> value in the base unit."""
    match = _QUANTITY.match(text)
    if match is None or match.group(2) not in unit_sizes:
        raise FramingError(f"{text!r} is not <number><{'|'.join(unit_sizes)}>")
    return parse_number(match.group(1)) * unit_sizes[match.group(2)]


_DISPENSED = re.compile(r"^I([\d.]+)W([\d.]+)(UL|ML)$", re.ASCII)


def parse_dispensed_ul(text: str) -> tuple[float, float]:
    """`I0.250W0.000ML` -> (infused_ul, withdrawn_ul)."""
    match = _DISPENSED.match(text)
    if match is None:
        raise FramingError(f"DIS reply {text!r} is not I<number>W<number><UL|ML>")
    scale = VOLUME_UNITS_UL[match.group(3)]
    return parse_number(match.group(1)) * scale, parse_number(match.group(2)) * scale


@dataclass(frozen=True)
class FirmwareVersion:
    model: str
    """e.g. "1000" for an NE-1000."""
    upgrade: str | None
    """The `X` or `X<n>` of firmware-upgraded pumps, else None."""
    version: str
    """e.g. "3.928"."""


_VERSION = re.compile(r"^NE(\d+)(X\d*)?V(\d+\.\d+)$", re.ASCII)


def parse_version(text: str) -> FirmwareVersion:
    match = _VERSION.match(text)
    if match is None:
        raise ProtocolError(f"VER reply {text!r} is not NE<model>[X[<n>]]V<major>.<minor>")
    return FirmwareVersion(model=match.group(1), upgrade=match.group(2), version=match.group(3))
