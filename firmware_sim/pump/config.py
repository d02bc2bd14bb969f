"""Firmware settings of one pump and patient (not drug limits: those are safety.DrugLimits)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from firmware_sim.safety.exposure import ExposureLimits
from firmware_sim.safety.limits import Indication
from firmware_sim.units import S_PER_H, S_PER_YEAR

MIN_SUPERVISION_PERIOD_S = 1.0
"""Shorter periods are no pump's supervision, and far shorter ones stop the tick time from advancing."""


@dataclass(frozen=True)
class FirmwareConfig:
    indication: Indication = Indication.SPINAL
    pediatric_patient: bool = False
    """The patient is a child (the drug library's pediatric titration cap applies)."""
    reservoir_capacity_ul: float = 20000.0
    """SynchroMed II 8637-20 (a 40 mL model exists)."""
    pump_tubing_volume_ul: float = 200.0
    """[U] internal pump tubing volume (not found in retrievable manuals): placeholder."""
    catheter_volume_ul_per_cm: float = 2.6
    """Prometra manual: 0.0026 mL/cm."""
    catheter_length_cm: float = 110.0
    priming_rate_ul_per_h: float = 1000.0
    """[U] placeholder."""
    max_actuator_rate_ul_per_h: float = 1000.0
    """[U] SynchroMed II 0.048-24 mL/day programmable range; 1 mL/h upper bound."""
    supervision_period_s: float = 60.0
    delivery_tolerance_fraction: float = 0.145
    """SynchroMed II accuracy band +-14.5 %."""
    delivery_tolerance_floor_ul: float = 1.0
    """Absolute slack so that tiny volumes early in a supervision window do not alarm."""
    supervision_window_s: float = 3600.0
    """Delivered and commanded volumes are compared cumulatively over windows of this length."""
    low_reservoir_threshold_ul: float = 2000.0
    """[U] low-reservoir alarm setting (KSU PCA spec 1 mL, Prometra refill projection 3.0 mL)."""
    refill_mismatch_tolerance_ul: float = 1000.0
    """Maino 2017: > 1 mL (20 mL pump) between expected and measured volume is consequential."""
    elective_replacement_at_s: float | None = 7.0 * S_PER_YEAR
    """[U] battery elective-replacement indicator time (labelled longevity ~7 y unconfirmed); None disables."""
    start_time_of_day_h: float = 0.0
    """The pump clock's time of day when the firmware clock reads 0 (0 <= h < 24): where flex schedules' days begin."""
    exposure_limits: ExposureLimits | None = field(default_factory=ExposureLimits)
    """The patient model and ceilings the gate predicts every delivering request against (SR-DOSE-008; default: a
    typical 70 kg adult, the default envelope ceilings); None: no predicted-exposure check."""

    def __post_init__(self) -> None:
        positive = ("reservoir_capacity_ul", "catheter_length_cm", "priming_rate_ul_per_h",
                    "max_actuator_rate_ul_per_h", "supervision_period_s", "delivery_tolerance_fraction",
                    "supervision_window_s")
        non_negative = ("pump_tubing_volume_ul", "catheter_volume_ul_per_cm", "delivery_tolerance_floor_ul",
                        "low_reservoir_threshold_ul", "refill_mismatch_tolerance_ul")
        for name in positive + non_negative:
            value = getattr(self, name)
            if not (isinstance(value, (int, float)) and math.isfinite(value)) or value < 0 or (
                    name in positive and value == 0):
                bound = "> 0" if name in positive else ">= 0"
                raise ValueError(f"FirmwareConfig.{name} must be a finite number {bound}, got {value!r}")
        if self.supervision_period_s < MIN_SUPERVISION_PERIOD_S:
            raise ValueError(f"FirmwareConfig.supervision_period_s must be >= {MIN_SUPERVISION_PERIOD_S:g} s, "
                             f"got {self.supervision_period_s!r}")
        if self.dead_volume_ul <= 0:
            raise ValueError("FirmwareConfig: pump tubing plus catheter volume must be > 0 uL")
        start_h = self.start_time_of_day_h
        if isinstance(start_h, bool) or not (isinstance(start_h, (int, float)) and math.isfinite(start_h)
                                             and 0.0 <= start_h < 24.0):
            raise ValueError(f"FirmwareConfig.start_time_of_day_h must be a number 0 <= h < 24, got {start_h!r}")
        eri_s = self.elective_replacement_at_s
        if eri_s is not None and not (isinstance(eri_s, (int, float)) and math.isfinite(eri_s) and eri_s > 0):
            raise ValueError(f"FirmwareConfig.elective_replacement_at_s must be a finite number > 0 or None, "
                             f"got {eri_s!r}")

    @property
    def midnight_s(self) -> float:
        """The firmware clock time of the first midnight at or before the clock's start."""
        return -self.start_time_of_day_h * S_PER_H

    @property
    def dead_volume_ul(self) -> float:
        """Pump tubing plus implanted catheter: what priming fills and what a bridge bolus pushes out."""
        return self.pump_tubing_volume_ul + self.catheter_volume_ul_per_cm * self.catheter_length_cm
