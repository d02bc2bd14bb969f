"""Registries that turn rig config sections into objects: rig kind strings -> factories, no `if simulate`.

    PUMP_DRIVERS["ne1000"](build_context)       -> a SyringePump (not opened)
    EMULATORS["balance"](name, build_context)   -> an EmulatedDevice (not started)
    BALANCE_PROTOCOLS["mt-sics"](build_context) -> a balance driver (not opened)

Every table here is derived from the device catalog (hil.devices.catalog): add a device there.
"""
from __future__ import annotations

from functools import partial
from typing import Any
from collections.abc import Callable

from drivers.syringe_pump import SyringePump
from hil.devices.building import build_emulator
from hil.devices.catalog import CATALOG, balance_kinds, pump_kinds
from hil.devices.context import BuildContext
from hil.rig.errors import RigError

__all__ = [
    "BALANCE_PROTOCOLS",
    "EMULATORS",
    "EMULATOR_START_ORDER",
    "OPEN_LOOP_DRIVERS",
    "PUMP_DRIVERS",
    "BuildContext",
    "lookup",
]

PUMP_DRIVERS: dict[str, Callable[[BuildContext], SyringePump]] = {
    entry.config_kind: entry.driver_factory for entry in pump_kinds()}
BALANCE_PROTOCOLS: dict[str, Callable[[BuildContext], Any]] = {
    entry.config_kind: entry.driver_factory for entry in balance_kinds()}
EMULATORS: dict[str, Callable[[str, BuildContext], Any]] = {
    entry.name: partial(build_emulator, entry) for entry in CATALOG}
OPEN_LOOP_DRIVERS = frozenset(entry.config_kind for entry in pump_kinds() if entry.open_loop)
"""Drivers whose status reports commanded motion; with a balance, the balance confirms it (hil.adapters.for_rig)."""
EMULATOR_START_ORDER = {entry.name: entry.start_order for entry in CATALOG}
"""Pumps before balances: a balance emulator weighs what its linked pump emulator dispensed."""


def lookup(registry: dict[str, Any], kind: str, what: str) -> Any:
    try:
        return registry[kind]
    except KeyError:
        raise RigError(f"no {what} registered for {kind!r}; known: {', '.join(sorted(registry))}") from None
