"""Arguments of NE-1000 commands: the error a reply carries (`?`, `?NA`, `?OOR`) and the two argument kinds."""
from __future__ import annotations

from hil.emulators.ne1000_numbers import parse_count, parse_number


class CommandError(Exception):
    """Reply data `?<code>`: '' not recognised, NA not applicable, OOR out of range."""

    def __init__(self, code: str = "") -> None:
        super().__init__(code)
        self.code = code


def number_argument(text: str) -> float:
    """A <float> argument in the 4-digit format; ? if it is not one."""
    value = parse_number(text)
    if value is None:
        raise CommandError()
    return value


def count_argument(text: str, low: int, high: int) -> int:
    """An unsigned integer argument: ? if it is not one, ?OOR outside low..high (however many digits)."""
    value = parse_count(text, high)
    if value is None:
        raise CommandError()
    if not low <= value <= high:
        raise CommandError("OOR")
    return value
