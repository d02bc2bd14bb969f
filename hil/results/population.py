"""Virtual patients in the result vocabulary: every envelope judged on every patient of a seeded population.

Used by `itpump predict --population` (hil.results.prediction) and by a run whose scenario names `patients`
(hil.results.run), built from firmware_sim.pk.population_verdict's PopulationVerdict, or from its record form
(PopulationVerdict.to_dict(), the record's population_verdict event).
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any
from collections.abc import Callable, Mapping

import numpy as np

from hil.results.base import OutcomeResult

if TYPE_CHECKING:
    from firmware_sim.pk.population_verdict import PopulationVerdict

WORST_PARAMS_SHOWN = ("lumbar_volume_ml", "lumbar_clearance_ml_per_h", "lumbar_cisternal_flow_ml_per_h",
                      "systemic_clearance_l_per_h", "plasma_central_volume_l", "plasma_peripheral_volume_l",
                      "weight_kg")
"""The sampled parameters (and the weight) printed for an envelope's worst patient; the JSON has them all."""


def worst_patient_text(params: Mapping[str, float | None], number: Callable[[float], str]) -> str:
    """The WORST_PARAMS_SHOWN of a worst patient, the systemic ones as the patient has them (scaled to its weight
    and renal function) beside the sampled value at the reference weight: printed at the reference alone, a 25 kg
    child's clearance read as the adult's and contradicted the worst value shown."""
    from firmware_sim.pk.model import systemic_values  # numpy and the model only where a population is shown

    values = {k: np.array([np.nan if v is None else float(v)]) for k, v in params.items()}
    scaled = systemic_values(values) if {"weight_kg", "reference_weight_kg"} <= set(params) else {}
    parts = []
    for key in WORST_PARAMS_SHOWN:
        value = params.get(key)
        if value is None:
            continue
        if key in scaled:
            parts.append(f"{key} {number(float(scaled[key][0]))} at {number(float(params['weight_kg'] or 0))} kg "
                         f"({number(value)} at the {number(float(params['reference_weight_kg'] or 0))} kg reference)")
        else:
            parts.append(f"{key} {number(value)}")
    return ", ".join(parts)


class PopulationEnvelopeCheck(OutcomeResult):
    """One envelope judged on every virtual patient; values (p5, p50, p95, worst_value, limit) in `unit`."""
    name: str
    unit: str
    limit: float
    requirement_ids: tuple[str, ...]
    n_patients: int
    n_passing: int
    n_not_evaluated: int
    fraction_passing: float
    min_fraction_passing: float
    p5: float | None
    """Percentiles of the value over the evaluated patients (None when none was evaluated)."""
    p50: float | None
    p95: float | None
    worst_patient_index: int | None
    """Index in the seeded population (sample_population order)."""
    worst_patient_params: dict[str, float | None] | None
    """That patient's PK parameters, each with its unit in its name (None where the model leaves one unset)."""
    worst_value: float | None
    reason: str
    comparator: str | None = None


class PopulationVerdictResult(OutcomeResult):
    """The population verdict: an envelope fails when fewer than min_fraction_passing of the patients pass it."""
    n_patients: int
    seed: int
    horizon_h: float
    min_fraction_passing: float
    envelopes: tuple[PopulationEnvelopeCheck, ...]


def population_verdict_result(verdict: PopulationVerdict) -> PopulationVerdictResult:
    """A firmware_sim.pk.population_verdict.PopulationVerdict in the result vocabulary."""
    return population_verdict_from_dict(verdict.to_dict())


def population_verdict_from_dict(data: Mapping[str, Any]) -> PopulationVerdictResult:
    """From PopulationVerdict.to_dict() (as the record keeps it); `passed` is derived again, never read."""
    fields = {k: v for k, v in data.items() if k not in ("passed", "envelopes")}
    envelopes = [PopulationEnvelopeCheck(**{k: v for k, v in e.items() if k != "passed"}) for e in data["envelopes"]]
    return PopulationVerdictResult(**fields, envelopes=envelopes)
