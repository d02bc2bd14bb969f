"""Delivered-profile points (the balance volumes that scale the PK prediction's delivered profile): once a point is
due the runner takes a reading some check takes anyway (on the GRBL rig the open-loop stall check weighs every
2 uL) and weighs for the point itself only after RunOptions.delivered_profile_max_wait_s. The record holds the
points the runner used: hil.campaign.record_profile rebuilds them with the same rule."""
from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml

from hil.campaign.record_profile import firmware_events, gravimetric_points
from hil.paths import bench_configs_dir
from hil.records import events as ev
from hil.records.reader import read_record
from hil.runner import RunOptions, run_scenario

PERIOD_S = 60.0
RESOLUTION_S = RunOptions.delivered_profile_resolution_s
SHIPPED = bench_configs_dir() / "scenarios" / "adult-maintenance-flex.yaml"


def scenario_text() -> str:
    """The shipped adult scenario cut to its prime and 500 mcg/day start, 12 h at a one-minute period."""
    scenario = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    scenario.update(duration_h=12, supervision_period_s=PERIOD_S,
                    steps=[*scenario["steps"][:2], {"at_h": 12.0, "action": "wait"}])
    del scenario["expectations"]["states"]  # they lie past 12 h
    return yaml.safe_dump(scenario)


def run(tmp_path: Path, name: str, max_wait_s: float) -> tuple[dict[float, float], int]:
    """(the record's delivered-profile points, how many volume samples carry a balance reading)."""
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(scenario_text())
    out = tmp_path / name
    result = run_scenario(scenario, bench_configs_dir() / "rigs" / "emulated-grbl.yaml",
                          RunOptions(out_dir=out, delivered_profile_max_wait_s=max_wait_s))
    assert result.outcome == "PASS", result.reason
    record = read_record(out / "record.jsonl")
    weighed = sum(1 for s in record.typed(ev.VolumeSample) if s.gravimetric_ul is not None)
    return gravimetric_points(record, firmware_events(record)), weighed


def gaps_s(points: dict[float, float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(sorted(points))]


def test_points_wait_for_a_stall_check_reading_and_cost_fewer_readings(tmp_path: Path) -> None:
    at_once, weighed_at_once = run(tmp_path, "at-once", max_wait_s=0.0)
    waiting, weighed_waiting = run(tmp_path, "waiting", max_wait_s=450.0)
    assert gaps_s(at_once) and all(gap == pytest.approx(RESOLUTION_S) for gap in gaps_s(at_once))
    assert all(RESOLUTION_S - 1e-6 <= gap <= RESOLUTION_S + 450.0 + PERIOD_S + 1e-6 for gap in gaps_s(waiting))
    assert any(gap > RESOLUTION_S + 1e-6 for gap in gaps_s(waiting))  # some points took a later check's reading
    assert weighed_waiting < weighed_at_once
    assert len(waiting) >= 12 * 3600 / (RESOLUTION_S + 450.0 + PERIOD_S) - 1  # never fewer than the bound allows


def test_a_negative_wait_is_refused_by_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="delivered_profile_max_wait_s must be >= 0"):
        RunOptions(out_dir=tmp_path, delivered_profile_max_wait_s=-1.0)
