"""PK safety envelopes: pure functions of a Prediction returning value, limit, unit, outcome, reason, IDs.

Every envelope uses the prediction's true peaks (found between samples too, see peaks.py), never
only the sampled values. Limits are configurable through EnvelopeLimits; defaults and their basis:
- plasma reduction vs oral >= 100x: label 12.1 ("100 times less"); the comparator is the maximum
  labelled oral regimen, 20 mg four times a day (80 mg/day) at steady state (oral.py), since patients
  move to intrathecal therapy after maximal oral therapy. Results name it in `comparator`.
- plasma ceiling 5 ng/mL adults (label 12.3 "0 to 5 ng/mL"), 10 ng/mL under 18 years (label:
  children 8-18 y "near or below 10 ng/mL").
- lumbar CSF peak ceiling 3000 ng/mL [A]: about 2x the peak after the largest label screening bolus
  (100 mcg -> ~1510 ng/mL), equal to the steady state of ~2160 mcg/day, above the 12-2003 mcg/day
  range of reported maintenance doses.
- cisternal CSF peak ceiling 750 ng/mL [A]: the cisternal steady state of the same ~2160 mcg/day;
  about 6.6x the cisternal peak after a 100 mcg bolus; a 1000 mcg refill-error bolus (~1100 ng/mL) fails.

Outcomes (firmware_sim.outcome): PASS or FAIL when there is an exposure to judge; NOT_EVALUATED, with
value None, when there is none: no drug (less than EnvelopeLimits.min_dose_to_evaluate_mcg, 0.1 mcg)
reached the catheter tip by the end of the prediction, or (for the ratio) no drug reached plasma, so no
finite ratio exists. A NOT_EVALUATED envelope never counts
as passed, and no PASS or FAIL carries a non-finite value.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from collections.abc import Mapping
from typing import Any

from firmware_sim.outcome import Outcome
from firmware_sim.pk.age_groups import PEDIATRIC_BELOW_AGE_YEARS, AgeGroup, age_group
from firmware_sim.pk.oral import MAXIMUM_LABELLED_ORAL_REGIMEN, OralRegimen, oral_steady_state_peak_plasma_ng_per_ml
from firmware_sim.pk.predict import Prediction

LIMIT_MAX_VALUE = 1e9
"""Upper bound of every EnvelopeLimits number (ratio, ng/mL, years): anything larger is a typo, not a limit."""


def check_limit(owner: str, name: str, value: object) -> None:
    """A limit is a finite number within (0, LIMIT_MAX_VALUE]; ValueError naming owner.name otherwise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= LIMIT_MAX_VALUE:
        raise ValueError(f"{owner}.{name} must be a finite number within (0, {LIMIT_MAX_VALUE:g}], got {value!r}")


@dataclass(frozen=True)
class EnvelopeLimits:
    plasma_reduction_min_ratio: float = 100.0
    plasma_ceiling_adult_ng_per_ml: float = 5.0
    plasma_ceiling_pediatric_ng_per_ml: float = 10.0
    pediatric_below_age_years: float = PEDIATRIC_BELOW_AGE_YEARS
    lumbar_csf_ceiling_ng_per_ml: float = 3000.0
    cisternal_csf_ceiling_ng_per_ml: float = 750.0
    min_dose_to_evaluate_mcg: float = 0.1
    """Below this much drug at the catheter tip by the end of the prediction, envelopes are NOT_EVALUATED [A]:
    0.1 mcg gives a lumbar CSF peak of ~1.5 ng/mL (~0.1 % of a 100 mcg/day steady state) and is about the
    balance noise of a gravimetric run (50 nL at 2000 mcg/mL), so a PASS on it would judge noise."""
    oral_regimen: OralRegimen = MAXIMUM_LABELLED_ORAL_REGIMEN
    """The plasma-reduction comparator (default: 20 mg four times a day); any OralRegimen can replace it."""

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if name == "oral_regimen":
                if not isinstance(value, OralRegimen):
                    raise ValueError(f"EnvelopeLimits.oral_regimen must be an OralRegimen, got {value!r}")
            else:
                check_limit("EnvelopeLimits", name, value)

    def age_group(self, age_years: float) -> AgeGroup:
        return age_group(age_years, self.pediatric_below_age_years)


