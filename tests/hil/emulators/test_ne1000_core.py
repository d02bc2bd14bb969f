"""Byte-level tests of the NE-1000 emulator (no pty): frames, commands, alarms, clock-driven physics."""
from __future__ import annotations

import math

import pytest

from firmware_sim.clock import VirtualClock
from hil.emulators import EmulatedNE1000, EmulatorError, NE1000Config
from hil.emulators.ne1000_framing import encode_safe
from hil.emulators.ne1000_numbers import format_number, parse_number

BD_1ML_DIAMETER_MM = 4.699
AREA_MM2 = math.pi * BD_1ML_DIAMETER_MM**2 / 4


def basic(data: str) -> bytes:
    return b"\x02" + data.encode() + b"\x03"


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def pump(clock: VirtualClock) -> EmulatedNE1000:
    emu = EmulatedNE1000(clock)
    assert emu.transact(b"\r") == basic("00A?R")  # power-up alarm, acknowledged here
    return emu


def test_power_up_alarm_is_acknowledged_once_and_command_not_executed(clock):
    emu = EmulatedNE1000(clock)
    assert emu.transact(b"RAT 10 UH\r") == basic("00A?R")
    assert emu.transact(b"RAT\r") == basic("00S0.000UH")  # the first RAT was not executed
    assert emu.transact(b"RAT 10 UH\r") == basic("00S")
    assert emu.transact(b"RAT\r") == basic("00S10.00UH")


def test_spaces_and_lower_case_are_stripped(pump):
    assert pump.transact(b"0 dia 4.7\r") == basic("00S")
    assert pump.transact(b"0DIA\r") == basic("00S4.700")


def test_version_and_unknown_command(pump):
    assert pump.transact(b"VER\r") == basic("00SNE1000V3.928")
    assert pump.transact(b"FOO\r") == basic("00S?")


def test_number_format():
    assert parse_number("1.500") == 1.5 and parse_number("9999") == 9999.0
    assert parse_number("12345") is None and parse_number("1.2345") is None and parse_number(".") is None
    assert [format_number(v) for v in (1.5, 12.5, 125.0, 1250.0, 9.9996)] == ["1.500", "12.50", "125.0", "1250.",
                                                                              "10.00"]


@pytest.mark.parametrize("value, text", [(1000.0, "1000."), (999.96, "1000."), (1.0, "1.000"), (0.0, "0.000"),
                                         (0.0004, "0.000"), (0.001, "0.001"), (9999.0, "9999."), (50.0, "50.00")])
def test_every_number_has_a_decimal_point_and_at_most_four_digits(value, text):
    assert format_number(value) == text
    assert "." in text and sum(ch.isdigit() for ch in text) <= 4


def test_replies_carrying_numbers_use_the_point_for_whole_thousands(pump):
    """A client written from the manual rejects 1000UM: rate, volume, diameter and dispensed all carry the point."""
    pump.transact(b"DIA 14.43\r")
    assert pump.transact(b"DIA\r") == basic("00S14.43")
    pump.transact(b"DIA 10\r")
    assert pump.transact(b"DIA\r") == basic("00S10.00")
    assert pump.transact(b"RAT 1000 UH\r") == basic("00S")
    assert pump.transact(b"RAT\r") == basic("00S1000.UH")
    assert pump.transact(b"VOL 1000\r") == basic("00S")
    assert pump.transact(b"VOL\r") == basic("00S1000.UL")


def test_malformed_number_is_not_recognised(pump):
    assert pump.transact(b"RAT 1.2345 UH\r") == basic("00S?")


def test_rate_limits_from_plunger_speed_give_out_of_range(pump):
    config = NE1000Config()
    low_ul_per_h = config.min_plunger_speed_mm_per_h * AREA_MM2
    high_ul_per_h = config.max_plunger_speed_mm_per_min * 60 * AREA_MM2
    assert pump.transact(f"RAT {format_number(low_ul_per_h * 0.9)} UH\r".encode()) == basic("00S?OOR")
    assert pump.transact(f"RAT {format_number(low_ul_per_h * 1.1)} UH\r".encode()) == basic("00S")
    assert pump.transact(f"RAT {format_number(high_ul_per_h * 1.05 / 1000)} MH\r".encode()) == basic("00S?OOR")


