"""Campaign schema: scenarios x rigs x fault plans x seeds (x virtual patients), and what counts as unsafe.

    name: smoke
    scenarios: [campaign-short-continuous]          # bundled names or paths (relative to this file)
    rigs: [emulated-ne1000]
    seeds: 2                                        # repetitions of each scenario x rig x fault plan
    faults:
      - none
      - {device: pump, fault: stall, at_h: {uniform: [1.5, 2.5]}}
    patients: {count: 200, seed: 7}
    expect: {envelope_without_alarm: true, beyond_hard_limits: true, pump_left_running: true}

When each hazard needs its own fault plans (a plain cross product would put every fault on every scenario), the
file lists `groups:` instead of scenarios/rigs/seeds/faults; each group is such a cross product of its own, may
name the hazard it provokes, and the campaign is the union of its groups:

    groups:
      - {name: stall, hazard_id: HAZ-DEL-003, scenarios: [...], rigs: [...], seeds: 30, faults: [...]}
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from firmware_sim.hazards import HAZARDS
from firmware_sim.units import MIN_PER_DAY
from hil.config.common import Flag, Identifier, Number, RequirementIds, StrictModel, WholeNumber
from hil.config.patients import VirtualPatients
from hil.config.scenario_steps import FaultParams
from hil.emulators.fault_catalog import ALL_FAULTS
from hil.emulators.faults import Fault, parse_fault

NO_FAULT: Literal["none"] = "none"
"""The fault plan that injects nothing."""
MAX_SEEDS = 10_000
MAX_PLANNED_RUNS = 100_000

CampaignName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]


class UniformHours(StrictModel):
    uniform: tuple[Number, Number] = Field(description="[lo, hi] hours; drawn per run from its seed")

    @model_validator(mode="after")
    def _ordered(self) -> UniformHours:
        lo, hi = self.uniform
        if lo < 0 or hi < lo:
            raise ValueError(f"uniform [lo, hi] needs 0 <= lo <= hi, got [{lo:g}, {hi:g}]")
        return self

    @property
    def latest_h(self) -> float:
        return self.uniform[1]


class FaultPlan(StrictModel):
    """One fault injected per run, named as in a scenario's inject_fault step."""

    name: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_.-]*$")] | None = Field(
        None, description="label in tables and reports; default <device>.<fault>")
    device: Identifier = Field(description="emulator name in the rig's emulators: section")
    fault: Fault
    at_h: Annotated[Number, Field(ge=0)] | UniformHours
    params: FaultParams = Field(default_factory=dict)
    requirement_ids: RequirementIds = Field(default_factory=list)

    @field_validator("fault", mode="before")
    @classmethod
    def _known_fault(cls, fault: object) -> object:
        # the device's own kind is checked against each rig at load
        return parse_fault(fault, ALL_FAULTS) if isinstance(fault, str) else fault

    @property
    def label(self) -> str:
        return self.name or f"{self.device}.{self.fault}"

    @property
    def latest_h(self) -> float:
        return self.at_h if isinstance(self.at_h, float) else self.at_h.latest_h


Patients = VirtualPatients


UNSAFE_RULES = ("envelope_without_alarm", "beyond_hard_limits", "pump_left_running")
"""The unsafe rules a campaign's `expect:` switches on or off (UnsafeWhen)."""


def unsafe_rules_text(setting: Mapping[str, object]) -> str:
    """One setting of the unsafe rules as the outputs show it ("pump_left_running OFF": a rule switched off is shown
    as such, nothing unsafe found is not a check off)."""
    return ", ".join(f"{rule} {'on' if setting.get(rule) else 'OFF'}" for rule in UNSAFE_RULES)


class UnsafeWhen(StrictModel):
    """What makes a run's outcome unsafe (each read from the run's record). Each rule is switched by a YAML true or
    false only: "off", "no" or 0 are refused, never taken as false (a rule switched off by a typo hides findings)."""

    envelope_without_alarm: Flag = Field(True, description="a PK envelope exceeded without a high-priority "
                                                                 "alarm raised before it")
    beyond_hard_limits: Flag = Field(True, description="a 24 h dose, bolus or rate beyond the drug library's "
                                                             "hard limits (what was approved or delivered)")
    rate_window_min: Number = Field(15.0, gt=0, le=MIN_PER_DAY, description="delivered rates are judged as the dose in "
                                    "any window this long (the runner scales the delivered profile by balance "
                                    "points 15 min apart: a rate cannot be measured more finely)")
    pump_left_running: Flag = Field(True, description="the pump was left running (or not shown stopped) at the "
                                                            "end")
    scenario_expectations: Literal["all_runs", "fault_free_runs"] = Field(
        "all_runs", description="which runs must meet their scenario's expectations for exit 0: a fault injected "
                                "into a therapy scenario that expects no alarm fails it by design")


