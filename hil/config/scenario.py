"""Scenario schema: a patient, a drug, pump settings, timed steps and the expectations that give the verdict."""
from __future__ import annotations

import math

from pathlib import Path
from typing import Annotated, Literal
from collections.abc import Sequence

from pydantic import Field, field_validator, model_validator

from firmware_sim.pk.age_groups import PEDIATRIC_BELOW_AGE_YEARS, age_group
from firmware_sim.pump.alarms import AlarmName
from firmware_sim.pump.states import PumpState
from firmware_sim.safety.checks import check_concentration
from firmware_sim.units import H_PER_DAY, MIN_PER_DAY, S_PER_H
from hil.config.bounds import (LABEL_MIN_AGE_YEARS, LABEL_MIN_PATIENT_WEIGHT_KG, MAX_PATIENT_WEIGHT_KG,
                               MAX_SUPERVISION_TICKS, MIN_HARNESS_SUPERVISION_PERIOD_S, MIN_PATIENT_WEIGHT_KG)
from hil.config.common import Flag, Identifier, Number, RequirementIds, StrictModel, WholeNumber
from hil.config.drug_library import Acknowledgement, acknowledgement_problems
from hil.config.drug_overrides import LimitsOverride, OverrideError, effective_limits
from hil.config.errors import LocatedProblem
from hil.config.loading import ConfigPath
from hil.config.patients import VirtualPatients
from hil.config.scenario_steps import InjectFaultStep, ScenarioStep
from hil.paths import bench_configs_dir
import itertools

MAX_SCENARIO_DURATION_H = 30 * H_PER_DAY

ScenarioName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_-]*$")]
HazardId = Annotated[str, Field(pattern=r"^HAZ-[A-Z]+-\d{3}$")]


class Patient(StrictModel):
    weight_kg: Number = Field(ge=MIN_PATIENT_WEIGHT_KG, le=MAX_PATIENT_WEIGHT_KG)
    age_group: Literal["adult", "pediatric"]
    age_years: Number = Field(ge=0, le=120)
    indication: Literal["spinal", "cerebral"]
    acknowledge_beyond_label: Acknowledgement | None = Field(
        None, description="reason for a patient outside the label's population: younger than 4 years or lighter "
                          "than LABEL_MIN_PATIENT_WEIGHT_KG (hil/config/bounds.py)")

    @model_validator(mode="after")
    def _age_matches_group(self) -> Patient:
        if age_group(self.age_years).value != self.age_group:
            raise ValueError(f"age_years {self.age_years} does not match age_group {self.age_group} "
                             f"(pediatric below {PEDIATRIC_BELOW_AGE_YEARS:g} years)")
        return self

    def label_problems(self) -> list[LocatedProblem]:
        """Outside the label's population without the acknowledgement, or acknowledged with nothing outside it (key
        paths under `patient`)."""
        found: dict[str, str] = {}
        if self.age_years < LABEL_MIN_AGE_YEARS:
            found["age_years"] = (f"{self.age_years:g} years is below the label's youngest patients "
                                  f"({LABEL_MIN_AGE_YEARS:g} years; safety and effectiveness below it not established)")
        if self.weight_kg < LABEL_MIN_PATIENT_WEIGHT_KG:
            found["weight_kg"] = (f"{self.weight_kg:g} kg is below the lightest patient of the label's age range "
                                  f"({LABEL_MIN_PATIENT_WEIGHT_KG:g} kg; an assumption: the label gives no weight)")
        return acknowledgement_problems(found, self.acknowledge_beyond_label, "patient.",
                                        "this patient is within the label's population")


class Drug(StrictModel):
    name: Identifier
    conc_mcg_per_ml: Number = Field(gt=0)
    library_file: ConfigPath | None = Field(None, description="default: bench_configs/drugs/<name>.yaml")
    limits_override: LimitsOverride = Field(
        default_factory=LimitsOverride, description="drug-library limits replaced for this scenario (DrugLimits "
                                                    "field names); recorded and shown with the verdict")
    acknowledge_beyond_label: Acknowledgement | None = Field(
        None, description="reason for an override beyond the label's range (hil/config/bounds.py)")

    def library_path(self) -> Path:
        return self.library_file or bench_configs_dir() / "drugs" / f"{self.name}.yaml"


