"""Sartorius SBI output lines, parsed strictly (protocols.md 4.2).

A line is 16 characters with its CR LF: sign (`+`, `-` or space), a space, the value right-aligned in 8
characters (leading zeros as spaces), a space, the unit in 3 characters (spaces when there is none), CR LF.
The 22-character format puts a 6-character ID code (`N`, `G#`, `T`, `Stat`, ...) before those 16: a weight is
read only from a net line (`N`); a gross (`G#`), tare (`T`) or any other ID code is refused, naming the code.
Special outputs in place of a weight: `High` (overload), `Low` (underload), `Err ###` (a device error),
`--` (no final readout yet), `Cal.Ext.`/`Cal.Int.` (adjusting).

Stability [U, configurable]: a value with a unit is stable, one with a blank unit field is not (the common
SBI convention; unconfirmed in protocols.md). Masses leave in grams whatever unit the balance displays.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass

from drivers.errors import DeviceAlarm, FramingError, NonFiniteValue, ProtocolError
from drivers.reply_numbers import finite_number, small_int

GRAMS_PER_UNIT = {"g": 1.0, "mg": 1e-3, "kg": 1e3}
BODY_CHARS = 14
"""A 16-character line without its CR LF."""
ID_CHARS = 6
"""The ID code in front of the 22-character format."""
NET_ID_CODES = frozenset({"N"})
"""ID codes of a net weight (protocols.md 4.2: N net, G# gross, T tare): the only lines read as a mass."""
ID_CODE_MEANINGS = {"N": "net", "G#": "gross", "T": "tare"}
_VALUE = re.compile(r" *(\S+)", re.ASCII)
_ERROR = re.compile(r"Err ?(\S+)", re.ASCII)
_ID_CODE = re.compile(r" *[A-Za-z][A-Za-z0-9#.]*", re.ASCII)
_WAITING = {"--": "no final readout yet (the display shows --)",
            "Cal.Ext.": "external adjustment in progress", "Cal.Int.": "internal adjustment in progress"}


class SbiDeviceError(ProtocolError):
    """The balance sent `Err ###` instead of a weight; `code` is the number, `reply` the raw line."""

    def __init__(self, code: int, reply: str) -> None:
        super().__init__(f"balance reports error Err {code:02d} in the reply {reply!r}")
        self.code = code
        self.reply = reply


@dataclass(frozen=True)
class SbiReading:
    mass_g: float
    stable: bool
    id_code: str | None
    """The ID code of a 22-character line (`N`, `G#`, ...); None for the 16-character format."""


def split_id(line: str) -> tuple[str | None, str]:
    """(ID code or None, the 14-character body) of a line without CR LF; FramingError for any other width."""
    if len(line) == BODY_CHARS:
        return None, line
    if len(line) == BODY_CHARS + ID_CHARS:
        code = line[:ID_CHARS]
        if not _ID_CODE.fullmatch(code):
            raise FramingError(f"balance line {line!r}: ID code {code!r} is not a right-aligned name")
        return code.strip(), line[ID_CHARS:]
    raise FramingError(f"balance line {line!r} has {len(line)} characters before CR LF; SBI sends "
                       f"{BODY_CHARS} (16-character format) or {BODY_CHARS + ID_CHARS} (22-character format)")


def _raise_for_special(body: str, line: str) -> None:
    text = (body[1:] if body[0] in "+-" else body).strip()  # High/Low may come with a sign in position 1
    if text == "High":
        raise DeviceAlarm("overload", f"balance shows High (overload) in the reply {line!r}")
    if text == "Low":
        raise DeviceAlarm("underload", f"balance shows Low (underload) in the reply {line!r}")
    if (match := _ERROR.fullmatch(text)) is not None:
        raise SbiDeviceError(small_int(match.group(1), "SBI error code", line), line)
    if text in _WAITING:
        raise ProtocolError(f"balance reply {line!r}: {_WAITING[text]}")


def parse_weight_line(line: str, display_unit: str = "g") -> SbiReading:
    """The reading of one SBI line (CR LF already removed), in grams.

    display_unit: the unit the balance is set to; a line in another unit is refused, and a line with a blank
    unit field (unstable) is read in it. FramingError for a line that is not SBI; DeviceAlarm for High/Low;
    SbiDeviceError for Err ###; ProtocolError for `--`, adjustment and a 22-character line whose ID code is not a
    net weight's (NET_ID_CODES: a gross or tare weight is not the mass); NonFiniteValue for NaN or infinity."""
    if display_unit not in GRAMS_PER_UNIT:
        raise ValueError(f"display_unit {display_unit!r}: not one of {sorted(GRAMS_PER_UNIT)}")
    if not line.isascii() or not line.isprintable():
        raise FramingError(f"balance line {line!r} is not printable ASCII")
    id_code, body = split_id(line)
    _raise_for_special(body, line)
    if id_code is not None and id_code not in NET_ID_CODES:
        meaning = f" ({ID_CODE_MEANINGS[id_code]})" if id_code in ID_CODE_MEANINGS else ""
        raise ProtocolError(f"balance line {line!r} carries ID code {id_code!r}{meaning}, not a net weight's "
                            f"({', '.join(sorted(NET_ID_CODES))}): it is not read as the mass")
    sign, gap, value_field, gap2, unit_field = body[0], body[1], body[2:10], body[10], body[11:14]
    if sign not in "+- " or gap != " " or gap2 != " ":
        raise FramingError(f"balance line {line!r} is not '<sign> <8-character value> <3-character unit>'")
    value_match = _VALUE.fullmatch(value_field)
    if value_match is None or value_match.group(1)[0] in "+-":
        raise FramingError(f"balance line {line!r}: value field {value_field!r} is not a right-aligned number")
    unit = unit_field.rstrip(" ")
    if unit and (unit not in GRAMS_PER_UNIT or unit_field != f"{unit:<3}"):
        raise FramingError(f"balance line {line!r}: unit field {unit_field!r} is not one of {sorted(GRAMS_PER_UNIT)}")
    if unit and unit != display_unit:
        raise ProtocolError(f"balance line {line!r} is in {unit}, but the balance is set up to show {display_unit}")
    magnitude = finite_number(value_match.group(1), "mass (SBI line)", line)
    mass_g = (-magnitude if sign == "-" else magnitude) * GRAMS_PER_UNIT[display_unit]
    if not math.isfinite(mass_g):  # a finite value beyond the float range once converted to grams
        raise NonFiniteValue("mass (SBI line)", value_match.group(1), line)
    return SbiReading(mass_g=mass_g, stable=bool(unit), id_code=id_code)


def text_line(line: str, what: str) -> str:
    """The text of an information line (model, serial number, software version): printable ASCII, not blank."""
    if not line.isascii() or not line.isprintable() or not line.strip():
        raise FramingError(f"balance reply {line!r} to the {what} request is not a line of printable text")
    if len(line) == BODY_CHARS + ID_CHARS and _ID_CODE.fullmatch(line[:ID_CHARS]):
        line = line[ID_CHARS:]  # 22-character format: the ID code (Ser.no, ...) is not part of the text [U]
    return line.strip()