FaultPlanEntry = Annotated[
    Annotated[Literal["none"], Tag("none")] | Annotated[FaultPlan, Tag("plan")],
    Discriminator(lambda value: "none" if isinstance(value, str) else "plan"),
]
"""`none` or a plan: a mapping is checked as a plan only (its errors are not mixed with the literal's)."""


def _no_fault() -> list[FaultPlanEntry]:
    return [NO_FAULT]


def _duplicates(what: str, values: list[str]) -> None:
    duplicates = sorted({v for v in values if values.count(v) > 1})
    if duplicates:
        raise ValueError(f"{what} has duplicate entries: {', '.join(duplicates)}")


class RunMatrix(StrictModel):
    """Scenarios x rigs x fault plans x seeds: the whole campaign, or one of its groups."""

    scenarios: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    rigs: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    seeds: WholeNumber = Field(1, ge=1, le=MAX_SEEDS)
    faults: list[FaultPlanEntry] = Field(default_factory=_no_fault, min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> RunMatrix:
        for what, values in (("scenarios", self.scenarios), ("rigs", self.rigs), ("faults", self.fault_labels())):
            _duplicates(what, values)
        return self

    @property
    def planned_runs(self) -> int:
        return len(self.scenarios) * len(self.rigs) * len(self.faults) * self.seeds

    def fault_labels(self) -> list[str]:
        return [NO_FAULT if plan == NO_FAULT else plan.label for plan in self.faults]


class CampaignGroup(RunMatrix):
    """One group of a campaign: its own cross product, optionally naming the hazard its faults provoke."""

    name: CampaignName
    description: str = ""
    hazard_id: Annotated[str, Field(pattern=r"^HAZ-[A-Z]+-\d{3}$")] | None = Field(
        None, description="the hazard this group's faults provoke (firmware_sim/hazards.py)")

    @field_validator("hazard_id")
    @classmethod
    def _known_hazard(cls, hazard_id: str | None) -> str | None:
        if hazard_id is not None and hazard_id not in HAZARDS:
            raise ValueError(f"unknown hazard {hazard_id!r} (not in firmware_sim/hazards.py)")
        return hazard_id


MATRIX_KEYS = ("scenarios", "rigs", "seeds", "faults")


class CampaignConfig(StrictModel):
    name: CampaignName
    description: str = ""
    requirement_ids: RequirementIds = Field(default_factory=list)
    scenarios: list[Annotated[str, Field(min_length=1)]] | None = None
    rigs: list[Annotated[str, Field(min_length=1)]] | None = None
    seeds: WholeNumber = Field(1, ge=1, le=MAX_SEEDS)
    faults: list[FaultPlanEntry] = Field(default_factory=_no_fault, min_length=1)
    groups: list[CampaignGroup] | None = Field(None, min_length=1)
    patients: Patients | None = None
    expect: UnsafeWhen = UnsafeWhen()

    @model_validator(mode="after")
    def _one_form(self) -> CampaignConfig:
        if self.groups is not None:
            mixed = [key for key in MATRIX_KEYS if key in self.model_fields_set]
            if mixed:
                raise ValueError(f"{', '.join(mixed)} cannot stand beside groups: (each group lists its own)")
            _duplicates("groups", [group.name for group in self.groups])
        else:
            missing = [key for key in ("scenarios", "rigs") if getattr(self, key) is None]
            if missing:
                raise ValueError(f"{' and '.join(missing)} missing: a campaign lists scenarios and rigs, or groups")
            labels = [NO_FAULT if plan == NO_FAULT else plan.label for plan in self.faults]
            for what, values in (("scenarios", self.scenarios), ("rigs", self.rigs), ("faults", labels)):
                _duplicates(what, values)  # type: ignore[arg-type]
        planned = sum(matrix.planned_runs for _, matrix in self.matrices())
        if planned > MAX_PLANNED_RUNS:
            raise ValueError(f"{planned} runs planned, more than {MAX_PLANNED_RUNS}")
        return self

    def matrices(self) -> list[tuple[tuple[str | int, ...], RunMatrix]]:
        """(key path prefix, matrix) of every group, or ((), the campaign's own) when it has no groups."""
        if self.groups is not None:
            return [(("groups", index), group) for index, group in enumerate(self.groups)]
        return [((), RunMatrix(scenarios=self.scenarios, rigs=self.rigs, seeds=self.seeds, faults=self.faults))]
