"""The GRBL motion horizon a rig gives its driver: three supervision periods on the device unless the rig sets one,
and a set one that the run's supervision period would starve is refused before the rig is touched."""
from __future__ import annotations

from pathlib import Path

import pytest

from hil.config.loading import ConfigError, load_model
from hil.config.rig import RigConfig
from hil.rig import Rig, RigError
from hil.devices.dead_host_horizon import MIN_MOTION_HORIZON_S, dead_host_horizon_s
from hil.rig.motion_horizon import check_motion_horizon

RIGS = Path(__file__).resolve().parents[3] / "bench_configs" / "rigs"
pytestmark = [pytest.mark.timeout(60), pytest.mark.requirements("SR-DRV-010")]


def grbl_rig(**pump_changes: object) -> RigConfig:
    config = load_model(RIGS / "emulated-grbl.yaml", RigConfig)
    return config.model_copy(update={"pump": config.pump.model_copy(update=pump_changes)})


@pytest.mark.parametrize(("period_s", "factor", "expected_s"), [
    (60.0, 1.0, 180.0), (240.0, 1.0, 720.0), (240.0, 10.0, 72.0),
    (60.0, 100.0, MIN_MOTION_HORIZON_S),  # 1.8 s on the device: a late tick must not stall the motion
    (None, 1.0, 180.0),  # a rig built without a run: the firmware's default period
])
def test_default_horizon_is_three_supervision_periods_on_the_device(period_s, factor, expected_s):
    assert dead_host_horizon_s(grbl_rig().pump.motion_horizon_s, period_s, factor) == pytest.approx(expected_s)


def test_a_horizon_the_rig_sets_is_used_as_set():
    assert dead_host_horizon_s(grbl_rig(motion_horizon_s=7.5).pump.motion_horizon_s, 240.0, 1.0) == 7.5


def test_a_set_horizon_shorter_than_two_and_a_half_periods_is_refused_with_the_key_and_the_numbers():
    """The top-up is sized from the previous tick's report: two periods reach the next tick, half a period spares."""
    check_motion_horizon(grbl_rig(motion_horizon_s=150.0), 60.0, 1.0)
    check_motion_horizon(grbl_rig(motion_horizon_s=5.0), 60.0, 30.0)  # 2 s periods on the device
    with pytest.raises(RigError, match=r"pump.motion_horizon_s 140 s .* 2.5 supervision periods of 60 s"):
        check_motion_horizon(grbl_rig(motion_horizon_s=140.0), 60.0, 1.0)
    with pytest.raises(RigError, match=r"periods of 4 s on the device \(supervision_period_s 60 s at time "
                                       r"compression x15\)"):
        check_motion_horizon(grbl_rig(motion_horizon_s=9.0), 60.0, 15.0)


def test_a_horizon_that_is_not_positive_is_a_config_error_naming_the_key(tmp_path: Path):
    text = (RIGS / "emulated-grbl.yaml").read_text().replace("  startup_wait_s: 0.0", "  motion_horizon_s: 0\n"
                                                                                       "  startup_wait_s: 0.0")
    path = tmp_path / "rig.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="motion_horizon_s"):
        load_model(path, RigConfig)


def test_the_rig_gives_its_grbl_driver_the_horizon_of_its_run():
    with Rig(grbl_rig(), syringe_fill_ul=5000, supervision_period_s=240.0) as rig:
        assert rig.pump.motion_horizon_s == 720.0
    with Rig(grbl_rig(motion_horizon_s=400.0), syringe_fill_ul=5000) as rig:
        assert rig.pump.motion_horizon_s == 400.0


def test_a_run_whose_supervision_period_would_starve_the_set_horizon_is_bad_input(tmp_path: Path):
    from hil.runner.options import RunOptions
    from hil.runner.run import BadInput, prepare

    rig_path = tmp_path / "short-horizon.yaml"
    rig_path.write_text((RIGS / "emulated-grbl.yaml").read_text().replace(
        "  startup_wait_s: 0.0", "  motion_horizon_s: 140\n  startup_wait_s: 0.0"))
    scenario = RIGS.parent / "scenarios" / "hazard-motor-stall.yaml"  # supervision_period_s: 60
    with pytest.raises(BadInput, match=r"motion_horizon_s 140 s is shorter than 2.5 supervision periods"):
        prepare(scenario, rig_path, RunOptions(out_dir=tmp_path / "run"))
    assert not (tmp_path / "run").exists()


def harvard_rig(**pump_changes: object) -> RigConfig:
    config = load_model(RIGS / "emulated-harvard.yaml", RigConfig)
    return config.model_copy(update={"pump": config.pump.model_copy(update=pump_changes)})


@pytest.mark.requirements("SR-DRV-013")
def test_a_harvard_rig_gives_its_driver_a_dead_host_horizon_of_three_supervision_periods_unless_it_sets_one():
    assert dead_host_horizon_s(harvard_rig().pump.dead_host_horizon_s, 60.0, 1.0) == 180.0
    # a long period: a long horizon, no early stop
    assert dead_host_horizon_s(harvard_rig().pump.dead_host_horizon_s, 600.0, 1.0) == 1800.0
    assert dead_host_horizon_s(harvard_rig(dead_host_horizon_s=400.0).pump.dead_host_horizon_s, 60.0, 1.0) == 400.0
    with Rig(harvard_rig(), syringe_fill_ul=5000, supervision_period_s=240.0) as rig:
        assert rig.pump.horizon.horizon_s == 720.0


@pytest.mark.requirements("SR-DRV-013")
def test_a_harvard_horizon_that_is_not_positive_or_too_short_for_the_run_is_refused_naming_the_key(tmp_path: Path):
    text = (RIGS / "emulated-harvard.yaml").read_text().replace("  dialect: phd_ultra\n",
                                                                "  dialect: phd_ultra\n  dead_host_horizon_s: -5\n")
    path = tmp_path / "rig.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=r"rig.yaml.*dead_host_horizon_s"):
        load_model(path, RigConfig)
    check_motion_horizon(harvard_rig(dead_host_horizon_s=150.0), 60.0, 1.0)
    with pytest.raises(RigError, match=r"pump.dead_host_horizon_s 140 s .* 2.5 supervision periods of 60 s.*"
                                       r"stop at its target volume.*SR-DRV-013"):
        check_motion_horizon(harvard_rig(dead_host_horizon_s=140.0), 60.0, 1.0)
