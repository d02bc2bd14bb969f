"""GRBL syringe driver against recorded byte exchanges."""
from __future__ import annotations

import functools
import math

import pytest

from drivers.errors import DeviceAlarm, DeviceTimeout, FramingError, LimitExceeded, ProtocolError
from drivers.grbl import GrblSyringe
from drivers.grbl_protocol import GrblCommandError, gcode_number, parse_status_report
from drivers.scripted import expected_exchange

pytestmark = pytest.mark.timeout(30)

BANNER = b"\r\nGrbl 1.1h ['$' for help]\r\n"
DIAMETER_MM = 14.57  # plunger area 166.73 mm^2
AREA_MM2 = math.pi * DIAMETER_MM**2 / 4
SETTINGS = (
    b"$0=10\r\n$100=800.000\r\n$101=250.000\r\n$102=250.000\r\n$110=50.000\r\n$111=500.000\r\n$112=500.000\r\nok\r\n"
)


def report(state: str, x_mm: float = 0.0, feed: float = 0.0) -> bytes:
    return f"<{state}|MPos:{x_mm:.3f},0.000,0.000|FS:{feed:g},0>\r\n".encode()


def open_script(x_mm: float = 0.0):
    return [(b"?", report("Idle", x_mm)), (b"\x18", BANNER), (b"?", report("Idle", x_mm)), (b"$$\n", SETTINGS)]


def syringe(**options):
    options = {"max_rate_ul_per_h": 100_000.0, "motion_horizon_s": 1e9, **options}  # one block per run unless a
    # test sets the horizon
    return functools.partial(GrblSyringe, steps_per_mm=800.0, diameter_mm=DIAMETER_MM, poll_interval_s=0.0,
                             **options)


def move_line(distance_mm: float, rate_ul_per_h: float) -> bytes:
    """A move and the `$G` that checks it, in one write [SR-DRV-012]."""
    return f"G21G91G1X{gcode_number(distance_mm)}F{gcode_number(rate_ul_per_h / 60 / AREA_MM2)}\n$G\n".encode()


def gc(rate_ul_per_h: float, modes: str = "G1 G54 G17 G21 G91 G94") -> bytes:
    """GRBL's parser state as stock GRBL prints it: the feed in mm/min without decimals."""
    return f"[GC:{modes} M5 M9 T0 F{rate_ul_per_h / 60 / AREA_MM2:.0f} S0]\r\n".encode()


def accepted(rate_ul_per_h: float) -> bytes:
    return b"ok\r\n" + gc(rate_ul_per_h) + b"ok\r\n"


def start_script(distance_mm: float, rate_ul_per_h: float, x_mm: float = 0.0):
    return [(b"?", report("Idle", x_mm)), (move_line(distance_mm, rate_ul_per_h), accepted(rate_ul_per_h))]


def test_open_soft_resets_reads_banner_and_checks_settings():
    with expected_exchange(syringe(), open_script()) as pump:
        assert pump.grbl_version == "1.1h"
        assert pump.max_feed_mm_per_min == 50.0


def test_open_waits_for_the_boot_banner_of_a_dtr_reset_instead_of_resetting():
    script = [(None, BANNER), (b"?", report("Idle")), (b"$$\n", SETTINGS)]
    with expected_exchange(syringe(banner_wait_s=0.5), script) as pump:
        assert pump.grbl_version == "1.1h"


def test_steps_per_mm_mismatch_is_reported():
    with pytest.raises(ProtocolError, match=r"\$100=800.0.*steps_per_mm=400"):
        with expected_exchange(functools.partial(syringe(), steps_per_mm=400.0), open_script()):
            pass


def test_alarm_at_boot_is_a_device_alarm():
    script = [(b"?", report("Alarm")), (b"\x18", BANNER + b"[MSG:'$H'|'$X' to unlock]\r\n"), (b"?", report("Alarm"))]
    with pytest.raises(DeviceAlarm, match="alarm_lock"), expected_exchange(syringe(), script):
        pass


