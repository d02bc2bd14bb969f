"""record.jsonl: typed writes, read-back, a truncated last line from a killed run; damage anywhere is found and
named by line, never raised."""
from __future__ import annotations

import gc
import json
import subprocess
import sys

import numpy as np
import pytest

from hil.records import events as ev
from hil.records.events import RecordFormatError
from hil.records.integrity import chained_line, split_chained_line
from hil.records.reader import parse_line, read_record
from hil.records.writer import RecordWriter


def write_small_run(path):
    with RecordWriter(path) as record:
        record.write(ev.RunStarted(run_id="r1", scenario_name="s", rig_id="emulated-ne1000",
                                   config_sha256={"s.yaml": "ab"},
                                   git_revision="abc123", seeds={"scenario": 1}, tool_version="0.1.0",
                                   time_compression_factor=1.0, clock="virtual", started_utc="2025-01-01T00:00:00Z"))
        record.write(ev.Step(t_s=0.0, index=0, action="prime", params={}, decision="approved", reasons=[],
                             requirement_ids=["SR-PRM-001"]))
        record.write(ev.VolumeSample(t_s=30.0, commanded_ul=1.0, pump_reported_ul=1.0, gravimetric_ul=float("nan"),
                                     rate_ul_per_h=120.0))
        record.write(ev.RunFinished(outcome="PASS", reason="all expectations met"))


def test_written_events_read_back_in_order(tmp_path):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    record = read_record(path)
    assert [type(e) for e in record.events] == [ev.RunStarted, ev.Step, ev.VolumeSample, ev.RunFinished]
    assert record.started is not None and record.started.rig_id == "emulated-ne1000"
    assert record.finished is not None and record.finished.outcome == "PASS"
    assert record.typed(ev.VolumeSample)[0].gravimetric_ul is None  # NaN stored as null, valid JSON
    assert record.typed(ev.Step)[0].requirement_ids == ("SR-PRM-001",)  # a JSON list read back as the declared tuple
    assert not record.truncated_last_line


def test_writer_appends_and_never_rewrites(tmp_path):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    first = path.read_text()
    with RecordWriter(path) as record:
        record.write(ev.Alarm(t_s=5.0, name="occlusion", priority="high"))
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
    assert record.damage == ["line 5: cut short: the last line has no line end (the run was killed while writing it)"]


def test_corrupt_line_in_the_middle_is_damage_naming_the_line_and_the_rest_is_kept(tmp_path):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    lines = path.read_text().splitlines()
    lines[1] = lines[1][:10]
    path.write_text("\n".join(lines) + "\n")
    record = read_record(path)
    assert [e.KIND for e in record.events] == ["run_started", "volume_sample", "run_finished"]
    assert record.damage[0].startswith("line 2: does not end with its chain value")
    assert any(d.startswith("line 2: not valid JSON") for d in record.damage)
    assert not record.intact


def test_unknown_event_missing_and_mistyped_fields_are_refused_by_the_writer(tmp_path):
    # a line's kind and fields (unknown kind, missing field) are checked by event_from_fields: test_event_types
    with RecordWriter(tmp_path / "record.jsonl") as record:
        with pytest.raises(RecordFormatError, match="dict is not a record event; known: run_started"):
            record.write({"event": "alarm", "t_s": 1.0, "name": "x", "priority": "high"})
        with pytest.raises(TypeError, match="priority"):
            record.write(ev.Alarm(t_s=1.0, name="x"))
        with pytest.raises(RecordFormatError, match="outcome"):
            record.write(ev.RunFinished(outcome="MAYBE", reason=""))
        with pytest.raises(RecordFormatError, match="envelope outcome 'MAYBE' is not one of PASS, FAIL, NOT_EVALUATED"):
            record.write(ev.Envelope(name="plasma_ceiling", passed=True, value=1.0, limit=2.0, unit="ng_per_ml",
                                     requirement_ids=(), reason="", outcome="MAYBE"))
        with pytest.raises(RecordFormatError, match=r"alarm field t_s is '1\.0', not a number"):
            record.write(ev.Alarm(t_s="1.0", name="x", priority="high"))
        with pytest.raises(RecordFormatError, match="chain"):
            record.write(ev.Alarm(t_s=1.0, name="x", priority="high", extra={"chain": "0" * 16}))
    assert (tmp_path / "record.jsonl").read_bytes() == b""


