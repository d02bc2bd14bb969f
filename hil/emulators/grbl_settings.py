"""GRBL 1.1 `$` settings with their stock defaults, except those taken from the emulated rig."""
from __future__ import annotations

from hil.emulators.grbl_config import GrblConfig

_INTEGER_SETTINGS = {0, 1, 2, 3, 4, 5, 6, 10, 13, 20, 21, 22, 23, 26, 30, 31, 32}


def default_settings(config: GrblConfig) -> dict[int, float]:
    return {
        0: 10, 1: 25, 2: 0, 3: 0, 4: 0, 5: 0, 6: 0, 10: 1, 11: 0.010, 12: 0.002, 13: 0,
        20: 0, 21: int(config.hard_limits), 22: 0, 23: 0, 24: 25.0, 25: 500.0, 26: 250, 27: 1.0,
        30: 1000, 31: 0, 32: 0,
        100: config.steps_per_mm, 101: 250.0, 102: 250.0,
        110: config.max_rate_mm_per_min, 111: 500.0, 112: 500.0,
        120: 10.0, 121: 10.0, 122: 10.0,
        130: config.max_travel_mm, 131: 200.0, 132: 200.0,
    }


def format_setting(setting_code: int, value: float) -> str:
    """`$<code>=<value>`: setting_code is the setting's number ($100: X steps/mm)."""
    if setting_code in _INTEGER_SETTINGS:
        return f"${setting_code}={int(value)}"
    return f"${setting_code}={value:.3f}"


def is_integer_setting(setting_code: int) -> bool:
    return setting_code in _INTEGER_SETTINGS
