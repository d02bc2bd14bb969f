"""PK safety envelopes: pure functions of a Prediction returning value, limit, unit, verdict, reason, IDs.

Every envelope uses the prediction's true peaks (found between samples too, see peaks.py), never
only the sampled values. Limits are configurable through EnvelopeLimits; defaults and their basis:
- plasma reduction vs oral >= 100x: label 12.1 ("100 times less"); oral regimen 20 mg every 8 h.
- plasma ceiling 5 ng/mL adults (label 12.3 "0 to 5 ng/mL"), 10 ng/mL under 18 years (label:
  children 8-18 y "near or below 10 ng/mL").
- lumbar CSF peak ceiling 3000 ng/mL [A]: about 2x the peak after the largest label screening bolus
  (100 mcg -> ~1510 ng/mL), equal to the steady state of ~2160 mcg/day, above the 12-2003 mcg/day
  range of reported maintenance doses.
- cisternal CSF peak ceiling 750 ng/mL [A]: the cisternal steady state of the same ~2160 mcg/day;
  about 6.6x the cisternal peak after a 100 mcg bolus; a 1000 mcg refill-error bolus (~1100 ng/mL) fails.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Mapping

from firmware_sim.pk.age_groups import PEDIATRIC_BELOW_AGE_YEARS, AgeGroup, age_group
from firmware_sim.pk.oral import OralRegimen, oral_steady_state_peak_plasma_ng_per_ml
from firmware_sim.pk.predict import Prediction


class Verdict(str, Enum):
    PASS = "PASS"
    FAIL = "FAIL"


@dataclass(frozen=True)
class EnvelopeLimits:
    plasma_reduction_min_ratio: float = 100.0
    plasma_ceiling_adult_ng_per_ml: float = 5.0
    plasma_ceiling_pediatric_ng_per_ml: float = 10.0
    pediatric_below_age_years: float = PEDIATRIC_BELOW_AGE_YEARS
    lumbar_csf_ceiling_ng_per_ml: float = 3000.0
    cisternal_csf_ceiling_ng_per_ml: float = 750.0
    oral_regimen: OralRegimen = field(default_factory=OralRegimen)

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if name != "oral_regimen" and not value > 0:
                raise ValueError(f"EnvelopeLimits.{name} must be > 0, got {value}")

    def age_group(self, age_years: float) -> AgeGroup:
        return age_group(age_years, self.pediatric_below_age_years)


@dataclass(frozen=True)
class EnvelopeResult:
    name: str
    value: float
    limit: float
    unit: str
    verdict: Verdict
    reason: str
    requirement_ids: tuple[str, ...]
    details: Mapping[str, float] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.verdict is Verdict.PASS

    def to_dict(self) -> dict:
        return {"name": self.name, "value": self.value, "limit": self.limit, "unit": self.unit,
                "verdict": self.verdict.value, "reason": self.reason,
                "requirement_ids": list(self.requirement_ids), "details": dict(self.details)}


ENVELOPE_NAMES = ("plasma_reduction_vs_oral", "plasma_ceiling", "lumbar_csf_ceiling", "cisternal_csf_ceiling")
"""The names evaluate_envelopes reports, in its order."""


def _ceiling(name: str, value: float, t_h: float, limit: float, unit: str, what: str, ids: tuple[str, ...]) -> EnvelopeResult:
    ok = value <= limit
    relation = "within" if ok else "exceeds"
    shown_unit = unit.replace('_per_ml', '/mL')
    reason = f"peak {what} {value:.4g} {shown_unit} at t={t_h:.3f} h {relation} the ceiling {limit:.4g} {shown_unit}"
    return EnvelopeResult(name, value, limit, unit, Verdict.PASS if ok else Verdict.FAIL, reason, ids, {"peak_t_h": t_h})


def plasma_reduction_envelope(prediction: Prediction, limits: EnvelopeLimits | None = None) -> EnvelopeResult:
    """Ratio of the oral reference regimen's steady-state peak plasma to the intrathecal peak plasma."""
    limits = limits or EnvelopeLimits()
    regimen = limits.oral_regimen
    oral_peak = oral_steady_state_peak_plasma_ng_per_ml(prediction.params, regimen)
    it_peak = prediction.peaks["plasma_ng_per_ml"].value
    ratio = oral_peak / it_peak if it_peak > 0 else float("inf")
    ok = ratio >= limits.plasma_reduction_min_ratio
    reason = (f"oral {regimen.dose_mg:g} mg every {regimen.interval_h:g} h (F {regimen.bioavailability_fraction:g}) "
              f"peaks at {oral_peak:.4g} ng/mL, intrathecal peak plasma {it_peak:.4g} ng/mL: ratio {ratio:.4g} "
              f"{'>=' if ok else '<'} {limits.plasma_reduction_min_ratio:g}")
    return EnvelopeResult("plasma_reduction_vs_oral", ratio, limits.plasma_reduction_min_ratio, "ratio",
                          Verdict.PASS if ok else Verdict.FAIL, reason, ("SR-PK-001", "SR-PK-005"),
                          {"oral_peak_plasma_ng_per_ml": oral_peak, "intrathecal_peak_plasma_ng_per_ml": it_peak})


def plasma_ceiling_envelope(prediction: Prediction, age_group: AgeGroup = AgeGroup.ADULT,
                            limits: EnvelopeLimits | None = None) -> EnvelopeResult:
    limits = limits or EnvelopeLimits()
    limit = (limits.plasma_ceiling_pediatric_ng_per_ml if age_group is AgeGroup.PEDIATRIC
             else limits.plasma_ceiling_adult_ng_per_ml)
    peak = prediction.peaks["plasma_ng_per_ml"]
    return _ceiling("plasma_ceiling", peak.value, peak.t_h, limit, "ng_per_ml", f"plasma ({age_group.value})", ("SR-PK-002", "SR-PK-005"))


def lumbar_csf_envelope(prediction: Prediction, limits: EnvelopeLimits | None = None) -> EnvelopeResult:
    limits = limits or EnvelopeLimits()
    peak = prediction.peaks["lumbar_csf_ng_per_ml"]
    return _ceiling("lumbar_csf_ceiling", peak.value, peak.t_h, limits.lumbar_csf_ceiling_ng_per_ml,
                    "ng_per_ml", "lumbar CSF", ("SR-PK-003", "SR-PK-005"))


def cisternal_csf_envelope(prediction: Prediction, limits: EnvelopeLimits | None = None) -> EnvelopeResult:
    limits = limits or EnvelopeLimits()
    peak = prediction.peaks["cisternal_csf_ng_per_ml"]
    return _ceiling("cisternal_csf_ceiling", peak.value, peak.t_h, limits.cisternal_csf_ceiling_ng_per_ml,
                    "ng_per_ml", "cisternal CSF", ("SR-PK-004", "SR-PK-005"))


def evaluate_envelopes(prediction: Prediction, age_group: AgeGroup = AgeGroup.ADULT,
                       limits: EnvelopeLimits | None = None) -> tuple[EnvelopeResult, ...]:
    """All PK envelopes, in a fixed order."""
    return (
        plasma_reduction_envelope(prediction, limits),
        plasma_ceiling_envelope(prediction, age_group, limits),
        lumbar_csf_envelope(prediction, limits),
        cisternal_csf_envelope(prediction, limits),
    )
