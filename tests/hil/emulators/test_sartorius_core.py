"""Byte-level tests of the Sartorius SBI balance emulator (no pty), linked to an emulated pump.

Expected bytes come from protocols.md 4.2: `ESC P` answers 14 characters + CR LF (sign, space, value right-aligned
in 8, space, unit in 3), the 22-character format adds a right-aligned 6-character ID code."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_sim.clock import VirtualClock
from hil.emulators import EmulatedNE1000, EmulatedSartorius, EmulatorError, SartoriusConfig
from hil.emulators.fault_catalog import FAULTS_BY_KIND

PRINT = b"\x1bP\r\n"
LINE_16 = re.compile(rb"^([+\- ]) ([ \d.]{8}) (g  |   )\r\n$")


def value_g(line: bytes) -> tuple[float, bool]:
    match = LINE_16.match(line)
    assert match is not None, line
    sign = -1.0 if match.group(1) == b"-" else 1.0
    return sign * float(match.group(2)), match.group(3) == b"g  "


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


def test_print_answers_one_16_character_line(clock):
    balance = EmulatedSartorius(clock, noise_sd_g=0.0)
    assert balance.transact(PRINT) == b"+   0.0000 g  \r\n"
    balance.add_load_g(123.56)
    clock.advance_s(10.0)
    assert balance.transact(b"\x1bP") == b"+ 123.5600 g  \r\n"  # CR LF after a command is optional
    assert len(balance.transact(PRINT)) == 16


def test_negative_values_unstable_values_quintix_sign_and_the_22_character_format(clock):
    balance = EmulatedSartorius(clock, noise_sd_g=0.0, line_format=22, positive_sign=" ")
    assert balance.transact(PRINT) == b"     N    0.0000 g  \r\n"
    balance.add_load_g(-0.25)
    assert value_g(balance.transact(PRINT)[6:])[1] is False  # settling: the unit field is blank
    clock.advance_s(10.0)
    assert balance.transact(PRINT) == b"     N-   0.2500 g  \r\n"


def test_the_weight_follows_the_linked_pump(clock):
    pump = EmulatedNE1000(clock, syringe_diameter_mm=14.43, syringe_volume_ul=10000)
    pump.transact(b"\r")
    balance = EmulatedSartorius(clock, pump.dispensed_volume_ul, noise_sd_g=0.0, density_g_per_ml=1.0)
    pump.transact(b"RAT 3600 UH\rRUN\r")  # 1 uL/s
    for _ in range(10):
        clock.advance_s(10.0)
        balance.transact(b"")
    assert value_g(balance.transact(PRINT)) == (pytest.approx(0.1, abs=0.0005), False)  # flowing: not stable
    pump.transact(b"STP\r")
    clock.advance_s(10.0)
    assert value_g(balance.transact(PRINT)) == (pytest.approx(pump.dispensed_volume_ul() / 1000.0, abs=0.0001), True)


def test_tare_zero_restart_and_information(clock):
    balance = EmulatedSartorius(clock, noise_sd_g=0.0, power_up_time_s=1.0)
    balance.add_load_g(20.0)
    clock.advance_s(10.0)
    assert balance.transact(b"\x1bU") == b""  # tare: no answer
    assert balance.transact(PRINT) == b"+   0.0000 g  \r\n"
    balance.add_load_g(1.0)
    clock.advance_s(10.0)
    assert balance.transact(b"\x1bS\r\n" + PRINT) == b""  # restart: self-test, commands ignored
    clock.advance_s(1.0)
    assert balance.transact(PRINT) == b"+   0.0000 g  \r\n"  # zero taken again on 21 g, tare cleared
    assert balance.transact(b"\x1bx1_\x1bx2_\x1bx3_") == b"       MSE225S\r\n    0037512345\r\n      01-70-02\r\n"
    assert balance.transact(b"\x1bK\x1bQ\x1bO\x1bR\x1bq9_\x1bZ") == b""  # filter, beep, keys, unknown: silent


def test_7o1_reads_7_data_bits_and_8n1_takes_bytes_as_they_are(clock):
    seven = EmulatedSartorius(clock, framing="7O1", noise_sd_g=0.0)
    eight = EmulatedSartorius(clock, framing="8N1", noise_sd_g=0.0)
    high_bit_print = bytes(b | 0x80 for b in b"\x1bP")  # bit 7 is the parity bit on a 7O1 wire
    assert seven.transact(high_bit_print) == b"+   0.0000 g  \r\n"
    assert eight.transact(high_bit_print) == b""
    assert all(b < 0x80 for b in seven.transact(b"\x1bx2_" + PRINT))


@pytest.mark.parametrize(("fault", "params", "shown"), [
    ("overload", {}, b"High"), ("underload", {}, b"Low"), ("error_code", {"code": 7}, b"Err 07"),
    ("error_code", {}, b"Err 01")])
def test_special_outputs_fill_the_value_field(clock, fault, params, shown):
    balance = EmulatedSartorius(clock)
    balance.inject_fault(fault, duration_s=5.0, **params)
    line = balance.transact(PRINT)
    assert len(line) == 16 and line[2:10] == shown.rjust(8) and line.endswith(b"    \r\n")
    clock.advance_s(5.0)
    assert value_g(balance.transact(PRINT))[0] == pytest.approx(0.0, abs=0.001)


def test_capacity_and_underload_are_shown_without_a_fault(clock):
    balance = EmulatedSartorius(clock, capacity_g=100.0)
    balance.add_load_g(60.0)
    clock.advance_s(10.0)
    assert balance.transact(PRINT)[2:10] == b"    High"
    balance.add_load_g(-62.0)
    clock.advance_s(10.0)
    assert balance.transact(PRINT)[2:10] == b"     Low"


def test_bad_faults_and_configs_are_refused(clock):
    balance = EmulatedSartorius(clock)
    with pytest.raises(EmulatorError, match=r"code must be 0\.\.999"):
        balance.inject_fault("error_code", code=1000)
    with pytest.raises(EmulatorError, match="unknown parameter"):
        balance.inject_fault("power_reset", duration_s=1)
    with pytest.raises(EmulatorError, match="unknown fault 'melt'"):
        balance.inject_fault("melt")
    with pytest.raises(EmulatorError, match="framing"):
        SartoriusConfig(framing="7E1")
    with pytest.raises(EmulatorError, match="line_format"):
        SartoriusConfig(line_format=20)
    with pytest.raises(EmulatorError, match="wider than the 8-character SBI value field"):
        SartoriusConfig(capacity_g=2200.0)


def test_the_fault_catalog_knows_the_sartorius_kind():
    assert {"error_code", "overload", "underload", "unstable", "power_reset", "disconnect",
            "delay_bytes"} <= FAULTS_BY_KIND["sartorius"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.binary(max_size=30), max_size=8))
def test_line_noise_never_breaks_the_emulator(chunks):
    clock = VirtualClock()
    balance = EmulatedSartorius(clock)
    for chunk in chunks:
        out = balance.transact(chunk)
        assert len(out) % 16 == 0  # only whole lines, if any
    clock.advance_s(balance.core.config.power_up_time_s)  # past a restart (ESC S) among the noise, as a host waits
    assert len(balance.transact(b"\x1bP")) == 16  # and a fresh command is still answered


def test_a_restart_in_the_noise_answers_again_once_booted():
    """Found by the fuzz test above: after ESC S the balance is booting and silent, as a real one; the check asked
    at once and took the silence for a broken emulator."""
    clock = VirtualClock()
    balance = EmulatedSartorius(clock)
    assert balance.transact(b"\x1bS") == b""
    assert balance.transact(b"\x1bP") == b""
    clock.advance_s(balance.core.config.power_up_time_s)
    assert len(balance.transact(b"\x1bP")) == 16
