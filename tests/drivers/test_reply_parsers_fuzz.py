"""Every reply parser of the drivers meets line noise (mutated replies, overlong numbers, NaN, 1e999, non-ASCII,
empty fields) and raises only the project's typed errors; a value that is not a finite number is a NonFiniteValue
(a ProtocolError) naming the field and the raw reply, never a number handed on."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from mutations import mutated, mutated_text

from drivers import grbl_protocol as gp
from drivers.errors import FramingError, NonFiniteValue, ProtocolError
from drivers.mtsics import MTSICSBalance
from hil.fuzz.corpus import BALANCE_REPLY_LINES, GRBL_REPLY_LINES, NE1000_REPLY_FRAMES
from hil.fuzz.reply_parsers import check_balance_reply, check_grbl_reply, check_ne1000_reply

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


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
@given(line=mutated_text(GRBL_REPLY_LINES))
def test_grbl_reply_parsers_raise_only_typed_errors(line: str) -> None:
    check_grbl_reply(line.encode("latin-1"))  # CheckFailed on a non-finite value, anything untyped escapes


@FUZZ
@given(line=mutated_text(BALANCE_REPLY_LINES))
def test_balance_reply_parsers_raise_only_typed_errors(line: str) -> None:
    check_balance_reply(line.encode("latin-1"))


@FUZZ
@given(frame=mutated(NE1000_REPLY_FRAMES))
def test_ne1000_reply_parsers_raise_only_typed_errors(frame: bytes) -> None:
    check_ne1000_reply(frame)
