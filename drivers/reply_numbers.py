"""Numbers read from device replies: plain decimal text (no exponent: no device here sends one), and finite.
Every parser that takes a measurement (a position, a feed, a mass, a setting) from the wire goes through
finite_number, so NaN, infinity or a number too long for a float never leaves a driver as a value [SR-DRV-009]."""
from __future__ import annotations

import math
import re

from drivers.errors import FramingError, NonFiniteValue

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)", re.ASCII)
_NON_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.ASCII | re.IGNORECASE)


def finite_number(text: str, field: str, reply: str) -> float:
    """The value of a decimal number in a reply. NonFiniteValue (a ProtocolError) for NaN, infinity or a value
    beyond the float range (400 digits); FramingError for anything else that is not a plain decimal (1e999)."""
    if _DECIMAL.fullmatch(text):  # the common case; a plain decimal never spells NaN or infinity
        value = float(text)
        if not math.isfinite(value):
            raise NonFiniteValue(field, text, reply)
        return value
    if _NON_FINITE.fullmatch(text):
        raise NonFiniteValue(field, text, reply)
    shown = text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"
    raise FramingError(f"{field} is {shown!r}, not a decimal number, in the reply {reply[:120]!r}")


def small_int(text: str, field: str, reply: str, max_digits: int = 3) -> int:
    """A code or index of at most max_digits ASCII digits (an alarm or error code, a setting number);
    FramingError otherwise (so an overlong digit string never reaches int())."""
    if not (0 < len(text) <= max_digits and text.isascii() and text.isdigit()):
        shown = text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"
        raise FramingError(
            f"{field} is {shown!r}, not a number of 1 to {max_digits} digits, in the reply {reply[:120]!r}"
        )
    return int(text)
