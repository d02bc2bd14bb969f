"""True peaks of each output over a time window, including peaks that fall between samples.

Method: the exact solution is evaluated on a dense grid (default 1 min) that also contains every
event time (segment starts/ends, boluses), so the rate is constant between grid points. The 16 highest
grid local maxima within 1 % of the grid maximum are then refined by golden-section search on the exact
solution in both adjacent grid intervals (sums of exponentials are unimodal over one minute). The
peak found is at least the grid maximum and within about 1e-9 h of the true peak time.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_sim.pk.kernel import build_timeline, propagate
from firmware_sim.pk.model import LinearSystem
from firmware_sim.pk.profile import DeliveryProfile
from firmware_sim.pk.stepper import propagators
from firmware_sim.units import MIN_PER_H

DEFAULT_PEAK_GRID_STEP_H = 1.0 / MIN_PER_H
CANDIDATE_MIN_PEAK_FRACTION = 0.99
MAX_N_REFINED = 16
GOLDEN = (np.sqrt(5.0) - 1.0) / 2.0


@dataclass(frozen=True)
class Peak:
    value: float   # in the unit of the output it belongs to
    t_h: float


def _value_after(system: LinearSystem, row: np.ndarray, x: np.ndarray, rate: float, tau_h: float) -> float:
    if tau_h <= 0:
        return float(row @ x)
    phi, gamma = propagators(system, tau_h)
    return float(row @ (phi[:, :, 0] @ x + gamma[:, 0] * rate))


def _refine(system: LinearSystem, row: np.ndarray, x: np.ndarray, rate: float, length_h: float) -> tuple[float, float]:
    """Max of row . x(tau) for tau in [0, length_h] from state x at rate; returns (value, tau)."""
    a, b = 0.0, length_h
    c, d = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
    fc, fd = _value_after(system, row, x, rate, c), _value_after(system, row, x, rate, d)
    while b - a > 1e-9:
        if fc >= fd:
            b, d, fd = d, c, fc
            c = b - GOLDEN * (b - a)
            fc = _value_after(system, row, x, rate, c)
        else:
            a, c, fc = c, d, fd
            d = a + GOLDEN * (b - a)
            fd = _value_after(system, row, x, rate, d)
    candidates = [(_value_after(system, row, x, rate, 0.0), 0.0), (fc, c), (fd, d), (_value_after(system, row, x, rate,
                                                                                                  length_h), length_h)]
    return max(candidates)


def find_peaks(
    system: LinearSystem,
    profile: DeliveryProfile,
    start_h: float,
    end_h: float,
    *,
    grid_step_h: float = DEFAULT_PEAK_GRID_STEP_H,
) -> dict[str, Peak]:
    """Peak of every output of a one-patient system over [start_h, end_h]."""
    if system.n_patients != 1:
        raise ValueError(f"find_peaks works on one patient, got {system.n_patients}")
    if not end_h > start_h or grid_step_h <= 0:
        raise ValueError(f"find_peaks needs end_h > start_h and grid_step_h > 0, got {start_h}, {end_h}, {grid_step_h}")
    n_steps = int(np.ceil((end_h - start_h) / grid_step_h))
    dense = np.minimum(start_h + np.arange(n_steps + 1) * grid_step_h, end_h)
    timeline = build_timeline(profile, np.unique(dense))
    grid = timeline.times_h
    states = propagate(system, profile, grid)[:, :, 0]   # (n, P): every breakpoint is a sample
    outputs = system.output_matrix[0] @ states           # (m, P)
    in_window = (grid >= start_h - 1e-12)
    peaks: dict[str, Peak] = {}
    for m, name in enumerate(system.output_names):
        y = np.where(in_window, outputs[m], -np.inf)
        grid_max = float(np.max(y))
        left = np.concatenate([[-np.inf], y[:-1]])
        right = np.concatenate([y[1:], [-np.inf]])
        # Local maxima (the last point of a flat run), within 1 % of the grid max; the best MAX_N_REFINED.
        is_candidate = (y >= left) & (y > right) & (y >= CANDIDATE_MIN_PEAK_FRACTION * grid_max)
        candidates = np.nonzero(is_candidate)[0]
        candidates = candidates[np.argsort(y[candidates])[::-1][:MAX_N_REFINED]]
        best = Peak(grid_max, float(grid[int(np.argmax(y))]))
        row = system.output_matrix[0, m]
        for k in candidates:
            for i in (k - 1, k):
                if 0 <= i < len(grid) - 1 and in_window[i]:
                    value, tau = _refine(
                        system, row, states[:, i], float(timeline.rate_mcg_per_h[i]), float(grid[i + 1] - grid[i])
                    )
                    if value > best.value:
                        best = Peak(value, float(grid[i] + tau))
        peaks[name] = best
    return peaks
