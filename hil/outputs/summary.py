"""summary.json: the run's verdict, envelopes, alarms, delivered volumes and provenance."""
from __future__ import annotations

from typing import Any

from hil.records import events as ev
from hil.records.reader import RunRecord

DAMAGE_IN_REASON = 5
"""Record problems named in the outcome's reason (summary.json and report.html list them all)."""


def record_outcome(record: RunRecord) -> tuple[str, str]:
    """The run's outcome as its record tells it: ERROR for a damaged or unfinished record, or one whose outputs
    were interrupted, whatever the run_finished line says."""
    finished = record.finished
    recorded = f"{finished['outcome']}: {finished['reason']}" if finished is not None else None
    if not record.intact:
        listed = "; ".join(record.damage[:DAMAGE_IN_REASON])
        more = record.damage_count - min(len(record.damage), DAMAGE_IN_REASON)
        return "ERROR", (f"the record is damaged ({record.damage_count} problem(s)): {listed}"
                         + (f"; and {more} more" if more > 0 else "")
                         + (f" (recorded verdict {recorded})" if recorded else " (and it has no run_finished)"))
    if finished is None:
        return "ERROR", "the record ends without run_finished (the run was interrupted)"
    late = record.interrupts_after_finish()
    if late:
        return "ERROR", f"{late[-1]['detail']} (run verdict before the interrupt {recorded})"
    return finished["outcome"], finished["reason"]


def build_summary(record: RunRecord, outcome: str, reason: str) -> dict[str, Any]:
    samples = record.of_kind(ev.VOLUME_SAMPLE)
    last = samples[-1] if samples else {}
    return {
        "outcome": outcome,
        "reason": reason,
        "provenance": record.started,
        "drug_limits": next(iter(record.of_kind(ev.DRUG_LIMITS)), None),
        "record_truncated": record.truncated_last_line,
        "record_damage": list(record.damage),
        "record_chained": record.chained,
        "envelopes": [{**{k: e[k] for k in ("name", "passed", "value", "limit", "unit", "requirement_ids", "reason")},
                       "outcome": e.get("outcome", "PASS" if e["passed"] else "FAIL"), "comparator": e.get("comparator")}
                      for e in record.of_kind(ev.ENVELOPE)],
        "expectations": [{k: e[k] for k in ("name", "passed", "detail", "requirement_ids")}
                         for e in record.of_kind(ev.EXPECTATION)],
        "alarms": [{"t_h": a["t_s"] / 3600.0, "name": a["name"], "priority": a["priority"]}
                   for a in record.of_kind(ev.ALARM)],
        "steps": [{"t_h": s["t_s"] / 3600.0, "index": s["index"], "action": s["action"], "decision": s["decision"],
                   "expected_decision": s.get("expected_decision"), "reasons": s["reasons"],
                   "requirement_ids": s["requirement_ids"]} for s in record.of_kind(ev.STEP)],
        "delivered": {"commanded_ul": last.get("commanded_ul"), "pump_reported_ul": last.get("pump_reported_ul"),
                      "gravimetric_ul": last.get("gravimetric_ul")},
        "interrupts": [{"phase": i["phase"], "detail": i["detail"]} for i in record.of_kind(ev.INTERRUPT)],
    }
