"""`itpump run` through its entry point: bad input per error class, JSON output, kill and Ctrl-C mid-run."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hil.cli.main import main
from hil.outputs.render import render_all
from hil.records import events as ev
from hil.records.reader import read_record

pytestmark = pytest.mark.timeout(120)
ITPUMP = [sys.executable, "-m", "hil.cli.main"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def scenario_text(configs: Path, name: str = "adult-maintenance-flex") -> str:
    return (configs / "scenarios" / f"{name}.yaml").read_text(encoding="utf-8")


def run_json(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, dict]:
    code = main(["run", *argv, "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, out
    return code, json.loads(out[0])


def test_unknown_key_names_file_line_and_key(bundled_configs: Path, tmp_path: Path, capsys) -> None:
    bad = write(
        tmp_path / "bad.yaml", scenario_text(bundled_configs).replace("duration_h: 72", "duration_h: 72\ncolour: red")
    )
    code, out = run_json(capsys, str(bad), "--out", str(tmp_path / "run"))
    assert code == 2 and out == {"error": "bad_input", "command": "run", "message": out["message"], "exit_code": 2}
    assert "bad.yaml:" in out["message"] and "colour: unknown key" in out["message"]
    assert not (tmp_path / "run").exists()


def test_unknown_alarm_name_is_bad_input(bundled_configs: Path, tmp_path: Path, capsys) -> None:
    text = scenario_text(bundled_configs).replace("{name: occlusion, occurs: false}",
                                                  "{name: delivery_mismatch, occurs: false}")
    bad = write(tmp_path / "bad.yaml", text)
    code, out = run_json(capsys, str(bad))
    assert code == 2 and "unknown alarm 'delivery_mismatch'" in out["message"] and "under_delivery" in out["message"]


@pytest.mark.requirements("SR-DOSE-004")
def test_a_starting_concentration_the_library_does_not_list_is_bad_input_before_anything_runs(
        bundled_configs: Path, tmp_path: Path, capsys) -> None:
    text = scenario_text(bundled_configs)
    assert "conc_mcg_per_ml: 2000" in text
    bad = write(tmp_path / "bad.yaml", text.replace("conc_mcg_per_ml: 2000", "conc_mcg_per_ml: 2"))
    code, out = run_json(capsys, str(bad), "--out", str(tmp_path / "run"))
    assert code == 2
    assert "drug.conc_mcg_per_ml: concentration 2.0 mcg/mL is not in the baclofen library" in out["message"]
    assert "set-up refill would be refused [SR-DOSE-004]" in out["message"]
    assert not (tmp_path / "run").exists()


def test_fault_step_on_a_bench_rig_is_refused_before_anything_runs(
    bundled_configs: Path, tmp_path: Path, capsys
) -> None:
    code, out = run_json(capsys, "hazard-motor-stall", "--rig", "bench-ne1000-usb", "--out", str(tmp_path / "run"))
    assert code == 2 and "has no emulator 'pump'" in out["message"]
    assert not (tmp_path / "run").exists()


def test_fault_the_named_emulator_does_not_have_is_refused(bundled_configs: Path, tmp_path: Path, capsys) -> None:
    text = scenario_text(bundled_configs, "hazard-motor-stall").replace("fault: stall", "fault: overload")
    bad = write(tmp_path / "bad.yaml", text)
    code, out = run_json(capsys, str(bad), "--out", str(tmp_path / "run"))
    assert code == 2 and "a ne1000 emulator ('pump' on rig emulated-ne1000) has no fault 'overload'" in out["message"]
    assert not (tmp_path / "run").exists()


def test_fault_parameters_the_emulator_would_refuse_are_bad_input_before_anything_runs(
    bundled_configs: Path, tmp_path: Path, capsys
) -> None:
    text = scenario_text(bundled_configs, "hazard-motor-stall").replace("fault: stall", "fault: stall, params: {x: 1}")
    bad = write(tmp_path / "bad.yaml", text)
    code, out = run_json(capsys, str(bad), "--out", str(tmp_path / "run"))
    assert code == 2 and "].params: fault 'stall': unknown parameter(s) ['x']" in out["message"]
    assert "('pump' on rig emulated-ne1000)" in out["message"]
    assert not (tmp_path / "run").exists()


@pytest.mark.requirements("SR-HIL-002")
def test_ptm_dose_above_the_librarys_daily_ptm_dose_is_refused_not_rounded_up_to_one(bundled_configs: Path,
                                                                                   tmp_path: Path, capsys) -> None:
    text = scenario_text(bundled_configs, "ptm-use").replace(
        "conc_mcg_per_ml: 2000}", "conc_mcg_per_ml: 2000, limits_override: {ptm_max_dose_per_24h_mcg: 20}}")
    code, out = run_json(capsys, str(write(tmp_path / "ptm.yaml", text)), "--out", str(tmp_path / "run"))
    assert code == 3 and out["outcome"] == "ERROR"  # the firmware refused the set-up: an ERROR run, recorded
    assert "pump_settings.ptm.dose_mcg 25 mcg" in out["reason"] and "20 mcg per 24 h" in out["reason"]


def test_a_pump_that_cannot_be_stopped_at_teardown_makes_the_run_an_error(bundled_configs: Path, tmp_path: Path,
                                                                           capsys, monkeypatch) -> None:
    from drivers.ne1000 import NE1000Pump

    def stop_fails(self):
        raise RuntimeError("no reply to STP")

    monkeypatch.setattr(NE1000Pump, "stop", stop_fails)
    code, out = run_json(capsys, "ptm-use", "--out", str(tmp_path / "run"))
    assert code == 3 and out["outcome"] == "ERROR"
    assert "rig teardown failed: stop pump: RuntimeError: no reply to STP" in out["reason"]


@pytest.mark.parametrize("rig", ["emulated-ne1000", "emulated-grbl"])
def test_a_balance_restart_during_the_run_is_named_in_the_reason_and_raises_no_alarm(
        bundled_configs: Path, tmp_path: Path, capsys, rig: str) -> None:
    """On the GRBL rig the balance confirms the motor's motion: a restart must not read as a motor stall."""
    text = scenario_text(bundled_configs, "ptm-use").replace(
        "  - {at_h: 26.0, action: ptm_press",
        "  - {at_h: 2.0, action: inject_fault, device: balance, fault: power_reset}\n"
        "  - {at_h: 26.0, action: ptm_press",
    )
    code, out = run_json(
        capsys, str(write(tmp_path / "restart.yaml", text)), "--rig", rig, "--out", str(tmp_path / "run")
    )
    assert (code, out["outcome"]) == (0, "PASS"), out["reason"]
    assert "the balance restarted 1 time(s) during the run" in out["reason"]
    assert read_record(tmp_path / "run" / "record.jsonl").typed(ev.Alarm) == []


