"""The NE-1000 safe-mode watchdog is a rig-file setting (pump.watchdog_timeout_s, default 10 s; heartbeat_interval_s
default half of it), checked at load, and the driver is built the same whatever the rig's clock: the same rig file
opened on a virtual clock and on a compressed wall clock programs the same watchdog (SAF<n>) and heartbeat."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from drivers.ne1000 import DEFAULT_SAFE_MODE_TIMEOUT_S
from hil.config.loading import ConfigError, load_model
from hil.config.rig import RigConfig
from hil.paths import bench_configs_dir
from hil.rig import Rig

pytestmark = [pytest.mark.timeout(120), pytest.mark.requirements("SR-DRV-003")]
RIGS = bench_configs_dir() / "rigs"


def _rig_file(folder: Path, clock: str, **pump: object) -> Path:
    """The emulated NE-1000 rig on `clock` (wall: time compression allowed up to 100), pump keys replaced."""
    rig = yaml.safe_load((RIGS / "emulated-ne1000.yaml").read_text(encoding="utf-8"))
    rig["clock"] = clock
    if clock == "wall":
        rig["time_compression"] = {"allowed": True, "max_factor": 100}
    rig["pump"].update(pump)
    path = folder / f"rig-{clock}.yaml"
    path.write_text(yaml.safe_dump(rig, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("watchdog_s", [255, 20])
def test_virtual_and_compressed_wall_clock_rigs_program_the_same_watchdog(tmp_path: Path, watchdog_s: int):
    programmed = {}
    for clock, factor in (("virtual", 1.0), ("wall", 20.0)):
        config = load_model(_rig_file(tmp_path, clock, watchdog_timeout_s=watchdog_s), RigConfig)
        with Rig(config, time_compression_factor=factor) as rig:
            programmed[clock] = (rig.emulator("pump").core.settings.safe_mode_timeout_s, rig.pump.safe_mode_timeout_s,
                                 rig.pump.heartbeat_interval_s)
    assert programmed["virtual"] == programmed["wall"] == (watchdog_s, watchdog_s, watchdog_s / 2)


def test_without_the_key_the_watchdog_is_the_drivers_default_and_the_emulated_rigs_set_the_longest(tmp_path: Path):
    path = _rig_file(tmp_path, "virtual")
    text = path.read_text(encoding="utf-8").replace("  watchdog_timeout_s: 255\n", "")
    assert "watchdog_timeout_s" not in text
    path.write_text(text, encoding="utf-8")
    pump = load_model(path, RigConfig).pump
    assert (pump.watchdog_timeout_s, pump.heartbeat_interval_s) == (DEFAULT_SAFE_MODE_TIMEOUT_S, None)
    for name in ("emulated-ne1000", "emulated-ne1000-sartorius"):
        assert load_model(RIGS / f"{name}.yaml", RigConfig).pump.watchdog_timeout_s == 255


@pytest.mark.parametrize(("pump", "located", "message"), [
    ({"watchdog_timeout_s": 20, "heartbeat_interval_s": 20}, "pump.heartbeat_interval_s",
     "would expire between heartbeats"),
    ({"watchdog_timeout_s": 1}, "pump.watchdog_timeout_s", "not longer than pump.transport.timeout_s"),
    ({"watchdog_timeout_s": 256}, "pump.watchdog_timeout_s", "less than or equal to 255"),
    ({"watchdog_timeout_s": 0}, "pump.watchdog_timeout_s", "greater than or equal to 1"),
    ({"safe_mode": False, "watchdog_timeout_s": 30}, "pump", "for safe mode only"),
])
def test_a_watchdog_that_cannot_work_is_refused_at_load_naming_the_key(tmp_path: Path, pump: dict, located: str,
                                                                       message: str):
    path = _rig_file(tmp_path, "virtual", **pump)
    with pytest.raises(ConfigError) as refused:
        load_model(path, RigConfig)
    text = str(refused.value)
    assert located in text and message in text and path.name in text


def test_a_basic_mode_rig_is_not_held_to_a_watchdog_it_does_not_have(tmp_path: Path):
    """Basic mode has no watchdog: a transport timeout at or above the safe-mode default (10 s) is no reason to
    refuse it, while the same timeout in safe mode is refused (the default watchdog would expire during one reply)."""
    path = _rig_file(tmp_path, "virtual", safe_mode=False, transport={"url": "emulator:pump", "timeout_s": 15.0})
    text = path.read_text(encoding="utf-8").replace("  watchdog_timeout_s: 255\n", "")
    path.write_text(text, encoding="utf-8")
    pump = load_model(path, RigConfig).pump
    assert not pump.safe_mode and pump.transport.timeout_s == 15.0
    path.write_text(text.replace("safe_mode: false", "safe_mode: true"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"not longer than pump\.transport\.timeout_s"):
        load_model(path, RigConfig)
