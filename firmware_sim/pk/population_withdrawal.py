"""The withdrawal envelope (withdrawal.py, SR-PK-006) for every virtual patient of a population.

Each patient's delivered and sustained effect-site concentrations are stepped side by side at the sample times
(population_series.stream_outputs: bounded memory whatever the population), and each patient's longest stretch
with the delivered effect below `min_sustained_fraction` of the sustained one is found as withdrawal.find_drops
finds it for one patient: the ends of a stretch interpolated linearly between samples, a stretch still open at
the end closed there (and, shorter than the limit, not evaluated). The one difference: float noise is judged
against the largest sustained value seen so far
(find_drops takes the whole series' maximum), since the series are never all in memory at once.

    hours = longest_drops_h(delivered, sustained, t_h, batch, limits)   # (N,), NaN where not evaluated
"""
from __future__ import annotations

import numpy as np

from firmware_sim.pk.model import OUTPUT_NAMES, PatientBatch
from firmware_sim.pk.population_series import DEFAULT_BLOCK_BYTES, DEFAULT_SERIES_CHUNK_PATIENTS, stream_outputs
from firmware_sim.pk.profile import DeliveryProfile
from firmware_sim.pk.withdrawal import WithdrawalLimits

EFFECT = OUTPUT_NAMES.index("effect_ng_per_ml")
NOISE_FRACTION = 1e-9
"""A shortfall smaller than this fraction of the sustained level is float noise, not a drop (as in find_drops)."""


def sustained_dose_mcg(sustained: DeliveryProfile | None, end_h: float) -> float:
    return 0.0 if sustained is None else sustained.dose_until_mcg(end_h)


def longest_drops_h(delivered: DeliveryProfile, sustained: DeliveryProfile | None, t_h: np.ndarray,
                    batch: PatientBatch, limits: WithdrawalLimits | None = None, *,
                    chunk_patients: int = DEFAULT_SERIES_CHUNK_PATIENTS,
                    block_bytes: int = DEFAULT_BLOCK_BYTES) -> np.ndarray:
    """Each patient's longest drop (h; 0 when none), all NaN when there is no sustained program to compare against
    (none, or one bringing less than limits.min_dose_to_evaluate_mcg to the tip by t_h[-1]); NaN for a patient whose
    drop is still under way at t_h[-1] and no drop of whom is longer than the limit (how long it lasts lies beyond
    the horizon: not evaluated, so not passing)."""
    limits = limits or WithdrawalLimits()
    t = np.asarray(t_h, dtype=float)
    n = batch.n_patients
    if sustained is None or len(t) < 2 or sustained_dose_mcg(sustained, float(t[-1])) < limits.min_dose_to_evaluate_mcg:
        return np.full(n, np.nan)
    fraction = limits.min_sustained_fraction
    half = max(1, block_bytes // 2)
    streams = zip(stream_outputs(delivered, t, batch, chunk_patients=chunk_patients, block_bytes=half),
                  stream_outputs(sustained, t, batch, chunk_patients=chunk_patients, block_bytes=half))
    longest, began = np.zeros(n), np.full(n, np.nan)
    scale, g_prev, t_prev = np.zeros(n), np.zeros(n), 0.0
    below_prev = np.zeros(n, dtype=bool)
    for (first, d_block), (_, s_block) in streams:
        for row in range(d_block.shape[1]):
            i = first + row
            s = s_block[EFFECT, row]
            np.maximum(scale, np.abs(s), out=scale)
            g = d_block[EFFECT, row] - fraction * s
            below = g < -NOISE_FRACTION * scale
            if i == 0:
                began[below] = t[0]
            else:
                crossing = _crossing_h(t_prev, t[i], g_prev, g)
                starts, ends = below & ~below_prev, ~below & below_prev
                began[starts] = crossing[starts]
                np.maximum(longest, np.where(ends, crossing - began, 0.0), out=longest)
                began[ends] = np.nan
            below_prev, g_prev, t_prev = below, g, float(t[i])
    np.maximum(longest, np.where(below_prev, t[-1] - began, 0.0), out=longest)
    longest[below_prev & (longest <= limits.max_time_below_h)] = np.nan  # censored, as withdrawal_envelope
    return longest


def _crossing_h(t0: float, t1: float, g0: np.ndarray, g1: np.ndarray) -> np.ndarray:
    """Where g crosses zero between two samples, linearly (t0 where g did not change), per patient."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(g1 == g0, t0, t0 + (t1 - t0) * g0 / (g0 - g1))
