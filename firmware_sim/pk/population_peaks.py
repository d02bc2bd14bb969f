"""Every patient's true peak of chosen outputs over a window, vectorised: the population form of peaks.find_peaks.

Method (pk-model.md 3, "peak-within-interval"): the exact modal solution is evaluated at every breakpoint of
a grid that contains the requested points, a uniform grid of at most `grid_step_h` and every event time of
the profile, so the rate is constant between consecutive grid points. Each patient's grid maximum (first
occurrence) is then refined by a vectorised golden-section search on the exact solution over both adjacent
grid intervals, and the larger of the grid maximum and the refined values is the peak. The peak is at least
the grid maximum and within about 1e-9 h of the true peak time when the true peak lies in an interval next to
the grid maximum [A] (a second local maximum, in another grid interval, that rises above the grid maximum
by less than the curvature over one grid step is the only case missed; a 1 h grid against CSF and plasma
peaks that are hours wide).

Patients whose eigenbasis is ill-conditioned (modal.py fallback) are evaluated one by one with
peaks.find_peaks (the single-patient method, 1-min grid).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from collections.abc import Callable, Sequence

import numpy as np

from firmware_sim.pk.kernel import build_timeline
from firmware_sim.pk.stepper import subsystem
from firmware_sim.pk.modal import ModalBasis, interval_factors, modal_basis
from firmware_sim.pk.model import LinearSystem
from firmware_sim.pk.peaks import GOLDEN, find_peaks
from firmware_sim.pk.profile import DeliveryProfile

DEFAULT_POPULATION_PEAK_GRID_STEP_H = 1.0
PEAK_TIME_TOLERANCE_H = 1e-9


@dataclass(frozen=True)
class PopulationPeaks:
    """values[i, p], t_h[i, p]: patient p's peak of the i-th requested output."""

    output_names: tuple[str, ...]
    values: np.ndarray
    t_h: np.ndarray


def peak_grid(start_h: float, end_h: float, grid_step_h: float, extra_h: np.ndarray | None = None) -> np.ndarray:
    """Sorted unique points of [start_h, end_h]: a uniform grid of at most grid_step_h plus extra_h inside."""
    if not (end_h > start_h and grid_step_h > 0):
        raise ValueError(
            f"peak window needs end_h > start_h and grid_step_h > 0, got {start_h}, {end_h}, {grid_step_h}"
        )
    n_steps = int(np.ceil((end_h - start_h) / grid_step_h))
    points = [np.minimum(start_h + np.arange(n_steps + 1) * grid_step_h, end_h)]
    if extra_h is not None:
        extra = np.asarray(extra_h, dtype=float)
        points.append(extra[(extra >= start_h) & (extra <= end_h)])
    return np.unique(np.concatenate(points))


def _value_at(weights: np.ndarray, eigenvalues: np.ndarray, infusion_modal: np.ndarray, z: np.ndarray,
              rate: np.ndarray, tau_h: np.ndarray) -> np.ndarray:
    """Output (N,) at tau_h (N,) after each patient's own state z (r, N) at its own constant rate (N,)."""
    scaled = eigenvalues * tau_h
    with np.errstate(divide="ignore", invalid="ignore"):
        integral = np.where(eigenvalues == 0.0, tau_h, np.expm1(scaled) / eigenvalues)
    state = z * np.exp(scaled) + integral * infusion_modal * rate
    value: np.ndarray = np.einsum("jp,jp->p", weights, state)
    return value


