"""A wall-clock rig with the NE-1000 and balance emulators (time compressed): each volume sample's pump-reported
and weighed volumes are of the same moment, the last sample is read after the pump stopped, and after a real
Ctrl-C the volumes delivered so far are reported."""
from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hil.cli.main import main
from hil.records import events as ev
from hil.records.reader import read_record
from scenario_yaml import adult_scenario_yaml

pytestmark = pytest.mark.timeout(180)
ITPUMP = [sys.executable, "-m", "hil.cli.main"]
COMPRESSION = "50"
RIG = """\
rig_id: wall-emulated
clock: wall
pump:
  driver: ne1000
  transport: {url: "emulator:pump", timeout_s: 1.0}
  address: 0
  safe_mode: false
  baud_rate_bps: 19200
syringe: {diameter_mm: 14.43, volume_ul: 10000}
balance:
  resource: "emulator:balance"
  backend: "@py"
  density_g_per_ml: 0.998
  evaporation_rate_mg_per_h: 0.0
  sample_interval_s: 30
max_rate_ul_per_h: 100000
features: [balance]
time_compression: {allowed: true, max_factor: 100}
emulators:
  pump: {kind: ne1000}
  balance: {kind: balance, linked_pump: pump, options: {seed: 2, noise_sd_g: 0.0}}
"""


def priming_scenario(duration_h: float, period_s: float) -> str:
    steps = ["{at_h: 0.0, action: prime}", f"{{at_h: {duration_h}, action: wait}}"]
    # the balance lags a 50x compressed priming flow by 2.8 uL; its delivery check allows for that (settling_time_s)
    expectations = "expectations:\n  alarms:\n    - {name: gravimetric_deviation, occurs: false}\n"
    return adult_scenario_yaml("wall-prime", duration_h, steps, supervision_period_s=period_s,
                               expectations=expectations)


def write_configs(folder: Path, duration_h: float, period_s: float) -> tuple[Path, Path]:
    rig, scenario = folder / "wall-rig.yaml", folder / "wall-prime.yaml"
    rig.write_text(RIG, encoding="utf-8")
    scenario.write_text(priming_scenario(duration_h, period_s), encoding="utf-8")
    return scenario, rig


