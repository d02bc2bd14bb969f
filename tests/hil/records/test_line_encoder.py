"""The record writer's fast path (hil.records.line_encoder) writes exactly what the general path writes (json_fields,
then the compact encoder): the same body and fields for every event it takes, and it leaves to the general path every
event that path would refuse, so a wrong value still raises RecordFormatError naming the field."""
from __future__ import annotations

import dataclasses
import enum
import typing
from collections.abc import Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hil.records import events as ev
from hil.records.event_fields import VALUE_CHECKS
from hil.records.integrity import GENESIS, chained_line
from hil.records.line_encoder import ENCODER, encode_line
from hil.records.writer import RecordWriter


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 2


FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([0.0, -0.0, 1e300, 16.666666666666668])
TEXT = st.text(max_size=8) | st.sampled_from(["", "caf\u00e9", "\x00\n\"\\", "\U0001f489", Colour.RED])
PLAIN = (FLOATS | st.integers(-2**70, 2**70) | st.booleans() | st.none() | TEXT
         | st.builds(np.float64, st.floats(allow_nan=True)) | st.just(Level.HIGH))
JSON_LIKE = st.recursive(PLAIN, lambda inner: st.lists(inner, max_size=3).map(tuple)
                         | st.dictionaries(st.text(max_size=4) | st.integers(0, 9), inner, max_size=3), max_leaves=8)
SCALARS = {float: FLOATS | st.integers(-5, 5), int: st.integers(-2**40, 2**40), str: TEXT, bool: st.booleans(),
           Mapping: st.dictionaries(st.text(max_size=4), JSON_LIKE, max_size=4)}


def _of_type(annotation: typing.Any) -> st.SearchStrategy[typing.Any]:
    """Values of a field's declared type (None where it may be None)."""
    args = typing.get_args(annotation)
    if type(None) in args:
        return st.none() | _of_type(next(a for a in args if a is not type(None)))
    if typing.get_origin(annotation) is tuple:
        return st.lists(_of_type(args[0]), max_size=3).map(tuple)
    return SCALARS[typing.get_origin(annotation) or annotation]


@st.composite
def events(draw: st.DrawFn, cls: type[ev.RecordEvent] | None = None) -> ev.RecordEvent:
    """An event of any kind: mostly values of the declared types, now and then a value of any type, now and then
    an extra field (which may collide with a declared one)."""
    cls = cls or draw(st.sampled_from(list(ev.EVENT_CLASSES.values())))
    hints = typing.get_type_hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        if f.name == "extra":
            continue
        has_default = f.default is not dataclasses.MISSING or f.default_factory is not dataclasses.MISSING
        if has_default and draw(st.booleans()):
            continue
        wrong = draw(st.integers(0, 19)) == 0
        values[f.name] = draw(JSON_LIKE if wrong else _of_type(hints[f.name]))
    if draw(st.integers(0, 9)) == 0:
        values["extra"] = draw(st.dictionaries(st.sampled_from(["note_x", "t_s", "chain", "event"]), PLAIN, max_size=2))
    return cls(**values)


def general_path(event: ev.RecordEvent) -> tuple[str, dict[str, typing.Any]] | str:
    try:
        fields = ev.json_fields(event)
    except ev.RecordFormatError as exc:
        return f"refused: {exc}"
    return ENCODER.encode(fields), fields


@settings(max_examples=400, deadline=None)
@given(events())
def test_the_fast_path_writes_what_the_general_path_writes_or_leaves_the_event_to_it(event):
    fast = encode_line(event)
    if fast is not None:
        assert fast == general_path(event)
        assert fast[0].encode("ascii")  # the ASCII-escaped JSON the encoder writes


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([ev.VolumeSample, ev.FirmwareEvent]).flatmap(events))
def test_the_per_tick_events_of_their_declared_types_take_the_fast_path(event):
    """A volume sample or a firmware event whose values are of the declared plain types (finite floats, str, a dict
    of plain values) never needs the general path; the others still get the same bytes (previous test)."""
    plain = all(type(v) in (float, str, dict) and (type(v) is not float or np.isfinite(v))
                and (type(v) is not dict or all(type(x) in (float, str) and x == x for x in v.values()))
                for v in (getattr(event, f.name) for f in dataclasses.fields(event)) if v is not None)
    if plain and not event.extra and isinstance(general_path(event), tuple):
        assert encode_line(event) is not None