class Catheter(StrictModel):
    length_cm: Number = Field(gt=0, le=200)
    volume_ul_per_cm: Number = Field(gt=0, le=100, description="Prometra catheter: 2.6 uL/cm")
    mixing_tanks: WholeNumber | None = Field(None, ge=1, le=10_000, description=(
        "mixing of drug and non-drug fluid in tubing and catheter as this many equal well-mixed tanks in series "
        "(dimensionless; about Peclet / 2; the spread is dead volume / sqrt(n)); null: plug flow (the default)"))


class ScenarioPtmSettings(StrictModel):
    """Patient-activated bolus programmed in the pump; lockout and daily maximum come from the drug limits."""

    dose_mcg: Number = Field(gt=0)
    duration_min: Number = Field(gt=0, le=MIN_PER_DAY)


class PumpSettings(StrictModel):
    reservoir_volume_ul: Number = Field(ge=0, description="drug in the reservoir at the start")
    reservoir_capacity_ul: Number = Field(gt=0, le=1e6)
    catheter: Catheter
    pump_tubing_volume_ul: Number = Field(ge=0, le=1e5, description="internal pump tubing dead volume [U]")
    low_reservoir_threshold_ul: Number = Field(ge=0)
    ptm: ScenarioPtmSettings | None = None

    @model_validator(mode="after")
    def _volumes_fit(self) -> PumpSettings:
        if self.reservoir_volume_ul > self.reservoir_capacity_ul:
            raise ValueError(f"reservoir_volume_ul {self.reservoir_volume_ul} exceeds reservoir_capacity_ul "
                             f"{self.reservoir_capacity_ul}")
        if self.low_reservoir_threshold_ul >= self.reservoir_capacity_ul:
            raise ValueError("low_reservoir_threshold_ul must be below reservoir_capacity_ul")
        return self


def _one_of(what: str, name: str, known: Sequence[str]) -> str:
    if name not in known:
        raise ValueError(f"unknown {what} {name!r}; known: {', '.join(sorted(known))}")
    return name


class EnvelopeExpectation(StrictModel):
    """A PK or dose envelope (named by the PK kernel / safety code) that must pass."""

    name: Identifier
    requirement_ids: RequirementIds = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _known_envelope(cls, name: str) -> str:
        from firmware_sim.pk.withdrawal import RUN_ENVELOPE_NAMES  # numpy/scipy: only when a scenario names one
        return _one_of("envelope", name, RUN_ENVELOPE_NAMES)


class AlarmExpectation(StrictModel):
    name: Identifier
    occurs: Flag = Field(description="true: must occur (in the window); false: must not occur (in the window)")
    from_h: Number = Field(0.0, ge=0)
    to_h: Number | None = Field(None, ge=0, description="end of the window; the scenario's end if omitted")
    requirement_ids: RequirementIds = Field(default_factory=list)

    @field_validator("name")
    @classmethod
    def _known_alarm(cls, name: str) -> str:
        return _one_of("alarm", name, [a.value for a in AlarmName])

    @model_validator(mode="after")
    def _window_ordered(self) -> AlarmExpectation:
        if self.to_h is not None and self.to_h < self.from_h:
            raise ValueError(f"to_h {self.to_h} is before from_h {self.from_h}")
        return self


class StateExpectation(StrictModel):
    at_h: Number = Field(ge=0)
    state: Identifier
    requirement_ids: RequirementIds = Field(default_factory=list)

    @field_validator("state")
    @classmethod
    def _known_state(cls, state: str) -> str:
        return _one_of("state", state, [s.value for s in PumpState])


class Expectations(StrictModel):
    envelopes: list[EnvelopeExpectation] = Field(default_factory=list)
    alarms: list[AlarmExpectation] = Field(default_factory=list)
    states: list[StateExpectation] = Field(default_factory=list)
    withdrawal: Literal["prevented", "caught_by_alarm", "detected_by_envelope"] | None = Field(
        None,
        description="the withdrawal envelope (SR-PK-006): no drop; a drop caught by a high-priority alarm "
        "at or before it began; or a drop only the envelope can find (hil/runner/withdrawal_check.py)",
    )


