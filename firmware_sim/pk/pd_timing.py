"""The label's pharmacodynamic timings, measured on the biophase (effect) concentration.

Effect is "present" when the effect concentration is at or above a threshold fraction (default 0.5)
of the peak effect concentration after the screening bolus (50 mcg over 1 min). On a continuous
infusion (100 mcg/day, the label's starting rule of twice the screening dose), "first effect" is the
first time the same threshold is reached and "maximum" the time to 90 % of the infusion plateau.
Crossing times are interpolated linearly on a 1-minute grid.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_sim.pk.kernel import simulate
from firmware_sim.pk.model import OUTPUT_NAMES, PatientBatch, build_system
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
from firmware_sim.units import H_PER_DAY, MIN_PER_H

EFFECT_ROW = OUTPUT_NAMES.index("effect_ng_per_ml")
GRID_STEP_H = 1.0 / MIN_PER_H
LABEL_BOLUS_DURATION_H = 1.0 / MIN_PER_H  # "over not less than one minute"


@dataclass(frozen=True)
class PdTimings:
    bolus_onset_h: float             # first reaching threshold x bolus peak
    bolus_peak_h: float
    bolus_duration_above_h: float    # total time at or above the threshold
    infusion_first_effect_h: float   # infusion first reaching the same threshold
    infusion_t90_h: float            # infusion reaching 90 % of its own plateau
    bolus_peak_effect_ng_per_ml: float
    infusion_plateau_effect_ng_per_ml: float


def first_crossing_h(t_h: np.ndarray, y: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Per column of y (n_t, N): first time y reaches level (N,), NaN if never."""
    above = y >= level
    reached = above.any(axis=0)
    i = np.argmax(above, axis=0)
    cols = np.arange(y.shape[1])
    prev = np.maximum(i - 1, 0)
    y0, y1 = y[prev, cols], y[i, cols]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(i > 0, (level - y0) / (y1 - y0), 0.0)
    t = t_h[prev] + frac * (t_h[i] - t_h[prev])
    return np.where(reached, t, np.nan)


def last_crossing_h(t_h: np.ndarray, y: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Per column: last time y is at or above level (downward crossing), NaN if never."""
    return -first_crossing_h(-t_h[::-1], y[::-1], level)


def pd_timings_batch(
    batch: PatientBatch,
    *,
    bolus_mcg: float = 50.0,
    infusion_mcg_per_day: float = 100.0,
    threshold_fraction: float = 0.5,
    bolus_horizon_h: float = 48.0,
    infusion_horizon_h: float = 240.0,
) -> dict[str, np.ndarray]:
    """PdTimings field -> array (N,) for every patient of the batch."""
    system = build_system(batch)
    t_bolus = np.arange(int(round(bolus_horizon_h / GRID_STEP_H)) + 1) * GRID_STEP_H
    bolus = DeliveryProfile(
        segments=(InfusionSegment(0.0, LABEL_BOLUS_DURATION_H, bolus_mcg / LABEL_BOLUS_DURATION_H),)
    )
    e_bolus = simulate(system, bolus, t_bolus)[EFFECT_ROW]
    peak = e_bolus.max(axis=0)
    level = threshold_fraction * peak

    t_inf = np.arange(int(round(infusion_horizon_h / GRID_STEP_H)) + 1) * GRID_STEP_H
    plateau_h = infusion_horizon_h * 20.0
    infusion = DeliveryProfile(segments=(InfusionSegment(0.0, plateau_h + 1.0, infusion_mcg_per_day / H_PER_DAY),))
    e_inf = simulate(system, infusion, t_inf)[EFFECT_ROW]
    plateau = simulate(system, infusion, np.array([plateau_h]))[EFFECT_ROW, 0]
    onset = first_crossing_h(t_bolus, e_bolus, level)
    return {
        "bolus_onset_h": onset,
        "bolus_peak_h": t_bolus[np.argmax(e_bolus, axis=0)],
        "bolus_duration_above_h": last_crossing_h(t_bolus, e_bolus, level) - onset,
        "infusion_first_effect_h": first_crossing_h(t_inf, e_inf, level),
        "infusion_t90_h": first_crossing_h(t_inf, e_inf, 0.9 * plateau),
        "bolus_peak_effect_ng_per_ml": peak,
        "infusion_plateau_effect_ng_per_ml": plateau,
    }


def pd_timings(params: BaclofenParams | None = None, **kwargs: float) -> PdTimings:
    """The label PD timings of one patient (default: adult 70 kg); kwargs as pd_timings_batch."""
    values = pd_timings_batch(PatientBatch.from_params(params or BaclofenParams()), **kwargs)
    return PdTimings(**{name: float(v[0]) for name, v in values.items()})
