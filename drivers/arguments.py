"""Argument checks shared by the drivers: a bad number is refused by name before any byte is sent."""
from __future__ import annotations

import math
from numbers import Real


def require_positive(name: str, value: float, hint: str = "") -> float:
    """value if it is a finite real number > 0; else ValueError naming it (NaN, infinity and bool included)."""
    if isinstance(value, bool) or not isinstance(value, Real) or not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a positive number{hint}, got {value!r}")
    return value
