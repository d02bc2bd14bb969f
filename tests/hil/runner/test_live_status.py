"""The live status: the snapshot model folded from what the runner says, its rendering (a rich Console recording to
a string), and which display `run_monitor` picks for the clock and the terminal."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from firmware_sim.event_log import Event, EventKind
from hil.runner.live_status import NOT_STARTED, RunInfo, RunMonitor, StatusTracker
from hil.runner.live_view import render_status
from hil.runner.options import RunOptions
from hil.runner.progress import _ProgressBar, run_monitor

WALL = RunInfo("hazard-occlusion", Path("runs/x"), "wall", duration_s=30 * 3600.0, time_compression_factor=10.0)


class FakeWall:
    def __init__(self) -> None:
        self.now_s = 100.0

    def __call__(self) -> float:
        return self.now_s


def tracked(info: RunInfo = WALL) -> tuple[StatusTracker, FakeWall]:
    wall = FakeWall()
    tracker = StatusTracker(wall_clock_s=wall)
    tracker.started(info)
    return tracker, wall


def test_nothing_is_known_before_the_run_starts_and_events_before_it_are_ignored() -> None:
    tracker = StatusTracker()
    tracker.firmware_event(Event(1.0, EventKind.STATE, {"to_state": "priming"}))
    tracker.at(5.0)
    assert tracker.snapshot is None
    tracker.started(WALL)
    snapshot = tracker.snapshot
    assert snapshot is not None and snapshot.state == NOT_STARTED and snapshot.alarms == ()
    assert snapshot.rate_mcg_per_day is None and snapshot.balance is None and snapshot.remaining_s == 30 * 3600.0


def test_state_rate_concentration_alarms_volumes_and_balance_fold_into_the_snapshot() -> None:
    tracker, wall = tracked()
    tracker.firmware_event(Event(0.0, EventKind.REFILL, {"volume_ul": 8000.0, "conc_mcg_per_ml": 2000.0}))
    tracker.firmware_event(Event(3600.0, EventKind.STATE, {"from_state": "idle", "to_state": "continuous"}))
    tracker.firmware_event(Event(3600.0, EventKind.RATE_COMMAND, {"rate_ul_per_h": 25.0 / 3, "q_ul": 500.0}))
    first = tracker.snapshot
    assert first.state == "continuous" and first.rate_ul_per_h == pytest.approx(25.0 / 3)
    assert first.rate_mcg_per_day == pytest.approx(400.0)  # 8.333 uL/h x 2000 mcg/mL x 24 h
    tracker.firmware_event(Event(4000.0, EventKind.ALARM, {"alarm": "low_reservoir", "priority": "low"}))
    tracker.firmware_event(Event(5000.0, EventKind.ALARM_CLEARED, {"alarm": "low_reservoir"}))
    tracker.firmware_event(Event(87300.0, EventKind.ALARM, {"alarm": "motor_stall", "priority": "high"}))
    tracker.volumes(87300.0, commanded_ul=699.8, pump_reported_ul=700.0, gravimetric_ul=697.7, rate_ul_per_h=0.0)
    tracker.balance(87250.0, mass_g=0.6963, stable=False)
    wall.now_s = 165.0
    tracker.at(87300.0)
    snapshot = tracker.snapshot
    assert [(a.name, a.priority, a.t_s, a.cleared_t_s) for a in snapshot.alarms] == [
        ("low_reservoir", "low", 4000.0, 5000.0), ("motor_stall", "high", 87300.0, None)]
    assert (snapshot.commanded_ul, snapshot.pump_reported_ul, snapshot.gravimetric_ul) == (699.8, 700.0, 697.7)
    assert snapshot.volumes_t_s == 87300.0 and snapshot.rate_ul_per_h == 0.0
    assert snapshot.balance.mass_g == 0.6963 and snapshot.balance.stable is False
    assert snapshot.balance_age_wall_s == pytest.approx(5.0)  # 50 scenario s at x10
    assert snapshot.wall_elapsed_s == pytest.approx(65.0)
    assert snapshot.remaining_s == pytest.approx(30 * 3600.0 - 87300.0)
    assert snapshot.remaining_wall_s == pytest.approx((30 * 3600.0 - 87300.0) / 10)
    assert first.alarms == () and first.state == "continuous"  # earlier snapshots are values, never changed


def test_scenario_time_never_runs_backwards_and_a_virtual_clock_has_no_wall_time_left() -> None:
    tracker, _ = tracked(RunInfo("s", Path("r"), "virtual", duration_s=7200.0))
    tracker.at(3600.0)
    tracker.balance(3500.0, mass_g=1.0, stable=True)  # a reading stamped a little earlier
    snapshot = tracker.snapshot
    assert snapshot.t_s == 3600.0 and snapshot.balance_age_wall_s == pytest.approx(100.0)
    assert snapshot.remaining_wall_s is None


def render_text(snapshot: object, width: int = 120) -> str:
    console = Console(record=True, width=width, file=io.StringIO(), color_system=None)
    console.print(render_status(snapshot))
    return console.export_text()


def test_the_renderer_shows_every_part_of_the_status() -> None:
    tracker, wall = tracked()
    tracker.firmware_event(Event(0.0, EventKind.REFILL, {"conc_mcg_per_ml": 2000.0}))
    tracker.firmware_event(Event(3600.0, EventKind.STATE, {"to_state": "continuous"}))
    tracker.firmware_event(Event(3600.0, EventKind.RATE_COMMAND, {"rate_ul_per_h": 25.0 / 3}))
    tracker.volumes(86400.0, commanded_ul=691.5, pump_reported_ul=692.0, gravimetric_ul=690.25, rate_ul_per_h=25.0 / 3)
    tracker.balance(86400.0, mass_g=0.6889, stable=True)
    tracker.firmware_event(Event(87300.0, EventKind.ALARM, {"alarm": "motor_stall", "priority": "high"}))
    wall.now_s = 100.0 + 8730.0
    tracker.at(87300.0)
    text = render_text(tracker.snapshot)
    lines = {line.split()[0]: " ".join(line.split()[1:]) for line in text.splitlines() if line.strip()}
    assert lines["run"] == "hazard-occlusion (wall clock, time compression x10)"
    assert lines["folder"] == str(Path("runs/x"))
    assert lines["pump"] == "state continuous"
    assert lines["rate"] == "8.333 uL/h 400.0 mcg/day (at 2000 mcg/mL)"
    assert lines["volumes"] == "commanded 691.50 uL sample at 24.000 h"
    assert lines["pump-reported"] == "692.00 uL" and lines["weighed"] == "690.25 uL"
    assert lines["balance"] == "0.6889 g stable age 90 s"  # 900 scenario s at x10
    assert lines["alarms"] == "motor_stall (high) at 24.250 h"
    assert lines["scenario"] == "24.250 h elapsed, 5.750 h left of 30.000 h"
    assert lines["wall"] == "2:25:30 elapsed, 0:34:30 left"


def test_the_renderer_before_any_sample_says_so() -> None:
    tracker, _ = tracked()
    lines = [" ".join(line.split()) for line in render_text(tracker.snapshot).splitlines()]
    for expected in ("pump state not started", "rate 0.000 uL/h", "volumes commanded - no sample yet",
                     "pump-reported -", "weighed -", "balance no reading yet", "alarms none",
                     "scenario 0.000 h elapsed, 30.000 h left of 30.000 h", "wall 0:00:00 elapsed, 3:00:00 left"):
        assert expected in lines, (expected, lines)


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("clock, stream, progress, expected", [
    ("wall", Terminal(), True, StatusTracker),
    ("virtual", Terminal(), True, _ProgressBar),
    ("wall", io.StringIO(), True, RunMonitor),     # stderr not a terminal
    ("wall", Terminal(), False, RunMonitor),       # --json / --no-progress
])
def test_the_display_fits_the_clock_and_the_terminal(tmp_path: Path, clock: str, stream: io.StringIO, progress: bool,
                                                     expected: type) -> None:
    info = RunInfo("s", tmp_path / "run", clock, duration_s=3600.0)
    options = RunOptions(out_dir=tmp_path / "run", progress=progress, print_run_dir=True)
    with run_monitor(options, info, stream=stream) as monitor:
        assert type(monitor) is expected
        monitor.at(1800.0)
    assert stream.getvalue().startswith(f"run folder: {tmp_path / 'run'}\n")
    if expected is StatusTracker:
        assert "pump state" in stream.getvalue() and "0.500 h elapsed" in stream.getvalue()


def test_a_given_monitor_is_told_the_run_started_and_no_folder_line_unless_asked(tmp_path: Path) -> None:
    info = RunInfo("s", tmp_path / "run", "wall", duration_s=3600.0)
    stream, tracker = Terminal(), StatusTracker()
    with run_monitor(RunOptions(out_dir=tmp_path / "run", progress=True), info, tracker, stream=stream) as monitor:
        assert monitor is tracker and tracker.snapshot.info == info
    assert stream.getvalue() == ""
