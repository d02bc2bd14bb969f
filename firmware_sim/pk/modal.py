"""Modal-coordinate stepping: the kernel's exact fast path when every patient shares the event times.

With K = V diag(lambda) V^-1 (real spectrum for this compartment structure) the modal coordinates
z = V^-1 x decouple, and over an interval of dt hours at constant rate r the exact update is
    z <- exp(lambda dt) * z + expm1(lambda dt) / lambda * (V^-1 b) * r
(n multiplies and n multiply-adds per patient-step, in place on (n, N) arrays). The two factors are
computed once per distinct interval length and reused (hourly profiles have two or three lengths).
A bolus adds (V^-1 b_bolus) * dose. Outputs y = (C V) z are formed only at the sample times, from the
non-zero columns of C V, in blocks of samples so that small batches do not pay numpy call overhead.

States that no input can reach (the tissue reservoir when its uptake is zero for every patient)
stay exactly zero; they are left out before the eigendecomposition, which is then smaller and
better conditioned. Patients whose eigenvectors are ill-conditioned (condition number above
MODAL_CONDITION_LIMIT, e.g. ke0 equal to a CSF rate) or complex are marked `fallback`; the kernel
steps them with dense expm propagators instead.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from firmware_sim.pk.model import LinearSystem

MODAL_CONDITION_LIMIT = 1e8      # above this eigenvector condition number a patient falls back to expm
SAMPLE_BLOCK_BYTES = 4 << 20     # modal states buffered per projection block


def reachable_states(system: LinearSystem) -> np.ndarray:
    """Indices of the states some input can reach through K for some patient (the others stay 0)."""
    feeds = np.any(system.k_per_h != 0, axis=0)          # feeds[i, j]: state j flows into state i
    reached = np.any(system.infusion_input != 0, axis=0) | np.any(system.bolus_input != 0, axis=0)
    if not reached.any():
        reached[0] = True
    while True:
        grown = reached | np.any(feeds[:, reached], axis=1)
        if np.array_equal(grown, reached):
            return np.nonzero(reached)[0]
        reached = grown


@dataclass(frozen=True)
class ModalBasis:
    """Eigenbasis of K restricted to the reachable states, for the patients listed in `modal`."""

    states: np.ndarray           # (r,) reachable state indices
    modal: np.ndarray            # (N_m,) patients stepped in modal coordinates
    fallback: np.ndarray         # (N_f,) patients that need dense expm propagators
    eigenvalues: np.ndarray      # (r, N_m)
    vectors: np.ndarray          # (N_m, r, r), columns are eigenvectors
    infusion_modal: np.ndarray   # (r, N_m) V^-1 b
    bolus_modal: np.ndarray      # (r, N_m) V^-1 b_bolus


def modal_basis(system: LinearSystem) -> ModalBasis:
    states = reachable_states(system)
    k = system.k_per_h[:, states][:, :, states]
    eigenvalues, vectors = np.linalg.eig(k)
    real = np.all(np.abs(np.imag(eigenvalues)) <= 1e-12 * (1 + np.abs(eigenvalues)), axis=1)
    eigenvalues, vectors = np.real(eigenvalues), np.real(vectors)
    vectors[~real] = np.eye(len(states))
    inverse = np.linalg.inv(vectors)
    cond = np.abs(vectors).sum(axis=1).max(axis=1) * np.abs(inverse).sum(axis=1).max(axis=1)
    good = real & (cond <= MODAL_CONDITION_LIMIT)
    modal, fallback = np.nonzero(good)[0], np.nonzero(~good)[0]
    if fallback.size:
        eigenvalues, vectors, inverse = eigenvalues[modal], vectors[modal], inverse[modal]
    infusion = system.infusion_input[modal][:, states] if fallback.size else system.infusion_input[:, states]
    bolus = system.bolus_input[modal][:, states] if fallback.size else system.bolus_input[:, states]
    return ModalBasis(
        states, modal, fallback, np.ascontiguousarray(eigenvalues.T), vectors,
        np.ascontiguousarray(np.einsum("pij,pj->ip", inverse, infusion)),
        np.ascontiguousarray(np.einsum("pij,pj->ip", inverse, bolus)),
    )


def interval_factors(eigenvalues: np.ndarray, infusion_modal: np.ndarray, dt_h: float) -> tuple[np.ndarray, np.ndarray]:
    """exp(lambda dt) and expm1(lambda dt) / lambda * V^-1 b, each (r, N_m); dt is the limit for lambda = 0."""
    scaled = eigenvalues * dt_h
    with np.errstate(divide="ignore", invalid="ignore"):
        integral = np.where(eigenvalues == 0.0, dt_h, np.expm1(scaled) / eigenvalues)
    return np.exp(scaled), integral * infusion_modal


def step_modal(basis: ModalBasis, timeline, dt_keys: np.ndarray, dt_of_interval: np.ndarray,
               observe: np.ndarray, result: np.ndarray) -> None:
    """Fill result (m, n_t, N_m) with observe (N_m, m, n) applied to the states at each sample time."""
    n_modes, n_patients = basis.eigenvalues.shape
    weights = np.einsum("pms,psj->mjp", observe[:, :, basis.states], basis.vectors)   # (m, r, N_m) = C V
    columns = [np.nonzero(np.any(weights[m] != 0, axis=1))[0] for m in range(weights.shape[0])]
    block = int(max(1, min(len(timeline.sample_index), SAMPLE_BLOCK_BYTES // (8 * n_modes * n_patients))))
    buffer = np.empty((block, n_modes, n_patients))
    accumulate, term = np.empty((block, n_patients)), np.empty((block, n_patients))
    samples_per_point = np.bincount(timeline.sample_index, minlength=len(timeline.times_h))
    factors = [interval_factors(basis.eigenvalues, basis.infusion_modal, float(dt)) for dt in dt_keys]
    z, inflow = np.zeros((n_modes, n_patients)), np.empty((n_modes, n_patients))
    filled, first = 0, 0

    def flush() -> None:
        for m, cols in enumerate(columns):
            if cols.size == 0:
                continue    # result is zero-initialised
            acc = accumulate[:filled]
            np.multiply(buffer[:filled, cols[0]], weights[m, cols[0]], out=acc)
            for j in cols[1:]:
                np.multiply(buffer[:filled, j], weights[m, j], out=term[:filled])
                acc += term[:filled]
            result[m, first:first + filled] = acc

    last = len(timeline.times_h) - 1
    for k in range(last + 1):
        dose = timeline.bolus_mcg[k]
        if dose:
            np.multiply(basis.bolus_modal, dose, out=inflow)
            z += inflow
        for _ in range(samples_per_point[k]):
            buffer[filled] = z
            filled += 1
            if filled == block:
                flush()
                first, filled = first + filled, 0
        if k == last:
            break
        growth, integral = factors[dt_of_interval[k]]
        z *= growth
        rate = timeline.rate_mcg_per_h[k]
        if rate:
            np.multiply(integral, rate, out=inflow)
            z += inflow
    if filled:
        flush()
