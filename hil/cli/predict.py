"""`itpump predict`: baclofen concentrations for a bolus and/or continuous regimen.

A bolus of D mcg over 1 min at t=0 and/or an infusion of R mcg/day from t=0, for H hours, sampled every
M minutes. Exit codes: 0 all envelopes pass, 1 an envelope fails or cannot be evaluated (no drug reached
plasma within the horizon), 2 bad arguments, 3 ERROR. Under --json every error is one JSON error object.
With --population N --seed S every envelope is evaluated for each of the N virtual patients and the
outcome (and exit code) follows that population verdict: an envelope fails when fewer than
--min-fraction-passing (default 0.95) of the patients pass it.
"""
from __future__ import annotations

import argparse

from firmware_sim.pk.population_bounds import DEFAULT_MIN_FRACTION_PASSING
from firmware_sim.units import MIN_PER_H
from hil.cli.number_args import bounded_number as _number
from hil.cli.predict_limits import BOLUS_DURATION_H, MAX_HOURS, MAX_POPULATION, MAX_SAMPLES, argument_error
from hil.config.bounds import MAX_PATIENT_WEIGHT_KG, MIN_PATIENT_WEIGHT_KG


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("predict", help="predict lumbar/cisternal CSF, plasma and effect concentrations",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weight-kg", type=_number("--weight-kg", MIN_PATIENT_WEIGHT_KG, MAX_PATIENT_WEIGHT_KG,
                                               allow_minimum=True), default=70.0, help="patient weight (default 70)")
    p.add_argument("--rate-mcg-per-day", type=_number("--rate-mcg-per-day", 0, 100_000, allow_minimum=True),
                   default=0.0, help="continuous infusion from t=0")
    p.add_argument("--bolus-mcg", type=_number("--bolus-mcg", 0, 100_000, allow_minimum=True), default=0.0,
                   help="bolus over 1 min at t=0")
    p.add_argument(
        "--hours", type=_number("--hours", 0, MAX_HOURS, allow_minimum=False), default=48.0, help="horizon (default 48)"
    )
    p.add_argument("--step-min", type=_number("--step-min", 0, MAX_HOURS * MIN_PER_H, allow_minimum=False),
                   default=5.0, help="sample step (default 5)")
    p.add_argument("--population", type=_number("--population", 1, MAX_POPULATION, allow_minimum=True, integer=True),
                   help="number of virtual patients")
    p.add_argument("--seed", type=_number("--seed", 0, 2**63 - 1, allow_minimum=True, integer=True),
                   help="population seed (required with --population)")
    p.add_argument(
        "--min-fraction-passing",
        type=_number("--min-fraction-passing", 0, 1, allow_minimum=False),
        help="with --population: fraction of patients that must pass each envelope "
        f"(default {DEFAULT_MIN_FRACTION_PASSING:g})",
    )
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the summary")
    p.set_defaults(func=handle)


def planned_samples(duration_h: float, step_min: float, n_patients: int) -> float:
    """Samples (patients x times) a prediction would allocate: times 0, step, ... up to duration_h, plus duration_h."""
    return (duration_h * MIN_PER_H / step_min + 2) * n_patients


def handle(args: argparse.Namespace) -> int:
    if args.rate_mcg_per_day == 0 and args.bolus_mcg == 0:
        return argument_error(args, "nothing to predict: give --rate-mcg-per-day and/or --bolus-mcg above 0")
    if args.step_min / MIN_PER_H > args.hours:
        return argument_error(args, f"--step-min {args.step_min:g} is longer than --hours {args.hours:g}")
    if args.bolus_mcg > 0 and args.hours < BOLUS_DURATION_H:
        return argument_error(args, f"--hours {args.hours:g} ends before the bolus does "
                              f"({BOLUS_DURATION_H * MIN_PER_H:g} min): the prediction would judge part of it as the "
                              f"whole")
    if (args.population is None) != (args.seed is None):
        return argument_error(args, "--population and --seed go together: give both or neither")
    if args.min_fraction_passing is not None and args.population is None:
        return argument_error(args, "--min-fraction-passing judges a population: give it with --population and --seed")
    if args.min_fraction_passing is None:
        args.min_fraction_passing = DEFAULT_MIN_FRACTION_PASSING
    n_samples = planned_samples(args.hours, args.step_min, 1)
    if n_samples > MAX_SAMPLES:  # counted before any array is allocated
        smallest_step_min = args.hours * MIN_PER_H / (MAX_SAMPLES - 2)
        return argument_error(args, f"--step-min {args.step_min:g} over --hours {args.hours:g} is about "
                              f"{n_samples:.3g} samples per patient, more than {MAX_SAMPLES}: allowed --step-min >= "
                              f"{smallest_step_min:.3g} (or lower --hours)")
    from hil.cli.predict_report import run  # numpy and scipy load only when a prediction is made
    return run(args)
