"""HarvardPump on scripted byte exchanges: framing, addressing, units at the boundary, alarms, typed errors."""
from __future__ import annotations

import pytest

from drivers import harvard_codec as codec
from drivers.errors import (DeviceAlarm, DeviceDisconnected, DeviceTimeout, FramingError, LimitExceeded,
                            NonFiniteValue, ProtocolError)
from drivers.harvard import HarvardPump
from drivers.errors import SyringeMismatch
from drivers.scripted import expected_exchange
from tests.support.harvard_script import VERSION, pump, reply

pytestmark = pytest.mark.timeout(30)


def test_open_reads_the_version_and_commands_carry_no_prefix_at_address_0():
    with expected_exchange(pump(), [(b"ver\r", VERSION)]) as driver:
        assert driver.version == "11 ELITE I/W Single 3.0.4"
        assert driver.prompt() == ":"


@pytest.mark.parametrize("dialect, prefix", [("phd_ultra", b"12:"), ("legato", b"12")])
def test_a_non_zero_address_precedes_the_command_in_the_dialect_s_syntax(dialect, prefix):
    script = [(prefix + b"ver\r", reply("11 ELITE", address=12)), (prefix + b"civolume\r", reply(address=12))]
    with expected_exchange(pump(address=12, dialect=dialect), script) as driver:
        driver.clear_infused_volume()


@pytest.mark.requirements("SR-DRV-006")
def test_rate_is_sent_in_ul_per_hour_and_small_rates_in_nl_per_hour():
    script = [(b"ver\r", VERSION), (b"irate 16.6667 ul/hr\r", reply()), (b"irate 500.0000 nl/hr\r", reply())]
    with expected_exchange(pump(), script) as driver:
        driver.set_rate_ul_per_h(50 / 3)
        assert driver.commanded_rate_ul_per_h == pytest.approx(16.6667)
        driver.set_rate_ul_per_h(0.5)


@pytest.mark.requirements("SR-DRV-001")
@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan"), float("inf"), 5000.1])
def test_a_bad_or_too_high_rate_sends_nothing(rate):
    with expected_exchange(pump(), [(b"ver\r", VERSION)]) as driver, pytest.raises((ValueError, LimitExceeded)):
        driver.set_rate_ul_per_h(rate)


@pytest.mark.requirements("SR-DRV-006")
def test_a_rate_the_4_decimal_format_cannot_carry_is_refused():
    with expected_exchange(pump(max_rounding_fraction=1e-6), [(b"ver\r", VERSION)]) as driver:
        with pytest.raises(LimitExceeded, match="SR-DRV-006"):
            driver.set_rate_ul_per_h(1.00005)


START_AT_100_UL_PER_H = [(b"irate 100.0000 ul/hr\r", reply()), (b"ivolume\r", reply("1.0000 ml")),
                         (b"tvolume 1100.0000 ul\r", reply()), (b"irun\r", reply(prompt=">"))]
"""set_rate_ul_per_h(100) and start() on a pump whose counter reads 1 mL, with a horizon of 1 h (100 uL)."""


def test_status_reads_ivolume_and_the_prompt_gives_the_state():
    script = [(b"ver\r", VERSION), *START_AT_100_UL_PER_H,
              (b"ivolume\r", reply("1.0250 ml", prompt=">")), (b"ivolume\r", reply("1.0250 ml", prompt=":"))]
    with expected_exchange(pump(dead_host_horizon_s=3600.0), script) as driver:
        driver.set_rate_ul_per_h(100.0)
        driver.start()
        status = driver.status()
        assert (status.running, status.infused_ul, status.alarm) == (True, 1025.0, None)
        status = driver.status()
        assert (status.running, status.infused_ul) == (False, 1025.0)


def test_a_target_the_caller_set_ends_the_run_as_planned():
    script = [(b"ver\r", VERSION), (b"irate 100.0000 ul/hr\r", reply()), (b"tvolume 50.0000 ul\r", reply()),
              (b"ivolume\r", reply("0.0000 ul")), (b"tvolume 50.0000 ul\r", reply()), (b"irun\r", reply(prompt=">")),
              (b"ivolume\r", reply("50.0000 ul", prompt="T*"))]
    with expected_exchange(pump(dead_host_horizon_s=3600.0), script) as driver:
        driver.set_rate_ul_per_h(100.0)
        driver.set_target_volume_ul(50.0)  # nearer than the horizon's 100 uL: the pump's target
        driver.start()
        assert driver.run_target is not None and not driver.run_target.is_horizon
        status = driver.status()
        assert (status.running, status.infused_ul, status.alarm) == (False, 50.0, None)  # target reached


