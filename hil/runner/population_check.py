"""Virtual patients for a run: the delivered profile judged for every patient of a seeded population.

One evaluation (firmware_sim.pk.population_verdict.evaluate_population, the one `itpump predict --population`
uses) for the runner (a scenario naming `patients`) and for campaigns (hil.campaign.population): every envelope,
the withdrawal envelope against the programs' sustained profile included (SR-PK-006), on the scenario's patient
weight and age group, over the scenario's duration.

    verdict = judge_patients(delivered, sustained, patients, weight_kg=70, age_group="adult", duration_h=48)
    bands = population_bands(delivered, t_h, patients, weight_kg=70)   # p5/p50/p95 of each PK output at t_h
"""
from __future__ import annotations

from typing import TYPE_CHECKING
from collections.abc import Mapping, Sequence

import numpy as np

from firmware_sim.outcome import Outcome
from firmware_sim.pk.age_groups import AgeGroup
from firmware_sim.pk.model import OUTPUT_NAMES, SITE_OUTPUTS
from firmware_sim.pk.population import sample_population
from firmware_sim.pk.population_series import DEFAULT_PERCENTILES, population_percentiles
from firmware_sim.pk.population_bounds import DEFAULT_MIN_FRACTION_PASSING
from firmware_sim.pk.population_verdict import PopulationVerdict, evaluate_population
from firmware_sim.pk.profile import DeliveryProfile, InfusionSegment
from hil.records import events as ev

if TYPE_CHECKING:
    from hil.config.patients import VirtualPatients
    from hil.config.scenario import ScenarioConfig
    from hil.records.writer import RecordWriter
    from hil.runner.pk_verdict import PkOutcome

BAND_OUTPUTS = SITE_OUTPUTS


def _fields(patients: VirtualPatients | Mapping[str, float]) -> tuple[int, int, float]:
    """(count, seed, min_fraction_passing) of a VirtualPatients or its dict (a campaign run spec's)."""
    data: Mapping[str, float] = patients if isinstance(patients, Mapping) else patients.model_dump()
    return (int(data["count"]), int(data.get("seed", 0)),
            float(data.get("min_fraction_passing", DEFAULT_MIN_FRACTION_PASSING)))


def judge_patients(delivered: DeliveryProfile, sustained: DeliveryProfile | None,
                   patients: VirtualPatients | Mapping[str, float], *,
                   weight_kg: float, age_group: str, duration_h: float) -> PopulationVerdict:
    count, seed, fraction = _fields(patients)
    return evaluate_population(delivered, count=count, seed=seed, horizon_h=float(duration_h),
                               min_fraction_passing=fraction, age_group=AgeGroup(age_group), weight_kg=weight_kg,
                               sustained=sustained)


def population_bands(delivered: DeliveryProfile, t_h: np.ndarray, patients: VirtualPatients | Mapping[str, float], *,
                     weight_kg: float) -> dict[str, dict[str, list[float]]]:
    """Output name -> {"p5": [...], "p50": [...], "p95": [...]} across the same patients, at t_h (bounded memory)."""
    count, seed, _ = _fields(patients)
    batch = sample_population(count, seed, weight_kg=weight_kg)
    summary = population_percentiles(delivered, t_h, batch, DEFAULT_PERCENTILES)
    return {name: {f"p{q:g}": row.tolist() for q, row in zip(DEFAULT_PERCENTILES, summary.percentiles[name])}
            for name in OUTPUT_NAMES if name in BAND_OUTPUTS}


def sustained_program_fields(sustained: DeliveryProfile | None) -> list[dict[str, float]]:
    """The sustained profile as the record keeps it (pk_series `sustained_program`), for campaigns to judge again."""
    return [] if sustained is None else [{"start_h": s.start_h, "duration_h": s.duration_h,
                                          "rate_mcg_per_h": s.rate_mcg_per_h} for s in sustained.segments]


def sustained_from_fields(fields: Sequence[Mapping[str, float]] | None) -> DeliveryProfile | None:
    """Back from sustained_program_fields; None for a record written before it was kept."""
    if fields is None:
        return None
    return DeliveryProfile(segments=tuple(InfusionSegment(float(f["start_h"]), float(f["duration_h"]),
                                                          float(f["rate_mcg_per_h"])) for f in fields))


def record_population(record: RecordWriter, pk: PkOutcome, scenario: ScenarioConfig,
                      excused: set[str]) -> tuple[list[str], list[str]]:
    """Judge the scenario's virtual patients, write the population_verdict event; (failures, notes) for the run's
    verdict. An envelope that failed as the scenario expects (excused: the withdrawal drop an alarm caught) fails
    for the population too without failing the run; it is noted."""
    patients = scenario.patients
    if patients is None:
        raise ValueError(f"scenario {scenario.name!r} names no virtual patients to judge")
    verdict = judge_patients(pk.delivered.profile, pk.sustained, patients, weight_kg=scenario.patient.weight_kg,
                             age_group=scenario.patient.age_group, duration_h=scenario.duration_h)
    bands = population_bands(pk.delivered.profile, pk.delivered.t_h, patients, weight_kg=scenario.patient.weight_kg)
    record.write(ev.PopulationVerdictEvent(**verdict.to_dict(), t_h=tuple(pk.delivered.t_h.tolist()), bands=bands))
    passed = sum(1 for e in verdict.envelopes if e.outcome is Outcome.PASS)
    failures: list[str] = []
    notes = [f"virtual patients: {passed} of {len(verdict.envelopes)} envelopes passed in at least "
             f"{100 * verdict.min_fraction_passing:.4g} % of {verdict.n_patients} patients (seed {verdict.seed})"]
    for envelope in verdict.envelopes:
        text = f"virtual patients, envelope {envelope.name}: {envelope.reason}"
        if envelope.outcome is Outcome.FAIL and envelope.name in excused:
            notes.append(f"{text} (failed as the scenario expects)")
        elif envelope.outcome is Outcome.FAIL:
            failures.append(text)
        elif envelope.outcome is Outcome.NOT_EVALUATED:
            notes.append(text)
    return failures, notes


def record_pk_series(record: RecordWriter, pk: PkOutcome) -> dict[str, dict[str, float]]:
    """The delivered and programmed predictions as pk_series events (the programmed one with the sustained
    program, for campaigns to judge virtual patients again); returns pk.peak_differences()."""
    differences = pk.peak_differences()
    for label, prediction in (("delivered", pk.delivered), ("programmed", pk.programmed)):
        sustained = tuple(sustained_program_fields(pk.sustained)) if label == "programmed" else None
        record.write(ev.PkSeries(label=label, t_h=tuple(prediction.t_h.tolist()),
                                 lumbar_csf_ng_per_ml=tuple(prediction.lumbar_csf_ng_per_ml.tolist()),
                                 cisternal_csf_ng_per_ml=tuple(prediction.cisternal_csf_ng_per_ml.tolist()),
                                 plasma_ng_per_ml=tuple(prediction.plasma_ng_per_ml.tolist()),
                                 peaks_ng_per_ml={name: d[label] for name, d in differences.items()},
                                 source=pk.delivered_source if label == "delivered" else "commanded",
                                 sustained_program=sustained))
    return differences
