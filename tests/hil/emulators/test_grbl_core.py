"""Byte-level tests of the GRBL 1.1 emulator (no pty), in virtual time."""
from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_sim.clock import VirtualClock
from hil.emulators import EmulatedGrbl, EmulatorError
from hil.emulators.grbl_config import GrblConfig
from hil.emulators.grbl_core import GrblCore, _clean

BANNER = b"\r\nGrbl 1.1h ['$' for help]\r\n"
AREA_MM2 = math.pi * 4.699**2 / 4


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock()


@pytest.fixture
def grbl(clock) -> EmulatedGrbl:
    emu = EmulatedGrbl(clock)
    assert emu.transact(b"") == BANNER
    return emu


def test_ok_error_and_idle_status(grbl):
    assert grbl.transact(b"G21 G90\n") == b"ok\r\n"
    assert grbl.transact(b"G1 X1\n") == b"error:22\r\n"  # feed rate never set
    assert grbl.transact(b"G38.2 X1\n") == b"error:20\r\n"
    assert grbl.transact(b"X\n") == b"error:2\r\n"
    assert grbl.transact(b"\n") == b"ok\r\n"
    assert grbl.transact(b"?") == b"<Idle|MPos:0.000,0.000,0.000|FS:0,0>\r\n"


def test_each_of_cr_and_lf_ends_a_line(grbl):
    assert grbl.transact(b"G91\r\n") == b"ok\r\nok\r\n"


def test_motion_at_commanded_feed_in_clock_time(grbl, clock):
    assert grbl.transact(b"G91 G1 X2 F60\n") == b"ok\r\n"
    clock.advance_s(1.0)
    assert grbl.transact(b"?") == b"<Run|MPos:1.000,0.000,0.000|FS:60,0>\r\n"
    assert grbl.dispensed_volume_ul() == pytest.approx(1.0 * AREA_MM2)
    clock.advance_s(5.0)
    assert grbl.transact(b"?") == b"<Idle|MPos:2.000,0.000,0.000|FS:0,0>\r\n"


@pytest.mark.parametrize("block", [b"G20G91G1X0.1F10\n", b"G91G1X0.1F10G20\n"])
def test_units_apply_to_the_whole_block_wherever_g20_stands(grbl, clock, block):
    assert grbl.transact(block) == b"ok\r\n"
    clock.advance_s(60.0)
    assert grbl.position_mm()[0] == pytest.approx(2.54)  # 0.1 in at 10 in/min: done within the minute


def test_feed_hold_and_resume(grbl, clock):
    grbl.transact(b"G91 G1 X2 F60\n")
    clock.advance_s(0.5)
    grbl.transact(b"!")
    clock.advance_s(100)
    assert grbl.transact(b"?") == b"<Hold:0|MPos:0.500,0.000,0.000|FS:0,0>\r\n"
    grbl.transact(b"~")
    clock.advance_s(0.5)
    assert grbl.position_mm()[0] == pytest.approx(1.0)


def test_soft_reset_during_motion_alarms_and_needs_unlock(grbl, clock):
    grbl.transact(b"G91 G1 X2 F60\n")
    clock.advance_s(0.5)
    assert grbl.transact(b"\x18") == b"ALARM:3\r\n" + BANNER + b"[MSG:'$H'|'$X' to unlock]\r\n"
    assert grbl.transact(b"G1 X1\n") == b"error:9\r\n"
    assert grbl.transact(b"$X\n") == b"[MSG:Caution: Unlocked]\r\nok\r\n"
    assert grbl.transact(b"?").startswith(b"<Idle|MPos:0.500")


def test_soft_reset_after_completed_hold_reboots_without_alarm(grbl, clock):
    grbl.transact(b"G91 G1 X2 F60\n")
    clock.advance_s(0.5)
    grbl.transact(b"!")
    assert grbl.transact(b"?").startswith(b"<Hold:0")
    assert grbl.transact(b"\x18") == BANNER
    assert grbl.transact(b"?").startswith(b"<Idle|MPos:0.500")


def test_soft_reset_when_idle_only_reboots(grbl):
    assert grbl.transact(b"\x18") == BANNER


