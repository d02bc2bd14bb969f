"""`itpump predict --json`: a typical-patient or a population prediction, with the envelope verdicts.

A typical prediction's outcome is the combination (firmware_sim.outcome.combine) of its envelopes' outcomes; a
population prediction's is its population verdict's (every envelope judged on every patient). Concentrations
are in ng/mL (their names say so), times in hours.
"""
from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, TypeAdapter

from hil.results.base import OutcomeResult, ResultModel
from hil.results.population import PopulationVerdictResult
from hil.results.run import EnvelopeCheck


class PredictionInputs(ResultModel):
    weight_kg: float
    rate_mcg_per_day: float
    bolus_mcg: float
    bolus_duration_min: float
    horizon_h: float
    step_min: float


class PeakValue(ResultModel):
    """A true peak (found between samples too)."""
    value_ng_per_ml: float
    t_h: float


class _Prediction(OutcomeResult):
    inputs: PredictionInputs
    t_h: tuple[float, ...]
    envelopes: tuple[EnvelopeCheck, ...]


class TypicalPrediction(_Prediction):
    """`itpump predict --json` for one (typical) patient."""
    kind: Literal["typical"] = "typical"
    lumbar_csf_ng_per_ml: tuple[float, ...]
    cisternal_csf_ng_per_ml: tuple[float, ...]
    plasma_ng_per_ml: tuple[float, ...]
    effect_ng_per_ml: tuple[float, ...]
    peaks: dict[str, PeakValue]
    """By output name (lumbar_csf_ng_per_ml, ...)."""
    steady_state: dict[str, float]
    """Closed-form steady state of the infusion rate, by output name (ng/mL)."""


Percentiles = dict[str, tuple[float, ...]]
"""{"p5": [...], "p50": [...], "p95": [...]} over the patients, at each t_h."""


class PopulationPrediction(_Prediction):
    """`itpump predict --population N --seed S --json`: percentiles over virtual patients."""
    kind: Literal["population"] = "population"
    n_patients: int
    seed: int
    percentiles: tuple[float, ...]
    lumbar_csf_ng_per_ml: Percentiles
    cisternal_csf_ng_per_ml: Percentiles
    plasma_ng_per_ml: Percentiles
    effect_ng_per_ml: Percentiles
    sampled_peak_percentiles: dict[str, dict[str, float]]
    """By output name: {"p5": ..., "p50": ..., "p95": ...} of the patients' sampled peaks (ng/mL)."""
    envelopes_patient: str
    """Whose prediction `envelopes` judge (the typical patient)."""
    population_verdict: PopulationVerdictResult
    """Every envelope over the patients: its outcome is the prediction's outcome (and exit code)."""


PredictionResult = Annotated[TypicalPrediction | PopulationPrediction, Field(discriminator="kind")]
PREDICTION_ADAPTER: TypeAdapter = TypeAdapter(PredictionResult)
