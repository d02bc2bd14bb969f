"""The terminal tables of `itpump list`: one per kind of entry, built with hil.cli.tables (wrap, never truncate)."""
from __future__ import annotations

from pathlib import Path
from collections.abc import Callable, Sequence

from rich.table import Table

from hil.cli.catalog import DeviceEntry, DrugEntry, RequirementEntry, RigEntry, ScenarioEntry
from hil.cli.tables import make_console, print_table, wrapping_table


def _longest(names: Sequence[str]) -> int:
    return max((len(name) for name in names), default=0)


def _number(value: object) -> str:
    return f"{value:g}" if isinstance(value, (int, float)) else "-"


def scenarios_table(entries: Sequence[ScenarioEntry], caption: str | None) -> Table:
    table = wrapping_table("scenarios", ("scenario", "kind", "duration_h", "description", "requirements"),
                           _longest([e.name for e in entries]), caption)
    for e in entries:
        table.add_row(e.name, e.kind.value, _number(e.duration_h), e.description, ", ".join(e.requirement_ids))
    return table


def _device(device: DeviceEntry) -> str:
    return f"{device.role}: {device.model} at {device.address}" + (" (emulated)" if device.emulated else "")


def rigs_table(entries: Sequence[RigEntry], caption: str | None) -> Table:
    table = wrapping_table("rigs", ("rig", "clock", "devices", "max_rate_ul_per_h", "description"),
                           _longest([e.rig_id for e in entries]), caption)
    for e in entries:
        table.add_row(e.rig_id, e.clock, "\n".join(_device(d) for d in e.devices), _number(e.max_rate_ul_per_h),
                      e.description)
    return table


def requirements_table(entries: Sequence[RequirementEntry], caption: str | None) -> Table:
    table = wrapping_table("requirements (firmware_sim/requirements.py)", ("requirement", "text"),
                           _longest([e.requirement_id for e in entries]), caption)
    for e in entries:
        table.add_row(e.requirement_id, e.text)
    return table


def _setting(value: object) -> str:
    if isinstance(value, (list, tuple)):
        return ", ".join(_setting(v) for v in value) or "-"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_setting(v)}" for k, v in value.items()) or "-"
    return _number(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def drugs_table(entries: Sequence[DrugEntry], caption: str | None) -> Table:
    """One row per setting (units are in the setting names), so every limit of the library shows."""
    table = wrapping_table("drug libraries", ("library", "setting", "value"), _longest([e.name for e in entries]),
                           caption)
    for e in entries:
        for index, (key, value) in enumerate(e.limits.items()):
            table.add_row(e.name if index == 0 else "", key, _setting(value), end_section=index == len(e.limits) - 1)
    return table


TABLES: dict[str, Callable[[Sequence, str | None], Table]] = {
    "scenarios": scenarios_table,
    "rigs": rigs_table,
    "requirements": requirements_table,
    "drugs": drugs_table,
}


def print_listing(what: str, entries: Sequence, folder: Path | None) -> None:
    caption = f"from {folder / what}" if folder is not None else None
    print_table(make_console(), TABLES[what](entries, caption))
