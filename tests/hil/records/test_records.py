"""record.jsonl: typed writes, read-back, a truncated last line from a killed run, strictness elsewhere."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from hil.records.events import RecordFormatError
from hil.records.reader import read_record
from hil.records.writer import RecordWriter


def write_small_run(path):
    with RecordWriter(path) as record:
        record.run_started(run_id="r1", scenario_name="s", rig_id="emulated-ne1000", config_sha256={"s.yaml": "ab"},
                           git_revision="abc123", seeds={"scenario": 1}, tool_version="0.1.0",
                           time_compression_factor=1.0, clock="virtual", started_utc="2025-01-01T00:00:00Z")
        record.step(t_s=0.0, index=0, action="prime", params={}, decision="approved", reasons=[],
                    requirement_ids=["SR-PRM-001"])
        record.volume_sample(t_s=30.0, commanded_ul=1.0, pump_reported_ul=1.0, gravimetric_ul=float("nan"),
                             rate_ul_per_h=120.0)
        record.run_finished(outcome="PASS", reason="all expectations met")


def test_written_events_read_back_in_order(tmp_path):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    record = read_record(path)
    assert [e["event"] for e in record.events] == ["run_started", "step", "volume_sample", "run_finished"]
    assert record.started["rig_id"] == "emulated-ne1000"
    assert record.finished["outcome"] == "PASS"
    assert record.of_kind("volume_sample")[0]["gravimetric_ul"] is None  # NaN stored as null, valid JSON
    assert not record.truncated_last_line


def test_writer_appends_and_never_rewrites(tmp_path):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    first = path.read_text()
    with RecordWriter(path) as record:
        record.alarm(t_s=5.0, name="occlusion", priority="high")
    assert path.read_text().startswith(first)


@pytest.mark.requirements("SR-HIL-003")
def test_truncated_last_line_is_tolerated(tmp_path):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    with open(path, "a") as f:
        f.write('{"event":"alarm","t_s":7.0,"na')
    record = read_record(path)
    assert record.truncated_last_line
    assert len(record.events) == 4


def test_corrupt_line_in_the_middle_is_an_error_naming_the_line(tmp_path):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    lines = path.read_text().splitlines()
    lines[1] = lines[1][:10]
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(RecordFormatError, match=r"record.jsonl:2: not valid JSON"):
        read_record(path)


def test_unknown_event_and_missing_fields_are_rejected(tmp_path):
    with RecordWriter(tmp_path / "record.jsonl") as record:
        with pytest.raises(RecordFormatError, match="unknown event kind"):
            record.write("bogus", t_s=1.0)
        with pytest.raises(RecordFormatError, match="lacks priority"):
            record.write("alarm", t_s=1.0, name="x")
        with pytest.raises(RecordFormatError, match="outcome"):
            record.run_finished(outcome="MAYBE", reason="")


@pytest.mark.requirements("SR-HIL-003")
def test_killed_writer_keeps_everything_written_before_the_kill(tmp_path):
    path = tmp_path / "record.jsonl"
    script = (
        "import os, sys\n"
        "from hil.records.writer import RecordWriter\n"
        f"w = RecordWriter({str(path)!r}).open()\n"
        "for i in range(50):\n"
        "    w.balance_sample(t_s=30.0 * i, mass_g=0.001 * i, stable=True)\n"
        "sys.stdout.write('written\\n'); sys.stdout.flush()\n"
        "os.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9
    assert proc.stdout == "written\n"
    record = read_record(path)
    samples = record.of_kind("balance_sample")
    assert len(samples) == 50
    assert samples[-1]["mass_g"] == pytest.approx(0.049)
    assert all(json.loads(line) for line in path.read_text().splitlines())