def test_each_sample_pairs_the_pump_status_and_the_balance_of_one_moment_and_the_last_follows_the_stop(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    # priming at 1000 uL/h for 240 s: 16.7 uL per 60 s tick, so a status one tick old would be 16 uL behind
    scenario, rig = write_configs(tmp_path, duration_h=240 / 3600, period_s=60)
    code = main(["run", str(scenario), "--rig", str(rig), "--time-compression", COMPRESSION,
                 "--out", str(tmp_path / "run"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0, out["reason"]
    record = read_record(tmp_path / "run" / "record.jsonl")
    samples = record.typed(ev.VolumeSample)
    status_times = {e.t_s for e in record.typed(ev.FirmwareEvent) if e.kind == "status"}
    ticks = [s for s in samples[1:] if not s.after_pump_stop]
    assert len(ticks) == 3
    for sample in ticks:
        assert sample.t_s in status_times  # the firmware read the pump at the sample's moment
        assert sample.commanded_ul > 10
        assert sample.pump_reported_ul is not None and sample.gravimetric_ul is not None
        assert abs(sample.pump_reported_ul - sample.gravimetric_ul) < 4.0, sample
    final = samples[-1]
    assert final.after_pump_stop is True
    assert final.pump_reported_ul == pytest.approx(final.commanded_ul, abs=2.0)
    # the devices run in wall time: at x50 a tenth of a wall second of weighing latency is 1.4 uL at this rate
    assert final.gravimetric_ul == pytest.approx(final.pump_reported_ul, abs=4.0)
    assert out["delivered"]["pump_reported_ul"] == final.pump_reported_ul
    assert record.finished is not None and record.finished.pump_running_after_stop is False
    # the balance scaled the delivered profile (paired with the firmware's own status reads)
    assert all("gravimetric delivered profile" in e.reason for e in record.typed(ev.Envelope))


@pytest.mark.requirements("SR-HIL-001")
@pytest.mark.parametrize("signum, cause", [(signal.SIGINT, "the operator (Ctrl-C)"),
                                           (signal.SIGTERM, "a termination request (SIGTERM)"),
                                           (signal.SIGHUP, "a hang-up (SIGHUP")])
def test_ctrl_c_sigterm_or_sighup_before_the_first_tick_stop_the_pump_and_report_the_volume_delivered_so_far(
        tmp_path: Path, signum: signal.Signals, cause: str) -> None:
    scenario, rig = write_configs(tmp_path, duration_h=1.0, period_s=600)  # first tick 12 s of wall time away
    run_dir = tmp_path / "run"
    process = subprocess.Popen([*ITPUMP, "run", str(scenario), "--rig", str(rig), "--time-compression", COMPRESSION,
                                "--out", str(run_dir), "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    try:
        deadline = time.monotonic() + 60
        record_path = run_dir / "record.jsonl"
        while not (record_path.exists() and '"action":"prime"' in record_path.read_text(encoding="utf-8")):
            assert process.poll() is None and time.monotonic() < deadline, process.communicate()
            time.sleep(0.05)
        time.sleep(1.5)  # about 75 s of priming at x50
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 3 and "Traceback" not in stderr, stderr
    out = json.loads(stdout)
    assert out["outcome"] == "ERROR" and f"interrupted by {cause}" in out["reason"]
    assert "during the scenario steps" in out["reason"]
    record = read_record(record_path)
    assert record.intact and record.finished is not None and record.finished.pump_running_after_stop is False
    final = record.typed(ev.VolumeSample)[-1]
    assert final.after_pump_stop is True
    assert final.commanded_ul > 10  # over 36 s of priming at 1000 uL/h
    assert final.pump_reported_ul == pytest.approx(final.commanded_ul, abs=2.0)
    assert out["delivered"] == {"commanded_ul": final.commanded_ul, "pump_reported_ul": final.pump_reported_ul,
                                "gravimetric_ul": final.gravimetric_ul}


@pytest.mark.requirements("SR-HIL-002")
def test_a_balance_that_slows_down_after_the_last_step_makes_the_scenario_end_late_and_that_is_an_error(
        tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """Every step runs on time; then each balance reply comes 3 s late (150 s of scenario time at x50, read at every
    tick of 60 s): the pump runs on past the scenario's end while the harness waits, which no step's time shows."""
    rig = tmp_path / "wall-rig.yaml"
    rig.write_text(RIG.replace("  sample_interval_s: 30\n", "  sample_interval_s: 30\n  timeout_s: 10\n"),
                   encoding="utf-8")
    slow = "{at_h: 0.05, action: inject_fault, device: balance, fault: delay_bytes, params: {delay_s: 3, count: 1000}}"
    scenario = tmp_path / "late-end.yaml"
    scenario.write_text(adult_scenario_yaml("late-end", 0.1, ["{at_h: 0.0, action: prime}", slow],
                                            supervision_period_s=60), encoding="utf-8")
    code = main(["run", str(scenario), "--rig", str(rig), "--time-compression", COMPRESSION,
                 "--out", str(tmp_path / "run"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert (code, out["outcome"]) == (3, "ERROR"), out["reason"]
    assert out["reason"].startswith("the run fell behind its scenario: the scenario's end (at 0.1 h) was reached ")
    assert "more than the 60 s allowed" in out["reason"]
    steps = read_record(tmp_path / "run" / "record.jsonl").typed(ev.Step)
    assert [round(s.t_s / 180, 1) for s in steps] == [0.0, 1.0]  # both steps on time (within a tenth of 3 minutes)
