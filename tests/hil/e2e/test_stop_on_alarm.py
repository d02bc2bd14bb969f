"""`itpump run --stop-on-alarm PRIORITY` on the emulated NE-1000 rig: the run ends when an alarm of that priority or
higher latches (no later step runs, the pump is stopped, the record says why and is complete, the outputs are
rendered, exit 2); an alarm of lower priority does not end it."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from firmware_sim.pump.alarms import AlarmPriority
from hil.cli.main import main
from hil.records import events as ev
from hil.records.reader import read_record
from hil.runner.alarm_stop import at_or_above
from hil.runner.options import RunOptions

pytestmark = pytest.mark.timeout(180)


def run_json(capsys: pytest.CaptureFixture, *argv: str) -> tuple[int, dict]:
    code = main(["run", *argv, "--json"])
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, out
    return code, json.loads(out[0])


def early_low_reservoir(configs: Path, folder: Path) -> Path:
    """hazard-occlusion with the low-reservoir threshold 100 uL under the fill: the low-priority alarm latches
    while priming (0.1 h), long before the occlusion at 24 h."""
    text = (configs / "scenarios" / "hazard-occlusion.yaml").read_text(encoding="utf-8")
    assert "low_reservoir_threshold_ul: 2000" in text
    path = folder / "occlusion-low-reservoir.yaml"
    path.write_text(text.replace("low_reservoir_threshold_ul: 2000", "low_reservoir_threshold_ul: 7900"),
                    encoding="utf-8")
    return path


def check_stopped(run_dir: Path, alarm: str, priority: str, threshold: str) -> tuple[list[ev.Step], ev.Alarm]:
    """The record of a run stopped on `alarm`: complete, no step after the alarm, the pump stopped and sampled
    after the stop, no verdict; returns the steps run and the alarm event."""
    record = read_record(run_dir / "record.jsonl")
    assert record.intact and record.finished is not None, record.damage
    kinds = [e.KIND for e in record.events]
    alarm_event = next(e for e in record.typed(ev.Alarm) if e.name == alarm)
    assert alarm_event.priority == priority
    stopped = record.typed(ev.StoppedOnAlarm)
    assert len(stopped) == 1
    assert stopped[0].alarm == alarm and stopped[0].priority == priority
    assert stopped[0].stop_on_alarm == threshold and stopped[0].alarm_t_s == alarm_event.t_s
    assert f"stopped on alarm {alarm}" in stopped[0].detail and "pump stopped (status running=False)" in \
        stopped[0].detail
    assert kinds[-2:] == ["stopped_on_alarm", "run_finished"]
    finished = record.finished
    assert finished.outcome == "ERROR" and finished.pump_running_after_stop is False
    assert finished.reason.startswith(f"stopped on alarm {alarm} ({priority} priority, latched at t=")
    assert f"--stop-on-alarm {threshold}" in finished.reason
    steps = record.typed(ev.Step)
    assert all(step.t_s <= alarm_event.t_s for step in steps)
    last = record.typed(ev.VolumeSample)[-1]
    assert last.after_pump_stop is True and last.t_s == stopped[0].t_s
    assert not record.typed(ev.Envelope) and not record.typed(ev.PkSeries)  # no verdict on a stopped run
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    assert summary["outcome"] == "ERROR" and (run_dir / "report.html").is_file()
    return steps, alarm_event


@pytest.mark.requirements("SR-HIL-001", "SR-ALM-001", "SR-ALM-004")
def test_a_high_priority_alarm_ends_the_run_with_the_pump_stopped(tmp_path: Path, capsys) -> None:
    run_dir = tmp_path / "run"
    code, out = run_json(capsys, "hazard-occlusion", "--stop-on-alarm", "high", "--out", str(run_dir))
    assert code == 3 and out["outcome"] == "ERROR"
    assert "stopped on alarm motor_stall (high priority" in out["reason"]
    steps, alarm = check_stopped(run_dir, "motor_stall", "high", "high")
    assert [s.index for s in steps] == [0, 1, 2]  # the wait step at 30 h never ran
    assert 24 * 3600 < alarm.t_s < 25 * 3600


@pytest.mark.requirements("SR-HIL-001", "SR-ALM-002")
def test_a_lower_priority_alarm_does_not_end_the_run(bundled_configs: Path, tmp_path: Path, capsys) -> None:
    scenario, run_dir = early_low_reservoir(bundled_configs, tmp_path), tmp_path / "run"
    code, out = run_json(capsys, str(scenario), "--stop-on-alarm", "medium", "--out", str(run_dir))
    assert code == 3 and "stopped on alarm motor_stall" in out["reason"]
    steps, _ = check_stopped(run_dir, "motor_stall", "high", "medium")
    low = [a for a in read_record(run_dir / "record.jsonl").typed(ev.Alarm) if a.name == "low_reservoir"]
    assert len(low) == 1 and low[0].priority == "low" and low[0].t_s < 3600
    assert [s.index for s in steps] == [0, 1, 2]  # the steps after the low alarm ran
    assert all(s.t_s > low[0].t_s for s in steps[1:])


@pytest.mark.requirements("SR-HIL-001", "SR-ALM-002")
def test_stop_on_low_ends_the_run_on_a_low_alarm_and_the_runner_stops_the_pump(bundled_configs: Path,
                                                                                tmp_path: Path, capsys) -> None:
    # a low-priority alarm does not stop delivery in the firmware (SR-ALM-002): the runner's stop must
    scenario, run_dir = early_low_reservoir(bundled_configs, tmp_path), tmp_path / "run"
    code, out = run_json(capsys, str(scenario), "--stop-on-alarm", "low", "--out", str(run_dir))
    assert code == 3 and out["outcome"] == "ERROR"
    steps, alarm = check_stopped(run_dir, "low_reservoir", "low", "low")
    assert [s.index for s in steps] == [0] and alarm.t_s < 3600  # start_continuous at 1 h never ran
    record = read_record(run_dir / "record.jsonl")
    assert not [a for a in record.typed(ev.Alarm) if a.name == "motor_stall"]


@pytest.mark.parametrize("priority, threshold, stops", [
    ("low", AlarmPriority.LOW, True), ("low", AlarmPriority.MEDIUM, False), ("low", AlarmPriority.HIGH, False),
    ("medium", AlarmPriority.LOW, True), ("medium", AlarmPriority.MEDIUM, True), ("medium", AlarmPriority.HIGH, False),
    ("high", AlarmPriority.LOW, True), ("high", AlarmPriority.MEDIUM, True), ("high", AlarmPriority.HIGH, True),
    ("unheard-of", AlarmPriority.HIGH, True),  # an unknown priority never slips past a stop
])
def test_priority_order(priority: str, threshold: AlarmPriority, stops: bool) -> None:
    assert at_or_above(priority, threshold) is stops


def test_the_option_takes_a_priority_name_and_refuses_anything_else(tmp_path: Path, capsys) -> None:
    assert RunOptions(out_dir=tmp_path, stop_on_alarm="medium").stop_on_alarm is AlarmPriority.MEDIUM
    with pytest.raises(ValueError, match="stop_on_alarm must be one of high, medium, low, got 'urgent'"):
        RunOptions(out_dir=tmp_path, stop_on_alarm="urgent")
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "hazard-occlusion", "--stop-on-alarm", "urgent", "--out", str(tmp_path / "run")])
    assert exit_info.value.code == 2 and "invalid choice: 'urgent'" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()