def test_start_with_target_volume_moves_the_volume_at_the_feed_for_the_rate():
    rate_ul_per_h = 15_000.0  # 1.5 mm/min
    script = open_script() + start_script(500.0 / AREA_MM2, rate_ul_per_h)
    with expected_exchange(syringe(), script) as pump:
        pump.set_rate_ul_per_h(rate_ul_per_h)
        pump.set_target_volume_ul(500.0)
        pump.start()
    assert pump.feed_mm_per_min(rate_ul_per_h) == pytest.approx(15_000 / 60 / AREA_MM2)


def test_start_without_target_moves_the_configured_travel_in_the_infuse_direction():
    script = open_script() + start_script(-30.0, 20_000.0)
    with expected_exchange(syringe(travel_mm=30.0, infuse_direction=-1), script) as pump:
        pump.set_rate_ul_per_h(20_000.0)
        pump.start()


@pytest.mark.requirements("SR-DRV-001")
def test_rate_above_rig_maximum_is_refused_without_io():
    with expected_exchange(syringe(max_rate_ul_per_h=1000.0), open_script()) as pump:
        with pytest.raises(LimitExceeded, match="SR-DRV-001"):
            pump.set_rate_ul_per_h(1000.5)


@pytest.mark.requirements("SR-DRV-006")
def test_rate_below_grbl_minimum_feed_is_refused_not_sped_up():
    with expected_exchange(syringe(min_feed_mm_per_min=1.0), open_script()) as pump:
        with pytest.raises(LimitExceeded, match="below GRBL's minimum"):
            pump.set_rate_ul_per_h(100.0)  # 0.01 mm/min


def test_rate_above_axis_max_feed_is_refused():
    with expected_exchange(functools.partial(syringe(), diameter_mm=4.0), open_script()) as pump:
        with pytest.raises(LimitExceeded, match=r"axis maximum 50\.0"):
            pump.set_rate_ul_per_h(50_000.0)  # 66 mm/min on a 4 mm plunger


@pytest.mark.requirements("SR-DRV-007")
def test_stop_holds_waits_for_hold_complete_and_resets():
    script = open_script() + start_script(30.0, 20_000.0, x_mm=0.0) + [
        (b"!", b""), (b"?", report("Hold:1", 1.0)), (b"?", report("Hold:0", 1.2)),
        (b"\x18", BANNER), (b"?", report("Idle", 1.2)),
    ]
    with expected_exchange(syringe(travel_mm=30.0), script) as pump:
        pump.set_rate_ul_per_h(20_000.0)
        pump.start()
        pump.stop()


@pytest.mark.requirements("SR-DRV-008")
def test_rate_change_while_running_restarts_the_remaining_distance_at_the_new_feed():
    script = open_script() + start_script(30.0, 20_000.0) + [
        (b"!", b""), (b"?", report("Hold:0", 10.0)), (b"\x18", BANNER), (b"?", report("Idle", 10.0)),
    ] + start_script(20.0, 40_000.0, x_mm=10.0)
    with expected_exchange(syringe(travel_mm=30.0), script) as pump:
        pump.set_rate_ul_per_h(20_000.0)
        pump.start()
        pump.set_rate_ul_per_h(40_000.0)


def test_status_running_and_infused_volume_from_position():
    script = open_script(x_mm=5.0) + [(b"?", report("Run", 7.0, 2.0)), (b"?", report("Idle", 8.0))]
    with expected_exchange(syringe(), script) as pump:
        running = pump.status()
        idle = pump.status()
    assert running.running is True and running.infused_ul == pytest.approx(2.0 * AREA_MM2)
    assert idle.running is False and idle.infused_ul == pytest.approx(3.0 * AREA_MM2)


