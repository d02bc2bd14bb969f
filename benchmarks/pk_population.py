"""PK population benchmark: exact kernel vs scipy solve_ivp (LSODA, restarted at each event), side by side.

Workload: N virtual patients x 30 days, an hourly rate change (log-normal around 500 mcg/day, seeded)
and a daily 50 mcg bolus over 1 min: 750 exact steps per patient. The target figure samples what a
population user keeps for every patient: all four outputs once a day (31 samples, float64); the
hourly-sample figure (721 samples, 231 MB for 10,000 patients) is printed beside it. Prints kernel
patient-days/s (range over --repeats runs), solve_ivp patient-days/s on a sample, their ratios, the
maximum relative error against solve_ivp at tight tolerance at every hourly sample, and the peak
memory of a 100,000-patient run with hourly float32 series, measured in a fresh subprocess.
Usage: python benchmarks/pk_population.py [--patients 10000] [--memory-patients 100000]
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time

import numpy as np

from firmware_sim.pk.model import build_system
from firmware_sim.pk.population import sample_population
from firmware_sim.pk.predict import predict_population
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
from firmware_sim.pk.reference_solver import solve_reference

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


def run_kernel(n_patients: int, dtype: type, sample_every_h: int = 1) -> tuple[float, object]:
    profile, t_h = workload()
    t_h = t_h[::sample_every_h]
    batch = sample_population(n_patients, seed=7)
    start = time.perf_counter()
    result = predict_population(profile, t_h, batch, dtype=dtype)
    return time.perf_counter() - start, result


def memory_child(n_patients: int) -> None:
    elapsed, _ = run_kernel(n_patients, np.float32)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{elapsed} {peak_kib}")


def relative_error(kernel: np.ndarray, reference: np.ndarray) -> float:
    """Max |kernel - ref| / |ref| over samples where ref is above 1e-9 of its series maximum."""
    worst = 0.0
    for k_row, r_row in zip(kernel, reference):
        mask = np.abs(r_row) > 1e-9 * np.abs(r_row).max()
        worst = max(worst, float(np.max(np.abs(k_row[mask] - r_row[mask]) / np.abs(r_row[mask]))))
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--reference-patients", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--memory-patients", type=int, default=100_000)
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return 0

    days = args.patients * DAYS
    daily = [days / run_kernel(args.patients, np.float64, sample_every_h=24)[0] for _ in range(args.repeats)]
    hourly = []
    for _ in range(args.repeats):
        kernel_s, result = run_kernel(args.patients, np.float64)
        hourly.append(days / kernel_s)
    kernel_rate = min(daily)
    print(f"kernel: {args.patients} patients x {DAYS} days, hourly events + daily bolus (750 exact steps/patient)")
    print(f"  target figure, daily samples (every 24 h) of 4 outputs per patient, float64: "
          f"{min(daily):,.0f} - {max(daily):,.0f} patient-days/s over {args.repeats} runs (target >= 1,000,000)")
    print(f"  hourly samples of 4 outputs per patient, float64 (231 MB written per run): "
          f"{min(hourly):,.0f} - {max(hourly):,.0f} patient-days/s")

    profile, t_h = workload()
    system = build_system(result.batch)
    names = list(result.series)
    fast_s, worst = 0.0, 0.0
    for p in range(args.reference_patients):
        start = time.perf_counter()
        solve_reference(system, profile, t_h, patient=p, rtol=1e-8, atol=1e-12)
        fast_s += time.perf_counter() - start
        tight = solve_reference(system, profile, t_h, patient=p, rtol=1e-12, atol=1e-15)
        kernel = np.stack([result.series[name][:, p] for name in names])
        worst = max(worst, relative_error(kernel, tight))
    ivp_rate = args.reference_patients * DAYS / fast_s
    print(f"solve_ivp LSODA (rtol 1e-8, restarted at each event): {args.reference_patients} patients in {fast_s:.2f} s "
          f"= {ivp_rate:,.1f} patient-days/s")
    print(f"ratio kernel / solve_ivp: daily samples (slowest run) {kernel_rate / ivp_rate:,.0f}x | "
          f"hourly samples (slowest run) {min(hourly) / ivp_rate:,.0f}x (target >= 1000x)")
    print(f"max relative error vs solve_ivp LSODA (rtol 1e-12, atol 1e-15), hourly samples, 4 outputs: {worst:.2e}")

    child = subprocess.run([sys.executable, __file__, "--memory-child", str(args.memory_patients)],
                           capture_output=True, text=True, check=True)
    child_s, peak_kib = child.stdout.split()
    print(f"memory: {args.memory_patients} patients x {DAYS} days (hourly samples, float32 series) in "
          f"{float(child_s):.2f} s = {args.memory_patients * DAYS / float(child_s):,.0f} patient-days/s; "
          f"peak RSS {int(peak_kib) / 1024 / 1024:.2f} GiB (target <= 2 GiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