def lines_of(path):
    return path.read_bytes().split(b"\n")[:-1]


def rewrite(path, lines):
    path.write_bytes(b"\n".join(lines) + b"\n")


@pytest.mark.parametrize("damage, expected", [
    (lambda lines: lines[:1] + [lines[1][:5] + b"\xff\xfe" + lines[1][7:]] + lines[2:],
     ["line 2: not UTF-8 text (byte 0xff at column 6)"]),
    (lambda lines: lines[1:], ["line 1: breaks the chain", "line 1: the record does not begin with run_started"]),
    (lambda lines: lines[:-1], []),
    (lambda lines: lines[:2] + [b"[1, 2]"] + lines[2:], ["line 3: does not end with its chain value",
                                                          "line 3: a JSON list, not an object"]),
    (lambda lines: lines[:2] + lines[1:], ["line 3: breaks the chain"]),
    (lambda lines: [lines[0], lines[2], lines[1], lines[3]], ["line 2: breaks the chain", "line 3: breaks the chain",
                                                                  "line 4: breaks the chain"]),
    (lambda lines: lines[:2] + [lines[2].replace(b'"t_s":30.0', b'"t_s":"30"')] + lines[3:],
     ["line 3: breaks the chain", "line 3: volume_sample field t_s is '30', not a number"]),
    (lambda lines: lines[:2] + [lines[2].replace(b'"volume_sample"', b'"volume_sampler"')] + lines[3:],
     ["line 3: breaks the chain", "line 3: unknown event kind 'volume_sampler'"]),
    (lambda lines: lines + [lines[1]], ["line 5: breaks the chain", "line 5: step after run_finished (line 4)"]),
    (lambda lines: lines[:2] + [lines[2].replace(b'"commanded_ul":1.0', b'"commanded_ul":1.0E999')] + lines[3:],
     ["line 3: breaks the chain", "line 3: not a record line: the number 1.0E999 is not finite"]),
    (lambda lines: lines[:2] + [lines[2].replace(b'"commanded_ul":1.0', b'"commanded_ul":NaN')] + lines[3:],
     ["line 3: breaks the chain", "line 3: not a record line: NaN is not a number a record holds"]),
    (lambda lines: [lines[0], lines[1].replace(b'"params":{}', b'"params":{"dose":-Infinity}')] + lines[2:],
     ["line 2: breaks the chain", "line 2: not a record line: -Infinity is not a number a record holds"]),
    (lambda lines: lines[:2] + [lines[2].replace(b'"commanded_ul":1.0', b'"commanded_ul":' + b"9" * 5000)]
     + lines[3:], ["line 3: breaks the chain", "line 3: not a record line: Exceeds the limit"]),
])
def test_damage_is_named_by_line_and_everything_readable_is_kept(tmp_path, damage, expected):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    rewrite(path, damage(lines_of(path)))
    record = read_record(path)
    assert len(record.damage) == len(expected) or not expected
    for text, found in zip(expected, record.damage):
        assert found.startswith(text), record.damage
    if not expected:  # run_finished dropped: nothing is damaged, the record is unfinished
        assert record.intact and record.finished is None
    else:
        assert not record.intact
    assert all(e.KIND in ("run_started", "step", "volume_sample", "run_finished") for e in record.events)


