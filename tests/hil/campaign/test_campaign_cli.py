"""The smoke campaign through the command line on a 2-process LocalCluster, and a campaign killed (SIGKILL, the
whole process group: campaign process and its workers) after its first finished run, then resumed (a second process
resuming it while it runs is refused; the kill frees the folder)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from firmware_sim.pk.withdrawal import RUN_ENVELOPE_NAMES

from hil.campaign.journal import FINISHED, JOURNAL_FILENAME, RESUMED
from hil.cli.main import main

pytestmark = pytest.mark.timeout(280)
KILL_WAIT_S = 120.0


def journal_lines(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / JOURNAL_FILENAME).read_text().splitlines()]


def test_smoke_campaign_on_two_process_workers(smoke):
    code, summary, folder = smoke
    assert code == 0, summary
    assert (summary["runs_planned"], summary["runs_done"], summary["outcomes"]) == (4, 4, {"PASS": 4})
    assert summary["records_lost"] == 0 and summary["unsafe_outcomes"] == []
    assert (summary["faults_planned"], summary["faults_injected"]) == (3, 3)
    assert summary["faults_detected"]["by_alarm"] == {"motor_stall": 2}  # stall and occlusion stop the motor
    assert [u["fault"] for u in summary["faults_undetected"]] == ["balance.unstable"]
    assert summary["faults_undetected"][0]["harmless"] is True
    judged = {name: entry for name, entry in summary["envelopes"].items() if "patients" in entry}
    assert set(judged) == set(RUN_ENVELOPE_NAMES)  # the withdrawal envelope too, against each run's program
    for entry in judged.values():
        patients = entry["patients"]  # 200 virtual patients per run, judged on each run's delivered profile
        assert patients["n_patients"] == 4 * 200 and patients["n_passing"] <= patients["n_patients"]
        assert patients["p5"] <= patients["p50"] <= patients["p95"]
    assert summary == json.loads((folder / "summary.json").read_text())  | {"folder": summary["folder"]}
    kinds = [line["kind"] for line in journal_lines(folder)]
    assert kinds == ["campaign"] + ["planned"] * 4 + ["finished"] * 4
    for name in ("campaign.csv", "report.html", "detection_times.png"):
        assert (folder / name).stat().st_size > 0
    for line in journal_lines(folder)[5:]:
        run = folder / line["folder"]
        assert (run / "record.jsonl").is_file() and (run / "report.html").is_file()
        assert (run / "inputs" / "scenario.yaml").is_file()
        assert line["worker"].startswith("tcp://127.0.0.1:")  # ran on a Dask worker process
    report = (folder / "report.html").read_text()
    assert "balance.unstable" in report and 'href="runs/0003-' in report


def _start(args: list[str], cwd: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "hil.cli.main", *args], cwd=cwd, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_a_terminated_campaign_ends_as_on_ctrl_c_saying_so(tmp_path):
    """SIGTERM (a service manager, a CI runner's cancel) ended the campaign at once: exit 143, nothing said, no
    word of --resume. It now ends as Ctrl-C does: exit 3, the cause named, every finished run kept."""
    folder = tmp_path / "terminated"
    process = _start(["campaign", "smoke", "--workers", "1", "--out", str(folder), "--no-progress"], tmp_path)
    try:
        _wait_for_a_finished_run(process, folder)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == 3, stderr[-2000:]
    assert ("interrupted by a termination request (SIGTERM); every finished run is kept: finish it with --resume "
            "on its folder") in stderr
    assert any(line["kind"] == FINISHED for line in journal_lines(folder))


@pytest.mark.requirements("SR-HIL-007")
def test_the_campaign_folder_has_the_hazard_traceability_as_csv_report_section_and_needs_json(
    smoke, report_matches_csv
):
    from hil.traceability.needs import needs_problems

    _, _, folder = smoke
    rows = report_matches_csv(folder)
    assert {row[0] for row in rows[1:]} >= {"HAZ-DEL-003", "HAZ-SYS-001"}
    assert needs_problems(json.loads((folder / "needs.json").read_text())) == []


def _wait_for_a_finished_run(process: subprocess.Popen, folder: Path) -> None:
    deadline = time.monotonic() + KILL_WAIT_S
    while time.monotonic() < deadline:
        journal = folder / JOURNAL_FILENAME
        if journal.exists() and any(json.loads(line)["kind"] == FINISHED
                                    for line in journal.read_text().splitlines() if line.endswith("}")):
            return
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    pytest.fail("no run finished in time")


def test_a_killed_campaign_keeps_its_finished_runs_and_resumes_to_the_same_summary(smoke, tmp_path):
    folder = tmp_path / "killed"
    process = _start(["campaign", "smoke", "--workers", "1", "--out", str(folder), "--no-progress"], tmp_path)
    try:
        _wait_for_a_finished_run(process, folder)
        busy = subprocess.run([sys.executable, "-m", "hil.cli.main", "campaign", "--resume", str(folder), "--workers",
                               "1", "--no-progress"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert busy.returncode == 2, busy.stderr[-2000:]  # one campaign process per folder: nothing run twice
        assert f"being run by another itpump process (pid {process.pid})" in busy.stderr
    finally:
        os.killpg(process.pid, signal.SIGKILL)  # the campaign process and its worker processes, at once
        process.wait()
    before = [line for line in journal_lines(folder) if line["kind"] == FINISHED]
    assert 1 <= len(before) < 4
    assert not (folder / "summary.json").exists()

    resumed = subprocess.run([sys.executable, "-m", "hil.cli.main", "campaign", "--resume", str(folder), "--workers",
                              "1", "--json"], cwd=tmp_path, capture_output=True, text=True, timeout=240)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    lines = journal_lines(folder)
    finished = [line for line in lines if line["kind"] == FINISHED]
    assert sorted(line["run_id"] for line in finished) == sorted({line["run_id"] for line in finished})  # none twice
    assert len(finished) == 4
    assert finished[:len(before)] == before  # the runs finished before the kill were kept, not run again
    assert [line["kind"] for line in lines].count(RESUMED) == 1
    _code, uninterrupted, _ = smoke
    assert json.loads((folder / "summary.json").read_text()) == \
        {k: v for k, v in uninterrupted.items() if k != "folder"}
    assert sorted(p.name for p in (folder / "runs").iterdir()) == \
        sorted(Path(line["folder"]).name for line in finished)  # no partial folder left behind


@pytest.mark.requirements("SR-HIL-007")
def test_an_existing_dask_cluster_named_by_address_runs_the_campaign(tmp_path, smoke):
    """`--scheduler tcp://...` and DASK_SCHEDULER_ADDRESS: the campaign goes to a cluster it did not start (a separate
    scheduler and worker on loopback) and ends with the same summary as on the embedded cluster."""
    from distributed import LocalCluster
    _, embedded, _ = smoke
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster:
        before = cluster.scheduler.transition_counter
        by_option = subprocess.run([sys.executable, "-m", "hil.cli.main", "campaign", "smoke", "--out",
                                    str(tmp_path / "by-option"), "--scheduler", cluster.scheduler_address, "--json"],
                                   capture_output=True, text=True, timeout=240)
        after_option = cluster.scheduler.transition_counter
        by_env = subprocess.run([sys.executable, "-m", "hil.cli.main", "campaign", "smoke", "--out",
                                 str(tmp_path / "by-env"), "--json"], capture_output=True, text=True, timeout=240,
                                env={**os.environ, "DASK_SCHEDULER_ADDRESS": cluster.scheduler_address})
        after_env = cluster.scheduler.transition_counter
    assert before < after_option < after_env  # the runs' tasks went through this cluster's scheduler both times
    for done in (by_option, by_env):
        assert done.returncode == 0, done.stderr[-2000:]
        summary = json.loads(done.stdout)
        assert {k: summary[k] for k in ("runs_planned", "runs_done", "outcomes", "records_lost", "unsafe_outcomes",
                                        "faults_injected")} == \
            {k: embedded[k] for k in ("runs_planned", "runs_done", "outcomes", "records_lost", "unsafe_outcomes",
                                      "faults_injected")}


def test_a_record_changed_after_its_run_finished_is_lost_in_every_campaign_output(smoke, tmp_path, capsys):
    """summary.json, campaign.csv and the report's outcome matrix judge the journal with the changed record lost (the
    hazard traceability is written from the same judged journal): none still shows the run's old PASS."""
    import csv
    import shutil

    _, _, original = smoke
    folder = tmp_path / "changed"
    shutil.copytree(original, folder)
    line = next(line for line in journal_lines(folder) if line["kind"] == FINISHED)
    record = folder / line["folder"] / "record.jsonl"
    kept = record.read_bytes().splitlines(keepends=True)
    record.write_bytes(b"".join(kept[:5] + kept[6:]))  # one line dropped after the run finished

    assert main(["campaign", "--resume", str(folder), "--json"]) == 1  # nothing left to run: the outputs again
    summary = json.loads(capsys.readouterr().out)
    assert summary["records_lost"] == 1 and summary["outcomes"] == {"ERROR": 1, "PASS": 3}
    rows = {row["run_id"]: row for row in csv.DictReader((folder / "campaign.csv").open())}
    assert (rows[line["run_id"]]["outcome"], rows[line["run_id"]]["record_lost"]) == ("ERROR", "True")
    assert "LOST 1" in (folder / "report.html").read_text()
