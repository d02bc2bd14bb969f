"""Drug library: bench_configs/drugs/<drug>.yaml -> firmware_sim.safety.DrugLimits.

    limits = load_drug_limits("baclofen")            # from bench_configs/drugs/
    limits = load_drug_limits(Path("my/drug.yaml"))  # any file

Unknown keys, missing keys and bad values raise ConfigError naming the file, key and line.
"""
from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator

from firmware_sim.safety.limits import DrugLimits, Indication
from hil.config.common import StrictModel
from hil.config.loading import load_model
from hil.paths import bundled


class DrugLibraryEntry(StrictModel):
    drug_name: str = Field(min_length=1)
    allowed_conc_mcg_per_ml: list[float] = Field(min_length=1)
    screening_only_conc_mcg_per_ml: list[float] = Field(default_factory=list)
    hard_max_daily_dose_mcg: float = Field(gt=0)
    soft_max_daily_dose_mcg: float = Field(gt=0)
    max_bolus_dose_mcg: float = Field(gt=0)
    min_bolus_duration_min: float = Field(ge=0)
    max_rate_mcg_per_h: float = Field(gt=0)
    titration_cap_fraction: dict[Indication, float]
    titration_min_interval_h: float = Field(gt=0)
    ptm_min_lockout_min: float = Field(ge=0)
    ptm_max_count_per_24h: int = Field(ge=0)
    ptm_max_dose_per_24h_mcg: float = Field(gt=0)
    window_h: float = Field(default=24.0, gt=0)

    @model_validator(mode="after")
    def _consistent(self) -> "DrugLibraryEntry":
        try:
            self.to_limits()
        except ValueError as exc:
            raise ValueError(str(exc).replace("DrugLimits.", "")) from None
        return self

    def to_limits(self) -> DrugLimits:
        return DrugLimits(
            drug_name=self.drug_name,
            allowed_conc_mcg_per_ml=tuple(self.allowed_conc_mcg_per_ml),
            screening_only_conc_mcg_per_ml=tuple(self.screening_only_conc_mcg_per_ml),
            hard_max_daily_dose_mcg=self.hard_max_daily_dose_mcg,
            soft_max_daily_dose_mcg=self.soft_max_daily_dose_mcg,
            max_bolus_dose_mcg=self.max_bolus_dose_mcg,
            min_bolus_duration_min=self.min_bolus_duration_min,
            max_rate_mcg_per_h=self.max_rate_mcg_per_h,
            titration_cap_fraction=dict(self.titration_cap_fraction),
            titration_min_interval_h=self.titration_min_interval_h,
            ptm_min_lockout_min=self.ptm_min_lockout_min,
            ptm_max_count_per_24h=self.ptm_max_count_per_24h,
            ptm_max_dose_per_24h_mcg=self.ptm_max_dose_per_24h_mcg,
            window_h=self.window_h,
        )


def load_drug_limits(drug_or_path: str | Path) -> DrugLimits:
    """Limits of a bundled drug (bench_configs/drugs/<name>.yaml) or of a library file."""
    return load_model(bundled("drugs", drug_or_path), DrugLibraryEntry).to_limits()
