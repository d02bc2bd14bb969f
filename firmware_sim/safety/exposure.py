"""The predicted-exposure check [SR-DOSE-008]: the dose limits alone let through deliveries the PK envelopes then
fail (twelve 100 mcg boluses back to back, each within the bolus and rate limits and 1200 mcg within the 24 h
window, give a lumbar CSF peak of about 6000 ng/mL against the 3000 ceiling; a first flex program of 800 mcg/day
given in 4 h about 5400). So every delivering request is also judged on the levels it leads to: the patient model
(the patient's weight, typical parameters otherwise) predicts the lumbar CSF, cisternal CSF and plasma levels from
the delivered history and the plan, with the exact PK kernel, the plan taken at the top of the supervision band
(a pump that fast raises no alarm). A request is refused when, at some moment, the level with it would be above its
envelope ceiling and above the level at that moment without it (the therapy running now): a CSF ceiling always,
the plasma ceiling unless an acknowledged override takes it (it is the label's observed range, which doses the
label allows can pass at steady state). So a level the history already takes above a ceiling (a refill error)
refuses what would keep it there longer or raise it, never a cut.

Levels are compared at samples: every SAMPLE_STEP_H from now and every rate change of either plan (where a level fed
by that rate tops out). Between samples a level cannot rise far above them (the slower levels' tops are flat, a
test keeps the difference under SAMPLING_MARGIN_FRACTION), so a level counts as above its ceiling from
(1 - SAMPLING_MARGIN_FRACTION) of it. The history is averaged over HISTORY_BIN_S bins (dose kept exactly): the CSF
half-life is about 1.5 h, so the levels it gives differ from the tick-by-tick history by far less than that.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from collections.abc import Sequence
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from firmware_sim.pk.age_groups import AgeGroup
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
from firmware_sim.safety.decision import Finding
from firmware_sim.safety.window import DoseHistory, RatePiece
from firmware_sim.units import S_PER_DAY, S_PER_H

if TYPE_CHECKING:  # the kernel (scipy) loads at the first check, not with the firmware's settings
    from firmware_sim.pk.envelopes import EnvelopeLimits
    from firmware_sim.pk.model import LinearSystem

HISTORY_BIN_S = 600.0
EXPOSURE_PLAN_S = 4.0 * S_PER_DAY
"""The plans are judged over four days from now: plasma reaches 99.9 % of its steady state in about 41 h, so a
repeating daily pattern (flex steps, periodic boluses) shows its highest levels within them; the window check's two
days showed a flex peak hour with two periodic runs, not its steady state."""
TAIL_AFTER_PLAN_H = 24.0
"""The prediction runs this long past the plan's end: the plasma peak of a bolus comes hours after it."""
SAMPLE_STEP_H = 1.0 / 12.0
SAMPLING_MARGIN_FRACTION = 1e-3
RAISE_REL_TOLERANCE = SAMPLING_MARGIN_FRACTION
"""A level with the request above the level without it by more than this fraction is raised by the request (less is
within the samples' own accuracy: the tail of a small bolus days later)."""


class Ceiling(NamedTuple):
    """One judged level: the PK output, how findings name it, its ceiling, and whether an override may pass it."""
    output: str
    what: str
    ceiling_ng_per_ml: float
    soft: bool


@dataclass(frozen=True)
class ExposureLimits:
    """The patient model and the ceilings the gate predicts against (the run's envelope ceilings)."""

    params: BaclofenParams = field(default_factory=BaclofenParams)
    lumbar_csf_ceiling_ng_per_ml: float = 3000.0
    """The defaults are EnvelopeLimits' (adult)."""
    cisternal_csf_ceiling_ng_per_ml: float = 750.0
    plasma_ceiling_ng_per_ml: float = 5.0

    @classmethod
    def of(cls, params: BaclofenParams, envelopes: EnvelopeLimits, age_group: AgeGroup) -> ExposureLimits:
        plasma_ng_per_ml = (envelopes.plasma_ceiling_pediatric_ng_per_ml if age_group is AgeGroup.PEDIATRIC
                            else envelopes.plasma_ceiling_adult_ng_per_ml)
        return cls(params, envelopes.lumbar_csf_ceiling_ng_per_ml, envelopes.cisternal_csf_ceiling_ng_per_ml,
                   plasma_ng_per_ml)

    @cached_property
    def system(self) -> LinearSystem:
        from firmware_sim.pk.model import PatientBatch, build_system
        return build_system(PatientBatch.from_params(self.params))

    def ceilings(self) -> tuple[Ceiling, ...]:
        return (Ceiling("lumbar_csf_ng_per_ml", "lumbar CSF", self.lumbar_csf_ceiling_ng_per_ml, False),
                Ceiling("cisternal_csf_ng_per_ml", "cisternal CSF", self.cisternal_csf_ceiling_ng_per_ml, False),
                Ceiling("plasma_ng_per_ml", "plasma", self.plasma_ceiling_ng_per_ml, True))


