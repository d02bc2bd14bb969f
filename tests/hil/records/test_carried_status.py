"""The firmware's per-tick status event carried by the volume sample of the same moment: one line instead of two,
the same events read back, and the status written on its own line whenever the sample cannot carry it exactly, when
anything else comes first, and before the runner's next exchange with the pump."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from drivers.syringe_pump import PumpStatus
from hil.adapters.actuator import PumpActuator
from hil.records import events as ev
from hil.records.reader import read_record
from hil.records.writer import RecordWriter

STATUS = ev.FirmwareEvent(t_s=60.0, kind="status", fields={"delivered_ul": 17.25, "commanded_ul": 16.666666666666668})
SAMPLE = ev.VolumeSample(t_s=60.0, commanded_ul=16.666666666666668, pump_reported_ul=17.25, gravimetric_ul=17.0,
                         rate_ul_per_h=1000.0)
ALARM = ev.Alarm(t_s=60.0, name="occlusion", priority="high", detail="", requirement_id=None)


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def _write(path: Path, *actions: tuple[str, ev.RecordEvent]) -> None:
    with RecordWriter(path, fsync=False) as record:
        for action, event in actions:
            record.hold(event) if action == "hold" else record.write(event)  # type: ignore[arg-type]


def test_a_status_and_its_sample_are_one_line_and_read_back_as_both(tmp_path):
    path = tmp_path / "record.jsonl"
    _write(path, ("hold", STATUS), ("write", SAMPLE))
    lines = _lines(path)
    assert [line["event"] for line in lines] == ["volume_sample"]
    assert lines[0]["firmware_status"] is True
    record = read_record(path)
    status, sample = record.events
    assert status == STATUS and record.typed(ev.FirmwareEvent) == [STATUS]
    assert sample == ev.VolumeSample(**{**_fields(SAMPLE), "firmware_status": True})
    assert not [d for d in record.damage if "chain" in d]  # the one line is chained as any other


def _fields(event: ev.VolumeSample) -> dict:
    return {name: getattr(event, name) for name in ("t_s", "commanded_ul", "pump_reported_ul", "gravimetric_ul",
                                                    "rate_ul_per_h")}


@pytest.mark.parametrize("sample", [
    ev.VolumeSample(**{**_fields(SAMPLE), "pump_reported_ul": 17.250000000000004}),
    ev.VolumeSample(**{**_fields(SAMPLE), "commanded_ul": 16.0}),
    ev.VolumeSample(**{**_fields(SAMPLE), "t_s": 60.001}),
    ev.VolumeSample(**{**_fields(SAMPLE), "pump_reported_ul": None}),
    ev.VolumeSample(**_fields(SAMPLE), after_pump_stop=True),
    ev.VolumeSample(**_fields(SAMPLE), extra={"note_x": 1}),
], ids=["pump-volume", "commanded", "time", "no-pump-volume", "after-stop", "extra"])
def test_a_sample_that_cannot_carry_the_status_exactly_follows_its_own_line(tmp_path, sample):
    path = tmp_path / "record.jsonl"
    _write(path, ("hold", STATUS), ("write", sample))
    assert [line["event"] for line in _lines(path)] == ["firmware_event", "volume_sample"]
    assert "firmware_status" not in _lines(path)[1]
    assert read_record(path).events == [STATUS, sample]


def test_a_negative_zero_is_not_carried_as_a_zero(tmp_path):
    path = tmp_path / "record.jsonl"
    status = ev.FirmwareEvent(t_s=0.0, kind="status", fields={"delivered_ul": -0.0, "commanded_ul": 0.0})
    sample = ev.VolumeSample(t_s=0.0, commanded_ul=0.0, pump_reported_ul=0.0, gravimetric_ul=None, rate_ul_per_h=0.0)
    _write(path, ("hold", status), ("write", sample))
    assert [line["event"] for line in _lines(path)] == ["firmware_event", "volume_sample"]


def test_anything_written_first_puts_the_status_on_its_own_line_in_order(tmp_path):
    path = tmp_path / "record.jsonl"
    _write(path, ("hold", STATUS), ("write", ALARM), ("write", SAMPLE))
    assert [line["event"] for line in _lines(path)] == ["firmware_event", "alarm", "volume_sample"]
    assert read_record(path).events == [STATUS, ALARM, SAMPLE]


def test_a_second_status_close_and_write_held_each_write_the_held_one(tmp_path):
    later = ev.FirmwareEvent(t_s=120.0, kind="status", fields={"delivered_ul": 18.0, "commanded_ul": 17.0})
    path = tmp_path / "record.jsonl"
    _write(path, ("hold", STATUS), ("hold", later))  # the second pushes the first out; close writes the second
    assert read_record(path).events == [STATUS, later]
    path = tmp_path / "again.jsonl"
    with RecordWriter(path, fsync=False) as record:
        record.hold(STATUS)
        assert path.read_bytes() == b""
        record.write_held()
        assert [line["event"] for line in _lines(path)] == ["firmware_event"]
        record.write_held()  # nothing held: nothing written
    assert read_record(path).events == [STATUS]


def test_a_status_with_more_than_its_two_numbers_is_written_at_once(tmp_path):
    odd = ev.FirmwareEvent(t_s=60.0, kind="status", fields={"delivered_ul": 17.25, "commanded_ul": 16.0, "x": 1})
    path = tmp_path / "record.jsonl"
    with RecordWriter(path, fsync=False) as record:
        record.hold(odd)
        assert [line["event"] for line in _lines(path)] == ["firmware_event"]


def test_no_caller_can_write_a_sample_claiming_a_status_the_firmware_never_logged(tmp_path):
    path = tmp_path / "record.jsonl"
    with RecordWriter(path, fsync=False) as record:
        with pytest.raises(ev.RecordFormatError, match="firmware_status"):
            record.write(ev.VolumeSample(**_fields(SAMPLE), firmware_status=True))
    assert path.read_bytes() == b""


class _Pump:
    """A pump that looks at the record each time it is asked anything."""

    def __init__(self, path: Path) -> None:
        self.path, self.lines_seen = path, []

    def _seen(self) -> None:
        self.lines_seen.append(self.path.read_text().count("\n"))

    def status(self) -> PumpStatus:
        self._seen()
        return PumpStatus(running=True, infused_ul=17.25, alarm=None)

    def set_rate_ul_per_h(self, rate_ul_per_h: float) -> None:
        self._seen()

    def start(self) -> None:
        self._seen()

    def stop(self) -> None:
        self._seen()


def test_the_runner_hook_writes_a_held_status_before_the_next_exchange_with_the_pump(tmp_path):
    path = tmp_path / "record.jsonl"
    pump = _Pump(path)
    actuator = PumpActuator(pump)  # type: ignore[arg-type]
    with RecordWriter(path, fsync=False) as record:
        actuator.before_exchange = record.write_held
        record.hold(STATUS)
        actuator.command_rate_ul_per_h(10.0)  # set rate, start: the status is in the file before the first
        record.hold(STATUS)
        actuator.read_status()
        record.hold(STATUS)
        actuator.stop()
    assert pump.lines_seen == [1, 1, 2, 3]


def test_a_sample_that_cannot_be_written_leaves_the_status_on_its_own_line(tmp_path):
    path = tmp_path / "record.jsonl"
    with RecordWriter(path, fsync=False) as record:
        record.hold(STATUS)
        with pytest.raises(ev.RecordFormatError, match="rate_ul_per_h"):
            record.write(ev.VolumeSample(**{**_fields(SAMPLE), "rate_ul_per_h": float("nan")}))
    assert read_record(path).events == [STATUS]


def test_a_non_finite_status_is_never_carried_as_a_null(tmp_path):
    status = ev.FirmwareEvent(t_s=60.0, kind="status", fields={"delivered_ul": float("inf"), "commanded_ul": 1.0})
    sample = ev.VolumeSample(t_s=60.0, commanded_ul=1.0, pump_reported_ul=float("inf"), gravimetric_ul=None,
                             rate_ul_per_h=1.0)
    path = tmp_path / "record.jsonl"
    _write(path, ("hold", status), ("write", sample))  # each writes its infinity as null, on its own line
    assert [line["event"] for line in _lines(path)] == ["firmware_event", "volume_sample"]
    assert "firmware_status" not in _lines(path)[1]


def test_the_carrying_line_is_the_bytes_of_the_sample_built_with_firmware_status(tmp_path):
    """The writer appends the field to the sample's own encoding: the same bytes as the general path's encoding of
    the sample built with firmware_status=True (the field is declared last)."""
    from hil.records.integrity import split_chained_line
    from hil.records.line_encoder import ENCODER

    path = tmp_path / "record.jsonl"
    _write(path, ("hold", STATUS), ("write", SAMPLE))
    split = split_chained_line(path.read_text().splitlines()[0])
    assert split is not None
    built = ev.VolumeSample(**_fields(SAMPLE), firmware_status=True)
    assert split[0] == ENCODER.encode(ev.json_fields(built))
