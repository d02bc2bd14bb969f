"""A record lost after its run finished (its folder deleted, a byte appended to another) shows nothing of itself as
measured in any output: its envelopes are MISSING (never PASS) in summary.json and report.html, its fault's injection
and detection unknown in campaign.csv as in summary.json, and the virtual-patient percentiles say they cover only the
runs whose patients have values."""
from __future__ import annotations

import csv
import json
import shutil

import pytest

from hil.campaign.journal import FINISHED, JOURNAL_FILENAME
from hil.cli.main import main

pytestmark = pytest.mark.requirements("SR-HIL-006", "SR-HIL-007")


def test_lost_records_are_missing_and_unknown_in_every_output_never_pass(smoke, tmp_path, capsys):
    _code, _summary, original = smoke
    folder = tmp_path / "lost"
    shutil.copytree(original, folder)
    finished = [json.loads(line) for line in (folder / JOURNAL_FILENAME).read_text().splitlines()
                if json.loads(line)["kind"] == FINISHED]
    stall = next(line for line in finished if line["fault_plan"] == "pump.stall")
    occlusion = next(line for line in finished if line["fault_plan"] == "pump.occlusion")
    shutil.rmtree(folder / stall["folder"])
    with open(folder / occlusion["folder"] / "record.jsonl", "ab") as record:
        record.write(b" ")

    assert main(["campaign", "--resume", str(folder), "--json"]) == 1
    summary = json.loads(capsys.readouterr().out)
    assert summary["records_lost"] == 2 and summary["outcomes"] == {"ERROR": 2, "PASS": 2}
    for name, entry in summary["envelopes"].items():
        assert entry["runs"] == {"MISSING": 2, "PASS": 2}, name  # the lost runs' old PASS is not shown
        patients = entry["patients"]
        assert (patients["n_runs"], patients["n_runs_in_percentiles"]) == (4, 2)
        assert (patients["n_patients"], patients["n_patients_in_percentiles"]) == (800, 400)
        assert patients["n_passing"] <= 400
    lost = {u["run_id"]: u for u in summary["faults_undetected"] if u["run_id"] in (stall["run_id"],
                                                                                     occlusion["run_id"])}
    assert [(u["injected"], u["harmless"]) for u in lost.values()] == [(None, None), (None, None)]
    assert summary["faults_detected"]["count"] == 0

    rows = {row["run_id"]: row for row in csv.DictReader((folder / "campaign.csv").open())}
    for line in (stall, occlusion):
        row = rows[line["run_id"]]
        assert (row["outcome"], row["record_lost"], row["fault_injected"], row["fault_detected"],
                row["detecting_alarm"]) == ("ERROR", "True", "unknown", "unknown", "")
    report = (folder / "report.html").read_text()
    envelopes = report[report.index("<h2>Envelopes</h2>"):report.index("<h2>Unsafe outcomes</h2>")]
    assert "PASS 4" not in envelopes and "MISSING 2, PASS 2" in envelopes
    assert "percentiles of 400 of 800 patients (2 of 4 runs) only" in envelopes