def _history_segments(history: DoseHistory, t0_s: float) -> list[InfusionSegment]:
    """The history as constant rates over HISTORY_BIN_S bins ending at its last point, each bin's dose exact."""
    start_s, now_s = float(history.times_s[0]), history.now_s
    n_bins = max(int(np.ceil((now_s - start_s) / HISTORY_BIN_S)), 1)
    edges_s = np.linspace(start_s, now_s, n_bins + 1)
    doses_mcg = np.diff(history.cumulative_at(edges_s))
    return [InfusionSegment((a - t0_s) / S_PER_H, (b - a) / S_PER_H, dose * S_PER_H / (b - a))
            for a, b, dose in zip(edges_s[:-1], edges_s[1:], doses_mcg) if b > a and dose > 0]


@dataclass(frozen=True)
class ExposureInputs:
    """What the check judges a request on (the firmware builds it)."""

    limits: ExposureLimits
    history: DoseHistory
    """The delivered dose up to now (the firmware gives its last two windows)."""
    planned_if_refused: tuple[RatePiece, ...]
    """What reaches the tip from now on if the request is refused: the therapy running now."""
    delivery_margin_fraction: float = 0.0
    """Plans are judged delivered this much fast: the supervision band (FirmwareConfig.delivery_tolerance_fraction)."""
    planned_if_approved: tuple[RatePiece, ...] = ()
    """What reaches the tip from now on if the request is approved."""


def _profile(inputs: ExposureInputs, planned: Sequence[RatePiece]) -> DeliveryProfile:
    """The history followed by planned at the top of the delivery band, in hours from the history's first point."""
    history, t0_s, fast = inputs.history, float(inputs.history.times_s[0]), 1.0 + inputs.delivery_margin_fraction
    return DeliveryProfile(tuple(_history_segments(history, t0_s) + [
        InfusionSegment((p.start_s - t0_s) / S_PER_H, (p.end_s - p.start_s) / S_PER_H, p.rate_mcg_per_h * fast)
        for p in planned if p.end_s > p.start_s and p.rate_mcg_per_h > 0]))


def _samples_h(now_h: float, end_h: float, *profiles: DeliveryProfile) -> np.ndarray:
    n_steps = int(np.ceil((end_h - now_h) / SAMPLE_STEP_H))
    edges_h = np.array([h for profile in profiles for s in profile.segments for h in (s.start_h, s.end_h)])
    return np.unique(np.concatenate([np.minimum(now_h + np.arange(n_steps + 1) * SAMPLE_STEP_H, end_h),
                                     edges_h[(edges_h > now_h) & (edges_h < end_h)]]))


def _levels_ng_per_ml(limits: ExposureLimits, profile: DeliveryProfile, samples_h: np.ndarray) -> dict[str, np.ndarray]:
    from firmware_sim.pk.kernel import simulate
    from firmware_sim.pk.model import OUTPUT_NAMES
    return dict(zip(OUTPUT_NAMES, simulate(limits.system, profile, samples_h)[:, :, 0]))


def exposure_findings(inputs: ExposureInputs) -> list[Finding]:
    """A finding for each level that, with the request, would at some moment be above its ceiling and above the
    level at that moment without the request."""
    pieces = [p for p in inputs.planned_if_approved if p.end_s > p.start_s and p.rate_mcg_per_h > 0]
    if not pieces:
        return []
    limits, t0_s = inputs.limits, float(inputs.history.times_s[0])
    now_h = (inputs.history.now_s - t0_s) / S_PER_H
    end_h = (max(p.end_s for p in pieces) - t0_s) / S_PER_H + TAIL_AFTER_PLAN_H
    with_request, without = _profile(inputs, pieces), _profile(inputs, inputs.planned_if_refused)
    samples_h = _samples_h(now_h, end_h, with_request, without)
    levels = _levels_ng_per_ml(limits, with_request, samples_h)
    counted = [(c, c.ceiling_ng_per_ml * (1 - SAMPLING_MARGIN_FRACTION)) for c in limits.ceilings()]
    if all(float(levels[c.output].max()) < above for c, above in counted):
        return []
    levels_without = _levels_ng_per_ml(limits, without, samples_h)
    findings = []
    for (output, what, ceiling, soft), above in counted:
        level, level_without = levels[output], levels_without[output]
        raised = (level >= above) & (level > level_without * (1 + RAISE_REL_TOLERANCE))
        if not raised.any():
            continue
        i = int(np.argmax(np.where(raised, level, -np.inf)))
        fast = f", the plan {inputs.delivery_margin_fraction:.1%} fast" if inputs.delivery_margin_fraction else ""
        findings.append(Finding(
            "SR-DOSE-008", f"predicted {what} level would reach {level[i]:.4g} ng/mL {samples_h[i] - now_h:.1f} h from "
            f"now, above the ceiling {ceiling:g} ng/mL ({level_without[i]:.4g} then without this request; patient "
            f"model {limits.params.weight_kg:g} kg{fast})" + (" (needs an explicit override)" if soft else ""),
            soft=soft))
    return findings
