"""Turn a run spec into the scenario and rig files a worker runs: the fault plan becomes an inject_fault step,
the run's seed becomes the scenario seed and the seeds of the emulators that take one.

    scenario_path, rig_path = write_run_inputs(spec, folder)
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from hil.campaign.specs import derived_seed

SCENARIO_FILENAME = "scenario.yaml"
RIG_FILENAME = "rig.yaml"
DRUG_LIBRARY_FILENAME = "drug-library.yaml"
EMULATOR_SEED_MAX = 2**31 - 1


def _emulator_kinds_with_seed() -> frozenset[str]:
    from hil.devices.catalog import CATALOG

    return frozenset(entry.name for entry in CATALOG if entry.seeded)


def fault_step(fault: dict[str, Any]) -> dict[str, Any]:
    step: dict[str, Any] = {"at_h": fault["at_h"], "action": "inject_fault", "device": fault["device"],
                            "fault": fault["fault"], "note": f"campaign fault plan {fault['label']}"}
    if fault["params"]:
        step["params"] = dict(fault["params"])
    if fault["requirement_ids"]:
        step["requirement_ids"] = list(fault["requirement_ids"])
    return step


def scenario_document(spec: dict[str, Any], library_path: Path | None) -> dict[str, Any]:
    document = copy.deepcopy(spec["scenario"]["document"])
    document["seed"] = spec["seed"]
    if library_path is not None:
        document.setdefault("drug", {})["library_file"] = str(library_path)
    fault = spec.get("fault")
    if fault is not None:
        steps = document["steps"]
        position = sum(1 for step in steps if float(step["at_h"]) <= fault["at_h"])  # after steps at the same time
        steps.insert(position, fault_step(fault))
    return document


def rig_document(spec: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(spec["rig"]["document"])
    seeded = _emulator_kinds_with_seed()
    for name, emulator in (document.get("emulators") or {}).items():
        if emulator.get("kind") in seeded:
            options = emulator.setdefault("options", {}) or {}
            options["seed"] = derived_seed(spec["seed"], name) % EMULATOR_SEED_MAX
            emulator["options"] = options
    return document


def write_run_inputs(spec: dict[str, Any], folder: Path) -> tuple[Path, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    library_path = None
    if spec["scenario"].get("drug_library_document") is not None:
        library_path = folder / DRUG_LIBRARY_FILENAME
        library_path.write_text(yaml.safe_dump(spec["scenario"]["drug_library_document"], sort_keys=False))
    scenario_path, rig_path = folder / SCENARIO_FILENAME, folder / RIG_FILENAME
    scenario_path.write_text(yaml.safe_dump(scenario_document(spec, library_path), sort_keys=False))
    rig_path.write_text(yaml.safe_dump(rig_document(spec), sort_keys=False))
    return scenario_path, rig_path
