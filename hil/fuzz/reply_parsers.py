"""Every reply parser of the drivers on one (mutated) reply: it returns finite values or raises a typed driver
error (drivers.errors); anything else escapes to the caller, a non-finite value returned is a CheckFailed."""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from drivers import grbl_protocol as gp
from drivers import harvard_codec
from drivers import ne1000_codec as codec
from drivers.errors import DriverError
from drivers.mtsics import MTSICSBalance
from drivers.sbi_lines import GRAMS_PER_UNIT, parse_weight_line, text_line
from hil.fuzz.emulator_checks import CheckFailed


def parsed(parse: Callable[[Any], Any], reply: Any) -> Any:
    """parse(reply), or None if it raised a typed driver error."""
    try:
        return parse(reply)
    except DriverError:
        return None


def require_finite(where: str, *values: float | None) -> None:
    for value in values:
        if value is not None and not math.isfinite(value):
            raise CheckFailed(f"{where} returned the non-finite value {value!r}")


# The lambdas marked B023 are called by parsed() at once, within their iteration.


def check_grbl_reply(reply: bytes) -> None:
    line = reply.decode("latin-1")
    for parse in (gp.alarm_code, gp.error_code, gp.banner_version):
        parsed(parse, line)
    report = parsed(gp.parse_status_report, line)
    if report is not None:
        if len(report.position_mm) < 3:
            raise CheckFailed(f"parse_status_report returned {len(report.position_mm)} axes")
        require_finite("parse_status_report", *report.position_mm, report.feed_mm_per_min)
    setting = parsed(gp.parse_setting, line)
    if setting is not None:
        require_finite("parse_setting", setting[1])


def check_balance_reply(reply: bytes) -> None:
    line = reply.decode("latin-1")
    for command in ("S", "SI", "T"):
        reading = parsed(lambda text: MTSICSBalance._parse_weight(text, command), line)  # noqa: B023
        if reading is not None:
            require_finite(f"MTSICSBalance._parse_weight({command!r})", reading.mass_g)
    parsed(lambda text: MTSICSBalance._parse_serial(text, "I4"), line)
    parsed(lambda text: MTSICSBalance._expect_ack("Z", text), line)


def check_sartorius_reply(reply: bytes) -> None:
    line = reply.decode("latin-1")
    for unit in GRAMS_PER_UNIT:
        reading = parsed(lambda text: parse_weight_line(text, unit), line)  # noqa: B023
        if reading is not None:
            require_finite(f"parse_weight_line(display_unit={unit!r})", reading.mass_g)
    parsed(lambda text: text_line(text, "serial number"), line)


NE1000_TEXT_PARSERS: tuple[tuple[str, Callable[[str], Any]], ...] = (
    ("parse_reply", codec.parse_reply), ("parse_number", codec.parse_number),
    ("parse_dispensed_ul", codec.parse_dispensed_ul), ("parse_version", codec.parse_version),
    ("parse_quantity(rate)", lambda text: codec.parse_quantity(text, codec.RATE_UNITS_UL_PER_H)),
    ("parse_quantity(volume)", lambda text: codec.parse_quantity(text, codec.VOLUME_UNITS_UL)),
)


def check_ne1000_reply(reply: bytes) -> None:
    for decode in (codec.decode_basic, codec.decode_safe):
        parsed(lambda data: codec.parse_reply(decode(data)), reply)  # noqa: B023
    text = reply.decode("latin-1")
    for name, parse in NE1000_TEXT_PARSERS:
        for value in (parsed(parse, text), parsed(parse, text[3:])):  # [3:]: the data field
            if isinstance(value, float):
                require_finite(name, value)
            elif isinstance(value, tuple):
                require_finite(name, *(v for v in value if isinstance(v, float)))


def check_harvard_reply(reply: bytes) -> None:
    for text_line_address in (True, False):
        parsed_reply = parsed(lambda received: harvard_codec.parse_reply(received, text_line_address),  # noqa: B023
                              reply)
        if parsed_reply is None:
            continue
        for line in parsed_reply.lines:
            for units in (harvard_codec.RATE_UNITS_UL_PER_H, harvard_codec.VOLUME_UNITS_UL, {"mm": 1.0}):
                value = parsed(lambda text: harvard_codec.parse_quantity(text, units, "fuzz"), line)  # noqa: B023
                require_finite("harvard_codec.parse_quantity", value)
