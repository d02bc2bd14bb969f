"""Record events as frozen dataclasses: every kind round-trips (dataclass -> line -> dataclass), the field table is
derived from the dataclasses, a bad line is refused naming file, line and field, and the lines keep their bytes."""
from __future__ import annotations

import dataclasses
import typing
from collections.abc import Mapping

import pytest

from firmware_sim.outcome import Outcome
from hil.records import event_fields, event_types
from hil.records import events as ev
from hil.records.reader import parse_line, read_record
from hil.records.writer import RecordWriter

SCALAR_EXAMPLES = {float: 1.25, int: 3, str: "text", bool: True, Mapping: {"key": 0.5}}


def example_value(annotation):
    """A value of a field's type, built from the annotation (so a new kind or field is covered without edits)."""
    args = typing.get_args(annotation)
    if type(None) in args:
        return example_value(next(a for a in args if a is not type(None)))
    if typing.get_origin(annotation) is tuple:
        return (example_value(args[0]), example_value(args[0]))
    return SCALAR_EXAMPLES[typing.get_origin(annotation) or annotation]


def full_example(cls):
    """An event with every field set (optional ones too) and one extra field."""
    hints = typing.get_type_hints(cls)
    values = {f.name: example_value(hints[f.name]) for f in dataclasses.fields(cls)
              if f.name not in ("extra", "firmware_status")}  # firmware_status: set by the writer only
    if cls in (ev.RunFinished, ev.Envelope, ev.PopulationVerdictEvent):  # an outcome of their vocabularies
        values["outcome"] = "PASS"
    if cls is ev.PopulationVerdictEvent:  # its envelopes carry what the outputs read (event_fields)
        values["envelopes"] = ()
    return cls(**values, extra={"extra_field": [1, "two"]})


def minimal_example(cls):
    """An event with only its required fields."""
    full = full_example(cls)
    return cls(**{name: getattr(full, name) for name in ev.REQUIRED_FIELDS[cls.KIND.value]})


EXAMPLES = [full_example(cls) for cls in ev.EVENT_CLASSES.values()]
MINIMAL = [minimal_example(cls) for cls in ev.EVENT_CLASSES.values()]


def test_every_event_kind_has_a_dataclass_and_the_kinds_are_an_enum():
    assert set(ev.EVENT_CLASSES) == {kind.value for kind in ev.RecordKind} == set(ev.EVENT_KINDS)
    assert all(cls.KIND.value == kind for kind, cls in ev.EVENT_CLASSES.items())


@pytest.mark.parametrize("event", EXAMPLES + MINIMAL, ids=lambda e: type(e).__name__)
def test_every_event_kind_round_trips_through_its_line(tmp_path, event):
    path = tmp_path / "record.jsonl"
    with RecordWriter(path, fsync=False) as record:
        written = record.write(event)
    line = path.read_text().splitlines()[0]
    assert parse_line(line, path, 1) == event
    assert read_record(path).typed(type(event)) == [event]
    assert ev.event_from_fields(written) == event


def test_a_whole_record_reads_back_as_typed_events(tmp_path):
    path = tmp_path / "record.jsonl"
    with RecordWriter(path, fsync=False) as record:
        for event in EXAMPLES:
            record.write(event)
    assert read_record(path).events == EXAMPLES


def test_the_field_table_is_derived_from_the_dataclasses():
    for kind, cls in ev.EVENT_CLASSES.items():
        declared = [f for f in dataclasses.fields(cls) if f.name != "extra"]
        assert list(ev.REQUIRED_FIELDS[kind]) == [f.name for f in declared if f.default is dataclasses.MISSING
                                                  and f.default_factory is dataclasses.MISSING]
        assert list(ev.OPTIONAL_FIELDS[kind]) == [f.name for f in declared if f.name not in ev.REQUIRED_FIELDS[kind]]


def test_adding_a_field_to_an_event_class_adds_it_to_the_table():
    @dataclasses.dataclass(frozen=True, kw_only=True, slots=True)
    class AlarmWithZone(ev.Alarm):
        zone_mm: float
        acknowledged_by: str | None = None

    specs = {spec.name: spec for spec in event_fields.fields_of(AlarmWithZone)}
    assert set(specs) == set(ev.REQUIRED_FIELDS["alarm"]) | set(ev.OPTIONAL_FIELDS["alarm"]) | {
        "zone_mm", "acknowledged_by"}
    assert specs["zone_mm"].required and specs["zone_mm"].type_name == "a number"
    assert not specs["acknowledged_by"].required and specs["acknowledged_by"].type_name == "a string or null"


