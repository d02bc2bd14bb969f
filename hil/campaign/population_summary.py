"""Virtual patients over the whole campaign, per envelope: the fraction passing and the p5/p50/p95 of the value.

Each run sends back, per envelope, how many of its patients passed and its value's quantiles at every percent
(0..100). The fraction passing is pooled exactly over every planned patient of every finished run: a run whose
record was lost, or whose patients could not be evaluated, counts all its patients as not passing. The pooled
percentiles are those of the runs' quantile vectors put together (each run weighs the same, as each has the same
number of patients): exact to within one percent of rank.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from hil.campaign.specs import PlannedRun


def envelope_patients(envelopes: dict[str, Any], lines: list[dict[str, Any]], planned: list[PlannedRun]) -> None:
    counts = {run.run_id: (run.spec["patients"] or {}).get("count") for run in planned}
    judged = [line for line in lines if counts.get(line["run_id"])]
    if not judged:
        return
    names = sorted({name for line in judged for name in ((line["patients"] or {}).get("envelopes") or {})})
    for name in names:
        total = passing = 0
        quantiles: list[float] = []
        for line in judged:
            total += counts[line["run_id"]]
            result = ((line["patients"] or {}).get("envelopes") or {}).get(name)
            if line["record_lost"] or result is None:
                continue  # every patient of this run counts as not passing
            passing += result["n_passing"]
            quantiles += [q for q in result["quantiles"] or [] if q is not None]
        pooled = [float(v) for v in np.percentile(quantiles, (5, 50, 95))] if quantiles else [None, None, None]
        entry = envelopes.setdefault(name, {"runs": {}})
        entry["patients"] = {"n_patients": total, "n_passing": passing,
                             "fraction_passing": passing / total if total else None,
                             "p5": pooled[0], "p50": pooled[1], "p95": pooled[2]}
