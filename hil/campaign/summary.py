"""The campaign summary, computed from campaign.jsonl alone (planned runs and finished lines, in plan order),
so an interrupted and resumed campaign ends with the same summary as an uninterrupted one.

No number is made better than measured: a run whose record was lost counts in records_lost, is never among the
runs shown safe, leaves its fault undetected (harmless: unknown) and counts as failing every patient envelope. A run
that did not reach its verdict (hil.campaign.assess.reached_verdict; a `finished` line without `judged` is taken as
not judged) is listed in runs_not_judged, is never among the runs shown safe, and an undetected fault in it is of
unknown harm. A run that judged some envelopes and not others (a withdrawal still under way at the end of the run:
NOT_EVALUATED) showed nothing of what those would have found: it is listed in runs_envelopes_not_evaluated, is never
among the runs shown safe, and an undetected fault in it is of unknown harm.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Any
from collections.abc import Mapping

import numpy as np

from hil.campaign.journal import Journal
from hil.campaign.specs import PlannedRun, canonical_json

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_CAMPAIGN_FAILED = 0, 1, 2, 3
PERCENTILES = (5, 50, 95)


def _where(line: dict[str, Any]) -> dict[str, Any]:
    return {"run_id": line["run_id"], "index": line["index"], "folder": line["folder"], "scenario": line["scenario"],
            "rig": line["rig"], "fault_plan": line["fault_plan"], "repetition": line["repetition"]}


def _first_line(line: dict[str, Any]) -> str:
    return line["reason"].splitlines()[0] if line["reason"] else ""


def _quantiles(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"p50": None, "p95": None, "max": None}
    array = np.asarray(values, dtype=float)
    return {"p50": float(np.percentile(array, 50)), "p95": float(np.percentile(array, 95)), "max": float(array.max())}


def evaluated(line: Mapping[str, Any]) -> bool:
    """The run reached its verdict and the verdict judged something (a NOT_EVALUATED run judged nothing: say a fault
    plan whose scenario's delivery was refused, so the fault met an idle pump)."""
    return bool(line.get("judged")) and line["outcome"] != "NOT_EVALUATED"


def judged_by_unsafe_rules_alone(line: Mapping[str, Any], rule: str) -> bool:
    """A fault run under the fault_free_runs rule: its scenario's own verdict is reported, not required."""
    return rule == "fault_free_runs" and line.get("fault") is not None


def met_expectations(line: Mapping[str, Any], rule: str) -> bool:
    """Never for a lost record, an ERROR or a run that judged nothing (NOT_EVALUATED, under either rule)."""
    if line["record_lost"] or line["outcome"] in ("ERROR", "NOT_EVALUATED"):
        return False
    if judged_by_unsafe_rules_alone(line, rule):
        return True
    return line["outcome"] == "PASS"


def envelopes_not_evaluated(line: Mapping[str, Any]) -> list[str]:
    """The envelopes the run did not judge (NOT_EVALUATED, or any outcome but PASS and FAIL)."""
    return [e["name"] for e in line["envelopes"] if e["outcome"] not in ("PASS", "FAIL")]


def _shown_safe(line: dict[str, Any]) -> bool:
    """The run was judged to its end from an intact record, its verdict judged something, every envelope was judged,
    and no unsafe rule found anything."""
    return (evaluated(line) and not line["record_lost"] and not line["unsafe"]
            and not envelopes_not_evaluated(line))


def _harmless(line: dict[str, Any]) -> bool | None:
    """Whether an undetected fault did no harm: False if an unsafe rule found some, None (unknown) if the record
    was lost, the run did not reach its verdict, its verdict judged nothing or an envelope was not judged."""
    if line["record_lost"]:
        return None
    if line["unsafe"]:
        return False
    return True if evaluated(line) and not envelopes_not_evaluated(line) else None


def _undetected_why(line: dict[str, Any]) -> str:
    if line["record_lost"]:
        return f"record lost: {line['lost_reason']}"
    why = "no high-priority alarm after the injection"
    if line["unsafe"]:
        return f"{why}; unsafe: {'; '.join(u['detail'] for u in line['unsafe'])}"
    if not line.get("judged"):
        return f"{why}; the run did not reach its verdict: {_first_line(line)}"
    if not evaluated(line):
        return f"{why}; the run judged nothing (NOT_EVALUATED), so its harm is unknown: {_first_line(line)}"
    if unjudged := envelopes_not_evaluated(line):
        return f"{why}; envelope {', '.join(unjudged)} not evaluated, so its harm is unknown: {_first_line(line)}"
    return why


def _faults(lines: list[dict[str, Any]], planned_faults: int) -> dict[str, Any]:
    detected, undetected, not_injected = [], [], []
    for line in lines:
        fault = line["fault"]
        if fault is None and line["fault_plan"] != "none" and line["record_lost"]:
            undetected.append({**_where(line), "fault": line["fault_plan"], "injected": None, "harmless": None,
                               "why": f"record lost: {line['lost_reason']}"})
            continue
        if fault is None:
            continue
        if not fault["injected"]:
            not_injected.append({**_where(line), "fault": fault["label"], "why": line["reason"]})
        elif fault["detected"] and not line["record_lost"]:
            detected.append((fault["alarm"], fault["time_to_detection_h"]))
        else:
            undetected.append({**_where(line), "fault": fault["label"], "injected": True, "harmless": _harmless(line),
                               "why": _undetected_why(line)})
    by_alarm = Counter(alarm for alarm, _ in detected)
    return {"faults_planned": planned_faults,
            "faults_injected": sum(1 for line in lines if line["fault"] and line["fault"]["injected"]),
            "faults_detected": {"count": len(detected), "by_alarm": dict(sorted(by_alarm.items())),
                                "time_to_detection_h": _quantiles([t for _, t in detected])},
            "faults_undetected": undetected, "faults_not_injected": not_injected}


def _envelopes(lines: list[dict[str, Any]]) -> dict[str, Any]:
    names = sorted({e["name"] for line in lines for e in line["envelopes"]})
    out: dict[str, Any] = {}
    for name in names:
        outcomes = Counter(next((e["outcome"] for e in line["envelopes"] if e["name"] == name), "MISSING")
                           for line in lines)
        out[name] = {"runs": dict(sorted(outcomes.items()))}
    return out


def unsafe_rules_in_force(planned: list[PlannedRun]) -> list[dict[str, Any]]:
    """The campaign's `expect:` as its runs were planned (each distinct setting once, with how many runs it holds
    for), so that a reader tells "nothing unsafe found" from "that check was off"."""
    settings = Counter(canonical_json(run.spec["expect"]) for run in planned)
    return [{**json.loads(setting), "n_runs": count} for setting, count in settings.items()]


def summarize(journal: Journal) -> dict[str, Any]:
    """The summary of the journal as given: pass Journal.with_records_lost(...) so that runs whose record changed
    after they finished count as lost records, as in every other output."""
    planned = journal.planned
    runs_planned = max(len(planned), int(journal.header["runs_planned"]))  # never fewer than the header's
    lines = [journal.finished[run.run_id] for run in planned if run.run_id in journal.finished]
    rules = {run.run_id: run.spec["expect"]["scenario_expectations"] for run in planned}
    unsafe = [{**_where(line), "rule": u["rule"], "detail": u["detail"]} for line in lines for u in line["unsafe"]]
    lost = [{**_where(line), "why": line["lost_reason"]} for line in lines if line["record_lost"]]
    not_met = [{**_where(line), "outcome": line["outcome"], "reason": _first_line(line)}
               for line in lines if not met_expectations(line, rules[line["run_id"]])]
    not_judged = [{**_where(line), "outcome": line["outcome"], "reason": _first_line(line)}
                  for line in lines if not line["record_lost"] and not line.get("judged")]
    partly = [{**_where(line), "envelopes": unjudged, "outcome": line["outcome"]} for line in lines
              if evaluated(line) and not line["record_lost"] and (unjudged := envelopes_not_evaluated(line))]
    summary: dict[str, Any] = {
        "campaign": journal.header.get("name"), "software": journal.software(),
        "runs_planned": runs_planned, "runs_done": len(lines), "runs_missing": runs_planned - len(lines),
        "unsafe_rules": unsafe_rules_in_force(planned),
        "outcomes": dict(sorted(Counter(line["outcome"] for line in lines).items())),
        "runs_shown_safe": sum(1 for line in lines if _shown_safe(line)), "runs_not_judged": not_judged,
        "runs_envelopes_not_evaluated": partly,
        "expectations_not_met": not_met,
        **_faults(lines, sum(1 for run in planned if run.spec["fault"] is not None)),
        "unsafe_outcomes": unsafe, "records_lost": len(lost), "records_lost_runs": lost,
        "envelopes": _envelopes(lines),
    }
    from hil.campaign.population_summary import envelope_patients, patients_by_scenario, population_not_met
    envelope_patients(summary["envelopes"], lines, planned)
    summary["patients_by_scenario"] = patients_by_scenario(lines, planned)
    by_id = {line["run_id"]: line for line in lines}
    population = [{**_where(by_id[p["run_id"]]), **p, "outcome": "FAIL"} for p in population_not_met(lines)]
    summary["population_not_met"] = population
    complete = summary["runs_missing"] == 0
    summary["exit_code"] = EXIT_OK if complete and not unsafe and not lost and not not_met and not population \
        else EXIT_FINDINGS
    return summary
