"""Harvard Apparatus "pump chain" wire format (PHD ULTRA, Pump 11 Elite, KD Scientific Legato): requests,
replies, prompts, units. Pure functions on bytes and strings; no I/O. See protocols.md sections 2.1 and 2.2.

Request: `[<address><separator>]<command>[ <arguments>] CR`; address 0 is sent without prefix; the separator is
":" on PHD ULTRA / Elite and nothing on Legato.
Reply: text lines `LF [<address> ]<text> CR`, then the prompt `LF [<address>]<prompt>` with NO terminator, so a
reply is complete when the bytes received so far end in a prompt (reply_complete). A text-line address is exactly
two digits and one space (`\n00 1.0000 ml/min\r`, protocols.md 2.1) and must be the pump's own: a looser reading
would take the first two digits of an unaddressed number (`\n12.3456 ul\r`) for an address.
"""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from drivers.errors import FramingError, ProtocolError
from drivers.reply_numbers import finite_number

DIALECT_SEPARATORS = {"phd_ultra": ":", "legato": ""}
"""What separates a non-zero address from the command, per dialect."""
PROMPTS = {":": "idle", ">": "infusing", "<": "withdrawing", "*": "stalled", "T*": "target_reached"}
RUNNING_PROMPTS = frozenset({">", "<"})
STALL_PROMPT = "*"
ERROR_TEXTS = ("Command error", "Unknown command", "Argument error", "Out of range", "Range error")

RATE_UNITS_UL_PER_H = {
    "ml/min": 60_000.0, "ul/min": 60.0, "nl/min": 0.06, "ml/hr": 1000.0, "ul/hr": 1.0, "nl/hr": 0.001,
    "m/m": 60_000.0, "u/m": 60.0, "n/m": 0.06, "m/h": 1000.0, "u/h": 1.0, "n/h": 0.001,
}
"""uL/h in one unit of each rate unit string the pump may print (long and short forms)."""
VOLUME_UNITS_UL = {"ml": 1000.0, "ul": 1.0, "nl": 0.001, "pl": 1e-6}

_PROMPT_AT_END = re.compile(rb"\n(\d\d)?(T\*|[:<>*])\Z")
_TEXT_LINE_ADDRESS = re.compile(r"^(\d\d) (.*)$", re.DOTALL | re.ASCII)
_QUANTITY = re.compile(r"^(\S+) +(\S+)$", re.ASCII)


class HarvardCommandError(ProtocolError):
    """The pump answered a command with an error line (Command error, Unknown command, Argument error, ...)."""

    def __init__(self, text: str, command: str, why: str = "") -> None:
        super().__init__(f"Harvard pump rejected {command!r}: {text!r}" + (f" ({why})" if why else ""))
        self.text = text
        self.command = command


def refuse_text(lines: Sequence[str], command: str) -> None:
    """A set command (or an action such as `irun`) is answered by its prompt alone: any text line in its reply is an
    error in whatever words the pump uses (`Out of range`, `Value error`, ...), HarvardCommandError."""
    if lines:
        raise HarvardCommandError(" / ".join(lines), command, "a set command is answered by its prompt alone")


@dataclass(frozen=True)
class HarvardReply:
    address: int | None
    """The address in the prompt; None when the pump printed none."""
    prompt: str
    """One of PROMPTS."""
    lines: tuple[str, ...]
    """Text lines, address and terminators removed."""

    @property
    def error(self) -> str | None:
        """The error line, if the pump reported one."""
        return next((line for line in self.lines if line.startswith(ERROR_TEXTS)), None)


def encode_command(command: str, address: int, dialect: str) -> bytes:
    """`12:irate 3.2 ul/min\\r` (PHD ULTRA), `12irate 3.2 ul/min\\r` (Legato), `irate\\r` at address 0."""
    if dialect not in DIALECT_SEPARATORS:
        raise ValueError(f"dialect must be one of {sorted(DIALECT_SEPARATORS)}, got {dialect!r}")
    if not 0 <= address <= 99:
        raise ValueError(f"Harvard pump address must be 0..99, got {address}")
    prefix = f"{address}{DIALECT_SEPARATORS[dialect]}" if address else ""
    return f"{prefix}{command}\r".encode("ascii")


def reply_complete(received: bytes | bytearray) -> bool:
    """True when the bytes end in a prompt (the reply's last, unterminated line)."""
    return _PROMPT_AT_END.search(received) is not None