def test_a_record_appended_to_continues_its_chain(tmp_path):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    with RecordWriter(path) as record:
        record.write(ev.Interrupt(phase="rendering the outputs", detail="interrupted"))
    record = read_record(path)
    assert record.intact and record.interrupts_after_finish()[0].phase == "rendering the outputs"
    assert record.started is not None and "chain" not in record.started.extra


def test_a_record_from_before_chains_is_read_without_the_chain_check(tmp_path):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    legacy = [json.dumps({k: v for k, v in json.loads(line).items() if k != "chain"}).encode()
              for line in lines_of(path)]
    rewrite(path, legacy)
    record = read_record(path)
    assert record.intact and not record.chained and record.finished is not None and record.finished.outcome == "PASS"


@pytest.mark.requirements("SR-HIL-003")
def test_killed_writer_keeps_everything_written_before_the_kill(tmp_path):
    path = tmp_path / "record.jsonl"
    script = (
        "import os, sys\n"
        "from hil.records.event_types import BalanceSample\n"
        "from hil.records.writer import RecordWriter\n"
        f"w = RecordWriter({str(path)!r}).open()\n"
        "for i in range(50):\n"
        "    w.write(BalanceSample(t_s=30.0 * i, mass_g=0.001 * i, stable=True))\n"
        "sys.stdout.write('written\\n'); sys.stdout.flush()\n"
        "os.kill(os.getpid(), 9)\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert proc.returncode == -9
    assert proc.stdout == "written\n"
    record = read_record(path)
    samples = record.typed(ev.BalanceSample)
    assert len(samples) == 50
    assert samples[-1].mass_g == pytest.approx(0.049)
    assert all(json.loads(line) for line in path.read_text().splitlines())


@pytest.mark.parametrize("value, accepted", [(1.5, True), (3, True), (np.float64(2.5), True),
                                             (True, False), ("1.0", False), (None, False)])
def test_a_number_field_takes_ints_floats_and_numpy_numbers_never_a_bool(value, accepted):
    fields = {"event": "alarm", "t_s": value, "name": "occlusion", "priority": "high"}
    assert (ev.event_problem(fields) is None) == accepted, ev.event_problem(fields)


@pytest.mark.parametrize("enabled", [True, False])
def test_reading_leaves_the_cycle_collector_as_it_found_it(tmp_path, enabled):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        read_record(path)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def append_envelope_line(path, outcome):
    """An envelope line, chained like any line, with an outcome the writer would not write."""
    fields = {"event": "envelope", "name": "plasma_ceiling", "passed": True, "value": 1.0, "limit": 2.0,
              "unit": "ng_per_ml", "requirement_ids": ["SR-PK-002"], "reason": "r", "outcome": outcome}
    split = split_chained_line(lines_of(path)[-1].decode())
    assert split is not None
    line, _ = chained_line(json.dumps(fields, separators=(",", ":")), split[1])
    with open(path, "a", encoding="utf-8") as f:
        f.write(line + "\n")


def test_an_envelope_line_with_an_unknown_outcome_is_damage_naming_the_line(tmp_path):
    path = tmp_path / "record.jsonl"
    write_small_run(path)
    rewrite(path, lines_of(path)[:-1])  # the envelope goes before run_finished
    append_envelope_line(path, "MAYBE")
    record = read_record(path)
    assert record.damage == ["line 4: envelope outcome 'MAYBE' is not one of PASS, FAIL, NOT_EVALUATED"]
    assert record.typed(ev.Envelope) == []


@pytest.mark.parametrize("line, named", [
    ('{"event":"alarm","t_s":1e999,"name":"x","priority":"high"}', "line 7: not a record line: the number 1e999"),
    ('{"event":"alarm","t_s":NaN,"name":"x","priority":"high"}', "line 7: not a record line: NaN is not a number"),
    ('{"event":', "line 7: not valid JSON"),
])
def test_parse_line_names_a_line_no_writer_writes(line, named):
    with pytest.raises(RecordFormatError, match=f"^r.jsonl {named}"):
        parse_line(line, "r.jsonl", 7)
