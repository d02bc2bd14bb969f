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
from collections.abc import Iterable

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


def _remove_leftovers(campaign_dir: Path, run: PlannedRun) -> tuple[Path, Path]:
    """A run killed before its finished line left its folders: it ran again, so they are not its result. (final,
    partial) folder paths."""
    final = run_folder(campaign_dir, run)
    partial = final.with_name(final.name + PARTIAL_SUFFIX)
    for leftover in (partial, final):
        if leftover.exists():
            shutil.rmtree(leftover)
    return final, partial


def remove_unfinished_run_folders(campaign_dir: Path, unfinished: Iterable[PlannedRun]) -> list[str]:
    """On resume: the folders of runs without a finished line (a kill came between the folder and its line; the run
    runs again, so they are not its result), removed before anything runs. Their names, relative to the folder."""
    removed = []
    for run in unfinished:
        final = run_folder(campaign_dir, run)
        leftovers = [final, final.with_name(final.name + PARTIAL_SUFFIX)]
        removed += [str(folder.relative_to(campaign_dir)) for folder in leftovers if folder.exists()]
        _remove_leftovers(campaign_dir, run)
    return removed


def _write_folder(campaign_dir: Path, run: PlannedRun, files: dict[str, bytes]) -> Path:
    final, partial = _remove_leftovers(campaign_dir, run)
    for name, data in files.items():
        target = (partial / name).resolve()
        if partial.resolve() not in target.parents:
            raise ValueError(f"run {run.run_id}: file name {name!r} leaves the run folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    partial.rename(final)
    return final


def _record_differs(path: Path, expected_sha256: str | None) -> str | None:
    """Why the record at path is not the one with that hash (it cannot be read, or its bytes differ), or None."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return f"the record could not be read back: {exc.strerror or exc}"
    if hashlib.sha256(data).hexdigest() != expected_sha256:
        return "the record written here differs from the one the worker ran and judged (sha256 mismatch)"
    return None


def _record_check(folder: Path, expected_sha256: str | None) -> str | None:
    """Why the record in the folder cannot be trusted, or None."""
    path = folder / RECORD_FILENAME
    differs = _record_differs(path, expected_sha256)
    if differs is not None:
        return differs
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
                            "pump_stop_weighed": None, "record_sha256": result.get("record_sha256")}
    files = result.get("files") or {}
    if RECORD_FILENAME not in files:
        _remove_leftovers(campaign_dir, run)  # an earlier attempt's report must not stand beside this result
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


def records_changed_since(campaign_dir: Path, lines: Iterable[dict[str, Any]]) -> dict[str, str]:
    """run_id -> why, for each finished run whose record is no longer the one it was judged from (damaged, cut,
    deleted since its finished line was written): only the bytes are compared, as the record with that hash was
    read and judged intact when the line was written. Lines from before the hash was kept are not checked."""
    changed = {}
    for line in lines:
        if line["record_lost"] or not line.get("folder") or not line.get("record_sha256"):
            continue
        problem = _record_differs(campaign_dir / line["folder"] / RECORD_FILENAME, line["record_sha256"])
        if problem is not None:
            changed[line["run_id"]] = f"{problem} (checked again at {line['folder']} after the run finished)"
    return changed