@pytest.mark.requirements("SR-DRV-013")
def test_start_sets_a_target_the_horizon_ahead_of_the_counter_and_status_tops_it_up_below_half():
    script = [(b"ver\r", VERSION), *START_AT_100_UL_PER_H,
              (b"ivolume\r", reply("1.0400 ml", prompt=">")),  # 60 uL left, more than half: nothing sent
              (b"ivolume\r", reply("1.0600 ml", prompt=">")), (b"tvolume 1160.0000 ul\r", reply(prompt=">")),
              (b"ivolume\r", reply("1.0700 ml", prompt=">"))]
    with expected_exchange(pump(dead_host_horizon_s=3600.0), script) as driver:
        driver.set_rate_ul_per_h(100.0)
        driver.start()
        assert (driver.run_target.target_ul, driver.run_target.is_horizon) == (1100.0, True)
        for infused_ul in (1040.0, 1060.0, 1070.0):
            status = driver.status()
            assert (status.running, status.infused_ul, status.alarm) == (True, infused_ul, None)
        assert driver.run_target.target_ul == 1160.0


@pytest.mark.requirements("SR-DRV-013", "SR-DRV-005")
def test_a_pump_stopped_at_the_horizon_target_while_the_host_lives_is_an_alarm_not_a_planned_end():
    script = [(b"ver\r", VERSION), *START_AT_100_UL_PER_H, (b"ivolume\r", reply("1.1000 ml", prompt="T*")),
              (b"ivolume\r", reply("1.1000 ml", prompt="T*"))]
    with expected_exchange(pump(dead_host_horizon_s=3600.0), script) as driver:
        driver.set_rate_ul_per_h(100.0)
        driver.start()
        status = driver.status()
        assert (status.running, status.alarm) == (False, "dead_host_horizon_reached")
        assert driver.status().alarm is None  # reported once


@pytest.mark.requirements("SR-DRV-013")
def test_a_rate_change_while_running_moves_the_target_so_it_stays_ahead_whichever_way_the_rate_goes():
    faster = [(b"ivolume\r", reply("1.0200 ml", prompt=">")), (b"tvolume 2020.0000 ul\r", reply(prompt=">")),
              (b"irate 1000.0000 ul/hr\r", reply(prompt=">"))]  # the target first: the old one is near at 1 mL/h
    slower = [(b"ivolume\r", reply("1.0300 ml", prompt=">")), (b"irate 10.0000 ul/hr\r", reply(prompt=">")),
              (b"tvolume 1040.0000 ul\r", reply(prompt=">"))]  # the rate first: the old target is far at 10 uL/h
    script = [(b"ver\r", VERSION), *START_AT_100_UL_PER_H, *faster, *slower]
    with expected_exchange(pump(dead_host_horizon_s=3600.0), script) as driver:
        driver.set_rate_ul_per_h(100.0)
        driver.start()
        driver.set_rate_ul_per_h(1000.0)
        driver.set_rate_ul_per_h(10.0)
        assert driver.run_target.target_ul == 1040.0


@pytest.mark.requirements("SR-DRV-013")
def test_clearing_the_counter_while_running_sets_the_target_again_from_zero():
    script = [(b"ver\r", VERSION), *START_AT_100_UL_PER_H, (b"civolume\r", reply(prompt=">")),
              (b"tvolume 100.0000 ul\r", reply(prompt=">"))]
    with expected_exchange(pump(dead_host_horizon_s=3600.0), script) as driver:
        driver.set_rate_ul_per_h(100.0)
        driver.start()
        driver.clear_infused_volume()
        assert driver.run_target.target_ul == 100.0


def test_start_before_any_rate_is_refused_and_sends_nothing():
    with expected_exchange(pump(), [(b"ver\r", VERSION)]) as driver:
        with pytest.raises(ProtocolError, match="set_rate_ul_per_h"):
            driver.start()


@pytest.mark.requirements("SR-DRV-005")
def test_a_stall_prompt_is_reported_once_per_stall_even_if_a_command_reply_carried_it():
    restart = [(b"ivolume\r", reply("1.0000 ml")), (b"tvolume 1100.0000 ul\r", reply()), (b"irun\r", reply(prompt="*"))]
    script = [(b"ver\r", VERSION), *START_AT_100_UL_PER_H,
              (b"ivolume\r", reply("1.0000 ml", prompt="*")), (b"ivolume\r", reply("1.0000 ml", prompt="*")),
              (b"stop\r", reply()), *restart, (b"ivolume\r", reply("1.0000 ml", prompt="*"))]
    with expected_exchange(pump(dead_host_horizon_s=3600.0), script) as driver:
        driver.set_rate_ul_per_h(100.0)
        driver.start()  # the counter's reply carries the stall
        assert driver.status().alarm == "stall"
        assert driver.status().alarm is None  # the same stall
        driver.stop()
        driver.start()
        assert driver.status().alarm == "stall"  # a new one


@pytest.mark.requirements("SR-DRV-005")
def test_a_pump_found_idle_while_told_to_run_reports_an_unexpected_stop():
    script = [(b"ver\r", VERSION), *START_AT_100_UL_PER_H, (b"ivolume\r", reply("3.0000 ul")),
              (b"ivolume\r", reply("3.0000 ul"))]
    with expected_exchange(pump(dead_host_horizon_s=3600.0), script) as driver:
        driver.set_rate_ul_per_h(100.0)
        driver.start()
        assert driver.status().alarm == "unexpected_stop"
        assert driver.status().alarm is None


