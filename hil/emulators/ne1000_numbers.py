"""NE-1000 number format and units: at most 4 digits and one decimal point, at most 3 decimals."""
from __future__ import annotations

import re

_NUMBER = re.compile(r"^(?=[\d.]*\d)(\d{0,4})(?:\.(\d{0,3}))?$", re.ASCII)
_DIGITS = re.compile(r"[0-9]+")
MAX_DIGITS = 4

# rate unit code -> microlitres per hour per unit
RATE_UNITS_UL_PER_H: dict[str, float] = {"UM": 60.0, "MM": 60_000.0, "UH": 1.0, "MH": 1000.0}
# volume unit code -> microlitres per unit
VOLUME_UNITS_UL: dict[str, float] = {"UL": 1.0, "ML": 1000.0}


def parse_number(text: str) -> float | None:
    """The value of an NE-1000 <float>, or None if it breaks the 4-digit / 3-decimal format."""
    match = _NUMBER.match(text)
    if match is None or len(match.group(1)) + len(match.group(2) or "") > 4:
        return None
    return float(text)


def format_number(value: float) -> str:
    """The pump's own <float> text: at most 4 digits, at most 3 of them decimals, and always a decimal point
    (protocols.md 1.8): 1.500, 12.50, 125.0, 1000. (never 1000). Values from 9999.5 up do not fit the format;
    they are shown whole with the point (10000.) rather than altered."""
    for decimals in (3, 2, 1):
        text = f"{value:.{decimals}f}"
        if len(text) - 1 <= MAX_DIGITS:
            return text
    return f"{value:.0f}."


def parse_count(text: str, high: int) -> int | None:
    """The value of an unsigned integer argument (phase, seconds, address, baud), or None if it is not one.
    A value with more digits than `high` has is returned as high + 1 (out of range) without converting it,
    so a line of thousands of digits is an out-of-range argument, not a failure."""
    if not _DIGITS.fullmatch(text):
        return None
    significant = text.lstrip("0") or "0"
    return high + 1 if len(significant) > len(str(high)) else int(significant)
