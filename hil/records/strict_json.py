"""JSON as this project's writers write it (allow_nan=False): a number that reads as NaN or infinity anywhere in a
document (NaN, Infinity, or a literal past the float range, such as a digit turned into an E) is refused, as is an
integer too long to convert. The record reader and the campaign journal read their lines this way, so a damaged line
is named as damage instead of passing a value no writer wrote, or a traceback.

    value = decode_strict(text)   # ValueError (json.JSONDecodeError for bad syntax) naming what is wrong
"""
from __future__ import annotations

import json
import math
from typing import Any


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"the number {text[:40]} is not finite (a writer never writes one)")
    return value


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number a record holds (a writer never writes one)")


_DECODER = json.JSONDecoder(parse_float=_finite_float, parse_constant=_refuse_constant)


def decode_strict(text: str) -> Any:
    """The JSON value of text; json.JSONDecodeError for bad syntax, ValueError for a non-finite number or an integer
    beyond Python's digit limit."""
    return _DECODER.decode(text)
