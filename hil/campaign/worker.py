"""The task a Dask worker runs for one run spec: build the inputs, run the scenario, judge the record.

Everything happens in a temporary folder on the worker (its own rig, emulators and ptys); what comes back is
plain data: every file of the run folder as bytes (record.jsonl first among them), the record's sha256 and the
assessment. Nothing assumes a disk shared with the campaign process.

    result = execute_run(planned.to_json())
"""
from __future__ import annotations

import hashlib
import socket
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

RUN_FOLDER = "run"
INPUTS_FOLDER = "inputs"


def _worker_name() -> str:
    try:
        from distributed import get_worker
        return str(get_worker().address)
    except (ImportError, ValueError):  # not on a Dask worker (called directly)
        return socket.gethostname()


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _judge(spec: dict[str, Any], scenario_path: Path, record_path: Path) -> dict[str, Any]:
    from hil.campaign.assess import assess
    from hil.campaign.population import population_for_run
    from hil.config.drug_library import load_drug_limits
    from hil.config.loading import load_model
    from hil.config.scenario import ScenarioConfig
    from hil.records.reader import read_record
    from hil.runner.firmware_setup import firmware_config

    scenario = load_model(scenario_path, ScenarioConfig)
    record = read_record(record_path)
    dead_volume_ul = firmware_config(scenario).dead_volume_ul
    judged = assess(record, spec, dead_volume_ul, scenario.duration_h, load_drug_limits(scenario.drug.library_path()))
    # a run that did not reach its verdict has no delivery on record past where it ended: its patients are not judged
    judged["patients"] = population_for_run(record, spec, dead_volume_ul, scenario) if judged["judged"] else None
    return judged


def execute_run(planned: dict[str, Any]) -> dict[str, Any]:
    from hil.campaign.run_inputs import write_run_inputs
    from hil.records.writer import RECORD_FILENAME
    from hil.runner.options import RunOptions
    from hil.runner.run import run_scenario

    spec = planned["spec"]
    started = time.monotonic()
    result: dict[str, Any] = {"run_id": planned["run_id"], "index": planned["index"], "worker": _worker_name(),
                              "files": {}, "record_sha256": None, "assessment": None, "error": None}
    with tempfile.TemporaryDirectory(prefix="itpump-campaign-") as tmp:
        folder = Path(tmp)
        try:
            scenario_path, rig_path = write_run_inputs(spec, folder / INPUTS_FOLDER)
            run_scenario(scenario_path, rig_path, RunOptions(out_dir=folder / RUN_FOLDER))
        except Exception as exc:  # no record, or one the run could not finish: said, never hidden
            result["error"] = f"{type(exc).__name__}: {exc}\n" + "".join(traceback.format_exception(exc)[-3:])
        record_path = folder / RUN_FOLDER / RECORD_FILENAME
        if record_path.is_file():
            result["files"] = {**_files(folder / RUN_FOLDER),
                               **{f"{INPUTS_FOLDER}/{k}": v for k, v in _files(folder / INPUTS_FOLDER).items()}}
            result["record_sha256"] = hashlib.sha256(result["files"][RECORD_FILENAME]).hexdigest()
            try:
                result["assessment"] = _judge(spec, scenario_path, record_path)
            except Exception as exc:
                result["error"] = (result["error"] or "") + f"assessment failed: {type(exc).__name__}: {exc}\n" + \
                    "".join(traceback.format_exception(exc)[-3:])
    result["wall_s"] = time.monotonic() - started
    return result
