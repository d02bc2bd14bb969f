"""Population verdict: every PK envelope evaluated for every virtual patient, judged on the fraction that passes.

For each envelope of envelopes.py (same names, limits, units, requirement IDs and pass rule) each patient of a
seeded population (population.py) gets its own value: its true peak over [0, horizon_h] (population_peaks.py,
SR-PK-005) and, for the plasma-reduction ratio, its own oral comparator peak (the same oral regimen through the
patient's own systemic parameters). The envelope's outcome is FAIL when fewer than `min_fraction_passing`
(default 0.95 [A]) of all patients pass, PASS otherwise. A patient that cannot be evaluated (no drug reached the
catheter tip within the horizon, or for the ratio no drug reached plasma) never counts as passing; when no
patient can be evaluated the envelope is NOT_EVALUATED. Patients are processed in chunks, so memory does not grow
with the peak grid; the result does not depend on the chunk size.

The withdrawal envelope (withdrawal.py, SR-PK-006) is judged per patient too (population_withdrawal.py): each
patient's longest time with the delivered effect-site concentration below the fraction of the level the
`sustained` program brings that same patient, at the sample times (sample_times_h, else a grid every
DEFAULT_WITHDRAWAL_STEP_H). With no `sustained` profile given it is not judged (not in the verdict: `itpump
predict` of a bolus alone has no program); with one bringing less than the minimum dose to the tip (a run whose
program never started) it is NOT_EVALUATED.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any

import numpy as np

from firmware_sim.outcome import Outcome, combine
from firmware_sim.pk.age_groups import AgeGroup
from firmware_sim.pk.envelopes import CEILING_OUTPUTS, EnvelopeLimits
from firmware_sim.pk.model import OUTPUT_NAMES, PatientBatch, build_system
from firmware_sim.pk.oral import oral_system_batch, steady_state_doses
from firmware_sim.pk.params import BaclofenParams
from firmware_sim.pk.population import PopulationVariability, sample_population
from firmware_sim.pk.population_bounds import DEFAULT_MIN_FRACTION_PASSING, MAX_PATIENTS
from firmware_sim.pk.population_peaks import DEFAULT_POPULATION_PEAK_GRID_STEP_H, population_peaks
from firmware_sim.pk.population_series import DEFAULT_PERCENTILES, chunk_batch
from firmware_sim.pk.population_withdrawal import longest_drops_h
from firmware_sim.pk.profile import DeliveryProfile
from firmware_sim.pk.withdrawal import REQUIREMENT_IDS as WITHDRAWAL_IDS
from firmware_sim.pk.withdrawal import RUN_ENVELOPE_NAMES, WITHDRAWAL_ENVELOPE, WithdrawalLimits

DEFAULT_CHUNK_PATIENTS = 8192
ORAL_PEAK_GRID_STEP_H = 0.25
DEFAULT_WITHDRAWAL_STEP_H = 0.25
"""The withdrawal envelope's sample grid when no sample times are given."""
QUANTILE_PERCENTS = np.arange(101)
"""Each envelope keeps its value's quantiles at every percent, which campaigns pool across runs."""
ENVELOPE_NAMES = RUN_ENVELOPE_NAMES

_REQUIREMENTS = {"plasma_reduction_vs_oral": ("SR-PK-001", "SR-PK-005"), "plasma_ceiling": ("SR-PK-002", "SR-PK-005"),
                 "lumbar_csf_ceiling": ("SR-PK-003", "SR-PK-005"), "cisternal_csf_ceiling": ("SR-PK-004", "SR-PK-005"),
                 WITHDRAWAL_ENVELOPE: WITHDRAWAL_IDS + ("SR-PK-005",)}
SHOWN_UNITS = {"ng_per_ml": " ng/mL", "ratio": "x", "h": " h"}
"""How a reason writes an envelope's unit, as the typical patient's reasons do (the `unit` field keeps its name)."""


