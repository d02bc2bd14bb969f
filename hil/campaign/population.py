"""Virtual patients for one run: the run's delivered profile (rebuilt from its record) judged for every patient of
the campaign's seeded population (firmware_sim.pk.population_verdict), the same population for every run.

Per envelope it returns how many patients passed, how many could not be evaluated, the run's population outcome
and the value's quantiles at every percent (0..100) over the evaluated patients, which the campaign summary
pools across runs (hil.campaign.population_summary).
"""
from __future__ import annotations

from typing import Any

import numpy as np

QUANTILE_PERCENTS = np.arange(101)


def population_for_run(record: Any, spec: dict[str, Any], dead_volume_ul: float, scenario: Any) -> dict[str, Any] | None:
    patients = spec.get("patients")
    if patients is None:
        return None
    from firmware_sim.pk.age_groups import AgeGroup
    from firmware_sim.pk.envelopes import EnvelopeLimits
    from firmware_sim.pk.population import sample_population
    from firmware_sim.pk.population_verdict import envelope_values, judge_population
    from hil.campaign.record_profile import delivered_profile

    profile, source = delivered_profile(record, dead_volume_ul, scenario.duration_h)
    limits = EnvelopeLimits()
    batch = sample_population(patients["count"], patients["seed"], weight_kg=scenario.patient.weight_kg)
    values = envelope_values(profile, batch, scenario.duration_h, limits)
    judged = judge_population(values, batch, limits, age_group=AgeGroup(scenario.patient.age_group))
    envelopes = {}
    for result in judged:
        finite = values[result.name][np.isfinite(values[result.name])]
        quantiles = [float(v) for v in np.percentile(finite, QUANTILE_PERCENTS)] if finite.size else None
        envelopes[result.name] = {"n_patients": result.n_patients, "n_passing": result.n_passing,
                                  "n_not_evaluated": result.n_not_evaluated, "outcome": result.outcome.value,
                                  "p5": result.p5, "p50": result.p50, "p95": result.p95, "unit": result.unit,
                                  "limit": result.limit, "quantiles": quantiles}
    return {"n_patients": patients["count"], "seed": patients["seed"], "profile_source": source,
            "envelopes": envelopes}