@dataclass(frozen=True)
class EnvelopeResult:
    name: str
    value: float | None
    """The judged quantity (finite) for PASS and FAIL; None when NOT_EVALUATED."""
    limit: float
    unit: str
    outcome: Outcome
    reason: str
    requirement_ids: tuple[str, ...]
    details: Mapping[str, float] = field(default_factory=dict)
    comparator: str | None = None
    """What the value is compared against, where that is not the limit alone (the oral regimen of SR-PK-001)."""

    def __post_init__(self) -> None:
        if self.outcome not in (Outcome.PASS, Outcome.FAIL, Outcome.NOT_EVALUATED):
            raise ValueError(f"envelope {self.name}: outcome must be PASS, FAIL or NOT_EVALUATED, got {self.outcome!r}")
        if self.outcome is Outcome.NOT_EVALUATED:
            if self.value is not None:
                raise ValueError(f"envelope {self.name}: a NOT_EVALUATED result has no value, got {self.value!r}")
        elif self.value is None or not math.isfinite(self.value):
            raise ValueError(
                f"envelope {self.name}: a {self.outcome.value} result needs a finite value, got {self.value!r}"
            )

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASS

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "limit": self.limit, "unit": self.unit,
                "outcome": self.outcome.value, "passed": self.passed, "reason": self.reason,
                "requirement_ids": list(self.requirement_ids), "details": dict(self.details),
                "comparator": self.comparator}


ENVELOPE_NAMES = ("plasma_reduction_vs_oral", "plasma_ceiling", "lumbar_csf_ceiling", "cisternal_csf_ceiling")
"""The names evaluate_envelopes reports, in its order."""
CEILING_OUTPUTS = {"plasma_ceiling": "plasma_ng_per_ml", "lumbar_csf_ceiling": "lumbar_csf_ng_per_ml",
                   "cisternal_csf_ceiling": "cisternal_csf_ng_per_ml"}
"""Each ceiling envelope and the predicted output whose peak it judges."""


def _peak(prediction: Prediction, output: str) -> tuple[float, float]:
    peak = prediction.peaks[output]
    if not (math.isfinite(peak.value) and math.isfinite(peak.t_h)):
        raise ValueError(f"prediction peak {output} is not finite (value {peak.value!r} at t_h {peak.t_h!r}): "
                         f"the prediction is invalid and cannot be judged")
    return peak.value, peak.t_h


def _nothing_delivered(prediction: Prediction, limits: EnvelopeLimits, name: str, limit: float, unit: str,
                       ids: tuple[str, ...], comparator: str | None = None) -> EnvelopeResult | None:
    """A NOT_EVALUATED result when (almost) no drug reached the catheter tip by the end of the prediction, else None."""
    end_h = float(prediction.t_h[-1])
    dose_mcg = prediction.profile.dose_until_mcg(end_h)
    minimum = limits.min_dose_to_evaluate_mcg
    if dose_mcg >= minimum:
        return None
    reason = (f"not evaluated: no drug reached the catheter tip by t={end_h:.3f} h ({dose_mcg:.4g} mcg, "
              f"below the {minimum:g} mcg an envelope needs)")
    return EnvelopeResult(name, None, limit, unit, Outcome.NOT_EVALUATED, reason, ids,
                          {"delivered_mcg": float(dose_mcg)}, comparator)


def _ceiling(prediction: Prediction, limits: EnvelopeLimits, output: str, name: str, limit: float, what: str,
             ids: tuple[str, ...]) -> EnvelopeResult:
    unit = "ng_per_ml"
    skipped = _nothing_delivered(prediction, limits, name, limit, unit, ids)
    if skipped is not None:
        return skipped
    value, t_h = _peak(prediction, output)
    ok = value <= limit
    relation = "within" if ok else "exceeds"
    reason = f"peak {what} {value:.4g} ng/mL at t={t_h:.3f} h {relation} the ceiling {limit:.4g} ng/mL"
    return EnvelopeResult(
        name, value, limit, unit, Outcome.PASS if ok else Outcome.FAIL, reason, ids, {"peak_t_h": t_h}
    )


