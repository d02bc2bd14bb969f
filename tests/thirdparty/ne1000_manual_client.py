"""An NE-1000 client written from the pump's manual (protocols.md 1.4-1.9) alone, as a third party would.

It shares nothing with the project's driver or emulator: its own framing, its own CRC (bit by bit), its own
strict reply and number parsing. Every reply is checked against the manual's formats; anything else raises
ManualViolation, so an emulator that drifts from the manual fails the tests that use this client.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import serial

STX, ETX, CR = b"\x02", b"\x03", b"\r"
PROMPTS = "IWSPTUX"  # 1.6: infusing, withdrawing, stopped, paused, pause phase, user wait, purging
ALARMS = "RSTEO"  # 1.6: reset, stall, comms time-out, program error, phase out of range
ERRORS = ("", "NA", "OOR", "COM", "IGN")  # 1.7
NUMBER = re.compile(r"^(\d*)\.(\d*)$")  # 1.8: digits with one decimal point
RATE_UNITS = ("UM", "MM", "UH", "MH")
VOLUME_UNITS = ("UL", "ML")


class ManualViolation(AssertionError):
    """A reply that does not have the form the manual gives."""


def crc_ccitt_xmodem(data: bytes) -> int:
    """1.5: 16-bit CCITT CRC, polynomial 0x1021, initial value 0 (the manual's SAF0 example pins these)."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def safe_packet(data: bytes) -> bytes:
    """1.5: STX, length (the bytes after STX, itself included), data, CRC high byte first, ETX."""
    crc = crc_ccitt_xmodem(data)
    return STX + bytes([len(data) + 4]) + data + bytes([crc >> 8, crc & 0xFF]) + ETX


def parse_number(text: str) -> float:
    """1.8: at most 4 digits and one decimal point, at most 3 digits right of it."""
    match = NUMBER.match(text)
    if match is None or len(match.group(1)) + len(match.group(2)) > 4 or len(match.group(2)) > 3 \
            or not (match.group(1) + match.group(2)):
        raise ManualViolation(f"{text!r} is not an NE-1000 number (at most 4 digits and a decimal point)")
    return float(text)


def parse_quantity(text: str, units: tuple[str, ...]) -> tuple[float, str]:
    """`1.500MM` -> (1.5, "MM")."""
    if len(text) < 3 or text[-2:] not in units:
        raise ManualViolation(f"{text!r} is not <number><{'|'.join(units)}>")
    return parse_number(text[:-2]), text[-2:]


def parse_dispensed(text: str) -> tuple[float, float, str]:
    """1.9 DIS: `I<float>W<float><UL|ML>` -> (infused, withdrawn, units)."""
    match = re.match(r"^I([^W]*)W(.*)(UL|ML)$", text)
    if match is None:
        raise ManualViolation(f"DIS reply {text!r} is not I<number>W<number><UL|ML>")
    return parse_number(match.group(1)), parse_number(match.group(2)), match.group(3)


@dataclass(frozen=True)
class Reply:
    address: int
    prompt: str | None
    alarm: str | None
    error: str | None
    data: str


def parse_reply(data: bytes) -> Reply:
    """1.4/1.6/1.7: two address digits, then a prompt or `A?` + alarm, then data or `?` + error."""
    text = data.decode("ascii")
    if len(text) < 3 or not text[:2].isdigit():
        raise ManualViolation(f"reply {text!r} does not start with a two-digit address")
    address, rest = int(text[:2]), text[2:]
    if rest.startswith("A?"):
        if len(rest) < 3 or rest[2] not in ALARMS:
            raise ManualViolation(f"reply {text!r}: unknown alarm")
        return Reply(address, None, rest[2], None, rest[3:])
    if rest[0] not in PROMPTS:
        raise ManualViolation(f"reply {text!r}: {rest[0]!r} is not a status prompt")
    data_text = rest[1:]
    if data_text.startswith("?"):
        if data_text[1:] not in ERRORS:
            raise ManualViolation(f"reply {text!r}: unknown error {data_text!r}")
        return Reply(address, rest[0], None, data_text[1:], "")
    return Reply(address, rest[0], None, None, data_text)


class ManualNE1000Client:
    """Talks to an NE-1000 on any pyserial URL or path: Basic mode (`cmd CR` -> `STX data ETX`) or Safe mode."""

    def __init__(self, url: str, baudrate: int = 19200, timeout_s: float = 2.0) -> None:
        self.port = serial.serial_for_url(url, baudrate=baudrate, timeout=timeout_s)
        self.safe = False

    def close(self) -> None:
        self.port.close()

    def raw(self, request: bytes) -> bytes:
        """Send bytes as they are; return one whole reply packet as it came (STX ... ETX)."""
        self.port.write(request)
        return self.read_packet()

    def read_packet(self) -> bytes:
        first = self.port.read(1)
        if first != STX:
            raise ManualViolation(f"expected STX, got {first!r}")
        if self.safe:
            length = self.port.read(1)
            if not length:
                raise ManualViolation("safe-mode packet without its length byte")
            rest = self.port.read(length[0] - 1)
            packet = first + length + rest
            if len(rest) != length[0] - 1 or packet[-1:] != ETX:
                raise ManualViolation(f"safe-mode packet {packet!r} does not end with ETX where its length says")
            return packet
        body = self.port.read_until(ETX)
        if not body.endswith(ETX):
            raise ManualViolation(f"basic reply {first + body!r} has no ETX")
        return first + body

    def send(self, command: str) -> Reply:
        """One command, framed for the current mode; the reply parsed (and its CRC checked in Safe mode)."""
        if self.safe:
            packet = self.raw(safe_packet(command.encode("ascii")))
            data, crc = packet[2:-3], packet[-3:-1]
            if crc_ccitt_xmodem(data) != int.from_bytes(crc, "big"):
                raise ManualViolation(f"reply {packet!r}: CRC does not match its data")
            return parse_reply(data)
        packet = self.raw(command.encode("ascii") + CR)
        return parse_reply(packet[1:-1])

    def command(self, command: str) -> Reply:
        """send(), re-sent once if an alarm (e.g. A?R at power-up) was acknowledged instead (1.6)."""
        reply = self.send(command)
        return self.send(command) if reply.alarm is not None else reply
