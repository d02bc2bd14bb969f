"""Timed scenario steps: `at_h` plus exactly one `action`, each with its own optional expectation.

    - {at_h: 0.0, action: prime}
    - {at_h: 2.0, action: start_continuous, rate_mcg_per_day: 400,
       requirement_ids: [SR-DOSE-1], expect: {decision: approved}}
"""
from __future__ import annotations

from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, Field, field_validator

from firmware_sim.units import MIN_PER_DAY
from hil.config.common import Flag, Identifier, Number, RequirementIds, StrictModel, WholeNumber
from hil.emulators.fault_catalog import ALL_FAULTS
from hil.emulators.faults import Fault, parse_fault
import itertools


class StepExpectation(StrictModel):
    """What the firmware's safety gate must decide for this step."""

    decision: Literal["approved", "rejected"]
    cites_requirement_ids: RequirementIds = Field(default_factory=list,
                                                  description="the decision must name these IDs")
    reason_contains: str | None = None


class _StepBase(StrictModel):
    at_h: Number = Field(ge=0)
    requirement_ids: RequirementIds = Field(default_factory=list)
    expect: StepExpectation | None = None
    note: str = ""


class _ProgramStepBase(_StepBase):
    override_soft_limits: Flag = Field(False, description="confirm the soft-limit alerts (the soft maximum, the "
                                       "plasma ceiling of the predicted-exposure check) as a clinician does; the "
                                       "decision records what was overridden. Hard limits refuse whatever this says")


class PrimeStep(_StepBase):
    action: Literal["prime"]


class StartContinuousStep(_ProgramStepBase):
    action: Literal["start_continuous"]
    rate_mcg_per_day: Number = Field(gt=0)


class FlexRateStep(StrictModel):
    start_h_of_day: Number = Field(ge=0, lt=24)
    rate_mcg_per_day: Number = Field(ge=0)


class StartFlexStep(_ProgramStepBase):
    action: Literal["start_flex"]
    schedule: list[FlexRateStep] = Field(min_length=1, max_length=int(MIN_PER_DAY))

    @field_validator("schedule")
    @classmethod
    def _daily_schedule(cls, schedule: list[FlexRateStep]) -> list[FlexRateStep]:
        starts = [s.start_h_of_day for s in schedule]
        if starts[0] != 0:
            raise ValueError("the first flex step must start at start_h_of_day: 0")
        if any(b <= a for a, b in itertools.pairwise(starts)):
            raise ValueError(f"start_h_of_day must increase strictly, got {starts}")
        return schedule


class ClinicianBolusStep(_StepBase):
    action: Literal["clinician_bolus"]
    dose_mcg: Number = Field(gt=0)
    duration_min: Number = Field(gt=0, le=MIN_PER_DAY)


class PeriodicBolusStep(_ProgramStepBase):
    """Set up a bolus repeated every interval_h (each run is gated again when it falls due)."""

    action: Literal["setup_periodic_bolus"]
    dose_mcg: Number = Field(gt=0)
    duration_min: Number = Field(gt=0, le=MIN_PER_DAY)
    interval_h: Number = Field(gt=0)
    first_after_h: Number | None = Field(None, ge=0, description="hours from this step to the first run; "
                                         "default: one interval")


class BridgeBolusStep(_ProgramStepBase):
    """After a refill with a new concentration: push the old drug out of tubing and catheter."""

    action: Literal["bridge_bolus"]
    rate_mcg_per_day: Number | None = Field(
        None, gt=0, description="program after the bridge; default: the current one"
    )


class PtmPressStep(_StepBase):
    action: Literal["ptm_press"]


class RefillStep(_StepBase):
    action: Literal["refill"]
    volume_ul: Number = Field(gt=0, description="volume that reaches the reservoir")
    conc_mcg_per_ml: Number = Field(gt=0)
    expected_volume_ul: Number = Field(gt=0, description="volume the clinician injected and expects in the reservoir")


class ChangeRateStep(_ProgramStepBase):
    action: Literal["change_rate"]
    rate_mcg_per_day: Number = Field(gt=0)


def _not_scheduled_by_params(params: dict[str, object]) -> dict[str, object]:
    if "at_s" in params:
        raise ValueError("at_s is not a fault parameter here: the fault is injected at its at_h (at_s schedules a "
                         "fault only on the command line, `itpump emulate --fault NAME:at_s=...`)")
    return params


FaultParams = Annotated[dict[Identifier, bool | WholeNumber | Number | str], AfterValidator(_not_scheduled_by_params)]
"""A fault's parameters, as its emulator takes them (checked against the rig's emulator at load); its time is the
step's or the fault plan's at_h."""


class InjectFaultStep(_StepBase):
    action: Literal["inject_fault"]
    device: Identifier = Field(description="emulator name in the rig's emulators: section")
    fault: Fault
    params: FaultParams = Field(default_factory=dict)

    @field_validator("fault", mode="before")
    @classmethod
    def _known_fault(cls, fault: object) -> object:
        # the device's own kind is checked against the rig by the runner
        return parse_fault(fault, ALL_FAULTS) if isinstance(fault, str) else fault


class ClearAlarmStep(_StepBase):
    """Clears every latched alarm whose cause is gone (the firmware clears alarms together)."""

    action: Literal["clear_alarm"]


class StopStep(_StepBase):
    """Stop delivery (needed before a refill)."""

    action: Literal["stop"]


class WaitStep(_StepBase):
    """Run on to at_h without a command (a checkpoint with its own requirement IDs)."""

    action: Literal["wait"]


ScenarioStep = Annotated[
    PrimeStep | StartContinuousStep | StartFlexStep | ClinicianBolusStep | PeriodicBolusStep | BridgeBolusStep
    | PtmPressStep | RefillStep | ChangeRateStep | InjectFaultStep | ClearAlarmStep | StopStep | WaitStep,
    Field(discriminator="action"),
]

ACTIONS: tuple[str, ...] = tuple(get_args(step.model_fields["action"].annotation)[0]
                                 for step in get_args(get_args(ScenarioStep)[0]))
"""The action names, from the step types' discriminators."""


def step_params(step: _StepBase) -> dict[str, object]:
    """The action's own parameters (for records), without the common fields."""
    common = set(_StepBase.model_fields) | {"action"}
    return step.model_dump(exclude=common, mode="json")