def test_a_zero_minimum_plunger_speed_is_refused_by_name():
    with pytest.raises(EmulatorError, match="min_plunger_speed_mm_per_h=0"):
        NE1000Config(min_plunger_speed_mm_per_h=0)


def test_addressing_other_pump_stays_silent_and_burst_runs_ours(clock):
    emu = EmulatedNE1000(clock, address=3)
    assert emu.transact(b"\r") == b""  # address 0 is not ours
    assert emu.transact(b"3\r") == basic("03A?R")
    assert emu.transact(b"0RAT100UH*3RAT250UH*\r") == basic("03S")
    assert emu.transact(b"3RAT\r") == basic("03S250.0UH")


def test_infusion_runs_in_clock_time_and_dis_reports_accumulators(pump, clock):
    pump.transact(b"RAT 100 UH\r")
    assert pump.transact(b"RUN\r") == basic("00I")
    clock.advance_s(1800)
    assert pump.transact(b"DIS\r") == basic("00II50.00W0.000UL")
    assert pump.dispensed_volume_ul() == pytest.approx(50.0)
    assert pump.transact(b"CLD INF\r") == basic("00I")
    assert pump.transact(b"DIS\r") == basic("00II0.000W0.000UL")


def test_stop_pauses_then_stops_and_run_resumes(pump, clock):
    pump.transact(b"RAT 100 UH\r")
    pump.transact(b"RUN\r")
    clock.advance_s(360)
    assert pump.transact(b"STP\r") == basic("00P")
    clock.advance_s(3600)
    assert pump.dispensed_volume_ul() == pytest.approx(10.0)  # paused: no motion
    assert pump.transact(b"RUN\r") == basic("00I")
    clock.advance_s(360)
    assert pump.transact(b"STP\r") == basic("00P")
    assert pump.transact(b"STP\r") == basic("00S")
    assert pump.dispensed_volume_ul() == pytest.approx(20.0)


def test_diameter_change_while_running_is_not_applicable(pump):
    pump.transact(b"RAT 100 UH\r")
    pump.transact(b"RUN\r")
    assert pump.transact(b"DIA 10\r") == basic("00I?NA")
    assert pump.transact(b"RAT 100 MH\r") == basic("00I?NA")  # unit change while pumping


def test_rate_change_while_running_is_immediate_and_not_stored(pump, clock):
    pump.transact(b"RAT 100 UH\r")
    writes = pump.eeprom_writes()
    pump.transact(b"RUN\r")
    assert pump.transact(b"RAT 200 UH\r") == basic("00I")
    assert pump.eeprom_writes() == writes
    clock.advance_s(1800)
    assert pump.dispensed_volume_ul() == pytest.approx(100.0)
    pump.inject_fault("power_reset")
    assert pump.transact(b"\r") == basic("00A?R")
    assert pump.transact(b"RAT\r") == basic("00S100.0UH")  # the running change was never stored


def test_target_volume_stops_at_phase_end(pump, clock):
    pump.transact(b"RAT 100 UH\r")
    pump.transact(b"VOL 25\r")
    pump.transact(b"RUN\r")
    clock.advance_s(86400)
    assert pump.transact(b"\r") == basic("00S")
    assert pump.dispensed_volume_ul() == pytest.approx(25.0)


def test_volume_units_follow_diameter(pump):
    assert pump.transact(b"DIA 20\r") == basic("00S")
    assert pump.transact(b"DIS\r") == basic("00SI0.000W0.000ML")


def test_withdraw_counts_separately_and_draws_back(pump, clock):
    pump.transact(b"RAT 60 UH\r")
    pump.transact(b"RUN\r")
    clock.advance_s(3600)
    pump.transact(b"STP\r")
    pump.transact(b"STP\r")
    assert pump.transact(b"DIR WDR\r") == basic("00S")
    pump.transact(b"RUN\r")
    clock.advance_s(1800)
    assert pump.transact(b"DIS\r") == basic("00WI60.00W30.00UL")
    assert pump.dispensed_volume_ul() == pytest.approx(30.0)


def test_thirty_day_jump_empties_syringe_and_stalls(pump, clock):
    pump.transact(b"RAT 100 UH\r")
    pump.transact(b"RUN\r")
    clock.advance_s(30 * 86400)
    assert pump.transact(b"\r") == basic("00A?S")
    assert pump.transact(b"\r") == basic("00S")
    assert pump.dispensed_volume_ul() == pytest.approx(1000.0)
    assert pump.transact(b"DIS\r") == basic("00SI1000.W0.000UL")