def test_the_supervision_tick_lines_take_the_fast_path_with_their_bytes():
    sample = ev.VolumeSample(t_s=60.0, commanded_ul=16.666666666666668, pump_reported_ul=17.0, gravimetric_ul=None,
                             rate_ul_per_h=1000.0)
    status = ev.FirmwareEvent(t_s=60.0, kind="status", fields={"delivered_ul": 17.0, "commanded_ul": 1e-7})
    assert encode_line(sample) == general_path(sample)
    assert encode_line(sample)[0] == ('{"event":"volume_sample","t_s":60.0,"commanded_ul":16.666666666666668,'
                                      '"pump_reported_ul":17.0,"gravimetric_ul":null,"rate_ul_per_h":1000.0}')
    assert encode_line(status) == general_path(status)
    assert encode_line(status)[0] == ('{"event":"firmware_event","t_s":60.0,"kind":"status","fields":'
                                      '{"delivered_ul":17.0,"commanded_ul":1e-07}}')


@pytest.mark.parametrize("event, field", [
    (ev.VolumeSample(t_s=1.0, commanded_ul=float("nan"), pump_reported_ul=0.0, gravimetric_ul=None,
                     rate_ul_per_h=0.0), "commanded_ul is None"),
    (ev.VolumeSample(t_s="1", commanded_ul=0.0, pump_reported_ul=0.0, gravimetric_ul=None,  # type: ignore[arg-type]
                     rate_ul_per_h=0.0), "t_s is '1'"),
    (ev.FirmwareEvent(t_s=1.0, kind=3, fields={}), "kind is 3"),  # type: ignore[arg-type]
])
def test_a_wrong_value_is_still_refused_naming_the_field(tmp_path, event, field):
    with RecordWriter(tmp_path / "record.jsonl", fsync=False) as record:
        with pytest.raises(ev.RecordFormatError, match=field):
            record.write(event)
    assert (tmp_path / "record.jsonl").read_bytes() == b""


@settings(max_examples=60, deadline=None)
@given(st.lists(events(), min_size=1, max_size=6))
def test_the_writer_writes_the_general_paths_lines_chained(tmp_path_factory, batch):
    path = tmp_path_factory.mktemp("record") / "record.jsonl"
    expected, chain = [], GENESIS
    with RecordWriter(path, fsync=False) as record:
        for event in batch:
            general = general_path(event)
            claims_status = type(event) is ev.VolumeSample and bool(event.firmware_status)  # only hold() sets it
            if isinstance(general, str) or claims_status:
                with pytest.raises(ev.RecordFormatError):
                    record.write(event)
                continue
            assert record.write(event) == general[1]
            line, chain = chained_line(general[0], chain)
            expected.append(line + "\n")
    assert path.read_bytes() == "".join(expected).encode("utf-8")


def test_the_kinds_checked_beyond_their_types_take_the_general_path():
    assert set(VALUE_CHECKS) == {ev.RecordKind.RUN_FINISHED, ev.RecordKind.ENVELOPE,  # their outcomes
                                 ev.RecordKind.POPULATION_VERDICT}  # and its envelopes' keys
    assert encode_line(ev.PopulationVerdictEvent(n_patients=1, seed=1, horizon_h=1.0, min_fraction_passing=0.95,
                                                 outcome="PASS", envelopes=())) is None
    assert encode_line(ev.RunFinished(outcome="PASS", reason="")) is None
    assert encode_line(ev.Envelope(name="e", passed=True, value=1.0, limit=2.0, unit="h", requirement_ids=(),
                                   reason="")) is None
    assert ev.event_problem({"event": "run_finished", "outcome": "MAYBE", "reason": ""}) == (
        "run_finished outcome 'MAYBE' is not one of PASS, FAIL, ERROR, NOT_EVALUATED")
