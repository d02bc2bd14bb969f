"""Public prediction API: concentrations from a delivery profile, for one patient or a population."""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Mapping, Sequence

import numpy as np

from firmware_sim.pk.kernel import check_sample_times, simulate
from firmware_sim.pk.model import OUTPUT_NAMES, PatientBatch, build_system
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.peaks import DEFAULT_PEAK_GRID_STEP_H, Peak, find_peaks
from firmware_sim.pk.population_series import DEFAULT_PERCENTILES, row_percentiles
from firmware_sim.pk.profile import DeliveryProfile



@dataclass(frozen=True)
class Prediction:
    """One patient's concentrations sampled at t_h, plus true peaks over [t_h[0], t_h[-1]]."""

    t_h: np.ndarray
    lumbar_csf_ng_per_ml: np.ndarray
    cisternal_csf_ng_per_ml: np.ndarray
    plasma_ng_per_ml: np.ndarray
    effect_ng_per_ml: np.ndarray
    peaks: Mapping[str, Peak]       # keyed by output name; found between samples too (see peaks.py)
    params: BaclofenParams
    profile: DeliveryProfile

    def series(self, name: str) -> np.ndarray:
        if name not in OUTPUT_NAMES:
            raise KeyError(f"unknown output {name!r}; known: {', '.join(OUTPUT_NAMES)}")
        values: np.ndarray = getattr(self, name)
        return values


def predict(
    profile: DeliveryProfile,
    t_h: np.ndarray,
    params: BaclofenParams | None = None,
    *,
    peak_grid_step_h: float = DEFAULT_PEAK_GRID_STEP_H,
) -> Prediction:
    """Concentrations of one patient (default: adult 70 kg) at the sample times t_h (hours)."""
    t = check_sample_times(t_h)
    params = params or BaclofenParams()
    system = build_system(PatientBatch.from_params(params))
    outputs = simulate(system, profile, t)[:, :, 0]
    if len(t) > 1:
        peaks = find_peaks(system, profile, float(t[0]), float(t[-1]), grid_step_h=peak_grid_step_h)
    else:
        peaks = {name: Peak(float(outputs[m, 0]), float(t[0])) for m, name in enumerate(OUTPUT_NAMES)}
    lumbar, cisternal, plasma, effect = outputs
    return Prediction(t, lumbar, cisternal, plasma, effect, peaks=peaks, params=params, profile=profile)


@dataclass(frozen=True)
class PatientBatchPrediction:
    """Every patient's concentrations at t_h: series[name] has shape (n_t, N)."""

    t_h: np.ndarray
    series: Mapping[str, np.ndarray]
    batch: PatientBatch

    @property
    def n_patients(self) -> int:
        return self.batch.n_patients

    def percentiles(self, q: Sequence[float] = DEFAULT_PERCENTILES, *,
                    n_rows_per_block: int = 64) -> dict[str, np.ndarray]:
        """name -> array (len(q), n_t) of percentiles across patients, computed in row blocks to bound memory."""
        result = {}
        for name, values in self.series.items():
            result[name] = np.empty((len(q), values.shape[0]))
            row_percentiles(values, q, result[name], max_copy_bytes=n_rows_per_block * 8 * values.shape[1])
        return result

    def sampled_peaks(self) -> dict[str, np.ndarray]:
        """name -> (N,) each patient's maximum over the samples (not refined between samples)."""
        return {name: values.max(axis=0) for name, values in self.series.items()}


def predict_population(
    profile: DeliveryProfile,
    t_h: np.ndarray,
    batch: PatientBatch,
    *,
    dtype: type = np.float64,
) -> PatientBatchPrediction:
    """Concentrations of every patient of the batch at t_h; float32 halves memory for large runs."""
    t = check_sample_times(t_h)
    outputs = simulate(build_system(batch), profile, t, dtype=dtype)
    return PatientBatchPrediction(t, dict(zip(OUTPUT_NAMES, outputs)), batch)
