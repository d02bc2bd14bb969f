"""The work behind `itpump predict`: the PK prediction, envelope verdicts, summary and JSON report."""
from __future__ import annotations

import argparse
from collections import Counter

import numpy as np

from firmware_sim.outcome import combine
from firmware_sim.pk.envelopes import CEILING_OUTPUTS, EnvelopeResult, evaluate_envelopes
from firmware_sim.pk.model import OUTPUT_NAMES, PatientBatch, systemic_values
from firmware_sim.pk.params import BaclofenParams, params_for_weight
from firmware_sim.pk.population import sample_population
from firmware_sim.pk.population_series import population_percentiles
from firmware_sim.pk.population_verdict import PopulationVerdict, evaluate_population
from firmware_sim.pk.population_series import DEFAULT_PERCENTILES
from firmware_sim.pk.predict import Prediction, predict
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
from firmware_sim.units import H_PER_DAY, MIN_PER_H, NG_PER_MCG
from hil.cli.exit_codes import ExitCode
from hil.cli.json_output import print_result
from hil.cli.predict_limits import BOLUS_DURATION_H, MAX_SAMPLES, argument_error
from hil.results.population import population_verdict_result, worst_patient_text
from hil.results.prediction import PeakValue, PopulationPrediction, PredictionInputs, TypicalPrediction
from hil.results.run import EnvelopeCheck



def build_profile(rate_mcg_per_day: float, bolus_mcg: float, duration_h: float) -> DeliveryProfile:
    segments = []
    if bolus_mcg > 0:
        segments.append(InfusionSegment(0.0, BOLUS_DURATION_H, bolus_mcg / BOLUS_DURATION_H))
    if rate_mcg_per_day > 0:
        segments.append(InfusionSegment(0.0, duration_h, rate_mcg_per_day / H_PER_DAY))
    return DeliveryProfile(segments=tuple(segments))


def sample_times_h(duration_h: float, step_min: float) -> np.ndarray:
    step_h = step_min / MIN_PER_H
    t = np.arange(int(np.floor(duration_h / step_h + 1e-9)) + 1) * step_h
    return t if duration_h - t[-1] <= 1e-9 else np.append(t, duration_h)


def run(args: argparse.Namespace) -> int:
    t_h = sample_times_h(args.hours, args.step_min)
    n_samples = len(t_h)
    if n_samples > MAX_SAMPLES:
        return argument_error(
            args, f"{n_samples} samples per patient exceed {MAX_SAMPLES}: raise --step-min or lower --hours"
        )
    params = params_for_weight(args.weight_kg)
    profile = build_profile(args.rate_mcg_per_day, args.bolus_mcg, args.hours)
    typical = predict(profile, t_h, params)
    envelopes = evaluate_envelopes(typical)
    report: TypicalPrediction | PopulationPrediction
    if args.population is None:
        report = _single_report(args, typical, envelopes)
    else:
        # no sustained program: what predict delivers is its program, so no patient's withdrawal could be judged
        # other than a drop of 0 h (a PASS that cannot fail); the envelope is left out
        verdict = evaluate_population(profile, count=args.population, seed=args.seed, horizon_h=args.hours,
                                      weight_kg=args.weight_kg, sample_times_h=t_h,
                                      min_fraction_passing=args.min_fraction_passing)
        report = _population_report(args, profile, t_h, envelopes, verdict)
    if args.json:
        print_result(report)
    else:
        _print_summary(args, typical, envelopes, report)
    return ExitCode.for_outcome(report.outcome)


def envelope_check(envelope: EnvelopeResult) -> EnvelopeCheck:
    """An envelope verdict of firmware_sim.pk in the result vocabulary (the same names as a run's)."""
    return EnvelopeCheck(name=envelope.name, outcome=envelope.outcome, value=envelope.value, limit=envelope.limit,
                         unit=envelope.unit, requirement_ids=envelope.requirement_ids, reason=envelope.reason,
                         comparator=envelope.comparator, details=dict(envelope.details))


def _verdict(envelopes: tuple[EnvelopeResult, ...]) -> dict:
    return {"outcome": combine(e.outcome for e in envelopes), "envelopes": [envelope_check(e) for e in envelopes]}


def _inputs(args: argparse.Namespace) -> PredictionInputs:
    return PredictionInputs(weight_kg=args.weight_kg, rate_mcg_per_day=args.rate_mcg_per_day, bolus_mcg=args.bolus_mcg,
                            bolus_duration_min=BOLUS_DURATION_H * MIN_PER_H, horizon_h=args.hours,
                            step_min=args.step_min)


def _steady_state(params: BaclofenParams, rate_mcg_per_day: float) -> dict:
    """Closed forms (reservoir off): lumbar R/CL_app, cisternal r x lumbar, plasma R/CLs (weight-scaled)."""
    rate = rate_mcg_per_day / H_PER_DAY
    lumbar = NG_PER_MCG * rate / params.lumbar_apparent_clearance_ml_per_h
    cls = float(systemic_values(PatientBatch.from_params(params).values)["systemic_clearance_l_per_h"][0])
    return {"lumbar_csf_ng_per_ml": lumbar,
            "cisternal_csf_ng_per_ml": lumbar * params.cisternal_to_lumbar_steady_state_ratio,
            "plasma_ng_per_ml": rate / cls, "effect_ng_per_ml": lumbar}


