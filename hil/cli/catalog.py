"""What bench_configs/ and the requirement registry hold, as typed entries for `itpump list`.

Every YAML file is loaded through its schema (the same validation `itpump check` and `itpump run` apply); a
file that does not load is reported as a problem naming the file, key and line, and the others are still listed.
"""
from __future__ import annotations

import dataclasses
import enum
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar
from collections.abc import Callable

from firmware_sim.requirements import REQUIREMENTS
from hil.config.common import emulator_reference
from hil.config.drug_library import DrugLibraryEntry
from hil.config.loading import ConfigError, load_model
from hil.config.rig import RigConfig
from hil.config.scenario import ScenarioConfig

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

HAZARD_PREFIX = "hazard-"
CONFIG_SUFFIX = ".yaml"

EntryT = TypeVar("EntryT")


class ScenarioKind(str, enum.Enum):
    """Therapy scenarios exercise treatment; hazard scenarios (named hazard-...) inject or provoke a hazard."""

    THERAPY = "therapy"
    HAZARD = "hazard"

    @classmethod
    def of(cls, scenario_name: str) -> ScenarioKind:
        return cls.HAZARD if scenario_name.startswith(HAZARD_PREFIX) else cls.THERAPY


@dataclasses.dataclass(frozen=True)
class ScenarioEntry:
    name: str
    kind: ScenarioKind
    description: str
    duration_h: float
    requirement_ids: tuple[str, ...]
    path: Path


@dataclasses.dataclass(frozen=True)
class DeviceEntry:
    role: str            # "pump" or "balance"
    model: str           # the pump driver (ne1000, grbl) or the balance protocol (mt-sics)
    address: str         # serial URL or VISA resource as configured (emulator:<name> on emulated rigs)
    emulated: bool


@dataclasses.dataclass(frozen=True)
class RigEntry:
    rig_id: str
    description: str
    clock: str
    devices: tuple[DeviceEntry, ...]
    max_rate_ul_per_h: float
    path: Path


@dataclasses.dataclass(frozen=True)
class RequirementEntry:
    requirement_id: str
    text: str


@dataclasses.dataclass(frozen=True)
class DrugEntry:
    name: str
    limits: dict
    path: Path


@dataclasses.dataclass(frozen=True)
class Listing(Generic[EntryT]):
    entries: tuple[EntryT, ...]
    problems: tuple[str, ...] = ()


def _config_files(folder: Path, nested: bool = False) -> list[Path]:
    return sorted(folder.glob(f"*{CONFIG_SUFFIX}")) + (sorted(folder.glob(f"*/*{CONFIG_SUFFIX}")) if nested else [])


def _load_each(folder: Path, load: Callable[[Path], EntryT], nested: bool = False) -> Listing[EntryT]:
    entries: list[EntryT] = []
    problems: list[str] = []
    if not folder.is_dir():
        return Listing((), (f"{folder}: folder not found (set ITPUMP_BENCH_CONFIGS to a folder with rigs/, "
                            f"scenarios/, drugs/, visa/)",))
    for path in _config_files(folder, nested):
        try:
            entries.append(load(path))
        except ConfigError as exc:
            problems.append(str(exc))
    return Listing(tuple(entries), tuple(problems))


def _scenario(path: Path) -> ScenarioEntry:
    scenario = load_model(path, ScenarioConfig)
    return ScenarioEntry(scenario.name, ScenarioKind.of(scenario.name), scenario.description, scenario.duration_h,
                         tuple(scenario.all_requirement_ids()), path)


def _rig(path: Path) -> RigEntry:
    rig = load_model(path, RigConfig)
    devices = [DeviceEntry("pump", rig.pump.driver, rig.pump.transport.url,
                           emulator_reference(rig.pump.transport.url) is not None)]
    if rig.balance is not None:
        devices.append(DeviceEntry("balance", rig.balance.protocol, rig.balance.resource,
                                   emulator_reference(rig.balance.resource) is not None))
    return RigEntry(rig.rig_id, rig.description, rig.clock, tuple(devices), rig.max_rate_ul_per_h, path)


def _drug(path: Path) -> DrugEntry:
    entry = load_model(path, DrugLibraryEntry)
    return DrugEntry(path.stem, entry.model_dump(mode="json"), path)


def list_scenarios(bench_configs: Path) -> Listing[ScenarioEntry]:
    return _load_each(bench_configs / "scenarios", _scenario, nested=True)  # with scenarios/hazards/


def list_rigs(bench_configs: Path) -> Listing[RigEntry]:
    return _load_each(bench_configs / "rigs", _rig)


def list_drugs(bench_configs: Path) -> Listing[DrugEntry]:
    return _load_each(bench_configs / "drugs", _drug)


def list_requirements() -> Listing[RequirementEntry]:
    return Listing(tuple(RequirementEntry(rid, text) for rid, text in REQUIREMENTS.items()))


def to_json(entry: DataclassInstance) -> object:
    """A JSON-ready dict of an entry: paths as strings, enums as their values."""
    def plain(value: object) -> object:
        if isinstance(value, enum.Enum):
            return value.value
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items()}
        return value

    return plain(dataclasses.asdict(entry))
