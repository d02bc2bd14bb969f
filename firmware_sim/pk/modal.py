"""Modal-coordinate stepping: the kernel's exact fast path when every patient shares the event times.

With K = V diag(lambda) V^-1 (real spectrum for this compartment structure) the modal coordinates
z = V^-1 x decouple, and over an interval of dt hours at constant rate r the exact update is
    z <- exp(lambda dt) * z + expm1(lambda dt) / lambda * (V^-1 b) * r
(n multiplies and n multiply-adds per patient-step, in place on (n, N) arrays). The two factors are
computed once per distinct interval length and reused (hourly profiles have two or three lengths).
A bolus adds (V^-1 b_bolus) * dose. Outputs y = (C V) z are formed only at the sample times, from the
non-zero columns of C V (stepper.py steps and projects).

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


def modal_basis(system: LinearSystem, states: np.ndarray | None = None) -> ModalBasis:
    """The eigenbasis on `states` (default: the reachable states of this system)."""
    states = reachable_states(system) if states is None else states
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