def test_end_of_syringe_triggers_hard_limit_alarm(clock):
    grbl = EmulatedGrbl(clock, fill_volume_ul=10.0)
    grbl.transact(b"")
    grbl.transact(b"G91 G1 X10 F1\n")
    clock.advance_s(30 * 86400)
    assert grbl.transact(b"") == b"ALARM:1\r\n[MSG:Reset to continue]\r\n"
    assert grbl.dispensed_volume_ul() == pytest.approx(10.0)
    assert grbl.position_mm()[0] == pytest.approx(10.0 / AREA_MM2)
    assert grbl.transact(b"G1 X1\n") == b""  # critical alarm: nothing is processed until a reset


def test_without_limit_switch_motor_loses_steps_silently(clock):
    grbl = EmulatedGrbl(clock, fill_volume_ul=10.0, hard_limits=False)
    grbl.transact(b"")
    grbl.transact(b"G91 G1 X10 F1\n")
    clock.advance_s(30 * 86400)
    assert grbl.transact(b"?") == b"<Idle|MPos:10.000,0.000,0.000|FS:0,0>\r\n"
    assert grbl.dispensed_volume_ul() == pytest.approx(10.0)


def test_steps_per_mm_setting_scales_physical_motion(grbl, clock):
    assert grbl.transact(b"$100=400\n") == b"ok\r\n"
    grbl.transact(b"G91 G1 X1 F60\n")
    clock.advance_s(10)
    assert grbl.position_mm()[0] == pytest.approx(1.0)
    assert grbl.dispensed_volume_ul() == pytest.approx(0.5 * AREA_MM2)


def test_settings_and_info(grbl):
    settings = grbl.transact(b"$$\n")
    assert b"$100=800.000\r\n" in settings and settings.endswith(b"ok\r\n")
    assert grbl.transact(b"$I\n") == b"[VER:1.1h.20190830:]\r\n[OPT:V,15,128]\r\nok\r\n"
    assert grbl.transact(b"$999=1\n") == b"error:3\r\n"
    assert grbl.transact(b"$100=-1\n") == b"error:4\r\n"
    assert grbl.transact(b"$H\n") == b"error:5\r\n"


def test_a_zero_axis_maximum_refuses_the_move_instead_of_crashing(grbl, clock):
    assert grbl.transact(b"$110=0\n") == b"ok\r\n"
    assert grbl.transact(b"G91 G1 X1 F60\n") == b"error:22\r\n"
    clock.advance_s(1.0)
    assert grbl.transact(b"?").startswith(b"<Idle|")


def test_planner_full_holds_lines_in_receive_buffer_and_overflow_loses_bytes(grbl, clock):
    for _ in range(16):
        assert grbl.transact(b"G91 G1 X0.1 F6\n") == b"ok\r\n"
    assert grbl.transact(b"G91 G1 X0.1 F6\n") == b""  # waits: planner full
    flood = b"G4 P0" + b" " * 200 + b"\n"
    grbl.transact(flood)  # beyond 127 buffered bytes are lost
    assert len(grbl.core.rx_buffer) == 127
    clock.advance_s(1.0)  # first block done, a slot frees for the waiting line
    assert grbl.transact(b"") == b"ok\r\n"
    clock.advance_s(100)
    assert grbl.transact(b"") == b""  # the flood's newline was lost: that line never completes
    assert grbl.transact(b"?").startswith(b"<Idle|")  # realtime bytes bypass the buffer


def test_buffer_report_when_enabled(grbl):
    assert grbl.transact(b"$10=3\n") == b"ok\r\n"
    grbl.transact(b"G91 G1 X1 F6\n")
    assert grbl.transact(b"?") == b"<Run|MPos:0.000,0.000,0.000|Bf:15,127|FS:6,0>\r\n"


def test_jog_and_jog_cancel(grbl, clock):
    assert grbl.transact(b"$J=G91 X5 F60\n") == b"ok\r\n"
    clock.advance_s(1)
    assert grbl.transact(b"?").startswith(b"<Jog|MPos:1.000")
    grbl.transact(b"\x85")
    clock.advance_s(10)
    assert grbl.transact(b"?").startswith(b"<Idle|MPos:1.000")


def test_stall_fault_is_invisible_to_grbl_but_not_to_the_outflow(grbl, clock):
    grbl.transact(b"G91 G1 X2 F60\n")
    clock.advance_s(1)
    grbl.inject_fault("stall")
    clock.advance_s(1)
    assert grbl.transact(b"?").startswith(b"<Idle|MPos:2.000")
    assert grbl.dispensed_volume_ul() == pytest.approx(AREA_MM2)
    grbl.inject_fault("clear_stall")
    grbl.transact(b"G91 G1 X1 F60\n")
    clock.advance_s(2)
    assert grbl.dispensed_volume_ul() == pytest.approx(2 * AREA_MM2)


