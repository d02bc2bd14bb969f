"""The predicted-exposure check [SR-DOSE-008]: the dose limits alone let through deliveries the PK envelopes then
fail (twelve 100 mcg boluses back to back, each within the bolus and rate limits and 1200 mcg within the 24 h
window, give a lumbar CSF peak of about 6000 ng/mL against the 3000 ceiling; a first flex program of 800 mcg/day
given in 4 h about 5400). So every delivering request is also judged on the levels it leads to: the patient model
(the patient's weight, typical parameters otherwise) predicts the lumbar CSF, cisternal CSF and plasma levels from
the delivered history and the plan if approved, with the exact PK kernel. A level that would rise above its
envelope ceiling, higher than it would rise if the request were refused (the therapy running now), refuses the
request: a CSF ceiling always, the plasma ceiling unless an acknowledged override takes it (it is the label's
observed range, which doses the label allows can pass at steady state). So a level the history already takes above
a ceiling (a refill error) refuses only what would raise it further, never a cut.

The history is averaged over HISTORY_BIN_S bins (dose kept exactly): the CSF half-life is about 1.5 h, so the
levels it gives differ from the tick-by-tick history by far less than the ceilings' margins.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from firmware_sim.pk.age_groups import AgeGroup
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
from firmware_sim.safety.decision import Finding
from firmware_sim.safety.window import DoseHistory, RatePiece
from firmware_sim.units import S_PER_H

if TYPE_CHECKING:  # the kernel (scipy) loads at the first check, not with the firmware's settings
    from firmware_sim.pk.envelopes import EnvelopeLimits
    from firmware_sim.pk.model import LinearSystem

HISTORY_BIN_S = 600.0
TAIL_AFTER_PLAN_H = 24.0
"""The prediction runs this long past the plan's end: the plasma peak of a bolus comes hours after it."""
PEAK_GRID_STEP_H = 1.0 / 6.0
"""Peaks are searched on this grid and refined between its points (peaks.find_peaks)."""
CEILING_REL_TOLERANCE = 1e-9
SAMPLED_BELOW_CEILING_FRACTION = 0.95
"""A plan whose sampled levels all stay below this fraction of their ceilings passes without the exact peak search
(peaks.find_peaks, the costly part: a golden-section search per local maximum, dozens with periodic boluses). The
samples include every rate change, where the lumbar level tops out; the slower levels' tops between samples 10 min
apart are flat to far better than 5 %."""


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

    def ceilings(self) -> tuple[tuple[str, str, float, bool], ...]:
        """(output, what, ceiling in ng/mL, soft) of each judged level."""
        return (("lumbar_csf_ng_per_ml", "lumbar CSF", self.lumbar_csf_ceiling_ng_per_ml, False),
                ("cisternal_csf_ng_per_ml", "cisternal CSF", self.cisternal_csf_ceiling_ng_per_ml, False),
                ("plasma_ng_per_ml", "plasma", self.plasma_ceiling_ng_per_ml, True))


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
    """What the check needs besides the plan if approved (the firmware builds it)."""

    limits: ExposureLimits
    history: DoseHistory
    """The delivered dose up to now, as far back as the firmware keeps it."""
    planned_if_refused: tuple[RatePiece, ...]
    """What reaches the tip from now on if the request is refused: the therapy running now."""


def _profile(inputs: ExposureInputs, planned: Sequence[RatePiece]) -> DeliveryProfile:
    """The history followed by planned, in hours from the history's first point."""
    history, t0_s = inputs.history, float(inputs.history.times_s[0])
    return DeliveryProfile(tuple(_history_segments(history, t0_s) + [
        InfusionSegment((p.start_s - t0_s) / S_PER_H, (p.end_s - p.start_s) / S_PER_H, p.rate_mcg_per_h)
        for p in planned if p.end_s > p.start_s and p.rate_mcg_per_h > 0]))


def _sampled_max_ng_per_ml(limits: ExposureLimits, profile: DeliveryProfile, now_h: float,
                           end_h: float) -> dict[str, float]:
    """output -> its largest value at the samples: every PEAK_GRID_STEP_H from now and every rate change of the
    profile after now (where a level fed by that rate tops out)."""
    from firmware_sim.pk.kernel import simulate
    from firmware_sim.pk.model import OUTPUT_NAMES
    n_steps = int(np.ceil((end_h - now_h) / PEAK_GRID_STEP_H))
    edges_h = np.array([h for s in profile.segments for h in (s.start_h, s.end_h)])
    samples_h = np.unique(np.concatenate([np.minimum(now_h + np.arange(n_steps + 1) * PEAK_GRID_STEP_H, end_h),
                                          edges_h[(edges_h > now_h) & (edges_h < end_h)]]))
    outputs = simulate(limits.system, profile, samples_h)[:, :, 0]
    return {name: float(values.max()) for name, values in zip(OUTPUT_NAMES, outputs)}


def _peaks_ng_per_ml(limits: ExposureLimits, profile: DeliveryProfile, now_h: float,
                     end_h: float) -> dict[str, tuple[float, float]]:
    """output -> (true peak, hours from now) over [now_h, end_h] (peaks.find_peaks: found between samples too)."""
    from firmware_sim.pk.peaks import find_peaks
    peaks = find_peaks(limits.system, profile, now_h, end_h, grid_step_h=PEAK_GRID_STEP_H)
    return {name: (peak.value, peak.t_h - now_h) for name, peak in peaks.items()}


def exposure_findings(inputs: ExposureInputs, planned_if_approved: Sequence[RatePiece]) -> list[Finding]:
    """A finding for each level that, with the request, would rise above its ceiling higher than it rises without
    it (a level the history alone takes above a ceiling refuses only what raises it further)."""
    pieces = [p for p in planned_if_approved if p.end_s > p.start_s and p.rate_mcg_per_h > 0]
    if not pieces:
        return []
    limits, t0_s = inputs.limits, float(inputs.history.times_s[0])
    now_h = (inputs.history.now_s - t0_s) / S_PER_H
    end_h = (max(p.end_s for p in pieces) - t0_s) / S_PER_H + TAIL_AFTER_PLAN_H
    profile = _profile(inputs, pieces)
    sampled = _sampled_max_ng_per_ml(limits, profile, now_h, end_h)
    if all(sampled[output] < ceiling * SAMPLED_BELOW_CEILING_FRACTION for output, _, ceiling, _ in limits.ceilings()):
        return []
    with_request = _peaks_ng_per_ml(limits, profile, now_h, end_h)
    over = [(c, with_request[c[0]]) for c in limits.ceilings()
            if with_request[c[0]][0] > c[2] * (1 + CEILING_REL_TOLERANCE)]
    if not over:
        return []
    without = _peaks_ng_per_ml(limits, _profile(inputs, inputs.planned_if_refused), now_h, end_h)
    findings = []
    for (output, what, ceiling, soft), (peak, after_h) in over:
        if peak <= without[output][0] * (1 + CEILING_REL_TOLERANCE):
            continue
        findings.append(Finding(
            "SR-DOSE-008", f"predicted {what} level would reach {peak:.4g} ng/mL {after_h:.1f} h from now, above the "
            f"ceiling {ceiling:g} ng/mL (without this request {without[output][0]:.4g}; patient model "
            f"{inputs.limits.params.weight_kg:g} kg)" + (" (needs an explicit override)" if soft else ""), soft=soft))
    return findings
