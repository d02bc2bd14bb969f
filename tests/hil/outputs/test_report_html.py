"""report.html as an auditor reads it: the header (scenario, PASS meaning, rig, device identities, ports, operator,
DUT, versions), limits with direction and units, rounded times, an ERROR run's account of what ran, and plots."""
from __future__ import annotations

import struct
from html.parser import HTMLParser
from pathlib import Path

import pytest

from hil.outputs.render import render_all
from hil.records import events as ev
from hil.records.writer import RecordWriter

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PLANNED = [{"index": 0, "at_h": 0.0, "action": "prime"}, {"index": 1, "at_h": 1.0, "action": "change_rate"},
           {"index": 2, "at_h": 2.5, "action": "ptm_press"}]
RIG_OPENED = {"ports": {"pump": "/dev/pts/7", "balance": "ASRL/dev/pts/8::INSTR"},
              "devices": {"pump": {"driver": "NE1000Pump", "model": "NE-1000", "firmware_version": "3.928"},
                          "balance": {"driver": "MTSICSBalance", "serial_number": "0123456789"}}}


class Page(HTMLParser):
    """The header table's rows, every table cell's text and the whole text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.header: dict[str, str] = {}
        self.cells: list[str] = []
        self.items: list[str] = []
        self._in_header = False
        self._tag: str | None = None
        self._th = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("class", "header") in attrs:
            self._in_header = True
        self._tag = tag

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_header = False
        self._tag = None

    def handle_data(self, data):
        if self._tag == "th" and self._in_header:
            self._th = data
        elif self._tag == "td":
            self.cells.append(data)
            if self._in_header:
                self.header[self._th] = data
        elif self._tag == "li":
            self.items.append(data)


def write_record(run_dir: Path, *, finished: bool = True, alarms: bool = True, plan: bool = True,
                 rig: bool = True, steps: int = 2) -> None:
    extra = {"scenario_description": "400 mcg/day with PTM boluses", "duration_h": 3.0,
             "pass_means": "PASS means every expectation listed here was met and every envelope that could be judged "
                           "held: envelope plasma_ceiling holds",
             "operator": "J. Doe", "dut_id": "PUMP-SN-42", "git_dirty": True,
             "dependency_versions": {"python": "3.11.2", "numpy": "1.26.4", "scipy": "1.11.4", "pyserial": "3.5",
                                     "pyvisa": "1.14.1", "transitions": "0.9.0", "pydantic": "2.6.0"}}
    if plan:
        extra.update(planned_steps=PLANNED, planned_expectations=["step 1 change_rate: rejected"])
    with RecordWriter(run_dir / "record.jsonl", fsync=False) as record:
        record.write(ev.RunStarted(run_id="run-1", scenario_name="ptm-use", rig_id="emulated-ne1000",
                                   config_sha256={"s.yaml": "aa"}, git_revision="0123456789ab-dirty",
                                   seeds={"scenario": 1}, tool_version="0.1.0", time_compression_factor=1.0,
                                   clock="virtual",
                                   started_utc="2025-01-01T00:00:00+00:00", **extra))
        if rig:
            record.write(ev.RigOpened(**RIG_OPENED))
        for index in range(steps):
            record.write(ev.Step(t_s=3600.0 * PLANNED[index]["at_h"] + 12.3456, index=index,
                                 action=PLANNED[index]["action"], params={}, decision="approved", reasons=[],
                                 requirement_ids=[]))
        for i in range(13):
            t_s = 900.0 * i
            record.write(ev.VolumeSample(t_s=t_s, commanded_ul=2.0 * i,
                                         pump_reported_ul=2.0 * i + (0.3 if i % 2 else -0.2),
                                         gravimetric_ul=2.0 * i - 0.1, rate_ul_per_h=8.0))
        if alarms:
            record.write(ev.Alarm(t_s=5400.0, name="low_reservoir", priority="low"))
        if finished:
            record.write(ev.Envelope(name="plasma_ceiling", passed=True, value=2.731, limit=5.0, unit="ng_per_ml",
                                     requirement_ids=["SR-PK-002"], reason="peak below the ceiling"))
            record.write(ev.Envelope(name="plasma_reduction_vs_oral", passed=True, value=164.1, limit=100.0,
                                     unit="ratio",
                                     requirement_ids=["SR-PK-001"], reason="reduction above the minimum"))
            record.write(ev.RunFinished(outcome="PASS", reason="all expectations met"))


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == PNG_SIGNATURE, f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_header_names_what_ran_on_what_by_whom_with_which_software(tmp_path):
    write_record(tmp_path)
    assert render_all(tmp_path).outcome == "PASS"
    header = Page((tmp_path / "report.html").read_text()).header
    assert header["scenario"] == "ptm-use"
    assert header["description"] == "400 mcg/day with PTM boluses"
    assert header["what PASS means"].startswith("PASS means every expectation listed here was met")
    assert header["rig"] == "emulated-ne1000 (virtual clock)"
    assert header["pump"] == "NE-1000, firmware 3.928, driver NE1000Pump"
    assert header["balance"] == "serial number 0123456789, driver MTSICSBalance"
    assert header["ports"] == "balance: ASRL/dev/pts/8::INSTR, pump: /dev/pts/7"
    assert header["time compression"] == "x1 (none)"
    assert header["date (UTC)"] == "2025-01-01T00:00:00+00:00"
    assert header["operator"] == "J. Doe" and header["device under test"] == "PUMP-SN-42"
    assert header["git revision"] == "0123456789ab-dirty (DIRTY: uncommitted changes in the checkout)"
    versions = header["Python and dependencies"]
    for name in ("python 3.11.2", "numpy", "scipy", "pyserial", "pyvisa", "transitions", "pydantic 2.6.0"):
        assert name in versions


def test_header_says_not_recorded_for_an_old_record(tmp_path):
    write_record(tmp_path, rig=False, plan=False)
    render_all(tmp_path)
    header = Page((tmp_path / "report.html").read_text()).header
    assert header["pump"] == "not recorded" and header["ports"] == "not recorded"


def test_limits_show_direction_and_units_and_times_are_rounded(tmp_path):
    write_record(tmp_path)
    render_all(tmp_path)
    cells = Page((tmp_path / "report.html").read_text()).cells
    assert "<= 5 ng/mL" in cells and "2.731 ng/mL" in cells
    assert ">= 100x" in cells and "164.1x" in cells
    assert "ng_per_ml" not in cells
    assert "1.00" in cells and "0.00" in cells  # step times 1.0034 h and 0.0034 h, alarm at 1.50 h
    assert "1.50" in cells
    assert not any(cell.startswith("1.003") for cell in cells)


def test_error_run_says_which_steps_ran_and_what_was_not_evaluated(tmp_path):
    write_record(tmp_path, finished=False, steps=2)
    result = render_all(tmp_path)
    assert result.outcome == "ERROR"
    page = Page((tmp_path / "report.html").read_text())
    text = " ".join(page.items)
    assert "Steps executed: 2 of 3 (0 prime at 0.00 h, 1 change_rate at 1.00 h)." in page.items
    assert "Steps NOT executed: 2 ptm_press (planned at 2.50 h)." in page.items
    assert "Expectations NOT evaluated (none of 1 planned were checked)." in page.items
    assert "PK verdict NOT evaluated" in text
    body = (tmp_path / "report.html").read_text()
    assert "the PK verdict was not evaluated (the run ended in ERROR before it got there)" in body


def test_error_run_without_a_recorded_plan_says_it_cannot_name_the_missing_steps(tmp_path):
    write_record(tmp_path, finished=False, plan=False, steps=1)
    render_all(tmp_path)
    items = Page((tmp_path / "report.html").read_text()).items
    assert any("cannot be named" in item for item in items)


def test_pass_report_has_no_coverage_section(tmp_path):
    write_record(tmp_path)
    render_all(tmp_path)
    assert "What ran and what did not" not in (tmp_path / "report.html").read_text()


@pytest.mark.parametrize("alarms", [True, False])
def test_alarm_timeline_and_residual_plots_are_always_drawn(tmp_path, alarms):
    write_record(tmp_path, alarms=alarms)
    result = render_all(tmp_path)
    for name in ("alarms.png", "residuals.png"):
        path = tmp_path / name
        assert path in result.outputs
        width, height = png_size(path)
        assert width > 400 and height > 100 and path.stat().st_size > 5000
    assert (tmp_path / "report.html").read_text().count("data:image/png;base64,") == 3  # volumes, residuals, alarms
