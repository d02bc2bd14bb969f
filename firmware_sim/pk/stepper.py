"""Resumable exact stepping of a batch of patients: the kernel's one stepping loop.

`ChunkStepper.fill(out)` writes the next out.shape[1] samples of every patient of the batch and keeps its
place, so a caller can walk a long timeline in blocks of samples (bounded memory) and many batches side by
side (population percentiles over all patients at each time). Filling once with every sample is what
kernel.propagate does. Per patient the arithmetic is the same whatever the block sizes, so the values are
bit-identical however a run is cut into blocks.

Modal patients (modal.py): z <- exp(lambda dt) z + expm1(lambda dt)/lambda (V^-1 b) r, a bolus adds
(V^-1 b_bolus) dose; outputs (C V) z are projected from the non-zero columns only, a block of samples at a
time. Fallback patients: dense expm propagators, x <- Phi x + Gamma r.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

import numpy as np

from scipy.linalg import expm

from firmware_sim.pk.modal import interval_factors, modal_basis
from firmware_sim.pk.model import LinearSystem

SAMPLE_BLOCK_BYTES = 4 << 20     # modal states buffered per projection block


def propagators(system: LinearSystem, dt_h: float) -> tuple[np.ndarray, np.ndarray]:
    """Phi (n, n, N) and Gamma (n, N) of one interval of dt_h hours by batched expm of the augmented matrix."""
    n_patients, n = system.n_patients, system.n_states
    augmented = np.zeros((n_patients, n + 1, n + 1))
    augmented[:, :n, :n] = system.k_per_h
    augmented[:, :n, n] = system.infusion_input
    exact = expm(augmented * dt_h)
    return np.ascontiguousarray(exact[:, :n, :n].transpose(1, 2, 0)), np.ascontiguousarray(exact[:, :n, n].T)


def subsystem(system: LinearSystem, patients: np.ndarray) -> LinearSystem:
    return LinearSystem(system.k_per_h[patients], system.infusion_input[patients], system.bolus_input[patients],
                        system.output_matrix[patients], system.output_names)


def interval_keys(times_h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct interval lengths (rounded to 1e-12 h) and each interval's index into them."""
    return np.unique(np.round(np.diff(times_h), 12), return_inverse=True)


class TimelineArrays(Protocol):
    """What ChunkStepper reads of a kernel.Timeline (which imports this module)."""

    @property
    def times_h(self) -> np.ndarray: ...
    @property
    def rate_mcg_per_h(self) -> np.ndarray: ...
    @property
    def bolus_mcg(self) -> np.ndarray: ...
    @property
    def sample_index(self) -> np.ndarray: ...


class ChunkStepper:
    """Steps one batch of patients through a timeline (kernel.Timeline); resumable between fill calls."""

    def __init__(self, system: LinearSystem, timeline: TimelineArrays, observe: np.ndarray, *,
                 states: np.ndarray | None = None) -> None:
        self._timeline = timeline
        self._dt_keys, self._dt_of_interval = interval_keys(timeline.times_h)
        self._samples_per_point = np.bincount(timeline.sample_index, minlength=len(timeline.times_h))
        self.n_outputs, self.n_patients = observe.shape[1], system.n_patients
        basis = modal_basis(system, states)
        self._modal, self._fallback = basis.modal, basis.fallback
        n_modes, n_modal = basis.eigenvalues.shape
        weights = np.einsum("pms,psj->mjp", observe[basis.modal][:, :, basis.states], basis.vectors)  # C V
        self._weights = weights
        self._columns = [np.nonzero(np.any(weights[m] != 0, axis=1))[0] for m in range(weights.shape[0])]
        self._factors = [interval_factors(basis.eigenvalues, basis.infusion_modal, float(dt)) for dt in self._dt_keys]
        self._bolus_modal = basis.bolus_modal
        self._z, self._inflow = np.zeros((n_modes, n_modal)), np.empty((n_modes, n_modal))
        if self._fallback.size:
            dense = subsystem(system, self._fallback)
            self._dense_steps = [propagators(dense, float(dt)) for dt in self._dt_keys]
            self._dense_observe = observe[self._fallback]
            self._dense_bolus = np.ascontiguousarray(dense.bolus_input.T)
            self._x, self._x_next = (
                np.zeros((system.n_states, dense.n_patients)),
                np.zeros((system.n_states, dense.n_patients)),
            )
        self._walker = self._walk()

    def _walk(self) -> Iterator[None]:
        """Yields once per sample, with the states at that sample's time (boluses there included)."""
        timeline, dense = self._timeline, self._fallback.size > 0
        z, inflow = self._z, self._inflow
        last = len(timeline.times_h) - 1
        for k in range(last + 1):
            dose = timeline.bolus_mcg[k]
            if dose:
                np.multiply(self._bolus_modal, dose, out=inflow)
                z += inflow
                if dense:
                    self._x += self._dense_bolus * dose
            for _ in range(self._samples_per_point[k]):
                yield
            if k == last:
                return
            key, rate = self._dt_of_interval[k], timeline.rate_mcg_per_h[k]
            growth, integral = self._factors[key]
            z *= growth
            if rate:
                np.multiply(integral, rate, out=inflow)
                z += inflow
            if dense:
                phi, gamma = self._dense_steps[key]
                np.einsum("ijp,jp->ip", phi, self._x, out=self._x_next)
                self._x_next += gamma * rate
                self._x, self._x_next = self._x_next, self._x

    def fill(self, out: np.ndarray) -> None:
        """Write the next out.shape[1] samples into out (n_outputs, n_samples, n_patients), any float dtype."""
        n_samples = out.shape[1]
        mixed = self._fallback.size > 0
        modal_out = np.zeros(out.shape[:2] + (self._modal.size,), dtype=out.dtype) if mixed else out
        dense_out = np.zeros(out.shape[:2] + (self._fallback.size,), dtype=out.dtype)  # (.., 0) when not mixed
        n_modes, n_modal = self._z.shape
        block = int(max(1, min(n_samples, SAMPLE_BLOCK_BYTES // (8 * max(n_modes * n_modal, 1)))))
        buffer = np.empty((block, n_modes, n_modal))
        accumulate, term = np.empty((block, n_modal)), np.empty((block, n_modal))
        filled, first = 0, 0

        def flush() -> None:
            for m, cols in enumerate(self._columns):
                if cols.size == 0:
                    modal_out[m, first:first + filled] = 0.0
                    continue
                acc = accumulate[:filled]
                np.multiply(buffer[:filled, cols[0]], self._weights[m, cols[0]], out=acc)
                for j in cols[1:]:
                    np.multiply(buffer[:filled, j], self._weights[m, j], out=term[:filled])
                    acc += term[:filled]
                modal_out[m, first:first + filled] = acc

        for position in range(n_samples):
            try:
                next(self._walker)
            except StopIteration:
                raise ValueError(f"ChunkStepper.fill: asked for more samples than the timeline has "
                                 f"({len(self._timeline.sample_index)})") from None
            buffer[filled] = self._z
            filled += 1
            if filled == block:
                flush()
                first, filled = first + filled, 0
            if mixed:
                dense_out[:, position] = np.einsum("pmn,np->mp", self._dense_observe, self._x)
        if filled:
            flush()
        if mixed:
            out[:, :, self._modal] = modal_out
            out[:, :, self._fallback] = dense_out