def test_wrong_diameter_setting_shows_between_count_and_outflow(pump, clock):
    pump.transact(b"DIA 4.000\r")  # the pump believes a thinner syringe than is installed
    pump.transact(b"RAT 100 UH\r")
    pump.transact(b"RUN\r")
    clock.advance_s(3600)
    infused_ul, _ = pump.pump_counted_ul()
    assert infused_ul == pytest.approx(100.0)
    assert pump.dispensed_volume_ul() == pytest.approx(100.0 * AREA_MM2 / (math.pi * 4.0**2 / 4))


# --- Safe mode -------------------------------------------------------------------------------
def test_manual_worked_examples(clock):
    assert encode_safe(b"SAF0") == bytes.fromhex("02 08 53 41 46 30 55 43 03")
    assert encode_safe(b"0") == bytes.fromhex("02 05 30 36 53 03")
    emu = EmulatedNE1000(clock, safe_mode_timeout_s=10)
    assert emu.transact(b"") == encode_safe(b"00A?R")  # auto-alarm at boot (lost if no host listens)
    assert emu.transact(encode_safe(b"0")) == encode_safe(b"00A?R")  # acknowledgement
    assert emu.transact(encode_safe(b"0")) == bytes.fromhex("02 07 30 30 53 AA A6 03")
    assert emu.transact(bytes.fromhex("02 08 53 41 46 30 55 43 03")) == basic("00S")  # reply in Basic


def test_basic_mode_accepts_framed_saf_and_answers_in_new_mode(pump):
    assert pump.transact(encode_safe(b"0SAF10")) == encode_safe(b"00S")
    assert pump.transact(b"VER\r") == b""  # Basic commands are ignored in Safe mode
    assert pump.transact(encode_safe(b"SAF")) == encode_safe(b"00S10")


@pytest.fixture
def safe_pump(clock) -> EmulatedNE1000:
    emu = EmulatedNE1000(clock, safe_mode_timeout_s=10)
    emu.transact(b"")
    emu.transact(encode_safe(b"0"))
    return emu


def test_bad_crc_gives_com_error(safe_pump):
    packet = bytearray(encode_safe(b"0RAT10UH"))
    packet[-2] ^= 0xFF
    assert safe_pump.transact(bytes(packet)) == encode_safe(b"00S?COM")
    assert safe_pump.transact(encode_safe(b"RAT")) == encode_safe(b"00S0.000UH")


def test_bad_end_byte_and_short_length_give_com_error(safe_pump):
    packet = bytearray(encode_safe(b"0"))
    packet[-1] = 0x04
    assert safe_pump.transact(bytes(packet)) == encode_safe(b"00S?COM")
    assert safe_pump.transact(b"\x02\x02") == encode_safe(b"00S?COM")


def test_inter_byte_gap_discards_partial_packet(safe_pump, clock):
    packet = encode_safe(b"0RAT10UH")
    assert safe_pump.transact(packet[:5]) == b""
    clock.advance_s(0.6)
    assert safe_pump.transact(packet[5:]) == b""  # remainder alone is not a packet
    assert safe_pump.transact(packet[:5]) == b""
    clock.advance_s(0.4)
    assert safe_pump.transact(packet[5:]) == encode_safe(b"00S")


def test_watchdog_expiry_stops_pump_and_sends_auto_alarm(safe_pump, clock):
    safe_pump.transact(encode_safe(b"RAT100UH"))
    safe_pump.transact(encode_safe(b"RUN"))
    clock.advance_s(9)
    assert safe_pump.transact(encode_safe(b"0")) == encode_safe(b"00I")  # heartbeat restarts the timer
    clock.advance_s(9.5)
    assert safe_pump.transact(b"") == b""
    clock.advance_s(1)
    assert safe_pump.transact(b"") == bytes.fromhex("02 09 30 30 41 3F 54 05 40 03")  # 00A?T
    volume_ul = safe_pump.dispensed_volume_ul()
    assert volume_ul == pytest.approx(100.0 * 19 / 3600)  # stopped at the expiry, not later
    clock.advance_s(3600)
    assert safe_pump.dispensed_volume_ul() == volume_ul
    assert safe_pump.transact(encode_safe(b"0")) == encode_safe(b"00A?T")  # auto-alarm did not acknowledge
    assert safe_pump.transact(encode_safe(b"0")) == encode_safe(b"00S")


