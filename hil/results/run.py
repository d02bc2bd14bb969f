"""A run's result: summary.json (RunSummary), and `itpump run --json` / `itpump report --json` (RunResult).

RunResult is RunSummary plus the run folder, so a run's JSON and its summary.json use the same names.
"""
from __future__ import annotations

from typing import Any

from pydantic import Field, computed_field

from hil.results.base import OutcomeResult, ResultModel
from hil.results.population import PopulationVerdictResult


class EnvelopeCheck(OutcomeResult):
    """A PK safety envelope: value and limit in `unit`; value None when NOT_EVALUATED."""
    name: str
    value: float | None
    limit: float | None
    unit: str
    requirement_ids: tuple[str, ...]
    reason: str
    comparator: str | None = None
    details: dict[str, float] = Field(default_factory=dict)
    """Numbers behind the value, each with its unit in its name (e.g. oral_peak_plasma_ng_per_ml)."""


class ExpectationCheck(OutcomeResult):
    name: str
    detail: str
    requirement_ids: tuple[str, ...]


class AlarmEntry(ResultModel):
    t_h: float
    name: str
    priority: str


class StepEntry(ResultModel):
    t_h: float
    index: int
    action: str
    decision: str
    expected_decision: str | None
    reasons: tuple[str, ...]
    requirement_ids: tuple[str, ...]
    overridden: tuple[str, ...] = ()
    """Soft-limit reasons the step overrode explicitly (override_soft_limits: true): approved despite them."""


class Delivered(ResultModel):
    """The last volume sample's three volumes (None where that source was not measured)."""
    commanded_ul: float | None = None
    pump_reported_ul: float | None = None
    gravimetric_ul: float | None = None


class PkPeak(ResultModel):
    """True peak of one PK output from the delivered and the programmed profile."""
    delivered_ng_per_ml: float
    programmed_ng_per_ml: float
    difference_percent: float | None
    """100 (delivered - programmed) / programmed; None when the programmed peak is 0 (no finite percentage)."""


class InterruptEntry(ResultModel):
    phase: str
    detail: str


class RunSummary(OutcomeResult):
    """summary.json of a run folder, rendered from its record alone."""
    reason: str
    provenance: dict[str, Any] | None
    """The record's run_started event (run_id, config hashes, git revision, seeds, time_compression_factor...)."""
    drug_limits: dict[str, Any] | None
    record_truncated: bool
    record_damage: tuple[str, ...]
    record_chained: bool
    envelopes: tuple[EnvelopeCheck, ...]
    expectations: tuple[ExpectationCheck, ...]
    alarms: tuple[AlarmEntry, ...]
    steps: tuple[StepEntry, ...]
    delivered: Delivered
    pk_peaks: dict[str, PkPeak]
    """By PK output name (lumbar_csf_ng_per_ml, cisternal_csf_ng_per_ml, plasma_ng_per_ml)."""
    interrupts: tuple[InterruptEntry, ...]
    population_verdict: PopulationVerdictResult | None = None
    """The scenario's virtual patients (scenario `patients`): every envelope judged for each; None without them."""
    output_failures: dict[str, str] = Field(default_factory=dict)
    """Outputs whose rendering failed: {name: error} (the run is then ERROR)."""
    outputs_missing: dict[str, str] = Field(default_factory=dict)
    """Outputs not written because the operator interrupted the rendering: {name: why}."""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def time_compression_factor(self) -> float:
        """Scenario time per wall time of the run (1 on virtual clocks and uncompressed bench runs)."""
        return float((self.provenance or {}).get("time_compression_factor") or 1.0)


class RunResult(RunSummary):
    """`itpump run --json` and `itpump report --json`: the run's summary and where its folder is."""
    report_dir: str | None
