"""The campaign folder's outputs, all rendered from campaign.jsonl: summary.json, campaign.csv, traceability.csv,
needs.json and report.html (with detection_times.png). Written to a temporary name and renamed, so a kill leaves
the old file or the new."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from hil.campaign.journal import Journal
from hil.campaign.output_files import (CSV_FILENAME, HISTOGRAM_FILENAME, REPORT_FILENAME, SUMMARY_FILENAME,  # noqa: F401
                                       write_atomically)

UNKNOWN = "unknown"
"""A lost record's fault injection and detection in campaign.csv: not measured (hil.campaign.lost_record)."""
CSV_COLUMNS = ("index", "run_id", "scenario", "rig", "fault_plan", "repetition", "fault_at_h", "outcome",
               "record_lost", "fault_injected", "fault_detected", "detecting_alarm", "time_to_detection_h",
               "unsafe_rules", "max_24h_dose_mcg", "max_rate_mcg_per_h", "folder", "reason")


def csv_rows(journal: Journal) -> list[dict[str, Any]]:
    rows = []
    for run in journal.planned:
        spec, line = run.spec, journal.finished.get(run.run_id)
        fault = (line or {}).get("fault") or {}
        dose = (line or {}).get("dose") or {}
        rows.append({
            "index": run.index, "run_id": run.run_id, "scenario": spec["scenario"]["name"],
                     "rig": spec["rig"]["rig_id"],
            "fault_plan": spec["fault_plan"], "repetition": spec["repetition"],
            "fault_at_h": spec["fault"]["at_h"] if spec["fault"] else "",
            "outcome": line["outcome"] if line else "MISSING", "record_lost": line["record_lost"] if line else "",
            "fault_injected": fault.get("injected", ""), "fault_detected": fault.get("detected", ""),
            "detecting_alarm": fault.get("alarm") or "", "time_to_detection_h": fault.get("time_to_detection_h") or "",
            "unsafe_rules": ";".join(u["rule"] for u in (line or {}).get("unsafe", [])),
            "max_24h_dose_mcg": dose.get("max_window_dose_mcg", ""),
                     "max_rate_mcg_per_h": dose.get("max_rate_mcg_per_h", ""),
            "folder": (line or {}).get("folder") or "", "reason": ((line or {}).get("reason") or "").splitlines()[:1],
        })
        rows[-1]["reason"] = rows[-1]["reason"][0] if rows[-1]["reason"] else ""
        if line is not None and line["record_lost"] and spec["fault"] is not None:  # the record would have shown it
            rows[-1].update(fault_injected=UNKNOWN, fault_detected=UNKNOWN)
    return rows


def write_outputs(folder: Path, journal: Journal, summary: dict[str, Any]) -> list[Path]:
    from hil.campaign.report import write_report

    write_atomically(folder / SUMMARY_FILENAME, (json.dumps(summary, indent=2, allow_nan=False) + "\n").encode())
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(journal))
    write_atomically(folder / CSV_FILENAME, buffer.getvalue().encode("utf-8"))
    from hil.campaign.traceability import journal_rows, write_traceability

    rows = journal_rows(journal)
    traceability = write_traceability(folder, journal, rows)
    report = write_report(folder, journal, summary, rows)
    return [folder / SUMMARY_FILENAME, folder / CSV_FILENAME, *traceability, *report]
