"""Command-line numbers: an argparse type that refuses a value that is not a number within bounds (NaN and inf
included), naming the option."""
from __future__ import annotations

import argparse
from collections.abc import Callable


def bounded_number(name: str, minimum: float, maximum: float, *, allow_minimum: bool,
                   integer: bool = False) -> Callable[[str], float | int]:
    """An argparse type for option `name`: minimum < value <= maximum (>= minimum with allow_minimum)."""
    def parse(text: str) -> float | int:
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{name} must be {'an integer' if integer else 'a number'}, got {text!r}"
            ) from None
        low_ok = value >= minimum if allow_minimum else value > minimum
        if not (low_ok and value <= maximum) or value != value:
            low = ">=" if allow_minimum else ">"
            raise argparse.ArgumentTypeError(f"{name} must be {low} {minimum:g} and <= {maximum:g}, got {text}")
        return value
    return parse
