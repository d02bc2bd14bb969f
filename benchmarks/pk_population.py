"""PK population benchmark: chunked population percentiles vs an independent exact expm reference, side by side.

Workload: N virtual patients x 30 days, an hourly rate change (log-normal around 500 mcg/day, seeded)
and a daily 50 mcg bolus over 1 min: 750 exact steps per patient.
1. Population prediction: p5/p50/p95 of the four outputs across patients at every hourly sample, by the
   chunked path (population_series.population_percentiles: modal stepping in chunks of patients and blocks
   of samples) and by an independent reference written here (dense propagators from scipy.linalg.expm of
   the augmented matrix, x <- Phi x + Gamma r, percentiles taken at each sample step). Prints both times,
   their ratio (target chunked / reference <= 1.5x) and the maximum relative difference (target < 1e-6).
2. Kernel speed: patient-days/s with all four outputs sampled once a day (31 samples, float64; target
   >= 3,000,000), range over --repeats runs, and with hourly samples beside it.
3. Memory: peak RSS of a 100,000-patient chunked percentile run (hourly samples), in a fresh subprocess.
Usage: python benchmarks/pk_population.py [--patients 10000] [--repeats 3] [--memory-patients 100000]
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

import numpy as np
from scipy.linalg import expm

from firmware_sim.pk.kernel import build_timeline
from firmware_sim.pk.model import OUTPUT_NAMES, LinearSystem, build_system
from firmware_sim.pk.population import sample_population
from firmware_sim.pk.population_series import DEFAULT_PERCENTILES, population_percentiles
from firmware_sim.pk.predict import predict_population
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment

DAYS = 30
BOLUS_MCG = 50.0
BOLUS_DURATION_H = 1.0 / 60.0


def workload(seed: int = 1) -> tuple[DeliveryProfile, np.ndarray]:
    rng = np.random.default_rng(seed)
    hours = DAYS * 24
    rates = 500.0 / 24.0 * rng.lognormal(0.0, 0.3, hours)
    segments = [InfusionSegment(float(h), 1.0, float(r)) for h, r in enumerate(rates)]
    segments += [InfusionSegment(24.0 * d + 8.0, BOLUS_DURATION_H, BOLUS_MCG / BOLUS_DURATION_H) for d in range(DAYS)]
    return DeliveryProfile(segments=tuple(segments)), np.arange(hours + 1, dtype=float)


def run_kernel(n_patients: int, sample_every_h: int = 1) -> float:
    profile, t_h = workload()
    batch = sample_population(n_patients, seed=7)
    start = time.perf_counter()
    predict_population(profile, t_h[::sample_every_h], batch)
    return time.perf_counter() - start


def reference_percentiles(system: LinearSystem, profile: DeliveryProfile, t_h: np.ndarray, q) -> np.ndarray:
    """(m, len(q), n_t): dense expm propagators of the augmented matrix, percentiles at each sample step."""
    timeline = build_timeline(profile, t_h)
    n_patients, n = system.n_patients, system.n_states
    augmented = np.zeros((n_patients, n + 1, n + 1))
    augmented[:, :n, :n] = system.k_per_h
    augmented[:, :n, n] = system.infusion_input
    dt_keys, dt_index = np.unique(np.round(np.diff(timeline.times_h), 12), return_inverse=True)
    steps = [(exact[:, :n, :n], exact[:, :n, n]) for exact in (expm(augmented * dt) for dt in dt_keys)]
    out = np.empty((system.output_matrix.shape[1], len(q), len(t_h)))
    samples_at = np.bincount(timeline.sample_index, minlength=len(timeline.times_h))
    x, position = np.zeros((n_patients, n)), 0
    for k in range(len(timeline.times_h)):
        x += system.bolus_input * timeline.bolus_mcg[k]
        for _ in range(samples_at[k]):
            out[:, :, position] = np.percentile(np.einsum("pmn,pn->mp", system.output_matrix, x), q, axis=1).T
            position += 1
        if k < len(timeline.times_h) - 1:
            phi, gamma = steps[dt_index[k]]
            x = np.einsum("pij,pj->pi", phi, x) + gamma * timeline.rate_mcg_per_h[k]
    return out


def max_relative_difference(ours: np.ndarray, reference: np.ndarray) -> float:
    """Max |ours - ref| / |ref| over values above 1e-9 of their output's maximum."""
    significant = np.abs(reference) > 1e-9 * np.abs(reference).max(axis=(1, 2), keepdims=True)
    return float(np.max(np.abs(ours - reference)[significant] / np.abs(reference)[significant]))


def memory_child(n_patients: int) -> None:
    profile, t_h = workload()
    batch = sample_population(n_patients, seed=7)
    start = time.perf_counter()
    population_percentiles(profile, t_h, batch)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{time.perf_counter() - start} {peak_kib}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-patients", type=int, default=100_000)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return 0

    profile, t_h = workload()
    batch = sample_population(args.patients, seed=7)
    start = time.perf_counter()
    chunked = population_percentiles(profile, t_h, batch, DEFAULT_PERCENTILES)
    chunked_s = time.perf_counter() - start
    start = time.perf_counter()
    reference = reference_percentiles(build_system(batch), profile, t_h, DEFAULT_PERCENTILES)
    reference_s = time.perf_counter() - start
    worst = max_relative_difference(np.stack([chunked.percentiles[name] for name in OUTPUT_NAMES]), reference)
    print(f"population p5/p50/p95 of 4 outputs at {len(t_h)} hourly samples, {args.patients} patients x {DAYS} days:")
    print(f"  chunked (modal, chunks of patients, blocks of samples): {chunked_s:.2f} s")
    print(f"  reference (scipy.linalg.expm propagators, percentiles at each step): {reference_s:.2f} s")
    print(f"  ratio chunked / reference: {chunked_s / reference_s:.2f}x (target <= 1.5x)")
    print(f"  max relative difference: {worst:.2e} (target < 1e-6): {'exact' if worst < 1e-6 else 'NOT EXACT'}")

    days = args.patients * DAYS
    daily = [days / run_kernel(args.patients, sample_every_h=24) for _ in range(args.repeats)]
    hourly = [days / run_kernel(args.patients) for _ in range(args.repeats)]
    print(f"kernel: {args.patients} patients x {DAYS} days, hourly events + daily bolus (750 exact steps/patient)")
    print(f"  target figure, daily samples (every 24 h) of 4 outputs per patient, float64: "
          f"{min(daily):,.0f} - {max(daily):,.0f} patient-days/s over {args.repeats} runs (target >= 3,000,000)")
    print(f"  hourly samples of 4 outputs per patient, float64: {min(hourly):,.0f} - {max(hourly):,.0f} patient-days/s")

    child = subprocess.run([sys.executable, __file__, "--memory-child", str(args.memory_patients)],
                           capture_output=True, text=True, check=True)
    child_s, peak_kib = child.stdout.split()
    print(f"memory: {args.memory_patients} patients x {DAYS} days, chunked p5/p50/p95 at hourly samples in "
          f"{float(child_s):.2f} s = {args.memory_patients * DAYS / float(child_s):,.0f} patient-days/s; "
          f"peak RSS {int(peak_kib) / 1024 / 1024:.2f} GiB (target <= 2 GiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
