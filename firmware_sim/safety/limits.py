"""Drug-library limits the gate enforces (loaded from bench_configs/drugs/*.yaml by hil.config.drug_library)."""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum


class Indication(str, Enum):
    """Origin of spasticity; selects the titration cap per 24 h."""

    SPINAL = "spinal"
    CEREBRAL = "cerebral"


@dataclass(frozen=True)
class DrugLimits:
    """Limits of one drug. Defaults are the intrathecal baclofen reference values (see docs/firmware.md)."""

    drug_name: str = "baclofen"
    allowed_conc_mcg_per_ml: tuple[float, ...] = (50.0, 500.0, 1000.0, 2000.0)
    screening_only_conc_mcg_per_ml: tuple[float, ...] = (50.0,)
    hard_max_daily_dose_mcg: float = 1200.0
    """[U] reference: configurable, ~1000-2000 mcg/day; label experience limited above 1000."""
    soft_max_daily_dose_mcg: float = 800.0
    """Spinal maintenance upper end; exceeding it needs a recorded override."""
    cerebral_soft_max_daily_dose_mcg: float = 703.0
    """Cerebral-origin maintenance upper end (label 90-703 mcg/day): the soft maximum of a cerebral-origin patient."""
    max_bolus_dose_mcg: float = 100.0
    min_bolus_duration_min: float = 1.0
    max_rate_mcg_per_h: float = 200.0
    titration_cap_fraction: dict[Indication, float] = field(
        default_factory=lambda: {Indication.SPINAL: 0.30, Indication.CEREBRAL: 0.15})
    pediatric_titration_cap_fraction: float | None = 0.15
    """[U] A pediatric (under 12 y) patient's titration cap, whatever the indication (the label's pediatric titration
    follows the cerebral-origin 5-15 %); the lower of it and the indication's applies. None: the indication's."""
    titration_min_interval_h: float = 24.0
    screening_min_interval_h: float = 24.0
    """A screening bolus (a clinician's bolus with the reservoir at a screening-only concentration) starts at least
    this long after the previous one (label: screening boluses at least 24 h apart)."""
    ptm_min_lockout_min: float = 60.0
    """[U] myPTM ranges not found: placeholder default."""
    ptm_max_count_per_24h: int = 8
    """[U] placeholder default."""
    ptm_max_dose_per_24h_mcg: float = 200.0
    """[U] placeholder default."""
    window_h: float = 24.0
    """The rolling window the daily limits (mcg/day) are judged on, as they are: a window longer than the label's
    24 h is not given a larger limit (48 h holds two days' doses against one day's limit: stricter)."""

    def soft_max_for_mcg(self, indication: Indication) -> float:
        """The soft maximum daily dose for a patient of this indication."""
        return self.cerebral_soft_max_daily_dose_mcg if indication is Indication.CEREBRAL \
            else self.soft_max_daily_dose_mcg

    def __post_init__(self) -> None:
        numbers = {
            "hard_max_daily_dose_mcg": self.hard_max_daily_dose_mcg,
            "soft_max_daily_dose_mcg": self.soft_max_daily_dose_mcg,
            "cerebral_soft_max_daily_dose_mcg": self.cerebral_soft_max_daily_dose_mcg,
            "max_bolus_dose_mcg": self.max_bolus_dose_mcg,
            "max_rate_mcg_per_h": self.max_rate_mcg_per_h,
            "titration_min_interval_h": self.titration_min_interval_h,
            "screening_min_interval_h": self.screening_min_interval_h,
            "ptm_max_dose_per_24h_mcg": self.ptm_max_dose_per_24h_mcg,
            "window_h": self.window_h,
        }
        for name, value in numbers.items():
            if not (math.isfinite(value) and value > 0):
                raise ValueError(f"DrugLimits.{name} must be a finite number > 0, got {value!r}")
        for name in ("soft_max_daily_dose_mcg", "cerebral_soft_max_daily_dose_mcg"):
            if getattr(self, name) > self.hard_max_daily_dose_mcg:
                raise ValueError(f"DrugLimits.{name} must not exceed hard_max_daily_dose_mcg "
                                 f"({getattr(self, name)} > {self.hard_max_daily_dose_mcg})")
        if not self.allowed_conc_mcg_per_ml or any(c <= 0 for c in self.allowed_conc_mcg_per_ml):
            raise ValueError("DrugLimits.allowed_conc_mcg_per_ml must list concentrations > 0 mcg/mL")
        unknown = set(self.screening_only_conc_mcg_per_ml) - set(self.allowed_conc_mcg_per_ml)
        if unknown:
            raise ValueError(
                f"DrugLimits.screening_only_conc_mcg_per_ml {sorted(unknown)} not in allowed_conc_mcg_per_ml"
            )
        missing = set(Indication) - set(self.titration_cap_fraction)
        if missing:
            raise ValueError(f"DrugLimits.titration_cap_fraction lacks {sorted(i.value for i in missing)}")
        non_negative = {
            "min_bolus_duration_min": self.min_bolus_duration_min,
            "ptm_min_lockout_min": self.ptm_min_lockout_min,
            **{f"titration_cap_fraction[{i.value}]": cap for i, cap in self.titration_cap_fraction.items()},
            **({"pediatric_titration_cap_fraction": self.pediatric_titration_cap_fraction}
               if self.pediatric_titration_cap_fraction is not None else {}),
            **{f"allowed_conc_mcg_per_ml[{k}]": c for k, c in enumerate(self.allowed_conc_mcg_per_ml)},
        }
        for name, value in non_negative.items():  # NaN would switch its check off: x < nan is always False
            if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
                raise ValueError(f"DrugLimits.{name} must be a finite number >= 0, got {value!r}")
        if isinstance(self.ptm_max_count_per_24h, bool) or not isinstance(self.ptm_max_count_per_24h, int) \
                or self.ptm_max_count_per_24h < 0:
            raise ValueError(f"DrugLimits.ptm_max_count_per_24h must be a whole number >= 0, "
                             f"got {self.ptm_max_count_per_24h!r}")
