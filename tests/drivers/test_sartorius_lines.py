"""drivers.sbi_lines: SBI output lines parsed strictly (sign, 8-character value, 3-character unit, stability)."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.errors import DeviceAlarm, DriverError, FramingError, NonFiniteValue, ProtocolError
from drivers.sbi_lines import SbiDeviceError, parse_weight_line, text_line


@pytest.mark.parametrize(("line", "mass_g", "stable"), [
    ("+   123.56 g  ", 123.56, True),
    ("-     0.25 g  ", -0.25, True),
    ("    12.3456 g  "[1:], 12.3456, True),  # Quintix: a space instead of + for positive values
    ("+   123.56    ", 123.56, False),       # blank unit field: unstable
    ("+   1.2345 mg ", 0.0012345, None),     # in mg when the balance is set to mg
    ("     N+   123.56 g  ", 123.56, True),  # 22-character format: ID code in front
])
def test_weight_lines_are_read_in_grams_with_their_stability(line, mass_g, stable):
    unit = "mg" if "mg" in line else "g"
    reading = parse_weight_line(line, display_unit=unit)
    assert reading.mass_g == pytest.approx(mass_g)
    if stable is not None:
        assert reading.stable is stable
    assert reading.id_code == ("N" if len(line) == 20 else None)


def test_a_blank_unit_is_read_in_the_balance_s_display_unit():
    assert parse_weight_line("+   1.2345    ", display_unit="kg").mass_g == pytest.approx(1234.5)


@pytest.mark.requirements("SR-DRV-005")
@pytest.mark.parametrize(("line", "alarm"), [("          High", "overload"), ("    High      ", "overload"),
                                             ("+    Low      ", "underload"), ("  Stat    High      ", "overload")])
def test_high_and_low_are_alarms_naming_the_raw_line(line, alarm):
    with pytest.raises(DeviceAlarm) as raised:
        parse_weight_line(line)
    assert raised.value.alarm == alarm
    assert repr(line) in str(raised.value)


@pytest.mark.requirements("SR-DRV-005")
def test_err_is_a_typed_device_error_with_its_code_and_the_raw_line():
    with pytest.raises(SbiDeviceError) as raised:
        parse_weight_line("   Err 01     ")
    assert raised.value.code == 1
    assert raised.value.reply == "   Err 01     "
    assert "'   Err 01     '" in str(raised.value) and isinstance(raised.value, ProtocolError)
    with pytest.raises(SbiDeviceError) as raised:
        parse_weight_line("    Err 320   ")
    assert raised.value.code == 320


@pytest.mark.parametrize("line", ["      --      ", "  Cal.Ext.    "])
def test_waiting_and_adjusting_are_protocol_errors(line):
    with pytest.raises(ProtocolError, match=r"final readout|adjustment"):
        parse_weight_line(line)


@pytest.mark.requirements("SR-DRV-009")
@pytest.mark.parametrize(
    "line", ["+      nan g  ", "+      inf g  ", "-      inf    ", "  Infinity g  ", "+ " + "9" * 8 + " g  "]
)
def test_non_finite_values_are_refused(line):
    if "9" in line:  # 99999999 is finite: the control case that must pass
        assert parse_weight_line(line).mass_g == 99999999.0
        return
    with pytest.raises(NonFiniteValue) as raised:
        parse_weight_line(line)
    assert raised.value.reply == line


@pytest.mark.requirements("SR-DRV-004")
@pytest.mark.parametrize(("line", "why"), [
    ("+   123.56 g", "characters before CR LF"),         # 12 characters: truncated
    ("+   123.56 g   ", "characters before CR LF"),      # 15
    ("+  123.56  g  ", "right-aligned number"),          # value not right-aligned in its field
    ("*   123.56 g  ", "sign"),                          # no such sign
    ("+   12 .56 g  ", "right-aligned number"),
    ("+   1e+002 g  ", "not a decimal number"),
    ("+   123.56 lb ", "unit field"),
    ("+   123.56  g ", "unit field"),                    # unit not left-aligned
    ("+    -1.25 g  ", "right-aligned number"),          # the sign belongs in position 1
    ("+   123.5\x016 g ", "printable"),
    ("    *N+   123.56 g  ", "ID code"),
    ("    Err xx    ", "not a number of 1 to 3 digits"),
])
def test_malformed_lines_are_framing_errors_naming_the_line(line, why):
    with pytest.raises(FramingError, match=why) as raised:
        parse_weight_line(line)
    assert repr(line)[1:-1][:10] in str(raised.value)


def test_a_line_in_another_unit_than_the_balance_shows_is_refused():
    with pytest.raises(ProtocolError, match="in kg, but the balance is set up to show g"):
        parse_weight_line("+   1.2345 kg ")


def test_information_lines_are_printable_text():
    assert text_line("    0037512345", "serial number") == "0037512345"
    assert text_line("Ser.no    0037512345", "serial number") == "0037512345"
    with pytest.raises(FramingError, match="serial number"):
        text_line("              ", "serial number")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=24))
def test_any_line_gives_a_reading_or_a_driver_error(line):
    try:
        reading = parse_weight_line(line)
    except DriverError:
        return
    assert len(line) in (14, 20)
    assert reading.mass_g == reading.mass_g  # never NaN
