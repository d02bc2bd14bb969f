"""Rig schema: shipped rigs validate; cross-section mistakes are located in the file."""
from __future__ import annotations

from pathlib import Path

import pytest

from hil.config.loading import ConfigError, load_model
from hil.config.rig import RigConfig
from hil.paths import bench_configs_dir

SHIPPED_RIGS = sorted((bench_configs_dir() / "rigs").glob("*.yaml"))

EMULATED = """\
rig_id: test-rig
clock: virtual
pump:
  driver: ne1000
  transport:
    url: "emulator:pump"
syringe: {diameter_mm: 14.43, volume_ul: 10000}
balance:
  resource: "emulator:scale"
max_rate_ul_per_h: 1000
features: [balance]
emulators:
  pump: {kind: ne1000}
  scale: {kind: balance, linked_pump: pump}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rig.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_four_rigs_are_shipped():
    names = {p.stem for p in SHIPPED_RIGS}
    assert {"emulated-ne1000", "emulated-grbl", "bench-ne1000-usb", "bench-grbl"} <= names


@pytest.mark.parametrize("path", SHIPPED_RIGS, ids=lambda p: p.stem)
def test_shipped_rig_validates(path):
    rig = load_model(path, RigConfig, environ={})
    assert rig.rig_id == path.stem


def test_minimal_emulated_rig_loads(tmp_path):
    rig = load_model(write(tmp_path, EMULATED), RigConfig, environ={})
    assert rig.emulators["scale"].linked_pump == "pump"
    assert rig.balance is not None and rig.balance.density_g_per_ml == pytest.approx(0.998)
    assert rig.balance.sample_interval_s == 30


def test_undeclared_emulator_is_located(tmp_path):
    text = EMULATED.replace('url: "emulator:pump"', 'url: "emulator:pmp"')
    with pytest.raises(ConfigError) as info:
        load_model(write(tmp_path, text), RigConfig, environ={})
    issue = info.value.issues[0]
    assert issue.dotted_key == "pump.transport.url"
    assert issue.line == 6
    assert "'pmp'" in issue.message and "pump, scale" in issue.message


def test_emulator_of_wrong_kind_is_rejected(tmp_path):
    text = EMULATED.replace("pump: {kind: ne1000}", "pump: {kind: grbl}")
    with pytest.raises(ConfigError, match="kind grbl, expected ne1000"):
        load_model(write(tmp_path, text), RigConfig, environ={})


def test_balance_emulator_must_be_linked(tmp_path):
    text = EMULATED.replace("scale: {kind: balance, linked_pump: pump}", "scale: {kind: balance}")
    with pytest.raises(ConfigError) as info:
        load_model(write(tmp_path, text), RigConfig, environ={})
    assert info.value.issues[0].dotted_key == "emulators.scale"
    assert "linked_pump" in info.value.issues[0].message


def test_virtual_clock_with_real_pump_is_rejected(tmp_path):
    text = EMULATED.replace('url: "emulator:pump"', 'url: "/dev/ttyUSB0"')
    with pytest.raises(ConfigError) as info:
        load_model(write(tmp_path, text), RigConfig, environ={})
    assert [i.dotted_key for i in info.value.issues] == ["clock"]


def test_balance_feature_must_match_balance_section(tmp_path):
    text = EMULATED.replace("features: [balance]", "features: []")
    with pytest.raises(ConfigError, match="features must list 'balance'"):
        load_model(write(tmp_path, text), RigConfig, environ={})


def test_ne1000_baud_must_be_one_the_pump_supports(tmp_path):
    text = EMULATED.replace('    url: "emulator:pump"\n', '    url: "emulator:pump"\n  baud_rate_bps: 115200\n')
    with pytest.raises(ConfigError) as info:
        load_model(write(tmp_path, text), RigConfig, environ={})
    assert info.value.issues[0].dotted_key == "pump.baud_rate_bps"
    assert info.value.issues[0].line == 7


def test_unknown_pump_driver_is_named(tmp_path):
    text = EMULATED.replace("driver: ne1000", "driver: chemyx")  # a pump family with no driver here
    with pytest.raises(ConfigError) as info:
        load_model(write(tmp_path, text), RigConfig, environ={})
    assert info.value.issues[0].dotted_key == "pump"
    assert "chemyx" in info.value.issues[0].message


def test_time_compression_needs_wall_clock(tmp_path):
    text = EMULATED + "time_compression: {allowed: true, max_factor: 10}\n"
    with pytest.raises(ConfigError, match="wall-clock rigs only"):
        load_model(write(tmp_path, text), RigConfig, environ={})


def test_bench_port_comes_from_prefixed_environment(tmp_path):
    rig = load_model(bench_configs_dir() / "rigs" / "bench-ne1000-usb.yaml", RigConfig,
                     environ={"ITPUMP_PUMP_PORT": "spy:///dev/ttyACM0"})
    assert rig.pump.transport.url == "spy:///dev/ttyACM0"