def prompt_address(received: bytes) -> int | None:
    """The address in a complete reply's prompt; None when the pump printed none (or the reply has no prompt)."""
    match = _PROMPT_AT_END.search(received)
    return int(match.group(1)) if match is not None and match.group(1) is not None else None


def parse_reply(received: bytes, text_line_address: bool, address: int = 0) -> HarvardReply:
    """A complete reply -> HarvardReply. Bytes before the first LF, a text line without its CR, a text line that does
    not start with `address` as two digits and a space (when text_line_address) or non-ASCII data are
    FramingError."""
    match = _PROMPT_AT_END.search(received)
    if match is None:
        raise FramingError(f"Harvard reply does not end in a prompt (LF [address] : > < * T*): {received[-80:]!r}")
    try:
        body = received[: match.start()].decode("ascii")
    except UnicodeDecodeError:
        raise FramingError(f"non-ASCII bytes in Harvard reply {received[:120]!r}") from None
    if body and not body.startswith("\n"):
        raise FramingError(f"Harvard reply has bytes before its first line feed: {received[:120]!r}")
    lines = []
    for raw in body.split("\n")[1:]:
        if not raw.endswith("\r"):
            raise FramingError(f"Harvard reply line {raw!r} is not ended by CR in {received[:120]!r}")
        lines.append(_line_text(raw[:-1], text_line_address, address, received))
    digits = match.group(1)
    return HarvardReply(int(digits) if digits is not None else None, match.group(2).decode("ascii"), tuple(lines))


def _line_text(raw: str, text_line_address: bool, address: int, received: bytes) -> str:
    if not text_line_address:
        return raw
    match = _TEXT_LINE_ADDRESS.match(raw)
    if match is None:
        raise FramingError(f"Harvard reply line {raw!r} does not start with the 2-digit address {address:02d} and a "
                           f"space in {received[:120]!r}")
    if int(match.group(1)) != address:
        raise FramingError(f"Harvard reply line {raw!r} carries address {match.group(1)}, not this pump's "
                           f"{address:02d}, in {received[:120]!r}")
    return match.group(2)


def parse_quantity(text: str, unit_sizes: dict[str, float], field: str) -> float:
    """`1.0000 ml/min` -> the value in the table's base unit (uL/h or uL). A non-finite number is refused
    [SR-DRV-009]; a signed number (no quantity the pump prints is negative: counters, rates and the diameter are
    magnitudes) or an unknown unit is a FramingError; so is a unit in upper case (`5.0000 ML`): the pump prints its
    units in lower case (protocols.md 2.1)."""
    match = _QUANTITY.match(text.strip())
    if match is None:
        raise FramingError(f"{field}: {text[:80]!r} is not '<number> <unit>'")
    unit = match.group(2)
    if unit not in unit_sizes:
        case = " (the pump prints its units in lower case)" if unit.lower() in unit_sizes else ""
        raise FramingError(f"{field}: unit {unit[:20]!r} in {text[:80]!r} is not one of {sorted(unit_sizes)}{case}")
    value = finite_number(match.group(1), field, text)
    if match.group(1)[0] in "+-":
        raise FramingError(f"{field}: {match.group(1)[:40]!r} in {text[:80]!r} carries a sign; the pump prints "
                           f"{field} as an unsigned magnitude")
    return value * unit_sizes[unit]


MAX_DECIMAL_DIGITS = 4


@dataclass(frozen=True)
class HarvardEncodedQuantity:
    text: str
    """`16.6667 ul/hr`."""
    base_unit_value: float
    """What the pump will use, back in the base unit."""


def encode_quantity(
    base_unit_value: float, units: tuple[str, ...], unit_sizes: dict[str, float]
) -> HarvardEncodedQuantity:
    """The first of `units` (largest first) in which the value shows at least 1 with MAX_DECIMAL_DIGITS decimals, else
    the last; ValueError if it rounds to 0."""
    for unit in units:
        scaled = base_unit_value / unit_sizes[unit]
        if scaled >= 1.0 or unit == units[-1]:
            number = f"{scaled:.{MAX_DECIMAL_DIGITS}f}"
            if float(number) == 0:
                raise ValueError(f"{base_unit_value} rounds to 0 in {unit}")
            return HarvardEncodedQuantity(f"{number} {unit}", float(number) * unit_sizes[unit])
    raise ValueError("no units given")
