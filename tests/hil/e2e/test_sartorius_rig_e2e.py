"""The bundled rig emulated-ne1000-sartorius: balance.protocol sartorius-sbi is validated at load, and a shipped
scenario runs PASS on it through the real pty path (SBI driver over pyvisa-py, 7O1 emulator) in virtual time."""
from __future__ import annotations

from pathlib import Path

import pytest

from hil.config.loading import ConfigError, load_model
from hil.config.rig import RigConfig
from hil.records import events as ev
from hil.records.reader import read_record
from hil.runner import RunOptions, run_scenario

pytestmark = pytest.mark.timeout(240)
RIG = "emulated-ne1000-sartorius"


def edited_rig(bundled_configs: Path, tmp_path: Path, old: str, new: str) -> Path:
    text = (bundled_configs / "rigs" / f"{RIG}.yaml").read_text()
    assert old in text
    path = tmp_path / "rig.yaml"
    path.write_text(text.replace(old, new))
    return path


def test_the_rig_loads_with_an_sbi_balance(bundled_configs: Path) -> None:
    rig = load_model(bundled_configs / "rigs" / f"{RIG}.yaml", RigConfig)
    assert rig.balance is not None and rig.balance.protocol == "sartorius-sbi" and rig.balance.framing == "7O1"
    assert rig.emulators["balance"].kind == "sartorius"


@pytest.mark.parametrize(("old", "new", "message"), [
    ("protocol: sartorius-sbi", "protocol: sartorius", "protocol"),
    ("framing: 7O1", "framing: 7E1", "framing"),
    ("kind: sartorius", "kind: balance", "refers to emulator 'balance' of kind balance, expected sartorius"),
    ("protocol: sartorius-sbi", "protocol: mt-sics", "framing is for protocol sartorius-sbi only"),
])
def test_a_wrong_protocol_framing_or_emulator_kind_is_refused_at_load(bundled_configs, tmp_path, old, new, message):
    with pytest.raises(ConfigError, match=message) as raised:
        load_model(edited_rig(bundled_configs, tmp_path, old, new), RigConfig)
    assert "rig.yaml" in str(raised.value)


def test_ptm_use_passes_on_the_sartorius_rig(bundled_configs: Path, tmp_path: Path) -> None:
    result = run_scenario(bundled_configs / "scenarios" / "ptm-use.yaml", bundled_configs / "rigs" / f"{RIG}.yaml",
                          RunOptions(out_dir=tmp_path / "run"))
    assert result.outcome == "PASS", result.reason
    assert result.output_failures == {}
    record = read_record(tmp_path / "run" / "record.jsonl")
    assert record.finished is not None and record.finished.outcome == "PASS"
    opened = record.typed(ev.RigOpened)[0]
    assert opened.devices["balance"] == {"driver": "SartoriusBalance", "serial_number": "0037512345"}
    last = record.typed(ev.VolumeSample)[-1]
    assert last.gravimetric_ul == pytest.approx(last.commanded_ul, rel=0.02, abs=2.0)
    assert last.pump_reported_ul == pytest.approx(last.gravimetric_ul, rel=0.01, abs=2.0)