def test_clear_infused_volume_sets_the_origin():
    script = open_script() + [(b"?", report("Idle", 4.0)), (b"?", report("Idle", 4.5))]
    with expected_exchange(syringe(), script) as pump:
        pump.clear_infused_volume()
        assert pump.status().infused_ul == pytest.approx(0.5 * AREA_MM2)


@pytest.mark.requirements("SR-DRV-005")
def test_pushed_alarm_is_reported_by_status_and_fails_the_next_command():
    script = open_script() + [
        (b"?", b"ALARM:1\r\n" + report("Alarm", 3.0)),
        (b"?", report("Alarm", 3.0)),
        (move_line(10.0, 20_000.0), b"ALARM:1\r\nerror:9\r\n" + gc(0, "G0 G54 G17 G21 G90 G94") + b"ok\r\n"),
    ]
    pump_factory = functools.partial(syringe(), travel_mm=10.0)
    with expected_exchange(pump_factory, script) as pump:
        status = pump.status()
        assert (status.alarm, status.running) == ("hard_limit", False)
        pump.set_rate_ul_per_h(20_000.0)
        with pytest.raises(DeviceAlarm) as raised:
            pump.start()
        assert raised.value.alarm == "hard_limit"


def test_unexpected_banner_means_the_controller_reset():
    script = open_script() + [(b"?", BANNER + report("Idle", 0.0))]
    with expected_exchange(syringe(), script) as pump:
        assert pump.status().alarm == "reset"


@pytest.mark.parametrize("code", [2, 9, 20, 22])
def test_error_replies_raise_with_code(code):
    script = open_script() + [
        (b"?", report("Idle")),
        (move_line(50.0, 20_000.0), f"error:{code}\r\n".encode() + gc(0, "G0 G54 G17 G21 G90 G94") + b"ok\r\n"),
    ]
    with expected_exchange(syringe(), script) as pump:
        pump.set_rate_ul_per_h(20_000.0)
        with pytest.raises(GrblCommandError) as raised:
            pump.start()
        assert raised.value.code == code


@pytest.mark.requirements("SR-DRV-002")
def test_no_banner_after_reset_times_out():
    with pytest.raises(DeviceTimeout, match="banner"), expected_exchange(syringe(), [(b"?", b""), (b"\x18", b"")]):
        pass


@pytest.mark.requirements("SR-DRV-004")
@pytest.mark.parametrize("line", ["<Idle|FS:0,0>", "<Walking|MPos:0,0,0>", "<Idle|MPos:0,x,0>", "Idle|MPos:0,0,0"])
def test_malformed_status_report(line):
    with pytest.raises(FramingError):
        parse_status_report(line)


def test_status_report_fields():
    parsed = parse_status_report("<Hold:1|WPos:1.000,2.500,-3.000|Bf:15,128|FS:12.5,0|WCO:0,0,0>")
    assert (parsed.state, parsed.substate_code, parsed.position_mm, parsed.feed_mm_per_min) == (
        "Hold", 1, (1.0, 2.5, -3.0), 12.5)
    assert parsed.moving


def test_invalid_constructor_values_and_no_io():
    with pytest.raises(ValueError, match="steps_per_mm"):
        GrblSyringe(None, steps_per_mm=0, diameter_mm=10, max_rate_ul_per_h=1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="diameter_mm"):
        GrblSyringe(None, steps_per_mm=80, diameter_mm=-1, max_rate_ul_per_h=1)  # type: ignore[arg-type]


def test_alarm_3_after_a_completed_hold_is_unlocked_because_no_motion_was_lost():
    script = open_script() + start_script(30.0, 20_000.0) + [
        (b"!", b""), (b"?", report("Hold:0", 2.0)),
        (b"\x18", b"ALARM:3\r\n" + BANNER), (b"?", b"[MSG:'$H'|'$X' to unlock]\r\n" + report("Alarm", 2.0)),
        (b"$X\n", b"[MSG:Caution: Unlocked]\r\nok\r\n"), (b"?", report("Idle", 2.0)),
        (b"?", report("Idle", 2.0)),
    ]
    with expected_exchange(syringe(travel_mm=30.0), script) as pump:
        pump.set_rate_ul_per_h(20_000.0)
        pump.start()
        pump.stop()
        assert pump.status().alarm is None


