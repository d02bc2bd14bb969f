"""What `itpump predict` accepts (horizon, population, samples, the bolus it models) and how it refuses an argument.

Shared by the argument checks (hil/cli/predict.py) and the prediction itself (hil/cli/predict_report.py), which
import it and not each other.
"""
from __future__ import annotations

import argparse

from firmware_sim.pk.population_bounds import MAX_PATIENTS
from firmware_sim.units import H_PER_DAY, MIN_PER_H
from hil.cli.json_output import fail
from hil.results.error import ErrorKind

BOLUS_DURATION_H = 1.0 / MIN_PER_H
MAX_HOURS = H_PER_DAY * 366
MAX_POPULATION = MAX_PATIENTS
MAX_SAMPLES = 2_000_000
"""Samples per patient (times): a population is stepped in chunks of patients and blocks of times, so its
memory does not grow with patients x times (firmware_sim/pk/population_series.py)."""


def argument_error(args: argparse.Namespace, message: str) -> int:
    return fail(args, ErrorKind.BAD_INPUT, message)
