"""A gravimetric window that would plan more balance readings than the harness takes is refused before the run."""
from __future__ import annotations

from pathlib import Path

import pytest

from hil.config.bounds import MAX_BALANCE_SAMPLES
from hil.paths import bench_configs_dir
from hil.runner.options import RunOptions
from hil.runner.run import BadInput, prepare

SCENARIO = bench_configs_dir() / "scenarios" / "pediatric-maintenance.yaml"


def rig_sampling_every(tmp_path: Path, interval_s: float) -> Path:
    rig = tmp_path / "rig.yaml"
    rig.write_text((bench_configs_dir() / "rigs" / "emulated-ne1000.yaml").read_text().replace(
        "sample_interval_s: 30", f"sample_interval_s: {interval_s}"))
    return rig


@pytest.mark.requirements("SR-CFG-004")
def test_oversized_balance_plan_is_refused_by_name(tmp_path):
    with pytest.raises(BadInput) as info:
        prepare(SCENARIO, rig_sampling_every(tmp_path, 1), RunOptions(out_dir=tmp_path / "run",
                                                                      gravimetric_duration_h=96))
    assert f"more than {MAX_BALANCE_SAMPLES}" in str(info.value) and "balance.sample_interval_s 1 s" in str(info.value)
    assert not (tmp_path / "run").exists()


def test_default_window_at_one_second_is_accepted(tmp_path):
    prepared = prepare(SCENARIO, rig_sampling_every(tmp_path, 1), RunOptions(out_dir=tmp_path / "run"))
    assert prepared.rig.balance.sample_interval_s == 1


@pytest.mark.parametrize("start_h", [96.0, 1000.0])
def test_a_window_starting_at_or_after_the_scenario_end_is_refused(tmp_path, start_h):
    duration_h = float(SCENARIO.read_text().split("duration_h:")[1].split()[0])
    assert duration_h == 96.0, "the bundled scenario changed its length"
    with pytest.raises(BadInput) as info:
        prepare(SCENARIO, bench_configs_dir() / "rigs" / "emulated-ne1000.yaml",
                RunOptions(out_dir=tmp_path / "run", gravimetric_start_h=start_h))
    assert f"--gravimetric-start-h {start_h:g} h is at or after the end of the scenario" in str(info.value)
    assert not (tmp_path / "run").exists()