def test_alarm_3_is_reported_when_unlocking_is_disabled():
    script = open_script() + start_script(30.0, 20_000.0) + [
        (b"!", b""), (b"?", report("Hold:0", 2.0)),
        (b"\x18", b"ALARM:3\r\n" + BANNER), (b"?", report("Alarm", 2.0)),
    ]
    with expected_exchange(syringe(travel_mm=30.0, unlock_after_hold_reset=False), script) as pump:
        pump.set_rate_ul_per_h(20_000.0)
        pump.start()
        with pytest.raises(DeviceAlarm, match="abort_during_cycle"):
            pump.stop()


@pytest.mark.parametrize(("value", "text"), [
    (0.00105986, "0.0010599"),     # an intrathecal feed keeps 5 significant digits, not 0.0011 (+3.6 %)
    (1.99926, "1.9992600"),
    (30.0, "30.000000"),
    (-12.5, "-12.500000"),
    (1234.56789, "1234.5679"),
])
def test_gcode_numbers_use_every_digit_grbl_reads(value, text):
    assert gcode_number(value) == text
    assert sum(c.isdigit() for c in text) == 8


@pytest.mark.requirements("SR-DRV-010", "SR-DRV-012")
def test_a_run_queues_at_most_the_horizon_and_status_tops_it_up_in_the_same_write_as_its_query():
    rate_ul_per_h = 20_000.0  # feed 1.99926 mm/min: the 60 s horizon is 1.99926 mm
    horizon_mm = rate_ul_per_h / 60 / AREA_MM2
    script = open_script() + start_script(horizon_mm, rate_ul_per_h) + [
        (b"?", report("Run", 1.0, 2.0)),  # the whole horizon queued at the start: nothing to add
        # sized from the last report (1.0 mm done): at most the horizon ahead of a position already passed
        (move_line(1.0, rate_ul_per_h) + b"?", accepted(rate_ul_per_h) + report("Run", 1.2, 2.0)),
        (b"?", report("Run", 2.5, 2.0)),  # 1.8 mm of the horizon still queued at 1.2 mm: no sliver of a block
        # horizon + 1.0 mm sent, 2.5 mm done at the last report: 1.5 mm brings it back to the horizon ahead of 2.5
        (move_line(1.5, rate_ul_per_h) + b"?",
         accepted(rate_ul_per_h) + report("Run", 3.0, 2.0)),
    ]
    with expected_exchange(syringe(motion_horizon_s=60.0, travel_mm=30.0), script) as pump:
        pump.set_rate_ul_per_h(rate_ul_per_h)
        pump.start()
        assert [pump.status().running for _ in range(4)] == [True, True, True, True]


def test_the_last_block_ends_at_the_target_volume_and_idle_then_ends_the_run():
    rate_ul_per_h = 20_000.0
    horizon_mm = rate_ul_per_h / 60 / AREA_MM2
    target_mm = 1.5 * horizon_mm
    script = open_script() + start_script(horizon_mm, rate_ul_per_h) + [
        (b"?", report("Run", 1.0, 2.0)),
        (move_line(target_mm - horizon_mm, rate_ul_per_h) + b"?", accepted(rate_ul_per_h) + report("Run", 1.5, 2.0)),
        (b"?", report("Idle", round(target_mm, 3))),  # every block sent and done: the run is over
        (b"?", report("Idle", round(target_mm, 3))),  # nothing more is queued
    ]
    with expected_exchange(syringe(motion_horizon_s=60.0), script) as pump:
        pump.set_rate_ul_per_h(rate_ul_per_h)
        pump.set_target_volume_ul(target_mm * AREA_MM2)
        pump.start()
        assert [pump.status().running for _ in range(4)] == [True, True, False, False]