@dataclass(frozen=True)
class PopulationEnvelope:
    """One envelope over a population: how many patients pass, the spread of the value, the worst patient."""

    name: str
    unit: str
    limit: float
    requirement_ids: tuple[str, ...]
    n_patients: int
    n_passing: int
    n_not_evaluated: int
    min_fraction_passing: float
    p5: float | None                 # percentiles of the value over the evaluated patients (None if none)
    p50: float | None
    p95: float | None
    worst_patient_index: int | None  # index in the seeded population (sample_population order)
    worst_patient_params: BaclofenParams | None
    worst_value: float | None
    outcome: Outcome
    reason: str
    comparator: str | None = None
    quantiles: tuple[float, ...] | None = None
    """The value at every percent 0..100 over the evaluated patients (None if none was evaluated)."""

    @property
    def fraction_passing(self) -> float:
        return self.n_passing / self.n_patients

    def to_dict(self) -> dict[str, Any]:
        params = self.worst_patient_params
        return {"name": self.name, "unit": self.unit, "limit": self.limit,
                "requirement_ids": list(self.requirement_ids),
                "n_patients": self.n_patients, "n_passing": self.n_passing, "n_not_evaluated": self.n_not_evaluated,
                "fraction_passing": self.fraction_passing, "min_fraction_passing": self.min_fraction_passing,
                "p5": self.p5, "p50": self.p50, "p95": self.p95, "worst_patient_index": self.worst_patient_index,
                "worst_patient_params": None if params is None else vars(params).copy(),
                "worst_value": self.worst_value, "outcome": self.outcome.value, "passed": self.outcome.passed,
                "reason": self.reason, "comparator": self.comparator}


@dataclass(frozen=True)
class PopulationVerdict:
    envelopes: tuple[PopulationEnvelope, ...]   # in ENVELOPE_NAMES order (withdrawal only with a sustained profile)
    n_patients: int
    seed: int
    horizon_h: float
    min_fraction_passing: float

    @property
    def outcome(self) -> Outcome:
        return combine(e.outcome for e in self.envelopes)

    def envelope(self, name: str) -> PopulationEnvelope:
        for e in self.envelopes:
            if e.name == name:
                return e
        raise KeyError(f"unknown envelope {name!r}; known: {', '.join(ENVELOPE_NAMES)}")

    def to_dict(self) -> dict[str, Any]:
        return {"n_patients": self.n_patients, "seed": self.seed, "horizon_h": self.horizon_h,
                "min_fraction_passing": self.min_fraction_passing, "outcome": self.outcome.value,
                "envelopes": [e.to_dict() for e in self.envelopes]}


def envelope_values(profile: DeliveryProfile, batch: PatientBatch, horizon_h: float, limits: EnvelopeLimits, *,
                    peak_grid_step_h: float = DEFAULT_POPULATION_PEAK_GRID_STEP_H,
                    extra_points_h: np.ndarray | None = None,
                    chunk_patients: int = DEFAULT_CHUNK_PATIENTS,
                    sustained: DeliveryProfile | None = None,
                    withdrawal: WithdrawalLimits | None = None) -> dict[str, np.ndarray]:
    """Envelope name -> (N,) value per patient (NaN where the patient cannot be evaluated).

    The withdrawal envelope is judged only when a sustained profile is given (none: no key), sampled at
    extra_points_h within [0, horizon_h] (with both ends), else on a grid every DEFAULT_WITHDRAWAL_STEP_H."""
    if isinstance(chunk_patients, bool) or not isinstance(chunk_patients, (int, np.integer)) or chunk_patients < 1:
        raise ValueError(f"chunk_patients must be a positive integer, got {chunk_patients!r}")
    n = batch.n_patients
    values = {name: np.full(n, np.nan) for name in ENVELOPE_NAMES if name != WITHDRAWAL_ENVELOPE}
    if sustained is not None:
        values[WITHDRAWAL_ENVELOPE] = longest_drops_h(profile, sustained, withdrawal_times_h(horizon_h, extra_points_h),
                                                      batch, withdrawal, chunk_patients=chunk_patients)
    if profile.dose_until_mcg(horizon_h) < limits.min_dose_to_evaluate_mcg:
        return values
    outputs = [OUTPUT_NAMES.index(CEILING_OUTPUTS[name]) for name in CEILING_OUTPUTS]
    regimen = limits.oral_regimen
    oral_profile, last_dose_h = steady_state_doses(regimen)
    for start in range(0, n, chunk_patients):
        stop = min(n, start + chunk_patients)
        chunk = chunk_batch(batch, start, stop)
        peaks = population_peaks(build_system(chunk), profile, 0.0, horizon_h, outputs,
                                 grid_step_h=peak_grid_step_h, extra_points_h=extra_points_h)
        for name, row in zip(CEILING_OUTPUTS, peaks.values):
            values[name][start:stop] = row
        oral = population_peaks(oral_system_batch(chunk, regimen), oral_profile, last_dose_h,
                                last_dose_h + regimen.interval_h, [0], grid_step_h=ORAL_PEAK_GRID_STEP_H).values[0]
        plasma = values["plasma_ceiling"][start:stop]
        with np.errstate(divide="ignore", invalid="ignore"):
            values["plasma_reduction_vs_oral"][start:stop] = np.where(plasma > 0, oral / plasma, np.nan)
    return values


