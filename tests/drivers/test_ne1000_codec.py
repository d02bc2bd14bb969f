"""NE-1000 codec against the literal byte examples of protocols.md section 1.5 and the number format."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers import ne1000_codec as codec
from drivers.errors import FramingError, ProtocolError


@pytest.mark.parametrize("text, hex_bytes", [
    ("SAF0", "02 08 53 41 46 30 55 43 03"),
    ("0", "02 05 30 36 53 03"),
    ("0SAF10", "02 0A 30 53 41 46 31 30 63 BE 03"),
    ("0RAT1.5MM", "02 0D 30 52 41 54 31 2E 35 4D 4D 5C 7F 03"),
    ("00S", "02 07 30 30 53 AA A6 03"),
    ("00I", "02 07 30 30 49 19 DD 03"),
    ("00A?T", "02 09 30 30 41 3F 54 05 40 03"),
])
def test_safe_frames_match_the_manual_and_reference(text, hex_bytes):
    frame = bytes.fromhex(hex_bytes)
    assert codec.encode_safe(text) == frame
    assert codec.decode_safe(frame) == text


def test_crc_is_xmodem_check_value():
    assert codec.crc16_xmodem(b"123456789") == 0x31C3


def test_basic_reply_with_error_example():
    reply = codec.parse_reply(codec.decode_basic(bytes.fromhex("02 30 30 53 3F 4F 4F 52 03")))
    assert (reply.address, reply.prompt, reply.error_code, reply.alarm) == (0, "S", "OOR", None)


def test_alarm_reply_has_no_prompt():
    reply = codec.parse_reply("00A?T")
    assert (reply.prompt, reply.alarm) == (None, "watchdog")
    with pytest.raises(ProtocolError, match="A\\?Q"):
        codec.parse_reply("00A?Q")


@pytest.mark.parametrize("value, text", [
    (0, "0"), (0.25, "0.25"), (1.5, "1.5"), (12.3456, "12.35"), (100, "100"), (9999, "9999"),
    (0.001, "0.001"), (4.699, "4.699"), (14.43, "14.43"),
])
def test_format_number(value, text):
    assert codec.format_number(value) == text


@pytest.mark.parametrize("value", [10000, 0.0004, -1, float("nan")])
def test_format_number_refuses_what_does_not_fit(value):
    with pytest.raises(ValueError):
        codec.format_number(value)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.001, max_value=9999.0))
def test_format_number_fits_the_wire_format_and_stays_close(value):
    text = codec.format_number(value)
    digits = sum(ch.isdigit() for ch in text)
    decimals = len(text.split(".")[1]) if "." in text else 0
    assert digits <= 4 and decimals <= 3 and text.count(".") <= 1
    integer_digits = len(str(int(round(value)))) if value >= 1 else 1
    allowed_decimals = min(3, 4 - integer_digits)
    assert abs(float(text) - value) <= 0.5 * 10.0 ** -allowed_decimals + 1e-9


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=1.0, max_value=500_000.0))  # below 1 uL/h UH has < 4 significant digits
def test_best_rate_unit_is_within_a_tenth_of_a_percent(rate_ul_per_h):
    encoded = codec.encode_best_unit(rate_ul_per_h, codec.RATE_UNITS_UL_PER_H)
    assert abs(encoded.base_unit_value - rate_ul_per_h) <= 1e-3 * rate_ul_per_h
    assert codec.parse_quantity(encoded.text + encoded.unit, codec.RATE_UNITS_UL_PER_H) == pytest.approx(
        encoded.base_unit_value)


def test_parse_quantity_and_dispensed():
    assert codec.parse_quantity("1.500MM", codec.RATE_UNITS_UL_PER_H) == pytest.approx(90_000.0)
    assert codec.parse_dispensed_ul("I0.250W0.000ML") == (250.0, 0.0)
    with pytest.raises(FramingError):
        codec.parse_quantity("1.500XX", codec.RATE_UNITS_UL_PER_H)
    with pytest.raises(FramingError):
        codec.parse_number("12345")


@pytest.mark.parametrize("text, model, upgrade, version", [
    ("NE1000V3.928", "1000", None, "3.928"), ("NE1000XV3.928", "1000", "X", "3.928"),
    ("NE1002X5V3.930", "1002", "X5", "3.930"),
])
def test_version_parsing(text, model, upgrade, version):
    parsed = codec.parse_version(text)
    assert (parsed.model, parsed.upgrade, parsed.version) == (model, upgrade, version)


@pytest.mark.parametrize("frame", [b"", b"\x02\x05", b"\x02\x06\x30\x36\x53\x03", b"\x03\x05\x30\x36\x53\x03"])
def test_decode_safe_rejects_malformed(frame):
    with pytest.raises(FramingError):
        codec.decode_safe(frame)
