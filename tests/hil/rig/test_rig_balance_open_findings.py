"""A balance finding from opening reaches the rig and the run record, like a pump's: an MT-SICS balance that a previous
host left half a command in (`S`, no CR LF) answers the rig's first weight reading with ES; the driver asks again and
says so, and the rig's open_findings, the record's rig_opened event and the run's reason carry it as `balance: ...`."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial
import yaml

from firmware_sim.clock import WallClock
from hil.config.loading import load_model
from hil.config.rig import RigConfig
from hil.emulators.balance import EmulatedBalance
from hil.records import events as ev
from hil.records.reader import read_record
from hil.rig import Rig
from hil.runner import RunOptions, run_scenario
from tests.support.scenario_yaml import adult_scenario_yaml

CONFIGS = Path(__file__).resolve().parents[3] / "bench_configs"
RIG = CONFIGS / "rigs" / "emulated-ne1000.yaml"
FINDING = "balance: 'SI' answered ES as the first command after open (the balance held part of a line a previous host"
pytestmark = pytest.mark.timeout(120)


@pytest.fixture()
def balance_left_half_a_command() -> Iterator[str]:
    """The pyvisa resource of an emulated MT-SICS balance (no pump linked) holding `S` from a previous host."""
    balance = EmulatedBalance(WallClock())
    path = balance.start()
    try:
        left = serial.Serial(path, 9600, timeout=0.2)
        left.write(b"S")
        time.sleep(0.1)
        left.close()
        yield f"ASRL{path}::INSTR"
    finally:
        balance.stop()


def _rig_data(resource: str) -> dict:
    """The emulated NE-1000 rig with its balance at `resource` instead of its own emulator."""
    data = yaml.safe_load(RIG.read_text(encoding="utf-8"))
    data["balance"]["resource"] = resource
    del data["emulators"]["balance"]
    return data


def test_a_balance_finding_at_open_is_a_rig_open_finding(balance_left_half_a_command: str) -> None:
    config = RigConfig.model_validate(_rig_data(balance_left_half_a_command))
    with Rig(config) as rig:
        assert len(rig.open_findings) == 1 and rig.open_findings[0].startswith(FINDING)
    with Rig(load_model(RIG, RigConfig)) as rig:
        assert rig.open_findings == []


def test_a_balance_finding_at_open_is_in_the_records_rig_opened_and_the_reason(
        balance_left_half_a_command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ITPUMP_BENCH_CONFIGS", str(CONFIGS))
    rig = tmp_path / "rig.yaml"
    rig.write_text(yaml.safe_dump(_rig_data(balance_left_half_a_command)), encoding="utf-8")
    scenario = tmp_path / "idle.yaml"
    scenario.write_text(adult_scenario_yaml("idle", 0.1, ["{at_h: 0.1, action: wait}"], supervision_period_s=60))
    result = run_scenario(scenario, rig, RunOptions(out_dir=tmp_path / "run"))
    (opened,) = read_record(Path(result.report_dir) / "record.jsonl").typed(ev.RigOpened)
    assert len(opened.findings) == 1 and opened.findings[0].startswith(FINDING)
    assert f"at rig open: {FINDING}" in result.reason