def withdrawal_times_h(horizon_h: float, sample_times_h: np.ndarray | None) -> np.ndarray:
    """The withdrawal envelope's sample times: the given ones within [0, horizon_h] with both ends, else a grid."""
    if sample_times_h is None:
        steps = max(1, math.ceil(horizon_h / DEFAULT_WITHDRAWAL_STEP_H - 1e-9))
        return np.linspace(0.0, horizon_h, steps + 1)
    t = np.asarray(sample_times_h, dtype=float)
    return np.unique(np.concatenate([[0.0, horizon_h], t[(t >= 0) & (t <= horizon_h)]]))


_NOT_EVALUATED = {WITHDRAWAL_ENVELOPE: "no sustained program to compare against (no therapy program ran, or it "
                                       "brought less than the minimum dose to the tip), or a drop still under way at "
                                       "the end of the prediction and shorter than the limit so far"}


def _judge(name: str, values: np.ndarray, limit: float, unit: str, batch: PatientBatch, min_fraction: float,
           comparator: str | None, what: str) -> PopulationEnvelope:
    n = len(values)
    evaluated = np.isfinite(values)
    is_ratio = name == "plasma_reduction_vs_oral"
    passing = evaluated & ((values >= limit) if is_ratio else (values <= limit))
    n_pass, n_skip = int(passing.sum()), int(n - evaluated.sum())
    ids = _REQUIREMENTS[name]
    if n_skip == n:
        why = _NOT_EVALUATED.get(name, "no drug reached the catheter tip, or plasma, within the horizon")
        reason = f"not evaluated: no patient of {n} could be judged ({why})"
        return PopulationEnvelope(name, unit, limit, ids, n, 0, n, min_fraction, None, None, None, None, None, None,
                                  Outcome.NOT_EVALUATED, reason, comparator)
    judged = values[evaluated]
    quantiles = tuple(float(v) for v in np.percentile(judged, QUANTILE_PERCENTS))
    p5, p50, p95 = (quantiles[int(q)] for q in DEFAULT_PERCENTILES)
    masked = np.where(evaluated, values, np.inf if is_ratio else -np.inf)
    worst = int(np.argmin(masked) if is_ratio else np.argmax(masked))
    fraction = n_pass / n
    ok = fraction >= min_fraction
    relation, shown = ">=" if is_ratio else "<=", SHOWN_UNITS.get(unit, f" {unit}")
    reason = (f"{what} {relation} {limit:.4g}{shown} in {n_pass} of {n} patients ({100 * fraction:.4g} %, "
              f"{'at least' if ok else 'below'} the required {100 * min_fraction:.4g} %"
              f"{f'; {n_skip} not evaluated' if n_skip else ''}); p5/p50/p95 {p5:.4g}/{p50:.4g}/{p95:.4g}{shown}; "
              f"worst patient {worst}: {float(values[worst]):.4g}{shown}")
    return PopulationEnvelope(name, unit, limit, ids, n, n_pass, n_skip, min_fraction, p5, p50, p95, worst,
                              batch.patient(worst), float(values[worst]), Outcome.PASS if ok else Outcome.FAIL,
                              reason, comparator, quantiles)