def test_occlusion_then_release(grbl, clock):
    grbl.inject_fault("occlusion", compliance_ul=1.0)
    grbl.transact(b"G91 G1 X1 F60\n")
    clock.advance_s(2)
    assert grbl.dispensed_volume_ul() == pytest.approx(0.0)
    grbl.inject_fault("clear_occlusion")
    assert grbl.dispensed_volume_ul() == pytest.approx(1.0)


def test_power_reset_loses_position_and_sends_banner(grbl, clock):
    grbl.transact(b"G91 G1 X2 F60\n")
    clock.advance_s(1)
    grbl.inject_fault("power_reset")
    assert grbl.transact(b"") == BANNER
    clock.advance_s(5)
    assert grbl.transact(b"?") == b"<Idle|MPos:0.000,0.000,0.000|FS:0,0>\r\n"
    assert grbl.dispensed_volume_ul() == pytest.approx(AREA_MM2)


def test_line_too_long_is_error_11(grbl):
    assert grbl.transact(b"G1" + b"0" * 90 + b"\n") == b"error:11\r\n"


@pytest.mark.parametrize(
    "name, value",
    [("occlusion_compliance_ul", float("nan")), ("occlusion_compliance_ul", float("inf")), ("fill_volume_ul", True)],
)
def test_config_refuses_non_finite_or_non_numeric_volumes_by_name(name, value):
    with pytest.raises(EmulatorError, match=f"GrblConfig.{name}="):
        GrblConfig(**{name: value})


_PIECES = [b"G21G91G1X0.5F6\n", b"$G\n", b"?", b"!", b"~", b"\x18", b"\x85", b"G4P0.1\r", b"(c)G1X1;x\n", b"g1 x-1\n",
           b"\n", b"\r\n", b"G99\n", b"X" * 90 + b"\n", b"$$\n", b"\x00\x7f\t \n", b"G1", b"X2F3", b"\n"]


@settings(max_examples=60, deadline=None, derandomize=True)
@given(pieces=st.lists(st.sampled_from(_PIECES), max_size=30), split=st.integers(1, 7))
def test_a_burst_is_taken_exactly_as_the_same_bytes_one_by_one(pieces, split):
    """The receive buffer is filled by runs of bytes; the same bytes one at a time give the same replies and state
    (realtime bytes, line ends, the 127-byte buffer, the 16-block planner)."""
    data = b"".join(pieces)
    whole, single = GrblCore(GrblConfig(), 0.0), GrblCore(GrblConfig(), 0.0)
    for t_s, start in enumerate(range(0, len(data), split)):
        assert whole.receive(data[start:start + split], float(t_s)) == \
            b"".join(single.receive(bytes([byte]), float(t_s)) for byte in data[start:start + split])
        assert whole.rx_buffer == single.rx_buffer and len(whole.motion.planner) == len(single.motion.planner)
    assert whole.state_name() == single.state_name() and whole.modal == single.modal


@settings(max_examples=200, deadline=None, derandomize=True)
@given(line=st.text(alphabet=st.characters(max_codepoint=127), max_size=40))
def test_the_line_cleaner_without_comments_matches_the_character_loop(line):
    line = line.replace("(", "").replace(";", "")
    expected = "".join(ch.upper() for ch in line if ch.isprintable() and not ch.isspace())
    assert _clean(line) == expected


@pytest.mark.parametrize("length", [82, 127, 128, 200, 600])
@pytest.mark.parametrize("byte_by_byte", [False, True])
def test_a_line_longer_than_the_line_buffer_gets_error_11_and_the_next_line_is_answered(grbl, length, byte_by_byte):
    """A line of 128 bytes or more filled the receive buffer and left it full: no line was answered again until a
    soft reset. GRBL reads a line out of the buffer as it comes and answers one past its 80-byte line buffer with
    error:11 (protocols.md 3.1)."""
    line = b"G1 X" + b"0" * (length - 9) + b"1 F6\n"
    assert len(line) == length
    replies = b"".join(grbl.transact(line[i:i + 1]) for i in range(length)) if byte_by_byte else grbl.transact(line)
    assert replies == b"error:11\r\n"
    assert grbl.transact(b"G4 P0\n") == b"ok\r\n"
    assert grbl.transact(b"\n") == b"ok\r\n"