class ScenarioConfig(StrictModel):
    name: ScenarioName
    description: str = ""
    requirement_ids: RequirementIds = Field(default_factory=list)
    hazard_id: HazardId | None = Field(None, description="the hazard it provokes (firmware_sim/hazards.py)")
    cause: str = Field("", description="hazard scenarios: the cause it injects or provokes")
    expected_safe_outcome: str = Field("", description="hazard scenarios: what catches or prevents the hazard")
    duration_h: Number = Field(gt=0, le=MAX_SCENARIO_DURATION_H)
    supervision_period_s: Number = Field(60.0, ge=MIN_HARNESS_SUPERVISION_PERIOD_S, le=S_PER_H,
                                         description="bounded below by the harness (hil/config/bounds.py)")
    start_time_of_day_h: Number = Field(0.0, ge=0, lt=24, description="the pump clock's time of day at 0 h: "
                                       "where flex schedules' days begin")
    seed: WholeNumber = Field(1, ge=0, le=2**63 - 1, description="seed for population sampling and noise")
    patient: Patient
    drug: Drug
    pump_settings: PumpSettings
    steps: list[ScenarioStep] = Field(min_length=1)
    expectations: Expectations = Expectations()
    patients: VirtualPatients | None = Field(None, description="judge the delivered profile for virtual patients "
                                            "too (hil/config/patients.py): {count, seed, min_fraction_passing}")

    @field_validator("steps")
    @classmethod
    def _steps_in_time_order(cls, steps: list[ScenarioStep]) -> list[ScenarioStep]:
        times = [s.at_h for s in steps]
        for index, (a, b) in enumerate(itertools.pairwise(times), start=1):
            if b < a:
                raise ValueError(f"steps must be in time order: step {index} at_h {b} comes after at_h {a}")
        return steps

    def cross_check(self) -> list[LocatedProblem]:
        problems: list[LocatedProblem] = [(("patient", *key), why) for key, why in self.patient.label_problems()]
        for index, step in enumerate(self.steps):
            if step.at_h > self.duration_h:
                problems.append((("steps", index, "at_h"), f"at_h {step.at_h} is after duration_h {self.duration_h}"))
            if step.action == "ptm_press" and self.pump_settings.ptm is None:
                problems.append(
                    (("steps", index, "action"), "ptm_press needs pump_settings.ptm (dose_mcg, duration_min)")
                )
        for index, alarm in enumerate(self.expectations.alarms):
            if alarm.to_h is not None and alarm.to_h > self.duration_h:
                problems.append((("expectations", "alarms", index, "to_h"),
                                 f"to_h {alarm.to_h} is after duration_h {self.duration_h}"))
            elif alarm.from_h >= (alarm.to_h if alarm.to_h is not None else self.duration_h):
                end = f"to_h {alarm.to_h}" if alarm.to_h is not None else f"the end (duration_h {self.duration_h})"
                problems.append((("expectations", "alarms", index, "from_h"),
                                 f"from_h {alarm.from_h} is not before {end}: the window is empty, so the "
                                 f"expectation could judge nothing"))
        for index, state in enumerate(self.expectations.states):
            if state.at_h > self.duration_h:
                problems.append((("expectations", "states", index, "at_h"),
                                 f"at_h {state.at_h} is after duration_h {self.duration_h}"))
        if self.hazard_id is not None:
            from firmware_sim.hazards import HAZARDS
            if self.hazard_id not in HAZARDS:
                problems.append((("hazard_id",), f"unknown hazard {self.hazard_id!r} (not in firmware_sim/hazards.py)"))
        ticks = self.duration_h * S_PER_H / self.supervision_period_s
        if ticks > MAX_SUPERVISION_TICKS:
            problems.append((("supervision_period_s",), f"{ticks:.0f} supervision ticks over duration_h "
                             f"{self.duration_h:g}; the harness runs at most {MAX_SUPERVISION_TICKS}: raise "
                             "supervision_period_s to at least "
                             f"{self.duration_h * S_PER_H / MAX_SUPERVISION_TICKS:.3g} s"))
        try:
            limits = effective_limits(self.drug)  # loads and checks the library: `itpump check` sees what a run uses
        except OverrideError as exc:
            problems += exc.problems
        else:
            problems += [(("drug", "conc_mcg_per_ml"), f"{finding.reason}: the run's set-up refill would be refused "
                                                       f"[{finding.requirement_id}]")
                         for finding in check_concentration(self.drug.conc_mcg_per_ml, limits.limits)]
        return problems

    def first_fault_h(self) -> float:
        """When the first inject_fault step falls due (inf: the scenario injects none)."""
        return min((step.at_h for step in self.steps if isinstance(step, InjectFaultStep)), default=math.inf)

    def all_requirement_ids(self) -> list[str]:
        """Every requirement ID the scenario names, in first-mention order."""
        ids: list[str] = list(self.requirement_ids)
        for step in self.steps:
            ids += step.requirement_ids + (step.expect.cites_requirement_ids if step.expect else [])
        for group in (self.expectations.envelopes, self.expectations.alarms, self.expectations.states):
            for item in group:
                ids += item.requirement_ids
        return list(dict.fromkeys(ids))
