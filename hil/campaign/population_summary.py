"""Virtual patients over the whole campaign, per envelope: the fraction passing and the p5/p50/p95 of the value.

Each run sends back, per envelope, how many of its patients passed and its value's quantiles at every percent
(0..100). The fraction passing is pooled exactly over every planned patient of every finished run: a run whose
record was lost, that did not reach its verdict (its record ends early: judging its patients would take delivery the
record does not show), or whose patients could not be evaluated, counts all its patients as not passing. The pooled
percentiles are those of the runs' quantile vectors put together (each run weighs the same, as each has the same
number of patients): exact to within one percent of rank, over the runs that have values only: n_runs_in_percentiles
and n_patients_in_percentiles say how many (fewer than n_runs when a record was lost or a run not judged); unit is
the envelope value's (as the runs' patient results give it). The same figures per scenario: patients_by_scenario.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from hil.campaign.specs import PlannedRun


def _pooled(name: str, judged: list[dict[str, Any]], counts: dict[str, int]) -> dict[str, Any]:
    total = passing = covered_patients = covered_runs = 0
    quantiles: list[float] = []
    for line in judged:
        total += counts[line["run_id"]]
        result = ((line["patients"] or {}).get("envelopes") or {}).get(name)
        if line["record_lost"] or not line.get("judged") or result is None:
            continue  # every patient of this run counts as not passing
        passing += result["n_passing"]
        values = [q for q in result["quantiles"] or [] if q is not None]
        quantiles += values
        covered_runs += bool(values)
        covered_patients += counts[line["run_id"]] if values else 0
    pooled = [float(v) for v in np.percentile(quantiles, (5, 50, 95))] if quantiles else [None, None, None]
    unit = next((r.get("unit") for line in judged if (r := ((line["patients"] or {}).get("envelopes") or {}).get(name))
                 and r.get("unit")), None)
    return {"n_patients": total, "n_passing": passing, "fraction_passing": passing / total if total else None,
            "p5": pooled[0], "p50": pooled[1], "p95": pooled[2], "unit": unit, "n_runs": len(judged),
            "n_runs_in_percentiles": covered_runs, "n_patients_in_percentiles": covered_patients}


def percentiles_cover(pooled: dict[str, Any]) -> str:
    """"" when p5/p50/p95 cover every run's patients, else what they cover (a run whose record was lost, that did not
    reach its verdict or whose patients were not evaluated has no values: its patients count as not passing in the
    fraction, but the percentiles are of the others only)."""
    if pooled.get("n_runs_in_percentiles", pooled.get("n_runs")) == pooled.get("n_runs"):
        return ""
    return (f"percentiles of {pooled['n_patients_in_percentiles']} of {pooled['n_patients']} patients "
            f"({pooled['n_runs_in_percentiles']} of {pooled['n_runs']} runs) only")


def _judged(lines: list[dict[str, Any]], planned: list[PlannedRun]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    counts = {run.run_id: count for run in planned if (count := (run.spec["patients"] or {}).get("count"))}
    return [line for line in lines if counts.get(line["run_id"])], counts


def _names(judged: list[dict[str, Any]]) -> list[str]:
    return sorted({name for line in judged for name in ((line["patients"] or {}).get("envelopes") or {})})


def envelope_patients(envelopes: dict[str, Any], lines: list[dict[str, Any]], planned: list[PlannedRun]) -> None:
    judged, counts = _judged(lines, planned)
    for name in _names(judged):
        envelopes.setdefault(name, {"runs": {}})["patients"] = _pooled(name, judged, counts)


def patients_by_scenario(lines: list[dict[str, Any]], planned: list[PlannedRun]) -> dict[str, dict[str, Any]]:
    """Scenario -> envelope -> the same pooled figures over that scenario's runs only (a virtual-patient sweep's
    answer: for each therapy scenario, the fraction of patients passing each envelope and its spread)."""
    judged, counts = _judged(lines, planned)
    scenarios = sorted({line["scenario"] for line in judged})
    return {scenario: {name: _pooled(name, [line for line in judged if line["scenario"] == scenario], counts)
                       for name in _names(judged)} for scenario in scenarios}


def population_not_met(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Runs whose virtual patients failed an envelope: fewer than the campaign's min_fraction_passing passed it (the
    run's population outcome, as `itpump run` judges a scenario's patients). (run_id, envelopes, reason) each."""
    out = []
    for line in lines:
        envelopes = ((line.get("patients") or {}).get("envelopes") or {}) if line.get("judged") else {}
        failed = {name: result for name, result in sorted(envelopes.items()) if result["outcome"] == "FAIL"}
        if failed:
            reason = "; ".join(f"{name}: {r['n_passing']} of {r['n_patients']} virtual patients passed"
                               for name, r in failed.items())
            out.append({"run_id": line["run_id"], "envelopes": sorted(failed), "reason": reason})
    return out
