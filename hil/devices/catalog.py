"""The device catalog: one entry per device kind; every per-kind table of the harness is derived from it.

    CATALOG                  -> the kinds, in start order
    kind("ne1000")           -> its DeviceKind (by emulator kind name)
    pump_kinds() / balance_kinds()
    by_config_kind(Role.PUMP, "ne1000") -> the kind a rig's `pump.driver` / `balance.protocol` selects
"""
from __future__ import annotations

from hil.devices import grbl, harvard, mtsics, ne1000, sartorius
from hil.devices.kind import DeviceKind, Role

CATALOG: tuple[DeviceKind, ...] = tuple(sorted(
    (ne1000.KIND, grbl.KIND, harvard.KIND, mtsics.KIND, sartorius.KIND), key=lambda entry: entry.start_order))


def _check_unique() -> None:
    names = [entry.name for entry in CATALOG]
    config_kinds = [(entry.role, entry.config_kind) for entry in CATALOG]
    if len(set(names)) != len(names) or len(set(config_kinds)) != len(config_kinds):
        raise ValueError(f"device catalog: duplicate kind names {names} or config kinds {config_kinds}")


_check_unique()
KINDS_BY_NAME: dict[str, DeviceKind] = {entry.name: entry for entry in CATALOG}


def kind(name: str) -> DeviceKind:
    """The kind of that emulator name; KeyError naming the known ones."""
    try:
        return KINDS_BY_NAME[name]
    except KeyError:
        raise KeyError(f"no device kind {name!r}; known: {', '.join(KINDS_BY_NAME)}") from None


def pump_kinds() -> tuple[DeviceKind, ...]:
    return tuple(entry for entry in CATALOG if entry.role is Role.PUMP)


def balance_kinds() -> tuple[DeviceKind, ...]:
    return tuple(entry for entry in CATALOG if entry.role is Role.BALANCE)


def by_config_kind(role: Role, config_kind: str) -> DeviceKind:
    for entry in CATALOG:
        if entry.role is role and entry.config_kind == config_kind:
            return entry
    known = ", ".join(entry.config_kind for entry in CATALOG if entry.role is role)
    raise KeyError(f"no {role.value} kind {config_kind!r}; known: {known}")


EMULATOR_KINDS: tuple[str, ...] = tuple(KINDS_BY_NAME)
PUMP_DRIVER_KINDS: tuple[str, ...] = tuple(entry.config_kind for entry in pump_kinds())
BALANCE_PROTOCOLS: tuple[str, ...] = tuple(entry.config_kind for entry in balance_kinds())
BALANCE_EMULATOR_KINDS: dict[str, str] = {entry.config_kind: entry.name for entry in balance_kinds()}
"""balance.protocol -> the emulator kind that speaks it."""
