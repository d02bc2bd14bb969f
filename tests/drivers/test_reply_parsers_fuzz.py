"""Every reply parser of the drivers meets line noise (mutated replies, overlong numbers, NaN, 1e999, non-ASCII,
empty fields) and raises only the project's typed errors; a value that is not a finite number is a NonFiniteValue
(a ProtocolError) naming the field and the raw reply, never a number handed on."""
from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from mutations import mutated, mutated_text

from drivers import grbl_protocol as gp
from drivers import ne1000_codec as codec
from drivers.errors import DriverError, FramingError, NonFiniteValue, ProtocolError
from drivers.mtsics import MTSICSBalance

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

GRBL_LINES = ("<Idle|MPos:0.000,0.000,0.000|FS:0,0>", "<Hold:1|WPos:1.000,2.500,-3.000|Bf:15,128|FS:12.5,0|WCO:0,0,0>",
              "<Run|MPos:12.345,0.000,0.000|F:100>", "ALARM:3", "error:22", "$110=500.000", "$10=1",
              "Grbl 1.1h ['$' for help]", "ok")
BALANCE_LINES = ("S S     100.00 g", "S D    12.3401 g", "S S    -0.0012 g", "S S     1234.5 mg", "T S   0.250000 kg",
                 "S +", "S I", 'I4 A "0123456789"', "Z A", "Z I", "ES")
NE1000_TEXTS = ("00S", "00I", "00A?R", "00S?OOR", "00SI0.250W0.000ML", "00S1.500MM", "00SNE1000V3.928",
                "00SNE1000X2V3.928")
NE1000_FRAMES = tuple(codec.encode_safe(t) for t in NE1000_TEXTS) + tuple(b"\x02" + t.encode() + b"\x03"
                                                                        for t in NE1000_TEXTS)


def only_typed_errors(parse, reply):  # noqa: ANN001, ANN201
    """parse(reply), or None if it raised a typed driver error (anything else fails the test)."""
    try:
        return parse(reply)
    except DriverError:
        return None


@pytest.mark.requirements("SR-DRV-009")
@pytest.mark.parametrize("line, field", [
    ("<Idle|MPos:nan,0.000,0.000|FS:0,0>", "MPos axis 0"),
    ("<Run|MPos:0.000,inf,0.000|FS:0,0>", "MPos axis 1"),
    ("<Run|WPos:0.000,0.000,-" + "9" * 400 + "|FS:0,0>", "WPos axis 2"),
    ("<Run|MPos:" + "9" * 5000 + ",0.000,0.000|FS:0,0>", "MPos axis 0"),
    ("<Run|MPos:0.000,0.000,0.000|FS:NaN,0>", "FS feed"),
])
def test_grbl_status_with_a_non_finite_number_is_a_protocol_error_naming_field_and_reply(line, field):
    with pytest.raises(NonFiniteValue) as caught:
        gp.parse_status_report(line)
    assert isinstance(caught.value, ProtocolError) and caught.value.field == field and caught.value.reply == line
    assert field in str(caught.value) and line[:40] in str(caught.value)


@pytest.mark.parametrize("parse, line, error", [
    (gp.alarm_code, "ALARM:" + "9" * 5000, FramingError),
    (gp.error_code, "error:" + "9" * 5000, FramingError),
    (gp.parse_setting, "$110=1.2.3", FramingError),
    (gp.parse_setting, "$110=.", FramingError),
    (gp.parse_setting, "$" + "9" * 5000 + "=1", FramingError),
    (gp.parse_setting, "$110=" + "9" * 400, NonFiniteValue),
    (gp.parse_status_report, "<Idle|MPos:1.000|FS:0,0>", FramingError),  # x,y,z expected
    (gp.parse_status_report, "<Idle|MPos:1e999,0,0|FS:0,0>", FramingError),  # no exponents on the wire
    (gp.parse_status_report, "<Idle|MPos:,,|FS:0,0>", FramingError),
    (gp.parse_status_report, "<Hold:" + "9" * 5000 + "|MPos:0,0,0>", FramingError),
])
def test_grbl_overlong_and_malformed_numbers_are_typed_errors(parse, line, error):  # noqa: ANN001
    with pytest.raises(error):
        parse(line)


@pytest.mark.requirements("SR-DRV-009")
@pytest.mark.parametrize("line", ["S S nan g", "S S       -inf g", "S D -Infinity g", "S S " + "9" * 5000 + " g",
                                  "S S " + "9" * 306 + " kg"])
def test_balance_weight_that_is_not_finite_is_a_protocol_error(line):
    with pytest.raises(NonFiniteValue) as caught:
        MTSICSBalance._parse_weight(line, "SI")
    assert caught.value.reply == line and "mass" in caught.value.field


@FUZZ
@given(line=mutated_text(GRBL_LINES))
def test_grbl_reply_parsers_raise_only_typed_errors(line: str) -> None:
    for parse in (gp.alarm_code, gp.error_code, gp.banner_version):
        only_typed_errors(parse, line)
    report = only_typed_errors(gp.parse_status_report, line)
    if report is not None:
        assert all(math.isfinite(v) for v in report.position_mm) and len(report.position_mm) >= 3
        assert report.feed_mm_per_min is None or math.isfinite(report.feed_mm_per_min)
    setting = only_typed_errors(gp.parse_setting, line)
    assert setting is None or math.isfinite(setting[1])


@FUZZ
@given(line=mutated_text(BALANCE_LINES))
def test_balance_reply_parsers_raise_only_typed_errors(line: str) -> None:
    for command in ("S", "SI", "T"):
        reading = only_typed_errors(lambda text: MTSICSBalance._parse_weight(text, command), line)
        assert reading is None or math.isfinite(reading.mass_g)
    only_typed_errors(lambda text: MTSICSBalance._parse_serial(text, "I4"), line)
    only_typed_errors(lambda text: MTSICSBalance._expect_ack("Z", text), line)


@FUZZ
@given(frame=mutated(NE1000_FRAMES))
def test_ne1000_reply_parsers_raise_only_typed_errors(frame: bytes) -> None:
    for decode in (codec.decode_basic, codec.decode_safe):
        only_typed_errors(lambda data: codec.parse_reply(decode(data)), frame)
    text = frame.decode("latin-1")
    for parse in (codec.parse_reply, codec.parse_number, codec.parse_dispensed_ul, codec.parse_version,
                  lambda t: codec.parse_quantity(t, codec.RATE_UNITS_UL_PER_H),
                  lambda t: codec.parse_quantity(t, codec.VOLUME_UNITS_UL)):
        for value in (only_typed_errors(parse, text), only_typed_errors(parse, text[3:])):  # [3:]: the data field
            assert not isinstance(value, float) or math.isfinite(value)
            assert not isinstance(value, tuple) or all(math.isfinite(v) for v in value)