def _golden_max(evaluate: Callable[[np.ndarray], np.ndarray], length_h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Vectorised golden-section maximum of evaluate(tau) over [0, length_h] per patient; (value, tau).

    The same steps as peaks._refine, for every patient at once (each keeps its own bracket)."""
    a, b = np.zeros_like(length_h), length_h.copy()
    c, d = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
    fc, fd = evaluate(c), evaluate(d)
    longest = max(float(length_h.max(initial=0.0)), PEAK_TIME_TOLERANCE_H)
    for _ in range(int(np.ceil(np.log(longest / PEAK_TIME_TOLERANCE_H) / -np.log(GOLDEN))) + 1):
        left = fc >= fd                      # the maximum is in [a, d]: drop (d, b]
        b, a = np.where(left, d, b), np.where(left, a, c)
        c, d = np.where(left, b - GOLDEN * (b - a), d), np.where(left, c, a + GOLDEN * (b - a))
        new = evaluate(np.where(left, c, d))
        fc, fd = np.where(left, new, fd), np.where(left, fc, new)
    return np.maximum(fc, fd), np.where(fc >= fd, c, d)


def _modal_peaks(system: LinearSystem, profile: DeliveryProfile, grid_h: np.ndarray, start_h: float,
                 outputs: Sequence[int], basis: ModalBasis) -> tuple[np.ndarray, np.ndarray]:
    timeline = build_timeline(profile, grid_h)
    times, last = timeline.times_h, len(timeline.times_h) - 1
    patients = basis.modal
    n_modes, n_patients = basis.eigenvalues.shape
    rows = system.output_matrix[patients][:, list(outputs)][:, :, basis.states]        # (N, o, r)
    weights = np.einsum("pos,psj->ojp", rows, basis.vectors)                          # (o, r, N)
    dt_keys, dt_of_interval = np.unique(np.round(np.diff(times), 12), return_inverse=True)
    factors = [interval_factors(basis.eigenvalues, basis.infusion_modal, float(dt)) for dt in dt_keys]
    n_out = len(outputs)
    best = np.full((n_out, n_patients), -np.inf)
    best_k = np.zeros((n_out, n_patients), dtype=np.int64)
    z_best, z_before = np.zeros((n_out, n_modes, n_patients)), np.zeros((n_out, n_modes, n_patients))
    z, z_prev, inflow = np.zeros((n_modes, n_patients)), np.zeros((n_modes, n_patients)), np.empty((n_modes,
                                                                                                    n_patients))
    in_window = times >= start_h - PEAK_TIME_TOLERANCE_H
    for k in range(last + 1):
        if timeline.bolus_mcg[k]:
            np.multiply(basis.bolus_modal, timeline.bolus_mcg[k], out=inflow)
            z += inflow
        if in_window[k]:
            for o in range(n_out):
                y = np.einsum("jp,jp->p", weights[o], z)
                better = y > best[o]
                np.copyto(best[o], y, where=better)
                np.copyto(best_k[o], k, where=better)
                np.copyto(z_best[o], z, where=better)
                np.copyto(z_before[o], z_prev, where=better)
        if k == last:
            break
        z_prev[:] = z
        growth, integral = factors[dt_of_interval[k]]
        z *= growth
        if timeline.rate_mcg_per_h[k]:
            np.multiply(integral, timeline.rate_mcg_per_h[k], out=inflow)
            z += inflow
    values, peak_t = best.copy(), times[best_k]
    for o in range(n_out):
        for shift, state in ((-1, z_before[o]), (0, z_best[o])):
            k0 = best_k[o] + shift                                   # interval [times[k0], times[k0 + 1]]
            usable = (k0 >= 0) & (k0 < last)
            k0 = np.clip(k0, 0, max(last - 1, 0))
            usable &= in_window[k0]
            if not usable.any() or last == 0:
                continue
            rate, length = timeline.rate_mcg_per_h[k0], np.where(usable, times[k0 + 1] - times[k0], 0.0)
            value, tau = _golden_max(partial(_value_at, weights[o], basis.eigenvalues, basis.infusion_modal,
                                                 state, rate), length)
            higher = usable & (value > values[o])
            values[o] = np.where(higher, value, values[o])
            peak_t[o] = np.where(higher, times[k0] + tau, peak_t[o])
    return values, peak_t


def population_peaks(system: LinearSystem, profile: DeliveryProfile, start_h: float, end_h: float,
                     outputs: Sequence[int], *, grid_step_h: float = DEFAULT_POPULATION_PEAK_GRID_STEP_H,
                     extra_points_h: np.ndarray | None = None) -> PopulationPeaks:
    """Peak over [start_h, end_h] of each output index in `outputs` (rows of system.output_matrix), per patient."""
    events = [s.start_h for s in profile.segments] + [s.end_h for s in profile.segments]
    events += [b.t_h for b in profile.instant_boluses]
    extra = np.concatenate(
        [np.asarray(events, dtype=float), np.asarray([] if extra_points_h is None else extra_points_h, dtype=float)]
    )
    grid = peak_grid(start_h, end_h, grid_step_h, extra)
    basis = modal_basis(system)
    values = np.empty((len(outputs), system.n_patients))
    times = np.empty((len(outputs), system.n_patients))
    if basis.modal.size:
        values[:, basis.modal], times[:, basis.modal] = _modal_peaks(system, profile, grid, start_h, outputs, basis)
    names = tuple(system.output_names[o] for o in outputs)
    for p in basis.fallback:
        peaks = find_peaks(subsystem(system, np.array([p])), profile, start_h, end_h)
        values[:, p] = [peaks[name].value for name in names]
        times[:, p] = [peaks[name].t_h for name in names]
    return PopulationPeaks(names, values, times)
