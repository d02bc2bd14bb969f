"""Checks every emulated syringe pump's config makes (NE-1000, Harvard): finite non-negative quantities, the
syringe within the pump's diameter range and filled within its volume, an address 0..99, plunger speed limits."""
from __future__ import annotations

import math
from dataclasses import fields
from typing import Any
from collections.abc import Callable

from firmware_sim.units import MIN_PER_H
from hil.emulators.faults import EmulatorError

Bad = Callable[[str, str], EmulatorError]
"""bad(field name, why) -> the error naming the config type, field and value."""


def check_syringe_and_address(config: Any, bad: Bad, quantity_suffixes: tuple[str, ...]) -> None:
    for f in fields(config):
        value = getattr(config, f.name)
        if f.name.endswith(quantity_suffixes) and value is not None and (
                isinstance(value, bool) or not isinstance(value, (int,
                                                                  float)) or not math.isfinite(value) or value < 0):
            raise bad(f.name, "must be a finite non-negative number")
    if not config.min_diameter_mm <= config.syringe_diameter_mm <= config.max_diameter_mm:
        raise bad("syringe_diameter_mm", f"outside {config.min_diameter_mm}..{config.max_diameter_mm} mm")
    if config.syringe_volume_ul <= 0:
        raise bad("syringe_volume_ul", "must be > 0")
    if config.fill_volume_ul is not None and config.fill_volume_ul > config.syringe_volume_ul:
        raise bad("fill_volume_ul", f"exceeds syringe_volume_ul={config.syringe_volume_ul}")
    if isinstance(config.address, bool) or not (isinstance(config.address, int) and 0 <= config.address <= 99):
        raise bad("address", "must be an integer 0..99")


def check_plunger_speeds(config: Any, bad: Bad) -> None:
    if not config.min_plunger_speed_mm_per_h > 0:
        raise bad("min_plunger_speed_mm_per_h", "must be > 0 (a pump cannot run at rate 0)")
    if config.min_plunger_speed_mm_per_h / MIN_PER_H >= config.max_plunger_speed_mm_per_min:
        raise bad("min_plunger_speed_mm_per_h", "must be below max_plunger_speed_mm_per_min")
