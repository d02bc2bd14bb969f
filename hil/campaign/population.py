"""Virtual patients for one run: the run's delivered profile (rebuilt from its record) judged for every patient of
the campaign's seeded population by the runner's own evaluation (hil.runner.population_check.judge_patients, the
one `itpump run` and `itpump predict --population` use), the same population for every run.

The withdrawal envelope compares each patient's delivered effect with what the programs sustain, read from the
record (the programmed pk_series' `sustained_program`); a record without it (written before it was kept) leaves
the withdrawal envelope NOT_EVALUATED for its patients.

Per envelope it returns how many patients passed, how many could not be evaluated, the run's population outcome
and the value's quantiles at every percent (0..100) over the evaluated patients, which the campaign summary
pools across runs (hil.campaign.population_summary).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from hil.records import events as ev

if TYPE_CHECKING:
    from firmware_sim.pk.profile import DeliveryProfile
    from hil.config.scenario import ScenarioConfig
    from hil.records.reader import RunRecord


def sustained_profile(record: RunRecord) -> DeliveryProfile | None:
    """The programs' sustained tip profile kept in the record, None if the record does not keep it."""
    from hil.runner.population_check import sustained_from_fields

    programmed = [series for series in record.typed(ev.PkSeries) if series.label == "programmed"]
    return sustained_from_fields(programmed[-1].sustained_program if programmed else None)


def population_for_run(
    record: RunRecord, spec: dict[str, Any], dead_volume_ul: float, scenario: ScenarioConfig
) -> dict[str, Any] | None:
    patients = spec.get("patients")
    if patients is None:
        return None
    from hil.campaign.record_profile import delivered_profile
    from hil.runner.population_check import judge_patients

    profile, source = delivered_profile(record, dead_volume_ul, scenario.duration_h)
    verdict = judge_patients(profile, sustained_profile(record), patients, weight_kg=scenario.patient.weight_kg,
                             age_group=scenario.patient.age_group, duration_h=scenario.duration_h)
    envelopes = {}
    for result in verdict.envelopes:
        envelopes[result.name] = {"n_patients": result.n_patients, "n_passing": result.n_passing,
                                  "n_not_evaluated": result.n_not_evaluated, "outcome": result.outcome.value,
                                  "p5": result.p5, "p50": result.p50, "p95": result.p95, "unit": result.unit,
                                  "limit": result.limit,
                                  "quantiles": list(result.quantiles) if result.quantiles is not None else None}
    return {"n_patients": patients["count"], "seed": patients["seed"], "profile_source": source,
            "envelopes": envelopes}
