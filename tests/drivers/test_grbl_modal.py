"""The `$G` parser-state check after every GRBL move [SR-DRV-012]: the parser, the check, and the driver against the
emulator's corrupt_move fault (a move line turned into other valid G-code on the wire)."""
from __future__ import annotations

import math

import pytest

from drivers.errors import FramingError
from drivers.grbl import GrblSyringe
from drivers.grbl_modal import GrblModalStateError, check_move_modes, feed_tolerance_mm_per_min, parse_gc_line
from drivers.transport import SerialTransport
from firmware_sim.clock import VirtualClock

pytestmark = [pytest.mark.timeout(60), pytest.mark.requirements("SR-DRV-012")]
DIAMETER_MM = 4.699
AREA_MM2 = math.pi * DIAMETER_MM**2 / 4
MOVE = "G21G91G1X0.5F6"
GOOD = "[GC:G1 G54 G17 G21 G91 G94 M5 M9 T0 F6 S0]"


def test_the_parser_reads_stock_and_documented_layouts():
    state = parse_gc_line("[GC:G0 G54 G17 G21 G90 G94 M0 M5 M9 T0 S0.0 F500.0]")  # commands.md's example
    assert state.modes == {"motion": "G0", "plane": "G17", "units": "G21", "distance": "G90", "feed_mode": "G94"}
    assert state.feed_mm_per_min == 500.0 and state.feed_text == "500.0"
    for line in ("GC:G1]", "[GC:G1 G0 T0 F0 S0]", "[GC:G1 G21 Fabc S0]", "[GC:G1 Fnan]"):
        with pytest.raises(FramingError):
            parse_gc_line(line)


def test_the_feed_is_compared_within_half_a_unit_of_the_last_digit_printed():
    assert feed_tolerance_mm_per_min("0") == pytest.approx(0.5)
    assert feed_tolerance_mm_per_min("5.25") == pytest.approx(0.005)
    check_move_modes(GOOD, MOVE, 6.4)  # F6 is what stock GRBL prints for 6.4 mm/min
    check_move_modes(GOOD.replace("F6", "F0"), MOVE, 0.001)  # an intrathecal feed prints as F0
    with pytest.raises(GrblModalStateError, match=r"feed F6 mm/min instead of 0.6"):
        check_move_modes(GOOD, MOVE, 0.6)


@pytest.mark.parametrize(("changed", "named"), [
    ("G20", "units G20 instead of G21"), ("G90", "distance G90 instead of G91"), ("G0 ", "motion G0 instead of G1"),
    ("G93", "feed_mode G93 instead of G94"), ("G18", "plane G18 instead of G17"),
])
def test_every_mode_the_move_relies_on_is_checked(changed, named):
    original = {"G20": "G21", "G90": "G91", "G0 ": "G1 ", "G93": "G94", "G18": "G17"}[changed]
    with pytest.raises(GrblModalStateError, match=named) as raised:
        check_move_modes(GOOD.replace(original, changed), MOVE, 6.0)
    assert raised.value.mismatches == [named]
    with pytest.raises(GrblModalStateError, match="units missing"):
        check_move_modes(GOOD.replace(" G21", ""), MOVE, 6.0)


@pytest.fixture()
def pump_on_emulator(serve_emulator, opened):
    from hil.emulators.grbl import EmulatedGrbl

    def make():
        clock = VirtualClock()
        device = EmulatedGrbl(clock, syringe_diameter_mm=DIAMETER_MM)
        pump = opened(GrblSyringe(SerialTransport(serve_emulator(device), baudrate=115200, timeout_s=0.5),
                                  steps_per_mm=800.0, diameter_mm=DIAMETER_MM, max_rate_ul_per_h=20_000.0,
                                  reply_timeout_s=0.5, poll_interval_s=0.0, hold_timeout_s=2.0, motion_horizon_s=30.0))
        return clock, device, pump

    return make


@pytest.mark.parametrize(("kind", "named"), [
    ("units", "units G20 instead of G21"), ("distance", "distance G90 instead of G91"),
    ("motion", "motion G0 instead of G1"), ("feed_scale", "feed F58 mm/min instead of 5.766"),
])
def test_a_top_up_corrupted_into_other_valid_gcode_is_caught_by_the_status_that_sent_it(pump_on_emulator, kind, named):
    clock, device, pump = pump_on_emulator()
    pump.set_rate_ul_per_h(6000.0)  # 5.766 mm/min on a 4.699 mm plunger: a feed GRBL prints to the unit
    pump.start()
    clock.advance_s(10.0)
    pump.status()  # 20 s of the 30 s horizon still queued: no top-up yet
    device.inject_fault("corrupt_move", kind=kind)
    clock.advance_s(10.0)
    with pytest.raises(GrblModalStateError, match=named):
        pump.status()  # the top-up went out with this `?` and came back changed
    pump.stop()  # what the firmware does on the alarm: the corrupted block is discarded
    position_mm = device.position_mm()
    clock.advance_s(600.0)
    assert device.position_mm() == position_mm


def test_a_start_whose_first_move_is_corrupted_raises_and_leaves_no_run(pump_on_emulator):
    clock, device, pump = pump_on_emulator()
    pump.set_rate_ul_per_h(6000.0)
    device.inject_fault("corrupt_move", kind="units")
    with pytest.raises(GrblModalStateError, match="units G20"):
        pump.start()
    pump.stop()
    clock.advance_s(60.0)
    assert pump.status().running is False


@pytest.mark.requirements("SR-DRV-012")
def test_a_remembered_parser_state_is_judged_the_same_every_time():
    bad = GOOD.replace("G91", "G90")
    for _ in range(3):  # the first call fills the memory, the later ones read it
        check_move_modes(GOOD, MOVE, 6.4)
        with pytest.raises(GrblModalStateError, match="distance G90 instead of G91"):
            check_move_modes(bad, MOVE, 6.4)
        with pytest.raises(GrblModalStateError, match="feed F6 mm/min instead of 9"):
            check_move_modes(GOOD, MOVE, 9.0)
        with pytest.raises(FramingError):
            check_move_modes("[GC:G1 G54", MOVE, 6.4)
