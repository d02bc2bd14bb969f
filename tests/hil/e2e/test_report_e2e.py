"""A whole run on the emulated rig: operator, DUT and the devices' identities reach the record and the report."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from hil.cli.main import main
from hil.records import events as ev
from hil.records.reader import read_record

pytestmark = pytest.mark.timeout(180)


def test_run_records_and_reports_operator_dut_and_device_identities(tmp_path: Path, capsys) -> None:
    out = tmp_path / "run"
    code = main(["run", "hazard-overdose-rejected", "--out", str(out), "--operator", "QA Tester", "--dut",
                 "PUMP-0042", "--json"])
    verdict = json.loads(capsys.readouterr().out)
    assert code == 0, verdict["reason"]
    record = read_record(out / "record.jsonl")
    assert record.intact
    started = record.started
    assert started is not None and started.operator == "QA Tester" and started.dut_id == "PUMP-0042"
    assert started.pass_means is not None and started.pass_means.startswith("PASS means the hazard was caught")
    versions = started.dependency_versions
    assert versions is not None and set(versions) >= {"python", "numpy", "scipy", "pyserial", "pyvisa", "transitions",
                                                      "pydantic"}
    (opened,) = record.typed(ev.RigOpened)
    assert opened.devices["pump"]["model"] == "NE-1000" and opened.devices["pump"]["firmware_version"] == "3.928"
    assert opened.devices["balance"]["serial_number"] == "0123456789"
    assert opened.ports["pump"].startswith("/dev/") and opened.ports["balance"].startswith("ASRLreadahead:///dev/")
    page = (out / "report.html").read_text()
    for text in ("QA Tester", "PUMP-0042", "firmware 3.928", "serial number 0123456789",
                 "PASS means the hazard was caught or prevented"):
        assert text in page
    for name in ("alarms.png", "residuals.png", "volumes.png"):
        assert (out / name).read_bytes()[:4] == b"\x89PNG"