def test_time_compression_on_a_virtual_rig_and_above_the_rig_maximum(bundled_configs: Path, capsys) -> None:
    code, out = run_json(capsys, "ptm-use", "--time-compression", "10")
    assert code == 2 and "wall-clock rigs only" in out["message"]
    code, out = run_json(capsys, "ptm-use", "--rig", "bench-ne1000-usb", "--time-compression", "50")
    assert code == 2 and "above the rig maximum" in out["message"]


def test_missing_files_and_reused_run_folder(bundled_configs: Path, tmp_path: Path, capsys) -> None:
    code, out = run_json(capsys, "no-such-scenario")
    assert code == 2 and "scenario not found" in out["message"]
    code, out = run_json(capsys, "ptm-use", "--rig", "no-such-rig")
    assert code == 2 and "rig not found" in out["message"]
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "record.jsonl").write_text("", encoding="utf-8")
    code, out = run_json(capsys, "ptm-use", "--out", str(tmp_path / "used"))
    assert code == 2 and "already holds a run record" in out["message"]


@pytest.mark.requirements("SR-HIL-004")
def test_rig_that_cannot_open_is_an_error_run_with_a_finished_record(bundled_configs: Path, tmp_path: Path, capsys,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITPUMP_PUMP_PORT", str(tmp_path / "no-such-port"))
    code, out = run_json(capsys, "ptm-use", "--rig", "bench-ne1000-usb", "--out", str(tmp_path / "run"))
    assert code == 3 and out["outcome"] == "ERROR" and "no-such-port" in out["reason"]
    finished = read_record(tmp_path / "run" / "record.jsonl").finished
    assert finished is not None and finished.outcome == "ERROR"


def test_json_output_has_the_documented_fields(bundled_configs: Path, tmp_path: Path, capsys) -> None:
    code, out = run_json(capsys, "hazard-occlusion", "--out", str(tmp_path / "run"))
    assert code == 0 and out["outcome"] == "PASS"
    assert out["report_dir"] == str(tmp_path / "run")
    assert {"name", "outcome", "passed", "value", "limit", "unit", "requirement_ids"} <= set(out["envelopes"][0])
    envelopes = {e["name"]: e for e in out["envelopes"]}
    assert all(e["outcome"] == "PASS" and e["passed"] is True for name, e in envelopes.items() if name != "withdrawal")
    # the pump stopped at 24.25 h: the drop that began at 29.9 h is still under way at 30 h, so not judged
    assert envelopes["withdrawal"]["outcome"] == "NOT_EVALUATED" and envelopes["withdrawal"]["passed"] is False
    assert out["time_compression_factor"] == 1.0
    assert set(out["pk_peaks"]["plasma_ng_per_ml"]) == {"delivered_ng_per_ml", "programmed_ng_per_ml",
                                                        "difference_percent"}
    assert any(a["name"] == "motor_stall" and a["priority"] == "high" and 24 <= a["t_h"] <= 25 for a in out["alarms"])
    assert set(out["delivered"]) >= {"commanded_ul", "pump_reported_ul", "gravimetric_ul"}


def start_long_run(configs: Path, out_dir: Path) -> subprocess.Popen:
    long = write(out_dir.parent / "long.yaml", scenario_text(configs).replace("duration_h: 72", "duration_h: 700")
                 .replace("{at_h: 72.0, action: wait}", "{at_h: 700.0, action: wait}"))
    env = {**os.environ, "ITPUMP_BENCH_CONFIGS": str(configs)}
    return subprocess.Popen([*ITPUMP, "run", str(long), "--out", str(out_dir), "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def wait_for_samples(record_path: Path, process: subprocess.Popen, count: int = 50, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        if record_path.exists() and record_path.read_text(encoding="utf-8").count('"volume_sample"') >= count:
            return
        time.sleep(0.2)
    raise AssertionError("the run wrote no volume samples in time")


@pytest.mark.requirements("SR-HIL-003")
def test_killed_run_keeps_its_record_up_to_the_kill(bundled_configs: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "run"
    process = start_long_run(bundled_configs, out_dir)
    wait_for_samples(out_dir / "record.jsonl", process)
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)
    record = read_record(out_dir / "record.jsonl")
    assert record.started is not None and record.finished is None
    assert len(record.typed(ev.VolumeSample)) >= 50
    assert record.typed(ev.Step)[0].action == "prime"
    rendered = render_all(out_dir)
    assert rendered.outcome == "ERROR" and "interrupted" in rendered.reason


@pytest.mark.requirements("SR-HIL-001")
def test_ctrl_c_stops_the_pump_first_then_finishes_the_record(bundled_configs: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "run"
    process = start_long_run(bundled_configs, out_dir)
    wait_for_samples(out_dir / "record.jsonl", process)
    process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=60)
    assert process.returncode == 3
    assert json.loads(stdout)["outcome"] == "ERROR"
    finished = read_record(out_dir / "record.jsonl").finished
    assert finished is not None and finished.outcome == "ERROR" and "aborted" in finished.reason
    assert finished.pump_running_after_stop is False
    assert (out_dir / "report.html").is_file()


def test_the_verdict_names_the_scenario_and_rig_as_the_record_does_and_a_renamed_copy_by_its_file(
        bundled_configs: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    copy = write(tmp_path / "my-copy.yaml", (bundled_configs / "campaigns" / "scenarios" /
                                             "campaign-short-continuous.yaml").read_text(encoding="utf-8"))
    assert main(["run", str(copy), "--out", str(tmp_path / "run"), "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "scenario campaign-short-continuous (file my-copy.yaml) on rig emulated-ne1000\n" in out
    (started,) = read_record(tmp_path / "run" / "record.jsonl").typed(ev.RunStarted)
    assert (started.scenario_name, started.rig_id) == ("campaign-short-continuous", "emulated-ne1000")
