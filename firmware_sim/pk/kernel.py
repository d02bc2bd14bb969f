"""Exact stepping of a linear PK system under piecewise-constant infusion plus instant boluses.

Over each interval of constant rate r the augmented system [x; r] is propagated exactly:
    expm([[K, b], [0, 0]] * dt) = [[Phi, Gamma], [0, 1]],   x <- Phi x + Gamma r
(no fixed-step integrator). `propagate` steps most patients in modal coordinates (modal.py: n
multiplies per patient-step, factors cached per distinct interval length, outputs projected only at
sample times); patients whose eigenvectors are ill-conditioned or complex are stepped with Phi and
Gamma from the batched expm of the augmented matrix. States are float64 in a structure-of-arrays layout
(n_states, N).

Conventions: the state is zero (drug-free) before the first event; an instant bolus at t is included
in the value reported at t (right-continuous); a segment is active on [start_h, end_h).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from firmware_sim.pk.model import LinearSystem
from firmware_sim.pk.profile import DeliveryProfile
from firmware_sim.pk.stepper import ChunkStepper

TIME_TOLERANCE_H = 1e-9  # event and sample times closer than this (3.6 us) are one breakpoint


@dataclass(frozen=True)
class Timeline:
    """Breakpoints of a simulation: every event and sample time, merged and sorted."""

    times_h: np.ndarray          # (P,)
    rate_mcg_per_h: np.ndarray   # (P - 1,), constant on [times_h[k], times_h[k + 1])
    bolus_mcg: np.ndarray        # (P,), instant dose given at times_h[k]
    sample_index: np.ndarray     # (n_t,), index into times_h of each requested sample


def check_sample_times(t_h: np.ndarray) -> np.ndarray:
    t = np.asarray(t_h, dtype=float)
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"t_h must be a non-empty 1-D array of hours, got shape {t.shape}")
    if not np.all(np.isfinite(t)):
        i = int(np.argmin(np.isfinite(t)))
        raise ValueError(f"t_h must contain only finite hours, got t_h[{i}]={t[i]}")
    if np.any(np.diff(t) <= 0):
        i = int(np.argmax(np.diff(t) <= 0))
        raise ValueError(f"t_h must be strictly increasing, got t_h[{i + 1}]={t[i + 1]} after t_h[{i}]={t[i]}")
    return t


def build_timeline(profile: DeliveryProfile, t_h: np.ndarray) -> Timeline:
    t = check_sample_times(t_h)
    end_h = t[-1]
    segments = [s for s in profile.segments if s.start_h < end_h and s.rate_mcg_per_h > 0]
    boluses = [b for b in profile.instant_boluses if b.t_h <= end_h and b.dose_mcg > 0]
    seg_start = np.array([s.start_h for s in segments], dtype=float)
    seg_end = np.array([min(s.end_h, end_h) for s in segments], dtype=float)
    bolus_t = np.array([b.t_h for b in boluses], dtype=float)
    raw = np.sort(np.concatenate([t, seg_start, seg_end, bolus_t]))
    keep = np.concatenate([[True], np.diff(raw) > TIME_TOLERANCE_H])
    times = raw[keep]

    def index_of(x: np.ndarray) -> np.ndarray:
        i = np.clip(np.searchsorted(times, x), 1, len(times) - 1) if len(times) > 1 else np.zeros(len(x), int)
        if len(times) == 1:
            return i
        nearer_left = np.abs(times[i - 1] - x) <= np.abs(times[i] - x)
        return np.where(nearer_left, i - 1, i)

    rate_change = np.zeros(len(times))
    rates = np.array([s.rate_mcg_per_h for s in segments], dtype=float)
    np.add.at(rate_change, index_of(seg_start), rates)
    np.add.at(rate_change, index_of(seg_end), -rates)
    rate = np.cumsum(rate_change)[:-1]
    # Cumulative sums leave round-off (~1e-16 of the largest rate) where segments end; it is not drug.
    rate[np.abs(rate) <= 1e-12 * max(1.0, float(np.max(np.abs(rates), initial=0.0)))] = 0.0
    bolus = np.zeros(len(times))
    np.add.at(bolus, index_of(bolus_t), [b.dose_mcg for b in boluses])
    return Timeline(times, rate, bolus, index_of(t))


def propagate(
    system: LinearSystem,
    profile: DeliveryProfile,
    t_h: np.ndarray,
    *,
    observe: np.ndarray | None = None,
    dtype: type = np.float64,
) -> np.ndarray:
    """Values at each sample time: outputs (m, n_t, N) with observe (N, m, n) given, else states (n, n_t, N).

    Patients with a well-conditioned real eigenbasis are stepped in modal coordinates (modal.py);
    the others with dense expm propagators. States are float64; only the result takes `dtype`.
    """
    timeline = build_timeline(profile, t_h)
    n, n_patients = system.n_states, system.n_patients
    observe = np.broadcast_to(np.eye(n), (n_patients, n, n)) if observe is None else observe
    result: np.ndarray = np.zeros((observe.shape[1], len(timeline.sample_index), n_patients), dtype=dtype)
    ChunkStepper(system, timeline, observe).fill(result)
    return result


def simulate(
    system: LinearSystem, profile: DeliveryProfile, t_h: np.ndarray, *, dtype: type = np.float64
) -> np.ndarray:
    """The system's outputs (m, n_t, N) at the sample times."""
    return propagate(system, profile, t_h, observe=system.output_matrix, dtype=dtype)
