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
"""
from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Discriminator, Field, Tag, field_validator, model_validator

from hil.config.common import Identifier, Number, RequirementIds, StrictModel, WholeNumber
from hil.config.patients import MAX_PATIENTS, VirtualPatients
from hil.emulators.fault_catalog import ALL_FAULTS

NO_FAULT = "none"
"""The fault plan that injects nothing."""
MAX_SEEDS = 10_000
MAX_PLANNED_RUNS = 100_000

CampaignName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]


class UniformHours(StrictModel):
    uniform: tuple[Number, Number] = Field(description="[lo, hi] hours; drawn per run from its seed")

    @model_validator(mode="after")
    def _ordered(self) -> "UniformHours":
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
    fault: Identifier
    at_h: Annotated[Number, Field(ge=0)] | UniformHours
    params: dict[Identifier, bool | WholeNumber | Number | str] = Field(default_factory=dict)
    requirement_ids: RequirementIds = Field(default_factory=list)

    @field_validator("fault")
    @classmethod
    def _known_fault(cls, fault: str) -> str:
        if fault not in ALL_FAULTS:  # the device's own kind is checked against each rig at load
            raise ValueError(f"unknown fault {fault!r}; known: {', '.join(sorted(ALL_FAULTS))}")
        return fault

    @property
    def label(self) -> str:
        return self.name or f"{self.device}.{self.fault}"

    @property
    def latest_h(self) -> float:
        return self.at_h if isinstance(self.at_h, float) else self.at_h.latest_h


Patients = VirtualPatients


class UnsafeWhen(StrictModel):
    """What makes a run's outcome unsafe (each read from the run's record)."""

    envelope_without_alarm: bool = Field(True, description="a PK envelope exceeded without a high-priority alarm "
                                                           "raised before it")
    beyond_hard_limits: bool = Field(True, description="a 24 h dose, bolus or rate beyond the drug library's hard "
                                                       "limits (what was approved or delivered)")
    rate_window_min: Number = Field(15.0, gt=0, le=24 * 60, description="delivered rates are judged as the dose in "
                                    "any window this long (the runner scales the delivered profile by balance "
                                    "points 15 min apart: a rate cannot be measured more finely)")
    pump_left_running: bool = Field(True, description="the pump was left running (or not shown stopped) at the end")
    scenario_expectations: Literal["all_runs", "fault_free_runs"] = Field(
        "all_runs", description="which runs must meet their scenario's expectations for exit 0: a fault injected "
                                "into a therapy scenario that expects no alarm fails it by design")


FaultPlanEntry = Annotated[
    Union[Annotated[Literal["none"], Tag("none")], Annotated[FaultPlan, Tag("plan")]],
    Discriminator(lambda value: "none" if isinstance(value, str) else "plan"),
]
"""`none` or a plan: a mapping is checked as a plan only (its errors are not mixed with the literal's)."""


class CampaignConfig(StrictModel):
    name: CampaignName
    description: str = ""
    requirement_ids: RequirementIds = Field(default_factory=list)
    scenarios: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    rigs: list[Annotated[str, Field(min_length=1)]] = Field(min_length=1)
    seeds: WholeNumber = Field(1, ge=1, le=MAX_SEEDS)
    faults: list[FaultPlanEntry] = Field(default_factory=lambda: [NO_FAULT], min_length=1)
    patients: Patients | None = None
    expect: UnsafeWhen = UnsafeWhen()

    @model_validator(mode="after")
    def _distinct(self) -> "CampaignConfig":
        for what, values in (("scenarios", self.scenarios), ("rigs", self.rigs), ("faults", self.fault_labels())):
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"{what} has duplicate entries: {', '.join(duplicates)}")
        planned = len(self.scenarios) * len(self.rigs) * len(self.faults) * self.seeds
        if planned > MAX_PLANNED_RUNS:
            raise ValueError(f"{planned} runs planned, more than {MAX_PLANNED_RUNS}")
        return self

    def fault_labels(self) -> list[str]:
        return [NO_FAULT if plan == NO_FAULT else plan.label for plan in self.faults]  # type: ignore[union-attr]