def test_stall_at_end_of_travel_sends_auto_alarm_at_the_right_time(clock):
    emu = EmulatedNE1000(clock, safe_mode_timeout_s=255, fill_volume_ul=10.0)
    emu.transact(b"")
    emu.transact(encode_safe(b"0"))
    emu.transact(encode_safe(b"RAT100UH"))
    emu.transact(encode_safe(b"RUN"))
    clock.advance_s(200)
    assert emu.transact(encode_safe(b"0")) == encode_safe(b"00I")
    clock.advance_s(200)
    assert emu.transact(b"") == encode_safe(b"00A?S")
    assert emu.dispensed_volume_ul() == pytest.approx(10.0)


# --- faults ----------------------------------------------------------------------------------
@pytest.mark.parametrize("fault,alarm", [("stall", "S"), ("power_reset", "R")])
def test_a_fault_mid_run_stops_the_pump_and_raises_its_alarm_once(pump, clock, fault, alarm):
    pump.transact(b"RAT 100 UH\r")
    pump.transact(b"RUN\r")
    clock.advance_s(36)
    pump.inject_fault(fault)
    clock.advance_s(3600)
    assert pump.transact(b"\r") == basic(f"00A?{alarm}")
    assert pump.transact(b"\r") == basic("00S")
    assert pump.dispensed_volume_ul() == pytest.approx(1.0)


def test_scheduled_stall_happens_at_its_clock_time(pump, clock):
    pump.transact(b"RAT 100 UH\r")
    pump.transact(b"RUN\r")
    pump.inject_fault("stall", at_s=72.0)
    clock.advance_s(86400)
    assert pump.transact(b"\r") == basic("00A?S")
    assert pump.dispensed_volume_ul() == pytest.approx(2.0)


def test_occlusion_holds_fluid_then_stalls_and_release_gives_bolus(pump, clock):
    pump.transact(b"RAT 100 UH\r")
    pump.transact(b"RUN\r")
    clock.advance_s(36)
    pump.inject_fault("occlusion", compliance_ul=3.0)
    clock.advance_s(36)
    assert pump.transact(b"\r") == basic("00I")  # still pumping into the blocked line
    assert pump.dispensed_volume_ul() == pytest.approx(1.0)
    clock.advance_s(3600)
    assert pump.transact(b"\r") == basic("00A?S")
    assert pump.pump_counted_ul()[0] == pytest.approx(4.0)
    pump.inject_fault("clear_occlusion")
    assert pump.dispensed_volume_ul() == pytest.approx(4.0)


def test_unknown_fault_and_bad_parameters_are_rejected(pump):
    with pytest.raises(EmulatorError, match="unknown fault 'melt'"):
        pump.inject_fault("melt")
    with pytest.raises(EmulatorError, match="unknown parameter"):
        pump.inject_fault("stall", force_n=3)
    with pytest.raises(EmulatorError, match="compliance_ul"):
        pump.inject_fault("occlusion", compliance_ul=-1)


def test_bad_config_names_the_field(clock):
    with pytest.raises(EmulatorError, match="address"):
        EmulatedNE1000(clock, address=100)
    with pytest.raises(EmulatorError, match="syringe_diameter_mm"):
        EmulatedNE1000(clock, syringe_diameter_mm=80.0)
    with pytest.raises(EmulatorError, match="firmware_version"):
        EmulatedNE1000(clock, firmware_version="pump 1")


def test_firmware_version_variant_is_configurable(clock):
    emu = EmulatedNE1000(clock, firmware_version="NE1000X2V3.928")
    emu.transact(b"\r")
    assert emu.transact(b"VER\r") == basic("00SNE1000X2V3.928")


def test_master_reset_returns_to_basic_mode_address_zero(clock):
    emu = EmulatedNE1000(clock, safe_mode_timeout_s=10, address=5)
    emu.transact(b"")
    emu.transact(encode_safe(b"5"))
    assert emu.transact(encode_safe(b"*RESET")) == b""  # restarts; Basic mode has no auto-alarm
    assert emu.transact(b"0\r") == basic("00A?R")
    assert emu.transact(b"SAF\r") == basic("00S0")