@pytest.mark.requirements("SR-DRV-007")
def test_stop_repeats_until_the_prompt_is_no_longer_running():
    script = [(b"ver\r", VERSION), (b"stop\r", reply(prompt=">")), (b"stop\r", reply())]
    with expected_exchange(pump(), script) as driver:
        driver.stop()
    script = [(b"ver\r", VERSION)] + [(b"stop\r", reply(prompt=">"))] * 3
    with expected_exchange(pump(), script) as driver, pytest.raises(ProtocolError, match="still running"):
        driver.stop()


def test_error_lines_raise_the_command_error_naming_the_command():
    script = [(b"ver\r", VERSION), (b"tvolume 5.0000 ul\r", reply("Out of range"))]
    with expected_exchange(pump(), script) as driver:
        with pytest.raises(codec.HarvardCommandError, match=r"tvolume.*Out of range"):
            driver.set_target_volume_ul(5.0)


def test_diameter_is_read_back_and_a_mismatch_refused():
    script = [(b"ver\r", VERSION), (b"diameter\r", reply("4.6990 mm")), (b"diameter 14.4300\r", reply()),
              (b"diameter\r", reply("14.4300 mm"))]
    with expected_exchange(pump(), script) as driver:
        driver.set_syringe_diameter_mm(14.43)
        assert driver.open_findings == ["Harvard pump was set for a 4.699 mm syringe; set to 14.4300 mm"]
    script = script[:3] + [(b"diameter\r", reply("14.0000 mm"))]
    with expected_exchange(pump(), script) as driver, pytest.raises(SyringeMismatch, match=r"14\.4300"):
        driver.set_syringe_diameter_mm(14.43)


@pytest.mark.requirements("SR-DRV-009")
@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_a_non_finite_volume_is_refused(value):
    script = [(b"ver\r", VERSION), (b"ivolume\r", reply(f"{value} ul"))]
    with expected_exchange(pump(), script) as driver, pytest.raises(NonFiniteValue, match="ivolume"):
        driver.status()


@pytest.mark.requirements("SR-DRV-002", "SR-DRV-004")
@pytest.mark.parametrize("answer, error", [
    (b"\n00 1.0000 ul\r", DeviceTimeout),               # the prompt never comes
    (b"\n00 1.0000 ul", DeviceTimeout),                 # neither does the line's CR
    (b"xx\n00 1.0000 ul\r\n00:", FramingError),         # bytes before the first LF
    (b"\n00 1.0000 ul\n00:", FramingError),             # text line without CR
    (b"\n1.0000 ul\r\n00:", FramingError),              # no address on the text line
    (b"\n00 1.0\xff ul\r\n00:", FramingError),          # not ASCII
    (b"\n00 1.0000 gallons\r\n00:", FramingError),      # unknown unit
    (b"\n05 1.0000 ul\r\n05:", ProtocolError),          # another pump answered
    (DeviceDisconnected("unplugged"), DeviceDisconnected),
])
def test_broken_replies_raise_typed_errors(answer, error):
    script = [(b"ver\r", VERSION), (b"ivolume\r", answer)]
    with pytest.raises(error), expected_exchange(pump(), script) as driver:
        driver.status()


def test_without_text_line_addresses_the_whole_line_is_text():
    script = [(b"ver\r", b"\n11 ELITE\r\n00:"), (b"ivolume\r", b"\n12 0 0 i....I\r\n00:")]
    with pytest.raises(FramingError, match="not '<number> <unit>'"):
        with expected_exchange(pump(text_line_address=False), script) as driver:
            assert driver.version == "11 ELITE"
            driver.status()


def test_a_pump_stalled_at_open_fails_open():
    with pytest.raises(DeviceAlarm, match="stall"):
        with expected_exchange(pump(), [(b"ver\r", reply("11 ELITE", prompt="*"))]):
            pass


def test_a_prompt_without_address_is_accepted():
    assert codec.parse_reply(b"\n:", True) == codec.HarvardReply(None, ":", ())
    assert codec.reply_complete(b"\n00T*") and not codec.reply_complete(b"\n00T")
    assert not codec.reply_complete(b"\n00 1.0")


def test_bad_constructor_arguments_are_refused():
    from drivers.scripted import ScriptedTransport
    for options in ({"address": 100}, {"dialect": "phd2000"}, {"reply_timeout_s": 0}, {"max_rate_ul_per_h": -1},
                    {"dead_host_horizon_s": 0}, {"dead_host_horizon_s": float("nan")}):
        with pytest.raises(ValueError):
            HarvardPump(ScriptedTransport([]), **{"max_rate_ul_per_h": 10.0, **options})
