"""Write what a worker sent back into the campaign folder and turn it into the run's `finished` line.

The run folder is written under a temporary name and renamed when complete; the record written here is read
back with hil.records.reader and its sha256 compared with the one the worker hashed. A run with no record, a
record that does not match, is damaged or has no run_finished is `record_lost` (and never counts as safe); a
run whose record could not be judged gets the unsafe outcome `not_assessed`.
"""
from __future__ import annotations

import hashlib
import math
import shutil
from pathlib import Path
from typing import Any

from hil.campaign.journal import FINISHED
from hil.campaign.specs import PlannedRun
from hil.records.reader import read_record
from hil.records.writer import RECORD_FILENAME

RUNS_FOLDER = "runs"
PARTIAL_SUFFIX = ".partial"


def run_folder(campaign_dir: Path, run: PlannedRun) -> Path:
    return campaign_dir / RUNS_FOLDER / run.label


def finite(value: Any) -> Any:
    """JSON-safe: non-finite floats become None (campaign.jsonl is strict JSON)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    return value


def _write_folder(campaign_dir: Path, run: PlannedRun, files: dict[str, bytes]) -> Path:
    final = run_folder(campaign_dir, run)
    partial = final.with_name(final.name + PARTIAL_SUFFIX)
    for leftover in (partial, final):  # a run killed before its finished line left these: it runs again
        if leftover.exists():
            shutil.rmtree(leftover)
    for name, data in files.items():
        target = (partial / name).resolve()
        if partial.resolve() not in target.parents:
            raise ValueError(f"run {run.run_id}: file name {name!r} leaves the run folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    partial.rename(final)
    return final


def _record_check(folder: Path, expected_sha256: str | None) -> str | None:
    """Why the record in the folder cannot be trusted, or None."""
    path = folder / RECORD_FILENAME
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"the record could not be read back: {exc.strerror or exc}"
    if hashlib.sha256(data).hexdigest() != expected_sha256:
        return "the record written here differs from the one the worker ran and judged (sha256 mismatch)"
    record = read_record(path)
    if not record.intact:
        return f"the record is damaged: {'; '.join(record.damage[:3])}"
    if record.finished is None:
        return "the record ends without run_finished"
    return None


def finished_line(campaign_dir: Path, run: PlannedRun, result: dict[str, Any]) -> dict[str, Any]:
    spec = run.spec
    line: dict[str, Any] = {"kind": FINISHED, "run_id": run.run_id, "index": run.index, "folder": None,
                            "scenario": spec["scenario"]["name"], "rig": spec["rig"]["rig_id"],
                            "fault_plan": spec["fault_plan"], "repetition": spec["repetition"],
                            "worker": result.get("worker"), "wall_s": result.get("wall_s"),
                            "error": result.get("error"),
                            "record_lost": True, "lost_reason": None, "judged": False, "outcome": "ERROR", "reason": "",
                            "fault": None, "envelopes": [], "dose": None, "unsafe": [], "alarms": [], "patients": None,
                            "pump_stop_weighed": None}
    files = result.get("files") or {}
    if RECORD_FILENAME not in files:
        error = (result.get("error") or "").strip()
        line["lost_reason"] = "no record came back from the worker" + (f": {error.splitlines()[0]}" if error else "")
        line["reason"] = error or line["lost_reason"]
        return finite(line)
    folder = _write_folder(campaign_dir, run, files)
    line["folder"] = str(folder.relative_to(campaign_dir))
    assessment = result.get("assessment")
    if assessment is not None:
        line.update({k: v for k, v in assessment.items() if k in line or k == "record_damage"})
    problem = _record_check(folder, result.get("record_sha256"))
    line["record_lost"] = problem is not None or bool(assessment and assessment.get("record_lost"))
    line["lost_reason"] = problem or (assessment or {}).get("reason") if line["record_lost"] else None
    if line["record_lost"]:
        line["outcome"] = "ERROR"
    if assessment is None:
        line["reason"] = result.get("error") or "the run was not judged"
        line["unsafe"] = [{"rule": "not_assessed", "detail": f"the run's record could not be judged: {line['reason']}"}]
    return finite(line)