def _single_report(args, prediction: Prediction, envelopes: tuple[EnvelopeResult, ...]) -> TypicalPrediction:
    return TypicalPrediction(
        inputs=_inputs(args), t_h=prediction.t_h.tolist(),
        **{name: prediction.series(name).tolist() for name in OUTPUT_NAMES},
        peaks={name: PeakValue(value_ng_per_ml=p.value, t_h=p.t_h) for name, p in prediction.peaks.items()},
        steady_state=_steady_state(prediction.params, args.rate_mcg_per_day), **_verdict(envelopes))


def _population_report(args, profile: DeliveryProfile, t_h: np.ndarray, envelopes,
                       verdict: PopulationVerdict) -> PopulationPrediction:
    batch = sample_population(args.population, args.seed, weight_kg=args.weight_kg)
    summary = population_percentiles(profile, t_h, batch, DEFAULT_PERCENTILES)   # chunked: bounded memory
    percentiles, peaks = summary.percentiles, summary.sampled_peaks
    population_verdict = population_verdict_result(verdict)
    return PopulationPrediction(
        inputs=_inputs(args), n_patients=args.population, seed=args.seed, percentiles=DEFAULT_PERCENTILES,
        t_h=t_h.tolist(),
        **{name: {f"p{q:g}": row.tolist() for q, row in zip(DEFAULT_PERCENTILES, percentiles[name])}
           for name in OUTPUT_NAMES},
        sampled_peak_percentiles={
            name: {f"p{q:g}": float(v) for q, v in zip(DEFAULT_PERCENTILES, np.percentile(peaks[name],
                                                                                          DEFAULT_PERCENTILES))}
            for name in OUTPUT_NAMES},
        envelopes_patient="typical patient (population typical values)",
        envelopes=[envelope_check(e) for e in envelopes],
        outcome=population_verdict.outcome,   # decides the exit code
        population_verdict=population_verdict)


def _print_summary(args, prediction: Prediction, envelopes, report: TypicalPrediction | PopulationPrediction) -> None:
    regimen = []
    if args.bolus_mcg:
        regimen.append(f"bolus {args.bolus_mcg:g} mcg over 1 min at t=0")
    if args.rate_mcg_per_day:
        regimen.append(f"infusion {args.rate_mcg_per_day:g} mcg/day from t=0")
    print(f"itpump predict: {' + '.join(regimen)}; {args.weight_kg:g} kg; "
          f"{args.hours:g} h sampled every {args.step_min:g} min")
    print("\nPeaks (typical patient, found between samples too):")
    for name, peak in prediction.peaks.items():
        end = prediction.series(name)[-1]
        print(f"  {name:26s} {peak.value:10.4g} at {peak.t_h:7.3f} h   value at {args.hours:g} h: {end:10.4g}")
    if args.rate_mcg_per_day:
        print(f"\nSteady state of {args.rate_mcg_per_day:g} mcg/day (closed form):")
        steady_state = getattr(report, "steady_state", None) or _steady_state(prediction.params, args.rate_mcg_per_day)
        ceilings = {CEILING_OUTPUTS[e.name]: e.limit for e in envelopes if e.name in CEILING_OUTPUTS}
        for name, value in steady_state.items():  # shown against its ceiling, not judged: beyond the horizon
            limit = ceilings.get(name)
            above = f"   above the {limit:g} ng/mL ceiling: the envelopes judge {args.hours:g} h only" \
                if limit is not None and value > limit else ""
            print(f"  {name:26s} {value:10.4g}{above}")
    if isinstance(report, PopulationPrediction):
        print(f"\nPopulation: {args.population} patients, seed {args.seed}; sampled peaks p5 / p50 / p95:")
        for name, pct in report.sampled_peak_percentiles.items():
            print(f"  {name:26s} " + " / ".join(f"{v:.4g}" for v in pct.values()))
    print("\nEnvelopes" + (" (typical patient)" if args.population is not None else "") + ":")
    for e in envelopes:
        print(f"  {e.outcome.value:4s} {e.name:26s} {', '.join(e.requirement_ids):20s} {e.reason}")
    if isinstance(report, PopulationPrediction):
        verdict = report.population_verdict
        print(f"\nPopulation verdict ({verdict.n_patients} patients, each envelope must pass in at least "
              f"{100 * verdict.min_fraction_passing:.4g} % of them; true peaks per patient): {verdict.outcome.value}")
        for e in verdict.envelopes:
            print(f"  {e.outcome.value:4s} {e.name:26s} {', '.join(e.requirement_ids):20s} {e.reason}")
            if e.worst_patient_params is not None:
                params = e.worst_patient_params
                print("       worst patient: " + worst_patient_text(params, lambda x: f"{x:.4g}"))
    print(f"\n{report.outcome.value}: {_overall(envelopes, report)}")


def _overall(envelopes: tuple[EnvelopeResult, ...], report: TypicalPrediction | PopulationPrediction) -> str:
    judged = report.population_verdict.envelopes if isinstance(report, PopulationPrediction) else envelopes
    counts = Counter(e.outcome.value for e in judged)
    whose = " (population verdict)" if isinstance(report, PopulationPrediction) else ""
    return ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items())) + f" envelope(s){whose}"
