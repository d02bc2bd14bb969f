"""summary.json: the run's outcome, envelopes, expectations, alarms, steps, volumes, PK peaks and provenance,
as a hil.results.RunSummary built from the record alone (so `itpump report` gives what the run gave)."""
from __future__ import annotations

from typing import Any
from collections.abc import Mapping

from firmware_sim.units import S_PER_H
from hil.records import events as ev
from hil.records.reader import RunRecord
from hil.results.population import PopulationVerdictResult, population_verdict_from_dict
from hil.results.run import (AlarmEntry, Delivered, EnvelopeCheck, ExpectationCheck, InterruptEntry, PkPeak,
                             RunSummary, StepEntry)

MAX_N_DAMAGE_IN_REASON = 5
"""Record problems named in the outcome's reason (summary.json and report.html list them all)."""


def record_outcome(record: RunRecord) -> tuple[str, str]:
    """The run's outcome as its record tells it: ERROR for a damaged or unfinished record, or one whose outputs
    were interrupted, whatever the run_finished line says."""
    finished = record.finished
    recorded = f"{finished.outcome}: {finished.reason}" if finished is not None else None
    if not record.intact:
        listed = "; ".join(record.damage[:MAX_N_DAMAGE_IN_REASON])
        more = record.damage_count - min(len(record.damage), MAX_N_DAMAGE_IN_REASON)
        return "ERROR", (f"the record is damaged ({record.damage_count} problem(s)): {listed}"
                         + (f"; and {more} more" if more > 0 else "")
                         + (f" (recorded verdict {recorded})" if recorded else " (and it has no run_finished)"))
    if finished is None:
        return "ERROR", "the record ends without run_finished (the run was interrupted)"
    late = record.interrupts_after_finish()
    if late:
        return "ERROR", f"{late[-1].detail} (run verdict before the interrupt {recorded})"
    if finished.outcome not in ev.OUTCOMES:
        return "ERROR", f"run_finished names an unknown outcome {finished.outcome!r} ({finished.reason})"
    return finished.outcome, finished.reason


def pk_peaks(record: RunRecord) -> dict[str, PkPeak]:
    """Delivered versus programmed true peaks per PK output, from the record's pk_series events."""
    peaks = {series.label: series.peaks_ng_per_ml or {} for series in record.typed(ev.PkSeries)}
    delivered, programmed = peaks.get("delivered", {}), peaks.get("programmed", {})
    out = {}
    for name in delivered:
        if name in programmed:
            value, reference = float(delivered[name]), float(programmed[name])
            percent = 100.0 * (value - reference) / reference if reference > 0 else None
            out[name] = PkPeak(delivered_ng_per_ml=value, programmed_ng_per_ml=reference, difference_percent=percent)
    return out


def population_verdict(record: RunRecord) -> PopulationVerdictResult | None:
    """The record's virtual-patient verdict (its last population_verdict event), None when it has none."""
    events = record.typed(ev.PopulationVerdictEvent)
    if not events:
        return None
    last = events[-1]
    return population_verdict_from_dict({
        "n_patients": last.n_patients, "seed": last.seed, "horizon_h": last.horizon_h,
        "min_fraction_passing": last.min_fraction_passing, "outcome": last.outcome, "envelopes": last.envelopes})


def build_summary_model(record: RunRecord, outcome: str, reason: str, output_failures: Mapping[str, str] | None = None,
                        outputs_missing: Mapping[str, str] | None = None) -> RunSummary:
    samples = record.typed(ev.VolumeSample)
    last = samples[-1] if samples else None
    started, drug_limits = record.started, next(iter(record.typed(ev.DrugLimitsEvent)), None)
    return RunSummary(
        outcome=outcome, reason=reason, provenance=ev.json_fields(started) if started is not None else None,
        drug_limits=ev.json_fields(drug_limits) if drug_limits is not None else None,
        record_truncated=record.truncated_last_line, record_damage=tuple(record.damage),
        record_chained=record.chained,
        envelopes=tuple(EnvelopeCheck(name=e.name, outcome=record.as_evidence(ev.recorded_outcome(e)), value=e.value,
                                      limit=e.limit, unit=e.unit, requirement_ids=e.requirement_ids, reason=e.reason,
                                      comparator=e.comparator, details=dict(e.details))
                        for e in record.typed(ev.Envelope)),
        expectations=tuple(ExpectationCheck(name=x.name, outcome=record.as_evidence(ev.recorded_outcome(x)),
                                            detail=x.detail, requirement_ids=x.requirement_ids)
                           for x in record.typed(ev.Expectation)),
        alarms=tuple(AlarmEntry(t_h=a.t_s / S_PER_H, name=a.name, priority=a.priority) for a in record.typed(ev.Alarm)),
        steps=tuple(StepEntry(t_h=s.t_s / S_PER_H, index=s.index, action=s.action, decision=s.decision,
                              expected_decision=s.expected_decision, reasons=s.reasons,
                              requirement_ids=s.requirement_ids, overridden=tuple(s.extra.get("overridden") or ()))
              for s in record.typed(ev.Step)),
        delivered=Delivered() if last is None else Delivered(
            commanded_ul=last.commanded_ul, pump_reported_ul=last.pump_reported_ul, gravimetric_ul=last.gravimetric_ul),
        pk_peaks=pk_peaks(record),
        interrupts=tuple(InterruptEntry(phase=i.phase, detail=i.detail) for i in record.typed(ev.Interrupt)),
        population_verdict=population_verdict(record),
        output_failures=dict(output_failures or {}), outputs_missing=dict(outputs_missing or {}))


def build_summary(record: RunRecord, outcome: str, reason: str, output_failures: Mapping[str, str] | None = None,
                  outputs_missing: Mapping[str, str] | None = None) -> dict[str, Any]:
    """summary.json's content as plain JSON data (the same names as `itpump run --json`)."""
    return build_summary_model(record, outcome, reason, output_failures, outputs_missing).to_json_dict()