def plasma_reduction_envelope(prediction: Prediction, limits: EnvelopeLimits | None = None) -> EnvelopeResult:
    """Ratio of the oral comparator's steady-state peak plasma to the intrathecal peak plasma."""
    limits = limits or EnvelopeLimits()
    name, minimum, ids = "plasma_reduction_vs_oral", limits.plasma_reduction_min_ratio, ("SR-PK-001", "SR-PK-005")
    regimen = limits.oral_regimen
    comparator = regimen.description
    skipped = _nothing_delivered(prediction, limits, name, minimum, "ratio", ids, comparator)
    if skipped is not None:
        return skipped
    oral_peak = oral_steady_state_peak_plasma_ng_per_ml(prediction.params, regimen)
    it_peak, _ = _peak(prediction, "plasma_ng_per_ml")
    details = {"oral_peak_plasma_ng_per_ml": oral_peak, "intrathecal_peak_plasma_ng_per_ml": it_peak}
    comparison = f"{comparator} (F {regimen.bioavailability_fraction:g}) peaks at {oral_peak:.4g} ng/mL"
    ratio = oral_peak / it_peak if it_peak > 0 else math.inf
    if not math.isfinite(ratio):
        reason = (f"not evaluated: {comparison}, but no drug reached plasma by t={float(prediction.t_h[-1]):.3f} h "
                  f"(intrathecal peak plasma {it_peak:.4g} ng/mL), so there is no finite ratio")
        return EnvelopeResult(name, None, minimum, "ratio", Outcome.NOT_EVALUATED, reason, ids, details, comparator)
    ok = ratio >= minimum
    reason = (f"{comparison}, intrathecal peak plasma {it_peak:.4g} ng/mL: ratio {ratio:.4g} "
              f"{'>=' if ok else '<'} {minimum:g}")
    return EnvelopeResult(name, ratio, minimum, "ratio", Outcome.PASS if ok else Outcome.FAIL, reason, ids, details,
                          comparator)


def plasma_ceiling_envelope(prediction: Prediction, age_group: AgeGroup = AgeGroup.ADULT,
                            limits: EnvelopeLimits | None = None) -> EnvelopeResult:
    limits = limits or EnvelopeLimits()
    limit = (limits.plasma_ceiling_pediatric_ng_per_ml if age_group is AgeGroup.PEDIATRIC
             else limits.plasma_ceiling_adult_ng_per_ml)
    return _ceiling(prediction, limits, CEILING_OUTPUTS["plasma_ceiling"], "plasma_ceiling", limit,
                    f"plasma ({age_group.value})", ("SR-PK-002", "SR-PK-005"))


def lumbar_csf_envelope(prediction: Prediction, limits: EnvelopeLimits | None = None) -> EnvelopeResult:
    limits = limits or EnvelopeLimits()
    return _ceiling(prediction, limits, CEILING_OUTPUTS["lumbar_csf_ceiling"], "lumbar_csf_ceiling",
                    limits.lumbar_csf_ceiling_ng_per_ml,
                    "lumbar CSF", ("SR-PK-003", "SR-PK-005"))


def cisternal_csf_envelope(prediction: Prediction, limits: EnvelopeLimits | None = None) -> EnvelopeResult:
    limits = limits or EnvelopeLimits()
    return _ceiling(prediction, limits, CEILING_OUTPUTS["cisternal_csf_ceiling"], "cisternal_csf_ceiling",
                    limits.cisternal_csf_ceiling_ng_per_ml, "cisternal CSF", ("SR-PK-004", "SR-PK-005"))


def evaluate_envelopes(prediction: Prediction, age_group: AgeGroup = AgeGroup.ADULT,
                       limits: EnvelopeLimits | None = None) -> tuple[EnvelopeResult, ...]:
    """All PK envelopes, in a fixed order (combine their outcomes with firmware_sim.outcome.combine)."""
    return (
        plasma_reduction_envelope(prediction, limits),
        plasma_ceiling_envelope(prediction, age_group, limits),
        lumbar_csf_envelope(prediction, limits),
        cisternal_csf_envelope(prediction, limits),
    )
