"""Firmware settings, drug limits and the physical fill of the rig's syringe, from a scenario; and the firmware's set-up
before the first step (the initial reservoir fill and the PTM settings, each approved by the firmware or refused with
its reasons)."""
from __future__ import annotations

from firmware_sim.pk.age_groups import AgeGroup
from firmware_sim.pk.envelopes import EnvelopeLimits
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pump.config import FirmwareConfig
from firmware_sim.pump.firmware import PumpFirmware
from firmware_sim.safety.exposure import ExposureLimits
from firmware_sim.safety.limits import DrugLimits, Indication
from hil.config.drug_overrides import EffectiveLimits, OverrideError, effective_limits
from hil.config.scenario import ScenarioConfig
from hil.config.scenario_steps import RefillStep


class ScenarioSetupError(ValueError):
    """The scenario cannot be turned into firmware settings; the message names the key."""


def firmware_config(scenario: ScenarioConfig) -> FirmwareConfig:
    settings = scenario.pump_settings
    try:
        return FirmwareConfig(
            indication=Indication(scenario.patient.indication),
            pediatric_patient=scenario.patient.age_group == "pediatric",
            reservoir_capacity_ul=settings.reservoir_capacity_ul,
            pump_tubing_volume_ul=settings.pump_tubing_volume_ul,
            catheter_volume_ul_per_cm=settings.catheter.volume_ul_per_cm,
            catheter_length_cm=settings.catheter.length_cm,
            supervision_period_s=scenario.supervision_period_s,
            start_time_of_day_h=scenario.start_time_of_day_h,
            low_reservoir_threshold_ul=settings.low_reservoir_threshold_ul,
            exposure_limits=ExposureLimits.of(BaclofenParams(weight_kg=scenario.patient.weight_kg), EnvelopeLimits(),
                                              AgeGroup(scenario.patient.age_group)),
        )
    except ValueError as exc:
        raise ScenarioSetupError(f"pump_settings: {exc}") from exc


def effective_drug_limits(scenario: ScenarioConfig) -> EffectiveLimits:
    """Library limits with the scenario's limits_override applied and checked, plus what was overridden."""
    try:
        return effective_limits(scenario.drug)
    except OverrideError as exc:
        raise ScenarioSetupError(str(exc)) from exc


def drug_limits(scenario: ScenarioConfig) -> DrugLimits:
    return effective_drug_limits(scenario).limits


def syringe_fill_ul(scenario: ScenarioConfig, syringe_volume_ul: float) -> float:
    """The syringe stands for the reservoir over the whole run: the initial fill plus every refill that
    reaches the reservoir. A scenario that does not fit the rig's syringe is refused, never cut short."""
    total_ul = scenario.pump_settings.reservoir_volume_ul + sum(
        step.volume_ul for step in scenario.steps if isinstance(step, RefillStep))
    if total_ul > syringe_volume_ul:
        raise ScenarioSetupError(f"the initial reservoir plus every refill is {total_ul:g} uL, more than the rig's "
                                 f"syringe.volume_ul {syringe_volume_ul:g} uL that stands for the reservoir")
    return total_ul


class SetupRejected(Exception):
    """The firmware rejected the scenario's initial fill or PTM settings (a scenario error)."""


def set_up_firmware(firmware: PumpFirmware, scenario: ScenarioConfig, limits: DrugLimits) -> None:
    """Fill the reservoir and configure the PTM as the scenario says; SetupRejected naming what was refused and why."""
    settings = scenario.pump_settings
    if settings.reservoir_volume_ul > 0:
        decision = firmware.refill(settings.reservoir_volume_ul, scenario.drug.conc_mcg_per_ml, 0.0)
        if not decision.approved:
            raise SetupRejected(f"initial fill of {settings.reservoir_volume_ul:g} uL at "
                                f"{scenario.drug.conc_mcg_per_ml:g} mcg/mL rejected: {'; '.join(decision.reasons)}")
    ptm = settings.ptm
    if ptm is None:
        return
    count = min(limits.ptm_max_count_per_24h, int(limits.ptm_max_dose_per_24h_mcg // ptm.dose_mcg))
    if count < 1:
        raise SetupRejected(
            f"pump_settings.ptm.dose_mcg {ptm.dose_mcg:g} mcg: the drug library allows "
            f"{limits.ptm_max_count_per_24h} PTM boluses and {limits.ptm_max_dose_per_24h_mcg:g} "
            f"mcg per 24 h, so not one such bolus"
        )
    decision = firmware.configure_ptm(ptm.dose_mcg, ptm.duration_min, limits.ptm_min_lockout_min, count)
    if not decision.approved:
        raise SetupRejected(f"PTM settings rejected: {'; '.join(decision.reasons)}")
