"""Percentiles across a population at every sample time, in bounded memory whatever the population size.

The population is cut into chunks of patients, each with its own resumable ChunkStepper (stepper.py); the
sample times are walked in blocks small enough that all patients' values of one block fit in
`block_bytes`. Each block is filled chunk by chunk, its exact percentiles across all patients are taken
(np.percentile, linear interpolation), and the block is dropped. Memory is about block_bytes plus ~0.6 kB
per patient (each stepper's modal factors), independent of the number of samples; the values are
bit-identical to an unchunked predict_population(...).percentiles(...) since each patient's arithmetic does
not depend on the chunk or block it is stepped in.
"""
from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

from firmware_sim.pk.kernel import build_timeline, check_sample_times
from firmware_sim.pk.modal import reachable_states
from firmware_sim.pk.model import OUTPUT_NAMES, PatientBatch, build_system
from firmware_sim.pk.profile import DeliveryProfile
from firmware_sim.pk.stepper import ChunkStepper

DEFAULT_PERCENTILES: tuple[float, ...] = (5.0, 50.0, 95.0)
DEFAULT_SERIES_CHUNK_PATIENTS = 16384
DEFAULT_BLOCK_BYTES = 128 << 20


@dataclass(frozen=True)
class PopulationSummary:
    """percentiles[name]: (len(q), n_t) across patients; sampled_peaks[name]: (N,) each patient's sampled maximum."""

    t_h: np.ndarray
    q: tuple[float, ...]
    percentiles: Mapping[str, np.ndarray]
    sampled_peaks: Mapping[str, np.ndarray]
    n_patients: int


def row_percentiles(values: np.ndarray, q: Sequence[float], out: np.ndarray, *, max_copy_bytes: int) -> None:
    """out[:, i] = percentiles q of values[i] (rows of patients), np.percentile on row groups of bounded size."""
    rows = int(max(1, max_copy_bytes // (8 * max(values.shape[1], 1))))
    for start in range(0, values.shape[0], rows):
        out[:, start:start + rows] = np.percentile(values[start:start + rows], q, axis=1)


def chunk_batch(batch: PatientBatch, start_index: int, stop_index: int) -> PatientBatch:
    """Patients [start_index, stop_index) of the batch."""
    return PatientBatch({name: values[start_index:stop_index] for name, values in batch.values.items()})


def _check_positive_int(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")


def stream_outputs(profile: DeliveryProfile, t_h: np.ndarray, batch: PatientBatch, *,
                   chunk_patients: int = DEFAULT_SERIES_CHUNK_PATIENTS,
                   block_bytes: int = DEFAULT_BLOCK_BYTES) -> Iterator[tuple[int, np.ndarray]]:
    """(first sample index, values (n_outputs, rows, N)) for consecutive blocks of sample times, every patient of
    the batch in each block; the array is reused from one block to the next (copy what you keep)."""
    _check_positive_int("chunk_patients", chunk_patients)
    _check_positive_int("block_bytes", block_bytes)
    t = check_sample_times(t_h)
    timeline = build_timeline(profile, t)
    n, n_out, n_t = batch.n_patients, len(OUTPUT_NAMES), len(t)
    bounds = [(a, min(n, a + chunk_patients)) for a in range(0, n, chunk_patients)]
    systems = (build_system(chunk_batch(batch, a, b)) for a, b in bounds)
    states = np.unique(np.concatenate([reachable_states(s) for s in systems]))   # as for the whole batch at once
    steppers = []
    for a, b in bounds:
        system = build_system(chunk_batch(batch, a, b))
        steppers.append(ChunkStepper(system, timeline, system.output_matrix, states=states))
    rows = int(max(1, min(n_t, block_bytes // (8 * n_out * n))))
    block = np.empty((n_out, rows, n))
    for first in range(0, n_t, rows):
        values = block[:, :min(rows, n_t - first)]
        for (a, b), stepper in zip(bounds, steppers):
            stepper.fill(values[:, :, a:b])
        yield first, values


def population_percentiles(
    profile: DeliveryProfile,
    t_h: np.ndarray,
    batch: PatientBatch,
    q: Sequence[float] = DEFAULT_PERCENTILES,
    *,
    chunk_patients: int = DEFAULT_SERIES_CHUNK_PATIENTS,
    block_bytes: int = DEFAULT_BLOCK_BYTES,
) -> PopulationSummary:
    """Exact percentiles q across the batch of every output at every sample time t_h, in bounded memory."""
    t = check_sample_times(t_h)
    q = tuple(float(v) for v in q)
    n, n_t = batch.n_patients, len(t)
    percentiles = {name: np.empty((len(q), n_t)) for name in OUTPUT_NAMES}
    peaks = {name: np.full(n, -np.inf) for name in OUTPUT_NAMES}
    for first, values in stream_outputs(profile, t, batch, chunk_patients=chunk_patients, block_bytes=block_bytes):
        for m, name in enumerate(OUTPUT_NAMES):
            row_percentiles(values[m], q, percentiles[name][:, first:first + values.shape[1]],
                            max_copy_bytes=block_bytes // 4)
            np.maximum(peaks[name], values[m].max(axis=0), out=peaks[name])
    return PopulationSummary(t, q, percentiles, peaks, n)