def judge_population(values: Mapping[str, np.ndarray], batch: PatientBatch, limits: EnvelopeLimits, *,
                     age_group: AgeGroup = AgeGroup.ADULT,
                     min_fraction_passing: float = DEFAULT_MIN_FRACTION_PASSING,
                     withdrawal: WithdrawalLimits | None = None) -> tuple[PopulationEnvelope, ...]:
    """The PopulationEnvelope of every envelope from per-patient values (envelope_values)."""
    withdrawal = withdrawal or WithdrawalLimits()
    plasma_limit = (limits.plasma_ceiling_pediatric_ng_per_ml if age_group is AgeGroup.PEDIATRIC
                    else limits.plasma_ceiling_adult_ng_per_ml)
    spec = {"plasma_reduction_vs_oral": (limits.plasma_reduction_min_ratio, "ratio", limits.oral_regimen.description,
                                         "oral comparator peak / intrathecal peak plasma"),
            "plasma_ceiling": (plasma_limit, "ng_per_ml", None, f"peak plasma ({age_group.value})"),
            "lumbar_csf_ceiling": (limits.lumbar_csf_ceiling_ng_per_ml, "ng_per_ml", None, "peak lumbar CSF"),
            "cisternal_csf_ceiling": (limits.cisternal_csf_ceiling_ng_per_ml, "ng_per_ml", None, "peak cisternal CSF"),
            WITHDRAWAL_ENVELOPE: (withdrawal.max_time_below_h, "h", None,
                                  f"longest time with the effect site below {withdrawal.min_sustained_fraction:.0%} "
                                  f"of the sustained level")}
    return tuple(_judge(name, values[name], spec[name][0], spec[name][1], batch, min_fraction_passing,
                        spec[name][2], spec[name][3]) for name in ENVELOPE_NAMES if name in values)


def check_min_fraction_passing(value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and 0 < value <= 1):
        raise ValueError(f"min_fraction_passing must be a number within (0, 1], got {value!r}")
    return float(value)


def evaluate_population(
    profile: DeliveryProfile,
    *,
    count: int,
    seed: int,
    limits: EnvelopeLimits | None = None,
    horizon_h: float,
    min_fraction_passing: float = DEFAULT_MIN_FRACTION_PASSING,
    age_group: AgeGroup = AgeGroup.ADULT,
    weight_kg: float | np.ndarray | None = None,
    base: BaclofenParams | None = None,
    variability: PopulationVariability | None = None,
    sample_times_h: np.ndarray | None = None,
    peak_grid_step_h: float = DEFAULT_POPULATION_PEAK_GRID_STEP_H,
    chunk_patients: int = DEFAULT_CHUNK_PATIENTS,
    sustained: DeliveryProfile | None = None,
    withdrawal: WithdrawalLimits | None = None,
) -> PopulationVerdict:
    """Every envelope for `count` seeded virtual patients (sample_population(count, seed, ...)) over [0, horizon_h].

    Pure: the same arguments give the same verdict. sample_times_h, if given, are added to the peak grid and are
    the withdrawal envelope's samples; sustained is the level the programs sustain (withdrawal.py).
    """
    limits = limits or EnvelopeLimits()
    min_fraction = check_min_fraction_passing(min_fraction_passing)
    if isinstance(horizon_h, bool) or not isinstance(horizon_h, (int, float)) \
            or not (math.isfinite(horizon_h) and horizon_h > 0):
        raise ValueError(f"horizon_h must be a finite number of hours > 0, got {horizon_h!r}")
    if isinstance(count, bool) or not isinstance(count, (int, np.integer)) or not 1 <= count <= MAX_PATIENTS:
        raise ValueError(f"count must be a whole number of patients within [1, {MAX_PATIENTS}], got {count!r}")
    batch = sample_population(count, seed, base=base, variability=variability, weight_kg=weight_kg)
    values = envelope_values(profile, batch, float(horizon_h), limits, peak_grid_step_h=peak_grid_step_h,
                             extra_points_h=sample_times_h, chunk_patients=chunk_patients, sustained=sustained,
                             withdrawal=withdrawal)
    envelopes = judge_population(values, batch, limits, age_group=age_group, min_fraction_passing=min_fraction,
                                 withdrawal=withdrawal)
    return PopulationVerdict(envelopes, count, seed, float(horizon_h), min_fraction)
