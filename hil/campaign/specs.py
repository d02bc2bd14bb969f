"""Expand a campaign into run specs with stable identities.

A run spec is plain JSON data: the scenario and rig documents (as loaded, environment substituted), the fault
drawn for this run (time drawn from the run's seed), the repetition and its seed, the virtual patients and the
unsafe rules. Its identity is the sha256 of its canonical JSON, so a campaign folder can be resumed (a run
whose identity has a finished line is never run again) and two campaign folders can be merged.
"""
from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from typing import Any

from firmware_sim.pk.population_bounds import DEFAULT_MIN_FRACTION_PASSING
from hil.campaign.config import NO_FAULT, FaultPlan, UniformHours
from hil.campaign.loading import LoadedCampaign, Referenced
from hil.config.patients import VirtualPatients
from hil.config.loading import load_yaml
from hil.config.scenario import ScenarioConfig

FAULT_TIME_DECIMAL_DIGITS = 4
"""Drawn fault times are rounded to 0.0001 h (0.36 s) so that the scenario file states them exactly."""


def canonical_json(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False)


def identity_of(spec: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(spec).encode("ascii")).hexdigest()


def derived_seed(*parts: object) -> int:
    """A 63-bit seed from labels (stable across Python versions and machines)."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


@dataclass(frozen=True)
class PlannedRun:
    index: int
    run_id: str
    spec: dict[str, Any]

    @property
    def label(self) -> str:
        """Folder name: index, scenario, rig, fault plan, repetition (the identity makes it unique anyway)."""
        s = self.spec
        return (f"{self.index:04d}-{s['scenario']['name']}-{s['rig']['rig_id']}-{s['fault_plan']}-"
                f"r{s['repetition']}")[:120]

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "run_id": self.run_id, "spec": self.spec}


def _document(reference: Referenced[Any]) -> dict[str, Any]:
    data = load_yaml(reference.path).data  # environment substituted as the loaders saw it
    return data if isinstance(data, dict) else {}


def _scenario_part(reference: Referenced[ScenarioConfig]) -> dict[str, Any]:
    document = _document(reference)
    library = reference.config.drug.library_file
    part: dict[str, Any] = {"entry": reference.entry, "name": reference.config.name,
                            "document": document, "drug_library_document": None}
    if library is not None:  # shipped with the spec: a worker has no access to this machine's files
        part["drug_library_document"] = load_yaml(library).data
    return part


def _fault(plan: FaultPlan, seed: int) -> dict[str, Any]:
    if isinstance(plan.at_h, UniformHours):
        lo, hi = plan.at_h.uniform
        at_h = round(random.Random(seed).uniform(lo, hi), FAULT_TIME_DECIMAL_DIGITS)
        at_h = min(max(at_h, lo), hi)
    else:
        at_h = plan.at_h
    return {"label": plan.label, "device": plan.device, "fault": plan.fault.value, "at_h": at_h,
            "params": dict(plan.params), "requirement_ids": list(plan.requirement_ids)}


def _patients_part(patients: VirtualPatients | None) -> dict[str, Any] | None:
    """The run spec's virtual patients; min_fraction_passing only when set to other than its default, so the
    identities of runs planned before it existed do not change."""
    if patients is None:
        return None
    part = patients.model_dump()
    if part["min_fraction_passing"] == DEFAULT_MIN_FRACTION_PASSING:
        del part["min_fraction_passing"]
    return part


def expand(campaign: LoadedCampaign) -> list[PlannedRun]:
    """Every run of the campaign, in a fixed order: group, scenario, rig, fault plan, repetition.

    A grouped campaign's specs also carry the group's name and hazard (and the group's name is in each seed, so two
    groups with the same scenario, rig and fault plan draw different times); an ungrouped campaign's specs do not,
    so their identities are those of campaigns written before groups existed."""
    config = campaign.config
    runs: list[PlannedRun] = []
    patients = _patients_part(config.patients)
    expect = config.expect.model_dump()
    for group in campaign.groups:
        grouping = {} if group.name is None else {"group": group.name, "hazard_id": group.hazard_id}
        for scenario in group.scenarios:
            scenario_part = _scenario_part(scenario)
            for rig in group.rigs:
                rig_part = {"entry": rig.entry, "rig_id": rig.config.rig_id, "clock": rig.config.clock,
                            "document": _document(rig)}
                for plan, label in zip(group.matrix.faults, group.matrix.fault_labels()):
                    for repetition in range(group.matrix.seeds):
                        seed = derived_seed(config.name, *([group.name] if group.name else []),
                                            scenario_part["name"], rig_part["rig_id"], label, repetition)
                        fault = None if plan == NO_FAULT else _fault(plan, seed)
                        spec = {"campaign": config.name, **grouping, "scenario": scenario_part, "rig": rig_part,
                                "fault_plan": label, "fault": fault, "repetition": repetition, "seed": seed,
                                "patients": patients, "expect": expect}
                        runs.append(PlannedRun(len(runs), identity_of(spec), spec))
    return runs