@pytest.mark.parametrize("line, message", [
    ('{"event":"volume_sample","t_s":"30","commanded_ul":1,"pump_reported_ul":1,"gravimetric_ul":null,'
     '"rate_ul_per_h":1}', r"record\.jsonl line 7: volume_sample field t_s is '30', not a number"),
    ('{"event":"alarm","t_s":1.0,"name":"occlusion"}', r"record\.jsonl line 7: alarm event lacks priority"),
    ('{"event":"step","t_s":1,"index":0,"action":"prime","params":{},"decision":"approved","reasons":[3],'
     '"requirement_ids":[]}', r"line 7: step field reasons is \[3\], not a list of strings"),
    ('{"event":"alarm","t_s":1.0,"na', r"record\.jsonl line 7: not valid JSON"),
    ('[1, 2]', r"record\.jsonl line 7: a JSON list, not an object"),
    ('{"event":"volume_sampler"}', r"record\.jsonl line 7: unknown event kind 'volume_sampler'"),
])
def test_a_bad_line_names_the_file_the_line_and_the_field(tmp_path, line, message):
    with pytest.raises(ev.RecordFormatError, match=message):
        parse_line(line, tmp_path / "record.jsonl", 7)


def test_the_lines_keep_their_bytes(tmp_path):
    """The record format is a user-facing contract: declared fields in declaration order, then extra; NaN as null;
    a field declared if_set absent when None; a nullable one written as null."""
    path = tmp_path / "record.jsonl"
    with RecordWriter(path, fsync=False) as record:
        record.write(ev.VolumeSample(t_s=30.0, commanded_ul=1.5, pump_reported_ul=None, gravimetric_ul=float("nan"),
                                     rate_ul_per_h=180.0))
        record.write(ev.Step(t_s=0, index=1, action="change_rate", params={"rate_mcg_per_day": 500},
                             decision="approved", reasons=(), requirement_ids=("SR-DOSE-002",),
                             extra={"overridden": []}))
    bodies = [line.rsplit(',"chain":', 1)[0] + "}" for line in path.read_text().splitlines()]
    assert bodies == [
        '{"event":"volume_sample","t_s":30.0,"commanded_ul":1.5,"pump_reported_ul":null,"gravimetric_ul":null,'
        '"rate_ul_per_h":180.0}',
        '{"event":"step","t_s":0,"index":1,"action":"change_rate","params":{"rate_mcg_per_day":500},'
        '"decision":"approved","reasons":[],"requirement_ids":["SR-DOSE-002"],"expected_decision":null,'
        '"decision_requirement_ids":[],"note":"","overridden":[]}',
    ]


def test_the_writer_refuses_an_extra_field_that_is_a_declared_one(tmp_path):
    with RecordWriter(tmp_path / "record.jsonl", fsync=False) as record:
        with pytest.raises(ev.RecordFormatError, match="extra field 'after_pump_stop'"):
            record.write(ev.VolumeSample(t_s=1.0, commanded_ul=0.0, pump_reported_ul=0.0, gravimetric_ul=None,
                                         rate_ul_per_h=0.0, extra={"after_pump_stop": True}))
        with pytest.raises(ev.RecordFormatError, match="extra field 'chain'"):
            record.write(ev.Interrupt(phase="p", detail="d", extra={"chain": "0" * 16}))
        with pytest.raises(ev.RecordFormatError, match=r"alarm field t_s is '1\.0', not a number"):
            record.write(ev.Alarm(t_s="1.0", name="x", priority="high"))  # type: ignore[arg-type]
    assert (tmp_path / "record.jsonl").read_text() == ""


ENVELOPE_LINE = {"event": "envelope", "name": "plasma_ceiling", "value": 1.0, "limit": 5.0, "unit": "ng_per_ml",
                 "requirement_ids": ["SR-PK-002"], "reason": "r"}
EXPECTATION_LINE = {"event": "expectation", "name": "step 1", "detail": "d", "requirement_ids": []}


@pytest.mark.parametrize(("fields", "outcome"), [
    ({**EXPECTATION_LINE, "passed": True}, "PASS"), ({**EXPECTATION_LINE, "passed": False}, "FAIL"),
    ({**ENVELOPE_LINE, "passed": False}, "FAIL"),  # an envelope line of an older record: no outcome
    ({**ENVELOPE_LINE, "passed": False, "outcome": "NOT_EVALUATED"}, "NOT_EVALUATED"),
    ({**ENVELOPE_LINE, "passed": True, "outcome": None}, "PASS"),
])
def test_a_lines_outcome_is_its_own_else_pass_or_fail_from_passed(fields, outcome):
    event = ev.event_from_fields(fields)
    assert isinstance(event, (ev.Envelope, ev.Expectation))
    assert ev.recorded_outcome(event) is Outcome(outcome)


def test_a_pk_series_gives_each_output_by_name_and_refuses_another_name():
    series = ev.PkSeries(label="delivered", t_h=(0.0, 1.0), lumbar_csf_ng_per_ml=(1.0, 2.0),
                         cisternal_csf_ng_per_ml=(0.5, None), plasma_ng_per_ml=(0.1, 0.2))
    assert [series.output_ng_per_ml(name) for name in event_types.PK_SERIES_OUTPUTS] == [
        (1.0, 2.0), (0.5, None), (0.1, 0.2)]
    with pytest.raises(KeyError, match="no output 'label'; outputs: lumbar_csf_ng_per_ml"):
        series.output_ng_per_ml("label")
