"""One scenario step: call the firmware (or inject a fault into an emulator) and say what it decided."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from collections.abc import Callable

from firmware_sim.pump.firmware import FlexSchedule, FlexStep, PumpFirmware
from firmware_sim.safety.decision import Decision
from firmware_sim.units import H_PER_DAY, S_PER_H
from hil.adapters.balance import GravimetricReading
from hil.config.scenario_steps import InjectFaultStep, PeriodicBolusStep, RefillStep, ScenarioStep, StartFlexStep
from hil.rig import Rig
from hil.runner.physical_reservoir import PhysicalReservoir

NO_DECISION = "none"


@dataclass
class StepResult:
    decision: str
    """approved | rejected | none (waits and fault injections are not firmware commands)"""
    reasons: list[str] = field(default_factory=list)
    decision_requirement_ids: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    @staticmethod
    def of(decision: Decision, **details: Any) -> StepResult:
        return StepResult("approved" if decision.approved else "rejected", list(decision.reasons),
                          list(decision.requirement_ids), {**details, "overridden": list(decision.overridden)})


@dataclass
class StepContext:
    firmware: PumpFirmware
    rig: Rig
    reservoir: PhysicalReservoir
    weigh: Callable[[], GravimetricReading | None] | None = None
    """The balance reading at the firmware's now (None: the rig has no balance)."""


def _flex(step: StartFlexStep) -> FlexSchedule:
    return FlexSchedule(tuple(FlexStep(s.start_h_of_day, s.rate_mcg_per_day / H_PER_DAY) for s in step.schedule))


def _periodic(step: PeriodicBolusStep, fw: PumpFirmware) -> Decision:
    first_t_s = None if step.first_after_h is None else fw.now_s + step.first_after_h * S_PER_H
    return fw.setup_periodic_bolus(step.dose_mcg, step.duration_min, step.interval_h, first_t_s,
                                   step.override_soft_limits)


def _refill(step: RefillStep, ctx: StepContext) -> StepResult:
    delivered_ul = ctx.firmware.actuator_reported_volume_ul
    reading = ctx.weigh() if ctx.weigh is not None else None
    weighed_ul = reading.volume_ul if reading is not None else None
    aspirated_ul = ctx.reservoir.residual_ul(delivered_ul, weighed_ul)
    decision = ctx.firmware.refill(volume_ul=step.expected_volume_ul, conc_mcg_per_ml=step.conc_mcg_per_ml,
                                   aspirated_ul=aspirated_ul)
    if decision.approved:
        ctx.reservoir.refilled(step.volume_ul, delivered_ul, weighed_ul)
    return StepResult.of(decision, aspirated_ul=aspirated_ul, reached_reservoir_ul=step.volume_ul,
                         residual_from="balance" if weighed_ul is not None else "pump")


def _inject_fault(step: InjectFaultStep, ctx: StepContext) -> StepResult:
    ctx.rig.emulator(step.device).inject_fault(step.fault, **step.params)
    return StepResult(NO_DECISION, details={"device": step.device, "fault": step.fault.value})


def _no_command(step: object, ctx: StepContext) -> StepResult:
    return StepResult(NO_DECISION)


def _firmware(call: Callable[[Any, PumpFirmware], Decision]) -> Callable[[Any, StepContext], StepResult]:
    return lambda step, ctx: StepResult.of(call(step, ctx.firmware))


ACTIONS: dict[str, Callable[[Any, StepContext], StepResult]] = {
    "prime": _firmware(lambda s, fw: fw.prime()),
    "start_continuous": _firmware(lambda s, fw: fw.start_continuous(s.rate_mcg_per_day, s.override_soft_limits)),
    "start_flex": _firmware(lambda s, fw: fw.start_flex(_flex(s), s.override_soft_limits)),
    "change_rate": _firmware(lambda s, fw: fw.change_rate(s.rate_mcg_per_day, s.override_soft_limits)),
    "clinician_bolus": _firmware(lambda s, fw: fw.clinician_bolus(s.dose_mcg, s.duration_min)),
    "setup_periodic_bolus": _firmware(_periodic),
    "bridge_bolus": _firmware(lambda s, fw: fw.bridge_bolus(s.rate_mcg_per_day, s.override_soft_limits)),
    "ptm_press": _firmware(lambda s, fw: fw.press_ptm()),
    "stop": _firmware(lambda s, fw: fw.stop()),
    "clear_alarm": _firmware(lambda s, fw: fw.clear_alarm()),
    "refill": _refill,
    "inject_fault": _inject_fault,
    "wait": _no_command,
}
DELIVERY_ACTIONS = frozenset({"start_continuous", "start_flex", "clinician_bolus", "setup_periodic_bolus",
                              "bridge_bolus", "ptm_press"})
"""Steps that start delivery to the patient (the default start of the gravimetric window)."""


def execute_step(step: ScenarioStep, ctx: StepContext) -> StepResult:
    return ACTIONS[step.action](step, ctx)