def test_a_report_made_before_the_last_block_was_taken_does_not_end_the_run():
    """GRBL may print the `?` report before it parses the lines sent ahead of it: Idle there is a starved queue
    that the block in the same write sets moving, not the end of the run."""
    rate_ul_per_h = 20_000.0
    horizon_mm = rate_ul_per_h / 60 / AREA_MM2
    target_mm = 1.5 * horizon_mm
    script = open_script() + start_script(horizon_mm, rate_ul_per_h) + [
        (b"?", report("Run", 1.0, 2.0)),
        (move_line(target_mm - horizon_mm, rate_ul_per_h) + b"?",
         report("Idle", round(horizon_mm, 3)) + accepted(rate_ul_per_h)),
        (b"?", report("Run", 2.5, 2.0)),
    ]
    with expected_exchange(syringe(motion_horizon_s=60.0), script) as pump:
        pump.set_rate_ul_per_h(rate_ul_per_h)
        pump.set_target_volume_ul(target_mm * AREA_MM2)
        pump.start()
        assert [pump.status().running for _ in range(3)] == [True, True, True]


def test_a_starved_run_is_set_moving_again_by_the_next_status():
    rate_ul_per_h = 20_000.0
    horizon_mm = rate_ul_per_h / 60 / AREA_MM2
    script = open_script() + start_script(horizon_mm, rate_ul_per_h) + [
        # all of it done (1.999 mm as reported): a new block of a whole horizon, less the 0.3 um still unreported
        (b"?", report("Idle", 1.999)), (move_line(1.999, rate_ul_per_h), accepted(rate_ul_per_h)),
    ]
    with expected_exchange(syringe(motion_horizon_s=60.0, travel_mm=30.0), script) as pump:
        pump.set_rate_ul_per_h(rate_ul_per_h)
        pump.start()
        assert pump.status().running is True  # the host came late; the run goes on


def test_a_position_outside_the_queued_motion_stops_the_top_ups():
    rate_ul_per_h = 20_000.0
    horizon_mm = rate_ul_per_h / 60 / AREA_MM2
    script = open_script() + start_script(horizon_mm, rate_ul_per_h) + [
        (b"?", report("Run", 5.0, 2.0)),  # 5 mm of a 2 mm queue: something else moved the axis
        (b"?", report("Run", 5.5, 2.0)),  # no run any more: nothing is queued on top
    ]
    with expected_exchange(syringe(motion_horizon_s=60.0, travel_mm=30.0), script) as pump:
        pump.set_rate_ul_per_h(rate_ul_per_h)
        pump.start()
        with pytest.raises(ProtocolError, match="does not fit"):
            pump.status()
        assert pump.status().running is True


def test_motion_horizon_must_be_positive():
    with pytest.raises(ValueError, match="motion_horizon_s"):
        GrblSyringe(None, steps_per_mm=80, diameter_mm=10, max_rate_ul_per_h=1, motion_horizon_s=0)  # type: ignore[arg-type]


@pytest.mark.requirements("SR-DRV-002")
@pytest.mark.parametrize(("chatter", "call"), [
    (b"[MSG:chatter]\r\n", "status"),  # informational lines, never the status report
    (b"<Idle|MPos:0.000,0.000,0.000|FS:0,0>\r\n", "start"),  # status reports, never the `ok` to the move
])
def test_a_device_that_keeps_talking_cannot_hold_a_call_past_its_timeout(chatter, call):
    import time

    from chatty import ChattyTransport

    transport = ChattyTransport(open_script(), chatter)
    pump = syringe(reply_timeout_s=0.2)(transport)
    pump.open()
    pump.set_rate_ul_per_h(20_000.0)
    started_s = time.monotonic()
    with pytest.raises(DeviceTimeout):
        getattr(pump, call)()
    assert time.monotonic() - started_s < 5 * 0.2  # a behaviour bound (it was 8 s and more), not a benchmark
